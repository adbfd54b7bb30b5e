"""Enter on a row of a table opens it, like a double-click."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView


class EnterOpensRow(QObject):
    """Installed on ``view``: Return or Enter on its current row calls ``open_row`` with
    that row's index (and the key goes no further); other keys pass on."""

    def __init__(self, view: QAbstractItemView, open_row: Callable[[QModelIndex], object]) -> None:
        super().__init__(view)
        self._view = view
        self._open_row = open_row
        view.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._view and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                index = self._view.currentIndex()
                if index.isValid():
                    self._open_row(index)
                    return True
        return super().eventFilter(watched, event)
