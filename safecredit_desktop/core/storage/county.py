"""A city server: several counties' registers in one PostgreSQL database (issue 19).

Every unit keeps its 报送单位 (``units.reporter``, as the roll-up import sets it); on a
city server that is the county the unit belongs to. A county user sees and changes only
the units of its county and their records:

- the account says which county (``users.county``; blank: the whole register, as for
  the city administrator and for every single-county register);
- after signing in, the program confines its server connection to that county
  (``Database.confine``: the session setting ``safecredit.county``), and the server's
  row-level security policies filter every statement on ``units`` and the record
  tables by it — reads, updates, deletes, and inserts (``WITH CHECK``) — so no query of
  the core can forget the filter;
- a county's own login role can be pinned to its county by the server's administrator
  (``ALTER ROLE … SET safecredit.county = '凤凰县'``): the policies read that pinned value
  from the catalogue, which a client cannot change, so the county stays confined even
  outside the program (psql with the same role).

The policies bind the roles that do not own the tables (the program's working role and
the county roles); the owner role runs the migrations and is the city administrator's.
On SQLite a county on an account means nothing and is refused when signing in.

What is confined: ``units``, the record tables (检查、处罚、事故 …) and the stored live
grades (a county's regrading replaces its own rows only; the register's grading day,
``unit_grades_state``, is moved by the city side only). The workflows'
tables (documents and their 文号, lists, objections, repairs, draws, plans, assessments)
are the register's as a whole; README says so.
"""

from __future__ import annotations

import dataclasses
import re
import sqlite3
from typing import Any

from safecredit_desktop.core.errors import StorageError
from safecredit_desktop.core.storage import dialect, migrations
from safecredit_desktop.core.storage.tables import TABLES

SETTING = "safecredit.county"
FUNCTION = "safecredit_county"
POLICY = "safecredit_county_rows"

# The county this connection is confined to, or NULL (the whole register): the value
# pinned on the login role in the catalogue wins over the session's setting.
FUNCTION_SQL = (
    f"CREATE FUNCTION {FUNCTION}() RETURNS text STABLE LANGUAGE sql AS $$"
    " SELECT coalesce((SELECT substr(c, length('safecredit.county=') + 1)"
    " FROM pg_db_role_setting s, unnest(s.setconfig) AS c"
    " WHERE s.setrole = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
    " AND s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))"
    " AND c LIKE 'safecredit.county=%' ORDER BY s.setdatabase DESC LIMIT 1),"
    " nullif(current_setting('safecredit.county', true), '')) $$"
)
# The largest id of a table over every county (ids are the register's, not a county's).
MAX_ID = "safecredit_max_id"
MAX_ID_SQL = (
    f"CREATE FUNCTION {MAX_ID}(t regclass) RETURNS bigint STABLE SECURITY DEFINER"
    " SET search_path = public LANGUAGE plpgsql AS $$ DECLARE found bigint; BEGIN"
    " EXECUTE format('SELECT coalesce(max(id), 0) FROM %s', t) INTO found; RETURN found;"
    " END $$"
)
_COUNTY = f"(SELECT {FUNCTION}())"
UNITS_RULE = f"{_COUNTY} IS NULL OR reporter = {_COUNTY}"
RECORDS_RULE = (
    f"{_COUNTY} IS NULL OR unit_id IN (SELECT units.id FROM units WHERE units.reporter = {_COUNTY})"
)


def installed_in() -> int:
    """The schema version whose migration installs the policies."""
    return next(
        m.version
        for m in migrations.available_migrations()
        if m.path.stem.endswith("_city_counties")
    )


def confined_tables() -> tuple[str, ...]:
    """The tables whose rows a county user sees only for its own units."""
    keyed = (s.name for s in TABLES if "unit_id" in {f.name for f in dataclasses.fields(s.record)})
    # the stored live grades too: a county's regrading replaces its own rows only
    return ("units", *keyed, "unit_grades", "unit_grades_stale")


def rule_of(table: str) -> str:
    return UNITS_RULE if table == "units" else RECORDS_RULE


def install(conn: sqlite3.Connection) -> None:
    """The function and the policies (a migration step, inside its transaction).

    ``sc_next_id`` (new ids as max + 1) becomes SECURITY DEFINER: it must see every
    county's rows, or a county's insert would take an id another county holds."""
    raw: Any = conn
    raw.execute_raw(FUNCTION_SQL)
    raw.execute_raw(MAX_ID_SQL)
    raw.execute_raw("ALTER FUNCTION sc_next_id() SECURITY DEFINER SET search_path = public")
    for table in confined_tables():
        raw.execute_raw(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        raw.execute_raw(f"CREATE POLICY {POLICY} ON {table} USING ({rule_of(table)})")


def has_policies(conn: sqlite3.Connection) -> bool:
    if not dialect.is_postgres(conn):
        return False
    row = conn.execute("SELECT to_regprocedure(?) IS NOT NULL", (f"{FUNCTION}()",)).fetchone()
    return bool(row[0])


def current(conn: sqlite3.Connection) -> str:
    """The county this connection sees ('' for the whole register)."""
    if not has_policies(conn):
        return ""
    row = conn.execute(f"SELECT coalesce({FUNCTION}(), '')").fetchone()
    return str(row[0])


def max_id(conn: sqlite3.Connection, table: str, *, confined: bool) -> int:
    """The largest id in ``table``, every county's rows counted (a county's connection
    sees its own only; new ids must not collide with the others')."""
    if confined:
        return int(conn.execute(f"SELECT {MAX_ID}(?)", (table,)).fetchone()[0])
    return int(conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0])


def bypasses_policies(conn: sqlite3.Connection) -> bool:
    """Whether the server lets this role past the policies (superuser, BYPASSRLS, or
    the tables' owner): such a connection cannot be confined to a county."""
    row = conn.execute(
        "SELECT r.rolsuper OR r.rolbypassrls OR coalesce((SELECT pg_has_role(current_user,"
        " t.tableowner, 'USAGE') FROM pg_tables t WHERE t.schemaname = current_schema()"
        " AND t.tablename = 'units'), FALSE) FROM pg_roles r WHERE r.rolname = current_user"
    ).fetchone()
    return bool(row[0])


def confine(conn: sqlite3.Connection, county: str, *, where: str) -> str:
    """Confine the connection to ``county`` (an account's county); returns the county
    it now sees. Refused where the server would not hold the confinement."""
    county = county.strip()
    if not county:
        return current(conn)
    if not dialect.is_postgres(conn):
        raise StorageError(
            f"县级账户（{county}）只在市级数据库服务器上使用；本数据库文件 {where} 不分县，"
            "请用不属于某个县的账户登录。"
        )
    if not has_policies(conn):
        raise StorageError(
            f"服务器上的数据库 {where} 尚未升级，不能按县使用，请先由所有者账户打开一次。"
        )
    if bypasses_policies(conn):
        raise StorageError(
            f"县级账户（{county}）不能通过数据库所有者或超级用户账户连接 {where}"
            "（这些账户不受按县的行级安全策略限制）。请用本程序的工作账户"
            "（如 safecredit_app）或本县的数据库账户连接。"
        )
    pinned = current(conn)
    if pinned and pinned != county:
        raise StorageError(
            f"连接所用的数据库账户属于“{pinned}”，而此用户属于“{county}”，不能登录。"
        )
    conn.execute("SELECT set_config(?, ?, false)", (SETTING, county))
    return current(conn)


_SPACE = re.compile(r"[\s()]+")


def _normal(expression: str) -> str:
    """An expression as the server prints it, without spaces, brackets and the
    ``AS safecredit_county`` labels it adds, for comparing with ours."""
    text = _SPACE.sub("", expression)
    return text.replace(f"AS{FUNCTION}", "")


def known_policy(table: str, name: str, qual: str | None, check: str | None) -> bool:
    """Whether a policy found on the server is the program's own, unchanged."""
    return (
        name == POLICY
        and table in confined_tables()
        and check is None
        and qual is not None
        and _normal(qual) == _normal(rule_of(table))
    )


def problems(conn: sqlite3.Connection) -> list[str]:
    """The county policies that are missing, switched off or changed (``check``)."""
    if not dialect.is_postgres(conn) or migrations.schema_version(conn) < installed_in():
        return []
    found: list[str] = []
    policies = {
        str(table): (str(name), qual, check, str(command), str(permissive))
        for name, table, qual, check, command, permissive in conn.execute(
            "SELECT policyname, tablename, qual, with_check, cmd, permissive FROM pg_policies"
            " WHERE schemaname = current_schema() AND policyname = ?",
            (POLICY,),
        )
    }
    enabled = {
        str(name): bool(on)
        for name, on in conn.execute(
            "SELECT c.relname, c.relrowsecurity FROM pg_class c JOIN pg_namespace n"
            " ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'"
        )
    }
    body = FUNCTION_SQL.split("$$")[1]
    bodies = {FUNCTION: body, MAX_ID: MAX_ID_SQL.split("$$")[1]}
    sources = dict(dialect.pg_function_sources(conn, bodies))
    for name, wanted in bodies.items():
        if name not in sources:
            found.append(f"数据库结构中缺少函数 {name}：它被程序以外的工具删除了。")
        elif str(sources[name]) != wanted:
            found.append(
                f"数据库结构中函数 {name} 的定义与本程序建立的不同：它被程序以外的工具改动过。"
            )
    for table in confined_tables():
        policy = policies.get(table)
        if not enabled.get(table, False):
            found.append(f"数据表 {table} 的按县行级安全已被关闭：县级账户可能看到其他县的企业。")
        if policy is None:
            found.append(
                f"数据表 {table} 缺少按县的行级安全策略 {POLICY}：它被程序以外的工具删除了。"
            )
        elif not (
            known_policy(table, policy[0], policy[1], policy[2])
            and policy[3] == "ALL"
            and policy[4] == "PERMISSIVE"
        ):
            found.append(f"数据表 {table} 的按县行级安全策略 {POLICY} 被程序以外的工具改动过。")
    return found
