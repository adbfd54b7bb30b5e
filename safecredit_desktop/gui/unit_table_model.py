"""The unit list as a lazily fetched table model (rows come in pages of 500)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from safecredit_desktop.core import services

PAGE = 500
Index = QModelIndex | QPersistentModelIndex


class UnitTableModel(QAbstractTableModel):
    COL_USCC, COL_NAME, COL_CATEGORY, COL_TOWN, COL_STATUS = range(5)

    def __init__(self, session: services.Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._rows: list[services.UnitListRow] = []
        self._total = services.count_units(session)
        self._headers = [
            self.tr("统一社会信用代码"),
            self.tr("单位名称"),
            self.tr("行业类别"),
            self.tr("所在乡镇"),
            self.tr("经营状态"),
        ]

    @property
    def total(self) -> int:
        return self._total

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index) -> None:
        page = services.list_units(self._session, limit=PAGE, offset=len(self._rows))
        if not page:
            self._total = len(self._rows)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        row = self._rows[index.row()]
        return (row.uscc, row.name, row.category, row.town, row.status)[index.column()]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None
