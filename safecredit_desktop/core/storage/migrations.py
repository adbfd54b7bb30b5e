"""Schema migrations: one file per version under ``db/migrations``.

``NNNN_name.sql`` upgrades a database from version NNNN-1 to NNNN. A step that SQL
cannot do (one that writes hash-chained audit entries, say) is ``NNNN_name.py`` with a
function ``upgrade(conn)`` that runs its statements on ``conn`` (never committing). The
version is kept in ``PRAGMA user_version``. An upgrade runs every pending step in one
transaction, so a failure leaves the database at its old version.
"""

from __future__ import annotations

import importlib.util
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from safecredit_desktop.core.paths import migrations_dir
from safecredit_desktop.core.storage.sqlfile import statements

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.(sql|py)$")


@dataclass(frozen=True)
class Migration:
    version: int
    path: Path

    def sql(self) -> str:
        """The step's text (SQL, or the Python source of a .py step)."""
        return self.path.read_text(encoding="utf-8")

    @property
    def is_python(self) -> bool:
        return self.path.suffix == ".py"

    def run(self, conn: sqlite3.Connection) -> None:
        if not self.is_python:
            for statement in statements(self.sql()):
                conn.execute(statement)
            return
        spec = importlib.util.spec_from_file_location(f"_migration_{self.version}", self.path)
        if spec is None or spec.loader is None:
            raise RuntimeError(f"cannot load migration {self.path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.upgrade(conn)


def available_migrations(folder: Path | None = None) -> list[Migration]:
    folder = folder or migrations_dir()
    found: list[Migration] = []
    for path in sorted(folder.iterdir()):
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
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def apply_pending(conn: sqlite3.Connection, target: int | None = None) -> list[int]:
    """Upgrade to ``target`` (default: latest) in one transaction; return the steps run.

    ``conn`` must be in autocommit mode (isolation_level=None) with no open transaction.
    """
    migrations = available_migrations()
    target = len(migrations) if target is None else target
    current = schema_version(conn)
    pending = [m for m in migrations if current < m.version <= target]
    if not pending:
        return []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for migration in pending:
            migration.run(conn)
            conn.execute(f"PRAGMA user_version = {migration.version}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return [m.version for m in pending]
