"""The county-wide record pages, driven as a clerk would: filter, sort by a header click,
edit by double-click, delete and 撤销, export, 新增 with the unit chosen in the form; and
the navigation hosting them (no page says it is unfinished)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.record_pages import KINDS
from safecredit_desktop.core.validate import uscc_check_character
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.dialogs.record_form import RecordFormDialog
from safecredit_desktop.gui.views.record_page import RecordPage


def code(n: int) -> str:
    first17 = f"91433123{n:09d}"
    return first17 + uscc_check_character(first17)


CHEM, TEA = code(1), code(2)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[core.Session]:
    opened = core.init_database(
        tmp_path / "x.db", profile="fenghuang", bureau_name="测试县应急管理局", user="测试员"
    )
    chem, tea = opened.repo.insert_many(
        [
            model.Unit(
                uscc=CHEM, name="凤凰县沱江化工有限公司", category="危险化学品", town="沱江镇"
            ),
            model.Unit(
                uscc=TEA,
                name="凤凰县阿拉营泓业茶叶加工厂",
                category="工贸八大行业",
                town="阿拉营镇",
            ),
        ]
    )
    opened.repo.insert_many(
        [
            model.Inspection(chem, date(2025, 1, 10), "计划", "张三", 3, 1, doc_no="检1"),
            model.Inspection(chem, date(2025, 3, 5), "专项", "王五", 0, 0, doc_no="检2"),
            model.Inspection(tea, date(2025, 4, 5), "日常", "张三", 5, 0, doc_no="检3"),
        ]
    )
    opened.repo.insert_many(
        [
            model.Penalty(
                chem, "凤应急罚〔2025〕1号", date(2025, 2, 3), "应急管理部门", fine_yuan=2000
            ),
            model.Penalty(
                tea, "凤应急罚〔2025〕2号", date(2025, 5, 3), "其他部门", fine_yuan=500.5
            ),
        ]
    )
    opened.repo.insert_many([model.Accident(tea, date(2025, 2, 1), "一般", "是", "事1", deaths=1)])
    opened.repo.insert_many(
        [model.Violation(chem, model.VIOLATION_KINDS[0].code, date(2025, 1, 2))]
    )
    opened.repo.insert_many([model.Commitment(tea, "单位承诺", date(2025, 2, 1), "乙")])
    opened.repo.insert_many([model.Honour(tea, date(2025, 5, 1), "县级", "先进单位", "先进")])
    opened.take_changes()
    yield opened
    opened.close()


def _page(qtbot: QtBot, session: core.Session, kind: str = "inspections") -> RecordPage:
    page = RecordPage(session, DataBus(), kind)
    qtbot.addWidget(page)
    page.resize(1200, 600)
    page.show()
    qtbot.waitExposed(page)
    return page


def _column(page: RecordPage, key: str) -> list[str]:
    number = page.model.column_of(key)
    return [
        str(page.model.index(row, number).data(Qt.ItemDataRole.DisplayRole))
        for row in range(page.model.rowCount())
    ]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_opens_with_rows_count_and_sums(
    qtbot: QtBot, session: core.Session, kind: str
) -> None:
    page = _page(qtbot, session, kind)
    expected = {
        "inspections": ("共 3 条", "隐患数合计 8"),
        "accidents": ("共 1 条", "死亡人数合计 1"),
        "penalties": ("共 2 条", "罚款金额合计 2,500.50"),
        "violations": ("共 1 条",),
        "commitments": ("共 1 条",),
        "honours": ("共 1 条",),
    }[kind]
    for part in expected:
        assert part in page.footer.text()
    assert page.model.rowCount() == int(expected[0][2])
    headers = [
        page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(page.model.columnCount())
    ]
    assert headers[:3] == [KINDS[kind].columns[0].title, "单位名称", "所在乡镇"]


def test_filters_as_typed(qtbot: QtBot, session: core.Session) -> None:
    page = _page(qtbot, session)
    qtbot.keyClicks(page.unit, "tjhg")  # 沱江化工, by pinyin initials
    qtbot.waitUntil(lambda: page.model.totals.count == 2)
    assert set(_column(page, "unit_name")) == {"凤凰县沱江化工有限公司"}
    assert "隐患数合计 3" in page.footer.text()
    page.date_from.setText("2025.3.1")  # as clerks write dates
    page.apply_filters()
    assert _column(page, "doc_no") == ["检2"]
    page.date_from.setText("2025.13.1")  # a date that cannot be: said, the list kept
    page.apply_filters()
    assert page.filter_message.isVisible() and "起始日期" in page.filter_message.text()
    assert _column(page, "doc_no") == ["检2"]
    page.clear_filters()
    assert page.model.totals.count == 3 and not page.filter_message.isVisible()
    method = page.kind_filters["method"]
    method.setCurrentIndex(method.findData("日常"))
    assert _column(page, "doc_no") == ["检3"]
    page.clear_filters()
    page.town.setCurrentIndex(page.town.findData("沱江镇"))
    assert _column(page, "town") == ["沱江镇", "沱江镇"]


def test_header_click_sorts_in_the_database(qtbot: QtBot, session: core.Session) -> None:
    page = _page(qtbot, session)
    assert _column(page, "doc_no") == ["检3", "检2", "检1"]  # newest first
    header = page.table.horizontalHeader()
    column = page.model.column_of("hazards")
    where = QPoint(header.sectionViewportPosition(column) + header.sectionSize(column) // 2, 5)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
    first = _column(page, "hazards")
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
    second = _column(page, "hazards")
    assert {tuple(first), tuple(second)} == {("0", "3", "5"), ("5", "3", "0")}
    assert page.model.sort_order.key == "hazards"


def test_double_click_edits_in_the_existing_form(
    qtbot: QtBot, session: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(qtbot, session)
    opened: list[tuple[str, object]] = []

    def fill_and_save(dialog: RecordFormDialog) -> int:
        opened.append((dialog.table, dialog.value("doc_no")))
        dialog.set_value("hazards", "7")
        assert dialog.save()
        return 1

    monkeypatch.setattr(RecordFormDialog, "exec", fill_and_save)
    row = _column(page, "doc_no").index("检2")
    index = page.model.index(row, page.model.column_of("unit_name"))
    rect = page.table.visualRect(index)
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == [("inspections", "检2")]
    # the bus told the page: the row and the footer read again
    assert _column(page, "hazards")[row] == "7"
    assert "隐患数合计 15" in page.footer.text()
    assert page.selected_id() == page.model.row(row).id


def _answer(monkeypatch: pytest.MonkeyPatch, answer: QMessageBox.StandardButton) -> list[str]:
    asked: list[str] = []

    def question(_parent: Any, _title: str, text: str, *_a: Any) -> QMessageBox.StandardButton:
        asked.append(text)
        return answer

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


def test_delete_asks_then_undo_brings_it_back(
    qtbot: QtBot, session: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(qtbot, session)
    assert not page.delete_button.isEnabled() and not page.undo_button.isEnabled()
    page.select_record(page.model.row(0).id)
    assert page.delete_button.isEnabled()
    asked = _answer(monkeypatch, QMessageBox.StandardButton.No)
    page.delete_button.click()
    assert page.model.totals.count == 3 and "凤凰县阿拉营泓业茶叶加工厂" in asked[0]
    asked = _answer(monkeypatch, QMessageBox.StandardButton.Yes)
    page.delete_button.click()
    assert "确定删除这条执法检查记录吗" in asked[0]
    assert _column(page, "doc_no") == ["检2", "检1"]
    assert "共 2 条" in page.footer.text()
    assert page.undo_button.isEnabled()
    page.undo_button.click()
    assert sorted(_column(page, "doc_no")) == ["检1", "检2", "检3"]
    assert "隐患数合计 8" in page.footer.text()
    assert not page.undo_button.isEnabled()


def test_export_writes_the_filtered_rows_that_import_back(
    qtbot: QtBot, session: core.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(qtbot, session)
    page.unit.setText(CHEM)
    page.apply_filters()
    target = tmp_path / "导出.xlsx"
    monkeypatch.setattr(page, "export_path", lambda: target)
    page.export_button.click()
    assert page.last_export == target and target.exists()
    summary = session.exchange.import_workbook(target, dry_run=True, accept_bad_check=False)
    assert not summary.changed and summary.unchanged == 2


def test_new_record_picks_its_unit_in_the_form(
    qtbot: QtBot, session: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(qtbot, session, "penalties")

    def fill_and_save(dialog: RecordFormDialog) -> int:
        dialog.set_value("unit_id", TEA)
        dialog.set_value("doc_no", "凤应急罚〔2025〕3号")
        dialog.set_value("decided_on", "2025-06-01")
        dialog.set_value("department", "应急管理部门")
        dialog.set_value("fine_yuan", "1000")
        assert dialog.save(), dialog.errors()
        return 1

    monkeypatch.setattr(RecordFormDialog, "exec", fill_and_save)
    page.new_button.click()
    assert _column(page, "doc_no")[0] == "凤应急罚〔2025〕3号"
    assert _column(page, "unit_name")[0] == "凤凰县阿拉营泓业茶叶加工厂"
    assert "罚款金额合计 3,500.50" in page.footer.text()


def test_rows_fetched_a_page_at_a_time(qtbot: QtBot, session: core.Session) -> None:
    unit_id = session.units.find_by_code(CHEM)[0]  # type: ignore[index]
    session.repo.insert_many(
        [model.Inspection(unit_id, date(2020, 1, 1).fromordinal(730000 + n)) for n in range(450)]
    )
    page = _page(qtbot, session)
    assert page.model.rowCount() == 200 and page.model.totals.count == 453
    while page.model.canFetchMore(page.model.index(-1, -1)):
        page.model.fetchMore(page.model.index(-1, -1))
    ids = [page.model.row(r).id for r in range(page.model.rowCount())]
    assert len(ids) == 453 == len(set(ids))
    days = _column(page, "inspected_on")
    assert days == sorted(days, reverse=True)


def test_main_window_hosts_the_record_pages(qtbot: QtBot, session: core.Session) -> None:
    from safecredit_desktop.gui.main_window import MainWindow
    from safecredit_desktop.gui.views.commitments_page import CommitmentsPage
    from safecredit_desktop.gui.views.publicity_page import PublicityPage

    window = MainWindow(session)
    qtbot.addWidget(window)
    window._daily_backup_timer.stop()
    window._backup_on_close = False
    assert isinstance(window.pages["执法检查"], RecordPage)
    assert isinstance(window.pages["生产安全事故"], RecordPage)
    assert isinstance(window.pages["失信行为"], RecordPage)
    penalties = window.pages["行政处罚"]
    tabs = penalties.tabs  # type: ignore[attr-defined]
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["处罚决定", "双公示"]
    assert isinstance(tabs.widget(1), PublicityPage)
    both = window.pages["承诺与表彰"].tabs  # type: ignore[attr-defined]
    assert [both.tabText(i) for i in range(both.count())] == ["承诺书", "表彰", "缺少承诺书的企业"]
    assert isinstance(both.widget(2), CommitmentsPage)
    assert window.record_pages["honours"] is both.widget(1)


def test_each_record_page_opens_its_batch_entry(qtbot: QtBot, session: core.Session) -> None:
    from PySide6.QtWidgets import QPushButton

    from safecredit_desktop.gui.batch_entry import dialog as batch_dialog
    from safecredit_desktop.gui.main_window import MainWindow

    window = MainWindow(session)
    qtbot.addWidget(window)
    window._daily_backup_timer.stop()
    window._backup_on_close = False
    for kind, page in window.record_pages.items():
        (button,) = [b for b in page.findChildren(QPushButton) if b.text() == "连续录入…"]
        button.click()
        (opened,) = [d for d in batch_dialog._OPEN if d.grid.model.table == kind]
        assert opened.isVisible()
        assert opened.grid.form.title in opened.windowTitle()
        opened.reject()
        assert opened not in batch_dialog._OPEN


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_page_filters_sorts_deletes_undoes_and_exports(
    qtbot: QtBot,
    session: core.Session,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    page = _page(qtbot, session, kind)
    unit = page.model.row(0)
    page.unit.setText(unit.uscc)  # the unit of the newest record, by its code
    page.apply_filters()
    assert {row.unit_id for row in map(page.model.row, range(page.model.rowCount()))} == {
        unit.unit_id
    }
    shown = page.model.totals.count
    assert shown >= 1
    for column in range(page.model.columnCount()):  # every header sorts in the core
        page.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
        assert page.model.rowCount() == shown
        key = page.model.kind.columns[column].key
        assert page.model.sort_order.key == (None if key == page.kind.date_key else key)
    record_id = page.model.row(0).id
    page.select_record(record_id)
    _answer(monkeypatch, QMessageBox.StandardButton.Yes)
    page.delete_button.click()
    assert page.model.totals.count == shown - 1
    page.undo_button.click()
    assert page.model.totals.count == shown
    target = tmp_path / f"{kind}.xlsx"
    monkeypatch.setattr(page, "export_path", lambda: target)
    page.export_button.click()
    summary = session.exchange.import_workbook(target, dry_run=True, accept_bad_check=False)
    assert not summary.changed and summary.unchanged == shown
