"""Random damage to good workbooks: the import either succeeds (and importing again
changes nothing) or refuses with the project's error — never another exception, never
a partial write."""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from safecredit_desktop.core import app as core
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.storage import anchor
from safecredit_desktop.core.storage.tables import TABLES
from safecredit_desktop.core.validate import uscc_check_character

TODAY = date(2026, 11, 21)
ID = "433123198001011238"


def code(n: int) -> str:
    first = f"91433123MA4L{n:05d}"
    return first + uscc_check_character(first)


C1, C2, C3 = code(1), code(2), code(3)

BASE: dict[str, list[list[object]]] = {
    "企业信息": [
        [
            "统一社会信用代码",
            "单位名称",
            "行业类别",
            "主要负责人身份证号",
            "高危行业",
            "标准化等级",
        ],
        [C1, "甲公司", "危险化学品", ID, "否", "二级"],
        [C2, "乙公司", "烟花爆竹", None, "是", None],
        [C3, "丙公司", "非煤矿山", ID, None, "无"],
    ],
    "执法检查": [
        ["统一社会信用代码", "检查日期", "检查方式", "发现隐患数", "重大隐患数"],
        [C1, "2025-05-01", "计划", 3, 1],
        [C2, date(2025, 6, 2), "双随机", 0, 0],
    ],
    "生产安全事故": [
        [
            "统一社会信用代码",
            "事故日期",
            "事故编号",
            "事故等级",
            "死亡人数",
            "直接经济损失(万元)",
            "责任事故",
        ],
        [C1, "2024-03-10", "", None, 1, 10.5, "是"],
        [C3, "2024/8/1", "A", "较大", 0, 0, "待定"],
    ],
    "行政处罚": [
        ["统一社会信用代码", "决定书文号", "决定日期", "处罚部门", "罚款金额(元)"],
        [C2, "凤应急罚〔2024〕3号", "2024年1月5日", "应急管理部门", 20000],
    ],
    "失信行为": [
        ["统一社会信用代码", "行为类型", "发生日期", "责任主体"],
        [C2, "hazard_unreported", "2024-02-01", None],
    ],
    "承诺书": [["统一社会信用代码", "承诺类型", "签署日期"], [C1, "单位承诺", "2024-01-01"]],
    "表彰": [
        ["统一社会信用代码", "表彰日期", "表彰级别", "表彰类型"],
        [C3, "2025-01-10", "市级", "通报表扬"],
    ],
    "联合惩戒": [["统一社会信用代码", "认定部门", "开始日期"], [C2, "税务局", "2024-03-01"]],
    "执法人员": [["姓名", "执法证号", "在岗", "回避单位"], ["王五", "43312320190001", "是", C1]],
    "信用修复": [
        ["统一社会信用代码", "修复对象类型", "决定书文号", "批准日期"],
        [C2, "行政处罚", "凤应急罚〔2024〕3号", "2025-03-01"],
    ],
}

NASTY: list[object] = [
    None,
    "",
    " ",
    "是",
    "否",
    "待定",
    "接受",
    "待核实",
    "一般",
    "特别重大",
    "自治区级",
    "主要负责人",
    "2025-02-30",
    "2025-13-01",
    "2025/1/1",
    "2025年1月1日",
    "2999-01-01",
    "#N/A",
    "=1+1",
    C1,
    C1 + " ",
    C1.lower(),
    C1[:17] + "0",
    "9143312311182022",
    914331231118202200,
    ID,
    "433123198001011239",
    "no_permit",
    "其他安全生产失信行为",
    -1,
    0,
    3,
    2.5,
    1e300,
    10**30,
    True,
    date(2025, 1, 1),
    datetime(1900, 1, 1, 12, 30),
    "凤应急罚〔2024〕3号",
    "统一社会信用代码",
    "结東日期",
]

values = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
    st.integers(min_value=-(10**6), max_value=10**6),
)

operation = st.one_of(
    st.tuples(st.just("set"), st.integers(0, 9), st.integers(0, 4), st.integers(0, 6), values),
    st.tuples(st.just("header"), st.integers(0, 9), st.integers(0, 6), values),
    st.tuples(st.just("drop_column"), st.integers(0, 9), st.integers(0, 6)),
    st.tuples(st.just("copy_row"), st.integers(0, 9), st.integers(1, 4)),
    st.tuples(st.just("drop_row"), st.integers(0, 9), st.integers(1, 4)),
    st.tuples(st.just("drop_sheet"), st.integers(0, 9)),
    st.tuples(
        st.just("rename_sheet"), st.integers(0, 9), st.sampled_from(["说明", "企业 信息", "X"])
    ),
)


def damage(ops: Sequence[tuple[Any, ...]]) -> dict[str, list[list[object]]]:
    sheets = copy.deepcopy(BASE)
    for op in ops:
        names = list(sheets)
        if not names:
            break
        name = names[op[1] % len(names)]
        rows = sheets[name]
        kind = op[0]
        if kind == "set":
            row = rows[min(op[2], len(rows) - 1)] if rows else None
            if row is not None:
                while len(row) <= op[3]:
                    row.append(None)
                row[op[3]] = op[4]
        elif kind == "header" and rows:
            header = rows[0]
            while len(header) <= op[2]:
                header.append(None)
            header[op[2]] = op[3]
        elif kind == "drop_column":
            for row in rows:
                if op[2] < len(row):
                    del row[op[2]]
        elif kind == "copy_row" and len(rows) > 1:
            rows.append(list(rows[1 + (op[2] - 1) % (len(rows) - 1)]))
        elif kind == "drop_row" and len(rows) > 1:
            del rows[1 + (op[2] - 1) % (len(rows) - 1)]
        elif kind == "drop_sheet":
            del sheets[name]
        elif kind == "rename_sheet" and op[2] not in sheets:
            sheets[op[2]] = sheets.pop(name)
    return sheets


def write_book(path: Path, sheets: dict[str, list[list[object]]]) -> bool:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    try:
        for name, rows in sheets.items():
            ws = wb.create_sheet(name)
            for row in rows:
                ws.append(row)
        wb.save(path)
    except Exception:  # a value openpyxl cannot write: not an input a user can have
        return False
    return True


def state(db: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(db)
    try:
        out = {
            spec.name: sorted(conn.execute(f"SELECT * FROM {spec.name}").fetchall(), key=repr)
            for spec in TABLES
        }
        out["inspector_conflicts"] = conn.execute("SELECT * FROM inspector_conflicts").fetchall()
        out["audit_log"] = conn.execute("SELECT id, hash FROM audit_log").fetchall()
        return out
    finally:
        conn.close()


@pytest.fixture(scope="module")
def stocked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed database that already holds unit 1 (so rows also update)."""
    folder = tmp_path_factory.mktemp("hyp")
    path = folder / "x.db"
    session = core.init_database(
        path, profile="fenghuang", bureau_name="测试县应急管理局", user="测试员"
    )
    book = folder / "u.xlsx"
    assert write_book(
        book, {"企业信息": [BASE["企业信息"][0], [C1, "甲公司（旧名）", "危险化学品"]]}
    )
    session.exchange.import_workbook(book, dry_run=False, accept_bad_check=False, today=TODAY)
    session.close()
    return path


def fresh_copy(stocked: Path, db: Path) -> None:
    """The stocked database at ``db``, which earlier examples used: the head recorded for
    their file (anchor.py) is forgotten, or the copy would rightly look like an older
    file put in place of a newer one."""
    db.write_bytes(stocked.read_bytes())
    for recorded in (anchor.file_path(db), anchor.store_path(db)):
        recorded.unlink(missing_ok=True)


def attempt(db: Path, book: Path, *, accept: bool) -> None:
    """Import; on refusal the database must be exactly as before; on success, again = no-op."""
    before = state(db)
    session = core.open_session(db, user="测试员", role=Role.REVIEWER)
    try:
        try:
            session.exchange.import_workbook(
                book, dry_run=False, accept_bad_check=accept, today=TODAY
            )
        except SafeCreditError as exc:
            assert str(exc)
            assert state(db) == before
            return
        assert core.check_database(db).ok
        again = session.exchange.import_workbook(
            book, dry_run=False, accept_bad_check=accept, today=TODAY
        )
        assert not again.changed, again.lines()
    finally:
        session.close()


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation, min_size=1, max_size=5), accept=st.booleans())
def test_damaged_cells(
    stocked: Path, tmp_path: Path, ops: list[tuple[Any, ...]], accept: bool
) -> None:
    db = tmp_path / "x.db"
    fresh_copy(stocked, db)
    book = tmp_path / "d.xlsx"
    assume(write_book(book, damage(ops)))
    attempt(db, book, accept=accept)


def test_undamaged_base_imports(stocked: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    db.write_bytes(stocked.read_bytes())
    book = tmp_path / "b.xlsx"
    assert write_book(book, BASE)
    session = core.open_session(db, user="测试员", role=Role.REVIEWER)
    try:
        summary = session.exchange.import_workbook(
            book, dry_run=False, accept_bad_check=False, today=TODAY
        )
    finally:
        session.close()
    assert summary.updated == 1 and summary.added == sum(len(r) - 1 for r in BASE.values()) - 1


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cut=st.one_of(st.none(), st.integers(0, 20_000)),
    flips=st.lists(st.tuples(st.integers(0, 20_000), st.integers(0, 255)), max_size=8),
)
def test_damaged_bytes(
    stocked: Path, tmp_path: Path, cut: int | None, flips: list[tuple[int, int]]
) -> None:
    db = tmp_path / "x.db"
    fresh_copy(stocked, db)
    book = tmp_path / "b.xlsx"
    assert write_book(book, BASE)
    data = bytearray(book.read_bytes())
    for position, value in flips:
        data[position % len(data)] = value
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    book.write_bytes(bytes(data))
    attempt(db, book, accept=False)
