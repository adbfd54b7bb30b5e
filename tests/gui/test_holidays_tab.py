"""设置 → 节假日 tab (pytest-qt, offscreen): coverage line, add/remove, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from safecredit_desktop.core import app as core
from safecredit_desktop.core.model import Role
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.views.holidays_tab import HolidaysTab, NoticeDialog


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "x.db"
    core.init_database(
        path,
        profile="fenghuang",
        bureau_name="测试县应急管理局",
        user="管理员",
        admin=("管理员", "admin-pw"),
    ).close()
    return path


@pytest.fixture
def admin(db: Path) -> Iterator[core.Session]:
    session = core.sign_in(db, "管理员", "admin-pw")
    yield session
    session.close()


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []

    def fake(*args: Any, **kwargs: Any) -> QMessageBox.StandardButton:
        shown.append(str(args[2]))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", fake)
    return shown


def test_add_and_remove_for_2027(qtbot: QtBot, admin: core.Session, warnings: list[str]) -> None:
    bus = DataBus()
    tab = HolidaysTab(admin, bus)
    qtbot.addWidget(tab)
    tab.year.setValue(2026)
    assert "内置日历" in tab.coverage.text()
    tab.year.setValue(2027)
    assert "按周一至周五计算" in tab.coverage.text()
    assert len(tab.table.rows()) == 0

    tab.day_edit.setText("2027-10-01")
    tab.kind.setCurrentText("休息日")
    tab.name_edit.setText("国庆节")
    with qtbot.waitSignal(bus.changed):
        tab.add_button.click()
    tab.day_edit.setText("2027-10-09")
    tab.kind.setCurrentText("工作日")
    tab.name_edit.setText("国庆节调休上班")
    tab.add_button.click()
    assert warnings == []
    assert len(tab.table.rows()) == 2
    assert [tab.table.text(1, c) for c in range(3)] == [
        "2027-10-09",
        "工作日",
        "国庆节调休上班",
    ]
    assert "按本节假日表计算" in tab.coverage.text()
    assert admin.schedule.calendar().is_working_day(admin.schedule.holidays(2027)[1].day) == (
        True,
        False,
    )

    tab.table.selectRow(0)
    tab.remove_button.click()
    assert [r.name for r in admin.schedule.holidays(2027)] == ["国庆节调休上班"]
    assert len(tab.table.rows()) == 1


def test_errors_shown_as_sentences(
    qtbot: QtBot, admin: core.Session, db: Path, warnings: list[str]
) -> None:
    tab = HolidaysTab(admin, DataBus())
    qtbot.addWidget(tab)
    tab.day_edit.setText("2027-13-01")
    tab.add_button.click()
    tab.day_edit.setText("2026-10-01")
    tab.add_button.click()
    assert len(warnings) == 2
    assert "日期" in warnings[0] and "内置日历" in warnings[1]

    clerk = core.open_session(db, user="录入员", role=Role.CLERK)
    try:
        clerk_tab = HolidaysTab(clerk, DataBus())
        qtbot.addWidget(clerk_tab)
        clerk_tab.day_edit.setText("2027-10-01")
        clerk_tab.add_button.click()
        assert "管理员" in warnings[-1]
        assert clerk.schedule.holidays(2027) == []
    finally:
        clerk.close()


NOTICES = Path(__file__).resolve().parents[1] / "fixtures" / "holiday_notices"


def _paste(tab: HolidaysTab, text: str, monkeypatch: pytest.MonkeyPatch) -> list[NoticeDialog]:
    """Make 粘贴通知… open a dialog holding ``text``, read it and press 保存 (no exec)."""
    dialogs: list[NoticeDialog] = []

    def run() -> NoticeDialog:
        dialog = NoticeDialog(tab.session, tab)
        dialogs.append(dialog)
        dialog.text.setPlainText(text)
        dialog.read_button.click()
        if dialog.save_button.isEnabled():
            dialog.save_button.click()
        return dialog

    monkeypatch.setattr(tab, "ask_notice", run)
    tab.notice_button.click()
    return dialogs


def test_paste_notice_fills_the_year(
    qtbot: QtBot, admin: core.Session, warnings: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bus = DataBus()
    tab = HolidaysTab(admin, bus)
    qtbot.addWidget(tab)
    before = admin.schedule.calendar().add_working_days(date(2027, 9, 30), 7)
    assert before.estimated and "2027年" in before.warning

    with qtbot.waitSignal(bus.changed):
        dialogs = _paste(tab, (NOTICES / "2027-style.txt").read_text("utf-8"), monkeypatch)
    dialog = dialogs[0]
    assert dialog.saved and warnings == []
    assert len(dialog.days.rows()) == 33
    assert "读到2027年的安排" in dialog.result.text() or "已保存" in dialog.result.text()
    first = [dialog.days.text(0, c) for c in range(4)]
    assert first == ["2027-01-01", "周五", "放假", "元旦"]

    assert tab.year.value() == 2027 and len(tab.table.rows()) == 33
    assert "按本节假日表计算" in tab.coverage.text()
    after = admin.schedule.calendar().add_working_days(date(2027, 9, 30), 7)
    assert after.day == date(2027, 10, 15) and not after.estimated and after.warning == ""
    logged = admin.db.conn.execute(
        "SELECT count(*) FROM audit_log WHERE table_name = 'holidays' AND user = '管理员'"
    ).fetchone()[0]
    assert logged == 34  # 33 days and the notice's event


def test_paste_notice_refusals(
    qtbot: QtBot, admin: core.Session, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = HolidaysTab(admin, DataBus())
    qtbot.addWidget(tab)
    text = (NOTICES / "2027-style.txt").read_text("utf-8").replace("共7天", "共8天")
    dialog = _paste(tab, text, monkeypatch)[0]
    assert not dialog.saved and not dialog.save_button.isEnabled()
    assert (
        "第11行“七、国庆节" in dialog.result.text()
        and "共7天，通知写的是8天" in dialog.result.text()
    )
    assert admin.schedule.holidays(2027) == []

    # rows typed by hand for the year: replacing them is asked first
    admin.schedule.set_holiday("2027-10-01", "休息日", "国庆节")
    answers: list[str] = []

    def no(*args: Any) -> QMessageBox.StandardButton:
        answers.append(str(args[2]))
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", no)
    good = (NOTICES / "2027-style.txt").read_text("utf-8")
    dialog = _paste(tab, good, monkeypatch)[0]
    assert "已有2027年的 1 天" in answers[0] and not dialog.saved
    assert len(admin.schedule.holidays(2027)) == 1

    clerk = core.open_session(db, user="录入员", role=Role.CLERK)
    try:
        clerk_tab = HolidaysTab(clerk, DataBus())
        qtbot.addWidget(clerk_tab)
        dialog = _paste(clerk_tab, good, monkeypatch)[0]
        assert len(dialog.days.rows()) == 33  # a clerk may read it …
        assert not dialog.save_button.isEnabled() and not dialog.saved  # … not store it
    finally:
        clerk.close()
