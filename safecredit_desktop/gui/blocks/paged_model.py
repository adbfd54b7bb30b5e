"""A table model whose rows the database reads a page at a time (the registry, the
record pages): ``reload`` reads the first page, or enough rows to keep a scroll
position; the view's scrolling asks for the next page through ``canFetchMore`` /
``fetchMore``. A model over it says how to read its first rows and a further page,
how many rows match, and shows the cells; it never sorts rows itself."""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex

Index = QModelIndex | QPersistentModelIndex


class HasId(Protocol):
    @property
    def id(self) -> int: ...


R = TypeVar("R", bound=HasId)


class PagedModel(QAbstractTableModel, Generic[R]):
    def __init__(self, parent: QObject | None, page_size: int) -> None:
        super().__init__(parent)
        self._page_size = page_size
        self._rows: list[R] = []

    # -- what a model over it says -------------------------------------------------------
    def _read_first(self, limit: int) -> list[R]:
        """The first ``limit`` rows (and whatever else a reload reads with them)."""
        raise NotImplementedError

    def _read_page(self, offset: int) -> list[R]:
        """The page of rows after the first ``offset``."""
        raise NotImplementedError

    def _count(self) -> int:
        """How many rows match (those loaded may be fewer)."""
        raise NotImplementedError

    def _ran_out(self, offset: int) -> None:
        """A page came back empty: rows were deleted meanwhile, only ``offset`` are left."""
        raise NotImplementedError

    def _fetched(self, page: list[R]) -> None:
        """A further page was added (nothing more to note by default)."""

    # -- reading -------------------------------------------------------------------------
    def reload(self, at_least: int = 0) -> None:
        """Re-read from the start: one page, or ``at_least`` rows (to keep a scroll position)."""
        limit = max(self._page_size, at_least)
        self.beginResetModel()
        try:
            self._rows = self._read_first(limit)
        finally:
            self.endResetModel()

    def row_of(self, row_id: int) -> int | None:
        """The loaded row showing ``row_id``, if it is loaded."""
        for number, row in enumerate(self._rows):
            if row.id == row_id:
                return number
        return None

    # -- Qt's model interface ------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and len(self._rows) < self._count()

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid():
            return
        offset = len(self._rows)
        page = self._read_page(offset)
        if not page:
            self._ran_out(offset)
            return
        self.beginInsertRows(QModelIndex(), offset, offset + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()
        self._fetched(page)
