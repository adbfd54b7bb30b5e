"""Walks what the window shows and finds English and cut column headers.

Used by ``test_no_english.py``; generic on purpose: it visits whatever pages the
navigation holds (pages added by later work are checked too), and looks at the texts
a user reads — labels, buttons, group boxes, tab texts, table headers, list items,
combo box items, menu actions, tool tips, placeholder texts, window titles.

A run of Latin letters is English unless it is on ``ALLOWED_WORDS``, a single capital
letter (a grade, the X of an ID number, "不使用 I、O、S、V、Z"), or part of something
that is data, not the window's words: a 统一社会信用代码, a file path or name with an
extension, a keyboard mnemonic (``&F``). A widget that shows a record's own text (a
unit's 许可证号 may hold Latin letters) says so with the dynamic property
``shows_data`` and is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QStyle,
    QStyleOptionHeader,
    QTabBar,
    QTableView,
    QTextEdit,
    QTreeView,
    QWidget,
)

# Words that are names a Chinese clerk reads as they are (products, formats, grades).
ALLOWED_WORDS = frozenset(
    {
        "A", "B", "C", "D", "PDF", "Excel", "WPS", "SQLite", "PostgreSQL", "ID",
        "xlsx", "xls", "csv", "pdf", "db", "eml", "png", "html", "toml", "txt", "zip",
        "HTML", "GB", "Fandol",  # GB 32100, 仿宋_GB2312; the shipped Fandol fonts
        "Tab", "Enter", "Ctrl", "Shift", "Alt", "Esc", "Del",  # key caps
        "WH", "FM", "YH",  # as printed in permit numbers: （湘）WH安许证字〔2026〕…
        "fhhg",  # the search box's example of pinyin initials (凤凰化工)
    }
)  # fmt: skip
_USCC = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
# a path (anything with a slash in it) or a file name with its extension
_PATH = re.compile(
    r"[^\s，。；：、（）“”]*[\\/][^\s，。；：、（）“”]*|[\w.-]+\.(?:xlsx|xls|csv|pdf|db|eml|png)"
)
_MNEMONIC = re.compile(r"\(&[A-Za-z]\)|&(?=[A-Za-z])")
_LATIN = re.compile(r"[A-Za-z]+")
_TAG = re.compile(r"<[^>]*>")
_ENTITY = re.compile(r"&[a-z]+;|&#\d+;")


def english_words(text: str) -> list[str]:
    """The runs of Latin letters in ``text`` that are not allowed."""
    if "<" in text:
        text = _ENTITY.sub(" ", _TAG.sub(" ", text))
    for pattern in (_MNEMONIC, _USCC, _PATH):
        text = pattern.sub(" ", text)
    return [
        word
        for word in _LATIN.findall(text)
        if word not in ALLOWED_WORDS and not (len(word) == 1 and word.isupper())
    ]


@dataclass(frozen=True)
class Finding:
    where: str  # the page or dialog
    what: str  # the widget's class and object name
    text: str

    def __str__(self) -> str:
        return f"{self.where} · {self.what}: {self.text!r}"


def _name(widget: QWidget) -> str:
    name = widget.objectName()
    return type(widget).__name__ + (f"#{name}" if name else "")


def _header_texts(view: QAbstractItemView) -> Iterator[tuple[QHeaderView, int, str]]:
    model = view.model()
    if model is None:
        return
    header = view.horizontalHeader() if isinstance(view, QTableView) else None
    if isinstance(view, QTreeView):
        header = view.header()
    if header is None or header.isHidden():
        return
    for column in range(model.columnCount(QModelIndex())):
        if header.isSectionHidden(column):
            continue
        title = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        if title not in (None, ""):
            yield header, column, str(title)


def widget_texts(widget: QWidget) -> Iterator[str]:
    """What a user reads on one widget (its own texts, not its children's)."""
    if widget.toolTip():
        yield widget.toolTip()
    if widget.isWindow() and widget.windowTitle():
        yield widget.windowTitle()
    if isinstance(widget, QLabel | QAbstractButton):
        yield widget.text()
    elif isinstance(widget, QGroupBox):
        yield widget.title()
    elif isinstance(widget, QTabBar):
        for index in range(widget.count()):
            yield widget.tabText(index)
            yield widget.tabToolTip(index)
    elif isinstance(widget, QComboBox):
        for index in range(widget.count()):
            yield widget.itemText(index)
    elif isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit):
        yield widget.placeholderText()
    elif isinstance(widget, QListWidget):
        for row in range(widget.count()):
            yield widget.item(row).text()
    if isinstance(widget, QAbstractItemView):
        for _header, _column, title in _header_texts(widget):
            yield title
    for action in widget.actions():
        yield action.text()
        yield action.toolTip() if action.toolTip() != action.text().replace("&", "") else ""


def menu_texts(window: QMainWindow) -> Iterator[str]:
    def walk(menu: QMenu) -> Iterator[str]:
        yield menu.title()
        for action in menu.actions():
            yield action.text()
            if action.menu() is not None:
                yield from walk(action.menu())

    for action in window.menuBar().actions():
        if action.menu() is not None:
            yield from walk(action.menu())


def visible_widgets(root: QWidget) -> Iterator[QWidget]:
    yield root
    for child in root.findChildren(QWidget):
        if child.isVisible() and not child.property("shows_data"):
            yield child


def english_in(root: QWidget, where: str) -> list[Finding]:
    found: list[Finding] = []
    for widget in visible_widgets(root):
        for text in widget_texts(widget):
            if text and english_words(text):
                found.append(Finding(where, _name(widget), text))
    return found


def header_needs(header: QHeaderView, column: int) -> int:
    """Pixels the header section needs to show its title whole (with the style's
    margins and, on the sorted column, the sort arrow)."""
    option = QStyleOptionHeader()
    header.initStyleOption(option)
    model = header.model()
    option.section = column
    option.text = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
    if header.isSortIndicatorShown() and header.sortIndicatorSection() == column:
        option.sortIndicator = QStyleOptionHeader.SortIndicator.SortDown
    lines = option.text.splitlines() or [""]
    option.text = max(lines, key=lambda line: header.fontMetrics().horizontalAdvance(line))
    size = header.style().sizeFromContents(
        QStyle.ContentsType.CT_HeaderSection, option, header.fontMetrics().size(0, option.text)
    )
    return size.width()


def cut_headers(root: QWidget, where: str) -> list[Finding]:
    found: list[Finding] = []
    for widget in visible_widgets(root):
        if not isinstance(widget, QAbstractItemView):
            continue
        for header, column, title in _header_texts(widget):
            needs, has = header_needs(header, column), header.sectionSize(column)
            if has < needs:
                found.append(Finding(where, _name(widget), f"{title}（{has}px，需 {needs}px）"))
    return found


def settle() -> None:
    app = QApplication.instance()
    assert app is not None
    for _ in range(3):
        app.processEvents()


def visit_pages(window: QMainWindow) -> Iterator[str]:
    """Shows each page of the navigation in turn; yields its title while it is shown."""
    nav = window.nav  # type: ignore[attr-defined]
    for row in range(nav.count()):
        nav.setCurrentRow(row)
        settle()
        yield nav.item(row).text()


def all_findings(checks: Iterable[list[Finding]]) -> list[Finding]:
    return [finding for check in checks for finding in check]
