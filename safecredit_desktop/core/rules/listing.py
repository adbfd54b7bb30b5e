"""Lists as profile data (grading.md Revision 2 item 7): which lists the rules propose a
unit for at T, on what grounds, for how long and with which persons.

Each ``[[lists]]`` of the profile has criteria in the format of a grade's; they are read
with the grading engine's own filters, windows, repairs and counting
(``engine.criterion_records``), plus three facts of their own:

- ``grade``: the unit's grade at T is one of ``grades``; its grounds are the grade's
  reasons, its records the records behind the grade's criteria that hold
  (``Grader.deciding``);
- ``major_hazard``: an inspection with 重大隐患数 >= 1 that is overdue at T
  (``state = "overdue"``), or overdue or rectified late within the window
  (``"overdue_or_late"``: dated at T while overdue, on its 整改完成日期 once late);
- ``bad_record``: a 不良信用记录 of seed 002 dated within the window.

A list of mode "all" needs every criterion, "any" one. The period is the list's, or for
a ground that counts a 较大/重大/特别重大 accident the longest of ``accident_period_months``.
A list that names persons lists, beside the unit, the person of each violation whose
subject is a person, and for each record behind a criterion marked ``lists_main_person``
the unit's 主要负责人 at the record's date (``PersonAt``: the workflow finds the name in
the unit's audited history). Nothing here branches on a profile's name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from safecredit_desktop.core.model import ViolationSubject
from safecredit_desktop.core.rules import explain
from safecredit_desktop.core.rules.bad_records import (
    BadRecord,
    major_hazards,
    rectification_text,
)
from safecredit_desktop.core.rules.engine import Grader, criterion_records
from safecredit_desktop.core.rules.facts import (
    AccidentFact,
    InspectionFact,
    PenaltyFact,
    UnitFacts,
    ViolationFact,
)
from safecredit_desktop.core.rules.profile import (
    Criterion,
    Expect,
    FactKind,
    HazardState,
    ListDef,
    Mode,
    Profile,
)
from safecredit_desktop.core.rules.result import GradeResult, Reason

_TABLE: dict[type[Any], str] = {
    AccidentFact: "accidents",
    ViolationFact: "violations",
    PenaltyFact: "penalties",
}
_UNIT = ViolationSubject.UNIT.value
_MAIN = ViolationSubject.MAIN_PERSON.value


@dataclass(frozen=True)
class PersonAt:
    """A person the list names beside the unit: ``name`` as recorded, or blank for the
    unit's holder of ``role`` at ``day`` (its audited history)."""

    role: str  # 主要负责人 / 分管安全负责人
    name: str
    day: date


@dataclass(frozen=True)
class Proposal:
    """The rules put the unit on ``list_def`` at T: the grounds (reasons with their
    records), the records behind them (table, id) to link to the entry, the period and
    the persons to list beside the unit."""

    list_def: ListDef
    grounds: tuple[Reason, ...]
    refs: tuple[tuple[str, int], ...]
    period_months: int
    persons: tuple[PersonAt, ...]

    @property
    def facts(self) -> str:
        records = [rec for g in self.grounds for rec in g.records]
        return "；".join(records) if records else "；".join(g.text for g in self.grounds)

    @property
    def basis(self) -> str:
        return f"符合列入{self.list_def.name}的情形：" + "；".join(
            g.text.rstrip("。") for g in self.grounds
        )


class _Ground:
    """One list criterion that holds: its reason and the (criterion, records) behind it."""

    def __init__(self, reason: Reason, behind: Sequence[tuple[Criterion, tuple[Any, ...]]]) -> None:
        self.reason = reason
        self.behind = behind


def evaluate(
    profile: Profile,
    grader: Grader,
    facts: UnitFacts,
    result: GradeResult,
    bad: Sequence[BadRecord],
) -> list[Proposal]:
    """The lists the rules propose the unit for at the grader's T (in profile order)."""
    as_of = grader.as_of
    deciding: list[tuple[Criterion, tuple[Any, ...]]] | None = None

    def behind_grade() -> list[tuple[Criterion, tuple[Any, ...]]]:
        nonlocal deciding
        if deciding is None:
            deciding = grader.deciding(facts)[1]
        return deciding

    proposals = []
    for list_def in profile.lists:
        grounds: list[_Ground] = []
        holds_all = True
        for c in list_def.criteria:
            ground = _ground(c, facts, result, bad, as_of, behind_grade)
            if ground is None:
                holds_all = False
                if list_def.mode is Mode.ALL:
                    break
            else:
                grounds.append(ground)
        if (list_def.mode is Mode.ALL and not holds_all) or not grounds:
            continue
        proposals.append(_proposal(list_def, grounds))
    return proposals


def _ground(
    c: Criterion,
    facts: UnitFacts,
    result: GradeResult,
    bad: Sequence[BadRecord],
    as_of: date,
    behind_grade: Callable[[], list[tuple[Criterion, tuple[Any, ...]]]],
) -> _Ground | None:
    """The reason (and what is behind it) when criterion ``c`` holds; None when not."""
    some = c.expect is Expect.SOME
    if c.fact is FactKind.GRADE:
        if (result.grade in (c.grades or ())) != some:
            return None
        if not some:
            return _Ground(Reason(c.code, c.text), ())
        records = tuple(rec for r in result.reasons for rec in r.records)
        why = "；".join(r.text.rstrip("。") for r in result.reasons)
        text = f"{c.text}（{why}）" if why else c.text
        return _Ground(Reason(c.code, text, records), behind_grade())
    if c.fact is FactKind.MAJOR_HAZARD:
        found = _hazards(c, facts, as_of)
        if bool(found) != some:
            return None
        texts = tuple(rectification_text(i, as_of) for i in found)
        return _Ground(Reason(c.code, c.text, texts), ())
    if c.fact is FactKind.BAD_RECORD:
        assert c.window is not None
        found_bad = [b for b in bad if c.window.contains(b.day, as_of)]
        if bool(found_bad) != some:
            return None
        return _Ground(Reason(c.code, c.text, tuple(b.record for b in found_bad)), ())
    records = criterion_records(c, _records_of(c.fact, facts), as_of)
    if bool(records) != some:
        return None
    if not some:
        return _Ground(Reason(c.code, c.text), ())
    return _Ground(Reason(c.code, c.text, _describe(records)), ((c, records),))


def _records_of(fact: FactKind, facts: UnitFacts) -> tuple[Any, ...]:
    return {
        FactKind.ACCIDENT: facts.accidents,
        FactKind.VIOLATION: facts.violations,
        FactKind.PENALTY: facts.penalties,
        FactKind.HONOUR: facts.honours,
    }[fact]


def _describe(records: tuple[Any, ...]) -> tuple[str, ...]:
    out = []
    for r in records:
        if isinstance(r, AccidentFact):
            out.append(explain.accident(r))
        elif isinstance(r, ViolationFact):
            out.append(explain.violation(r))
        elif isinstance(r, PenaltyFact):
            out.append(explain.penalty(r))
        else:
            out.append(explain.honour(r))
    return tuple(out)


def _hazards(c: Criterion, facts: UnitFacts, as_of: date) -> tuple[InspectionFact, ...]:
    found = []
    for i in major_hazards(facts):
        if i.day > as_of:
            continue
        if c.hazard_state is HazardState.OVERDUE:
            if i.overdue(as_of):
                found.append(i)
            continue
        counted_on = i.overdue_or_late_on(as_of)
        if counted_on is not None and c.window is not None and c.window.contains(counted_on, as_of):
            found.append(i)
    return tuple(found)


def _proposal(list_def: ListDef, grounds: list[_Ground]) -> Proposal:
    refs: dict[tuple[str, int], None] = {}
    accident_grades: set[str] = set()
    persons: dict[tuple[str, str, date], None] = {}
    for ground in grounds:
        for c, records in ground.behind:
            for r in records:
                table = _TABLE.get(type(r))
                if table is not None and r.id is not None:
                    refs[(table, int(r.id))] = None
                if isinstance(r, AccidentFact):
                    accident_grades.add(r.grade)
                if not list_def.names_persons:
                    continue
                if isinstance(r, ViolationFact) and r.subject != _UNIT:
                    persons[(r.subject, r.person_name, r.day)] = None
                if c.lists_main_person and (
                    c.main_person_kinds is None
                    or (isinstance(r, ViolationFact) and r.kind in c.main_person_kinds)
                ):
                    persons[(_MAIN, "", r.day)] = None
    return Proposal(
        list_def=list_def,
        grounds=tuple(g.reason for g in grounds),
        refs=tuple(refs),
        period_months=list_def.period_for(accident_grades),
        persons=tuple(PersonAt(role, name, day) for role, name, day in persons),
    )
