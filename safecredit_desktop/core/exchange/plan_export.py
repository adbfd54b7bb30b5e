"""年度执法检查计划 workbook (workbook.md "Exports"): one row per unit and due date.

Sheets: 检查计划 (per planned inspection: code, name, town, category, grade, high-risk,
last inspection, window, due date, suggested month, enforcement body (检查组), status,
remarks), 月度安排 (county inspections per month against the capacity, and what cannot
fit), 说明. A4 landscape, header row repeated and frozen, codes as text, and the
profile's internal-use notice on every sheet and page header (kundulun) — all through
``sheets.write_table``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from safecredit_desktop.core.exchange import sheet_writing
from safecredit_desktop.core.exchange.sheets import Column, Kind, Line
from safecredit_desktop.core.rules.profile import GRADE_LETTERS, Profile
from safecredit_desktop.core.scheduling.plan import (
    CANNOT_FIT_NOTE,
    Plan,
)

PLAN_TITLE = "年度执法检查计划"
MONTH_COLUMNS = (
    Column("月份", Kind.CENTER, 8, 10),
    Column("本级计划检查（次）", Kind.NUMBER, 12, 20),
    Column("每月检查能力（次）", Kind.NUMBER, 12, 20),
)
"""月度安排: the county's inspections per month against the capacity."""


def write_plan(
    path: Path, plan: Plan, *, profile: Profile, bureau_name: str, today: date | None = None
) -> Path:
    title = f"{bureau_name}{plan.year}年{PLAN_TITLE}"
    capacity = "不限" if plan.capacity is None else f"每月{plan.capacity}次"
    adopted = "草稿，尚未采用" if plan.adopted is None else plan.adopted.describe()
    lines = (
        Line(f"等级依据：{plan.basis}；检查能力：{capacity}；{adopted}", centered=True),
        Line(f"编制单位：{bureau_name}"),
    )
    rows = sheet_writing.numbered(
        (
            i.uscc,
            i.name,
            i.town,
            i.category,
            profile.grade_display(i.grade),
            "是" if i.high_risk else "否",
            i.last_inspection,
            i.window_text(),
            i.due_on,
            f"{i.suggested_month}月",
            i.body,
            i.status_text(),
            i.remarks(),
        )
        for i in plan.items
    )
    columns = sheet_writing.unit_columns(
        sheet_writing.TOWN,
        sheet_writing.CATEGORY,
        sheet_writing.GRADE_SHOWN,
        Column("高危行业", Kind.CENTER, 8, 10),
        sheet_writing.date_column("上次检查"),
        Column("检查时段", Kind.TEXT, 14, 26),
        sheet_writing.date_column("到期日"),
        Column("建议月份", Kind.CENTER, 8, 10),
        Column("执法主体（检查组）", Kind.TEXT, 14, 30),
        Column("状态", Kind.TEXT, 10, 24),
        Column("备注", Kind.WRAP, 8, 36),
    )
    book = sheet_writing.ReportBook(
        title,
        subject=plan.basis,
        creator=bureau_name,
        notice=sheet_writing.report_notice(profile),
    )
    book.table(
        "检查计划",
        columns=columns,
        rows=rows,
        title=title,
        lines=lines,
        auto_filter=True,
    )

    loads = plan.month_loads()
    month_rows: list[tuple[object, ...]] = [
        (f"{m}月", loads[m - 1], "" if plan.capacity is None else plan.capacity)
        for m in range(1, 13)
    ]
    cannot = plan.cannot_fit
    month_rows.append(("合计", sum(loads), ""))
    footer: list[tuple[int, str]] = []
    if cannot:
        footer.append((1, f"无法安排{len(cannot)}次：见“检查计划”表备注“{CANNOT_FIT_NOTE}”"))
    book.table(
        "月度安排",
        columns=MONTH_COLUMNS,
        rows=month_rows,
        title=f"{title}月度安排",
        lines=lines[:1],
        footer=footer,
        bold_last_row=True,
        landscape=False,
    )

    counts = plan.counts_by_grade()
    units = plan.units_by_grade()
    grade_line = "，".join(
        f"{profile.grade_display(g)}{units.get(g, 0)}家{counts.get(g, 0)}次" for g in GRADE_LETTERS
    )
    status_line = "，".join(f"{k}{v}次" for k, v in plan.counts_by_status().items())
    notes: list[tuple[str, str]] = [
        ("编制单位", bureau_name),
        ("计划年度", f"{plan.year}年"),
        ("采用", adopted),
        ("等级依据", f"{plan.basis}（{plan.as_of.isoformat()}的等级）"),
        ("信用规则", profile.title),
        ("计划检查", f"共{len(plan.items)}次：{grade_line}"),
        ("完成情况", f"截至{plan.today.isoformat()}：{status_line}"),
        (
            "检查频次",
            "按信用等级的检查间隔安排：间隔3个月的每季度一次，6个月的每半年一次，12个月的全年一次，"
            "24个月的在当年到期时安排一次；高危行业企业每年至少一次。从未检查的企业立即到期。"
            "关闭的企业不安排；停产整顿的企业在恢复生产前复查。",
        ),
        ("到期日", "上次检查后满检查间隔的日期，落在本时段之外的取本时段的首日或末日。"),
        (
            "建议月份",
            "到期日所在月份；设定检查能力时，超出能力的月份调整到本时段内最空的月份，"
            "仍无法安排的在备注中注明。",
        ),
        (
            "执法主体",
            "一户企业只对应一个层级执法主体：上级监管的等级由上级检查，受委托乡镇检查本乡镇企业，其余由本局检查。",
        ),
        ("状态", "时段内第一次检查即完成该次计划；时段已过未检查为逾期。"),
    ]
    book.notes(notes, today=today or date.today())
    return book.save(path)
