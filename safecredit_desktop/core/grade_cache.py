"""Each unit's live grade as of a day, stored (table ``unit_grades``, migration 0012), so
the registry shows, sorts and filters 100,000 units by grade without grading them.

How the stored rows stay equal to a fresh grade of every unit:

- **Writes.** Every table grading reads has triggers that put the id of each unit a
  write touches into ``unit_grades_stale``, whatever wrote it (the repository, an
  import, a list publication or removal, a repair approved or revoked, an objection's
  outcome). Just before the write's transaction commits, :func:`settle_stale` (a
  ``connection.BEFORE_COMMIT`` hook) grades the stale units in one batch and replaces
  their rows, in that same transaction (put in place by :func:`install`, which the layer
  that opens registers calls). An import calls :func:`settle_stale` itself at
  the end of its transaction, to report progress. A step that changes grades by a
  table without a trigger calls :func:`mark_changed` ("units whose facts changed").
- **Days.** All rows hold for the day in ``unit_grades_state.settled_on``. A row holds
  until its ``recheck_on``, the first of: the engine's ``next_change`` (the first day the
  grade moves with nothing new recorded); the first day something the unit holds stops
  counting or lapses (a record leaving a criterion's window, a repair, a withdrawal, an
  end date: so that the reasons hold too, not only the grade); the first day a record
  dated after the row's day comes into view. :func:`settle` for a later day regrades
  only the rows whose ``recheck_on`` has come (an index range: cheap) and units without
  a row. Stale units met before the day is settled are graded as of the settled day, so
  every row always holds for that one day.
- **Rules.** ``fingerprint`` names the profile and the grading program that computed the
  rows. When it differs (a new or upgraded database, a new program version, other rules)
  or the clock went back before the settled day, :func:`settle` regrades every unit
  (with progress: at 100,000 units about 2 s) and the commit hook leaves the stale
  marks for it.

The engine is used through its public functions only (``engine.Grader``,
``grade_facts.load_register``): this module knows nothing of the criteria.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from safecredit_desktop.core import collector
from safecredit_desktop.core.grade_facts import load_register
from safecredit_desktop.core.rules import engine
from safecredit_desktop.core.rules.facts import Register
from safecredit_desktop.core.rules.profile import FactKind, Profile, parse_profile
from safecredit_desktop.core.rules.result import GradeResult
from safecredit_desktop.core.storage import connection, dialect
from safecredit_desktop.core.storage.connection import Database

__all__ = [
    "LiveGrade",
    "Work",
    "ensure_current",
    "fingerprint",
    "install",
    "live_grade",
    "mark_changed",
    "pending_work",
    "settle",
    "settle_stale",
]

Progress = Callable[[float, str], None]

# Dates at which a stored record starts to count (the engine drops records dated after
# its as-of date), and the ends of list entries (they may release or hold a grade): a
# row computed before such a date must be looked at again on it. The ends of what grading
# at a day sees are found from the records themselves (_ends_after). Columns a database
# lacks are skipped.
_STARTS: dict[str, tuple[str, ...]] = {  # table → those dates (the unit: unit_id, or id)
    "units": ("std_awarded_on", "founded_on"),
    "accidents": ("occurred_on",),
    "violations": ("occurred_on",),
    "penalties": ("decided_on",),
    "commitments": ("signed_on",),
    "honours": ("honoured_on",),
    "joint_punishments": ("starts_on",),
    "repairs": ("approved_on",),
    "list_entries": ("published_on", "ends_on", "removed_on"),
}
_DAY = timedelta(days=1)
_CHUNK = 500  # ids per IN (...) list
_WHOLE_SHARE = 5  # more stale units than 1/5 of the register: read the register whole


@dataclass(frozen=True)
class LiveGrade:
    """A unit's stored live grade."""

    unit_id: int
    grade: str
    label: str
    tier: str | None
    reasons: tuple[str, ...]  # the deciding reason codes
    as_of: date
    next_change: date | None
    next_grade: str | None


class Work(NamedTuple):
    """What :func:`settle` would do for a day."""

    whole: bool  # every unit (never filled, other rules, the clock went back)
    units: int  # how many units it would grade

    @property
    def none(self) -> bool:
        return self.units == 0


# -- what the rows are good for ------------------------------------------------------------


@lru_cache(maxsize=1)
def _program_digest() -> str:
    """The grading program: the package version and, where the sources are at hand (a
    checkout, not a bundle), the rules modules themselves."""
    from safecredit_desktop import __version__

    digest = hashlib.sha256(__version__.encode())
    folder = Path(engine.__file__).parent
    for path in sorted(folder.glob("*.py")):
        try:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        except OSError:
            continue
    with suppress(OSError):
        digest.update(Path(__file__).read_bytes())  # how the rows are made, too
    return digest.hexdigest()[:16]


@lru_cache(maxsize=8)
def fingerprint(profile_text: str) -> str:
    """The rules and program a row was computed by."""
    text = hashlib.sha256(profile_text.encode()).hexdigest()[:16]
    return f"{text}-{_program_digest()}"


@lru_cache(maxsize=4)
def _parsed(text: str) -> Profile:
    return parse_profile(text, source="数据库中保存的信用规则")


def _profile_text(conn: sqlite3.Connection) -> str:
    from safecredit_desktop.core.storage import settings

    row = conn.execute(
        "SELECT value FROM settings WHERE key = ?", (settings.PROFILE_TEXT,)
    ).fetchone()
    return "" if row is None else str(row[0])


class _State(NamedTuple):
    fingerprint: str
    settled_on: date | None
    any_stale: bool


def _state(conn: sqlite3.Connection) -> _State:
    row = conn.execute(
        "SELECT fingerprint, settled_on, EXISTS (SELECT 1 FROM unit_grades_stale)"
        " FROM unit_grades_state WHERE id = 1"
    ).fetchone()
    if row is None:
        return _State("", None, True)
    return _State(str(row[0]), date.fromisoformat(row[1]) if row[1] else None, bool(row[2]))


def _whole_needed(conn: sqlite3.Connection, state: _State, today: date | None) -> bool:
    if state.settled_on is None or (today is not None and today < state.settled_on):
        return True
    return state.fingerprint != fingerprint(_profile_text(conn))


# -- grading and storing ---------------------------------------------------------------------


def _grade(
    db: Database, profile: Profile, day: date, ids: Sequence[int] | None
) -> tuple[list[Any], dict[int, date]]:
    """The results as of ``day`` and, per unit, the first later day on which one of its
    records seen at ``day`` may stop counting (see :func:`_ends_after`)."""
    with collector.paused():
        grader = engine.Grader(profile, day)
        register = load_register(db, grader.scope(), unit_ids=ids)
        results = grader.grade_register(register)
        del grader
        ends = _ends_after(profile, day, register)
    return results, ends


def _end_rules(profile: Profile) -> dict[str, list[Callable[[date], date]]]:
    """Per record kind, for each criterion over it: the first as-of date at which a record
    dated d no longer counts in that criterion (as the engine's ``_Crit.end``)."""
    rules: dict[str, list[Callable[[date], date]]] = {}
    for letter in profile.grades:
        for criterion in profile.criteria_for(letter):
            kind = str(criterion.fact)
            if criterion.consecutive_years is not None:
                offset = criterion.latest_year_offset_max

                def run_ends(day: date, offset: int = offset) -> date:
                    return date(day.year + offset + 1, 1, 1)

                rules.setdefault(kind, []).append(run_ends)
            elif criterion.window is not None:
                window = criterion.window

                def window_ends(day: date, window: Any = window) -> date:
                    return engine.leaves_window_on(day, window)

                rules.setdefault(kind, []).append(window_ends)
    return rules


_KINDS = (FactKind.ACCIDENT, FactKind.VIOLATION, FactKind.PENALTY, FactKind.HONOUR)


def _ends_after(profile: Profile, day: date, register: Register) -> dict[int, date]:
    """Per unit, the first date after ``day`` on which something it holds at ``day`` may
    stop or lapse: a record leaving a criterion's window (for every criterion over its
    kind, whether or not the record matches it), a repair taking effect, a commitment
    withdrawn, a joint punishment or a standardization level ending. A superset of the
    engine's own end dates (``_Evaluation.ends``), so the reasons of a stored row, and not
    only its grade, hold until then."""
    rules = _end_rules(profile)
    first: list[dict[date, date | None]] = [{} for _ in _KINDS]

    def leave(slot: int, when: date) -> date | None:
        memo = first[slot]
        if when in memo:
            return memo[when]
        later = [end for rule in rules.get(str(_KINDS[slot]), ()) if (end := rule(when)) > day]
        found = memo[when] = min(later) if later else None
        return found

    ends: dict[int, date] = {}

    def note(uid: int, when: date | None) -> None:
        if when is not None and when > day:
            known = ends.get(uid)
            if known is None or when < known:
                ends[uid] = when

    for uid, held in register.records.items():
        kinds: tuple[tuple[Any, ...], ...] = (
            held.accidents,
            held.violations,
            held.penalties,
            held.honours,
        )
        for slot, records in enumerate(kinds):
            for record in records:
                note(uid, leave(slot, record.day))
                note(uid, getattr(record, "repaired_on", None))
        for joint in held.joint_punishments:
            if joint.ends_on is not None:
                note(uid, joint.ends_on + _DAY)
    for uid, commitments in register.commitments.items():
        for commitment in commitments:
            note(uid, commitment.withdrawn_on)
    for row in register.units:
        valid = row[7]  # std_valid_until, ISO text or empty
        if valid:
            note(int(row[0]), date.fromisoformat(str(valid)) + _DAY)
    return ends


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return set(dialect.column_names(conn, table))


def _dates_after(conn: sqlite3.Connection, day: date, ids: Sequence[int] | None) -> dict[int, date]:
    """Per unit, the first date after ``day`` at which one of its records starts to count."""
    selects: list[tuple[str, str, str]] = []
    for table, starts in _STARTS.items():
        have = _columns(conn, table)
        unit_column = "id" if table == "units" else "unit_id"
        selects += [(table, unit_column, column) for column in starts if column in have]
    found: dict[int, date] = {}
    chunks: list[Sequence[int] | None] = (
        [None] if ids is None else [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]
    )
    for chunk in chunks:
        parts = []
        params: list[object] = []
        for table, unit_column, column in selects:
            where = f"{column} > ?"
            params.append(day.isoformat())
            if chunk is not None:
                where += f" AND {unit_column} IN ({', '.join('?' * len(chunk))})"
                params.extend(chunk)
            parts.append(f"SELECT {unit_column} AS u, {column} AS d FROM {table} WHERE {where}")
        if not parts:
            break
        statement = f"SELECT u, min(d) FROM ({' UNION ALL '.join(parts)}) AS s GROUP BY u"
        for uid, first in conn.execute(statement, params):
            found[int(uid)] = date.fromisoformat(str(first))
    return found


def _rows(
    results: Sequence[GradeResult], day: date, ends: dict[int, date], starts: dict[int, date]
) -> list[tuple[object, ...]]:
    """The table rows of ``results``; ``recheck_on`` is the first of the next change, the
    unit's first end (``ends``) and its first record coming into view (``starts``)."""
    as_of = day.isoformat()
    iso: dict[date, str] = {}
    codes: dict[int, str] = {}  # equal units share their reasons tuple: joined once
    rows: list[tuple[object, ...]] = []
    for result in results:
        uid = result.unit_id
        change = result.next_change
        recheck = change.day if change is not None else None
        for later in (ends, starts):
            when = later.get(uid)
            if when is not None and (recheck is None or when < recheck):
                recheck = when
        reasons = result.reasons
        joined = codes.get(id(reasons))
        if joined is None:
            joined = codes[id(reasons)] = ",".join(r.code for r in reasons)
        change_day = None
        if change is not None:
            change_day = iso.get(change.day) or iso.setdefault(change.day, change.day.isoformat())
        recheck_day = None
        if recheck is not None:
            recheck_day = iso.get(recheck) or iso.setdefault(recheck, recheck.isoformat())
        rows.append(
            (
                uid,
                result.grade,
                result.label,
                result.tier,
                joined,
                as_of,
                change_day,
                None if change is None else change.grade,
                recheck_day,
            )
        )
    return rows


_INSERT = (
    "INSERT INTO unit_grades (unit_id, grade, label, tier, reasons, as_of,"
    " next_change, next_grade, recheck_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _store(
    db: Database,
    profile: Profile,
    day: date,
    ids: list[int] | None,
    progress: Progress | None,
) -> int:
    """Grade ``ids`` (None: every unit) as of ``day`` and replace their rows; inside the
    caller's transaction. Returns how many units were graded."""
    conn = db.conn
    if ids is not None:
        total = int(conn.execute("SELECT count(*) FROM units").fetchone()[0])
        if len(ids) * _WHOLE_SHARE > total:
            ids = None  # one pass over each table beats thousands of IN lists
    if progress is not None:
        progress(0.05, f"正在计算企业的信用等级（截至 {day.isoformat()}）…")
    results, ends = _grade(db, profile, day, ids)
    if progress is not None:
        progress(0.6, f"已计算 {len(results):,} 家企业的信用等级，正在保存…")
    starts = _dates_after(conn, day, ids)
    rows = _rows(results, day, ends, starts)
    if ids is None:
        conn.execute("DELETE FROM unit_grades")
        conn.execute("DELETE FROM unit_grades_stale")
    else:
        graded = [(i,) for i in ids]
        conn.executemany("DELETE FROM unit_grades_stale WHERE unit_id = ?", graded)
        # a unit the engine gives no grade now (not founded yet) keeps no old row
        conn.executemany("DELETE FROM unit_grades WHERE unit_id = ?", graded)
    conn.executemany(_INSERT, rows)
    if progress is not None:
        progress(1.0, f"已更新 {len(rows):,} 家企业的信用等级")
    return len(rows)


# -- the public face ---------------------------------------------------------------------------


def mark_changed(conn: sqlite3.Connection, unit_ids: Iterable[int]) -> None:
    """Units whose facts changed through something the triggers do not see: their rows
    are regraded before the transaction commits."""
    conn.executemany(
        "INSERT INTO unit_grades_stale (unit_id) VALUES (?) ON CONFLICT DO NOTHING",
        [(int(u),) for u in unit_ids],
    )


def pending_work(db: Database, today: date) -> Work:
    """What :func:`settle` would do for ``today`` (cheap: counts over indexes)."""
    conn = db.conn
    state = _state(conn)
    if _whole_needed(conn, state, today):
        count = int(conn.execute("SELECT count(*) FROM units").fetchone()[0])
        return Work(True, count)
    assert state.settled_on is not None
    stale = int(conn.execute("SELECT count(*) FROM unit_grades_stale").fetchone()[0])
    due = len(_due(conn, today)) if today > state.settled_on else 0
    return Work(False, stale + due)


def _due(conn: sqlite3.Connection, today: date) -> set[int]:
    """Units whose row may not hold on ``today``: its recheck_on has come, or it has no
    row (the engine gave it no grade, e.g. before its 成立日期)."""
    due = {
        int(r[0])
        for r in conn.execute(
            "SELECT unit_id FROM unit_grades WHERE recheck_on <= ?", (today.isoformat(),)
        )
    }
    due.update(
        int(r[0])
        for r in conn.execute(
            "SELECT id FROM units WHERE NOT EXISTS"
            " (SELECT 1 FROM unit_grades AS g WHERE g.unit_id = units.id)"
        )
    )
    return due


def settle(db: Database, *, today: date, progress: Progress | None = None) -> int:
    """Bring every row to ``today`` in one transaction: all units when the rows were never
    filled or were computed by other rules (or for a later day); else the stale units
    and those whose ``recheck_on`` has come. Returns how many units were graded."""
    with db.transaction() as conn:
        state = _state(conn)
        text = _profile_text(conn)
        profile = _parsed(text)
        if _whole_needed(conn, state, today):
            graded = _store(db, profile, today, None, progress)
        else:
            assert state.settled_on is not None
            ids = {int(r[0]) for r in conn.execute("SELECT unit_id FROM unit_grades_stale")}
            if today > state.settled_on:
                ids.update(_due(conn, today))
            graded = _store(db, profile, today, sorted(ids), progress) if ids else 0
        if not db.county:  # a county's connection regraded its own units only
            conn.execute(
                "UPDATE unit_grades_state SET fingerprint = ?, settled_on = ? WHERE id = 1",
                (fingerprint(text), today.isoformat()),
            )
    return graded


def ensure_current(db: Database, *, today: date, progress: Progress | None = None) -> int:
    """:func:`settle` when anything is to do for ``today``, else nothing (two small reads);
    a read-only database is left as it is."""
    if db.read_only:
        return 0
    state = _state(db.conn)
    if (
        not state.any_stale
        and state.settled_on == today
        and not _whole_needed(db.conn, state, today)
    ):
        return 0
    return settle(db, today=today, progress=progress)


def settle_stale(db: Database, *, progress: Progress | None = None) -> int:
    """Grade the stale units as of the settled day and replace their rows, inside the
    caller's transaction; nothing while the rows wait for a whole fill."""
    conn = db.conn
    state = _state(conn)
    if not state.any_stale or _whole_needed(conn, state, None):
        return 0
    assert state.settled_on is not None
    ids = sorted(int(r[0]) for r in conn.execute("SELECT unit_id FROM unit_grades_stale"))
    return _store(db, _parsed(_profile_text(conn)), state.settled_on, ids, progress)


def live_grade(db: Database, unit_id: int) -> LiveGrade | None:
    row = db.conn.execute(
        "SELECT unit_id, grade, label, tier, reasons, as_of, next_change, next_grade"
        " FROM unit_grades WHERE unit_id = ?",
        (unit_id,),
    ).fetchone()
    if row is None:
        return None
    return LiveGrade(
        int(row[0]),
        str(row[1]),
        str(row[2]),
        None if row[3] is None else str(row[3]),
        tuple(c for c in str(row[4]).split(",") if c),
        date.fromisoformat(str(row[5])),
        None if row[6] is None else date.fromisoformat(str(row[6])),
        None if row[7] is None else str(row[7]),
    )


def _settle_stale_before_commit(db: Database) -> None:
    try:
        settle_stale(db)
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):  # a database not yet at schema 12
            raise


def install() -> None:
    """Put the before-commit hook in place (once a process; again does nothing). Storage
    cannot import this module, so the layer that opens registers calls it
    (core/app/files.py): then every transaction of every register the process opens
    regrades the units it touched before it commits."""
    if _settle_stale_before_commit not in connection.BEFORE_COMMIT:
        connection.BEFORE_COMMIT.append(_settle_stale_before_commit)


def problems(db: Database) -> list[str]:
    """For ``check``: every stored row against a fresh grade as of the day it was stored
    for (the rows are derived, not audited, so they are recomputed instead), and every
    unit without a row that should have one. A row changed, added or removed behind the
    program's back is named; rows waiting to be regraded (stale, never filled, other
    rules) are not judged."""
    conn = db.conn
    if not dialect.has_table(conn, "unit_grades_state"):
        return []
    state = _state(conn)
    if state.settled_on is None or state.fingerprint != fingerprint(_profile_text(conn)):
        return []
    stale = {int(r[0]) for r in conn.execute("SELECT unit_id FROM unit_grades_stale")}
    stored: dict[int, tuple[str, str]] = {}
    by_day: dict[date, list[int]] = {}
    for uid, grade, reasons, as_of in conn.execute(
        "SELECT unit_id, grade, reasons, as_of FROM unit_grades"
    ):
        stored[int(uid)] = (str(grade), str(reasons))
        by_day.setdefault(date.fromisoformat(str(as_of)), []).append(int(uid))
    missing = [
        int(r[0])
        for r in conn.execute(
            "SELECT id FROM units WHERE id NOT IN (SELECT unit_id FROM unit_grades)"
        )
    ]
    by_day.setdefault(state.settled_on, []).extend(missing)
    profile = _parsed(_profile_text(conn))
    codes = dict(conn.execute("SELECT id, uscc FROM units").fetchall())
    found: list[str] = []
    for day, ids in sorted(by_day.items()):
        wanted = sorted(set(ids) - stale)
        if not wanted:
            continue
        results, _ends = _grade(db, profile, day, wanted)
        fresh = {r.unit_id: (r.grade, ",".join(c.code for c in r.reasons)) for r in results}
        for uid in wanted:
            have, want = stored.get(uid), fresh.get(uid)
            if have == want:
                continue
            kept, fresh_grade = have[0] if have else "缺失", want[0] if want else "无"
            found.append(
                f"企业 {codes.get(uid, f'编号 {uid}')} 保存的实时信用等级（{kept}）"
                f"与按记录重新评定的（{fresh_grade}）不一致：等级表被程序以外的工具改动过"
                "（打开数据库时会重新计算）。"
            )
            if len(found) >= 20:
                return found
    return found
