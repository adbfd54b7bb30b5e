"""A whole register copied between engines: ``copy``, a server's backup and its restore.

Every row of every table of the program goes across as stored — the audit log with its
hashes, users, lists, draws, the document register with its files — inside one
transaction on the target with foreign keys checked at its end. The target is made by
the migrations first, so it has the same tables, keys, checks and triggers; a target that
already has a register is refused. The audit anchor of the target is set to its head,
as a restore does (anchor.py).

A source at an older schema is copied from an upgraded temporary copy (a server source
must be opened by the program once, which upgrades it).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from safecredit_desktop.core.errors import StorageError
from safecredit_desktop.core.storage import anchor, dialect, migrations, safety
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.location import Location, ServerLocation

# Derived tables are not copied: the stored live grades are recomputed when the copy is
# first opened (its own empty cache says so), as after an upgrade.
_DERIVED = frozenset(
    {"unit_grades", "unit_grades_stale", "unit_grades_state", "inspection_unit_totals"}
)  # inspection_unit_totals: rebuilt by the target's triggers as the inspections arrive
_SKIPPED = frozenset({"sqlite_sequence", "sqlite_stat1", dialect.VERSION_TABLE}) | _DERIVED
_BATCH = 2_000

Progress = Callable[[str, int], None]


def program_tables(conn: Any) -> list[str]:
    return sorted(dialect.table_names(conn) - _SKIPPED)


def copy_rows(source: Any, target: Any, *, progress: Progress | None = None) -> dict[str, int]:
    """Every row of the source's tables into the target's (same schema version), inside
    the target's open transaction; returns the rows per table."""
    counts: dict[str, int] = {}
    target_tables = set(program_tables(target))
    dialect.defer_foreign_keys(target)
    # The target's own checkpoint row (made with it) gives way to the source's.
    target.execute("DELETE FROM audit_checkpoint")
    for table in program_tables(source):
        if table not in target_tables:
            raise StorageError(f"目标数据库中没有数据表 {table}，两边的数据结构版本不同。")
        wanted = set(dialect.column_names(target, table))
        names = [c for c in dialect.column_names(source, table) if c in wanted]
        listed = ", ".join(names)
        insert = f"INSERT INTO {table} ({listed}) VALUES ({', '.join('?' for _ in names)})"
        order = " ORDER BY id" if "id" in names else ""
        rows = dialect.stream_rows(source, f"SELECT {listed} FROM {table}{order}")
        if dialect.is_postgres(target):
            counts[table] = target.copy_in(table, names, rows)
            if progress is not None:
                progress(table, counts[table])
            continue
        batch: list[Any] = []
        total = 0
        for row in rows:
            batch.append(tuple(row))
            if len(batch) >= _BATCH:
                target.executemany(insert, batch)
                total += len(batch)
                batch = []
                if progress is not None:
                    progress(table, total)
        if batch:
            target.executemany(insert, batch)
            total += len(batch)
        counts[table] = total
        if progress is not None:
            progress(table, total)
    return counts


@contextmanager
def _snapshot(conn: Any) -> Iterator[None]:
    """One consistent read of the source while it is copied."""
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("COMMIT")


def _open_source(location: Location, scratch: Path, *, as_is: bool = False) -> Database:
    """The source at the program's schema (an older file: an upgraded temporary copy);
    ``as_is``: at its own version (a backup before an upgrade)."""
    db = Database.open(location, upgrade=False)
    try:
        db.require_whole_register("复制和备份")
    except BaseException:
        db.close()
        raise
    version = migrations.schema_version(db.conn)
    if version == migrations.latest_version() or as_is:
        return db
    db.close()
    if isinstance(location, ServerLocation):
        raise StorageError(
            f"源数据库 {location.label} 的数据结构版本 {version} 较旧：请先用本程序的数据库"
            "所有者账户打开它一次（会先备份再升级），然后再复制。"
        )
    from safecredit_desktop.core.storage.backup import copy_database

    upgraded = scratch / "source.db"
    copy_database(location, upgraded)
    return Database.open(upgraded, upgrade=True)


def copy_register(
    source: Location,
    target: Location,
    *,
    progress: Progress | None = None,
    record_anchor: bool = True,
    as_is: bool = False,
) -> dict[str, int]:
    """Copy the register at ``source`` into a new one at ``target``; rows per table.
    ``as_is``: keep the source's schema version (a backup before an upgrade)."""
    if str(source) == str(target):
        raise StorageError("复制的来源和目标是同一个数据库，请换一个目标。")
    scratch = Path(tempfile.mkdtemp(prefix="safecredit-copy-"))
    try:
        source_db = _open_source(source, scratch, as_is=as_is)
        try:
            version = migrations.schema_version(source_db.conn) if as_is else None
            target_db = Database.create(target, record_anchor=False, version=version)
            try:
                with _snapshot(source_db.conn), target_db.transaction() as conn:
                    counts = copy_rows(source_db.conn, conn, progress=progress)
                if record_anchor:
                    anchor.reset(target_db.path, target_db.conn)
                else:  # a backup's partial file: its anchor is written beside the copy
                    target_db.keep_anchor = True
            except BaseException:
                _undo_target(target_db, target)
                raise
            target_db.close()
        finally:
            source_db.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return counts


def _undo_target(target_db: Database, target: Location) -> None:
    """A failed copy leaves no half-filled register behind."""
    try:
        if isinstance(target, ServerLocation):
            with contextlib.suppress(sqlite3.Error):
                if target_db.conn.in_transaction:
                    target_db.conn.execute("ROLLBACK")
                target_db.conn.execute("BEGIN IMMEDIATE")
                dialect.drop_program_objects(target_db.conn)
                target_db.conn.execute("COMMIT")
    finally:
        target_db.conn.close()
        if isinstance(target, Path):
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)


def export_sqlite(source: ServerLocation, dest: Path) -> None:
    """A SQLite file of the whole server register (its backup), written as ``dest``
    whole or not at all."""
    partial = dest.with_name(dest.name + ".part")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    copy_register(source, partial, record_anchor=False, as_is=True)
    conn = sqlite3.connect(str(partial), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    if result != "ok":
        partial.unlink(missing_ok=True)
        raise StorageError(f"备份副本未通过完整性检查：{result}")
    with partial.open("rb+") as handle:
        os.fsync(handle.fileno())
    partial.replace(dest)
    safety.make_private(dest)


def restore_server(candidate: Path, target: ServerLocation) -> None:
    """Replace every row of the server register with the backup's, in one transaction."""
    scratch = Path(tempfile.mkdtemp(prefix="safecredit-restore-"))
    try:
        source_db = _open_source(candidate, scratch)
        try:
            target_db = Database.open(target, upgrade=False)
            try:
                target_db.require_whole_register("恢复")
                version = migrations.schema_version(target_db.conn)
                if version != migrations.latest_version():
                    raise StorageError(
                        f"服务器数据库的数据结构版本 {version} 较旧，请先用数据库所有者账户"
                        "打开它一次（会升级），再恢复。"
                    )
                with _snapshot(source_db.conn), target_db.transaction() as conn:
                    dialect.empty_tables(conn, [*program_tables(conn), *sorted(_DERIVED)])
                    copy_rows(source_db.conn, conn)
                    # the restored register's live grades are recomputed when it is opened
                    conn.execute(
                        "INSERT INTO unit_grades_state (id, fingerprint, settled_on)"
                        " VALUES (1, '', NULL)"
                    )
            finally:
                target_db.conn.close()
        finally:
            source_db.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
