"""Shared fixtures. Qt runs offscreen; nothing touches the real user data folder."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# One verdict everywhere: Hypothesis runs derandomized with no example database, so a
# fresh clone (CI) and a developer's checkout try the same inputs; every failing example
# it ever found is pinned with @example. HYPOTHESIS_PROFILE=explore hunts for new ones.
# No deadline and no too-slow health check: on a busy machine an example may take
# longer, and the verdict must not depend on how long.
hypothesis_settings.register_profile(
    "deterministic",
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))
# QSettings (window state, recent files) of the tests must not touch the user's own.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="safecredit-test-config-")
# Passwords hashed at scrypt N=2^10 instead of the product's 2^17 (about a second each):
# the suite signs in hundreds of times. Inherited by the CLI subprocesses the tests run;
# tests/core/test_credentials.py checks the product default without it.
os.environ["SAFECREDIT_TEST_ONLY_SCRYPT_LOG2N"] = "10"


@pytest.fixture(autouse=True)
def _isolated_user_data(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.delenv("SAFECREDIT_DB", raising=False)
    monkeypatch.delenv("SAFECREDIT_PASSWORD", raising=False)


@pytest.fixture
def session(db_path: Path) -> Iterator[object]:
    from safecredit_desktop.core import app as core

    opened = core.init_database(
        db_path, profile="fenghuang", bureau_name="测试县应急管理局", user="测试员"
    )
    yield opened
    opened.close()


# -- the engines (issue 19) ------------------------------------------------------------------
# SAFECREDIT_TEST_ENGINE=postgresql (or --engine postgresql) runs the tests on a throwaway
# PostgreSQL server (tests/pg_server.py): ``db_path`` is then a fresh server database made
# from a template, and tests marked ``sqlite_only`` (they open or edit the file itself)
# are skipped. Tests that always need the server use the ``pg`` fixture.

ENGINE_ENV = "SAFECREDIT_TEST_ENGINE"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--engine",
        default=None,
        choices=("sqlite", "postgresql"),
        help="the engine the tests' databases use (default: $SAFECREDIT_TEST_ENGINE or sqlite)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): the test works on the SQLite file itself — its mode, PRAGMAs,"
        " WAL, a kill mid-write (left out on PostgreSQL)",
    )
    config.addinivalue_line(
        "markers",
        "both_engines: a test using the server fixtures that also runs on the second pass",
    )
    chosen = config.getoption("--engine")
    if chosen:
        os.environ[ENGINE_ENV] = chosen


def engine_under_test() -> str:
    return os.environ.get(ENGINE_ENV, "sqlite")


# The fixtures that give a test a database of the engine under test. On the PostgreSQL
# pass a test that uses none of them runs nothing on the server (its verdict is the
# SQLite pass's), and one that uses ``pg`` ran on the server in the first pass already.
ENGINE_FIXTURES = frozenset({"db_path", "new_db", "module_new_db", "session"})
SERVER_FIXTURES = frozenset({"pg", "pg_cluster"})


def _engine_fixtures_used(item: pytest.Item) -> set[str]:
    """The fixtures of this conftest among those the test uses (directly or through its
    own fixtures); a test module's own ``session`` or ``db_path`` does not count."""
    info = getattr(item, "_fixtureinfo", None)
    found: set[str] = set()
    for name in set(getattr(item, "fixturenames", ())):
        defs = info.name2fixturedefs.get(name, ()) if info is not None else ()
        if defs and getattr(defs[-1].func, "__module__", "") == __name__:
            found.add(name)
    return found


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if engine_under_test() != "postgresql":
        return
    kept: list[pytest.Item] = []
    left: list[pytest.Item] = []
    for item in items:
        used = _engine_fixtures_used(item)
        server_only = bool(used & SERVER_FIXTURES) and not item.get_closest_marker("both_engines")
        if item.get_closest_marker("sqlite_only") or not used & ENGINE_FIXTURES or server_only:
            left.append(item)
        else:
            kept.append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


class _PgCluster:
    """The session's server and its template database (roles and grants as README's)."""

    TEMPLATE = "sc_template"

    def __init__(self) -> None:
        import pg_server

        self.module = pg_server
        self.server = pg_server.start()
        pg_server.make_database(self.server, self.TEMPLATE)
        self.count = 0

    def fresh(self, *, role: str | None = None, template: str | None = None) -> object:
        """A new empty database (made from the template) and its location; ``template``:
        a copy of that database (no one may be connected to it)."""
        from safecredit_desktop.core.storage.location import parse_server

        self.count += 1
        name = f"t{os.getpid()}_{self.count}"
        self.module.make_database(self.server, name, template=template or self.TEMPLATE)
        return parse_server(self.server.url(name, role or self.module.OWNER))

    def drop(self, location: object) -> None:
        self.module.drop_database(self.server, str(getattr(location, "dbname", "")))


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[_PgCluster]:
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    cluster = _PgCluster()
    try:
        yield cluster
    finally:
        cluster.server.stop()


@pytest.fixture
def pg(pg_cluster: _PgCluster) -> Iterator[object]:
    """A fresh, empty PostgreSQL database's location (whatever the test engine)."""
    location = pg_cluster.fresh()
    yield location
    pg_cluster.drop(location)


@pytest.fixture
def db_path(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[object]:
    """The test's database: a file in tmp_path, or on PostgreSQL a fresh server database."""
    if engine_under_test() != "postgresql":
        yield tmp_path / "test.db"
        return
    cluster: _PgCluster = request.getfixturevalue("pg_cluster")
    location = cluster.fresh()
    yield location
    cluster.drop(location)


def fresh_location(request: pytest.FixtureRequest, folder: Path, name: str) -> object:
    """A new database for a test or a module: ``folder / name``, or on PostgreSQL a fresh
    server database (kept until the server stops)."""
    if engine_under_test() != "postgresql":
        return folder / name
    cluster: _PgCluster = request.getfixturevalue("pg_cluster")
    return cluster.fresh()


@pytest.fixture
def new_db(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[[str], object]]:
    """``new_db("x.db")``: a new database of the engine under test (file or server)."""
    made: list[object] = []

    def make(name: str = "x.db") -> object:
        location = fresh_location(request, tmp_path, name)
        made.append(location)
        return location

    yield make
    if engine_under_test() == "postgresql":
        cluster: _PgCluster = request.getfixturevalue("pg_cluster")
        for location in made:
            cluster.drop(location)


@pytest.fixture(scope="module")
def module_new_db(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Callable[[str], object]:
    """``new_db`` for module-scoped fixtures."""
    folder = tmp_path_factory.mktemp("module-db")
    return lambda name="x.db": fresh_location(request, folder, name)
