"""First run: the bureau, its rules, the upper-level e-mail and the first administrator."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.gui.dialogs import recovery_code


class FirstRunDialog(QDialog):
    """Creates the database; ``session`` holds the signed-in administrator afterwards."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
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
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit(self)
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.location = QLabel(str(path), self)
        self.location.setWordWrap(True)
        self.change_location = QPushButton(self.tr("更改位置…"), self)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #c00;")
        self.error.setWordWrap(True)

        where = QHBoxLayout()
        where.addWidget(self.location, 1)
        where.addWidget(self.change_location)
        form = QFormLayout()
        form.addRow(self.tr("单位名称："), self.bureau)
        form.addRow(self.tr("信用规则："), self.profile)
        form.addRow("", self.profile_note)
        form.addRow(self.tr("上级单位邮箱："), self.email)
        form.addRow(self.tr("管理员用户名："), self.admin)
        form.addRow(self.tr("管理员密码："), self.password)
        form.addRow(self.tr("确认密码："), self.confirm)
        form.addRow(self.tr("数据库位置："), where)
        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton(
            self.tr("新建"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._connect_signals()
        self._on_profile_changed()

    def _connect_signals(self) -> None:
        self.profile.currentIndexChanged.connect(self._on_profile_changed)
        self.change_location.clicked.connect(self._on_change_location)
        self.buttons.accepted.connect(self._on_create)
        self.buttons.rejected.connect(self.reject)

    def _on_profile_changed(self) -> None:
        index = self.profile.currentIndex()
        if 0 <= index < len(self._profiles):
            self.profile_note.setText(self._profiles[index].rules_of)

    def _on_change_location(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, self.tr("数据库保存位置"), str(self.path), self.tr("数据库文件 (*.db)")
        )
        if chosen:
            self.path = Path(chosen)
            self.location.setText(chosen)

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
