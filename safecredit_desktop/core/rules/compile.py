"""The first stage of grading: a profile compiled once per grader (issue 17's split of
``rules/`` by stage: compile → evaluate (``engine.py``) → outlook (``outlook.py``)).

Each criterion of the profile becomes a ``_Crit``: its fact kind as a small int, its
window as a start and end on the calendar (``first_counted_day``, ``leaves_window_on``),
a static filter of record facts; ``_Compiled.plan`` orders the grades' checks so that an
evaluation stops at the first grade that holds. The self-help steps a unit can take (a
unit commitment, a standardization level) are ``_Fix`` values made once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from dateutil.relativedelta import relativedelta

from safecredit_desktop.core.model import (
    CommitmentType,
    Responsibility,
    StandardizationLevel,
)
from safecredit_desktop.core.rules import explain
from safecredit_desktop.core.rules.facts import (
    AccidentFact,
    HonourFact,
    PenaltyFact,
    ViolationFact,
)
from safecredit_desktop.core.rules.profile import (
    GRADE_LETTERS,
    Criterion,
    Expect,
    FactKind,
    Mode,
    Profile,
    Window,
    WindowKind,
)

FLAG_PENDING = "待定"
FLAG_REVIEW = "待核实"

_DAY = timedelta(days=1)
_FOREVER = date.max
_RANK: dict[str, int] = {letter: i for i, letter in enumerate(GRADE_LETTERS)}  # 0 = best
_BEST = GRADE_LETTERS[0]
_NONE_LEVEL = StandardizationLevel.NONE.value
_UNIT_COMMITMENT = CommitmentType.UNIT.value
_YES = Responsibility.YES.value
_PENDING = Responsibility.PENDING.value

# fact kinds as small ints (record kinds first)
_ACC, _VIO, _PEN, _HON, _COM, _STD, _JP, _LS = range(8)
_KIND: dict[FactKind, int] = {
    FactKind.ACCIDENT: _ACC,
    FactKind.VIOLATION: _VIO,
    FactKind.PENALTY: _PEN,
    FactKind.HONOUR: _HON,
    FactKind.COMMITMENT: _COM,
    FactKind.STANDARDIZATION: _STD,
    FactKind.JOINT_PUNISHMENT: _JP,
    FactKind.LISTING: _LS,
}
_NOUN: dict[int, str] = {_ACC: "事故", _VIO: "失信行为", _PEN: "处罚", _HON: "表彰"}
# record kinds by the table a listing's links name
_TABLE_KIND: dict[str, int] = {"accidents": _ACC, "violations": _VIO, "penalties": _PEN}
_KIND_TABLE: dict[int, str] = {kind: table for table, kind in _TABLE_KIND.items()}


# ---------------------------------------------------------------- calendar


@lru_cache(maxsize=1 << 16)
def _months_before(day: date, months: int) -> date:
    result: date = day - relativedelta(months=months)
    return result


@lru_cache(maxsize=1 << 16)
def first_counted_day(as_of: date, window: Window) -> date:
    """The earliest record date that ``window`` counts at ``as_of`` (as Window.contains)."""
    if window.kind is WindowKind.LAST_YEAR_OR_SINCE:
        return date(as_of.year - 1, 1, 1)
    return _months_before(as_of, window.months) + _DAY


@lru_cache(maxsize=1 << 16)
def leaves_window_on(day: date, window: Window) -> date:
    """The first as-of date at which a record dated ``day`` is no longer in ``window``."""
    if window.kind is WindowKind.LAST_YEAR_OR_SINCE:
        return date(day.year + 2, 1, 1)
    months = window.months
    result: date = day + relativedelta(months=months)
    while _months_before(result, months) < day:
        result += _DAY
    while _months_before(result - _DAY, months) >= day:
        result -= _DAY
    return result


# ---------------------------------------------------------------- compiled profile


@dataclass(frozen=True, eq=False)
class _Crit:
    c: Criterion
    kind: int
    some: bool  # expect "some"
    accept: Callable[[Any], bool] | None  # static filter of record facts
    levels: frozenset[str]
    window: Window | None
    single: bool  # a windowed record criterion that one counting record decides
    # memos (criteria with equal windows share ``starts``): as-of date → the earliest
    # record date counted (first_counted_day); record date → the first as-of date at which
    # it no longer counts, repairs aside (leaves_window_on, or the end of its run of years)
    starts: dict[date, date]
    ends: dict[date, date]
    span: str  # what a record stops counting in: 1年内, 连续3年 … ("" without a window)

    def start(self, as_of: date) -> date:
        found = self.starts.get(as_of)
        if found is None:
            assert self.window is not None
            found = self.starts[as_of] = first_counted_day(as_of, self.window)
        return found

    def end(self, day: date) -> date:
        found = self.ends.get(day)
        if found is None:
            years = self.c.consecutive_years
            if years is not None:
                found = date(day.year + self.c.latest_year_offset_max + 1, 1, 1)
            else:
                assert self.window is not None
                found = leaves_window_on(day, self.window)
            self.ends[day] = found
        return found


def _span(c: Criterion) -> str:
    if c.consecutive_years is not None:
        return f"连续{c.consecutive_years}年"
    if c.window is not None:
        return explain.window(c.window)
    return ""


def _accident_filter(c: Criterion) -> Callable[[Any], bool]:
    allowed = c.responsibilities
    grades = None if c.accident_grades is None else frozenset(g.value for g in c.accident_grades)
    fatal = c.fatal

    def accept(a: AccidentFact) -> bool:
        return (
            a.responsible in allowed
            and (not fatal or a.deaths >= 1)
            and (grades is None or a.grade in grades)
        )

    return accept


def _violation_filter(c: Criterion) -> Callable[[Any], bool]:
    kinds = None if c.kinds is None else frozenset(c.kinds)
    subjects = None if c.subjects is None else frozenset(s.value for s in c.subjects)

    def accept(v: ViolationFact) -> bool:
        return (kinds is None or v.kind in kinds) and (subjects is None or v.subject in subjects)

    return accept


def _penalty_filter(c: Criterion) -> Callable[[Any], bool]:
    department = None if c.department is None else c.department.value
    aggravated = c.aggravated_fine

    def accept(p: PenaltyFact) -> bool:
        return (department is None or p.department == department) and (
            aggravated is None or p.aggravated_fine == aggravated
        )

    return accept


def _honour_filter(c: Criterion) -> Callable[[Any], bool]:
    types = None if c.honour_types is None else frozenset(t.value for t in c.honour_types)
    levels = None if c.honour_levels is None else frozenset(lv.value for lv in c.honour_levels)

    def accept(h: HonourFact) -> bool:
        return (types is None or h.type in types) and (levels is None or h.level in levels)

    return accept


_FILTERS: dict[int, Callable[[Criterion], Callable[[Any], bool]]] = {
    _ACC: _accident_filter,
    _VIO: _violation_filter,
    _PEN: _penalty_filter,
    _HON: _honour_filter,
}


_Checks = tuple[tuple[int, int, bool, frozenset[str]], ...]  # (index, kind, some, levels)
_Plan = tuple[tuple[str, bool, bool, _Checks], ...]  # (letter, every, decided, checks)


class _Fix(NamedTuple):
    """Steps the unit can take itself: sign a unit commitment, obtain a level."""

    commit: bool
    level: str | None

    def describe(self, held: tuple[str, date | None, date | None] | None = None) -> str:
        """``held``: the level on the unit's record (level, 评定日期, 有效期至) when it does
        not count then; a step to that very level renews it rather than obtains it."""
        parts = []
        if self.commit:
            parts.append(explain.COMMITMENT_FIX)
        if self.level is not None:
            if held is not None and held[0] == self.level:
                parts.append(explain.std_renewal(*held))
            else:
                parts.append(explain.std_fix(self.level))
        return "并".join(parts)


_NO_FIX = _Fix(False, None)
_FIXES: dict[tuple[bool, str | None], _Fix] = {
    (commit, level): _Fix(commit, level)
    for commit in (False, True)
    for level in (None, *explain.STD_LEVELS)
}


class _Compiled:
    """A profile's criteria turned into filters, once per Grader."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        crits: list[_Crit] = []
        index: dict[str, int] = {}
        starts: dict[Window | None, dict[date, date]] = {}
        for letter in GRADE_LETTERS:
            for c in profile.criteria_for(letter):
                kind = _KIND[c.fact]
                make = _FILTERS.get(kind)
                index[c.code] = len(crits)
                crits.append(
                    _Crit(
                        c=c,
                        kind=kind,
                        some=c.expect is Expect.SOME,
                        accept=None if make is None else make(c),
                        levels=frozenset(lv.value for lv in (c.levels or ())),
                        window=c.window,
                        single=c.window is not None
                        and (c.expect is Expect.NONE or c.count_at_least == 1),
                        starts=starts.setdefault(c.window, {}),
                        ends={},
                        span=_span(c),
                    )
                )
        self.crits: tuple[_Crit, ...] = tuple(crits)
        self.order: tuple[tuple[str, bool, tuple[int, ...]], ...] = tuple(
            (
                letter,
                profile.grades[letter].mode is Mode.ALL,
                tuple(index[c.code] for c in profile.criteria_for(letter)),
            )
            for letter in profile.evaluation_order
        )
        # per grade: the criteria of better "all" grades that fail when a record or a
        # joint punishment is there (expect "none"), in evaluation order (see obstacles)
        self.blockers: dict[str, tuple[tuple[int, int], ...]] = {
            letter: tuple(
                (i, crits[i].kind)
                for better, every, idxs in self.order
                if every and _RANK[better] < _RANK[letter]
                for i in idxs
                if not crits[i].some
            )
            for letter in GRADE_LETTERS
        }
        reasons_from = profile.fallback_reasons_from
        self.fallback_idx: tuple[int, ...] = (
            ()
            if reasons_from is None
            else tuple(index[c.code] for c in profile.criteria_for(reasons_from))
        )
        by_kind: dict[int, list[_Crit]] = {}
        for cr in crits:
            by_kind.setdefault(cr.kind, []).append(cr)
        self.by_kind = by_kind
        self.uses_commitment = _COM in by_kind
        self.uses_std = _STD in by_kind
        self.uses_joint = _JP in by_kind
        self.can_commit = any(cr.some for cr in by_kind.get(_COM, ()))
        self.windows: dict[int, tuple[Window, ...]] = {
            kind: tuple(
                sorted(
                    {cr.c.window for cr in by_kind.get(kind, ()) if cr.c.window is not None},
                    key=lambda w: (w.kind.value, w.months),
                )
            )
            for kind in (_ACC, _VIO, _PEN, _HON)
        }
        # per record kind: (criterion, its filter)
        self.accepts: dict[int, tuple[tuple[int, Callable[[Any], bool]], ...]] = {
            kind: tuple(
                (i, cr.accept) for i, cr in enumerate(crits) if cr.kind == kind and cr.accept
            )
            for kind in (_ACC, _VIO, _PEN, _HON)
        }
        self.accept_any: dict[int, tuple[Callable[[Any], bool], ...]] = {
            kind: tuple(cr.accept for cr in by_kind.get(kind, ()) if cr.accept is not None)
            for kind in (_ACC, _VIO, _PEN, _HON)
        }
        # which criteria can vary for a unit with no records, without / with a joint
        # punishment in force, without / with list entries (see _Evaluation)
        self.no_records: list[tuple[Any, ...]] = [()] * len(crits)  # shared, never changed
        self.shapes: dict[tuple[bool, bool], tuple[bool, ...]] = {
            (joint, listed): tuple(
                cr.kind in (_COM, _STD) or (joint and cr.kind == _JP) or (listed and cr.kind == _LS)
                for cr in crits
            )
            for joint in (False, True)
            for listed in (False, True)
        }
        self.shape_without_records = self.shapes[(False, False)]
        # lists: a listing criterion's list (by name), and the list whose removed entries
        # release a criterion's records (the grade's released_by_list)
        names = {d.key: d.name for d in profile.lists}
        self.list_of: tuple[str | None, ...] = tuple(
            names.get(cr.c.list_key or "") if cr.kind == _LS else None for cr in crits
        )
        grade_of = {i: letter for letter, _every, idxs in self.order for i in idxs}
        self.released_by: tuple[str | None, ...] = tuple(
            names.get(profile.grades[grade_of[i]].released_by_list or "")
            if i in grade_of and cr.kind < _HON
            else None
            for i, cr in enumerate(crits)
        )
        self.listing_names: frozenset[str] = frozenset(
            n for n in (*self.list_of, *self.released_by) if n is not None
        )
        self.releases = any(n is not None for n in self.released_by)
        # honour criteria over consecutive calendar years: (years, latest offset)
        self.consecutive: tuple[tuple[int, int], ...] = tuple(
            sorted(
                {
                    (cr.c.consecutive_years, cr.c.latest_year_offset_max)
                    for cr in by_kind.get(_HON, ())
                    if cr.c.consecutive_years is not None
                }
            )
        )

    def plan(self, varies: tuple[bool, ...]) -> tuple[_Plan, tuple[bool, ...], _Checks]:
        """Grades in order with those of their criteria that can vary (``varies``); the
        others are folded into ``decided``: for "all", one always fails; for "any", one
        always holds. Also the verdicts of the criteria that cannot vary (the others'
        entries are placeholders) and the checks of those that can."""
        crits = self.crits
        plan = []
        for letter, every, idxs in self.order:
            fixed = [i for i in idxs if not varies[i]]
            checks = tuple(
                (i, crits[i].kind, crits[i].some, crits[i].levels) for i in idxs if varies[i]
            )
            if every:
                decided = any(crits[i].some for i in fixed)
            else:
                decided = any(not crits[i].some for i in fixed)
            plan.append((letter, every, decided, checks))
        constant = tuple(not cr.some for cr in crits)
        varying = tuple(
            (i, crits[i].kind, crits[i].some, crits[i].levels) for i, v in enumerate(varies) if v
        )
        return tuple(plan), constant, varying

    def earliest(self, kind: int, as_of: date) -> date | None:
        """Records of ``kind`` dated before this never count at as_of or later."""
        days = [first_counted_day(as_of, w) for w in self.windows[kind]]
        if kind == _HON:
            days += [date(as_of.year - k - n + 1, 1, 1) for n, k in self.consecutive]
        return min(days) if days else None

    def relevant(self, kind: int, record: Any) -> bool:
        return any(accept(record) for accept in self.accept_any[kind])


_STD_ORDER: dict[str, int] = {lv: k for k, lv in enumerate((*explain.STD_LEVELS, _NONE_LEVEL))}
_LEVELS_UP: tuple[str, ...] = tuple(reversed(explain.STD_LEVELS))  # 三级, 二级, 一级


def _std_rank(level: str) -> int:
    return _STD_ORDER.get(level, len(_STD_ORDER))
