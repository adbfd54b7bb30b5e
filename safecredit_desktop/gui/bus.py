"""One "what changed" signal for the whole window (Anki's OpChanges).

Nobody emits ``changed`` by hand: after every operation the operation wrapper
(``gui/operations.py``) takes the tables the storage layer saw written
(``session.take_changes()``) and emits them once; each page refreshes when one of the
tables it watches is among them.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class DataBus(QObject):
    changed = Signal(object)  # a core Changes: the tables an operation wrote
    status_message = Signal(str)  # a short sentence for the status bar
