"""Log-in, and the one-time creation of an administrator for a CLI-made database."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.gui.blocks.dialog_parts import (
    accept_cancel,
    error_label,
    password_edit,
    vbox,
)
from safecredit_desktop.gui.dialogs import recovery_code


class CredentialsDialog(QDialog):
    """A heading, a user name and a password, the line for a refusal, and the accept
    button (which runs ``_on_accept``) beside 取消."""

    def __init__(
        self, parent: QWidget | None, *, title: str, heading: str, who: str, accept_text: str
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self.heading = QLabel(heading, self)
        self.heading.setWordWrap(True)
        self.username = QLineEdit(self)
        self.password = password_edit(self)
        self.error = error_label(self)
        self.form = QFormLayout()
        self.form.addRow(who, self.username)
        self.form.addRow(self.tr("密码："), self.password)
        self.buttons = accept_cancel(self, accept_text, self._on_accept)
        vbox(self, self.heading, self.form, self.error, self.buttons)

    def _on_accept(self) -> None:
        raise NotImplementedError


class LoginDialog(CredentialsDialog):
    """Signs in to ``path``; ``session`` is set on success. A wrong password keeps the name."""

    def __init__(
        self,
        path: Path,
        *,
        last_user: str = "",
        create_admin: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        if create_admin:
            heading = self.tr("此数据库（{path}）还没有管理员。请设置一位管理员后继续。").format(
                path=path.name if isinstance(path, Path) else str(path)
            )
        else:
            heading = self.tr("数据库：{path}").format(path=str(path))
        super().__init__(
            parent,
            title=self.tr("创建管理员") if create_admin else self.tr("登录"),
            heading=heading,
            who=self.tr("用户名："),
            accept_text=self.tr("创建并登录") if create_admin else self.tr("登录"),
        )
        self.path = path
        self.create_admin = create_admin
        self.session: core.Session | None = None
        self.username.setText(last_user)
        self.confirm = password_edit(self)
        if create_admin:
            self.form.addRow(self.tr("确认密码："), self.confirm)
            QWidget.setTabOrder(self.password, self.confirm)
        else:
            self.confirm.hide()
        (self.password if last_user else self.username).setFocus()

    def _on_accept(self) -> None:
        self._on_sign_in()

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


class RestoreCredentialsDialog(CredentialsDialog):
    """An administrator's name and password before a damaged database is replaced by a
    backup: checked against the backup's own users (the damaged file cannot say)."""

    def __init__(self, path: Path, backup: Path, parent: QWidget | None = None) -> None:
        super().__init__(
            parent,
            title=self.tr("恢复需要管理员"),
            heading=self.tr(
                "用备份 {name} 恢复需要管理员的用户名和密码（按备份中的用户核对）。"
            ).format(name=backup.name),
            who=self.tr("管理员用户名："),
            accept_text=self.tr("恢复"),
        )
        self.path = path
        self.backup = backup
        self.verified_user: str | None = None

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
