"""双随机抽查结果: a draw as a workbook that can be printed as the public notice (公示).

Sheets: 抽查结果 (selected units and their inspector teams, who drew and when, the
seed; an annulled draw says so above the table), 抽取参数 (pool size, ratio and count
per grade), 抽查对象库 (the whole pool), 执法人员 (the roster snapshot and its
conflicts) and 说明 (the procedure), so that a witness holds everything needed to
re-run the draw.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from safecredit_desktop.core.exchange.sheet_writing import (
    CATEGORY,
    SERIAL,
    TOWN,
    ReportBook,
    numbered,
    unit_columns,
)
from safecredit_desktop.core.exchange.sheets import Column, Kind, Line, chinese_date, code_column
from safecredit_desktop.core.scheduling.draw import METHOD, DrawDetail

DRAW_TITLE = "双随机抽查结果"
ANNULLED_MARK = "（已作废）"
PROCEDURE = (
    "1. 抽查对象库按统一社会信用代码排序；2. 每个等级抽取 ⌈比例×企业数⌉ 家（向上取整）："
    "对该等级每家企业计算文本“随机种子|unit|等级|统一社会信用代码”的 SHA-256（64 位小写十六进制），"
    "按其从小到大排序取前若干家；3. 抽中企业按代码排序编号；4. 每家企业的检查组：在岗执法人员"
    "除去与该企业有回避关系者，对每人计算“随机种子|team|统一社会信用代码|执法证号”的 SHA-256，"
    "从小到大取前若干名。任何人用同样的对象库、比例、种子和人员名录都能得到同样的结果。"
)

QUOTA_COLUMNS = (
    Column("信用等级", Kind.CENTER, 8, 10),
    Column("抽查对象库企业数", Kind.NUMBER, 10, 18),
    Column("抽取比例", Kind.CENTER, 10, 12),
    Column("抽中企业数", Kind.NUMBER, 10, 12),
)
"""抽取参数: per grade the pool, the ratio and how many were drawn."""
ROSTER_COLUMNS = (
    Column("执法证号", Kind.CODE, 14, 24),
    Column("姓名", Kind.TEXT, 8, 12),
    Column("回避企业（统一社会信用代码）", Kind.WRAP, 24, 60),
)
"""执法人员: the roster the teams were drawn from, with each inspector's conflicts."""


def _ratio_percent(ratio: str) -> str:
    if not ratio:
        return ""
    percent = format(float(ratio) * 100, ".4g")
    return f"{percent}%"


def write_draw(
    path: Path, found: DrawDetail, *, bureau_name: str, today: date | None = None
) -> Path:
    s = found.summary
    mark = ANNULLED_MARK if s.annulled else ""
    title = f"{bureau_name}{DRAW_TITLE}{mark}"
    lines = [
        Line(f"第 {s.id} 号抽查　{s.year} 年度　抽取范围：{s.filters_text}", centered=True),
        Line(f"抽取时间：{s.drawn_at}　抽取人：{s.drawn_by}　随机种子：{s.seed}"),
        Line(f"等级依据：{found.basis}　每组执法人员 {s.team_size} 名"),
    ]
    if s.annulled:
        lines.append(
            Line(f"本次抽查已于 {s.annulled_at} 由 {s.annulled_by} 作废，理由：{s.annul_reason}")
        )
    day = today or date.today()
    book = ReportBook(title, subject=f"第 {s.id} 号双随机抽查", creator=bureau_name)
    book.table(
        "抽查结果",
        columns=unit_columns(
            CATEGORY,
            TOWN,
            Column("信用等级", Kind.CENTER, 8, 10),
            Column("检查人员（执法证号）", Kind.WRAP, 30, 60),
        ),
        rows=[
            (x.position, x.uscc, x.name, x.category, x.town, x.grade, x.team_text)
            for x in found.selections
        ],
        title=title,
        lines=lines,
        footer=((2, f"{bureau_name}"), (7, chinese_date(day))),
    )
    book.table(
        "抽取参数",
        columns=QUOTA_COLUMNS,
        rows=[(q.grade, q.pool_count, _ratio_percent(q.ratio), q.drawn) for q in found.quotas]
        + [
            (
                "合计",
                sum(q.pool_count for q in found.quotas),
                "",
                sum(q.drawn for q in found.quotas),
            )
        ],
        title=f"第 {s.id} 号抽查的抽取参数",
        lines=(Line(f"随机种子：{s.seed}"),),
        bold_last_row=True,
        landscape=False,
    )
    book.table(
        "抽查对象库",
        columns=(SERIAL, code_column(), Column("信用等级", Kind.CENTER)),
        rows=numbered(found.pool),
        title=f"第 {s.id} 号抽查的抽查对象库（按代码排序）",
        landscape=False,
    )
    conflicts: dict[str, list[str]] = {}
    for cert, uscc in found.conflicts:
        conflicts.setdefault(cert, []).append(uscc)
    book.table(
        "执法人员",
        columns=ROSTER_COLUMNS,
        rows=[(cert, name, "、".join(conflicts.get(cert, []))) for cert, name in found.roster],
        title=f"第 {s.id} 号抽查时的在岗执法人员名录",
        landscape=False,
    )
    book.notes(
        [
            ("编制单位", bureau_name),
            ("抽查编号", str(s.id)),
            ("年度", str(s.year)),
            ("抽取范围", s.filters_text),
            ("等级依据", found.basis),
            ("抽取时间", s.drawn_at),
            ("抽取人", s.drawn_by),
            ("随机种子", s.seed),
            ("抽取方法", f"{found.method or METHOD}：{PROCEDURE}"),
            (
                "状态",
                f"已作废（{s.annulled_at}，{s.annulled_by}：{s.annul_reason}）"
                if s.annulled
                else "有效",
            ),
        ],
        today=day,
    )
    return book.save(path)
