"""A connection that bypasses the program, for the tamper tests on either engine: the
SQLite file itself, or a plain connection to the server (its statements spelled as the
program's, its errors raised as sqlite3's classes)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any


def outside(location: Any) -> Any:
    if isinstance(location, Path):
        return sqlite3.connect(location)
    from safecredit_desktop.core.storage.pg import PgConnection

    return PgConnection.connect(location.url)
