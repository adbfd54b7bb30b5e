"""A PostgreSQL connection (psycopg 3) that the core uses as it uses SQLite's.

``PgConnection`` offers what the core calls on a ``sqlite3.Connection`` — ``execute``,
``executemany``, cursors with ``fetchone``/``fetchall``/iteration/``description``/
``rowcount``, ``in_transaction``, ``close`` — over a psycopg connection in autocommit
mode (transactions are explicit, as on SQLite). Every statement goes through
``dialect.to_postgres`` first; SQLite's ``BEGIN IMMEDIATE`` becomes ``BEGIN`` plus the
register's write lock. psycopg's errors are raised as sqlite3's classes (an integrity
error is an ``sqlite3.IntegrityError`` with the server's message, a lock or
serialization failure an ``sqlite3.OperationalError`` saying "locked"), so the callers'
handling is the same on both engines.

Values: a Python ``bool`` is sent as 0/1 and a ``date``/``datetime`` as ISO text (the
columns are INTEGER and TEXT, as on SQLite); a ``numeric`` result (``sum`` of BIGINT,
``avg``) comes back as an int when whole, else a float, as SQLite gives.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.adapt import Dumper, Loader
from psycopg.pq import Format, TransactionStatus

from safecredit_desktop.core.storage import dialect

ENGINE = dialect.POSTGRESQL
ConnectFailed = psycopg.OperationalError  # the server cannot be reached or refused us


class _BoolAsInt(Dumper):
    oid = 20  # int8

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


class _DateAsText(Dumper):
    oid = 0  # unknown: the server reads it as the column's type (TEXT)

    def dump(self, obj: Any) -> bytes:
        text = obj.isoformat(" ") if isinstance(obj, datetime) else obj.isoformat()
        return str(text).encode("utf-8")


class _NumericAsNumber(Loader):
    format = Format.TEXT

    def load(self, data: Any) -> Any:
        text = bytes(data).decode("ascii")
        if "." in text or "e" in text.lower() or text in ("NaN", "Infinity", "-Infinity"):
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
        return int(text)


def _configure(raw: psycopg.Connection[Any]) -> None:
    raw.adapters.register_dumper(bool, _BoolAsInt)
    raw.adapters.register_dumper(date, _DateAsText)
    raw.adapters.register_dumper(datetime, _DateAsText)
    raw.adapters.register_loader("numeric", _NumericAsNumber)


def as_sqlite_error(exc: psycopg.Error) -> sqlite3.Error:
    """The sqlite3 exception the core's handlers expect for a psycopg error."""
    diag = getattr(exc, "diag", None)
    message = (diag.message_primary if diag is not None else None) or str(exc)
    if isinstance(exc, pg_errors.IntegrityError):
        return sqlite3.IntegrityError(message)
    if isinstance(
        exc,
        (
            pg_errors.LockNotAvailable,
            pg_errors.DeadlockDetected,
            pg_errors.SerializationFailure,
            pg_errors.QueryCanceled,
        ),
    ):
        return sqlite3.OperationalError(f"database is locked ({message})")
    if isinstance(exc, pg_errors.InsufficientPrivilege):
        return sqlite3.OperationalError(f"readonly: {message}")
    if isinstance(exc, (psycopg.OperationalError, psycopg.ProgrammingError)):
        return sqlite3.OperationalError(message)
    if isinstance(exc, psycopg.DataError):
        return sqlite3.IntegrityError(message)
    return sqlite3.DatabaseError(message)


class PgCursor:
    """The part of ``sqlite3.Cursor`` the core uses."""

    lastrowid = None  # use ``INSERT … RETURNING id`` on both engines

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    def fetchone(self) -> Any:
        if self._cursor.description is None:
            return None
        try:
            return self._cursor.fetchone()
        except psycopg.Error as exc:
            raise as_sqlite_error(exc) from exc

    def fetchall(self) -> list[Any]:
        if self._cursor.description is None:
            return []
        return list(self._cursor.fetchall())

    def fetchmany(self, size: int = 1) -> list[Any]:
        if self._cursor.description is None:
            return []
        return list(self._cursor.fetchmany(size))

    def __iter__(self) -> Iterator[Any]:
        if self._cursor.description is None:
            return iter(())
        return iter(self._cursor)

    def close(self) -> None:
        self._cursor.close()


class PgConnection:
    """A PostgreSQL register's connection, used like the core's sqlite3 connection."""

    engine = ENGINE
    tracks_changes = True  # the tables written, as changes.TrackedConnection keeps them

    def __init__(self, raw: psycopg.Connection[Any], *, read_only: bool = False) -> None:
        self.raw = raw
        self.read_only = read_only
        self.pending: set[str] = set()
        self.committed: set[str] = set()
        self._trace: Callable[[str], object] | None = None
        # As sqlite3's: the connection belongs to the thread that opened it (a worker
        # opens its own, session.reopen()); another thread's statement is refused.
        self.owner_thread = threading.get_ident()
        _configure(raw)

    @classmethod
    def connect(cls, conninfo: str, *, password: str | None = None) -> PgConnection:
        extra: dict[str, Any] = {"application_name": "safecredit"}
        if password is not None:
            extra["password"] = password
        raw = psycopg.connect(conninfo, autocommit=True, **extra)
        return cls(raw)

    # -- statements ----------------------------------------------------------------------
    def set_trace_callback(self, trace: Callable[[str], object] | None) -> None:
        """As sqlite3's: ``trace`` sees each statement run (the program's spelling)."""
        self._trace = trace

    def _run(self, cursor: psycopg.Cursor[Any], sql: str, params: Any) -> None:
        if self._trace is not None:
            self._trace(sql)
        begin = dialect.begin_statements(sql) if len(sql) < 40 else None
        try:
            if begin is not None:
                for statement in begin:
                    cursor.execute(statement.encode("utf-8"))
                return
            with_params: bool | str = params is not None
            if isinstance(params, dict):
                with_params = "named"
            statements = dialect.to_postgres(sql, with_params)
            for statement in statements[:-1]:
                cursor.execute(statement.encode("utf-8"))
            if with_params:
                cursor.execute(statements[-1], _params(params))
            else:
                cursor.execute(statements[-1].encode("utf-8"))
        except psycopg.Error as exc:
            raise as_sqlite_error(exc) from exc

    def _cursor(self) -> psycopg.Cursor[Any]:
        if threading.get_ident() != self.owner_thread:
            raise sqlite3.ProgrammingError(
                "SQLite objects created in a thread can only be used in that same thread"
                " (a PostgreSQL connection of this program likewise)"
            )
        try:
            return self.raw.cursor()
        except psycopg.Error as exc:  # closed: sqlite3 says ProgrammingError
            raise sqlite3.ProgrammingError(f"Cannot operate on a closed database ({exc})") from exc

    def execute(self, sql: str, params: Any = None) -> PgCursor:
        cursor = self._cursor()
        self._run(cursor, sql, params)
        return PgCursor(cursor)

    def execute_raw(self, sql: str) -> None:
        """A statement in PostgreSQL's own spelling (the dialect's bootstrap)."""
        try:
            self.raw.execute(sql.encode("utf-8"))
        except psycopg.Error as exc:
            raise as_sqlite_error(exc) from exc

    def executemany(self, sql: str, seq: Iterable[Any]) -> PgCursor:
        cursor = self._cursor()
        rows = [_params(p) for p in seq]
        named = "named" if rows and isinstance(rows[0], dict) else True
        statements = dialect.to_postgres(sql, named)
        try:
            cursor.executemany(statements[-1], rows)
        except psycopg.Error as exc:
            raise as_sqlite_error(exc) from exc
        return PgCursor(cursor)

    def stream(self, sql: str, size: int = 2000) -> Iterator[Any]:
        """Rows of a statement without parameters, fetched in batches as they are read
        (a whole table for ``copy``); nothing else may run on this connection meanwhile."""
        statement = dialect.to_postgres(sql, False)[-1]
        try:
            with self.raw.cursor() as cursor:
                yield from cursor.stream(statement.encode("utf-8"), size=size)
        except psycopg.Error as exc:
            raise as_sqlite_error(exc) from exc

    def copy_in(self, table: str, names: list[str], rows: Iterable[Any]) -> int:
        """Rows into ``table`` through COPY (``copy`` and backups: far faster than
        INSERTs); inside the caller's transaction. Returns the rows written."""
        listed = ", ".join(f'"{n}"' for n in names)
        count = 0
        try:
            with (
                self.raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({listed}) FROM STDIN".encode()) as copy,
            ):
                for row in rows:
                    copy.write_row(row)
                    count += 1
        except psycopg.Error as exc:
            raise as_sqlite_error(exc) from exc
        return count

    def cursor(self) -> PgConnection:
        return self

    # -- state ---------------------------------------------------------------------------
    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def commit(self) -> None:
        if self.in_transaction:
            self.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.execute("ROLLBACK")

    def close(self) -> None:
        self.raw.close()

    @property
    def closed(self) -> bool:
        return bool(self.raw.closed)


def _params(params: Any) -> Any:
    if isinstance(params, dict):
        return params
    return tuple(params)
