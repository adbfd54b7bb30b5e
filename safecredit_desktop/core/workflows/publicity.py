"""双公示 (seed 003): administrative penalties and permits published within 7 working
days of their decision; the permits' simple register; commitments on file.

A penalty of another department is that department's to publish and is left out.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.scheduling.calendar import Calendar
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.workflows import store

PUBLISH_WORKING_DAYS = 7
KINDS = ("行政处罚", "行政许可")


class PublicityStatus(StrEnum):
    OVERDUE = "逾期未公示"
    DUE = "待公示"
    LATE = "逾期公示"
    PUBLISHED = "已公示"


class PublicityAction(StrEnum):
    MARK_PUBLISHED = "登记公示"


@dataclass(frozen=True)
class PublicityItem:
    kind: str  # 行政处罚 / 行政许可
    id: int
    unit_id: int
    uscc: str
    unit_name: str
    number: str  # 决定书文号 / 许可证号
    title: str  # the penalty's reason / the permit's kind
    decided_on: date
    due_on: date
    published_on: date | None

    def status(self, as_of: date) -> PublicityStatus:
        if self.published_on is None:
            return PublicityStatus.OVERDUE if as_of > self.due_on else PublicityStatus.DUE
        return (
            PublicityStatus.LATE if self.published_on > self.due_on else PublicityStatus.PUBLISHED
        )


def allowed_actions(item: PublicityItem, roles: Collection[Role]) -> set[PublicityAction]:
    """Any user who keeps records may note a decision's publication, once."""
    return {PublicityAction.MARK_PUBLISHED} if item.published_on is None and roles else set()


def items(db: Database, calendar: Calendar) -> list[PublicityItem]:
    """Every penalty of the bureau and every permit, with its due date, newest first."""
    found: list[PublicityItem] = []
    due_by_day: dict[date, date] = {}  # many decisions share a day

    def due(decided: date) -> date:
        known = due_by_day.get(decided)
        if known is None:
            known = due_by_day[decided] = calendar.add_working_days(
                decided, PUBLISH_WORKING_DAYS
            ).day
        return known

    queries = (
        (
            "行政处罚",
            "SELECT p.id, p.unit_id, u.uscc, u.name, p.doc_no, p.reason, p.decided_on,"
            " p.published_on FROM penalties p JOIN units u ON u.id = p.unit_id"
            " WHERE p.department = '应急管理部门'",
        ),
        (
            "行政许可",
            "SELECT p.id, p.unit_id, u.uscc, u.name, p.permit_no, p.kind, p.decided_on,"
            " p.published_on FROM permits p JOIN units u ON u.id = p.unit_id",
        ),
    )
    for kind, sql in queries:
        for r in db.conn.execute(sql):
            decided = date.fromisoformat(str(r[6]))
            found.append(
                PublicityItem(
                    kind,
                    int(r[0]),
                    int(r[1]),
                    str(r[2]),
                    str(r[3]),
                    str(r[4]),
                    str(r[5]),
                    decided,
                    due(decided),
                    None if r[7] is None else date.fromisoformat(str(r[7])),
                )
            )
    found.sort(key=lambda i: (i.decided_on, i.kind, i.id), reverse=True)
    return found


def mark_published_permit(db: Database, user: str, permit_id: int, on: date) -> None:
    found = store.row(db.conn, "permits", permit_id)
    if on < date.fromisoformat(str(found["decided_on"])):
        raise SafeCreditError("公示日期不能早于许可决定日期。")
    store.step(db, user, "permits", permit_id, {"published_on": on})


@dataclass(frozen=True)
class Permit:
    id: int
    unit_id: int
    uscc: str
    unit_name: str
    permit_no: str
    kind: str
    decided_on: date
    published_on: date | None


def permits(db: Database) -> list[Permit]:
    return [
        Permit(
            int(r["id"]),
            int(r["unit_id"]),
            str(r["uscc"]),
            str(r["name"]),
            str(r["permit_no"]),
            str(r["kind"]),
            date.fromisoformat(str(r["decided_on"])),
            None if r["published_on"] is None else date.fromisoformat(str(r["published_on"])),
        )
        for r in store.rows(
            db.conn,
            "SELECT p.*, u.uscc, u.name FROM permits p JOIN units u ON u.id = p.unit_id"
            " ORDER BY p.decided_on DESC, p.id DESC",
        )
    ]


def add_permit(
    db: Database, user: str, *, unit_id: int, permit_no: str, kind: str, decided_on: date
) -> int:
    permit_no, kind = permit_no.strip(), kind.strip()
    if not permit_no or not kind:
        raise SafeCreditError("请填写许可证号和许可类别。")
    if db.conn.execute("SELECT 1 FROM permits WHERE permit_no = ?", (permit_no,)).fetchone():
        raise SafeCreditError(f"许可证号“{permit_no}”已登记。")
    values: dict[str, Any] = {
        "unit_id": unit_id,
        "permit_no": permit_no,
        "kind": kind,
        "decided_on": decided_on,
    }
    return store.add(db, user, "permits", values)


@dataclass(frozen=True)
class CommitmentGap:
    unit_id: int
    uscc: str
    name: str
    main_person: str
    lacks_unit: bool
    lacks_duty: bool


def commitment_gaps(db: Database, as_of: date) -> list[CommitmentGap]:
    """Units (not closed) without a valid unit commitment or main-person commitment."""
    day = as_of.isoformat()
    sql = """
    SELECT u.id, u.uscc, u.name, u.main_person,
      NOT EXISTS (SELECT 1 FROM commitments c WHERE c.unit_id = u.id AND c.type = '单位承诺'
                  AND c.signed_on <= ? AND (c.withdrawn_on IS NULL OR c.withdrawn_on > ?)),
      NOT EXISTS (SELECT 1 FROM commitments c WHERE c.unit_id = u.id
                  AND c.type = '主要负责人履职尽责承诺'
                  AND c.signed_on <= ? AND (c.withdrawn_on IS NULL OR c.withdrawn_on > ?))
    FROM units u WHERE u.status != '关闭' ORDER BY u.uscc
    """
    found = []
    for r in db.conn.execute(sql, (day, day, day, day)):
        if r[4] or r[5]:
            found.append(
                CommitmentGap(int(r[0]), str(r[1]), str(r[2]), str(r[3]), bool(r[4]), bool(r[5]))
            )
    return found


def breached_commitment(db: Database, violation_id: int) -> str | None:
    """The commitment a commitment_breach violation breaks: the unit's newest unit
    commitment signed on or before the breach (None when there is none)."""
    r = db.conn.execute(
        "SELECT unit_id, occurred_on FROM violations WHERE id = ? AND kind = 'commitment_breach'",
        (violation_id,),
    ).fetchone()
    if r is None:
        return None
    found = db.conn.execute(
        "SELECT signed_on, signer FROM commitments WHERE unit_id = ? AND type = '单位承诺'"
        " AND signed_on <= ? ORDER BY signed_on DESC LIMIT 1",
        (r[0], r[1]),
    ).fetchone()
    if found is None:
        return None
    return f"单位承诺 {found[0]}" + (f"（{found[1]}签署）" if found[1] else "")
