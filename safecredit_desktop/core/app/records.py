"""Records of every kind: get, save (with the forms' checks), delete, undo, lists."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from safecredit_desktop.core import batch_entry, forms
from safecredit_desktop.core import model as _model
from safecredit_desktop.core import record_pages as _pages
from safecredit_desktop.core.app import files
from safecredit_desktop.core.app.part import Part
from safecredit_desktop.core.app.session import UndoStep
from safecredit_desktop.core.errors import SafeCreditError, StorageError
from safecredit_desktop.core.record_pages import query as _pages_query
from safecredit_desktop.core.storage.tables import SPEC_BY_RECORD
from safecredit_desktop.core.workflows import repairs as _repairs


@dataclass(frozen=True)
class BatchUndoStep(UndoStep):
    """A batch saved in one transaction (batch_entry): undone as one step."""

    record_ids: tuple[int, ...] = ()


class RecordsPart(Part):
    """Records of every kind: get, save (with the forms' checks), delete, undo, lists."""

    def get(self, table: str, record_id: int) -> Any:
        """A stored record, opened for editing: an edit saved later is refused if another
        seat changed the record in between (save_record)."""
        session = self._session
        repo = session.repo
        record = repo.get(files.record_type(table), record_id)
        session.opened_versions[(table, record_id)] = repo.version(
            files.record_type(table), record_id
        )
        return record

    def save(self, record: Any) -> int:
        """Insert a new record or store an edited one; the save can be undone once."""
        session = self._session
        spec = SPEC_BY_RECORD[type(record)]
        if isinstance(record, _model.Repair) and record.accident_id is not None:
            raise SafeCreditError(_repairs.ACCIDENT_REFUSED)  # grading.md Revision 2 item 1
        repo = session.repo
        if record.id is None:
            record_id = repo.insert(record)
            step = UndoStep(type(record), record_id, None, f"撤销新增{spec.label}记录")
        else:
            before = repo.get(type(record), record.id)
            opened = (spec.name, int(record.id))
            if not repo.update(record, seen=session.opened_versions.get(opened)):
                return int(record.id)
            record_id = int(record.id)
            if opened in session.opened_versions:  # a second save of the same form goes on
                session.opened_versions[opened] = repo.version(type(record), record_id)
            step = UndoStep(type(record), record_id, before, f"撤销对{spec.label}记录的修改")
        session.last_save = step
        return record_id

    def delete(self, table: str, record_id: int) -> None:
        """Delete a record (audited, remembered so an import won't bring it back); the
        deletion can be undone once (the record stored again, no longer remembered)."""
        session = self._session
        record_type = files.record_type(table)
        before = session.repo.get(record_type, record_id)
        session.repo.delete(record_type, record_id)
        label = SPEC_BY_RECORD[record_type].label
        session.last_save = UndoStep(
            record_type, record_id, before, f"撤销删除{label}记录", deleted=True
        )

    def last_doc_no(self) -> str | None:
        """The 文书编号 the next inspection goes on from (forms.last_doc_no)."""
        from safecredit_desktop.core.forms import last_doc_no

        return last_doc_no(self._session.db)

    def undo(self) -> str:
        """Take back the last save; returns what was undone, as a sentence."""
        session = self._session
        step = session.last_save
        if step is None:
            raise SafeCreditError("没有可以撤销的保存。")
        repo = session.repo
        import sqlite3

        with session.db.transaction():
            if isinstance(step, BatchUndoStep):
                for record_id in step.record_ids:
                    repo.delete(step.record_type, record_id, remember=False)
            elif step.deleted and step.before is not None:
                try:
                    repo.restore(replace(step.before, id=None))
                except sqlite3.IntegrityError as exc:
                    raise SafeCreditError(
                        "无法撤销删除：已有相同的记录（可能已重新录入或导入），"
                        "或它所属的企业已被删除。"
                    ) from exc
            elif step.before is None:
                repo.delete(step.record_type, step.record_id, remember=False)
            else:
                repo.update(replace(step.before))
        session.last_save = None
        return step.description

    def check_batch(
        self, table: str, rows: Sequence[Mapping[str, object]], *, today: date | None = None
    ) -> batch_entry.BatchCheck:
        """Every bad cell of a batch of new records (the forms' checks, duplicates within
        the batch and against stored records); blank rows skipped (batch_entry.py).
        ``table``: inspections … or cli.md's KIND (inspection …)."""
        session = self._session
        return batch_entry.check_batch(
            session.db, session.profile, table, rows, today=today or date.today()
        )

    def save_batch(
        self, table: str, rows: Sequence[Mapping[str, object]], *, today: date | None = None
    ) -> batch_entry.BatchSaved:
        """Save a batch of new records in one transaction, or nothing when any cell is bad
        (batch_entry.BatchErrors lists them all); undone as one step by ``undo``."""
        session = self._session
        day = today or date.today()
        check = batch_entry.check_batch(session.db, session.profile, table, rows, today=day)
        saved = batch_entry.save_checked(
            session.db, session.user, session.profile, check, today=day
        )
        spec = SPEC_BY_RECORD[files.record_type(batch_entry.table_for(table))]
        count = len(saved.ids)
        what = f"撤销新增的{count}条{spec.label}记录" if count > 1 else f"撤销新增{spec.label}记录"
        session.last_save = BatchUndoStep(
            spec.record, saved.ids[0], None, what, record_ids=saved.ids
        )
        return saved

    def batch_unit(self, text: str) -> batch_entry.UnitBadge | None:
        """The unit a grid's unit cell names (code or exact name), with its live grade."""
        session = self._session
        session.grading.settle_live(quiet=True)
        return batch_entry.unit_badge(session.db, text)

    def save_entered(self, record: Any) -> int:
        """``save`` for an entry form (issue 3): a record whose natural key is taken is refused
        with a sentence next to the field (forms.FormErrors), and a database refusal becomes a
        Chinese sentence instead of an sqlite3 error."""
        session = self._session
        import sqlite3

        clash = forms.conflict_errors(session.db, record)
        if clash is not None:
            raise clash
        try:
            return session.records.save(record)
        except sqlite3.IntegrityError as exc:
            raise StorageError(
                "保存被拒绝：与已有记录重复，或引用的企业已不存在。请刷新后核对再保存。"
            ) from exc
        except sqlite3.OperationalError as exc:
            raise StorageError(
                "数据库暂时无法写入（可能正被其他程序或备份占用），已填写的内容没有丢失，请稍后再保存。"
            ) from exc

    def save_entered_telling(
        self, record: Any, *, today: date | None = None
    ) -> tuple[int, str | None]:
        """``records.save_entered``, and the sentence telling how the unit's live grade (as of
        ``today``) changed with it (grade_change.py), or None when it did not."""
        session = self._session
        from safecredit_desktop.core.grade_change import grade_change_sentence

        day = today or date.today()
        unit_id = getattr(record, "unit_id", None)
        before = session.grading.grade_one(int(unit_id), as_of=day) if unit_id is not None else None
        record_id = session.records.save_entered(record)
        after = session.grading.grade_one(int(unit_id), as_of=day) if unit_id is not None else None
        return record_id, grade_change_sentence(before, after)

    def of_kind(
        self,
        table: str,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        town: str | None = None,
        uscc: str | None = None,
    ) -> Any:
        """The records of one kind across the county, newest first (exchange/record_list.py)."""
        session = self._session
        from safecredit_desktop.core.exchange.record_list import list_records as _list

        return _list(session.db, table, date_from=date_from, date_to=date_to, town=town, uscc=uscc)

    def export(self, listing: Any, path: Path) -> Path:
        """A listing as that sheet of the import template (re-importable)."""
        session = self._session
        from safecredit_desktop.core.exchange.record_list import write_records_sheet

        return write_records_sheet(
            Path(path), listing, session.profile, session.bureau_name, today=date.today()
        )

    # -- the county-wide record pages (issue 18; core/record_pages/) -----------------------

    def page(
        self,
        kind: str,
        filters: _pages.RecordFilters,
        sort: _pages.RecordSort,
        offset: int,
        limit: int,
        *,
        after: _pages.PageRow | None = None,
    ) -> list[_pages.PageRow]:
        """One page of the records of ``kind`` (a record table) across all units; ``after``
        the last row shown (the next page found from it, in the date order)."""
        return _pages_query.page(self._session.db, kind, filters, sort, offset, limit, after=after)

    def page_totals(self, kind: str, filters: _pages.RecordFilters) -> _pages.PageTotals:
        """The count and the footer sums over every record the filters keep."""
        return _pages_query.totals(self._session.db, kind, filters)

    def page_choices(self) -> tuple[list[str], list[str]]:
        """(乡镇, 报送单位) for the record pages' filter lists."""
        return _pages_query.filter_choices(self._session.db)

    def export_filtered(
        self,
        kind: str,
        filters: _pages.RecordFilters,
        path: Path,
        sort: _pages.RecordSort | None = None,
    ) -> Path:
        """The filtered records, in the page's order, as that sheet of the import
        template (re-importable)."""
        listing = _pages_query.listing(self._session.db, kind, filters, sort or _pages.RecordSort())
        return self.export(listing, path)
