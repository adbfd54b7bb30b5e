"""首页: the bureau at a glance. Due and overdue inspections arrive with scheduling."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.vocabulary import GRADE_INPUTS, Changes, Table
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.pages import Page
from safecredit_desktop.gui.views.deadlines_panel import DeadlinesPanel
from safecredit_desktop.gui.views.due_panel import DuePanel


class HomePage(Page):
    # the counts, the due list (grades) and the deadlines; read again only when on show
    watched = GRADE_INPUTS | {Table.PERMITS, Table.PLAN_ADOPTIONS}

    def __init__(self, session: core.Session, bus: DataBus, parent: QWidget | None = None):
        super().__init__(session, bus, parent)
        self.page_title = self.tr("首页")
        self.heading = QLabel(self)
        self.heading.setStyleSheet("font-size: 20px; font-weight: bold;")
        self.subheading = QLabel(self)
        self.subheading.setWordWrap(True)
        self.units_box = QGroupBox(self.tr("企业台账"), self)
        self.units_grid = QGridLayout(self.units_box)
        self.records_box = QGroupBox(self.tr("已录入记录"), self)
        self.records_grid = QGridLayout(self.records_box)
        self.due_box = QGroupBox(self.tr("检查到期提醒（逾期和30天内到期）"), self)
        due_layout = QVBoxLayout(self.due_box)
        self.due_panel = DuePanel(session, bus, self.due_box)
        due_layout.addWidget(self.due_panel)
        self.deadlines_box = QGroupBox(self.tr("其他期限（双公示、整改、许可证、管理期）"), self)
        deadlines_layout = QVBoxLayout(self.deadlines_box)
        # filled by refresh, when the page is first shown (not while the window is built)
        self.deadlines_panel = DeadlinesPanel(session, None, self.deadlines_box, load_now=False)
        deadlines_layout.addWidget(self.deadlines_panel)
        self.backup_label = QLabel(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.subheading)
        layout.addWidget(self.units_box)
        layout.addWidget(self.records_box)
        layout.addWidget(self.due_box, 1)
        layout.addWidget(self.deadlines_box, 1)
        layout.addWidget(self.backup_label)

    def on_changes(self, changes: Changes) -> None:
        if self.isVisible():  # else the window refreshes it when it is chosen
            self.refresh()

    @staticmethod
    def _fill(grid: QGridLayout, values: dict[str, int], parent: QWidget) -> None:
        while grid.count():
            item = grid.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()
        for index, (label, count) in enumerate(values.items()):
            row, column = divmod(index, 4)
            grid.addWidget(QLabel(f"{label}：<b>{count:,}</b>", parent), row, column)

    def refresh(self) -> None:
        summary = self.session.schedule.home_summary()
        self.heading.setText(summary.bureau_name)
        self.subheading.setText(
            self.tr("信用规则：{profile_title}").format(profile_title=summary.profile_title)
        )
        total = sum(summary.units_by_status.values())
        units = {self.tr("企业总数"): total, **summary.units_by_status}
        self._fill(self.units_grid, units, self.units_box)
        self._fill(self.records_grid, summary.records, self.records_box)
        self.backup_label.setText(
            self.tr("上次备份：{last_backup}").format(
                last_backup=summary.last_backup or self.tr("尚无备份")
            )
        )
        self.due_panel.refresh()
        self.deadlines_panel.refresh()
