"""The hash-chained audit log.

Each entry stores the hash of the entry before it; its own hash covers that and
every stored field. Changing, inserting or deleting an entry behind the program's
back breaks the chain at that entry, which ``verify_chain`` reports. Removing the
newest entries, or recomputing the chain from an edited entry on, leaves a valid
chain: ``anchor.py`` keeps its head outside the file to catch that, and
``reconcile.py`` checks that the records are what the log says they are.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from safecredit_desktop.core import pause_points
from safecredit_desktop.core.storage.changes import KNOWN_TABLES, Table, note_written
from safecredit_desktop.core.storage.clock import now_iso

GENESIS = "0" * 64
_SEP = "\x1f"
_NULL = "\x00"


# one encoder each, made once: json.dumps with options builds a new encoder per call,
# a fifth of the cost of an import's million small documents
_ENTRY_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
_KEY_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class Encoded(str):
    """A before/after value already as its stored text (``to_json``): appended as it is
    (made by the import's planning worker, on the other core)."""

    __slots__ = ()


def to_json(value: object) -> str | None:
    """A stored before/after value: keys sorted, no spaces, characters as they are."""
    if value is None:
        return None
    return _ENTRY_JSON(value)


def key_json(parts: Sequence[object]) -> str:
    """A natural key's parts as an entry's ``row_key`` (a JSON array, in order)."""
    return _KEY_JSON(parts)


def entry_hash(
    prev_hash: str,
    entry_id: int,
    at: str,
    user: str,
    action: str,
    table_name: str,
    row_key: str,
    before: str | None,
    after: str | None,
) -> str:
    """An entry's hash: of the previous hash and the entry's fields."""
    text = _SEP.join(
        (
            prev_hash,
            str(entry_id),
            at,
            user,
            action,
            table_name,
            row_key,
            _NULL if before is None else before,
            _NULL if after is None else after,
        )
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    action: str  # insert | update | delete | event
    table_name: str
    row_key: str
    before: object = None
    after: object = None


def head(conn: sqlite3.Connection) -> tuple[int, str]:
    """(id, hash) of the newest entry; (0, GENESIS) for an empty log."""
    row = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return (0, GENESIS) if row is None else (int(row[0]), str(row[1]))


def append(conn: sqlite3.Connection, user: str, entries: Iterable[AuditEntry]) -> int:
    """Append entries to the chain; the caller holds the write transaction."""
    last_id, prev = head(conn)
    at = now_iso()
    rows: list[tuple[object, ...]] = []
    encode = _ENTRY_JSON
    for entry in entries:
        last_id += 1
        before = None if entry.before is None else encode(entry.before)
        after = entry.after
        if after is not None and type(after) is not Encoded:
            after = encode(after)
        digest = entry_hash(
            prev, last_id, at, user, entry.action, entry.table_name, entry.row_key, before, after
        )
        rows.append(
            (
                last_id,
                at,
                user,
                entry.action,
                entry.table_name,
                entry.row_key,
                before,
                after,
                prev,
                digest,
            )
        )
        prev = digest
    conn.executemany(
        "INSERT INTO audit_log (id, at, user, action, table_name, row_key, before, after,"
        " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    pause_points.point("audit.appended")
    # every audited row change names its table: that is what the write touched
    # (an "event" — a backup, an export, a log-in — changed no table but the log)
    changed = {str(r[4]) for r in rows if r[3] != "event"}
    note_written(conn, Table.AUDIT_LOG, *(changed & KNOWN_TABLES))
    return len(rows)


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int
    message: str


AuditRow = Sequence[Any]
"""An audit_log row as selected by ``ENTRY_COLUMNS`` (extra columns may follow)."""

ENTRY_COLUMNS = "id, at, user, action, table_name, row_key, before, after, prev_hash, hash"


def verify_rows(
    rows: Iterable[AuditRow],
    *,
    after_id: int = 0,
    after_hash: str = GENESIS,
    sink: Callable[[AuditRow], None] | None = None,
) -> ChainProblem | None:
    """The first entry of ``rows`` (in id order) where the chain breaks, or None.

    ``sink`` sees every row, also those after a break (the reconciliation of the
    records with the log goes on; only the chain stops being checked)."""
    prev = after_hash
    expected_id = after_id + 1 if after_id else None
    problem: ChainProblem | None = None
    for row in rows:
        if sink is not None:
            sink(row)
        if problem is not None:
            continue
        entry_id, at, user, action, table_name, row_key, before, after, prev_hash, digest = row[:10]
        if expected_id is not None and entry_id != expected_id:
            problem = ChainProblem(entry_id, f"审计日志第 {expected_id} 条缺失（被删除）。")
            continue
        if prev_hash != prev:
            problem = ChainProblem(
                entry_id, f"审计日志第 {entry_id} 条的前序哈希不符，其前面的记录被改动或删除。"
            )
            continue
        if (
            entry_hash(prev, entry_id, at, user, action, table_name, row_key, before, after)
            != digest
        ):
            problem = ChainProblem(
                entry_id, f"审计日志第 {entry_id} 条的内容与其哈希不符，已被改动。"
            )
            continue
        prev = digest
        expected_id = entry_id + 1
    return problem


def verify_chain(
    conn: sqlite3.Connection, *, after_id: int = 0, after_hash: str = GENESIS
) -> ChainProblem | None:
    """The first entry where the chain breaks, or None when it is whole; with
    ``after_id``/``after_hash``, only the entries after a verified one."""
    cursor = conn.execute(
        f"SELECT {ENTRY_COLUMNS} FROM audit_log WHERE id > ? ORDER BY id", (after_id,)
    )
    return verify_rows(cursor, after_id=after_id, after_hash=after_hash)


def checkpoint(conn: sqlite3.Connection) -> tuple[int, str] | None:
    """(entry id, hash) of the last verified entry; None when the row is missing."""
    row = conn.execute("SELECT entry_id, hash FROM audit_checkpoint WHERE id = 1").fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


def set_checkpoint(conn: sqlite3.Connection, entry_id: int, digest: str) -> None:
    conn.execute(
        "INSERT INTO audit_checkpoint (id, entry_id, hash) VALUES (1, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET entry_id = excluded.entry_id, hash = excluded.hash",
        (entry_id, digest),
    )


def checkpoint_problem(conn: sqlite3.Connection) -> ChainProblem | None:
    """Whether the checkpoint still names an entry of the chain as it was verified."""
    found = checkpoint(conn)
    head_id, _ = head(conn)
    if found is None:
        if head_id == 0:
            return None
        return ChainProblem(
            0,
            f"审计核验点（上次核验到第几条）不见了，而审计日志已有 {head_id} 条："
            "它被程序以外的工具删除了。",
        )
    after_id, after_hash = found
    if not after_id:
        return None
    if after_id > head_id:
        return ChainProblem(
            after_id,
            f"审计日志比上次核验时短：上次核验到第 {after_id} 条，现在只有 {head_id} 条，"
            "最新的审计记录被删除了。",
        )
    stored = conn.execute("SELECT hash FROM audit_log WHERE id = ?", (after_id,)).fetchone()
    if stored is None or stored[0] != after_hash:
        return ChainProblem(after_id, f"审计日志第 {after_id} 条（上次核验处）已被改动或删除。")
    return None


def verify_since_checkpoint(
    conn: sqlite3.Connection, *, move: bool, collect: list[AuditRow] | None = None
) -> ChainProblem | None:
    """Verify the entries after the last verified one (opening a database); on success
    and with ``move``, the newest entry becomes the checkpoint. ``collect`` receives
    those entries (to check the rows they touched)."""
    found = checkpoint(conn)
    after_id, after_hash = found if found is not None else (0, GENESIS)
    if after_id:
        stored = conn.execute("SELECT hash FROM audit_log WHERE id = ?", (after_id,)).fetchone()
        if stored is None or stored[0] != after_hash:
            return ChainProblem(after_id, f"审计日志第 {after_id} 条（上次核验处）已被改动或删除。")
    cursor = conn.execute(
        f"SELECT {ENTRY_COLUMNS} FROM audit_log WHERE id > ? ORDER BY id", (after_id,)
    )
    problem = verify_rows(
        cursor,
        after_id=after_id,
        after_hash=after_hash,
        sink=None if collect is None else collect.append,
    )
    if problem is None and move:
        head_id, head_hash = head(conn)
        if head_id > after_id:
            note_written(conn, Table.AUDIT_CHECKPOINT)
            set_checkpoint(conn, head_id, head_hash)
    return problem
