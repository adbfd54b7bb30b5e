"""Workbook import and the template / 全部数据 exports."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safecredit_desktop.core.app import files
from safecredit_desktop.core.app.part import Part
from safecredit_desktop.core.app.values import (
    REVIEWED_IMPORT_TABLES,
)
from safecredit_desktop.core.errors import SafeCreditError, StorageError
from safecredit_desktop.core.exchange import column_mapping as _mapping
from safecredit_desktop.core.exchange import importer as _importer
from safecredit_desktop.core.exchange import mapping_memory as _memory
from safecredit_desktop.core.exchange import parallel_import as _parallel
from safecredit_desktop.core.exchange.columns import fold_header
from safecredit_desktop.core.exchange.import_towns import new_towns
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.storage import backup

if TYPE_CHECKING:
    from safecredit_desktop.core.exchange.data_export import DataExport as _DataExport
    from safecredit_desktop.core.exchange.source_sheet import SourceSheet as _SourceSheet


def _progress_part(
    progress: Callable[[float, str], None] | None, start: float, end: float
) -> Callable[[float, str], None] | None:
    """``progress`` for one stage of a longer job, scaled into [start, end]."""
    if progress is None:
        return None
    report = progress

    def part(fraction: float, text: str) -> None:
        report(start + (end - start) * min(max(fraction, 0.0), 1.0), text)

    return part


class ExchangePart(Part):
    """Workbook import and the template / 全部数据 exports."""

    def import_workbook(
        self,
        path: Path,
        *,
        dry_run: bool,
        accept_bad_check: bool,
        include_hidden: bool = False,
        today: date | None = None,
        progress: Callable[[float, str], None] | None = None,
    ) -> _importer.ImportSummary:
        """Import a template workbook, all or nothing (workbook.md).

        Hidden template sheets are named in the summary and read only with
        ``include_hidden``; a workbook past a limit (rows, columns, characters, strings,
        part sizes) is refused before its rows are read.

        Every bad cell is reported at once as a ``WorkbookError`` (``.errors`` lists them;
        ``.only_bad_check`` says whether accepting bad check characters would pass). With
        ``dry_run`` nothing is written. Otherwise, when anything would change, the database
        is backed up first (reason ``before-import``) and the rows are written in one
        transaction, each audited as ``session.user``, followed by one ``import`` event.
        """
        day = today or date.today()
        if not dry_run and _parallel.worker_wanted(Path(path)):
            try:
                return self._import_with_worker(
                    Path(path),
                    include_hidden=include_hidden,
                    accept_bad_check=accept_bad_check,
                    today=day,
                    progress=progress,
                )
            except _parallel.WorkerUnavailable:
                pass  # nothing was written: the serial path below does it all
        parsed = _importer.read_workbook(
            Path(path), include_hidden=include_hidden, progress=_progress_part(progress, 0.0, 0.4)
        )
        plan = self._plan(
            parsed,
            accept_bad_check=accept_bad_check,
            today=day,
            progress=_progress_part(progress, 0.4, 0.7),
            release_rows=True,  # a planned sheet's rows are dropped: a big file fits in memory
        )
        plan.raise_for_errors()

        def replan() -> _importer.ImportPlan:
            again = _importer.read_workbook(Path(path), include_hidden=include_hidden)
            return self._plan(again, accept_bad_check=accept_bad_check, today=day)

        return self._write(plan, replan, dry_run=dry_run, progress=progress)

    def _plan(
        self,
        parsed: _importer.ParsedWorkbook,
        *,
        accept_bad_check: bool,
        today: date,
        progress: Callable[[float, str], None] | None = None,
        release_rows: bool = False,
    ) -> _importer.ImportPlan:
        """``parsed`` checked against this database and its profile (nothing written)."""
        session = self._session
        return _importer.plan_import(
            session.db,
            parsed,
            profile=session.profile,
            accept_bad_check=accept_bad_check,
            today=today,
            progress=progress,
            release_rows=release_rows,
        )

    def _write(
        self,
        plan: _importer.ImportPlan,
        replan: Callable[[], _importer.ImportPlan],
        *,
        dry_run: bool,
        progress: Callable[[float, str], None] | None,
        ignored_columns: tuple[str, ...] = (),
    ) -> _importer.ImportSummary:
        """A checked plan written (unless ``dry_run`` or nothing changes): backup first,
        one transaction; ``replan`` reads and plans again when someone saved meanwhile.
        The summary names the towns not yet on any unit."""
        session = self._session
        towns = new_towns(session.db, plan)

        def summary(**kwargs: Any) -> _importer.ImportSummary:
            return dataclasses.replace(
                plan.summary(**kwargs), new_towns=towns, ignored_columns=ignored_columns
            )

        if dry_run or not plan.changed:
            return summary(dry_run=dry_run)
        session.exchange.require_import_role(plan)
        if progress is not None:
            progress(0.7, "导入前备份数据库…")
        copy = backup.backup_database(session.db.location, reason="before-import")
        import sqlite3

        from safecredit_desktop.core.exchange.applying import StalePlanError

        try:
            try:
                _importer.apply_import(
                    session.db, session.repo, plan, progress=_progress_part(progress, 0.75, 1.0)
                )
            except StalePlanError:
                # Someone saved meanwhile (the window, another program): read the workbook
                # again, plan it holding the write lock this time, and write.
                with session.db.transaction():
                    plan = replan()
                    plan.raise_for_errors()
                    session.exchange.require_import_role(plan)
                    _importer.apply_import(session.db, session.repo, plan)
        except sqlite3.OperationalError as exc:
            reason = files.failure_message(exc) or "数据库暂时无法写入。"
            raise StorageError(f"{reason}没有导入任何数据；导入前的备份在 {copy}。") from exc
        except sqlite3.IntegrityError as exc:
            raise StorageError(
                f"导入被数据库拒绝（{exc}），没有导入任何数据；导入前的备份在 {copy}。"
            ) from exc
        except BaseException:
            # cancelled, or refused on the second reading: nothing was written, and the
            # copy made for it goes (as the planning worker's path does)
            backup.discard_backup(copy)
            raise
        session.last_save = None
        return summary(dry_run=False, backup=copy)

    def _import_with_worker(
        self,
        path: Path,
        *,
        include_hidden: bool,
        accept_bad_check: bool,
        today: date,
        progress: Callable[[float, str], None] | None,
    ) -> _importer.ImportSummary:
        """The import of a big workbook on both cores (``exchange/parallel_import.py``): a
        worker process plans, this one backs up and then writes what is planned as it
        comes. Raises :class:`~.parallel_import.WorkerUnavailable` with nothing written
        when the worker cannot do it."""
        import sqlite3

        session = self._session
        db = session.db
        job = _parallel.PlanJob(
            db.location,
            db.confined_to,
            path,
            include_hidden,
            accept_bad_check,
            today,
            session.profile.text,
            session.profile.source,
        )
        pending = _parallel.Pending(
            lambda: backup.backup_database(db.location, reason="before-import")
        )
        with _parallel.planned_by_worker(job, progress) as stream:
            try:
                written = _parallel.import_streamed(
                    db,
                    session.repo,
                    stream,
                    backup=pending,
                    require_role=self.require_import_role,
                    progress=progress,
                )
            except sqlite3.OperationalError as exc:
                reason = files.failure_message(exc) or "数据库暂时无法写入。"
                copy = pending.settled()
                raise StorageError(f"{reason}没有导入任何数据；导入前的备份在 {copy}。") from exc
            except sqlite3.IntegrityError as exc:
                copy = pending.settled()
                raise StorageError(
                    f"导入被数据库拒绝（{exc}），没有导入任何数据；导入前的备份在 {copy}。"
                ) from exc
            except BaseException:
                # refused, bad cells, cancelled, or the serial path takes over: the copy
                # made for it goes (the serial path makes none for what it does not write)
                copy = pending.settled()
                if copy is not None:
                    backup.discard_backup(copy)
                raise
        plan = written.plan
        if not plan.changed:
            backup.discard_backup(written.backup)
            return dataclasses.replace(plan.summary(dry_run=False), new_towns=written.new_towns)
        session.last_save = None
        return dataclasses.replace(
            plan.summary(dry_run=False, backup=written.backup), new_towns=written.new_towns
        )

    def require_import_role(self, plan: _importer.ImportPlan) -> None:
        """Refuse an import that would add or change 信用修复 or 执法人员 rows (or an
        inspector's 回避单位) unless the user is a 审核员 or 管理员."""
        session = self._session
        if session.has_role(Role.REVIEWER, Role.ADMIN):
            return
        parts = []
        for sheet in plan.sheets:
            if sheet.spec.table in REVIEWED_IMPORT_TABLES:
                count = sum(1 for r in sheet.rows if r.action in (_importer.ADD, _importer.UPDATE))
                if count:
                    parts.append(f"“{sheet.title}”工作表的 {count} 行")
        if any(c.add or c.remove for c in plan.conflicts):
            parts.append("执法人员的回避单位")
        if not parts:
            return
        where = "、".join(parts)
        raise SafeCreditError(
            f"工作簿会新增或更改{where}。信用修复和执法人员影响信用等级和抽查，只能由审核员或"
            f"管理员导入（当前用户“{session.user}”没有该权限）：请以审核员或管理员登录，"
            "命令行用 --user 指定并输入密码。没有导入任何数据。"
        )

    # -- a workbook of another layout (issue 18; workbook.md "Another layout") ----------

    def is_template(self, path: Path) -> bool:
        """Whether the workbook has a sheet of the import template (else it needs a
        mapping)."""
        from safecredit_desktop.core.exchange.source_sheet import sheet_titles

        return sheet_titles(Path(path))[1]

    def mapping_kinds(self) -> tuple[str, ...]:
        """The template sheets a sheet of another layout may be imported as."""
        return _mapping.mappable_sheets()

    def template_headers(self, kind: str) -> tuple[str, ...]:
        """The template sheet ``kind``'s headers, in template order (required marked by
        :meth:`required_headers`)."""
        return _mapping.sheet_spec(kind).headers

    def required_headers(self, kind: str) -> tuple[str, ...]:
        return tuple(c.header for c in _mapping.sheet_spec(kind).required)

    def propose_mapping(
        self, path: Path, *, sheet: str | None = None, kind: str | None = None
    ) -> _mapping.MappingProposal:
        """Which column of the workbook's first sheet (or ``sheet``) is which column of the
        template sheet ``kind`` (default 企业信息): the mapping confirmed last time for this
        header row when there is one (and no other ``kind`` is asked), else proposed from
        the headers and the values."""
        from safecredit_desktop.core.exchange.source_sheet import read_source_sheet

        source = read_source_sheet(Path(path), sheet)
        remembered = self.remembered_mapping(_mapping.layout_signature(source.headers))
        if remembered is not None and kind in (None, remembered.kind):
            known = {c.index for c in source.columns}
            mapping = {i: t for i, t in remembered.mapping.items() if i in known}
            return _mapping.propose(source, remembered.kind, mapping)
        return _mapping.propose(source, kind or _mapping.UNITS_SHEET)

    def remembered_mapping(self, signature: str) -> _memory.RememberedMapping | None:
        """The mapping confirmed for the layout with this header-row signature, or None."""
        return _memory.recall(self._session.db, signature)

    def sheet_and_kind(self, path: Path, sheet: str | None) -> tuple[str, str | None]:
        """cli.md's ``--sheet`` as (template sheet the rows are, workbook sheet to read):
        it names the workbook's sheet to read; when it is a template sheet's name (执法检查
        …) the rows are records of that kind, and when the workbook has no sheet of that
        name its first sheet is read as such records. Without it: units, first sheet."""
        from safecredit_desktop.core.exchange.columns import sheet_for_title
        from safecredit_desktop.core.exchange.source_sheet import sheet_titles

        if sheet is None:
            return _mapping.UNITS_SHEET, None
        spec = sheet_for_title(sheet)
        if spec is None:
            return _mapping.UNITS_SHEET, sheet
        kind = _mapping.sheet_spec(spec.name).name
        titles = {fold_header(t) for t in sheet_titles(Path(path))[0]}
        return kind, sheet if fold_header(sheet) in titles else None

    def mapping_from_text(
        self, path: Path, text: str, *, sheet: str | None = None
    ) -> tuple[str, dict[int, str], str | None]:
        """``--map HEADER=TEMPLATE_HEADER,…`` and ``--sheet`` (cli.md) as (template sheet,
        mapping, workbook sheet to read); see :meth:`sheet_and_kind`."""
        from safecredit_desktop.core.exchange.source_sheet import read_source_sheet

        kind, source_sheet = self.sheet_and_kind(path, sheet)
        source = read_source_sheet(Path(path), source_sheet)
        pairs = _mapping.pairs_from_text(text)
        return kind, _mapping.resolve_pairs(source, kind, pairs), source_sheet

    def import_mapped(
        self,
        path: Path,
        mapping: Mapping[int, str],
        *,
        kind: str = "企业信息",
        sheet: str | None = None,
        dry_run: bool,
        accept_bad_check: bool = False,
        remember: bool = True,
        today: date | None = None,
        progress: Callable[[float, str], None] | None = None,
    ) -> _importer.ImportSummary:
        """Import a sheet of another layout through the template import, all or nothing:
        ``mapping`` (source column number → template header of ``kind``) says which
        column is which; columns not mapped are ignored and named in the summary. Every
        bad cell is reported (``WorkbookError``) by the source's sheet, row, column
        letters and header. Written as :meth:`import_workbook` writes (backup first, one
        transaction, audited); then, unless ``dry_run``, the mapping is remembered for
        this layout (an audited setting)."""
        from safecredit_desktop.core.exchange.source_sheet import read_source_sheet

        session = self._session
        day = today or date.today()
        report = _progress_part(progress, 0.0, 0.4)
        if report is not None:
            report(0.0, "读取工作表")
        source = read_source_sheet(Path(path), sheet)
        checked = _mapping.check_mapping(source, kind, mapping)

        def planned(
            current: _SourceSheet, progress_part: Callable[[float, str], None] | None
        ) -> _importer.ImportPlan:
            parsed = _mapping.mapped_workbook(current, kind, checked)
            plan = self._plan(
                parsed, accept_bad_check=accept_bad_check, today=day, progress=progress_part
            )
            plan.errors = _mapping.source_errors(plan.errors, current, checked)
            return plan

        plan = planned(source, _progress_part(progress, 0.4, 0.7))
        plan.raise_for_errors()
        summary = self._write(
            plan,
            lambda: planned(read_source_sheet(Path(path), sheet), None),
            dry_run=dry_run,
            progress=progress,
            ignored_columns=_mapping.ignored_columns(source, checked),
        )
        if not dry_run:
            signature = _mapping.layout_signature(source.headers)
            _memory.remember(session.db, session.user, source, signature, kind, checked)
        return summary

    def export_template(self, path: Path) -> Path:
        """The empty import template for this database's profile (headers, lists, 说明)."""
        session = self._session
        from safecredit_desktop.core.exchange.template_export import write_template

        return write_template(Path(path), session.profile)

    def export_all_data(
        self,
        path: Path,
        *,
        include_id: bool,
        today: date | None = None,
        progress: Callable[[float, str], None] | None = None,
    ) -> _DataExport:
        """Every record in the import template's sheets (全部数据). Full ID numbers only with
        ``include_id``, and then the export is written to the audit log."""
        session = self._session
        from safecredit_desktop.core.exchange.data_export import write_all_data

        day = today or date.today()
        result = write_all_data(
            Path(path),
            session.db,
            session.profile,
            session.bureau_name,
            include_id=include_id,
            today=day,
            progress=progress,
        )
        if include_id:
            session.repo.log_event(
                "export",
                result.path.name,
                {
                    "导出全部数据": str(result.path),
                    "含身份证号": "是",
                    "企业数": result.counts["企业信息"],
                },
            )
        return result
