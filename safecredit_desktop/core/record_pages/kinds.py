"""What each county-wide record page shows: its columns, filters and footer sums, as data.

One ``RecordKind`` per record table a clerk types in from paper (执法检查, 生产安全事故,
行政处罚, 失信行为, 承诺书, 表彰). Column titles are the entry form's labels
(core/forms.py), so the page, the form and the import template say the same words.
Every column is an SQL expression over ``<table> AS t JOIN units AS u``; the query
(``query.py``) selects, filters and sorts by these expressions only, never by text
from outside.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeVar

from safecredit_desktop.core import model
from safecredit_desktop.core.forms import FORMS

ColumnKind = Literal["text", "date", "count", "amount", "flag", "violation_kind"]
FilterMatch = Literal["equal", "contains"]


@dataclass(frozen=True)
class PageColumn:
    """One column of a record page: ``sql`` is selected, ``sort_sql`` (default ``sql``)
    orders by it."""

    key: str
    title: str
    sql: str
    kind: ColumnKind = "text"
    sort_sql: str = ""
    decimals: int | None = None  # an amount: always this many decimals (None: 2 unless whole)

    @property
    def order_sql(self) -> str:
        return self.sort_sql or self.sql


@dataclass(frozen=True)
class PageFilter:
    """A filter of one kind: a choice compared for equality, or text the column contains."""

    key: str
    title: str
    sql: str
    match: FilterMatch = "equal"
    choices: tuple[tuple[str, str], ...] = ()  # (shown, stored) for an equal match


@dataclass(frozen=True)
class PageSum:
    """A footer sum over the whole filtered set."""

    key: str
    title: str
    sql: str
    kind: Literal["count", "amount"] = "count"


_Keyed = TypeVar("_Keyed", PageColumn, PageFilter)


def _with_key(items: tuple[_Keyed, ...], key: str) -> _Keyed:
    """The item whose ``key`` is ``key``; KeyError if there is none."""
    found = next((item for item in items if item.key == key), None)
    if found is None:
        raise KeyError(key)
    return found


@dataclass(frozen=True)
class RecordKind:
    table: str
    title: str  # the page's and the template sheet's name
    date_key: str  # the record's date: the date-range filter, the default order (newest first)
    columns: tuple[PageColumn, ...]
    filters: tuple[PageFilter, ...] = ()
    sums: tuple[PageSum, ...] = ()
    stretch: str = "unit_name"  # the long text column: it takes the page's spare width
    # A table of each unit's records counted (``records``) and summed (a column per sum,
    # named by its key), kept by triggers: the footer of a page filtered by units only.
    unit_totals: str = ""

    def column(self, key: str) -> PageColumn:
        return _with_key(self.columns, key)

    def filter(self, key: str) -> PageFilter:
        return _with_key(self.filters, key)

    @property
    def date_sql(self) -> str:
        return f"t.{self.date_key}"


def _label(table: str, key: str) -> str:
    return FORMS[table].field(key).label


def _own(
    table: str, key: str, kind: ColumnKind = "text", *, title: str = "", decimals: int | None = None
) -> PageColumn:
    """A column of the record itself, titled by the form's label (or a shorter ``title``
    where the label is much wider than the values, so a 1366-pixel screen holds the row)."""
    return PageColumn(key, title or _label(table, key), f"t.{key}", kind, decimals=decimals)


UNIT_NAME = PageColumn("unit_name", "单位名称", "u.name", sort_sql="u.name_pinyin")
UNIT_TOWN = PageColumn("town", "所在乡镇", "u.town")
# The unit's 统一社会信用代码 is not a column (a row of 12 columns would not fit a 1366-pixel
# screen); every row carries it (PageRow.uscc), shown with the unit's name, and the unit
# filter finds units by it.


def _choices(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((value, value) for value in values)


def _with_unit(table: str, date_key: str, *rest: PageColumn) -> tuple[PageColumn, ...]:
    return (_own(table, date_key, "date"), UNIT_NAME, UNIT_TOWN, *rest)


INSPECTIONS = RecordKind(
    "inspections",
    "执法检查",
    "inspected_on",
    _with_unit(
        "inspections",
        "inspected_on",
        _own("inspections", "method"),
        _own("inspections", "inspectors"),
        _own("inspections", "hazards", "count", title="隐患数"),
        _own("inspections", "major_hazards", "count", title="重大隐患"),
        _own("inspections", "rectify_deadline", "date"),
        _own("inspections", "rectified_on", "date", title="整改完成"),
        _own("inspections", "doc_no"),
        _own("inspections", "note"),
    ),
    filters=(
        PageFilter(
            "method", "检查方式", "t.method", choices=_choices(tuple(model.InspectionMethod))
        ),
        PageFilter("inspectors", "执法人员", "t.inspectors", match="contains"),
    ),
    sums=(
        PageSum("hazards", "隐患数", "t.hazards"),
        PageSum("major_hazards", "重大隐患数", "t.major_hazards"),
    ),
    unit_totals="inspection_unit_totals",
)

ACCIDENTS = RecordKind(
    "accidents",
    "生产安全事故",
    "occurred_on",
    _with_unit(
        "accidents",
        "occurred_on",
        _own("accidents", "accident_no"),
        _own("accidents", "grade"),
        _own("accidents", "deaths", "count"),
        _own("accidents", "serious_injuries", "count"),
        _own("accidents", "loss_wan", "amount", title="经济损失(万元)", decimals=2),
        _own("accidents", "responsible"),
        PageColumn("needs_review", "待核实", "t.needs_review", "flag"),
        _own("accidents", "note"),
    ),
    filters=(
        PageFilter(
            "grade",
            "事故等级",
            "t.grade",
            choices=_choices(tuple(g.value for g in model.ACCIDENT_GRADE_ORDER)),
        ),
    ),
    sums=(
        PageSum("deaths", "死亡人数", "t.deaths"),
        PageSum("serious_injuries", "重伤人数", "t.serious_injuries"),
        PageSum("loss_wan", "直接经济损失(万元)", "t.loss_wan", "amount"),
    ),
)

PENALTIES = RecordKind(
    "penalties",
    "行政处罚",
    "decided_on",
    _with_unit(
        "penalties",
        "decided_on",
        _own("penalties", "doc_no"),
        _own("penalties", "department"),
        _own("penalties", "reason"),
        _own("penalties", "fine_yuan", "amount"),
        _own("penalties", "published_on", "date"),
    ),
    filters=(
        PageFilter(
            "department",
            "处罚部门",
            "t.department",
            choices=_choices(tuple(model.PenaltyDepartment)),
        ),
    ),
    sums=(PageSum("fine_yuan", "罚款金额", "t.fine_yuan", "amount"),),
    stretch="reason",
)

VIOLATIONS = RecordKind(
    "violations",
    "失信行为",
    "occurred_on",
    _with_unit(
        "violations",
        "occurred_on",
        _own("violations", "kind", "violation_kind"),
        _own("violations", "subject"),
        _own("violations", "person_name"),
        _own("violations", "basis_doc"),
        _own("violations", "note"),
    ),
    filters=(
        PageFilter(
            "kind",
            "行为类型",
            "t.kind",
            choices=tuple((k.name, k.code) for k in model.VIOLATION_KINDS),
        ),
    ),
    stretch="kind",
)

COMMITMENTS = RecordKind(
    "commitments",
    "承诺书",
    "signed_on",
    _with_unit(
        "commitments",
        "signed_on",
        _own("commitments", "type"),
        _own("commitments", "signer"),
        _own("commitments", "withdrawn_on", "date"),
    ),
    filters=(
        PageFilter("type", "承诺类型", "t.type", choices=_choices(tuple(model.CommitmentType))),
    ),
)

HONOURS = RecordKind(
    "honours",
    "表彰",
    "honoured_on",
    _with_unit(
        "honours",
        "honoured_on",
        _own("honours", "level"),
        _own("honours", "type"),
        _own("honours", "title"),
    ),
    filters=(
        PageFilter("level", "表彰级别", "t.level", choices=_choices(tuple(model.HonourLevel))),
        PageFilter("type", "表彰类型", "t.type", choices=_choices(tuple(model.HonourType))),
    ),
    stretch="title",
)

KINDS: dict[str, RecordKind] = {
    kind.table: kind
    for kind in (INSPECTIONS, ACCIDENTS, PENALTIES, VIOLATIONS, COMMITMENTS, HONOURS)
}
"""The record pages, by record table."""


def kind_of(table: str) -> RecordKind:
    """The record page of ``table``; an unknown table is refused in Chinese."""
    from safecredit_desktop.core.errors import SafeCreditError

    try:
        return KINDS[table]
    except KeyError:
        known = "、".join(KINDS)
        raise SafeCreditError(f"没有“{table}”这类记录；可用：{known}。") from None
