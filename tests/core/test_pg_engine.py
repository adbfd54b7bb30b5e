"""PostgreSQL as the shared store (issue 19): the dialect's translations, roles and
passwords, the structure check on the server, immutability, and moving a register
between engines with ``copy``, a server's backup and its restore."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import psycopg
import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.errors import StorageError
from safecredit_desktop.core.storage import audit, dialect
from safecredit_desktop.core.storage.connection import Database, PasswordNeededError
from safecredit_desktop.core.storage.location import ServerLocation, parse, parse_server
from safecredit_desktop.core.storage.migrations import latest_version

TODAY = date(2026, 11, 21)
ROOT = Path(__file__).resolve().parents[2]


# -- the dialect -------------------------------------------------------------------------------


def test_statements_are_translated_outside_literals() -> None:
    (sql,) = dialect.to_postgres(
        "SELECT user, a.user FROM audit_log a WHERE note LIKE ? AND x = '?%' AND"
        " instr(name, ?) > 0 AND b IS ? AND c IS NOT ? AND d IS NOT NULL"
    )
    assert sql == (
        'SELECT "user", a."user" FROM audit_log a WHERE note ILIKE %s ESCAPE \'\' AND'
        " x = '?%%' AND strpos(name, %s) > 0 AND b IS NOT DISTINCT FROM %s AND"
        " c IS DISTINCT FROM %s AND d IS NOT NULL"
    )
    (kept,) = dialect.to_postgres("SELECT 1 FROM units u WHERE u.name LIKE ? ESCAPE '\\'")
    assert kept.endswith("u.name ILIKE %s ESCAPE '\\'")
    (glob,) = dialect.to_postgres("SELECT 1 FROM units WHERE name_letters GLOB ?")
    assert glob.endswith("name_letters LIKE sc_glob(%s)")  # sc_glob escapes with \\
    (named,) = dialect.to_postgres("UPDATE t SET a = :a WHERE b = :b::text", "named")
    assert named == "UPDATE t SET a = %(a)s WHERE b = %(b)s::text"


def test_ddl_and_triggers_are_translated() -> None:
    table = dialect.ddl_to_postgres(
        "CREATE TABLE x (\n id INTEGER PRIMARY KEY,\n unit_id INTEGER NOT NULL REFERENCES"
        " units (id),\n amount REAL NOT NULL DEFAULT 0,\n pdf BLOB,\n note TEXT NOT NULL"
        " DEFAULT '',\n CHECK ((a IS NOT NULL) + (b IS NOT NULL) = 1)\n) STRICT;"
    )
    assert table[0] == (
        "CREATE TABLE x (\n id BIGINT PRIMARY KEY,\n unit_id BIGINT NOT NULL REFERENCES"
        " units (id) DEFERRABLE INITIALLY IMMEDIATE,\n amount DOUBLE PRECISION NOT NULL"
        " DEFAULT 0,\n pdf BYTEA,\n note TEXT COLLATE \"C\" NOT NULL DEFAULT '',\n"
        " CHECK ((a IS NOT NULL)::int + (b IS NOT NULL)::int = 1)\n)"
    )
    assert table[1] == (
        "CREATE TRIGGER x_next_id BEFORE INSERT ON x FOR EACH ROW EXECUTE FUNCTION sc_next_id()"
    )
    function, trigger = dialect.ddl_to_postgres(
        "CREATE TRIGGER t_only BEFORE UPDATE ON t\nWHEN OLD.a IS NOT NULL OR NEW.b IS NOT OLD.b"
        "\nBEGIN\n    SELECT RAISE(ABORT, '不能修改');\nEND;"
    )
    assert "IF OLD.a IS NOT NULL OR NEW.b IS DISTINCT FROM OLD.b THEN" in function
    assert "ERRCODE = '23000', MESSAGE = '不能修改'" in function and "RETURN NEW" in function
    assert (
        trigger == "CREATE TRIGGER t_only BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION t_only()"
    )
    # an AFTER trigger's statements run in a PL/pgSQL function (the live-grade marks)
    function, trigger = dialect.ddl_to_postgres(
        "CREATE TRIGGER marks AFTER INSERT ON t BEGIN\n"
        "    INSERT INTO s (id) VALUES (NEW.a) ON CONFLICT DO NOTHING;\nEND"
    )
    assert function == (
        "CREATE FUNCTION marks() RETURNS trigger LANGUAGE plpgsql AS $marks$ BEGIN"
        " INSERT INTO s (id) VALUES (NEW.a) ON CONFLICT DO NOTHING; RETURN NULL; END $marks$"
    )
    assert trigger == "CREATE TRIGGER marks AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION marks()"
    with pytest.raises(ValueError):  # a kind of trigger the dialect has no rule for
        dialect.ddl_to_postgres("CREATE TRIGGER odd INSTEAD OF INSERT ON v BEGIN SELECT 1; END")


def test_a_server_url_is_checked() -> None:
    found = parse("postgresql://clerk@db.county.local:6543/register?sslmode=require")
    assert isinstance(found, ServerLocation)
    assert (found.user, found.host, found.port, found.dbname) == (
        "clerk",
        "db.county.local",
        6543,
        "register",
    )
    assert parse("/tmp/x.db") == Path("/tmp/x.db")
    with pytest.raises(StorageError, match="不能写密码"):
        parse_server("postgresql://clerk:secret@host/db")
    with pytest.raises(StorageError, match="sslmode"):
        parse_server("postgresql://clerk@host/db?sslmode=maybe")
    with pytest.raises(StorageError, match="不完整"):
        parse_server("postgresql://host/db")


# -- a register on the server ------------------------------------------------------------------


def _county(location: object, enterprises: int = 30) -> None:
    session = core.init_database(
        location,  # type: ignore[arg-type]
        profile="fenghuang",
        bureau_name="测试县应急管理局",
        user="管理员",
        admin=("admin", "admin-password"),
    )
    core.fill_demo(session, enterprises=enterprises, seed=3, today=TODAY)
    units = session.units.of_grade("C", TODAY)
    request = core.DocumentRequest("grade-notice", unit_ids=(units[0],), as_of=TODAY)
    session.documents.issue(request, today=TODAY)
    session.draws.make(year=2026, seed="县局2026第1次")
    session.close()


def _grades(location: object) -> str:
    session = core.open_session(location, user="核对")  # type: ignore[arg-type]
    try:
        results = session.grading.grade(as_of=TODAY)
        return json.dumps([r.as_json() for r in results], ensure_ascii=False, sort_keys=True)
    finally:
        session.close()


def test_the_app_role_reads_and_writes_but_builds_no_tables(
    pg: ServerLocation, pg_cluster, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    app = parse_server(pg.url.replace("safecredit_owner@", "safecredit_app@"))
    with pytest.raises(StorageError, match=r"没有在服务器数据库.*建立或升级数据表的权限"):
        Database.create(app)
    _county(pg, enterprises=5)
    session = core.sign_in(app, "admin", "admin-password")
    try:
        unit = model.Unit(uscc="91433123MA4L0K2X5B", name="凤凰矿业有限公司", category="非煤矿山")
        session.records.save(unit)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            session.db.conn.execute("DROP TABLE units")
    finally:
        session.close()
    assert core.check_database(app).problems == []
    # An older register (the previous schema's sample, copied to the server as it is):
    # the app role is told to let the owner upgrade, nothing changes; the owner's opening
    # backs it up and upgrades it.
    from safecredit_desktop.core.paths import install_root
    from safecredit_desktop.core.storage import copying

    older = pg_cluster.fresh()
    sample = install_root() / "db" / "samples" / f"v{latest_version() - 1}.db"
    copy = tmp_path / sample.name
    shutil.copyfile(sample, copy)
    copying.copy_register(copy, older, as_is=True)
    older_app = parse_server(older.url.replace("safecredit_owner@", "safecredit_app@"))
    with pytest.raises(StorageError, match=r"需要从数据结构版本 \d+ 升级.*所有者账户"):
        core.open_session(older_app, user="录入")
    assert core.backups_of(older_app) == []
    core.open_session(older, user="所有者").close()
    assert [b.reason for b in core.backups_of(older)] == [f"upgrade-v{latest_version() - 1}"]
    assert core.check_database(older_app).problems == []
    pg_cluster.drop(older)


def test_a_password_is_asked_for_and_never_in_the_url(pg: ServerLocation, pg_cluster) -> None:  # type: ignore[no-untyped-def]
    _county(pg, enterprises=3)
    import pg_server

    needs = parse_server(pg.url.replace("safecredit_owner@", f"{pg_server.PASSWORD_USER}@"))
    with pytest.raises(PasswordNeededError, match="尚未提供"):
        Database.open(needs)
    with pytest.raises(PasswordNeededError, match="不对"):
        Database.open(needs.with_password("wrong"))
    with Database.open(needs.with_password(pg_server.PASSWORD)) as db:
        assert db.conn.execute("SELECT count(*) FROM units").fetchone()[0] == 3
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PGPASSWORD", None)
    run = [sys.executable, "-m", "safecredit_desktop.cli", "--db", needs.url, "find", "凤凰"]
    refused = subprocess.run(run, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
    assert refused.returncode == 1 and "PGPASSWORD" in refused.stderr
    assert "Traceback" not in refused.stderr
    allowed = subprocess.run(
        run,
        capture_output=True,
        text=True,
        env={**env, "PGPASSWORD": pg_server.PASSWORD},
        stdin=subprocess.DEVNULL,
    )
    assert allowed.returncode == 0, allowed.stderr


def test_issued_documents_and_draws_stay_immutable_on_the_server(pg: ServerLocation) -> None:
    _county(pg, enterprises=10)
    with Database.open(pg) as db:
        with pytest.raises(sqlite3.IntegrityError, match="已出具的文书不能修改"):
            db.conn.execute("UPDATE documents SET subject = 'x'")
        with pytest.raises(sqlite3.IntegrityError, match="已出具的文书文件不能删除"):
            db.conn.execute("DELETE FROM document_files")


def _owner(location: ServerLocation) -> psycopg.Connection:  # type: ignore[type-arg]
    return psycopg.connect(location.url, autocommit=True)


def test_check_finds_changes_made_behind_the_program_on_the_server(pg: ServerLocation) -> None:
    _county(pg, enterprises=10)
    assert core.check_database(pg).problems == []
    with _owner(pg) as raw:
        raw.execute("UPDATE units SET name = '改过的名字' WHERE id = 2")
        raw.execute("ALTER TABLE documents DISABLE TRIGGER documents_no_update")
        raw.execute(
            "CREATE OR REPLACE FUNCTION draws_no_delete() RETURNS trigger LANGUAGE plpgsql"
            " AS $$ BEGIN RETURN OLD; END $$"
        )
        raw.execute(
            "CREATE FUNCTION sneaky() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            " RETURN NEW; END $$"
        )
        raw.execute(
            "CREATE TRIGGER sneaky BEFORE INSERT ON penalties FOR EACH ROW"
            " EXECUTE FUNCTION sneaky()"
        )
        raw.execute("DROP INDEX units_town")
    problems = "\n".join(core.check_database(pg).problems)
    assert "改过的名字" in problems
    assert "触发器 documents_no_update（它保证“已出具的文书不能修改”） 被停用了" in problems
    assert "触发器 draws_no_delete 的定义与本程序建立的不同" in problems
    assert "多出触发器 sneaky（数据表 penalties）" in problems
    assert "缺少索引 units_town" in problems


# -- moving a register -------------------------------------------------------------------------


def test_copy_file_to_server_and_back_keeps_everything(
    tmp_path: Path,
    pg: ServerLocation,
    pg_cluster,  # type: ignore[no-untyped-def]
) -> None:
    import tamper_county

    source = tmp_path / "county.db"
    tamper_county.build(source)  # every table the program writes has rows
    expected = _grades(source)
    report = core.copy_register(source, pg)
    assert report.source.ok and report.target.ok, (report.source.problems, report.target.problems)
    assert report.counts["audit_log"] == report.source.audit_entries
    assert _grades(pg) == expected
    with Database.open(source) as a, Database.open(pg) as b:
        assert audit.head(a.conn) == audit.head(b.conn)
        for table in ("documents", "document_files", "users", "draws", "list_entries"):
            assert (
                a.conn.execute(f"SELECT count(*) FROM {table}").fetchone()
                == b.conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            )
        pdf = a.conn.execute("SELECT pdf FROM document_files ORDER BY id").fetchall()
        assert [bytes(r[0]) for r in pdf] == [
            bytes(r[0]) for r in b.conn.execute("SELECT pdf FROM document_files ORDER BY id")
        ]
    back = tmp_path / "back.db"
    again = core.copy_register(pg, back)
    assert again.target.ok and again.source.ok
    assert _grades(back) == expected
    # Records entered on the server after the copy get the next ids and entries.
    session = core.open_session(pg, user="录入")
    try:
        unit = model.Unit(uscc="91433123MA4L0K2X5B", name="新录入有限公司", category="非煤矿山")
        session.records.save(unit)
    finally:
        session.close()
    assert core.check_database(pg).problems == []
    with pytest.raises(StorageError, match="不是空的"):
        core.copy_register(source, pg)
    with pytest.raises(StorageError, match="数据库已存在"):
        core.copy_register(pg, back)


def test_a_server_backup_is_a_sqlite_file_that_restores(
    tmp_path: Path,
    pg: ServerLocation,
    pg_cluster,  # type: ignore[no-untyped-def]
) -> None:
    _county(pg, enterprises=12)
    expected = _grades(pg)
    copy = core.backup_now(pg, user="管理员")
    assert copy.read_bytes()[:16] == b"SQLite format 3\x00"
    assert core.check_restore_candidate(copy) >= 1
    assert _grades(copy) == expected
    session = core.open_session(pg, user="录入")
    try:
        before = _inspections(session)
        for unit_id in (1, 2):
            session.records.delete("inspections", _an_inspection(session, unit_id))
        assert _inspections(session) == before - 2
    finally:
        session.close()
    core.restore_from(pg, copy, user="管理员")
    assert _grades(pg) == expected
    with Database.open(pg) as db:
        assert db.conn.execute("SELECT count(*) FROM inspections").fetchone()[0] == before
    report = core.check_database(pg)
    assert report.problems == [], report.problems


def _an_inspection(session: core.Session, unit_id: int) -> int:
    found = session.db.conn.execute(
        "SELECT id FROM inspections WHERE unit_id = ? ORDER BY id LIMIT 1", (unit_id,)
    ).fetchone()
    assert found is not None
    return int(found[0])


def _inspections(session: core.Session) -> int:
    return int(session.db.conn.execute("SELECT count(*) FROM inspections").fetchone()[0])


def test_a_closed_server_connection_fails_as_sqlites_does(pg: ServerLocation) -> None:
    """The window closes its session on closing; a second close must stay quiet."""
    session = core.init_database(pg, profile="fenghuang", bureau_name="局", user="测试")
    session.close()
    with pytest.raises(sqlite3.ProgrammingError):
        session.db.conn.execute("SELECT 1")
    session.close()  # the verification it tries first is a database error, suppressed


def test_a_json_list_parameter_runs_on_the_server(pg: ServerLocation) -> None:
    """``col IN (SELECT value FROM json_each(?))`` (an import's stored records of the
    codes a sheet names) runs on both engines, for a number column (its values cast, the
    column left alone for its index) as for a text one."""
    sql = (
        "SELECT id FROM units WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))"
        " ORDER BY id"
    )
    assert dialect.to_postgres(sql) == (
        "SELECT id FROM units WHERE id IN (SELECT CAST(value AS INTEGER)"
        " FROM json_array_elements_text(CAST(%s AS json))) ORDER BY id",
    )
    _county(pg, enterprises=4)
    with Database.open(pg) as db:
        ids = [int(r[0]) for r in db.conn.execute("SELECT id FROM units ORDER BY id")]
        assert [r[0] for r in db.conn.execute(sql, (json.dumps(ids[1:3]),))] == ids[1:3]
        codes = "SELECT uscc FROM units WHERE uscc IN (SELECT value FROM json_each(?))"
        first = db.conn.execute("SELECT uscc FROM units ORDER BY id").fetchone()[0]
        assert db.conn.execute(codes, (json.dumps([first]),)).fetchall() == [(first,)]


def test_a_backup_to_a_server_address_is_refused_in_words(
    pg: ServerLocation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``backup --to postgresql://…`` once made folders named “postgresql:” in the
    working directory; a backup is a file (copy moves a register to a server)."""
    from safecredit_desktop.cli import main

    _county(pg, enterprises=2)
    monkeypatch.chdir(tmp_path)
    assert main(["--db", pg.url, "backup", "--to", pg.url]) == 1
    assert list(tmp_path.iterdir()) == []
