"""Schema migrations: one file per version under ``db/migrations``.

``NNNN_name.sql`` or ``NNNN_name.py`` upgrades a database from version NNNN-1 to NNNN.
A ``.py`` step is for what SQL cannot do (e.g. re-computing pinyin keys): it defines
``def upgrade(conn: sqlite3.Connection) -> None``, runs inside the same transaction as
the other steps, and must not commit, roll back or run ``executescript`` (which
commits). The version is kept in ``PRAGMA user_version`` (PostgreSQL: a table, see
dialect.py). The same steps build a PostgreSQL register: its connection translates each
statement (dialect.py). An upgrade runs every pending
step in one transaction, so a failure leaves the database at its old version.
Foreign keys are not enforced while the steps run (a step may rebuild a referenced
table) and ``PRAGMA foreign_key_check`` must find nothing before the commit;
PostgreSQL defers its DEFERRABLE keys to the COMMIT instead.
"""

from __future__ import annotations

import importlib.util
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from safecredit_desktop.core.errors import StorageError
from safecredit_desktop.core.paths import migrations_dir
from safecredit_desktop.core.storage import dialect
from safecredit_desktop.core.storage.sqlfile import statements

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.(sql|py)$")

Upgrade = Callable[[sqlite3.Connection], None]


class MigrationError(StorageError):
    """The steps left a row pointing at nothing (the upgrade was rolled back)."""


@dataclass(frozen=True)
class Migration:
    version: int
    path: Path

    @property
    def is_python(self) -> bool:
        return self.path.suffix == ".py"

    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def upgrade_function(self) -> Upgrade:
        """The ``upgrade(conn)`` of a ``.py`` step, loaded from its file."""
        spec = importlib.util.spec_from_file_location(
            f"safecredit_migration_{self.version:04d}", self.path
        )
        if spec is None or spec.loader is None:
            raise RuntimeError(f"cannot load migration {self.path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        upgrade = getattr(module, "upgrade", None)
        if not callable(upgrade):
            raise RuntimeError(f"migration {self.path} has no upgrade(conn) function")
        function: Upgrade = upgrade
        return function

    def run(self, conn: sqlite3.Connection) -> None:
        """Apply this step on ``conn`` inside the caller's open transaction."""
        if self.is_python:
            self.upgrade_function()(conn)
            if not conn.in_transaction:
                raise RuntimeError(f"migration {self.path.name} ended the upgrade's transaction")
            return
        for statement in statements(self.sql()):
            conn.execute(statement)


def available_migrations(folder: Path | None = None) -> list[Migration]:
    folder = folder or migrations_dir()
    found: list[Migration] = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        match = _NAME.match(path.name)
        if match:
            found.append(Migration(int(match.group(1)), path))
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations in {folder} are not numbered 1..N: {versions}")
    return found


def latest_version() -> int:
    return len(available_migrations())


def schema_version(conn: sqlite3.Connection) -> int:
    """``PRAGMA user_version`` on SQLite; the ``schema_version`` row on PostgreSQL."""
    return dialect.schema_version(conn)


def apply_pending(
    conn: sqlite3.Connection, target: int | None = None, *, folder: Path | None = None
) -> list[int]:
    """Upgrade to ``target`` (default: latest) in one transaction; return the steps run.

    ``conn`` must be in autocommit mode (isolation_level=None) with no open transaction.
    ``folder`` is for tests (default: the program's ``db/migrations``).
    """
    migrations = available_migrations(folder)
    target = len(migrations) if target is None else target
    current = schema_version(conn)
    pending = [m for m in migrations if current < m.version <= target]
    if not pending:
        return []
    # A step may rebuild a table others reference (SQLite changes a CHECK vocabulary by
    # copying the table): keys are not enforced while the steps run, and every key is
    # checked once before the commit. PostgreSQL keeps them on but deferred to COMMIT.
    enforced = dialect.foreign_keys_enforced(conn)
    dialect.enforce_foreign_keys(conn, False)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            dialect.bootstrap(conn)
            dialect.defer_foreign_keys(conn)
            for migration in pending:
                migration.run(conn)
                dialect.set_schema_version(conn, migration.version)
            dangling = dialect.dangling_references(conn)
            if dangling:
                raise MigrationError(
                    "数据库升级后有记录引用了不存在的记录，升级已撤销：" + "；".join(dangling[:5])
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        dialect.enforce_foreign_keys(conn, enforced)
    return [m.version for m in pending]
