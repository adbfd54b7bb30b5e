"""设置 → 节假日: the administrator's holiday table for years the built-in calendar lacks,
filled by hand or from the State Council's notice pasted as text (粘贴通知)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.vocabulary import Changes, Table
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.scheduling.calendar import (
    HOLIDAY_KINDS,
    REST_DAY,
    HolidayRow,
    YearSource,
)
from safecredit_desktop.core.scheduling.holiday_notice import HolidayNotice
from safecredit_desktop.gui.blocks import Column, RowTable
from safecredit_desktop.gui.blocks.dialog_parts import (
    accept_button,
    accept_cancel,
    confirmed,
    push_button,
    row_of,
    wrapping_label,
)
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.operations import operation, publish

_WEEKDAYS = "一二三四五六日"
WORK_DAY_COLOUR = "#b36b00"


class NoticeDialog(QDialog):
    """粘贴通知: paste the notice's text, 读取 shows the days read, 保存 stores them."""

    def __init__(self, session: core.Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.notice: HolidayNotice | None = None
        self.saved = False
        self.setWindowTitle(self.tr("粘贴国务院办公厅节假日安排通知"))
        self.resize(760, 640)
        hint = wrapping_label(
            self,
            self.tr(
                "把《国务院办公厅关于某年部分节假日安排的通知》全文（含标题）粘贴到下面，"
                "点“读取”，核对读到的放假日和调休上班日后点“保存”。"
            ),
        )
        self.text = QPlainTextEdit(self)
        self.text.setPlaceholderText(
            self.tr(
                "国务院办公厅关于2027年部分节假日安排的通知\n……\n"
                "一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n……"
            )
        )
        self.read_button = push_button(self, self.tr("读取"), self.read)
        self.result = wrapping_label(self)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        def colour(row: HolidayRow) -> str | None:
            return None if row.kind == REST_DAY else WORK_DAY_COLOUR

        self.days: RowTable[HolidayRow] = RowTable(
            self,
            [
                Column(self.tr("日期"), lambda r: r.day.isoformat(), colour=colour),
                Column(
                    self.tr("星期"),
                    lambda r: self.tr("周{weekday}").format(weekday=_WEEKDAYS[r.day.weekday()]),
                    colour=colour,
                ),
                Column(
                    self.tr("安排"),
                    lambda r: self.tr("放假") if r.kind == REST_DAY else self.tr("调休上班"),
                    colour=colour,
                ),
                Column(self.tr("节日"), lambda r: r.name, colour=colour, stretch=True),
            ],
            lambda r: r.day,
        )
        self.buttons = accept_cancel(self, self.tr("保存到节假日表"), self.save)
        self.save_button = accept_button(self.buttons)
        self.save_button.setEnabled(False)
        if session.role is not Role.ADMIN:
            self.save_button.setToolTip(self.tr("只有管理员可以保存节假日安排"))
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.text, 2)
        row = QHBoxLayout()
        row.addWidget(self.read_button)
        row.addWidget(self.result, 1)
        layout.addLayout(row)
        layout.addWidget(self.days, 3)
        layout.addWidget(self.buttons)
        self.text.textChanged.connect(self._on_text_changed)

    def _on_text_changed(self) -> None:
        if self.notice is not None:
            self.notice = None
            self.save_button.setEnabled(False)
            self.result.setText(self.tr("通知已改动，请重新读取。"))

    def read(self) -> HolidayNotice | None:
        self.notice = None
        self.save_button.setEnabled(False)
        self.days.set_rows([])
        try:
            notice = core.read_holiday_notice(self.text.toPlainText())
        except SafeCreditError as exc:  # the notice's own sentence, next to the text
            self.result.setStyleSheet("color: #b00020;")
            self.result.setText(exc.message)
            return None
        self.notice = notice
        self.result.setStyleSheet("")
        self.result.setText(
            self.tr(
                "读到{year}年的安排（{holidays}）：放假 {rest} 天，调休上班 {work} 天。"
                "请逐日核对后保存。"
            ).format(
                year=notice.year,
                holidays="、".join(notice.holidays()),
                rest=len(notice.rest_days),
                work=len(notice.work_days),
            )
        )
        self.days.set_rows(list(notice.days))
        self.save_button.setEnabled(self.session.role is Role.ADMIN)
        return notice

    @operation
    def save(self) -> None:
        notice = self.notice
        if notice is None:
            return
        held = self.session.schedule.holidays(notice.year)
        if held and not confirmed(
            self,
            self.tr("替换节假日安排"),
            self.tr(
                "节假日表中已有{year}年的 {count} 天，保存后将按本通知替换。确定保存吗？"
            ).format(year=str(notice.year), count=str(len(held))),
            no_by_default=True,
        ):
            return
        done = self.session.schedule.import_holiday_notice(notice)
        self.saved = True
        self.result.setText(
            self.tr("已保存：新增 {added} 天，修改 {changed} 天，删除 {removed} 天。").format(
                added=str(done.added), changed=str(done.changed), removed=str(done.removed)
            )
        )
        self.accept()


class HolidaysTab(QWidget):
    """A year's rows of the holiday table, add/remove, and which source covers the year."""

    def __init__(self, session: core.Session, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.bus = bus
        self.page_title = self.tr("节假日")

        self.year = QSpinBox(self)
        self.year.setRange(2000, 2100)
        self.year.setValue(date.today().year)
        self.year.setSuffix(self.tr(" 年"))
        self.coverage = wrapping_label(self)

        self.builtin = False  # the year shown comes from the built-in calendar
        grey = lambda _row: "#808080" if self.builtin else None  # noqa: E731
        self.table: RowTable[HolidayRow] = RowTable(
            self,
            [
                Column(self.tr("日期"), lambda r: r.day.isoformat(), colour=grey),
                Column(self.tr("类型"), lambda r: r.kind, colour=grey),
                Column(self.tr("名称"), lambda r: r.name, colour=grey, stretch=True),
            ],
            lambda r: r.day,
        )

        self.day_edit = QLineEdit(self)
        self.day_edit.setPlaceholderText(self.tr("如 2026-10-01"))
        self.kind = QComboBox(self)
        self.kind.addItems(list(HOLIDAY_KINDS))
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText(self.tr("节日名称，如 国庆节"))
        self.add_button = push_button(self, self.tr("添加/修改"), self._on_add_clicked)
        self.remove_button = push_button(self, self.tr("删除所选"), self._on_remove_clicked)
        self.notice_button = push_button(self, self.tr("粘贴通知…"), self._on_paste_notice)
        self.notice_button.setToolTip(
            self.tr("粘贴国务院办公厅节假日安排通知的全文，一次读入全年的放假和调休上班日")
        )

        top = row_of(self.tr("年份："), self.year)
        top.addWidget(self.notice_button)
        entry = QHBoxLayout()
        entry.addWidget(QLabel(self.tr("日期："), self))
        entry.addWidget(self.day_edit)
        entry.addWidget(self.kind)
        entry.addWidget(self.name_edit, 1)
        entry.addWidget(self.add_button)
        entry.addWidget(self.remove_button)
        hint = wrapping_label(
            self,
            self.tr(
                "内置日历没有的年份，请点“粘贴通知…”读入国务院办公厅的节假日安排通知，"
                "或逐日填写该年全部放假日（休息日）和调休上班的周末（工作日）；"
                "其余日期按周一至周五上班计算。"
            ),
        )
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.coverage)
        layout.addWidget(self.table, 1)
        layout.addLayout(entry)
        layout.addWidget(hint)

        self._connect_signals()
        self.refresh()

    def _connect_signals(self) -> None:
        self.year.valueChanged.connect(lambda _year: self.refresh())
        self.bus.changed.connect(self._on_changes)

    def _on_changes(self, changes: Changes) -> None:
        if Table.HOLIDAYS in changes:
            self.refresh()

    def refresh(self) -> None:
        year = self.year.value()
        source, rows = self.session.schedule.holiday_arrangement(year)
        if source is YearSource.BUILTIN:
            text = self.tr(
                "{year}年：由程序的内置日历提供，无需填写；下表灰色为内置的安排，仅供查看。"
            )
        elif source is YearSource.TABLE:
            text = self.tr("{year}年：按本节假日表计算。")
        else:
            text = self.tr(
                "{year}年：内置日历和本表都没有该年的安排，按周一至周五计算，"
                "计算出的期限旁会显示提示。请补充该年的节假日。"
            )
        self.coverage.setText(text.format(year=year))
        # a built-in year's days are shown greyed, for reference; only table rows can change
        self.builtin = source is YearSource.BUILTIN
        self.table.set_rows(rows)
        self.remove_button.setEnabled(not self.builtin)

    def ask_notice(self) -> NoticeDialog:
        """The paste dialog, run modally (tests replace this to drive the dialog)."""
        dialog = NoticeDialog(self.session, self)
        dialog.exec()
        return dialog

    @operation
    def _on_paste_notice(self) -> None:
        dialog = self.ask_notice()
        if not dialog.saved or dialog.notice is None:
            return
        year = dialog.notice.year
        if self.year.minimum() <= year <= self.year.maximum():
            self.year.setValue(year)
        publish(self)
        self.bus.status_message.emit(
            self.tr("已按通知保存{year}年节假日安排").format(year=str(year))
        )

    @operation
    def _on_add_clicked(self) -> None:
        text = self.day_edit.text().strip()
        self.session.schedule.set_holiday(text, self.kind.currentText(), self.name_edit.text())
        self.day_edit.clear()
        self.name_edit.clear()
        year = int(text[:4]) if text[:4].isdigit() else self.year.value()
        if year != self.year.value() and self.year.minimum() <= year <= self.year.maximum():
            self.year.setValue(year)

    @operation
    def _on_remove_clicked(self) -> None:
        row = self.table.selected()
        if row is None:
            QMessageBox.warning(self, self.tr("节假日"), self.tr("请先在表中选择要删除的日期。"))
            return
        self.session.schedule.remove_holiday(row.day)
