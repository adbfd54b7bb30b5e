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
from safecredit_desktop.core.exchange.import_errors import Progress
from safecredit_desktop.core.exchange.plans import (
    ADD,
    UPDATE,
    ConflictChange,
    ImportPlan,
    SheetPlan,
    _audit_head,
    _key_json,
)
from safecredit_desktop.core.storage import audit, bulk
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.repository import Repository


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
    with bulk.larger_cache(db), db.transaction() as conn:
        if _audit_head(db) != plan.audit_head:
            raise StalePlanError(
                "检查工作簿之后，数据库又被其他用户或程序修改过；为防止覆盖，没有写入任何数据，"
                "请重新导入。"
            )
        steps = max(len(plan.sheets), 1)
        unit_ids: dict[str, int] = {}
        for index, sheet in enumerate(sorted(plan.sheets, key=_apply_order)):
            if progress is not None:
                progress(0.9 * index / steps, f"写入“{sheet.spec.name}”表")
            if sheet.spec.table != "units" and not unit_ids:
                unit_ids = {str(u): int(i) for u, i in conn.execute("SELECT uscc, id FROM units")}
            if sheet.spec.table == "repairs":
                _resolve_targets(conn, sheet, unit_ids)
            per_unit = sheet.spec.table not in ("units", "inspectors")
            added = []
            for planned in sheet.rows:
                if planned.action == ADD:
                    if per_unit:
                        planned.record.unit_id = unit_ids[planned.unit_code]
                    added.append(planned.record)
            repo.insert_many(added)
            for planned in sheet.rows:
                if planned.action == UPDATE:
                    repo.update(planned.record)
        if plan.conflicts:
            if not unit_ids:
                unit_ids = {str(u): int(i) for u, i in conn.execute("SELECT uscc, id FROM units")}
            _apply_conflicts(conn, repo, plan.conflicts, unit_ids)
        summary = plan.summary(dry_run=False)
        detail = {
            "文件": plan.path.name,
            **{
                s.sheet: f"新增{s.added} 更新{s.updated} 未变{s.unchanged} 已删除未导入{s.skipped}"
                for s in summary.sheets
            },
        }
        audit.append(
            conn, repo.user, [audit.AuditEntry("event", "import", plan.path.name, None, detail)]
        )
        # the live grades of every unit the import touched, in one batch, in this transaction
        grade_cache.settle_stale(db, progress=_grading_progress(progress))


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


def _resolve_targets(conn: Any, sheet: SheetPlan, unit_ids: dict[str, int]) -> None:
    for planned in sheet.rows:
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
