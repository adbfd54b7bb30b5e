"""What a write touched: the tables written by committed transactions (Anki's OpChanges).

Every writer in ``storage/`` (and the few modules that write their own tables) already
knows which table it writes; it says so with ``note_written(conn, table, …)``. The
connection keeps the names of the open transaction apart, so a transaction that rolls
back (or a savepoint rolled back to) reports nothing, and ``Database.take_changes``
hands over what committed since it was last asked. The window refreshes the pages that
show those tables instead of guessing from the call it made.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Table(StrEnum):
    """Every table of the schema, by the name SQL knows it (tests/core/test_changes.py
    checks this list against the database)."""

    UNITS = "units"
    INSPECTIONS = "inspections"
    ACCIDENTS = "accidents"
    PENALTIES = "penalties"
    VIOLATIONS = "violations"
    COMMITMENTS = "commitments"
    HONOURS = "honours"
    JOINT_PUNISHMENTS = "joint_punishments"
    REPAIRS = "repairs"
    INSPECTORS = "inspectors"
    INSPECTOR_CONFLICTS = "inspector_conflicts"
    DELETED_RECORDS = "deleted_records"
    SETTINGS = "settings"
    USERS = "users"
    AUDIT_LOG = "audit_log"
    AUDIT_CHECKPOINT = "audit_checkpoint"
    HOLIDAYS = "holidays"
    ASSESSMENTS = "assessments"
    ASSESSMENT_GRADES = "assessment_grades"
    PLAN_ADOPTIONS = "plan_adoptions"
    PLAN_ITEMS = "plan_items"
    DRAWS = "draws"
    DRAW_SELECTIONS = "draw_selections"
    DOCUMENTS = "documents"
    DOCUMENT_FILES = "document_files"
    LIST_ENTRIES = "list_entries"
    OBJECTIONS = "objections"
    REPAIR_APPLICATIONS = "repair_applications"
    PERMITS = "permits"
    LIST_ENTRY_RECORDS = "list_entry_records"
    ACCOUNT_RECOVERIES = "account_recoveries"
    UNIT_GRADES = "unit_grades"
    UNIT_GRADES_STALE = "unit_grades_stale"
    UNIT_GRADES_STATE = "unit_grades_state"
    INSPECTION_UNIT_TOTALS = "inspection_unit_totals"


KNOWN_TABLES: frozenset[str] = frozenset(t.value for t in Table)

# The records a clerk enters (the registry's and a unit's timeline's tables).
RECORD_TABLES: frozenset[str] = frozenset(
    {
        Table.UNITS,
        Table.INSPECTIONS,
        Table.ACCIDENTS,
        Table.PENALTIES,
        Table.VIOLATIONS,
        Table.COMMITMENTS,
        Table.HONOURS,
        Table.JOINT_PUNISHMENTS,
        Table.REPAIRS,
    }
)
# What a grade is computed from: the records, the workflow outcomes that change how a
# record counts (objections, repair applications, lists), and the working calendar.
GRADE_INPUTS: frozenset[str] = RECORD_TABLES | {
    Table.OBJECTIONS,
    Table.REPAIR_APPLICATIONS,
    Table.LIST_ENTRIES,
    Table.LIST_ENTRY_RECORDS,
    Table.HOLIDAYS,
    Table.SETTINGS,
}
# Written as a side effect of every change; nobody shows them as data.
BOOKKEEPING: frozenset[str] = frozenset({Table.AUDIT_LOG, Table.AUDIT_CHECKPOINT})


@dataclass(frozen=True)
class Changes:
    """The tables written by one operation (empty: nothing was stored)."""

    tables: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.tables - BOOKKEEPING)

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.tables | other.tables)

    def __contains__(self, table: object) -> bool:
        return table in self.tables

    def touches(self, watched: Iterable[str]) -> bool:
        """True when any of ``watched`` was written."""
        return not self.tables.isdisjoint(watched)

    @property
    def data_tables(self) -> frozenset[str]:
        """The written tables other than the audit log's bookkeeping."""
        return self.tables - BOOKKEEPING

    def __str__(self) -> str:
        return "、".join(sorted(self.data_tables)) or "（无）"


NO_CHANGES = Changes()
# Everything may have changed (another database opened, a restore): every page rereads.
EVERYTHING = Changes(KNOWN_TABLES)


class TrackedConnection(sqlite3.Connection):
    """A connection that remembers which tables were written: ``pending`` for the open
    transaction, ``committed`` for transactions committed and not yet taken (the
    PostgreSQL connection, ``pg.PgConnection``, keeps the same two sets)."""

    tracks_changes = True

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.pending: set[str] = set()
        self.committed: set[str] = set()


def tracks_changes(conn: object) -> bool:
    """Whether ``conn`` keeps the ``pending``/``committed`` sets (either engine's)."""
    return bool(getattr(conn, "tracks_changes", False))


def note_written(conn: sqlite3.Connection, *tables: str) -> None:
    """Record that ``tables`` were written on ``conn`` (in its open transaction, or at
    once in autocommit mode). Connections that do not track (read-only ones, a backup's)
    are ignored."""
    if tracks_changes(conn):
        tracked: TrackedConnection = conn  # type: ignore[assignment]
        target = tracked.pending if tracked.in_transaction else tracked.committed
        target.update(tables)
