"""Due dates (scheduling.md "Due dates"): interval by grade, high-risk cap, never
inspected at once, closed never, 停产整顿 复查, recomputed when the grade changes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.rules.profile import Profile, load_profile
from safecredit_desktop.core.scheduling import due
from safecredit_desktop.core.storage.settings import set_setting
from safecredit_desktop.core.validate import uscc_check_character

FENG = load_profile("fenghuang")
KUN = load_profile("kundulun")
AS_OF = date(2026, 7, 1)


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


def items(
    units: list[due.UnitRow],
    grades: dict[int, str],
    last: dict[int, date],
    *,
    profile: Profile = FENG,
    entrusted: frozenset[str] | set[str] = frozenset(),
) -> dict[int, due.DueItem]:
    bodies = due.Bodies(profile, "测试县应急管理局", frozenset(entrusted))
    found = due.due_items(units, grades, last, profile=profile, bodies=bodies, as_of=AS_OF)
    return {i.unit_id: i for i in found}


def test_interval_by_grade_high_risk_never_closed_and_suspended() -> None:
    units = [
        unit(1),
        unit(2),
        unit(3),
        unit(4),
        unit(5, category="非煤矿山"),  # high-risk category: A at most 12 months
        unit(6, high=True),  # marked 高危行业 = 是
        unit(7),  # never inspected
        unit(8, status="关闭"),
        unit(9, status="停产整顿"),
    ]
    grades = {i: g for i, g in zip(range(1, 10), "ABCDAAABB", strict=True)}
    last = {i: date(2025, 6, 30) for i in range(1, 10) if i != 7}
    got = items(units, grades, last)
    assert got[1].due_on == date(2027, 6, 30)
    assert got[2].due_on == date(2026, 6, 30)
    assert got[3].due_on == date(2025, 12, 30)
    assert got[4].due_on == date(2025, 9, 30)
    assert got[5].due_on == date(2026, 6, 30) and got[5].high_risk
    assert got[6].interval_months == 12
    assert got[7].due_on is None and got[7].overdue and got[7].describe() == "从未检查"
    assert 8 not in got  # 关闭: never due
    assert got[9].follow_up and "复查" in got[9].note
    assert got[2].days_left == -1 and got[2].describe() == "逾期1天"


def test_grade_change_recomputes_from_last_inspection() -> None:
    units = [unit(1)]
    last = {1: date(2026, 5, 10)}
    assert items(units, {1: "B"}, last)[1].due_on == date(2027, 5, 10)
    assert items(units, {1: "D"}, last)[1].due_on == date(2026, 8, 10)
    assert items(units, {1: "D"}, {1: date(2026, 1, 10)})[1].overdue  # at once


def test_split_most_overdue_first_and_groups() -> None:
    units = [unit(1, town="甲镇"), unit(2, town="乙镇"), unit(3), unit(4), unit(5)]
    grades = dict.fromkeys(range(1, 6), "B")
    last = {
        1: date(2025, 6, 1),  # overdue 30 days
        2: date(2025, 6, 20),  # overdue 11 days
        3: date(2025, 7, 31),  # due in 30 days
        4: date(2025, 8, 1),  # in 31 days: not listed
    }
    listed = due.split_due(
        items(units, grades, last, entrusted={"乙镇"}).values(), as_of=AS_OF, within_days=30
    )
    order = [i.unit_id for i in sorted(listed.items, key=due.DueItem.sort_key)]
    assert order == [5, 1, 2, 3]
    assert [i.unit_id for i in listed.overdue] == [5, 1, 2]
    assert [i.unit_id for i in listed.upcoming] == [3]
    assert set(listed.by_town()) == {"甲镇", "乙镇", "沱江镇"}
    assert set(listed.by_body()) == {"测试县应急管理局", "乙镇（受委托）"}


def test_higher_tier_is_the_body() -> None:
    got = items([unit(1), unit(2), unit(3)], {1: "B", 2: "C", 3: "D"}, {})
    assert {i.body for i in got.values()} == {"测试县应急管理局"}
    got = items([unit(1), unit(2), unit(3)], {1: "B", 2: "C", 3: "D"}, {}, profile=KUN)
    assert (got[1].body, got[2].body, got[3].body) == ("测试县应急管理局", "市级", "自治区级")


@pytest.fixture
def db(tmp_path: Path, new_db: Any):  # type: ignore[no-untyped-def]
    session = core.init_database(
        new_db("x.db"), profile="fenghuang", bureau_name="测试县应急管理局", user="测试"
    )
    yield session
    session.close()


def test_due_list_service(db) -> None:  # type: ignore[no-untyped-def]
    ids = [
        db.records.save(model.Unit(code(n), f"单位{n}", "工贸八大行业", town=town, status=status))
        for n, town, status in (
            (1, "沱江镇", "正常"),
            (2, "山江镇", "正常"),
            (3, "山江镇", "关闭"),
            (4, "沱江镇", "正常"),
        )
    ]
    # no commitment: grade C (6 months)
    db.records.save(model.Inspection(ids[0], date(2026, 1, 10)))
    db.records.save(model.Inspection(ids[1], date(2025, 12, 1)))
    db.records.save(model.Inspection(ids[3], date(2026, 6, 1)))
    set_setting(db.db, "测试", due.ENTRUSTED_TOWNS, "山江镇")
    listed = db.schedule.due(as_of=AS_OF)
    assert [i.unit_id for i in listed.items] == [ids[1], ids[0]]
    assert listed.items[0].due_on == date(2026, 6, 1) and listed.items[0].overdue
    assert listed.items[0].body == "山江镇（受委托）"
    assert listed.items[1].due_on == date(2026, 7, 10) and listed.items[1].days_left == 9


def test_add_months_clamps() -> None:
    assert due.add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert due.add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert due.add_months(date(2026, 1, 15), 24) == date(2028, 1, 15)
