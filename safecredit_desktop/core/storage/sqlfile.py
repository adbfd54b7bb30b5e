"""Split an SQL script into statements, so a script can run inside one transaction.

``sqlite3.Connection.executescript`` commits first, which would break the rule that
a whole upgrade is one transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator


def statements(script: str) -> Iterator[str]:
    pending: list[str] = []
    for line in script.splitlines():
        pending.append(line)
        candidate = "\n".join(pending).strip()
        if candidate and sqlite3.complete_statement(candidate):
            yield candidate
            pending = []
    rest = "\n".join(pending).strip()
    if rest and not all(
        part.strip().startswith("--") or not part.strip() for part in rest.splitlines()
    ):
        raise ValueError(f"SQL script ends inside a statement: {rest[:80]!r}")
