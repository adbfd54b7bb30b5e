"""Small pieces the list and workflow pages share: a row of buttons, a column of parts,
确定 / 取消 wired to a dialog, a yes/no question, where to save a workbook, a read-only
table's settings, running a dialog for what it made, and one workflow step's dialog."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, TypeVar

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLayout,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.gui.blocks.dialog_parts import add_parts
from safecredit_desktop.gui.blocks.dialog_parts import push_button as push_button
from safecredit_desktop.gui.blocks.forms import StepDialog, ok_cancel
from safecredit_desktop.gui.blocks.save_path import SaveFolder as SaveFolder
from safecredit_desktop.gui.blocks.save_path import ask_save_path as ask_save_path
from safecredit_desktop.gui.blocks.save_path import ask_workbook_path as ask_workbook_path
from safecredit_desktop.gui.operations import attempt

A = TypeVar("A")
D = TypeVar("D", bound=QDialog)
T = TypeVar("T")


def button_row(
    left: Iterable[QWidget | QLayout], right: Iterable[QWidget | QLayout] = ()
) -> QHBoxLayout:
    """``left`` at the left, then a stretch, then ``right`` at the right (widgets, or
    layouts that hold more of them)."""
    row = QHBoxLayout()
    add_parts(row, left)
    row.addStretch(1)
    add_parts(row, right)
    return row


def stacked(parent: QWidget, *parts: QWidget | QLayout) -> QVBoxLayout:
    """``parent``'s layout: ``parts`` (widgets or layouts) one below the other."""
    layout = QVBoxLayout(parent)
    add_parts(layout, parts)
    return layout


def dialog_buttons(
    dialog: QDialog, ok_text: str = "", on_ok: Callable[[], object] | None = None
) -> QDialogButtonBox:
    """确定 (``ok_text``) / 取消: 确定 runs ``on_ok`` (the dialog's ``accept`` unless
    given), 取消 rejects."""
    buttons = ok_cancel(dialog, ok_text)
    buttons.accepted.connect(on_ok or dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class SubmitDialog(QDialog):
    """A dialog whose 确定 (its ``accept``) calls ``submit``; it closes only when that
    succeeds, so a refusal (shown by ``submit``) keeps what was typed."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.submit: Callable[[], bool] = lambda: True

    def accept(self) -> None:
        if self.submit():
            super().accept()

    def run(self, submit: Callable[[], bool]) -> bool:
        """Show the dialog modally with 确定 running ``submit``, then schedule it for
        deletion; whether it was accepted."""
        self.submit = submit
        accepted = self.exec() == QDialog.DialogCode.Accepted
        self.deleteLater()
        return accepted


def refill(combo: QComboBox, items: Iterable[tuple[str, object]], *, quiet: bool = False) -> None:
    """Replace ``combo``'s items with (text, data) ``items``, keeping the chosen one (by
    its data) where it is still there, else the first; ``quiet``: no change signals."""
    current = combo.currentData()
    blocked = combo.blockSignals(True) if quiet else None
    combo.clear()
    for text, data in items:
        combo.addItem(text, data)
    index = combo.findData(current) if current is not None else 0
    combo.setCurrentIndex(max(index, 0))
    if blocked is not None:
        combo.blockSignals(blocked)


def refill_texts(combo: QComboBox, texts: Iterable[str]) -> None:
    """Replace ``combo``'s items with ``texts`` without change signals, keeping the
    chosen text where it is still there, else the first."""
    current = combo.currentText()
    blocked = combo.blockSignals(True)
    combo.clear()
    combo.addItems(list(texts))
    combo.setCurrentIndex(max(combo.findText(current), 0))
    combo.blockSignals(blocked)


def confirm(
    parent: QWidget | None,
    title: str,
    text: str,
    default: QMessageBox.StandardButton = QMessageBox.StandardButton.No,
) -> bool:
    """A 是 / 否 question (否 by default); True when the answer is 是."""
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        default,
    )
    return answer == QMessageBox.StandardButton.Yes


def enable_for(allowed: Collection[A], buttons: Mapping[A, QWidget]) -> None:
    """Each of ``buttons`` (action → button) enabled when its action is ``allowed``."""
    for action, button in buttons.items():
        button.setEnabled(action in allowed)


def read_only_rows(view: QTableView) -> None:
    """A table a user reads and picks one row of: whole rows, one at a time, no editing,
    striped, no wrapping, no row numbers."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)


def run_once(exec_dialog: Callable[[QDialog], bool], dialog: QDialog) -> bool:
    """Run ``dialog`` with ``exec_dialog``, then schedule it for deletion; whether it
    was accepted."""
    accepted = exec_dialog(dialog)
    dialog.deleteLater()
    return accepted


def run_for(exec_dialog: Callable[[QDialog], bool], dialog: D, made: Callable[[D], T]) -> T:
    """Run ``dialog`` with ``exec_dialog`` and hand back what it ``made`` (read before the
    dialog is scheduled for deletion)."""
    exec_dialog(dialog)
    result = made(dialog)
    dialog.deleteLater()
    return result


def run_step(
    exec_dialog: Callable[[QDialog], bool],
    parent: QWidget,
    title: str,
    intro: str,
    act: Callable[[StepDialog], T],
    **fields: Any,
) -> T | None:
    """A StepDialog (``fields``: its date, text and 确定 text) whose 确定 runs ``act``: a
    refusal is shown and the dialog stays open with what was typed. What ``act``
    returned, or None when the dialog was cancelled."""
    made: list[T] = []
    dialog = StepDialog(
        parent,
        title,
        intro,
        attempt=lambda d: attempt(d, lambda: made.append(act(d))),
        **fields,
    )
    run_once(exec_dialog, dialog)
    return made[0] if made else None
