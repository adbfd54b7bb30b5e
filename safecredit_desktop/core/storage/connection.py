"""Opening a database: checks, PRAGMAs, upgrade with a backup first, transactions."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import typing
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from safecredit_desktop.core import pause_points
from safecredit_desktop.core.errors import DamagedDatabaseError, StorageError
from safecredit_desktop.core.storage import anchor, audit, county, dialect, migrations, safety
from safecredit_desktop.core.storage.backup import (
    backup_database,
    is_sqlite_file,
    latest_good_backup,
)
from safecredit_desktop.core.storage.changes import Changes, TrackedConnection, tracks_changes
from safecredit_desktop.core.storage.location import Location, ServerLocation

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


# Called with the database inside every outermost transaction, just before it commits:
# derived data brought up to date with what the transaction wrote, in the same
# transaction (core/grade_cache.py's, put in place by core/app/files.py: the live grades
# of the units it touched).
BEFORE_COMMIT: list[Callable[[Database], None]] = []


class WrongThreadError(RuntimeError):
    """A program error: a connection used by a thread that did not open it."""


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
    """A configured autocommit connection (transactions are explicit).

    The connection belongs to the thread that opened it (sqlite3's own check stays on):
    a job in a worker thread opens its own (``session.reopen()``), so the window's open
    transaction can never be joined or rolled back by another thread."""
    require_sqlite()
    if read_only:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn
    conn = sqlite3.connect(str(path), isolation_level=None, factory=TrackedConnection)
    configure(conn)
    return conn


def _known_version(version: int, not_ours: str) -> int:
    """The latest schema version, after refusing a register of a newer program or, with
    ``not_ours``, a database that has no schema version (not this program's)."""
    latest = migrations.latest_version()
    if version > latest:
        raise StorageError(
            f"此数据库由较新版本的程序创建（数据结构版本 {version}），"
            f"本程序只支持到版本 {latest}。请升级程序后再打开，数据未作任何改动。"
        )
    if version == 0:
        raise StorageError(not_ours)
    return latest


class PasswordNeededError(StorageError):
    """The server wants a password the program does not have (ask, then open again)."""

    def __init__(self, message: str, location: ServerLocation) -> None:
        super().__init__(message)
        self.location = location


_open_here: Counter[tuple[int, int]] = Counter()
"""The SQLite files this process has open (device, inode) → connections."""
_open_here_lock = threading.Lock()


def _file_key(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _is_open_here(path: Path) -> bool:
    key = _file_key(path)
    with _open_here_lock:
        return key is not None and _open_here[key] > 0


class Database:
    """One open register: a SQLite file or a PostgreSQL database (``location``).
    ``conn`` is autocommit; use ``transaction()`` to write. For a server register
    ``path`` is the name its anchors and backups are kept under on this computer."""

    def __init__(
        self,
        path: Path,
        conn: sqlite3.Connection,
        *,
        read_only: bool = False,
        warning: str = "",
        location: Location | None = None,
    ) -> None:
        self.path = path
        self.location: Location = path if location is None else location
        self.conn = conn
        self.engine = dialect.engine_of(conn)
        self._depth = 0
        self.owner_thread = threading.get_ident()  # the only thread that may use ``conn``
        self.read_only = read_only
        self.warning = warning  # why the database is read-only, shown to the user
        self.wrote = False  # a write transaction was committed on this connection
        self.keep_anchor = False  # set when the log must not be anchored on close
        self._checkpointing: threading.Thread | None = None
        self._file = None if isinstance(self.location, ServerLocation) else _file_key(path)
        if self._file is not None:
            with _open_here_lock:
                _open_here[self._file] += 1
        # A city server (storage/county.py): the county this connection sees, '' for
        # the whole register; ``confined_to`` is the account's county it was asked for.
        self.county = county.current(conn) if self.engine == dialect.POSTGRESQL else ""
        self.confined_to = ""

    @classmethod
    def create(
        cls, path: Location, *, record_anchor: bool = True, version: int | None = None
    ) -> Database:
        """A new database at the latest schema (or ``version``: a backup of an older
        register); refuses to touch an existing file, or a server database that already
        has tables."""
        if isinstance(path, ServerLocation):
            return cls._create_server(path, record_anchor=record_anchor, version=version)
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
            migrations.apply_pending(conn, version)
            # A new log starts verified and anchored at its empty head; a stale anchor of
            # an earlier file at this path is replaced.
            audit.set_checkpoint(conn, 0, audit.GENESIS)
            if record_anchor:
                anchor.reset(path, conn)
        except BaseException:
            conn.close()
            raise
        safety.make_private_database(path)
        return cls(path, conn)

    @classmethod
    def open(cls, path: Location, *, upgrade: bool = True) -> Database:
        """Open an existing database, upgrading it (after a backup) when it is older."""
        if isinstance(path, ServerLocation):
            return cls._open_server(path, upgrade=upgrade)
        if not path.exists():
            raise StorageError(
                f"数据库文件不存在：{path}。请先用 safecredit init 新建，或在窗口中新建数据库。"
            )
        # The header is read only when this process has no connection to the file yet:
        # closing any descriptor of a file drops every POSIX lock the process holds on
        # it, and an open connection's lock is what tells SQLite elsewhere (another
        # program, the import's planning worker) that it is not the last one — the last
        # one to close deletes the WAL under the others.
        if not _is_open_here(path) and not is_sqlite_file(path):
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
        safety.make_private_database(path)  # where the share lets the owner chmod
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
            latest = _known_version(version, f"{path} 不是本程序的数据库（没有数据结构版本）。")
            if version < latest and upgrade:
                backup_database(path, reason=f"upgrade-v{version}")
                migrations.apply_pending(conn)
        except BaseException:
            conn.close()
            raise
        safety.make_private_database(path)  # also one made 0644 by another tool
        return cls(path, conn)

    # -- a PostgreSQL register ------------------------------------------------------------
    @classmethod
    def _connect_server(cls, where: ServerLocation) -> sqlite3.Connection:
        from safecredit_desktop.core.storage import pg

        try:
            conn = pg.PgConnection.connect(where.url, password=where.password)
        except pg.ConnectFailed as exc:
            text = str(exc)
            if "password" in text.lower() and (
                "no password supplied" in text or "authentication failed" in text
            ):
                wrong = where.password is not None and "authentication failed" in text
                raise PasswordNeededError(
                    f"数据库服务器 {where.label} 的密码{'不对' if wrong else '尚未提供'}，"
                    "请输入密码（也可以用环境变量 PGPASSWORD 或 ~/.pgpass 文件）。",
                    where,
                ) from exc
            raise StorageError(
                f"无法连接数据库服务器 {where.label}：{text.strip()}。"
                "请检查地址、网络和服务器是否在运行。"
            ) from exc
        return typing.cast(sqlite3.Connection, conn)

    @classmethod
    def server_is_empty(cls, where: ServerLocation) -> bool:
        """Whether the server database has none of the program's tables yet."""
        conn = cls._connect_server(where)
        try:
            return not dialect.table_names(conn) and not dialect.schema_version(conn)
        finally:
            conn.close()

    @classmethod
    def _create_server(
        cls, where: ServerLocation, *, record_anchor: bool, version: int | None = None
    ) -> Database:
        conn = cls._connect_server(where)
        try:
            if dialect.table_names(conn) or dialect.schema_version(conn):
                raise StorageError(
                    f"服务器上的数据库 {where.label} 不是空的（已有数据表）。为防止覆盖数据，"
                    "请新建一个空数据库（见 README 的“用 PostgreSQL 服务器”一节）。"
                )
            try:
                migrations.apply_pending(conn, version)
            except sqlite3.OperationalError as exc:
                raise StorageError(_ddl_refused(where, exc)) from exc
            with _transaction(conn):
                audit.set_checkpoint(conn, 0, audit.GENESIS)
            if record_anchor:
                anchor.reset(where.local_path, conn)
        except BaseException:
            conn.close()
            raise
        return cls(where.local_path, conn, location=where)

    @classmethod
    def _open_server(cls, where: ServerLocation, *, upgrade: bool) -> Database:
        conn = cls._connect_server(where)
        try:
            version = migrations.schema_version(conn)
            latest = _known_version(
                version,
                f"服务器上的数据库 {where.label} 还不是本程序的数据库（没有数据结构版本）。"
                "请先用 safecredit --db 该地址 init 新建。",
            )
            if version < latest and upgrade:
                from safecredit_desktop.core.storage.backup import backup_database

                if not dialect.can_change_schema(conn):
                    raise StorageError(
                        f"服务器上的数据库需要从数据结构版本 {version} 升级到 {latest}。"
                        + _ddl_refused(where, sqlite3.OperationalError("readonly"))
                    )
                backup_database(where, reason=f"upgrade-v{version}")
                try:
                    migrations.apply_pending(conn)
                except sqlite3.OperationalError as exc:
                    raise StorageError(_ddl_refused(where, exc)) from exc
        except BaseException:
            conn.close()
            raise
        return cls(where.local_path, conn, location=where)

    def confine(self, county_name: str) -> None:
        """Confine this connection to an account's county (a city server); refused on a
        file, through the owner role, or through another county's role."""
        if not county_name.strip():
            return
        self.county = county.confine(self.conn, county_name, where=str(self.location))
        self.confined_to = county_name.strip()

    def reopen(self) -> Database:
        """The same register on a new connection, confined as this one (a worker's)."""
        again = Database.open(self.location, upgrade=False)
        try:
            again.confine(self.confined_to)
        except BaseException:
            again.close()
            raise
        return again

    def require_whole_register(self, what: str) -> None:
        """Refuse a whole-register job (check, backup, copy) on a connection that sees
        one county only: its result would be the county's part, not the register."""
        if self.county:
            raise StorageError(
                f"{what}针对整个数据库，由市级管理员进行：当前连接只能看到“{self.county}”"
                "的企业。请用市级管理员的账户（数据库所有者）运行。"
            )

    @property
    def is_server(self) -> bool:
        return isinstance(self.location, ServerLocation)

    def checkpoint_in_background(self) -> None:
        """Copy the write-ahead log into the database file in a thread of its own (after
        a big write, whose commit did not wait for it; bulk.py). A checkpoint still
        running is left to finish; closing waits for it."""
        if self.read_only or self.is_server:
            return
        running = self._checkpointing
        if running is not None and running.is_alive():
            return
        path = self.path

        def checkpoint() -> None:
            # a checkpoint that cannot run now (readers, another checkpoint) is done by a
            # later commit or by closing: nothing to report
            with contextlib.suppress(sqlite3.Error, OSError):
                conn = connect_raw(path)
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                finally:
                    conn.close()

        self._checkpointing = threading.Thread(
            target=checkpoint, name="safecredit-checkpoint", daemon=True
        )
        self._checkpointing.start()

    def close(self) -> None:
        """Close; after a session that wrote, record the audit chain's head outside the
        file (anchor.py), unless told not to (the log did not verify)."""
        if self._checkpointing is not None:
            self._checkpointing.join()
        try:
            if self.wrote and not self.read_only and not self.keep_anchor:
                # On failure the next opening compares and records again.
                with contextlib.suppress(sqlite3.Error, OSError):
                    anchor.advance(self.path, self.conn)
        finally:
            self.conn.close()
            if self._file is not None:
                with _open_here_lock:
                    _open_here[self._file] -= 1
                    if _open_here[self._file] <= 0:
                        del _open_here[self._file]
                self._file = None

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
        self.check_thread()
        depth = self._depth
        name = f"sp{depth}"
        written = self._written()
        before = set(written)  # what a rolled-back savepoint returns to
        self.conn.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT {name}")
        if depth == 0:
            written.clear()
        self._depth = depth + 1
        if depth == 0:
            pause_points.point("transaction.begun")
        try:
            yield self.conn
            if depth == 0:
                for hook in BEFORE_COMMIT:
                    hook(self)
        except BaseException:
            self._depth = depth
            if depth == 0:
                self.conn.execute("ROLLBACK")
                written.clear()
            else:
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
                written.intersection_update(before)
            raise
        self._depth = depth
        if depth == 0:
            pause_points.point("transaction.commit")
            self.conn.execute("COMMIT")
            self.wrote = True
            pause_points.point("transaction.committed")
        else:
            self.conn.execute(f"RELEASE {name}")
        if depth == 0 and tracks_changes(self.conn):
            self._tracked().committed.update(written)
            written.clear()

    def _tracked(self) -> TrackedConnection:
        """The connection's two sets of written tables (both engines keep them)."""
        return typing.cast(TrackedConnection, self.conn)

    def _written(self) -> set[str]:
        return self._tracked().pending if tracks_changes(self.conn) else set()

    def take_changes(self) -> Changes:
        """The tables written by transactions committed since the last call, and forget
        them. A rolled-back transaction wrote nothing."""
        if not tracks_changes(self.conn):
            return Changes()
        self.check_thread()
        taken = Changes(frozenset(self._tracked().committed))
        self._tracked().committed.clear()
        return taken

    def absorb_changes(self, changes: Changes) -> None:
        """Count ``changes`` committed on another connection to the same file (a
        worker's) as this one's, so whoever takes this one's changes hears of them."""
        if tracks_changes(self.conn):
            self.check_thread()
            self._tracked().committed.update(changes.tables)

    def check_thread(self) -> None:
        """Refuse use from a thread other than the opener's: one connection belongs to
        one thread (sqlite3 checks each call too; this says why, in words)."""
        if threading.get_ident() != self.owner_thread:
            raise WrongThreadError(
                f"数据库连接 {self.path.name} 属于打开它的线程，不能在其他线程中使用"
                "（后台任务请用 session.reopen() 打开自己的连接）。"
            )

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _ddl_refused(where: ServerLocation, exc: BaseException) -> str:
    if "readonly" in str(exc) or "permission denied" in str(exc):
        return (
            f"用户 {where.user} 没有在服务器数据库 {where.label} 上建立或升级数据表的权限"
            "（本程序日常使用的账户只能读写数据）。请由数据库所有者账户（如 safecredit_owner）"
            "打开一次（如 safecredit --db postgresql://所有者@服务器/数据库 settings get），"
            "程序会先备份再升级；新建则用它运行 init。"
        )
    return f"在服务器数据库 {where.label} 上建立数据表失败：{exc}"
