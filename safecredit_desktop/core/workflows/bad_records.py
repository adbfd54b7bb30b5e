"""不良信用记录: seed 002 (二)'s eight triggers, flagged where the data show them.

1 一年内发生生产安全死亡责任事故; 2 非法违法组织生产经营建设; 3 执法检查发现重大隐患;
4 未开展双重预防体系建设; 5 隐患不如实记录上报或期限内未完成整改 (also an inspection
whose rectification deadline passed unrectified, or rectified late); 6 拒不执行监管
监察指令、逾期不履行处罚; 7 未依法报告事故、组织抢险救援; 8 其他 (and 违反承诺).
Each flag names its record; repaired records are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from safecredit_desktop.core.model import VIOLATION_KIND_BY_CODE
from safecredit_desktop.core.storage.connection import Database

TRIGGERS = {
    1: "一年内发生生产安全死亡责任事故",
    2: "非法违法组织生产经营建设",
    3: "执法检查发现存在重大安全生产隐患",
    4: "未按规定开展风险分级管控和隐患排查治理双重预防体系建设",
    5: "隐患排查不如实记录上报或期限内未完成治理整改",
    6: "拒不执行安全监管监察指令，或逾期不履行处罚",
    7: "未依法依规报告事故、组织开展抢险救援",
    8: "其他安全生产非法违法或造成恶劣社会影响的行为（含违反承诺）",
}
VIOLATION_TRIGGER = {
    "illegal_production": 2,
    "no_permit": 2,
    "operate_while_suspended": 2,
    "overstep_mining": 2,
    "facilities_not_accepted": 2,
    "major_hazard_unrectified": 3,
    "dual_prevention_missing": 4,
    "hazard_unreported": 5,
    "refuse_directive": 6,
    "refuse_penalty_execution": 6,
    "evade_supervision": 6,
    "accident_not_reported": 7,
    "accident_concealed": 7,
    "accident_reported_late": 7,
    "obstruct_investigation": 7,
}


@dataclass(frozen=True)
class BadRecord:
    unit_id: int
    trigger: int
    record: str  # the record as notices quote it
    day: date

    @property
    def trigger_text(self) -> str:
        return TRIGGERS[self.trigger]


def _one_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def bad_records(db: Database, as_of: date, unit_id: int | None = None) -> list[BadRecord]:
    """Every flag as of ``as_of`` (for one unit or all), newest first."""
    unit_clause = "" if unit_id is None else " AND unit_id = ?"
    unit_arg: tuple[object, ...] = () if unit_id is None else (unit_id,)
    day = as_of.isoformat()
    found: list[BadRecord] = []
    for uid, occurred, grade, deaths in db.conn.execute(
        "SELECT unit_id, occurred_on, grade, deaths FROM accidents WHERE responsible = '是'"
        " AND deaths > 0 AND occurred_on > ? AND occurred_on <= ?"
        " AND id NOT IN (SELECT accident_id FROM repairs WHERE accident_id IS NOT NULL"
        " AND approved_on <= ?)" + unit_clause,
        (_one_year_before(as_of).isoformat(), day, day, *unit_arg),
    ):
        found.append(
            BadRecord(
                int(uid), 1, f"事故 {occurred} {grade} 死亡{deaths}人", date.fromisoformat(occurred)
            )
        )
    for uid, inspected, major in db.conn.execute(
        "SELECT unit_id, inspected_on, major_hazards FROM inspections WHERE major_hazards > 0"
        " AND inspected_on <= ?" + unit_clause,
        (day, *unit_arg),
    ):
        found.append(
            BadRecord(
                int(uid), 3, f"检查 {inspected} 重大隐患{major}处", date.fromisoformat(inspected)
            )
        )
    for uid, inspected, deadline, rectified in db.conn.execute(
        "SELECT unit_id, inspected_on, rectify_deadline, rectified_on FROM inspections"
        " WHERE rectify_deadline IS NOT NULL AND rectify_deadline < ?"
        " AND (rectified_on IS NULL OR rectified_on > rectify_deadline)" + unit_clause,
        (day, *unit_arg),
    ):
        state = "未完成整改" if rectified is None or rectified > day else f"{rectified}才完成"
        found.append(
            BadRecord(
                int(uid),
                5,
                f"检查 {inspected} 整改期限{deadline}，{state}",
                date.fromisoformat(deadline),
            )
        )
    for uid, kind, occurred, subject, person in db.conn.execute(
        "SELECT unit_id, kind, occurred_on, subject, person_name FROM violations"
        " WHERE occurred_on <= ? AND id NOT IN (SELECT violation_id FROM repairs"
        " WHERE violation_id IS NOT NULL AND approved_on <= ?)" + unit_clause,
        (day, day, *unit_arg),
    ):
        trigger = VIOLATION_TRIGGER.get(str(kind), 8)
        known = VIOLATION_KIND_BY_CODE.get(str(kind))
        name = known.name if known is not None else str(kind)
        who = f"{subject} {person}" if person else str(subject)
        found.append(
            BadRecord(
                int(uid), trigger, f"失信 {occurred} {name}（{who}）", date.fromisoformat(occurred)
            )
        )
    found.sort(key=lambda b: (b.day, b.trigger), reverse=True)
    return found
