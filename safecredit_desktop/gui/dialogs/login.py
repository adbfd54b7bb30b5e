"""Log-in, and the one-time creation of an administrator for a CLI-made database."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.gui.dialogs import recovery_code


class LoginDialog(QDialog):
    """Signs in to ``path``; ``session`` is set on success. A wrong password keeps the name."""

    def __init__(
        self,
        path: Path,
        *,
        last_user: str = "",
        create_admin: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.path = path
        self.create_admin = create_admin
        self.session: core.Session | None = None
        self.setWindowTitle(self.tr("创建管理员") if create_admin else self.tr("登录"))
        self.setMinimumWidth(420)

        heading = QLabel(self)
        heading.setWordWrap(True)
        if create_admin:
            heading.setText(
                self.tr("此数据库（{path}）还没有管理员。请设置一位管理员后继续。").format(
                    path=path.name if isinstance(path, Path) else str(path)
                )
            )
        else:
            heading.setText(self.tr("数据库：{path}").format(path=str(path)))
        self.username = QLineEdit(self)
        self.username.setText(last_user)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit(self)
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #c00;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("用户名："), self.username)
        form.addRow(self.tr("密码："), self.password)
        if create_admin:
            form.addRow(self.tr("确认密码："), self.confirm)
        else:
            self.confirm.hide()
        self.buttons = QDialogButtonBox(self)
        self.buttons.addButton(
            self.tr("创建并登录") if create_admin else self.tr("登录"),
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.buttons.addButton(self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._connect_signals()
        (self.password if last_user else self.username).setFocus()

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self._on_sign_in)
        self.buttons.rejected.connect(self.reject)

    def _on_sign_in(self) -> None:
        name = self.username.text().strip()
        try:
            if self.create_admin:
                problem = recovery_code.password_problem(
                    self, self.password.text(), self.confirm.text()
                )
                if problem:
                    self.error.setText(problem)
                    return
                self.session = core.create_first_admin(self.path, name, self.password.text())
            else:
                self.session = core.sign_in(self.path, name, self.password.text())
        except SafeCreditError as exc:
            self.error.setText(exc.message)
            self.password.clear()
            self.password.setFocus()
            return
        code, self.session.recovery_code = self.session.recovery_code, None
        if code:
            recovery_code.show_recovery_code(self, self.session.user, code)
        self.accept()


class RestoreCredentialsDialog(QDialog):
    """An administrator's name and password before a damaged database is replaced by a
    backup: checked against the backup's own users (the damaged file cannot say)."""

    def __init__(self, path: Path, backup: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.backup = backup
        self.verified_user: str | None = None
        self.setWindowTitle(self.tr("恢复需要管理员"))
        self.setMinimumWidth(420)
        heading = QLabel(
            self.tr("用备份 {name} 恢复需要管理员的用户名和密码（按备份中的用户核对）。").format(
                name=backup.name
            ),
            self,
        )
        heading.setWordWrap(True)
        self.username = QLineEdit(self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #c00;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("管理员用户名："), self.username)
        form.addRow(self.tr("密码："), self.password)
        self.buttons = QDialogButtonBox(self)
        self.buttons.addButton(self.tr("恢复"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_accept)
        self.buttons.rejected.connect(self.reject)

    def _on_accept(self) -> None:
        try:
            self.verified_user = core.verify_restore_user(
                self.path, self.backup, self.username.text().strip(), self.password.text()
            )
        except SafeCreditError as exc:
            self.error.setText(exc.message)
            self.password.clear()
            return
        self.accept()
