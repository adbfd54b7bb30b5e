"""帮助 → 使用说明: the offline user guide (resources/help/index.html, with screenshots)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core.paths import resources_dir


def guide_path() -> Path:
    return resources_dir() / "help" / "index.html"


class HelpDialog(QDialog):
    """The guide in a QTextBrowser: its contents links jump within it; 返回目录 goes back
    to the top. Not modal: the clerk reads it beside the window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("使用说明"))
        self.resize(900, 680)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(False)
        self.browser.setOpenLinks(True)
        path = guide_path()
        if path.exists():
            self.browser.setSource(QUrl.fromLocalFile(str(path)))
        else:  # a broken installation: say so instead of an empty window
            self.browser.setPlainText(
                self.tr("找不到使用说明文件：{path}\n请重新安装程序。").format(path=path)
            )
        self.home_button = QPushButton(self.tr("返回目录"), self)
        self.home_button.clicked.connect(self.browser.home)
        self.back_button = QPushButton(self.tr("后退"), self)
        self.back_button.setEnabled(False)
        self.back_button.clicked.connect(self.browser.backward)
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.home_button)
        row.addWidget(self.back_button)
        row.addWidget(QLabel(self.tr("点击目录中的标题跳到该节。"), self), 1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addLayout(row)

    def show_section(self, anchor: str) -> None:
        self.browser.scrollToAnchor(anchor)
