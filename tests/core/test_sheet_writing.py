"""The report workbooks' building blocks (core/exchange/sheet_writing.py) and the safe
save that openpyxl and XlsxWriter workbooks share (sheets.move_into_place)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.exchange import sheets
from safecredit_desktop.core.exchange.sheet_writing import (
    ReportBook,
    numbered,
    unit_columns,
)
from safecredit_desktop.core.exchange.sheets import Column, Kind

NOTICE = "只作内部管理使用，不对外公布"


def test_numbered_puts_the_serial_in_front() -> None:
    assert numbered([("a", 1), ("b", 2)]) == [(1, "a", 1), (2, "b", 2)]
    assert numbered(iter([])) == []


def test_a_list_of_units_begins_with_serial_code_and_name() -> None:
    extra = Column("信用等级", Kind.CENTER)
    columns = unit_columns(extra)
    assert [c.header for c in columns] == ["序号", "统一社会信用代码", "单位名称", "信用等级"]
    assert columns[1].kind is Kind.CODE  # codes stay text
    named = unit_columns(name=Column("生产经营单位名称", Kind.TEXT, 24, 50))
    assert [c.header for c in named] == ["序号", "统一社会信用代码", "生产经营单位名称"]


def test_report_book_carries_the_notice_on_every_sheet(tmp_path: Path) -> None:
    book = ReportBook(
        "凤凰县应急管理局测试表", subject="基准", creator="凤凰县应急管理局", notice=NOTICE
    )
    book.table(
        "表",
        columns=unit_columns(),
        rows=numbered([("000000000000000001", "某公司")]),
        title=book.title,
    )
    book.notes([("编制单位", "凤凰县应急管理局")], today=date(2026, 11, 21))
    path = book.save(tmp_path / "report.xlsx")

    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["表", "说明"]
    assert (wb.properties.title, wb.properties.subject) == ("凤凰县应急管理局测试表", "基准")
    for ws in wb.worksheets:
        assert NOTICE in ws.oddHeader.center.text
        assert NOTICE in [row[0] for row in ws.iter_rows(values_only=True)]
    table = wb["表"]
    assert table.cell(4, 2).value == "000000000000000001"  # title, notice, header, row
    assert table.cell(4, 2).number_format == "@"
    notes = [row for row in wb["说明"].iter_rows(min_row=4, values_only=True)]
    assert notes == [
        ("使用范围", NOTICE),
        ("编制单位", "凤凰县应急管理局"),
        ("生成时间", "2026年11月21日"),
    ]
    assert wb["说明"].cell(1, 1).value == "凤凰县应急管理局测试表说明"


def test_report_book_without_notice_has_no_scope_line(tmp_path: Path) -> None:
    book = ReportBook("表名", subject="", creator="")
    book.notes([], today=date(2026, 1, 2), sheet_name="附注")
    wb = openpyxl.load_workbook(book.save(tmp_path / "n.xlsx"))
    assert [row for row in wb["附注"].iter_rows(min_row=3, values_only=True)] == [
        ("生成时间", "2026年1月2日")
    ]
    assert not wb["附注"].oddHeader.center.text


def test_a_failed_write_leaves_no_file_behind(tmp_path: Path) -> None:
    path, temp = sheets.temp_beside(tmp_path / "out.xlsx")
    assert temp.parent == tmp_path and temp.exists()

    def fail() -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(SafeCreditError, match="无法写入"):
        sheets.move_into_place(fail, temp, path)
    assert list(tmp_path.iterdir()) == []


def test_temp_beside_refuses_a_bad_target(tmp_path: Path) -> None:
    with pytest.raises(SafeCreditError, match=r"\.xlsx"):
        sheets.temp_beside(tmp_path / "out.xls")
    with pytest.raises(SafeCreditError, match="保存位置不存在"):
        sheets.temp_beside(tmp_path / "missing" / "out.xlsx")
    assert list(tmp_path.iterdir()) == []
