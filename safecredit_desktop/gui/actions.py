"""Window actions reached from more than one place (menu and settings page)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from safecredit_desktop.core import services
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.workers import run_with_progress


def backup_now(parent: QWidget, session: services.Session, bus: DataBus) -> bool:
    """Back up the open database in a worker; says where, or why not. True when done."""
    path, user = session.db.location, session.user
    try:
        copy = run_with_progress(
            parent,
            parent.tr("正在备份…"),
            lambda report: services.backup_now(path, user=user),
            cancellable=False,
        )
    except SafeCreditError as exc:
        QMessageBox.warning(parent, parent.tr("备份失败"), exc.message)
        return False
    bus.status_message.emit(parent.tr("已备份到 %1").replace("%1", str(copy)))
    return True
