"""Workbooks of the credit workflows: a list for publication, and the 双公示 list.

The publication workbook leaves out what must not be public: entries not yet
published or already removed, review notes, statements, who proposed and reviewed;
persons appear by name and role only (never an ID number). A profile whose grades are
internal only (kundulun) says so on every sheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from safecredit_desktop.core.exchange.sheet_writing import (
    SERIAL,
    UNIT_NAME,
    ReportBook,
    day_text_column,
    numbered,
    unit_columns,
)
from safecredit_desktop.core.exchange.sheets import Column, Kind, chinese_date, code_column
from safecredit_desktop.core.workflows.lists import ListEntry
from safecredit_desktop.core.workflows.publicity import PublicityItem


def write_publication(
    path: Path,
    entries: Sequence[ListEntry],
    *,
    list_kind: str,
    bureau_name: str,
    notice: str | None,
    today: date,
    stages: tuple[str, ...] = ("公布",),
) -> Path:
    """The entries of a list at ``stages`` (公布; for an internal list, never published,
    the entries reviewed into it — the notice then says 不对外公布)."""
    title = f"{bureau_name}安全生产{list_kind}"
    published = [e for e in entries if e.stage in stages and e.list_kind == list_kind]
    subject = f"{list_kind}（{'公布' if '公布' in stages else '内部管理，不对外公布'}）"
    book = ReportBook(title, subject=subject, creator=bureau_name, notice=notice)
    book.table(
        list_kind,
        columns=unit_columns(
            Column("列入对象", Kind.TEXT, 16, 30),
            Column("列入事实", Kind.WRAP, 40, 80),
            day_text_column("公布日期"),
            day_text_column("期满日期"),
        ),
        rows=numbered(
            (
                e.uscc,
                e.unit_name,
                f"{e.person_name}（{e.person_role}）" if e.person_name else "单位",
                e.facts,
                e.published_on.isoformat() if e.published_on else "",
                e.ends_on.isoformat() if e.ends_on else "",
            )
            for e in published
        ),
        title=title,
        footer=((2, bureau_name), (7, chinese_date(today))),
    )
    return book.save(path)


def write_publicity(
    path: Path, items: Sequence[PublicityItem], *, bureau_name: str, today: date
) -> Path:
    title = f"{bureau_name}行政许可和行政处罚信息公示（双公示）"
    book = ReportBook(title, subject="双公示", creator=bureau_name)
    book.table(
        "双公示",
        columns=(
            SERIAL,
            Column("类别", Kind.CENTER, 10, 10),
            Column("决定书文号或许可证号", Kind.TEXT, 20, 36),
            code_column(),
            UNIT_NAME,
            Column("事由或许可类别", Kind.WRAP, 24, 50),
            day_text_column("决定日期"),
            day_text_column("应公示日期"),
            day_text_column("公示日期"),
            Column("状态", Kind.CENTER, 10, 12),
        ),
        rows=numbered(
            (
                i.kind,
                i.number,
                i.uscc,
                i.unit_name,
                i.title,
                i.decided_on.isoformat(),
                i.due_on.isoformat(),
                i.published_on.isoformat() if i.published_on else "",
                i.status(today),
            )
            for i in items
        ),
        title=title,
        footer=((2, bureau_name), (10, chinese_date(today))),
        auto_filter=True,
    )
    return book.save(path)
