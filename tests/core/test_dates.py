"""Dates as clerks write them (workbook.md "Import template"): one parser, validate.parse_date,
for workbooks, forms and the command line; short dates only where ``short`` is given."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from safecredit_desktop.core.errors import ValidationError
from safecredit_desktop.core.validate import parse_date

TODAY = date(2026, 11, 3)
DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
FAST = settings(max_examples=300, deadline=None)


def _full_forms(d: date) -> list[object]:
    return [
        d.isoformat(),
        f"{d.year}-{d.month}-{d.day}",
        f"{d.year}/{d.month}/{d.day}",
        f"{d.year}.{d.month}.{d.day}",
        f"{d:%Y.%m.%d}",
        f"{d.year}年{d.month}月{d.day}日",
        f"{d:%Y%m%d}",
        int(f"{d:%Y%m%d}"),
        float(f"{d:%Y%m%d}"),
    ]


@FAST
@given(DAYS)
@example(date(2026, 11, 3))
@example(date(2024, 2, 29))
def test_every_full_form_reads_the_same_day(d: date) -> None:
    for written in _full_forms(d):
        assert parse_date(written, field="检查日期") == d
        assert parse_date(written, field="检查日期", short="past", today=TODAY) == d


def test_the_examples_of_the_spec() -> None:
    for written in ("2026-11-03", "2026/11/3", "2026.11.3", "2026年11月3日", "20261103", 20261103):
        assert parse_date(written, field="检查日期") == date(2026, 11, 3)


def _short_forms(d: date) -> list[str]:
    return [f"{d.month}-{d.day}", f"{d.month}.{d.day}", f"{d:%m%d}", f"{d:%m-%d}"]


@FAST
@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)), DAYS)
@example(today=date(2026, 11, 3), d=date(2026, 11, 3))
@example(today=date(2026, 11, 3), d=date(2026, 11, 4))
@example(today=date(2026, 1, 5), d=date(2025, 12, 28))
@example(today=date(2027, 3, 1), d=date(2024, 2, 29))
def test_short_dates_of_events_are_never_in_the_future(today: date, d: date) -> None:
    for written in _short_forms(d):
        try:
            got = parse_date(written, field="检查日期", short="past", today=today)
        except ValidationError:
            # only 2-29 with no leap year among the last five
            assert (d.month, d.day) == (2, 29)
            continue
        assert (got.month, got.day) == (d.month, d.day)
        assert got <= today
        # the most recent such day: no later year has it on or before today
        for year in range(got.year + 1, today.year + 1):
            try:
                later = date(year, got.month, got.day)
            except ValueError:
                continue
            assert later > today


@FAST
@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)), DAYS)
@example(today=date(2026, 11, 3), d=date(2026, 11, 3))
@example(today=date(2026, 11, 3), d=date(2026, 11, 2))
@example(today=date(2026, 12, 30), d=date(2026, 1, 15))
def test_short_dates_of_deadlines_are_the_next_such_day(today: date, d: date) -> None:
    for written in _short_forms(d):
        try:
            got = parse_date(written, field="整改期限", short="next", today=today)
        except ValidationError:
            assert (d.month, d.day) == (2, 29)
            continue
        assert (got.month, got.day) == (d.month, d.day)
        assert got >= today
        assert got - today < timedelta(days=366 * 4 + 1)
        # the next such day: no earlier year has it on or after today
        for year in range(today.year, got.year):
            try:
                earlier = date(year, got.month, got.day)
            except ValueError:
                continue
            assert earlier < today


def test_short_dates_worked_examples() -> None:
    assert parse_date("11-3", field="检查日期", short="past", today=TODAY) == date(2026, 11, 3)
    assert parse_date("11.4", field="检查日期", short="past", today=TODAY) == date(2025, 11, 4)
    assert parse_date("1104", field="整改期限", short="next", today=TODAY) == date(2026, 11, 4)
    assert parse_date("11-2", field="整改期限", short="next", today=TODAY) == date(2027, 11, 2)
    assert parse_date("12.31", field="结束日期", short="year", today=TODAY) == date(2026, 12, 31)
    assert parse_date("1-1", field="结束日期", short="year", today=TODAY) == date(2026, 1, 1)


@pytest.mark.parametrize("written", ["11-3", "11.3", "1103"])
def test_short_dates_are_refused_without_short(written: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_date(written, field="检查日期")
    assert "20261103" in info.value.reason  # the sentence lists the accepted formats
    assert "1103" not in info.value.reason.replace(written, "").replace("20261103", "")


@FAST
@given(st.text(max_size=12))
@example("2026-2-30")
@example("13-1")
@example("1332")
@example("11/3")
@example("2026年11月3")
@example("２０２６-11-3")
def test_anything_else_is_a_date_or_a_chinese_sentence(text: str) -> None:
    for short in (None, "past", "next", "year"):
        try:
            got = parse_date(text, field="检查日期", short=short, today=TODAY)  # type: ignore[arg-type]
        except ValidationError as exc:
            assert exc.field == "检查日期"
            assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.reason)
        else:
            assert isinstance(got, date)


@pytest.mark.parametrize("written", ["11/3", "2026年11月3", "2026-11", "113", "2026113"])
def test_refusals_list_the_accepted_formats(written: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_date(written, field="检查日期", short="past", today=TODAY)
    reason = info.value.reason
    for shown in ("2026-11-03", "2026/11/3", "2026.11.3", "2026年11月3日", "20261103", "11-3"):
        assert shown in reason, reason


@pytest.mark.parametrize("written", ["2-30", "13-1", "0-5", "1232", "2026.2.30", 20260230])
def test_days_that_do_not_exist(written: object) -> None:
    with pytest.raises(ValidationError) as info:
        parse_date(written, field="检查日期", short="past", today=TODAY)
    assert "不是真实存在的日期" in info.value.reason
