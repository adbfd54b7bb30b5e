"""The county-wide record pages' query: filters, server-side sort, a page by offset and
limit, the count and footer sums over the whole filtered set, the filtered rows for
export.

SQL in the subset SQLite and PostgreSQL share (storage/dialect.py). Every expression
comes from the kind's definition (``kinds.py``); values typed by the clerk are always
parameters. The unit filter is the registry's own search (code, name, pinyin initials).

Speed at county scale (≈1,000,000 inspections of 100,000 units): the default order
(newest first) walks the date index from its end and stops after the page; a filter on
the unit's side (乡镇, 报送单位, the search) is answered from the units first when it keeps
few units (``_NARROW_SHARE``), else by walking the records in order and looking each
record's unit up. The count and sums read covering indexes (migration
``record_page_indexes``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from safecredit_desktop.core import model
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.exchange.columns import SHEET_BY_TABLE
from safecredit_desktop.core.exchange.data_export import record_cells
from safecredit_desktop.core.exchange.record_list import ListedRecord, RecordList
from safecredit_desktop.core.record_pages.kinds import PageColumn, RecordKind, kind_of
from safecredit_desktop.core.registry import search_condition
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.tables import from_row

# A unit-side filter keeping at most 1/_NARROW_SHARE of the units is answered units first.
_NARROW_SHARE = 20


@dataclass(frozen=True)
class RecordFilters:
    """What a record page shows: date range (of the record's own date, both ends
    included), 乡镇, the unit (the registry's search text), 报送单位 and the kind's own
    filters (``fields``: filter key → value; blank values are ignored)."""

    date_from: date | None = None
    date_to: date | None = None
    town: str | None = None
    unit: str = ""
    reporter: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)

    @property
    def has_unit_side(self) -> bool:
        return bool(self.town or self.reporter or self.unit.strip())


@dataclass(frozen=True)
class RecordSort:
    """The order: a column key of the kind (None: its date), newest/largest first when
    ``descending``. Ties are broken by the record's id in the same direction."""

    key: str | None = None
    descending: bool = True


@dataclass(frozen=True)
class PageRow:
    id: int
    unit_id: int
    uscc: str  # the unit's 统一社会信用代码
    values: tuple[object, ...]  # in the kind's column order, as shown (see _shown)


@dataclass(frozen=True)
class PageTotals:
    count: int
    sums: tuple[tuple[str, float], ...]  # (title, sum) per footer sum of the kind

    def sum_of(self, title: str) -> float:
        return dict(self.sums)[title]


@dataclass(frozen=True)
class _Where:
    sql: str
    params: tuple[object, ...]
    unit_side: bool  # needs the units joined


def _where(kind: RecordKind, filters: RecordFilters) -> _Where:
    conditions: list[str] = []
    params: list[object] = []
    if filters.date_from is not None:
        conditions.append(f"{kind.date_sql} >= ?")
        params.append(filters.date_from.isoformat())
    if filters.date_to is not None:
        conditions.append(f"{kind.date_sql} <= ?")
        params.append(filters.date_to.isoformat())
    for key, value in filters.fields.items():
        if value is None or str(value).strip() == "":
            continue
        try:
            spec = kind.filter(key)
        except KeyError:
            raise SafeCreditError(f"“{kind.title}”没有“{key}”这一筛选条件。") from None
        if spec.match == "contains":
            conditions.append(f"instr({spec.sql}, ?) > 0")
            params.append(str(value).strip())
        else:
            conditions.append(f"{spec.sql} = ?")
            params.append(str(value))
    unit_side = False
    if filters.town:
        conditions.append("u.town = ?")
        params.append(filters.town)
        unit_side = True
    if filters.reporter:
        conditions.append("u.reporter = ?")
        params.append(filters.reporter)
        unit_side = True
    found = search_condition(filters.unit)
    if found is not None:
        conditions.append(found[0])
        params.extend(found[1])
        unit_side = True
    return _Where(" AND ".join(conditions) or "1 = 1", tuple(params), unit_side)


def _unit_side_is_narrow(db: Database, filters: RecordFilters) -> bool:
    """Whether the unit-side filters keep few units (then they lead the query)."""
    conditions: list[str] = []
    params: list[object] = []
    if filters.town:
        conditions.append("u.town = ?")
        params.append(filters.town)
    if filters.reporter:
        conditions.append("u.reporter = ?")
        params.append(filters.reporter)
    found = search_condition(filters.unit)
    if found is not None:
        conditions.append(found[0])
        params.extend(found[1])
    if not conditions:
        return False
    matching = db.conn.execute(
        f"SELECT count(*) FROM units AS u WHERE {' AND '.join(conditions)}", params
    ).fetchone()[0]
    total = db.conn.execute("SELECT count(*) FROM units").fetchone()[0]
    return int(matching) * _NARROW_SHARE <= int(total)


def _source(kind: RecordKind, *, units_first: bool) -> str:
    """FROM: the records and their units. ``units_first`` puts the units in the outer
    loop; otherwise CROSS JOIN keeps SQLite walking the records (in the order's index)
    and looking each record's unit up (PostgreSQL plans either freely)."""
    if units_first:
        return f"units AS u CROSS JOIN {kind.table} AS t"
    return f"{kind.table} AS t CROSS JOIN units AS u"


def _order(kind: RecordKind, sort: RecordSort) -> str:
    column: PageColumn | None = None
    if sort.key is not None and sort.key != kind.date_key:
        try:
            column = kind.column(sort.key)
        except KeyError:
            raise SafeCreditError(f"“{kind.title}”不能按“{sort.key}”排序。") from None
    direction = " DESC" if sort.descending else ""
    if column is None:
        return f"{kind.date_sql}{direction}, t.id{direction}"
    return f"{column.order_sql}{direction}, {kind.date_sql} DESC, t.id{direction}"


def _shown(column: PageColumn, value: object) -> object:
    """A stored value as the page shows it: a violation kind by its name, a flag as 是/否."""
    if column.kind == "violation_kind" and value is not None:
        found = model.VIOLATION_KIND_BY_CODE.get(str(value))
        return found.name if found else value
    if column.kind == "flag":
        return "是" if value else "否"
    return value


def page(
    db: Database,
    table: str,
    filters: RecordFilters,
    sort: RecordSort,
    offset: int,
    limit: int,
) -> list[PageRow]:
    """Rows ``offset`` … ``offset + limit - 1`` of the filtered records, in ``sort``'s order."""
    kind = kind_of(table)
    where = _where(kind, filters)
    units_first = where.unit_side and _unit_side_is_narrow(db, filters)
    selected = ", ".join(column.sql for column in kind.columns)
    statement = (
        f"SELECT t.id, t.unit_id, u.uscc, {selected} FROM {_source(kind, units_first=units_first)}"
        f" WHERE u.id = t.unit_id AND {where.sql} ORDER BY {_order(kind, sort)}"
        " LIMIT ? OFFSET ?"
    )
    rows = db.conn.execute(statement, (*where.params, max(limit, 0), max(offset, 0)))
    return [
        PageRow(
            int(r[0]),
            int(r[1]),
            str(r[2]),
            tuple(_shown(c, v) for c, v in zip(kind.columns, r[3:], strict=True)),
        )
        for r in rows
    ]


def totals(db: Database, table: str, filters: RecordFilters) -> PageTotals:
    """How many records match and the kind's footer sums over all of them."""
    kind = kind_of(table)
    where = _where(kind, filters)
    sums = "".join(f", coalesce(sum({s.sql}), 0)" for s in kind.sums)
    if where.unit_side:
        units_first = _unit_side_is_narrow(db, filters)
        source = f"{_source(kind, units_first=units_first)} WHERE u.id = t.unit_id AND"
    else:
        source = f"{kind.table} AS t WHERE"
    row = db.conn.execute(
        f"SELECT count(*){sums} FROM {source} {where.sql}", where.params
    ).fetchone()
    values = tuple(
        (s.title, float(v) if s.kind == "amount" else int(v))
        for s, v in zip(kind.sums, row[1:], strict=True)
    )
    return PageTotals(int(row[0]), values)


def records(
    db: Database, table: str, filters: RecordFilters, sort: RecordSort
) -> Iterator[ListedRecord]:
    """Every filtered record in ``sort``'s order, as its row of the import template."""
    kind = kind_of(table)
    where = _where(kind, filters)
    units_first = where.unit_side and _unit_side_is_narrow(db, filters)
    cursor = db.conn.execute(
        f"SELECT t.*, u.uscc AS _uscc, u.name AS _name"
        f" FROM {_source(kind, units_first=units_first)}"
        f" WHERE u.id = t.unit_id AND {where.sql} ORDER BY {_order(kind, sort)}",
        where.params,
    )
    names = [d[0] for d in cursor.description]
    sheet = SHEET_BY_TABLE[table]
    for values in cursor:
        row: dict[str, Any] = dict(zip(names, values, strict=True))
        record = from_row(sheet.record, row)
        cells = record_cells(table, str(row["_uscc"]), record)
        yield ListedRecord(int(row["id"]), str(row["_name"]), tuple(cells))


def listing(db: Database, table: str, filters: RecordFilters, sort: RecordSort) -> RecordList:
    """The filtered records as a RecordList (``exchange/record_list.py`` writes it as
    that sheet of the import template)."""
    return RecordList(SHEET_BY_TABLE[table], tuple(records(db, table, filters, sort)))


def filter_choices(db: Database) -> tuple[list[str], list[str]]:
    """(乡镇, 报送单位) present in the registry, for the filter lists (pinyin order)."""
    from safecredit_desktop.core.pinyin_index import search_keys
    from safecredit_desktop.core.registry import filter_choices as registry_choices

    towns = registry_choices(db)[1]
    reporters = sorted(
        (str(r[0]) for r in db.conn.execute("SELECT DISTINCT reporter FROM units") if r[0]),
        key=lambda text: (search_keys(text)[1], text),
    )
    return towns, reporters
