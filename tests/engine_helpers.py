"""Helpers for tests that run on either engine (tests/conftest.py picks the engine).

Imported as ``from engine_helpers import …`` (pytest puts ``tests/`` on the path for
its conftest); not ``from conftest import …``, which would find tests/gui/conftest.py
when both are loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def copy_location(
    request: pytest.FixtureRequest, source: object, folder: Path, name: str
) -> object:
    """A copy of a closed register: the file copied to ``folder / name``, or on
    PostgreSQL a new server database made from ``source`` as its template."""
    import shutil

    if isinstance(source, Path):
        target = folder / name
        shutil.copyfile(source, target)
        return target
    cluster: Any = request.getfixturevalue("pg_cluster")
    return cluster.fresh(template=str(getattr(source, "dbname", "")))


def checkpoint_wal(location: object) -> None:
    """Fold a SQLite file's WAL into it (so a plain file copy is whole); nothing on a server."""
    import sqlite3

    if isinstance(location, Path):
        conn = sqlite3.connect(location)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
