"""An SQLite older than 3.37 (no STRICT tables) is refused with what to install."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from safecredit_desktop.cli import main
from safecredit_desktop.core.errors import StorageError
from safecredit_desktop.core.storage import connection
from safecredit_desktop.core.storage.connection import Database, require_sqlite


def test_this_library_is_new_enough() -> None:
    require_sqlite()  # the suite's own SQLite
    assert sqlite3.sqlite_version_info >= connection.MIN_SQLITE


@pytest.mark.parametrize("old", [(3, 31, 1), (3, 36, 0), (2, 8, 17)])
def test_older_library_is_refused_with_what_to_install(old: tuple[int, int, int]) -> None:
    with pytest.raises(StorageError) as refused:
        require_sqlite(old)
    message = refused.value.message
    assert "SQLite 3.37.0 或更新版本" in message
    assert ".".join(map(str, old)) in message
    assert "安装" in message


def test_open_and_check_refuse_before_touching_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "x.db"
    assert (
        main(["--db", str(db), "init", "--profile", "suizhou", "--unit", "随州市应急管理局"]) == 0
    )
    before = db.read_bytes()
    monkeypatch.setattr(connection.sqlite3, "sqlite_version_info", (3, 31, 1))
    with pytest.raises(StorageError):
        Database.open(db)
    capsys.readouterr()
    assert main(["--db", str(db), "check"]) == 1
    err = capsys.readouterr().err
    assert "SQLite 3.31.1" in err and "Traceback" not in err and "损坏" not in err
    assert db.read_bytes() == before
