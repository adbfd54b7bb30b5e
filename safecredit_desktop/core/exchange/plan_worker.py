"""The import's planning worker: a process of its own that reads and plans workbooks.

:mod:`.parallel_import` starts it (spawn, so the same on Windows, Linux and in the
bundle) and keeps it for the program's life. For each :class:`PlanJob` it receives it
opens the database on its own read connection, says the audit head it plans against,
reads the workbook and plans it with the serial path's own functions
(:func:`.reading.read_workbook`, :func:`.planning.plan_import`), sending the planned rows
as they come, then a :class:`PlanOutline` (everything of the plan but its rows). Any
failure is sent as one ``failed`` message and the worker waits for the next job: the
parent then runs the serial path, which reports the failure in its own words.

Messages (pickled over the pipe), in order: ``("head", audit_head)``, any number of
``("progress", fraction, text)`` and ``("rows", sheet name, rows, sheet finished, faults
so far, the pinyin search keys of the units' names)``, then ``("done", PlanOutline)``
or, at any point, ``("failed", text)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from multiprocessing.connection import Connection
from pathlib import Path

from safecredit_desktop.core.exchange.columns import SHEET_BY_NAME
from safecredit_desktop.core.exchange.import_errors import CellError
from safecredit_desktop.core.exchange.planning import plan_import
from safecredit_desktop.core.exchange.plans import (
    ADD,
    UPDATE,
    ConflictChange,
    ImportPlan,
    PlannedRow,
)
from safecredit_desktop.core.exchange.reading import read_workbook
from safecredit_desktop.core.pinyin_index import NameKeys, name_keys
from safecredit_desktop.core.rules.profile import Profile, parse_profile
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.location import Location

READING_SHARE = 0.4
"""The part of the worker's progress that reading the workbook takes (planning the rest)."""
PLANNING_SHARE = 1 - READING_SHARE


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


def _search_keys(sheet: str, rows: list[PlannedRow]) -> dict[str, NameKeys]:
    """The pinyin search keys of the units to be stored: worked out here, on this core,
    rather than by the writing process."""
    if SHEET_BY_NAME[sheet].table != "units":
        return {}
    names = {r.record.name for r in rows if r.action in (ADD, UPDATE)}
    return {name: name_keys(name) for name in names}


def plan_job(job: PlanJob, conn: Connection) -> None:
    """Plan one workbook, sending what is planned as it is planned."""

    def send(*message: object) -> None:
        conn.send(message)

    def rows_planned(name: str, rows: list[PlannedRow], finished: bool, faulty: bool) -> None:
        send("rows", name, rows, finished, faulty, _search_keys(name, rows))

    db = Database.open(job.location, upgrade=False)
    try:
        db.confine(job.confined_to)
        # read first: the parent writes only if nothing was committed since this head
        head = int(db.conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0])
        send("head", head)
        parsed = read_workbook(
            job.path,
            include_hidden=job.include_hidden,
            progress=lambda f, text: send("progress", READING_SHARE * f, text),
        )
        plan = plan_import(
            db,
            parsed,
            profile=job.profile,
            accept_bad_check=job.accept_bad_check,
            today=job.today,
            progress=lambda f, text: send("progress", READING_SHARE + PLANNING_SHARE * f, text),
            release_rows=True,
            on_rows=rows_planned,
        )
        send("done", PlanOutline.of(plan))
    finally:
        db.close()
