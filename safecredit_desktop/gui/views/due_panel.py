"""检查到期提醒 for the 首页: overdue units and those due within 30 days, grouped by town
or by enforcement body; double-clicking a unit emits ``unit_activated(unit_id)``.

The list comes from ``schedule.due`` (live grades as of today, so computing it
grades every unit: it runs in a worker with a progress dialog that appears only when
it takes longer than a moment). Each group shows its most overdue units first, at most
``MAX_PER_GROUP`` of them, and says how many more there are.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.scheduling.due import DueItem, DueList
from safecredit_desktop.gui.blocks import ColumnFitter
from safecredit_desktop.gui.blocks.dialog_parts import push_button
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.operations import operation
from safecredit_desktop.gui.workers import run_with_progress

MAX_PER_GROUP = 200
UNIT_ROLE = Qt.ItemDataRole.UserRole + 1
OVERDUE_COLOUR = QColor("#b00020")


class DuePanel(QWidget):
    """``DuePanel(session, bus=None, parent=None)``; ``refresh()`` recomputes as of today
    (or ``refresh(as_of)``); ``show_list(due_list)`` shows a list computed elsewhere."""

    unit_activated = Signal(int)

    def __init__(
        self,
        session: core.Session,
        bus: DataBus | None = None,
        parent: QWidget | None = None,
        *,
        within_days: int = 30,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.bus = bus
        self.within_days = within_days
        self.due: DueList | None = None
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.group_by = QComboBox(self)
        self.group_by.addItem(self.tr("按乡镇"), "town")
        self.group_by.addItem(self.tr("按执法主体"), "body")
        self.group_by.currentIndexChanged.connect(lambda _i: self._fill())
        self.refresh_button = push_button(self, self.tr("重新计算"), lambda: self.refresh())
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(
            [
                self.tr("单位名称"),
                self.tr("统一社会信用代码"),
                self.tr("等级"),
                self.tr("上次检查"),
                self.tr("到期日"),
                self.tr("情况"),
                self.tr("执法主体"),
            ]
        )
        self.tree.setUniformRowHeights(True)
        # every column as wide as its longest cell (collapsed groups' rows too); the
        # unit's name takes what is left
        self.fitter = ColumnFitter(self.tree, 0)
        self.tree.itemActivated.connect(self._on_double_click)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.group_by)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)

    @operation(title="检查到期提醒")
    def refresh(self, as_of: date | None = None) -> None:
        """Recompute the list (in a worker) and show it."""
        day = as_of or date.today()
        within = self.within_days
        listed = run_with_progress(
            self,
            self.tr("正在计算检查到期…"),
            lambda own, report: own.schedule.due(as_of=day, within_days=within, progress=report),
            session=self.session,
        )
        self.show_list(listed)

    def show_list(self, listed: DueList) -> None:
        self.due = listed
        self.summary.setText(
            self.tr(
                "截至{as_of}：逾期未检查 <b>{overdue}</b> 家，{days}天内到期 <b>{upcoming}</b> 家"
            ).format(
                as_of=listed.as_of.isoformat(),
                overdue=f"{len(listed.overdue):,}",
                days=listed.within_days,
                upcoming=f"{len(listed.upcoming):,}",
            )
        )
        self._fill()

    def _fill(self) -> None:
        self.tree.clear()
        if self.due is None:
            return
        by_body = self.group_by.currentData() == "body"
        groups = self.due.by_body() if by_body else self.due.by_town()
        header = self.tree.headerItem()
        header.setText(6, self.tr("所在乡镇") if by_body else self.tr("执法主体"))
        tops = []
        for name, items in groups.items():
            overdue = sum(1 for i in items if i.overdue)
            top = QTreeWidgetItem(
                [
                    self.tr("{name}（逾期 {overdue} 家，即将到期 {count} 家）").format(
                        name=name, overdue=str(overdue), count=str(len(items) - overdue)
                    )
                ]
            )
            top.setFirstColumnSpanned(True)
            for item in items[:MAX_PER_GROUP]:
                top.addChild(self._row(item, by_body))
            if len(items) > MAX_PER_GROUP:
                more = QTreeWidgetItem(
                    [self.tr("……另有 {count} 家").format(count=f"{len(items) - MAX_PER_GROUP:,}")]
                )
                top.addChild(more)
            tops.append(top)
        self.tree.addTopLevelItems(tops)
        if len(tops) <= 3:
            self.tree.expandAll()
        self.fitter.fit()

    def _row(self, item: DueItem, by_body: bool) -> QTreeWidgetItem:
        situation = item.describe()
        if item.follow_up:
            situation += self.tr("（停产整顿，复查）")
        row = QTreeWidgetItem(
            [
                item.name,
                item.uscc,
                item.grade,
                item.last_inspection.isoformat() if item.last_inspection else "",
                item.due_on.isoformat() if item.due_on else self.tr("立即"),
                situation,
                item.town if by_body else item.body,
            ]
        )
        row.setData(0, UNIT_ROLE, item.unit_id)
        if item.overdue:
            row.setForeground(5, QBrush(OVERDUE_COLOUR))
        return row

    def _on_double_click(self, row: QTreeWidgetItem, _column: int = 0) -> None:
        unit_id = row.data(0, UNIT_ROLE)
        if unit_id is not None:
            self.unit_activated.emit(int(unit_id))
