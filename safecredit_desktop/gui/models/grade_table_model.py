"""Graded units as a table model over an in-memory list (filtered in Python)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from safecredit_desktop.gui.blocks.row_model import Column

Index = QModelIndex | QPersistentModelIndex
GRADE_COLOURS = {"A": "#2e7d32", "B": "#1565c0", "C": "#ef6c00", "D": "#c62828"}


def _grade_text(result: Any) -> str:
    tier = f"，{result.tier}" if result.tier else ""
    flags = f" [{'、'.join(result.flags)}]" if result.flags else ""
    return f"{result.grade}（{result.label}{tier}）{flags}"


def _next_text(result: Any) -> str:
    nxt = result.next_change
    return "—" if nxt is None else f"{nxt.day.isoformat()} → {nxt.grade}"


class GradeTableModel(QAbstractTableModel):
    COL_USCC, COL_NAME, COL_CATEGORY, COL_TOWN, COL_GRADE, COL_BEFORE, COL_REASONS, COL_NEXT = (
        range(8)
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []
        self._before: dict[int, str] = {}
        self._columns: tuple[Column[Any], ...] = (  # in COL_ order
            Column(self.tr("统一社会信用代码"), lambda result: result.uscc),
            Column(self.tr("单位名称"), lambda result: result.name),
            Column(self.tr("行业类别"), lambda result: result.category),
            Column(self.tr("所在乡镇"), lambda result: result.town),
            Column(self.tr("信用等级"), _grade_text),
            Column(self.tr("上次评定"), lambda result: self._before.get(result.unit_id, "—")),
            Column(self.tr("评定理由"), lambda result: "；".join(r.text for r in result.reasons)),
            Column(self.tr("下次变化"), _next_text),
        )

    def set_rows(self, rows: Sequence[Any], before: dict[int, str]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._before = before
        self.endResetModel()

    def result_at(self, row: int) -> Any:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        result = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.ForegroundRole and column == self.COL_GRADE:
            return QColor(GRADE_COLOURS.get(result.grade, "#000"))
        if role != Qt.ItemDataRole.DisplayRole or not 0 <= column < len(self._columns):
            return None
        return self._columns[column].text(result)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._columns[section].title
        return None
