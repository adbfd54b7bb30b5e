"""全部数据 export and the import template: the format, the notices, and the round trip
(export → import into an empty database → the same records), also for a city that
imports several counties."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from engine_helpers import checkpoint_wal, copy_location

from safecredit_desktop.core import app as core
from safecredit_desktop.core.exchange.columns import NOTES_SHEET, SHEETS
from safecredit_desktop.core.exchange.importer import WorkbookError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.tables import TABLES
from safecredit_desktop.core.validate import uscc_check_character

TODAY = date(2026, 11, 21)
NOTICE = "只作内部管理使用，不对外公布"


def code(n: int) -> str:
    first = f"91433123MA4L{n:05d}"
    return first + uscc_check_character(first)


def new_session(path: Path, bureau: str, profile: str = "fenghuang") -> core.Session:
    session = core.init_database(path, profile=profile, bureau_name=bureau, user="导入员")
    session.role = Role.REVIEWER  # 信用修复 and 执法人员 rows are imported by a 审核员
    return session


def snapshot(db: Path) -> dict[str, list[str]]:
    """Every table's rows by content: no ids; units as codes; repairs by their target."""
    opened = Database.open(db, upgrade=False)
    conn = opened.conn
    try:
        units = dict(conn.execute("SELECT id, uscc FROM units").fetchall())
        targets = {
            "penalty_id": "SELECT doc_no FROM penalties WHERE id = ?",
            "violation_id": "SELECT kind, occurred_on, subject FROM violations WHERE id = ?",
            "accident_id": "SELECT occurred_on, accident_no FROM accidents WHERE id = ?",
        }
        out: dict[str, list[str]] = {}
        for spec in TABLES:
            cursor = conn.execute(f"SELECT * FROM {spec.name}")
            names = [d[0] for d in cursor.description]
            rows = []
            for values in cursor.fetchall():
                row: dict[str, Any] = dict(zip(names, values, strict=True))
                del row["id"]
                if "unit_id" in row:
                    row["unit_id"] = units[row["unit_id"]]
                for column, sql in targets.items():
                    if row.get(column) is not None:
                        row[column] = conn.execute(sql, (row[column],)).fetchone()
                rows.append(json.dumps(row, ensure_ascii=False, sort_keys=True))
            out[spec.name] = sorted(rows)
        out["inspector_conflicts"] = sorted(
            json.dumps(r, ensure_ascii=False)
            for r in conn.execute(
                "SELECT i.cert_no, u.uscc FROM inspector_conflicts c"
                " JOIN inspectors i ON i.id = c.inspector_id JOIN units u ON u.id = c.unit_id"
            )
        )
        return out
    finally:
        opened.close()


@pytest.fixture(scope="module")
def county_master(module_new_db: Any) -> Any:
    """A demo county (every record kind), closed; its database."""
    path = module_new_db("county.db")
    session = new_session(path, "凤凰县应急管理局")
    core.fill_demo(session, enterprises=80, seed=7, today=TODAY)
    # a unit reported by another bureau (a city's roll-up) keeps that name
    session.db.conn.execute("UPDATE units SET reporter = '外县应急管理局' WHERE id = 1")
    session.close()
    checkpoint_wal(path)
    return path


@pytest.fixture
def county(county_master: Any, tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    return copy_location(request, county_master, tmp_path, "county.db")


def export(db: Path, out: Path, *, include_id: bool) -> core.Session:
    session = core.open_session(db, user="导出员")
    session.exchange.export_all_data(out, include_id=include_id, today=TODAY)
    return session


def test_round_trip_gives_the_same_records(county: Path, tmp_path: Path, new_db: Any) -> None:
    book = tmp_path / "all.xlsx"
    export(county, book, include_id=True).close()
    target = new_db("new.db")
    session = new_session(target, "凤凰县应急管理局")
    try:
        summary = session.exchange.import_workbook(
            book, dry_run=False, accept_bad_check=False, today=TODAY
        )
        assert summary.updated == summary.unchanged == 0
        users = {
            r[0]
            for r in session.db.conn.execute(
                "SELECT DISTINCT user FROM audit_log WHERE table_name != 'settings'"
            )
        }
        assert users == {"导入员"}
        again = session.exchange.import_workbook(
            book, dry_run=False, accept_bad_check=False, today=TODAY
        )
        assert not again.changed and again.unchanged == summary.added
    finally:
        session.close()
    before, after = snapshot(county), snapshot(target)
    for name in before:
        assert before[name] == after[name], name
    assert len(after["inspections"]) > 0 and len(after["repairs"]) > 0


def test_without_ids_the_column_is_empty(county: Path, tmp_path: Path, new_db: Any) -> None:
    book = tmp_path / "all.xlsx"
    session = export(county, book, include_id=False)
    try:
        events = session.db.conn.execute(
            "SELECT count(*) FROM audit_log WHERE table_name = 'export'"
        ).fetchone()
        assert events == (0,)
    finally:
        session.close()
    wb = openpyxl.load_workbook(book, read_only=True)
    ws = wb["企业信息"]
    rows = list(ws.iter_rows(values_only=True))
    column = rows[0].index("主要负责人身份证号")
    assert all(r[column] is None for r in rows[1:])
    wb.close()
    target = new_db("new.db")
    session = new_session(target, "凤凰县应急管理局")
    session.exchange.import_workbook(book, dry_run=False, accept_bad_check=False, today=TODAY)
    session.close()
    stored = Database.open(target, upgrade=False)
    try:
        assert stored.conn.execute(
            "SELECT count(*) FROM units WHERE main_person_id != ''"
        ).fetchone() == (0,)
    finally:
        stored.close()


def test_include_id_is_audited(county: Path, tmp_path: Path) -> None:
    session = export(county, tmp_path / "ids.xlsx", include_id=True)
    try:
        found = session.db.conn.execute(
            "SELECT user, after FROM audit_log WHERE table_name = 'export'"
        ).fetchall()
    finally:
        session.close()
    assert len(found) == 1 and found[0][0] == "导出员" and "含身份证号" in found[0][1]


def test_sheets_are_the_template(county: Path, tmp_path: Path) -> None:
    book = tmp_path / "all.xlsx"
    export(county, book, include_id=False).close()
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[0] == NOTES_SHEET
    for spec in SHEETS:
        ws = wb[spec.name]
        assert [c.value for c in ws[1]] == list(spec.headers)
        assert ws.freeze_panes == "A2"
    units = wb["企业信息"]
    cell = units["A2"]
    assert cell.data_type == "s" and cell.number_format == "@" and len(str(cell.value)) == 18
    assert units.column_dimensions["A"].width >= 20  # 18 characters fit
    assert units.column_dimensions["B"].width >= 12  # Chinese names are double width
    reporters = {r[0] for r in units.iter_rows(min_row=2, min_col=4, max_col=4, values_only=True)}
    assert reporters == {"凤凰县应急管理局", "外县应急管理局"}
    inspection = wb["执法检查"]["B2"]
    assert inspection.is_date and inspection.number_format == "yyyy-mm-dd"
    notes = [tuple(r) for r in wb[NOTES_SHEET].iter_rows(values_only=True)]
    text = json.dumps(notes, ensure_ascii=False)
    assert "凤凰县应急管理局" in text and "2026年11月21日" in text and NOTICE not in text
    wb.close()


def test_internal_profile_carries_the_notice_everywhere(tmp_path: Path, new_db: Any) -> None:
    db = new_db("k.db")
    session = new_session(db, "昆都仑区应急管理局", profile="kundulun")
    core.fill_demo(session, enterprises=15, seed=3, today=TODAY)
    book = tmp_path / "k.xlsx"
    session.exchange.export_all_data(book, include_id=True, today=TODAY)
    template = session.exchange.export_template(tmp_path / "kt.xlsx")
    session.close()
    for path in (book, template):
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            assert ws.oddHeader.center.text == NOTICE, (path.name, ws.title)
        notes = json.dumps(
            [list(r) for r in wb[NOTES_SHEET].iter_rows(values_only=True)], ensure_ascii=False
        )
        assert NOTICE in notes
        for spec in SHEETS:
            assert wb[spec.name]["A1"].value == "统一社会信用代码" or spec.table == "inspectors"
        wb.close()
    # the notice does not break re-import
    k2 = new_db("k2.db")
    copy = new_session(k2, "昆都仑区应急管理局", profile="kundulun")
    try:
        summary = copy.exchange.import_workbook(
            book, dry_run=False, accept_bad_check=False, today=TODAY
        )
        assert summary.added > 15
    finally:
        copy.close()
    assert snapshot(db) == snapshot(k2)


def test_city_keeps_each_countys_name(tmp_path: Path, new_db: Any) -> None:
    books = []
    for n, bureau in ((1, "甲县应急管理局"), (2, "乙县应急管理局")):
        session = new_session(tmp_path / f"{n}.db", bureau)
        unit_book = tmp_path / f"u{n}.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "企业信息"
        ws.append(["统一社会信用代码", "单位名称", "行业类别"])
        ws.append([code(n), f"县{n}企业", "危险化学品"])
        wb.save(unit_book)
        session.exchange.import_workbook(unit_book, dry_run=False, accept_bad_check=False)
        books.append(tmp_path / f"all{n}.xlsx")
        session.exchange.export_all_data(books[-1], include_id=False, today=TODAY)
        session.close()
    city = new_session(new_db("city.db"), "某市应急管理局")
    try:
        for book in books:
            city.exchange.import_workbook(book, dry_run=False, accept_bad_check=False)
        rows = city.db.conn.execute("SELECT uscc, reporter FROM units ORDER BY uscc").fetchall()
    finally:
        city.close()
    assert rows == [(code(1), "甲县应急管理局"), (code(2), "乙县应急管理局")]


# -- the template ------------------------------------------------------------------------------


@pytest.fixture
def session(tmp_path: Path, new_db: Any) -> Iterator[core.Session]:
    opened = new_session(new_db("t.db"), "测试县应急管理局")
    yield opened
    opened.close()


def test_template_has_headers_lists_and_notes(session: core.Session, tmp_path: Path) -> None:
    path = session.exchange.export_template(tmp_path / "模板.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == NOTES_SHEET and wb["选项"].sheet_state == "hidden"
    notes = json.dumps(
        [list(r) for r in wb[NOTES_SHEET].iter_rows(values_only=True)], ensure_ascii=False
    )
    for spec in SHEETS:
        ws = wb[spec.name]
        assert [c.value for c in ws[1]] == list(spec.headers)
        assert ws.freeze_panes == "A2" and ws.max_row == 1
        for column in spec.columns:
            assert f"{spec.name} · {column.header}" in notes
        first = ws["A1"]
        assert first.comment is not None and first.comment.text
    units = wb["企业信息"]
    lists = {str(dv.sqref): dv.formula1 for dv in units.data_validations.dataValidation}
    categories = lists["C2:C1048576"]
    assert all(c in categories for c in session.profile.categories)
    assert lists["R2:R1048576"] == '"是,否"'
    assert units.column_dimensions["A"].number_format == "@"
    accidents = {
        str(dv.sqref): dv.formula1 for dv in wb["生产安全事故"].data_validations.dataValidation
    }
    assert accidents["D2:D1048576"] == '"一般,较大,重大,特别重大"'
    kinds = {str(dv.sqref): dv.formula1 for dv in wb["失信行为"].data_validations.dataValidation}
    assert kinds["B2:B1048576"] == "'选项'!$A$1:$A$20"
    options = [r[0] for r in wb["选项"].iter_rows(values_only=True) if r[0]]
    assert "被责令停产停业整顿仍从事生产经营" in options
    assert units["A1"].font.color is not None  # required headers are marked
    wb.close()


def test_template_filled_in_imports(session: core.Session, tmp_path: Path) -> None:
    path = session.exchange.export_template(tmp_path / "模板.xlsx")
    with pytest.raises(WorkbookError, match="没有数据行"):
        session.exchange.import_workbook(path, dry_run=True, accept_bad_check=False)
    wb = openpyxl.load_workbook(path)
    wb["企业信息"].append([code(5), "填写企业", "危险化学品"])
    wb["执法检查"].append([code(5), date(2025, 6, 1), "专项"])
    wb.save(path)
    summary = session.exchange.import_workbook(
        path, dry_run=False, accept_bad_check=False, today=TODAY
    )
    assert summary.added == 2
