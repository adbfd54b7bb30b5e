"""Plain sheets are read by python-calamine; every verdict is the one of our XML reader.

Each workbook here is read and planned twice — calamine on (``reading.USE_CALAMINE``)
and off — and the outcomes compared whole: the rows read (numbers, cells, values and
their types), every bad cell's sentence in order and the total, or the one refusal's
sentence. A spy tells which reader read which sheet, so that a case meant for calamine
cannot pass by falling back unseen.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from test_import_bad import CELL_CASES, UNIT_HEAD, code, unit, write_book

from safecredit_desktop.core import app as core
from safecredit_desktop.core.exchange import reading, xlsx_calamine
from safecredit_desktop.core.exchange.importer import WorkbookError, plan_import, read_workbook

TODAY = date(2026, 11, 21)
INSPECTION_HEAD = ("统一社会信用代码", "检查日期", "检查方式", "执法人员", "发现隐患数", "备注")


@pytest.fixture(scope="module")
def stocked(tmp_path_factory: pytest.TempPathFactory, module_new_db: Any) -> Iterator[core.Session]:
    """A database holding units 1 and 2 (the workbooks' records refer to them)."""
    folder = tmp_path_factory.mktemp("stocked")
    session = core.init_database(
        module_new_db("x.db"), profile="fenghuang", bureau_name="凤凰县应急管理局", user="测试员"
    )
    book = write_book(folder / "units.xlsx", {"企业信息": [UNIT_HEAD, unit(1), unit(2)]})
    session.exchange.import_workbook(book, dry_run=False, accept_bad_check=False, today=TODAY)
    yield session
    session.close()


class Spy:
    """Which sheets calamine read (to the end, or to a refusal), not handing them on to
    our reader."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.read: list[str] = []
        original = xlsx_calamine.CalamineBook.rows
        spy = self

        def rows(self: Any, title: str, file_name: str, sheet: str) -> Iterator[Any]:
            spy.read.append(title)
            try:
                yield from original(self, title, file_name, sheet)
            except xlsx_calamine.NotPlain:
                spy.read.remove(title)
                raise

        monkeypatch.setattr(xlsx_calamine.CalamineBook, "rows", rows)


def outcome(session: core.Session, book: Path) -> tuple[Any, ...]:
    """What reading and planning ``book`` gives: the rows, or the refusal."""
    try:
        parsed = read_workbook(book)
    except WorkbookError as exc:
        return ("refused", type(exc).__name__, exc.message, _errors(exc))
    rows = {
        name: [
            (r.number, sorted((k, type(v).__name__, _shown(v)) for k, v in r.cells.items()))
            for r in sheet.rows
        ]
        for name, sheet in parsed.sheets.items()
    }
    read = (
        rows,
        [(e.sheet, e.row, e.column, e.value, e.reason) for e in parsed.errors.first()],
        parsed.errors.total,
        parsed.hidden_sheets,
        parsed.ignored_sheets,
    )
    plan = plan_import(
        session.db, parsed, profile=session.profile, accept_bad_check=False, today=TODAY
    )
    try:
        plan.raise_for_errors()
    except WorkbookError as exc:
        return ("plan refused", read, exc.message, _errors(exc))
    summary = plan.summary(dry_run=True)
    return ("planned", read, [(s.sheet, s.added, s.updated, s.unchanged) for s in summary.sheets])


def _shown(value: object) -> str:
    if type(value) in (str, int, float, bool, datetime, date, time):
        return repr(value)
    return str(value)  # a formula without its value: one object per cell


def _errors(exc: WorkbookError) -> list[tuple[object, ...]]:
    return [(e.sheet, e.row, e.column, e.value, e.reason) for e in exc.errors]


def both(
    session: core.Session, book: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[tuple[Any, ...], list[str]]:
    """The outcome with calamine (and the sheets it read), checked equal to our reader's."""
    spy = Spy(monkeypatch)
    monkeypatch.setattr(reading, "USE_CALAMINE", True)
    with_calamine = outcome(session, book)
    monkeypatch.setattr(reading, "USE_CALAMINE", False)
    without = outcome(session, book)
    monkeypatch.setattr(reading, "USE_CALAMINE", True)
    assert with_calamine == without
    return with_calamine, spy.read


@pytest.mark.parametrize("name", list(CELL_CASES))
def test_every_bad_workbook_gets_the_same_verdict(
    name: str, stocked: core.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = write_book(tmp_path / "bad.xlsx", CELL_CASES[name].sheets)
    result, _read = both(stocked, book, monkeypatch)
    assert result[0] != "planned"  # each case is refused


def test_calamine_reads_plain_sheets(
    stocked: core.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = write_book(
        tmp_path / "ok.xlsx",
        {
            "企业信息": [UNIT_HEAD, unit(3)],
            "执法检查": [INSPECTION_HEAD, (code(1), datetime(2025, 5, 1), "计划", "张三", 2, "")],
        },
    )
    result, read = both(stocked, book, monkeypatch)
    assert result[0] == "planned"
    assert read == ["企业信息", "执法检查"]


def styled_book(path: Path, cells: Sequence[tuple[str, object, str | None]]) -> Path:
    """An 执法检查 sheet with the header and one row of ``(cell, value, number format)``."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "执法检查"
    ws.append(list(INSPECTION_HEAD))
    for ref, value, number_format in cells:
        ws[ref] = value
        if number_format:
            ws[ref].number_format = number_format
    wb.save(path)
    return path


@pytest.mark.parametrize(
    ("cells", "calamine"),
    [
        # a date cell, a text date, an 8-digit number date
        ([("A2", code(1), None), ("B2", datetime(2025, 5, 1), "yyyy-mm-dd")], True),
        ([("A2", code(1), None), ("B2", "2025/5/1", None)], True),
        ([("A2", code(1), None), ("B2", 20250501, None)], True),
        # a date and time of day: our reader rounds it as openpyxl does
        ([("A2", code(1), None), ("B2", datetime(2025, 5, 1, 9, 30), "yyyy-mm-dd hh:mm")], False),
        # a time of day alone, a duration
        ([("A2", code(1), None), ("B2", time(9, 30), "h:mm")], False),
        ([("A2", code(1), None), ("B2", 45000.5, "[h]:mm")], False),
        # codes typed as numbers: a short one, one of 18 digits (read as written)
        ([("A2", 12345, None), ("B2", "2025-05-01", None)], True),
        ([("A2", 914331230000000000, None), ("B2", "2025-05-01", None)], False),
        ([("A2", 9.1433123e17, None), ("B2", "2025-05-01", None)], False),
        # a fraction where a count is wanted; a boolean
        ([("A2", code(1), None), ("B2", "2025-05-01", None), ("E2", 1.5, None)], True),
        ([("A2", code(1), None), ("B2", "2025-05-01", None), ("E2", True, None)], True),
        # Excel's escapes: a carriage return in a single-line field, a literal escape
        ([("A2", code(1), None), ("B2", "2025-05-01", None), ("D2", "张_x000D_三", None)], True),
        (
            [
                ("A2", code(1), None),
                ("B2", "2025-05-01", None),
                ("F2", "见_x005F_x000D_附件", None),
            ],
            True,
        ),
        # a value past column 100; text past the cell limit (a shared string past it is
        # refused before any row: test_import_limits)
        ([("A2", code(1), None), ("B2", "2025-05-01", None), ("CV2", "x", None)], True),
        ([("A2", code(1), None), ("B2", "2025-05-01", None), ("CW2", "x", None)], False),
        # calamine would hold the grid from A1 to the last cell: far cells go to our reader
        ([("A2", code(1), None), ("B2", "2025-05-01", None), ("XFD2", "x", None)], False),
        ([("A2", code(1), None), ("B2", "2025-05-01", None), ("A99999", "x", None)], True),
        ([("A2", code(1), None), ("B2", "2025-05-01", None), ("A100000", "x", None)], False),
        ([("A2", code(1), None), ("B2", "2025-05-01", None), ("A1048576", "x", None)], False),
        ([("A2", code(1), None), ("B2", "2025-05-01", None), ("F2", "备" * 32_768, None)], True),
        # a formula with its result, a formula without one, an error value
        ([("A2", code(1), None), ("B2", "=DATE(2025,5,1)", "yyyy-mm-dd")], False),
    ],
)
def test_values_read_alike(
    cells: list[tuple[str, object, str | None]],
    calamine: bool,
    stocked: core.Session,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    book = styled_book(tmp_path / "v.xlsx", cells)
    _result, read = both(stocked, book, monkeypatch)
    assert (read == ["执法检查"]) is calamine


def test_an_excel_error_value_goes_to_our_reader(
    stocked: core.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "执法检查"
    ws.append(list(INSPECTION_HEAD))
    ws.append([code(1), "2025-05-01"])
    ws["C2"] = "#N/A"
    ws["C2"].data_type = "e"
    wb.save(tmp_path / "e.xlsx")
    result, read = both(stocked, tmp_path / "e.xlsx", monkeypatch)
    assert read == [] and "公式错误值" in str(result)


def test_a_1904_workbook_reads_its_dates(
    stocked: core.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wb = openpyxl.Workbook()
    wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "执法检查"
    ws.append(list(INSPECTION_HEAD))
    ws.append([code(1), datetime(2025, 5, 1), "计划"])
    ws["B2"].number_format = "yyyy-mm-dd"
    wb.save(tmp_path / "mac.xlsx")
    result, read = both(stocked, tmp_path / "mac.xlsx", monkeypatch)
    assert read == ["执法检查"]
    assert "datetime.datetime(2025, 5, 1, 0, 0)" in str(result[1][0])


def test_cells_without_their_reference_go_to_our_reader(
    stocked: core.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cell may leave out ``r`` (it is then the next one); calamine would place such
    cells as it likes, so the sheet is read by our reader."""
    book = write_book(tmp_path / "r.xlsx", {"执法检查": [INSPECTION_HEAD, (code(1), "2025-05-01")]})
    with zipfile.ZipFile(book) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b' r="B2"', b"")
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    result, read = both(stocked, book, monkeypatch)
    assert read == [] and result[0] == "planned"


def test_the_full_data_export_reads_alike(
    tmp_path: Path, new_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Our own 全部数据 export (shared strings, styles, lists, a 说明 sheet) of a demo
    county: every sheet read by calamine, the same rows as our reader's."""
    source = core.init_database(
        new_db("source.db"), profile="fenghuang", bureau_name="凤凰县应急管理局", user="测试员"
    )
    try:
        core.fill_demo(source, enterprises=60, seed=3, today=TODAY)
        source.exchange.export_all_data(tmp_path / "all.xlsx", include_id=True, today=TODAY)
    finally:
        source.close()
    target = core.init_database(
        new_db("target.db"), profile="fenghuang", bureau_name="凤凰县应急管理局", user="测试员"
    )
    try:
        result, read = both(target, tmp_path / "all.xlsx", monkeypatch)
    finally:
        target.close()
    assert result[0] == "planned"
    assert len(read) >= 8
