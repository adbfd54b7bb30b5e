"""Pinyin search (issue 18): whole-name readings, heteronyms, place names, ranking, and the
re-index migration (core/pinyin_index.py, core/registry.py, db/migrations/0008_*.py)."""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.paths import install_root
from safecredit_desktop.core.pinyin_index import (
    MAX_INITIALS_PER_CHARACTER,
    MAX_READINGS,
    name_keys,
)
from safecredit_desktop.core.registry import UnitQuery
from safecredit_desktop.core.storage import migrations
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.validate import uscc_check_character


def test_whole_name_reading_and_heteronyms() -> None:
    bank = name_keys("长沙银行")
    assert bank.initials == "csyh" and bank.pinyin == "changshayinhang"
    assert "#csyx#" in bank.keys  # 行 read xing is kept too
    chongqing = name_keys("重庆")
    assert chongqing.initials == "cq"
    assert "#cq#" in chongqing.keys and "#zq#" in chongqing.keys
    assert "#zhongqing#" in chongqing.keys


def test_place_names_of_the_profiles() -> None:
    assert name_keys("随州市曾都区").initials == "szszdq"  # pypinyin alone: ceng dou
    assert name_keys("包头市昆都仑区").pinyin == "baotoushikundulunqu"
    assert name_keys("重庆市长寿区").pinyin == "chongqingshichangshouqu"  # not 市长 + 寿


def test_readings_are_bounded() -> None:
    # eight heteronyms: 2**8 combinations would be 256 readings
    keys = name_keys("重长行曾都乐朝单")
    readings = keys.keys.strip("#").split("#")
    initials = [r for r in readings if len(r) == 8]
    assert len(initials) <= MAX_READINGS
    assert all(len(group) <= MAX_INITIALS_PER_CHARACTER for group in keys.letters.split(";"))
    groups = [set(group) for group in keys.letters.split(";")[:-1]]
    assert groups == [set(g) for g in ("cz", "cz", "xh", "zc", "d", "ly", "cz", "ds")]


def make_code(n: int) -> str:
    first17 = f"91421303{n:09d}"
    return first17 + uscc_check_character(first17)


NAMES = (
    "随州市曾都区何店镇建材厂",
    "重庆长安汽车随州销售有限公司",
    "凤凰化工",
    "凤凰县沱江化工有限公司",
    "凤凰县阿拉营泓业茶叶加工厂",
    "凤凰县华光化工有限公司",
    "湖南湘西凤凰县城建公司",
    "长沙银行随州分行",
)


@pytest.fixture(scope="module")
def session(module_new_db: Callable[[str], Path]) -> Iterator[core.Session]:
    opened = core.init_database(
        module_new_db("x.db"),
        profile="suizhou",
        bureau_name="随州市曾都区应急管理局",
        user="测试",
    )
    category = opened.profile.categories[0]
    opened.repo.insert_many(
        [model.Unit(uscc=make_code(i + 1), name=n, category=category) for i, n in enumerate(NAMES)]
    )
    yield opened
    opened.close()


def search(session: core.Session, text: str) -> list[str]:
    rows = session.units.query(UnitQuery(search=text), 0, 100)
    assert session.units.count_matching(UnitQuery(search=text)) == len(rows)
    return [r.name for r in rows]


def test_the_profiles_own_county_is_found(session: core.Session) -> None:
    assert search(session, "zdq") == ["随州市曾都区何店镇建材厂"]
    assert search(session, "zengdu") == ["随州市曾都区何店镇建材厂"]


def test_both_readings_of_a_heteronym_find(session: core.Session) -> None:
    assert search(session, "cqca") == ["重庆长安汽车随州销售有限公司"]
    assert search(session, "zqca") == ["重庆长安汽车随州销售有限公司"]
    assert search(session, "zhongqing") == ["重庆长安汽车随州销售有限公司"]
    assert search(session, "zszca") == []  # initials in order, each from a later character
    assert "长沙银行随州分行" in search(session, "yxszfx")


def test_fhhg_ranks_fenghuang_chemicals_before_a_scattered_match(
    session: core.Session,
) -> None:
    found = search(session, "fhhg")
    assert found[0] == "凤凰化工"  # the initials of the whole name
    chemicals = [i for i, n in enumerate(found) if re.search("凤凰.*化工", n)]
    tea = found.index("凤凰县阿拉营泓业茶叶加工厂")
    assert len(chemicals) == 3 and max(chemicals) < tea
    order = search(session, "hg")
    assert order.index("凤凰县华光化工有限公司") < order.index("湖南湘西凤凰县城建公司")


def test_ranking_tiers_in_order(session: core.Session) -> None:
    # "xjs": unbroken in 湘西凤凰县城建公司? no; x·j·s scattered in several names
    ranked = search(session, "fhxtj")
    assert ranked[0] == "凤凰县沱江化工有限公司"  # prefix of the initials


def _matches(term: str, name: str) -> bool:
    """The registry's letters-only rule, written plainly: the term's letters are initials
    of the name's characters in order (any kept reading), or a full reading contains it."""
    keys = name_keys(name)
    groups = [g for g in keys.letters.split(";") if g]
    position = 0
    for letter in term:
        while position < len(groups) and letter not in groups[position]:
            position += 1
        if position == len(groups):
            break
        position += 1
    else:
        return True
    return any(term in reading for reading in [keys.pinyin, *keys.keys.strip("#").split("#")])


@pytest.fixture(scope="module")
def demo(module_new_db: Callable[[str], Path]) -> Iterator[core.Session]:
    opened = core.init_database(
        module_new_db("demo.db"),
        profile="suizhou",
        bureau_name="随州市曾都区应急管理局",
        user="测试",
    )
    core.fill_demo(opened, enterprises=400, seed=3)
    yield opened
    opened.close()


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="abcdfghjlmqszxy", min_size=1, max_size=5))
@example("zdq")
@example("szs")
@example("zd")
def test_search_agrees_with_a_plain_python_rule(demo: core.Session, term: str) -> None:
    units = demo.units.query(UnitQuery(), 0, 10_000)
    expected = {r.id for r in units if _matches(term, r.name) or r.uscc.startswith(term.upper())}
    got = demo.units.query(UnitQuery(search=term), 0, 10_000)
    assert {r.id for r in got} == expected


def test_the_suizhou_demo_county_is_found_by_zdq(demo: core.Session) -> None:
    found = demo.units.query(UnitQuery(search="zdq"), 0, 10_000)
    assert any("曾都区" in r.name for r in found)


def test_migration_reindexes_the_v6_sample(tmp_path: Path) -> None:
    copy = tmp_path / "v6.db"
    shutil.copyfile(install_root() / "db" / "samples" / "v6.db", copy)
    before = dict(sqlite3.connect(copy).execute("SELECT name, name_initials FROM units"))
    with Database.open(copy) as db:
        assert migrations.schema_version(db.conn) == migrations.latest_version()
        rows = db.conn.execute(
            "SELECT name, name_initials, name_pinyin, name_keys, name_letters FROM units"
        ).fetchall()
    assert len(rows) == len(before) == 40
    for name, initials, pinyin, keys, letters in rows:
        assert (initials, pinyin, keys, letters) == tuple(name_keys(name).columns().values())
    # 凤凰县龙盛服饰: 盛 read cheng finds it now (the old index had only sheng)
    session = core.open_session(copy, user="测试")
    try:
        found = session.units.query(UnitQuery(search="fhxlcfs"), 0, 99)
        assert found[0].name == "凤凰县龙盛服饰有限公司"  # a prefix of a reading: first
        assert not before["凤凰县龙盛服饰有限公司"].startswith("fhxlc")
    finally:
        session.close()


# -- the migration runner takes Python steps ---------------------------------------------------


def _copy_migrations(folder: Path) -> int:
    folder.mkdir()
    good = migrations.available_migrations()
    for m in good:
        shutil.copyfile(m.path, folder / m.path.name)
    return len(good)


def test_python_step_runs_in_the_upgrade_transaction(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    count = _copy_migrations(folder)
    (folder / f"{count + 1:04d}_extra.sql").write_text(
        "CREATE TABLE extra (x INTEGER) STRICT;\n", encoding="utf-8"
    )
    (folder / f"{count + 2:04d}_fill.py").write_text(
        "def upgrade(conn):\n"
        "    assert conn.in_transaction\n"
        "    conn.executemany('INSERT INTO extra VALUES (?)', [(i,) for i in range(3)])\n",
        encoding="utf-8",
    )
    conn = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    assert migrations.apply_pending(conn, folder=folder) == list(range(1, count + 3))
    assert conn.execute("SELECT count(*) FROM extra").fetchone()[0] == 3
    assert migrations.schema_version(conn) == count + 2


def test_a_failing_python_step_rolls_back_every_step(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    count = _copy_migrations(folder)
    (folder / f"{count + 1:04d}_extra.sql").write_text(
        "CREATE TABLE extra (x INTEGER) STRICT;\n", encoding="utf-8"
    )
    (folder / f"{count + 2:04d}_broken.py").write_text(
        "def upgrade(conn):\n"
        "    conn.execute('INSERT INTO extra VALUES (1)')\n"
        "    raise ValueError('broken step')\n",
        encoding="utf-8",
    )
    path = tmp_path / "x.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.apply_pending(conn, count, folder=folder)
    with pytest.raises(ValueError, match="broken step"):
        migrations.apply_pending(conn, folder=folder)
    assert migrations.schema_version(conn) == count
    assert (
        conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'extra'").fetchone()[0] == 0
    )


def test_a_python_step_without_upgrade_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    count = _copy_migrations(folder)
    (folder / f"{count + 1:04d}_empty.py").write_text("x = 1\n", encoding="utf-8")
    conn = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    with pytest.raises(RuntimeError, match="upgrade"):
        migrations.apply_pending(conn, folder=folder)
    assert migrations.schema_version(conn) == 0
