"""Run a long job off the UI thread, on its own connection, behind a modal progress
dialog with a cancel button.

The job gets ``(session, report)``: ``session`` is the worker's own — the same database,
user and role on a connection opened in the worker thread (``session.reopen()``) and
closed when the job ends — never the window's, so the window's transactions and the
job's cannot mix (a save made in the window cannot join the job's transaction and
vanish when the job is cancelled). What the job wrote is handed back with its result
(``session.take_changes()`` of the worker's session, absorbed into the window's), so the
operation that ran it announces it.

``report(fraction, sentence)`` shows progress; after 取消 the next ``report`` raises
``Cancelled`` inside the worker, so the job's transaction rolls back and nothing is
half-written. The UI thread waits in a local event loop and so stays responsive
(repaints, the cancel button) without touching the database; the dialog is
application-modal and, until it shows (after a moment, so quick jobs do not flash),
clicks and keys meant for other windows are dropped. Timers still run: an operation
they start waits for the job (``wait_for_jobs``) before it touches the database.

Progress crosses threads through a locked slot that a UI-thread timer polls, not a Qt
signal emitted from the worker, and nothing is ever disconnected: with PySide6 6.12,
``Signal.emit`` from a QThread's ``run`` and ``Signal.disconnect(callable)`` each release
a Python bool once too often, which after enough calls aborts the interpreter
("bool_dealloc"; tests/gui/test_workers.py counts references to catch a relapse).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QObject, Qt, QThread, QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.vocabulary import Changes
from safecredit_desktop.core.errors import Cancelled

T = TypeVar("T")
Report = Callable[[float, str], None]
Job = Callable[[core.Session, Report], T]
POLL_MS = 80
SHOW_AFTER_MS = 400
_running: list[_Worker] = []  # started and not yet waited for, oldest first
# Run in the worker thread as the job starts, with the worker's session (tests).
JOB_START_HOOKS: list[Callable[[core.Session], None]] = []


class _Worker(QThread):
    def __init__(self, origin: core.Session, job: Job[Any]) -> None:
        super().__init__()
        self._origin = origin
        self._job = job
        self._lock = threading.Lock()
        self._latest: tuple[float, str] | None = None
        self._cancel = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self.changes = Changes()

    def request_cancel(self) -> None:
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def take_progress(self) -> tuple[float, str] | None:
        with self._lock:
            latest, self._latest = self._latest, None
        return latest

    def _report(self, fraction: float, text: str) -> None:
        if self._cancel.is_set():
            raise Cancelled()
        with self._lock:
            self._latest = (fraction, text)

    def run(self) -> None:
        try:
            own = self._origin.reopen()  # reads only the origin's plain fields
        except BaseException as exc:  # handed to the UI thread
            self.error = exc
            return
        try:
            for hook in JOB_START_HOOKS:
                hook(own)
            self.result = self._job(own, self._report)
        except BaseException as exc:
            self.error = exc
        finally:
            try:
                self.changes = own.take_changes()  # what committed, even on failure
                own.close()
            except BaseException as exc:
                self.error = self.error or exc


class _InputBlocker(QObject):
    """Drops clicks and keys for every window but the progress dialog while a job runs
    (before the dialog shows, modality does not hold yet). Once the job has ended, an
    operation that waited for it may show its own dialogs: nothing is dropped then."""

    BLOCKED = frozenset(
        {
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseButtonRelease,
            QEvent.Type.MouseButtonDblClick,
            QEvent.Type.KeyPress,
            QEvent.Type.KeyRelease,
            QEvent.Type.Wheel,
            QEvent.Type.Shortcut,
            QEvent.Type.ShortcutOverride,
            QEvent.Type.Close,
        }
    )

    def __init__(self, dialog: QWidget, worker: QThread) -> None:
        super().__init__()
        self._dialog = dialog
        self._worker = worker

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() not in self.BLOCKED or not isinstance(watched, QWidget):
            return False
        if not self._worker.isRunning():
            return False
        if watched is self._dialog or self._dialog.isAncestorOf(watched):
            return False
        if event.type() == QEvent.Type.Close and not watched.isWindow():
            return False
        event.ignore()
        return True


def jobs_running() -> bool:
    return any(w.isRunning() for w in _running)


def wait_for_jobs() -> None:
    """Return once no worker job runs (keeping the window responsive meanwhile)."""
    busy = [w for w in _running if w.isRunning()]
    while busy:
        _wait_for(busy[0])
        busy = [w for w in _running if w.isRunning()]


def _wait_for(worker: _Worker) -> None:
    loop = QEventLoop()
    worker.finished.connect(loop.quit)
    # also polled: ``finished`` may have been emitted just before it was connected
    poll = QTimer()
    poll.setInterval(POLL_MS)
    poll.timeout.connect(lambda: None if worker.isRunning() else loop.quit())
    poll.start()
    if worker.isRunning():
        loop.exec()
    poll.stop()


def run_with_progress(
    parent: QWidget | None,
    title: str,
    job: Job[T],
    *,
    session: core.Session,
    cancellable: bool = True,
) -> T:
    """Run ``job(worker_session, report)`` in a thread on its own connection to
    ``session``'s database; return its result or raise its exception here. What it
    wrote is added to ``session``'s changes (announced by the calling operation)."""
    worker = _Worker(session, job)
    cancel_text = QCoreApplication.translate("workers", "取消")
    dialog = QProgressDialog(title, cancel_text, 0, 1000, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(SHOW_AFTER_MS)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    if not cancellable:
        dialog.setCancelButton(None)  # type: ignore[arg-type]

    def on_poll() -> None:
        latest = worker.take_progress()
        if latest is not None and not worker.cancel_requested:
            fraction, text = latest
            dialog.setValue(int(max(0.0, min(1.0, fraction)) * 1000))
            dialog.setLabelText(text)

    def on_cancel() -> None:
        if worker.isFinished():  # closing the dialog afterwards also sends canceled
            return
        worker.request_cancel()
        dialog.setLabelText(
            QCoreApplication.translate("workers", "正在取消，已写入的内容将被撤回…")
        )

    blocker = _InputBlocker(dialog, worker)
    app = QApplication.instance()
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(POLL_MS)
    poll.timeout.connect(on_poll)
    # a job that reports rarely still shows its dialog (and cancel button) after a moment
    show_timer = QTimer()
    show_timer.setSingleShot(True)
    show_timer.timeout.connect(dialog.forceShow)
    worker.finished.connect(loop.quit)
    dialog.canceled.connect(on_cancel)
    if app is not None:
        app.installEventFilter(blocker)
    _running.append(worker)
    try:
        worker.start()
        poll.start()
        show_timer.start(SHOW_AFTER_MS)
        if worker.isRunning():
            loop.exec()
        worker.wait()
    finally:
        _running.remove(worker)
        if app is not None:
            app.removeEventFilter(blocker)
        poll.stop()
        show_timer.stop()
        dialog.close()
        dialog.deleteLater()
    session.absorb_changes(worker.changes)
    if worker.error is not None:
        raise worker.error
    result: T = worker.result  # finished before the cancel took effect: keep the result
    return result
