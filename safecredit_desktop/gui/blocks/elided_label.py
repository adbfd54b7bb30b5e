"""A one-line label that never widens its window (a long unit name, a form's message)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """One line of text cut with "…" to the width it is given, the whole text in its
    tooltip when cut; ``text()`` is the whole text. Its size policy ignores the text's
    width, so a 100-character unit name never widens the page or the form."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(40)

    def set_full_text(self, text: str) -> None:
        self.setText(text)
        self.setToolTip(text if self.is_cut() else "")

    def full_text(self) -> str:
        return self.text()

    def shown_text(self) -> str:
        """What is painted: the text, cut to the width."""
        width = self.contentsRect().width()
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, width)

    def is_cut(self) -> bool:
        return self.shown_text() != self.text()

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self.setToolTip(self.text() if self.is_cut() else "")

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            self.contentsRect(),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            self.palette(),
            self.isEnabled(),
            self.shown_text(),
            QPalette.ColorRole.WindowText,
        )
