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

from safecredit_desktop.core.storage import county, dialect, migrations, schema_detail

_KINDS = {"table": "数据表", "index": "索引", "trigger": "触发器", "view": "视图"}
_RAISE = re.compile(r"RAISE\s*\(\s*ABORT\s*,\s*'([^']*)'\s*\)", re.IGNORECASE)

# The schema's objects, (kind, name) → their SQL; and each table's (column, type, not null).
Objects = dict[tuple[str, str], str | None]
Columns = dict[str, list[tuple[str, str, bool]]]

_expected_cache: dict[int, Objects] = {}
_columns_cache: dict[int, Columns] = {}


def _objects(conn: sqlite3.Connection) -> Objects:
    return {
        (str(kind), str(name)): None if sql is None else " ".join(str(sql).split())
        for kind, name, sql in conn.execute(
            "SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'"
        )
    }


def expected(version: int) -> Objects:
    """The objects the migrations up to ``version`` create (memoised)."""
    found = _expected_cache.get(version)
    if found is None:
        conn = sqlite3.connect(":memory:")
        try:
            for migration in migrations.available_migrations()[:version]:
                migration.run(conn)
            found = _expected_cache[version] = _objects(conn)
            _columns_cache[version] = {
                str(name): [
                    (str(r[1]), str(r[2]).upper(), bool(r[3]) or bool(r[5]))
                    for r in conn.execute(f"PRAGMA table_info({name})")
                ]
                for kind, name in found
                if kind == "table"
            }
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
    if dialect.is_postgres(conn):
        return _pg_differences(conn, want, _columns_cache[version])
    have = _objects(conn)
    found: list[str] = []
    for (kind, name), sql in sorted(want.items()):
        label = _KINDS.get(kind, kind)
        if (kind, name) not in have:
            found.append(
                f"数据库结构中缺少{label} {name}{_guards(sql)}：它被程序以外的工具删除了。"
            )
        elif have[(kind, name)] != sql:
            how = ""
            if kind == "table" and sql is not None:
                changes = schema_detail.table_changes(name, sql, str(have[(kind, name)]))
                how = f"（{'；'.join(changes)}）" if changes else ""
            found.append(
                f"数据库结构中{label} {name} 的定义与本程序建立的不同{how}{_guards(sql)}："
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


# -- PostgreSQL: the catalogue against what the migrations make ---------------------------

_PG_TYPES = {"INTEGER": "bigint", "TEXT": "text", "REAL": "double precision", "BLOB": "bytea"}
_TRIGGER_PARTS = re.compile(
    r"^CREATE TRIGGER \w+ BEFORE (\w+) ON (\w+)\s*(?:WHEN\s+(.*?))?\s*BEGIN\s+SELECT"
    r" RAISE\(ABORT,\s*'([^']*)'\);\s*END;?$",
    re.IGNORECASE | re.DOTALL,
)


def _bootstrap_bodies() -> dict[str, str]:
    bodies = {}
    for statement in dialect.BOOTSTRAP:
        found = re.match(r"CREATE FUNCTION (\w+)\(.*?\$\$(.*)\$\$$", statement, re.DOTALL)
        if found:
            bodies[found.group(1)] = found.group(2)
    return bodies


def _pg_expected_triggers(
    want: Objects,
    columns: Columns,
) -> dict[str, tuple[str, str, str, str | None]]:
    """trigger → (table, "BEFORE event" or "AFTER event", function, body of its own
    function or None)."""
    triggers: dict[str, tuple[str, str, str, str | None]] = {}
    for (kind, name), sql in want.items():
        if kind != "trigger" or sql is None:
            continue
        found = _TRIGGER_PARTS.match(sql)
        if found is not None:
            event, table, when, message = found.groups()
            body = dialect.trigger_function_body(event, when, message)
            triggers[name] = (table, f"BEFORE {event.upper()}", name, body)
            continue
        parts = dialect.row_trigger_parts(sql)
        if parts is not None:
            _name, event, table, body = parts
            triggers[name] = (table, f"AFTER {event}", name, body)
    for table, cols in columns.items():
        if any(c[0] == "id" and c[1] == "INTEGER" for c in cols) and _has_id_key(want, table):
            triggers[dialect.id_trigger_name(table)] = (
                table,
                "BEFORE INSERT",
                "sc_next_id",
                None,
            )
    return triggers


def _has_id_key(want: Objects, table: str) -> bool:
    sql = want.get(("table", table)) or ""
    return re.search(r"\bid\s+INTEGER PRIMARY KEY\b", sql) is not None


def _pg_differences(conn: sqlite3.Connection, want: Objects, columns: Columns) -> list[str]:
    found: list[str] = []
    gone = "它被程序以外的工具删除了。"
    changed = "它被程序以外的工具改动过。"
    tables = dialect.table_names(conn)
    for table in sorted(columns):
        if table not in tables:
            found.append(f"数据库结构中缺少数据表 {table}：{gone}")
            continue
        have = dialect.pg_columns(conn, table)
        for name, kind, notnull in columns[table]:
            mine = have.pop(name, None)
            pg_kind = _PG_TYPES.get(kind.split()[0] if kind else "", "")
            if mine is None:
                found.append(f"数据库结构中数据表 {table} 缺少字段 {name}：{gone}")
            elif (
                (pg_kind and mine[0] != pg_kind)
                or mine[1] != notnull
                or (pg_kind == "text" and mine[2] != "C")
            ):
                found.append(
                    f"数据库结构中数据表 {table} 的字段 {name} 的定义与本程序建立的不同：{changed}"
                )
        for name in sorted(have):
            found.append(f"数据库结构中数据表 {table} 多出字段 {name}，不是本程序建立的。")
    for table in sorted(tables - set(columns)):
        found.append(
            f"数据库结构中多出数据表 {table}，不是本程序建立的：它可能在暗中改动数据，"
            "请联系管理员。"
        )
    indexes = dialect.pg_indexes(conn)
    for kind, name in sorted(want):
        if kind == "index" and name not in indexes:
            found.append(f"数据库结构中缺少索引 {name}：{gone}")
    for name in sorted(indexes - {n for k, n in want if k == "index"}):
        found.append(f"数据库结构中多出索引 {name}，不是本程序建立的。")
    found += _pg_trigger_differences(conn, want, columns)
    for rule, table in dialect.pg_rules(conn):
        found.append(
            f"数据库结构中数据表 {table} 上多出规则 {rule}，不是本程序建立的："
            "它可能在暗中改动数据，请联系管理员。"
        )
    for policy, table in dialect.pg_policies(conn):
        if policy == county.POLICY and table in county.confined_tables():
            continue  # the program's own: county.problems compares them
        found.append(f"数据库结构中数据表 {table} 上多出行级策略 {policy}，不是本程序建立的。")
    found += county.problems(conn)
    return found


def _pg_trigger_differences(conn: sqlite3.Connection, want: Objects, columns: Columns) -> list[str]:
    found: list[str] = []
    expected_triggers = _pg_expected_triggers(want, columns)
    have = dialect.pg_triggers(conn)
    for name, (table, event, function, body) in sorted(expected_triggers.items()):
        guard = _guards(want.get(("trigger", name)))
        mine = have.pop(name, None)
        if mine is None:
            found.append(f"数据库结构中缺少触发器 {name}{guard}：它被程序以外的工具删除了。")
            continue
        on_table, enabled, used, source, definition = mine
        same = (
            on_table == table
            and used == function
            and f"{event} ON" in definition
            and "FOR EACH ROW" in definition
            and (body is None or source == body)
        )
        if not same:
            found.append(
                f"数据库结构中触发器 {name} 的定义与本程序建立的不同{guard}："
                "它被程序以外的工具改动过。"
            )
        elif enabled != "O":
            found.append(
                f"数据库结构中触发器 {name}{guard} 被停用了（ALTER TABLE … DISABLE TRIGGER）："
                "它被程序以外的工具改动过。"
            )
    for name, mine in sorted(have.items()):
        found.append(
            f"数据库结构中多出触发器 {name}（数据表 {mine[0]}），不是本程序建立的："
            "它可能在暗中改动数据，请联系管理员。"
        )
    bodies = _bootstrap_bodies()
    for name, source in dialect.pg_function_sources(conn, dialect.BOOTSTRAP_FUNCTIONS):
        if bodies.get(str(name)) != str(source):
            found.append(
                f"数据库结构中函数 {name} 的定义与本程序建立的不同：它被程序以外的工具改动过。"
            )
    return found
