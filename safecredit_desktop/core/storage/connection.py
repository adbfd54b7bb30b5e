"""Opening a database: checks, PRAGMAs, upgrade with a backup first, transactions."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from safecredit_desktop.core.errors import DamagedDatabaseError, StorageError
from safecredit_desktop.core.storage import migrations, safety
from safecredit_desktop.core.storage.backup import (
    backup_database,
    is_sqlite_file,
    latest_good_backup,
)

BUSY_TIMEOUT_MS = 15_000
# STRICT tables (schema v1) need SQLite 3.37; an older library reads the schema as
# malformed, which would be mistaken for a damaged file.
MIN_SQLITE = (3, 37, 0)


def require_sqlite(version: tuple[int, int, int] | None = None) -> None:
    """Refuse, with what to install, when the SQLite library Python uses is too old."""
    found = version or sqlite3.sqlite_version_info
    if tuple(found) >= MIN_SQLITE:
        return
    have = ".".join(str(part) for part in found)
    need = ".".join(str(part) for part in MIN_SQLITE)
    raise StorageError(
        f"本程序需要 SQLite {need} 或更新版本，本机 Python 使用的是 SQLite {have}，"
        "无法正确读取数据库（数据未作任何改动）。请使用本程序的安装包（自带合适的 SQLite），"
        "或安装 Python 3.11 及以上的官方版本；在统信UOS、银河麒麟上请升级系统的 libsqlite3"
        "（3.37 或以上）后再运行。"
    )


def configure(conn: sqlite3.Connection) -> None:
    """The PRAGMAs every connection gets.

    WAL lets the window read while the CLI writes; ``synchronous=FULL`` makes a
    committed transaction survive a power cut in WAL mode (NORMAL may lose the last
    ones); the busy timeout turns brief lock contention into a wait, not an error.
    """
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal" and not conn.execute("PRAGMA query_only").fetchone()[0]:
        raise StorageError("无法以 WAL 模式打开数据库，请检查文件所在位置是否可写。")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")


def connect_raw(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A configured autocommit connection (transactions are explicit)."""
    require_sqlite()
    if read_only:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    configure(conn)
    return conn


class Database:
    """One open database file. ``conn`` is autocommit; use ``transaction()`` to write."""

    def __init__(
        self, path: Path, conn: sqlite3.Connection, *, read_only: bool = False, warning: str = ""
    ) -> None:
        self.path = path
        self.conn = conn
        self.utils = sqlite_utils.Database(conn)
        self._depth = 0
        self.read_only = read_only
        self.warning = warning  # why the database is read-only, shown to the user

    @classmethod
    def create(cls, path: Path) -> Database:
        """A new database at the latest schema; refuses to touch an existing file."""
        if path.exists() and path.stat().st_size > 0:
            raise StorageError(
                f"数据库已存在：{path}。为防止覆盖数据，请另选文件名或先备份后删除。"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        where = safety.network_location(path)
        if where is not None:
            raise StorageError(safety.NETWORK_WARNING.format(where=where) + "不能在此新建数据库。")
        if not path.exists():  # created private; SQLite gives its -wal and -shm the same mode
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        safety.make_private(path)
        conn = connect_raw(path)
        try:
            migrations.apply_pending(conn)
        except BaseException:
            conn.close()
            raise
        return cls(path, conn)

    @classmethod
    def open(cls, path: Path, *, upgrade: bool = True) -> Database:
        """Open an existing database, upgrading it (after a backup) when it is older."""
        if not path.exists():
            raise StorageError(
                f"数据库文件不存在：{path}。请先用 safecredit init 新建，或在窗口中新建数据库。"
            )
        if not is_sqlite_file(path):
            raise cls._damaged(path, "不是 SQLite 数据库，文件头已损坏或不是本程序的文件")
        where = safety.network_location(path)
        if where is not None:
            return cls._open_read_only(path, safety.NETWORK_WARNING.format(where=where))
        return cls._open_writable(path, upgrade=upgrade)

    @classmethod
    def _damaged(cls, path: Path, detail: str) -> DamagedDatabaseError:
        good = latest_good_backup(path, latest_version=migrations.latest_version())
        offer = (
            f"最近一份完好的备份是 {good}，可以用它恢复（窗口会询问；命令行：safecredit"
            f" restore {good}）。"
            if good is not None
            else "没有找到可用的备份。"
        )
        return DamagedDatabaseError(
            f"数据库文件 {path} 已损坏，无法打开（{detail}）。{offer}", path=path, backup=good
        )

    @classmethod
    def _open_read_only(cls, path: Path, warning: str) -> Database:
        try:
            conn = connect_raw(path, read_only=True)
            conn.execute("PRAGMA query_only = 1")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"{warning}（只读打开也失败：{exc}）") from exc
        return cls(path, conn, read_only=True, warning=warning)

    @classmethod
    def _open_writable(cls, path: Path, *, upgrade: bool) -> Database:
        try:
            conn = connect_raw(path)
        except sqlite3.DatabaseError as exc:
            raise cls._damaged(path, str(exc)) from exc
        try:
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # schema reads
                version = migrations.schema_version(conn)
            except sqlite3.DatabaseError as exc:
                raise cls._damaged(path, str(exc)) from exc
            latest = migrations.latest_version()
            if version > latest:
                raise StorageError(
                    f"此数据库由较新版本的程序创建（数据结构版本 {version}），"
                    f"本程序只支持到版本 {latest}。请升级程序后再打开，数据未作任何改动。"
                )
            if version == 0:
                raise StorageError(f"{path} 不是本程序的数据库（没有数据结构版本）。")
            if version < latest and upgrade:
                backup_database(path, reason=f"upgrade-v{version}")
                migrations.apply_pending(conn)
        except BaseException:
            conn.close()
            raise
        return cls(path, conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing block; a nested block is a savepoint inside the outer one.

        ``BEGIN IMMEDIATE`` takes the write lock up front, so two programs writing at
        once wait for each other (busy timeout) instead of failing half-way.
        """
        if self.read_only:
            raise StorageError(self.warning or "数据库以只读方式打开，不能修改。")
        depth = self._depth
        name = f"sp{depth}"
        self.conn.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT {name}")
        self._depth = depth + 1
        try:
            yield self.conn
        except BaseException:
            self._depth = depth
            if depth == 0:
                self.conn.execute("ROLLBACK")
            else:
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
            raise
        self._depth = depth
        self.conn.execute("COMMIT" if depth == 0 else f"RELEASE {name}")

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0
