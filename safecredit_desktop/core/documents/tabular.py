"""Documents that are mainly a table: the annual plan and the 双随机 public notice."""

from __future__ import annotations

from datetime import date

from safecredit_desktop.core.documents.content import (
    Block,
    Document,
    Para,
    Signature,
    Table,
)
from safecredit_desktop.core.documents.kinds import kind_name
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
PLAN_WIDTHS = (26.0, 112.0, 114.0, 56.0, 60.0, 26.0, 86.0, 30.0, 78.0, 50.0)


def inspection_plan(plan: Plan, *, bureau: str, day: date) -> Document:
    """年度执法检查计划, landscape: a summary, then every planned inspection."""
    loads = plan.month_loads()
    by_grade = plan.units_by_grade()
    grade_text = "、".join(f"{g}级{n}家" for g, n in by_grade.items() if n)
    capacity = f"每月检查能力{plan.capacity}次，" if plan.capacity else ""
    blocks: list[Block] = [
        Para(
            f"依据{plan.basis}，按照各信用等级的检查频次，编制{plan.year}年度执法检查计划。"
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
    blocks.append(Table(PLAN_HEADERS, rows, PLAN_WIDTHS, size=9.0))
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
    "检查组（执法人员）",
)
DRAW_WIDTHS = (3.0, 14.0, 12.0, 5.0, 4.0, 11.0)


def draw_notice(found: DrawDetail, *, bureau: str, day: date) -> Document:
    summary = found.summary
    quotas = "；".join(
        f"{q.grade}级{q.pool_count}家，抽取比例{q.ratio}，抽中{q.drawn}家" for q in found.quotas
    )
    blocks: list[Block] = [
        Para(
            f"根据“双随机、一公开”监管工作要求，我局于{summary.drawn_at[:10]}开展{summary.year}年度"
            f"双随机抽查。抽查对象范围：{summary.filters_text or '全部在册企业'}，"
            f"共{summary.pool_size}家；"
            f"信用等级依据：{found.basis}。"
        ),
        Para(f"各等级抽取情况：{quotas or '无'}。"),
        Para(
            f"本次抽取使用的随机种子为“{summary.seed}”，每组{summary.team_size}名执法人员。"
            f"抽取方法：{found.method.rstrip('。')}。任何人可按同一名单、比例和种子复核抽取结果。"
        ),
    ]
    if summary.annulled:
        blocks.append(
            Para(
                f"本次抽查已于{(summary.annulled_at or '')[:10]}作废，"
                f"作废原因：{summary.annul_reason}。"
            )
        )
    rows = tuple(
        (str(s.position), s.uscc, s.name, s.town, s.grade, s.team_text) for s in found.selections
    )
    blocks.append(Table(DRAW_HEADERS, rows, DRAW_WIDTHS, size=10.0, caption="抽中企业及检查组"))
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
