"""Small pieces the workflow pages share: dates, text areas, label/value HTML, and the
dialog of one workflow step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


def iso(day: date | None) -> str:
    return day.isoformat() if day is not None else ""


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def exec_modal(dialog: QDialog) -> bool:
    """Run a dialog modally; True when it was accepted."""
    return dialog.exec() == QDialog.DialogCode.Accepted


def date_edit(parent: QWidget, day: date | None = None) -> QDateEdit:
    edit = QDateEdit(to_qdate(day or date.today()), parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def text_edit(parent: QWidget, placeholder: str = "", lines: int = 4) -> QPlainTextEdit:
    area = QPlainTextEdit(parent)
    area.setTabChangesFocus(True)
    area.setPlaceholderText(placeholder)
    area.setMinimumHeight(area.fontMetrics().lineSpacing() * lines + 14)
    return area


def html_rows(rows: list[tuple[str, str]]) -> str:
    """Label: value lines as a two-column HTML table (values already escaped)."""
    cells = "".join(
        f"<tr><td style='color:#555; padding-right:10px; white-space:nowrap;'>{escape(label)}</td>"
        f"<td>{value}</td></tr>"
        for label, value in rows
    )
    return f"<table cellspacing='0' cellpadding='2'>{cells}</table>"


def para(text: str) -> str:
    return escape(text).replace("\n", "<br>") if text else "<span style='color:#888;'>—</span>"


def ok_cancel(dialog: QDialog, ok_text: str = "") -> QDialogButtonBox:
    """确定 / 取消 buttons (in Chinese whatever Qt's own translation says)."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text or dialog.tr("确定"))
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(dialog.tr("取消"))
    return buttons


class StepDialog(QDialog):
    """One step of a workflow: a sentence, then optionally a date and a text.

    ``attempt(dialog)`` runs on 确定 and returns True when the step is done; the dialog
    closes only then, so a refusal (shown by ``attempt``) keeps what was typed.
    """

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        intro: str,
        *,
        date_label: str = "",
        day: date | None = None,
        latest: date | None = None,
        text_label: str = "",
        text: str = "",
        placeholder: str = "",
        ok_text: str = "",
        attempt: Callable[[StepDialog], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._attempt = attempt
        self.intro = QLabel(intro, self)
        self.intro.setWordWrap(True)
        self.intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        self.date_edit: QDateEdit | None = None
        self.text_edit: QPlainTextEdit | None = None
        if date_label:
            self.date_edit = date_edit(self, day)
            if latest is not None:
                self.date_edit.setMaximumDate(to_qdate(latest))
            form.addRow(date_label, self.date_edit)
        if text_label:
            self.text_edit = text_edit(self, placeholder)
            self.text_edit.setPlainText(text)
            form.addRow(text_label, self.text_edit)
        self.buttons = ok_cancel(self, ok_text)
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(520, 200 + (120 if text_label else 0))

    def day(self) -> date:
        return from_qdate(self.date_edit.date()) if self.date_edit is not None else date.today()

    def set_day(self, day: date) -> None:
        if self.date_edit is not None:
            self.date_edit.setDate(to_qdate(day))

    def text(self) -> str:
        return self.text_edit.toPlainText() if self.text_edit is not None else ""

    def set_text(self, text: str) -> None:
        if self.text_edit is not None:
            self.text_edit.setPlainText(text)

    def try_accept(self) -> bool:
        if self._attempt is None or self._attempt(self):
            self.accept()
            return True
        return False
