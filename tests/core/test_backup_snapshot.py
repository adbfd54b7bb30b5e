"""The pre-import backup (issue 20): one consistent snapshot, checked against it.

An import's copy is not run through ``PRAGMA integrity_check`` (seconds at city scale,
before every workbook); it is checked against the snapshot it was copied from — the
same pages, schema objects and audit head, read in the read transaction the copy used.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from safecredit_desktop.core import model, pause_points
from safecredit_desktop.core.errors import StorageError
from safecredit_desktop.core.storage import backup
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.repository import Repository

pytestmark = pytest.mark.sqlite_only

CODES = ("91433123111820220L", "91433123MA4L0X0A5M")


def _unit(code: str, name: str) -> model.Unit:
    return model.Unit(uscc=code, name=name, category="危险化学品", town="沱江镇")


def _database(path: Path) -> Path:
    with Database.create(path) as db:
        Repository(db, "张录入").insert(_unit(CODES[0], "凤凰县沱江化工有限公司"))
    return path


def test_snapshot_checked_copy_is_the_snapshot_while_another_connection_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _database(tmp_path / "w.db")
    with Database.open(source) as db:
        before = backup._snapshot(db.conn)
    written: list[str] = []
    real_point = pause_points.point

    def write_meanwhile(name: str) -> None:
        # another seat saves just as the copy starts: the copy must not see it half-way
        if name == "backup.copying":
            with Database.open(source) as other:
                Repository(other, "李录入").insert(_unit(CODES[1], "凤凰县第二化工有限公司"))
            written.append(name)
        real_point(name)

    monkeypatch.setattr(pause_points, "point", write_meanwhile)
    copy = backup.backup_database(source, reason="before-import")
    assert written == ["backup.copying"]
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert backup._snapshot(conn) == before  # the snapshot taken when the copy began
        assert [r[0] for r in conn.execute("SELECT uscc FROM units")] == [CODES[0]]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        conn.close()
    with Database.open(source) as db:  # the other seat's save is kept in the database
        assert db.conn.execute("SELECT count(*) FROM units").fetchone()[0] == 2


def test_only_the_import_backup_skips_the_integrity_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _database(tmp_path / "w.db")
    full: list[bool] = []
    real_copy = backup.copy_database

    def recorded(src: Path, dest: Path, *, full_check: bool = True) -> None:
        full.append(full_check)
        real_copy(src, dest, full_check=full_check)

    monkeypatch.setattr(backup, "copy_database", recorded)
    for reason in ("before-import", "manual", "auto", "before-restore", "upgrade-v3"):
        backup.backup_database(source, reason=reason)
    assert full == [False, True, True, True, True]


def test_a_copy_unlike_its_snapshot_is_refused_and_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _database(tmp_path / "w.db")
    real_snapshot = backup._snapshot
    calls: list[int] = []

    def short_copy(conn: sqlite3.Connection) -> tuple[int, int, int, str]:
        pages, objects, entries, digest = real_snapshot(conn)
        calls.append(pages)
        # the second reading is the copy's: as if a page had not been written
        return (pages - 1 if len(calls) == 2 else pages), objects, entries, digest

    monkeypatch.setattr(backup, "_snapshot", short_copy)
    dest = tmp_path / "copy.db"
    with pytest.raises(StorageError, match="备份副本未通过完整性检查"):
        backup.copy_database(source, dest, full_check=False)
    assert not dest.exists()
    assert not dest.with_name(dest.name + ".part").exists()
