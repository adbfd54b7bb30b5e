"""Database creation, PRAGMAs, migrations, transactions, repository and audit."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from safecredit_desktop.core import model
from safecredit_desktop.core.errors import StorageError
from safecredit_desktop.core.storage import audit, migrations
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.repository import Repository

USCC = "91433123111820220L"


def make_db(path: Path) -> Database:
    return Database.create(path)


@pytest.mark.sqlite_only
def test_create_sets_pragmas_and_version(db_path: Path) -> None:
    with make_db(db_path) as db:
        conn = db.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
        assert migrations.schema_version(conn) == migrations.latest_version()


@pytest.mark.sqlite_only
def test_every_table_is_strict(db_path: Path) -> None:
    with make_db(db_path) as db:
        tables = db.conn.execute(
            "SELECT name, strict FROM pragma_table_list WHERE schema = 'main'"
            " AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        assert tables
        assert all(strict == 1 for _, strict in tables), tables
        names = {n for n, _ in tables}
        for required in (
            "units",
            "inspections",
            "accidents",
            "penalties",
            "violations",
            "commitments",
            "honours",
            "joint_punishments",
            "repairs",
            "inspectors",
            "users",
            "settings",
            "audit_log",
            "documents",
            "document_files",
            "list_entries",
            "objections",
            "repair_applications",
            "permits",
            "draws",
        ):
            assert required in names


@pytest.mark.sqlite_only
def test_create_refuses_existing_file(db_path: Path) -> None:
    make_db(db_path).close()
    with pytest.raises(StorageError, match="已存在"):
        Database.create(db_path)


def test_open_refuses_missing_text_and_newer(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="不存在"):
        Database.open(tmp_path / "none.db")
    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(StorageError, match="不是"):
        Database.open(text)
    newer = tmp_path / "newer.db"
    make_db(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(StorageError, match="较新版本"):
        Database.open(newer)
    assert sqlite3.connect(newer).execute("PRAGMA user_version").fetchone()[0] == 999


def test_failed_migration_leaves_old_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    good = migrations.available_migrations()
    for m in good:
        (folder / m.path.name).write_text(m.sql(), encoding="utf-8")
    bad_version = len(good) + 1
    (folder / f"{bad_version:04d}_broken.sql").write_text(
        "CREATE TABLE extra (x INTEGER) STRICT;\nTHIS IS NOT SQL;\n", encoding="utf-8"
    )
    path = tmp_path / "db.sqlite"
    make_db(path).close()
    monkeypatch.setattr(migrations, "migrations_dir", lambda: folder)
    with pytest.raises(sqlite3.OperationalError):
        Database.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(good)
    assert (
        conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'extra'").fetchone()[0] == 0
    )
    backups = list((tmp_path / "db.sqlite.backups").glob("*.db"))
    assert backups, "a backup is taken before upgrading"


def test_upgrade_runs_pending_step_after_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    good = migrations.available_migrations()
    for m in good:
        (folder / m.path.name).write_text(m.sql(), encoding="utf-8")
    path = tmp_path / "db.sqlite"
    make_db(path).close()
    (folder / f"{len(good) + 1:04d}_extra.sql").write_text(
        "CREATE TABLE extra (x INTEGER) STRICT;\n", encoding="utf-8"
    )
    monkeypatch.setattr(migrations, "migrations_dir", lambda: folder)
    with Database.open(path) as db:
        assert migrations.schema_version(db.conn) == len(good) + 1
    (copy,) = (tmp_path / "db.sqlite.backups").glob("*.db")
    assert sqlite3.connect(copy).execute("PRAGMA user_version").fetchone()[0] == len(good)


def _unit(uscc: str = USCC, name: str = "凤凰县沱江化工有限公司") -> model.Unit:
    return model.Unit(uscc=uscc, name=name, category="危险化学品", town="沱江镇")


def test_repository_insert_update_delete_audited(db_path: Path) -> None:
    with make_db(db_path) as db:
        repo = Repository(db, "张录入")
        unit = _unit()
        unit_id = repo.insert(unit)
        assert unit.id == unit_id
        stored = repo.get(model.Unit, unit_id)
        assert stored.name == unit.name and stored.high_risk is False
        initials = db.conn.execute("SELECT name_initials FROM units").fetchone()[0]
        assert initials.startswith("fhx")

        insp = model.Inspection(unit_id=unit_id, inspected_on=date(2025, 3, 1), hazards=2)
        repo.insert(insp)
        insp.hazards = 3
        assert repo.update(insp) is True
        assert repo.update(insp) is False  # nothing changed, nothing written
        repo.delete(model.Inspection, insp.id or 0)

        rows = db.conn.execute(
            "SELECT user, action, table_name, row_key, before, after FROM audit_log ORDER BY id"
        ).fetchall()
        assert [r[1] for r in rows] == ["insert", "insert", "update", "delete"]
        assert {r[0] for r in rows} == {"张录入"}
        assert rows[2][3] == f'["{USCC}","2025-03-01"]'
        assert '"hazards":2' in rows[2][4] and '"hazards":3' in rows[2][5]
        assert repo.is_deleted(repo_spec("inspections"), rows[3][3])
        assert audit.verify_chain(db.conn) is None


def repo_spec(name: str):  # type: ignore[no-untyped-def]
    from safecredit_desktop.core.storage.tables import SPEC_BY_NAME

    return SPEC_BY_NAME[name]


def test_transaction_all_or_nothing(db_path: Path) -> None:
    with make_db(db_path) as db:
        repo = Repository(db, "测试")
        with pytest.raises(sqlite3.IntegrityError), db.transaction():
            repo.insert(_unit())
            repo.insert(_unit())  # same uscc: UNIQUE fails
        assert db.conn.execute("SELECT count(*) FROM units").fetchone()[0] == 0
        assert db.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 0


def test_nested_transaction_is_a_savepoint(db_path: Path) -> None:
    with make_db(db_path) as db:
        repo = Repository(db, "测试")
        with db.transaction():
            repo.insert(_unit())
            with pytest.raises(sqlite3.IntegrityError), db.transaction():
                repo.insert(_unit())
        assert db.conn.execute("SELECT count(*) FROM units").fetchone()[0] == 1


def test_foreign_keys_enforced(db_path: Path) -> None:
    with make_db(db_path) as db:
        repo = Repository(db, "测试")
        with pytest.raises(sqlite3.IntegrityError):
            repo.insert(model.Inspection(unit_id=42, inspected_on=date(2025, 1, 1)))
        with pytest.raises(sqlite3.IntegrityError), db.transaction() as conn:
            conn.execute(
                "INSERT INTO inspections (unit_id, inspected_on) VALUES (42, '2025-01-01')"
            )


@pytest.mark.sqlite_only
def test_audit_chain_detects_edit_and_delete(db_path: Path) -> None:
    with make_db(db_path) as db:
        repo = Repository(db, "测试")
        for i in range(5):
            repo.insert(_unit(uscc=f"9143312311182022{i}X", name=f"企业{i}"))
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE audit_log SET user = '冒名' WHERE id = 3")
    conn.commit()
    problem = audit.verify_chain(conn)
    assert problem is not None and problem.entry_id == 3 and "第 3 条" in problem.message
    conn.execute("DELETE FROM audit_log WHERE id = 3")
    conn.commit()
    problem = audit.verify_chain(conn)
    assert problem is not None and problem.entry_id == 4


def test_delete_referenced_unit_refused(db_path: Path) -> None:
    with make_db(db_path) as db:
        repo = Repository(db, "测试")
        unit_id = repo.insert(_unit())
        repo.insert(model.Inspection(unit_id=unit_id, inspected_on=date(2025, 1, 1)))
        with pytest.raises(StorageError, match="引用"):
            repo.delete(model.Unit, unit_id)
        assert db.conn.execute("SELECT count(*) FROM units").fetchone()[0] == 1
