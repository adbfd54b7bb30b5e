"""A read-only table of rows (a RowModel in a QTableView): whole rows selected, columns
fitted to their content with the long text column taking the rest, the selection kept
by id when the rows are replaced."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from safecredit_desktop.gui.blocks.columns import ColumnFitter
from safecredit_desktop.gui.blocks.row_model import Column, RowModel

R = TypeVar("R")


class RowTable(QTableView, Generic[R]):
    """``RowTable(parent, columns, row_id)``; ``set_rows(rows)`` shows them."""

    def __init__(
        self,
        parent: QWidget | None,
        columns: Sequence[Column[R]],
        row_id: Callable[[R], Hashable],
        *,
        multi: bool = False,
        sortable: bool = True,
        on_check: Callable[[R, bool], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.rows_model: RowModel[R] = RowModel(columns, row_id, self, on_check=on_check)
        self.setModel(self.rows_model)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(
            QAbstractItemView.SelectionMode.ExtendedSelection
            if multi
            else QAbstractItemView.SelectionMode.SingleSelection
        )
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setHighlightSections(False)
        if sortable:  # no order of its own until a title is clicked: the rows' order
            self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            self.setSortingEnabled(True)
        widest = {i: c.widest for i, c in enumerate(columns) if c.widest}
        self.fitter = ColumnFitter(self, self.rows_model.stretch_column, widest=widest)

    def set_rows(self, rows: Sequence[R]) -> None:
        """Show ``rows`` (in the order the user sorted by, if any), the same rows
        selected as before, the columns fitted."""
        keep = [self.rows_model.id_of(r) for r in self.selected_rows()]
        selection = self.selectionModel()
        was = selection.blockSignals(True)
        self.rows_model.set_rows(rows)
        header = self.horizontalHeader()
        if self.isSortingEnabled() and header.sortIndicatorSection() >= 0:
            self.rows_model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        for row_id in keep:
            self.select_id(row_id, add=True)
        selection.blockSignals(was)
        self.fitter.fit()

    def rows(self) -> list[R]:
        return self.rows_model.rows()

    def selected_rows(self) -> list[R]:
        numbers = sorted({i.row() for i in self.selectionModel().selectedRows()})
        return [self.rows_model.row(n) for n in numbers if n < self.rows_model.rowCount()]

    def selected(self) -> R | None:
        """The one selected row (None when none or several are)."""
        rows = self.selected_rows()
        return rows[0] if len(rows) == 1 else None

    def select_id(self, row_id: Hashable, *, add: bool = False) -> bool:
        """Select the row with this id if it is listed."""
        number = self.rows_model.row_of(row_id)
        if number is None:
            return False
        flags = QItemSelectionModel.SelectionFlag.Rows | (
            QItemSelectionModel.SelectionFlag.Select
            if add
            else QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        index = self.rows_model.index(number, 0)
        selection = self.selectionModel()
        selection.select(index, flags)
        selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
        self.scrollTo(index)
        return True

    def text(self, row: int, column: int) -> str:
        return self.rows_model.text(row, column)
