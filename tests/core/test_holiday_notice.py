"""The State Council's holiday notice read from its text (core/scheduling/holiday_notice.py).

The published notices for 2023–2026 are checked against chinesecalendar's data for those
years (the oracle); the 2027-style text against the days it plainly says; generated
arrangements written in the notices' wording must read back to themselves.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.scheduling.calendar import REST_DAY, WORK_DAY, Calendar
from safecredit_desktop.core.scheduling.holiday_notice import parse_notice

NOTICES = Path(__file__).resolve().parents[1] / "fixtures" / "holiday_notices"
CHINESE_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}
WEEKDAYS = "一二三四五六日"


def notice_text(name: str) -> str:
    return (NOTICES / name).read_text(encoding="utf-8")


def builtin_days(first: date, last: date) -> tuple[dict[date, str], dict[date, str]]:
    """chinesecalendar's days off and 调休 working days between first and last."""
    rest = {d: CHINESE_NAMES[n] for d, n in chinese_calendar.holidays.items() if first <= d <= last}
    work = {d: CHINESE_NAMES[n] for d, n in chinese_calendar.workdays.items() if first <= d <= last}
    return rest, work


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_published_notice_matches_chinesecalendar(year: int) -> None:
    notice = parse_notice(notice_text(f"{year}.txt"))
    assert notice.year == year
    rest, work = builtin_days(date(year, 1, 1), date(year, 12, 31))
    assert {r.day for r in notice.rest_days} == set(rest)
    assert {r.day for r in notice.work_days} == set(work)
    for row in notice.days:
        table = rest if row.kind == REST_DAY else work
        # chinesecalendar's 清明/端午/中秋 are the notice's 清明节/端午节/中秋节; a combined
        # item (国庆节、中秋节) names both
        assert table[row.day] in row.name, row
    assert [d.day for d in notice.days] == sorted(d.day for d in notice.days)


def test_published_notice_counts() -> None:
    n2026 = parse_notice(notice_text("2026.txt"))
    assert len(n2026.rest_days) == 33 and len(n2026.work_days) == 6
    assert n2026.holidays() == ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]
    spring = [r.day for r in n2026.rest_days if r.name == "春节"]
    assert spring == [date(2026, 2, 15) + timedelta(days=n) for n in range(9)]
    assert [(r.day, r.name) for r in n2026.work_days[:3]] == [
        (date(2026, 1, 4), "元旦"),
        (date(2026, 2, 14), "春节"),
        (date(2026, 2, 28), "春节"),
    ]
    n2025 = parse_notice(notice_text("2025.txt"))
    assert n2025.holidays()[-1] == "国庆节、中秋节"
    assert [r.day for r in n2025.rest_days if r.name == "元旦"] == [date(2025, 1, 1)]


def test_2023_notice_across_years_and_months() -> None:
    """元旦 from 2022年12月31日, 劳动节 4月29日至5月3日, 9月29日至10月6日, 放假，共1天."""
    notice = parse_notice(notice_text("2023.txt"))
    # chinesecalendar puts 2023-12-30/31 under 2024's 元旦 (与周末连休): not this notice
    rest, work = builtin_days(date(2022, 12, 31), date(2023, 11, 30))
    assert {r.day for r in notice.rest_days} == set(rest)
    assert {r.day for r in notice.work_days} == set(work)
    assert notice.days[0].day == date(2022, 12, 31) and notice.days[0].name == "元旦"
    assert [r.day for r in notice.rest_days if r.name == "清明节"] == [date(2023, 4, 5)]
    national = [r.day for r in notice.rest_days if r.name == "中秋节、国庆节"]
    assert national[0] == date(2023, 9, 29) and national[-1] == date(2023, 10, 6)
    assert len(national) == 8


def test_2027_style_notice_feeds_the_calendar() -> None:
    notice = parse_notice(notice_text("2027-style.txt"))
    assert notice.year == 2027
    labour = [r.day for r in notice.rest_days if r.name == "劳动节"]
    assert labour == [date(2027, 4, 30) + timedelta(days=n) for n in range(5)]
    assert [(r.day, r.name) for r in notice.work_days] == [
        (date(2027, 2, 14), "春节"),
        (date(2027, 4, 25), "劳动节"),
        (date(2027, 5, 8), "劳动节"),
        (date(2027, 9, 26), "国庆节"),
        (date(2027, 10, 9), "国庆节"),
    ]
    assert [r.day for r in notice.rest_days if r.name in ("端午节", "中秋节")] == [
        date(2027, 6, 9),
        date(2027, 9, 15),
    ]
    calendar = Calendar(notice.days)
    assert calendar.is_working_day(date(2027, 10, 4)) == (False, False)  # a Monday off
    assert calendar.is_working_day(date(2027, 10, 9)) == (True, False)  # a Saturday on
    # 7 working days after Thursday 30 September: not the 7 weekdays of a plain week
    due = calendar.add_working_days(date(2027, 9, 30), 7)
    assert due.day == date(2027, 10, 15) and not due.estimated


def test_pasted_forms_read_the_same() -> None:
    """Full-width digits, items run together or wrapped, spaces: the same days."""
    text = notice_text("2026.txt")
    expected = parse_notice(text).days
    full_width = text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert parse_notice(full_width).days == expected
    one_line = text.replace("。\n", "。")
    assert parse_notice(one_line).days == expected
    wrapped = text.replace(
        "至23日（农历正月初七、周一）", "至23日（农历正月初七、\n周一）"
    ).replace("9月20日（周日）、", "9月20日（周日）、\n  ")
    assert parse_notice(wrapped).days == expected
    spaced = text.replace("1月1日", "1 月 1 日").replace("：", " ： ")
    assert parse_notice(spaced).days == expected


def test_year_given_or_found() -> None:
    body = "一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n"
    assert parse_notice(body, year=2027).days[0].day == date(2027, 1, 1)
    with pytest.raises(SafeCreditError, match="没有找到年份"):
        parse_notice(body)
    with pytest.raises(SafeCreditError, match="2026年的节假日安排，与指定的2027年不符"):
        parse_notice(notice_text("2026.txt"), year=2027)


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("一、元旦：1月1日（周四）至3日（周日）放假，共3天。", "是周五，通知写的是周四"),
        ("一、元旦：1月1日（周五）至3日（周日）放假，共4天。", "共3天，通知写的是4天"),
        ("一、春节：2月12日至5日放假调休，共8天。", "倒过来"),
        ("一、春节：2月5日、2月8日至12日放假。", "多个放假日期"),
        ("一、春节：2月5日至12日放假调休。2月10日（周三）上班。", "本来就上班"),
        ("一、春节：2月5日至12日放假调休。2月14日（周日）补班。", "读不懂“2月14日（周日）补班”"),
        ("一、春节：2月5日至12日放假调休。2月7日（周日）上班。", "同一天不能安排两次"),
        ("一、元旦：放假，共3天。", "没有读到日期"),
        ("一、元旦：与周末连休。", "没有读到放假日期"),
        ("一、元旦：1月32日放假。", "不是有效的日期"),
        ("一、元旦：3日放假。", "没有写月份"),
    ],
)
def test_unreadable_or_ambiguous_lines_refused(line: str, why: str) -> None:
    text = f"国务院办公厅关于2027年部分节假日安排的通知\n\n{line}\n"
    with pytest.raises(SafeCreditError) as raised:
        parse_notice(text)
    message = raised.value.message
    assert why in message
    assert message.startswith("节假日通知第3行“一、")  # names the line


def test_day_named_in_two_items_refused() -> None:
    text = (
        "关于2027年部分节假日安排的通知\n"
        "一、中秋节：9月15日（周三）放假，共1天。\n"
        "二、国庆节：9月15日至17日放假调休，共3天。\n"
    )
    with pytest.raises(SafeCreditError, match=r"第3行.*9月15日在第2行已写作中秋节放假"):
        parse_notice(text)


def test_no_items_refused() -> None:
    with pytest.raises(SafeCreditError, match="没有读到放假安排"):
        parse_notice("国务院办公厅关于2027年部分节假日安排的通知\n经国务院批准……\n")


def test_advice_with_a_date_is_not_a_day_off() -> None:
    notice = parse_notice(notice_text("2024.txt"))
    assert date(2024, 2, 9) not in {r.day for r in notice.days}  # 除夕（2月9日）: advice only


# -- generated arrangements, written as the notices write them, read back ------------------

FESTIVAL_NAMES = ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]


def _written(day: date, *, month: bool = True, weekday: bool = True) -> str:
    text = f"{day.month}月{day.day}日" if month else f"{day.day}日"
    return text + (f"（周{WEEKDAYS[day.weekday()]}）" if weekday else "")


@st.composite
def arrangements(draw: st.DrawFn) -> tuple[int, list[tuple[str, list[date], list[date]]]]:
    year = draw(st.integers(2027, 2060))
    count = draw(st.integers(1, 7))
    starts = sorted(draw(st.sets(st.integers(0, 330), min_size=count, max_size=count)))
    items: list[tuple[str, list[date], list[date]]] = []
    taken: set[date] = set()
    for index, offset in enumerate(starts):
        start = date(year, 1, 1) + timedelta(days=offset)
        length = draw(st.integers(1, 9))
        days = [start + timedelta(days=n) for n in range(length)]
        if days[-1].year != year or taken & set(days):
            continue
        taken |= set(days)
        weekend = [
            start + timedelta(days=n)
            for n in range(-10, length + 10)
            if (start + timedelta(days=n)).weekday() >= 5
            and (start + timedelta(days=n)).year == year
            and start + timedelta(days=n) not in taken
        ]
        work = sorted(draw(st.sets(st.sampled_from(weekend), max_size=2))) if weekend else []
        taken |= set(work)
        items.append((FESTIVAL_NAMES[index % len(FESTIVAL_NAMES)] + "", days, work))
    return year, items


def _notice(year: int, items: list[tuple[str, list[date], list[date]]], notes: bool) -> str:
    lines = [f"国务院办公厅关于{year}年部分节假日安排的通知", ""]
    numbers = "一二三四五六七八九十"
    for index, (name, days, work) in enumerate(items):
        first, last = days[0], days[-1]
        if first == last:
            span = f"{_written(first, weekday=notes)}放假，共1天。"
        else:
            end = _written(last, month=last.month != first.month, weekday=notes)
            span = f"{_written(first, weekday=notes)}至{end}放假调休，共{len(days)}天。"
        worked = "、".join(_written(d) for d in work) + "上班。" if work else ""
        lines.append(f"{numbers[index]}、{name}：{span}{worked}")
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None, derandomize=True)
@given(arrangements(), st.booleans())
@example((2027, [("国庆节", [date(2027, 9, 29) + timedelta(days=n) for n in range(8)], [])]), True)
@example((2027, [("元旦", [date(2027, 1, 1)], [date(2027, 1, 9)])]), False)
def test_generated_notices_read_back(
    arrangement: tuple[int, list[tuple[str, list[date], list[date]]]], notes: bool
) -> None:
    year, items = arrangement
    if not items:
        return
    notice = parse_notice(_notice(year, items, notes))
    expected = sorted(
        [(d, REST_DAY, name) for name, days, _w in items for d in days]
        + [(d, WORK_DAY, name) for name, _d, work in items for d in work]
    )
    assert [(r.day, r.kind, r.name) for r in notice.days] == expected
