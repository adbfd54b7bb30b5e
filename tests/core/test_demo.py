"""Tests for safecredit_desktop.core.demo (synthetic county data)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from safecredit_desktop.core.demo import TABLE_ORDER, DemoSummary, generate_demo
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import VIOLATION_KIND_BY_CODE
from safecredit_desktop.core.rules.profile import load_profile
from safecredit_desktop.core.storage import audit
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.repository import Repository
from safecredit_desktop.core.validate import (
    accident_grade_from_figures,
    validate_id_number,
    validate_uscc,
)

TODAY = date(2025, 6, 30)
UNITS = 300
# Deadlines and validity ends may lie after today; every other date is an event.
FUTURE_ALLOWED = {
    ("units", "permit_valid_until"),
    ("units", "std_valid_until"),
    ("inspections", "rectify_deadline"),
}
DATA_TABLES = TABLE_ORDER
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _make(path: Path, *, seed: int, profile: str = "fenghuang", units: int = UNITS) -> Database:
    db = Database.create(path)
    generate_demo(
        db, Repository(db, "测试"), load_profile(profile), enterprises=units, seed=seed, today=TODAY
    )
    return db


def _dump(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    result: dict[str, list[tuple[Any, ...]]] = {}
    for table in DATA_TABLES:
        order = "inspector_id, unit_id" if table == "inspector_conflicts" else "id"
        result[table] = conn.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
    return result


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = _make(tmp_path_factory.mktemp("demo") / "x.db", seed=1)
    yield db
    db.close()


def _count(db: Database, sql: str, *args: Any) -> int:
    return int(db.conn.execute(sql, args).fetchone()[0])


def test_counts_are_plausible(demo_db: Database) -> None:
    c = {t: _count(demo_db, f"SELECT count(*) FROM {t}") for t in DATA_TABLES}
    assert c["units"] == UNITS
    assert 4 * UNITS <= c["inspections"] <= 12 * UNITS
    assert c["accidents"] <= UNITS // 10
    assert UNITS // 20 <= c["penalties"] <= UNITS
    assert 1 <= c["violations"] <= UNITS // 2
    assert UNITS * 0.8 <= c["commitments"] <= UNITS * 3
    assert c["inspectors"] == 10
    assert 1 <= c["inspector_conflicts"] <= 20
    # Every row went through the audit log, and the chain holds.
    audited = _count(demo_db, "SELECT count(*) FROM audit_log")
    assert audited == sum(c.values())
    assert audit.verify_chain(demo_db.conn) is None


def test_summary_matches_tables(tmp_path: Path) -> None:
    db = Database.create(tmp_path / "s.db")
    summary = generate_demo(
        db,
        Repository(db, "测试"),
        load_profile("suizhou"),
        enterprises=120,
        seed=5,
        today=TODAY,
    )
    assert isinstance(summary, DemoSummary)
    assert tuple(summary.counts) == TABLE_ORDER
    for table, n in summary.counts.items():
        assert _count(db, f"SELECT count(*) FROM {table}") == n, table
    assert summary.total == sum(summary.counts.values())
    categories = {r[0] for r in db.conn.execute("SELECT DISTINCT category FROM units")}
    assert categories <= set(load_profile("suizhou").categories)
    db.close()


def test_units_are_valid(demo_db: Database) -> None:
    rows = demo_db.conn.execute(
        "SELECT uscc, name, category, town, main_person, main_person_id, phone, permit_no,"
        " std_level, std_awarded_on, std_valid_until, status, high_risk, reporter FROM units"
    ).fetchall()
    profile = load_profile("fenghuang")
    names = [r[1] for r in rows]
    assert len(set(names)) == len(names)
    assert len({r[0] for r in rows}) == len(rows)
    normal = 0
    for uscc, name, category, town, person, id_no, phone, permit, level, *rest in rows:
        awarded, valid_until, status, high_risk, reporter = rest
        normal += status == "正常"
        assert validate_uscc(uscc) == (uscc, True)
        assert uscc[2:8] == "433123"
        assert validate_id_number(id_no, today=TODAY) == id_no
        assert 1960 <= int(id_no[6:10]) <= 1995
        assert re.fullmatch(r"1[3-9]\d{9}", phone)
        assert category in profile.categories
        assert town and person and name
        assert reporter == ""
        if category in profile.high_risk_categories:
            assert high_risk == 1 and permit
        if level == "无":
            assert awarded is None and valid_until is None
        else:
            assert date.fromisoformat(awarded) <= TODAY
            assert date.fromisoformat(valid_until) > date.fromisoformat(awarded)
    assert {r[0][:2] for r in rows} >= {"91", "92"}
    assert normal > 0.9 * len(rows)
    towns = {r[3] for r in rows}
    assert 10 <= len(towns) <= 20


def test_accident_grades_follow_figures(demo_db: Database) -> None:
    rows = demo_db.conn.execute(
        "SELECT grade, deaths, serious_injuries, loss_wan, needs_review, responsible FROM accidents"
    ).fetchall()
    for grade, deaths, injuries, loss, needs_review, responsible in rows:
        assert accident_grade_from_figures(deaths, injuries, loss).value == grade
        assert needs_review == 0
        assert responsible in ("是", "否", "待定")


def test_graver_accidents_scale_with_the_county(tmp_path: Path) -> None:
    # 较大 and worse are chosen per county size; check the chooser on its own.
    from random import Random

    from safecredit_desktop.core.demo import _special_accidents

    big = _special_accidents(Random(3), 100_000)
    grades = sorted(big.values())
    assert grades.count("特别重大") == 1
    assert 1 <= grades.count("重大") <= 3
    assert 40 <= grades.count("较大") <= 60
    assert "特别重大" not in _special_accidents(Random(3), 49_999).values()


def test_records_respect_the_schema_and_today(demo_db: Database) -> None:
    conn = demo_db.conn
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for table in DATA_TABLES:
        cursor = conn.execute(f"SELECT * FROM {table}")
        names = [d[0] for d in cursor.description]
        for row in cursor:
            for name, value in zip(names, row, strict=True):
                if isinstance(value, str) and _DATE.match(value):
                    date.fromisoformat(value)
                    if (table, name) not in FUTURE_ALLOWED:
                        assert value <= TODAY.isoformat(), (table, name, row)
    # Doc numbers of penalties are unique across the database (schema) and well formed.
    for (doc,) in conn.execute("SELECT doc_no FROM penalties"):
        assert re.fullmatch(r"凤\S+〔20\d\d〕\d+号", doc), doc
    for kind, subject, person in conn.execute("SELECT kind, subject, person_name FROM violations"):
        assert kind in VIOLATION_KIND_BY_CODE
        assert (subject == "单位") == (person == "")
    # Repairs come at least 12 months after the penalty they repair.
    for decided, approved in conn.execute(
        "SELECT p.decided_on, r.approved_on FROM repairs r JOIN penalties p ON p.id = r.penalty_id"
    ):
        d = date.fromisoformat(decided)
        assert date.fromisoformat(approved) >= d.replace(year=d.year + 1, day=min(d.day, 28))
    # Rectification deadlines are 30 days after an inspection that found hazards.
    for inspected, hazards, major, deadline in conn.execute(
        "SELECT inspected_on, hazards, major_hazards, rectify_deadline FROM inspections"
    ):
        assert major <= hazards
        if hazards:
            assert (date.fromisoformat(deadline) - date.fromisoformat(inspected)).days == 30
        else:
            assert deadline is None


def test_same_seed_same_database(demo_db: Database, tmp_path: Path) -> None:
    again = _make(tmp_path / "again.db", seed=1)
    try:
        assert _dump(again.conn) == _dump(demo_db.conn)
    finally:
        again.close()


def test_different_seed_different_database(demo_db: Database, tmp_path: Path) -> None:
    other = _make(tmp_path / "other.db", seed=2)
    try:
        mine, theirs = _dump(demo_db.conn), _dump(other.conn)
        assert mine["units"] != theirs["units"]
        assert mine["inspections"] != theirs["inspections"]
    finally:
        other.close()


def test_refuses_a_database_with_units(demo_db: Database) -> None:
    before = _count(demo_db, "SELECT count(*) FROM audit_log")
    with pytest.raises(SafeCreditError, match="已有"):
        generate_demo(
            demo_db,
            Repository(demo_db, "测试"),
            load_profile("fenghuang"),
            enterprises=5,
            seed=1,
            today=TODAY,
        )
    assert _count(demo_db, "SELECT count(*) FROM audit_log") == before


@pytest.mark.parametrize("profile", ["kundulun", "suizhou"])
def test_other_profiles(tmp_path: Path, profile: str) -> None:
    db = _make(tmp_path / "p.db", seed=9, profile=profile, units=80)
    try:
        loaded = load_profile(profile)
        categories = {r[0] for r in db.conn.execute("SELECT category FROM units")}
        assert categories <= set(loaded.categories)
        for (uscc,) in db.conn.execute("SELECT uscc FROM units"):
            assert validate_uscc(uscc)[1]
        assert db.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        db.close()
