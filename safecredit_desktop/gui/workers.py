"""Run a service off the UI thread with a progress dialog and a cancel button.

The service gets ``report(fraction, sentence)``; after 取消 is pressed the next
``report`` raises ``Cancelled`` inside the worker, so the service's transaction rolls
back and nothing is half-written. The UI thread waits in a local event loop and so
stays responsive (repaints, the cancel button) without touching the database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QEventLoop, QThread, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from safecredit_desktop.core.errors import Cancelled

T = TypeVar("T")
Report = Callable[[float, str], None]


class _Worker(QThread):
    progressed = Signal(float, str)

    def __init__(self, job: Callable[[Report], Any]) -> None:
        super().__init__()
        self._job = job
        self.cancel_requested = False
        self.result: Any = None
        self.error: BaseException | None = None

    def _report(self, fraction: float, text: str) -> None:
        if self.cancel_requested:
            raise Cancelled()
        self.progressed.emit(fraction, text)

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

    def on_progress(fraction: float, text: str) -> None:
        dialog.setValue(int(max(0.0, min(1.0, fraction)) * 1000))
        dialog.setLabelText(text)

    def on_cancel() -> None:
        worker.cancel_requested = True
        dialog.setLabelText(dialog.tr("正在取消，已写入的内容将被撤回…"))

    loop = QEventLoop()
    # a job that reports rarely still shows its dialog (and cancel button) after a moment
    show_timer = QTimer()
    show_timer.setSingleShot(True)
    show_timer.timeout.connect(dialog.forceShow)
    worker.progressed.connect(on_progress)
    worker.finished.connect(loop.quit)
    dialog.canceled.connect(on_cancel)
    worker.start()
    show_timer.start(400)
    if worker.isRunning():
        loop.exec()
    worker.wait()
    show_timer.stop()
    dialog.canceled.disconnect(on_cancel)
    dialog.close()
    dialog.deleteLater()
    if worker.error is not None:
        raise worker.error
    result: T = worker.result  # finished before the cancel took effect: keep the result
    return result
