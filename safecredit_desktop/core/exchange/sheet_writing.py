"""Building blocks of the report workbooks (统计表, 名单, 计划, 抽查结果, 公示…).

Every report is a ``ReportBook``: a write-only workbook whose document properties carry
the report's title and basis, its tables written with ``sheets.write_table``, a 说明
sheet ending with 生成时间, and a safe save. A list of units starts with the same three
columns (``unit_columns``: 序号, 统一社会信用代码, 单位名称) and numbers its rows from 1
(``numbered``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from safecredit_desktop.core.exchange.sheets import (
    Column,
    Kind,
    TableLayout,
    chinese_date,
    code_column,
    new_workbook,
    save_workbook,
    set_properties,
    write_notes,
    write_table,
)
from safecredit_desktop.core.rules.profile import Profile

SERIAL = Column("序号", Kind.CENTER, 6, 8)
UNIT_NAME = Column("单位名称", Kind.TEXT, 24, 40)
CATEGORY = Column("行业类别", Kind.TEXT, 10, 22)
TOWN = Column("所在乡镇", Kind.TEXT, 10, 16)
GRADE_SHOWN = Column("信用等级", Kind.CENTER, 14, 24)  # as the profile shows it: A级（一级）
NOTES_SHEET = "说明"


def unit_columns(*more: Column, name: Column = UNIT_NAME) -> tuple[Column, ...]:
    """序号, 统一社会信用代码, 单位名称 (or a form's own ``name`` column), then ``more``:
    how a list of units begins."""
    return (SERIAL, code_column(), name, *more)


def date_column(header: str) -> Column:
    """A column of Excel dates (yyyy-mm-dd)."""
    return Column(header, Kind.DATE, 13, 14)


def day_text_column(header: str) -> Column:
    """A centred column of days written as text (2026-11-21), blank where there is none."""
    return Column(header, Kind.CENTER, 12, 12)


def numbered(rows: Iterable[Sequence[object]]) -> list[tuple[object, ...]]:
    """``rows`` with the 序号 (1, 2, …) in front of each."""
    return [(number, *row) for number, row in enumerate(rows, start=1)]


def report_notice(profile: Profile) -> str | None:
    """The profile's internal-use notice for every sheet of a report, or None."""
    return profile.internal_notice if profile.internal_only else None


class ReportBook:
    """One report workbook: properties set at the start, sheets in the order written,
    each carrying the internal-use ``notice`` (if any) above its table and in its
    page header."""

    def __init__(
        self, title: str, *, subject: str, creator: str, notice: str | None = None
    ) -> None:
        self.title = title
        self.notice = notice
        self.wb = new_workbook()
        set_properties(self.wb, title=title, subject=subject, creator=creator)

    def table(self, sheet_name: str, **layout: Any) -> TableLayout:
        """A table sheet; ``layout`` as ``sheets.write_table`` takes it (columns, rows…)."""
        return write_table(self.wb, sheet_name, notice=self.notice, **layout)

    def notes(
        self,
        items: Iterable[tuple[str, str]],
        *,
        today: date,
        sheet_name: str = NOTES_SHEET,
    ) -> TableLayout:
        """The 说明 sheet ``{title}说明``: 使用范围 first under an internal-use notice,
        then ``items``, then 生成时间 ``today``."""
        notice = self.notice
        scope = [("使用范围", notice)] if notice else []
        return write_notes(
            self.wb,
            sheet_name,
            title=f"{self.title}说明",
            items=[*scope, *items, ("生成时间", chinese_date(today))],
            notice=notice,
        )

    def save(self, path: Path) -> Path:
        return save_workbook(self.wb, path)
