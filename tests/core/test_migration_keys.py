"""The migration runner lets a step rebuild a table others reference (issue 17): keys are
off while the steps run, ``PRAGMA foreign_key_check`` decides before the commit."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core.storage import migrations
from safecredit_desktop.core.storage.connection import connect_raw

pytestmark = pytest.mark.sqlite_only

TODAY = date(2026, 6, 30)

# The way SQLite changes a table's CHECK vocabulary: a new table, the rows copied, the old
# one dropped, the new one renamed; its indexes and triggers made again. Rows of other
# tables keep pointing at the same ids.
REBUILD_UNITS = """
def upgrade(conn):
    table_sql = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'units'"
    ).fetchone()[0]
    others = [
        sql for (sql,) in conn.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'units'"
            " AND type IN ('index', 'trigger') AND sql IS NOT NULL"
        )
    ]
    conn.execute(table_sql.replace("CREATE TABLE units", "CREATE TABLE units_new", 1))
    conn.execute("INSERT INTO units_new SELECT * FROM units")
    conn.execute("DROP TABLE units")
    conn.execute("ALTER TABLE units_new RENAME TO units")
    for sql in others:
        conn.execute(sql)
"""


def _migrations_plus(folder: Path, extra: dict[str, str]) -> int:
    folder.mkdir()
    good = migrations.available_migrations()
    for m in good:
        shutil.copyfile(m.path, folder / m.path.name)
    for number, (name, text) in enumerate(extra.items(), start=len(good) + 1):
        (folder / f"{number:04d}_{name}").write_text(text, encoding="utf-8")
    return len(good)


def _county(path: Path) -> tuple[int, int]:
    """A database at the latest schema with units and records pointing at them."""
    session = core.init_database(
        path, profile="fenghuang", bureau_name="测试县应急管理局", user="t"
    )
    core.fill_demo(session, enterprises=8, seed=3, today=TODAY)
    session.close()
    conn = sqlite3.connect(path)
    units = conn.execute("SELECT count(*) FROM units").fetchone()[0]
    inspections = conn.execute("SELECT count(*) FROM inspections").fetchone()[0]
    conn.close()
    assert units and inspections
    return units, inspections


def test_a_step_rebuilds_the_units_table_that_records_reference(tmp_path: Path) -> None:
    path = tmp_path / "county.db"
    units, inspections = _county(path)
    folder = tmp_path / "migrations"
    latest = _migrations_plus(folder, {"rebuild_units.py": REBUILD_UNITS})
    conn = connect_raw(path)
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert migrations.apply_pending(conn, folder=folder) == [latest + 1]
    assert migrations.schema_version(conn) == latest + 1
    assert conn.execute("SELECT count(*) FROM units").fetchone()[0] == units
    joined = conn.execute(
        "SELECT count(*) FROM inspections JOIN units ON units.id = inspections.unit_id"
    ).fetchone()[0]
    assert joined == inspections
    # Enforcement is back on for the connection: a row pointing at no unit is refused.
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    unit_id = conn.execute("SELECT min(id) FROM units").fetchone()[0]
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        conn.execute("DELETE FROM units WHERE id = ?", (unit_id,))
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()


def test_a_step_that_leaves_a_dangling_row_is_rolled_back(tmp_path: Path) -> None:
    path = tmp_path / "county.db"
    units, _ = _county(path)
    folder = tmp_path / "migrations"
    latest = _migrations_plus(
        folder,
        {
            "extra.sql": "CREATE TABLE extra (x INTEGER) STRICT;\n",
            "lose_units.sql": "DELETE FROM units WHERE id IN (SELECT unit_id FROM inspections);\n",
        },
    )
    conn = connect_raw(path)
    with pytest.raises(migrations.MigrationError, match="引用了不存在的 units 记录"):
        migrations.apply_pending(conn, folder=folder)
    assert migrations.schema_version(conn) == latest
    assert conn.execute("SELECT count(*) FROM units").fetchone()[0] == units
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'extra'").fetchone() == (
        0,
    )
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    conn.close()
