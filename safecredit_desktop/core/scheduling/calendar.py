"""The working-day calendar (grading.md "Deadlines", scheduling.md).

Each year is answered by exactly one source, in this order:

1. **内置日历** — the ``chinesecalendar`` package, for the years it has the State
   Council's arrangement for (found by probing: it raises ``NotImplementedError`` for
   any other year; 1.11 knows 2004–2026). Table rows are not consulted for these
   years and cannot be added for them.
2. **节假日表** — the ``holidays`` table the administrator edits in 设置 → 节假日. A
   year counts as known by the table as soon as the table has at least one row dated
   in that year: the administrator enters the year's holidays (休息日) and its 调休
   working weekends (工作日); every other day of that year is Monday–Friday working,
   Saturday/Sunday off.
3. **周一至周五** — neither knows the year: Monday–Friday count as working days and
   every result touching that year is marked ``estimated`` and carries a warning to
   show beside the date.

Counting convention: ``add_working_days(start, n)`` is the n-th working day after
``start``; ``start`` itself is never counted (a decision on Friday with 7 working days
to publish is due on the 7th working day after that Friday). ``working_days_between(a,
b)`` counts the working days after ``a`` up to and including ``b``, so
``working_days_between(s, add_working_days(s, n).day) == n``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from functools import cache

import chinese_calendar

from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.storage import audit
from safecredit_desktop.core.storage.connection import Database

REST_DAY = "休息日"
WORK_DAY = "工作日"
HOLIDAY_KINDS = (REST_DAY, WORK_DAY)
TABLE = "holidays"


class YearSource(Enum):
    """Which source answers a year's working days."""

    BUILTIN = "内置日历（chinesecalendar）"
    TABLE = "节假日表（设置 → 节假日）"
    WEEKDAYS = "无节假日安排，按周一至周五计算"


def _supported(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@cache
def builtin_years() -> range:
    """The years chinesecalendar knows, found by probing around the years in its data."""
    known = {d.year for d in chinese_calendar.holidays} | {
        d.year for d in chinese_calendar.workdays
    }
    candidates = [y for y in sorted(known) if _supported(y)]
    if not candidates:
        return range(0)
    low, high = candidates[0], candidates[-1]
    while low > 1 and _supported(low - 1):
        low -= 1
    while high < 9999 and _supported(high + 1):
        high += 1
    return range(low, high + 1)


class _Estimated:
    """A result counted Mon–Fri in ``estimated_years`` (their holidays not known)."""

    estimated_years: tuple[int, ...]

    @property
    def warning(self) -> str:
        """The sentence to show beside the result ("" when not estimated)."""
        if not self.estimated_years:
            return ""
        text = "、".join(f"{y}年" for y in self.estimated_years)
        return f"{text}节假日安排未知，按周一至周五计算，请在 设置 → 节假日 中补充"


@dataclass(frozen=True)
class WorkingDays(_Estimated):
    """A date computed in working days; ``estimated`` when a year was counted Mon–Fri."""

    day: date
    estimated: bool = False
    estimated_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class WorkingDayCount(_Estimated):
    """A number of working days; ``estimated`` when a year was counted Mon–Fri."""

    count: int
    estimated: bool = False
    estimated_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class HolidayRow:
    """One row of the administrator's table: a day off (休息日) or a 调休 working day."""

    day: date
    kind: str
    name: str = ""


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


class Calendar:
    """Working days from chinesecalendar, then the holiday table, then Monday–Friday."""

    def __init__(self, rows: Iterable[HolidayRow | tuple[date | str, str, str]] = ()) -> None:
        self._rows: dict[date, HolidayRow] = {}
        for row in rows:
            if not isinstance(row, HolidayRow):
                row = HolidayRow(_as_date(row[0]), row[1], row[2])
            if row.kind not in HOLIDAY_KINDS:
                raise SafeCreditError(f"节假日表中 {row.day.isoformat()} 的类型“{row.kind}”无效。")
            self._rows[row.day] = row
        self._table_years = frozenset(d.year for d in self._rows)
        self._builtin = builtin_years()

    @classmethod
    def load(cls, db: Database) -> Calendar:
        return cls(_read_rows(db.conn, None))

    def year_source(self, year: int) -> YearSource:
        if year in self._builtin:
            return YearSource.BUILTIN
        if year in self._table_years:
            return YearSource.TABLE
        return YearSource.WEEKDAYS

    def is_working_day(self, d: date) -> tuple[bool, bool]:
        """(working, estimated): estimated when the year was counted Monday–Friday."""
        source = self.year_source(d.year)
        if source is YearSource.BUILTIN:
            return bool(chinese_calendar.is_workday(d)), False
        if source is YearSource.TABLE:
            row = self._rows.get(d)
            if row is not None:
                return row.kind == WORK_DAY, False
            return d.weekday() < 5, False
        return d.weekday() < 5, True

    def add_working_days(self, start: date, n: int) -> WorkingDays:
        """The n-th working day after ``start`` (start not counted); n < 0 counts back."""
        if n == 0:
            return WorkingDays(start)
        step = timedelta(days=1 if n > 0 else -1)
        remaining = abs(n)
        estimated: set[int] = set()
        day = start
        while remaining:
            day += step
            working, guess = self.is_working_day(day)
            if guess:
                estimated.add(day.year)
            if working:
                remaining -= 1
        years = tuple(sorted(estimated))
        return WorkingDays(day, bool(years), years)

    def working_days_between(self, a: date, b: date) -> WorkingDayCount:
        """Working days after ``a`` up to and including ``b`` (negative when b < a)."""
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        count = 0
        estimated: set[int] = set()
        day = a
        while day < b:
            day += timedelta(days=1)
            working, guess = self.is_working_day(day)
            if guess:
                estimated.add(day.year)
            if working:
                count += 1
        years = tuple(sorted(estimated))
        return WorkingDayCount(sign * count, bool(years), years)


# -- the administrator's table -------------------------------------------------------


def _read_rows(conn: sqlite3.Connection, year: int | None) -> list[HolidayRow]:
    if year is None:
        cursor = conn.execute("SELECT day, kind, name FROM holidays ORDER BY day")
    else:
        cursor = conn.execute(
            "SELECT day, kind, name FROM holidays WHERE day >= ? AND day < ? ORDER BY day",
            (f"{year:04d}-01-01", f"{year + 1:04d}-01-01"),
        )
    return [HolidayRow(date.fromisoformat(str(d)), str(k), str(n)) for d, k, n in cursor]


def list_holidays(db: Database, year: int | None = None) -> list[HolidayRow]:
    """The table's rows (of one year, or all), by date."""
    return _read_rows(db.conn, year)


def _row_dict(row: HolidayRow) -> dict[str, str]:
    return {"day": row.day.isoformat(), "kind": row.kind, "name": row.name}


def set_holiday(db: Database, user: str, day: date, kind: str, name: str = "") -> None:
    """Add or change one day of the table (audited). Refused for built-in years."""
    if kind not in HOLIDAY_KINDS:
        raise SafeCreditError(f"类型“{kind}”无效，只能是“{REST_DAY}”或“{WORK_DAY}”。")
    if day.year in builtin_years():
        raise SafeCreditError(
            f"{day.year}年的节假日安排已由内置日历提供，无需也不能在节假日表中填写。"
        )
    name = name.strip()
    key = day.isoformat()
    after = HolidayRow(day, kind, name)
    with db.transaction() as conn:
        found = conn.execute("SELECT kind, name FROM holidays WHERE day = ?", (key,)).fetchone()
        before = None if found is None else HolidayRow(day, str(found[0]), str(found[1]))
        if before == after:
            return
        conn.execute(
            "INSERT INTO holidays (day, kind, name) VALUES (?, ?, ?)"
            " ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name",
            (key, kind, name),
        )
        entry = audit.AuditEntry(
            "insert" if before is None else "update",
            TABLE,
            key,
            None if before is None else _row_dict(before),
            _row_dict(after),
        )
        audit.append(conn, user, [entry])


def remove_holiday(db: Database, user: str, day: date) -> None:
    """Remove one day from the table (audited)."""
    key = day.isoformat()
    with db.transaction() as conn:
        found = conn.execute("SELECT kind, name FROM holidays WHERE day = ?", (key,)).fetchone()
        if found is None:
            raise SafeCreditError(f"节假日表中没有 {key} 这一天。")
        conn.execute("DELETE FROM holidays WHERE day = ?", (key,))
        before = _row_dict(HolidayRow(day, str(found[0]), str(found[1])))
        audit.append(conn, user, [audit.AuditEntry("delete", TABLE, key, before, None)])


# -- a whole year at once (the State Council's notice) ---------------------------------------

# chinesecalendar's names beside the notices' own (清明 → 清明节 …)
_NOTICE_NAMES = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}


def builtin_rows(year: int) -> list[HolidayRow]:
    """chinesecalendar's days off and 调休 working days of ``year``, by date, with the
    notices' names (empty for a year it does not know)."""
    if year not in builtin_years():
        return []
    names = {h.value: _NOTICE_NAMES.get(h.chinese, h.chinese) for h in chinese_calendar.Holiday}
    rows = [
        HolidayRow(d, REST_DAY, names.get(str(n), str(n)))
        for d, n in chinese_calendar.holidays.items()
        if d.year == year
    ]
    rows += [
        HolidayRow(d, WORK_DAY, names.get(str(n), str(n)))
        for d, n in chinese_calendar.workdays.items()
        if d.year == year
    ]
    return sorted(rows, key=lambda r: r.day)


def festival_of(row: HolidayRow) -> str:
    """The holiday a row belongs to: its name without a trailing 调休上班/调休/上班 (rows
    typed by hand were often named 国庆节调休上班)."""
    name = row.name.strip()
    for suffix in ("调休上班", "上班调休", "调休", "上班"):
        if row.kind == WORK_DAY and name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class YearImport:
    """What storing a year's arrangement changed in the holiday table."""

    year: int
    added: int
    changed: int
    removed: int
    unchanged: int
    skipped: tuple[date, ...]  # days of a year the built-in calendar already knows


def replace_year(db: Database, user: str, year: int, rows: Iterable[HolidayRow]) -> YearImport:
    """Make the table's ``year`` exactly ``rows`` (its days off and 调休 working days), in
    one transaction, each added, changed or removed day audited. Days of ``rows`` in
    another year (元旦 from 31 December) are added or changed there, nothing removed;
    those in a year chinesecalendar knows are skipped. Refused for a built-in ``year``."""
    known = builtin_years()
    if year in known:
        raise SafeCreditError(f"{year}年的节假日安排已由内置日历提供，无需也不能在节假日表中填写。")
    wanted: dict[date, HolidayRow] = {}
    skipped: list[date] = []
    for row in rows:
        if row.kind not in HOLIDAY_KINDS:
            raise SafeCreditError(f"{row.day.isoformat()} 的类型“{row.kind}”无效。")
        if row.day.year != year and row.day.year in known:
            skipped.append(row.day)
            continue
        wanted[row.day] = HolidayRow(row.day, row.kind, row.name.strip())
    if not any(d.year == year for d in wanted):
        raise SafeCreditError(f"没有{year}年的放假日期，节假日表未改动。")
    entries: list[audit.AuditEntry] = []
    added = changed = unchanged = 0
    with db.transaction() as conn:
        existing = {r.day: r for r in _read_rows(conn, year)}
        for day in sorted(set(existing) - set(wanted)):
            conn.execute("DELETE FROM holidays WHERE day = ?", (day.isoformat(),))
            entries.append(
                audit.AuditEntry("delete", TABLE, day.isoformat(), _row_dict(existing[day]), None)
            )
        for day, row in sorted(wanted.items()):
            found = existing.get(day)
            if found is None and day.year != year:
                hit = conn.execute(
                    "SELECT kind, name FROM holidays WHERE day = ?", (day.isoformat(),)
                ).fetchone()
                found = None if hit is None else HolidayRow(day, str(hit[0]), str(hit[1]))
            if found == row:
                unchanged += 1
                continue
            conn.execute(
                "INSERT INTO holidays (day, kind, name) VALUES (?, ?, ?)"
                " ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name",
                (day.isoformat(), row.kind, row.name),
            )
            if found is None:
                added += 1
            else:
                changed += 1
            entries.append(
                audit.AuditEntry(
                    "insert" if found is None else "update",
                    TABLE,
                    day.isoformat(),
                    None if found is None else _row_dict(found),
                    _row_dict(row),
                )
            )
        removed = sum(1 for e in entries if e.action == "delete")
        if entries:
            summary = {
                "操作": f"按国务院办公厅通知写入{year}年节假日安排",
                "新增": added,
                "修改": changed,
                "删除": removed,
            }
            entries.append(audit.AuditEntry("event", TABLE, str(year), None, summary))
            audit.append(conn, user, entries)
    return YearImport(year, added, changed, removed, unchanged, tuple(skipped))
