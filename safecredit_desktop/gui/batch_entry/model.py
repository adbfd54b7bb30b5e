"""The rows of the batch grid: what was typed per cell, which cells were touched, the
forms' messages, and which rows are saved (read-only, with their record id)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from safecredit_desktop.core import app as core
from safecredit_desktop.core import batch_entry
from safecredit_desktop.core.app import entry_forms as forms

BADGE = "_badge"  # the read-only column beside the unit: its name and live grade
UNIT = forms.UNIT_PICKER.key
SAVED_BACKGROUND = QColor("#eef1f4")
ERROR_BACKGROUND = QColor("#f8d7da")
SAVED_FOREGROUND = QColor("#5f6b76")

Index = QModelIndex | QPersistentModelIndex

_group_numbers = itertools.count(1)


def new_group() -> int:
    """A fresh group: the rows saved together (a typed row alone, a pasted block)."""
    return next(_group_numbers)


@dataclass
class GridRow:
    values: dict[str, object]
    group: int = field(default_factory=new_group)
    record_id: int | None = None
    badge: batch_entry.UnitBadge | None = None
    errors: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)
    show_all: bool = False  # pasted, or a save was tried: every message shows

    @property
    def saved(self) -> bool:
        return self.record_id is not None

    def visible_errors(self) -> dict[str, str]:
        if self.saved:
            return {}
        if self.show_all:
            return dict(self.errors)
        return {k: v for k, v in self.errors.items() if k in self.touched}


@dataclass(frozen=True)
class GridColumn:
    key: str
    title: str
    spec: forms.FieldSpec | None  # None: the badge


class BatchModel(QAbstractTableModel):
    """New records of one kind, one a row; cells checked by the forms' rules."""

    def __init__(self, session: core.Session, table: str, today: date) -> None:
        super().__init__()
        self.session = session
        self.table = table
        self.today = today
        self.form = batch_entry.batch_form(table)
        fields = self.form.fields
        self.columns: list[GridColumn] = [
            GridColumn(UNIT, fields[0].label, fields[0]),
            GridColumn(BADGE, self.tr("企业名称（当前等级）"), None),
            *(GridColumn(spec.key, spec.label, spec) for spec in fields[1:]),
        ]
        self.rows: list[GridRow] = [GridRow(forms.default_values(self.form))]
        self.on_checked: Callable[[], None] = lambda: None

    # -- shape ---------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def column_of(self, key: str) -> int:
        for number, column in enumerate(self.columns):
            if column.key == key:
                return number
        raise KeyError(key)

    def editable(self, row: int, column: int) -> bool:
        return not self.rows[row].saved and self.columns[column].spec is not None

    def last_column(self) -> int:
        return len(self.columns) - 1

    # -- cells ---------------------------------------------------------------------------
    def text(self, row: int, key: str) -> str:
        value = self.rows[row].values.get(key, "")
        if isinstance(value, bool):
            return "是" if value else ""
        return "" if value is None else str(value)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column.spec is None:
                return row.badge.text if row.badge is not None else ""
            return self.text(index.row(), column.key)
        errors = row.visible_errors()
        if role == Qt.ItemDataRole.BackgroundRole:
            if row.saved:
                return QBrush(SAVED_BACKGROUND)
            if column.key in errors:
                return QBrush(ERROR_BACKGROUND)
            return None
        if role == Qt.ItemDataRole.ForegroundRole and row.saved:
            return QBrush(SAVED_FOREGROUND)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column.key in errors:
                return errors[column.key]
            if row.saved:
                return self.tr("已保存（记录编号 {id}）").format(id=row.record_id)
            if column.spec is None and row.badge is not None:
                return row.badge.text
            if column.key in row.notes:
                return row.notes[column.key]
            if column.spec is not None and column.spec.help:
                return column.spec.help
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            column = self.columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return column.spec.display_label if column.spec is not None else column.title
            if role == Qt.ItemDataRole.ToolTipRole and column.spec is not None:
                return column.spec.help or None
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"✓{section + 1}" if self.rows[section].saved else str(section + 1)
        if role == Qt.ItemDataRole.ToolTipRole and self.rows[section].saved:
            return self.tr("已保存（记录编号 {id}）").format(id=self.rows[section].record_id)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.isValid() and self.editable(index.row(), index.column()):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not self.editable(index.row(), index.column()):
            return False
        self.set_text(index.row(), self.columns[index.column()].key, str(value))
        return True

    def set_text(self, row: int, key: str, text: str) -> None:
        """A cell typed: dates shown as read (11-3 → 2026-11-03), a short choice
        completed, the unit's badge looked up; the row (its block) checked again."""
        spec = self.form.field(key)
        if spec.kind == "date":
            text = forms.normalize_date_text(text, short=spec.short_date, today=self.today)
        else:
            text = batch_entry.complete_choice(spec, self.session.profile, text)
        grid_row = self.rows[row]
        grid_row.values[key] = text
        grid_row.touched.add(key)
        if key == UNIT:
            grid_row.badge = self.session.records.batch_unit(text) if text.strip() else None
        self.check_group(grid_row.group)

    # -- rows ----------------------------------------------------------------------------
    def is_untouched(self, row: int) -> bool:
        """A row nothing was typed into (carried values only)."""
        grid_row = self.rows[row]
        return not grid_row.saved and not grid_row.touched

    def group_rows(self, group: int) -> list[int]:
        """The unsaved rows of ``group`` that hold something."""
        return [
            number
            for number, row in enumerate(self.rows)
            if row.group == group and not row.saved and not self.is_untouched(number)
        ]

    def insert_rows(self, at: int, rows: Sequence[GridRow]) -> None:
        self.beginInsertRows(QModelIndex(), at, at + len(rows) - 1)
        self.rows[at:at] = list(rows)
        self.endInsertRows()

    def remove_row(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.rows[row]
        self.endRemoveRows()

    def append_carried(self) -> int:
        """A new row at the bottom with the values carried from the row above."""
        above = self.rows[-1].values if self.rows else forms.default_values(self.form)
        values = {**forms.default_values(self.form), **batch_entry.carry_down(self.form, above)}
        self.insert_rows(len(self.rows), [GridRow(values)])
        return len(self.rows) - 1

    def check_group(self, group: int, *, show_all: bool = False) -> int:
        """Check the unsaved rows of ``group`` together (a block's duplicates too);
        returns how many messages they have."""
        numbers = self.group_rows(group)
        check = self.session.records.check_batch(
            self.table, [self.rows[n].values for n in numbers], today=self.today
        )
        total = 0
        for position, number in enumerate(numbers):
            grid_row = self.rows[number]
            grid_row.errors = check.errors_of(position)
            grid_row.notes = {k: v for (i, k), v in check.notes.items() if i == position}
            grid_row.show_all = grid_row.show_all or show_all
            total += len(grid_row.errors)
        self.refresh()
        return total

    def mark_saved(self, numbers: Sequence[int], ids: Sequence[int]) -> None:
        for number, record_id in zip(numbers, ids, strict=True):
            self.rows[number].record_id = record_id
            self.rows[number].errors = {}
        self.refresh()

    def mark_unsaved(self, rows: Sequence[GridRow]) -> None:
        for grid_row in rows:
            grid_row.record_id = None
        self.refresh()

    def refresh(self) -> None:
        if self.rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self.rows) - 1, len(self.columns) - 1)
            )
            self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, len(self.rows) - 1)
        self.on_checked()

    def error_lines(self) -> list[tuple[int, int, str, str, str]]:
        """(row, column, header, value, reason) of every shown message, in grid order."""
        lines: list[tuple[int, int, str, str, str]] = []
        for number, grid_row in enumerate(self.rows):
            errors = grid_row.visible_errors()
            for column_number, column in enumerate(self.columns):
                if column.key in errors:
                    lines.append(
                        (
                            number,
                            column_number,
                            column.title,
                            self.text(number, column.key),
                            errors[column.key],
                        )
                    )
        return lines
