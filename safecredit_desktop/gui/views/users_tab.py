"""设置 → 用户与权限: users, their roles (a set), passwords, deactivation (管理员)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableWidgetItem,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.vocabulary import ROLE_ORDER, User
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.gui.blocks.dialog_parts import (
    accept_cancel,
    confirmed,
    error_label,
    exec_until_saved,
    password_edit,
    push_button,
    row_of,
    show_refusal,
    vbox,
    wrapping_label,
)
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.dialogs.recovery_code import (
    NewPasswordDialog,
    password_problem,
    show_recovery_code,
)
from safecredit_desktop.gui.operations import publish
from safecredit_desktop.gui.widgets import readonly_table


def roles_label(roles: frozenset[Role]) -> str:
    return "、".join(r.value for r in ROLE_ORDER if r in roles)


class RoleChoice(QWidget):
    """One check box per role; a user may hold several (管理员 and 审核员)."""

    def __init__(self, chosen: frozenset[Role], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[Role, QCheckBox] = {}
        for role in ROLE_ORDER:
            box = QCheckBox(role.value, self)
            box.setChecked(role in chosen)
            layout.addWidget(box)
            self.boxes[role] = box
        layout.addStretch(1)

    def roles(self) -> frozenset[Role]:
        return frozenset(r for r, box in self.boxes.items() if box.isChecked())


class NewUserDialog(QDialog):
    """A new user: name, 姓名, roles and the first password typed twice."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("添加用户"))
        self.setMinimumWidth(420)
        self.username = QLineEdit(self)
        self.display_name = QLineEdit(self)
        self.roles = RoleChoice(frozenset({Role.CLERK}), self)
        self.password = password_edit(self)
        self.confirm = password_edit(self)
        self.error = error_label(self)
        form = QFormLayout(self)
        form.addRow(self.tr("用户名："), self.username)
        form.addRow(self.tr("姓名："), self.display_name)
        form.addRow(self.tr("角色："), self.roles)
        form.addRow(self.tr("初始密码："), self.password)
        form.addRow(self.tr("确认密码："), self.confirm)
        form.addRow(self.error)
        self.buttons = accept_cancel(self, self.tr("添加"), self._on_accept)
        form.addRow(self.buttons)

    def _on_accept(self) -> None:
        problem = password_problem(self, self.password.text(), self.confirm.text())
        if not self.username.text().strip():
            problem = self.tr("请填写用户名。")
        elif not self.roles.roles():
            problem = self.tr("请至少选择一个角色。")
        if problem:
            self.error.setText(problem)
            return
        self.accept()


class RolesDialog(QDialog):
    def __init__(self, username: str, roles: frozenset[Role], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("更改角色"))
        label = QLabel(self.tr("用户 {username} 的角色：").format(username=username), self)
        self.roles = RoleChoice(roles, self)
        vbox(self, label, self.roles, accept_cancel(self, self.tr("确定")))


class NameDialog(QDialog):
    """A user's 姓名: shown in the status bar and on documents instead of the login."""

    def __init__(self, username: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("修改姓名"))
        self.setMinimumWidth(360)
        self.name = QLineEdit(name, self)
        self.error = error_label(self)
        form = QFormLayout(self)
        form.addRow(self.tr("用户名："), QLabel(username, self))
        form.addRow(self.tr("姓名："), self.name)
        form.addRow(self.error)
        form.addRow(accept_cancel(self, self.tr("确定")))


class UsersTab(QWidget):
    """The user list and the administrator's actions on it; every refusal (not an
    administrator, the last administrator, a short password) is the core's sentence."""

    def __init__(self, session: core.Session, bus: DataBus, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.bus = bus
        self.users: list[User] = []
        self.table = readonly_table(
            self, [self.tr("用户名"), self.tr("姓名"), self.tr("角色"), self.tr("状态")]
        )
        self.add_button = push_button(self, self.tr("添加用户…"), self._on_add_user)
        self.reset_button = push_button(self, self.tr("重设密码…"), self._on_reset_password)
        self.roles_button = push_button(self, self.tr("更改角色…"), self._on_change_roles)
        self.name_button = push_button(self, self.tr("修改姓名…"), self._on_change_name)
        self.active_button = push_button(self, self.tr("停用"), self._on_toggle_active)
        note = wrapping_label(
            self,
            self.tr(
                "管理员：用户、设置、恢复；审核员：确认评级、审批信用修复、处理异议、审核名单、"
                "导入信用修复和执法人员；录入员：录入记录。一位用户可兼有多个角色。"
                "停用的用户不能登录；唯一在用的管理员不能停用或取消管理员角色。"
            ),
        )
        buttons = (
            self.add_button,
            self.reset_button,
            self.roles_button,
            self.name_button,
            self.active_button,
        )
        vbox(self, note, self.table, row_of(*buttons))
        self.table.itemSelectionChanged.connect(self._on_selection)

    # -- showing ------------------------------------------------------------------------
    def refresh(self) -> None:
        self.users = self.session.accounts.users()
        self.table.setRowCount(len(self.users))
        for row, user in enumerate(self.users):
            values = (
                user.username,
                user.display_name,
                roles_label(user.roles),
                self.tr("在用") if user.active else self.tr("停用"),
            )
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self._on_selection()

    def _selected(self) -> User | None:
        row = self.table.currentRow()
        return self.users[row] if 0 <= row < len(self.users) else None

    def _on_selection(self) -> None:
        chosen = self._selected()
        for button in (self.reset_button, self.roles_button, self.name_button, self.active_button):
            button.setEnabled(chosen is not None)
        active = chosen is None or chosen.active
        self.active_button.setText(self.tr("停用") if active else self.tr("启用"))

    def _may_manage(self) -> bool:
        """Only administrators manage users (the core refuses others too)."""
        if core.has_admin(self.session.db) and not self.session.has_role(Role.ADMIN):
            show_refusal(
                self,
                SafeCreditError(f"此操作需要管理员权限，当前用户“{self.session.user}”没有该权限。"),
            )
            return False
        return True

    def _changed(self, message: str) -> None:
        self.bus.status_message.emit(message)
        publish(self)
        self.refresh()

    # -- actions ------------------------------------------------------------------------
    def _on_add_user(self) -> None:
        if not self._may_manage():
            return
        dialog = NewUserDialog(self)
        saved = exec_until_saved(
            dialog,
            lambda: self.session.accounts.create_user(
                dialog.username.text(),
                dialog.password.text(),
                dialog.roles.roles(),
                dialog.display_name.text(),
            ),
        )
        if saved is None:
            return
        (made,) = saved
        if made.recovery_code:
            show_recovery_code(self, made.user.username, made.recovery_code)
        self._changed(self.tr("已添加用户 {username}").format(username=made.user.username))

    def _on_reset_password(self) -> None:
        chosen = self._selected()
        if chosen is None or not self._may_manage():
            return
        dialog = NewPasswordDialog(
            self.tr("重设密码"),
            self.tr("用户 {username} 的新密码：").format(username=chosen.username),
            self,
        )
        if exec_until_saved(
            dialog,
            lambda: self.session.accounts.set_password(chosen.username, dialog.password.text()),
        ):
            self._changed(self.tr("已重设用户 {username} 的密码").format(username=chosen.username))

    def _on_change_roles(self) -> None:
        chosen = self._selected()
        if chosen is None or not self._may_manage():
            return
        dialog = RolesDialog(chosen.username, chosen.roles, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            code = self.session.accounts.set_roles(chosen.username, dialog.roles.roles())
        except SafeCreditError as exc:
            show_refusal(self, exc)
            return
        if code:
            show_recovery_code(self, chosen.username, code)
        self._changed(self.tr("已更改用户 {username} 的角色").format(username=chosen.username))

    def _on_change_name(self) -> None:
        chosen = self._selected()
        if chosen is None:
            return
        if chosen.username != self.session.user and not self._may_manage():
            return
        dialog = NameDialog(chosen.username, chosen.display_name, self)
        if exec_until_saved(
            dialog, lambda: self.session.accounts.set_name(chosen.username, dialog.name.text())
        ):
            self._changed(
                self.tr("已将用户 {username} 的姓名改为“{name}”").format(
                    username=chosen.username, name=dialog.name.text().strip()
                )
            )

    def _on_toggle_active(self) -> None:
        chosen = self._selected()
        if chosen is None or not self._may_manage():
            return
        if chosen.active and not confirmed(
            self,
            self.tr("停用用户"),
            self.tr("停用用户 {username}？停用后不能登录，记录和审计日志保留。").format(
                username=chosen.username
            ),
        ):
            return
        try:
            self.session.accounts.set_active(chosen.username, not chosen.active)
        except SafeCreditError as exc:
            show_refusal(self, exc)
            return
        done = (
            self.tr("已启用用户 {username}")
            if not chosen.active
            else self.tr("已停用用户 {username}")
        )
        self._changed(done.format(username=chosen.username))
