"""Where SQLite and PostgreSQL differ: the one place that says how.

The program's SQL is written once, in the subset both engines understand with SQLite's
spelling (``?`` placeholders, ``INTEGER``/``TEXT``/``REAL``/``BLOB``, ``STRICT`` tables,
triggers ending in ``SELECT RAISE(ABORT, '…')``). On PostgreSQL the connection
(``pg.py``) passes every statement through ``to_postgres`` first:

- placeholders ``?`` → ``%s`` (and a literal ``%`` doubled), outside string literals;
- the column ``user`` (a reserved word there) quoted;
- ``LIKE`` → ``ILIKE`` (SQLite's LIKE ignores ASCII case) with SQLite's "no escape
  character" unless the statement names one; ``GLOB`` → a case-sensitive ``LIKE`` of
  the pattern converted by the function ``sc_glob``; ``instr`` → ``strpos``;
  ``json_each(?)`` (a JSON array of keys as one parameter) → ``json_array_elements_text``,
  whose column is also ``value`` — text, so a number column compares
  ``CAST(value AS INTEGER)`` (the column is not cast: its index stays usable);
  ``a IS b`` / ``a IS NOT b`` → ``IS [NOT] DISTINCT FROM``;
- DDL: ``INTEGER`` → ``BIGINT``, ``REAL`` → ``DOUBLE PRECISION``, ``BLOB`` → ``BYTEA``,
  ``TEXT`` → ``TEXT COLLATE "C"`` (byte order, as SQLite compares), ``STRICT`` dropped,
  foreign keys ``DEFERRABLE INITIALLY IMMEDIATE`` (checked per statement as on SQLite;
  ``copy`` defers them), an ``INTEGER PRIMARY KEY`` gets SQLite's next rowid
  (max + 1) from the trigger ``<table>_next_id``, and a trigger
  ``… BEGIN SELECT RAISE(ABORT, 'msg'); END`` becomes a PL/pgSQL function raising the
  same message (SQLSTATE 23000, an integrity error as on SQLite) and its trigger.

The catalogue questions (which tables, which columns, the schema version) are answered
by the functions at the end, for either engine. Nothing above ``storage/`` knows which
engine it runs on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, NamedTuple

SQLITE = "sqlite"
POSTGRESQL = "postgresql"

# One lock every write transaction takes first on PostgreSQL: writers queue as they do
# on SQLite's BEGIN IMMEDIATE, so the audit chain, 文号 and draws stay in one order.
WRITE_LOCK_KEY = 0x5AFEC4ED17
BEGIN_WRITE = ("BEGIN", f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
BEGIN_READ = ("BEGIN ISOLATION LEVEL REPEATABLE READ",)  # one snapshot, as SQLite's BEGIN

VERSION_TABLE = "schema_version"

# What every PostgreSQL register has before migration 1: the schema version, the
# functions the translated SQL calls. Not part of the SQLite schema; schema_check knows.
BOOTSTRAP: tuple[str, ...] = (
    f"CREATE TABLE {VERSION_TABLE} (id BIGINT PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL)",
    f"INSERT INTO {VERSION_TABLE} (id, version) VALUES (1, 0)",
    "CREATE FUNCTION sc_glob(pattern text) RETURNS text IMMUTABLE LANGUAGE sql AS $$"
    " SELECT replace(replace(replace(replace(replace(pattern, '\\', '\\\\'), '%', '\\%'),"
    " '_', '\\_'), '*', '%'), '?', '_') $$",
    "CREATE FUNCTION sc_next_id() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " IF NEW.id IS NULL THEN EXECUTE format('SELECT coalesce(max(id), 0) + 1 FROM %I.%I',"
    " TG_TABLE_SCHEMA, TG_TABLE_NAME) INTO NEW.id; END IF; RETURN NEW; END $$",
)
BOOTSTRAP_FUNCTIONS = ("sc_glob", "sc_next_id")


def engine_of(conn: Any) -> str:
    """``postgresql`` for the PostgreSQL connection, else ``sqlite``."""
    return str(getattr(conn, "engine", SQLITE))


def is_postgres(conn: Any) -> bool:
    return engine_of(conn) == POSTGRESQL


# -- statements --------------------------------------------------------------------------

_PIECES = re.compile(r"('(?:[^']|'')*')|(\"(?:[^\"]|\"\")*\")|(\$\$.*?\$\$)", re.DOTALL)


def _split(sql: str) -> list[tuple[bool, str]]:
    """(is_code, text) pieces: string literals, quoted names and $$ bodies are not code."""
    pieces: list[tuple[bool, str]] = []
    at = 0
    for found in _PIECES.finditer(sql):
        if found.start() > at:
            pieces.append((True, sql[at : found.start()]))
        pieces.append((False, found.group(0)))
        at = found.end()
    if at < len(sql):
        pieces.append((True, sql[at:]))
    return pieces


_USER = re.compile(r"(?<![\w.\"])user\b(?!\s*\()|(?<=\.)user\b")
_INSTR = re.compile(r"\binstr\s*\(", re.IGNORECASE)
_JSON_EACH = re.compile(r"\bjson_each\s*\(\s*\?\s*\)", re.IGNORECASE)
_LIKE = re.compile(r"\bLIKE\b", re.IGNORECASE)
_GLOB = re.compile(r"\bGLOB\s+\?", re.IGNORECASE)
_IS_NOT = re.compile(r"\bIS\s+NOT\s+(?!NULL\b|DISTINCT\b|TRUE\b|FALSE\b)", re.IGNORECASE)
_IS = re.compile(r"\bIS\s+(?!NOT\b|NULL\b|DISTINCT\b|TRUE\b|FALSE\b)", re.IGNORECASE)
_ESCAPE = re.compile(r"\bESCAPE\b", re.IGNORECASE)


_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def _code(text: str, with_params: bool | str) -> str:
    text = _USER.sub('"user"', text)
    text = _INSTR.sub("strpos(", text)
    text = _JSON_EACH.sub("json_array_elements_text(CAST(? AS json))", text)
    text = _IS_NOT.sub("IS DISTINCT FROM ", text)
    text = _IS.sub("IS NOT DISTINCT FROM ", text)
    text = _LIKE.sub("ILIKE", text)
    text = _GLOB.sub("LIKE sc_glob(?)", text)
    if with_params:
        text = text.replace("%", "%%").replace("?", "%s")
        if with_params == "named":
            text = _NAMED.sub(r"%(\1)s", text)
    return text


_BLOB = re.compile(r"(?<![\w'])[xX]'([0-9A-Fa-f]*)'")  # SQLite's x'00' → '\x00'::bytea
_NO_ESCAPE = re.compile(
    r"(\bILIKE\s+(?>%s|\?|'(?:[^']|'')*+'|[\w.]++))(?!\s*ESCAPE\b)", re.IGNORECASE
)


_LEADING_COMMENTS = re.compile(r"^(?:\s*--[^\n]*\n)*\s*")


@lru_cache(maxsize=4096)
def to_postgres(sql: str, with_params: bool | str = True) -> tuple[str, ...]:
    """The PostgreSQL statements for one statement of the program (DDL may need more).
    ``with_params``: False (none), True (``?``) or "named" (``:name``)."""
    stripped = _LEADING_COMMENTS.sub("", sql)
    if stripped[:12].upper().startswith(("CREATE", "ALTER", "DROP")):
        return ddl_to_postgres(stripped)
    pieces = []
    sql = _BLOB.sub(r"'\\x\1'::bytea", sql)
    for is_code, text in _split(sql):
        if is_code:
            pieces.append(_code(text, with_params))
        else:
            pieces.append(text.replace("%", "%%") if with_params else text)
    joined = "".join(pieces)
    # SQLite's LIKE has no escape character unless ESCAPE names one; PostgreSQL's is \\.
    joined = _NO_ESCAPE.sub(r"\1 ESCAPE ''", joined)
    return (joined,)


# -- DDL ---------------------------------------------------------------------------------

_TYPES = (
    (re.compile(r"\bINTEGER PRIMARY KEY\b"), "BIGINT PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b"), "BIGINT"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
    (re.compile(r"\bBLOB\b"), "BYTEA"),
    (re.compile(r"\bTEXT\b"), 'TEXT COLLATE "C"'),
)
_REFERENCES = re.compile(
    r"(\bREFERENCES\s+\w+\s*\(\s*\w+\s*\)"
    r"(?:\s+ON\s+(?:DELETE|UPDATE)\s+(?:CASCADE|SET\s+NULL|RESTRICT|NO\s+ACTION))*)"
)
_BOOL_SUM = re.compile(r"\((\w+ IS NOT NULL)\)(?=\s*[+=])")
_STRICT = re.compile(r"\)\s*STRICT\s*;?\s*$")
_CREATE_TABLE = re.compile(r"^CREATE TABLE (\w+)\s*\(", re.IGNORECASE)
_ID_KEY = re.compile(r"\bid\s+INTEGER PRIMARY KEY\b")
_RENAME = re.compile(r"^ALTER TABLE (\w+) RENAME TO (\w+)\s*;?$", re.IGNORECASE)
_TRIGGER = re.compile(
    r"^CREATE TRIGGER (\w+) BEFORE (UPDATE|DELETE|INSERT) ON (\w+)\s*"
    r"(?:WHEN\s+(?P<when>.*?))?\s*BEGIN\s+SELECT RAISE\(ABORT,\s*'(?P<msg>[^']*)'\);\s*END;?$",
    re.IGNORECASE | re.DOTALL,
)


def _columns_ddl(text: str) -> str:
    pieces = []
    for is_code, piece in _split(text):
        if is_code:
            for pattern, replacement in _TYPES:
                piece = pattern.sub(replacement, piece)
            piece = _REFERENCES.sub(r"\1 DEFERRABLE INITIALLY IMMEDIATE", piece)
            piece = _BOOL_SUM.sub(r"(\1)::int", piece)
            piece = _USER.sub('"user"', piece)
        pieces.append(piece)
    return "".join(pieces)


def trigger_function_body(event: str, when: str | None, message: str) -> str:
    """The PL/pgSQL body of a refusing trigger (compared by schema_check)."""
    result = "OLD" if event.upper() == "DELETE" else "NEW"
    condition = "TRUE"
    if when:
        condition = " ".join(_code(when, with_params=False).split())
    return (
        f" BEGIN IF {condition} THEN RAISE EXCEPTION USING ERRCODE = '23000',"
        f" MESSAGE = '{message}'; END IF; RETURN {result}; END "
    )


_ROW_TRIGGER = re.compile(
    r"^CREATE TRIGGER (\w+) AFTER (UPDATE|DELETE|INSERT) ON (\w+)\s*BEGIN\s+(?P<body>.*?)\s*END;?$",
    re.IGNORECASE | re.DOTALL,
)


def row_trigger_parts(sql: str) -> tuple[str, str, str, str] | None:
    """(name, event, table, PL/pgSQL body) of an AFTER trigger whose body is statements
    of the common subset (NEW./OLD. read the same in PL/pgSQL); None for another kind."""
    found = _ROW_TRIGGER.match(sql.strip())
    if found is None:
        return None
    statements = [s.strip() for s in found.group("body").split(";") if s.strip()]
    code = " ".join(" ".join(_code(s, with_params=False).split()) + ";" for s in statements)
    return (
        found.group(1),
        found.group(2).upper(),
        found.group(3),
        f" BEGIN {code} RETURN NULL; END ",
    )


def row_trigger_to_postgres(sql: str) -> tuple[str, ...] | None:
    """An AFTER trigger: a function running its statements, and the trigger calling it
    for each row."""
    parts = row_trigger_parts(sql)
    if parts is None:
        return None
    name, event, table, body = parts
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS ${name}${body}${name}$",
        f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION {name}()",
    )


def trigger_to_postgres(sql: str) -> tuple[str, ...] | None:
    found = _TRIGGER.match(sql.strip())
    if found is None:
        return row_trigger_to_postgres(sql)
    name, event, table = found.group(1), found.group(2), found.group(3)
    body = trigger_function_body(event, found.group("when"), found.group("msg"))
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS ${name}${body}${name}$",
        f"CREATE TRIGGER {name} BEFORE {event.upper()} ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION {name}()",
    )


def id_trigger_name(table: str) -> str:
    return f"{table}_next_id"


@lru_cache(maxsize=512)
def ddl_to_postgres(sql: str) -> tuple[str, ...]:
    """One migration statement (SQLite's DDL) as PostgreSQL statements."""
    text = sql.strip().rstrip(";").strip()
    upper = text.upper()
    if upper.startswith("CREATE TRIGGER"):
        converted = trigger_to_postgres(text)
        if converted is None:
            raise ValueError(f"a trigger the PostgreSQL dialect cannot translate: {text[:120]}")
        return converted
    renamed = _RENAME.match(text)
    if renamed:
        old, new = renamed.group(1), renamed.group(2)
        return (
            f"ALTER TABLE {old} RENAME TO {new}",
            f"ALTER TRIGGER {id_trigger_name(old)} ON {new} RENAME TO {id_trigger_name(new)}",
        )
    if upper.startswith("DROP TRIGGER"):
        # PostgreSQL's DROP TRIGGER needs its table; the trigger's own function, dropped
        # with CASCADE, takes the trigger with it.
        exists = " IF EXISTS" if "IF EXISTS" in upper else ""
        return (f"DROP FUNCTION{exists} {text.split()[-1]}() CASCADE",)
    if upper.startswith("CREATE TABLE"):
        table = _CREATE_TABLE.match(text)
        has_id = _ID_KEY.search(text) is not None
        body = _STRICT.sub(")", text)
        statements = [_columns_ddl(body)]
        if table and has_id:
            name = table.group(1)
            statements.append(
                f"CREATE TRIGGER {id_trigger_name(name)} BEFORE INSERT ON {name}"
                " FOR EACH ROW EXECUTE FUNCTION sc_next_id()"
            )
        return tuple(statements)
    return (_columns_ddl(text),)


# -- the catalogue, for either engine ----------------------------------------------------


def table_names(conn: Any) -> set[str]:
    """The program's tables in this database."""
    if is_postgres(conn):
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
        return {str(r[0]) for r in rows} - {VERSION_TABLE}
    return {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}


def has_table(conn: Any, name: str) -> bool:
    return name in table_names(conn)


class ColumnInfo(NamedTuple):
    name: str
    notnull: bool
    default: str | None  # the DEFAULT as SQLite writes it ('' → "''", 0 → "0")


def table_info(conn: Any, table: str) -> list[ColumnInfo]:
    """The columns of ``table`` in order (SQLite's PRAGMA table_info, in either engine)."""
    if is_postgres(conn):
        rows = conn.execute(
            "SELECT column_name, is_nullable, column_default FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            (table,),
        ).fetchall()
        return [ColumnInfo(str(n), nullable == "NO", _pg_default(d)) for n, nullable, d in rows]
    rows = conn.execute(f"PRAGMA table_info({table})").fetchall()
    return [ColumnInfo(str(r[1]), bool(r[3]), None if r[4] is None else str(r[4])) for r in rows]


def column_names(conn: Any, table: str) -> list[str]:
    return [c.name for c in table_info(conn, table)]


_PG_CAST = re.compile(r"^\(?('(?:[^']|'')*'|[-\d.]+)\)?(?:::[\w\s\"]+)?$", re.DOTALL)


def _pg_default(text: Any) -> str | None:
    if text is None:
        return None
    found = _PG_CAST.match(str(text))
    return found.group(1) if found else str(text)


def schema_version(conn: Any) -> int:
    if is_postgres(conn):
        if not conn.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema()"
            " AND table_name = ?",
            (VERSION_TABLE,),
        ).fetchone():
            return 0
        row = conn.execute(f"SELECT version FROM {VERSION_TABLE} WHERE id = 1").fetchone()
        return 0 if row is None else int(row[0])
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def set_schema_version(conn: Any, version: int) -> None:
    if is_postgres(conn):
        conn.execute(f"UPDATE {VERSION_TABLE} SET version = ? WHERE id = 1", (version,))
    else:
        conn.execute(f"PRAGMA user_version = {int(version)}")


def bootstrap(conn: Any) -> None:
    """What a new PostgreSQL register needs before migration 1 (in its transaction)."""
    if is_postgres(conn) and schema_version(conn) == 0 and not has_table(conn, "settings"):
        for statement in BOOTSTRAP:
            conn.execute_raw(statement)


def can_change_schema(conn: Any) -> bool:
    """Whether this connection may run migrations: always on SQLite; on PostgreSQL the
    role must own the program's tables (the owner role, not the app role)."""
    if not is_postgres(conn):
        return True
    row = conn.execute(
        "SELECT coalesce(bool_and(pg_has_role(current_user, tableowner, 'USAGE')), TRUE)"
        " FROM pg_tables WHERE schemaname = current_schema()"
    ).fetchone()
    return bool(row[0])


def integrity_problems(conn: Any) -> list[str]:
    """The engine's own consistency check: SQLite's integrity_check and foreign_key_check;
    on PostgreSQL the server keeps pages and keys itself (foreign keys are enforced,
    never switched off), so nothing is asked there."""
    if is_postgres(conn):
        return []
    problems: list[str] = []
    integrity = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        problems.extend(f"完整性检查：{line}" for line in integrity[:20])
    problems.extend(dangling_references(conn))
    return problems


def stream_rows(conn: Any, sql: str) -> Iterable[Any]:
    """The rows of ``sql`` as they are read (SQLite's cursor; psycopg's stream)."""
    if is_postgres(conn):
        rows: Iterable[Any] = conn.stream(sql)
        return rows
    return conn.execute(sql)  # type: ignore[no-any-return]


def defer_foreign_keys(conn: Any) -> None:
    """Foreign keys checked at COMMIT for the rest of this transaction (``copy`` loads
    tables in any order)."""
    if is_postgres(conn):
        conn.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        conn.execute("PRAGMA defer_foreign_keys = ON")


def foreign_keys_enforced(conn: Any) -> bool:
    """Whether SQLite enforces foreign keys on this connection (always on PostgreSQL)."""
    if is_postgres(conn):
        return True
    return bool(conn.execute("PRAGMA foreign_keys").fetchone()[0])


def enforce_foreign_keys(conn: Any, on: bool) -> None:
    """SQLite: switch enforcement (only outside a transaction: the PRAGMA is a no-op
    inside one). PostgreSQL never switches it off; a schema upgrade defers instead."""
    if not is_postgres(conn):
        conn.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")


def dangling_references(conn: Any) -> list[str]:
    """Rows whose foreign key names no row, as sentences (SQLite's foreign_key_check).
    PostgreSQL: empty; its deferred constraints are checked by the COMMIT itself."""
    if is_postgres(conn):
        return []
    return [
        f"表 {table} 第 {rowid} 行引用了不存在的 {parent} 记录。"
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check")
    ]


def empty_tables(conn: Any, tables: Iterable[str]) -> None:
    """Remove every row of ``tables`` inside the caller's transaction, past the triggers
    that forbid deleting (a restore replaces the whole register). PostgreSQL: TRUNCATE
    (row triggers do not fire); SQLite restores by copying the file instead."""
    names = sorted(tables)
    if names and is_postgres(conn):
        conn.execute(f"TRUNCATE {', '.join(names)}")


def drop_program_objects(conn: Any) -> None:
    """Undo a half-made PostgreSQL register this program has just created (a ``copy``
    that failed): its tables, the functions of its triggers and the version row."""
    if not is_postgres(conn):
        return
    for name in sorted(table_names(conn) | {VERSION_TABLE}):
        conn.execute_raw(f"DROP TABLE IF EXISTS {name} CASCADE")
    functions = conn.execute(
        "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
        " WHERE n.nspname = current_schema()"
    ).fetchall()
    for (name,) in functions:
        conn.execute_raw(f"DROP FUNCTION IF EXISTS {name}() CASCADE")
    conn.execute_raw("DROP FUNCTION IF EXISTS sc_glob(text)")


def json_id(conn: Any, expr: str) -> str:
    """SQL for the integer ``id`` inside the JSON text ``expr``."""
    if is_postgres(conn):
        return f"(({expr})::jsonb ->> 'id')::bigint"
    return f"json_extract({expr}, '$.id')"


def json_matches(conn: Any, text_expr: str, pairs: str, table: str, id_expr: str) -> str:
    """SQL true when the JSON text ``text_expr`` states the row of ``table`` whose id is
    ``id_expr`` with the columns ``pairs`` ('name', t.name, …): SQLite compares the text
    its json_object writes (as the repository does); PostgreSQL compares values (jsonb)."""
    if is_postgres(conn):
        return (
            f"({text_expr})::jsonb IS NOT DISTINCT FROM (SELECT jsonb_build_object({pairs})"
            f" FROM {table} t WHERE t.id = {id_expr})"
        )
    return f"{text_expr} IS (SELECT json_object({pairs}) FROM {table} t WHERE t.id = {id_expr})"


# -- PostgreSQL's catalogue, for schema_check ----------------------------------------------


def pg_columns(conn: Any, table: str) -> dict[str, tuple[str, bool, str | None]]:
    """column → (data type, NOT NULL, collation) of a table on the server."""
    rows = conn.execute(
        "SELECT column_name, data_type, is_nullable, collation_name"
        " FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = ?",
        (table,),
    )
    return {str(n): (str(kind), nullable == "NO", c) for n, kind, nullable, c in rows}


def pg_indexes(conn: Any) -> set[str]:
    """Indexes made by CREATE INDEX (not those behind a key or UNIQUE constraint)."""
    rows = conn.execute(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
    )
    return {str(r[0]) for r in rows}


def pg_triggers(conn: Any) -> dict[str, tuple[str, str, str, str, str]]:
    """trigger → (table, enabled flag, function, function's source, definition)."""
    rows = conn.execute(
        "SELECT t.tgname, c.relname, t.tgenabled, p.proname, p.prosrc,"
        " pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE NOT t.tgisinternal AND n.nspname = current_schema()"
    )
    return {str(r[0]): (str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5])) for r in rows}


def pg_function_sources(conn: Any, names: Iterable[str]) -> list[tuple[str, str]]:
    wanted = sorted(names)
    marks = ", ".join("?" for _ in wanted)
    rows = conn.execute(
        "SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n"
        f" ON n.oid = p.pronamespace WHERE n.nspname = current_schema() AND p.proname IN ({marks})",
        wanted,
    )
    return [(str(a), str(b)) for a, b in rows]


def pg_rules(conn: Any) -> list[tuple[str, str]]:
    rows = conn.execute(
        "SELECT rulename, tablename FROM pg_rules WHERE schemaname = current_schema()"
    )
    return [(str(a), str(b)) for a, b in rows]


def pg_policies(conn: Any) -> list[tuple[str, str]]:
    rows = conn.execute(
        "SELECT policyname, tablename FROM pg_policies WHERE schemaname = current_schema()"
    )
    return [(str(a), str(b)) for a, b in rows]


def begin_statements(sql: str) -> tuple[str, ...] | None:
    """PostgreSQL's statements for SQLite's BEGIN forms, or None for another statement."""
    word = " ".join(sql.split()).upper()
    if word in ("BEGIN IMMEDIATE", "BEGIN EXCLUSIVE"):
        return BEGIN_WRITE
    if word in ("BEGIN", "BEGIN DEFERRED", "BEGIN TRANSACTION"):
        return BEGIN_READ
    return None
