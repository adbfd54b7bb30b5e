"""A city server (issue 19): several counties' registers in one PostgreSQL database.

Each unit keeps its 报送单位 (the county); a county's account sees and changes only its
county's units and their records — the program confines its connection after signing
in and the server's row-level security filters every statement; a county's own login
role pinned to its county stays confined even when it sets the session value itself;
statistics group by county; the whole-register jobs (check, backup, copy) are the city
administrator's, and ``check`` notices the policies switched off or changed."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.errors import StorageError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.storage import county
from safecredit_desktop.core.storage.location import ServerLocation, parse_server
from safecredit_desktop.core.validate import uscc_check_character

TODAY = date(2026, 11, 21)
FH, LS = "凤凰县应急管理局", "蓝山县应急管理局"
_numbers = itertools.count(1)
_roles = itertools.count(1)


def uscc(n: int) -> str:
    first = f"91431200MA{n:07d}"
    return first + uscc_check_character(first)


def as_role(location: ServerLocation, role: str) -> ServerLocation:
    return parse_server(location.url.replace(f"{location.user}@", f"{role}@"))


def _unit(name: str, reporter: str) -> model.Unit:
    return model.Unit(uscc=uscc(next(_numbers)), name=name, category="非煤矿山", reporter=reporter)


@pytest.fixture
def city(pg: ServerLocation) -> Iterator[ServerLocation]:
    """A city register: 2 units of 凤凰县 (one inspected), 1 of 蓝山县 (with the highest
    id), a city administrator and one account per county."""
    session = core.init_database(
        pg,
        profile="fenghuang",
        bureau_name="测试市应急管理局",
        user="市管理员",
        admin=("city", "city-password"),
    )
    try:
        first = _unit("凤凰第一矿业有限公司", FH)
        session.records.save(first)
        session.records.save(_unit("凤凰第二化工有限公司", FH))
        session.records.save(_unit("蓝山建材有限公司", LS))
        session.records.save(model.Inspection(unit_id=int(first.id or 0), inspected_on=TODAY))
        for name, where in (("fh", FH), ("ls", LS)):
            session.accounts.create_user(name, f"{name}-password", {Role.ADMIN, Role.CLERK})
            session.accounts.set_county(name, where)
    finally:
        session.close()
    yield pg


def _app(location: ServerLocation) -> ServerLocation:
    import pg_server

    return as_role(location, pg_server.APP)


def test_a_county_user_sees_and_changes_only_its_county(city: ServerLocation) -> None:
    session = core.sign_in(_app(city), "fh", "fh-password")
    try:
        assert session.db.county == FH
        assert session.units.count() == 2
        assert [name for _, _, name in session.units.search("公司")] == sorted(
            ["凤凰第一矿业有限公司", "凤凰第二化工有限公司"]
        ) or len(session.units.search("公司")) == 2
        assert session.units.search("蓝山") == []
        conn = session.db.conn
        assert conn.execute("SELECT count(*) FROM inspections").fetchone()[0] == 1
        # A unit entered with a blank 报送单位 is the county's; its id does not collide
        # with the other county's rows the connection cannot see.
        new = _unit("凤凰新建砖厂", "")
        session.records.save(new)
        assert new.reporter == FH
        with pytest.raises(StorageError, match="只能登记和修改本县"):
            session.records.save(_unit("别县的企业", LS))
        # Behind the program, on the same connection: the server filters as well.
        assert (
            conn.execute("UPDATE units SET address = 'x' WHERE reporter = ?", (LS,)).rowcount == 0
        )
        with pytest.raises(sqlite3.OperationalError, match="row-level security"):
            conn.execute(
                "INSERT INTO units (id, uscc, name, category, reporter)"
                " VALUES (99999, ?, '偷放', '非煤矿山', ?)",
                (uscc(9_999_001), LS),
            )
        # The whole-register jobs are the city administrator's.
        with pytest.raises(StorageError, match="市级管理员"):
            core.backup_now(session.db.location, user="fh")
        worker = session.reopen()
        try:
            assert worker.db.county == FH and worker.units.count() == 3
        finally:
            worker.close()
    finally:
        session.close()
    whole = core.open_session(city, user="市管理员")
    try:
        assert whole.units.count() == 4
        reporters = dict(
            whole.db.conn.execute("SELECT name, reporter FROM units WHERE name = '凤凰新建砖厂'")
        )
        assert reporters == {"凤凰新建砖厂": FH}
        stats = whole.reports.statistics(as_of=TODAY, group_by_reporter=True)
        assert stats.by_reporter is not None
        assert {FH, LS} <= set(stats.by_reporter.rows)
        assert sum(stats.by_reporter.cells[stats.by_reporter.rows.index(FH)]) == 3
    finally:
        whole.close()
    assert core.check_database(city).problems == []


def test_a_county_user_statistics_are_its_county(city: ServerLocation) -> None:
    session = core.sign_in(_app(city), "ls", "ls-password")
    try:
        stats = session.reports.statistics(as_of=TODAY, group_by_reporter=True)
        assert stats.units == 1
        table = stats.by_reporter
        assert table is not None and set(table.rows) <= {LS, "测试市应急管理局"}
        assert sum(table.cells[table.rows.index(LS)]) == 1
    finally:
        session.close()


def test_a_county_account_is_refused_where_it_cannot_be_confined(
    city: ServerLocation, tmp_path: Path
) -> None:
    # The owner role is not bound by the policies: a county account may not use it.
    with pytest.raises(StorageError, match="不能通过数据库所有者"):
        core.sign_in(city, "fh", "fh-password")
    # A file does not have counties.
    copy = tmp_path / "county.db"
    core.copy_register(city, copy)
    with pytest.raises(StorageError, match="只在市级数据库服务器上使用"):
        core.sign_in(copy, "fh", "fh-password")
    # The city administrator's account is not confined.
    whole = core.sign_in(_app(city), "city", "city-password")
    try:
        assert whole.db.county == "" and whole.units.count() == 3
    finally:
        whole.close()


def _county_role(pg_cluster: object, location: ServerLocation, where: str) -> ServerLocation:
    """A county's own login role, pinned to its county, as README sets one up."""
    import pg_server

    role = f"sc_county_{next(_roles)}_{location.dbname}"
    server = pg_cluster.server  # type: ignore[attr-defined]
    server.psql(
        f"CREATE ROLE {role} LOGIN IN ROLE {pg_server.APP};"
        f" ALTER ROLE {role} IN DATABASE {location.dbname} SET safecredit.county = '{where}'"
    )
    return as_role(location, role)


def test_a_county_role_stays_confined_outside_the_program(
    city: ServerLocation, pg_cluster: object
) -> None:
    pinned = _county_role(pg_cluster, city, LS)
    with psycopg.connect(pinned.url, autocommit=True) as raw:
        raw.execute("SELECT set_config('safecredit.county', '', false)")
        assert raw.execute("SELECT count(*) FROM units").fetchone()[0] == 1
        raw.execute("SET safecredit.county = '凤凰县应急管理局'")
        assert raw.execute("SELECT name FROM units").fetchall() == [("蓝山建材有限公司",)]
        assert raw.execute("SELECT count(*) FROM inspections").fetchone()[0] == 0
        assert raw.execute("UPDATE units SET address = 'x'").rowcount == 1
    session = core.open_session(pinned, user="蓝山县窗口")
    try:
        assert session.db.county == LS and session.units.count() == 1
    finally:
        session.close()
    with pytest.raises(StorageError, match=r"整库检查.*市级管理员"):
        core.check_database(pinned)
    with pytest.raises(StorageError, match="属于“蓝山县应急管理局”"):
        core.sign_in(pinned, "fh", "fh-password")


def test_check_finds_the_county_policies_switched_off_or_changed(city: ServerLocation) -> None:
    assert core.check_database(city).problems == []
    with psycopg.connect(city.url, autocommit=True) as raw:
        raw.execute("ALTER TABLE inspections DISABLE ROW LEVEL SECURITY")
        raw.execute(f"DROP POLICY {county.POLICY} ON penalties")
        raw.execute(f"ALTER POLICY {county.POLICY} ON units USING (true)")
    problems = "\n".join(core.check_database(city).problems)
    assert "inspections 的按县行级安全已被关闭" in problems
    assert "penalties 缺少按县的行级安全策略" in problems
    assert "units 的按县行级安全策略" in problems and "改动过" in problems
    with psycopg.connect(city.url, autocommit=True) as raw:
        raw.execute(
            "CREATE OR REPLACE FUNCTION safecredit_county() RETURNS text STABLE"
            " LANGUAGE sql AS $$ SELECT NULL::text $$"
        )
    assert "函数 safecredit_county 的定义" in "\n".join(core.check_database(city).problems)


def test_an_account_county_change_is_audited(city: ServerLocation) -> None:
    session = core.sign_in(city, "city", "city-password")
    try:
        session.accounts.set_county("fh", LS)
        assert session.accounts.county_of("fh") == LS
        entry = session.db.conn.execute(
            "SELECT after FROM audit_log WHERE table_name = 'users' AND row_key = 'fh'"
            " ORDER BY id DESC LIMIT 1"
        ).fetchone()[0]
        assert LS in entry
    finally:
        session.close()
    assert core.check_database(city).problems == []


def test_a_county_regrading_keeps_the_other_counties_stored_grades(city: ServerLocation) -> None:
    whole = core.open_session(city, user="市管理员")
    try:
        whole.grading.settle_live(today=TODAY)
        count = "SELECT count(*) FROM unit_grades"
        assert whole.db.conn.execute(count).fetchone()[0] == 3
    finally:
        whole.close()
    session = core.sign_in(_app(city), "fh", "fh-password")
    try:
        # a whole regrading of what the county sees, and the next day's
        session.grading.settle_live(today=TODAY)
        session.records.save(_unit("凤凰新建砖厂", ""))
        session.grading.settle_live(today=date(2026, 11, 22))
        assert session.db.conn.execute("SELECT count(*) FROM unit_grades").fetchone()[0] == 3
    finally:
        session.close()
    whole = core.open_session(city, user="市管理员")
    try:
        graded = dict(
            whole.db.conn.execute(
                "SELECT u.reporter, count(*) FROM unit_grades g JOIN units u ON u.id = g.unit_id"
                " GROUP BY u.reporter"
            ).fetchall()
        )
        assert graded == {FH: 3, LS: 1}
        state = whole.db.conn.execute("SELECT settled_on FROM unit_grades_state").fetchone()[0]
        assert state == TODAY.isoformat()  # the register's day is the city side's to move
    finally:
        whole.close()
    assert core.check_database(city).problems == []
