"""Applying an import plan (step 3 of importer).

:func:`apply_import` writes the plan in one transaction through the repository
(every row audited as the importing user), or refuses it when the plan has
errors or the database changed since it was made.
"""

from __future__ import annotations

from typing import Any

from safecredit_desktop.core import grade_cache
from safecredit_desktop.core.collector import paused_collector
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.exchange.columns import SheetSpec
from safecredit_desktop.core.exchange.import_errors import Progress
from safecredit_desktop.core.exchange.plans import (
    ADD,
    UPDATE,
    ConflictChange,
    ImportPlan,
    PlannedRow,
    SheetPlan,
    _audit_head,
    _key_json,
)
from safecredit_desktop.core.storage import audit, bulk
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.repository import PreparedInserts, Repository


class StalePlanError(SafeCreditError):
    """The database changed between planning and writing; the plan must be made again."""


@paused_collector
def apply_import(
    db: Database,
    repo: Repository,
    plan: ImportPlan,
    *,
    progress: Progress | None = None,
) -> None:
    """Write the plan in one transaction; every row audited as ``repo.user``."""
    plan.raise_for_errors()
    if not plan.changed:
        return
    with bulk.larger_cache(db), db.transaction():
        check_not_stale(db, plan.audit_head)
        writer = PlanWriter(db, repo)
        steps = max(len(plan.sheets), 1)
        for index, sheet in enumerate(sorted(plan.sheets, key=_apply_order)):
            if progress is not None:
                progress(0.9 * index / steps, f"写入“{sheet.spec.name}”表")
            writer.write(sheet.spec, sheet.rows)
            writer.end_sheet()
        writer.finish(plan, progress=_grading_progress(progress))


def check_not_stale(db: Database, audit_head: int) -> None:
    """Refuse to write a plan made before the database last changed (within the write
    transaction, so that nothing can change after this check)."""
    if _audit_head(db) != audit_head:
        raise StalePlanError(
            "检查工作簿之后，数据库又被其他用户或程序修改过；为防止覆盖，没有写入任何数据，"
            "请重新导入。"
        )


class PlanWriter:
    """Writes a plan's rows within the caller's transaction, sheet by sheet in the order
    of :func:`_apply_order` (units first, 信用修复 last): a sheet's new rows as they are
    handed over (in as many pieces as planning hands them), its updates when the sheet
    ends — the same statements in the same order whether the plan comes whole or streamed.
    """

    def __init__(self, db: Database, repo: Repository) -> None:
        self.db = db
        self.repo = repo
        self.unit_ids: dict[str, int] = {}
        self.updates: list[PlannedRow] = []

    def _load_unit_ids(self) -> dict[str, int]:
        if not self.unit_ids:
            conn = self.db.conn
            self.unit_ids = {str(u): int(i) for u, i in conn.execute("SELECT uscc, id FROM units")}
        return self.unit_ids

    def write(
        self,
        spec: SheetSpec,
        rows: list[PlannedRow],
        prepared: list[PreparedInserts] | None = None,
    ) -> None:
        """Insert the rows to add (``prepared``: made ready by the planning worker);
        keep the updates for :meth:`end_sheet`."""
        table = spec.table
        self.updates.extend(r for r in rows if r.action == UPDATE)
        if prepared is not None:
            for piece in prepared:
                self.repo.write_prepared(piece)
            return
        per_unit = table not in ("units", "inspectors")
        unit_ids = self._load_unit_ids() if table != "units" else {}
        if table == "repairs":
            _resolve_targets(self.db.conn, rows, unit_ids)
        added = []
        for planned in rows:
            if planned.action == ADD:
                if per_unit:
                    planned.record.unit_id = unit_ids[planned.unit_code]
                added.append(planned.record)
        self.repo.insert_many(added)

    def end_sheet(self) -> None:
        for planned in self.updates:
            self.repo.update(planned.record)
        self.updates = []

    def finish(self, plan: ImportPlan, *, progress: Progress | None = None) -> None:
        """The inspectors' 回避单位, the import's own audit event and the live grades of
        every unit the import touched (in one batch, in this transaction)."""
        conn = self.db.conn
        if plan.conflicts:
            _apply_conflicts(conn, self.repo, plan.conflicts, self._load_unit_ids())
        summary = plan.summary(dry_run=False)
        detail = {
            "文件": plan.path.name,
            **{
                s.sheet: f"新增{s.added} 更新{s.updated} 未变{s.unchanged} 已删除未导入{s.skipped}"
                for s in summary.sheets
            },
        }
        audit.append(
            conn,
            self.repo.user,
            [audit.AuditEntry("event", "import", plan.path.name, None, detail)],
        )
        grade_cache.settle_stale(self.db, progress=progress)


def _grading_progress(progress: Progress | None) -> Progress | None:
    if progress is None:
        return None
    report = progress

    def part(fraction: float, text: str) -> None:
        report(0.9 + 0.1 * fraction, text)

    return part


def _apply_order(sheet: SheetPlan) -> int:
    table = sheet.spec.table
    return 0 if table == "units" else 2 if table == "repairs" else 1


def _resolve_targets(conn: Any, rows: list[PlannedRow], unit_ids: dict[str, int]) -> None:
    for planned in rows:
        if planned.action != ADD or planned.target is None:
            continue
        table, key = planned.target
        if table == "penalties":
            found = conn.execute("SELECT id FROM penalties WHERE doc_no = ?", key).fetchone()
            planned.record.penalty_id = int(found[0])
        elif table == "violations":
            found = conn.execute(
                "SELECT id FROM violations WHERE unit_id = ? AND kind = ? AND occurred_on = ?"
                " AND subject = ?",
                (unit_ids[key[0]], *key[1:]),
            ).fetchone()
            planned.record.violation_id = int(found[0])
        else:
            found = conn.execute(
                "SELECT id FROM accidents WHERE unit_id = ? AND occurred_on = ?"
                " AND accident_no = ?",
                (unit_ids[key[0]], *key[1:]),
            ).fetchone()
            planned.record.accident_id = int(found[0])


def _apply_conflicts(
    conn: Any, repo: Repository, changes: list[ConflictChange], unit_ids: dict[str, int]
) -> None:
    """Plain SQL (the table has no record class), audited like the repository (demo.py)."""
    inspector_ids = {str(c): int(i) for c, i in conn.execute("SELECT cert_no, id FROM inspectors")}
    entries: list[audit.AuditEntry] = []
    added: list[tuple[int, int]] = []
    removed: list[tuple[int, int]] = []
    for change in changes:
        inspector_id = inspector_ids[change.cert_no]
        for action, codes, pairs in (
            ("insert", change.add, added),
            ("delete", change.remove, removed),
        ):
            for code in codes:
                pair = (inspector_id, unit_ids[code])
                pairs.append(pair)
                row = {"inspector_id": pair[0], "unit_id": pair[1]}
                entries.append(
                    audit.AuditEntry(
                        action,
                        "inspector_conflicts",
                        _key_json([change.cert_no, code]),
                        None if action == "insert" else row,
                        row if action == "insert" else None,
                    )
                )
    conn.executemany(
        "DELETE FROM inspector_conflicts WHERE inspector_id = ? AND unit_id = ?", removed
    )
    conn.executemany("INSERT INTO inspector_conflicts (inspector_id, unit_id) VALUES (?, ?)", added)
    audit.append(conn, repo.user, entries)
