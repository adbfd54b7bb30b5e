"""企业台账: search as you type, filters, a lazily fetched table sorted by pinyin.

Layout only: what matches and in which order is decided by ``core/registry.py``
through the Session; the table model pages the rows in. The 信用等级 column and filter are
the live grades as of today, stored by the core: brought up to date when the page is
made (the first opening of an upgraded database fills them, with progress) and when the
day turns while the window is open. The newest confirmed annual assessment's grade has
its own column and filter once there is one. 导出 writes the filtered list as a workbook.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from PySide6.QtCore import QModelIndex, QSettings, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.vocabulary import GRADE_INPUTS, Changes, Table
from safecredit_desktop.core.errors import Cancelled, SafeCreditError
from safecredit_desktop.core.registry import UnitQuery
from safecredit_desktop.gui.blocks import ColumnFitter
from safecredit_desktop.gui.blocks.choices import refill
from safecredit_desktop.gui.blocks.dialog_parts import push_button
from safecredit_desktop.gui.blocks.enter_key import EnterOpensRow
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.models.unit_table_model import UnitTableModel
from safecredit_desktop.gui.pages import Page
from safecredit_desktop.gui.workers import run_with_progress

SEARCH_DELAY_MS = 150
# v2: the 年度评定 column was added (a remembered 9-column header would squeeze 信用等级)
HEADER_KEY = "registry/header-v2"
HEADER_SAVE_DELAY_MS = 400
# After a refresh, rows loaded before are loaded again (up to this many) so the
# selection and the scroll position survive.
KEEP_LOADED_MAX = 5000
# How often the page looks whether the day turned (live grades as of a new day).
DAY_CHECK_MS = 60_000
# More units than this to grade: a progress dialog (a few hundred take a blink).
QUIET_GRADING_MAX = 3000


def _settings() -> QSettings:
    return QSettings("SafeCredit", "SafeCreditDesktop")


class RegistryPage(Page):
    unit_activated = Signal(int)  # the unit's id, on double-click or Enter
    # what can move what the registry shows: what grading reads, a confirmed assessment,
    # the stored live grades
    watched = GRADE_INPUTS | {Table.UNITS, Table.ASSESSMENTS, Table.UNIT_GRADES}

    def __init__(self, session: core.Session, bus: DataBus, parent: QWidget | None = None):
        super().__init__(session, bus, parent)
        self._stale = False
        self._refreshed = False
        self._day = date.today()
        self.bring_grades_up_to_date()

        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText(self.tr("名称、统一社会信用代码或拼音首字母，如 fhhg"))
        self.search_edit.setClearButtonEnabled(True)
        self.new_button = push_button(self, self.tr("新增企业"), self._on_new_unit_clicked)
        self.export_button = push_button(self, self.tr("导出工作簿…"), self._on_export_clicked)
        self.export_button.setToolTip(
            self.tr("把当前筛选出的企业（按当前排序）导出为 Excel 工作簿")
        )
        self.clear_button = push_button(self, self.tr("清除筛选"), self._on_clear_clicked)

        self.category_combo = QComboBox(self)
        self.town_combo = QComboBox(self)
        self.grade_combo = QComboBox(self)
        self.confirmed_label = QLabel(self)
        self.confirmed_combo = QComboBox(self)
        self.status_combo = QComboBox(self)
        self.high_risk_combo = QComboBox(self)
        self.high_risk_combo.addItem(self.tr("全部"), None)
        self.high_risk_combo.addItem(self.tr("是"), True)
        self.high_risk_combo.addItem(self.tr("否"), False)
        self._fill_grade_combo()
        self.count_label = QLabel(self)

        self.model = UnitTableModel(session, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self._setup_table()

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._header_timer = QTimer(self)
        self._header_timer.setSingleShot(True)
        self._header_timer.setInterval(HEADER_SAVE_DELAY_MS)
        self._day_timer = QTimer(self)
        self._day_timer.setInterval(DAY_CHECK_MS)

        self._build_layout()
        self._fill_filter_choices()
        self._show_confirmed()
        self._update_count()
        self._connect_signals()
        self._day_timer.start()

    # -- building ------------------------------------------------------------------------------

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("搜索："), self))
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.new_button)
        top.addWidget(self.export_button)

        filters = QHBoxLayout()
        grade_label = QLabel(self.tr("信用等级"), self)
        grade_label.setToolTip(self.grade_combo.toolTip())
        for text, combo in (
            (self.tr("行业类别"), self.category_combo),
            (self.tr("所在乡镇"), self.town_combo),
            (None, self.grade_combo),
            ("", self.confirmed_combo),
            (self.tr("经营状态"), self.status_combo),
            (self.tr("高危行业"), self.high_risk_combo),
        ):
            if text is None:
                filters.addWidget(grade_label)
            elif combo is self.confirmed_combo:
                filters.addWidget(self.confirmed_label)
            else:
                filters.addWidget(QLabel(text, self))
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            filters.addWidget(combo)
            filters.addSpacing(8)
        filters.addWidget(self.clear_button)
        filters.addStretch(1)
        filters.addWidget(self.count_label)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)

    def _setup_table(self) -> None:
        table = self.table
        table.setAlternatingRowColors(True)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        # Fixed row heights: the view never measures 100,000 rows.
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        # the unit's name takes the width the other columns leave (not the last column,
        # 信用等级, which is a few characters wide)
        self.fitter = ColumnFitter(self.table, UnitTableModel.COL_NAME)
        self._apply_default_widths()
        # The model is already in pinyin order; say so before sorting is switched on,
        # or the view would ask for its default (first column, descending).
        header.setSortIndicator(UnitTableModel.COL_NAME, Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)
        state = _settings().value(HEADER_KEY)
        if state is not None and not header.restoreState(state):
            self._apply_default_widths()
        header.setStretchLastSection(False)  # also over a state saved when it was on
        self._enter = EnterOpensRow(table, self._on_row_double_clicked)

    def _apply_default_widths(self) -> None:
        metrics = self.table.fontMetrics()
        han = metrics.horizontalAdvance("国")
        digits = metrics.horizontalAdvance("9" * 18)
        pad = 24
        widths = {
            UnitTableModel.COL_NAME: han * 18 + pad,
            UnitTableModel.COL_USCC: digits + pad,
            UnitTableModel.COL_CATEGORY: han * 6 + pad,
            UnitTableModel.COL_TOWN: han * 5 + pad,
            UnitTableModel.COL_MAIN_PERSON: han * 5 + pad,
            UnitTableModel.COL_HIGH_RISK: han * 4 + pad,
            UnitTableModel.COL_STD_LEVEL: han * 5 + pad,
            UnitTableModel.COL_STATUS: han * 4 + pad,
            UnitTableModel.COL_GRADE: han * 6 + pad,
            UnitTableModel.COL_CONFIRMED: han * 6 + pad,
        }
        for column, width in widths.items():
            self.table.setColumnWidth(column, width)

    def _fill_grade_combo(self) -> None:
        profile = self.session.profile
        for combo in (self.grade_combo, self.confirmed_combo):
            combo.addItem(self.tr("全部"), None)
            for letter in profile.grades:
                combo.addItem(profile.grade_display(letter), letter)
        self.grade_combo.setToolTip(
            self.tr("按今日实时评定的信用等级筛选；尚未经年度评定确认的等级在表中标“未确认”")
        )
        self.confirmed_combo.setToolTip(self.tr("按最近一次已确认的年度评定的等级筛选"))

    def _show_confirmed(self) -> None:
        """The confirmed assessment's filter and column, once there is one (its year)."""
        year = self.model.confirmed_year
        shown = year is not None
        self.confirmed_label.setText(self.tr("{year}年度评定").format(year=str(year)))
        for widget in (self.confirmed_label, self.confirmed_combo):
            widget.setVisible(shown)
        self.table.setColumnHidden(UnitTableModel.COL_CONFIRMED, not shown)
        if not shown and self.confirmed_combo.currentIndex() != 0:
            self.confirmed_combo.blockSignals(True)
            self.confirmed_combo.setCurrentIndex(0)
            self.confirmed_combo.blockSignals(False)

    def bring_grades_up_to_date(self) -> None:
        """Live grades as of today: the whole register (first opening of an upgraded
        database, other rules) or many units behind a progress dialog, a few at once."""
        session = self.session
        if session.db.read_only:
            return
        try:
            work = session.grading.live_work()
            if work.none:
                return
            if work.whole or work.units > QUIET_GRADING_MAX:
                run_with_progress(
                    self,
                    self.tr("正在计算企业的实时信用等级…"),
                    lambda own, report: own.grading.settle_live(progress=report),
                    session=session,
                    cancellable=False,
                )
            else:
                session.grading.settle_live()
        except (SafeCreditError, Cancelled, sqlite3.Error) as exc:
            # the rows stay as stored; the next opening or page read tries again
            message = exc.message if isinstance(exc, SafeCreditError) else ""
            self.bus.status_message.emit(self.tr("未能更新实时信用等级。") + message)

    def _fill_filter_choices(self) -> None:
        """(Re)fill the category, town and status lists, keeping what is chosen."""
        categories, towns, statuses = self.session.units.filter_choices()
        for combo, values in (
            (self.category_combo, categories),
            (self.town_combo, towns),
            (self.status_combo, statuses),
        ):
            chosen = combo.currentData()
            with QSignalBlocker(combo):
                refill(combo, self.tr("全部"), None, values)
                if chosen is not None and chosen not in values:
                    combo.addItem(chosen, chosen)  # keep the filter: it now matches nothing
                combo.setCurrentIndex(max(combo.findData(chosen), 0) if chosen is not None else 0)

    def _filter_combos(self) -> tuple[QComboBox, ...]:
        return (
            self.category_combo,
            self.town_combo,
            self.grade_combo,
            self.confirmed_combo,
            self.status_combo,
            self.high_risk_combo,
        )

    def _connect_signals(self) -> None:
        self.search_edit.textChanged.connect(self._on_search_text_changed)
        self.search_edit.returnPressed.connect(self._on_search_return_pressed)
        self._search_timer.timeout.connect(self._on_search_timeout)
        for combo in self._filter_combos():
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self._day_timer.timeout.connect(self._on_day_check)
        self.table.doubleClicked.connect(self._on_row_double_clicked)
        self.model.modelReset.connect(self._update_count)
        self.model.rowsInserted.connect(self._update_count)
        header = self.table.horizontalHeader()
        header.sectionResized.connect(self._on_header_changed)
        header.sectionMoved.connect(self._on_header_changed)
        header.sortIndicatorChanged.connect(self._on_header_changed)
        self._header_timer.timeout.connect(self._on_header_save_timeout)

    # -- the query -----------------------------------------------------------------------------

    def current_query(self) -> UnitQuery:
        """The query the search box and filters ask for, in the table's current order."""
        sort = self.model.query
        return UnitQuery(
            search=self.search_edit.text().strip(),
            category=self.category_combo.currentData(),
            town=self.town_combo.currentData(),
            grade=self.grade_combo.currentData(),
            status=self.status_combo.currentData(),
            high_risk=self.high_risk_combo.currentData(),
            confirmed_grade=(
                self.confirmed_combo.currentData()
                if self.confirmed_combo.isVisibleTo(self)
                else None
            ),
            sort=sort.sort,
            descending=sort.descending,
        )

    def _apply_query(self) -> None:
        self._search_timer.stop()
        query = self.current_query()
        if query != self.model.query:
            self.model.set_query(query)

    def _update_count(self) -> None:
        self.count_label.setText(self.tr("共 {total} 家").format(total=str(self.model.total)))

    def refresh(self) -> None:
        """Re-read the lists and rows, keeping the selection and scroll position."""
        self._stale = False
        self._refreshed = True
        selected = self._selected_unit_id()
        loaded = min(self.model.rowCount(), KEEP_LOADED_MAX)
        scroll = self.table.verticalScrollBar().value()
        self._fill_filter_choices()
        query = self.current_query()
        if query != self.model.query:
            self.model.set_query(query)
            self._show_confirmed()
            return
        self.model.reload(at_least=loaded)
        self._show_confirmed()
        if selected is not None:
            row = self.model.row_of(selected)
            if row is not None:
                self.table.selectRow(row)
        # the scroll bar's range is set when the view lays itself out, after this
        QTimer.singleShot(0, self, lambda: self.table.verticalScrollBar().setValue(scroll))

    def _selected_unit_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.unit_id(rows[0].row()) if rows else None

    # -- events --------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        if self._header_timer.isActive():
            self._on_header_save_timeout()
        super().hideEvent(event)

    # -- slots ---------------------------------------------------------------------------------

    def _on_search_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    def _on_search_return_pressed(self) -> None:
        self._apply_query()

    def _on_search_timeout(self) -> None:
        self._apply_query()

    def _on_filter_changed(self, _index: int) -> None:
        self._apply_query()

    def _on_clear_clicked(self) -> None:
        for combo in self._filter_combos():
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search_edit.blockSignals(True)
        self.search_edit.clear()
        self.search_edit.blockSignals(False)
        self._apply_query()

    def _on_row_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.unit_activated.emit(self.model.unit_id(index.row()))

    def _on_new_unit_clicked(self) -> None:
        from safecredit_desktop.gui.dialogs.record_form import open_record_form

        self._refreshed = False
        saved: list[int] = []
        saves = open_record_form(self, self.session, self.bus, "units", saved_ids=saved)
        if saves and saved:
            self.show_new_unit(saved[-1])
        elif saves and not self._refreshed:
            self.refresh()

    def show_new_unit(self, unit_id: int) -> None:
        """A unit just added: the old search and filters go, the new unit is found by its
        code and selected (清除 shows all units again)."""
        try:
            code = str(self.session.records.get("units", unit_id).uscc)
        except SafeCreditError:
            self.refresh()
            return
        self._on_clear_clicked()
        self.search_edit.blockSignals(True)
        self.search_edit.setText(code)
        self.search_edit.blockSignals(False)
        self._apply_query()
        self._update_count()
        row = self.model.row_of(unit_id)
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))

    def on_changes(self, changes: Changes) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def _on_day_check(self) -> None:
        """The day turned while the window was open: the grades whose day came move."""
        today = date.today()
        if today == self._day:
            return
        self._day = today
        self.bring_grades_up_to_date()
        self.on_changes(Changes(frozenset({Table.UNIT_GRADES})))

    def _on_export_clicked(self) -> None:
        query = self.current_query()
        suggested = Path.home() / self.tr("企业台账{d}.xlsx").format(
            d=date.today().strftime("%Y%m%d")
        )
        name, _filter = QFileDialog.getSaveFileName(
            self, self.tr("导出企业台账"), str(suggested), self.tr("Excel 工作簿 (*.xlsx)")
        )
        if not name:
            return
        path = Path(name) if name.lower().endswith(".xlsx") else Path(name + ".xlsx")
        self.export_to(path, query)

    def export_to(self, path: Path, query: UnitQuery | None = None) -> Path | None:
        """Write the filtered list (``query``: the page's) to ``path``; None on a refusal."""
        session = self.session
        chosen = query or self.current_query()
        try:
            written = run_with_progress(
                self,
                self.tr("正在导出企业台账…"),
                lambda own, _report: own.units.export_registry(chosen, path),
                session=session,
            )
        except Cancelled:
            return None
        except SafeCreditError as exc:
            QMessageBox.warning(self, self.tr("无法导出"), exc.message)
            return None
        self.bus.status_message.emit(
            self.tr("已导出 {total} 家企业：{written}").format(
                total=f"{self.model.total:,}", written=str(written)
            )
        )
        return written

    def _on_header_changed(self, *_args: object) -> None:
        self._header_timer.start()

    def _on_header_save_timeout(self) -> None:
        self._header_timer.stop()
        _settings().setValue(HEADER_KEY, self.table.horizontalHeader().saveState())
