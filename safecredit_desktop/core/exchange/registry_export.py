"""企业台账 as a workbook: the units a registry query matches, in its order.

One sheet 企业台账 (title, the filters and the grade basis above the table, the header
row frozen and printed on every page, codes as text, A4 landscape) written streaming,
a page of rows at a time, so 100,000 units take seconds. The 信用等级 column is the
live grade as of the day the stored grades hold for, marked （未确认） where no
confirmed annual assessment gives the unit that grade; the newest confirmed
assessment's grade is its own column, headed with its year.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from safecredit_desktop.core import registry
from safecredit_desktop.core.exchange.sheet_writing import ReportBook, report_notice
from safecredit_desktop.core.exchange.sheets import Column, Kind, Line, code_column
from safecredit_desktop.core.exchange.sheets import chinese_date as _chinese_date
from safecredit_desktop.core.registry import RegistryRow, UnitQuery
from safecredit_desktop.core.rules.profile import Profile
from safecredit_desktop.core.storage.connection import Database

__all__ = ["NOT_CONFIRMED", "SHEET", "grade_text", "query_text", "write_registry"]

SHEET = "企业台账"
NOT_CONFIRMED = "（未确认）"
NO_GRADE = "—"
_PAGE = 5_000


def grade_text(row: RegistryRow) -> str:
    """``C`` when the newest confirmed assessment gives the unit its live grade, else
    ``C（未确认）``; ``—`` for a unit without a live grade."""
    if row.grade is None:
        return NO_GRADE
    return row.grade if row.confirmed else row.grade + NOT_CONFIRMED


def query_text(query: UnitQuery, confirmed_year: int | None) -> str:
    """The search and filters of ``query`` as a sentence (``全部企业`` without any)."""
    parts = []
    if query.search.strip():
        parts.append(f"搜索“{query.search.strip()}”")
    for label, value in (
        ("行业类别", query.category),
        ("所在乡镇", query.town),
        ("信用等级", query.grade),
        ("经营状态", query.status),
    ):
        if value is not None:
            parts.append(f"{label}：{value}")
    if query.confirmed_grade is not None and confirmed_year is not None:
        parts.append(f"{confirmed_year}年度评定：{query.confirmed_grade}")
    if query.high_risk is not None:
        parts.append(f"高危行业：{'是' if query.high_risk else '否'}")
    return "筛选条件：" + "；".join(parts) if parts else "筛选条件：全部企业"


def write_registry(
    db: Database,
    path: Path,
    query: UnitQuery,
    profile: Profile,
    *,
    bureau_name: str,
    today: date,
) -> Path:
    """Write the units ``query`` matches to ``path`` (.xlsx); returns the path."""
    high_risk = profile.high_risk_categories
    rows: list[RegistryRow] = []
    while True:
        page = registry.fetch_units(db, query, len(rows), _PAGE, high_risk)
        rows.extend(page)
        if len(page) < _PAGE:
            break
    year = registry.latest_confirmed_year(db)
    as_of = registry.live_grades_as_of(db) or today
    columns = [
        Column("序号", Kind.NUMBER, 5, 8),
        Column("单位名称", Kind.TEXT, 16, 40),
        code_column(),
        Column("行业类别", Kind.TEXT, 8, 24),
        Column("所在乡镇", Kind.TEXT, 8, 16),
        Column("主要负责人", Kind.TEXT, 8, 12),
        Column("高危行业", Kind.CENTER, 6, 8),
        Column("标准化等级", Kind.CENTER, 8, 10),
        Column("经营状态", Kind.CENTER, 8, 10),
        Column(f"信用等级（截至{_chinese_date(as_of)}）", Kind.CENTER, 12, 16),
    ]
    if year is not None:
        columns.append(Column(f"{year}年度评定", Kind.CENTER, 10, 12))
    values: list[list[object]] = []
    for number, row in enumerate(rows, start=1):
        cells: list[object] = [
            number,
            row.name,
            row.uscc,
            row.category,
            row.town,
            row.main_person,
            "是" if row.high_risk else "否",
            row.std_level,
            row.status,
            grade_text(row),
        ]
        if year is not None:
            cells.append(row.confirmed_grade or NO_GRADE)
        values.append(cells)
    basis = f"信用等级为截至{_chinese_date(as_of)}的实时评定，标“未确认”的，" + (
        f"与{year}年度评定（已确认）的等级不同或该年度未评定该企业。"
        if year is not None
        else "尚无已确认的年度评定。"
    )
    title = f"{bureau_name}企业台账"
    book = ReportBook(title, subject=basis, creator=bureau_name, notice=report_notice(profile))
    book.table(
        SHEET,
        columns=columns,
        rows=values,
        title=title,
        lines=(
            Line(f"{query_text(query, year)}；共 {len(rows):,} 家"),
            Line(basis),
            Line(f"导出日期：{_chinese_date(today)}"),
        ),
        auto_filter=True,
    )
    return book.save(path)
