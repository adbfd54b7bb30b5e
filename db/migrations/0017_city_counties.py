"""Schema version 15 (issue 19, a city server): each account may belong to a county.

- ``users.county``: the county (报送单位) the account works for; blank for the whole
  register (a county's own register, and the city administrator).
- On PostgreSQL: the row-level security policies that confine a county user's
  connection to its county's units and their records (storage/county.py).

Runs inside the upgrade's transaction (storage/migrations.py); never commits.
"""

from __future__ import annotations

import sqlite3

from safecredit_desktop.core.storage import county, dialect


def upgrade(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE users ADD COLUMN county TEXT NOT NULL DEFAULT ''")
    if dialect.is_postgres(conn):
        county.install(conn)
