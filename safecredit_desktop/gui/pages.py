"""The base of every page in the main window's stack."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.vocabulary import Changes
from safecredit_desktop.gui.bus import DataBus


class Page(QWidget):
    """A page: built with the session and the bus; ``refresh`` re-reads from the Session.

    ``watched``: the tables (``core.app.vocabulary.Table``) whose change makes the
    page read again; ``on_changes`` does it (a page that needs more overrides it).
    ``page_title`` titles the page's message boxes."""

    watched: frozenset[str] = frozenset()
    page_title = ""

    def __init__(self, session: core.Session, bus: DataBus, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.bus = bus
        bus.changed.connect(self._on_changed)

    def _on_changed(self, changes: Changes) -> None:
        if changes.touches(self.watched):
            self.on_changes(changes)

    def on_changes(self, changes: Changes) -> None:
        """One of the watched tables was written."""
        self.refresh()

    def refresh(self) -> None:
        """Re-read what the page shows. Called when the page is shown."""


class LazyPage(Page):
    """A page whose data is costly at county scale: read when first shown, and after a
    change of one of ``watched`` tables either at once (visible) or when next shown."""

    def __init__(self, session: core.Session, bus: DataBus, parent: QWidget | None = None):
        super().__init__(session, bus, parent)
        self._stale = True

    def on_changes(self, changes: Changes) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh_if_stale()

    def refresh_if_stale(self) -> None:
        """Read again if a watched change came while hidden (after the page's own
        change: it shows the result even when it is not on screen)."""
        if self._stale:
            self.refresh()
