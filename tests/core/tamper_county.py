"""A small county in which every table the program writes has rows, for the tamper
tests: demo units and records, users, settings, a holiday, a 双随机 draw, issued
documents, a confirmed assessment, list entries, an objection, a repair application,
a permit, a deleted record (tombstone), an edited record and declared conflicts."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from safecredit_desktop.core import app as core
from safecredit_desktop.core.model import Role

TODAY = date(2026, 11, 21)
BUREAU = "测试县应急管理局"
ADMIN = ("管理员", "admin-pw")


@dataclass(frozen=True)
class Facts:
    """Names of rows the tests change."""

    unit_code: str
    unit_name: str
    penalty_doc: str
    deleted_key: str  # natural key of the deleted inspection (JSON)
    doc_no: str
    list_entry: int
    objection: int
    application: int
    permit_no: str
    draw_id: int


def build(path: Path) -> Facts:
    admin = core.init_database(
        path, profile="fenghuang", bureau_name=BUREAU, user="管理员", admin=ADMIN
    )
    try:
        return _fill(admin)
    finally:
        admin.close()


def _fill(admin: core.Session) -> Facts:
    core.fill_demo(admin, enterprises=20, seed=1, today=TODAY)
    admin.accounts.create_user("审核员甲", "review-pw", Role.REVIEWER)
    admin.accounts.create_user("审核员乙", "review-pw", Role.REVIEWER)
    reviewer = core.Session(admin.db, "审核员甲", Role.REVIEWER)
    other = core.Session(admin.db, "审核员乙", Role.REVIEWER)
    conn = admin.db.conn
    admin.schedule.set_holiday(date(2031, 1, 1), "休息日", "元旦")
    draw = admin.draws.make(year=2026, seed="县局2026第1次")
    annulled = admin.draws.make(year=2026, seed="县局2026第2次")
    admin.draws.annul(annulled.summary.id, "抽取范围设错，重新抽取")
    admin.accounts.set_password("审核员乙", "review-pw2")
    c_units = admin.units.of_grade("C", TODAY)
    issued = admin.documents.issue(
        core.DocumentRequest("grade-notice", unit_ids=tuple(c_units[:2]), as_of=TODAY),
        today=TODAY,
    )
    reviewer.grading.confirm_assessment(2026)
    unit_id, unit_code, unit_name = conn.execute(
        "SELECT id, uscc, name FROM units ORDER BY id LIMIT 1"
    ).fetchone()
    entry = admin.lists.add(
        unit_id=c_units[0],
        list_kind="黑名单",
        facts="拒不整改重大事故隐患",
        basis="凤凰县方案第十条",
        today=TODAY,
    )
    admin.lists.notify(entry.id, served_on=TODAY)
    inspection_id = int(
        conn.execute("SELECT min(id) FROM inspections WHERE unit_id = ?", (c_units[1],)).fetchone()[
            0
        ]
    )
    objection = admin.objections.file(
        table="inspections", record_id=inspection_id, content="检查日期有误", filed_on=TODAY
    )
    other.objections.accept(objection.id, on=TODAY)
    penalty_id, penalty_doc = conn.execute(
        "SELECT id, doc_no FROM penalties WHERE id NOT IN"
        " (SELECT penalty_id FROM repairs WHERE penalty_id IS NOT NULL) ORDER BY id LIMIT 1"
    ).fetchone()
    application = admin.repairs.apply(
        table="penalties", target_id=int(penalty_id), applied_on=TODAY
    )
    admin.publicity.add_permit(
        unit_id=unit_id,
        permit_no="（凤）WH安许证字〔2026〕001",
        kind="危险化学品经营许可",
        decided_on=date(2026, 11, 2),
    )
    # an edited record and a deleted one (remembered so an import won't bring it back)
    edited = admin.records.get("units", unit_id)
    edited.phone = "0743-3226001"
    admin.records.save(edited)
    victim = int(
        conn.execute(
            "SELECT max(id) FROM inspections WHERE id NOT IN"
            " (SELECT target_id FROM objections WHERE target_table = 'inspections')"
        ).fetchone()[0]
    )
    admin.records.delete("inspections", victim)
    (deleted_key,) = conn.execute(
        "SELECT natural_key FROM deleted_records WHERE table_name = 'inspections'"
    ).fetchone()
    inspector_id = int(conn.execute("SELECT min(id) FROM inspectors").fetchone()[0])
    admin.draws.set_conflicts(inspector_id, [unit_id])
    return Facts(
        unit_code=str(unit_code),
        unit_name=str(unit_name),
        penalty_doc=str(penalty_doc),
        deleted_key=str(deleted_key),
        doc_no=issued.issued[0].doc_no,
        list_entry=entry.id,
        objection=objection.id,
        application=application.id,
        permit_no="（凤）WH安许证字〔2026〕001",
        draw_id=draw.summary.id,
    )


def copy_database(source: Path, dest: Path) -> Path:
    """A copy of a closed database file (its WAL folded in), without its anchor."""
    conn = sqlite3.connect(source)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    shutil.copyfile(source, dest)
    return dest
