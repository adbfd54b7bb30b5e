"""A unit's grading facts: small immutable tuples with ``date`` objects, one bundle per unit.

The engine (``engine.py``) grades from these bundles only; it never touches SQL. They
come from two places:

- :func:`load_facts`: the database, in **one query per table** (units, accidents,
  violations, penalties, commitments, honours, joint_punishments, repairs), grouped by
  unit in Python. ``unit_ids`` limits the load to one or a few units (the unit page).
- :func:`build_facts`: in-memory records (the dataclasses of ``core.model``), for tests
  and for "what if" questions.

For grading a whole register, :func:`load_register` runs the same queries (but those of
record tables the profile cannot use) and makes no bundle per unit: the unit rows as
read, each unit's records within a :class:`Scope` (what grading at one date can see),
each unit's commitments; ``engine.Grader.grade_register`` grades from that directly.

What a fact carries beyond its table row:

- an accident's ``grade`` is the grade used for grading: the stated grade, or the grade
  its figures reach when that is higher or the stated grade is blank (grading.md: a
  stated grade above the figures is kept; one below them is refused at entry, so here
  the figures win — the engine stays right even for a row written past the checks);
- a repaired accident, violation or penalty carries its repair's approval date in
  ``repaired_on``: from that date on it no longer counts (grading.md, "repaired");
- commitments are the unit commitments (单位承诺) only: a main-person 履职尽责承诺书 is
  recorded but never counts in grading, so it is not loaded.

Records of a unit are sorted by date, then by their natural key, then by id, so that
the same data always gives the same bundle whatever the storage order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from operator import itemgetter
from typing import Any, NamedTuple

from safecredit_desktop.core import model
from safecredit_desktop.core.model import (
    ACCIDENT_GRADE_ORDER,
    CommitmentType,
    RepairTarget,
    StandardizationLevel,
    ViolationSubject,
)
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.validate import accident_grade_from_figures

__all__ = [
    "AccidentFact",
    "CommitmentFact",
    "HonourFact",
    "JointPunishmentFact",
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
    "iter_facts",
    "load_facts",
    "load_register",
    "register_queries",
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


# ---------------------------------------------------------------- from the database

# Column order: unit, date, then what tells two records of a unit and a day apart, so
# that sorting the rows sorts each unit's records by the keys above.
_UNIT_SQL = (
    "SELECT id, uscc, name, category, town, std_level, std_awarded_on, std_valid_until,"
    " high_risk, status FROM units"
)
_ACCIDENT_SQL = (
    "SELECT unit_id, occurred_on, accident_no, id, grade, responsible, deaths,"
    " serious_injuries, loss_wan, needs_review FROM accidents"
)
_VIOLATION_SQL = (
    "SELECT unit_id, occurred_on, kind, subject, id, person_name, basis_doc FROM violations"
)
_PENALTY_SQL = "SELECT unit_id, decided_on, doc_no, id, department FROM penalties"
# Only unit commitments: a main-person 履职尽责承诺书 never counts in grading.
_COMMITMENT_SQL = (
    "SELECT unit_id, signed_on, type, withdrawn_on FROM commitments WHERE type = '单位承诺'"
)
_HONOUR_SQL = "SELECT unit_id, honoured_on, type, level, title FROM honours"
_JOINT_SQL = "SELECT unit_id, starts_on, department, ends_on FROM joint_punishments"
_REPAIR_SQL = "SELECT unit_id, penalty_id, violation_id, accident_id, approved_on FROM repairs"

_CHUNK = 500  # unit ids per IN (...) list when loading a few units


def _fetch(
    conn: sqlite3.Connection,
    sql: str,
    unit_ids: Sequence[int] | None,
    *,
    column: str = "unit_id",
    sort: bool = True,
) -> list[Any]:
    """All rows of ``sql``, or those of ``unit_ids``; sorted (by unit first) if ``sort``."""
    if unit_ids is None:
        rows = conn.execute(sql).fetchall()
    else:
        rows = []
        for start in range(0, len(unit_ids), _CHUNK):
            chunk = tuple(unit_ids[start : start + _CHUNK])
            marks = ",".join("?" * len(chunk))
            join = "AND" if " WHERE " in sql else "WHERE"
            rows += conn.execute(f"{sql} {join} {column} IN ({marks})", chunk).fetchall()
    if sort:
        rows.sort()  # almost sorted already (rowid order), so this is cheap
    return rows


def _group(rows: list[Any], facts: list[Any]) -> dict[int, tuple[Any, ...]]:
    """Each unit's facts (rows sorted by unit, ``facts`` made from them in that order)."""
    grouped: dict[int, tuple[Any, ...]] = {}
    items = tuple(facts)
    count = len(rows)
    start = 0
    while start < count:
        uid = rows[start][0]
        end = start + 1
        while end < count and rows[end][0] == uid:
            end += 1
        grouped[uid] = items[start:end]
        start = end
    return grouped


def load_facts(db: Database, *, unit_ids: Sequence[int] | None = None) -> list[UnitFacts]:
    """Every unit's facts (or only ``unit_ids``'), sorted by 统一社会信用代码.

    One query per table for the whole register; unknown ids are skipped.
    """
    return list(iter_facts(db, unit_ids=unit_ids))


def iter_facts(db: Database, *, unit_ids: Sequence[int] | None = None) -> Iterator[UnitFacts]:
    """As load_facts, one unit at a time: all rows are read first (one query per table),
    then each unit's bundle is made when it is asked for and can be let go after use, so
    that grading a register never holds every bundle at once."""
    conn = db.conn
    ids = None if unit_ids is None else sorted(set(unit_ids))
    iso = date.fromisoformat
    new = tuple.__new__  # what NamedTuple._make does, for the two big tables

    repaired: dict[tuple[int, int], date] = {}  # (0 penalty | 1 violation | 2 accident, id)
    for _uid, penalty_id, violation_id, accident_id, approved in _fetch(
        conn, _REPAIR_SQL, ids, sort=False
    ):
        if penalty_id is not None:
            repaired[(0, penalty_id)] = iso(approved)
        elif violation_id is not None:
            repaired[(1, violation_id)] = iso(approved)
        elif accident_id is not None:
            repaired[(2, accident_id)] = iso(approved)
    fixed = repaired.get

    rows = _fetch(conn, _ACCIDENT_SQL, ids)
    accidents = _group(
        rows,
        [
            AccidentFact(
                iso(day),
                effective_accident_grade(grade, deaths, injuries, loss),
                resp,
                deaths,
                injuries,
                float(loss),
                number,
                bool(review),
                fixed((2, rid)),
                rid,
            )
            for _u, day, number, rid, grade, resp, deaths, injuries, loss, review in rows
        ],
    )
    rows = _fetch(conn, _VIOLATION_SQL, ids)
    violations = _group(
        rows,
        [
            ViolationFact(iso(day), kind, subject, person, basis, fixed((1, rid)), rid)
            for _u, day, kind, subject, rid, person, basis in rows
        ],
    )
    rows = _fetch(conn, _PENALTY_SQL, ids)
    penalties = _group(
        rows,
        [
            PenaltyFact(iso(day), doc_no, department, fixed((0, rid)), rid)
            for _u, day, doc_no, rid, department in rows
        ],
    )
    rows = _fetch(conn, _COMMITMENT_SQL, ids)
    commitments = _group(
        rows,
        [
            new(CommitmentFact, (iso(signed), ctype, iso(withdrawn) if withdrawn else None))
            for _u, signed, ctype, withdrawn in rows
        ],
    )
    rows = _fetch(conn, _HONOUR_SQL, ids)
    honours = _group(
        rows,
        [HonourFact(iso(day), level, htype, title) for _u, day, htype, level, title in rows],
    )
    rows = _fetch(conn, _JOINT_SQL, ids)
    joints = _group(
        rows,
        [
            JointPunishmentFact(iso(starts), department, iso(ends) if ends else None)
            for _u, starts, department, ends in rows
        ],
    )

    units = _fetch(conn, _UNIT_SQL, ids, column="id", sort=False)
    units.sort(key=itemgetter(1))  # by uscc
    empty: tuple[Any, ...] = ()
    acc, vio, pen = accidents.pop, violations.pop, penalties.pop
    com, hon, jps = commitments.pop, honours.pop, joints.pop
    for uid, uscc, name, category, town, level, awarded, valid, high, status in units:
        yield new(
            UnitFacts,
            (
                uid,
                uscc,
                name,
                category,
                town,
                level,
                iso(awarded) if awarded else None,
                iso(valid) if valid else None,
                bool(high),
                status,
                acc(uid, empty),
                vio(uid, empty),
                pen(uid, empty),
                com(uid, empty),
                hon(uid, empty),
                jps(uid, empty),
            ),
        )


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
    # std_level, std_awarded_on, std_valid_until, high_risk, status), dates as ISO text
    # (``standardization`` makes the level with its dates)
    units: list[tuple[Any, ...]]
    records: dict[int, UnitRecords]  # only units with at least one record in scope
    # each unit's unit commitments (equal ones are one object: they carry no id)
    commitments: dict[int, tuple[CommitmentFact, ...]]


def register_queries(scope: Scope) -> tuple[str, ...]:
    """The queries load_register runs for ``scope``: those of load_facts but the record
    tables ``scope`` leaves out whole (and repairs when no repairable kind is in it).
    The benchmark's floor reads exactly these."""
    return tuple(sql for sql, wanted in _wanted(scope) if wanted)


def _wanted(scope: Scope) -> tuple[tuple[str, bool], ...]:
    repairable = (scope.accidents, scope.violations, scope.penalties)
    return (
        (_UNIT_SQL, True),
        (_ACCIDENT_SQL, scope.accidents is not None),
        (_VIOLATION_SQL, scope.violations is not None),
        (_PENALTY_SQL, scope.penalties is not None),
        (_COMMITMENT_SQL, True),
        (_HONOUR_SQL, scope.honours is not None),
        (_JOINT_SQL, scope.joint_punishments),
        (_REPAIR_SQL, any(since is not None for since in repairable)),
    )


def load_register(db: Database, scope: Scope, *, unit_ids: Sequence[int] | None = None) -> Register:
    """Every unit (or only ``unit_ids``) for grading a register in one go: the queries of
    load_facts that ``scope`` needs (``register_queries``), but no UnitFacts bundle per
    unit; the records outside ``scope`` are left out, and equal commitments are made
    once and shared.

    For each unit ``u``, ``UnitFacts`` of load_facts restricted to the scope is made of
    ``units`` (fields), ``records.get(u)`` and ``commitments.get(u, ())``."""
    conn = db.conn
    ids = None if unit_ids is None else sorted(set(unit_ids))
    iso = date.fromisoformat
    new = tuple.__new__
    until = scope.until
    wanted = dict(_wanted(scope))

    repaired: dict[tuple[int, int], date] = {}  # as iter_facts
    if wanted[_REPAIR_SQL]:
        for _uid, penalty_id, violation_id, accident_id, approved in _fetch(
            conn, _REPAIR_SQL, ids, sort=False
        ):
            if penalty_id is not None:
                repaired[(0, penalty_id)] = iso(approved)
            elif violation_id is not None:
                repaired[(1, violation_id)] = iso(approved)
            elif accident_id is not None:
                repaired[(2, accident_id)] = iso(approved)
    fixed = repaired.get

    per_unit: dict[int, list[list[Any]]] = {}  # unit → [accidents, violations, …] lists

    def add(uid: int, slot: int, fact: Any) -> None:
        lists = per_unit.get(uid)
        if lists is None:
            lists = per_unit[uid] = [[], [], [], [], []]
        lists[slot].append(fact)

    since = scope.accidents
    if since is not None and wanted[_ACCIDENT_SQL]:
        for _u, day, number, rid, grade, resp, deaths, injuries, loss, review in _fetch(
            conn, _ACCIDENT_SQL, ids
        ):
            d = iso(day)
            if since <= d <= until:
                accident = AccidentFact(
                    d,
                    effective_accident_grade(grade, deaths, injuries, loss),
                    resp,
                    deaths,
                    injuries,
                    float(loss),
                    number,
                    bool(review),
                    fixed((2, rid)),
                    rid,
                )
                add(_u, 0, accident)
    since = scope.violations
    if since is not None and wanted[_VIOLATION_SQL]:
        for _u, day, kind, subject, rid, person, basis in _fetch(conn, _VIOLATION_SQL, ids):
            d = iso(day)
            if since <= d <= until:
                add(_u, 1, ViolationFact(d, kind, subject, person, basis, fixed((1, rid)), rid))
    since = scope.penalties
    if since is not None and wanted[_PENALTY_SQL]:
        for _u, day, doc_no, rid, department in _fetch(conn, _PENALTY_SQL, ids):
            d = iso(day)
            if since <= d <= until:
                add(_u, 2, PenaltyFact(d, doc_no, department, fixed((0, rid)), rid))
    since = scope.honours
    if since is not None and wanted[_HONOUR_SQL]:
        for _u, day, htype, level, title in _fetch(conn, _HONOUR_SQL, ids):
            d = iso(day)
            if since <= d <= until:
                add(_u, 3, HonourFact(d, level, htype, title))
    if wanted[_JOINT_SQL]:
        for _u, starts, department, ends in _fetch(conn, _JOINT_SQL, ids):
            d = iso(starts)
            if d <= until:
                add(_u, 4, JointPunishmentFact(d, department, iso(ends) if ends else None))
    records = {uid: new(UnitRecords, map(tuple, lists)) for uid, lists in per_unit.items()}

    # Commitments: one fact per distinct row, one tuple per unit (rows sorted by unit).
    made: dict[tuple[str, str, str | None], CommitmentFact] = {}
    commitments: dict[int, tuple[CommitmentFact, ...]] = {}
    group: list[CommitmentFact] = []
    last = -1
    for uid, signed, ctype, withdrawn in _fetch(conn, _COMMITMENT_SQL, ids):
        key = (signed, ctype, withdrawn)
        made_once = made.get(key)
        if made_once is None:
            made_once = made[key] = new(
                CommitmentFact, (iso(signed), ctype, iso(withdrawn) if withdrawn else None)
            )
        if uid != last:
            if group:
                commitments[last] = tuple(group)
            group = [made_once]
            last = uid
        else:
            group.append(made_once)
    if group:
        commitments[last] = tuple(group)

    units = _fetch(conn, _UNIT_SQL, ids, column="id", sort=False)
    return Register(units, records, commitments)


def _sorted(items: list[Any], key: Any) -> tuple[Any, ...]:
    if len(items) > 1:
        items.sort(key=key)
    return tuple(items)


# ---------------------------------------------------------------- from records in memory


def build_facts(
    unit: model.Unit, records: Iterable[Any] = (), *, unit_id: int | None = None
) -> UnitFacts:
    """A unit's facts from ``core.model`` records (Accident, Violation, Penalty, Commitment,
    Honour, JointPunishment, Repair; Inspection records are ignored).

    A Repair names its record by id (``penalty_id`` …), so repaired records need ids. An
    accident with a blank ``grade`` gets the grade of its figures.
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
    )
    return add_records(bare, records)


def add_records(facts: UnitFacts, records: Iterable[Any]) -> UnitFacts:
    """``facts`` with more ``core.model`` records, for "what if" questions: what if this
    violation were recorded, this penalty repaired (a Repair naming a record by its id, one
    of ``facts`` or of ``records``)?"""
    items = list(records)
    repaired: dict[tuple[str, int], date] = {}
    for r in items:
        if isinstance(r, model.Repair):
            target = r.penalty_id or r.violation_id or r.accident_id
            kind = (
                RepairTarget.PENALTY
                if r.penalty_id is not None
                else RepairTarget.VIOLATION
                if r.violation_id is not None
                else RepairTarget.ACCIDENT
            )
            if target is not None:
                repaired[(kind.value, target)] = r.approved_on

    def fixed(kind: RepairTarget, rid: int | None, known: date | None = None) -> date | None:
        return known if rid is None else repaired.get((kind.value, rid), known)

    accidents = [
        a._replace(repaired_on=fixed(RepairTarget.ACCIDENT, a.id, a.repaired_on))
        for a in facts.accidents
    ]
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
                    fixed(RepairTarget.ACCIDENT, r.id),
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
        elif isinstance(r, model.Repair | model.Inspection):
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
    )
