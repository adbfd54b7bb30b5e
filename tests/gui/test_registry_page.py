"""企业台账: the lazily paged table model (no widgets) and the page (pytest-qt, offscreen)."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QSettings, Qt
from pytestqt.qtbot import QtBot

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.pinyin_index import search_keys
from safecredit_desktop.core.registry import UnitQuery
from safecredit_desktop.core.storage.changes import EVERYTHING, Changes
from safecredit_desktop.core.validate import uscc_check_character
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.models.unit_table_model import PAGE, UnitTableModel
from safecredit_desktop.gui.views import registry_page
from safecredit_desktop.gui.views.registry_page import RegistryPage

TUOJIANG = "凤凰县沱江化工有限公司"


def make_code(n: int) -> str:
    first17 = f"91433123{n:09d}"
    return first17 + uscc_check_character(first17)


@pytest.fixture(autouse=True)
def _no_remembered_header() -> Iterator[None]:
    """The settings file is shared by the test session: start and end without a header."""
    settings = QSettings("SafeCredit", "SafeCreditDesktop")
    settings.remove(registry_page.HEADER_KEY)
    yield
    settings.remove(registry_page.HEADER_KEY)


@pytest.fixture
def filled(tmp_path: Path) -> Iterator[core.Session]:
    session = core.init_database(
        tmp_path / "x.db", profile="fenghuang", bureau_name="测试县应急管理局", user="测试"
    )
    core.fill_demo(session, enterprises=300, seed=1)
    yield session
    session.close()


@pytest.fixture
def tuojiang_id(filled: core.Session) -> int:
    return filled.records.save(
        model.Unit(uscc=make_code(987_654_321), name=TUOJIANG, category="危险化学品")
    )


@pytest.fixture
def page(qtbot: QtBot, filled: core.Session) -> RegistryPage:
    shown = RegistryPage(filled, DataBus())
    qtbot.addWidget(shown)
    shown.resize(1200, 700)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def all_rows(table: UnitTableModel) -> None:
    while table.canFetchMore(QModelIndex()):
        table.fetchMore(QModelIndex())


def column(table: UnitTableModel, col: int) -> list[str]:
    return [str(table.data(table.index(r, col))) for r in range(table.rowCount())]


# -- the model, without widgets -----------------------------------------------------------------


def test_model_fetches_lazily_in_pages(filled: core.Session) -> None:
    assert 400 <= PAGE <= 1000
    total = filled.units.count_matching(UnitQuery())
    table = UnitTableModel(filled, page_size=100)
    assert table.total == total == 300
    assert table.rowCount() == 100
    assert table.canFetchMore(QModelIndex())
    table.fetchMore(QModelIndex())
    assert table.rowCount() == 200
    all_rows(table)
    assert table.rowCount() == total
    assert not table.canFetchMore(QModelIndex())
    ids = [table.unit_id(r) for r in range(table.rowCount())]
    assert len(set(ids)) == total
    names = column(table, UnitTableModel.COL_NAME)
    assert names == sorted(names, key=lambda n: search_keys(n)[1])


def test_model_headers_and_cells(filled: core.Session, tuojiang_id: int) -> None:
    table = UnitTableModel(filled, query=UnitQuery(search="fhhg"))
    headers = [table.headerData(c, Qt.Orientation.Horizontal) for c in range(table.columnCount())]
    assert headers == [
        "单位名称",
        "统一社会信用代码",
        "行业类别",
        "所在乡镇",
        "主要负责人",
        "高危行业",
        "标准化等级",
        "经营状态",
        "信用等级",
        "年度评定",
    ]
    row = table.row_of(tuojiang_id)
    assert row is not None
    assert table.data(table.index(row, UnitTableModel.COL_NAME)) == TUOJIANG
    assert table.data(table.index(row, UnitTableModel.COL_HIGH_RISK)) == "是"
    live = filled.grading.grade_one(tuojiang_id).grade
    assert table.data(table.index(row, UnitTableModel.COL_GRADE)) == f"{live}（未确认）"
    assert table.data(table.index(row, UnitTableModel.COL_CONFIRMED)) == "—"
    assert table.data(table.index(row, 0), UnitTableModel.ID_ROLE) == tuojiang_id
    all_rows(table)
    assert set(column(table, UnitTableModel.COL_HIGH_RISK)) <= {"是", "否"}
    table.set_query(UnitQuery(category="工贸八大行业", high_risk=False))
    assert set(column(table, UnitTableModel.COL_HIGH_RISK)) == {"否"}


def test_set_query_resets_and_counts(qtbot: QtBot, filled: core.Session) -> None:
    table = UnitTableModel(filled, page_size=50)
    with qtbot.waitSignal(table.modelReset):
        table.set_query(UnitQuery(search="化工"))
    assert table.total == filled.units.count_matching(UnitQuery(search="化工"))
    all_rows(table)
    assert all("化工" in n for n in column(table, UnitTableModel.COL_NAME))
    table.set_query(UnitQuery(search="不存在的企业名称"))
    assert (table.total, table.rowCount()) == (0, 0)
    assert not table.canFetchMore(QModelIndex())


def test_model_sorts_in_the_database(filled: core.Session) -> None:
    table = UnitTableModel(filled, page_size=100)
    table.sort(UnitTableModel.COL_USCC, Qt.SortOrder.DescendingOrder)
    assert (table.query.sort, table.query.descending) == ("uscc", True)
    all_rows(table)
    codes = column(table, UnitTableModel.COL_USCC)
    assert codes == sorted(codes, reverse=True)
    table.sort(UnitTableModel.COL_USCC, Qt.SortOrder.AscendingOrder)
    all_rows(table)
    assert column(table, UnitTableModel.COL_USCC) == sorted(codes)
    table.sort(UnitTableModel.COL_NAME, Qt.SortOrder.DescendingOrder)
    all_rows(table)
    names = column(table, UnitTableModel.COL_NAME)
    assert names == sorted(names, key=lambda n: search_keys(n)[1], reverse=True)


# -- the page ---------------------------------------------------------------------------------


def test_page_shows_count_and_rows(page: RegistryPage, filled: core.Session) -> None:
    total = filled.units.count_matching(UnitQuery())
    assert page.count_label.text() == f"共 {total} 家"
    assert page.model.rowCount() > 0
    assert page.search_edit.placeholderText() == "名称、统一社会信用代码或拼音首字母，如 fhhg"
    header = page.table.horizontalHeader()
    assert header.sortIndicatorSection() == UnitTableModel.COL_NAME
    assert page.table.isSortingEnabled()
    assert page.table.columnWidth(UnitTableModel.COL_NAME) > page.table.columnWidth(
        UnitTableModel.COL_STATUS
    )


def test_search_as_you_type_is_debounced(
    qtbot: QtBot, page: RegistryPage, filled: core.Session, tuojiang_id: int
) -> None:
    page.refresh()
    qtbot.keyClicks(page.search_edit, "fhhg")
    assert page.model.query.search == ""  # not yet: waits for the typing to pause
    qtbot.waitUntil(lambda: page.model.query.search == "fhhg", timeout=2000)
    assert page.model.row_of(tuojiang_id) is not None
    count = filled.units.count_matching(UnitQuery(search="fhhg"))
    assert page.count_label.text() == f"共 {count} 家"
    page.search_edit.clear()
    page.search_edit.insert("沱江化工")  # as an IME commits it (QTest types ASCII only)
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)  # Enter searches at once
    assert page.model.query.search == "沱江化工"
    assert page.model.row_of(tuojiang_id) is not None


def test_filters(page: RegistryPage, filled: core.Session) -> None:
    combo = page.category_combo
    assert combo.itemText(0) == "全部"
    combo.setCurrentIndex(combo.findData("危险化学品"))
    assert page.model.query.category == "危险化学品"
    all_rows(page.model)
    assert set(column(page.model, UnitTableModel.COL_CATEGORY)) == {"危险化学品"}
    count = filled.units.count_matching(UnitQuery(category="危险化学品"))
    assert page.count_label.text() == f"共 {count} 家"

    town = page.town_combo.itemData(1)
    page.town_combo.setCurrentIndex(1)
    status = page.status_combo.itemData(1)
    page.status_combo.setCurrentIndex(1)
    page.high_risk_combo.setCurrentIndex(page.high_risk_combo.findData(True))
    expected = UnitQuery(category="危险化学品", town=town, status=status, high_risk=True)
    assert page.model.query == expected
    assert page.model.total == filled.units.count_matching(expected)

    page.clear_button.click()
    assert page.model.query == UnitQuery()
    page.high_risk_combo.setCurrentIndex(page.high_risk_combo.findData(False))
    all_rows(page.model)
    assert set(column(page.model, UnitTableModel.COL_HIGH_RISK)) == {"否"}


def test_grade_filter_works_on_live_grades_without_an_assessment(
    page: RegistryPage, filled: core.Session
) -> None:
    """A new database, no confirmed assessment: the filter is on and filters by the live
    grade; every grade is marked not yet confirmed; no 年度评定 column or filter."""
    assert page.grade_combo.isEnabled()
    assert "实时" in page.grade_combo.toolTip()
    live = {r.unit_id: r.grade for r in filled.grading.grade(as_of=date.today())}
    page.grade_combo.setCurrentIndex(page.grade_combo.findData("C"))
    assert page.current_query().grade == "C"
    all_rows(page.model)
    expected = sum(1 for g in live.values() if g == "C")
    assert page.model.total == page.model.rowCount() == expected > 0
    assert set(column(page.model, UnitTableModel.COL_GRADE)) == {"C（未确认）"}
    assert page.count_label.text() == f"共 {expected} 家"
    assert page.table.isColumnHidden(UnitTableModel.COL_CONFIRMED)
    assert not page.confirmed_combo.isVisible()


def test_header_click_sorts(qtbot: QtBot, page: RegistryPage) -> None:
    header = page.table.horizontalHeader()
    with qtbot.waitSignal(page.model.modelReset):
        page.table.sortByColumn(UnitTableModel.COL_USCC, Qt.SortOrder.AscendingOrder)
    assert page.model.query.sort == "uscc"
    assert header.sortIndicatorSection() == UnitTableModel.COL_USCC
    codes = column(page.model, UnitTableModel.COL_USCC)
    assert codes == sorted(codes)
    # the search keeps the order chosen in the header
    page.search_edit.setText("9143")
    page._on_search_timeout()
    assert (page.model.query.search, page.model.query.sort) == ("9143", "uscc")


def test_double_click_and_enter_open_the_unit(
    qtbot: QtBot, page: RegistryPage, tuojiang_id: int
) -> None:
    page.refresh()
    page.search_edit.setText(TUOJIANG)
    page._on_search_return_pressed()
    row = page.model.row_of(tuojiang_id)
    assert row is not None
    index = page.model.index(row, UnitTableModel.COL_NAME)
    page.table.scrollTo(index)
    where = page.table.visualRect(index).center()
    with qtbot.waitSignal(page.unit_activated, timeout=1000) as blocker:
        # Qt 6's QTest needs the first click for the view to see a double-click
        qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
        qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert blocker.args == [tuojiang_id]
    page.table.setCurrentIndex(index)
    with qtbot.waitSignal(page.unit_activated, timeout=1000) as blocker:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert blocker.args == [tuojiang_id]


def test_refreshes_when_units_change(
    qtbot: QtBot, page: RegistryPage, filled: core.Session
) -> None:
    before = page.model.total
    with qtbot.assertNotEmitted(page.model.modelReset):
        page.bus.changed.emit(Changes(frozenset({"documents"})))  # nothing the registry shows
    filled.records.save(
        model.Unit(uscc=make_code(123_123_123), name="凤凰县新开化工厂", category="危险化学品"),
    )
    page.bus.changed.emit(Changes(frozenset({"units"})))
    assert page.model.total == before + 1
    assert page.count_label.text() == f"共 {before + 1} 家"
    page.hide()
    filled.records.save(
        model.Unit(uscc=make_code(123_123_124), name="凤凰县再开化工厂", category="危险化学品"),
    )
    page.bus.changed.emit(EVERYTHING)
    page.show()  # a hidden page catches up when shown
    assert page.model.total == before + 2


def test_new_unit_button_opens_the_form(
    page: RegistryPage, filled: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 18: saving a new unit left the old search; now the new unit is selected."""
    calls: list[tuple[object, ...]] = []

    def open_record_form(
        parent: object, session: object, bus: object, table: str, *, saved_ids: list[int]
    ) -> int:
        calls.append((parent, session, bus, table))
        saved_ids.append(
            filled.records.save(
                model.Unit(uscc=make_code(555_555_555), name="凤凰县新增企业", category="非煤矿山"),
            )
        )
        return 1

    fake = types.ModuleType("safecredit_desktop.gui.dialogs.record_form")
    fake.open_record_form = open_record_form  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, fake.__name__, fake)
    page.search_edit.setText("tj")  # an old search, and a filter
    page.status_combo.setCurrentIndex(page.status_combo.count() - 1)
    page.new_button.click()
    assert calls == [(page, filled, page.bus, "units")]
    assert page.search_edit.text() == make_code(555_555_555)
    assert page.status_combo.currentIndex() == 0
    assert page.model.total == 1
    assert page._selected_unit_id() == filled.units.find_by_code(make_code(555_555_555))[0]  # type: ignore[index]
    page.clear_button.click()  # 清除 shows every unit again, the new one among them
    assert page.model.total == filled.units.count()


def test_header_state_is_remembered(qtbot: QtBot, page: RegistryPage, filled: core.Session) -> None:
    settings = QSettings("SafeCredit", "SafeCreditDesktop")
    page.table.setColumnWidth(UnitTableModel.COL_TOWN, 333)
    page.table.horizontalHeader().moveSection(UnitTableModel.COL_STATUS, 0)
    qtbot.waitUntil(lambda: settings.value(registry_page.HEADER_KEY) is not None, timeout=3000)
    again = RegistryPage(filled, DataBus())
    qtbot.addWidget(again)
    assert again.table.columnWidth(UnitTableModel.COL_TOWN) == 333
    assert again.table.horizontalHeader().visualIndex(UnitTableModel.COL_STATUS) == 0


def test_refresh_keeps_selection_and_scroll(qtbot: QtBot, page: RegistryPage) -> None:
    page.table.selectRow(150)
    chosen = page.model.unit_id(150)
    bar = page.table.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    where = bar.value()
    assert where > 0
    page.bus.changed.emit(Changes(frozenset({"units"})))
    qtbot.waitUntil(lambda: bar.value() == where, timeout=2000)
    rows = page.table.selectionModel().selectedRows()
    assert [page.model.unit_id(r.row()) for r in rows] == [chosen]


def test_the_name_takes_the_spare_width_not_the_grade(qtbot: QtBot, page: RegistryPage) -> None:
    """Issue 18: the registry gave all spare width to 信用等级; the name takes it, also
    after a header state saved while the last column stretched."""
    page.resize(1600, 700)
    page.show()
    qtbot.waitExposed(page)
    table = page.table
    header = table.horizontalHeader()
    assert not header.stretchLastSection()
    grade = table.columnWidth(UnitTableModel.COL_GRADE)
    assert grade < table.fontMetrics().horizontalAdvance("国" * 10)  # 「C（未确认）」 fits
    used = sum(table.columnWidth(c) for c in range(page.model.columnCount()))
    assert used >= table.viewport().width() - 4  # no empty strip at the right
    assert table.columnWidth(UnitTableModel.COL_NAME) == max(
        table.columnWidth(c) for c in range(page.model.columnCount())
    )
