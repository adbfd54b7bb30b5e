"""The window's font: the system's 微软雅黑 where present, else the shipped 文泉驿微米黑.

A machine without any Chinese font (a fresh Linux, a stripped Windows image) would
otherwise show boxes instead of characters.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from safecredit_desktop.core.paths import resources_dir

PREFERRED = ("Microsoft YaHei UI", "Microsoft YaHei", "微软雅黑")
SHIPPED = "wqy-microhei.ttf"
POINT_SIZE = 10


def install_app_font(app: QApplication) -> list[str]:
    """Register the shipped font and make it the fallback of the application font."""
    font_id = QFontDatabase.addApplicationFont(str(resources_dir() / "fonts" / SHIPPED))
    shipped = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    installed = set(QFontDatabase.families())
    families = [f for f in PREFERRED if f in installed] + shipped[:1]
    if families:
        font = QFont()
        font.setFamilies(families)
        font.setPointSize(POINT_SIZE)
        app.setFont(font)
    return families
