"""The grading engine: a grade is a pure function of (profile, a unit's facts, as-of date T).

Grading runs in three stages, one module each: ``compile.py`` turns the profile's
criteria into filters and plans once per grader; this module evaluates a unit's state
(which criteria hold at T, the grade, its reasons, the day it next changes); ``outlook.py``
says what keeps the top grade and the way back to a better one. Nothing in ``rules/``
reads the database (``core/grade_facts.py`` gathers the facts).

``grade_unit(profile, facts, as_of)`` grades one unit; ``grade_many`` grades many units
sharing one cache; ``grade_loaded(profile, as_of, load)`` grades every unit that ``load``
hands over for the grader's scope (``core/grade_facts.py`` reads them, one query per
table, only the records the profile can see at as_of: the engine never reads the
database) with ``Grader.grade_register`` (the same results as ``grade`` of each
unit's facts), sorted by 统一社会信用代码.

The engine reads the profile's criteria generically (``docs/profile-format.md``) and has
no branch on a profile's name. Its choices, where grading.md leaves room:

- **What T sees.** Records dated after T are dropped before anything else (accidents,
  violations, penalties and honours by their date, commitments by 签署日期, joint
  punishments by 开始日期, a standardization level by 评定日期), so neither the grade nor
  its explanation depends on them. A withdrawal, repair, end of punishment or end of
  validity dated after T has not happened at T; it does happen in the projection below.
- **Projection** (``next_change`` and ``improve``): the records seen at T, with their
  recorded ends (有效期至, 结束日期, 撤回日期, 信用修复批准日期), carried forward with
  nothing new recorded. A record dated d stops counting in a window of N months on the
  first day D with ``D - N months >= d`` (normally d + N months; 2024-02-29 + 12 months
  leaves on 2025-03-01, because 2024-02-29 is still within 12 months of 2025-02-28), and
  in "last_year_or_since" on 1 January of year(d) + 2. ``next_change`` is the first of
  these dates (and the other ends) on which the grade differs from the grade at T.
- **improve** (信用提升提示), for a unit below grade A, in this order: (1) for each record
  behind the reasons, and each record that keeps the unit out of a better grade, by
  date: ``<date> 起该事故不再计入1年内`` (the record named in brackets when there are
  several, ``经信用修复`` when a repair ends it first), followed, when the grade rises on
  that date, by ``，届时可评为<label>``, or, when a step the unit can take itself would
  then raise it, by ``，届时<step>后可评为<label>`` (the step giving the best grade, the
  cheapest of those); a record that only keeps the unit out of a better grade is listed
  only with such an ending; a joint punishment with an end date reads
  ``<end + 1> 起联合惩戒（<department>）期满``; (2) the steps the unit can take itself
  now — sign a unit commitment (签署安全生产承诺书（单位承诺）), obtain a standardization
  level (取得三级及以上安全生产标准化), or both — each with the grade it gives, cheapest
  first, each listed only when it gives a better grade than the ones before it. Which
  steps a unit can take is decided by fact kind (commitment, standardization), never by
  profile.
- **Lists in grading** (grading.md Revision 2): a ``listing`` criterion holds while an
  entry of its list is published and neither removed nor past its period; a grade with
  ``released_by_list`` stops counting, in its own criteria only, the records that listed
  the unit from the day such an entry is removed or its period ends (in the projection a
  recorded end is carried forward like a repair).
- **keep** (信用保持提示), for a unit in the top grade: the conditions that lapse on a
  known date, by date, each saying what must happen by then to stay in the grade (a
  new honour in a year, a standardization level renewed before it expires …), then the
  conditions that must keep holding. A lower grade to come is never announced as a
  promise here; ``next_change`` still gives it.
- **Units before their 成立日期** have no grade: ``grade_all`` leaves them out.
- **Flags**: ``待定`` when an accident of the unit with responsibility 待定 is dated
  within the longest window of the profile's accident criteria (it is not counted, but
  could be once decided); ``待核实`` when an accident within that window has its stated
  grade above its figures' grade.
- **Reasons**: a grade reached by "any" lists every criterion that holds with its
  records; one reached by "all" lists its criteria (met), with the standardization level
  and the honours behind them; the fallback grade lists ``fallback_text`` (code
  ``<letter>.fallback``) and then the failed criteria of ``fallback_reasons_from``
  (their ``failed_text``) with the records that made them fail.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import fields as dataclass_fields
from datetime import date
from functools import cache
from operator import attrgetter, or_
from typing import Any, NamedTuple

from safecredit_desktop.core import collector
from safecredit_desktop.core.rules import explain, outlook
from safecredit_desktop.core.rules.compile import (
    _ACC,
    _BEST,
    _COM,
    _DAY,
    _FILTERS,
    _FIXES,
    _FOREVER,
    _HON,
    _KIND,
    _LEVELS_UP,
    _LS,
    _NO_FIX,
    _NONE_LEVEL,
    _PEN,
    _PENDING,
    _STD,
    _TABLE_KIND,
    _UNIT_COMMITMENT,
    _VIO,
    FLAG_PENDING,
    FLAG_REVIEW,
    _Checks,
    _Compiled,
    _Fix,
    _months_before,
    _Plan,
    _std_rank,
    first_counted_day,
    leaves_window_on,
)
from safecredit_desktop.core.rules.facts import (
    AccidentFact,
    CommitmentFact,
    HonourFact,
    JointPunishmentFact,
    ListingFact,
    PenaltyFact,
    Register,
    Scope,
    UnitFacts,
    UnitRecords,
    ViolationFact,
)
from safecredit_desktop.core.rules.facts import standardization as facts_standardization
from safecredit_desktop.core.rules.profile import (
    GRADE_LETTERS,
    Criterion,
    Expect,
    Profile,
)
from safecredit_desktop.core.rules.result import GradeResult, NextChange, Reason

__all__ = [
    "FLAG_PENDING",
    "FLAG_REVIEW",
    "Grader",
    "criterion_records",
    "exists_at",
    "first_counted_day",
    "grade_loaded",
    "grade_many",
    "grade_unit",
    "leaves_window_on",
]

# ---------------------------------------------------------------- the state at T


class _State(NamedTuple):
    """What grading at T and the projection after it can see; identity left out.

    Two units with equal states get equal grades, reasons, next change and hints, so the
    state is the key of the Grader's cache.
    """

    acc: tuple[AccidentFact, ...]
    vio: tuple[ViolationFact, ...]
    pen: tuple[PenaltyFact, ...]
    hon: tuple[HonourFact, ...]
    # (True, until) with until the withdrawal date (date.max: never) of the longest-lived
    # commitment in force at T, or (False, withdrawn commitments); None: not used
    com: tuple[bool, Any] | None
    # (level at T, 有效期至 if it counts; raw (level, awarded, valid) if it does not);
    # None: not used
    std: tuple[str, date | None, tuple[str, date | None, date | None] | None] | None
    jp: tuple[JointPunishmentFact, ...]  # periods in force at T
    # entries of the lists the profile grades by, published on or before T (in force or
    # not: a removed one releases its records)
    ls: tuple[ListingFact, ...] = ()


_ACTIVE_FOREVER: tuple[bool, Any] = (True, _FOREVER)
_NO_RECORDS = UnitRecords((), (), (), (), ())


def _listing_key(entry: ListingFact) -> tuple[date, int]:
    return (entry.published_on, entry.id or 0)


_NO_COMMITMENT: tuple[bool, Any] = (False, ())


class _Core(NamedTuple):
    grade: str
    reasons: tuple[Reason, ...]
    next_change: NextChange | None
    improve: tuple[str, ...]
    keep: tuple[str, ...] = ()


# GradeResult is a plain frozen dataclass (no slots, no __post_init__, these fields):
# see Grader.grade.
_RESULT_FIELDS = (
    "unit_id",
    "uscc",
    "name",
    "category",
    "town",
    "grade",
    "label",
    "tier",
    "reasons",
    "next_change",
    "improve",
    "keep",
    "flags",
    "as_of",
)
_PLAIN_RESULT = (
    "__slots__" not in GradeResult.__dict__
    and not hasattr(GradeResult, "__post_init__")
    and tuple(f.name for f in dataclass_fields(GradeResult)) == _RESULT_FIELDS
)


class Grader:
    """Grades units under one profile at one as-of date; equal states share one result."""

    def __init__(self, profile: Profile, as_of: date) -> None:
        self.profile = profile
        self.as_of = as_of
        self.comp = _Compiled(profile)
        self._cache: dict[_State, dict[str, Any]] = {}
        self.evaluations = 0  # states evaluated (rather than taken from the cache)
        # per shape (which criteria can vary): its number, plan, constant verdicts, varying
        self._plans: dict[tuple[bool, ...], tuple[int, _Plan, tuple[bool, ...], _Checks]] = {}
        self._walks: dict[tuple[Any, ...], str] = {}
        # improve's tails and steps, shared by states with the same verdicts (_Evaluation)
        self._tails: dict[tuple[Any, ...], str] = {}
        self._steps: dict[tuple[Any, ...], tuple[str, ...]] = {}
        self._reasons: dict[tuple[int, bool, tuple[str, ...]], Reason] = {}
        self._fallback_reason = Reason(f"{profile.fallback}.fallback", profile.fallback_text or "")
        self._from = {k: self.comp.earliest(k, as_of) for k in (_ACC, _VIO, _PEN, _HON)}
        labels = {letter: profile.label(letter) for letter in GRADE_LETTERS}
        tiers = {}
        for letter in GRADE_LETTERS:
            tier = profile.grades[letter].tier
            tiers[letter] = None if tier is None else tier.name
        self._labels = labels
        self._tiers = tiers
        # The fields of a result, as a GradeResult's own __dict__: such a dict keeps its
        # keys once for the class, and so do its copies (each result's fields), which
        # makes them small and quick for the garbage collector to walk.
        self._template: dict[str, Any] = dict(
            unit_id=0,
            uscc="",
            name="",
            category="",
            town="",
            grade=_BEST,
            label=labels[_BEST],
            tier=tiers[_BEST],
            reasons=(),
            next_change=None,
            improve=(),
            keep=(),
            flags=(),
            as_of=as_of,
        )
        if _PLAIN_RESULT:
            self._template = vars(GradeResult(**self._template))
        self._flag_from = self._from[_ACC]

    # -- public

    def grade(self, facts: UnitFacts) -> GradeResult:
        state = self.state(facts)
        shared = self._cache.get(state) or self._evaluate(state)
        fields = shared.copy()
        fields["unit_id"] = facts.unit_id
        fields["uscc"] = facts.uscc
        fields["name"] = facts.name
        fields["category"] = facts.category
        fields["town"] = facts.town
        if facts.accidents:
            fields["flags"] = self.flags(facts)
        if _PLAIN_RESULT:
            # The frozen dataclass's __init__ sets each field through object.__setattr__;
            # giving the new object its field dict directly makes an equal object in a
            # fraction of the time (100,000 results per register).
            result: GradeResult = object.__new__(GradeResult)
            object.__setattr__(result, "__dict__", fields)
            return result
        return GradeResult(**fields)

    def deciding(self, facts: UnitFacts) -> tuple[str, list[tuple[Criterion, tuple[Any, ...]]]]:
        """The unit's grade at T and, for each of that grade's criteria that holds on
        records, the records that make it hold (with their ids) — what a list names."""
        evaluation = _Evaluation(self, self.state(facts))
        letter = evaluation.decide()[0]
        verdicts = evaluation.verdicts(self.as_of)
        crits = self.comp.crits
        found: list[tuple[Criterion, tuple[Any, ...]]] = []
        for grade, _every, idxs in self.comp.order:
            if grade != letter:
                continue
            for i in idxs:
                if verdicts[i] and crits[i].some and crits[i].kind <= _HON:
                    live = evaluation.live(i, self.as_of)
                    found.append((crits[i].c, evaluation.counted(i, live)))
        return letter, found

    def scope(self) -> Scope:
        """The records grading at as_of can look at (facts.load_register)."""
        since = self._from
        return Scope(
            self.as_of,
            since[_ACC],
            since[_VIO],
            since[_PEN],
            since[_HON],
            self.comp.uses_joint,
            bool(self.comp.listing_names),
        )

    def grade_register(self, register: Register) -> list[GradeResult]:
        """Every unit of ``register`` (facts.load_register with ``self.scope()``), in the
        register's order: the same results as ``grade`` of each unit's UnitFacts (within
        the scope), made without them.

        A unit with no record in scope is looked up by its commitment state and the text
        of its standardization, without making a _State. A state with an accident, violation
        or penalty is evaluated without the cache: those records carry their row ids, so
        no other unit of the register has that state (evaluating it again would only
        cost time)."""
        comp = self.comp
        evaluated = self._cache
        evaluate = self._evaluate
        evaluate_once = self._evaluate_once
        records_of = register.records.get
        commitments_of = register.commitments.get
        uses_com = comp.uses_commitment
        uses_std = comp.uses_std
        commitment = self._commitment
        standardization = self._standardization
        make_state = self._state
        flags_of = self._flags
        com_states: dict[tuple[CommitmentFact, ...], tuple[bool, Any]] = {}
        std_states: dict[tuple[str, str | None, str | None], Any] = {}  # by the row's text
        # A category or town is one string however many results keep it: less memory,
        # and quicker for the garbage collector to walk (it looks at each string).
        words: dict[str, str] = {}
        word = words.setdefault
        # a unit's only commitment → the commitment state
        single: dict[CommitmentFact, tuple[bool, Any]] = {}
        # (commitment state, level, awarded, valid) → shared fields
        bare: dict[tuple[Any, ...], dict[str, Any]] = {}
        no_commitments: tuple[CommitmentFact, ...] = ()
        listings_of = register.listings.get
        listing_state = self._listings
        as_of_text = self.as_of.isoformat()
        plain = _PLAIN_RESULT
        new = object.__new__
        set_dict = object.__setattr__
        results: list[GradeResult] = []
        append = results.append
        com = std = None
        for (
            uid,
            uscc,
            name,
            category,
            town,
            level,
            awarded,
            valid,
            _high,
            _status,
            founded,
        ) in register.units:
            if founded is not None and founded > as_of_text:
                continue  # not yet founded at T: no grade (Revision 2)
            if uses_com:
                commitments = commitments_of(uid, no_commitments)
                if len(commitments) == 1:
                    only = commitments[0]
                    com = single.get(only)
                    if com is None:
                        com = single[only] = commitment(commitments)
                else:
                    com = com_states.get(commitments)
                    if com is None:
                        com = com_states[commitments] = commitment(commitments)
            records = records_of(uid)
            listed = listings_of(uid)
            if listed is not None:
                listed = listing_state(listed) or None
            shared = None
            if records is None and listed is None:
                key = (com, level, awarded, valid)
                shared = bare.get(key)
            if shared is None:
                if uses_std:
                    raw = (level, awarded, valid)
                    std = std_states.get(raw)
                    if std is None:
                        std = std_states[raw] = standardization(*facts_standardization(*raw))
                if records is None and listed is None:
                    state = _State((), (), (), (), com, std, ())
                    shared = bare[key] = evaluated.get(state) or evaluate(state)
                else:
                    recs = _NO_RECORDS if records is None else records
                    state = make_state(
                        com,
                        std,
                        recs.accidents,
                        recs.violations,
                        recs.penalties,
                        recs.honours,
                        recs.joint_punishments,
                        listed or (),
                    )
                    if state.acc or state.vio or state.pen or state.ls:
                        shared = evaluate_once(state)
                    else:
                        shared = evaluated.get(state) or evaluate(state)
            fields = shared.copy()
            if records is not None and records.accidents:
                fields["flags"] = flags_of(records.accidents)
            fields["unit_id"] = uid
            fields["uscc"] = uscc
            fields["name"] = name
            fields["category"] = word(category, category)
            fields["town"] = word(town, town)
            if plain:  # as in grade
                result: GradeResult = new(GradeResult)
                set_dict(result, "__dict__", fields)
            else:
                result = GradeResult(**fields)
            append(result)
        return results

    def _evaluate(self, state: _State) -> dict[str, Any]:
        shared = self._cache[state] = self._evaluate_once(state)
        return shared

    def _evaluate_once(self, state: _State) -> dict[str, Any]:
        self.evaluations += 1
        return self._shared(_Evaluation(self, state).run())

    def _shared(self, core: _Core) -> dict[str, Any]:
        """The fields of GradeResult that equal states share, in field order."""
        letter = core.grade
        fields = self._template.copy()
        fields["grade"] = letter
        fields["label"] = self._labels[letter]
        fields["tier"] = self._tiers[letter]
        fields["reasons"] = core.reasons
        fields["next_change"] = core.next_change
        fields["improve"] = core.improve
        fields["keep"] = core.keep
        return fields

    def flags(self, facts: UnitFacts) -> tuple[str, ...]:
        return self._flags(facts.accidents)

    def _flags(self, accidents: tuple[AccidentFact, ...]) -> tuple[str, ...]:
        start = self._flag_from
        if start is None:
            return ()
        as_of = self.as_of
        pending = review = False
        for a in accidents:
            if start <= a.day <= as_of and (a.repaired_on is None or a.repaired_on > as_of):
                pending = pending or a.responsible == _PENDING
                review = review or a.needs_review
        flags = []
        if pending:
            flags.append(FLAG_PENDING)
        if review:
            flags.append(FLAG_REVIEW)
        return tuple(flags)

    def state(self, f: UnitFacts) -> _State:
        comp = self.comp
        com = self._commitment(f.commitments) if comp.uses_commitment else None
        std = (
            self._standardization(f.std_level, f.std_awarded_on, f.std_valid_until)
            if comp.uses_std
            else None
        )
        return self._state(
            com,
            std,
            f.accidents,
            f.violations,
            f.penalties,
            f.honours,
            f.joint_punishments,
            self._listings(f.listings) if f.listings else (),
        )

    def _listings(self, listings: tuple[ListingFact, ...]) -> tuple[ListingFact, ...]:
        """The entries grading at T can see: of the lists the profile grades by,
        published on or before T, with a removal after T not yet happened at T (it is
        carried forward in the projection like a repair)."""
        names = self.comp.listing_names
        if not names:
            return ()
        as_of = self.as_of
        return tuple(
            sorted(
                (e for e in listings if e.list_kind in names and e.published_on <= as_of),
                key=_listing_key,
            )
        )

    def _state(
        self,
        com: tuple[bool, Any] | None,
        std: Any,
        accidents: tuple[AccidentFact, ...],
        violations: tuple[ViolationFact, ...],
        penalties: tuple[PenaltyFact, ...],
        honours: tuple[HonourFact, ...],
        joint_punishments: tuple[JointPunishmentFact, ...],
        listings: tuple[ListingFact, ...] = (),
    ) -> _State:
        if not (accidents or violations or penalties or honours or joint_punishments or listings):
            return _State((), (), (), (), com, std, ())
        comp = self.comp
        as_of = self.as_of
        acc = self._records(_ACC, accidents) if accidents else ()
        vio = self._records(_VIO, violations) if violations else ()
        pen = self._records(_PEN, penalties) if penalties else ()
        hon: tuple[HonourFact, ...] = ()
        if honours:
            start = self._from[_HON]
            if start is not None:
                hon = tuple(
                    h for h in honours if start <= h.day <= as_of and comp.relevant(_HON, h)
                )
        jp: tuple[JointPunishmentFact, ...] = ()
        if joint_punishments and comp.uses_joint:
            jp = tuple(
                j
                for j in joint_punishments
                if j.starts_on <= as_of and (j.ends_on is None or j.ends_on >= as_of)
            )
        return _State(acc, vio, pen, hon, com, std, jp, listings)

    # -- state helpers

    def _records(self, kind: int, records: tuple[Any, ...]) -> tuple[Any, ...]:
        start = self._from[kind]
        if start is None:
            return ()
        as_of = self.as_of
        relevant = self.comp.relevant
        return tuple(
            r
            for r in records
            if start <= r.day <= as_of
            and (r.repaired_on is None or r.repaired_on > as_of)
            and relevant(kind, r)
        )

    def _commitment(self, commitments: tuple[CommitmentFact, ...]) -> tuple[bool, Any]:
        as_of = self.as_of
        for c in commitments:
            if c.withdrawn_on is None and c.type == _UNIT_COMMITMENT and c.signed_on <= as_of:
                return _ACTIVE_FOREVER
        until: date | None = None
        withdrawn: list[CommitmentFact] = []
        for c in commitments:
            if c.type != _UNIT_COMMITMENT or c.signed_on > as_of:
                continue
            end = _FOREVER if c.withdrawn_on is None else c.withdrawn_on
            if end > as_of:
                until = end if until is None else max(until, end)
            else:
                withdrawn.append(c)
        if until is not None:
            return _ACTIVE_FOREVER if until == _FOREVER else (True, until)
        return (False, tuple(withdrawn)) if withdrawn else _NO_COMMITMENT

    def _standardization(
        self, level: str, awarded: date | None, valid: date | None
    ) -> tuple[str, date | None, tuple[str, date | None, date | None] | None]:
        if level == _NONE_LEVEL:
            return (_NONE_LEVEL, None, None)
        as_of = self.as_of
        if (awarded is None or awarded <= as_of) and (valid is None or valid >= as_of):
            return (level, valid, None)
        return (_NONE_LEVEL, None, (level, awarded, valid))


# ---------------------------------------------------------------- one state's evaluation


class _Evaluation:
    """Grade, reasons, next change and hints of one state (then cached).

    Every criterion keeps its verdict between two consecutive end dates (``ends``), so
    verdicts are computed once per stretch (``verdicts``). A step the unit takes itself
    (``_Fix``) changes only the commitment and standardization verdicts.
    """

    def __init__(self, grader: Grader, state: _State) -> None:
        self.g = grader
        self.comp = comp = grader.comp
        self.st = state
        self.as_of = grader.as_of
        # Record criteria with no matching record, and joint-punishment and listing
        # criteria when there is none, have one verdict at every date: the plan leaves
        # them out.
        base = comp.shapes[(bool(state.jp), bool(state.ls))]
        # (criterion, its records) for the record criteria that have some
        counted: list[tuple[int, tuple[Any, ...]]] = []
        # (criterion, record id) of the records a removed list entry releases
        self.released: set[tuple[int, int]] = set()
        if state.acc or state.vio or state.pen or state.hon:
            static = list(comp.no_records)
            release = _releases(state.ls) if state.ls and comp.releases else {}
            for kind in (_ACC, _VIO, _PEN, _HON):  # fields 0-3 of the state
                recs = state[kind]
                if recs:
                    for i, accept in comp.accepts[kind]:
                        kept = tuple(filter(accept, recs))
                        if kept:
                            name = comp.released_by[i]
                            if name is not None and release:
                                kept = self._release(i, kind, kept, release.get(name, {}))
                            static[i] = kept
                            counted.append((i, kept))
            # a record criterion varies when it has records; the others as ``base``
            shape = tuple(map(or_, map(bool, static), base))
        else:
            static = comp.no_records
            shape = base
        self.static = static
        self._counted = counted
        plan = grader._plans.get(shape)
        if plan is None:
            plan = grader._plans[shape] = (len(grader._plans), *comp.plan(shape))
        self._plan_id, self.plan, self._constant, self._varying = plan
        self.end_days = self.ends()
        self._verdicts: dict[date, tuple[bool, ...]] = {}
        self._memo: dict[tuple[date, _Fix], str] = {}
        self._fixes: dict[date, tuple[_Fix, ...]] = {}

    def _release(
        self, i: int, kind: int, records: tuple[Any, ...], ends: dict[tuple[int, int], date]
    ) -> tuple[Any, ...]:
        """``records`` of criterion i, those a removed entry listed ending at its end (as
        a repair would, but in this criterion only)."""
        if not ends:
            return records
        out = []
        for r in records:
            end = ends.get((kind, r.id))
            if end is not None and (r.repaired_on is None or end < r.repaired_on):
                r = r._replace(repaired_on=end)
                self.released.add((i, r.id))
            out.append(r)
        return tuple(out)

    # -- states at a date

    def listed(self, i: int, day: date) -> tuple[ListingFact, ...]:
        """Entries of criterion i's list in force at ``day``."""
        name = self.comp.list_of[i]
        return tuple(e for e in self.st.ls if e.list_kind == name and e.in_force(day))

    def level_at(self, day: date) -> str:
        std = self.st.std
        if std is None:
            return _NONE_LEVEL
        level, valid, _raw = std
        if valid is None or valid >= day:
            return level
        return _NONE_LEVEL

    def committed(self, day: date) -> bool:
        com = self.st.com
        return com is not None and com[0] and com[1] > day

    def live(self, i: int, day: date) -> tuple[Any, ...]:
        """Records of criterion i counting at ``day`` (>= T); honours over years: the run."""
        recs = self.static[i]
        if not recs:
            return ()
        cr = self.comp.crits[i]
        c = cr.c
        if c.consecutive_years is not None:
            return _consecutive(recs, c.consecutive_years, c.latest_year_offset_max, day)
        start = cr.starts.get(day) or cr.start(day)
        if cr.kind == _HON:
            return tuple(h for h in recs if h.day >= start)
        return tuple(
            r for r in recs if r.day >= start and (r.repaired_on is None or r.repaired_on > day)
        )

    def counted(self, i: int, live: tuple[Any, ...]) -> tuple[Any, ...]:
        """The records that make an expect-"some" criterion hold (empty: it fails)."""
        return _counted(self.comp.crits[i].c, live)

    def holds(self, i: int, day: date) -> bool:
        cr = self.comp.crits[i]
        kind = cr.kind
        if kind <= _HON:
            recs = self.static[i]
            if not recs:
                return not cr.some
            if cr.single:  # one counting record decides
                start = cr.starts.get(day) or cr.start(day)
                found = False
                if kind == _HON:
                    for h in recs:
                        if h.day >= start:
                            found = True
                            break
                else:
                    for r in recs:
                        if r.day >= start and (r.repaired_on is None or r.repaired_on > day):
                            found = True
                            break
                return found == cr.some
            live = self.live(i, day)
            if cr.some:
                return bool(self.counted(i, live))
            return not live
        if kind == _COM:
            return self.committed(day) == cr.some
        if kind == _STD:
            return (self.level_at(day) in cr.levels) == cr.some
        if kind == _LS:
            return bool(self.listed(i, day)) == cr.some
        active = any(j.ends_on is None or j.ends_on >= day for j in self.st.jp)
        return active == cr.some

    def stretch(self, day: date) -> date:
        """The first day of the stretch holding ``day`` (>= T): T or an end date."""
        ends = self.end_days
        return ends[bisect_right(ends, day) - 1] if ends and day >= ends[0] else self.as_of

    def verdicts(self, day: date) -> tuple[bool, ...]:
        """Every criterion's verdict at ``day`` (a stretch's first day), no step taken."""
        found = self._verdicts.get(day)
        if found is None:
            verdicts = list(self._constant)
            committed = self.committed(day)
            level = self.level_at(day)
            holds = self.holds
            static = self.static
            crits = self.comp.crits
            for i, kind, some, levels in self._varying:
                if kind == _COM:
                    verdicts[i] = committed == some
                elif kind == _STD:
                    verdicts[i] = (level in levels) == some
                elif kind < _HON and crits[i].single:  # as holds
                    cr = crits[i]
                    start = cr.starts.get(day) or cr.start(day)
                    counting = False
                    for r in static[i]:
                        if r.day >= start and (r.repaired_on is None or r.repaired_on > day):
                            counting = True
                            break
                    verdicts[i] = counting == some
                else:
                    verdicts[i] = holds(i, day)
            found = self._verdicts[day] = tuple(verdicts)
        return found

    def grade_at(self, day: date, fix: _Fix = _NO_FIX) -> str:
        """The grade at ``day`` >= T, with ``fix`` taken."""
        day = self.stretch(day)
        key = (day, fix)
        found = self._memo.get(key)
        if found is not None:
            return found
        verdicts = self.verdicts(day)
        if fix == _NO_FIX:
            walk: tuple[Any, ...] = (self._plan_id, verdicts)
        else:
            committed = fix.commit or self.committed(day)
            level = fix.level if fix.level is not None else self.level_at(day)
            walk = (self._plan_id, verdicts, committed, level)
        # the same plan and verdicts give the same grade in every unit: shared
        walks = self.g._walks
        result = walks.get(walk)
        if result is None:
            result = walks[walk] = self._walk(verdicts, fix != _NO_FIX, walk[-2], walk[-1])
        self._memo[key] = result
        return result

    def _walk(self, verdicts: tuple[bool, ...], fixed: bool, committed: Any, level: Any) -> str:
        """The first grade of the plan that holds (with the step's commitment and level
        in place of the unit's when ``fixed``)."""
        for letter, every, decided, checks in self.plan:
            if decided:
                if every:
                    continue
                return letter
            for i, kind, some, levels in checks:
                if fixed and kind == _COM:
                    ok = committed == some
                elif fixed and kind == _STD:
                    ok = (level in levels) == some
                else:
                    ok = verdicts[i]
                if ok != every:  # a failure decides "all", a success decides "any"
                    break
            else:
                if every:
                    return letter
                continue
            if not every:
                return letter
        fallback: str = self.comp.profile.fallback
        return fallback

    # -- reasons at T

    def records_text(self, i: int, holding: bool) -> tuple[str, ...]:
        cr = self.comp.crits[i]
        kind = cr.kind
        as_of = self.as_of
        if kind <= _HON:
            live = self.live(i, as_of)
            if cr.some:
                return _describe(kind, self.counted(i, live) if holding else ())
            return () if holding else _describe(kind, live)
        if kind == _COM:
            com = self.st.com
            if com is None or com[0]:
                return ()
            return tuple(explain.withdrawn_commitment(c) for c in com[1])
        if kind == _STD:
            std = self.st.std
            if std is None:
                return ()
            level, valid, raw = std
            if raw is not None:
                return (explain.standardization(raw[0], raw[1], raw[2], as_of),)
            return (explain.standardization(level, None, valid, as_of),)
        if kind == _LS:
            return tuple(explain.listing(entry) for entry in self.listed(i, as_of))
        return tuple(explain.joint_punishment(j) for j in self.st.jp)

    def reasons(self, idxs: Iterable[int], holding: bool) -> list[Reason]:
        made = self.g._reasons  # equal reasons are one object (they are immutable)
        result = []
        for i in idxs:
            records = self.records_text(i, holding)
            key = (i, holding, records)
            reason = made.get(key)
            if reason is None:
                c = self.comp.crits[i].c
                text = c.text if holding else (c.failed_text or c.text)
                reason = made[key] = Reason(c.code, text, records)
            result.append(reason)
        return result

    def decide(self) -> tuple[str, list[Reason], list[int]]:
        """Grade at T, its reasons and the criteria behind them when they are obstacles
        (those of a grade reached by "any"; the failed ones of the fallback)."""
        verdicts = self.verdicts(self.as_of)
        for letter, every, idxs in self.comp.order:
            if every:
                if all(verdicts[i] for i in idxs):
                    return letter, self.reasons(idxs, True), []
            else:
                held = [i for i in idxs if verdicts[i]]
                if held:
                    return letter, self.reasons(held, True), held
        profile = self.comp.profile
        fallback = profile.fallback
        reasons: list[Reason] = []
        if profile.fallback_text:
            reasons.append(self.g._fallback_reason)
        failed = [i for i in self.comp.fallback_idx if not verdicts[i]]
        reasons += self.reasons(failed, False)
        return fallback, reasons, failed

    # -- projection

    def ends(self) -> list[date]:
        """Every later date on which something seen at T stops or lapses, in order."""
        as_of = self.as_of
        days: set[date] = set()
        crits = self.comp.crits
        after = as_of + _DAY
        for i, recs in self._counted:
            cr = crits[i]
            memo = cr.ends
            for r in recs:  # as leaves(i, r)
                end = memo.get(r.day) or cr.end(r.day)
                repaired = getattr(r, "repaired_on", None)
                if repaired is not None and repaired < end:
                    end = max(repaired, after)
                days.add(end)
        st = self.st
        if st.std is not None and st.std[1] is not None:
            days.add(st.std[1] + _DAY)
        if st.com is not None and st.com[0] and st.com[1] != _FOREVER:
            days.add(st.com[1])
        for j in st.jp:
            if j.ends_on is not None:
                days.add(j.ends_on + _DAY)
        for entry in st.ls:
            if entry.end is not None:
                days.add(entry.end)
        return sorted(d for d in days if d > as_of)

    def leaves(self, i: int, record: Any) -> date:
        """The first date after T on which ``record`` no longer counts in criterion i."""
        cr = self.comp.crits[i]
        end = cr.ends.get(record.day) or cr.end(record.day)
        repaired: date | None = getattr(record, "repaired_on", None)
        if repaired is not None and repaired < end:
            return max(repaired, self.as_of + _DAY)
        return end

    def fixes(self, day: date) -> tuple[_Fix, ...]:
        """Steps the unit could take by ``day``, cheapest first: sign, then a level from
        the lowest up, then both together. A level the unit's record holds but that does
        not count by ``day`` (expired, or awarded later) is offered as a renewal, and no
        lower level (never ask a unit to obtain what it already holds)."""
        day = self.stretch(day)
        found = self._fixes.get(day)
        if found is not None:
            return found
        sign = self.comp.can_commit and not self.committed(day)
        level = self.level_at(day) if self.comp.uses_std else None
        held = self.held_level(day)
        if level is not None and held is not None:
            found = _fixes_for(sign, held[0], held[0])
        else:
            found = _fixes_for(sign, level)
        self._fixes[day] = found
        return found

    def held_level(self, day: date) -> tuple[str, date | None, date | None] | None:
        """The level on the unit's record when it has expired by ``day`` (a level awarded
        after T is not there yet): (level, 评定日期, 有效期至)."""
        std = self.st.std
        if std is None:
            return None
        level, valid, raw = std
        if raw is not None:
            expired = raw[2] is not None and raw[2] < self.as_of
            awarded = raw[1] is None or raw[1] <= self.as_of
            return raw if expired and awarded and raw[0] != _NONE_LEVEL else None
        if level != _NONE_LEVEL and valid is not None and valid < day:
            return (level, None, valid)
        return None

    def run(self) -> _Core:
        letter, reasons, deciding = self.decide()
        next_change = None
        for day in self.end_days:
            then = self.grade_at(day)
            if then != letter:
                next_change = NextChange(day, then)
                break
        improve: tuple[str, ...] = ()
        keep: tuple[str, ...] = ()
        if letter != _BEST:
            improve = outlook.improve(self, letter, deciding)
        else:
            keep = outlook.keep(self, letter)
        return _Core(letter, tuple(reasons), next_change, improve, keep)


def _counted(c: Criterion, live: tuple[Any, ...]) -> tuple[Any, ...]:
    """Of the records ``live`` of criterion ``c`` (by date), those that make it hold when
    it expects some: all of them, or those of the pairs (runs of count_at_least) within
    pair_within_months of each other; empty when it fails."""
    n = c.count_at_least
    if c.consecutive_years is not None:
        return live
    if len(live) < n:
        return ()
    pair = c.pair_within_months
    if pair is None:
        return live
    used: set[int] = set()
    for k in range(len(live) - n + 1):
        if _months_before(live[k + n - 1].day, pair) < live[k].day:
            used.update(range(k, k + n))
    return tuple(r for k, r in enumerate(live) if k in used)


def criterion_records(c: Criterion, records: Iterable[Any], as_of: date) -> tuple[Any, ...]:
    """The records (accident, violation, penalty or honour facts, sorted by date) that a
    record criterion counts at ``as_of`` — with the engine's own filters, windows, repairs
    and counting: for expect "some" those that make it hold (empty: it fails), for
    expect "none" those that make it fail. Lists are evaluated with this (rules/listing)."""
    kind = _KIND[c.fact]
    accept = _FILTERS[kind](c)
    if c.consecutive_years is not None:
        kept = tuple(r for r in records if r.day <= as_of and accept(r))
        return _consecutive(kept, c.consecutive_years, c.latest_year_offset_max, as_of)
    assert c.window is not None
    start = first_counted_day(as_of, c.window)
    live = tuple(
        r
        for r in records
        if start <= r.day <= as_of
        and (getattr(r, "repaired_on", None) is None or r.repaired_on > as_of)
        and accept(r)
    )
    return _counted(c, live) if c.expect is Expect.SOME else live


def _releases(entries: tuple[ListingFact, ...]) -> dict[str, dict[tuple[int, int], date]]:
    """Per list: (record kind, id) → the first day a removed entry no longer lists it."""
    found: dict[str, dict[tuple[int, int], date]] = {}
    for entry in entries:
        end = entry.end
        if end is None:
            continue
        ends = found.setdefault(entry.list_kind, {})
        for table, record_id in entry.records:
            key = (_TABLE_KIND[table], record_id)
            known = ends.get(key)
            ends[key] = end if known is None else min(known, end)
    return found


def _consecutive(
    honours: tuple[HonourFact, ...], years: int, offset: int, day: date
) -> tuple[HonourFact, ...]:
    """The honours of the latest run of ``years`` consecutive years ending no earlier than
    year(day) - offset (empty: no such run)."""
    held = {h.day.year for h in honours}
    for last in sorted(held, reverse=True):
        if last < day.year - offset:
            break
        run = range(last - years + 1, last + 1)
        if all(y in held for y in run):
            return tuple(h for h in honours if h.day.year in run)
    return ()


@cache
def _fixes_for(sign: bool, level: str | None, renew: str | None = None) -> tuple[_Fix, ...]:
    """Steps for a unit that can sign (``sign``) and has ``level`` (None: levels do not
    matter), cheapest first: sign, then a level from the lowest up (``renew`` first: the
    level its record holds, to be renewed), then both."""
    levels = [] if level is None else [lv for lv in _LEVELS_UP if _std_rank(lv) < _std_rank(level)]
    if renew is not None:
        levels = [renew, *levels]
    result = [_FIXES[(True, None)]] if sign else []
    result += [_FIXES[(False, lv)] for lv in levels]
    if sign:
        result += [_FIXES[(True, lv)] for lv in levels]
    return tuple(result)


def _describe(kind: int, records: Iterable[Any]) -> tuple[str, ...]:
    if kind == _ACC:
        return tuple(explain.accident(r) for r in records)
    if kind == _VIO:
        return tuple(explain.violation(r) for r in records)
    if kind == _PEN:
        return tuple(explain.penalty(r) for r in records)
    return tuple(explain.honour(r) for r in records)


# ---------------------------------------------------------------- entry points


def exists_at(founded_on: date | None, as_of: date) -> bool:
    """Whether a unit has a grade at ``as_of``: not before its 成立日期 (Revision 2);
    a blank 成立日期 is no limit."""
    return founded_on is None or founded_on <= as_of


def grade_unit(profile: Profile, facts: UnitFacts, as_of: date) -> GradeResult:
    """One unit's grade at ``as_of`` with its reasons, next change and hints (pure)."""
    return Grader(profile, as_of).grade(facts)


def grade_many(profile: Profile, units: Iterable[UnitFacts], as_of: date) -> list[GradeResult]:
    """Grades in the order given; units with equal facts share one evaluation."""
    grade = Grader(profile, as_of).grade
    with collector.paused():
        return [grade(f) for f in units]


def grade_loaded(
    profile: Profile, as_of: date, load: Callable[[Scope], Register]
) -> list[GradeResult]:
    """Every unit ``load`` hands over for the grader's scope (``grade_facts.load_register``
    reads it from the database), sorted by 统一社会信用代码."""
    with collector.paused():
        grader = Grader(profile, as_of)
        results = grader.grade_register(load(grader.scope()))
        results.sort(key=_by_uscc)  # graded in storage order (see facts.Register)
        # The grader's caches go while the collector is paused: on its return it would
        # walk them once more (it walks each object made during the pause that is alive).
        del grader
    return results


_by_uscc = attrgetter("uscc")
