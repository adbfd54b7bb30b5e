"""The 连续录入 window: the batch grid of one record kind in a dialog of its own."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from safecredit_desktop.core import app as core
from safecredit_desktop.core import batch_entry
from safecredit_desktop.gui.batch_entry.grid import BatchEntryGrid
from safecredit_desktop.gui.blocks.dialog_parts import confirmed
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.operations import perform

KIND_TABLES = batch_entry.KIND_TABLES


def table_of(kind: str) -> str:
    return batch_entry.table_for(kind)


class BatchEntryDialog(QDialog):
    """连续录入 of one kind; closing asks first when typed rows are not saved."""

    def __init__(
        self,
        session: core.Session,
        bus: DataBus,
        kind: str,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.bus = bus
        table = table_of(kind)
        self.grid = BatchEntryGrid(session, bus, table, self, today=today)
        self.setWindowTitle(self.tr("连续录入 — {title}").format(title=self.grid.form.title))
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        buttons = QDialogButtonBox(self)
        close = buttons.addButton(self.tr("关闭"), QDialogButtonBox.ButtonRole.RejectRole)
        close.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.grid, 1)
        layout.addWidget(buttons)
        self.resize(1300, 700)

    def reject(self) -> None:
        """关闭 / Esc outside a cell / the window's close button: typed rows not saved are
        lost only when the clerk says so."""
        unsaved = self.grid.unsaved_count()
        if unsaved and not confirmed(
            self,
            self.tr("关闭连续录入"),
            self.tr("还有 {n} 行没有保存，关闭后将丢失。确定要关闭吗？").format(n=unsaved),
            no_by_default=True,
        ):
            return
        super().reject()


_OPEN: set[BatchEntryDialog] = set()


def open_batch_entry(
    parent: QWidget | None, session: core.Session, bus: DataBus, kind: str
) -> None:
    """Open the 连续录入 window of ``kind`` (inspection … or the table's name), beside
    the main window; it is deleted when closed."""
    dialog = perform(
        parent,
        lambda: BatchEntryDialog(session, bus, kind, parent),
        title=QCoreApplication.translate("BatchEntryDialog", "无法打开连续录入"),
    )
    if dialog is None:
        return
    _OPEN.add(dialog)  # a window without a parent lives until it is closed
    dialog.finished.connect(lambda _result: _OPEN.discard(dialog))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
