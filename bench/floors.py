"""The floors the command-line figures are measured against (run as their own processes).

    python bench/floors.py grade-json DB OUT   # every row of the unit-keyed tables,
                                               # grouped by unit, written as a JSON array
                                               # (one object a unit, streamed)
    python bench/floors.py check DB            # PRAGMA integrity_check, then every audit
                                               # entry read and hashed as the chain hashes it

Each is the least a program doing the same job in Python must do: the grading command
reads these rows and writes one JSON object per unit; ``check`` must at least have
SQLite check the file and hash every entry of the log. Nothing of the program is
imported, so the interpreter's start is the only overhead both share.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys


def unit_keyed_tables(conn: sqlite3.Connection) -> list[str]:
    """Every table with a ``unit_id`` column (the unit's records of every kind)."""
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")]
    return [
        name
        for name in names
        if any(c[1] == "unit_id" for c in conn.execute(f"PRAGMA table_info({name})"))
    ]


def grade_json(db: str, out: str) -> int:
    """Each unit with its rows of every unit-keyed table, one JSON object a unit, the
    tables read in unit order side by side (nothing held but one unit's rows)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    tables = unit_keyed_tables(conn)
    cursors = []
    for table in tables:
        cursor = sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute(
            f"SELECT * FROM {table} ORDER BY unit_id"
        )
        at = [d[0] for d in cursor.description].index("unit_id")
        cursors.append((table, cursor, at, [next(cursor, None)]))
    units = 0
    with open(out, "w", encoding="utf-8") as handle:
        handle.write("[")
        for unit in conn.execute("SELECT * FROM units ORDER BY id"):
            found: dict[str, object] = {"unit": unit}
            for table, cursor, at, ahead in cursors:
                rows = []
                while ahead[0] is not None and ahead[0][at] == unit[0]:
                    rows.append(ahead[0])
                    ahead[0] = next(cursor, None)
                found[table] = rows
            handle.write(("," if units else "") + json.dumps(found, ensure_ascii=False))
            units += 1
        handle.write("]")
    return units


def check(db: str) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    sha256 = hashlib.sha256
    entries = 0
    for row in conn.execute(
        "SELECT id, at, user, action, table_name, row_key, before, after, prev_hash, hash"
        " FROM audit_log ORDER BY id"
    ):
        text = "\x1f".join(
            (
                row[8],
                str(row[0]),
                row[1],
                row[2],
                row[3],
                row[4],
                row[5],
                "\x00" if row[6] is None else row[6],
                "\x00" if row[7] is None else row[7],
            )
        )
        if sha256(text.encode("utf-8")).hexdigest() != row[9]:
            raise SystemExit(f"entry {row[0]} does not hash to its hash")
        entries += 1
    return entries


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "grade-json":
        print(grade_json(sys.argv[2], sys.argv[3]))
    elif what == "check":
        print(check(sys.argv[2]))
    else:
        raise SystemExit(__doc__)
