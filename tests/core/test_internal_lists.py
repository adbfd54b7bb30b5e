"""Internal lists (kundulun, seed 001 第十四条 只作内部管理使用，不对外公布; grading.md
Revision 2 item 7): 公布 is refused, so an approved entry is 内部管理 — in force inside
the bureau from 列入, its period counted from there, removed at its end — never left
待公布 waiting for a publication that cannot come."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from safecredit_desktop.cli import main
from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.storage import migrations
from safecredit_desktop.core.workflows.lists import SYSTEM_USER

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "internal_lists"
LISTED = date(2026, 6, 24)  # the review's approval: 列入
ENDS = date(2027, 6, 24)  # 12 months on
UPGRADE_USER = "系统（数据结构升级：内部名单不公布）"


def _county(tmp_path: Path, profile: str) -> tuple[core.Session, core.Session, int]:
    admin = core.init_database(
        tmp_path / f"{profile}.db",
        profile=profile,
        bureau_name="测试应急管理局",
        user="管理员",
        admin=("管理员", "admin-pw"),
    )
    admin.accounts.create_user("审核员甲", "secret-pw", Role.REVIEWER)
    prefix = {"kundulun": "91150203", "fenghuang": "91433123"}[profile]
    unit = admin.records.save(model.Unit(f"{prefix}MA0N000014", "丁煤业有限公司", "煤矿"))
    reviewer = core.Session(admin.db, "审核员甲", Role.REVIEWER)
    return admin, reviewer, unit


def _approved(admin: core.Session, reviewer: core.Session, unit: int, kind: str) -> int:
    entry = admin.lists.add(unit_id=unit, list_kind=kind, facts="A级", basis="第十三条")
    if kind != "红名单":
        admin.lists.notify(entry.id, served_on=date(2026, 6, 1))
    reviewer.lists.review(entry.id, approve=True, today=LISTED)
    return entry.id


@pytest.mark.parametrize("kind", ["黑名单", "红名单"])
def test_an_approved_kundulun_entry_is_internal_not_waiting(tmp_path: Path, kind: str) -> None:
    admin, reviewer, unit = _county(tmp_path, "kundulun")
    try:
        entry_id = _approved(admin, reviewer, unit, kind)
        entry = admin.lists.entry(entry_id)
        assert (entry.stage, entry.reviewed_on, entry.ends_on) == ("内部管理", LISTED, ENDS)
        assert entry.published_on is None and entry.active
        with pytest.raises(SafeCreditError, match="不对外公布"):
            reviewer.lists.publish(entry_id, published_on=date(2026, 6, 25))
        assert admin.lists.entries(stage="待公布", today=date(2026, 7, 1)) == []
        assert admin.lists.units_in_force() == {unit: [kind]}
        # at the end of its period it leaves the list like a published entry (期满)
        assert [e.stage for e in admin.lists.entries(today=date(2027, 6, 23))] == ["内部管理"]
        (ended,) = admin.lists.entries(today=ENDS)
        assert (ended.stage, ended.removal_reason, ended.removed_on) == ("移出", "期满", ENDS)
        assert ended.removed_by == SYSTEM_USER
    finally:
        admin.close()


def test_a_published_profile_still_waits_for_publication(tmp_path: Path) -> None:
    admin, reviewer, unit = _county(tmp_path, "fenghuang")
    try:
        entry_id = _approved(admin, reviewer, unit, "红名单")
        entry = admin.lists.entry(entry_id)
        assert (entry.stage, entry.ends_on) == ("待公布", None)
        assert admin.lists.units_in_force() == {}
        published = reviewer.lists.publish(entry_id, published_on=date(2026, 6, 25))
        assert (published.stage, published.ends_on) == ("公布", date(2027, 6, 25))
    finally:
        admin.close()


def test_an_internal_entry_is_removed_by_hand(tmp_path: Path) -> None:
    admin, reviewer, unit = _county(tmp_path, "kundulun")
    try:
        entry_id = _approved(admin, reviewer, unit, "黑名单")
        removed = reviewer.lists.remove(entry_id, reason="整改到位", on=date(2026, 9, 1))
        assert (removed.stage, removed.removal_reason) == ("移出", "整改到位")
    finally:
        admin.close()


def test_the_cli_shows_no_kundulun_entry_as_waiting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    admin, reviewer, unit = _county(tmp_path, "kundulun")
    path = admin.db.path
    try:
        _approved(admin, reviewer, unit, "黑名单")
    finally:
        admin.close()
    capsys.readouterr()
    assert main(["--db", str(path), "list", "show", "--format", "json"]) == 0
    (shown,) = json.loads(capsys.readouterr().out)
    assert shown["stage"] == "内部管理"
    assert main(["--db", str(path), "list", "show"]) == 0
    assert "待公布" not in capsys.readouterr().out


def test_upgrade_moves_waiting_kundulun_entries_to_internal(tmp_path: Path) -> None:
    """A database of schema v14 (made by that program: make_fixture.py) with two entries
    left 待公布: after the upgrade both are 内部管理, their period counted from 列入, the
    change audited; `check` passes."""
    path = tmp_path / "old.db"
    shutil.copyfile(FIXTURE / "v14-kundulun-waiting.db", path)
    old = sqlite3.connect(path)
    assert old.execute("PRAGMA user_version").fetchone() == (14,)
    assert old.execute("SELECT DISTINCT stage FROM list_entries").fetchall() == [("待公布",)]
    old.close()
    session = core.open_session(path, user="管理员")
    try:
        entries = session.lists.entries(today=date(2026, 12, 1))
        assert [(e.stage, e.ends_on) for e in entries] == [("内部管理", ENDS)] * 2
    finally:
        session.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] >= 15
    audited = conn.execute(
        "SELECT row_key, after FROM audit_log WHERE user = ? ORDER BY id", (UPGRADE_USER,)
    ).fetchall()
    conn.close()
    assert [key for key, _ in audited] == ["list_entries#1", "list_entries#2"]
    assert all(json.loads(after)["stage"] == "内部管理" for _, after in audited)
    report = core.check_database(path)
    assert report.ok, report.problems
    assert report.schema_version == migrations.latest_version()


def test_an_internal_entry_has_its_end_and_early_removal_reminders(tmp_path: Path) -> None:
    admin, reviewer, unit = _county(tmp_path, "kundulun")
    try:
        entry_id = _approved(admin, reviewer, unit, "黑名单")
        found = admin.schedule.deadlines(as_of=date(2027, 6, 1), horizon_days=30)
        kinds = {(d.kind, d.due_on) for d in found if d.unit_id == unit}
        assert ("名单期满", ENDS) in kinds
        assert ("可申请提前移出", ENDS) in kinds  # 12 months after 列入
        assert not any("陈述申辩期" in d.detail for d in found), [d.detail for d in found]
        assert all(f"第{entry_id}号" in d.detail for d in found if d.unit_id == unit)
    finally:
        admin.close()


def test_an_internal_entry_may_be_applied_for_early_removal(tmp_path: Path) -> None:
    admin, reviewer, unit = _county(tmp_path, "kundulun")
    try:
        entry_id = _approved(admin, reviewer, unit, "黑名单")
        application = admin.repairs.apply(
            table="list_entries", target_id=entry_id, applied_on=date(2027, 6, 25)
        )
        assert application.target_text.endswith(f"（{LISTED.isoformat()}列入）")
    finally:
        admin.close()
