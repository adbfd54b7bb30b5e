"""Working-day calendar: chinesecalendar years, the holiday table, Mon–Fri with a warning."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.scheduling.calendar import (
    Calendar,
    HolidayRow,
    WorkingDays,
    YearSource,
    builtin_years,
)


@pytest.fixture
def admin(tmp_path: Path, new_db: Any) -> Iterator[core.Session]:
    path = new_db("x.db")
    core.init_database(
        path,
        profile="fenghuang",
        bureau_name="测试县应急管理局",
        user="管理员",
        admin=("管理员", "admin-pw"),
    ).close()
    session = core.sign_in(path, "管理员", "admin-pw")
    yield session
    session.close()


def test_builtin_years_probed() -> None:
    years = builtin_years()
    assert 2004 in years and 2026 in years
    assert 2027 not in years
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(years.stop, 1, 4))


def test_national_day_2026_agrees_with_chinesecalendar() -> None:
    cal = Calendar()
    day = date(2026, 9, 1)
    while day <= date(2026, 10, 31):
        assert cal.is_working_day(day) == (chinese_calendar.is_workday(day), False)
        day += timedelta(days=1)
    # As chinesecalendar 1.11 has it: 10-01..10-07 off, 10-08 back to work,
    # 调休 working weekends 2026-09-20 (Sun) and 2026-10-10 (Sat); 中秋 09-25..09-27 off.
    for off in ("2026-09-25", "2026-10-01", "2026-10-05", "2026-10-07", "2026-10-11"):
        assert cal.is_working_day(date.fromisoformat(off)) == (False, False)
    for on in ("2026-09-20", "2026-10-08", "2026-10-10"):
        assert cal.is_working_day(date.fromisoformat(on)) == (True, False)
    assert date(2026, 10, 10).weekday() == 5


def test_add_working_days_across_national_day_2026() -> None:
    cal = Calendar()
    # After Wed 09-30: 10-01..10-07 off, so the 1st working day is Thu 10-08,
    # the 2nd Fri 10-09, the 3rd the 调休 Saturday 10-10, the 4th Mon 10-12.
    assert cal.add_working_days(date(2026, 9, 30), 1) == WorkingDays(date(2026, 10, 8))
    assert cal.add_working_days(date(2026, 9, 30), 3).day == date(2026, 10, 10)
    assert cal.add_working_days(date(2026, 9, 30), 4).day == date(2026, 10, 12)
    # Sat 09-19 off; the 调休 Sunday 09-20 is the 1st working day after Fri 09-18.
    assert cal.add_working_days(date(2026, 9, 18), 1).day == date(2026, 9, 20)
    # 20 working days after 09-24: 09-28..30, 10-08..10, 10-12..16, 10-19..23, 10-26..29.
    result = cal.add_working_days(date(2026, 9, 24), 20)
    expected = chinese_calendar.find_workday(20, date(2026, 9, 24))
    assert result.day == expected == date(2026, 10, 29)
    assert not result.estimated and result.warning == ""
    assert cal.working_days_between(date(2026, 9, 24), result.day).count == 20
    assert cal.add_working_days(result.day, -20).day == date(2026, 9, 24)
    assert cal.add_working_days(date(2026, 10, 3), 0).day == date(2026, 10, 3)


def test_2027_unknown_is_estimated_with_warning() -> None:
    cal = Calendar()
    assert cal.year_source(2027) is YearSource.WEEKDAYS
    assert cal.is_working_day(date(2027, 10, 1)) == (True, True)  # a Friday, counted Mon–Fri
    result = cal.add_working_days(date(2027, 9, 30), 1)
    assert result.day == date(2027, 10, 1)
    assert result.estimated and result.estimated_years == (2027,)
    assert "2027年节假日安排未知，按周一至周五计算" in result.warning
    assert "设置 → 节假日" in result.warning
    # Crossing from a known year into an unknown one is estimated too.
    across = cal.add_working_days(date(2026, 12, 30), 5)
    assert across.estimated and across.estimated_years == (2027,)
    assert cal.working_days_between(date(2026, 12, 1), date(2026, 12, 31)).estimated is False


def test_2027_with_table_rows_uses_them() -> None:
    rows = [(f"2027-10-0{d}", "休息日", "国庆节") for d in range(1, 8)]
    rows.append(("2027-10-09", "工作日", "国庆节调休上班"))
    cal = Calendar([*rows, HolidayRow(date(2027, 9, 26), "工作日", "国庆节调休上班")])
    assert cal.year_source(2027) is YearSource.TABLE
    assert cal.is_working_day(date(2027, 10, 1)) == (False, False)
    assert cal.is_working_day(date(2027, 10, 9)) == (True, False)  # Saturday, 调休
    assert cal.is_working_day(date(2027, 10, 10)) == (False, False)  # plain Sunday
    assert cal.is_working_day(date(2027, 11, 3)) == (True, False)  # plain Wednesday
    result = cal.add_working_days(date(2027, 9, 30), 2)
    assert result.day == date(2027, 10, 9) and not result.estimated and result.warning == ""
    assert cal.year_source(2028) is YearSource.WEEKDAYS


def test_set_and_remove_holiday_audited(admin: core.Session) -> None:
    admin.schedule.set_holiday("2027-10-01", "休息日", "国庆节")
    admin.schedule.set_holiday(date(2027, 10, 9), "工作日", "国庆节调休上班")
    admin.schedule.set_holiday("2027-10-01", "休息日", " 国庆节 ")  # unchanged: no entry
    admin.schedule.set_holiday("2027-10-09", "工作日", "调休")
    assert [r.day for r in admin.schedule.holidays(2027)] == [
        date(2027, 10, 1),
        date(2027, 10, 9),
    ]
    assert admin.schedule.holidays(2028) == []
    cal = admin.schedule.calendar()
    assert cal.year_source(2027) is YearSource.TABLE
    assert cal.add_working_days(date(2027, 9, 30), 1).day == date(2027, 10, 4)
    admin.schedule.remove_holiday("2027-10-09")
    entries = admin.db.conn.execute(
        "SELECT user, action, row_key, before, after FROM audit_log"
        " WHERE table_name = 'holidays' ORDER BY id"
    ).fetchall()
    assert [(e[0], e[1], e[2]) for e in entries] == [
        ("管理员", "insert", "2027-10-01"),
        ("管理员", "insert", "2027-10-09"),
        ("管理员", "update", "2027-10-09"),
        ("管理员", "delete", "2027-10-09"),
    ]
    assert "调休" in entries[2][4] and entries[3][4] is None
    with pytest.raises(SafeCreditError, match="没有"):
        admin.schedule.remove_holiday("2027-10-09")


def test_bad_input_refused(admin: core.Session) -> None:
    with pytest.raises(SafeCreditError, match="内置日历"):
        admin.schedule.set_holiday("2026-10-09", "休息日", "")
    with pytest.raises(SafeCreditError, match="类型"):
        admin.schedule.set_holiday("2027-10-01", "放假", "")
    with pytest.raises(SafeCreditError, match="日期"):
        admin.schedule.set_holiday("2027-02-30", "休息日", "")
    assert admin.schedule.holidays() == []


def test_non_admin_refused(admin: core.Session) -> None:
    clerk = core.open_session(admin.db.location, user="录入员", role=Role.CLERK)
    try:
        with pytest.raises(SafeCreditError, match="管理员"):
            clerk.schedule.set_holiday("2027-10-01", "休息日", "国庆节")
        with pytest.raises(SafeCreditError, match="管理员"):
            clerk.schedule.remove_holiday("2027-10-01")
        assert clerk.schedule.holidays(2027) == []
    finally:
        clerk.close()
