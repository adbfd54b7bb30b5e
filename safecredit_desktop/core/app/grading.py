"""Live grades, grade history and the annual assessment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from safecredit_desktop.core import registry
from safecredit_desktop.core import statistics as _statistics
from safecredit_desktop.core.app import files
from safecredit_desktop.core.app.part import Part
from safecredit_desktop.core.app.values import (
    AssessmentPreview,
    GradeChange,
    GradePoint,
)
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.rules.result import GradeResult as _GradeResult
from safecredit_desktop.core.storage import assessments

if TYPE_CHECKING:
    from safecredit_desktop.core.app.session import Session


class GradingPart(Part):
    """Live grades, grade history and the annual assessment."""

    def live_work(self, *, today: date | None = None) -> Any:
        """What bringing the stored live grades to ``today`` would take (grade_cache.Work):
        the window shows progress when it is the whole register."""
        session = self._session
        from safecredit_desktop.core import grade_cache

        return grade_cache.pending_work(session.db, today or date.today())

    def settle_live(
        self,
        *,
        today: date | None = None,
        progress: Callable[[float, str], None] | None = None,
        quiet: bool = False,
    ) -> int:
        """Bring the stored live grades to ``today`` (grade_cache.settle): the first opening
        of an upgraded database fills them; later, the turn of a day regrades the units whose
        grade may change that day. ``quiet``: only when something is to do, and never on a
        read-only database. Returns how many units were graded."""
        session = self._session
        import sqlite3

        from safecredit_desktop.core import grade_cache

        day = today or date.today()
        if not quiet:
            return grade_cache.settle(session.db, today=day, progress=progress)
        try:
            return grade_cache.ensure_current(session.db, today=day, progress=progress)
        except sqlite3.OperationalError:
            return 0  # busy (another program writing): read what is stored, settle next time

    def live_as_of(self) -> date | None:
        """The day the registry's live grades hold for."""
        session = self._session
        return registry.live_grades_as_of(session.db)

    def confirmed_of(self, unit_id: int) -> registry.ConfirmedGrade | None:
        """The unit's grade in the newest confirmed annual assessment, with its year."""
        session = self._session
        return registry.confirmed_grade(session.db, unit_id)

    def confirmed_year(self) -> int | None:
        """The year of the newest confirmed annual assessment (the registry's 年度评定 column)."""
        session = self._session
        return registry.latest_confirmed_year(session.db)

    def grade(self, *, as_of: date, uscc: str | None = None) -> list[Any]:
        """Every unit's GradeResult as of ``as_of`` (sorted by code); one unit with ``uscc``."""
        session = self._session
        from safecredit_desktop.core.grade_facts import grade_all

        results = grade_all(session.db, session.profile, as_of, uscc=uscc)
        if uscc is not None and not results:
            row = session.db.conn.execute(
                "SELECT founded_on FROM units WHERE uscc = ?", (uscc,)
            ).fetchone()
            if row is not None and row[0]:
                raise SafeCreditError(
                    f"统一社会信用代码为 {uscc} 的企业成立日期为{row[0]}，"
                    f"{as_of.isoformat()}尚未成立，不评定信用等级。"
                )
            raise SafeCreditError(f"没有统一社会信用代码为 {uscc} 的企业。")
        return list(results)

    def preview_assessment(self, year: int) -> AssessmentPreview:
        """The computed grades for ``year`` and what changed since the last confirmed year."""
        session = self._session
        as_of = files.assessment_date(year)
        results = session.grading.grade(as_of=as_of)
        earlier = [y for y in assessments.confirmed_years(session.db) if y < year]
        previous = earlier[0] if earlier else None
        before = assessments.stored_grades(session.db, previous) if previous is not None else {}
        changes = [
            GradeChange(
                r.unit_id,
                r.uscc,
                r.name,
                before[r.unit_id].grade if r.unit_id in before else None,
                r.grade,
            )
            for r in results
            if previous is not None
            and (r.unit_id not in before or before[r.unit_id].grade != r.grade)
        ]
        return AssessmentPreview(
            year, as_of, results, previous, changes, assessments.find(session.db, year)
        )

    def confirm_assessment(
        self, year: int, *, notes: dict[int, str] | None = None
    ) -> assessments.StoredAssessment:
        """Store the assessment for ``year`` (审核员 only); a year is confirmed once."""
        session = self._session
        session.require(Role.REVIEWER)
        preview = session.grading.preview_assessment(year)
        return assessments.confirm(
            session.db,
            session.user,
            year=year,
            as_of=preview.as_of,
            profile_name=session.profile.name,
            profile_text=session.profile.text,
            results=preview.results,
            notes=notes,
        )

    def last_confirmed(self) -> tuple[int | None, dict[int, str]]:
        """The newest confirmed assessment's year and its grade per unit id (or None, {})."""
        session = self._session
        years = assessments.confirmed_years(session.db)
        if not years:
            return None, {}
        stored = assessments.stored_grades(session.db, years[0])
        return years[0], {unit_id: g.grade for unit_id, g in stored.items()}

    def confirmed_years(self) -> list[int]:
        session = self._session
        return assessments.confirmed_years(session.db)

    def report_grades(
        self, *, as_of: date, progress: Callable[[float, str], None] | None = None
    ) -> list[_GradeResult]:
        """Every unit's grade as of ``as_of``, for the statistics page and the report exports."""
        session = self._session
        from safecredit_desktop.core.grade_facts import grade_all

        if progress is not None:
            progress(0.05, f"正在评定信用等级（评定基准日 {as_of.isoformat()}）…")
        results = list(grade_all(session.db, session.profile, as_of))
        if progress is not None:
            progress(0.6, f"已评定 {len(results):,} 家企业")
        return results

    def assessment_results(self, year: int) -> list[_GradeResult]:
        """The confirmed grades of ``year`` as GradeResults (reasons as stored; no way back)."""
        session = self._session
        from safecredit_desktop.core.rules.result import Reason

        stored = assessments.stored_grades(session.db, year)
        as_of = files.assessment_date(year)
        results = []
        for unit_id, uscc, name, category, town in session.db.conn.execute(
            "SELECT id, uscc, name, category, town FROM units ORDER BY uscc"
        ):
            grade = stored.get(int(unit_id))
            if grade is None:
                continue  # a unit registered after the assessment was confirmed
            reasons = tuple(
                Reason(str(r["code"]), str(r["text"]), tuple(str(x) for x in r["records"]))
                for r in grade.reasons
            )
            results.append(
                _GradeResult(
                    int(unit_id),
                    str(uscc),
                    str(name),
                    str(category),
                    str(town),
                    grade.grade,
                    grade.label,
                    grade.tier,
                    reasons,
                    as_of=as_of,
                )
            )
        return results

    def grade_one(self, unit_id: int, *, as_of: date | None = None) -> Any:
        """One unit's GradeResult as of ``as_of`` (today by default)."""
        session = self._session
        from safecredit_desktop.core.grade_facts import load_facts
        from safecredit_desktop.core.rules.engine import grade_unit

        facts = load_facts(session.db, unit_ids=[unit_id])
        if not facts:
            raise SafeCreditError(f"找不到编号为 {unit_id} 的企业，可能已被删除。")
        day = as_of or date.today()
        founded = facts[0].founded_on
        if founded is not None and founded > day:
            raise SafeCreditError(
                f"该企业成立日期为{founded.isoformat()}，{day.isoformat()}尚未成立，不评定信用等级。"
            )
        return grade_unit(session.profile, facts[0], day)

    def history(self, unit_id: int, *, years: int = 5) -> list[GradePoint]:
        """How a unit's grade changed: the grade at the end of each of the last ``years`` years
        (the confirmed assessment's where there is one) and today, oldest first."""
        session = self._session
        from safecredit_desktop.core.grade_facts import load_facts
        from safecredit_desktop.core.rules.engine import grade_unit

        facts = load_facts(session.db, unit_ids=[unit_id])
        if not facts:
            raise SafeCreditError(f"找不到编号为 {unit_id} 的企业，可能已被删除。")
        today = date.today()
        confirmed = {
            year: assessments.stored_grades(session.db, year).get(unit_id)
            for year in assessments.confirmed_years(session.db)
        }
        points: list[GradePoint] = []
        founded = facts[0].founded_on
        # History begins at the 成立日期 where it is set (grading.md Revision 2 item 9),
        # else at the unit's first record: not years before anything was known of it.
        begins = founded if founded is not None else _first_record_day(session, unit_id)
        for year in range(today.year - years + 1, today.year + 1):
            day = files.assessment_date(year)
            stored = confirmed.get(year)
            if stored is None and (begins is None or begins > day):
                continue  # not yet founded (or nothing recorded) then: no grade
            if stored is not None:
                source = _statistics.assessment_basis(year)
                points.append(GradePoint(day, stored.grade, stored.label, source))
            else:
                result = grade_unit(session.profile, facts[0], day)
                points.append(GradePoint(day, result.grade, result.label, "按当时记录计算"))
        if founded is None or founded <= today:
            now = grade_unit(session.profile, facts[0], today)
            points.append(GradePoint(today, now.grade, now.label, "实时"))
        return points

    def rules_text(self) -> list[str]:
        """The database's credit rules in Chinese (设置 → 信用规则)."""
        session = self._session
        from safecredit_desktop.core.rules.describe import describe_profile

        return describe_profile(session.profile)


def _first_record_day(session: Session, unit_id: int) -> date | None:
    """The day of a unit's earliest record (any kind), None when it has none."""
    from safecredit_desktop.core.timeline import unit_timeline

    days = [entry.day for entry in unit_timeline(session.db, unit_id)]
    return min(days) if days else None
