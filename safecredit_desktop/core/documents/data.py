"""Reading what documents are filled from: units and approved repair applications."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from safecredit_desktop.core.documents.notices import UnitInfo
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.workflows import repairs

_UNIT_COLUMNS = "id, uscc, name, legal_rep, main_person, address, town, category, high_risk"


def units(db: Database, unit_ids: Sequence[int]) -> list[tuple[UnitInfo, bool]]:
    """Units in code order, each with its 高危行业 mark; unknown ids are refused."""
    found: dict[int, tuple[UnitInfo, bool]] = {}
    ids = list(dict.fromkeys(unit_ids))
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        rows = db.conn.execute(
            f"SELECT {_UNIT_COLUMNS} FROM units WHERE id IN ({', '.join('?' for _ in chunk)})",
            chunk,
        )
        for row in rows:
            info = UnitInfo(int(row[0]), *(str(v) for v in row[1:8]))
            found[info.id] = (info, bool(row[8]))
    missing = [i for i in ids if i not in found]
    if missing:
        raise SafeCreditError(f"没有编号为 {missing[0]} 的企业。")
    return sorted(found.values(), key=lambda pair: pair[0].uscc)


@dataclass(frozen=True)
class RepairDecision:
    """An approved application (the number ``repair show`` prints) a decision is about."""

    application_id: int
    unit_id: int
    target_kind: str  # 行政处罚 / 失信行为 / 生产安全事故 / 名单
    record: str  # the record as quoted when it was applied for
    applied_on: date
    approved_on: date
    list_entry: int | None  # the entry removed early (提前移出), else None


_REFUSED = {
    "待审核": "尚未审核，批准后才能出具决定书",
    "驳回": "已被驳回，不能出具决定书",
    "撤销": "的批准已被撤销，不能出具决定书",
}


def repair_decision(db: Database, application_id: int) -> RepairDecision:
    """The approved credit repair or early removal application ``application_id``."""
    try:
        found = repairs.get(db, application_id)
    except SafeCreditError:
        raise SafeCreditError(
            f"没有编号为 {application_id} 的信用修复申请（编号见“repair show”）。"
        ) from None
    if found.status != "批准" or found.decided_on is None:
        why = _REFUSED.get(found.status, f"状态为{found.status}，不能出具决定书")
        raise SafeCreditError(f"第 {application_id} 号{found.kind_text}申请{why}。")
    return RepairDecision(
        found.id,
        found.unit_id,
        repairs.TARGETS.get(found.target_table, found.target_table),
        found.target_text,
        found.applied_on,
        found.decided_on,
        found.target_id if found.early_removal else None,
    )


def repair_decisions(db: Database) -> list[tuple[int, str]]:
    """Approved applications, newest first: (number, what the window lists)."""
    found = repairs.applications(db, status="批准")
    found.sort(key=lambda a: (a.decided_on or date.min, a.id), reverse=True)
    return [
        (
            a.id,
            f"第{a.id}号 {a.unit_name} {a.kind_text}：{a.target_text}"
            f"（{a.decided_on.isoformat() if a.decided_on else ''}批准）",
        )
        for a in found
    ]
