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

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from safecredit_desktop.core import model
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.exchange.columns import SHEET_BY_TABLE
from safecredit_desktop.core.exchange.record_list import ListedRecord, RecordList
from safecredit_desktop.core.record_pages.kinds import PageColumn, RecordKind, kind_of
from safecredit_desktop.core.registry import search_condition
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.tables import from_row

# A unit-side filter keeping at most 1/_NARROW_SHARE of the units is counted units first;
# a page is read units first only when they are fewer still (1/_PAGE_NARROW_SHARE): the
# newest rows of a few percent of the county are found sooner walking the date index.
_NARROW_SHARE = 8
_PAGE_NARROW_SHARE = 50


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
    record_side: bool  # conditions on the records themselves (date, the kind's filters)


def _unit_conditions(filters: RecordFilters) -> tuple[list[str], list[object]]:
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
    return conditions, params


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
    record_side = bool(conditions)
    unit_conditions, unit_params = _unit_conditions(filters)
    conditions += unit_conditions
    params += unit_params
    return _Where(
        " AND ".join(conditions) or "1 = 1", tuple(params), bool(unit_conditions), record_side
    )


# How many units a unit-side filter keeps only chooses a plan, never the answer, so it is
# remembered (by the filter's text) instead of counted again for the page and its footer,
# for every scrolled page, after every save.
_share_seen: dict[tuple[object, ...], float] = {}


def _unit_share(db: Database, filters: RecordFilters) -> float:
    """The share of the county's units the unit-side filters keep (1.0: no such filter)."""
    conditions, params = _unit_conditions(filters)
    if not conditions:
        return 1.0
    found = _share_seen.get(_share_key(db, filters))
    if found is not None:
        return found
    matching = db.conn.execute(
        f"SELECT count(*) FROM units AS u WHERE {' AND '.join(conditions)}", params
    ).fetchone()[0]
    return _remember_share(db, filters, int(matching))


def _share_key(db: Database, filters: RecordFilters) -> tuple[object, ...]:
    return (id(db), filters.town, filters.reporter, filters.unit.strip())


def _remember_share(db: Database, filters: RecordFilters, matching: int) -> float:
    total = int(db.conn.execute("SELECT count(*) FROM units").fetchone()[0])
    share = matching / max(total, 1)
    if len(_share_seen) > 256:
        _share_seen.clear()
    _share_seen[_share_key(db, filters)] = share
    return share


def _unit_side_is_narrow(db: Database, filters: RecordFilters, *, share: int) -> bool:
    """Whether the unit-side filters keep at most 1/``share`` of the units (then the
    units lead the query)."""
    return _unit_share(db, filters) * share <= 1.0


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
    *,
    after: PageRow | None = None,
) -> list[PageRow]:
    """Rows ``offset`` … ``offset + limit - 1`` of the filtered records, in ``sort``'s order.

    ``after``: the last row already shown, in the date order (the default): the next rows
    are found from it through the date index (keyset), not by skipping ``offset`` rows, so
    the 250th page comes as fast as the first. Other orders skip rows."""
    kind = kind_of(table)
    where = _where(kind, filters)
    condition, params = where.sql, where.params
    if after is not None and (sort.key is None or sort.key == kind.date_key):
        beyond = "<" if sort.descending else ">"
        day = kind.date_sql
        condition += f" AND ({day} {beyond} ? OR ({day} = ? AND t.id {beyond} ?))"
        params = (*params, after.values[0], after.values[0], after.id)
        offset = 0
    units_first = where.unit_side and _unit_side_is_narrow(db, filters, share=_PAGE_NARROW_SHARE)
    selected = ", ".join(column.sql for column in kind.columns)
    statement = (
        f"SELECT t.id, t.unit_id, u.uscc, {selected} FROM {_source(kind, units_first=units_first)}"
        f" WHERE u.id = t.unit_id AND {condition} ORDER BY {_order(kind, sort)}"
        " LIMIT ? OFFSET ?"
    )
    rows = db.conn.execute(statement, (*params, max(limit, 0), max(offset, 0)))
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
    if kind.unit_totals and not where.record_side and not where.unit_side:
        sums = "".join(f", coalesce(sum(a.{s.key}), 0)" for s in kind.sums)
        statement = f"SELECT coalesce(sum(a.records), 0){sums} FROM {kind.unit_totals} AS a"
    elif kind.unit_totals and not where.record_side:
        # one pass over the units: their totals, and how many units match (the page's plan)
        sums = "".join(f", coalesce(sum(a.{s.key}), 0)" for s in kind.sums)
        row = db.conn.execute(
            f"SELECT coalesce(sum(a.records), 0){sums}, count(*) FROM units AS u"
            f" LEFT JOIN {kind.unit_totals} AS a ON a.unit_id = u.id WHERE {where.sql}",
            where.params,
        ).fetchone()
        _remember_share(db, filters, int(row[-1]))
        return _totals(kind, row[:-1])
    else:
        sums = "".join(f", coalesce(sum({s.sql}), 0)" for s in kind.sums)
        if where.unit_side:
            units_first = _unit_side_is_narrow(db, filters, share=_NARROW_SHARE)
            source = f"{_source(kind, units_first=units_first)} WHERE u.id = t.unit_id AND"
        else:
            source = f"{kind.table} AS t WHERE"
        statement = f"SELECT count(*){sums} FROM {source} {where.sql}"
    return _totals(kind, db.conn.execute(statement, where.params).fetchone())


def _totals(kind: RecordKind, row: Sequence[Any]) -> PageTotals:
    """(count, sum, …) read from the database → PageTotals."""
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
    units_first = where.unit_side and _unit_side_is_narrow(db, filters, share=_PAGE_NARROW_SHARE)
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
        cells = _record_cells(table, str(row["_uscc"]), record)
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


def _record_cells(table: str, uscc: str, record: Any) -> list[object]:
    """The template row of a record (data_export, loaded when first exported: it brings
    openpyxl, 0.1 s at start-up)."""
    from safecredit_desktop.core.exchange.data_export import record_cells

    return list(record_cells(table, uscc, record))
