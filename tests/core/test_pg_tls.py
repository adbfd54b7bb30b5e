"""Security on a network (issue 19): the URL's ``sslmode`` (and the other libpq
options after ``?``) reach libpq as written — a server without TLS is refused under
``sslmode=require``, a server with TLS is used encrypted, and ``verify-full`` checks
its certificate against ``sslrootcert``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core.errors import StorageError
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.location import ServerLocation, parse_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _with(location: ServerLocation, query: str) -> ServerLocation:
    return parse_server(f"{location.url}?{query}")


def _encrypted(db: Database) -> bool:
    row = db.conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()
    return bool(row[0])


def test_the_urls_sslmode_reaches_libpq(pg: ServerLocation) -> None:
    core.init_database(pg, profile="fenghuang", bureau_name="测试县应急管理局", user="t").close()
    with Database.open(_with(pg, "sslmode=disable")) as db:
        raw: Any = db.conn
        assert raw.raw.info.get_parameters()["sslmode"] == "disable"
        assert not _encrypted(db)
    # The test server offers no TLS: a URL that requires it is refused, in words.
    with pytest.raises(StorageError, match="SSL"):
        Database.open(_with(pg, "sslmode=require"))


@pytest.fixture(scope="module")
def tls_server() -> Iterator[Any]:
    import pg_server

    server = pg_server.start(tls=True)
    try:
        pg_server.make_database(server, "tls_register")
        yield server
    finally:
        server.stop()


def test_a_server_offering_tls_is_used_encrypted_and_its_certificate_checked(
    tls_server: Any, tmp_path: Path
) -> None:
    base = parse_server(tls_server.url("tls_register"))
    core.init_database(
        _with(base, "sslmode=require"), profile="fenghuang", bureau_name="测试县", user="t"
    ).close()
    with Database.open(_with(base, "sslmode=require")) as db:
        assert _encrypted(db)
    with Database.open(_with(base, "sslmode=disable")) as db:
        assert not _encrypted(db)
    # verify-full: the certificate must be signed by sslrootcert and name the host.
    cert = tls_server.folder / "server.crt"
    with Database.open(_with(base, f"sslmode=verify-full&sslrootcert={cert}")) as db:
        assert _encrypted(db)
    other = tmp_path / "other"
    other.mkdir()
    import pg_server

    stranger, _key = pg_server.make_certificate(other)
    with pytest.raises(StorageError, match="certificate verify failed"):
        Database.open(_with(base, f"sslmode=verify-full&sslrootcert={stranger}"))
