"""帮助 → 使用说明: the offline guide opens from the menu, with every chapter a county
clerk needs, its contents links, and its screenshots; the bundle carries it."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication, QMenu

from safecredit_desktop.core import app as core
from safecredit_desktop.gui.dialogs.help_dialog import HelpDialog, guide_path
from safecredit_desktop.gui.main_window import MainWindow

CHAPTERS = (
    "首次使用",
    "录入记录",
    "连续录入",
    "粘贴",
    "导入企业名单",
    "信用等级与评定",
    "名单",
    "检查计划与双随机",
    "文书打印",
    "统计报表",
    "备份与恢复",
    "多人使用（服务器）",
)
ROOT = Path(__file__).resolve().parents[2]


def test_help_menu_opens_the_guide(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    session = core.init_database(
        tmp_path / "h.db", profile="fenghuang", bureau_name="凤凰县应急管理局", user="管理员",
        admin=("管理员", "admin-pw"),
    )  # fmt: skip
    window = MainWindow(session)
    window._backup_on_close = False
    qtbot.addWidget(window)
    # the menu itself, not QAction.menu() (a wrapper PySide6 6.8 lets go at once)
    help_menu = next(
        m for m in window.menuBar().findChildren(QMenu) if m.title().startswith("帮助")
    )
    entries = [a.text() for a in help_menu.actions()]
    assert entries[:2] == ["使用说明", "关于"]
    next(a for a in help_menu.actions() if a.text() == "使用说明").trigger()
    dialog = window.help_dialog
    assert isinstance(dialog, HelpDialog) and dialog.isVisible() and not dialog.isModal()
    text = dialog.browser.toPlainText()
    assert all(chapter in text for chapter in CHAPTERS), [c for c in CHAPTERS if c not in text]
    window._daily_backup_timer.stop()


def test_guide_links_and_screenshots(qtbot) -> None:  # type: ignore[no-untyped-def]
    html = guide_path().read_text(encoding="utf-8")
    links = re.findall(r'href="#([^"]+)"', html)
    anchors = set(re.findall(r'name="([^"]+)"', html))
    assert len(links) == 10 and set(links) <= anchors
    images = re.findall(r'src="([^"]+)"', html)
    assert len(images) >= 8
    dialog = HelpDialog()
    qtbot.addWidget(dialog)
    document = dialog.browser.document()
    for source in images:
        assert (guide_path().parent / source).is_file(), source
        url = dialog.browser.source().resolved(QUrl(source))
        image = document.resource(QTextDocument.ResourceType.ImageResource, url)
        assert image is not None and not image.isNull(), source  # the browser shows it
    dialog.show()
    dialog.browser.setSource(QUrl("#backup"))
    QApplication.processEvents()
    assert dialog.browser.verticalScrollBar().value() > 0  # jumped down to 备份与恢复
    dialog.home_button.click()
    QApplication.processEvents()
    assert dialog.back_button.isEnabled()


def test_bundle_carries_guide_and_translations() -> None:
    spec = (ROOT / "pyinstaller.spec").read_text(encoding="utf-8")
    assert '"resources" / "help"), "resources/help")' in spec
    assert '(ROOT / "resources" / "i18n").glob("*.qm")' in spec
