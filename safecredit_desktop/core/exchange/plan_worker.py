"""The import's planning worker: a process of its own that reads and plans workbooks.

:mod:`.parallel_import` starts it (spawn, so the same on Windows, Linux and in the
bundle) and keeps it for the program's life. For each :class:`PlanJob` it receives it
opens the database on its own read connection, says the audit head it plans against,
reads the workbook (each sheet when planning comes to it: :func:`.reading.read_on_demand`)
and plans it with the serial path's own :func:`.planning.plan_import`, sending the planned rows
as they come, then a :class:`PlanOutline` (everything of the plan but its rows). Any
failure is sent as one ``failed`` message and the worker waits for the next job: the
parent then runs the serial path, which reports the failure in its own words.

Messages (pickled over the pipe), in order: ``("head", audit_head)``, any number of
``("progress", fraction, text)`` and ``("rows", sheet name, rows, sheet finished, faults
so far, the rows to add made ready to insert or None)``, then ``("done", PlanOutline)``
or, at any point, ``("failed", text)``.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from datetime import date
from multiprocessing.connection import Connection
from pathlib import Path

from safecredit_desktop.core.exchange.columns import SHEET_BY_NAME
from safecredit_desktop.core.exchange.import_errors import CellError
from safecredit_desktop.core.exchange.planning import plan_import
from safecredit_desktop.core.exchange.plans import (
    ADD,
    UNCHANGED,
    ConflictChange,
    ImportPlan,
    PlannedRow,
)
from safecredit_desktop.core.exchange.reading import SheetsOnDemand, read_on_demand
from safecredit_desktop.core.rules.profile import Profile, parse_profile
from safecredit_desktop.core.storage import county
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.location import Location
from safecredit_desktop.core.storage.repository import PreparedInserts, Repository


class NoDataRows(Exception):
    """The workbook has headers only (the serial path says so in its words)."""


@dataclass(frozen=True)
class PlanJob:
    """What the worker needs to plan a workbook as the parent's session would."""

    location: Location
    confined_to: str
    path: Path
    include_hidden: bool
    accept_bad_check: bool
    today: date
    profile_text: str  # the profile as stored (a parsed one holds read-only mappings,
    profile_source: str  # which do not pickle); parsed again in the worker

    @property
    def profile(self) -> Profile:
        return parse_profile(self.profile_text, source=self.profile_source)


@dataclass(frozen=True)
class PlanOutline:
    """A plan without its rows (those were sent as they were planned)."""

    sheets: tuple[tuple[str, str], ...]  # (sheet name, title in the workbook), in order
    conflicts: tuple[ConflictChange, ...]
    errors: tuple[CellError, ...]
    ignored_sheets: tuple[str, ...]
    audit_head: int
    error_total: int
    only_bad_check: bool
    hidden_sheets: tuple[str, ...]
    hidden_included: bool

    @classmethod
    def of(cls, plan: ImportPlan) -> PlanOutline:
        return cls(
            tuple((s.spec.name, s.title) for s in plan.sheets),
            tuple(plan.conflicts),
            tuple(plan.errors),
            tuple(plan.ignored_sheets),
            plan.audit_head,
            plan.error_total,
            plan.only_bad_check,
            tuple(plan.hidden_sheets),
            plan.hidden_included,
        )


def serve(conn: Connection) -> None:
    """The worker's loop: one job after another until the parent closes the pipe."""
    # Ctrl+C in a terminal reaches the whole process group: the parent stops the job
    # (and this process), which has nothing of its own to say about it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            plan_job(job, conn)
        except BaseException as exc:  # reported; the parent falls back
            try:
                conn.send(("failed", f"{type(exc).__name__}: {exc}"))
            except (OSError, ValueError):
                return
            if not isinstance(exc, Exception):
                raise


class _Preparer:
    """The rows to add made ready to insert here, on this core (``to_row``, natural keys,
    audit texts; the units' search keys are left to the writer): the ids
    they will get are the next ones of each table in the order the writer inserts them,
    which it checks (``Repository.write_prepared``)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.repo = Repository(db, "")
        self.next_ids: dict[str, int] = {}
        self.unit_ids = {str(u): int(i) for u, i in db.conn.execute("SELECT uscc, id FROM units")}

    def prepare(self, sheet: str, rows: list[PlannedRow]) -> list[PreparedInserts] | None:
        table = SHEET_BY_NAME[sheet].table
        if table == "repairs":  # their targets are looked up by the writer
            return None
        added = [r for r in rows if r.action == ADD]
        if not added:
            return []
        if table not in ("units", "inspectors"):
            for planned in added:
                planned.record.unit_id = self.unit_ids[planned.unit_code]
        first = self.next_ids.get(table)
        if first is None:
            first = county.max_id(self.db.conn, table, confined=bool(self.db.county)) + 1
        self.next_ids[table] = first + len(added)
        # the units' pinyin keys are made by the writer, which writes the units while this
        # process reads on (the two then have about as much to do)
        records = [r.record for r in added]
        prepared = list(
            self.repo.prepare_inserts(records, first, audit_text=True, search_keys=False)
        )
        for new_id, planned in enumerate(added, start=first):
            planned.record.id = new_id
            if table == "units":
                self.unit_ids[planned.record.uscc] = new_id
        return prepared


def _as_needed(sheet: str, rows: list[PlannedRow], prepared: bool) -> list[PlannedRow]:
    """The rows as the writer needs them: a record to add that was made ready to insert,
    or one unchanged, is only counted there (its record stays here: half of what would
    cross the pipe). A unit's record stays (the summary names accepted codes and new
    towns); an update's is written from it."""
    if SHEET_BY_NAME[sheet].table == "units":
        return rows
    return [
        PlannedRow(r.row, r.action, None, r.unit_code)
        if r.action == UNCHANGED or (prepared and r.action == ADD)
        else r
        for r in rows
    ]


def plan_job(job: PlanJob, conn: Connection) -> None:
    """Plan one workbook, sending what is planned as it is planned."""

    def send(*message: object) -> None:
        conn.send(message)

    def rows_planned(name: str, rows: list[PlannedRow], finished: bool, faulty: bool) -> None:
        # with a fault nothing will be written: the rows are only counted
        prepared = None if faulty else preparer.prepare(name, rows)
        send("rows", name, _as_needed(name, rows, prepared is not None), finished, faulty, prepared)

    db = Database.open(job.location, upgrade=False)
    try:
        db.confine(job.confined_to)
        preparer = _Preparer(db)
        # read first: the parent writes only if nothing was committed since this head
        head = int(db.conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0])
        send("head", head)
        send("progress", 0.0, "检查工作簿的大小")
        # each sheet read when planning comes to it: the units are planned and handed
        # over while the records are still to be read
        with read_on_demand(job.path, include_hidden=job.include_hidden) as parsed:
            plan = plan_import(
                db,
                parsed,
                profile=job.profile,
                accept_bad_check=job.accept_bad_check,
                today=job.today,
                progress=lambda f, text: send("progress", f, text),
                release_rows=True,
                on_rows=rows_planned,
            )
            sheets = parsed.sheets
            if not parsed.errors and isinstance(sheets, SheetsOnDemand) and not sheets.rows_read:
                # refused with read_workbook's own sentence by the serial path
                raise NoDataRows(job.path.name)
        send("done", PlanOutline.of(plan))
    finally:
        db.close()
