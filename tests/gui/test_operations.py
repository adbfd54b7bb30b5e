"""Issue 17 in the window: a save made while a job runs is kept, the unexpected is said
and logged, and pages hear what a write touched from the storage layer."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget
from pytestqt.qtbot import QtBot

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.errors import Cancelled, SafeCreditError
from safecredit_desktop.core.storage import connection
from safecredit_desktop.core.storage.changes import Changes, Table
from safecredit_desktop.gui import errors, workers
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.main_window import MainWindow
from safecredit_desktop.gui.operations import perform
from safecredit_desktop.gui.views.holidays_tab import HolidaysTab
from safecredit_desktop.gui.workers import run_with_progress


@pytest.fixture
def admin(tmp_path: Path) -> Iterator[core.Session]:
    opened = core.init_database(
        tmp_path / "x.db",
        profile="fenghuang",
        bureau_name="测试县应急管理局",
        user="管理员",
        admin=("管理员", "admin-pw"),
    )
    yield opened
    opened.close()


@pytest.fixture
def window(qtbot: QtBot, admin: core.Session) -> Iterator[MainWindow]:
    shown = MainWindow(admin)
    shown._backup_on_close = False  # closing the test's window takes no backup
    qtbot.addWidget(shown)
    yield shown


def _holidays_tab(window: MainWindow) -> HolidaysTab:
    window.nav.setCurrentRow(window.nav.count() - 1)  # 设置
    tabs = window.settings_page.tabs
    for index in range(tabs.count()):
        widget = tabs.widget(index)
        if isinstance(widget, HolidaysTab):
            tabs.setCurrentIndex(index)
            return widget
    raise AssertionError("设置 has no 节假日 tab")


def _cancel_the_job() -> None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QProgressDialog):
            widget.canceled.emit()  # what its 取消 button sends
            return
    raise AssertionError("no progress dialog")


# -- (1) the lost save --------------------------------------------------------------------


def test_a_save_made_while_a_job_holds_its_transaction_is_kept(
    qtbot: QtBot, window: MainWindow, admin: core.Session
) -> None:
    """A job opens its transaction and waits; meanwhile 设置 → 节假日 adds a holiday
    through its real slot; the job is cancelled. The holiday is stored (it used to join
    the job's transaction on the shared connection and vanish with its rollback)."""
    tab = _holidays_tab(window)
    holding, release = threading.Event(), threading.Event()
    heard: list[Changes] = []
    window.bus.changed.connect(heard.append)

    def job(own: core.Session, report: Any) -> None:
        with own.db.transaction():
            own.repo.insert(model.Inspector("乙", "J002", "执法大队"))
            holding.set()
            release.wait()
            report(0.5, "继续")  # cancelled meanwhile: raises, the transaction rolls back

    def cancel_and_release() -> None:
        _cancel_the_job()
        release.set()

    def while_the_job_waits() -> None:
        holding.wait()  # the job is inside its transaction
        tab.day_edit.setText("2031-10-01")
        tab.kind.setCurrentText("休息日")
        tab.name_edit.setText("国庆节")
        # the save waits for the job (its dialog stays live); 取消 comes meanwhile
        QTimer.singleShot(0, cancel_and_release)
        tab.add_button.click()

    QTimer.singleShot(0, while_the_job_waits)
    with pytest.raises(Cancelled):
        run_with_progress(window, "测试任务", job, session=admin)
    assert [(h.day.isoformat(), h.name) for h in admin.schedule.holidays(2031)] == [
        ("2031-10-01", "国庆节")
    ]
    assert admin.draws.inspectors() == []  # the job's own write was rolled back
    assert tab.table.text(0, 2) == "国庆节" and tab.day_edit.text() == ""
    assert [c.data_tables for c in heard] == [{"holidays"}]


# -- (2) the unexpected is said and logged ----------------------------------------------


def test_database_locked_in_a_slot_is_said_and_logged(
    qtbot: QtBot,
    window: MainWindow,
    admin: core.Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another program holds the write lock: adding a holiday shows the Chinese sentence,
    logs the traceback in the user data folder (private), and keeps what was typed."""
    tab = _holidays_tab(window)
    admin.db.conn.execute("PRAGMA busy_timeout = 50")  # a short wait for the test
    other = sqlite3.connect(admin.db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "critical", lambda _p, title, text, *a: shown.append((title, text))
    )
    heard: list[Changes] = []
    window.bus.changed.connect(heard.append)
    try:
        tab.day_edit.setText("2031-10-01")
        tab.name_edit.setText("国庆节")
        tab.add_button.click()
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert len(shown) == 1
    title, text = shown[0]
    assert title == "节假日"
    assert text.startswith("数据库正被其他程序长时间占用，本次更改没有保存。请稍后重试。")
    log = errors.log_path()
    assert str(log) in text
    assert log.parent == Path(os.environ["XDG_DATA_HOME"]) / "SafeCredit" / "logs"
    written = log.read_text("utf-8")
    assert "sqlite3.OperationalError: database is locked" in written
    assert "_on_add_clicked" in written  # the traceback, down to the slot
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert (tab.day_edit.text(), tab.name_edit.text()) == ("2031-10-01", "国庆节")
    assert admin.schedule.holidays(2031) == [] and heard == []
    tab.add_button.click()  # the lock gone, the same typing saves
    assert [h.name for h in admin.schedule.holidays(2031)] == ["国庆节"]


def test_a_program_error_gets_the_general_sentence(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text, *a: shown.append(text))

    def broken() -> None:
        raise KeyError("没有这一项")

    assert perform(window, broken) is None
    assert "程序遇到了意外的问题" in shown[0] and "窗口中填写的内容仍然保留" in shown[0]
    assert "KeyError" in errors.log_path().read_text("utf-8")


def test_the_handler_of_last_resort(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """sys.excepthook and threading.excepthook: logged, and said on the UI thread."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text, *a: shown.append(text))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    timer = errors.install(QApplication.instance())  # type: ignore[arg-type]
    try:
        try:
            raise OSError(28, "No space left on device", "x.db")
        except OSError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
        assert shown and shown[0].startswith("磁盘空间不足")

        thread = threading.Thread(target=lambda: 1 / 0, name="后台")
        thread.start()
        thread.join()
        errors._show_pending()  # what the timer does on the UI thread
        assert "程序遇到了意外的问题" in shown[1]
    finally:
        timer.stop()
    logged = errors.log_path().read_text("utf-8")
    assert "No space left on device" in logged and "ZeroDivisionError" in logged


# -- (3) Changes reach the bus from the storage layer ------------------------------------


def test_a_save_announces_its_tables_and_a_rollback_nothing(
    qtbot: QtBot, admin: core.Session
) -> None:
    admin.take_changes()  # making the database is not what this test watches
    bus = DataBus()
    tab = HolidaysTab(admin, bus)
    qtbot.addWidget(tab)
    heard: list[Changes] = []
    bus.changed.connect(heard.append)

    tab.day_edit.setText("2031-10-01")
    tab.name_edit.setText("国庆节")
    with qtbot.waitSignal(bus.changed):
        tab.add_button.click()
    assert [c.data_tables for c in heard] == [{Table.HOLIDAYS}]
    assert Table.AUDIT_LOG in heard[0].tables

    def written_then_refused() -> None:
        with admin.db.transaction():
            admin.schedule.set_holiday("2031-10-02", "休息日", "国庆节")
            raise SafeCreditError("撤回整笔操作")

    warned: list[str] = []
    owner = QWidget()
    owner.session, owner.bus = admin, bus  # type: ignore[attr-defined]
    qtbot.addWidget(owner)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a: warned.append(text))
        assert perform(owner, written_then_refused) is None
    assert warned == ["撤回整笔操作"]
    assert len(heard) == 1  # the rolled-back write announced nothing
    assert [h.name for h in admin.schedule.holidays(2031)] == ["国庆节"]


def test_a_workers_write_is_announced_by_the_operation(qtbot: QtBot, admin: core.Session) -> None:
    admin.take_changes()
    bus = DataBus()
    owner = QWidget()
    owner.session, owner.bus = admin, bus  # type: ignore[attr-defined]
    qtbot.addWidget(owner)
    heard: list[Changes] = []
    bus.changed.connect(heard.append)
    perform(
        owner,
        lambda: run_with_progress(
            owner,
            "测试",
            lambda own, _report: own.schedule.set_holiday("2031-10-01", "休息日", "国庆节"),
            session=admin,
        ),
    )
    assert [c.data_tables for c in heard] == [{Table.HOLIDAYS}]


def test_pages_watch_table_constants() -> None:
    """Every page's ``watched`` names tables of the schema (no bare strings to mistype)."""
    from safecredit_desktop.core.storage.changes import KNOWN_TABLES
    from safecredit_desktop.gui import pages
    from safecredit_desktop.gui.views import (  # noqa: F401  (the pages register below)
        commitments_page,
        documents_page,
        draw_page,
        grades_page,
        home_page,
        lists_page,
        objections_page,
        plan_page,
        publicity_page,
        registry_page,
        settings_page,
        statistics_page,
        unit_detail_page,
    )

    def subclasses(cls: type) -> list[type]:
        return [cls, *(s for c in cls.__subclasses__() for s in subclasses(c))]

    found = {cls.__name__: cls.watched for cls in subclasses(pages.Page)}
    assert len(found) >= 14
    for name, watched in found.items():
        assert set(watched) <= KNOWN_TABLES, (name, set(watched) - KNOWN_TABLES)
    assert Table.LIST_ENTRIES in found["ListsPage"]
    assert connection.BUSY_TIMEOUT_MS == 15_000  # the tests' short waits are their own
    assert workers.POLL_MS > 0


def test_the_error_log_rotates_and_stays_private(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(errors, "LOG_BYTES", 2_000)
    for n in range(6):
        try:
            raise RuntimeError("很长的错误说明" * 40 + str(n))
        except RuntimeError as exc:
            errors.log_error(exc, f"第{n}次")
    log = errors.log_path()
    kept = sorted(log.parent.glob(log.name + "*"))
    assert log in kept and len(kept) > 1  # rotated …
    assert len(kept) <= errors.LOG_KEEP + 1  # … keeping a few
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in kept)
    assert "第5次" in log.read_text("utf-8")
