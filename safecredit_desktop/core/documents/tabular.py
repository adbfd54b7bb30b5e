"""Documents that are mainly a table: the annual plan and the 双随机 public notice."""

from __future__ import annotations

from datetime import date

from safecredit_desktop.core.documents.content import (
    Block,
    Document,
    Para,
    Signature,
    Table,
    chinese_date,
)
from safecredit_desktop.core.documents.kinds import kind_name
from safecredit_desktop.core.documents.wording import chinese_dates, tidy
from safecredit_desktop.core.scheduling.draw import DrawDetail
from safecredit_desktop.core.scheduling.plan import Plan

PLAN_HEADERS = (
    "序号",
    "统一社会信用代码",
    "单位名称",
    "乡镇（街道）",
    "行业类别",
    "信用等级",
    "检查时段",
    "建议月份",
    "执法主体",
    "状态",
)


def inspection_plan(plan: Plan, *, bureau: str, day: date) -> Document:
    """年度执法检查计划, landscape: a summary, then every planned inspection."""
    loads = plan.month_loads()
    by_grade = plan.units_by_grade()
    grade_text = "、".join(f"{g}级{n}家" for g, n in by_grade.items() if n)
    capacity = f"每月检查能力{plan.capacity}次，" if plan.capacity else ""
    blocks: list[Block] = [
        Para(
            f"依据{tidy(plan.basis)}，按照各信用等级的检查频次，编制{plan.year}年度执法检查计划。"
            f"共计划检查{len(plan.items)}次，涉及企业：{grade_text or '无'}。{capacity}"
            f"各月计划检查（本级）次数："
            + "、".join(f"{m}月{n}次" for m, n in enumerate(loads, 1))
            + "。"
        )
    ]
    if plan.cannot_fit:
        blocks.append(
            Para(
                f"另有{len(plan.cannot_fit)}次检查在其检查时段内无法安排，已在表中标明“时段内无余量”。"
            )
        )
    rows = tuple(
        (
            str(n),
            i.uscc,
            i.name,
            i.town,
            i.category,
            i.grade,
            f"{i.window_label} {i.window_start:%m.%d}—{i.window_end:%m.%d}",
            f"{i.suggested_month}月" + ("" if i.fits else "（时段内无余量）"),
            i.body,
            i.status_text(),
        )
        for n, i in enumerate(plan.items, start=1)
    )
    window = PLAN_HEADERS.index("检查时段")
    blocks.append(Table(PLAN_HEADERS, rows, size=9.0, unbroken=(window,)))
    blocks.append(Para("请各执法主体按计划组织实施，并及时录入检查结果。"))
    blocks.append(Signature(bureau, day))
    return Document(
        kind="inspection-plan",
        title=f"{bureau}{plan.year}{kind_name('inspection-plan')}",
        issuer=bureau,
        addressee="",
        blocks=tuple(blocks),
        subject=f"{plan.year}年度执法检查计划",
        landscape=True,
        params={"year": plan.year, "capacity": plan.capacity},
    )


DRAW_HEADERS = (
    "序号",
    "统一社会信用代码",
    "单位名称",
    "乡镇（街道）",
    "信用等级",
    "检查组（姓名、执法证号）",
)
TEAM_COLUMN = len(DRAW_HEADERS) - 1
GRADE_COLUMN = DRAW_HEADERS.index("信用等级")
DRAW_TABLE_SIZE = 10.5  # 五号


def _method_text(found: DrawDetail, internal: bool) -> str:
    summary = found.summary
    by_grade = "" if internal else "按信用等级分别，"
    return (
        f"抽取方法：{by_grade}以随机种子“{summary.seed}”与企业统一社会信用代码计算SHA-256值并排序，"
        f"按比例取排在前面的企业；再以同一种子为每家企业从执法人员名录中排序选取"
        f"{summary.team_size}名执法人员组成检查组（方法编号{found.method or '—'}）。"
    )


def draw_notice(found: DrawDetail, *, bureau: str, day: date, internal: bool = False) -> Document:
    """双随机抽查结果公示. Under a profile whose grades are internal (``internal``), the
    notice shows neither the units' grades nor the per-grade pools and ratios; the
    stored draw keeps them for whoever may check it (grading.md Revision 2 item 10)."""
    summary = found.summary
    drawn_on = date.fromisoformat(summary.drawn_at[:10])
    scope = summary.filters_text or "全部在册企业"
    opening = (
        f"根据“双随机、一公开”监管工作要求，我局于{chinese_date(drawn_on)}开展{summary.year}年度"
        f"双随机抽查。抽查对象范围：{scope}，共{summary.pool_size}家"
    )
    if internal:
        blocks: list[Block] = [
            Para(f"{opening}，随机抽取{len(found.selections)}家。"),
            Para(
                _method_text(found, internal) + "抽查对象名单和抽取比例留存备查，"
                "有权查阅的人员可按同一名单、比例和种子复核抽取结果。"
            ),
        ]
    else:
        quotas = "；".join(
            f"{q.grade}级{q.pool_count}家，抽取比例{q.ratio}，抽中{q.drawn}家" for q in found.quotas
        )
        blocks = [
            Para(f"{opening}；信用等级依据：{tidy(found.basis)}。"),
            Para(f"各等级抽取情况：{quotas or '无'}。"),
            Para(_method_text(found, internal) + "任何人可按同一名单、比例和种子复核抽取结果。"),
        ]
    if summary.annulled:
        blocks.append(
            Para(
                f"本次抽查已于{chinese_dates((summary.annulled_at or '')[:10])}作废，"
                f"作废原因：{summary.annul_reason}。"
            )
        )
    headers: tuple[str, ...] = DRAW_HEADERS
    rows: tuple[tuple[str, ...], ...] = tuple(
        (
            str(s.position),
            s.uscc,
            s.name,
            s.town,
            s.grade,
            "\n".join(f"{name} {cert}" for cert, name in s.team),  # one inspector a line
        )
        for s in found.selections
    )
    team = TEAM_COLUMN
    if internal:
        headers = _without(headers, GRADE_COLUMN)
        rows = tuple(_without(row, GRADE_COLUMN) for row in rows)
        team -= 1
    blocks.append(
        Table(headers, rows, size=DRAW_TABLE_SIZE, caption="抽中企业及检查组", unbroken=(team,))
    )
    blocks.append(Para("现予公示。如有异议，请在公示期内向我局反映。"))
    blocks.append(Signature(bureau, day))
    return Document(
        kind="draw-notice",
        title=kind_name("draw-notice"),
        issuer=bureau,
        addressee="",
        blocks=tuple(blocks),
        subject=f"{summary.year}年度双随机抽查（第{summary.id}次）",
        params={"draw": summary.id},
    )


def _without(cells: tuple[str, ...], index: int) -> tuple[str, ...]:
    return cells[:index] + cells[index + 1 :]
