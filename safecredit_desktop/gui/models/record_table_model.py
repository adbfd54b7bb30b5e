"""The records of one kind across the county (a record page) as a lazily fetched table.

``set_filters`` reads the first page, the count and the footer sums at once; further
pages of :data:`PAGE` rows come through ``canFetchMore`` / ``fetchMore`` as the view
scrolls. Clicking a header asks the core for that order (``sort``); the model never
sorts rows itself.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt

from safecredit_desktop.core import app as core
from safecredit_desktop.core.record_pages import (
    PageRow,
    PageTotals,
    RecordFilters,
    RecordKind,
    RecordSort,
    kind_of,
)
from safecredit_desktop.gui.blocks.paged_model import PagedModel

PAGE = 200
Index = QModelIndex | QPersistentModelIndex
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def number_text(value: object, kind: str, decimals: int | None = None) -> str:
    """A count as 1,234; an amount with ``decimals`` decimals, or (None) two unless
    whole (20,000 / 5,000.50)."""
    if value is None or value == "":
        return ""
    number = float(value)  # type: ignore[arg-type]
    if kind == "amount" and decimals is not None:
        return f"{number:,.{decimals}f}"
    if kind == "amount" and not number.is_integer():
        return f"{number:,.2f}"
    return f"{int(number):,}"


class RecordTableModel(PagedModel[PageRow]):
    ID_ROLE = Qt.ItemDataRole.UserRole
    UNIT_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(
        self,
        session: core.Session,
        kind: str,
        parent: QObject | None = None,
        *,
        page_size: int = PAGE,
    ) -> None:
        super().__init__(parent, page_size)
        self._session = session
        self.kind: RecordKind = kind_of(kind)
        self._filters = RecordFilters()
        self._sort = RecordSort()
        self._totals = PageTotals(0, tuple((s.title, 0) for s in self.kind.sums))
        self._loaded = False

    # -- the query ---------------------------------------------------------------------------

    @property
    def filters(self) -> RecordFilters:
        return self._filters

    @property
    def sort_order(self) -> RecordSort:
        return self._sort

    @property
    def totals(self) -> PageTotals:
        """The count and the footer sums over every filtered record."""
        return self._totals

    @property
    def loaded(self) -> bool:
        return self._loaded

    def set_filters(self, filters: RecordFilters) -> None:
        self._filters = filters
        self.reload()

    def _read_first(self, limit: int) -> list[PageRow]:
        records = self._session.records
        # the footer first: its pass over the units also tells the page's plan
        self._totals = records.page_totals(self.kind.table, self._filters)
        first = records.page(self.kind.table, self._filters, self._sort, 0, limit)
        self._loaded = True
        return first

    def _read_page(self, offset: int) -> list[PageRow]:
        return self._session.records.page(
            self.kind.table,
            self._filters,
            self._sort,
            offset,
            self._page_size,
            after=self._rows[-1] if self._rows else None,
        )

    def _count(self) -> int:
        return self._totals.count

    def _ran_out(self, offset: int) -> None:
        self._totals = PageTotals(offset, self._totals.sums)

    def row(self, number: int) -> PageRow:
        return self._rows[number]

    def column_of(self, key: str) -> int:
        return [c.key for c in self.kind.columns].index(key)

    # -- Qt's model interface ------------------------------------------------------------------

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.kind.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self.kind.columns[index.column()]
        value = row.values[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if column.kind in ("count", "amount"):
                return number_text(value, column.kind, column.decimals)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ToolTipRole and column.key == "unit_name":
            return self.tr("{name}\n统一社会信用代码：{uscc}").format(name=value, uscc=row.uscc)
        if (
            role == Qt.ItemDataRole.ToolTipRole
            and column.kind in ("text", "violation_kind")
            and value
        ):
            return str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.kind in ("count", "amount"):
            return _RIGHT
        if role == self.ID_ROLE:
            return row.id
        if role == self.UNIT_ROLE:
            return row.unit_id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.kind.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.kind.columns[section].title
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in the database; a no-op if the order is unchanged."""
        if not 0 <= column < len(self.kind.columns):
            return
        key = self.kind.columns[column].key
        wanted = RecordSort(
            None if key == self.kind.date_key else key,
            descending=order == Qt.SortOrder.DescendingOrder,
        )
        if wanted != self._sort:
            self._sort = wanted
            if self._loaded:
                self.reload()
