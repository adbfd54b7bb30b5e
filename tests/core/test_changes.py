"""Changes: every committed write reports the tables it touched; a rolled-back one
reports nothing; a connection belongs to the thread that opened it."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.scheduling.draw import DrawDetail
from safecredit_desktop.core.storage import dialect
from safecredit_desktop.core.storage.changes import (
    EVERYTHING,
    KNOWN_TABLES,
    Changes,
    Table,
    note_written,
)
from safecredit_desktop.core.storage.connection import WrongThreadError

TODAY = date(2026, 6, 15)


@pytest.fixture
def admin(session: core.Session) -> core.Session:
    session.role = Role.ADMIN  # the holiday table is the administrator's
    return session


def test_table_constants_are_the_schema(session: core.Session) -> None:
    assert dialect.table_names(session.db.conn) == KNOWN_TABLES


def test_changes_value() -> None:
    empty = Changes()
    assert not empty and str(empty) == "（无）"
    assert not Changes(frozenset({Table.AUDIT_LOG}))  # bookkeeping alone is no change
    both = Changes(frozenset({Table.UNITS})) | Changes(frozenset({Table.AUDIT_LOG}))
    assert both and Table.UNITS in both and both.data_tables == {"units"}
    assert both.touches([Table.PENALTIES, Table.UNITS]) and not both.touches([Table.DRAWS])
    assert EVERYTHING.touches([Table.HOLIDAYS])


def test_committed_write_reports_its_tables(admin: core.Session) -> None:
    session = admin
    session.take_changes()
    session.schedule.set_holiday("2031-10-01", "休息日", "国庆节")
    changes = session.take_changes()
    assert changes.data_tables == {Table.HOLIDAYS}
    assert Table.AUDIT_LOG in changes.tables
    assert not session.take_changes()  # taken: forgotten


def test_rolled_back_write_reports_nothing(admin: core.Session) -> None:
    session = admin
    session.take_changes()
    with pytest.raises(RuntimeError), session.db.transaction():
        session.schedule.set_holiday("2031-10-01", "休息日", "国庆节")
        raise RuntimeError("撤回")
    assert session.take_changes() == Changes()
    assert session.schedule.holidays(2031) == []


def test_rolled_back_savepoint_keeps_the_outer_tables(admin: core.Session) -> None:
    session = admin
    session.take_changes()
    with session.db.transaction():
        session.schedule.set_holiday("2031-10-01", "休息日", "国庆节")
        with pytest.raises(SafeCreditError), session.db.transaction():
            session.repo.insert(model.Inspector("张三", "J001", "执法大队"))
            raise SafeCreditError("内层撤回")
    assert session.take_changes().data_tables == {Table.HOLIDAYS}


def test_refused_write_reports_nothing(admin: core.Session) -> None:
    session = admin
    session.take_changes()
    with pytest.raises(SafeCreditError):
        session.schedule.set_holiday("不是日期", "休息日")
    assert not session.take_changes()


def test_autocommit_write_is_reported(session: core.Session) -> None:
    session.take_changes()
    session.db.conn.execute("DELETE FROM holidays")
    note_written(session.db.conn, Table.HOLIDAYS)
    assert session.take_changes().data_tables == {Table.HOLIDAYS}


# -- every table a service writes is reported -----------------------------------------------


def _digests(conn: sqlite3.Connection) -> dict[str, str]:
    found = {}
    for table in sorted(KNOWN_TABLES):
        digest = hashlib.sha256()
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY rowid"):
            digest.update(repr(row).encode())
        found[table] = digest.hexdigest()
    return found


@pytest.fixture
def county(tmp_path: Path) -> Iterator[core.Session]:
    opened = core.init_database(
        tmp_path / "county.db",
        profile="fenghuang",
        bureau_name="测试县应急管理局",
        user="管理员",
        admin=("管理员", "密码1234abcd"),
    )
    core.fill_demo(opened, enterprises=60, seed=5, today=TODAY)
    yield opened
    opened.close()


def _operations(s: core.Session) -> list[tuple[str, Callable[[], object]]]:
    unit_id = int(s.db.conn.execute("SELECT min(id) FROM units").fetchone()[0])
    penalty_id = int(s.db.conn.execute("SELECT min(id) FROM penalties").fetchone()[0])
    holder: dict[str, object] = {}

    def adopt() -> object:
        plan = s.schedule.plan(year=2026, today=TODAY)
        return s.schedule.adopt(plan)

    def draw() -> object:
        holder["draw"] = s.draws.make(year=2026, seed="种子", ratios={"A": "5%"})
        return holder["draw"]

    def annul() -> object:
        found = holder["draw"]
        assert isinstance(found, DrawDetail)
        s.draws.annul(found.summary.id, "测试作废")
        return None

    def edit_unit() -> object:
        unit = s.records.get("units", unit_id)
        return s.records.save(replace(unit, town=unit.town + "新"))

    return [
        ("save", edit_unit),
        ("undo", lambda: s.records.undo()),
        ("holiday", lambda: s.schedule.set_holiday("2031-05-01", "休息日", "劳动节")),
        ("holiday removed", lambda: s.schedule.remove_holiday("2031-05-01")),
        ("settings", lambda: s.settings.set_bureau({"单位名称": "改名县应急管理局"})),
        ("inspector", lambda: s.draws.save_inspector(model.Inspector("甲", "Z9", "大队"))),
        ("plan", adopt),
        ("draw", draw),
        ("annul", annul),
        (
            "objection",
            lambda: s.objections.file(
                table="penalties", record_id=penalty_id, content="不服", filed_on=TODAY
            ),
        ),
        (
            "permit",
            lambda: s.publicity.add_permit(
                unit_id=unit_id, permit_no="许字001", kind="危险化学品经营许可", decided_on=TODAY
            ),
        ),
        (
            "commitment",
            lambda: s.publicity.record_commitment_signed(
                unit_id=unit_id, kind="单位承诺", signed_on=TODAY
            ),
        ),
        (
            "delete",
            lambda: s.records.delete(
                "commitments",
                int(s.db.conn.execute("SELECT max(id) FROM commitments").fetchone()[0]),
            ),
        ),
        (
            "documents",
            lambda: s.documents.issue(
                core.DocumentRequest("commitment", unit_ids=(unit_id,)), today=TODAY
            ),
        ),
    ]


def test_every_written_table_is_reported(county: core.Session) -> None:
    s = county
    s.role = Role.ADMIN
    s.take_changes()
    for name, operation in _operations(s):
        before = _digests(s.db.conn)
        operation()
        after = _digests(s.db.conn)
        written = {t for t in KNOWN_TABLES if before[t] != after[t]}
        reported = s.take_changes().tables
        assert written, name
        assert written <= reported, (name, written - reported)
        assert reported <= written | {Table.AUDIT_CHECKPOINT}, (name, reported - written)


# -- one connection, one thread ----------------------------------------------------------------


def _in_thread(work: Callable[[], object]) -> BaseException | object:
    outcome: list[BaseException | object] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return outcome[0]


def test_connection_refuses_another_thread(admin: core.Session) -> None:
    session = admin
    refused = _in_thread(lambda: session.schedule.set_holiday("2031-10-01", "休息日"))
    assert isinstance(refused, WrongThreadError | sqlite3.ProgrammingError)
    read = _in_thread(lambda: session.schedule.holidays(2031))
    assert isinstance(read, sqlite3.ProgrammingError)  # sqlite3 checks every call
    assert session.schedule.holidays(2031) == []


def test_reopen_is_a_second_connection_of_the_same_user(admin: core.Session) -> None:
    session = admin
    session.take_changes()

    def job() -> Changes:
        own = session.reopen()
        try:
            assert (own.user, own.role, own.db.path) == (session.user, Role.ADMIN, session.db.path)
            assert own.db.conn is not session.db.conn
            own.schedule.set_holiday("2031-10-01", "休息日", "国庆节")
            return own.take_changes()
        finally:
            own.close()

    changes = _in_thread(job)
    assert isinstance(changes, Changes) and changes.data_tables == {Table.HOLIDAYS}
    assert not session.take_changes()  # the window's connection wrote nothing
    session.absorb_changes(changes)
    assert session.take_changes().data_tables == {Table.HOLIDAYS}
    assert [h.name for h in session.schedule.holidays(2031)] == ["国庆节"]


def test_worker_transaction_is_not_joined_by_the_window(admin: core.Session) -> None:
    """The lost save, in the core: a worker's open transaction on its own connection;
    the window's write waits for it instead of joining it, and survives its rollback."""
    session = admin
    if not dialect.is_postgres(session.db.conn):  # the server's lock waits without a limit
        session.db.conn.execute("PRAGMA busy_timeout = 60000")
    holding, release = threading.Event(), threading.Event()

    def job() -> None:
        own = session.reopen()
        try:
            with own.db.transaction():
                own.repo.insert(model.Inspector("乙", "J002", "执法大队"))
                holding.set()
                release.wait()
                raise SafeCreditError("取消")
        finally:
            own.close()

    outcome: list[BaseException] = []

    def run() -> None:
        try:
            job()
        except SafeCreditError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    holding.wait()
    assert not session.db.in_transaction
    release.set()  # the window's write below waits for the worker's lock, then succeeds
    session.schedule.set_holiday("2031-10-01", "休息日", "国庆节")
    worker.join()
    assert [str(e) for e in outcome] == ["取消"]
    assert [h.name for h in session.schedule.holidays(2031)] == ["国庆节"]
    assert session.draws.inspectors() == []
