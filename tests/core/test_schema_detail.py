"""check names how a table an outside tool rebuilt differs from the program's, column by
column (sqlite-utils' introspection, issue 17), besides the definition differing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core.storage import schema_check
from safecredit_desktop.core.storage.schema_detail import table_changes

pytestmark = pytest.mark.sqlite_only


def test_table_changes_name_columns_keys_checks_and_strict() -> None:
    want = (
        "CREATE TABLE t (id INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('a', 'b')),"
        " unit_id INTEGER REFERENCES units(id), note TEXT NOT NULL DEFAULT '') STRICT"
    )
    have = (
        "CREATE TABLE t (id INTEGER PRIMARY KEY, kind TEXT, unit_id INTEGER,"
        " note INTEGER NOT NULL DEFAULT 0, extra TEXT)"
    )
    assert table_changes("t", want, have) == [
        "多出字段 extra",
        "字段 kind 不再要求必填",
        "字段 note 的类型由 TEXT 变为 INTEGER",
        "字段 note 的默认值不同",
        "字段 unit_id 不再引用 units.id",
        "缺少约束 CHECK (kind IN ('a', 'b'))",
        "不再是 STRICT 表",
    ]
    assert table_changes("t", want, want.replace("t (", '"t" (')) == []


def test_check_names_a_dropped_check_constraint_on_a_rebuilt_table(tmp_path: Path) -> None:
    path = tmp_path / "county.db"
    core.init_database(path, profile="fenghuang", bureau_name="测试县应急管理局", user="t").close()
    conn = sqlite3.connect(path, isolation_level=None)
    (sql,) = conn.execute("SELECT sql FROM sqlite_schema WHERE name = 'honours'").fetchone()
    assert "CHECK" in sql
    # an outside tool's rebuild: the same table without its CHECK constraints
    loose = sql.replace("CREATE TABLE honours", "CREATE TABLE honours_new", 1)
    while "CHECK (" in loose:
        start = loose.index("CHECK (")
        depth, end = 0, start + len("CHECK ")
        for end in range(start + len("CHECK "), len(loose)):
            depth += {"(": 1, ")": -1}.get(loose[end], 0)
            if depth == 0:
                break
        loose = loose[:start] + loose[end + 1 :]
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("BEGIN")
    conn.execute(loose)
    conn.execute("INSERT INTO honours_new SELECT * FROM honours")
    conn.execute("DROP TABLE honours")
    conn.execute("ALTER TABLE honours_new RENAME TO honours")
    conn.execute("COMMIT")
    problems = [p for p in schema_check.differences(conn) if "数据表 honours " in p]
    conn.close()
    assert len(problems) == 1, problems
    assert "数据表 honours 的定义与本程序建立的不同（缺少约束 CHECK (" in problems[0]
