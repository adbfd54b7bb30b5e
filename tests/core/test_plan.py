"""The annual plan (scheduling.md "Annual plan"): windows and counts per grade, the
high-risk rule, levelling under a capacity, bodies, fulfilment, and the workbook."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.exchange.plan_export import write_plan
from safecredit_desktop.core.rules.profile import load_profile
from safecredit_desktop.core.scheduling import due, plan
from safecredit_desktop.core.validate import uscc_check_character

FENG = load_profile("fenghuang")
KUN = load_profile("kundulun")
YEAR = 2026
TODAY = date(2026, 8, 15)


def code(n: int) -> str:
    first17 = f"9143312300{n:07d}"
    return first17 + uscc_check_character(first17)


def unit(
    n: int,
    *,
    category: str = "工贸八大行业",
    town: str = "沱江镇",
    high: bool = False,
    status: str = "正常",
) -> due.UnitRow:
    return due.UnitRow(n, code(n), f"单位{n}", category, town, high, status)


def make(  # type: ignore[no-untyped-def]
    units, grades, last, done=None, *, capacity=None, profile=FENG, entrusted=()
) -> plan.Plan:
    return plan.build_plan(
        units,
        grades,
        last,
        done or {},
        profile=profile,
        bodies=due.Bodies(profile, "测试县应急管理局", frozenset(entrusted)),
        year=YEAR,
        capacity=capacity,
        today=TODAY,
        basis="测试",
    )


KNOWN_UNITS = [
    unit(1),  # D, quarters
    unit(2),  # C, half-years
    unit(3),  # B, the year
    unit(4),  # A, 24 months old during 2026
    unit(5),  # A, not due in 2026: nothing planned
    unit(6, category="非煤矿山"),  # A but high-risk category: once a year
    unit(7, high=True),  # A marked high-risk, never inspected
    unit(8, status="关闭"),  # closed: nothing
    unit(9, status="停产整顿"),  # C, suspended, never inspected: 复查
]
KNOWN_GRADES = dict(zip(range(1, 10), "DCBAAAABC", strict=True))
KNOWN_LAST = {
    1: date(2025, 11, 10),
    2: date(2025, 9, 30),
    3: date(2025, 4, 15),
    4: date(2024, 6, 1),
    5: date(2025, 3, 1),
    6: date(2025, 3, 1),
    8: date(2020, 1, 1),
}


def test_counts_per_grade_and_high_risk_rule() -> None:
    p = make(KNOWN_UNITS, KNOWN_GRADES, KNOWN_LAST)
    assert p.counts_by_grade() == {"A": 3, "B": 1, "C": 4, "D": 4}
    assert p.units_by_grade() == {"A": 3, "B": 1, "C": 2, "D": 1}
    months: dict[int, list[tuple[str, int]]] = {}
    for i in p.items:
        months.setdefault(i.unit_id, []).append((i.window_label, i.suggested_month))
    assert months[1] == [("第一季度", 2), ("第二季度", 5), ("第三季度", 8), ("第四季度", 11)]
    assert months[2] == [("上半年", 3), ("下半年", 9)]
    assert months[3] == [("全年", 4)]
    assert months[4] == [("全年", 6)]
    assert 5 not in months and 8 not in months
    assert months[6] == [("全年", 3)]  # high-risk: 12 months from 2025-03-01
    assert months[7] == [("全年", 1)]  # never inspected: at once
    assert months[9] == [("上半年", 1), ("下半年", 7)]
    assert all(i.follow_up for i in p.items if i.unit_id == 9)
    high = {i.unit_id for i in p.items if i.high_risk}
    assert high == {6, 7}
    assert p.cannot_fit == []


def test_status_done_due_overdue_not_due() -> None:
    done = {1: [date(2026, 2, 20), date(2026, 2, 25), date(2026, 9, 1)], 3: [date(2026, 4, 2)]}
    p = make(KNOWN_UNITS, KNOWN_GRADES, KNOWN_LAST, done)
    by = {(i.unit_id, i.window_label): i for i in p.items}
    q1 = by[(1, "第一季度")]
    assert q1.status is plan.PlanStatus.DONE and q1.done_on == date(2026, 2, 20)
    assert by[(1, "第二季度")].status is plan.PlanStatus.OVERDUE
    assert by[(1, "第三季度")].status is plan.PlanStatus.DONE  # 9-01 is inside Q3
    assert by[(1, "第四季度")].status is plan.PlanStatus.NOT_DUE
    assert by[(3, "全年")].done_on == date(2026, 4, 2)
    assert by[(4, "全年")].status is plan.PlanStatus.DUE  # due 06-01, today 08-15
    assert by[(2, "上半年")].status is plan.PlanStatus.OVERDUE


def test_levelling_spreads_within_windows() -> None:
    units = [unit(n) for n in range(1, 7)]
    grades = dict.fromkeys(range(1, 7), "B")
    last = dict.fromkeys(range(1, 7), date(2025, 4, 15))  # all due in April
    p = make(units, grades, last, capacity=2)
    assert max(p.month_loads()) <= 2
    assert sorted(i.suggested_month for i in p.items) == [2, 3, 4, 4, 5, 6]  # least-loaded, nearest
    assert p.month_loads()[3] == 2 and sum(p.month_loads()) == 6
    assert all(i.original_month == 4 for i in p.items)
    assert p.cannot_fit == []


def test_levelling_names_what_cannot_fit() -> None:
    units = [unit(n) for n in range(1, 5)]
    grades = dict.fromkeys(range(1, 5), "D")  # 4 per quarter, 3 months of capacity 1
    p = make(units, grades, {}, capacity=1)
    assert p.month_loads() == [1] * 12
    unfit = p.cannot_fit
    assert len(unfit) == 4
    assert {i.window_label for i in unfit} == {"第一季度", "第二季度", "第三季度", "第四季度"}


def test_higher_tier_takes_no_county_capacity() -> None:
    units = [unit(1), unit(2), unit(3)]
    p = make(units, {1: "B", 2: "C", 3: "D"}, {}, capacity=1, profile=KUN, entrusted={"沱江镇"})
    bodies = {i.unit_id: (i.body, i.county) for i in p.items}
    assert bodies == {1: ("沱江镇（受委托）", True), 2: ("市级", False), 3: ("自治区级", False)}
    assert sum(p.month_loads()) == 1 and p.cannot_fit == []


@pytest.mark.parametrize("seed", range(8))
def test_levelling_never_exceeds_capacity_where_feasible(seed: int) -> None:
    rng = random.Random(seed)
    n = 120
    units = [unit(i, high=rng.random() < 0.2) for i in range(1, n + 1)]
    grades = {i: rng.choice("AABBBCCD") for i in range(1, n + 1)}
    last = {
        i: date(2024 + rng.randrange(2), rng.randrange(1, 13), rng.randrange(1, 29))
        for i in range(1, n + 1)
        if rng.random() < 0.9
    }
    capacity = rng.randrange(5, 25)
    p = make(units, grades, last, capacity=capacity)
    loads = p.month_loads()
    assert max(loads) <= capacity
    for i in p.items:
        assert i.window_start.month <= i.suggested_month <= i.window_end.month
    # nested windows: everything fits exactly when no window is over-demanded
    windows: dict[tuple[int, int], int] = {}
    for i in p.items:
        windows.setdefault((i.window_start.month, i.window_end.month), 0)
    feasible = all(
        sum(1 for i in p.items if a <= i.window_start.month and i.window_end.month <= b)
        <= capacity * (b - a + 1)
        for a, b in windows
    )
    assert feasible == (not p.cannot_fit)
    for i in p.cannot_fit:  # a named leftover: every month of its window is full
        assert all(
            loads[m - 1] == capacity for m in range(i.window_start.month, i.window_end.month + 1)
        )


@pytest.fixture
def db(tmp_path: Path, new_db: Any):  # type: ignore[no-untyped-def]
    session = core.init_database(
        new_db("x.db"), profile="fenghuang", bureau_name="测试县应急管理局", user="测试"
    )
    yield session
    session.close()


def test_service_and_workbook(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a = db.records.save(
        model.Unit(code(1), "甲公司", "工贸八大行业", town="沱江镇", std_level="二级")
    )
    db.records.save(model.Commitment(a, model.CommitmentType.UNIT, date(2024, 1, 5)))
    c = db.records.save(model.Unit(code(2), "乙公司", "危险化学品", town="山江镇"))
    db.records.save(model.Unit(code(3), "丙公司", "工贸八大行业", status="关闭"))
    db.records.save(model.Inspection(a, date(2024, 3, 1)))
    db.records.save(model.Inspection(c, date(2025, 10, 9)))
    db.records.save(model.Inspection(c, date(2026, 3, 2)))
    p = db.schedule.plan(year=YEAR, capacity=5, today=TODAY)
    assert "尚未确认" in p.basis
    got = sorted((i.unit_id, i.grade, i.window_label, i.suggested_month) for i in p.items)
    assert got == [(a, "A", "全年", 3), (c, "C", "上半年", 4), (c, "C", "下半年", 10)]
    h1 = next(i for i in p.items if i.window_label == "上半年")
    assert h1.status is plan.PlanStatus.DONE and h1.done_on == date(2026, 3, 2)

    path = db.schedule.export_plan(
        tmp_path / "计划.xlsx", year=YEAR, capacity=5, plan=p, today=TODAY
    )
    wb = load_workbook(path)
    assert wb.sheetnames == ["检查计划", "月度安排", "说明"]
    ws = wb["检查计划"]
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows is not None
    header = next(r for r in range(1, 8) if ws.cell(r, 1).value == "序号")
    assert ws.cell(header, 12).value == "执法主体（检查组）"
    first = ws.cell(header + 1, 2)
    assert first.value == code(1) and first.number_format == "@"


def test_kundulun_notice_in_workbook(tmp_path: Path) -> None:
    p = make([unit(1)], {1: "B"}, {}, profile=KUN)
    path = write_plan(
        tmp_path / "p.xlsx", p, profile=KUN, bureau_name="昆都仑区应急管理局", today=TODAY
    )
    ws = load_workbook(path)["检查计划"]
    texts = [ws.cell(r, 1).value for r in range(1, 6)]
    assert KUN.internal_notice in texts
