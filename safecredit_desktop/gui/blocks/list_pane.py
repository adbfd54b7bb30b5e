"""A list and its detail: a filter bar (search with debounce, the row count), the
table, a detail area with the actions beside it, and button rows above and below.

The page gives the columns (``Column``), how to read the rows (``load``) and the
widgets of its filters, details and actions; the pane refreshes, counts, fits the
columns, keeps the selection by id across refreshes, and says when the selection
changes or a row is opened. A page then reads as layout plus wiring.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.gui.blocks.dialog_parts import add_parts
from safecredit_desktop.gui.blocks.enter_key import EnterOpensRow
from safecredit_desktop.gui.blocks.row_model import Column
from safecredit_desktop.gui.blocks.row_table import RowTable

R = TypeVar("R")
DEBOUNCE_MS = 250


def action_box(
    parent: QWidget,
    title: str,
    rows: Sequence[Sequence[QWidget | None]],
    note: QLabel | None = None,
) -> QGroupBox:
    """Buttons in a titled box, row by row (None leaves a cell empty); ``note`` below."""
    box = QGroupBox(title, parent)
    grid = QGridLayout(box)
    for r, row in enumerate(rows):
        for c, widget in enumerate(row):
            if widget is not None:
                grid.addWidget(widget, r, c)
    grid.setRowStretch(len(rows), 1)
    if note is not None:
        note.setWordWrap(True)
        note.setStyleSheet("color: #666666;")
        grid.addWidget(note, len(rows) + 1, 0, 1, max(len(r) for r in rows) if rows else 1)
    return box


class ListPane(QWidget, Generic[R]):
    """``ListPane(parent, columns, row_id, load)``: ``load()`` returns the rows to show
    (it reads the filters); ``refresh()`` calls it. ``multi=True`` lets several rows be
    selected. Signals: ``selection_changed()``, ``activated(row)`` (double-click, Enter)."""

    selection_changed = Signal()
    activated = Signal(object)

    def __init__(
        self,
        parent: QWidget | None,
        columns: Sequence[Column[R]],
        row_id: Callable[[R], Hashable],
        load: Callable[[], Sequence[R]],
        *,
        multi: bool = False,
        sortable: bool = True,
        on_check: Callable[[R, bool], None] | None = None,
        count_text: Callable[[int], str] | None = None,
        orientation: Qt.Orientation = Qt.Orientation.Vertical,
    ) -> None:
        super().__init__(parent)
        self._load = load
        self._count_text = count_text or (lambda n: self.tr("共 {count} 条").format(count=f"{n:,}"))
        self._resets: list[Callable[[], None]] = []
        self._filters: list[QWidget] = []
        self._wanted: Hashable | None = None

        self.filter_bar = QHBoxLayout()
        self.search: QLineEdit | None = None
        self.count = QLabel(self)
        self.tools = QHBoxLayout()
        self.buttons = QHBoxLayout()

        self.table: RowTable[R] = RowTable(
            self, columns, row_id, multi=multi, sortable=sortable, on_check=on_check
        )
        self.model = self.table.rows_model
        self.fitter = self.table.fitter
        self.empty_label = QLabel(self)
        self.empty_label.setStyleSheet("color: gray;")
        self.empty_label.hide()

        upper = QWidget(self)
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addLayout(self.tools)
        upper_layout.addWidget(self.table, 1)
        upper_layout.addWidget(self.empty_label)
        self.splitter = QSplitter(orientation, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(upper)
        self.filter_bar.addStretch(0)
        self.filter_bar.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.filter_bar)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(self.buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh)
        self.table.selectionModel().selectionChanged.connect(
            lambda *_a: self.selection_changed.emit()
        )
        self.table.doubleClicked.connect(self._on_double_clicked)
        self._enter = EnterOpensRow(self.table, self._on_double_clicked)

    # -- building ------------------------------------------------------------------------
    def add_filter(self, label: str, widget: QWidget) -> None:
        """A filter in the bar; a change of it refreshes the list (clear_filters resets
        it to how it is now)."""
        if label:
            self.filter_bar.insertWidget(self._bar_end(), QLabel(label, self))
        self.filter_bar.insertWidget(self._bar_end(), widget)
        self._filters.append(widget)
        if isinstance(widget, QComboBox):
            first = widget.currentIndex()
            widget.currentIndexChanged.connect(lambda _i: self.refresh())
            self._resets.append(lambda: widget.setCurrentIndex(first))
        elif isinstance(widget, QCheckBox):
            initial = widget.isChecked()
            widget.toggled.connect(lambda _b: self.refresh())
            self._resets.append(lambda: widget.setChecked(initial))

    def add_search(self, placeholder: str, label: str = "") -> QLineEdit:
        """The search box: the list is read again a moment after typing stops."""
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(placeholder)
        self.search.setClearButtonEnabled(True)
        self.filter_bar.insertWidget(self._bar_end(), QLabel(label or self.tr("查找"), self))
        self.filter_bar.insertWidget(self._bar_end(), self.search, 1)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self.refresh)
        search = self.search
        self._filters.append(search)
        self._resets.append(search.clear)
        return search

    def _bar_end(self) -> int:
        return self.filter_bar.count() - 2  # before the spacer and the count at the end

    def add_tools(self, left: Sequence[QWidget], right: Sequence[QWidget] = ()) -> None:
        """Buttons in a row above the table."""
        _split_row(self.tools, left, right)

    def add_buttons(self, left: Sequence[QWidget], right: Sequence[QWidget] = ()) -> None:
        """Buttons in a row below the list."""
        _split_row(self.buttons, left, right)

    def set_detail(self, detail: QWidget, actions: QWidget | None = None) -> None:
        """The detail of the selected row (with the actions at its right), below the
        table (or beside it, for a horizontal pane)."""
        lower = QWidget(self)
        lower_layout = QHBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(detail, 1)
        if actions is not None:
            lower_layout.addWidget(actions)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

    def set_empty_text(self, text: str) -> None:
        self.empty_label.setText(text)

    # -- reading -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the rows again, keeping the selected ones (by id) selected."""
        self._timer.stop()
        wanted, self._wanted = self._wanted, None
        rows = self._load()
        selection = self.table.selectionModel()
        was = selection.blockSignals(True)
        try:
            self.table.set_rows(rows)  # the rows selected before stay selected
            if wanted is not None:
                self.table.select_id(wanted)
        finally:
            selection.blockSignals(was)
        self.count.setText(self._count_text(len(rows)))
        self.empty_label.setVisible(not rows and bool(self.empty_label.text()))
        self.selection_changed.emit()

    def rows(self) -> list[R]:
        return self.model.rows()

    def selected_rows(self) -> list[R]:
        return self.table.selected_rows()

    def selected(self) -> R | None:
        """The one selected row (None when none or several are)."""
        return self.table.selected()

    def select_id(self, row_id: Hashable) -> bool:
        """Select the row with this id if it is listed."""
        return self.table.select_id(row_id)

    def show_id(self, row_id: Hashable) -> bool:
        """Select the row with this id; when the filters hide it, clear them first."""
        if self.table.select_id(row_id):
            return True
        self._wanted = row_id
        self.clear_filters()
        return self.table.select_id(row_id)

    def keep_selected(self, row_id: Hashable) -> None:
        """Select this row after the next refresh (a row just made)."""
        self._wanted = row_id

    def clear_filters(self) -> None:
        for widget in self._filters:
            widget.blockSignals(True)
        for reset in self._resets:
            reset()
        for widget in self._filters:
            widget.blockSignals(False)
        self.refresh()

    # -- events --------------------------------------------------------------------------
    def _on_double_clicked(self, index: Any) -> None:
        if index.isValid():
            self.activated.emit(self.model.row(index.row()))


def button(parent: QWidget, text: str, tooltip: str = "") -> QPushButton:
    made = QPushButton(text, parent)
    if tooltip:
        made.setToolTip(tooltip)
    return made


def _split_row(row: QBoxLayout, left: Sequence[QWidget], right: Sequence[QWidget]) -> None:
    """``left`` from the left edge, ``right`` at the right edge, space between."""
    add_parts(row, left)
    row.addStretch(1)
    add_parts(row, right)
