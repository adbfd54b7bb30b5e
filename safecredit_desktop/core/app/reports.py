"""Statistics, the 统计表 and 信用等级名单 exports, e-mail drafts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from safecredit_desktop.core import statistics as _statistics
from safecredit_desktop.core.app import files
from safecredit_desktop.core.app.part import Part
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.rules.result import GradeResult as _GradeResult
from safecredit_desktop.core.scheduling import due as _due
from safecredit_desktop.core.storage import settings as keys
from safecredit_desktop.core.storage import users as user_store
from safecredit_desktop.core.storage.settings import get_setting

if TYPE_CHECKING:
    from safecredit_desktop.core.app.session import Session


def _report_basis(
    session: Session,
    as_of: date,
    assessment: int | None,
    results: list[_GradeResult] | None,
    progress: Callable[[float, str], None] | None,
) -> tuple[list[_GradeResult], str]:
    """The grades a report uses and the sentence saying which: live, or a confirmed year."""
    if assessment is not None:
        return session.grading.assessment_results(assessment), _statistics.assessment_basis(
            assessment
        )
    if results is None:
        results = session.grading.report_grades(as_of=as_of, progress=progress)
    return results, _statistics.live_basis(as_of)


def _next_due(session: Session, results: list[_GradeResult], as_of: date) -> dict[int, date]:
    """Each unit's next inspection due date under the grades a report shows."""
    grades = {r.unit_id: r.grade for r in results}
    items = _due.compute_due(
        session.db, session.profile, grades, as_of=as_of, bureau_name=session.bureau_name
    )
    return _due.next_due_dates(items, as_of)


def _log_export(session: Session, written: Path, title: str, basis: str, units: int) -> Path:
    """The export of a report on ``units`` units audited; returns the file written."""
    session.repo.log_event(
        "export", str(written), {"导出": title, "评定依据": basis, "企业数": units}
    )
    return written


class ReportsPart(Part):
    """Statistics, the 统计表 and 信用等级名单 exports, e-mail drafts."""

    def statistics(
        self,
        *,
        as_of: date,
        group_by_reporter: bool,
        assessment: int | None = None,
        results: list[_GradeResult] | None = None,
        progress: Callable[[float, str], None] | None = None,
    ) -> _statistics.StatisticsTables:
        """Counts by grade × 行业类别 and grade × 乡镇 (and × 报送单位 when grouped, for a city
        rolling up its counties; a blank 报送单位 is this bureau). ``results`` reuses grades
        already computed for the same ``as_of``."""
        session = self._session
        results, basis = _report_basis(session, as_of, assessment, results, progress)
        if assessment is not None:
            as_of = files.assessment_date(assessment)
        reporters = _statistics.unit_reporters(session.db) if group_by_reporter else None
        return _statistics.build_statistics(
            results,
            profile=session.profile,
            bureau_name=session.bureau_name,
            as_of=as_of,
            basis=basis,
            reporters=reporters,
        )

    def reporter(self) -> str:
        """The 统计人员 a statistics form is signed with when none is typed: the configured
        reporter (设置), else the signed-in user's display name, else blank — a command-line
        actor (``命令行:…``) or an account without a display name leaves the name to be
        written by hand; a login or actor string is never a person's name."""
        session = self._session
        configured = get_setting(session.db, keys.REPORTER).strip()
        if configured:
            return configured
        user = user_store.find_user(session.db, session.user)
        return user.display_name.strip() if user is not None else ""

    def export_stats(
        self,
        path: Path,
        *,
        as_of: date,
        reporter_name: str,
        assessment: int | None = None,
        group_by_reporter: bool | None = None,
        results: list[_GradeResult] | None = None,
        today: date | None = None,
        progress: Callable[[float, str], None] | None = None,
    ) -> Path:
        """安全生产信用分级分类统计表 (seed 004's form) of the grades as of ``as_of``.

        ``reporter_name`` is the 统计人员 (blank: ``reports.reporter``). Each unit's
        报送单位 goes into 备注 when
        ``group_by_reporter`` is true, or — when it is None — when some unit was reported by
        another bureau (a city roll-up).
        """
        session = self._session
        from safecredit_desktop.core.exchange import reports

        results, basis = _report_basis(session, as_of, assessment, results, progress)
        bureau = session.bureau_name
        if group_by_reporter is None:
            group_by_reporter = _statistics.has_other_reporters(session.db, bureau)
        reporters = _statistics.unit_reporters(session.db) if group_by_reporter else None
        if progress is not None:
            progress(0.7, f"正在写入统计表（{len(results):,} 家企业）…")
        written = reports.write_stats_form(
            path,
            results,
            profile=session.profile,
            bureau_name=bureau,
            reporter_name=reporter_name.strip() or session.reports.reporter(),
            basis=basis,
            today=today or date.today(),
            reporters=reporters,
        )
        return _log_export(session, written, reports.STATS_FORM_TITLE, basis, len(results))

    def export_grade_list(
        self,
        path: Path,
        *,
        as_of: date,
        assessment: int | None = None,
        results: list[_GradeResult] | None = None,
        today: date | None = None,
        progress: Callable[[float, str], None] | None = None,
    ) -> Path:
        """信用等级名单 as of ``as_of``: code, name, category, town, grade, reasons with their
        records, last inspection; 下次检查到期 stays blank until scheduling provides it."""
        session = self._session
        from safecredit_desktop.core.exchange import reports

        results, basis = _report_basis(session, as_of, assessment, results, progress)
        if assessment is not None:
            as_of = files.assessment_date(assessment)
        bureau = session.bureau_name
        reporters = (
            _statistics.unit_reporters(session.db)
            if _statistics.has_other_reporters(session.db, bureau)
            else None
        )
        if progress is not None:
            progress(0.7, f"正在写入信用等级名单（{len(results):,} 家企业）…")
        written = reports.write_grade_list(
            path,
            results,
            profile=session.profile,
            bureau_name=bureau,
            basis=basis,
            last_inspection=_due.last_inspections(session.db, as_of),
            next_due=_next_due(session, results, as_of),
            reporters=reporters,
            today=today,
        )
        return _log_export(session, written, reports.GRADE_LIST_TITLE, basis, len(results))

    def write_mail_draft(
        self, workbook: Path, out: Path | None = None, *, today: date | None = None
    ) -> Path:
        """An unsent e-mail (.eml, ``X-Unsent: 1``) to the upper-level address with ``workbook``
        attached; its subject and body name the bureau, the report and its period (read from
        the workbook's properties). Outlook and Foxmail open it as an editable draft."""
        session = self._session
        from safecredit_desktop.core.exchange import reports

        workbook = Path(workbook)
        if not workbook.is_file():
            raise SafeCreditError(f"要附上的文件不存在：{workbook}")
        bureau = session.bureau_name
        title, basis = reports.read_report_properties(workbook)
        report = title.removeprefix(bureau) if title else workbook.stem
        subject, body = reports.draft_text(
            bureau_name=bureau,
            report_title=report,
            basis=basis,
            attachment_name=workbook.name,
            today=today or date.today(),
        )
        target = out if out is not None else workbook.with_suffix(".eml")
        return reports.write_eml_draft(
            target,
            to=session.settings.upper_email(),
            subject=subject,
            body=body,
            attachment=workbook,
            sender_name=bureau,
        )

    def export_count_table(self, path: Path, table: _statistics.CountTable, *, basis: str) -> Path:
        """One count table of the statistics page as a workbook (audited as an export)."""
        session = self._session
        from safecredit_desktop.core.exchange import reports

        written = reports.write_count_table(
            path, table, profile=session.profile, bureau_name=session.bureau_name, basis=basis
        )
        session.repo.log_event("export", str(written), {"导出": table.title, "评定依据": basis})
        return written
