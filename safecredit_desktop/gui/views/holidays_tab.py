"""设置 → 节假日: the administrator's holiday table for years the built-in calendar lacks."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import services
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.scheduling.calendar import HOLIDAY_KINDS, YearSource
from safecredit_desktop.gui.bus import DataBus


class HolidaysTab(QWidget):
    """A year's rows of the holiday table, add/remove, and which source covers the year."""

    def __init__(
        self, session: services.Session, bus: DataBus, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.bus = bus

        self.year = QSpinBox(self)
        self.year.setRange(2000, 2100)
        self.year.setValue(date.today().year)
        self.year.setSuffix(self.tr(" 年"))
        self.coverage = QLabel(self)
        self.coverage.setWordWrap(True)

        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels([self.tr("日期"), self.tr("类型"), self.tr("名称")])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)

        self.day_edit = QLineEdit(self)
        self.day_edit.setPlaceholderText("YYYY-MM-DD")
        self.kind = QComboBox(self)
        self.kind.addItems(list(HOLIDAY_KINDS))
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText(self.tr("名称，如 国庆节、国庆节调休上班"))
        self.add_button = QPushButton(self.tr("添加/修改"), self)
        self.remove_button = QPushButton(self.tr("删除所选"), self)

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("年份："), self))
        top.addWidget(self.year)
        top.addStretch(1)
        entry = QHBoxLayout()
        entry.addWidget(QLabel(self.tr("日期："), self))
        entry.addWidget(self.day_edit)
        entry.addWidget(self.kind)
        entry.addWidget(self.name_edit, 1)
        entry.addWidget(self.add_button)
        entry.addWidget(self.remove_button)
        hint = QLabel(
            self.tr(
                "内置日历没有的年份，请按国务院办公厅通知填写该年全部放假日（休息日）"
                "和调休上班的周末（工作日）；其余日期按周一至周五上班计算。"
            ),
            self,
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.coverage)
        layout.addWidget(self.table, 1)
        layout.addLayout(entry)
        layout.addWidget(hint)

        self.year.valueChanged.connect(self.refresh)
        self.add_button.clicked.connect(self._add)
        self.remove_button.clicked.connect(self._remove)
        self.bus.data_changed.connect(self._on_data_changed)
        self.refresh()

    def _on_data_changed(self, table: str) -> None:
        if table in ("holidays", "*"):
            self.refresh()

    def refresh(self) -> None:
        year = self.year.value()
        source = services.working_calendar(self.session).year_source(year)
        if source is YearSource.BUILTIN:
            text = self.tr("%1年：由内置日历（chinesecalendar）提供，无需填写。")
        elif source is YearSource.TABLE:
            text = self.tr("%1年：按本节假日表计算。")
        else:
            text = self.tr(
                "%1年：内置日历和本表都没有该年的安排，按周一至周五计算，"
                "计算出的期限旁会显示提示。请补充该年的节假日。"
            )
        self.coverage.setText(text.replace("%1", str(year)))
        rows = services.holidays_of(self.session, year)
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for j, value in enumerate((row.day.isoformat(), row.kind, row.name)):
                self.table.setItem(i, j, QTableWidgetItem(value))

    def _add(self) -> None:
        text = self.day_edit.text().strip()
        try:
            services.set_holiday(self.session, text, self.kind.currentText(), self.name_edit.text())
        except SafeCreditError as exc:
            QMessageBox.warning(self, self.tr("节假日"), exc.message)
            return
        self.day_edit.clear()
        self.name_edit.clear()
        year = int(text[:4]) if text[:4].isdigit() else self.year.value()
        if year != self.year.value() and self.year.minimum() <= year <= self.year.maximum():
            self.year.setValue(year)
        self.bus.data_changed.emit("holidays")

    def _remove(self) -> None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        if item is None:
            QMessageBox.warning(self, self.tr("节假日"), self.tr("请先在表中选择要删除的日期。"))
            return
        try:
            services.remove_holiday(self.session, item.text())
        except SafeCreditError as exc:
            QMessageBox.warning(self, self.tr("节假日"), exc.message)
            return
        self.bus.data_changed.emit("holidays")
