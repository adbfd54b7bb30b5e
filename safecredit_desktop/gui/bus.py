"""One "data changed" signal for the whole window (Anki's CollectionOp idea).

A page that changes data emits ``data_changed`` with the table name; every page that
shows that data refreshes itself from services.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class DataBus(QObject):
    data_changed = Signal(str)  # table name, e.g. "units", "inspections"; "*" for all
    status_message = Signal(str)  # a short sentence for the status bar
