"""A table model over a list of rows, described by its columns (Vorta's table models).

A page says once what each column shows — its title, the text of a row, a tooltip, a
colour, whether it is bold, how it sorts, and which column is the long text one — and
hands over the rows; the model answers the view. It holds no widgets and is tested
without any (tests/gui/test_blocks.py).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole  # the row's id, on every cell
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
_ALIGN = {
    "left": Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
    "right": Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
    "center": Qt.AlignmentFlag.AlignCenter,
}


@dataclass(frozen=True)
class Column(Generic[R]):
    """One column: ``title`` (already translated) and ``text`` of a row; optionally a
    ``tooltip``, a foreground ``colour`` (a QColor, a "#rrggbb" or None), ``bold``, a
    ``sort_key`` (default: the text), ``align`` ("left", "right", "center").

    ``stretch``: the long text column, which takes the width the others leave (one per
    table). ``widest``: most pixels a column takes before its text is cut with "…"
    (its whole text is then the tooltip). ``checked``: a tick box in the cell (the page
    is told of clicks through the model's ``on_check``)."""

    title: str
    text: Callable[[R], str]
    tooltip: Callable[[R], str] | None = None
    colour: Callable[[R], QColor | str | None] | None = None
    bold: Callable[[R], bool] | None = None
    sort_key: Callable[[R], Any] | None = None
    align: str = "left"
    stretch: bool = False
    widest: int | None = None
    checked: Callable[[R], bool] | None = None


class RowModel(QAbstractTableModel, Generic[R]):
    """``RowModel(columns, row_id)``; ``set_rows(rows)`` shows them."""

    def __init__(
        self,
        columns: Sequence[Column[R]],
        row_id: Callable[[R], Hashable],
        parent: QObject | None = None,
        *,
        on_check: Callable[[R, bool], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self._row_id = row_id
        self._rows: list[R] = []
        self._on_check = on_check
        self._bold = QFont()
        self._bold.setBold(True)

    # -- the rows ------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[R]:
        return list(self._rows)

    def row(self, row: int) -> R:
        return self._rows[row]

    def id_of(self, row: R) -> Hashable:
        return self._row_id(row)

    def row_of(self, row_id: Hashable) -> int | None:
        for number, row in enumerate(self._rows):
            if self._row_id(row) == row_id:
                return number
        return None

    def text(self, row: int, column: int) -> str:
        return self.columns[column].text(self._rows[row])

    def column_of(self, title: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.title == title)

    @property
    def stretch_column(self) -> int | None:
        return next((i for i, c in enumerate(self.columns) if c.stretch), None)

    def refresh_rows(self) -> None:
        """The rows' objects changed in place (ticks): repaint every cell."""
        if self._rows:
            last = self.index(len(self._rows) - 1, len(self.columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    # -- QAbstractTableModel -------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.columns):
            return self.columns[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column.tooltip is not None:
                return column.tooltip(row) or None
            if column.stretch or column.widest is not None:
                return column.text(row) or None  # a cut text is read whole here
            return None
        if role == Qt.ItemDataRole.ForegroundRole and column.colour is not None:
            colour = column.colour(row)
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.FontRole and column.bold is not None:
            return self._bold if column.bold(row) else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(_ALIGN.get(column.align, _ALIGN["left"]).value)
        if role == Qt.ItemDataRole.CheckStateRole and column.checked is not None:
            return Qt.CheckState.Checked if column.checked(row) else Qt.CheckState.Unchecked
        if role == ID_ROLE:
            return self._row_id(row)
        if role == SORT_ROLE:
            return self._sort_value(column, row)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and self.columns[index.column()].checked is not None:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole:
            return False
        if self.columns[index.column()].checked is None or self._on_check is None:
            return False
        state = Qt.CheckState(value) if isinstance(value, int) else value
        self._on_check(self._rows[index.row()], state == Qt.CheckState.Checked)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        spec = self.columns[column]
        self.layoutAboutToBeChanged.emit()
        old = self._rows
        order_of = sorted(
            range(len(old)),
            key=lambda i: self._sort_value(spec, old[i]),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )
        self._rows = [old[i] for i in order_of]
        moved_to = {before: after for after, before in enumerate(order_of)}
        kept = self.persistentIndexList()  # the selection follows its rows
        self.changePersistentIndexList(
            kept, [self.index(moved_to[i.row()], i.column()) for i in kept]
        )
        self.layoutChanged.emit()

    @staticmethod
    def _sort_value(column: Column[R], row: R) -> Any:
        if column.sort_key is not None:
            return column.sort_key(row)
        return column.text(row)
