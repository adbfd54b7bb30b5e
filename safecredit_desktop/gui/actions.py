"""Window actions reached from more than one place (menu and settings page)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from safecredit_desktop.core import app as core
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.operations import perform
from safecredit_desktop.gui.workers import run_with_progress


def backup_now(parent: QWidget, session: core.Session, bus: DataBus) -> bool:
    """Back up the open database in a worker; says where, or why not. True when done."""
    copy = perform(
        parent,
        lambda: run_with_progress(
            parent,
            parent.tr("正在备份…"),
            lambda own, _report: core.backup_now(own.db.location, user=own.user),
            session=session,
            cancellable=False,
        ),
        title=parent.tr("备份失败"),
    )
    if copy is None:
        return False
    bus.status_message.emit(parent.tr("已备份到 {path}").format(path=copy))
    return True
