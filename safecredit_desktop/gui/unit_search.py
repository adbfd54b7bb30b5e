"""Finding one unit by name, code or pinyin initials: the search box with its list that
the workflow pages and their dialogs share."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.gui.operations import operation

ID_ROLE = Qt.ItemDataRole.UserRole
DEBOUNCE_MS = 250  # the search runs this long after the last keystroke
SEARCH_LIMIT = 200


class UnitSearch(QWidget):
    """Find one unit by name, code or pinyin initials; ``selected()`` is (id, code, name)."""

    unit_changed = Signal()

    def __init__(self, session: core.Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("企业名称、统一社会信用代码或拼音首字母"))
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setMinimumHeight(110)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        self.search.textChanged.connect(lambda _text: self._timer.start())
        self._timer.timeout.connect(self.run_search)
        self.list.currentRowChanged.connect(lambda _row: self.unit_changed.emit())
        self.run_search()

    @operation(title="查找企业")
    def run_search(self) -> None:
        self._timer.stop()
        chosen = self.selected()
        rows = self.session.units.search(self.search.text().strip(), SEARCH_LIMIT)
        self.list.blockSignals(True)
        self.list.clear()
        for unit_id, uscc, name in rows:
            item = QListWidgetItem(f"{name}（{uscc}）", self.list)
            item.setData(ID_ROLE, (unit_id, uscc, name))
        self.list.blockSignals(False)
        if chosen is None or not self.select_unit(chosen[0]):
            self.list.setCurrentRow(-1)
            self.unit_changed.emit()

    def selected(self) -> tuple[int, str, str] | None:
        item = self.list.currentItem()
        if item is None or not item.isSelected():
            return None
        unit_id, uscc, name = item.data(ID_ROLE)
        return int(unit_id), str(uscc), str(name)

    def select_unit(self, unit_id: int) -> bool:
        """Choose ``unit_id`` if it is listed (search its code first if it is not)."""
        for row in range(self.list.count()):
            if int(self.list.item(row).data(ID_ROLE)[0]) == unit_id:
                self.list.setCurrentRow(row)
                self.list.item(row).setSelected(True)
                return True
        return False
