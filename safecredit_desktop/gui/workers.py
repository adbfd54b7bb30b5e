"""Run a service off the UI thread with a progress dialog and a cancel button.

The service gets ``report(fraction, sentence)``; after 取消 is pressed the next
``report`` raises ``Cancelled`` inside the worker, so the service's transaction rolls
back and nothing is half-written. The UI thread waits in a local event loop and so
stays responsive (repaints, the cancel button) without touching the database.

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

from PySide6.QtCore import QEventLoop, QThread, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget

from safecredit_desktop.core.errors import Cancelled

T = TypeVar("T")
Report = Callable[[float, str], None]
POLL_MS = 80


class _Worker(QThread):
    def __init__(self, job: Callable[[Report], Any]) -> None:
        super().__init__()
        self._job = job
        self._lock = threading.Lock()
        self._latest: tuple[float, str] | None = None
        self._cancel = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None

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
            self.result = self._job(self._report)
        except BaseException as exc:  # handed to the UI thread
            self.error = exc


def run_with_progress(
    parent: QWidget | None,
    title: str,
    job: Callable[[Report], T],
    *,
    cancellable: bool = True,
) -> T:
    """Run ``job`` in a thread; return its result or raise its exception here."""
    worker = _Worker(job)
    dialog = QProgressDialog(title, parent.tr("取消") if parent else "取消", 0, 1000, parent)
    dialog.setWindowTitle(title)
    dialog.setMinimumDuration(300)
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
        dialog.setLabelText(dialog.tr("正在取消，已写入的内容将被撤回…"))

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
    worker.start()
    poll.start()
    show_timer.start(400)
    if worker.isRunning():
        loop.exec()
    worker.wait()
    poll.stop()
    show_timer.stop()
    dialog.close()
    dialog.deleteLater()
    if worker.error is not None:
        raise worker.error
    result: T = worker.result  # finished before the cancel took effect: keep the result
    return result
