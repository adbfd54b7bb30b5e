"""Audited writes of the workflow tables (lists, objections, repair applications,
permits): every insert and update is one audit entry with the row before and after."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.storage import audit


def _key(table: str, row_id: int) -> str:
    return f"{table}#{row_id}"


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}


def row(conn: sqlite3.Connection, table: str, row_id: int) -> dict[str, Any]:
    cursor = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,))
    found = cursor.fetchone()
    if found is None:
        raise SafeCreditError(f"记录不存在（{table} 第 {row_id} 条）。")
    names = [d[0] for d in cursor.description]
    return dict(zip(names, found, strict=True))


def rows(conn: sqlite3.Connection, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, args)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def insert(conn: sqlite3.Connection, user: str, table: str, values: Mapping[str, Any]) -> int:
    plain = _plain(values)
    columns = ", ".join(plain)
    marks = ", ".join("?" for _ in plain)
    cursor = conn.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id", list(plain.values())
    )
    row_id = int(cursor.fetchone()[0])
    audit.append(conn, user, [audit.AuditEntry("insert", table, _key(table, row_id), None, plain)])
    return row_id


def update(
    conn: sqlite3.Connection, user: str, table: str, row_id: int, changes: Mapping[str, Any]
) -> dict[str, Any]:
    """Apply ``changes`` to one row; the row after."""
    before = row(conn, table, row_id)
    plain = _plain(changes)
    assignments = ", ".join(f"{k} = ?" for k in plain)
    conn.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", [*plain.values(), row_id])
    after = {**before, **plain}
    audit.append(
        conn, user, [audit.AuditEntry("update", table, _key(table, row_id), before, after)]
    )
    return after


def day(value: Any) -> date | None:
    """An ISO date column, or None when empty."""
    return None if value in (None, "") else date.fromisoformat(str(value))


def with_unit(table: str, alias: str) -> str:
    """``SELECT`` of a workflow table's rows with their unit's code and name."""
    return (
        f"SELECT {alias}.*, u.uscc AS uscc, u.name AS unit_name FROM {table} {alias}"
        f" JOIN units u ON u.id = {alias}.unit_id"
    )


def search_rows(
    conn: sqlite3.Connection,
    table: str,
    alias: str,
    *,
    equal: Mapping[str, Any],
    search: str = "",
    search_column: str,
    extra: Sequence[tuple[str, Sequence[Any]]] = (),
) -> list[dict[str, Any]]:
    """Rows (with their unit) matching every ``equal`` column that is not None, the
    ``extra`` conditions, and ``search`` in the unit's name or code or ``search_column``;
    newest first."""
    where: list[str] = []
    args: list[Any] = []
    for column, value in equal.items():
        if value is not None and value != "":
            where.append(f"{alias}.{column} = ?")
            args.append(value)
    for condition, values in extra:
        where.append(condition)
        args.extend(values)
    if search.strip():
        like = f"%{search.strip()}%"
        where.append(f"(u.name LIKE ? OR u.uscc LIKE ? OR {alias}.{search_column} LIKE ?)")
        args += [like, like, like]
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    return rows(conn, with_unit(table, alias) + clause + f" ORDER BY {alias}.id DESC", args)
