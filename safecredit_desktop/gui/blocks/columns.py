"""Column widths for every list: each column as wide as its longest text (and title),
the long text column taking what is left of the view's width.

Measured from the model's texts with the view's font, not from what the view happens
to have laid out, so the rows of a collapsed group count as much as the visible ones
(the home page's due list cut 统一社会信用代码 and the dates to "…" for that reason).
When the columns need more than the view's width, the long column keeps its text up
to a floor (``STRETCH_FLOOR_CHARS``) and a horizontal scroll bar appears; a column is
cut with "…" only past its own cap (``widest``), its whole text then in the tooltip.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QObject, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHeaderView, QTableView, QTreeView

CELL_PAD = 18  # the delegate's margins and the grid line
HEADER_PAD = 30  # the header's margins and a sort arrow
SAMPLE_ROWS = 3000  # rows measured per column (a long list: its first rows)
# When the columns need more than the view's width, the long column still shows this
# many characters of its text (a scroll bar appears) rather than being cut first.
STRETCH_FLOOR_CHARS = 14


def _header(view: QTableView | QTreeView) -> QHeaderView:
    return view.horizontalHeader() if isinstance(view, QTableView) else view.header()


def _texts(
    model: QAbstractItemModel, column: int, parent: QModelIndex, depth: int, budget: list[int]
) -> list[tuple[str, bool, int]]:
    """(text, bold, depth) of a column's cells, children of tree rows included."""
    found: list[tuple[str, bool, int]] = []
    for row in range(model.rowCount(parent)):
        if budget[0] <= 0:
            break
        budget[0] -= 1
        index = model.index(row, column, parent)
        text = model.data(index, Qt.ItemDataRole.DisplayRole)
        font = model.data(index, Qt.ItemDataRole.FontRole)
        if text not in (None, ""):
            found.append((str(text), isinstance(font, QFont) and font.bold(), depth))
        first = model.index(row, 0, parent)
        if model.rowCount(first) > 0:
            found.extend(_texts(model, column, first, depth + 1, budget))
    return found


def content_width(view: QTableView | QTreeView, column: int) -> int:
    """Pixels the column needs for its longest cell and its title."""
    model = view.model()
    metrics = view.fontMetrics()
    bold_font = QFont(view.font())
    bold_font.setBold(True)
    bold_metrics = QFontMetrics(bold_font)
    indent = view.indentation() if isinstance(view, QTreeView) else 0
    widest = 0
    check = 0
    for text, bold, depth in _texts(model, column, QModelIndex(), 1, [SAMPLE_ROWS]):
        line = max(text.splitlines() or [""], key=len)
        width = (bold_metrics if bold else metrics).horizontalAdvance(line)
        if column == 0:
            width += indent * depth
        widest = max(widest, width)
    if model.rowCount() and model.data(model.index(0, column), Qt.ItemDataRole.CheckStateRole):
        check = 24
    title = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
    header_width = _header(view).fontMetrics().horizontalAdvance(str(title or "")) + HEADER_PAD
    return max(widest + CELL_PAD + check, header_width)


def fit_columns(
    view: QTableView | QTreeView,
    stretch: int | None,
    *,
    widest: Mapping[int, int] | None = None,
) -> int:
    """Size every column to its content (at most ``widest[column]`` pixels); the
    ``stretch`` column then takes the rest of the view's width, and at least its floor
    (its content, up to ``STRETCH_FLOOR_CHARS`` characters), which is returned."""
    model = view.model()
    if model is None:
        return 0
    header = _header(view)
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    caps = widest or {}
    wanted: dict[int, int] = {}
    for column in range(model.columnCount()):
        if view.isColumnHidden(column):
            continue
        width = content_width(view, column)
        cap = caps.get(column)
        wanted[column] = min(width, cap) if cap else width
    floor = 0
    if stretch is not None and stretch in wanted:
        others = sum(w for c, w in wanted.items() if c != stretch)
        floor = min(wanted[stretch], stretch_floor(view))
        room = view.viewport().width() - others - 2
        wanted[stretch] = max(floor, room)
    for column, width in wanted.items():
        view.setColumnWidth(column, width)
    return floor


def stretch_floor(view: QTableView | QTreeView) -> int:
    return view.fontMetrics().horizontalAdvance("国" * STRETCH_FLOOR_CHARS) + CELL_PAD


class ColumnFitter(QObject):
    """Keeps a view's columns fitted: call ``fit()`` after new rows; the long column
    follows the view's width as the window is resized."""

    def __init__(
        self,
        view: QTableView | QTreeView,
        stretch: int | None,
        *,
        widest: Mapping[int, int] | None = None,
    ) -> None:
        super().__init__(view)
        self.view = view
        self.stretch = stretch
        self.widest = dict(widest or {})
        self._last_width = -1
        self._floor: int | None = None  # the long column's floor at the last fit
        view.viewport().installEventFilter(self)

    def fit(self) -> None:
        self._floor = fit_columns(self.view, self.stretch, widest=self.widest)
        self._last_width = self.view.viewport().width()

    def fill(self) -> None:
        """Only the long column: it takes what the others leave (they keep their widths,
        also those the user dragged)."""
        if self.stretch is None or self.view.model() is None:
            return
        header = _header(self.view)
        others = sum(
            header.sectionSize(c)
            for c in range(header.count())
            if c != self.stretch and not header.isSectionHidden(c)
        )
        floor = self._floor if self._floor is not None else stretch_floor(self.view)
        room = self.view.viewport().width() - others - 2
        self.view.setColumnWidth(self.stretch, max(floor, room))
        self._last_width = self.view.viewport().width()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.view.viewport().width() != self._last_width:
            self.fill()
        return False
