"""Cell editors of the batch grid: a line edit for every cell, the unit cell with a list
of the registry's matches (code, name or pinyin initials) under it. Tab, Shift+Tab and
Enter are the grid's (move on, or save on the last cell), not the editor's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from safecredit_desktop.gui.batch_entry.model import UNIT, BatchModel

Index = QModelIndex | QPersistentModelIndex
CODE_ROLE = Qt.ItemDataRole.UserRole
CANDIDATES = 8  # matches listed under the unit cell
SEARCH_PAUSE_MS = 150  # the matches are looked up when typing pauses this long, or on Enter
TYPING_ERROR_STYLE = "QLineEdit { background: #f8d7da; }"


class UnitCandidates(QListWidget):
    """The registry's matches for what is typed in the unit cell (not focusable: the
    keys stay in the cell; Up and Down move the choice)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setObjectName("unitCandidates")
        self.hide()

    def show_matches(self, rows: list[tuple[str, str, str | None]], anchor: QWidget) -> None:
        self.clear()
        for uscc, name, grade in rows:
            shown = grade or self.tr("未评定")
            item = QListWidgetItem(f"{name}　{uscc}　{shown}", self)
            item.setData(CODE_ROLE, uscc)
        if not rows:
            self.hide()
            return
        self.setCurrentRow(0)
        parent = self.parentWidget()
        assert parent is not None
        corner = anchor.mapTo(parent, anchor.rect().bottomLeft())
        height = min(len(rows), CANDIDATES) * (self.sizeHintForRow(0) + 1) + 4
        self.setGeometry(corner.x(), corner.y(), max(anchor.width(), 460), height)
        self.show()
        self.raise_()

    def chosen_code(self) -> str | None:
        item = self.currentItem()
        if not self.isVisible() or item is None:
            return None
        return str(item.data(CODE_ROLE))

    def step(self, by: int) -> None:
        if self.count():
            self.setCurrentRow(max(0, min(self.count() - 1, self.currentRow() + by)))


class GridDelegate(QStyledItemDelegate):
    """Line edits for the cells; the grid decides where Tab and Enter go."""

    def __init__(
        self,
        model: BatchModel,
        candidates: UnitCandidates,
        search: Callable[[str], list[tuple[str, str, str | None]]],
        on_key: Callable[[str], None],
        preview: Callable[[int, str, str], str | None],
    ) -> None:
        super().__init__()
        self._preview = preview
        self._model = model
        self._candidates = candidates
        self._search = search
        self._on_key = on_key
        self.editor: QLineEdit | None = None
        self.unit_editor = False
        self.typing_message: str | None = None  # the open cell's message as typed
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_PAUSE_MS)
        self._search_timer.timeout.connect(self.find_units_now)

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = QLineEdit(parent)
        editor.setFrame(False)
        column = self._model.columns[index.column()]
        self.unit_editor = column.key == UNIT
        if self.unit_editor:
            editor.setPlaceholderText(self.tr("代码、名称或拼音首字母"))
            editor.textEdited.connect(lambda _text: self._search_timer.start())
        elif column.spec is not None and column.spec.placeholder:
            editor.setPlaceholderText(column.spec.placeholder)
        if not self.unit_editor:
            row, key = index.row(), column.key
            editor.textEdited.connect(lambda text: self._check_typing(editor, row, key, text))
        self.editor = editor
        editor.destroyed.connect(lambda *_: self._forget(editor))
        return editor

    def _check_typing(self, editor: QLineEdit, row: int, key: str, text: str) -> None:
        """The cell's message as it is typed: the editor turns pink, the reason in its
        tooltip (the error list follows when the cell is left)."""
        message = self._preview(row, key, text)
        editor.setStyleSheet(TYPING_ERROR_STYLE if message else "")
        editor.setToolTip(message or "")
        self.typing_message = message

    def _forget(self, editor: QLineEdit) -> None:
        if self.editor is editor:
            self.editor = None

    def find_units_now(self) -> None:
        """List the registry's matches for the unit cell's text (a search still waiting
        for a pause in the typing runs now: Enter, Tab and ↑↓ never act on stale ones)."""
        self._search_timer.stop()
        editor = self.editor
        if editor is None or not self.unit_editor:
            return
        typed = editor.text().strip()
        if not typed:
            self._candidates.hide()
            return
        self._candidates.show_matches(self._search(typed), editor)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, QLineEdit)
        editor.setText(str(index.data(Qt.ItemDataRole.EditRole) or ""))
        editor.selectAll()  # typing replaces a carried value; Tab keeps it

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        assert isinstance(editor, QLineEdit)
        text = editor.text()
        if self._model.columns[index.column()].key == UNIT:
            if self._search_timer.isActive():
                self.find_units_now()
            chosen = self._candidates.chosen_code()
            if chosen is not None and editor.isModified():
                text = chosen
            self._candidates.hide()
        if text != str(index.data(Qt.ItemDataRole.EditRole) or "") or editor.isModified():
            model.setData(index, text, Qt.ItemDataRole.EditRole)

    def finish(self, editor: QWidget) -> None:
        """Store the cell and close its editor (the grid moves on itself)."""
        self.commitData.emit(editor)  # (a waiting search runs first: setModelData)
        if self.editor is editor:
            self.editor = None
        self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
        self._candidates.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, QLineEdit) or event.type() != QEvent.Type.KeyPress:
            return super().eventFilter(watched, event)
        assert isinstance(event, QKeyEvent)
        key = event.key()
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if (
            self.unit_editor
            and self._candidates.isVisible()
            and key
            in (
                Qt.Key.Key_Up,
                Qt.Key.Key_Down,
            )
        ):
            self._candidates.step(-1 if key == Qt.Key.Key_Up else 1)
            return True
        if key == Qt.Key.Key_Escape and self._candidates.isVisible():
            self._candidates.hide()
            return True
        action = _ACTIONS.get(key)
        if key == Qt.Key.Key_Tab and event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            action = "back"
        if action is not None and not ctrl:
            self.finish(watched)
            self._on_key(action)
            return True
        if ctrl and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_S):
            self.finish(watched)
            self._on_key("save")
            return True
        if ctrl and key == Qt.Key.Key_Delete:
            self.finish(watched)
            self._on_key("delete_row")
            return True
        if event.matches(QKeySequence.StandardKey.Paste) and self._on_paste_block():
            self.finish(watched)
            self._on_key("paste")
            return True
        if event.matches(QKeySequence.StandardKey.Undo) and not watched.isUndoAvailable():
            self.finish(watched)
            self._on_key("undo")
            return True
        return super().eventFilter(watched, event)

    def _on_paste_block(self) -> bool:
        """A clipboard holding several cells is pasted as a block, one cell as text."""
        from PySide6.QtGui import QGuiApplication

        text = QGuiApplication.clipboard().text().rstrip("\r\n")
        return "\t" in text or "\n" in text


_ACTIONS: dict[Any, str] = {
    Qt.Key.Key_Tab: "next",
    Qt.Key.Key_Backtab: "back",
    Qt.Key.Key_Return: "enter",
    Qt.Key.Key_Enter: "enter",
}
