"""Reading what documents are filled from: units and approved repairs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from safecredit_desktop.core.documents.notices import UnitInfo
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import VIOLATION_KIND_BY_CODE
from safecredit_desktop.core.storage.connection import Database

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
class RepairRow:
    id: int
    unit_id: int
    target_kind: str
    record: str
    approved_on: date
    approval_no: str


_REPAIR_SQL = """
SELECT r.id, r.unit_id, r.target_kind, r.approved_on, r.approval_no,
       p.doc_no, p.decided_on,
       v.kind, v.occurred_on, v.subject, v.person_name,
       a.occurred_on, a.grade, a.deaths, a.accident_no
FROM repairs r
LEFT JOIN penalties p ON p.id = r.penalty_id
LEFT JOIN violations v ON v.id = r.violation_id
LEFT JOIN accidents a ON a.id = r.accident_id
"""


def _repair(row: Sequence[object]) -> RepairRow:
    if row[5] is not None:
        record = f"处罚 {row[5]} {row[6]}"
    elif row[7] is not None:
        kind = VIOLATION_KIND_BY_CODE.get(str(row[7]))
        name = kind.name if kind is not None else str(row[7])
        who = f"{row[9]} {row[10]}" if row[10] else str(row[9])
        record = f"失信 {row[8]} {name}（{who}）"
    else:
        parts = ["事故", str(row[11]), str(row[14] or ""), str(row[12])]
        if row[13]:
            parts.append(f"死亡{row[13]}人")
        record = " ".join(p for p in parts if p)
    return RepairRow(
        int(str(row[0])),
        int(str(row[1])),
        str(row[2]),
        record,
        date.fromisoformat(str(row[3])),
        str(row[4]),
    )


def repair(db: Database, repair_id: int) -> RepairRow:
    row = db.conn.execute(_REPAIR_SQL + " WHERE r.id = ?", (repair_id,)).fetchone()
    if row is None:
        raise SafeCreditError(f"没有编号为 {repair_id} 的信用修复记录。")
    return _repair(row)


def repairs(db: Database) -> list[RepairRow]:
    return [_repair(r) for r in db.conn.execute(_REPAIR_SQL + " ORDER BY r.approved_on DESC, r.id")]
