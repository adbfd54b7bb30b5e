"""The grading facts read from the database and handed to the pure rules (issue 17).

``rules/`` grades from fact bundles and never reads the database; this module gathers
them: **one query per table** (units, accidents, violations, penalties, commitments,
honours, joint_punishments, repairs, list entries), grouped by unit in Python, in SQL of
the common subset so either engine answers. ``unit_ids`` limits a load to one or a few
units (the unit page). ``load_register`` reads a whole register for one ``Scope`` (only
the record tables the profile can see at that date); ``grade_all`` grades it.

The facts themselves (what each carries beyond its row, the order of a unit's records)
are described in ``rules/facts.py``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from datetime import date
from operator import itemgetter
from typing import Any

from safecredit_desktop.core.rules.engine import grade_loaded
from safecredit_desktop.core.rules.facts import (
    AccidentFact,
    CommitmentFact,
    HonourFact,
    InspectionFact,
    JointPunishmentFact,
    ListingFact,
    PenaltyFact,
    Register,
    Scope,
    UnitFacts,
    UnitRecords,
    ViolationFact,
    effective_accident_grade,
)
from safecredit_desktop.core.rules.profile import Profile
from safecredit_desktop.core.rules.result import GradeResult
from safecredit_desktop.core.storage.connection import Database

# Column order: unit, date, then what tells two records of a unit and a day apart, so
# that sorting the rows sorts each unit's records by the keys above.
_UNIT_SQL = (
    "SELECT id, uscc, name, category, town, std_level, std_awarded_on, std_valid_until,"
    " high_risk, status, founded_on FROM units"
)
_ACCIDENT_SQL = (
    "SELECT unit_id, occurred_on, accident_no, id, grade, responsible, deaths,"
    " serious_injuries, loss_wan, needs_review FROM accidents"
)
_VIOLATION_SQL = (
    "SELECT unit_id, occurred_on, kind, subject, id, person_name, basis_doc FROM violations"
)
_PENALTY_SQL = "SELECT unit_id, decided_on, doc_no, id, department, aggravated_fine FROM penalties"
# Only unit commitments: a main-person 履职尽责承诺书 never counts in grading.
_COMMITMENT_SQL = (
    "SELECT unit_id, signed_on, type, withdrawn_on FROM commitments WHERE type = '单位承诺'"
)
_HONOUR_SQL = "SELECT unit_id, honoured_on, type, level, title FROM honours"
_JOINT_SQL = "SELECT unit_id, starts_on, department, ends_on FROM joint_punishments"
# Accidents are never repaired (Revision 2): their repairs, voided by the revision, are
# not read.
_REPAIR_SQL = (
    "SELECT unit_id, penalty_id, violation_id, approved_on FROM repairs"
    " WHERE accident_id IS NULL AND void_reason IS NULL"
)
_INSPECTION_SQL = (
    "SELECT unit_id, inspected_on, id, hazards, major_hazards, rectify_deadline, rectified_on"
    " FROM inspections"
)
# Published unit entries (a person's entry stands beside its unit's) with their links.
_LISTING_SQL = (
    "SELECT unit_id, published_on, id, list_kind, ends_on, removed_on, reviewed_on"
    " FROM list_entries WHERE person_name = '' AND published_on IS NOT NULL"
)
_LISTING_RECORDS_SQL = "SELECT entry_id, record_table, record_id FROM list_entry_records"

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


def load_facts(
    db: Database, *, unit_ids: Sequence[int] | None = None, inspections: bool = False
) -> list[UnitFacts]:
    """Every unit's facts (or only ``unit_ids``'), sorted by 统一社会信用代码; with
    ``inspections`` also each unit's inspections (grades never read them).

    One query per table for the whole register; unknown ids are skipped.
    """
    return list(iter_facts(db, unit_ids=unit_ids, inspections=inspections))


def _repairs(conn: sqlite3.Connection, ids: Sequence[int] | None) -> dict[tuple[int, int], date]:
    """(0 penalty | 1 violation, id) → the approval date of the repair in force."""
    iso = date.fromisoformat
    repaired: dict[tuple[int, int], date] = {}
    for _uid, penalty_id, violation_id, approved in _fetch(conn, _REPAIR_SQL, ids, sort=False):
        if penalty_id is not None:
            repaired[(0, penalty_id)] = iso(approved)
        elif violation_id is not None:
            repaired[(1, violation_id)] = iso(approved)
    return repaired


def _listings(
    conn: sqlite3.Connection, ids: Sequence[int] | None
) -> dict[int, tuple[ListingFact, ...]]:
    """Each unit's published entries, with the records that listed it."""
    linked: dict[int, set[tuple[str, int]]] = {}
    rows = _fetch(conn, _LISTING_SQL, ids)
    if not rows:
        return {}
    for entry_id, table, record_id in conn.execute(_LISTING_RECORDS_SQL):
        linked.setdefault(int(entry_id), set()).add((str(table), int(record_id)))
    facts = [
        ListingFact(
            str(kind),
            date.fromisoformat(published),
            _optional_day(ends),
            _optional_day(removed),
            _optional_day(reviewed),
            frozenset(linked.get(int(rid), ())),
            int(rid),
        )
        for _u, published, rid, kind, ends, removed, reviewed in rows
    ]
    return _group(rows, facts)


def _optional_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _accident_fact(row: Sequence[Any]) -> AccidentFact:
    """An accident as the rules read it, from a row of ``_ACCIDENT_SQL``."""
    _u, day, number, rid, grade, resp, deaths, injuries, loss, review = row
    return AccidentFact(
        date.fromisoformat(day),
        effective_accident_grade(grade, deaths, injuries, loss),
        resp,
        deaths,
        injuries,
        float(loss),
        number,
        bool(review),
        None,
        rid,
    )


def iter_facts(
    db: Database, *, unit_ids: Sequence[int] | None = None, inspections: bool = False
) -> Iterator[UnitFacts]:
    """As load_facts, one unit at a time: all rows are read first (one query per table),
    then each unit's bundle is made when it is asked for and can be let go after use, so
    that grading a register never holds every bundle at once."""
    conn = db.conn
    ids = None if unit_ids is None else sorted(set(unit_ids))
    iso = date.fromisoformat
    new = tuple.__new__  # what NamedTuple._make does, for the two big tables

    fixed = _repairs(conn, ids).get
    listings = _listings(conn, ids)
    checks: dict[int, tuple[Any, ...]] = {}
    if inspections:
        rows = _fetch(conn, _INSPECTION_SQL, ids)
        checks = _group(
            rows,
            [
                InspectionFact(
                    iso(day), hazards, major, _optional_day(deadline), _optional_day(done), rid
                )
                for _u, day, rid, hazards, major, deadline, done in rows
            ],
        )

    rows = _fetch(conn, _ACCIDENT_SQL, ids)
    accidents = _group(rows, [_accident_fact(row) for row in rows])
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
            PenaltyFact(iso(day), doc_no, department, fixed((0, rid)), rid, bool(aggravated))
            for _u, day, doc_no, rid, department, aggravated in rows
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
    for uid, uscc, name, category, town, level, awarded, valid, high, status, founded in units:
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
                iso(founded) if founded else None,
                listings.get(uid, empty),
                checks.get(uid, empty),
            ),
        )


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
        (_LISTING_SQL, scope.listings),
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

    repaired = _repairs(conn, ids) if wanted[_REPAIR_SQL] else {}  # as iter_facts
    fixed = repaired.get

    per_unit: dict[int, list[list[Any]]] = {}  # unit → [accidents, violations, …] lists

    def add(uid: int, slot: int, fact: Any) -> None:
        lists = per_unit.get(uid)
        if lists is None:
            lists = per_unit[uid] = [[], [], [], [], []]
        lists[slot].append(fact)

    since = scope.accidents
    if since is not None and wanted[_ACCIDENT_SQL]:
        for row in _fetch(conn, _ACCIDENT_SQL, ids):
            accident = _accident_fact(row)
            if since <= accident.day <= until:
                add(row[0], 0, accident)
    since = scope.violations
    if since is not None and wanted[_VIOLATION_SQL]:
        for _u, day, kind, subject, rid, person, basis in _fetch(conn, _VIOLATION_SQL, ids):
            d = iso(day)
            if since <= d <= until:
                add(_u, 1, ViolationFact(d, kind, subject, person, basis, fixed((1, rid)), rid))
    since = scope.penalties
    if since is not None and wanted[_PENALTY_SQL]:
        for _u, day, doc_no, rid, department, aggravated in _fetch(conn, _PENALTY_SQL, ids):
            d = iso(day)
            if since <= d <= until:
                penalty = PenaltyFact(d, doc_no, department, fixed((0, rid)), rid, bool(aggravated))
                add(_u, 2, penalty)
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
    listings = _listings(conn, ids) if wanted[_LISTING_SQL] else {}
    return Register(units, records, commitments, listings)


def grade_all(
    db: Database, profile: Profile, as_of: date, *, uscc: str | None = None
) -> list[GradeResult]:
    """Every unit of the database, sorted by 统一社会信用代码; with ``uscc`` that unit only
    (an empty list when no unit has that code)."""
    ids: list[int] | None = None
    if uscc is not None:
        row = db.conn.execute("SELECT id FROM units WHERE uscc = ?", (uscc,)).fetchone()
        if row is None:
            return []
        ids = [int(row[0])]
    return grade_loaded(profile, as_of, lambda scope: load_register(db, scope, unit_ids=ids))
