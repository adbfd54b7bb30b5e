"""The registry (企业台账) as a lazily fetched table model.

``set_query`` loads the first page at once (so the count and the first rows come
together); further pages of :data:`PAGE` rows come through ``canFetchMore`` /
``fetchMore`` as the view scrolls. Sorting changes the query and reloads: the
database sorts (pinyin of the name by default), the model never sorts rows itself.

信用等级 is the live grade as of today (stored, core/grade_cache.py), written
``C（未确认）`` unless the newest confirmed annual assessment gives the unit that grade;
that assessment's grade is the last column, headed with its year (「2026年度评定」).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt

from safecredit_desktop.core import app as core
from safecredit_desktop.core.registry import SORT_KEYS, RegistryRow, SortKey, UnitQuery
from safecredit_desktop.gui.blocks.paged_model import PagedModel
from safecredit_desktop.gui.blocks.row_model import Column

PAGE = 500
Index = QModelIndex | QPersistentModelIndex
NO_GRADE = "—"


class UnitTableModel(PagedModel[RegistryRow]):
    (
        COL_NAME,
        COL_USCC,
        COL_CATEGORY,
        COL_TOWN,
        COL_MAIN_PERSON,
        COL_HIGH_RISK,
        COL_STD_LEVEL,
        COL_STATUS,
        COL_GRADE,
        COL_CONFIRMED,
    ) = range(10)

    SORT_KEYS: tuple[SortKey, ...] = SORT_KEYS  # one a column, in the columns' order
    ID_ROLE = Qt.ItemDataRole.UserRole

    def __init__(
        self,
        session: core.Session,
        parent: QObject | None = None,
        *,
        query: UnitQuery | None = None,
        page_size: int = PAGE,
    ) -> None:
        super().__init__(parent, page_size)
        self._session = session
        self._query = query or UnitQuery()
        self._total = 0
        yes, no = self.tr("是"), self.tr("否")
        self._not_confirmed = self.tr("（未确认）")
        self._columns: tuple[Column[RegistryRow], ...] = (  # in COL_ order
            Column(self.tr("单位名称"), lambda row: row.name),
            Column(self.tr("统一社会信用代码"), lambda row: row.uscc),
            Column(self.tr("行业类别"), lambda row: row.category),
            Column(self.tr("所在乡镇"), lambda row: row.town),
            Column(self.tr("主要负责人"), lambda row: row.main_person),
            Column(self.tr("高危行业"), lambda row: yes if row.high_risk else no),
            Column(self.tr("标准化等级"), lambda row: row.std_level),
            Column(self.tr("经营状态"), lambda row: row.status),
            Column(self.tr("信用等级"), self._grade_text),
            Column(self.tr("年度评定"), lambda row: row.confirmed_grade or NO_GRADE),
        )
        self._confirmed_year: int | None = None
        self._as_of: date | None = None
        self.reload()

    # -- the query ---------------------------------------------------------------------------

    @property
    def query(self) -> UnitQuery:
        return self._query

    @property
    def confirmed_year(self) -> int | None:
        """The year of the newest confirmed annual assessment (its column's header)."""
        return self._confirmed_year

    @property
    def grades_as_of(self) -> date | None:
        """The day the live grades hold for."""
        return self._as_of

    @property
    def total(self) -> int:
        """How many units match the query (the rows loaded so far may be fewer)."""
        return self._total

    def set_query(self, query: UnitQuery) -> None:
        self._query = query
        self.reload()

    def _read_first(self, limit: int) -> list[RegistryRow]:
        """The count is skipped when what was read holds every match."""
        first = self._session.units.query(self._query, 0, limit)
        self._confirmed_year = self._session.grading.confirmed_year()
        self._as_of = self._session.grading.live_as_of()
        if len(first) < limit:
            self._total = len(first)
        else:
            self._total = self._session.units.count_matching(self._query)
        return first

    def _read_page(self, offset: int) -> list[RegistryRow]:
        return self._session.units.query(self._query, offset, self._page_size)

    def _count(self) -> int:
        return self._total

    def _ran_out(self, offset: int) -> None:
        self._total = offset

    def _fetched(self, page: list[RegistryRow]) -> None:
        if len(page) < self._page_size:
            self._total = len(self._rows)

    def unit_id(self, row: int) -> int:
        return self._rows[row].id

    # -- Qt's model interface ------------------------------------------------------------------

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._columns[column].text(row)
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_NAME:
            return row.name
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_GRADE:
            return self._grade_tip(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            self.COL_HIGH_RISK,
            self.COL_STD_LEVEL,
            self.COL_STATUS,
            self.COL_GRADE,
            self.COL_CONFIRMED,
        ):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == self.ID_ROLE:
            return row.id
        return None

    def _grade_text(self, row: RegistryRow) -> str:
        if row.grade is None:
            return NO_GRADE
        return row.grade if row.confirmed else row.grade + self._not_confirmed

    def _basis(self) -> str:
        day = self._as_of.isoformat() if self._as_of else self.tr("今日")
        return self.tr("实时评定（截至 {day}）").format(day=day)

    def _grade_tip(self, row: RegistryRow) -> str:
        if row.grade is None:
            return self.tr("没有实时等级（如成立日期之前）")
        if row.confirmed:
            return self._basis() + self.tr("，与{confirmed_year}年度评定一致").format(
                confirmed_year=str(self._confirmed_year)
            )
        if self._confirmed_year is None:
            return self._basis() + self.tr("，尚无已确认的年度评定")
        if row.confirmed_grade is None:
            return self._basis() + self.tr("，{confirmed_year}年度评定未评定该企业").format(
                confirmed_year=str(self._confirmed_year)
            )
        return self._basis() + self.tr(
            "，{confirmed_year}年度评定（已确认）为 {confirmed_grade}"
        ).format(confirmed_year=str(self._confirmed_year), confirmed_grade=row.confirmed_grade)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section == self.COL_CONFIRMED and self._confirmed_year is not None:
                return self.tr("{confirmed_year}年度评定").format(
                    confirmed_year=str(self._confirmed_year)
                )
            return self._columns[section].title
        if role == Qt.ItemDataRole.ToolTipRole and section == self.COL_GRADE:
            return self._basis() + self.tr("；标“未确认”的，没有已确认的年度评定给出该等级")
        if role == Qt.ItemDataRole.ToolTipRole and section == self.COL_CONFIRMED:
            return self.tr("最近一次已确认的年度评定（评定基准日为上一年12月31日）")
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in the database by changing the query; a no-op if the order is unchanged."""
        if not 0 <= column < len(self.SORT_KEYS):
            return
        query = replace(
            self._query,
            sort=self.SORT_KEYS[column],
            descending=order == Qt.SortOrder.DescendingOrder,
        )
        if query != self._query:
            self.set_query(query)
