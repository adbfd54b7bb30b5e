"""Small pieces the window's dialogs and tabs share: a password field, the red line
where a dialog says what it refused, the accept/取消 buttons, a column or row of
widgets, and the loop that keeps a dialog open until what it holds is saved."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from PySide6.QtWidgets import (
    QAbstractButton,
    QBoxLayout,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core.errors import SafeCreditError

T = TypeVar("T")


def password_edit(parent: QWidget) -> QLineEdit:
    """A line edit that shows dots for what is typed."""
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def wrapping_label(parent: QWidget, text: str = "", style: str = "") -> QLabel:
    """A label whose text wraps at the width it is given, in ``style`` if any."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    if style:
        label.setStyleSheet(style)
    return label


def error_label(parent: QWidget) -> QLabel:
    """Where a dialog says what it refused: red, wrapping, empty until then."""
    return wrapping_label(parent, style="color: #c00;")


def push_button(
    parent: QWidget, text: str, on_click: Callable[[], object], tip: str = ""
) -> QPushButton:
    """A button that runs ``on_click``, with ``tip`` as its tooltip."""
    button = QPushButton(text, parent)
    if tip:
        button.setToolTip(tip)
    button.clicked.connect(on_click)
    return button


def accept_cancel(
    dialog: QDialog, accept_text: str, on_accept: Callable[[], object] | None = None
) -> QDialogButtonBox:
    """The dialog's accept button (named ``accept_text``) and 取消; 取消 rejects, the
    accept button runs ``on_accept`` (by default the dialog closes accepted)."""
    buttons = QDialogButtonBox(dialog)
    buttons.addButton(accept_text, QDialogButtonBox.ButtonRole.AcceptRole)
    buttons.addButton(dialog.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
    buttons.accepted.connect(on_accept or dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def accept_button(buttons: QDialogButtonBox) -> QAbstractButton:
    """The accept button of a box made by ``accept_cancel``."""
    return next(
        button
        for button in buttons.buttons()
        if buttons.buttonRole(button) == QDialogButtonBox.ButtonRole.AcceptRole
    )


def add_parts(layout: QBoxLayout, parts: Iterable[QWidget | QLayout]) -> QBoxLayout:
    """``layout`` with each widget or layout of ``parts`` added in order."""
    for part in parts:
        if isinstance(part, QLayout):
            layout.addLayout(part)
        else:
            layout.addWidget(part)
    return layout


def vbox(owner: QWidget, *parts: QWidget | QLayout) -> QBoxLayout:
    """``owner``'s layout: ``parts`` one below the other."""
    return add_parts(QVBoxLayout(owner), parts)


def row_of(*parts: QWidget | str) -> QHBoxLayout:
    """Widgets side by side from the left (a text is a label of its own, given to the
    widget the row is laid out in), then the row's empty rest (a caller may add more
    after it, at the right edge)."""
    row = QHBoxLayout()
    add_parts(row, (QLabel(part) if isinstance(part, str) else part for part in parts))
    row.addStretch(1)
    return row


def confirmed(
    parent: QWidget | None, title: str, text: str, *, no_by_default: bool = False
) -> bool:
    """The user's 是 to a question (否 is the default button when ``no_by_default``: for
    a question whose 是 loses or replaces something typed or stored)."""
    buttons = QMessageBox.StandardButton
    default = buttons.No if no_by_default else buttons.NoButton
    return (
        QMessageBox.question(parent, title, text, buttons.Yes | buttons.No, default) == buttons.Yes
    )


def show_refusal(parent: QWidget, exc: SafeCreditError) -> None:
    """The core's sentence for what it refused, in a warning titled 无法完成."""
    QMessageBox.warning(parent, parent.tr("无法完成"), exc.message)


class RefusingDialog(Protocol):
    error: QLabel

    def exec(self) -> int: ...


def exec_until_saved(dialog: RefusingDialog, save: Callable[[], T]) -> tuple[T] | None:
    """Show ``dialog`` until ``save`` succeeds (its result, in a 1-tuple) or the user
    cancels (None); a refusal shows its sentence on ``dialog.error`` and keeps what was
    typed."""
    while dialog.exec() == QDialog.DialogCode.Accepted:
        try:
            return (save(),)
        except SafeCreditError as exc:
            dialog.error.setText(exc.message)
    return None
