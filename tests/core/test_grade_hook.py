"""Records written get their live grades cached however the register is opened — the way
the window (sign in), the CLI (a command in its own process) and the tests (init, also on
PostgreSQL) open it — although storage no longer imports the grade cache: core.app, which
opens every register, installs its before-commit hook (grade_cache.install()).

Each write runs in a fresh interpreter that imports only ``core.app``, so nothing the test
process imported earlier can have put the hook in place."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from typing import Any

import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core.grade_facts import grade_all
from safecredit_desktop.core.validate import uscc_check_character

ADMIN, PASSWORD = "管理员", "Hook-test-2026"
TODAY = date.today()

# Writes a unit and an accident with a death through a session opened as ``way`` says.
_WRITER = r"""
import sys
from datetime import date, timedelta

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.storage.location import parse

location, way, uscc = parse(sys.argv[1]), sys.argv[2], sys.argv[3]
if way == "sign_in":
    session = core.sign_in(location, sys.argv[4], sys.argv[5])
else:
    session = core.open_session(location, user="测试")
try:
    unit_id = session.records.save(
        model.Unit(uscc=uscc, name="凤凰县沱江化工有限公司", category="危险化学品", town="沱江镇")
    )
    day = date.today() - timedelta(days=10)
    session.records.save(model.Accident(unit_id, day, "一般", deaths=1, responsible="是"))
finally:
    session.close()
"""


def code(n: int) -> str:
    first17 = f"91433123{n:09d}"
    return first17 + uscc_check_character(first17)


def in_fresh_process(*args: str) -> None:
    done = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=dict(os.environ)
    )
    assert done.returncode == 0, done.stderr


def assert_cached(location: Any, units: int) -> None:
    """No unit left stale, and every unit's stored grade is a fresh grade's."""
    session = core.open_session(location, user="测试")
    try:
        conn = session.db.conn
        assert conn.execute("SELECT count(*) FROM unit_grades_stale").fetchone()[0] == 0
        day = date.fromisoformat(
            conn.execute("SELECT settled_on FROM unit_grades_state").fetchone()[0]
        )
        stored = dict(conn.execute("SELECT unit_id, grade FROM unit_grades").fetchall())
        fresh = {r.unit_id: r.grade for r in grade_all(session.db, session.profile, day)}
        assert len(stored) == units
        assert stored == fresh
    finally:
        session.close()


@pytest.fixture
def register(db_path: Any) -> Any:
    """A register made as the tests make one (``core.init_database``: a file, or a
    server database under SAFECREDIT_TEST_ENGINE=postgresql), with an administrator."""
    session = core.init_database(
        db_path, profile="fenghuang", bureau_name="测试县应急管理局", user="测试",
        admin=(ADMIN, PASSWORD),
    )  # fmt: skip
    session.close()
    return db_path


@pytest.mark.parametrize("way", ["sign_in", "open_session"])
def test_a_session_opened_in_a_fresh_process_caches_grades(register: Any, way: str) -> None:
    in_fresh_process("-c", _WRITER, str(register), way, code(1), ADMIN, PASSWORD)
    assert_cached(register, units=1)


def test_a_cli_command_caches_grades(register: Any) -> None:
    in_fresh_process("-c", _WRITER, str(register), "open_session", code(1))
    day = TODAY - timedelta(days=5)
    in_fresh_process(
        "-m", "safecredit_desktop.cli", "--db", str(register), "add", "accident",
        "--uscc", code(1), f"事故日期={day.year}.{day.month}.{day.day}", "死亡人数=1",
        "责任事故=是",
    )  # fmt: skip
    assert_cached(register, units=1)


def test_storage_alone_installs_no_hook() -> None:
    """The hook comes from the layer that opens registers, not from storage: a process
    that imports only storage has none (the import contracts hold without exceptions)."""
    probe = (
        "from safecredit_desktop.core.storage import connection, repository, plans,"
        " audited_tables\n"
        "assert connection.BEFORE_COMMIT == [], connection.BEFORE_COMMIT\n"
        "from safecredit_desktop.core import app\n"
        "assert len(connection.BEFORE_COMMIT) == 1\n"
        "from safecredit_desktop.core import grade_cache\n"
        "grade_cache.install()\n"
        "assert len(connection.BEFORE_COMMIT) == 1\n"
    )
    in_fresh_process("-c", probe)
