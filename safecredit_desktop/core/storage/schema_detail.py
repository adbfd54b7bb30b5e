"""What differs inside one table whose definition is not the program's, named column by
column with sqlite-utils' introspection (columns, types, NOT NULL, defaults, primary key,
foreign keys, CHECK constraints, STRICT).

``schema_check`` compares each object's SQL text with what the migrations make (one query:
0.5 ms for a whole register); only when a table's text differs does this module say
how, so the introspection's cost (about 10 ms a table, measured in ARCHITECTURE.md) is
paid only for a damaged structure. Both sides are rebuilt from their CREATE TABLE text in
a private in-memory database: the register's own connection is never touched.
"""

from __future__ import annotations

import sqlite3
from typing import Any


def _table(sql: str, name: str) -> Any:
    import sqlite_utils  # loaded when check finds a differing table, not at start-up

    conn = sqlite3.connect(":memory:")
    conn.execute(sql)
    db = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
    return db[name]


def _checks(table: Any) -> set[str]:
    found = {" ".join(c.check.split()) for c in table.table_checks}
    for checks in table.column_checks.values():
        found |= {" ".join(c.check.split()) for c in checks}
    return found


def table_changes(name: str, expected_sql: str, actual_sql: str) -> list[str]:
    """The differences of table ``name`` as short Chinese phrases (empty when the two
    texts make the same table, e.g. only spacing or quoting differs)."""
    try:
        want, have = _table(expected_sql, name), _table(actual_sql, name)
    except sqlite3.Error:
        return []
    changes: list[str] = []
    wanted = {c.name: c for c in want.columns}
    present = {c.name: c for c in have.columns}
    changes += [f"缺少字段 {n}" for n in wanted if n not in present]
    changes += [f"多出字段 {n}" for n in present if n not in wanted]
    for column_name, w in wanted.items():
        h = present.get(column_name)
        if h is None:
            continue
        if (w.type or "").upper() != (h.type or "").upper():
            changes.append(
                f"字段 {column_name} 的类型由 {w.type or '（无）'} 变为 {h.type or '（无）'}"
            )
        if bool(w.notnull) != bool(h.notnull):
            changes.append(f"字段 {column_name} {'不再' if w.notnull else '改为'}要求必填")
        if w.default_value != h.default_value:
            changes.append(f"字段 {column_name} 的默认值不同")
        if bool(w.is_pk) != bool(h.is_pk):
            changes.append(f"字段 {column_name} 的主键设置不同")
    want_keys = {(k.column, k.other_table, k.other_column) for k in want.foreign_keys}
    have_keys = {(k.column, k.other_table, k.other_column) for k in have.foreign_keys}
    changes += [f"字段 {c} 不再引用 {t}.{o}" for c, t, o in sorted(want_keys - have_keys)]
    changes += [f"字段 {c} 多出对 {t}.{o} 的引用" for c, t, o in sorted(have_keys - want_keys)]
    want_checks, have_checks = _checks(want), _checks(have)
    changes += [f"缺少约束 CHECK ({c})" for c in sorted(want_checks - have_checks)]
    changes += [f"多出约束 CHECK ({c})" for c in sorted(have_checks - want_checks)]
    if bool(want.strict) != bool(have.strict):
        changes.append("不再是 STRICT 表" if want.strict else "改成了 STRICT 表")
    return changes
