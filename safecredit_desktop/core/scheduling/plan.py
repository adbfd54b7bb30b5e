"""The annual inspection plan (年度执法检查计划; scheduling.md "Annual plan").

Grades: the annual assessment for year Y — the confirmed one when Y has been
confirmed, otherwise computed as of 31 December Y-1 (``services.assessment_date``).
Units that are 关闭 get nothing.

Windows: a unit's interval (``Profile.interval_for(grade, high_risk)``, so a high-risk
unit at most 12 months) becomes windows of the largest of 1, 2, 3, 4, 6 or 12 months
not longer than it: D (3) one per quarter, C (6) one per half-year, B and every
high-risk unit (12) one in the year. An interval longer than 12 months (A, 24) gives
one inspection in the year only when it falls due during Y: never inspected, or its
last inspection (on or before 31 December Y-1) will be that many months old by 31
December Y.

Suggested month: the due date runs on from the last inspection (never inspected: 1
January Y); each window's planned day is that due date clamped into the window (due
before the window: its first month; after: its last), and the next due date is one
interval after the planned day. ``due_on`` is the planned day.

Enforcement body: as in due.py (a tier above the county, an entrusted town, or the
county bureau). Inspections of units under a higher tier are listed under that tier
and not scheduled for the county: they take no capacity.

Levelling (``capacity`` N per month): the county's planned inspections are taken in
order of window end, shorter windows first on the same end (then suggested month and
code); each keeps its suggested month while that month has fewer than N, else moves to
the least-loaded month of its window (ties: nearest the suggested month, then the
earlier). Windows here are calendar-aligned and nest (month ⊂ quarter ⊂ half-year ⊂
year), so this order never leaves a month over N when any arrangement could avoid it.
What still cannot fit is marked ``fits = False``, keeps its suggested month, is not
counted in the month loads, and is listed in ``Plan.cannot_fit``.

Fulfilment: a planned inspection is fulfilled by the unit's first inspection dated
inside its window (status 已完成 with that date). Otherwise, as of ``today``: 逾期
after the window has ended, 到期未检 from the planned day on, 未到期 before it.

Speed: one query each for units, last inspections and the year's inspections.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from safecredit_desktop.core.model import UnitStatus
from safecredit_desktop.core.rules.profile import GRADE_LETTERS, Profile
from safecredit_desktop.core.scheduling.due import (
    Bodies,
    UnitRow,
    add_months,
    bodies_of,
    last_inspections,
    load_units,
)
from safecredit_desktop.core.storage.connection import Database

WINDOW_LENGTHS = (12, 6, 4, 3, 2, 1)


class PlanStatus(StrEnum):
    DONE = "已完成"
    NOT_DUE = "未到期"
    DUE = "到期未检"
    OVERDUE = "逾期"


@dataclass(frozen=True)
class PlannedInspection:
    unit_id: int
    uscc: str
    name: str
    category: str
    town: str
    status_of_unit: str
    grade: str
    high_risk: bool
    interval_months: int
    last_inspection: date | None  # on or before 31 December Y-1
    window_start: date
    window_end: date
    window_label: str  # 第一季度 / 上半年 / 全年 …
    due_on: date  # the planned day: the due date clamped into the window
    suggested_month: int  # 1–12, after levelling
    original_month: int  # before levelling
    body: str
    county: bool  # False: a higher tier's; takes no county capacity
    fits: bool  # False: levelling found no month with room in the window
    status: PlanStatus
    done_on: date | None  # the inspection that fulfils it

    @property
    def follow_up(self) -> bool:
        return self.status_of_unit == UnitStatus.SUSPENDED

    def window_text(self) -> str:
        return f"{self.window_label}（{self.window_start:%m-%d}至{self.window_end:%m-%d}）"

    def status_text(self) -> str:
        if self.done_on is not None:
            return f"{self.status}（{self.done_on.isoformat()}）"
        return str(self.status)


@dataclass(frozen=True)
class Plan:
    year: int
    as_of: date  # the grades' date: 31 December Y-1
    basis: str  # which grades, as a sentence
    capacity: int | None
    today: date
    items: list[PlannedInspection]  # by suggested month, then code

    @property
    def county_items(self) -> list[PlannedInspection]:
        return [i for i in self.items if i.county]

    @property
    def cannot_fit(self) -> list[PlannedInspection]:
        return [i for i in self.items if not i.fits]

    def month_loads(self) -> list[int]:
        """Planned county inspections per month (index 0 = January), fitting ones only."""
        loads = [0] * 12
        for i in self.items:
            if i.county and i.fits:
                loads[i.suggested_month - 1] += 1
        return loads

    def counts_by_grade(self) -> dict[str, int]:
        counts = {g: 0 for g in GRADE_LETTERS}
        for i in self.items:
            counts[i.grade] = counts.get(i.grade, 0) + 1
        return counts

    def units_by_grade(self) -> dict[str, int]:
        seen: dict[str, set[int]] = {g: set() for g in GRADE_LETTERS}
        for i in self.items:
            seen.setdefault(i.grade, set()).add(i.unit_id)
        return {g: len(s) for g, s in seen.items()}

    def counts_by_status(self) -> dict[str, int]:
        counts = {s.value: 0 for s in PlanStatus}
        for i in self.items:
            counts[i.status.value] += 1
        return counts

    def bodies(self) -> list[str]:
        return sorted({i.body for i in self.items})

    def towns(self) -> list[str]:
        return sorted({i.town for i in self.items})


def window_length(interval: int) -> int:
    """Months per window for an interval of ``interval`` months (at most 12)."""
    for length in WINDOW_LENGTHS:
        if length <= interval:
            return length
    return 1


_QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")


def _window_label(length: int, index: int) -> str:
    if length == 12:
        return "全年"
    if length == 6:
        return ("上半年", "下半年")[index]
    if length == 3:
        return _QUARTERS[index]
    first = index * length + 1
    if length == 1:
        return f"{first}月"
    return f"{first}—{first + length - 1}月"


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


@dataclass
class _Draft:
    unit: UnitRow
    grade: str
    high: bool
    interval: int
    last: date | None
    start: date
    end: date
    label: str
    due_on: date
    month: int
    body: str
    county: bool
    fits: bool = True
    suggested: int = 0


def _windows(
    unit: UnitRow, grade: str, high: bool, interval: int, last: date | None, year: int
) -> list[tuple[date, date, str, date]]:
    """(start, end, label, planned day) for each inspection the unit needs in ``year``."""
    first_day, last_day = date(year, 1, 1), date(year, 12, 31)
    expected = first_day if last is None else add_months(last, interval)
    if interval > 12:
        if expected > last_day:
            return []
        return [(first_day, last_day, "全年", max(expected, first_day))]
    length = window_length(interval)
    out = []
    for index in range(12 // length):
        start_month = index * length + 1
        start = date(year, start_month, 1)
        end = _month_end(year, start_month + length - 1)
        planned = min(max(expected, start), end)
        out.append((start, end, _window_label(length, index), planned))
        expected = add_months(planned, interval)
    return out


def level(drafts: list[_Draft], capacity: int | None) -> None:
    """Set ``suggested`` and ``fits`` of the county's drafts (see the module docstring)."""
    for d in drafts:
        d.suggested, d.fits = d.month, True
    if capacity is None:
        return
    loads = [0] * 13
    order = sorted(
        (d for d in drafts if d.county),
        key=lambda d: (d.end, d.end - d.start, d.month, d.unit.uscc),
    )
    for d in order:
        if loads[d.month] < capacity:
            loads[d.month] += 1
            continue
        months = range(d.start.month, d.end.month + 1)
        best = min(months, key=lambda m: (loads[m], abs(m - d.month), m))
        if loads[best] < capacity:
            d.suggested = best
            loads[best] += 1
        else:
            d.fits = False


def _status(
    d: _Draft, done: Mapping[int, list[date]], today: date
) -> tuple[PlanStatus, date | None]:
    for day in done.get(d.unit.unit_id, ()):
        if d.start <= day <= d.end:
            return PlanStatus.DONE, day
    if today > d.end:
        return PlanStatus.OVERDUE, None
    if today >= d.due_on:
        return PlanStatus.DUE, None
    return PlanStatus.NOT_DUE, None


def build_plan(
    units: Iterable[UnitRow],
    grades: Mapping[int, str],
    last: Mapping[int, date],
    done: Mapping[int, list[date]],
    *,
    profile: Profile,
    bodies: Bodies,
    year: int,
    capacity: int | None,
    today: date,
    basis: str,
) -> Plan:
    """The plan from plain data. ``done``: unit id → its inspection dates in ``year``,
    ascending; ``last``: unit id → its last inspection on or before 31 December Y-1."""
    if capacity is not None and capacity < 1:
        from safecredit_desktop.core.errors import SafeCreditError

        raise SafeCreditError("每月检查能力应为正整数。")
    drafts: list[_Draft] = []
    closed = UnitStatus.CLOSED.value
    for u in units:
        if u.status == closed:
            continue
        grade = grades.get(u.unit_id)
        if grade is None:
            continue
        high = profile.is_high_risk(u.category, u.high_risk_marked)
        interval = profile.interval_for(grade, high)
        previous = last.get(u.unit_id)
        body = bodies.body(grade, u.town)
        county = not bodies.above_county(grade)
        for start, end, label, planned in _windows(u, grade, high, interval, previous, year):
            drafts.append(
                _Draft(
                    u,
                    grade,
                    high,
                    interval,
                    previous,
                    start,
                    end,
                    label,
                    planned,
                    planned.month,
                    body,
                    county,
                )
            )
    level(drafts, capacity)
    items = []
    for d in drafts:
        status, done_on = _status(d, done, today)
        u = d.unit
        items.append(
            PlannedInspection(
                u.unit_id,
                u.uscc,
                u.name,
                u.category,
                u.town,
                u.status,
                d.grade,
                d.high,
                d.interval,
                d.last,
                d.start,
                d.end,
                d.label,
                d.due_on,
                d.suggested,
                d.month,
                d.body,
                d.county,
                d.fits,
                status,
                done_on,
            )
        )
    items.sort(key=lambda i: (i.suggested_month, i.uscc, i.window_start))
    return Plan(year, date(year - 1, 12, 31), basis, capacity, today, items)


def year_inspections(db: Database, year: int) -> dict[int, list[date]]:
    """unit id → its inspection dates in ``year``, ascending; one query."""
    done: dict[int, list[date]] = {}
    for unit_id, day in db.conn.execute(
        "SELECT unit_id, inspected_on FROM inspections WHERE inspected_on BETWEEN ? AND ?"
        " ORDER BY unit_id, inspected_on",
        (f"{year:04d}-01-01", f"{year:04d}-12-31"),
    ):
        done.setdefault(int(unit_id), []).append(date.fromisoformat(str(day)))
    return done


def compute_plan(
    db: Database,
    profile: Profile,
    grades: Mapping[int, str],
    *,
    year: int,
    capacity: int | None,
    today: date,
    bureau_name: str,
    basis: str,
) -> Plan:
    """``build_plan`` from the database: three queries whatever the number of units."""
    return build_plan(
        load_units(db),
        grades,
        last_inspections(db, date(year - 1, 12, 31)),
        year_inspections(db, year),
        profile=profile,
        bodies=bodies_of(db, profile, bureau_name),
        year=year,
        capacity=capacity,
        today=today,
        basis=basis,
    )
