"""The window's one handler for the unexpected (Anki's aqt/errors.py).

A refusal of the program's own (``SafeCreditError``) is a sentence shown where the user
acted. Anything else — the database locked by another program, a full disk, an I/O
error, a bug — comes here: the traceback goes to a private, rotated log in the user data
folder, and the user reads a Chinese sentence saying what happened, that nothing typed
was lost, and where the log is. ``install`` makes this the last word for exceptions no
slot caught (``sys.excepthook``, ``threading.excepthook``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

from safecredit_desktop.core import app as core
from safecredit_desktop.core.paths import user_data_dir

LOG_NAME = "safecredit-errors.log"
LOG_BYTES = 1_000_000
LOG_KEEP = 3
_logger = logging.getLogger("safecredit_desktop.errors")
_logger.propagate = False
_pending: list[BaseException] = []  # from other threads, shown by the UI thread
_pending_lock = threading.Lock()


def log_path() -> Path:
    return user_data_dir() / "logs" / LOG_NAME


class _PrivateRotatingHandler(RotatingFileHandler):
    """A rotated log whose files only the user may read (tracebacks quote data)."""

    def _open(self):  # type: ignore[no-untyped-def]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.chmod(self.baseFilename, 0o600)  # also a file made earlier with another mode
        return os.fdopen(fd, self.mode.replace("w", "a"), encoding=self.encoding)


def _handler() -> logging.Handler:
    path = log_path()
    for existing in _logger.handlers:
        if getattr(existing, "baseFilename", None) == str(path):
            return existing
    for stale in list(_logger.handlers):  # the user data folder moved (tests)
        _logger.removeHandler(stale)
        stale.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = _PrivateRotatingHandler(
        path, maxBytes=LOG_BYTES, backupCount=LOG_KEEP, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    _logger.addHandler(handler)
    _logger.setLevel(logging.ERROR)
    return handler


def log_error(error: BaseException, where: str = "") -> Path:
    """Write ``error``'s traceback to the error log; its path."""
    handler = _handler()
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    _logger.error("%s\n%s", where or type(error).__name__, text.rstrip())
    handler.flush()
    return log_path()


def _tr(text: str) -> str:
    return QCoreApplication.translate("errors", text)


def message_for(error: BaseException, log: Path) -> str:
    """The sentence the user reads: what went wrong (``core.failure_message`` for
    the database and the disk, a general one for a program error), then where the log is."""
    known = core.failure_message(error)
    if known is None:
        known = _tr(
            "程序遇到了意外的问题，这一步没有完成。已保存的数据不受影响，"
            "窗口中填写的内容仍然保留，可以检查后再试一次。"
        )
    where = _tr("如果问题反复出现，请把错误日志交给技术支持：{log}").format(log=log)
    return f"{known}\n\n{where}"


def show_unexpected(parent: QWidget | None, error: BaseException, title: str = "") -> str:
    """Log ``error`` and tell the user in a sentence; the sentence shown."""
    try:
        log = log_error(error, title)
    except OSError:  # the log itself cannot be written (a full disk): still say it
        log = log_path()
    text = message_for(error, log)
    QMessageBox.critical(parent, title or _tr("出错了"), text)
    return text


def _excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, tb)
        return
    if error.__traceback__ is None:
        error = error.with_traceback(tb)
    show_unexpected(None, error)


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    error = args.exc_value
    if error is None or isinstance(error, SystemExit):
        return
    with contextlib.suppress(OSError):  # the log cannot be written: still say it
        log_error(error, f"线程 {args.thread.name if args.thread else '?'}")
    with _pending_lock:  # a message box belongs to the UI thread: shown by its timer
        _pending.append(error)


def _show_pending() -> None:
    with _pending_lock:
        errors, _pending[:] = list(_pending), []
    for error in errors:
        QMessageBox.critical(None, _tr("出错了"), message_for(error, log_path()))


def install(app: QCoreApplication) -> QTimer:
    """Make this module the handler of last resort for the window's process."""
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook
    timer = QTimer(app)  # parented: lives as long as the application
    timer.setInterval(500)
    timer.timeout.connect(_show_pending)
    timer.start()
    return timer
