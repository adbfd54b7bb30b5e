"""Importing a big workbook on both cores: planned in a worker process, written here.

The serial import reads, plans and writes one after the other on one core; a city
rolling up ten county workbooks waited for all three. Here the worker
(:mod:`.plan_worker`, a process kept for the program's life) reads and plans the
workbook with the serial path's own functions and hands over the planned rows a few
thousand at a time, while this process takes the pre-import backup and writes each
piece as it arrives — in one transaction, through :class:`.applying.PlanWriter` (the
serial path's writer), so the statements, ids and audit entries are the serial path's.

All or nothing still holds: the transaction is committed only after the worker has
planned the last row and found no fault; a bad cell anywhere rolls everything back and
raises the serial path's :class:`WorkbookError`. Writing starts only after the write
lock is taken and the audit head is the one the worker planned against (nothing can be
committed by anyone else after that). Anything wrong with the worker itself — it cannot
start, dies, reports a failure (an unreadable file too), or the database changed since
its snapshot — raises :class:`WorkerUnavailable` with nothing written, and the caller
runs the serial path, which gives the user its own messages.

``SAFECREDIT_IMPORT_WORKER``: ``never`` (always serial), ``always`` (any size; tests use
it); unset, the worker plans workbooks of :data:`MIN_BYTES` or more (below that, starting
or waking a process costs more than it saves).
"""

from __future__ import annotations

import dataclasses
import itertools
import multiprocessing
import os
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from safecredit_desktop.core.collector import paused_collector
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.exchange import plan_worker
from safecredit_desktop.core.exchange.applying import PlanWriter, check_not_stale
from safecredit_desktop.core.exchange.columns import SHEET_BY_NAME
from safecredit_desktop.core.exchange.import_errors import Progress
from safecredit_desktop.core.exchange.import_towns import known_towns, planned_towns
from safecredit_desktop.core.exchange.plan_worker import PlanJob, PlanOutline
from safecredit_desktop.core.exchange.plans import ImportPlan, PlannedRow, SheetPlan
from safecredit_desktop.core.storage import bulk
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.repository import (
    PreparedInserts,
    PreparedOutOfStep,
    Repository,
)

__all__ = [
    "MIN_BYTES",
    "Pending",
    "PlanJob",
    "WorkerUnavailable",
    "import_streamed",
    "worker_wanted",
]

MIN_BYTES = 1_000_000
"""Workbooks from this size (about 15,000 rows) are planned by the worker."""

ENVIRONMENT = "SAFECREDIT_IMPORT_WORKER"

WRITING_SHARE = 0.9
"""The progress reported while the worker plans and rows are written (grading the rest)."""


class WorkerUnavailable(SafeCreditError):
    """The worker could not plan this import; nothing was written (run the serial path)."""


def worker_wanted(path: Path) -> bool:
    """Whether an import of ``path`` (not a dry run) goes through the worker."""
    choice = os.environ.get(ENVIRONMENT, "").strip().lower()
    if choice == "never":
        return False
    if choice == "always":
        return True
    try:
        return Path(path).stat().st_size >= MIN_BYTES
    except OSError:
        return False


# -- the worker process ------------------------------------------------------------------


class _Worker:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=plan_worker.serve, args=(child,), name="safecredit-plan-worker", daemon=True
        )
        try:
            self.process.start()
        finally:
            child.close()

    def stop(self) -> None:
        self.conn.close()
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


_lock = threading.Lock()  # one job at a time; another import meanwhile goes serial
_worker: _Worker | None = None


def _started_worker() -> _Worker:
    global _worker
    if _worker is not None and _worker.process.is_alive():
        return _worker
    discard_worker()
    try:
        _worker = _Worker()
    except Exception as exc:  # no process for us: the serial path runs
        raise WorkerUnavailable(f"无法启动后台检查进程：{exc}") from exc
    return _worker


def discard_worker() -> None:
    """Stop the worker (the next import starts a new one)."""
    global _worker
    worker, _worker = _worker, None
    if worker is not None:
        with suppress(Exception):
            worker.stop()


def worker_pid() -> int | None:
    """The worker's process id, or None when none is running (for tests)."""
    worker = _worker
    return worker.process.pid if worker is not None and worker.process.is_alive() else None


# -- the stream of planned rows ------------------------------------------------------------

Chunk = tuple[str, list[PlannedRow], bool, bool, list[PreparedInserts] | None]


_END = ("eof",)


@dataclass
class PlanStream:
    """The worker's messages for one job, read in order.

    A thread of this process takes them off the pipe as they come, so that the worker
    never waits for this process to read (a pipe holds far less than one piece of rows)
    while it backs up or writes."""

    conn: Connection
    path: Path
    progress: Progress | None
    head: int = -1
    outline: PlanOutline | None = None
    failed: bool = False  # the worker said so, and waits for its next job
    rows: dict[str, list[PlannedRow]] = field(default_factory=dict)
    inbox: queue.SimpleQueue[tuple[Any, ...]] = field(default_factory=queue.SimpleQueue)

    def start(self) -> None:
        threading.Thread(target=self._take, name="safecredit-plan-inbox", daemon=True).start()

    def _take(self) -> None:
        while True:
            try:
                message: tuple[Any, ...] = self.conn.recv()
            except Exception:  # the pipe closed (worker gone or stopped) or unpicklable
                self.inbox.put(_END)
                return
            self.inbox.put(message)
            if message[0] in ("done", "failed"):
                return

    def _receive(self) -> tuple[Any, ...]:
        while True:
            message = self.inbox.get()
            kind = message[0]
            if kind == "eof":
                raise WorkerUnavailable("后台检查进程意外退出。")
            if kind == "progress":
                if self.progress is not None:
                    self.progress(WRITING_SHARE * float(message[1]), str(message[2]))
                continue
            if kind == "failed":
                self.failed = True
                raise WorkerUnavailable(str(message[1]))
            return message

    def read_head(self) -> int:
        message = self._receive()
        if message[0] != "head":
            raise WorkerUnavailable(f"后台检查进程的回复不对：{message[0]}")
        self.head = int(message[1])
        return self.head

    def chunks(self) -> Iterator[Chunk]:
        """The planned rows as they come (kept for the plan), until the outline."""
        while True:
            message = self._receive()
            if message[0] == "done":
                self.outline = message[1]
                return
            if message[0] != "rows":
                raise WorkerUnavailable(f"后台检查进程的回复不对：{message[0]}")
            _, name, rows, finished, faulty, prepared = message
            self.rows.setdefault(name, []).extend(rows)
            yield name, rows, finished, faulty, prepared

    def plan(self) -> ImportPlan:
        """The whole plan, as the serial path would have made it."""
        outline = self.outline
        if outline is None:
            raise WorkerUnavailable("后台检查进程没有做完。")
        sheets = [
            SheetPlan(SHEET_BY_NAME[name], title, self.rows.get(name, []))
            for name, title in outline.sheets
        ]
        return ImportPlan(
            self.path,
            sheets,
            list(outline.conflicts),
            list(outline.errors),
            list(outline.ignored_sheets),
            outline.audit_head,
            error_total=outline.error_total,
            only_bad_check=outline.only_bad_check,
            hidden_sheets=outline.hidden_sheets,
            hidden_included=outline.hidden_included,
        )


@contextmanager
def planned_by_worker(job: PlanJob, progress: Progress | None) -> Iterator[PlanStream]:
    """The worker planning ``job``; the block reads its stream. Left before the stream
    ended (an error, a cancel), the worker is stopped: its pipe holds a job half read."""
    if not _lock.acquire(blocking=False):
        raise WorkerUnavailable("后台检查进程正忙。")
    try:
        worker = _started_worker()
        stream = PlanStream(worker.conn, job.path, progress)
        # the worker was started in some folder, maybe not this one now: it is told
        # where the files are, not how to find them from here
        there = dataclasses.replace(
            job,
            location=job.location.absolute() if isinstance(job.location, Path) else job.location,
            path=job.path.absolute(),
        )
        try:
            try:
                worker.conn.send(there)
            except Exception as exc:  # a pipe gone, or something that does not pickle
                raise WorkerUnavailable(f"无法把任务交给后台检查进程：{exc}") from exc
            stream.start()
            stream.read_head()
            yield stream
        finally:
            if stream.outline is None and not stream.failed:
                discard_worker()
    finally:
        _lock.release()


# -- writing what is planned ---------------------------------------------------------------


class Pending:
    """A job run in a thread of its own once started (the pre-import backup: SQLite's
    backup step and the file's sync run without holding the interpreter, so the copy is
    made while the rows are written)."""

    def __init__(self, job: Callable[[], Path]) -> None:
        self._job = job
        self._thread: threading.Thread | None = None
        self._result: Path | None = None
        self._error: BaseException | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="safecredit-backup", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._result = self._job()
        except BaseException as exc:  # handed to whoever waits for the result
            self._error = exc

    def result(self) -> Path:
        """The job's result, once it is done (its error raised here)."""
        if self._thread is None:
            raise RuntimeError("Pending.result before start")
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    def settled(self) -> Path | None:
        """The job's result once done, or None if it failed or never started."""
        if self._thread is None:
            return None
        self._thread.join()
        return self._result


@dataclass(frozen=True)
class Written:
    plan: ImportPlan
    new_towns: tuple[str, ...]
    backup: Path


@paused_collector
def import_streamed(
    db: Database,
    repo: Repository,
    stream: PlanStream,
    *,
    backup: Pending,
    require_role: Callable[[ImportPlan], None],
    progress: Progress | None = None,
) -> Written:
    """Write the stream's rows as they come, in one transaction committed only when the
    whole plan is faultless, ``require_role`` accepts it and ``backup`` (started here,
    as soon as the worker has said its audit head) has made its copy — raising
    otherwise: all rolled back. Nothing is written for a plan that changes nothing."""
    # The copy is made while the worker reads the workbook. It starts after the worker
    # read its audit head and the write below checks that head is still the database's:
    # the log only grows, so the copy's state is then exactly the one planned against
    # (what this connection writes stays unseen by the copy's until the commit, which
    # waits for the copy).
    backup.start()
    chunks = stream.chunks()
    # the write lock is taken when there is something to write: while the worker reads
    # the workbook, the window may still save (the plan then goes stale, see above)
    first = next(chunks, None)
    with bulk.larger_cache(db), db.transaction():
        try:
            check_not_stale(db, stream.head)
        except SafeCreditError as exc:
            raise WorkerUnavailable(str(exc)) from exc
        writer = PlanWriter(db, repo)
        known: set[str] | None = None
        towns: set[str] = set()
        writing = True
        for name, rows, finished, faulty, prepared in itertools.chain(
            [first] if first else [], chunks
        ):
            writing = writing and not faulty  # a fault: the rest is only collected
            if not writing:
                continue
            spec = SHEET_BY_NAME[name]
            if spec.table == "units":
                if known is None:
                    known = known_towns(db)  # before this import's units are written
                towns |= planned_towns(rows)
            try:
                writer.write(spec, rows, prepared)
            except PreparedOutOfStep as exc:  # cannot be, once the head is checked
                raise WorkerUnavailable(str(exc)) from exc
            if finished:
                writer.end_sheet()
        plan = stream.plan()
        plan.raise_for_errors()
        require_role(plan)
        if plan.changed:
            writer.finish(plan, progress=_grading_progress(progress))
        copy = backup.result()  # before the commit: no import without its backup
    return Written(plan, tuple(sorted(towns - (known or set()))), copy)


def _grading_progress(progress: Progress | None) -> Progress | None:
    if progress is None:
        return None
    report = progress

    def part(fraction: float, text: str) -> None:
        report(WRITING_SHARE + (1 - WRITING_SHARE) * fraction, text)

    return part
