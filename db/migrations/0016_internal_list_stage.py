"""Schema version 15: the stage 内部管理 of a list entry (grading.md Revision 2 item 7).

Under a profile whose grades and lists are internal (kundulun, seed 001 第十四条: 只作内部
管理使用，不对外公布) 公布 is refused, so an entry the review approved stayed 待公布 for
ever: waiting for a publication that can never come, never in force, never ending. Such
an entry is now 内部管理 from its 列入 (the review's approval): in force inside the
bureau, its period counted from 列入 (``ends_on``), then 移出 (期满) like a published one.

- ``list_entries.stage`` also takes '内部管理' (the CHECK constraint widened in place:
  SQLite's documented ``writable_schema`` edit for a looser CHECK, which leaves the rows
  and the tables that reference ``list_entries`` untouched; ALTER TABLE on PostgreSQL).
- Under an internal profile every 待公布 entry becomes 内部管理 with ``ends_on`` =
  列入 + its period, as an audited change.

Runs inside the upgrade's transaction (storage/migrations.py); never commits.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from safecredit_desktop.core.rules.profile import parse_profile
from safecredit_desktop.core.scheduling.due import add_months
from safecredit_desktop.core.storage import audit, dialect

USER = "系统（数据结构升级：内部名单不公布）"
OLD = "'移出', '不予列入')"
NEW = "'移出', '不予列入', '内部管理')"
STAGES = "('采集', '告知', '待公布', '公布', '移出', '不予列入', '内部管理')"


def _widen_check(conn: sqlite3.Connection) -> None:
    if dialect.is_postgres(conn):
        conn.execute("ALTER TABLE list_entries DROP CONSTRAINT IF EXISTS list_entries_stage_check")
        conn.execute(
            "ALTER TABLE list_entries ADD CONSTRAINT list_entries_stage_check"
            f" CHECK (stage IN {STAGES})"
        )
        return
    (sql,) = conn.execute(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'list_entries'"
    ).fetchone()
    if OLD not in sql:
        raise RuntimeError("list_entries has an unexpected stage constraint")
    (version,) = conn.execute("PRAGMA schema_version").fetchone()
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.execute(
            "UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'list_entries'",
            (sql.replace(OLD, NEW),),
        )
        conn.execute(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")


def _internal(conn: sqlite3.Connection) -> bool:
    found = conn.execute("SELECT value FROM settings WHERE key = 'profile_text'").fetchone()
    if found is None:
        return False
    try:
        return parse_profile(str(found[0]), source="profile_text").internal_only
    except Exception:  # a profile this version cannot read: leave its entries as they are
        return False


def _row(conn: sqlite3.Connection, entry_id: int) -> dict[str, Any]:
    cursor = conn.execute("SELECT * FROM list_entries WHERE id = ?", (entry_id,))
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def _move_waiting_entries(conn: sqlite3.Connection) -> list[audit.AuditEntry]:
    entries = []
    waiting = conn.execute(
        "SELECT id FROM list_entries WHERE stage = '待公布' ORDER BY id"
    ).fetchall()
    for (entry_id,) in waiting:
        before = _row(conn, int(entry_id))
        listed = date.fromisoformat(str(before["reviewed_on"] or before["proposed_on"])[:10])
        ends = add_months(listed, int(before["period_months"])).isoformat()
        conn.execute(
            "UPDATE list_entries SET stage = '内部管理', ends_on = ? WHERE id = ?",
            (ends, entry_id),
        )
        after = {**before, "stage": "内部管理", "ends_on": ends}
        entries.append(
            audit.AuditEntry("update", "list_entries", f"list_entries#{entry_id}", before, after)
        )
    return entries


def upgrade(conn: sqlite3.Connection) -> None:
    _widen_check(conn)
    if _internal(conn):
        entries = _move_waiting_entries(conn)
        if entries:
            audit.append(conn, USER, entries)
