"""Schema version 8: the registry's pinyin search reads whole names (pypinyin's phrase
dictionary, the place-name table) and keeps the other readings of heteronyms
(core/pinyin_index.py). Adds ``units.name_keys`` and ``units.name_letters`` and
re-computes every unit's keys.

The keys are derived from the name, not part of the record, so the re-index is not an
audited change (the audit log keeps the records as they were written).
"""

from __future__ import annotations

import sqlite3

from safecredit_desktop.core.pinyin_index import name_keys

_BATCH = 5_000


def upgrade(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE units ADD COLUMN name_keys TEXT NOT NULL DEFAULT ''")
    conn.execute("ALTER TABLE units ADD COLUMN name_letters TEXT NOT NULL DEFAULT ''")
    units = conn.execute("SELECT id, name FROM units ORDER BY id").fetchall()
    for start in range(0, len(units), _BATCH):
        updates = []
        for unit_id, name in units[start : start + _BATCH]:
            keys = name_keys(str(name))
            updates.append((keys.initials, keys.pinyin, keys.keys, keys.letters, int(unit_id)))
        conn.executemany(
            "UPDATE units SET name_initials = ?, name_pinyin = ?, name_keys = ?,"
            " name_letters = ? WHERE id = ?",
            updates,
        )
