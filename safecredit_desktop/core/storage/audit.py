"""The hash-chained audit log.

Each entry stores the hash of the entry before it; its own hash covers that and
every stored field. Changing, inserting or deleting an entry behind the program's
back breaks the chain at that entry, which ``verify_chain`` reports. (Removing the
newest entries leaves a shorter valid chain; backups keep the older heads.)
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from safecredit_desktop.core.storage.changes import KNOWN_TABLES, Table, note_written
from safecredit_desktop.core.storage.clock import now_iso

GENESIS = "0" * 64
_SEP = "\x1f"
_NULL = "\x00"


def to_json(value: object) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


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
    parts = [
        prev_hash,
        str(entry_id),
        at,
        user,
        action,
        table_name,
        row_key,
        _NULL if before is None else before,
        _NULL if after is None else after,
    ]
    return hashlib.sha256(_SEP.join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    action: str  # insert | update | delete | event
    table_name: str
    row_key: str
    before: object = None
    after: object = None


def _head(conn: sqlite3.Connection) -> tuple[int, str]:
    row = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return (0, GENESIS) if row is None else (int(row[0]), str(row[1]))


def append(conn: sqlite3.Connection, user: str, entries: Iterable[AuditEntry]) -> int:
    """Append entries to the chain; the caller holds the write transaction."""
    last_id, prev = _head(conn)
    at = now_iso()
    rows: list[tuple[object, ...]] = []
    for entry in entries:
        last_id += 1
        before, after = to_json(entry.before), to_json(entry.after)
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
    # every audited row change names its table: that is what the write touched
    # (an "event" — a backup, an export, a log-in — changed no table but the log)
    changed = {str(r[4]) for r in rows if r[3] != "event"}
    note_written(conn, Table.AUDIT_LOG, *(changed & KNOWN_TABLES))
    return len(rows)


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int
    message: str


def verify_chain(
    conn: sqlite3.Connection, *, after_id: int = 0, after_hash: str = GENESIS
) -> ChainProblem | None:
    """The first entry where the chain breaks, or None when it is whole; with
    ``after_id``/``after_hash``, only the entries after a verified one."""
    prev = after_hash
    expected_id = after_id + 1 if after_id else None
    cursor = conn.execute(
        "SELECT id, at, user, action, table_name, row_key, before, after, prev_hash, hash"
        " FROM audit_log WHERE id > ? ORDER BY id",
        (after_id,),
    )
    for row in cursor:
        entry_id, at, user, action, table_name, row_key, before, after, prev_hash, digest = row
        if expected_id is not None and entry_id != expected_id:
            return ChainProblem(entry_id, f"审计日志第 {expected_id} 条缺失（被删除）。")
        if prev_hash != prev:
            return ChainProblem(
                entry_id, f"审计日志第 {entry_id} 条的前序哈希不符，其前面的记录被改动或删除。"
            )
        actual = entry_hash(prev, entry_id, at, user, action, table_name, row_key, before, after)
        if actual != digest:
            return ChainProblem(entry_id, f"审计日志第 {entry_id} 条的内容与其哈希不符，已被改动。")
        prev = digest
        expected_id = entry_id + 1
    return None


def verify_since_checkpoint(conn: sqlite3.Connection, *, move: bool) -> ChainProblem | None:
    """Verify the entries after the last verified one (opening a database); on success
    and with ``move``, the newest entry becomes the checkpoint."""
    row = conn.execute("SELECT entry_id, hash FROM audit_checkpoint WHERE id = 1").fetchone()
    after_id, after_hash = (0, GENESIS) if row is None else (int(row[0]), str(row[1]))
    if after_id:
        stored = conn.execute("SELECT hash FROM audit_log WHERE id = ?", (after_id,)).fetchone()
        if stored is None or stored[0] != after_hash:
            return ChainProblem(after_id, f"审计日志第 {after_id} 条（上次核验处）已被改动或删除。")
    problem = verify_chain(conn, after_id=after_id, after_hash=after_hash)
    if problem is None and move:
        head_id, head_hash = _head(conn)
        if head_id > after_id:
            note_written(conn, Table.AUDIT_CHECKPOINT)
            conn.execute(
                "INSERT INTO audit_checkpoint (id, entry_id, hash) VALUES (1, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET entry_id = excluded.entry_id,"
                " hash = excluded.hash",
                (head_id, head_hash),
            )
    return problem
