"""统计报表: counts by grade × 行业类别 and × 乡镇 (and × 报送单位), bar charts, and the
report exports sent upward (统计表, 信用等级名单, e-mail draft).

Grades are computed by the core in a worker (100,000 units take seconds) when the page
is shown after a change, or on 统计; the exports reuse them for the same date.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QPoint, QRect, QSignalBlocker, QSize, Qt, QUrl
from PySide6.QtGui import (
    QBrush,
    QColor,
    QDesktopServices,
    QFont,
    QHelpEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.vocabulary import GRADE_INPUTS, Changes, Table
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.statistics import CountTable, StatisticsTables
from safecredit_desktop.gui.blocks.choices import refill_items
from safecredit_desktop.gui.blocks.dialog_parts import push_button, row_of, vbox, wrapping_label
from safecredit_desktop.gui.blocks.save_path import SaveFolder, ask_save_path
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.operations import operation
from safecredit_desktop.gui.pages import Page
from safecredit_desktop.gui.workers import Report, run_with_progress

GRADE_COLORS = {"A": "#2e7d32", "B": "#1565c0", "C": "#ef6c00", "D": "#c62828"}
LIVE = "live"


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def _nice_step(maximum: int, ticks: int = 5) -> int:
    """A round axis step (1, 2, 5 × 10^n) giving about ``ticks`` ticks up to ``maximum``."""
    if maximum <= 0:
        return 1
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return max(1, int(factor * power))
    return max(1, int(10 * power))


class GradeBarChart(QWidget):
    """Horizontal stacked bars, one per row of a CountTable, one colour per grade.

    Drawn with QPainter in the widget's (the application's) font, so Chinese labels
    show wherever the window shows Chinese. Hovering a bar shows its counts.
    """

    BAR = 18
    GAP = 8
    MARGIN = 10
    LEGEND = 28
    AXIS = 22

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._table: CountTable | None = None
        self.setMouseTracking(True)
        self.setMinimumHeight(120)

    def set_table(self, table: CountTable | None) -> None:
        self._table = table
        self.updateGeometry()
        self.adjustSize()
        self.update()

    @property
    def table(self) -> CountTable | None:
        return self._table

    def sizeHint(self) -> QSize:
        rows = len(self._table.rows) if self._table else 0
        height = 2 * self.MARGIN + self.LEGEND + self.AXIS + rows * (self.BAR + self.GAP)
        return QSize(480, max(120, height))

    def minimumSizeHint(self) -> QSize:
        return QSize(240, self.sizeHint().height())

    def _label_width(self) -> int:
        metrics = self.fontMetrics()
        names = self._table.rows if self._table else ()
        widest = max((metrics.horizontalAdvance(n) for n in names), default=0)
        return min(widest + 8, max(80, self.width() // 3))

    def _plot_rect(self) -> QRect:
        left = self.MARGIN + self._label_width()
        top = self.MARGIN + self.LEGEND
        total_width = self.fontMetrics().horizontalAdvance("000000") + 6
        width = max(20, self.width() - left - self.MARGIN - total_width)
        rows = len(self._table.rows) if self._table else 0
        return QRect(left, top, width, rows * (self.BAR + self.GAP))

    def _row_at(self, point: QPoint) -> int | None:
        if self._table is None:
            return None
        plot = self._plot_rect()
        if point.y() < plot.top() or point.y() >= plot.bottom():
            return None
        index = (point.y() - plot.top()) // (self.BAR + self.GAP)
        return index if 0 <= index < len(self._table.rows) else None

    def row_tooltip(self, index: int) -> str:
        table = self._table
        assert table is not None
        parts = [
            f"{header}：{count}家"
            for header, count in zip(table.grade_headers, table.cells[index], strict=True)
        ]
        return f"{table.rows[index]}（共{sum(table.cells[index])}家）\n" + "\n".join(parts)

    def event(self, event: Any) -> bool:
        if isinstance(event, QHelpEvent) and self._table is not None:
            index = self._row_at(event.pos())
            if index is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self.row_tooltip(index), self)
            return True
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.fillRect(self.rect(), self.palette().base())
            table = self._table
            if table is None or not table.rows:
                painter.setPen(self.palette().placeholderText().color())
                painter.drawText(
                    self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("没有可统计的企业")
                )
                return
            self._draw_legend(painter, table)
            self._draw_bars(painter, table)
        finally:
            painter.end()

    def _draw_legend(self, painter: QPainter, table: CountTable) -> None:
        metrics = self.fontMetrics()
        x = self.MARGIN
        y = self.MARGIN
        text_pen = QPen(self.palette().text().color())
        for letter, header in zip(table.grades, table.grade_headers, strict=True):
            painter.fillRect(QRect(x, y + 4, 14, 14), QColor(GRADE_COLORS.get(letter, "#777")))
            painter.setPen(text_pen)
            painter.drawText(
                QRect(x + 18, y, metrics.horizontalAdvance(header) + 4, 22),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                header,
            )
            x += 18 + metrics.horizontalAdvance(header) + 16

    def _draw_bars(self, painter: QPainter, table: CountTable) -> None:
        plot = self._plot_rect()
        totals = table.row_totals
        step = _nice_step(max(totals, default=0))
        top_value = max(step, math.ceil(max(totals, default=0) / step) * step)
        scale = plot.width() / top_value
        text_color = self.palette().text().color()
        grid_pen = QPen(QColor(text_color))
        grid_pen.setStyle(Qt.PenStyle.DotLine)
        grid_pen.setColor(QColor(128, 128, 128, 110))
        axis_y = plot.bottom() + 2
        # grid lines and axis labels
        for value in range(0, top_value + 1, step):
            x = plot.left() + round(value * scale)
            painter.setPen(grid_pen)
            painter.drawLine(x, plot.top() - 2, x, axis_y)
            painter.setPen(text_color)
            painter.drawText(
                QRect(x - 40, axis_y + 2, 80, self.AXIS - 4),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                f"{value:,}",
            )
        label_rect_width = plot.left() - self.MARGIN - 6
        metrics = self.fontMetrics()
        for index, (name, cells) in enumerate(zip(table.rows, table.cells, strict=True)):
            y = plot.top() + index * (self.BAR + self.GAP) + self.GAP // 2
            painter.setPen(text_color)
            painter.drawText(
                QRect(self.MARGIN, y, label_rect_width, self.BAR),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, label_rect_width),
            )
            bar_x = float(plot.left())
            for letter, count in zip(table.grades, cells, strict=True):
                if count == 0:
                    continue
                width = count * scale
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QBrush(QColor(GRADE_COLORS.get(letter, "#777"))))
                painter.drawRect(QRect(round(bar_x), y, max(1, round(width)), self.BAR))
                bar_x += width
            painter.setPen(text_color)
            painter.drawText(
                QRect(round(bar_x) + 4, y, 80, self.BAR),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                f"{totals[index]:,}",
            )


def _count_item(value: object, *, bold: bool = False) -> QTableWidgetItem:
    text = f"{value:,}" if isinstance(value, int) else str(value)
    item = QTableWidgetItem(text)
    if isinstance(value, int):
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if bold:
        font = QFont(item.font())
        font.setBold(True)
        item.setFont(font)
    return item


class CountSection(QWidget):
    """A count table (with row and column totals) beside its bar chart."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(self)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.chart = GradeBarChart(self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.chart)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.table)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self._splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def show_table(self, counts: CountTable) -> None:
        headers = counts.headers()
        body = counts.body()
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setRowCount(len(body))
        self.table.setHorizontalHeaderLabels(headers)
        last_row, last_column = len(body) - 1, len(headers) - 1
        for r, values in enumerate(body):
            for c, value in enumerate(values):
                bold = r == last_row or c == last_column
                self.table.setItem(r, c, _count_item(value, bold=bold))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.chart.set_table(counts)
        # give the table the width its columns need, the chart the rest
        self.table.resizeColumnsToContents()
        needed = sum(self.table.columnWidth(c) for c in range(self.table.columnCount())) + 24
        total = sum(self._splitter.sizes()) or self.width()
        if total > needed:
            self._splitter.setSizes([needed, total - needed])


class StatisticsPage(Page):
    """统计报表."""

    watched = GRADE_INPUTS | {Table.ASSESSMENTS, Table.PLAN_ADOPTIONS}

    def __init__(self, session: core.Session, bus: DataBus, parent: QWidget | None = None):
        super().__init__(session, bus, parent)
        self.page_title = self.tr("统计报表")
        self._stale = True
        self._results: list[Any] | None = None
        self._results_as_of: date | None = None
        self._schedule_as_of: date | None = None
        self._tables: StatisticsTables | None = None
        self.last_export: Path | None = None
        self.save_folder = SaveFolder()

        heading = QLabel(self.tr("统计报表"), self)
        heading.setStyleSheet("font-size: 18px; font-weight: bold;")

        # -- what to count
        self.basis = QComboBox(self)
        self.basis.addItem(self.tr("实时（评定基准日）"), LIVE)
        self.basis.setToolTip(self.tr("实时评定，或已确认的某年度评定（按年度报送时用）"))
        self.as_of = QDateEdit(self)
        self.as_of.setCalendarPopup(True)
        self.as_of.setDisplayFormat("yyyy-MM-dd")
        self.as_of.setDate(_qdate(date.today()))
        self.group_by_reporter = QCheckBox(self.tr("按报送单位分组（市级汇总）"), self)
        self.group_by_reporter.setToolTip(
            self.tr("按企业的“报送单位”分别统计；报送单位为空的企业计入本单位。")
        )
        self.compute_button = push_button(self, self.tr("统计"), self._on_compute)
        controls = row_of(
            self.tr("评定依据："),
            self.basis,
            self.tr("评定基准日："),
            self.as_of,
            self.group_by_reporter,
            self.compute_button,
        )

        self.summary = wrapping_label(self)
        self.notice = QLabel(self)
        self.notice.setStyleSheet("color: #c00000; font-weight: bold;")
        self.notice.setVisible(False)

        # -- tables and charts
        self.tabs = QTabWidget(self)
        self.by_category = CountSection(self)
        self.by_town = CountSection(self)
        self.by_reporter = CountSection(self)
        self.by_reporter.hide()  # a tab only while grouped by 报送单位
        self.tabs.addTab(self.by_category, self.tr("按等级 × 行业类别"))
        self.tabs.addTab(self.by_town, self.tr("按等级 × 乡镇"))

        # -- scheduling figures: not yet
        self.schedule_box = QGroupBox(self.tr("检查完成与到期（按月）/ 逾期（按乡镇）"), self)
        self.schedule_summary = wrapping_label(self.schedule_box)
        self.schedule_months = QTableWidget(2, 13, self.schedule_box)
        self.schedule_months.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.schedule_months.setHorizontalHeaderLabels(
            [self.tr("{month}月").format(month=m) for m in range(1, 13)] + [self.tr("合计")]
        )
        self.schedule_months.setVerticalHeaderLabels([self.tr("计划应检"), self.tr("已检")])
        self.schedule_months.setMaximumHeight(90)
        self.overdue_towns = wrapping_label(self.schedule_box)
        vbox(self.schedule_box, self.schedule_summary, self.schedule_months, self.overdue_towns)

        # -- exports
        self.reporter_name = QLineEdit(self)
        self.reporter_name.setPlaceholderText(self.tr("填表人姓名"))
        self.reporter_name.setText(session.reports.reporter())
        self.reporter_name.setMaximumWidth(160)
        self.export_table_button = push_button(
            self, self.tr("导出当前统计表…"), self._on_export_table
        )
        self.export_stats_button = push_button(self, self.tr("导出统计表…"), self._on_export_stats)
        self.export_list_button = push_button(
            self, self.tr("导出信用等级名单…"), self._on_export_list
        )
        self.mail_button = push_button(self, self.tr("生成邮件草稿"), self._on_mail_draft)
        self.mail_button.setEnabled(False)
        self.mail_button.setToolTip(
            self.tr("先导出统计表或名单，再生成附有该文件、发往上级单位邮箱的邮件草稿。")
        )
        exports = row_of(
            self.tr("统计人员："),
            self.reporter_name,
            self.export_table_button,
            self.export_stats_button,
            self.export_list_button,
            self.mail_button,
        )
        self.export_result = wrapping_label(self)
        self.export_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.export_result.setOpenExternalLinks(True)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(controls)
        layout.addWidget(self.summary)
        layout.addWidget(self.notice)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.schedule_box)
        layout.addLayout(exports)
        layout.addWidget(self.export_result)

        self.basis.currentIndexChanged.connect(self._on_basis_changed)
        self.group_by_reporter.toggled.connect(lambda _on: self._on_compute())

    # -- state ---------------------------------------------------------------------------
    @property
    def tables(self) -> StatisticsTables | None:
        return self._tables

    def selected_year(self) -> int | None:
        """The confirmed assessment chosen as the basis, or None for live grades."""
        data = self.basis.currentData()
        return None if data == LIVE else int(data)

    def selected_as_of(self) -> date:
        year = self.selected_year()
        return core.assessment_date(year) if year else _pydate(self.as_of.date())

    def _fill_basis(self) -> None:
        current = self.basis.currentData()
        confirmed = [
            (self.tr("{year}年度评定（已确认）").format(year=str(year)), year)
            for year in self.session.grading.confirmed_years()
        ]
        with QSignalBlocker(self.basis):
            refill_items(self.basis, [(self.tr("实时（评定基准日）"), LIVE), *confirmed])
            self.basis.setCurrentIndex(max(self.basis.findData(current), 0))
        self.as_of.setEnabled(self.selected_year() is None)

    def refresh(self) -> None:
        self._fill_basis()
        if self._stale:
            self.compute()

    def on_changes(self, changes: Changes) -> None:
        self._stale = True
        self._schedule_as_of = None
        if self.isVisible():
            self.refresh()

    def _on_compute(self) -> None:
        self.compute()

    def _on_basis_changed(self, _index: int) -> None:
        self.as_of.setEnabled(self.selected_year() is None)
        self._results = None
        self.compute()

    def _grades(self, as_of: date) -> list[Any]:
        """Grades for ``as_of`` (or the chosen confirmed year), computed in a worker unless
        already at hand."""
        if self._results is not None and self._results_as_of == as_of and not self._stale:
            return self._results
        year = self.selected_year()
        if year is not None:
            results = self.session.grading.assessment_results(year)
        else:
            results = run_with_progress(
                self,
                self.tr("正在评定信用等级…"),
                lambda own, report: own.grading.report_grades(as_of=as_of, progress=report),
                session=self.session,
            )
        self._results, self._results_as_of = results, as_of
        return results

    @operation
    def compute(self) -> None:
        """Grade as of the chosen date (in a worker) and show the counts."""
        as_of = self.selected_as_of()
        results = self._grades(as_of)
        tables = self.session.reports.statistics(
            as_of=as_of,
            group_by_reporter=self.group_by_reporter.isChecked(),
            assessment=self.selected_year(),
            results=results,
        )
        self._stale = False
        self.show_tables(tables)
        self._show_schedule(as_of)

    def _show_schedule(self, as_of: date) -> None:
        """Planned vs done per month of the year, and overdue units per town (once per date)."""
        if self._schedule_as_of == as_of:
            return
        results = self._results
        try:
            done = run_with_progress(
                self,
                self.tr("正在统计检查完成情况…"),
                lambda own, report: own.schedule.progress(
                    as_of=as_of, results=results, progress=report
                ),
                session=self.session,
            )
        except SafeCreditError as exc:  # said in place of the schedule; the counts stand
            self.schedule_summary.setText(exc.message)
            return
        for row, values in enumerate((done.planned, done.done)):
            for column, value in enumerate([*values, sum(values)]):
                self.schedule_months.setItem(row, column, _count_item(value, bold=column == 12))
        self.schedule_months.resizeColumnsToContents()
        self._schedule_as_of = as_of
        self.schedule_summary.setText(
            self.tr(
                "{year}年度执法检查计划：应检 {planned} 次，已完成 {done} 次（截至 {as_of}）。"
            ).format(
                year=done.year,
                planned=f"{sum(done.planned):,}",
                done=f"{sum(done.done):,}",
                as_of=done.as_of.isoformat(),
            )
        )
        towns = "，".join(f"{t} {n}" for t, n in done.overdue_by_town.items())
        self.overdue_towns.setText(
            self.tr("逾期未检查（按乡镇）：{towns}").format(towns=towns or self.tr("无"))
        )

    def show_tables(self, tables: StatisticsTables) -> None:
        self._tables = tables
        grades = "，".join(
            f"{header} {count:,} 家"
            for header, count in zip(
                tables.by_category.grade_headers, tables.by_category.grade_totals, strict=True
            )
        )
        text = self.tr("{basis}　共 {units} 家：{grades}").format(
            basis=tables.basis, units=f"{tables.units:,}", grades=grades
        )
        if tables.flagged:
            text += self.tr("。其中 {flagged} 家有待定或待核实的事故记录，等级可能变化。").format(
                flagged=f"{tables.flagged:,}"
            )
        self.summary.setText(text)
        self.notice.setVisible(bool(tables.internal_notice))
        self.notice.setText(tables.internal_notice or "")
        self.by_category.show_table(tables.by_category)
        self.by_town.show_table(tables.by_town)
        index = self.tabs.indexOf(self.by_reporter)
        if tables.by_reporter is not None:
            self.by_reporter.show_table(tables.by_reporter)
            if index < 0:
                self.tabs.addTab(self.by_reporter, self.tr("按等级 × 报送单位"))
        elif index >= 0:
            self.tabs.removeTab(index)

    # -- exports ---------------------------------------------------------------------------
    def _ask_path(self, title: str, suggested: str) -> Path | None:
        return self.save_folder.ask_workbook(self, title, suggested)

    def _exported(self, path: Path, what: str) -> None:
        self.last_export = path
        self.mail_button.setEnabled(True)
        url = QUrl.fromLocalFile(str(path.parent)).toString()
        self.export_result.setText(
            self.tr('已导出{what}：{path}（<a href="{url}">打开所在文件夹</a>）').format(
                what=what, path=str(path), url=url
            )
        )
        self.bus.status_message.emit(self.tr("已导出 {path}").format(path=str(path)))

    def _export_graded(
        self,
        title: str,
        name: str,
        progress_title: str,
        what: str,
        export: Callable[[core.Session, Path, date, int | None, list[Any], Report], Path],
    ) -> None:
        """A workbook of the grades as of the chosen day, named ``{bureau}{name}-{day}``:
        asked where, then graded and written on the worker's own connection."""
        as_of = self.selected_as_of()
        path = self._ask_path(title, f"{self.session.bureau_name}{name}-{as_of.isoformat()}.xlsx")
        if path is None:
            return
        year = self.selected_year()
        results = self._grades(as_of)
        written = run_with_progress(
            self,
            progress_title,
            lambda own, report: export(own, path, as_of, year, results, report),
            session=self.session,
        )
        self._exported(written, what)

    @operation
    def _on_export_stats(self) -> None:
        reporter = self.reporter_name.text().strip()
        grouped = True if self.group_by_reporter.isChecked() else None
        self._export_graded(
            self.tr("导出统计表"),
            "安全生产信用分级分类统计表",
            self.tr("正在导出统计表…"),
            self.tr("统计表"),
            lambda own, path, as_of, year, results, report: own.reports.export_stats(
                path,
                as_of=as_of,
                assessment=year,
                reporter_name=reporter,
                group_by_reporter=grouped,
                results=results,
                progress=report,
            ),
        )

    def current_count_table(self) -> Any:
        """The CountTable of the tab on show (grade × category, town or 报送单位)."""
        if self._tables is None:
            return None
        widget = self.tabs.currentWidget()
        if widget is self.by_town:
            return self._tables.by_town
        if widget is self.by_reporter:
            return self._tables.by_reporter
        return self._tables.by_category

    @operation
    def _on_export_table(self) -> None:
        table = self.current_count_table()
        if table is None or self._tables is None:
            return
        path = self._ask_path(
            self.tr("导出统计表"), f"{self.session.bureau_name}信用等级统计-{table.title}.xlsx"
        )
        if path is None:
            return
        written = self.session.reports.export_count_table(path, table, basis=self._tables.basis)
        self._exported(written, table.title)

    @operation
    def _on_export_list(self) -> None:
        self._export_graded(
            self.tr("导出信用等级名单"),
            "安全生产信用等级名单",
            self.tr("正在导出信用等级名单…"),
            self.tr("信用等级名单"),
            lambda own, path, as_of, year, results, report: own.reports.export_grade_list(
                path, as_of=as_of, assessment=year, results=results, progress=report
            ),
        )

    @operation
    def _on_mail_draft(self) -> None:
        workbook = self.last_export
        if workbook is None:
            return
        out = ask_save_path(
            self,
            self.tr("保存邮件草稿"),
            workbook.with_suffix(".eml"),
            self.tr("邮件草稿 (*.eml)"),
            ".eml",
        )
        if out is None:
            return
        draft = run_with_progress(
            self,
            self.tr("正在生成邮件草稿…"),
            lambda own, _report: own.reports.write_mail_draft(workbook, out),
            session=self.session,
            cancellable=False,
        )
        address = self.session.settings.upper_email()
        to = (
            self.tr("收件人：{address}").format(address=address)
            if address
            else self.tr("尚未设置上级单位邮箱，收件人为空，请在邮件程序中填写")
        )
        url = QUrl.fromLocalFile(str(draft.parent)).toString()
        self.export_result.setText(
            self.tr(
                "已生成邮件草稿：{draft}（{to}）。双击该文件即可在 Outlook 或 Foxmail 中打开、"
                '核对后发送。（<a href="{url}">打开所在文件夹</a>）'
            ).format(draft=draft, to=to, url=url)
        )
        self.bus.status_message.emit(self.tr("已生成邮件草稿 {draft}").format(draft=str(draft)))
        # hand the draft to the system's mail program (it waits in the outbox when offline)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(draft)))
