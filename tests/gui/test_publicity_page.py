"""双公示 page: states and colours, marking published, registering a permit, export."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from safecredit_desktop.core import app as core
from safecredit_desktop.core.storage.changes import Changes, Table
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.views import publicity_page
from safecredit_desktop.gui.views.publicity_page import (
    ORANGE,
    RED,
    STATUS_COLUMN,
    PermitDialog,
    PublicityPage,
    PublishDialog,
)


class _Cell:
    """A shown cell: its text and colour, as the model gives them to the view."""

    def __init__(self, page: PublicityPage, row: int, column: int) -> None:
        index = page.pane.model.index(row, column)
        self._text = str(index.data(Qt.ItemDataRole.DisplayRole))
        self._colour = index.data(Qt.ItemDataRole.ForegroundRole)

    def text(self) -> str:
        return self._text

    def colour(self) -> QColor | None:
        return self._colour  # type: ignore[no-any-return]


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[core.Session]:
    session = core.init_database(
        tmp_path / "x.db",
        profile="fenghuang",
        bureau_name="测试县应急管理局",
        user="管理员",
        admin=("管理员", "admin-pw"),
    )
    core.fill_demo(session, enterprises=120, seed=1)
    yield session
    session.close()


@pytest.fixture
def page(qtbot: QtBot, demo: core.Session) -> PublicityPage:
    shown = PublicityPage(demo, DataBus())
    qtbot.addWidget(shown)
    shown.refresh()  # the page loads when first shown; tests read it without showing
    return shown


def _messages(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []

    def box(kind: str) -> Any:
        def show(_parent: object, _title: str, text: str, *args: object) -> Any:
            shown.append((kind, text))
            return QMessageBox.StandardButton.Ok

        return show

    for kind in ("warning", "information"):
        monkeypatch.setattr(QMessageBox, kind, box(kind))
    return shown


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _row_of(page: PublicityPage, kind: str, item_id: int) -> int:
    assert page.select_item(kind, item_id)
    rows = page.pane.table.selectionModel().selectedRows()
    assert len(rows) == 1
    return rows[0].row()


def _status_cell(page: PublicityPage, kind: str, item_id: int) -> _Cell:
    return _Cell(page, _row_of(page, kind, item_id), STATUS_COLUMN)


def _service_status(session: core.Session, kind: str, item_id: int) -> str:
    found = next(i for i in session.publicity.items() if (i.kind, i.id) == (kind, item_id))
    return found.status(date.today())


def test_lists_items_with_states_and_summary(page: PublicityPage, demo: core.Session) -> None:
    items = demo.publicity.items()
    assert page.pane.model.rowCount() == len(items) > 0
    model = page.pane.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == list(publicity_page.COLUMNS)
    overdue = [i for i in items if i.status(date.today()) == "逾期未公示"]
    assert overdue, "the demo has penalties not published in time"
    cell = _status_cell(page, overdue[0].kind, overdue[0].id)
    assert cell.text() == "逾期未公示"
    assert cell.colour() == RED
    assert f"逾期未公示 {len(overdue)} 条" in page.summary.text()

    page.status_filter.setCurrentText("逾期未公示")
    assert page.pane.model.rowCount() == len(overdue)
    assert page.count_label.text() == f"{len(overdue)} / {len(items)} 条"
    page.status_filter.setCurrentText("（全部）")
    page.search.setText(overdue[0].number)
    page.apply_filters()
    assert page.pane.model.rowCount() == 1
    page.search.setText("没有这样的文号")
    page.apply_filters()
    assert page.pane.model.rowCount() == 0 and not page.empty_label.isHidden()
    assert not page.publish_button.isEnabled()


def test_marking_a_penalty_published_changes_its_state(
    page: PublicityPage, demo: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = _messages(monkeypatch)
    overdue = next(i for i in demo.publicity.items() if i.status(date.today()) == "逾期未公示")
    assert overdue.kind == "行政处罚"
    answers = [overdue.decided_on - timedelta(days=1), date.today()]
    results: list[int] = []

    def fake_exec(dialog: PublishDialog) -> int:
        # first a date before the decision (refused, the dialog stays), then today
        for day in answers:
            dialog.published_on.setDate(_qdate(day))
            dialog.accept()
            results.append(dialog.result())
        return dialog.result()

    monkeypatch.setattr(PublishDialog, "exec", fake_exec)
    page.select_item(overdue.kind, overdue.id)
    assert page.publish_button.isEnabled()
    page.publish_button.click()
    assert results == [QDialog.DialogCode.Rejected, QDialog.DialogCode.Accepted]
    assert len(shown) == 1 and "公示日期不能早于" in shown[0][1]
    assert _service_status(demo, overdue.kind, overdue.id) == "逾期公示"
    assert page.item_status(overdue.kind, overdue.id) == "逾期公示"
    cell = _status_cell(page, overdue.kind, overdue.id)
    assert cell.text() == "逾期公示"
    row = _row_of(page, overdue.kind, overdue.id)
    assert _Cell(page, row, 7).text() == date.today().isoformat()


def test_marking_several_at_once(
    page: PublicityPage, demo: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _messages(monkeypatch)
    overdue = [i for i in demo.publicity.items() if i.status(date.today()) == "逾期未公示"]
    assert len(overdue) >= 2
    changes: list[Changes] = []
    page.bus.changed.connect(changes.append)
    assert page.mark_published(overdue[:2], date.today())
    assert [c.data_tables for c in changes] == [{"penalties"}]
    for item in overdue[:2]:
        assert _service_status(demo, item.kind, item.id) == "逾期公示"


def test_adding_a_permit_shows_it_pending(
    page: PublicityPage, demo: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = _messages(monkeypatch)
    unit_id, uscc, name = demo.units.search("")[3]
    steps: list[int] = []

    def fake_exec(dialog: PermitDialog) -> int:
        dialog.accept()  # no unit chosen: refused, the dialog stays
        steps.append(dialog.result())
        dialog.search.setText(uscc)
        dialog.run_search()
        assert dialog.units.count() == 1 and dialog.choose_unit(unit_id)
        assert name in dialog.chosen_label.text()
        dialog.accept()  # no permit number: the core refuses, the typing is kept
        steps.append(dialog.result())
        assert dialog.unit_id() == unit_id
        dialog.permit_no.setText("（湘）WH安经〔2026〕0001")
        dialog.kind.setCurrentText("危险化学品经营许可")
        dialog.decided_on.setDate(QDate.currentDate())
        dialog.accept()
        steps.append(dialog.result())
        return dialog.result()

    monkeypatch.setattr(PermitDialog, "exec", fake_exec)
    new_id = page.add_permit()
    assert steps == [
        QDialog.DialogCode.Rejected,
        QDialog.DialogCode.Rejected,
        QDialog.DialogCode.Accepted,
    ]
    assert [m[1] for m in shown] == ["请先选择企业。", "请填写许可证号和许可类别。"]
    assert new_id is not None
    assert page.item_status("行政许可", new_id) == "待公示"
    cell = _status_cell(page, "行政许可", new_id)
    assert cell.text() == "待公示"
    row = _row_of(page, "行政许可", new_id)
    assert _Cell(page, row, 1).text() == "（湘）WH安经〔2026〕0001"
    assert _Cell(page, row, 2).text() == uscc
    assert [p.permit_no for p in demo.publicity.permits()] == ["（湘）WH安经〔2026〕0001"]

    # the same number again is refused with the core's sentence
    def again(dialog: PermitDialog) -> int:
        dialog.choose_unit(unit_id)
        dialog.permit_no.setText("（湘）WH安经〔2026〕0001")
        dialog.kind.setCurrentText("危险化学品经营许可")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(PermitDialog, "exec", again)
    assert page.add_permit() is None
    assert "已登记" in shown[-1][1]


def test_due_soon_is_orange(page: PublicityPage, demo: core.Session) -> None:
    unit_id = demo.units.search("")[0][0]
    permit_id = demo.publicity.add_permit(
        unit_id=unit_id,
        permit_no="许可-1",
        kind="危险化学品经营许可",
        decided_on=date.today(),
    )
    page.refresh()
    item = next(i for i in demo.publicity.items() if i.id == permit_id)
    assert _status_cell(page, "行政许可", permit_id).colour() != ORANGE
    page.as_of = item.due_on - timedelta(days=1)
    page.refresh()
    cell = _status_cell(page, "行政许可", permit_id)
    assert cell.text() == "待公示" and cell.colour() == ORANGE
    assert "其中 1 条 2 天内到期" in page.summary.text()
    page.as_of = item.due_on + timedelta(days=1)
    page.refresh()
    assert _status_cell(page, "行政许可", permit_id).text() == "逾期未公示"


def test_refreshes_on_data_changed_when_shown(
    qtbot: QtBot, page: PublicityPage, demo: core.Session
) -> None:
    before = page.pane.model.rowCount()
    unit_id = demo.units.search("")[0][0]
    demo.publicity.add_permit(
        unit_id=unit_id,
        permit_no="许可-2",
        kind="危险化学品经营许可",
        decided_on=date.today(),
    )
    page.bus.changed.emit(Changes(frozenset({Table.PERMITS})))  # hidden: only marked stale
    assert page.pane.model.rowCount() == before
    page.show()
    qtbot.waitExposed(page)
    assert page.pane.model.rowCount() == before + 1


def test_export_writes_the_workbook(
    page: PublicityPage, demo: core.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _messages(monkeypatch)
    target = tmp_path / "公示清单"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    written = page.export()
    assert written == target.with_name("公示清单.xlsx") and written.exists()
    items = demo.publicity.items()
    wb = openpyxl.load_workbook(written)
    ws = wb["双公示"]
    rows = list(ws.iter_rows(values_only=True))
    header_at = next(n for n, r in enumerate(rows) if r and r[0] == "序号")
    assert list(rows[header_at]) == [
        "序号",
        "类别",
        "决定书文号或许可证号",
        "统一社会信用代码",
        "单位名称",
        "事由或许可类别",
        "决定日期",
        "应公示日期",
        "公示日期",
        "状态",
    ]
    first = header_at + 1
    for n, item in enumerate(items):
        code = ws.cell(row=first + n + 1, column=4)
        assert code.value == item.uscc
        assert code.data_type == "s" and code.number_format == "@"
    assert ws.cell(row=first + 1, column=10).value == items[0].status(date.today())

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    assert page.export() is None  # cancelled


def test_penalty_publicity_export_button(
    page: PublicityPage, demo: core.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = _messages(monkeypatch)
    start, end = date(2000, 1, 1), date.today()

    def choose_period(dialog: publicity_page.PeriodDialog) -> int:
        assert dialog.end.date() == _qdate(date.today())
        assert dialog.start.date() == _qdate(date.today().replace(day=1))
        dialog.start.setDate(_qdate(start))
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(publicity_page.PeriodDialog, "exec", choose_period)
    target = tmp_path / "行政处罚双公示"
    asked: list[str] = []

    def save_as(_parent: object, _title: str, suggested: str, _filter: str) -> tuple[str, str]:
        asked.append(suggested)
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    page.penalty_export_button.click()
    written = target.with_name("行政处罚双公示.xlsx")
    assert page.last_export == written and written.exists()
    assert asked and f"{start.isoformat()}至{end.isoformat()}" in asked[0]
    wb = openpyxl.load_workbook(written)
    assert wb.sheetnames == ["行政处罚双公示", "缺项", "说明"]
    header = [c.value for c in next(wb["行政处罚双公示"].iter_rows())]
    assert header[0] == "行政相对人名称" and header[-1] == "备注"
    penalties = demo.db.conn.execute(
        "SELECT count(*) FROM penalties WHERE department = '应急管理部门'"
    ).fetchone()[0]
    assert wb["行政处罚双公示"].max_row == penalties + 1
    # the demo's penalties lack the new national fields: the user is told where to look
    assert shown and shown[-1][0] == "information" and "缺项" in shown[-1][1]

    def backwards(dialog: publicity_page.PeriodDialog) -> int:
        dialog.start.setDate(_qdate(end))
        dialog.end.setDate(_qdate(start))
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(publicity_page.PeriodDialog, "exec", backwards)
    assert page.export_penalty_publicity() is None
    assert shown[-1][0] == "warning" and "晚于" in shown[-1][1]


def test_the_reason_column_is_readable_at_1366(
    qtbot: QtBot, page: PublicityPage, demo: core.Session
) -> None:
    """Issue 18: 事由 was 30 px wide at 1366 px; it now takes what the other columns
    leave (at least 14 characters), and 状态 stays on screen."""
    from safecredit_desktop.gui.fonts import install_app_font

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    install_app_font(app)  # measured in the window's own font
    page.resize(1190, 700)  # the page's share of a 1366 px window
    page.show()
    qtbot.waitExposed(page)
    table = page.pane.table
    reason = publicity_page.COLUMNS.index("事由/许可类别")
    assert table.columnWidth(reason) >= table.fontMetrics().horizontalAdvance("国" * 12)
    status_right = table.columnViewportPosition(STATUS_COLUMN) + table.columnWidth(STATUS_COLUMN)
    assert status_right <= table.viewport().width()
    tip = page.pane.model.index(0, reason).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == page.pane.model.text(0, reason)  # a cut reason is read whole in its tooltip
