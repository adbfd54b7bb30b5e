"""Long work off the UI thread, on its own connection: progress reaches the dialog, 取消
rolls everything back, what the job wrote is handed back, the window's connection is
never used by the worker."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot

from safecredit_desktop.core import app as core
from safecredit_desktop.core.errors import Cancelled
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.storage.changes import Table
from safecredit_desktop.core.storage.connection import WrongThreadError
from safecredit_desktop.gui import workers
from safecredit_desktop.gui.workers import run_with_progress


@pytest.fixture
def admin(session: core.Session) -> Iterator[core.Session]:
    session.role = Role.ADMIN
    yield session


def _progress_dialog() -> QProgressDialog | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QProgressDialog) and widget.isVisible():
            return widget
    return None


def test_result_and_progress(qtbot: QtBot, session: core.Session) -> None:
    seen: list[str] = []

    def job(own: core.Session, report) -> int:  # type: ignore[no-untyped-def]
        assert own.db.conn is not session.db.conn and own.user == session.user
        for step in range(3):
            report(step / 3, f"第 {step} 步")
            seen.append(str(step))
        return 42

    assert run_with_progress(None, "测试", job, session=session) == 42
    assert seen == ["0", "1", "2"]


def test_error_raised_in_ui_thread(qtbot: QtBot, session: core.Session) -> None:
    def job(own: core.Session, report) -> None:  # type: ignore[no-untyped-def]
        raise ValueError("坏了")

    with pytest.raises(ValueError, match="坏了"):
        run_with_progress(None, "测试", job, session=session)


def test_the_windows_connection_refuses_the_worker(qtbot: QtBot, admin: core.Session) -> None:
    """A job that reaches for the window's session (not its own) is refused there."""

    def job(own: core.Session, report) -> None:  # type: ignore[no-untyped-def]
        admin.schedule.set_holiday("2031-10-01", "休息日", "国庆节")

    with pytest.raises((WrongThreadError, sqlite3.ProgrammingError)):
        run_with_progress(None, "测试", job, session=admin)
    assert admin.schedule.holidays(2031) == []


def test_the_jobs_changes_come_back_with_it(qtbot: QtBot, admin: core.Session) -> None:
    admin.take_changes()

    def job(own: core.Session, report) -> None:  # type: ignore[no-untyped-def]
        own.schedule.set_holiday("2031-10-01", "休息日", "国庆节")

    run_with_progress(None, "测试", job, session=admin)
    assert admin.take_changes().data_tables == {Table.HOLIDAYS}


def test_dialog_is_application_modal_and_other_input_is_dropped(
    qtbot: QtBot, session: core.Session
) -> None:
    """While a job runs, a click meant for the window does nothing (before the dialog
    shows, too); the dialog that shows is application-modal."""
    button = QPushButton("保存")
    qtbot.addWidget(button)
    button.show()
    clicked: list[bool] = []
    button.clicked.connect(lambda: clicked.append(True))
    release = threading.Event()
    seen: list[Qt.WindowModality] = []

    def job(own: core.Session, report) -> str:  # type: ignore[no-untyped-def]
        release.wait()
        return "完成"

    def while_running() -> None:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # dropped
        QTimer.singleShot(0, look_at_dialog)

    def look_at_dialog() -> None:
        dialog = _progress_dialog()
        if dialog is None:
            QTimer.singleShot(workers.POLL_MS, look_at_dialog)
            return
        seen.append(dialog.windowModality())
        release.set()

    QTimer.singleShot(0, while_running)
    assert run_with_progress(button, "测试", job, session=session) == "完成"
    assert seen == [Qt.WindowModality.ApplicationModal]
    assert clicked == []
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert clicked == [True]  # the job over, clicks count again


def test_cancel_demo_rolls_back(qtbot: QtBot, tmp_path: Path) -> None:
    session = core.init_database(
        tmp_path / "c.db", profile="kundulun", bureau_name="昆都仑区应急管理局", user="测试"
    )
    started = threading.Event()
    workers.JOB_START_HOOKS.append(lambda _own: started.set())

    def press_cancel() -> None:
        started.wait()  # the job is running: 取消 takes effect at its next report
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QProgressDialog):
                widget.canceled.emit()  # what the 取消 button sends
                return

    QTimer.singleShot(0, press_cancel)
    try:
        with pytest.raises(Cancelled):
            run_with_progress(
                None,
                "生成演示数据",
                lambda own, report: core.fill_demo(
                    own, enterprises=45_000, seed=3, progress=report
                ),
                session=session,
            )
    finally:
        workers.JOB_START_HOOKS.clear()
    assert session.units.count() == 0
    assert (
        session.db.conn.execute(
            "SELECT count(*) FROM audit_log WHERE table_name = 'units'"
        ).fetchone()[0]
        == 0
    )
    assert not session.take_changes().data_tables & {Table.UNITS}
    session.close()


def test_no_reference_leak_on_bools(qtbot: QtBot, session: core.Session) -> None:
    """PySide6 6.12 over-releases True in Signal.emit from a thread and in disconnect;
    the worker must use neither, or a long session aborts the interpreter."""
    import sys

    def job(own: core.Session, report) -> int:  # type: ignore[no-untyped-def]
        for step in range(20):
            report(step / 20, "步骤")
        return 1

    run_with_progress(None, "预热", job, session=session)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(30):
        run_with_progress(None, "测试", job, session=session)
    after = sys.getrefcount(True), sys.getrefcount(False)
    assert after[0] - before[0] >= -2 and after[1] - before[1] >= -2, (before, after)
