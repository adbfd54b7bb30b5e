"""The database's structure against the program's: tables, indexes and triggers.

The expected structure is what the migrations up to the file's version make in an
empty in-memory database. A missing trigger matters most: the triggers are what keep
issued documents and 双随机 draws immutable, so one dropped is named with what it
guarded. An object the program never made (a trigger that rewrites rows, say) is
named too.
"""

from __future__ import annotations

import re
import sqlite3

from safecredit_desktop.core.storage import migrations

_KINDS = {"table": "数据表", "index": "索引", "trigger": "触发器", "view": "视图"}
_RAISE = re.compile(r"RAISE\s*\(\s*ABORT\s*,\s*'([^']*)'\s*\)", re.IGNORECASE)

_expected_cache: dict[int, dict[tuple[str, str], str | None]] = {}


def _objects(conn: sqlite3.Connection) -> dict[tuple[str, str], str | None]:
    return {
        (str(kind), str(name)): None if sql is None else " ".join(str(sql).split())
        for kind, name, sql in conn.execute(
            "SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'"
        )
    }


def expected(version: int) -> dict[tuple[str, str], str | None]:
    """The objects the migrations up to ``version`` create (memoised)."""
    found = _expected_cache.get(version)
    if found is None:
        conn = sqlite3.connect(":memory:")
        try:
            for migration in migrations.available_migrations()[:version]:
                migration.run(conn)
            found = _expected_cache[version] = _objects(conn)
        finally:
            conn.close()
    return found


def _guards(sql: str | None) -> str:
    found = _RAISE.search(sql or "")
    return f"（它保证“{found.group(1)}”）" if found else ""


def differences(conn: sqlite3.Connection) -> list[str]:
    """Sentences naming each object missing, added or changed."""
    version = migrations.schema_version(conn)
    if version < 1 or version > migrations.latest_version():
        return []
    want = expected(version)
    have = _objects(conn)
    found: list[str] = []
    for (kind, name), sql in sorted(want.items()):
        label = _KINDS.get(kind, kind)
        if (kind, name) not in have:
            found.append(
                f"数据库结构中缺少{label} {name}{_guards(sql)}：它被程序以外的工具删除了。"
            )
        elif have[(kind, name)] != sql:
            found.append(
                f"数据库结构中{label} {name} 的定义与本程序建立的不同{_guards(sql)}："
                "它被程序以外的工具改动过。"
            )
    for kind, name in sorted(have):
        if (kind, name) not in want:
            label = _KINDS.get(kind, kind)
            found.append(
                f"数据库结构中多出{label} {name}，不是本程序建立的：它可能在暗中改动数据，"
                "请联系管理员。"
            )
    return found
