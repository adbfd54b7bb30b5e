"""行政处罚双公示 (workbook.md "Exports"; cli.md ``export publicity``): the national
columns in order, dates as dates, codes as text, 万元 as numbers, the bureau's own code,
and every required cell the records leave blank named on the 缺项 sheet, never guessed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from safecredit_desktop.cli import main
from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.exchange import publicity_export
from safecredit_desktop.core.storage import settings as keys
from safecredit_desktop.core.validate import uscc_check_character

BUREAU = "凤凰县应急管理局"
BUREAU_USCC = "11433123MB1234567X"
FROM, TO = date(2026, 1, 1), date(2026, 6, 30)
# workbook.md, in this order
NATIONAL_COLUMNS = [
    "行政相对人名称",
    "行政相对人类别",
    "行政相对人代码_1(统一社会信用代码)",
    "法定代表人",
    "行政处罚决定书文号",
    "违法行为类型",
    "违法事实",
    "处罚依据",
    "处罚类别",
    "处罚内容",
    "罚款金额（万元）",
    "处罚决定日期",
    "处罚有效期",
    "公示截止期",
    "处罚机关",
    "处罚机关统一社会信用代码",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "备注",
]


def code(prefix: str, n: int) -> str:
    first = f"{prefix}433123{n:09d}"
    return first + uscc_check_character(first)


def penalty(unit_id: int, doc_no: str, decided_on: date, **fields: object) -> model.Penalty:
    complete: dict[str, object] = {
        "department": "应急管理部门",
        "reason": "未按规定对从业人员进行安全生产教育和培训",
        "fine_yuan": 25_000.0,
        "violation_type": "未按规定开展安全生产教育和培训",
        "legal_basis": "《中华人民共和国安全生产法》第九十七条第（三）项",
        "penalty_types": "警告、罚款",
        "penalty_content": "警告，并处罚款人民币贰万伍仟元整",
    }
    complete.update(fields)
    return model.Penalty(unit_id=unit_id, doc_no=doc_no, decided_on=decided_on, **complete)  # type: ignore[arg-type]


@pytest.fixture
def county(tmp_path: Path, new_db: Any) -> Iterator[tuple[core.Session, dict[str, int]]]:
    session = core.init_database(
        new_db("p.db"), profile="fenghuang", bureau_name=BUREAU, user="测试员"
    )
    company = session.records.save(
        model.Unit(code("91", 1), "凤凰县沱江化工有限公司", "危险化学品", legal_rep="田华")
    )
    trader = session.records.save(
        model.Unit(code("92", 2), "凤凰县廖家桥镇王记碾米坊", "工贸八大行业")
    )
    ids = {
        "fine": session.records.save(penalty(company, "凤应急罚〔2026〕1号", date(2026, 3, 2))),
        "suspend": session.records.save(
            penalty(
                company,
                "凤应急罚〔2026〕2号",
                date(2026, 4, 8),
                penalty_types="暂扣许可证件",
                fine_yuan=0.0,
                penalty_content="暂扣安全生产许可证三个月",
            ),
        ),
        "revoke": session.records.save(
            penalty(
                company,
                "凤应急罚〔2026〕3号",
                date(2026, 5, 6),
                penalty_types="吊销许可证件、罚款",
                fine_yuan=123_456.78,
                aggravated_fine=True,
            ),
        ),
        "bare": session.records.save(
            model.Penalty(
                unit_id=trader,
                doc_no="凤应急罚〔2026〕4号",
                decided_on=date(2026, 6, 30),
                department="应急管理部门",
                fine_yuan=3_000.0,
            ),
        ),
        "fine_missing": session.records.save(
            penalty(trader, "凤应急罚〔2026〕5号", date(2026, 1, 1), fine_yuan=0.0),
        ),
        "other_department": session.records.save(
            penalty(company, "凤市监罚〔2026〕9号", date(2026, 3, 3), department="其他部门"),
        ),
        "too_late": session.records.save(penalty(company, "凤应急罚〔2026〕6号", date(2026, 7, 1))),
    }
    session.records.save(
        model.Repair(
            unit_id=company,
            target_kind="行政处罚",
            approved_on=date(2027, 3, 10),
            penalty_id=ids["fine"],
            approval_no="凤应急修〔2027〕1号",
        ),
    )
    yield session, ids
    session.close()


def sheet_rows(path: Path, name: str) -> list[list[openpyxl.cell.cell.Cell]]:
    return [list(r) for r in openpyxl.load_workbook(path)[name].iter_rows()]


def test_columns_values_and_formats(
    county: tuple[core.Session, dict[str, int]], tmp_path: Path
) -> None:
    session, _ids = county
    keys.set_setting(session.db, "管理员", keys.BUREAU_USCC, BUREAU_USCC)
    found = session.publicity.export_penalties(
        tmp_path / "pub.xlsx", start=FROM, end=TO, today=date(2026, 7, 2)
    )
    assert found.path is not None
    wb = openpyxl.load_workbook(found.path)
    assert wb.sheetnames == ["行政处罚双公示", "缺项", "说明"]
    rows = list(wb["行政处罚双公示"].iter_rows())
    assert [c.value for c in rows[0]] == NATIONAL_COLUMNS  # headers on row 1, in order
    data = {r[4].value: {h: c for h, c in zip(NATIONAL_COLUMNS, r, strict=True)} for r in rows[1:]}
    # by decision date: 5号 (1 Jan), 1号, 2号, 3号, 4号 (30 Jun, the last day counts)
    assert [r[4].value for r in rows[1:]] == [
        "凤应急罚〔2026〕5号",
        "凤应急罚〔2026〕1号",
        "凤应急罚〔2026〕2号",
        "凤应急罚〔2026〕3号",
        "凤应急罚〔2026〕4号",
    ]
    fine = data["凤应急罚〔2026〕1号"]
    assert fine["行政相对人名称"].value == "凤凰县沱江化工有限公司"
    assert fine["行政相对人类别"].value == "法人及非法人组织"
    assert fine["法定代表人"].value == "田华"
    assert fine["违法事实"].value == "未按规定对从业人员进行安全生产教育和培训"
    assert fine["处罚类别"].value == "警告、罚款"
    amount = fine["罚款金额（万元）"]
    assert amount.value == 2.5 and amount.data_type == "n"
    for column in ("处罚决定日期", "处罚有效期", "公示截止期"):
        assert isinstance(fine[column].value, datetime), column
        assert fine[column].is_date and fine[column].number_format == "yyyy/mm/dd"
    assert fine["处罚决定日期"].value.date() == date(2026, 3, 2)
    assert fine["处罚有效期"].value.date() == date(2029, 3, 1)  # three years of publicity
    assert fine["公示截止期"].value.date() == date(2027, 3, 10)  # ended by the repair
    assert "信用修复" in fine["备注"].value
    for column in (
        "行政相对人代码_1(统一社会信用代码)",
        "处罚机关统一社会信用代码",
        "数据来源单位统一社会信用代码",
    ):
        assert fine[column].data_type == "s" and fine[column].number_format == "@", column
    assert fine["处罚机关统一社会信用代码"].value == BUREAU_USCC
    assert fine["数据来源单位统一社会信用代码"].value == BUREAU_USCC
    assert fine["处罚机关"].value == BUREAU and fine["数据来源单位"].value == BUREAU

    revoke = data["凤应急罚〔2026〕3号"]
    assert revoke["处罚有效期"].value.date() == date(2099, 12, 31)  # 长期
    assert revoke["公示截止期"].value.date() == date(2029, 5, 5)
    assert revoke["罚款金额（万元）"].value == pytest.approx(12.345678)
    assert "加重罚款" in revoke["备注"].value
    suspend = data["凤应急罚〔2026〕2号"]
    assert suspend["处罚有效期"].value is None  # the decision's term: not in the records
    assert suspend["罚款金额（万元）"].value is None
    bare = data["凤应急罚〔2026〕4号"]
    assert bare["行政相对人类别"].value == "个体工商户"
    assert bare["罚款金额（万元）"].value == 0.3  # the fine is a fact of the record

    gaps = {(g.row, g.column): g.what for g in found.gaps}
    row_of = {r[4].value: n for n, r in enumerate(rows[1:], start=2)}
    assert (row_of["凤应急罚〔2026〕2号"], "处罚有效期") in gaps
    assert "暂扣许可证件" in gaps[(row_of["凤应急罚〔2026〕2号"], "处罚有效期")]
    assert (row_of["凤应急罚〔2026〕5号"], "罚款金额（万元）") in gaps
    bare_row = row_of["凤应急罚〔2026〕4号"]
    assert {c for r, c in gaps if r == bare_row} == {
        "法定代表人",
        "违法行为类型",
        "违法事实",
        "处罚依据",
        "处罚类别",
        "处罚内容",
        "处罚有效期",
    }
    # every required cell left blank is listed, and nothing else
    blank_required = {
        (n, h)
        for n, r in enumerate(rows[1:], start=2)
        for h, c in zip(NATIONAL_COLUMNS, r, strict=True)
        if h in publicity_export.REQUIRED and c.value in (None, "")
    }
    fine_missing = {(row_of["凤应急罚〔2026〕5号"], "罚款金额（万元）")}
    assert set(gaps) == blank_required | fine_missing
    listed = [[c.value for c in r] for r in wb["缺项"].iter_rows()]
    header_at = next(n for n, r in enumerate(listed) if r[0] == "序号")
    assert listed[header_at] == [
        "序号",
        "行",
        "列",
        "行政处罚决定书文号",
        "行政相对人名称",
        "缺少的内容",
    ]
    body = listed[header_at + 1 :]
    assert len(body) == len(found.gaps)
    assert [f"第{bare_row}行", "违法行为类型", "凤应急罚〔2026〕4号"] in [r[1:4] for r in body]


def test_bureau_code_not_set_is_listed_once_per_column(
    county: tuple[core.Session, dict[str, int]], tmp_path: Path
) -> None:
    session, _ids = county
    found = session.publicity.export_penalties(tmp_path / "p.xlsx", start=FROM, end=TO)
    everywhere = [g for g in found.gaps if g.row is None]
    assert [g.column for g in everywhere] == [
        "处罚机关统一社会信用代码",
        "数据来源单位统一社会信用代码",
    ]
    assert all("设置" in g.what for g in everywhere)
    rows = list(
        openpyxl.load_workbook(tmp_path / "p.xlsx")["行政处罚双公示"].iter_rows(values_only=True)
    )
    assert all(r[15] is None and r[17] is None for r in rows[1:])  # blank, not guessed


def test_empty_period_and_reversed_period(
    county: tuple[core.Session, dict[str, int]], tmp_path: Path
) -> None:
    session, _ids = county
    found = session.publicity.export_penalties(
        tmp_path / "e.xlsx", start=date(2025, 1, 1), end=date(2025, 12, 31)
    )
    assert found.rows == [] and found.gaps == []
    rows = list(
        openpyxl.load_workbook(tmp_path / "e.xlsx")["行政处罚双公示"].iter_rows(values_only=True)
    )
    assert list(rows[0]) == NATIONAL_COLUMNS and len(rows) == 1
    with pytest.raises(SafeCreditError, match="晚于结束日期"):
        session.publicity.export_penalties(tmp_path / "r.xlsx", start=TO, end=FROM)


def test_decision_ends_by_penalty_kind() -> None:
    day = date(2024, 2, 29)
    assert publicity_export.publicity_ends(day, None) == date(2027, 2, 27)
    assert publicity_export.decision_ends(["罚款"], day) == (date(2027, 2, 27), "")
    assert publicity_export.decision_ends(["责令关闭"], day)[0] == date(2099, 12, 31)
    assert publicity_export.decision_ends(["罚款", "限制从业"], day)[0] is None
    assert publicity_export.decision_ends([], day)[0] is None
    assert publicity_export.fine_wan(12_345.67) == 1.234567


def test_cli_export_publicity(
    tmp_path: Path, new_db: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(new_db("c.db"))
    assert main(["--db", db, "init", "--profile", "fenghuang", "--unit", BUREAU]) == 0
    assert main(["--db", db, "demo", "--enterprises", "80", "--seed", "5"]) == 0
    capsys.readouterr()
    out = tmp_path / "pub.xlsx"
    args = ["--db", db, "export", "publicity", str(out)]
    assert main([*args, "--from", "2020-01-01", "--to", "2030-12-31"]) == 0
    printed = capsys.readouterr().out
    assert f"已导出：{out}" in printed and "缺项" in printed
    rows = list(openpyxl.load_workbook(out)["行政处罚双公示"].iter_rows(values_only=True))
    assert list(rows[0]) == NATIONAL_COLUMNS and len(rows) > 1
    assert main(args) == 1
    assert "--from" in capsys.readouterr().err
    assert main([*args, "--from", "2026-12-31", "--to", "2026-01-01"]) == 1
    err = capsys.readouterr().err
    assert "晚于结束日期" in err and "Traceback" not in err
    assert main([*args, "--from", "2026-02-30", "--to", "2026-03-01"]) == 1
