"""不良信用记录 (seed 002 (二)) of one unit at T, from its facts — pure, no SQL.

1 一年内发生生产安全死亡责任事故; 2 非法违法组织生产经营建设; 3 执法检查发现存在重大安全
生产隐患、重大职业病危害隐患 (an inspection with 重大隐患数 >= 1, dated on the inspection);
4 未开展双重预防体系建设; 5 隐患排查不如实记录上报或期限内未完成整改 (also an inspection whose
整改期限 passed: dated at T while it is overdue, on its 整改完成日期 once rectified late; a
blank 整改期限 never makes it overdue); 6 拒不执行监管监察指令、逾期不履行处罚; 7 未依法报告
事故、组织抢险救援; 8 其他 (and 违反承诺). Repaired violations are left out; accidents are
never repaired (grading.md Revision 2).

The list criteria ``bad_record`` and ``major_hazard`` (rules/listing.py) read these, and
``workflows.bad_records`` loads them from the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from safecredit_desktop.core.model import VIOLATION_KIND_BY_CODE, Responsibility
from safecredit_desktop.core.rules.facts import InspectionFact, UnitFacts

TRIGGERS = {
    1: "一年内发生生产安全死亡责任事故",
    2: "非法违法组织生产经营建设",
    3: "执法检查发现存在重大安全生产隐患、重大职业病危害隐患",
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
MISSING_DEADLINE = "重大隐患未定整改期限"


@dataclass(frozen=True)
class BadRecord:
    unit_id: int
    trigger: int
    record: str  # the record as notices quote it
    day: date
    uscc: str = ""  # the unit's 统一社会信用代码 (the CLI prints it)

    @property
    def trigger_text(self) -> str:
        return TRIGGERS[self.trigger]


def major_hazards(facts: UnitFacts) -> tuple[InspectionFact, ...]:
    """Inspections that found at least one 重大隐患 (事故隐患 or 职业病危害隐患)."""
    return tuple(i for i in facts.inspections if i.major_hazards >= 1)


def missing_deadline(inspection: InspectionFact) -> bool:
    """A major hazard without 整改期限 (and not rectified): it is never overdue, so the
    unit's page flags it for the inspector to set one."""
    return (
        inspection.major_hazards >= 1
        and inspection.deadline is None
        and inspection.rectified_on is None
    )


def rectification_text(inspection: InspectionFact, as_of: date) -> str:
    assert inspection.deadline is not None
    done = inspection.rectified_on
    state = "未完成整改" if done is None or done > as_of else f"{done.isoformat()}才完成"
    major = f" 重大隐患{inspection.major_hazards}处" if inspection.major_hazards else ""
    return (
        f"检查 {inspection.day.isoformat()}{major} 整改期限{inspection.deadline.isoformat()}，"
        f"{state}"
    )


def of_unit(facts: UnitFacts, as_of: date) -> list[BadRecord]:
    """The unit's 不良信用记录 as of T, newest first."""
    uid = facts.unit_id
    year_ago = as_of - relativedelta(months=12)
    found: list[BadRecord] = []
    for a in facts.accidents:
        if a.responsible == Responsibility.YES.value and a.deaths > 0 and year_ago < a.day <= as_of:
            found.append(
                BadRecord(uid, 1, f"事故 {a.day.isoformat()} {a.grade} 死亡{a.deaths}人", a.day)
            )
    for i in facts.inspections:
        if i.major_hazards >= 1 and i.day <= as_of:
            text = f"检查 {i.day.isoformat()} 重大隐患{i.major_hazards}处"
            found.append(BadRecord(uid, 3, text, i.day))
        counted_on = i.overdue_or_late_on(as_of)
        if counted_on is not None:
            found.append(BadRecord(uid, 5, rectification_text(i, as_of), counted_on))
    for v in facts.violations:
        if v.day > as_of or (v.repaired_on is not None and v.repaired_on <= as_of):
            continue
        known = VIOLATION_KIND_BY_CODE.get(v.kind)
        name = known.name if known is not None else v.kind
        who = f"{v.subject} {v.person_name}" if v.person_name else v.subject
        trigger = VIOLATION_TRIGGER.get(v.kind, 8)
        found.append(BadRecord(uid, trigger, f"失信 {v.day.isoformat()} {name}（{who}）", v.day))
    found.sort(key=lambda b: (b.day, b.trigger), reverse=True)
    return found
