"""A page's heading: its title, and optionally a line saying what the page is for."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget


class PageHeading(QWidget):
    """``PageHeading(parent, title, about="")``; ``add_right(widget)`` puts a widget at
    the title's right (a year chooser, a refresh button)."""

    def __init__(self, parent: QWidget | None, title: str, about: str = "") -> None:
        super().__init__(parent)
        self.title = QLabel(title, self)
        self.title.setStyleSheet("font-size: 18px; font-weight: bold;")
        self.about = QLabel(about, self)
        self.about.setWordWrap(True)
        self.about.setStyleSheet("color: #555555;")
        self.about.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.about.setVisible(bool(about))
        self._top = QHBoxLayout()
        self._top.setContentsMargins(0, 0, 0, 0)
        self._top.addWidget(self.title)
        self._top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._top)
        layout.addWidget(self.about)

    def text(self) -> str:
        return self.title.text()

    def set_about(self, text: str) -> None:
        self.about.setText(text)
        self.about.setVisible(bool(text))

    def add_right(self, widget: QWidget) -> None:
        self._top.addWidget(widget)
