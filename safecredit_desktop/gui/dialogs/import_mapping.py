"""The import dialog's mapping step (issue 18): a workbook that is not the template — the
bureau's own register, 市场监管's export — shown column by column with the template
column proposed for each (a combo box the clerk changes), and its first rows as they
would be read."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core

IGNORED = ""
_GREY = QBrush(QColor("#8a8a8a"))


class MappingPanel(QWidget):
    """Source sheet and kind, one row per source column with its template column, and a
    preview of the first rows. ``edited``: the clerk changed a column's template column;
    ``source_changed``: another sheet or kind was chosen (the dialog proposes again)."""

    edited = Signal()
    source_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._proposal: core.MappingProposal | None = None
        self._filling = False
        self._required: tuple[str, ...] = ()
        self.intro = QLabel(
            self.tr(
                "这个工作簿不是导入模板的格式。已按列标题和内容建议了每一列对应的模板列，"
                "请逐列核对（可更改，不需要的列选“不导入”），再点“检查”，无误后“导入”。"
            ),
            self,
        )
        self.intro.setWordWrap(True)
        self.sheet_box = QComboBox(self)
        self.kind_box = QComboBox(self)
        for box in (self.sheet_box, self.kind_box):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.where = QLabel(self)
        self.missing = QLabel(self)
        self.missing.setStyleSheet("color: #b00020;")
        self.missing.setWordWrap(True)
        self.columns = QTableWidget(0, 4, self)
        self.columns.setHorizontalHeaderLabels(
            [self.tr("列"), self.tr("原表列标题"), self.tr("对应模板列"), self.tr("依据")]
        )
        self.columns.verticalHeader().setVisible(False)
        self.columns.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.columns.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.preview = QTableWidget(0, 0, self)
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.preview.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("工作表："), self))
        top.addWidget(self.sheet_box)
        top.addSpacing(12)
        top.addWidget(QLabel(self.tr("导入为："), self))
        top.addWidget(self.kind_box)
        top.addSpacing(12)
        top.addWidget(self.where, 1)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel(self.tr("列对照（可逐列更改）："), left))
        left_layout.addWidget(self.columns, 1)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(QLabel(self.tr("前几行预览（按当前对照）："), right))
        right_layout.addWidget(self.preview, 1)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.intro)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.missing)
        self.sheet_box.currentIndexChanged.connect(self._on_source)
        self.kind_box.currentIndexChanged.connect(self._on_source)

    # -- what the dialog reads -------------------------------------------------------

    def sheet(self) -> str | None:
        return self.sheet_box.currentText() or None

    def kind(self) -> str:
        return self.kind_box.currentText()

    def mapping(self) -> dict[int, str]:
        out: dict[int, str] = {}
        if self._proposal is None:
            return out
        for row, item in enumerate(self._proposal.columns):
            box = self._box(row)
            if box is not None and box.currentData():
                out[item.column.index] = str(box.currentData())
        return out

    def combo_for(self, header: str) -> QComboBox:
        """The template-column box of the source column headed ``header`` (tests)."""
        assert self._proposal is not None
        for row, item in enumerate(self._proposal.columns):
            if item.column.header == header:
                box = self._box(row)
                assert box is not None
                return box
        raise KeyError(header)

    # -- showing a proposal ----------------------------------------------------------

    def show_proposal(
        self,
        proposal: core.MappingProposal,
        kinds: tuple[str, ...],
        headers: Callable[[str], tuple[str, ...]],
        required: tuple[str, ...],
    ) -> None:
        self._filling = True
        try:
            self._proposal = proposal
            self._required = required
            self._fill_box(self.sheet_box, proposal.titles, proposal.sheet)
            self._fill_box(self.kind_box, kinds, proposal.kind)
            remembered = self.tr("，已套用上次确认的对照") if proposal.remembered else ""
            self.where.setText(
                self.tr("第{row}行是列标题，共 {count} 行数据{remembered}").format(
                    row=proposal.header_row, count=f"{proposal.row_count:,}", remembered=remembered
                )
            )
            choices = headers(proposal.kind)
            self.columns.setRowCount(len(proposal.columns))
            for row, item in enumerate(proposal.columns):
                self.columns.setItem(row, 0, QTableWidgetItem(item.column.letter))
                self.columns.setItem(row, 1, QTableWidgetItem(item.column.label))
                box = QComboBox(self.columns)
                box.addItem(self.tr("（不导入）"), IGNORED)
                for header in choices:
                    shown = header + (self.tr("（必填）") if header in required else "")
                    box.addItem(shown, header)
                box.setCurrentIndex(max(box.findData(item.template or IGNORED), 0))
                box.currentIndexChanged.connect(lambda _i, r=row: self._on_column(r))
                self.columns.setCellWidget(row, 2, box)
                self.columns.setItem(row, 3, QTableWidgetItem(item.why))
            self._refresh()
        finally:
            self._filling = False

    def _fill_box(self, box: QComboBox, values: tuple[str, ...], current: str) -> None:
        if tuple(box.itemText(i) for i in range(box.count())) != values:
            box.clear()
            box.addItems(list(values))
        box.setCurrentIndex(max(box.findText(current), 0))

    def _box(self, row: int) -> QComboBox | None:
        widget = self.columns.cellWidget(row, 2)
        return widget if isinstance(widget, QComboBox) else None

    def _on_column(self, row: int) -> None:
        if self._filling:
            return
        chosen = self._box(row)
        if chosen is not None and chosen.currentData():
            self._filling = True
            try:  # a template column takes one source column: the other one lets go
                for other in range(self.columns.rowCount()):
                    box = self._box(other)
                    if (
                        other != row
                        and box is not None
                        and box.currentData() == chosen.currentData()
                    ):
                        box.setCurrentIndex(0)
            finally:
                self._filling = False
        self._refresh()
        self.edited.emit()

    def _on_source(self, _index: int) -> None:
        if not self._filling:
            self.source_changed.emit()

    def _refresh(self) -> None:
        """The preview's headers and the missing required columns, for the mapping now."""
        proposal = self._proposal
        if proposal is None:
            return
        mapping = self.mapping()
        self.preview.setColumnCount(len(proposal.columns))
        labels = []
        for item in proposal.columns:
            target = mapping.get(item.column.index)
            arrow = f"→ {target}" if target else self.tr("（不导入）")
            labels.append(f"{item.column.letter} {item.column.label}\n{arrow}")
        self.preview.setHorizontalHeaderLabels(labels)
        self.preview.setRowCount(len(proposal.preview))
        self.preview.setVerticalHeaderLabels([str(number) for number, _v in proposal.preview])
        for row, (_number, values) in enumerate(proposal.preview):
            for column, (item, value) in enumerate(zip(proposal.columns, values, strict=True)):
                cell = QTableWidgetItem(value)
                if item.column.index not in mapping:
                    cell.setForeground(_GREY)
                self.preview.setItem(row, column, cell)
        missing = [h for h in self._required if h not in mapping.values()]
        self.missing.setText(
            self.tr("尚未对照的必填列：{names}（新企业必须有这些列）").format(
                names="、".join(missing)
            )
            if missing
            else ""
        )
