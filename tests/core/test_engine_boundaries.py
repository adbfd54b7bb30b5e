"""Boundaries of grading.md, to the day: windows of exactly 12 and 36 months, ends of
months and 29 February, "last year or since", pairs within 12 months, records after T,
lapsed standardization, ended joint punishment, withdrawn commitments, repairs,
non-responsible / undecided / non-fatal accidents, accident grades from the figures, and
subject filters."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from test_engine import (
    GOOD_STD,
    accident,
    clean,
    codes,
    commitment,
    grade,
    joint,
    letter,
    penalty,
    repair,
    unit,
    violation,
)

from safecredit_desktop.core import model
from safecredit_desktop.core.rules.engine import first_counted_day, leaves_window_on
from safecredit_desktop.core.rules.profile import Window, WindowKind
from safecredit_desktop.core.rules.result import NextChange

DAY = timedelta(days=1)
M12 = Window(WindowKind.MONTHS, 12)
M36 = Window(WindowKind.MONTHS, 36)
LAST_YEAR = Window(WindowKind.LAST_YEAR_OR_SINCE)


def fenghuang_b_unit() -> tuple[model.Unit, list[object]]:
    """At 二级 (B) with nothing against it: a violation within 12 months makes it 三级."""
    return unit(std="三级", valid=GOOD_STD), [commitment()]


# ---------------------------------------------------------------- month arithmetic


@pytest.mark.parametrize(
    ("as_of", "day", "window", "inside"),
    [
        (date(2026, 11, 21), date(2025, 11, 21), M12, False),  # exactly 12 months
        (date(2026, 11, 21), date(2025, 11, 22), M12, True),
        (date(2026, 11, 21), date(2023, 11, 21), M36, False),  # exactly 36 months
        (date(2026, 11, 21), date(2023, 11, 22), M36, True),
        (date(2025, 2, 28), date(2024, 2, 29), M12, True),  # grading.md's example
        (date(2025, 2, 28), date(2024, 2, 28), M12, False),
        (date(2024, 2, 29), date(2023, 2, 28), M12, False),  # 2024-02-29 - 12 = 2023-02-28
        (date(2024, 2, 29), date(2023, 3, 1), M12, True),
        (date(2025, 3, 31), date(2024, 3, 31), M12, False),
        (date(2025, 4, 30), date(2024, 4, 30), M12, False),
        (date(2025, 4, 30), date(2024, 5, 1), M12, True),
        (date(2026, 11, 21), date(2026, 11, 21), M12, True),  # T itself
        (date(2026, 11, 21), date(2026, 11, 22), M12, False),  # the day after T
        (date(2026, 11, 21), date(2025, 1, 1), LAST_YEAR, True),
        (date(2026, 11, 21), date(2024, 12, 31), LAST_YEAR, False),
        (date(2026, 1, 1), date(2025, 1, 1), LAST_YEAR, True),
        (date(2025, 12, 31), date(2024, 12, 31), M12, False),  # annual assessment 2026:
        (date(2025, 12, 31), date(2025, 1, 1), M12, True),  # 12 months = calendar 2025
    ],
)
def test_window_boundaries(as_of: date, day: date, window: Window, inside: bool) -> None:
    assert window.contains(day, as_of) is inside
    assert (first_counted_day(as_of, window) <= day <= as_of) is inside


@pytest.mark.parametrize(
    ("day", "window", "leaves"),
    [
        (date(2026, 3, 2), M12, date(2027, 3, 2)),
        (date(2024, 2, 29), M12, date(2025, 3, 1)),  # still within on 2025-02-28
        (date(2023, 2, 28), M12, date(2024, 2, 28)),
        (date(2024, 8, 31), Window(WindowKind.MONTHS, 6), date(2025, 3, 1)),
        (date(2023, 3, 31), Window(WindowKind.MONTHS, 11), date(2024, 3, 1)),
        (date(2024, 1, 31), Window(WindowKind.MONTHS, 1), date(2024, 3, 1)),
        (date(2025, 5, 1), LAST_YEAR, date(2027, 1, 1)),
        (date(2025, 12, 31), LAST_YEAR, date(2027, 1, 1)),
    ],
)
def test_leaving_a_window(day: date, window: Window, leaves: date) -> None:
    assert leaves_window_on(day, window) == leaves
    assert window.contains(day, leaves - DAY)
    assert not window.contains(day, leaves)


# ---------------------------------------------------------------- windows in grades


def test_exactly_12_months() -> None:
    u, base = fenghuang_b_unit()
    assert letter("fenghuang", u, [*base, violation(date(2025, 11, 21))]) == "B"
    assert letter("fenghuang", u, [*base, violation(date(2025, 11, 22))]) == "C"


def test_exactly_36_months() -> None:
    u, base = clean("fenghuang")
    assert letter("fenghuang", u, [*base, violation(date(2023, 11, 21))]) == "A"
    assert letter("fenghuang", u, [*base, violation(date(2023, 11, 22))]) == "B"
    assert letter("fenghuang", u, [*base, accident(date(2023, 11, 21), deaths=1)]) == "A"
    assert letter("fenghuang", u, [*base, accident(date(2023, 11, 22), deaths=1)]) == "B"


def test_29_february() -> None:
    u, base = fenghuang_b_unit()
    leap = [*base, violation(date(2024, 2, 29))]
    assert letter("fenghuang", u, leap, date(2025, 2, 28)) == "C"  # still within 12 months
    assert letter("fenghuang", u, leap, date(2025, 3, 1)) == "B"
    result = grade("fenghuang", u, leap, date(2025, 2, 1))
    assert result.next_change == NextChange(date(2025, 3, 1), "B")
    assert result.improve[0] == "2025-03-01 起该失信行为不再计入1年内，届时可评为二级"
    # as-of 29 February: 12 months back is 28 February
    assert letter("fenghuang", u, [*base, violation(date(2023, 2, 28))], date(2024, 2, 29)) == "B"
    assert letter("fenghuang", u, [*base, violation(date(2023, 3, 1))], date(2024, 2, 29)) == "C"


def test_end_of_month() -> None:
    u, base = fenghuang_b_unit()
    records = [*base, violation(date(2025, 3, 31))]
    assert letter("fenghuang", u, records, date(2026, 3, 30)) == "C"
    assert letter("fenghuang", u, records, date(2026, 3, 31)) == "B"
    assert grade("fenghuang", u, records, date(2025, 12, 1)).next_change == NextChange(
        date(2026, 3, 31), "B"
    )


def test_last_year_or_since() -> None:
    u, base = clean("fenghuang")
    larger = accident(date(2025, 1, 1), injuries=12)  # 较大 from its serious injuries
    assert letter("fenghuang", u, [*base, larger], date(2026, 12, 31)) == "D"
    result = grade("fenghuang", u, [*base, larger], date(2026, 12, 31))
    assert result.next_change == NextChange(date(2027, 1, 1), "A")
    assert letter("fenghuang", u, [*base, larger], date(2027, 1, 1)) == "A"
    assert letter("fenghuang", u, [*base, accident(date(2024, 12, 31), injuries=12)]) == "A"


def test_pair_within_12_months_of_each_other() -> None:
    u = unit(std="三级", valid=GOOD_STD)
    first = accident(date(2024, 3, 1), deaths=3, rid=1)
    assert letter("suizhou", u, [first, accident(date(2025, 2, 28), deaths=3, rid=2)]) == "D"
    assert letter("suizhou", u, [first, accident(date(2025, 3, 1), deaths=3, rid=2)]) == "B"
    # both of the pair must be within the 36 months
    old = accident(date(2023, 11, 21), deaths=3, rid=1)
    pair = [old, accident(date(2024, 6, 1), deaths=4, rid=2)]
    assert letter("suizhou", u, pair) == "B"
    assert letter("suizhou", u, pair, date(2026, 11, 20)) == "D"
    # three 较大 accidents: the first two a pair, the third alone
    three = [
        first,
        accident(date(2024, 9, 1), deaths=3, rid=2),
        accident(date(2026, 6, 1), deaths=3, rid=3),
    ]
    result = grade("suizhou", u, three)
    assert result.grade == "D"
    assert result.reasons[0].records == (
        "事故 2024-03-01 较大 死亡3人",
        "事故 2024-09-01 较大 死亡3人",
    )
    assert result.next_change == NextChange(date(2027, 3, 1), "B")


# ---------------------------------------------------------------- what T sees


def test_record_dated_the_day_after_t_never_counts() -> None:
    u, base = clean("fenghuang")
    plain = grade("fenghuang", u, base)
    for record in (
        violation(date(2026, 11, 22), "no_permit"),
        accident(date(2026, 11, 22), deaths=9),
        joint(date(2026, 11, 22)),
        penalty(date(2026, 11, 22)),
    ):
        later = grade("fenghuang", u, [*base, record])
        assert later == plain, record
    on_t = grade("fenghuang", u, [*base, violation(date(2026, 11, 21), "no_permit")])
    assert on_t.grade == "D"


def test_commitment_signed_withdrawn() -> None:
    u = unit(std="二级", valid=GOOD_STD)
    assert letter("fenghuang", u, [commitment(date(2026, 11, 21))]) == "A"
    assert letter("fenghuang", u, [commitment(date(2026, 11, 22))]) == "C"
    assert letter("fenghuang", u, [commitment(withdrawn=date(2026, 11, 21))]) == "C"
    assert letter("fenghuang", u, [commitment(withdrawn=date(2026, 11, 22))]) == "A"
    # a new commitment after a withdrawal
    again = [commitment(withdrawn=date(2025, 1, 1)), commitment(date(2025, 6, 1))]
    assert letter("fenghuang", u, again) == "A"


def test_lapsed_standardization() -> None:
    base = [commitment()]
    assert letter("fenghuang", unit(std="二级", valid=date(2026, 11, 21)), base) == "A"
    lapsed = grade("fenghuang", unit(std="二级", valid=date(2026, 11, 20)), base)
    assert lapsed.grade == "C"
    assert lapsed.reasons[-1].records == ("标准化 二级 有效期至2026-11-20（已过期）",)
    # Revision 2 item 8: the unit holds 二级 (expired): renew it, never "obtain" a level
    assert lapsed.improve == ("复评保持安全生产标准化二级（有效期至2026-11-20）后可评为一级",)
    awarded = unit(std="二级", valid=GOOD_STD, awarded=date(2026, 11, 21))
    assert letter("fenghuang", awarded, base) == "A"
    not_yet = unit(std="二级", valid=GOOD_STD, awarded=date(2026, 11, 22))
    assert letter("fenghuang", not_yet, base) == "C"
    kd = unit(std="三级", valid=date(2026, 11, 20), category="煤矿")
    assert "C.no_standardization" in codes(grade("kundulun", kd, base))


def test_ended_joint_punishment() -> None:
    u, base = clean("fenghuang")
    assert letter("fenghuang", u, [*base, joint(date(2025, 1, 1), date(2026, 11, 21))]) == "C"
    assert letter("fenghuang", u, [*base, joint(date(2025, 1, 1), date(2026, 11, 20))]) == "A"
    assert letter("fenghuang", u, [*base, joint(date(2026, 11, 21))]) == "C"
    result = grade("fenghuang", u, [*base, joint(date(2025, 1, 1), date(2026, 11, 21))])
    assert result.next_change == NextChange(date(2026, 11, 22), "A")


def test_repaired_records_stop_counting_from_the_approval_date() -> None:
    u, base = fenghuang_b_unit()
    v = violation(date(2026, 1, 5), "no_permit", rid=11)
    fixed = repair(v, date(2026, 11, 21))
    assert letter("fenghuang", u, [*base, v]) == "D"
    assert letter("fenghuang", u, [*base, v, fixed]) == "B"
    assert letter("fenghuang", u, [*base, v, fixed], date(2026, 11, 20)) == "D"
    result = grade("fenghuang", u, [*base, v, fixed], date(2026, 11, 20))
    assert result.next_change == NextChange(date(2026, 11, 21), "B")
    a = accident(date(2026, 1, 5), deaths=1, rid=12)
    # grading.md Revision 2 item 1: an accident is never repaired; it keeps counting
    assert letter("fenghuang", u, [*base, a, repair(a, date(2026, 11, 1))]) == "C"
    kd, kd_base = clean("kundulun")
    p = penalty(date(2026, 1, 5), rid=13)
    assert letter("kundulun", kd, [*kd_base, p]) == "C"
    assert letter("kundulun", kd, [*kd_base, p, repair(p, date(2026, 11, 21))]) == "A"


# ---------------------------------------------------------------- accidents


def test_non_responsible_undecided_and_non_fatal_accidents() -> None:
    u, base = clean("fenghuang")
    day = date(2026, 6, 1)
    assert letter("fenghuang", u, [*base, accident(day, deaths=5, responsible="否")]) == "A"
    pending = grade("fenghuang", u, [*base, accident(day, deaths=5, responsible="待定")])
    assert (pending.grade, pending.flags) == ("A", ("待定",))
    assert letter("fenghuang", u, [*base, accident(day, injuries=3)]) == "A"  # 一般, no death
    assert letter("fenghuang", u, [*base, accident(day, deaths=1)]) == "C"
    decided = grade("fenghuang", u, [*base, accident(day, deaths=5, responsible="是")])
    assert (decided.grade, decided.flags) == ("D", ())


@pytest.mark.parametrize(
    ("deaths", "injuries", "loss", "stated", "expected"),
    [
        (0, 9, 999.99, "", "一般"),
        (0, 10, 0, "", "较大"),  # from serious injuries
        (0, 0, 1000, "", "较大"),  # from the direct loss
        (0, 0, 5000, "", "重大"),
        (0, 50, 0, "", "重大"),
        (10, 0, 0, "", "重大"),
        (30, 0, 0, "", "特别重大"),
        (0, 0, 10000, "", "特别重大"),
        (1, 0, 0, "较大", "较大"),  # stated above the figures: kept (待核实)
        (0, 0, 5000, "一般", "重大"),  # stated below the figures: the figures
    ],
)
def test_accident_grade_from_the_figures(
    deaths: int, injuries: int, loss: float, stated: str, expected: str
) -> None:
    """kundulun D: 较大 or worse within 12 months; suizhou D: 重大 or worse."""
    u, base = clean("kundulun")
    a = accident(date(2026, 6, 1), deaths=deaths, injuries=injuries, loss=loss, grade=stated)
    result = grade("kundulun", u, [*base, a])
    assert (result.grade == "D") is (expected != "一般")
    su = unit(std="三级", valid=GOOD_STD)
    assert (letter("suizhou", su, [a]) == "D") is (expected in ("重大", "特别重大"))


# ---------------------------------------------------------------- subject filters


@pytest.mark.parametrize(
    ("subject", "fenghuang", "kundulun", "suizhou"),
    [
        ("单位", "C", "C", "B"),
        ("主要负责人", "C", "C", "B"),
        ("分管安全负责人", "A", "C", "B"),  # fenghuang names unit and main person only
    ],
)
def test_subject_filters(subject: str, fenghuang: str, kundulun: str, suizhou: str) -> None:
    v = violation(date(2026, 6, 1), "hazard_unreported", subject)
    for name, expected in (("fenghuang", fenghuang), ("kundulun", kundulun), ("suizhou", suizhou)):
        u, base = clean(name)
        assert letter(name, u, [*base, v]) == expected, name


@pytest.mark.parametrize("subject", ["单位", "主要负责人", "分管安全负责人"])
def test_serious_kinds_put_a_unit_in_d_whoever_the_subject(subject: str) -> None:
    for name, kind in (
        ("fenghuang", "accident_reported_late"),
        ("kundulun", "overstep_mining"),
        ("suizhou", "other_serious"),
    ):
        u, base = clean(name)
        assert letter(name, u, [*base, violation(date(2026, 6, 1), kind, subject)]) == "D"
