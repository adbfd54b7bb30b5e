"""A county-wide record page (执法检查, 生产安全事故, 行政处罚, 失信行为, 承诺书, 表彰).

Every record of one kind across all units: a filter bar (date range, 乡镇, the unit by
code, name or pinyin initials, 报送单位 and the kind's own filters; applied after a short
pause in typing), the table (rows fetched a page at a time as it scrolls; a header click
sorts in the database), a footer with the count and the sums over every filtered record,
and the buttons 新增 / 修改 / 删除 / 撤销 / 导出. Double-click opens a record in the same
entry form the unit page uses. What each kind shows is data in core/record_pages/kinds.py.

``TabbedPage`` hosts several pages as tabs of one navigation entry (行政处罚 with its
双公示 tracker; 承诺与表彰).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QItemSelectionModel, QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.vocabulary import Changes, Table
from safecredit_desktop.core.errors import ValidationError
from safecredit_desktop.core.file_names import safe_file_name
from safecredit_desktop.core.record_pages import RecordFilters
from safecredit_desktop.core.validate import parse_date
from safecredit_desktop.gui.blocks import PageHeading
from safecredit_desktop.gui.blocks.columns import ColumnFitter
from safecredit_desktop.gui.blocks.page_parts import (
    ask_workbook_path,
    button_row,
    confirm,
    push_button,
    read_only_rows,
)
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.models.record_table_model import RecordTableModel, number_text
from safecredit_desktop.gui.operations import attempt, operation
from safecredit_desktop.gui.pages import LazyPage, Page

DEBOUNCE_MS = 300
_FRESH_SECONDS = 1.0  # a read this recent is not repeated when the page is shown again
ALL = QT_TRANSLATE_NOOP("RecordPage", "（全部）")
_ERROR_STYLE = "color: #c62828;"
_WIDEST_TEXT = 260  # a text column other than the stretching one is cut (tooltip) past this
_WIDEST_NOTE = 110  # 备注 beside a stretching 单位名称: its first words, the rest in the tooltip

ABOUT = {
    "inspections": QT_TRANSLATE_NOOP("RecordPage", "全县所有企业的执法检查记录。"),
    "accidents": QT_TRANSLATE_NOOP("RecordPage", "全县所有企业的生产安全事故记录。"),
    "penalties": QT_TRANSLATE_NOOP("RecordPage", "全县所有企业的行政处罚决定。"),
    "violations": QT_TRANSLATE_NOOP("RecordPage", "全县所有企业被认定的失信行为。"),
    "commitments": QT_TRANSLATE_NOOP("RecordPage", "全县所有企业签署的安全生产承诺书。"),
    "honours": QT_TRANSLATE_NOOP("RecordPage", "全县所有企业获得的表彰。"),
}


class RecordPage(LazyPage):
    """``RecordPage(session, bus, kind, parent=None)``; ``kind`` is the record table."""

    def __init__(
        self, session: core.Session, bus: DataBus, kind: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(session, bus, parent)
        self.model = RecordTableModel(session, kind, self)
        self.kind = self.model.kind
        self.watched = frozenset({kind, Table.UNITS})
        self.page_title = self.kind.title  # the core's name of the kind
        self.last_export: Path | None = None
        self._read_at = 0.0
        self.heading = PageHeading(
            self,
            self.page_title,
            self.tr(ABOUT[kind]) + self.tr("双击一行打开录入表修改；点击列标题排序。"),
        )
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.apply_filters)
        self._build_filters()
        self._build_table()
        self._build_buttons()
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.filter_grid)
        layout.addWidget(self.filter_message)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.footer)
        layout.addLayout(self.buttons)
        self._update_buttons()

    # -- building -------------------------------------------------------------------------
    def _build_filters(self) -> None:
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        self.filter_grid = grid
        self.date_from = QLineEdit(self)
        self.date_to = QLineEdit(self)
        for edit in (self.date_from, self.date_to):
            edit.setPlaceholderText(self.tr("如 2026-01-01"))
            edit.setClearButtonEnabled(True)
            edit.setMaximumWidth(130)
            edit.textChanged.connect(self._schedule)
        self.town = QComboBox(self)
        self.reporter = QComboBox(self)
        for combo in (self.town, self.reporter):
            combo.addItem(self.tr(ALL), None)
            combo.setMinimumContentsLength(8)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self.apply_filters)
        self.unit = QLineEdit(self)
        self.unit.setPlaceholderText(self.tr("统一社会信用代码、名称或拼音首字母"))
        self.unit.setClearButtonEnabled(True)
        self.unit.setMinimumWidth(220)
        self.unit.textChanged.connect(self._schedule)
        self.clear_button = QPushButton(self.tr("清除筛选"), self)
        self.clear_button.clicked.connect(self.clear_filters)

        first = QHBoxLayout()
        first.addWidget(QLabel(self.tr("日期"), self))
        first.addWidget(self.date_from)
        first.addWidget(QLabel(self.tr("至"), self))
        first.addWidget(self.date_to)
        first.addSpacing(12)
        first.addWidget(QLabel(self.tr("企业"), self))
        first.addWidget(self.unit, 1)
        first.addSpacing(12)
        first.addWidget(QLabel(self.tr("乡镇"), self))
        first.addWidget(self.town)
        first.addWidget(QLabel(self.tr("报送单位"), self))
        first.addWidget(self.reporter)
        grid.addLayout(first, 0, 0)

        second = QHBoxLayout()
        self.kind_filters: dict[str, QComboBox | QLineEdit] = {}
        for spec in self.kind.filters:
            second.addWidget(QLabel(spec.title, self))
            if spec.match == "contains":
                edit = QLineEdit(self)
                edit.setPlaceholderText(self.tr("姓名"))
                edit.setClearButtonEnabled(True)
                edit.setMaximumWidth(160)
                edit.textChanged.connect(self._schedule)
                self.kind_filters[spec.key] = edit
                second.addWidget(edit)
            else:
                combo = QComboBox(self)
                combo.addItem(self.tr(ALL), None)
                for shown, stored in spec.choices:
                    combo.addItem(shown, stored)
                combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
                combo.setMaximumWidth(420)
                combo.currentIndexChanged.connect(self.apply_filters)
                self.kind_filters[spec.key] = combo
                second.addWidget(combo)
            second.addSpacing(12)
        second.addStretch(1)
        second.addWidget(self.clear_button)
        grid.addLayout(second, 1, 0)

        self.filter_message = QLabel(self)
        self.filter_message.setStyleSheet(_ERROR_STYLE)
        self.filter_message.setVisible(False)

    def _build_table(self) -> None:
        self.table = QTableView(self)
        self.table.setModel(self.model)
        read_only_rows(self.table)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        header.setSortIndicatorShown(True)
        self.table.setSortingEnabled(True)
        stretch = self.model.column_of(self.kind.stretch)
        widest = {
            number: _WIDEST_NOTE if column.key == "note" else _WIDEST_TEXT
            for number, column in enumerate(self.kind.columns)
            if column.kind == "text" and number != stretch
        }
        self.fitter = ColumnFitter(self.table, stretch, widest=widest)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._on_reset)
        self.footer = QLabel(self)
        self.footer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def _build_buttons(self) -> None:
        new_tip = self.tr("录入一条{title}记录（先选企业）").format(title=self.page_title)
        self.new_button = push_button(self, self.tr("新增…"), self.add_record, new_tip)
        self.edit_button = push_button(self, self.tr("修改…"), self.edit_selected)
        self.delete_button = push_button(self, self.tr("删除"), self.delete_selected)
        self.undo_button = push_button(
            self, self.tr("撤销"), self.undo, self.tr("撤销上次保存或删除")
        )
        export_tip = self.tr("把筛选出的记录导出为导入模板的“{title}”表，可再导入").format(
            title=self.kind.title
        )
        self.export_button = push_button(self, self.tr("导出…"), self.export, export_tip)
        # 连续录入 (gui/batch_entry/) is added here by the integrator: add_entry_button
        self.entry_slot = QHBoxLayout()
        self.buttons = button_row(
            [
                self.new_button,
                self.entry_slot,
                self.edit_button,
                self.delete_button,
                self.undo_button,
            ],
            [self.export_button],
        )

    def add_entry_button(self, button: QWidget) -> None:
        """A button beside 新增 (连续录入, the batch-entry grid)."""
        self.entry_slot.addWidget(button)

    # -- filters --------------------------------------------------------------------------
    def _schedule(self) -> None:
        self._timer.start()

    def _day(self, edit: QLineEdit, field: str) -> tuple[date | None, str]:
        text = edit.text().strip()
        if not text:
            edit.setStyleSheet("")
            return None, ""
        try:
            day = parse_date(text, field=field, short="year")
        except ValidationError as exc:
            edit.setStyleSheet("border: 1px solid #c62828;")
            return None, exc.message
        edit.setStyleSheet("")
        return day, ""

    def filters(self) -> RecordFilters | None:
        """The filters as typed; None (and the reason shown) when a date cannot be read."""
        date_from, bad_from = self._day(self.date_from, self.tr("起始日期"))
        date_to, bad_to = self._day(self.date_to, self.tr("截止日期"))
        problems = [p for p in (bad_from, bad_to) if p]
        if date_from and date_to and date_from > date_to:
            problems.append(self.tr("起始日期晚于截止日期，没有记录可以显示。"))
        self.filter_message.setText("\n".join(problems))
        self.filter_message.setVisible(bool(problems))
        if bad_from or bad_to:
            return None
        fields: dict[str, str] = {}
        for key, widget in self.kind_filters.items():
            if isinstance(widget, QComboBox):
                value = widget.currentData()
                if value is not None:
                    fields[key] = str(value)
            elif widget.text().strip():
                fields[key] = widget.text().strip()
        return RecordFilters(
            date_from=date_from,
            date_to=date_to,
            town=self.town.currentData(),
            unit=self.unit.text(),
            reporter=self.reporter.currentData(),
            fields=fields,
        )

    @operation
    def apply_filters(self) -> None:
        """Read the records again for the filters as they now are."""
        self._timer.stop()
        filters = self.filters()
        if filters is None:
            return
        if filters != self.model.filters or not self.model.loaded:
            self.model.set_filters(filters)
            self._stale = False

    def clear_filters(self) -> None:
        for edit in (self.date_from, self.date_to, self.unit):
            edit.blockSignals(True)
            edit.clear()
            edit.setStyleSheet("")
            edit.blockSignals(False)
        for widget in (self.town, self.reporter, *self.kind_filters.values()):
            widget.blockSignals(True)
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(0)
            else:
                widget.clear()
            widget.blockSignals(False)
        self.apply_filters()

    def _fill_choices(self) -> None:
        towns, reporters = self.session.records.page_choices()
        for combo, values in ((self.town, towns), (self.reporter, reporters)):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self.tr(ALL), None)
            for value in values:
                combo.addItem(value, value)
            found = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(found, 0))
            combo.blockSignals(False)

    # -- reading --------------------------------------------------------------------------
    @operation
    def refresh(self) -> None:
        """Read again (the filter lists too), keeping the selection and the rows loaded.

        Showing the page reads it once: the window's navigation asks again right after
        the page's own first showing read it, and that second read is skipped."""
        if (
            self.model.loaded
            and not self._stale
            and time.monotonic() - self._read_at < _FRESH_SECONDS
        ):
            return
        self._read_at = time.monotonic()
        self._fill_choices()
        filters = self.filters()
        keep = self.selected_id()
        if filters is not None and filters != self.model.filters:
            self.model.set_filters(filters)
        else:
            self.model.reload(at_least=self.model.rowCount())
        self._stale = False
        if keep is not None:
            self.select_record(keep)

    def on_changes(self, changes: Changes) -> None:
        self._stale = True  # read again however recent the last read
        super().on_changes(changes)
        self._update_buttons()

    def _on_reset(self) -> None:
        self.fitter.fit()
        self._update_footer()
        self._update_buttons()

    def _update_footer(self) -> None:
        totals = self.model.totals
        parts = [self.tr("共 {count} 条").format(count=f"{totals.count:,}")]
        kinds = {s.title: s.kind for s in self.kind.sums}
        for title, value in totals.sums:
            parts.append(
                self.tr("{title}合计 {value}").format(
                    title=title, value=number_text(value, kinds[title])
                )
            )
        self.footer.setText("　　".join(parts))

    # -- selection ------------------------------------------------------------------------
    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row(rows[0].row()).id

    def select_record(self, record_id: int) -> bool:
        number = self.model.row_of(record_id)
        if number is None:
            return False
        self.table.selectionModel().select(
            self.model.index(number, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(self.model.index(number, 0))
        return True

    def _update_buttons(self) -> None:
        chosen = self.selected_id() is not None
        writable = not self.session.db.read_only
        self.edit_button.setEnabled(chosen and writable)
        self.delete_button.setEnabled(chosen and writable)
        self.new_button.setEnabled(writable)
        self.undo_button.setEnabled(self.session.last_save is not None and writable)

    # -- actions --------------------------------------------------------------------------
    def _open_form(self, record_id: int | None) -> None:
        from safecredit_desktop.gui.dialogs.record_form import open_record_form

        open_record_form(self, self.session, self.bus, self.kind.table, record_id=record_id)
        if record_id is not None:
            self.select_record(record_id)
        self._update_buttons()

    def add_record(self) -> None:
        """新增: the entry form, the unit chosen in it by its code."""
        self._open_form(None)

    def edit_selected(self) -> None:
        record_id = self.selected_id()
        if record_id is not None:
            self._open_form(record_id)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid() and not self.session.db.read_only:
            self._open_form(self.model.row(index.row()).id)

    def _describe(self, number: int) -> str:
        row = self.model.row(number)
        day = row.values[0]
        name = row.values[self.model.column_of("unit_name")]
        return f"{name}　{day}"

    def delete_selected(self) -> None:
        """删除, after a confirmation naming the record; 撤销 brings it back."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        number = rows[0].row()
        record_id = self.model.row(number).id
        record = self._describe(number)
        if not confirm(
            self,
            self.tr("删除{title}记录").format(title=self.page_title),
            self.tr("确定删除这条{title}记录吗？\n\n{record}\n\n删除后可以点“撤销”恢复。").format(
                title=self.page_title, record=record
            ),
        ):
            return
        if attempt(
            self,
            lambda: self.session.records.delete(self.kind.table, record_id),
            title=self.tr("无法删除"),
        ):
            self.bus.status_message.emit(
                self.tr("已删除{title}记录：{record}").format(title=self.page_title, record=record)
            )
        self._update_buttons()

    @operation(title="撤销")
    def undo(self) -> None:
        done = self.session.records.undo()
        self.bus.status_message.emit(self.tr("已{done}").format(done=done))

    def export_path(self) -> Path | None:
        """Where to write the export (asked; tests replace it)."""
        suggested = safe_file_name(f"{self.session.bureau_name}{self.kind.title}", suffix=".xlsx")
        title = self.tr("导出{title}").format(title=self.page_title)
        return ask_workbook_path(self, title, Path.home() / suggested)

    @operation(title="导出失败")
    def export(self) -> None:
        """导出: the filtered records, in the page's order, as that template sheet."""
        filters = self.filters()
        if filters is None:
            return
        path = self.export_path()
        if path is None:
            return
        written = self.session.records.export_filtered(
            self.kind.table, filters, path, self.model.sort_order
        )
        self.last_export = written
        self.bus.status_message.emit(
            self.tr("已导出 {count} 条{title}记录：{path}").format(
                count=f"{self.model.totals.count:,}", title=self.page_title, path=written
            )
        )


class TabbedPage(Page):
    """Several pages under one navigation entry, as tabs; the tab shown is refreshed."""

    def __init__(
        self,
        session: core.Session,
        bus: DataBus,
        tabs: Sequence[tuple[str, Page]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(session, bus, parent)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.pages = [page for _, page in tabs]
        for title, page in tabs:
            self.tabs.addTab(page, title)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    def refresh(self) -> None:
        current = self.tabs.currentWidget()
        if isinstance(current, Page):
            current.refresh()
