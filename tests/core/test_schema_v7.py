"""Schema v7 (grading.md Revision 2): 企业信息 成立日期, the penalty's 双公示 columns and
加重罚款, and the label of 重大隐患数 — end to end: template, import through the CLI,
forms, the unit's page and the 全部数据 export that imports again."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from safecredit_desktop.cli import main
from safecredit_desktop.core import app as core
from safecredit_desktop.core import forms, model
from safecredit_desktop.core.exchange.columns import SHEET_BY_NAME
from safecredit_desktop.core.rules.profile import load_profile
from safecredit_desktop.core.validate import uscc_check_character

TODAY = date(2026, 11, 21)


def code(n: int) -> str:
    first = f"91433123MA4L{n:05d}"
    return first + uscc_check_character(first)


def write_book(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def cli(db: Path, *args: str) -> int:
    return main(["--db", str(db), *args])


PENALTY_HEAD = [
    "统一社会信用代码",
    "决定书文号",
    "决定日期",
    "处罚部门",
    "处罚事由",
    "罚款金额(元)",
    "违法行为类型",
    "处罚依据",
    "处罚类别",
    "处罚内容",
    "加重罚款",
]


def book(path: Path, penalty_types: str = "罚款、责令停产停业") -> Path:
    return write_book(
        path,
        {
            "企业信息": [
                ["统一社会信用代码", "单位名称", "行业类别", "成立日期"],
                [code(1), "甲矿业有限公司", "非煤矿山", "2019-04-08"],
                [code(2), "乙化工有限公司", "危险化学品", None],
            ],
            "行政处罚": [
                PENALTY_HEAD,
                [
                    code(1),
                    "凤应急罚〔2026〕7号",
                    "2026-03-02",
                    "应急管理部门",
                    "事故",
                    300000,
                    "未履行安全生产管理职责导致事故",
                    "《中华人民共和国安全生产法》第一百一十四条",
                    penalty_types,
                    "罚款30万元，责令停产停业整顿",
                    "是",
                ],
            ],
            "执法检查": [
                ["统一社会信用代码", "检查日期", "发现隐患数", "重大隐患数"],
                [code(2), "2026-05-06", 3, 1],
            ],
        },
    )


def test_template_headers_are_those_of_workbook_md() -> None:
    units = SHEET_BY_NAME["企业信息"].headers
    assert units[-1] == "成立日期" and len(units) == 20
    assert SHEET_BY_NAME["行政处罚"].headers == (
        "统一社会信用代码",
        "决定书文号",
        "决定日期",
        "处罚部门",
        "处罚事由",
        "罚款金额(元)",
        "公示日期",
        "违法行为类型",
        "处罚依据",
        "处罚类别",
        "处罚内容",
        "加重罚款",
    )
    major = SHEET_BY_NAME["执法检查"].column("major_hazards")
    assert major.header == "重大隐患数"
    assert "重大事故隐患与重大职业病危害隐患合计" in major.note
    assert (
        "重大事故隐患与重大职业病危害隐患合计"
        in forms.FORMS["inspections"].field("major_hazards").help
    )


def test_import_stores_the_new_columns_and_export_imports_again(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    assert cli(db, "init", "--profile", "suizhou", "--unit", "测试市应急管理局") == 0
    assert cli(db, "import", str(book(tmp_path / "in.xlsx"))) == 0
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT uscc, founded_on FROM units ORDER BY uscc").fetchall() == [
        (code(1), "2019-04-08"),
        (code(2), None),
    ]
    row = conn.execute(
        "SELECT violation_type, legal_basis, penalty_types, penalty_content, aggravated_fine"
        " FROM penalties"
    ).fetchone()
    assert row == (
        "未履行安全生产管理职责导致事故",
        "《中华人民共和国安全生产法》第一百一十四条",
        "罚款、责令停产停业",
        "罚款30万元，责令停产停业整顿",
        1,
    )
    conn.close()

    out = tmp_path / "all.xlsx"
    assert cli(db, "export", "data", str(out)) == 0
    sheet = openpyxl.load_workbook(out)["行政处罚"]
    head = [c.value for c in sheet[1]]
    values = dict(zip(head, [c.value for c in sheet[2]], strict=True))
    assert values["加重罚款"] == "是" and values["处罚类别"] == "罚款、责令停产停业"
    units = openpyxl.load_workbook(out)["企业信息"]
    assert [c.value for c in units[1]][-1] == "成立日期"

    again = tmp_path / "again.db"
    assert cli(again, "init", "--profile", "suizhou", "--unit", "测试市应急管理局") == 0
    assert cli(again, "import", str(out)) == 0
    query = (
        "SELECT u.uscc, u.founded_on, p.doc_no, p.violation_type, p.legal_basis,"
        " p.penalty_types, p.penalty_content, p.aggravated_fine FROM units u"
        " LEFT JOIN penalties p ON p.unit_id = u.id ORDER BY u.uscc"
    )
    first = sqlite3.connect(db).execute(query).fetchall()
    assert sqlite3.connect(again).execute(query).fetchall() == first
    # importing the same file twice changes nothing
    assert cli(again, "import", str(out)) == 0


def test_an_unknown_penalty_type_is_a_bad_cell_and_nothing_is_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "x.db"
    assert cli(db, "init", "--profile", "fenghuang", "--unit", "凤凰县应急管理局") == 0
    capsys.readouterr()
    assert cli(db, "import", str(book(tmp_path / "bad.xlsx", "罚款、拘留"))) == 1
    err = capsys.readouterr().err
    assert "行政处罚" in err and "处罚类别" in err and "“拘留”不是处罚类别" in err
    assert sqlite3.connect(db).execute("SELECT count(*) FROM units").fetchone() == (0,)


def test_forms_check_each_penalty_type_and_the_unit_page_shows_the_fields(
    tmp_path: Path,
) -> None:
    profile = load_profile("fenghuang")
    form = forms.FORMS["penalties"]
    values = {
        "doc_no": "凤应急罚〔2026〕8号",
        "decided_on": "2026-03-02",
        "department": "应急管理部门",
        "penalty_types": "罚款，警告、罚款",
        "aggravated_fine": True,
    }
    record = forms.build_record(
        form, values, unit_id=1, record_id=None, profile=profile, today=TODAY
    )
    assert record.penalty_types == "罚款、警告" and record.aggravated_fine is True
    with pytest.raises(forms.FormErrors, match="“吊销执照”不是处罚类别"):
        forms.build_record(
            form,
            {**values, "penalty_types": "吊销执照"},
            unit_id=1,
            record_id=None,
            profile=profile,
            today=TODAY,
        )
    assert forms.values_of(record)["aggravated_fine"] is True

    session = core.init_database(
        tmp_path / "f.db", profile="fenghuang", bureau_name="凤凰县应急管理局", user="测试"
    )
    try:
        unit = session.records.save(
            model.Unit(code(3), "丙公司", "非煤矿山", founded_on=date(2018, 1, 2))
        )
        session.records.save(model.Penalty(**{**record.__dict__, "unit_id": unit}))
        shown = dict(session.units.summary(unit).display_fields())
        assert shown["成立日期"] == "2018-01-02"
        (line,) = [e for e in session.units.timeline(unit) if e.table == "penalties"]
        assert "罚款、警告" in line.summary and "加重罚款" in line.flags
    finally:
        session.close()


def test_the_v7_columns_exist_in_an_upgraded_sample(tmp_path: Path) -> None:
    from safecredit_desktop.core.paths import install_root

    copy = tmp_path / "v6.db"
    copy.write_bytes((install_root() / "db" / "samples" / "v6.db").read_bytes())
    core.open_session(copy, user="测试").close()
    conn = sqlite3.connect(copy)
    columns = {r[1] for r in conn.execute("PRAGMA table_info(penalties)")}
    assert {"violation_type", "legal_basis", "penalty_types", "penalty_content"} <= columns
    assert "aggravated_fine" in columns
    assert "founded_on" in {r[1] for r in conn.execute("PRAGMA table_info(units)")}
    assert json.loads(json.dumps(conn.execute("SELECT count(*) FROM penalties").fetchone()))[0] > 0
