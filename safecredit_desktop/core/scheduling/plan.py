"""The annual inspection plan (年度执法检查计划; scheduling.md "Annual plan").

Grades: the annual assessment for year Y — the confirmed one when Y has been
confirmed, otherwise computed as of 31 December Y-1 (``core.assessment_date``).
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

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

# The plan's items and adoptions live below storage/plans.py, which stores them:
from safecredit_desktop.core.model import CANNOT_FIT_NOTE as CANNOT_FIT_NOTE
from safecredit_desktop.core.model import Adoption as Adoption
from safecredit_desktop.core.model import Plan as Plan
from safecredit_desktop.core.model import PlannedInspection as PlannedInspection
from safecredit_desktop.core.model import PlanStatus as PlanStatus
from safecredit_desktop.core.rules.profile import Profile
from safecredit_desktop.core.scheduling.due import (
    Bodies,
    UnitRow,
    add_months,
    bodies_of,
    last_inspections,
    load_units,
    scheduled_units,
)
from safecredit_desktop.core.storage.connection import Database

WINDOW_LENGTHS = (12, 6, 4, 3, 2, 1)


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


@functools.cache
def _year_windows(year: int, length: int) -> tuple[tuple[date, date, str], ...]:
    """The calendar windows of ``length`` months in ``year``: (start, end, label)."""
    out = []
    for index in range(12 // length):
        start_month = index * length + 1
        start = date(year, start_month, 1)
        end = _month_end(year, start_month + length - 1)
        out.append((start, end, _window_label(length, index)))
    return tuple(out)


def _windows(interval: int, last: date | None, year: int) -> list[tuple[date, date, str, date]]:
    """(start, end, label, planned day) for each inspection a unit needs in ``year``."""
    first_day, last_day = date(year, 1, 1), date(year, 12, 31)
    expected = first_day if last is None else add_months(last, interval)
    if interval > 12:
        if expected > last_day:
            return []
        return [(first_day, last_day, "全年", max(expected, first_day))]
    out = []
    for start, end, label in _year_windows(year, window_length(interval)):
        planned = expected if start <= expected <= end else (start if expected < start else end)
        out.append((start, end, label, planned))
        expected = add_months(planned, interval)
    return out


def level(items: list[PlannedInspection], capacity: int | None) -> None:
    """Set ``suggested_month`` and ``fits`` of the county's items (module docstring)."""
    for i in items:
        i.suggested_month, i.fits = i.original_month, True
    if capacity is None:
        return
    loads = [0] * 13
    full: set[tuple[int, int]] = set()  # windows with no room left (loads only grow)
    order = sorted(
        (i for i in items if i.county),
        key=lambda i: (
            i.window_end,
            i.window_end - i.window_start,
            i.original_month,
            i.uscc,
        ),
    )
    for i in order:
        month = i.original_month
        if loads[month] < capacity:
            loads[month] += 1
            continue
        window = (i.window_start.month, i.window_end.month)
        if window in full:
            i.fits = False
            continue
        months = range(window[0], window[1] + 1)
        best = min(months, key=lambda m: (loads[m], abs(m - month), m))
        if loads[best] < capacity:
            i.suggested_month = best
            loads[best] += 1
        else:
            i.fits = False
            full.add(window)


def _set_status(
    items: list[PlannedInspection], done: Mapping[int, list[date]], today: date
) -> None:
    for i in items:
        days = done.get(i.unit_id)
        if days is not None:
            start, end = i.window_start, i.window_end
            found = next((d for d in days if start <= d <= end), None)
            if found is not None:
                i.status, i.done_on = PlanStatus.DONE, found
                continue
        if today > i.window_end:
            i.status = PlanStatus.OVERDUE
        elif today >= i.due_on:
            i.status = PlanStatus.DUE
        else:
            i.status = PlanStatus.NOT_DUE


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
    items: list[PlannedInspection] = []
    not_due = PlanStatus.NOT_DUE
    above = {g for g in profile.grades if bodies.above_county(g)}
    for u, grade, high, interval, body in scheduled_units(
        units, grades, profile=profile, bodies=bodies
    ):
        previous = last.get(u.unit_id)
        county = grade not in above
        for start, end, label, planned in _windows(interval, previous, year):
            month = planned.month
            items.append(
                PlannedInspection(
                    u.unit_id,
                    u.uscc,
                    u.name,
                    u.category,
                    u.town,
                    u.status,
                    grade,
                    high,
                    interval,
                    previous,
                    start,
                    end,
                    label,
                    planned,
                    month,
                    month,
                    body,
                    county,
                    True,
                    not_due,
                    None,
                )
            )
    level(items, capacity)
    _set_status(items, done, today)
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


def adopted_plan(
    adoption: Adoption,
    items: list[PlannedInspection],
    done: Mapping[int, list[date]],
    *,
    today: date,
) -> Plan:
    """An adopted plan as stored, its statuses (done/due/overdue) as of ``today``."""
    _set_status(items, done, today)
    items.sort(key=lambda i: (i.suggested_month, i.uscc, i.window_start))
    return Plan(
        adoption.year,
        adoption.as_of,
        adoption.basis,
        adoption.capacity,
        today,
        items,
        adoption,
    )


# -- what changed between the adopted plan and a new one -------------------------------------


@dataclass(frozen=True)
class MovedInspection:
    uscc: str
    name: str
    window: str
    before: int  # month (0: could not fit)
    after: int


@dataclass(frozen=True)
class PlanChanges:
    """A new plan against the adopted one: units added and removed, inspections added or
    removed for units in both, months moved, grades changed, the capacity."""

    units_added: list[tuple[str, str]]  # (code, name)
    units_removed: list[tuple[str, str]]
    inspections_added: int
    inspections_removed: int
    moved: list[MovedInspection]
    grades_changed: list[tuple[str, str, str, str]]  # (code, name, before, after)
    capacity: tuple[int | None, int | None] | None  # (before, after) when changed

    @property
    def none(self) -> bool:
        return not (
            self.units_added
            or self.units_removed
            or self.inspections_added
            or self.inspections_removed
            or self.moved
            or self.grades_changed
            or self.capacity
        )

    def summary(self) -> str:
        """One sentence: what changed (or that nothing did)."""
        if self.none:
            return "与已采用的计划相同。"
        parts: list[str] = []
        if self.units_added:
            parts.append(f"新增企业 {len(self.units_added)} 家")
        if self.units_removed:
            parts.append(f"减少企业 {len(self.units_removed)} 家")
        if self.inspections_added or self.inspections_removed:
            parts.append(
                f"原有企业的检查增加 {self.inspections_added} 次、"
                f"减少 {self.inspections_removed} 次"
            )
        if self.moved:
            parts.append(f"{len(self.moved)} 次检查改变了建议月份")
        if self.grades_changed:
            parts.append(f"{len(self.grades_changed)} 家企业等级变化")
        if self.capacity:
            before, after = (("不限" if c is None else f"每月{c}次") for c in self.capacity)
            parts.append(f"检查能力由{before}改为{after}")
        return "与已采用的计划相比：" + "；".join(parts) + "。"

    def details(self, limit: int = 20) -> list[str]:
        """Lines naming the units and inspections concerned (at most ``limit`` of each)."""

        def some(title: str, lines: list[str]) -> list[str]:
            if not lines:
                return []
            more = [f"  ……等共 {len(lines)} 项"] if len(lines) > limit else []
            return [title, *(f"  {line}" for line in lines[:limit]), *more]

        def month(m: int) -> str:
            return "无法安排" if m == 0 else f"{m}月"

        return [
            *some("新增企业：", [f"{code} {name}" for code, name in self.units_added]),
            *some("减少企业：", [f"{code} {name}" for code, name in self.units_removed]),
            *some(
                "等级变化：",
                [f"{code} {name}：{a} → {b}" for code, name, a, b in self.grades_changed],
            ),
            *some(
                "改变建议月份：",
                [
                    f"{m.uscc} {m.name} {m.window}：{month(m.before)} → {month(m.after)}"
                    for m in self.moved
                ],
            ),
        ]


def compare_plans(adopted: Plan, new: Plan) -> PlanChanges:
    """What ``new`` changes against ``adopted`` (units matched by code, inspections by
    unit and window start). Flat dictionaries: a county plan has ~170,000 items."""
    old_items = {(i.uscc, i.window_start): i for i in adopted.items}
    new_items = {(i.uscc, i.window_start): i for i in new.items}
    old_units = {i.uscc: i for i in adopted.items}
    new_units = {i.uscc: i for i in new.items}
    added = sorted((c, new_units[c].name) for c in new_units.keys() - old_units.keys())
    removed = sorted((c, old_units[c].name) for c in old_units.keys() - new_units.keys())
    more = sum(1 for key in new_items.keys() - old_items.keys() if key[0] in old_units)
    fewer = sum(1 for key in old_items.keys() - new_items.keys() if key[0] in new_units)
    moved: list[MovedInspection] = []
    for key in sorted(old_items.keys() & new_items.keys()):
        b, a = old_items[key], new_items[key]
        b_month = b.suggested_month if b.fits else 0
        a_month = a.suggested_month if a.fits else 0
        if b_month != a_month:
            moved.append(MovedInspection(a.uscc, a.name, a.window_text(), b_month, a_month))
    grades = sorted(
        (code, new_units[code].name, old_units[code].grade, new_units[code].grade)
        for code in old_units.keys() & new_units.keys()
        if old_units[code].grade != new_units[code].grade
    )
    capacity = None if adopted.capacity == new.capacity else (adopted.capacity, new.capacity)
    return PlanChanges(added, removed, more, fewer, moved, grades, capacity)
