"""The banner over the main window while an administrator's password reset with a
recovery code has not been acknowledged by an administrator (cli.md "Who acts")."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.vocabulary import Changes, Table
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.operations import publish


class RecoveryBanner(QFrame):
    """Says who recovered which account when; 确认知悉 (administrators) hides it."""

    def __init__(self, session: core.Session, bus: DataBus, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.bus = bus
        self.setObjectName("recoveryBanner")
        self.setStyleSheet(
            "#recoveryBanner { background: #fff4ce; border: 1px solid #e0b000; }"
            " #recoveryBanner QLabel { color: #5a3d00; }"
        )
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.acknowledge_button = QPushButton(self.tr("确认知悉"), self)
        layout = QHBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.acknowledge_button)
        self.acknowledge_button.clicked.connect(self._on_acknowledge)
        bus.changed.connect(self._on_changed)
        self.refresh()

    def refresh(self) -> None:
        pending = self.session.accounts.pending_recoveries()
        self.setVisible(bool(pending))
        lines = [core.recovery_notice(r) for r in pending]
        admin = self.session.has_role(Role.ADMIN)
        lines.append(
            self.tr("管理员确认知悉后此提示不再出现。")
            if admin
            else self.tr("请管理员登录后确认知悉。")
        )
        self.text.setText("\n".join(lines))
        self.acknowledge_button.setEnabled(admin)

    def _on_changed(self, changes: Changes) -> None:
        if changes.touches({Table.USERS, Table.ACCOUNT_RECOVERIES}):
            self.refresh()

    def _on_acknowledge(self) -> None:
        try:
            self.session.accounts.acknowledge_recoveries()
        except SafeCreditError as exc:
            QMessageBox.warning(self, self.tr("无法确认"), exc.message)
            return
        publish(self)
        self.refresh()
        self.bus.status_message.emit(self.tr("已确认知悉恢复码重设密码"))


def with_banner(banner: QWidget, content: QWidget, parent: QWidget) -> QWidget:
    """``content`` under ``banner`` (which hides itself while nothing is pending)."""
    holder = QWidget(parent)
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(banner)
    layout.addWidget(content, 1)
    return holder
