"""Draw the program's icon (resources/icons/): a shield with 信, in PNG sizes and .ico.

    python docs/make_icon.py

Drawn with Qt and the shipped WenQuanYi Micro Hei, so it needs nothing else.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256)


def shield(size: int) -> QPainterPath:
    s = float(size)
    path = QPainterPath()
    path.moveTo(QPointF(s * 0.5, s * 0.04))
    path.cubicTo(
        QPointF(s * 0.66, s * 0.13), QPointF(s * 0.80, s * 0.15), QPointF(s * 0.92, s * 0.15)
    )
    path.cubicTo(
        QPointF(s * 0.92, s * 0.55), QPointF(s * 0.80, s * 0.80), QPointF(s * 0.5, s * 0.96)
    )
    path.cubicTo(
        QPointF(s * 0.20, s * 0.80), QPointF(s * 0.08, s * 0.55), QPointF(s * 0.08, s * 0.15)
    )
    path.cubicTo(
        QPointF(s * 0.20, s * 0.15), QPointF(s * 0.34, s * 0.13), QPointF(s * 0.5, s * 0.04)
    )
    path.closeSubpath()
    return path


def draw(size: int, family: str) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    gradient = QLinearGradient(0, 0, 0, size)
    gradient.setColorAt(0.0, QColor("#d7261e"))
    gradient.setColorAt(1.0, QColor("#9e1510"))
    painter.setBrush(gradient)
    painter.setPen(QPen(QColor("#f3c234"), max(1.0, size / 28)))
    painter.drawPath(shield(size))
    font = QFont(family)
    font.setPixelSize(int(size * 0.52))
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(QRectF(0, size * 0.06, size, size * 0.84), Qt.AlignmentFlag.AlignCenter, "信")
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication(sys.argv)
    font_id = QFontDatabase.addApplicationFont(
        str(ROOT / "resources" / "fonts" / "wqy-microhei.ttf")
    )
    family = QFontDatabase.applicationFontFamilies(font_id)[0]
    OUT.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        draw(size, family).save(str(OUT / f"safecredit-{size}.png"))
    # Windows wants one .ico holding several sizes; Qt's ico writer takes the largest
    # image it is given, so the 256 px one is written (Windows scales it down well).
    draw(256, family).save(str(OUT / "safecredit.ico"), "ICO")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
