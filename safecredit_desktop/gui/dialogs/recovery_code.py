"""An administrator's recovery code, shown once, and the password typed twice."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from safecredit_desktop.core import auth
from safecredit_desktop.gui.blocks.dialog_parts import (
    accept_cancel,
    error_label,
    password_edit,
    vbox,
)


class RecoveryCodeDialog(QDialog):
    """The code in large letters, what it is for, and 确定 only once the user says it is
    written down (it is never shown again; only its hash is stored)."""

    def __init__(self, username: str, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("管理员恢复码"))
        self.setMinimumWidth(520)
        intro = QLabel(
            self.tr(
                "这是管理员“{username}”的恢复码。忘记密码时，可用它重设密码"
                "（命令行：safecredit users recover --code 恢复码 {username}）。"
            ).format(username=username),
            self,
        )
        intro.setWordWrap(True)
        self.code = QLabel(code, self)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(20)
        font.setBold(True)
        self.code.setFont(font)
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code.setStyleSheet("padding: 12px; border: 1px solid #999; background: #fff;")
        warning = QLabel(
            self.tr(
                "恢复码只显示这一次，程序不保存它的原文。请现在抄写在纸上，与电脑分开妥善保存，"
                "不要拍照或存在这台电脑上。用恢复码重设密码会记入审计日志，并在每次打开时提示，"
                "直到管理员确认知悉（另有管理员时须由另一位确认）。"
            ),
            self,
        )
        warning.setWordWrap(True)
        warning.setStyleSheet("color: #a40;")
        self.written = QCheckBox(self.tr("我已抄写并妥善保存恢复码"), self)
        self.buttons = QDialogButtonBox(self)
        self.ok_button = QPushButton(self.tr("确定"), self)
        self.ok_button.setEnabled(False)
        self.buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        vbox(self, intro, self.code, warning, self.written, self.buttons)
        self.written.toggled.connect(self.ok_button.setEnabled)
        self.buttons.accepted.connect(self.accept)

    def reject(self) -> None:
        """Escape and the close button do nothing until the code is written down."""
        if self.written.isChecked():
            super().reject()


def show_recovery_code(parent: QWidget | None, username: str, code: str) -> None:
    RecoveryCodeDialog(username, code, parent).exec()


class NewPasswordDialog(QDialog):
    """A new password, typed twice (at least auth.MIN_PASSWORD_LENGTH characters)."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(380)
        label = QLabel(prompt, self)
        label.setWordWrap(True)
        self.password = password_edit(self)
        self.confirm = password_edit(self)
        self.error = error_label(self)
        form = QFormLayout()
        form.addRow(self.tr("新密码："), self.password)
        form.addRow(self.tr("确认密码："), self.confirm)
        hint = QLabel(
            self.tr("至少 {auth} 个字符。").format(auth=str(auth.MIN_PASSWORD_LENGTH)), self
        )
        hint.setStyleSheet("color: #555;")
        self.buttons = accept_cancel(self, self.tr("确定"), self._on_accept)
        vbox(self, label, form, hint, self.error, self.buttons)

    def problem(self) -> str | None:
        return password_problem(self, self.password.text(), self.confirm.text())

    def _on_accept(self) -> None:
        problem = self.problem()
        if problem:
            self.error.setText(problem)
            return
        self.accept()


def password_problem(widget: QWidget, password: str, confirm: str) -> str | None:
    """The sentence for a new password typed twice, or None when it is acceptable."""
    if password != confirm:
        return widget.tr("两次输入的密码不一致。")
    if len(password) < auth.MIN_PASSWORD_LENGTH:
        return widget.tr("密码至少需要 {auth} 个字符。").format(auth=str(auth.MIN_PASSWORD_LENGTH))
    return None
