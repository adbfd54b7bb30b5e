"""The window's building blocks: the row model (no widgets), column fitting, the pane."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QComboBox, QTreeWidget, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from safecredit_desktop.gui.blocks import ID_ROLE, Column, ListPane, RowModel, fit_columns
from safecredit_desktop.gui.blocks.columns import content_width
from safecredit_desktop.gui.blocks.row_model import SORT_ROLE


@dataclass
class Row:
    id: int
    name: str
    day: date
    late: bool = False
    ticked: bool = False


ROWS = [
    Row(3, "凤凰县乙化工有限公司", date(2026, 3, 1)),
    Row(1, "凤凰县甲烟花爆竹经营部", date(2026, 1, 5), late=True),
    Row(2, "丙", date(2026, 2, 9)),
]


def _columns(ticks: set[int] | None = None) -> list[Column[Row]]:
    return [
        Column("编号", lambda r: str(r.id), sort_key=lambda r: r.id, align="right"),
        Column("单位", lambda r: r.name, stretch=True),
        Column(
            "日期",
            lambda r: r.day.isoformat(),
            colour=lambda r: "#c62828" if r.late else None,
            bold=lambda r: r.late,
            tooltip=lambda r: "已逾期" if r.late else "",
        ),
        Column("勾选", lambda r: "", checked=lambda r: ticks is not None and r.id in ticks),
    ]


def test_row_model_answers_the_view_from_the_columns(qapp: object) -> None:
    model: RowModel[Row] = RowModel(_columns(), lambda r: r.id)
    assert model.rowCount() == 0 and model.columnCount() == 4
    model.set_rows(ROWS)
    assert model.rowCount() == 3
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == [
        "编号",
        "单位",
        "日期",
        "勾选",
    ]
    late = model.index(1, 2)
    assert late.data(Qt.ItemDataRole.DisplayRole) == "2026-01-05"
    assert late.data(Qt.ItemDataRole.ForegroundRole) == QColor("#c62828")
    assert isinstance(late.data(Qt.ItemDataRole.FontRole), QFont)
    assert late.data(Qt.ItemDataRole.FontRole).bold()
    assert late.data(Qt.ItemDataRole.ToolTipRole) == "已逾期"
    assert model.index(0, 2).data(Qt.ItemDataRole.ToolTipRole) is None
    assert model.index(0, 2).data(Qt.ItemDataRole.ForegroundRole) is None
    # the long column's whole text is its tooltip (it may be cut to fit)
    assert model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole) == "凤凰县乙化工有限公司"
    assert model.index(2, 0).data(ID_ROLE) == 2 and model.index(2, 0).data(SORT_ROLE) == 2
    right = model.index(0, 0).data(Qt.ItemDataRole.TextAlignmentRole)
    assert right & Qt.AlignmentFlag.AlignRight.value
    assert model.stretch_column == 1
    assert model.row_of(1) == 1 and model.row_of(99) is None
    assert model.text(2, 1) == "丙" and model.column_of("日期") == 2
    assert not model.index(0, 0, QModelIndex()).parent().isValid()
    assert model.rowCount(model.index(0, 0)) == 0  # a flat table


def test_row_model_sorts_by_key_and_keeps_the_selection_on_its_row(qapp: object) -> None:
    model: RowModel[Row] = RowModel(_columns(), lambda r: r.id)
    model.set_rows(ROWS)
    kept = model.index(0, 1)  # id 3
    from PySide6.QtCore import QPersistentModelIndex

    persistent = QPersistentModelIndex(kept)
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert [r.id for r in model.rows()] == [1, 2, 3]
    assert persistent.row() == 2 and model.row(persistent.row()).id == 3
    model.sort(2, Qt.SortOrder.DescendingOrder)  # by the text: dates in ISO order
    assert [r.id for r in model.rows()] == [3, 2, 1]
    model.sort(-1)  # no column: the order stays
    assert [r.id for r in model.rows()] == [3, 2, 1]


def test_row_model_check_boxes_tell_the_page(qapp: object) -> None:
    ticks: set[int] = set()
    told: list[tuple[int, bool]] = []

    def on_check(row: Row, on: bool) -> None:
        told.append((row.id, on))
        (ticks.add if on else ticks.discard)(row.id)

    model: RowModel[Row] = RowModel(_columns(ticks), lambda r: r.id, on_check=on_check)
    model.set_rows(ROWS)
    cell = model.index(0, 3)
    assert model.flags(cell) & Qt.ItemFlag.ItemIsUserCheckable
    assert not model.flags(model.index(0, 1)) & Qt.ItemFlag.ItemIsUserCheckable
    assert cell.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert model.setData(cell, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert (
        told == [(3, True)] and cell.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    )
    assert not model.setData(model.index(0, 1), "x", Qt.ItemDataRole.EditRole)


def test_pane_fits_columns_keeps_selection_and_filters(qtbot: QtBot) -> None:
    rows = list(ROWS)
    combo = QComboBox()
    combo.addItems(["全部", "逾期"])

    def load() -> list[Row]:
        late_only = combo.currentIndex() == 1
        return [r for r in rows if r.late or not late_only]

    pane: ListPane[Row] = ListPane(None, _columns(), lambda r: r.id, load)
    qtbot.addWidget(pane)
    pane.add_filter("状态", combo)
    search = pane.add_search("名称")
    pane.resize(1366, 500)
    pane.show()
    qtbot.waitExposed(pane)
    pane.refresh()
    assert pane.count.text() == "共 3 条"
    table = pane.table
    widths = [table.columnWidth(c) for c in range(4)]
    assert widths[0] >= content_width(table, 0) and widths[2] >= content_width(table, 2)
    assert sum(widths) >= table.viewport().width() - 4  # the long column takes the rest
    assert widths[1] == max(widths)
    assert pane.select_id(3) and pane.selected() == ROWS[0]
    rows.append(Row(4, "丁", date(2026, 4, 1)))
    pane.refresh()
    assert pane.selected() is not None and pane.selected().id == 3  # kept by id
    combo.setCurrentIndex(1)  # only the late one: the selected row is filtered out
    assert [r.id for r in pane.rows()] == [1] and pane.selected() is None
    assert pane.show_id(4)  # hidden by the filter: the filters are cleared
    assert combo.currentIndex() == 0 and search.text() == "" and pane.selected().id == 4
    opened: list[Row] = []
    pane.activated.connect(opened.append)
    table.doubleClicked.emit(pane.model.index(0, 1))
    assert opened and opened[0].id == pane.model.row(0).id


def test_due_list_columns_are_not_cut_in_collapsed_groups(qtbot: QtBot) -> None:
    """The home page's due list: measured over every row, also those of collapsed
    groups (a view's own measuring sees only the expanded ones), the name the rest."""
    tree = QTreeWidget()
    qtbot.addWidget(tree)
    tree.setHeaderLabels(["单位名称", "统一社会信用代码", "上次检查", "到期日", "情况", "执法主体"])
    for group in range(5):
        top = QTreeWidgetItem([f"第{group}镇（逾期 1 家）"])
        top.setFirstColumnSpanned(True)
        for n in range(3):
            top.addChild(
                QTreeWidgetItem(
                    [
                        f"凤凰县某某化工有限公司{n}",
                        "91433123MA4L0000XX",
                        "2025-03-04",
                        "2026-03-04",
                        "逾期 12 天（停产整顿，复查）",
                        "县应急管理局",
                    ]
                )
            )
        tree.addTopLevelItem(top)
    tree.resize(1600, 400)
    tree.show()
    qtbot.waitExposed(tree)
    fit_columns(tree, 0)
    metrics = tree.fontMetrics()
    for column, text in (
        (1, "91433123MA4L0000XX"),
        (2, "2025-03-04"),
        (4, "逾期 12 天（停产整顿，复查）"),
    ):
        assert tree.columnWidth(column) > metrics.horizontalAdvance(text), column
    assert tree.columnWidth(0) == max(tree.columnWidth(c) for c in range(6))


def test_home_due_list_shows_codes_and_dates_whole(qtbot: QtBot, tmp_path: object) -> None:
    """Issue 18's finding on the real panel: at 1600 px no cell of 统一社会信用代码,
    上次检查, 到期日 or 情况 is cut, whether its group is expanded or not."""
    from pathlib import Path

    from safecredit_desktop.core import app as core
    from safecredit_desktop.gui.views.due_panel import DuePanel

    assert isinstance(tmp_path, Path)
    session = core.init_database(
        tmp_path / "d.db", profile="fenghuang", bureau_name="测试县应急管理局", user="测试"
    )
    try:
        core.fill_demo(session, enterprises=150, seed=2)
        panel = DuePanel(session)
        qtbot.addWidget(panel)
        panel.resize(1600, 500)
        panel.show()
        qtbot.waitExposed(panel)
        panel.refresh()
        tree = panel.tree
        assert tree.topLevelItemCount() > 3  # groups left collapsed
        metrics = tree.fontMetrics()
        for column in (1, 3, 4, 5):
            widest = max(
                metrics.horizontalAdvance(tree.topLevelItem(g).child(c).text(column))
                for g in range(tree.topLevelItemCount())
                for c in range(tree.topLevelItem(g).childCount())
            )
            assert tree.columnWidth(column) > widest, column
        assert tree.columnWidth(0) == max(tree.columnWidth(c) for c in range(tree.columnCount()))
    finally:
        session.close()
