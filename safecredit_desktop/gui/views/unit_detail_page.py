"""One unit: all its fields, and a timeline of its records to add, edit or delete.

Everything shown comes from ``units.summary`` / ``units.timeline``;
a record under an open objection is marked “（异议中）”; the 信用状况 tab is a
``UnitCreditPanel`` (lists, 守信激励, 不良信用记录, objections, broken commitments);
edits and deletions go through the Session (which audit them under the session's user).
The record form lives in ``gui.dialogs.record_form`` and is imported when first used.
"""

from __future__ import annotations

from datetime import date
from html import escape

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.vocabulary import GRADE_INPUTS, Changes
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.registry import ConfirmedGrade
from safecredit_desktop.core.timeline import TimelineEntry, UnitSummary
from safecredit_desktop.gui.blocks import ColumnFitter
from safecredit_desktop.gui.blocks.elided_label import ElidedLabel
from safecredit_desktop.gui.blocks.page_parts import confirm, push_button, read_only_rows
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.operations import operation, publish
from safecredit_desktop.gui.pages import Page
from safecredit_desktop.gui.views.unit_credit_panel import UnitCreditPanel

FIELD_COLUMNS = 3  # label: value pairs per row of the field grid
TIMELINE_TEXT_COLUMN = 2  # 内容, the long column of the timeline
_KEY_ROLE = Qt.ItemDataRole.UserRole  # (table, record_id) on column 0 of each row
# appended to a record under an open objection
OBJECTION_SUFFIX = QT_TRANSLATE_NOOP("UnitDetailPage", "（异议中）")
_OBJECTION_COLOR = QColor("#e65100")


class UnitDetailPage(Page):
    back_requested = Signal()
    watched = GRADE_INPUTS  # the unit's fields, records and grade

    def __init__(self, session: core.Session, bus: DataBus, parent: QWidget | None = None):
        super().__init__(session, bus, parent)
        self._unit_id: int | None = None
        self._summary: UnitSummary | None = None
        self._entries: list[TimelineEntry] = []
        self._objected: dict[tuple[str, int], str] = {}
        self._build()
        self._connect_signals()
        self._update_buttons()

    # -- building -----------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)

        top = QHBoxLayout()
        self.back_button = push_button(self, self.tr("← 返回台账"), self._on_back)
        # a long name (up to 100 characters) is cut with "…", never widening the window
        self.heading = ElidedLabel(self)
        self.heading.setStyleSheet("font-size: 18px; font-weight: bold;")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.edit_unit_button = push_button(self, self.tr("修改企业信息"), self._on_edit_unit)
        top.addWidget(self.back_button)
        top.addSpacing(12)
        top.addWidget(self.heading, 1)
        top.addWidget(self.edit_unit_button)
        layout.addLayout(top)

        self.fields_box = QGroupBox(self.tr("企业信息"), self)
        self.fields_grid = QGridLayout(self.fields_box)
        self.fields_grid.setHorizontalSpacing(12)
        for pair in range(FIELD_COLUMNS):
            self.fields_grid.setColumnStretch(pair * 2 + 1, 1)
        layout.addWidget(self.fields_box)

        self.grade_box = QGroupBox(self.tr("信用等级"), self)
        grade_layout = QVBoxLayout(self.grade_box)
        self.grade_label = QLabel(self)
        self.grade_label.setWordWrap(True)
        self.grade_label.setTextFormat(Qt.TextFormat.RichText)
        self.advice_label = QLabel(self)
        self.advice_label.setWordWrap(True)
        self.history_label = QLabel(self)
        self.history_label.setWordWrap(True)
        self.history_label.setStyleSheet("color: #555;")
        grade_layout.addWidget(self.grade_label)
        grade_layout.addWidget(self.advice_label)
        grade_layout.addWidget(self.history_label)
        layout.addWidget(self.grade_box)

        self.tabs = QTabWidget(self)
        timeline_tab = QWidget(self.tabs)
        timeline_layout = QVBoxLayout(timeline_tab)
        timeline_layout.setContentsMargins(4, 6, 4, 4)
        self.credit_panel = UnitCreditPanel(self.session, self.bus, self.tabs)
        self.tabs.addTab(timeline_tab, self.tr("记录时间线"))
        self.tabs.addTab(self.credit_panel, self.tr("信用状况"))
        layout.addWidget(self.tabs, 1)

        bar = QHBoxLayout()
        self.timeline_title = QLabel(self)
        self.timeline_title.setStyleSheet("font-weight: bold;")
        self.add_button = QToolButton(self)
        self.add_button.setText(self.tr("新增记录"))
        self.add_button.setMinimumWidth(96)
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.add_menu = QMenu(self.add_button)
        self.add_actions: dict[str, QAction] = {}
        for table, label in (
            ("inspections", self.tr("执法检查")),
            ("accidents", self.tr("生产安全事故")),
            ("penalties", self.tr("行政处罚")),
            ("violations", self.tr("失信行为")),
            ("commitments", self.tr("承诺书")),
            ("honours", self.tr("表彰")),
            ("joint_punishments", self.tr("联合惩戒")),
        ):
            action = self.add_menu.addAction(label)
            action.setData(table)
            self.add_actions[table] = action
        self.add_button.setMenu(self.add_menu)
        self.edit_button = push_button(self, self.tr("修改"), self._on_edit_record)
        self.delete_button = push_button(self, self.tr("删除"), self._on_delete_record)
        bar.addWidget(self.timeline_title, 1)
        bar.addWidget(self.add_button)
        bar.addWidget(self.edit_button)
        bar.addWidget(self.delete_button)
        timeline_layout.addLayout(bar)

        self.timeline = QTableWidget(0, 4, self)
        self.timeline.setHorizontalHeaderLabels(
            [self.tr("日期"), self.tr("类别"), self.tr("内容"), self.tr("标记")]
        )
        read_only_rows(self.timeline)
        # date, kind and marks as wide as their texts; 内容 takes the rest (whole in its tooltip)
        self.timeline_fitter = ColumnFitter(self.timeline, TIMELINE_TEXT_COLUMN)
        timeline_layout.addWidget(self.timeline, 1)

        self.empty_label = QLabel(
            self.tr("该企业还没有任何记录。可点“新增”录入执法检查、事故、处罚等记录。"), self
        )
        self.empty_label.setStyleSheet("color: gray;")
        timeline_layout.addWidget(self.empty_label)

    def _connect_signals(self) -> None:
        self.add_menu.triggered.connect(self._on_add_triggered)
        self.timeline.itemDoubleClicked.connect(self._on_double_clicked)
        self.timeline.itemSelectionChanged.connect(self._update_buttons)

    # -- public -------------------------------------------------------------------------
    @property
    def unit_id(self) -> int | None:
        return self._unit_id

    @property
    def entries(self) -> list[TimelineEntry]:
        """The timeline as shown, newest first (row i is entries[i])."""
        return list(self._entries)

    def show_unit(self, unit_id: int) -> None:
        self._unit_id = unit_id
        self.timeline.clearSelection()
        self.refresh()

    def refresh(self) -> None:
        if self._unit_id is None:
            return
        keep = self._selected_key()
        try:
            summary = self.session.units.summary(self._unit_id)
            entries = self.session.units.timeline(self._unit_id)
            objected = self.session.objections.open_targets(self._unit_id)
        except SafeCreditError as exc:
            self._show_missing(exc.message)
            return
        self._summary = summary
        self._entries = entries
        self._objected = objected
        self.heading.set_full_text(summary.name)
        self._fill_fields(summary)
        self._fill_grade()
        self._fill_timeline(entries, keep)
        self._fill_credit()
        self._update_buttons()

    def _fill_credit(self) -> None:
        assert self._unit_id is not None
        self.credit_panel.show_unit(self._unit_id)
        counts = self.credit_panel.summary_text()
        self.tabs.setTabText(
            1,
            self.tr("信用状况（{counts}）").format(counts=counts)
            if counts
            else self.tr("信用状况"),
        )

    def _fill_grade(self) -> None:
        """Today's grade with its reasons, the way back, and the grade over the years."""
        assert self._unit_id is not None
        try:
            result = self.session.grading.grade_one(self._unit_id)
            history = self.session.grading.history(self._unit_id)
            confirmed = self.session.grading.confirmed_of(self._unit_id)
        except SafeCreditError as exc:
            self.grade_label.setText(exc.message)
            return
        tier = f"，{escape(result.tier)}" if result.tier else ""
        flags = f"　<span style='color:#c62828'>{escape('、'.join(result.flags))}</span>"
        reasons = "".join(
            f"<li>{escape(r.text)}"
            + (
                f"：<span style='color:#555'>{escape('；'.join(r.records))}</span>"
                if r.records
                else ""
            )
            + "</li>"
            for r in result.reasons
        )
        # Labelled with its basis, as the registry and the notices are: the live grade
        # (as of today's records) and the confirmed annual one (its year and 基准日).
        if confirmed is None:
            standing = self.tr("尚无已确认的年度评定")
        elif confirmed.grade == result.grade:
            standing = self.tr("与{year}年度评定一致").format(year=str(confirmed.year))
        else:
            standing = self.tr("未经年度评定确认")
        self.grade_label.setText(
            self.tr(
                "<b>实时信用等级（截至 {today} 的记录，{standing}）：{grade}（{label}{tier}）</b>"
                "{flags}<ul style='margin:2px'>{reasons}</ul>"
            ).format(
                today=date.today().isoformat(),
                grade=result.grade,
                label=escape(result.label),
                tier=tier,
                flags=flags if result.flags else "",
                reasons=reasons,
                standing=standing,
            )
            + self._confirmed_line(confirmed)
        )
        if result.improve:
            self.advice_label.setText(self.tr("信用提升提示：") + "；".join(result.improve))
        elif result.keep:  # the top grade: what keeps it (grading.md Revision 2 item 8)
            self.advice_label.setText(self.tr("信用保持提示：") + "；".join(result.keep))
        else:
            self.advice_label.setText(self.tr("信用提升提示：已是最高等级，保持即可。"))
        self.history_label.setText(
            self.tr("等级变化：")
            + " → ".join(f"{p.day.isoformat()} {p.grade}（{p.source}）" for p in history)
        )

    def _confirmed_line(self, confirmed: ConfirmedGrade | None) -> str:
        if confirmed is None:
            return ""
        return self.tr(
            "<div><b>{year}年度评定（评定基准日 {as_of}，已确认）：{grade}（{label}）</b></div>"
        ).format(
            year=str(confirmed.year),
            as_of=confirmed.as_of.isoformat(),
            grade=confirmed.grade,
            label=escape(confirmed.label),
        )

    def select_record(self, table: str, record_id: int) -> bool:
        """Select the timeline row of a record; False when it is not shown."""
        for row, entry in enumerate(self._entries):
            if (entry.table, entry.record_id) == (table, record_id):
                self.timeline.selectRow(row)
                return True
        return False

    # -- filling ------------------------------------------------------------------------
    def _clear_fields(self) -> None:
        while self.fields_grid.count():
            item = self.fields_grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()

    def _fill_fields(self, summary: UnitSummary) -> None:
        self._clear_fields()
        for index, (label, value) in enumerate(summary.display_fields()):
            row, pair = divmod(index, FIELD_COLUMNS)
            name = QLabel(self.tr("{label}：").format(label=label), self.fields_box)
            name.setStyleSheet("color: #555;")
            shown = QLabel(value, self.fields_box)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            shown.setWordWrap(True)
            shown.setProperty("shows_data", True)  # the unit's own text, in any script
            self.fields_grid.addWidget(name, row, pair * 2, Qt.AlignmentFlag.AlignTop)
            self.fields_grid.addWidget(shown, row, pair * 2 + 1, Qt.AlignmentFlag.AlignTop)

    def _fill_timeline(self, entries: list[TimelineEntry], keep: tuple[str, int] | None) -> None:
        self.timeline.setUpdatesEnabled(False)
        try:
            self.timeline.clearSelection()
            self.timeline.setRowCount(len(entries))
            for row, entry in enumerate(entries):
                objected = (entry.table, entry.record_id) in self._objected
                cells = (
                    entry.day.isoformat(),
                    entry.kind_label,
                    entry.summary + (self.tr(OBJECTION_SUFFIX) if objected else ""),
                    "、".join(entry.flags),
                )
                for column, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    if column == TIMELINE_TEXT_COLUMN:
                        item.setToolTip(text)
                        if objected:
                            item.setForeground(_OBJECTION_COLOR)
                    self.timeline.setItem(row, column, item)
                first = self.timeline.item(row, 0)
                if first is not None:
                    first.setData(_KEY_ROLE, (entry.table, entry.record_id))
        finally:
            self.timeline.setUpdatesEnabled(True)
        self.timeline_fitter.fit()
        self.timeline_title.setText(
            self.tr("记录时间线（共 {count} 条，最新的在前）").format(count=str(len(entries)))
        )
        self.empty_label.setVisible(not entries)
        if keep is not None:
            self.select_record(*keep)

    def _show_missing(self, message: str) -> None:
        self._summary = None
        self._entries = []
        self._objected = {}
        self.credit_panel.clear()
        self.tabs.setTabText(1, self.tr("信用状况"))
        self.heading.set_full_text(self.tr("找不到该企业"))
        self._fill_fields_message(message)
        self.timeline.setRowCount(0)
        self.timeline_title.setText("")
        self.empty_label.setVisible(False)
        self._update_buttons()

    def _fill_fields_message(self, message: str) -> None:
        self._clear_fields()
        self.fields_grid.addWidget(QLabel(message, self.fields_box), 0, 0, 1, FIELD_COLUMNS * 2)

    # -- state --------------------------------------------------------------------------
    def _selected_entry(self) -> TimelineEntry | None:
        rows = {index.row() for index in self.timeline.selectionModel().selectedRows()}
        if len(rows) != 1:
            return None
        row = rows.pop()
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def _selected_key(self) -> tuple[str, int] | None:
        entry = self._selected_entry()
        return (entry.table, entry.record_id) if entry is not None else None

    def _update_buttons(self) -> None:
        has_unit = self._summary is not None
        has_record = has_unit and self._selected_entry() is not None
        self.edit_unit_button.setEnabled(has_unit)
        self.add_button.setEnabled(has_unit)
        self.edit_button.setEnabled(has_record)
        self.delete_button.setEnabled(has_record)

    # -- slots --------------------------------------------------------------------------
    def _on_back(self) -> None:
        self.back_requested.emit()

    def on_changes(self, changes: Changes) -> None:
        if self._unit_id is not None:
            self.refresh()

    def _on_add_triggered(self, action: QAction) -> None:
        table = action.data()
        if self._unit_id is not None and isinstance(table, str):
            self._open_form(table, None)

    def _on_edit_unit(self) -> None:
        if self._unit_id is not None:
            self._open_form("units", self._unit_id)

    def _on_edit_record(self) -> None:
        entry = self._selected_entry()
        if entry is not None:
            self._open_form(entry.table, entry.record_id)

    def _on_double_clicked(self, item: QTableWidgetItem) -> None:
        if 0 <= item.row() < len(self._entries):
            entry = self._entries[item.row()]
            self._open_form(entry.table, entry.record_id)

    @operation(title="无法删除")
    def _on_delete_record(self) -> None:
        entry = self._selected_entry()
        if entry is None:
            return
        question = self.tr(
            "确定要删除这条{kind_label}记录吗？\n\n{day}  {summary}\n\n"
            "删除会记入操作日志（操作人：{user}），不能撤销；"
            "以后导入表格时，这条记录也不会再被导入。"
        ).format(
            kind_label=entry.kind_label,
            day=entry.day.isoformat(),
            summary=entry.summary,
            user=self.session.user,
        )
        if not confirm(
            self,
            self.tr("删除{kind_label}记录").format(kind_label=entry.kind_label),
            question,
        ):
            return
        self.session.records.delete(entry.table, entry.record_id)
        self.bus.status_message.emit(
            self.tr("已删除{kind_label}记录（{day}）。").format(
                kind_label=entry.kind_label, day=entry.day.isoformat()
            )
        )

    # -- the record form ----------------------------------------------------------------
    def _open_form(self, table: str, record_id: int | None) -> None:
        if self._unit_id is None:
            return
        from safecredit_desktop.gui.dialogs.record_form import open_record_form

        open_record_form(
            self, self.session, self.bus, table, unit_id=self._unit_id, record_id=record_id
        )
        publish(self)
