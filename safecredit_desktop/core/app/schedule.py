"""Working-day calendar and holidays, due list, annual plan, deadlines, home page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

from safecredit_desktop.core import statistics as _statistics
from safecredit_desktop.core import validate as _validate
from safecredit_desktop.core.app import files
from safecredit_desktop.core.app.part import Part
from safecredit_desktop.core.app.values import (
    _NOT_READ,
    HomeSummary,
    InspectionProgress,
)
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.rules.result import GradeResult as _GradeResult
from safecredit_desktop.core.scheduling import calendar as _workcal
from safecredit_desktop.core.scheduling import deadlines as _deadlines
from safecredit_desktop.core.scheduling import due as _due
from safecredit_desktop.core.scheduling import holiday_notice as _notice
from safecredit_desktop.core.scheduling import plan as _plan
from safecredit_desktop.core.storage import assessments
from safecredit_desktop.core.storage import plans as _plan_store
from safecredit_desktop.core.storage.tables import TABLES


class SchedulePart(Part):
    """Working-day calendar and holidays, due list, annual plan, deadlines, home page."""

    def home_summary(self) -> HomeSummary:
        session = self._session
        conn = session.db.conn
        by_status = {
            str(status): int(count)
            for status, count in conn.execute(
                "SELECT status, count(*) FROM units GROUP BY status ORDER BY status"
            )
        }
        records = {
            spec.label: int(conn.execute(f"SELECT count(*) FROM {spec.name}").fetchone()[0])
            for spec in TABLES
            if spec.name != "units"
        }
        return HomeSummary(
            session.bureau_name,
            session.profile.title,
            by_status,
            records,
            files.latest_backup_time(session.db.path),
        )

    def calendar(self) -> _workcal.Calendar:
        """The working-day calendar: chinesecalendar, then the holiday table, then Mon–Fri."""
        session = self._session
        return _workcal.Calendar.load(session.db)

    def holidays(self, year: int | None = None) -> list[_workcal.HolidayRow]:
        session = self._session
        return _workcal.list_holidays(session.db, year)

    def set_holiday(self, day: date | str, kind: str, name: str = "") -> None:
        """Add or change a day of the holiday table (管理员); ``day`` as date or YYYY-MM-DD."""
        session = self._as_admin()
        parsed = _validate.parse_date(day, field="日期")
        _workcal.set_holiday(session.db, session.user, parsed, kind, name)

    def remove_holiday(self, day: date | str) -> None:
        """Remove a day from the holiday table (管理员)."""
        session = self._as_admin()
        parsed = _validate.parse_date(day, field="日期")
        _workcal.remove_holiday(session.db, session.user, parsed)

    def import_holiday_notice(self, notice: _notice.HolidayNotice) -> _workcal.YearImport:
        """Store a read notice as its year's rows of the holiday table (管理员), replacing
        what the table held for that year; audited, one transaction."""
        session = self._as_admin()
        return _workcal.replace_year(session.db, session.user, notice.year, notice.days)

    def holiday_arrangement(
        self, year: int
    ) -> tuple[_workcal.YearSource, list[_workcal.HolidayRow]]:
        """Where ``year``'s days off come from, and its days off and 调休 working days."""
        session = self._session
        source = session.schedule.calendar().year_source(year)
        if source is _workcal.YearSource.BUILTIN:
            return source, _workcal.builtin_rows(year)
        return source, _workcal.list_holidays(session.db, year)

    def due(
        self,
        *,
        as_of: date,
        within_days: int = 30,
        progress: Callable[[float, str], None] | None = None,
    ) -> _due.DueList:
        """Overdue units and those due within ``within_days`` of ``as_of``, most overdue first,
        from the live grades as of ``as_of`` (scheduling/due.py says why)."""
        session = self._session
        from safecredit_desktop.core.grade_facts import grade_all

        if progress is not None:
            progress(0.05, f"正在评定信用等级（{as_of.isoformat()}）…")
        grades = {r.unit_id: r.grade for r in grade_all(session.db, session.profile, as_of)}
        if progress is not None:
            progress(0.7, "正在计算检查到期日…")
        items = _due.compute_due(
            session.db, session.profile, grades, as_of=as_of, bureau_name=session.bureau_name
        )
        return _due.split_due(items, as_of=as_of, within_days=within_days)

    def plan(
        self,
        *,
        year: int,
        capacity: int | None = None,
        today: date | None = None,
        progress: Callable[[float, str], None] | None = None,
    ) -> _plan.Plan:
        """The 年度执法检查计划 of ``year``: grades of the confirmed assessment of ``year`` if
        there is one, else computed as of 31 December of the year before."""
        session = self._session
        from safecredit_desktop.core.grade_facts import grade_all

        if capacity is not None and capacity < 1:
            raise SafeCreditError("每月检查能力应为正整数。")
        as_of = files.assessment_date(year)
        if assessments.find(session.db, year) is not None:
            grades = {u: g.grade for u, g in assessments.stored_grades(session.db, year).items()}
            basis = _statistics.assessment_basis(year)
        else:
            if progress is not None:
                progress(0.05, f"正在评定{year}年度信用等级（评定基准日 {as_of.isoformat()}）…")
            grades = {r.unit_id: r.grade for r in grade_all(session.db, session.profile, as_of)}
            basis = f"{year}年度评定（评定基准日 {as_of.isoformat()}，尚未确认）"
        if progress is not None:
            progress(0.7, "正在编制检查计划…")
        return _plan.compute_plan(
            session.db,
            session.profile,
            grades,
            year=year,
            capacity=capacity,
            today=today or date.today(),
            bureau_name=session.bureau_name,
            basis=basis,
        )

    def adopted_plan(self, year: int, *, today: date | None = None) -> _plan.Plan | None:
        """The year's adopted plan as stored (statuses as of ``today``), or None."""
        session = self._session
        found = _plan_store.latest(session.db, year)
        if found is None:
            return None
        return _plan.adopted_plan(
            found,
            _plan_store.items(session.db, found),
            _plan.year_inspections(session.db, year),
            today=today or date.today(),
        )

    def adopted_years(self) -> list[int]:
        """The years with an adopted plan, latest first."""
        session = self._session
        return _plan_store.years(session.db)

    def year_plan(
        self,
        *,
        year: int,
        capacity: int | None = None,
        today: date | None = None,
        progress: Callable[[float, str], None] | None = None,
    ) -> _plan.Plan:
        """The year's plan: the adopted one when there is one, else computed (a draft)."""
        session = self._session
        if progress is not None:
            progress(0.05, f"正在读取{year}年度已采用的检查计划…")
        adopted = session.schedule.adopted_plan(year, today=today)
        if adopted is not None:
            return adopted
        return session.schedule.plan(year=year, capacity=capacity, today=today, progress=progress)

    def plan_changes(
        self, plan: _plan.Plan, *, adopted: _plan.Plan | None = _NOT_READ
    ) -> _plan.PlanChanges | None:
        """What ``plan`` changes against its year's adopted plan (None: nothing adopted).
        ``adopted``: that plan when the caller has already read it (a county's is large)."""
        session = self._session
        if adopted is _NOT_READ:
            adopted = session.schedule.adopted_plan(plan.year, today=plan.today)
        return None if adopted is None else _plan.compare_plans(adopted, plan)

    def adopt(self, plan: _plan.Plan, *, adopted: _plan.Plan | None = _NOT_READ) -> _plan.Plan:
        """Store a computed plan as its year's plan (审核员 or 管理员; audited). A plan the same
        as the adopted one is not stored again: the adopted plan is returned unchanged."""
        session = self._as_reviewer()
        if plan.adopted is not None:
            raise SafeCreditError(f"这是已采用的{plan.year}年度计划，如需调整请重新编制。")
        if adopted is _NOT_READ:
            adopted = session.schedule.adopted_plan(plan.year, today=plan.today)
        if adopted is not None and _plan.compare_plans(adopted, plan).none:
            return adopted
        stored = _plan_store.adopt(session.db, session.user, plan)
        return replace(plan, adopted=stored)  # the same items, now the adopted plan

    def export_plan(
        self,
        path: Path,
        *,
        year: int,
        capacity: int | None = None,
        plan: _plan.Plan | None = None,
        draft: bool = False,
        today: date | None = None,
        progress: Callable[[float, str], None] | None = None,
    ) -> Path:
        """Write the 年度执法检查计划 workbook: ``plan`` if given for ``year``, else the year's
        adopted plan when there is one (``draft``: always computed afresh)."""
        session = self._session
        from safecredit_desktop.core.exchange import plan_export

        if plan is None or plan.year != year:
            if draft:
                plan = session.schedule.plan(
                    year=year, capacity=capacity, today=today, progress=progress
                )
            else:
                plan = session.schedule.year_plan(
                    year=year, capacity=capacity, today=today, progress=progress
                )
        if progress is not None:
            progress(0.85, f"正在写入检查计划（{len(plan.items):,} 次检查）…")
        bureau = session.bureau_name
        written = plan_export.write_plan(
            path, plan, profile=session.profile, bureau_name=bureau, today=today
        )
        detail = {"导出": plan_export.PLAN_TITLE, "年度": year, "计划检查": len(plan.items)}
        return self._audit_export(written, detail)

    def deadlines(
        self, *, as_of: date | None = None, horizon_days: int = 30
    ) -> list[_deadlines.Deadline]:
        """双公示, 整改期限, 许可证 and 管理期 deadlines, by due date (scheduling.md)."""
        session = self._session
        return _deadlines.tracked_deadlines(
            session.db,
            session.profile,
            session.schedule.calendar(),
            as_of=as_of or date.today(),
            horizon_days=horizon_days,
        )

    def progress(
        self,
        *,
        as_of: date,
        results: list[_GradeResult] | None = None,
        progress: Callable[[float, str], None] | None = None,
    ) -> InspectionProgress:
        """``results``: grades as of ``as_of`` already at hand (the due list reuses them)."""
        session = self._session
        plan = session.schedule.plan(year=as_of.year, today=as_of, progress=progress)
        planned, done = [0] * 12, [0] * 12
        for item in plan.items:
            planned[item.suggested_month - 1] += 1
            if item.done_on is not None:
                done[item.suggested_month - 1] += 1
        if results is None:
            listing = session.schedule.due(as_of=as_of)
        else:
            grades = {r.unit_id: r.grade for r in results}
            items = _due.compute_due(
                session.db, session.profile, grades, as_of=as_of, bureau_name=session.bureau_name
            )
            listing = _due.split_due(items, as_of=as_of, within_days=30)
        overdue: dict[str, int] = {}
        for late in listing.overdue:
            town = late.town or "（未填乡镇）"
            overdue[town] = overdue.get(town, 0) + 1
        ranked = dict(sorted(overdue.items(), key=lambda kv: (-kv[1], kv[0])))
        return InspectionProgress(as_of.year, planned, done, ranked, as_of)
