"""Online backup and restore with SQLite's backup API, from a separate connection.

The copy is taken in one step (``pages=-1``): it reads one consistent snapshot, and
in WAL mode a writer in another process is not blocked while it runs, nor does the
copy restart because of it (a paged backup would restart on every outside write).

A copy is then checked. A backup someone asks for (``safecredit backup``, the daily one,
before a restore or an upgrade) passes ``PRAGMA integrity_check``; the copy an import
takes first is checked against the snapshot it was taken from (:data:`SNAPSHOT_CHECKED`):
the same number of pages, the same audit head, its schema readable. An integrity check
reads every page and index of the copy — 3.5 s of a 400 MB city database, more than
the copy itself — before every workbook of a roll-up; the copy is page for page the
snapshot, whose soundness ``safecredit check`` and the manual backups vouch for.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from safecredit_desktop.core import pause_points
from safecredit_desktop.core.errors import StorageError
from safecredit_desktop.core.paths import backups_dir_for
from safecredit_desktop.core.storage import anchor, safety
from safecredit_desktop.core.storage.location import Location, ServerLocation, local_path

SQLITE_HEADER = b"SQLite format 3\x00"


def is_sqlite_file(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(16) == SQLITE_HEADER
    except OSError:
        return False


@contextmanager
def open_read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to a backup (its users are read, nothing is written)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StorageError(f"无法读取 {path}（{exc}）。") from exc
    try:
        yield conn
    finally:
        conn.close()


def default_backup_path(database: Path, reason: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return backups_dir_for(database) / f"{database.stem}-{stamp}-{reason}.db"


SNAPSHOT_CHECKED = frozenset({"before-import"})
"""Backup reasons whose copy is checked against its snapshot, not by an integrity check."""


def copy_database(source: Path, dest: Path, *, full_check: bool = True) -> None:
    """Copy ``source`` to ``dest`` (a new file) through the backup API, then verify it:
    by ``PRAGMA integrity_check``, or (``full_check=False``) against the snapshot copied
    (page count and audit head as read in the same read transaction, schema readable)."""
    if dest.exists():
        raise StorageError(f"备份目标已存在：{dest}，为防止覆盖，请换一个文件名。")
    if not dest.parent.exists():  # a folder the program makes is private; others are left
        dest.parent.mkdir(parents=True)
        safety.make_private_folder(dest.parent)
    partial = dest.with_name(dest.name + ".part")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        src.execute("PRAGMA busy_timeout = 15000")
        dst = sqlite3.connect(str(partial))
        try:
            snapshot = None
            if not full_check:
                # the backup step uses the source's open read transaction: the snapshot
                # described here is the one copied
                src.execute("BEGIN")
                snapshot = _snapshot(src)
            pause_points.point("backup.copying")
            src.backup(dst, pages=-1)
            pause_points.point("backup.copied")
            if snapshot is not None:
                src.execute("COMMIT")
            dst.execute("PRAGMA journal_mode = DELETE")
            if snapshot is None:
                result = dst.execute("PRAGMA integrity_check").fetchone()[0]
            else:
                copied = _snapshot(dst)
                result = "ok" if copied == snapshot else f"副本为 {copied}，原库为 {snapshot}"
            if result != "ok":
                raise StorageError(f"备份副本未通过完整性检查：{result}")
        finally:
            dst.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        reason = safety.sqlite_failure(exc) or str(exc)
        raise StorageError(f"备份失败：{reason}") from exc
    except StorageError:  # a copy that failed its check is not left behind
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    with partial.open("rb+") as handle:
        os.fsync(handle.fileno())
    pause_points.point("backup.renaming")
    partial.replace(dest)
    pause_points.point("backup.renamed")
    safety.make_private(dest)
    if dest.parent == backups_dir_for(source):  # the program's own folder, not one chosen
        safety.make_private_folder(dest.parent)


def _snapshot(conn: sqlite3.Connection) -> tuple[int, int, int, str]:
    """What a copy must share with its source: pages, schema objects, the audit head."""
    pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
    objects = int(conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0])
    head = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    entries, digest = (0, "") if head is None else (int(head[0]), str(head[1]))
    return pages, objects, entries, digest


def backup_database(database: Location, *, reason: str = "manual", to: Path | None = None) -> Path:
    """Back up ``database`` to ``to`` or to its backups folder; return the copy's path.
    A server register's copy is a SQLite file of the whole register (copying.py); a
    local copy made for a reason in :data:`SNAPSHOT_CHECKED` is checked against its
    snapshot, any other by an integrity check."""
    if to is not None and str(to).lower().startswith(("postgresql:", "postgres:")):
        raise StorageError(
            f"备份只能写成文件，不能写到数据库服务器（{to}）。请给出文件路径，"
            "如 D:\\备份\\登记库.db；要把登记库搬到服务器，请用 safecredit copy。"
        )
    dest = to or default_backup_path(local_path(database), reason)
    if isinstance(database, ServerLocation):
        from safecredit_desktop.core.storage import copying

        if dest.exists():
            raise StorageError(f"备份目标已存在：{dest}，为防止覆盖，请换一个文件名。")
        if not dest.parent.exists():
            dest.parent.mkdir(parents=True)
            safety.make_private_folder(dest.parent)
        copying.export_sqlite(database, dest)
    else:
        copy_database(database, dest, full_check=reason not in SNAPSHOT_CHECKED)
    # The copy's audit head, to tell later whether it was edited; a copy on a read-only
    # medium is still a copy, only not anchored.
    with contextlib.suppress(OSError, sqlite3.Error):
        anchor.write_sidecar(dest)
    return dest


def discard_backup(copy: Path) -> None:
    """Remove a backup made for a change that did not happen (and its anchor), and the
    program's backups folder if that leaves it empty (as it was before, then)."""
    copy.unlink(missing_ok=True)
    anchor.remove_sidecar(copy)
    folder = copy.parent
    if folder.name.endswith(".backups"):
        for empty in (folder / "anchors", folder):
            with contextlib.suppress(OSError):  # not empty, or not there: left as it is
                empty.rmdir()


def latest_backup(database: Path) -> Path | None:
    folder = backups_dir_for(database)
    if not folder.is_dir():
        return None
    copies = sorted(folder.glob("*.db"), key=lambda p: p.stat().st_mtime)
    return copies[-1] if copies else None


def inspect_candidate(path: Path, *, latest_version: int) -> int:
    """Check that ``path`` is a sound database of this program; return its version.

    Raises StorageError with one sentence when it is not.
    """
    if not path.is_file():
        raise StorageError(f"找不到要恢复的文件：{path}")
    if not is_sqlite_file(path):
        raise StorageError(f"{path} 不是数据库备份文件（不是 SQLite 格式），当前数据库未作改动。")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"{path} 已损坏，无法恢复（{exc}），当前数据库未作改动。") from exc
    if result != "ok":
        raise StorageError(f"{path} 已损坏，未通过完整性检查（{result}），当前数据库未作改动。")
    if version == 0 or not {"settings", "units", "audit_log"} <= tables:
        raise StorageError(f"{path} 不是本程序的数据库备份，当前数据库未作改动。")
    if version > latest_version:
        raise StorageError(
            f"{path} 由较新版本的程序创建（数据结构版本 {version}），"
            "请先升级程序，当前数据库未作改动。"
        )
    edited = _edited_since_backup(path)
    if edited is not None:
        raise StorageError(f"{path} 在备份之后被改动过：{edited}当前数据库未作改动。")
    return version


def _edited_since_backup(path: Path) -> str | None:
    """Why a copy's audit log no longer continues the head recorded beside it."""
    recorded = anchor.read(anchor.sidecar_path(path))
    if not isinstance(recorded, anchor.Anchor):
        return None  # a copy made elsewhere or before anchors: nothing to compare
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return anchor.mismatch(conn, recorded)
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()


def restore_into(candidate: Path, database: Location) -> None:
    """Overwrite ``database`` with ``candidate`` through the backup API (locks respected);
    a server register's rows are replaced by the backup's in one transaction."""
    if isinstance(database, ServerLocation):
        from safecredit_desktop.core.storage import copying

        copying.restore_server(candidate, database)
        return
    src = sqlite3.connect(f"{candidate.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(str(database))
        try:
            dst.execute("PRAGMA busy_timeout = 15000")
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode = WAL")
        finally:
            dst.close()
    finally:
        src.close()
    safety.make_private_database(database)


def set_aside_damaged(database: Path) -> Path:
    """Move a damaged database (and its -wal/-shm) into the backups folder unchanged,
    named ``…-damaged.damaged`` (not a backup: never offered for restore)."""
    dest = default_backup_path(database, "damaged").with_suffix(".damaged")
    if not dest.parent.exists():
        dest.parent.mkdir(parents=True)
        safety.make_private_folder(dest.parent)
    os.replace(database, dest)
    for suffix in ("-wal", "-shm"):
        side = Path(f"{database}{suffix}")
        if side.exists():
            os.replace(side, Path(f"{dest}{suffix}"))
    return dest


def latest_good_backup(database: Path, *, latest_version: int) -> Path | None:
    """The newest backup of ``database`` that opens and passes its checks."""
    from safecredit_desktop.core.storage.rotation import list_backups

    for candidate in list_backups(backups_dir_for(database)):
        try:
            inspect_candidate(candidate.path, latest_version=latest_version)
        except StorageError:
            continue
        return candidate.path
    return None
