"""The State Council's holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知), read
from its text as published, into the year's days off and 调休 working days.

chinesecalendar's data ends at 2026; for later years the administrator pastes the notice
(设置 → 节假日 → 粘贴通知, or ``safecredit holidays import FILE``) and the days read are
stored in the holiday table (calendar.py).

What is read: the numbered items of the arrangement, one per holiday, e.g.

    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。
    2月14日（周六）、2月28日（周六）上班。

Each item's clauses (split at ，；。) are taken in turn: a clause with 放假 gives the days
off — one date, or two joined by 至 (a range may cross months: 9月29日至10月6日; the end
may leave out its month; 1月28日至4日, or 12月31日至1月2日 without years, is refused as
running backwards); 共N天 or 放假N天 must equal the days of that range; a clause ending
in 上班 gives 调休 working days (each must fall on a Saturday or Sunday). A sentence
beginning 鼓励 (e.g. 鼓励各单位……安排职工在除夕（2月9日）休息) is advice, not an
arrangement, and is skipped. A weekday written
beside a date (（周四）, （星期日）, （农历除夕、周二）) must be that date's weekday, which
also catches a notice of another year. Dates may carry their own year (元旦：2022年12月31日
至2023年1月2日); the others are in the notice's year, read from its title (关于2027年部分
节假日安排) or given by the caller.

Anything else carrying a date inside an item, two ranges in one clause, a day named
twice, or a notice with no item is refused with a sentence naming the line. Text outside
the items (title, addressees, the closing paragraph, the signature date) is ignored.
Full-width digits and punctuation, spaces and items wrapped over several lines (as
pasted from a web page or a PDF) are accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.scheduling.calendar import REST_DAY, WORK_DAY, HolidayRow

FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
_WEEKDAYS = "一二三四五六日"

_TO_ASCII = str.maketrans(
    "０１２３４５６７８９(),:;",
    "0123456789（），：；",
)
_SPACES = re.compile(r"[ \t\u3000\u00a0\u2002\u2003\u200b]+")
_TITLE_YEAR = re.compile(r"关于(\d{4})年(?:部分)?节假日")
_PREAMBLE_YEAR = re.compile(r"现将(\d{4})年")
_NUMBERED = re.compile(r"^[一二三四五六七八九十]+[、.．]\s*([^：]{1,24})：(.*)$")
_UNNUMBERED = re.compile(
    r"^((?:元旦|春节|清明节|劳动节|端午节|中秋节|国庆节)(?:、[^：]{1,8})*)：(.*)$"
)
_DATE = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:（([^）]*)）)?")
_WEEKDAY_NOTE = re.compile(r"(?:周|星期)([一二三四五六日天])")
_COUNT = re.compile(r"(?:共|放假)(\d{1,2})天")
_MARK = "\x00"


@dataclass(frozen=True)
class HolidayNotice:
    """The days one notice arranges: days off (休息日) and 调休 working days (工作日),
    in date order, each with its holiday's name as the notice writes it (国庆节、中秋节)."""

    year: int
    days: tuple[HolidayRow, ...]

    @property
    def rest_days(self) -> list[HolidayRow]:
        return [d for d in self.days if d.kind == REST_DAY]

    @property
    def work_days(self) -> list[HolidayRow]:
        return [d for d in self.days if d.kind == WORK_DAY]

    def holidays(self) -> list[str]:
        """The holidays' names in the notice's order."""
        names: list[str] = []
        for row in sorted(self.days, key=lambda r: (r.kind != REST_DAY, r.day)):
            if row.name not in names:
                names.append(row.name)
        return names


class _Line:
    """An item of the arrangement: its first line's number and its whole text."""

    def __init__(self, number: int, name: str, body: str, first: str) -> None:
        self.number, self.name, self.body, self.first = number, name, body, first

    def refuse(self, why: str) -> SafeCreditError:
        shown = self.first if len(self.first) <= 40 else self.first[:39] + "…"
        return SafeCreditError(f"节假日通知第{self.number}行“{shown}”：{why}")


def _normalise(line: str) -> str:
    return _SPACES.sub("", line.translate(_TO_ASCII)).strip()


def _notice_year(lines: list[str], year: int | None) -> int:
    found: int | None = None
    for line in lines:
        match = _TITLE_YEAR.search(line) or _PREAMBLE_YEAR.search(line)
        if match:
            found = int(match.group(1))
            break
    if year is not None:
        if found is not None and found != year:
            raise SafeCreditError(
                f"通知是{found}年的节假日安排，与指定的{year}年不符，请核对通知或年份。"
            )
        return year
    if found is None:
        raise SafeCreditError(
            "通知中没有找到年份（如标题“国务院办公厅关于2027年部分节假日安排的通知”），"
            "请一并粘贴标题，或指定年份（--year）。"
        )
    return found


def _items(lines: list[str]) -> list[_Line]:
    items: list[_Line] = []
    current: _Line | None = None
    for number, line in enumerate(lines, start=1):
        if not line:
            current = None
            continue
        match = _NUMBERED.match(line) or _UNNUMBERED.match(line)
        if match:
            current = _Line(number, match.group(1), match.group(2), line)
            items.append(current)
        elif current is not None and not current.body.endswith("。"):
            current.body += line  # an item wrapped over several lines
        else:
            current = None
    return items


def _weekday_of(note: str | None) -> int | None:
    if not note:
        return None
    match = _WEEKDAY_NOTE.search(note)
    if match is None:
        return None
    return _WEEKDAYS.index("日" if match.group(1) == "天" else match.group(1))


class _Dates:
    """The dates of one clause, in order, with the text between them."""

    def __init__(self, item: _Line, clause: str, year: int) -> None:
        self.days: list[date] = []
        pieces: list[str] = []
        last_end = 0
        year_now: int | None = None
        month_now: int | None = None
        for match in _DATE.finditer(clause):
            y, m, d, note = match.groups()
            if y is not None:
                year_now = int(y)
            if m is not None:
                month_now = int(m)
            elif month_now is None:
                raise item.refuse(f"“{match.group(0)}”没有写月份，无法确定是哪一天。")
            try:
                day = date(year_now or year, month_now, int(d))
            except ValueError:
                raise item.refuse(f"“{match.group(0)}”不是有效的日期。") from None
            weekday = _weekday_of(note)
            if weekday is not None and weekday != day.weekday():
                raise item.refuse(
                    f"{day.year}年{day.month}月{day.day}日是周{_WEEKDAYS[day.weekday()]}，"
                    f"通知写的是周{_WEEKDAYS[weekday]}，请核对通知的年份。"
                )
            self.days.append(day)
            pieces.append(clause[last_end : match.start()])
            last_end = match.end()
        pieces.append(clause[last_end:])
        self.between = pieces[1:-1]  # the text between consecutive dates
        self.text = _MARK.join(pieces)


def _rest_days(item: _Line, dates: _Dates) -> list[date]:
    if not dates.days:
        raise item.refuse("写了放假，但没有读到日期。")
    if len(dates.days) == 1:
        return [dates.days[0]]
    if len(dates.days) == 2 and dates.between[0] == "至":
        start, end = dates.days
        if end < start:
            raise item.refuse(
                f"放假日期从{start.month}月{start.day}日至{end.month}月{end.day}日是倒过来的，"
                "请核对日期（跨月时结束日期应写明月份，跨年时应写明年份）。"
            )
        return [start + timedelta(days=n) for n in range((end - start).days + 1)]
    raise item.refuse("一句中有多个放假日期，无法确定是连续放假还是分开放假。")


def _read_item(item: _Line, year: int) -> list[HolidayRow]:
    rows: list[HolidayRow] = []
    for sentence in re.split(r"[。]", item.body):
        if not sentence or sentence.startswith(("鼓励", "建议", "提倡")):
            continue  # advice (e.g. 安排职工在除夕休息), not part of the arrangement
        last_rest: list[date] | None = None
        for clause in re.split(r"[，；]", sentence):
            if not clause:
                continue
            dates = _Dates(item, clause, year)
            count = _COUNT.search(dates.text)
            if "放假" in dates.text:
                last_rest = _rest_days(item, dates)
                rows.extend(HolidayRow(d, REST_DAY, item.name) for d in last_rest)
            elif dates.text.endswith("上班") or dates.text.endswith("上班调休"):
                if not dates.days:
                    raise item.refuse("写了上班，但没有读到日期。")
                for day in dates.days:
                    if day.weekday() < 5:
                        raise item.refuse(
                            f"{day.month}月{day.day}日是周{_WEEKDAYS[day.weekday()]}，"
                            "本来就上班，不是调休上班日。"
                        )
                    rows.append(HolidayRow(day, WORK_DAY, item.name))
            elif dates.days:
                raise item.refuse(f"读不懂“{clause}”：日期后应写“放假”或“上班”。")
            if count is not None:
                if last_rest is None:
                    raise item.refuse(f"“{clause}”写了天数，但前面没有放假日期。")
                if int(count.group(1)) != len(last_rest):
                    raise item.refuse(
                        f"放假日期共{len(last_rest)}天，通知写的是{count.group(1)}天，请核对日期。"
                    )
    if not any(r.kind == REST_DAY for r in rows):
        raise item.refuse("没有读到放假日期。")
    return rows


def parse_notice(text: str, year: int | None = None) -> HolidayNotice:
    """The days of a holiday notice's text; ``year`` when the text lacks its title."""
    # items run together on one line (copied from a web page) are put on lines of their own
    text = re.sub(r"(?<=。)\s*(?=[一二三四五六七八九十]+、)", "\n", text.translate(_TO_ASCII))
    lines = [_normalise(line) for line in text.splitlines()]
    the_year = _notice_year(lines, year)
    items = _items(lines)
    if not items:
        raise SafeCreditError(
            "没有读到放假安排：通知正文应有“一、元旦：1月1日……放假……”这样的条目。"
        )
    seen: dict[date, tuple[HolidayRow, _Line]] = {}
    for item in items:
        for row in _read_item(item, the_year):
            if row.day in seen:
                earlier, where = seen[row.day]
                raise item.refuse(
                    f"{row.day.month}月{row.day.day}日在第{where.number}行已写作"
                    f"{earlier.name}{'放假' if earlier.kind == REST_DAY else '上班'}，"
                    "同一天不能安排两次。"
                )
            seen[row.day] = (row, item)
    days = tuple(sorted((row for row, _item in seen.values()), key=lambda r: r.day))
    if not any(d.day.year == the_year for d in days):
        raise SafeCreditError(f"通知中没有{the_year}年的放假日期，请核对年份。")
    return HolidayNotice(the_year, days)
