"""The window speaks Chinese throughout and fits: every page of the navigation (whatever
pages it has), the unit page, the menus and the main dialogs show no English, and no
column header is cut to "…", at 1366×768 and at 1920×1080 — with the start-up's own
font and translations (``gui/app.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QColorDialog,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMessageBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from window_walk import Finding, cut_headers, english_in, english_words, menu_texts, visit_pages

from safecredit_desktop.core import app as core
from safecredit_desktop.core.forms import FORMS
from safecredit_desktop.gui.app import install_translations
from safecredit_desktop.gui.dialogs.first_run import FirstRunDialog
from safecredit_desktop.gui.dialogs.help_dialog import HelpDialog
from safecredit_desktop.gui.dialogs.login import LoginDialog
from safecredit_desktop.gui.dialogs.record_form import RecordFormDialog
from safecredit_desktop.gui.fonts import install_app_font
from safecredit_desktop.gui.main_window import MainWindow, app_settings

SCREENS = [(1366, 768), (1920, 1080)]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("zh") / "demo.db"
    session = core.init_database(
        path,
        profile="fenghuang",
        bureau_name="凤凰县应急管理局",
        user="管理员",
        admin=("管理员", "demo1234"),
    )
    core.fill_demo(session, enterprises=150, seed=1)
    session.close()
    return path


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[None]:
    """The start-up's font and translations, removed again after the test."""
    font = qapp.font()
    install_app_font(qapp)
    translators = install_translations(qapp)
    yield
    for translator in translators:
        qapp.removeTranslator(translator)
    qapp.setFont(font)


@pytest.fixture
def window(qtbot, demo_db: Path, chinese: None) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    # a fresh user's window: no column widths remembered by the tests before this one
    # (QSettings is kept for the whole test process)
    app_settings().clear()
    session = core.sign_in(demo_db, "管理员", "demo1234")
    window = MainWindow(session)
    window._backup_on_close = False
    window._daily_backup_timer.stop()  # no backup while the test looks
    qtbot.addWidget(window)
    yield window


def _show(window: QWidget, size: tuple[int, int]) -> None:
    window.resize(*size)
    window.show()
    QApplication.processEvents()


def _every_tab(root: QWidget, where: str) -> list[Finding]:
    """English and cut headers on each tab of every tab widget shown (one level deep)."""
    found = english_in(root, where) + cut_headers(root, where)
    for tabs in root.findChildren(QTabWidget):
        if not tabs.isVisible():
            continue
        current = tabs.currentIndex()
        for index in range(tabs.count()):
            if index == current or not tabs.isTabEnabled(index):
                continue
            tabs.setCurrentIndex(index)
            QApplication.processEvents()
            name = f"{where} › {tabs.tabText(index)}"
            found += english_in(tabs.widget(index), name) + cut_headers(tabs.widget(index), name)
        tabs.setCurrentIndex(current)
    return found


def _report(found: list[Finding]) -> str:
    return "\n".join(str(f) for f in found)


@pytest.mark.parametrize("size", SCREENS, ids=["1366x768", "1920x1080"])
def test_every_page_in_chinese_with_whole_headers(
    window: MainWindow, size: tuple[int, int]
) -> None:
    _show(window, size)
    found = [Finding("菜单", "QMenu", t) for t in menu_texts(window) if english_words(t)]
    titles = []
    for title in visit_pages(window):
        titles.append(title)
        found += _every_tab(window, title)
    assert len(titles) == window.nav.count() >= 10
    busiest = max(
        (row[0] for row in window.session.units.search("", 40)),
        key=lambda unit_id: len(window.session.units.timeline(unit_id)),
    )
    window.registry.unit_activated.emit(busiest)
    QApplication.processEvents()
    assert window.stack.currentWidget() is window.detail
    found += _every_tab(window, "企业详情")
    assert not found, "\n" + _report(found)


@pytest.mark.parametrize("table", sorted(FORMS))
def test_record_forms_in_chinese(qtbot, window: MainWindow, table: str) -> None:  # type: ignore[no-untyped-def]
    unit_id = window.session.units.search("", 1)[0][0]
    per_unit = FORMS[table].per_unit
    dialog = RecordFormDialog(
        window.session, window.bus, table, unit_id=unit_id if per_unit else None, parent=window
    )
    qtbot.addWidget(dialog)
    dialog.show()
    QApplication.processEvents()
    found = english_in(dialog, FORMS[table].title) + cut_headers(dialog, FORMS[table].title)
    assert not found, "\n" + _report(found)


def test_start_dialogs_and_guide_in_chinese(qtbot, demo_db: Path, chinese: None) -> None:  # type: ignore[no-untyped-def]
    found: list[Finding] = []
    for dialog, where in (
        (FirstRunDialog(demo_db.parent / "new.db"), "首次使用"),
        (LoginDialog(demo_db, last_user="管理员"), "登录"),
        (HelpDialog(), "使用说明"),
    ):
        qtbot.addWidget(dialog)
        dialog.show()
        QApplication.processEvents()
        found += english_in(dialog, where)
    assert not found, "\n" + _report(found)


def test_qt_dialogs_in_chinese(qtbot, chinese: None) -> None:  # type: ignore[no-untyped-def]
    """Qt's own dialogs as the window opens them: message boxes, the (non-native) file
    dialog, input, colour and print dialogs."""
    buttons = QMessageBox.StandardButton
    files = QFileDialog(None, "导出工作簿", "", "Excel 工作簿 (*.xlsx)")
    files.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    files.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    printer = QPrinter()  # kept: the dialog does not own it
    dialogs: list[QWidget] = [
        QMessageBox(
            QMessageBox.Icon.Question,
            "确认",
            "确定吗？",
            buttons.Yes | buttons.No | buttons.Ok | buttons.Cancel | buttons.Save | buttons.Close,
        ),
        files,
        QInputDialog(),
        QColorDialog(),
        QPrintDialog(printer),
    ]
    found: list[Finding] = []
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
        QApplication.processEvents()
        found += english_in(dialog, type(dialog).__name__)
        dialog.hide()
    assert not found, "\n" + _report(found)


# -- the checker itself finds what it is for --------------------------------------------


class _Titles(QAbstractTableModel):
    def __init__(self, titles: list[str]) -> None:
        super().__init__()
        self.titles = titles

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 1

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return len(self.titles)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
        return "甲" if role == Qt.ItemDataRole.DisplayRole else None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.titles[section]
        return None


def test_checker_finds_english_and_a_cut_header(qtbot, chinese: None) -> None:  # type: ignore[no-untyped-def]
    assert english_words("保存(&S)") == []
    assert english_words("已导出：/home/小李/台账 2026.xlsx，代码 91433123MA4L0XXX1B") == []
    assert english_words("A级（一级） PDF Excel WPS") == []
    assert english_words("<b>Save</b> 文件") == ["Save"]
    assert english_words("Look in:") == ["Look", "in"]
    root = QWidget()
    qtbot.addWidget(root)
    layout = QVBoxLayout(root)
    layout.addWidget(QLabel("File name:"))
    table = QTableView()
    table.setModel(_Titles(["统一社会信用代码", "单位名称"]))
    layout.addWidget(table)
    root.resize(600, 300)
    root.show()
    table.setColumnWidth(0, 40)
    table.setColumnWidth(1, 200)
    QApplication.processEvents()
    found = english_in(root, "试验") + cut_headers(root, "试验")
    assert [f.text.split("（")[0] for f in found] == ["File name:", "统一社会信用代码"]


def test_page_dialogs_in_chinese(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from safecredit_desktop.gui.views.holidays_tab import NoticeDialog
    from safecredit_desktop.gui.views.lists_page import ManualEntryDialog
    from safecredit_desktop.gui.views.objections_page import (
        FileObjectionDialog,
        RepairApplicationDialog,
    )
    from safecredit_desktop.gui.views.publicity_page import PeriodDialog, PermitDialog
    from safecredit_desktop.gui.views.roster_tab import InspectorDialog

    session = window.session
    dialogs = (
        (NoticeDialog(session, window), "节假日通知"),
        (ManualEntryDialog(window.lists), "手工采集"),  # type: ignore[arg-type]
        (FileObjectionDialog(session, window), "登记异议"),
        (RepairApplicationDialog(session, window), "信用修复申请"),
        (PermitDialog(window, session), "登记行政许可"),
        (PeriodDialog(window, date.today()), "导出公示清单"),
        (InspectorDialog(None, window), "执法人员"),
    )
    found: list[Finding] = []
    for dialog, where in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
        QApplication.processEvents()
        found += english_in(dialog, where) + cut_headers(dialog, where)
        dialog.hide()
    assert not found, "\n" + _report(found)
