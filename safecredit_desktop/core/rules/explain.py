"""Chinese wording of grading results: records behind a reason, windows, the way back.

Record descriptions are short and quotable on a notice (grading.md: "document number or
date"), e.g. ``事故 2026-03-02 较大 死亡3人``, ``失信 2026-09-20 被责令停产停业整顿仍从事生产经营
（单位）``, ``处罚 凤应急罚〔2025〕3号 2025-05-01``, ``标准化 三级 有效期至2025-12-31（已过期）``.
"""

from __future__ import annotations

from datetime import date

from safecredit_desktop.core.model import (
    VIOLATION_KIND_BY_CODE,
    AccidentGrade,
    HonourLevel,
    HonourType,
    PenaltyDepartment,
    Responsibility,
    StandardizationLevel,
)
from safecredit_desktop.core.rules import facts
from safecredit_desktop.core.rules.profile import Window, WindowKind
from safecredit_desktop.core.validate import accident_grade_from_figures

# Standardization levels from the best down; 无 is the absence of a level.
STD_LEVELS: tuple[str, ...] = (
    StandardizationLevel.FIRST.value,
    StandardizationLevel.SECOND.value,
    StandardizationLevel.THIRD.value,
)

COMMITMENT_FIX = "签署安全生产承诺书（单位承诺）"


def number(value: float) -> str:
    """1500.0 → "1500", 10.5 → "10.5"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def accident(a: facts.AccidentFact) -> str:
    parts = ["事故", a.day.isoformat()]
    if a.accident_no:
        parts.append(a.accident_no)
    if a.grade != AccidentGrade.ORDINARY.value:
        parts.append(a.grade)
    if a.deaths:
        parts.append(f"死亡{a.deaths}人")
    if a.serious_injuries:
        parts.append(f"重伤{a.serious_injuries}人")
    if a.loss_wan > 0:
        by_loss = accident_grade_from_figures(0, 0, a.loss_wan).value
        casualties = a.deaths or a.serious_injuries
        if not casualties or (by_loss == a.grade and by_loss != AccidentGrade.ORDINARY.value):
            parts.append(f"直接经济损失{number(a.loss_wan)}万元")
    if a.responsible == Responsibility.NO.value:
        parts.append("非责任事故")
    elif a.responsible == Responsibility.PENDING.value:
        parts.append("责任待定")
    if a.needs_review:
        parts.append("待核实")
    return " ".join(parts)


def violation(v: facts.ViolationFact) -> str:
    kind = VIOLATION_KIND_BY_CODE.get(v.kind)
    name = kind.name if kind is not None else v.kind
    who = f"{v.subject} {v.person_name}" if v.person_name else v.subject
    text = f"失信 {v.day.isoformat()} {name}（{who}）"
    return f"{text} {v.basis_doc}" if v.basis_doc else text


def penalty(p: facts.PenaltyFact) -> str:
    text = f"处罚 {p.doc_no} {p.day.isoformat()}"
    if p.department != PenaltyDepartment.EMERGENCY.value:
        text += f"（{p.department}）"
    if p.aggravated_fine:
        text += " 加重罚款"
    return text


def listing(entry: facts.ListingFact) -> str:
    """``名单 严重失信主体名单 2026-07-01公布 管理期至2029-07-01``."""
    text = f"名单 {entry.list_kind} {entry.published_on.isoformat()}公布"
    if entry.ends_on is not None:
        text += f" 期限至{entry.ends_on.isoformat()}"
    return text


def honour(h: facts.HonourFact) -> str:
    text = f"表彰 {h.day.isoformat()} {h.level} {h.type}"
    return f"{text} {h.title}" if h.title else text


def joint_punishment(j: facts.JointPunishmentFact) -> str:
    end = f"至{j.ends_on.isoformat()}" if j.ends_on is not None else "起（未结束）"
    return f"联合惩戒 {j.department} {j.starts_on.isoformat()}{end}"


def withdrawn_commitment(c: facts.CommitmentFact) -> str:
    assert c.withdrawn_on is not None
    return f"承诺 {c.signed_on.isoformat()} 已于{c.withdrawn_on.isoformat()}撤回"


def standardization(level: str, awarded: date | None, valid_until: date | None, as_of: date) -> str:
    """The unit's standardization as it stands at ``as_of`` (with why it does not count)."""
    if level == StandardizationLevel.NONE.value:
        return "标准化 无"
    text = f"标准化 {level}"
    if valid_until is not None:
        text += f" 有效期至{valid_until.isoformat()}"
    if awarded is not None and awarded > as_of:
        return f"{text}（评定日期{awarded.isoformat()}晚于评定基准日）"
    if valid_until is not None and valid_until < as_of:
        return f"{text}（已过期）"
    return text


def window(w: Window) -> str:
    """``1年内``, ``3年内``, ``18个月内``, ``上年度以来``."""
    if w.kind is WindowKind.LAST_YEAR_OR_SINCE:
        return "上年度以来"
    if w.months % 12 == 0:
        return f"{w.months // 12}年内"
    return f"{w.months}个月内"


def std_fix(level: str) -> str:
    """``取得三级及以上安全生产标准化`` (一级 has nothing above it)."""
    if level == STD_LEVELS[0]:
        return f"取得{level}安全生产标准化"
    return f"取得{level}及以上安全生产标准化"


def level_or_better(level: str) -> str:
    """``三级及以上安全生产标准化`` (``一级安全生产标准化``)."""
    return std_fix(level).removeprefix("取得")


def std_renewal(level: str, awarded: date | None, valid_until: date | None) -> str:
    """A level the unit's record holds that has expired (or will) when it is needed: it is
    renewed (复评), not obtained (取得) — the unit already holds it."""
    if valid_until is not None:
        return f"复评保持安全生产标准化{level}（有效期至{valid_until.isoformat()}）"
    return f"复评保持安全生产标准化{level}"


def honour_wanted(
    levels: tuple[HonourLevel, ...] | None, types: tuple[HonourType, ...] | None
) -> str:
    """``市级及以上先进单位表彰``, ``市级及以上部门通报表扬或典型宣传``."""
    level = ""
    if levels:
        level = f"{levels[0].value}及以上" if len(levels) > 1 else levels[0].value
    kinds = "或".join(t.value for t in types) if types else "表彰"
    if types and all(t is HonourType.ADVANCED_UNIT for t in types):
        return f"{level}{kinds}表彰"
    return f"{level}部门{kinds}" if level else kinds
