"""A unit's grading facts: small immutable tuples with ``date`` objects, one bundle per unit.

The engine (``engine.py``) grades from these bundles only; it never touches SQL, and
nothing in ``rules/`` reads the database (the import contracts in pyproject.toml). They
come from two places:

- ``core/grade_facts.py``: the database, in **one query per table** (``load_facts``,
  ``iter_facts``; ``load_register`` for a whole register: no bundle per unit but a
  :class:`Register` — the unit rows as read, each unit's records within a
  :class:`Scope` (what grading at one date can see), each unit's commitments;
  ``engine.Grader.grade_register`` grades from that directly);
- :func:`build_facts`: in-memory records (the dataclasses of ``core.model``), for tests
  and for "what if" questions.

What a fact carries beyond its table row:

- an accident's ``grade`` is the grade used for grading: the stated grade, or the grade
  its figures reach when that is higher or the stated grade is blank (grading.md: a
  stated grade above the figures is kept; one below them is refused at entry, so here
  the figures win — the engine stays right even for a row written past the checks);
- a repaired violation or penalty carries its repair's approval date in ``repaired_on``:
  from that date on it no longer counts (grading.md, "repaired"); accidents are never
  repaired (Revision 2), and a repair voided by the revision (按修订失效) is not read;
- a published entry of a list (``ListingFact``, unit entries only) carries the records
  that listed the unit (``list_entry_records``): once the entry is removed or its period
  ends, a grade released by that list no longer counts them (Revision 2);
- commitments are the unit commitments (单位承诺) only: a main-person 履职尽责承诺书 is
  recorded but never counts in grading, so it is not loaded.

Records of a unit are sorted by date, then by their natural key, then by id, so that
the same data always gives the same bundle whatever the storage order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, NamedTuple

from safecredit_desktop.core import model
from safecredit_desktop.core.model import (
    ACCIDENT_GRADE_ORDER,
    CommitmentType,
    RepairTarget,
    StandardizationLevel,
    ViolationSubject,
)
from safecredit_desktop.core.validate import accident_grade_from_figures

__all__ = [
    "AccidentFact",
    "CommitmentFact",
    "HonourFact",
    "InspectionFact",
    "JointPunishmentFact",
    "ListingFact",
    "PenaltyFact",
    "Register",
    "Scope",
    "Standardization",
    "UnitFacts",
    "UnitRecords",
    "ViolationFact",
    "add_records",
    "build_facts",
    "effective_accident_grade",
    "standardization",
]

_GRADE_RANK: dict[str, int] = {g.value: i for i, g in enumerate(ACCIDENT_GRADE_ORDER)}


class AccidentFact(NamedTuple):
    day: date
    grade: str  # the grade used for grading (see effective_accident_grade)
    responsible: str  # 是 / 否 / 待定
    deaths: int = 0
    serious_injuries: int = 0
    loss_wan: float = 0.0
    accident_no: str = ""
    needs_review: bool = False  # 待核实: the stated grade is above the figures' grade
    repaired_on: date | None = None
    id: int | None = None


class ViolationFact(NamedTuple):
    day: date
    kind: str  # code of model.VIOLATION_KINDS
    subject: str = ViolationSubject.UNIT.value
    person_name: str = ""
    basis_doc: str = ""
    repaired_on: date | None = None
    id: int | None = None


class PenaltyFact(NamedTuple):
    day: date  # 决定日期
    doc_no: str
    department: str
    repaired_on: date | None = None
    id: int | None = None
    aggravated_fine: bool = False  # 加重罚款: 安全生产法第一百一十四条 two to five times


class CommitmentFact(NamedTuple):
    signed_on: date
    type: str = CommitmentType.UNIT.value
    withdrawn_on: date | None = None


class HonourFact(NamedTuple):
    day: date
    level: str
    type: str
    title: str = ""


class JointPunishmentFact(NamedTuple):
    starts_on: date
    department: str
    ends_on: date | None = None


class InspectionFact(NamedTuple):
    """An inspection, for hazards (list criteria and 不良信用记录; grades never read it)."""

    day: date
    hazards: int = 0
    major_hazards: int = 0
    deadline: date | None = None  # 整改期限
    rectified_on: date | None = None  # 整改完成日期
    id: int | None = None

    def overdue(self, as_of: date) -> bool:
        """整改期限 before T and 整改完成日期 blank or after T (a blank deadline never)."""
        return (
            self.deadline is not None
            and self.deadline < as_of
            and (self.rectified_on is None or self.rectified_on > as_of)
        )

    def late(self, as_of: date) -> bool:
        """Rectified after its deadline, known at T."""
        return (
            self.deadline is not None
            and self.rectified_on is not None
            and self.deadline < self.rectified_on <= as_of
        )

    def overdue_or_late_on(self, as_of: date) -> date | None:
        """The date an overdue or late rectification counts as of T (Revision 2 item 6):
        T while overdue, the 整改完成日期 once rectified late; None otherwise."""
        if self.overdue(as_of):
            return as_of
        if self.late(as_of):
            return self.rectified_on
        return None


class ListingFact(NamedTuple):
    """A unit's entry of a list, published on or before some date (unit entries only)."""

    list_kind: str  # 红名单 / 黑名单 / 严重失信主体名单
    published_on: date
    ends_on: date | None  # the end of the period (公布 + period)
    removed_on: date | None = None  # 移出 (early, by hand, or at the end of the period)
    listed_on: date | None = None  # 列入: the review approved it
    # the records that listed the unit: ("accidents" | "violations" | "penalties", id)
    records: frozenset[tuple[str, int]] = frozenset()
    id: int | None = None

    @property
    def end(self) -> date | None:
        """The first day the entry is no longer in force (None: not known)."""
        days = [d for d in (self.ends_on, self.removed_on) if d is not None]
        return min(days) if days else None

    def in_force(self, day: date) -> bool:
        end = self.end
        return self.published_on <= day and (end is None or day < end)


class UnitFacts(NamedTuple):
    """Everything grading may look at for one unit (unit fields as they are now)."""

    unit_id: int
    uscc: str
    name: str
    category: str
    town: str = ""
    std_level: str = StandardizationLevel.NONE.value
    std_awarded_on: date | None = None
    std_valid_until: date | None = None
    high_risk: bool = False
    status: str = model.UnitStatus.NORMAL.value
    accidents: tuple[AccidentFact, ...] = ()
    violations: tuple[ViolationFact, ...] = ()
    penalties: tuple[PenaltyFact, ...] = ()
    commitments: tuple[CommitmentFact, ...] = ()
    honours: tuple[HonourFact, ...] = ()
    joint_punishments: tuple[JointPunishmentFact, ...] = ()
    founded_on: date | None = None  # 成立日期: no grade at a T before it
    listings: tuple[ListingFact, ...] = ()
    inspections: tuple[InspectionFact, ...] = ()  # only when asked for (load_facts)


def effective_accident_grade(
    stated: str | None, deaths: int, serious_injuries: int, loss_wan: float
) -> str:
    """The stated grade, unless blank or below what the figures reach (then the figures')."""
    derived = accident_grade_from_figures(deaths, serious_injuries, loss_wan).value
    if not stated or _GRADE_RANK.get(stated, -1) < _GRADE_RANK[derived]:
        return derived
    return stated


# ---------------------------------------------------------------- sort keys


def _accident_key(a: AccidentFact) -> tuple[date, str, int]:
    return (a.day, a.accident_no, a.id or 0)


def _violation_key(v: ViolationFact) -> tuple[date, str, str, int]:
    return (v.day, v.kind, v.subject, v.id or 0)


def _penalty_key(p: PenaltyFact) -> tuple[date, str, int]:
    return (p.day, p.doc_no, p.id or 0)


def _commitment_key(c: CommitmentFact) -> tuple[date, str]:
    return (c.signed_on, c.type)


def _honour_key(h: HonourFact) -> tuple[date, str]:
    return (h.day, h.type)


def _joint_key(j: JointPunishmentFact) -> date:
    return j.starts_on


def _inspection_key(i: InspectionFact) -> tuple[date, int]:
    return (i.day, i.id or 0)


# ---------------------------------------------------------------- a register at once


class Scope(NamedTuple):
    """Which records bulk grading at ``until`` can look at (``load_register``): of each
    record kind, those dated from its ``since`` date (None: none of that kind) to
    ``until``; joint punishments started by ``until`` when ``joint_punishments``.
    Commitments and the unit fields are always loaded. The engine applies its own exact
    filters again: the scope only leaves out what it could never see."""

    until: date
    accidents: date | None
    violations: date | None
    penalties: date | None
    honours: date | None
    joint_punishments: bool
    listings: bool = False  # published list entries (a profile with a listing criterion)


class Standardization(NamedTuple):
    level: str
    awarded_on: date | None
    valid_until: date | None


def standardization(level: str, awarded: str | None, valid: str | None) -> Standardization:
    """A unit's standardization from its row (dates as stored, ISO text or empty)."""
    iso = date.fromisoformat
    return Standardization(level, iso(awarded) if awarded else None, iso(valid) if valid else None)


class UnitRecords(NamedTuple):
    """A unit's records within a Scope, each kind sorted as in UnitFacts."""

    accidents: tuple[AccidentFact, ...]
    violations: tuple[ViolationFact, ...]
    penalties: tuple[PenaltyFact, ...]
    honours: tuple[HonourFact, ...]
    joint_punishments: tuple[JointPunishmentFact, ...]


class Register(NamedTuple):
    """What bulk grading reads (``load_register``)."""

    # the rows of units as read, in storage order (not sorted: going through them in the
    # order they lie in memory is much quicker): (id, uscc, name, category, town,
    # std_level, std_awarded_on, std_valid_until, high_risk, status, founded_on), dates
    # as ISO text (``standardization`` makes the level with its dates)
    units: list[tuple[Any, ...]]
    records: dict[int, UnitRecords]  # only units with at least one record in scope
    # each unit's unit commitments (equal ones are one object: they carry no id)
    commitments: dict[int, tuple[CommitmentFact, ...]]
    # each unit's published list entries (only when the scope asks for them)
    listings: dict[int, tuple[ListingFact, ...]] = {}  # noqa: RUF012 (never changed)


def _sorted(items: list[Any], key: Any) -> tuple[Any, ...]:
    if len(items) > 1:
        items.sort(key=key)
    return tuple(items)


# ---------------------------------------------------------------- from records in memory


def build_facts(
    unit: model.Unit, records: Iterable[Any] = (), *, unit_id: int | None = None
) -> UnitFacts:
    """A unit's facts from ``core.model`` records (Accident, Violation, Penalty, Commitment,
    Honour, JointPunishment, Repair, Inspection — grades never read inspections; lists
    and 不良信用记录 do).

    A Repair names its record by id (``penalty_id`` …), so repaired records need ids (a
    repair of an accident is ignored: accidents are never repaired). An accident with a
    blank ``grade`` gets the grade of its figures.
    """
    uid = unit_id if unit_id is not None else (unit.id if unit.id is not None else 0)
    bare = UnitFacts(
        unit_id=uid,
        uscc=unit.uscc,
        name=unit.name,
        category=unit.category,
        town=unit.town,
        std_level=str(unit.std_level),
        std_awarded_on=unit.std_awarded_on,
        std_valid_until=unit.std_valid_until,
        high_risk=unit.high_risk,
        status=str(unit.status),
        founded_on=unit.founded_on,
    )
    return add_records(bare, records)


def add_records(facts: UnitFacts, records: Iterable[Any]) -> UnitFacts:
    """``facts`` with more ``core.model`` records, for "what if" questions: what if this
    violation were recorded, this penalty repaired (a Repair naming a record by its id, one
    of ``facts`` or of ``records``)? A repair of an accident is ignored: accidents are
    never repaired (grading.md Revision 2); Inspections are the unit's inspections."""
    items = list(records)
    repaired: dict[tuple[str, int], date] = {}
    for r in items:
        if isinstance(r, model.Repair) and r.accident_id is None:
            target = r.penalty_id or r.violation_id
            kind = RepairTarget.PENALTY if r.penalty_id is not None else RepairTarget.VIOLATION
            if target is not None:
                repaired[(kind.value, target)] = r.approved_on

    def fixed(kind: RepairTarget, rid: int | None, known: date | None = None) -> date | None:
        return known if rid is None else repaired.get((kind.value, rid), known)

    accidents = list(facts.accidents)
    violations = [
        v._replace(repaired_on=fixed(RepairTarget.VIOLATION, v.id, v.repaired_on))
        for v in facts.violations
    ]
    penalties = [
        p._replace(repaired_on=fixed(RepairTarget.PENALTY, p.id, p.repaired_on))
        for p in facts.penalties
    ]
    commitments = list(facts.commitments)
    honours = list(facts.honours)
    joints = list(facts.joint_punishments)
    inspections = list(facts.inspections)
    for r in items:
        if isinstance(r, model.Accident):
            accidents.append(
                AccidentFact(
                    r.occurred_on,
                    effective_accident_grade(
                        r.grade or None, r.deaths, r.serious_injuries, r.loss_wan
                    ),
                    str(r.responsible),
                    r.deaths,
                    r.serious_injuries,
                    float(r.loss_wan),
                    r.accident_no,
                    r.needs_review,
                    None,
                    r.id,
                )
            )
        elif isinstance(r, model.Violation):
            violations.append(
                ViolationFact(
                    r.occurred_on,
                    r.kind,
                    str(r.subject),
                    r.person_name,
                    r.basis_doc,
                    fixed(RepairTarget.VIOLATION, r.id),
                    r.id,
                )
            )
        elif isinstance(r, model.Penalty):
            penalties.append(
                PenaltyFact(
                    r.decided_on,
                    r.doc_no,
                    str(r.department),
                    fixed(RepairTarget.PENALTY, r.id),
                    r.id,
                    r.aggravated_fine,
                )
            )
        elif isinstance(r, model.Commitment):
            if r.type == CommitmentType.UNIT.value:  # as load_facts: unit commitments only
                commitments.append(CommitmentFact(r.signed_on, str(r.type), r.withdrawn_on))
        elif isinstance(r, model.Honour):
            level = model.HONOUR_LEVEL_ALIASES.get(r.level, r.level)
            honours.append(HonourFact(r.honoured_on, str(level), str(r.type), r.title))
        elif isinstance(r, model.JointPunishment):
            joints.append(JointPunishmentFact(r.starts_on, r.department, r.ends_on))
        elif isinstance(r, model.Inspection):
            inspections.append(
                InspectionFact(
                    r.inspected_on,
                    r.hazards,
                    r.major_hazards,
                    r.rectify_deadline,
                    r.rectified_on,
                    r.id,
                )
            )
        elif isinstance(r, model.Repair):
            continue
        else:
            raise TypeError(f"not a grading record: {type(r).__name__}")
    return facts._replace(
        accidents=_sorted(accidents, _accident_key),
        violations=_sorted(violations, _violation_key),
        penalties=_sorted(penalties, _penalty_key),
        commitments=_sorted(commitments, _commitment_key),
        honours=_sorted(honours, _honour_key),
        joint_punishments=_sorted(joints, _joint_key),
        inspections=_sorted(inspections, _inspection_key),
    )
