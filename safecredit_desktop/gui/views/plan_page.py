"""检查计划 page: the year's inspection plan (scheduling.md "Annual plan").

On first showing, the year's adopted plan (the latest year with one, from this year on)
is read and shown; choosing another year shows that year's adopted plan, if any. Year
and monthly capacity (0 = 不限) → 编制计划 (in a worker) → a draft, with what it changes
against the adopted plan; 采用计划… (审核员 or 管理员) asks, naming the plan's parameters
and the changes, then stores it. The planned inspections show in a table (a model over
the plan, so 170,000 rows show at once), the county's inspections per month as bars with
the capacity line, what cannot fit (a sentence and a filter), filters by status, body and
town, 导出计划… Double-clicking a row emits ``unit_activated(unit_id)``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSignalBlocker,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QLabel,
    QMessageBox,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.vocabulary import GRADE_INPUTS, Changes, Table
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.scheduling.plan import Plan, PlanChanges, PlannedInspection, PlanStatus
from safecredit_desktop.gui.blocks import ColumnFitter
from safecredit_desktop.gui.blocks.choices import refill
from safecredit_desktop.gui.blocks.dialog_parts import push_button, row_of, wrapping_label
from safecredit_desktop.gui.blocks.save_path import SaveFolder
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.operations import operation
from safecredit_desktop.gui.pages import Page
from safecredit_desktop.gui.workers import run_with_progress

ALL = ""
CANNOT_FIT = "无法安排"
REMARKS_WIDEST = 200  # pixels before 备注 is cut (its tooltip is whole)
COLUMNS = (
    QT_TRANSLATE_NOOP("PlanModel", "统一社会信用代码"),
    QT_TRANSLATE_NOOP("PlanModel", "单位名称"),
    QT_TRANSLATE_NOOP("PlanModel", "所在乡镇"),
    QT_TRANSLATE_NOOP("PlanModel", "信用等级"),
    QT_TRANSLATE_NOOP("PlanModel", "高危行业"),
    QT_TRANSLATE_NOOP("PlanModel", "检查时段"),
    QT_TRANSLATE_NOOP("PlanModel", "到期日"),
    QT_TRANSLATE_NOOP("PlanModel", "建议月份"),
    QT_TRANSLATE_NOOP("PlanModel", "执法主体"),
    QT_TRANSLATE_NOOP("PlanModel", "状态"),
    QT_TRANSLATE_NOOP("PlanModel", "备注"),
)
_STATUS_COLOURS = {
    PlanStatus.DONE: QColor("#1b7a1b"),
    PlanStatus.DUE: QColor("#b36b00"),
    PlanStatus.OVERDUE: QColor("#b00020"),
}


class PlanModel(QAbstractTableModel):
    """Read-only rows of planned inspections."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[PlannedInspection] = []

    def set_items(self, items: list[PlannedInspection]) -> None:
        self.beginResetModel()
        self.items = items
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.items)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.tr(COLUMNS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        item = self.items[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(item, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == 9:
            return _STATUS_COLOURS.get(item.status)
        if role == Qt.ItemDataRole.ToolTipRole and column in (1, 10):  # cut past their caps
            return self.text(item, column) or None
        if role == Qt.ItemDataRole.UserRole:
            return item.unit_id
        return None

    @staticmethod
    def text(item: PlannedInspection, column: int) -> str:
        values = (
            item.uscc,
            item.name,
            item.town,
            item.grade,
            "是" if item.high_risk else "否",
            item.window_text(),
            item.due_on.isoformat(),
            f"{item.suggested_month}月",
            item.body,
            item.status_text(),
            item.remarks(),
        )
        return values[column]


class MonthBars(QWidget):
    """County inspections per month as bars, with the capacity as a dashed line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loads: list[int] = [0] * 12
        self.capacity: int | None = None
        self.setMinimumHeight(110)

    def set_loads(self, loads: list[int], capacity: int | None) -> None:
        self.loads, self.capacity = list(loads), capacity
        self.setToolTip(
            "，".join(f"{m}月{n}次" for m, n in enumerate(loads, start=1))
            + ("" if capacity is None else f"；每月能力{capacity}次")
        )
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(520, 130)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = painter.fontMetrics()
        label_h = metrics.height() + 2
        plot = QRect(56, label_h, self.width() - 64, self.height() - 2 * label_h - 4)
        top = max([*self.loads, self.capacity or 0, 1])
        slot = plot.width() / 12
        for index, load in enumerate(self.loads):
            x = int(plot.left() + index * slot + slot * 0.15)
            w = max(2, int(slot * 0.7))
            h = int(plot.height() * load / top)
            over = self.capacity is not None and load > self.capacity
            painter.fillRect(
                QRect(x, plot.bottom() - h, w, h), QColor("#c0392b" if over else "#4a7ab5")
            )
            painter.setPen(self.palette().text().color())
            painter.drawText(
                QRect(x - 10, plot.bottom() - h - label_h, w + 20, label_h),
                Qt.AlignmentFlag.AlignCenter,
                str(load),
            )
            painter.drawText(
                QRect(x - 10, plot.bottom() + 2, w + 20, label_h),
                Qt.AlignmentFlag.AlignCenter,
                f"{index + 1}月",
            )
        if self.capacity is not None:
            y = int(plot.bottom() - plot.height() * self.capacity / top)
            painter.setPen(QPen(QColor("#b00020"), 1.5, Qt.PenStyle.DashLine))
            painter.drawLine(plot.left(), y, plot.right(), y)
            # left of the plot, where no bar stands, so it never covers a bar's figure
            painter.drawText(
                QRect(0, y - label_h, plot.left() - 2, label_h * 2),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"上限{self.capacity}",
            )
        painter.end()


class PlanPage(Page):
    """``PlanPage(session, bus, parent=None)``: 检查计划."""

    unit_activated = Signal(int)
    # what a plan is computed from (its own adoption is not among them)
    watched = GRADE_INPUTS | {Table.ASSESSMENTS}

    def __init__(self, session: core.Session, bus: DataBus, parent: QWidget | None = None):
        super().__init__(session, bus, parent)
        self.page_title = self.tr("检查计划")
        self.plan: Plan | None = None
        self.changes: PlanChanges | None = None  # a draft against the adopted plan
        self._adopted: Plan | None = None  # the adopted plan a draft was compared with
        self._stale = False
        self._opened = False  # the adopted plan is read when the page is first shown
        self.save_folder = SaveFolder()
        self.last_export: Path | None = None

        self.year = QSpinBox(self)
        self.year.setRange(2000, 2100)
        self.year.setValue(date.today().year)
        self.year.setSuffix(self.tr(" 年"))
        self.year.setKeyboardTracking(False)  # read a year once it is typed, not per digit
        self.capacity = QSpinBox(self)
        self.capacity.setRange(0, 1_000_000)
        self.capacity.setSpecialValueText(self.tr("不限"))
        self.capacity.setSuffix(self.tr(" 次/月"))
        self.capacity.setToolTip(self.tr("本局每月能完成的检查次数；0 表示不限，不做均衡"))
        self.compute_button = push_button(self, self.tr("编制计划"), self.compute)
        self.export_button = push_button(self, self.tr("导出计划…"), self._on_export)
        self.export_button.setEnabled(False)
        self.adopt_button = push_button(self, self.tr("采用计划…"), self.adopt)
        self.adopt_button.setEnabled(False)
        self.adopt_button.setToolTip(
            self.tr("把编制的计划采用为本年度的检查计划（审核员或管理员）")
        )
        self.show_adopted_button = push_button(
            self, self.tr("查看已采用的计划"), lambda: self.load_adopted()
        )
        self.show_adopted_button.setEnabled(False)

        controls = row_of(
            self.tr("计划年度"),
            self.year,
            self.tr("每月检查能力"),
            self.capacity,
            self.compute_button,
            self.adopt_button,
            self.show_adopted_button,
        )
        controls.addWidget(self.export_button)

        self.state = wrapping_label(self)
        self.changes_label = wrapping_label(self, style="color: #b36b00;")
        self.summary = wrapping_label(self, self.tr("选择年度后点“编制计划”。"))
        self.bars = MonthBars(self)
        self.cannot_fit_label = wrapping_label(self, style="color: #b00020;")

        self.status_filter = QComboBox(self)
        self.body_filter = QComboBox(self)
        self.town_filter = QComboBox(self)
        for combo in (self.status_filter, self.body_filter, self.town_filter):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.count_label = QLabel(self)
        filters = row_of(
            self.tr("状态"),
            self.status_filter,
            self.tr("执法主体"),
            self.body_filter,
            self.tr("乡镇"),
            self.town_filter,
        )
        filters.addWidget(self.count_label)

        self.model = PlanModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        # columns as wide as their texts, 单位名称 taking the rest; 备注 cut past its cap
        self.fitter = ColumnFitter(
            self.table, COLUMNS.index("单位名称"), widest={COLUMNS.index("备注"): REMARKS_WIDEST}
        )
        self.fitter.fit()  # no plan yet: the titles whole
        self.table.doubleClicked.connect(self._on_double_click)
        self.table.activated.connect(self._on_double_click)

        layout = QVBoxLayout(self)
        heading = QLabel(self.tr("年度执法检查计划"), self)
        heading.setStyleSheet("font-size: 18px; font-weight: bold;")
        layout.addWidget(heading)
        layout.addLayout(controls)
        layout.addWidget(self.state)
        layout.addWidget(self.changes_label)
        layout.addWidget(self.summary)
        layout.addWidget(self.bars)
        layout.addWidget(self.cannot_fit_label)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        self._fill_filters()
        self.year.valueChanged.connect(self._on_year_changed)

    # -- the adopted plan ------------------------------------------------------------------
    def refresh(self) -> None:
        """On first showing: the adopted plan of the latest adopted year from this year on
        (else this year's, if adopted). Later: an adopted plan shown is read again when
        the data changed meanwhile (its statuses)."""
        if not self._opened:
            self._opened = True
            this_year = date.today().year
            later = [y for y in self.session.schedule.adopted_years() if y >= this_year]
            if later and later[0] != self.year.value():
                self.year.setValue(later[0])  # reads it (valueChanged)
            else:
                self.load_adopted()
        elif self._stale and self.plan is not None and self.plan.adopted is not None:
            self.load_adopted()

    def _on_year_changed(self, _year: int) -> None:
        self.load_adopted()

    @operation
    def load_adopted(self) -> Plan | None:
        """Show the selected year's adopted plan; None (and an empty page) if it has none."""
        year = self.year.value()
        plan = self.session.schedule.adopted_plan(year)
        if plan is None:
            self.plan, self.changes, self._stale = None, None, False
            self.state.setStyleSheet("color: #555;")
            self.state.setText(
                self.tr(
                    "{year}年度尚未采用检查计划。点“编制计划”编制，核对后点“采用计划…”。"
                ).format(year=str(year))
            )
            self.changes_label.setText("")
            self.changes_label.setVisible(False)
            self.summary.setText("")
            self.bars.set_loads([0] * 12, None)
            self.cannot_fit_label.setText("")
            self.export_button.setEnabled(False)
            self._update_buttons()
            self._fill_filters()
            self.apply_filters()
            return None
        self.show_plan(plan)
        return plan

    def _update_buttons(self) -> None:
        draft = self.plan is not None and self.plan.adopted is None
        may_adopt = self.session.role in (Role.REVIEWER, Role.ADMIN)
        self.adopt_button.setEnabled(draft and not self._stale and may_adopt)
        if not may_adopt:
            self.adopt_button.setToolTip(self.tr("采用计划需要审核员或管理员"))
        self.show_adopted_button.setEnabled(draft and self.changes is not None)

    # -- computing -------------------------------------------------------------------------
    def on_changes(self, changes: Changes) -> None:
        if self.plan is None or self._stale:
            return
        self._stale = True
        if self.plan.adopted is not None:
            if self.isVisible():
                self.load_adopted()  # the adopted items stay; their statuses are read again
            return
        self.summary.setText(self.summary.text() + self.tr("（数据已变化，请重新编制计划）"))
        self._update_buttons()

    def selected_capacity(self) -> int | None:
        value = self.capacity.value()
        return value if value > 0 else None

    @operation
    def compute(self) -> None:
        year, capacity = self.year.value(), self.selected_capacity()
        plan = run_with_progress(
            self,
            self.tr("正在编制检查计划…"),
            lambda own, report: own.schedule.plan(year=year, capacity=capacity, progress=report),
            session=self.session,
        )
        self.show_plan(plan)

    def show_plan(self, plan: Plan) -> None:
        self.plan, self._stale = plan, False
        self.changes = None
        if plan.adopted is not None:
            self.capacity.setValue(plan.capacity or 0)  # 编制 again starts from its parameters
            self.state.setStyleSheet("color: #1b7a1b; font-weight: bold;")
            self.state.setText(
                self.tr("{year}年度已采用的检查计划（{describe}）").format(
                    year=str(plan.year), describe=plan.adopted.describe()
                )
            )
            self.changes_label.setText("")
            self.changes_label.setToolTip("")
        else:
            self._adopted = self.session.schedule.adopted_plan(plan.year, today=plan.today)
            self.changes = self.session.schedule.plan_changes(plan, adopted=self._adopted)
            self.state.setStyleSheet("color: #b36b00; font-weight: bold;")
            self.state.setText(
                self.tr("草稿：{year}年度计划尚未采用，核对后点“采用计划…”。").format(
                    year=str(plan.year)
                )
                if self.changes is None
                else self.tr("草稿：重新编制的{year}年度计划，尚未采用（原计划仍有效）。").format(
                    year=str(plan.year)
                )
            )
            self.changes_label.setText(self.changes.summary() if self.changes else "")
            self.changes_label.setToolTip("\n".join(self.changes.details()) if self.changes else "")
        self.changes_label.setVisible(bool(self.changes_label.text()))
        counts = plan.counts_by_grade()
        units = plan.units_by_grade()
        grades = "，".join(
            f"{g}级 {units.get(g, 0):,} 家 {n:,} 次" for g, n in counts.items() if n or units.get(g)
        )
        status = "，".join(f"{k} {v:,}" for k, v in plan.counts_by_status().items())
        capacity = self.tr("不限") if plan.capacity is None else f"{plan.capacity} 次/月"
        self.summary.setText(
            self.tr(
                "{year}年：{basis}；计划检查 {count} 次（{grades}）；{status}；"
                "每月检查能力：{capacity}"
            ).format(
                year=plan.year,
                basis=plan.basis,
                count=f"{len(plan.items):,}",
                grades=grades or self.tr("无"),
                status=status,
                capacity=capacity,
            )
        )
        self.bars.set_loads(plan.month_loads(), plan.capacity)
        unfit = plan.cannot_fit
        if unfit:
            windows: dict[str, int] = {}
            for item in unfit:
                windows[item.window_label] = windows.get(item.window_label, 0) + 1
            self.cannot_fit_label.setText(
                self.tr(
                    "无法安排 {count} 次（时段内每月都已达到检查能力）：{windows}。"
                    "在“状态”中选“无法安排”查看。"
                ).format(
                    count=f"{len(unfit):,}",
                    windows="，".join(f"{w} {n:,} 次" for w, n in windows.items()),
                )
            )
        else:
            self.cannot_fit_label.setText("")
        self.export_button.setEnabled(True)
        self._update_buttons()
        self._fill_filters()
        self.apply_filters()

    # -- adopting --------------------------------------------------------------------------
    def ask_adoption(self, text: str, details: str) -> bool:
        """Ask before adopting (tests replace this)."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("采用检查计划"))
        box.setText(text)
        if details:
            box.setDetailedText(details)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    @operation
    def adopt(self) -> Plan | None:
        """Adopt the draft shown, after saying what it is and what it changes."""
        plan = self.plan
        if plan is None or plan.adopted is not None:
            return None
        if self._stale:
            QMessageBox.warning(
                self, self.tr("检查计划"), self.tr("数据已变化，请重新编制计划后再采用。")
            )
            return None
        capacity = self.tr("不限") if plan.capacity is None else f"{plan.capacity} 次/月"
        units = plan.units_by_grade()
        grades = "，".join(
            f"{g}级 {units.get(g, 0):,} 家 {n:,} 次" for g, n in plan.counts_by_grade().items() if n
        )
        changes = self.changes
        text = self.tr(
            "采用后，本计划即为{year}年度检查计划，窗口、导出和打印都使用它。\n\n"
            "等级依据：{basis}\n每月检查能力：{capacity}\n计划检查：{count} 次（{grades}）\n"
            "无法安排：{unfit} 次\n\n{changes}确定采用吗？"
        ).format(
            year=plan.year,
            basis=plan.basis,
            capacity=capacity,
            count=f"{len(plan.items):,}",
            grades=grades or self.tr("无"),
            unfit=f"{len(plan.cannot_fit):,}",
            changes="" if changes is None else changes.summary() + "\n\n",
        )
        details = "\n".join(changes.details(limit=200)) if changes is not None else ""
        if not self.ask_adoption(text, details):
            return None
        adopted = self.session.schedule.adopt(plan, adopted=self._adopted)
        self.show_plan(adopted)
        self.bus.status_message.emit(self.tr("已采用{year}年度检查计划").format(year=plan.year))
        return adopted

    def _fill_filters(self) -> None:
        plan = self.plan
        choices = (
            (self.status_filter, [s.value for s in PlanStatus] + [CANNOT_FIT]),
            (self.body_filter, plan.bodies() if plan else []),
            (self.town_filter, plan.towns() if plan else []),
        )
        for combo, values in choices:
            current = combo.currentData()
            with QSignalBlocker(combo):
                refill(combo, self.tr("全部"), ALL, values)
                combo.setCurrentIndex(max(0, combo.findData(current)))

    def apply_filters(self) -> None:
        if self.plan is None:
            self.model.set_items([])
            self.count_label.setText("")
            return
        status = self.status_filter.currentData() or ALL
        body = self.body_filter.currentData() or ALL
        town = self.town_filter.currentData() or ALL
        items = [
            i
            for i in self.plan.items
            if (
                not status
                or (status == CANNOT_FIT and not i.fits)
                or (status != CANNOT_FIT and i.status == status)
            )
            and (not body or i.body == body)
            and (not town or i.town == town)
        ]
        self.model.set_items(items)
        self.fitter.fit()
        self.count_label.setText(self.tr("{count} 次").format(count=f"{len(items):,}"))

    def _on_double_click(self, index: QModelIndex) -> None:
        if index.isValid():
            self.unit_activated.emit(int(self.model.items[index.row()].unit_id))

    # -- export ----------------------------------------------------------------------------
    def _ask_path(self, suggested: str) -> Path | None:
        return self.save_folder.ask_workbook(self, self.tr("导出检查计划"), suggested)

    def _on_export(self) -> None:
        plan = self.plan
        if plan is None:
            return
        path = self._ask_path(f"{self.session.bureau_name}{plan.year}年年度执法检查计划.xlsx")
        if path is None:
            return
        self.export_to(path)

    @operation
    def export_to(self, path: Path) -> Path | None:
        plan = self.plan
        if plan is None:
            return None
        reuse = None if self._stale else plan
        draft = plan.adopted is None
        written = run_with_progress(
            self,
            self.tr("正在导出检查计划…"),
            lambda own, report: own.schedule.export_plan(
                path,
                year=plan.year,
                capacity=plan.capacity,
                plan=reuse,
                draft=draft,
                progress=report,
            ),
            session=self.session,
        )
        self.last_export = written
        self.bus.status_message.emit(self.tr("已导出 {path}").format(path=written))
        return written
