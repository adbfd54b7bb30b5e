"""Adopted annual inspection plans (年度执法检查计划 采用): parameters, who and when, and
every planned inspection as it was adopted (schema: db/migrations/*_adopted_plans.sql).

An adoption is written once, in one transaction, with one audit event carrying the
SHA-256 of every stored item, so a changed item is detectable (``problems``, run by
``check``). A year adopted again gets a newer adoption; the newest one is the year's plan.
Database triggers forbid changing or deleting either table.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from datetime import date

from safecredit_desktop.core.model import Adoption, Plan, PlannedInspection, PlanStatus
from safecredit_desktop.core.storage import audit, dialect
from safecredit_desktop.core.storage.changes import Table, note_written
from safecredit_desktop.core.storage.clock import now_iso
from safecredit_desktop.core.storage.connection import Database

TABLE = "plan_adoptions"
_ITEM_COLUMNS = (
    "unit_id, uscc, name, category, town, unit_status, grade, high_risk, interval_months,"
    " last_inspection, window_start, window_end, window_label, due_on, suggested_month,"
    " original_month, body, county, fits"
)
_ADOPTION_COLUMNS = (
    "id, year, capacity, basis, as_of, computed_on, adopted_at, adopted_by, items_count,"
    " items_sha256"
)


def _item_row(item: PlannedInspection) -> tuple[object, ...]:
    last = item.last_inspection
    return (
        item.unit_id,
        item.uscc,
        item.name,
        item.category,
        item.town,
        item.status_of_unit,
        item.grade,
        int(item.high_risk),
        item.interval_months,
        None if last is None else last.isoformat(),
        item.window_start.isoformat(),
        item.window_end.isoformat(),
        item.window_label,
        item.due_on.isoformat(),
        item.suggested_month,
        item.original_month,
        item.body,
        int(item.county),
        int(item.fits),
    )


def digest(rows: Sequence[tuple[object, ...]]) -> str:
    text = json.dumps(list(rows), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _adoption(row: Sequence[object]) -> Adoption:
    return Adoption(
        int(str(row[0])),
        int(str(row[1])),
        None if row[2] is None else int(str(row[2])),
        str(row[3]),
        date.fromisoformat(str(row[4])),
        date.fromisoformat(str(row[5])),
        str(row[6]),
        str(row[7]),
        int(str(row[8])),
        str(row[9]),
    )


def adopt(db: Database, user: str, plan: Plan) -> Adoption:
    """Store ``plan`` as the adopted plan of its year (one transaction, audited)."""
    rows = [_item_row(i) for i in plan.items]
    sha = digest(rows)
    with db.transaction() as conn:
        cursor = conn.execute(
            f"INSERT INTO plan_adoptions ({_ADOPTION_COLUMNS.replace('id, ', '', 1)})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                plan.year,
                plan.capacity,
                plan.basis,
                plan.as_of.isoformat(),
                plan.today.isoformat(),
                now_iso(),
                user,
                len(rows),
                sha,
            ),
        )
        adoption_id = int(cursor.fetchone()[0])
        note_written(conn, Table.PLAN_ITEMS)
        conn.executemany(
            f"INSERT INTO plan_items (adoption_id, position, {_ITEM_COLUMNS})"
            f" VALUES ({', '.join('?' for _ in range(21))})",
            [(adoption_id, position, *row) for position, row in enumerate(rows, start=1)],
        )
        loads = plan.month_loads()
        detail = {
            "编号": adoption_id,
            "年度": plan.year,
            "等级依据": plan.basis,
            "每月检查能力": plan.capacity,
            "计划检查": len(rows),
            "企业数": len({i.unit_id for i in plan.items}),
            "各月安排": loads,
            "无法安排": len(plan.cannot_fit),
            "计划SHA256": sha,
        }
        # keyed by the adoption's number: a year may be adopted again (a newer adoption)
        entry = audit.AuditEntry("insert", TABLE, str(adoption_id), None, detail)
        audit.append(conn, user, [entry])
        found = conn.execute(
            f"SELECT {_ADOPTION_COLUMNS} FROM plan_adoptions WHERE id = ?", (adoption_id,)
        ).fetchone()
    return _adoption(found)


def latest(db: Database, year: int) -> Adoption | None:
    """The year's adopted plan (its newest adoption), or None."""
    row = db.conn.execute(
        f"SELECT {_ADOPTION_COLUMNS} FROM plan_adoptions WHERE year = ? ORDER BY id DESC LIMIT 1",
        (year,),
    ).fetchone()
    return None if row is None else _adoption(row)


def years(db: Database) -> list[int]:
    """The years that have an adopted plan, latest first."""
    return [
        int(r[0])
        for r in db.conn.execute("SELECT DISTINCT year FROM plan_adoptions ORDER BY year DESC")
    ]


def adoptions(db: Database) -> list[Adoption]:
    """Every adoption, newest first."""
    rows = db.conn.execute(f"SELECT {_ADOPTION_COLUMNS} FROM plan_adoptions ORDER BY id DESC")
    return [_adoption(r) for r in rows]


def items(db: Database, adoption: Adoption) -> list[PlannedInspection]:
    """The adopted inspections, in their stored order; status not yet set (未到期).

    A county plan holds ~170,000 of them: the few hundred distinct dates are parsed once.
    """
    days: dict[str, date] = {}

    def day(text: str) -> date:
        found = days.get(text)
        if found is None:
            found = days[text] = date.fromisoformat(text)
        return found

    not_due = PlanStatus.NOT_DUE
    return [
        PlannedInspection(
            unit_id,
            uscc,
            name,
            category,
            town,
            unit_status,
            grade,
            high_risk == 1,
            interval,
            None if last is None else day(last),
            day(start),
            day(end),
            label,
            day(due_on),
            suggested,
            original,
            body,
            county == 1,
            fits == 1,
            not_due,
            None,
        )
        for (
            unit_id,
            uscc,
            name,
            category,
            town,
            unit_status,
            grade,
            high_risk,
            interval,
            last,
            start,
            end,
            label,
            due_on,
            suggested,
            original,
            body,
            county,
            fits,
        ) in db.conn.execute(
            f"SELECT {_ITEM_COLUMNS} FROM plan_items WHERE adoption_id = ? ORDER BY position",
            (adoption.id,),
        )
    ]


def problems(conn: sqlite3.Connection) -> list[str]:
    """Adoptions whose stored items no longer hash to what was adopted (for ``check``)."""
    if not dialect.has_table(conn, "plan_adoptions"):
        return []
    found: list[str] = []
    for adoption_id, year, sha in conn.execute(
        "SELECT id, year, items_sha256 FROM plan_adoptions ORDER BY id"
    ).fetchall():
        rows = [
            tuple(r)
            for r in conn.execute(
                f"SELECT {_ITEM_COLUMNS} FROM plan_items WHERE adoption_id = ? ORDER BY position",
                (adoption_id,),
            )
        ]
        if digest(rows) != sha:
            found.append(
                f"{year}年度检查计划（第{adoption_id}次采用）的存储内容与采用时记录的不一致，已被改动。"
            )
    return found
