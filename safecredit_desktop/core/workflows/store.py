"""Audited writes of the workflow tables (lists, objections, repair applications,
permits): every insert and update is one audit entry with the row before and after; a
step (:func:`step`, :func:`add`) is one write in a transaction of its own. Rows are read
back as the workflows' dataclasses (:class:`Entries`, :func:`entry`)."""

from __future__ import annotations

import dataclasses
import sqlite3
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, Generic, TypeVar, cast, get_args, get_type_hints

from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.storage import audit
from safecredit_desktop.core.storage.connection import Database

Entry = TypeVar("Entry")


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


def add(db: Database, user: str, table: str, values: Mapping[str, Any]) -> int:
    """A workflow's new row in a transaction of its own (audited); its id."""
    with db.transaction() as conn:
        return insert(conn, user, table, values)


@dataclass(frozen=True)
class NamingRow:
    """A workflow row that names one record (an objection, a repair application): its
    id, its unit (code and name from :func:`with_unit`), the record and how it is quoted."""

    id: int
    unit_id: int
    uscc: str
    unit_name: str
    target_table: str
    target_id: int
    target_text: str


def naming(unit_id: int, table: str, record_id: int, text: str) -> dict[str, Any]:
    """The columns of a row that names one record (an objection, a repair application):
    its unit, the record and the record as quoted."""
    return {"unit_id": unit_id, "target_table": table, "target_id": record_id, "target_text": text}


def naming_row(
    conn: sqlite3.Connection, table: str, record_table: str, record_id: int, statuses: Sequence[str]
) -> int | None:
    """The id of a row of ``table`` in one of ``statuses`` that names the record (the
    objection or application still open on it), None when there is none."""
    marks = ", ".join("?" for _ in statuses)
    found = conn.execute(
        f"SELECT id FROM {table} WHERE target_table = ? AND target_id = ? AND status IN ({marks})",
        (record_table, record_id, *statuses),
    ).fetchone()
    return None if found is None else int(found[0])


def step(
    db: Database, user: str, table: str, row_id: int, changes: Mapping[str, Any]
) -> dict[str, Any]:
    """A workflow step: ``changes`` to one row in a transaction of its own (audited)."""
    with db.transaction() as conn:
        return update(conn, user, table, row_id, changes)


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


def _reader(hint: Any) -> Callable[[Any], Any]:
    """How a column's stored value becomes a field of type ``hint``: ISO text to a date,
    a status to its enum, a number to int; ``X | None`` keeps NULL (and a blank date)."""
    optional = isinstance(hint, types.UnionType) and type(None) in get_args(hint)
    if optional:
        hint = next(a for a in get_args(hint) if a is not type(None))
    if hint is date:
        return day if optional else (lambda v: date.fromisoformat(str(v)))
    if hint is int:
        return (lambda v: None if v is None else int(v)) if optional else int
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint
    if hint is str:
        return (lambda v: v) if optional else str
    raise TypeError(f"a workflow row has no reader for {hint!r}")


_READERS: dict[type[Any], tuple[tuple[str, Callable[[Any], Any]], ...]] = {}


def _readers(cls: type[Any]) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    found = _READERS.get(cls)
    if found is None:
        hints = get_type_hints(cls)
        fields = dataclasses.fields(cls)
        found = _READERS[cls] = tuple((f.name, _reader(hints[f.name])) for f in fields)
    return found


def entry(cls: type[Entry], r: Mapping[str, Any]) -> Entry:
    """A workflow dataclass (a list entry, an objection, an application) from its row
    with its unit (:func:`with_unit`), each column read as its field's type says."""
    build = cast(Callable[..., Entry], cls)
    return build(**{name: read(r[name]) for name, read in _readers(cls)})


@dataclass(frozen=True)
class Entries(Generic[Entry]):
    """A workflow table read as its dataclass ``kind``, each row with its unit."""

    kind: type[Entry]
    table: str
    alias: str
    search_column: str  # searched beside the unit's name and code
    missing: str  # the sentence for an unknown id, "{}" standing for it

    def get(self, conn: sqlite3.Connection, row_id: int) -> Entry:
        select = with_unit(self.table, self.alias) + f" WHERE {self.alias}.id = ?"
        found = rows(conn, select, (row_id,))
        if not found:
            raise SafeCreditError(self.missing.format(row_id))
        return entry(self.kind, found[0])

    def search(
        self,
        conn: sqlite3.Connection,
        *,
        equal: Mapping[str, Any],
        search: str = "",
        extra: Sequence[tuple[str, Sequence[Any]]] = (),
    ) -> list[Entry]:
        """:func:`search_rows` as entries, newest first."""
        found = search_rows(
            conn,
            self.table,
            self.alias,
            equal=equal,
            search=search,
            search_column=self.search_column,
            extra=extra,
        )
        return [entry(self.kind, r) for r in found]
