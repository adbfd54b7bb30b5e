"""Tracked deadlines for the home page: grouped by kind, double-click opens the unit."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.vocabulary import GRADE_INPUTS, Changes, Table
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.scheduling.deadlines import KINDS, Deadline
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.workers import run_with_progress

# what the deadlines are computed from (publicity, rectification, permits, periods)
WATCHED = GRADE_INPUTS | {Table.PERMITS}

UNIT_ROLE = Qt.ItemDataRole.UserRole
ESTIMATED_MARK = "※"
# rows shown per kind, the soonest first: at 100,000 units a kind can hold tens of
# thousands, which no one reads on a home page and which took seconds to build
ROWS_PER_KIND = 200


class DeadlinesPanel(QWidget):
    """A compact tree: one group per kind with its count, one row per deadline."""

    unit_activated = Signal(int)

    def __init__(
        self,
        session: core.Session,
        bus: DataBus | None = None,
        parent: QWidget | None = None,
        *,
        as_of: date | None = None,
        load_now: bool = True,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._as_of = as_of
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(self.tr("待办期限"))
        self.title.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.title)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self.tree.itemDoubleClicked.connect(self._activated)
        layout.addWidget(self.tree)
        self.note = QLabel(self.tr("双击一行打开该企业。"))
        self.note.setStyleSheet("color: gray;")
        layout.addWidget(self.note)
        if bus is not None:
            bus.changed.connect(self._on_changes)
        if load_now:
            self.refresh()

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(WATCHED):
            self.refresh()

    def refresh(self) -> None:
        as_of = self._as_of
        try:
            items = run_with_progress(
                self,
                self.tr("正在计算各项期限…"),
                lambda own, _report: own.schedule.deadlines(as_of=as_of),
                session=self._session,
            )
        except SafeCreditError as exc:  # said in the panel, where the list would be
            self.note.setText(exc.message)
            return
        self.tree.clear()
        groups: dict[str, list[Deadline]] = {}
        for d in items:
            groups.setdefault(d.kind, []).append(d)
        order = {k: i for i, k in enumerate(KINDS)}
        for kind in sorted(groups, key=lambda k: order.get(k, len(order))):
            rows = sorted(groups[kind], key=lambda d: d.due_on)
            top = QTreeWidgetItem([f"{kind}（{len(rows)}）"])
            self.tree.addTopLevelItem(top)
            for d in rows[:ROWS_PER_KIND]:
                mark = ESTIMATED_MARK if d.estimated else ""
                row = QTreeWidgetItem([f"{d.due_on.isoformat()}{mark} · {d.name} · {d.detail}"])
                row.setData(0, UNIT_ROLE, d.unit_id)
                tip = f"{d.uscc}　{d.name}\n{d.detail}"
                if d.estimated and d.warning:
                    tip += f"\n{ESTIMATED_MARK} {d.warning}"
                row.setToolTip(0, tip)
                top.addChild(row)
            if len(rows) > ROWS_PER_KIND:
                more = self.tr("……另有 {count} 条，期限较晚，未列出").format(
                    count=len(rows) - ROWS_PER_KIND
                )
                top.addChild(QTreeWidgetItem([more]))
            top.setExpanded(True)
        if not items:
            self.tree.addTopLevelItem(QTreeWidgetItem([self.tr("暂无需要关注的期限")]))
        self.title.setText(self.tr("待办期限（{count}）").format(count=len(items)))

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        unit_id = item.data(0, UNIT_ROLE)
        if unit_id is not None:
            self.unit_activated.emit(int(unit_id))
