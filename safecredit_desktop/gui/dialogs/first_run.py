"""First run: the bureau, its rules, the upper-level e-mail and the first administrator."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.vocabulary import Location, ServerLocation, parse_server
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.gui.blocks.dialog_parts import (
    accept_button,
    accept_cancel,
    error_label,
    password_edit,
    row_of,
    vbox,
)
from safecredit_desktop.gui.dialogs import recovery_code


class FirstRunDialog(QDialog):
    """Creates the database; ``session`` holds the signed-in administrator afterwards."""

    def __init__(self, path: Location, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("新建数据库 — 首次使用"))
        self.setMinimumWidth(560)
        self.path = path
        self.session: core.Session | None = None
        self._profiles = core.builtin_profiles()

        intro = QLabel(
            self.tr(
                "欢迎使用安全生产信用分级分类监管系统。请填写本局信息并设置第一位管理员。"
                "第一位管理员同时担任审核员，可以确认年度评定；人员多时，可在“设置 → 用户”中"
                "另设审核员并调整角色。"
            ),
            self,
        )
        intro.setWordWrap(True)
        self.bureau = QLineEdit(self)
        self.bureau.setPlaceholderText(self.tr("如：凤凰县应急管理局"))
        self.profile = QComboBox(self)
        for item in self._profiles:
            self.profile.addItem(item.title, item.name)
        self.profile_note = QLabel(self)
        self.profile_note.setWordWrap(True)
        self.profile_note.setStyleSheet("color: #555;")
        self.email = QLineEdit(self)
        self.email.setPlaceholderText(self.tr("报送统计表的上级单位邮箱（可稍后在设置中填写）"))
        self.admin = QLineEdit(self)
        self.admin.setText("管理员")
        self.password = password_edit(self)
        self.confirm = password_edit(self)
        self.location = QLabel(self)
        self.location.setWordWrap(True)
        self.change_location = QPushButton(self.tr("更改位置…"), self)
        self.choose_server = QPushButton(self.tr("服务器上的数据库…"), self)
        self.choose_server.setToolTip(
            self.tr("多人或全市共用一个登记库时，填写 PostgreSQL 服务器上的空数据库（见说明书）。")
        )
        self._show_location()
        self.error = error_label(self)

        where = QVBoxLayout()  # the place on its own line: a server's address is long
        where.addWidget(self.location)
        choices = row_of(self.change_location, self.choose_server)
        for button in (self.change_location, self.choose_server):
            button.setMinimumHeight(button.sizeHint().height())  # not squeezed by the wrap
        where.addLayout(choices)
        form = QFormLayout()
        form.addRow(self.tr("单位名称："), self.bureau)
        form.addRow(self.tr("信用规则："), self.profile)
        form.addRow("", self.profile_note)
        form.addRow(self.tr("上级单位邮箱："), self.email)
        form.addRow(self.tr("管理员用户名："), self.admin)
        form.addRow(self.tr("管理员密码："), self.password)
        form.addRow(self.tr("确认密码："), self.confirm)
        form.addRow(self.tr("数据库位置："), where)
        self.buttons = accept_cancel(self, self.tr("新建"), self._on_create)
        self.ok_button = accept_button(self.buttons)
        vbox(self, intro, form, self.error, self.buttons)
        self.profile.currentIndexChanged.connect(self._on_profile_changed)
        self.change_location.clicked.connect(self._on_change_location)
        self.choose_server.clicked.connect(self._on_choose_server)
        self._on_profile_changed()

    def _on_profile_changed(self) -> None:
        index = self.profile.currentIndex()
        if 0 <= index < len(self._profiles):
            self.profile_note.setText(self._profiles[index].rules_of)

    def _show_location(self) -> None:
        if isinstance(self.path, ServerLocation):
            self.location.setText(self.tr("服务器：{label}").format(label=self.path.label))
        else:
            self.location.setText(str(self.path))

    def _on_change_location(self) -> None:
        start = "" if isinstance(self.path, ServerLocation) else str(self.path)
        chosen, _ = QFileDialog.getSaveFileName(
            self, self.tr("数据库保存位置"), start, self.tr("数据库文件 (*.db)")
        )
        if chosen:
            self.path = Path(chosen)
            self._show_location()

    def _on_choose_server(self) -> None:
        """A register on a PostgreSQL server: its address (no password), then the
        password when the server wants one (kept in memory only)."""
        from safecredit_desktop.gui.app import server_password

        start = self.path.url if isinstance(self.path, ServerLocation) else "postgresql://"
        text, ok = QInputDialog.getText(
            self,
            self.tr("服务器上的数据库"),
            self.tr(
                "数据库地址（不含密码）：\npostgresql://用户名@服务器[:端口]/数据库名"
                "[?sslmode=require]\n数据库须由管理员事先建好（空库），用其所有者账户新建。"
            ),
            text=start,
        )
        if not ok or not text.strip():
            return
        try:
            location = parse_server(text)
        except SafeCreditError as exc:
            self.error.setText(exc.message)
            return
        located = server_password(location)
        if located is not None:
            self.path = located
            self.error.clear()
            self._show_location()

    def _problem(self) -> str | None:
        if not self.bureau.text().strip():
            return self.tr("请填写单位名称。")
        if not self.admin.text().strip():
            return self.tr("请填写管理员用户名。")
        return recovery_code.password_problem(self, self.password.text(), self.confirm.text())

    def _on_create(self) -> None:
        problem = self._problem()
        if problem:
            self.error.setText(problem)
            return
        admin = self.admin.text().strip()
        try:
            self.session = core.init_database(
                self.path,
                profile=str(self.profile.currentData()),
                bureau_name=self.bureau.text(),
                user=admin,
                admin=(admin, self.password.text()),
                upper_email=self.email.text().strip(),
            )
        except SafeCreditError as exc:
            self.error.setText(exc.message)
            return
        self.session.user = admin
        code, self.session.recovery_code = self.session.recovery_code, None
        if code:
            recovery_code.show_recovery_code(self, admin, code)
        self.accept()
