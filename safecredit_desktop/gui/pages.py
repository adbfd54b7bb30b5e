"""The base of every page in the main window's stack, and the page for later issues."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

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


class NotYetPage(Page):
    """A page whose work comes with a later version: says so plainly."""

    def __init__(
        self,
        session: core.Session,
        bus: DataBus,
        title: str,
        what: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(session, bus, parent)
        layout = QVBoxLayout(self)
        heading = QLabel(title, self)
        heading.setStyleSheet("font-size: 18px; font-weight: bold;")
        body = QLabel(
            self.tr("本页面尚未完成：{what}\n\n在此之前，请使用现有的表格和纸质流程。").format(
                what=what
            ),
            self,
        )
        body.setWordWrap(True)
        body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(heading)
        layout.addWidget(body, 1)
