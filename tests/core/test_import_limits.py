"""A bounded import (workbook.md, Rules of import → Limits): hostile workbooks refused
with a sentence by a CLI import held to 1 GB of address space; each limit on its own; the
error list capped at 1,000 with the total; hidden sheets named and skipped unless asked;
Excel's ``_xHHHH_`` escapes decoded before the control-character checks."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import openpyxl
import pytest

from safecredit_desktop import cli
from safecredit_desktop.core import app as core
from safecredit_desktop.core.exchange import limits, xlsx_rows
from safecredit_desktop.core.exchange.import_errors import MAX_LISTED_ERRORS
from safecredit_desktop.core.exchange.importer import WorkbookError, read_workbook
from safecredit_desktop.core.exchange.limits import LimitError
from safecredit_desktop.core.exchange.xlsx_strings import SharedStrings, decode_escapes
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.validate import uscc_check_character

TODAY = "2026-11-21"


def _load_hostile() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "bench" / "hostile.py"
    spec = importlib.util.spec_from_file_location("safecredit_hostile", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["safecredit_hostile"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


hostile = _load_hostile()
Sheet = hostile.Sheet


def code(n: int) -> str:
    first = f"91433123MA4L{n:05d}"
    return first + uscc_check_character(first)


def bad_check(n: int) -> str:
    good = code(n)
    return good[:17] + ("0" if good[17] != "0" else "1")


UNIT_HEAD = ("统一社会信用代码", "单位名称", "行业类别")
INSPECTION_HEAD = ("统一社会信用代码", "检查日期", "检查方式", "备注")


def unit(n: int, name: str | None = None) -> tuple[str, str, str]:
    return (code(n), name or f"测试{n}有限公司", "危险化学品")


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """For the workbook reader's limits (a file: the engine does not matter there)."""
    path = tmp_path_factory.mktemp("db") / "x.db"
    core.init_database(
        path, profile="fenghuang", bureau_name="测试县应急管理局", user="测试员"
    ).close()
    return path


@pytest.fixture
def db(new_db: Any) -> Any:
    """A database of its own (a copied file would rightly get the opening's note that
    this computer has no record of its audit head)."""
    path = new_db("x.db")
    core.init_database(
        path, profile="fenghuang", bureau_name="测试县应急管理局", user="测试员"
    ).close()
    return path


@pytest.fixture
def session(db: Path) -> Iterator[core.Session]:
    opened = core.open_session(db, user="测试员", role=Role.ADMIN)
    yield opened
    opened.close()


def write_book(
    path: Path, sheets: dict[str, Sequence[Sequence[object]]], states: dict[str, str] | None = None
) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        ws.sheet_state = (states or {}).get(name, "visible")
        for row in rows:
            ws.append(list(row))
    wb.save(path)
    return path


def inline_book(path: Path, title: str, rows: Sequence[Sequence[str]], **kwargs: str) -> Path:
    """One sheet of inline strings, its XML exactly as written (no openpyxl escaping)."""
    xml = hostile.sheet_xml(
        [hostile.inline_row(n, row, **kwargs) for n, row in enumerate(rows, start=1)], **kwargs
    )
    return hostile.write_xlsx(path, [Sheet(title, xml)])


def import_book(
    session: core.Session, path: Path, *, dry_run: bool = False, **kwargs: bool
) -> core.ImportSummary:
    return session.exchange.import_workbook(
        path, dry_run=dry_run, accept_bad_check=kwargs.pop("accept", False), **kwargs
    )


def refused(session: core.Session, path: Path, **kwargs: bool) -> WorkbookError:
    with pytest.raises(WorkbookError) as caught:
        import_book(session, path, dry_run=True, **kwargs)
    return caught.value


# -- the measured cases: refused with a sentence under a 1 GB address-space limit --------------


@pytest.fixture(scope="module")
def huge_string(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One 1 GiB shared string: about 1 MB on disk (built once, about 10 s)."""
    return hostile.one_huge_shared_string(tmp_path_factory.mktemp("huge") / "huge.xlsx")


def assert_refused(outcome: object, *fragments: str) -> None:
    assert outcome.returncode == 1, outcome.stdout  # type: ignore[attr-defined]
    message: str = outcome.stderr  # type: ignore[attr-defined]
    assert message.startswith("错误：") and "Traceback" not in message, message
    assert "没有导入任何数据" in message
    for fragment in fragments:
        assert fragment in message, message
    # a file under 20 MB costs the import under 500 MB (it is ~100 MB, the interpreter)
    assert outcome.peak_mb < 500  # type: ignore[attr-defined]


def test_one_gib_shared_string_is_refused_from_the_directory(
    empty_db: Path, huge_string: Path
) -> None:
    outcome = hostile.run_import(empty_db, huge_string, limit_mb=1024)
    assert_refused(outcome, "共享文字表", "1,024 MB", "200 MB 的上限")


def test_one_gib_string_behind_a_lying_directory_is_stopped_while_streaming(
    empty_db: Path, huge_string: Path, tmp_path: Path
) -> None:
    """The directory says 100 MB (within the cap): only counting the characters as they
    stream stops it, after a few megabytes."""
    book = shutil.copyfile(huge_string, tmp_path / "lying.xlsx")
    hostile.declare_size(book, "xl/sharedStrings.xml", 100 * 1024 * 1024)
    outcome = hostile.run_import(empty_db, book, limit_mb=1024)
    assert_refused(outcome, "单元格", "32,767 个字符的上限")


def test_thirty_million_shared_strings_are_refused(empty_db: Path, tmp_path: Path) -> None:
    book = hostile.many_shared_strings(tmp_path / "many.xlsx", distinct=False)
    outcome = hostile.run_import(empty_db, book, limit_mb=1024)
    assert_refused(outcome, "共享文字表", "200 MB 的上限")


def test_thirty_million_empty_shared_strings_are_refused_by_their_count(
    empty_db: Path, tmp_path: Path
) -> None:
    book = hostile.many_shared_strings(tmp_path / "empty.xlsx", empty=True)
    assert book.stat().st_size < 1_000_000
    outcome = hostile.run_import(empty_db, book, limit_mb=1024)
    assert_refused(outcome, "10,000,000 个字符串的上限")


def test_a_column_filled_down_to_the_last_row_is_refused(empty_db: Path, tmp_path: Path) -> None:
    """Measured before: 3,145,727 error lines (389 MB of text). Now one sentence."""
    book = hostile.filled_down(tmp_path / "filled.xlsx")
    outcome = hostile.run_import(empty_db, book, limit_mb=1024)
    assert_refused(outcome, "“执法检查”表超过 1,000,000 行", "删除数据下方的空行")
    assert len(outcome.stderr.splitlines()) == 1


# -- each limit on its own ---------------------------------------------------------------------


def test_a_value_beyond_column_100_is_refused(session: core.Session, tmp_path: Path) -> None:
    row = [""] * 101
    row[0], row[100] = code(1), "多余"
    book = inline_book(tmp_path / "wide.xlsx", "执法检查", [INSPECTION_HEAD, row])
    error = refused(session, book)
    assert isinstance(error, LimitError) and error.limit == "columns"
    assert "“执法检查”表第2行第CW列有内容" in error.message and "100 列的上限" in error.message


def _two_sheets(path: Path, note: str, *, shared: bool = False) -> Path:
    """企业信息 and 执法检查 whose 备注 is ``note``, inline or as a shared string."""
    units = hostile.sheet_xml(
        [hostile.inline_row(n, r) for n, r in enumerate([UNIT_HEAD, unit(1)], start=1)]
    )
    head = hostile.inline_row(1, INSPECTION_HEAD)
    if shared:
        row = hostile.inline_row(2, (code(1), "2025-05-01", "计划"))[: -len(b"</row>")]
        rows = [head, row + b'<c r="D2" t="s"><v>0</v></c></row>']
        strings = [f'<sst xmlns="{hostile.MAIN_NS}"><si><t>{note}</t></si></sst>'.encode()]
    else:
        rows = [head, hostile.inline_row(2, (code(1), "2025-05-01", "计划", note))]
        strings = None
    sheets = [Sheet("企业信息", units), Sheet("执法检查", hostile.sheet_xml(rows))]
    return hostile.write_xlsx(path, sheets, strings)


@pytest.mark.parametrize("shared", [False, True])
def test_a_cell_of_32768_characters_is_refused_32767_are_not(
    session: core.Session, tmp_path: Path, shared: bool
) -> None:
    error = refused(session, _two_sheets(tmp_path / "long.xlsx", "备" * 32_768, shared=shared))
    assert isinstance(error, LimitError) and error.limit == "cell"
    where = "有一个单元格" if shared else "“执法检查”表D2单元格"
    assert f"{where}有 32,768 个字符，超过每个单元格 32,767 个字符的上限" in error.message
    fits = _two_sheets(tmp_path / "fits.xlsx", "备" * 32_767, shared=shared)
    assert import_book(session, fits).added == 2


def test_the_cell_limit_counts_characters_after_escapes(tmp_path: Path) -> None:
    """32,767 characters written as 229,369 (each ``_x0041_``) are within the limit; one
    more is not — whether the byte-level pass or the precise pass sees the sheet."""
    escaped = "_x0041_" * 32_767
    book = inline_book(
        tmp_path / "e.xlsx", "执法检查", [INSPECTION_HEAD, (code(1), "", "", escaped)]
    )
    parsed = read_workbook(book)
    assert parsed.sheets["执法检查"].rows[0].cells["note"] == "A" * 32_767
    over = inline_book(
        tmp_path / "o.xlsx", "执法检查", [INSPECTION_HEAD, (code(1), "", "", escaped + "A")]
    )
    with pytest.raises(LimitError, match="D2单元格有 32,768 个字符"):
        read_workbook(over)


def test_a_huge_inline_cell_is_refused_by_the_precise_pass(tmp_path: Path) -> None:
    """A row over 1 MB is not proven by the byte-level pass; the expat pass counts the
    cell's characters and names it."""
    book = inline_book(
        tmp_path / "h.xlsx", "执法检查", [INSPECTION_HEAD, (code(1), "", "", "A" * 1_200_000)]
    )
    with pytest.raises(LimitError, match="“执法检查”表D2单元格的文字超过"):
        read_workbook(book)


@pytest.fixture
def few_rows(monkeypatch: pytest.MonkeyPatch) -> int:
    """MAX_ROWS of 5, so that the row limit is tested on small sheets."""
    monkeypatch.setattr(limits, "MAX_ROWS", 5)
    monkeypatch.setattr(xlsx_rows, "MAX_ROWS", 5)
    return 5


def _rows(count: int) -> list[tuple[str, ...]]:
    return [INSPECTION_HEAD[:2], *((code(n), "2025-05-01") for n in range(1, count))]


@pytest.mark.parametrize("prefix", ["", "x"])
def test_row_limit_by_the_byte_level_pass(few_rows: int, tmp_path: Path, prefix: str) -> None:
    ok = inline_book(tmp_path / "ok.xlsx", "执法检查", _rows(few_rows), prefix=prefix)
    assert len(read_workbook(ok).sheets["执法检查"].rows) == few_rows - 1
    over = inline_book(tmp_path / "over.xlsx", "执法检查", _rows(few_rows + 1), prefix=prefix)
    with pytest.raises(LimitError, match="超过 5 行"):
        read_workbook(over)


def test_row_limit_by_the_precise_pass(few_rows: int, tmp_path: Path) -> None:
    """A comment makes the byte count untrustworthy (it could hide a row tag, or fake the
    end of sheetData): the expat pass counts instead."""
    rows = [hostile.inline_row(n, r) for n, r in enumerate(_rows(few_rows + 1), start=1)]
    xml = hostile.sheet_xml([b"<!-- </sheetData> -->", *rows])
    book = hostile.write_xlsx(tmp_path / "c.xlsx", [Sheet("执法检查", xml)])
    with pytest.raises(LimitError, match="超过 5 行"):
        read_workbook(book)


def test_a_value_below_the_last_allowed_row_is_refused(few_rows: int, tmp_path: Path) -> None:
    rows = [hostile.inline_row(1, INSPECTION_HEAD[:2]), hostile.inline_row(9, (code(1), "x"))]
    book = hostile.write_xlsx(tmp_path / "r.xlsx", [Sheet("执法检查", hostile.sheet_xml(rows))])
    with pytest.raises(LimitError, match="超过 5 行"):
        read_workbook(book)


def test_a_dtd_is_refused(tmp_path: Path) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    )
    xml = [bomb, *list(hostile.sheet_xml([hostile.inline_row(1, ("&b;",))]))[1:]]
    book = hostile.write_xlsx(tmp_path / "dtd.xlsx", [Sheet("执法检查", xml)])
    with pytest.raises(WorkbookError, match="不是有效的 Excel 工作簿"):
        read_workbook(book)


def test_declared_sizes_that_cannot_be_true_are_refused(tmp_path: Path) -> None:
    book = inline_book(tmp_path / "b.xlsx", "执法检查", _rows(3))
    sheet = "xl/worksheets/sheet1.xml"
    bigger = shutil.copyfile(book, tmp_path / "bigger.xlsx")
    hostile.declare_size(bigger, sheet, 150 * 1024 * 1024)  # 1 KB cannot inflate to 150 MB
    with pytest.raises(WorkbookError, match="不是有效的 Excel 工作簿"):
        read_workbook(bigger)
    smaller = shutil.copyfile(book, tmp_path / "smaller.xlsx")
    hostile.declare_size(smaller, sheet, 100)  # inflating stops there: the check sum fails
    with pytest.raises(WorkbookError, match="不是有效的 Excel 工作簿"):
        read_workbook(smaller)
    over = shutil.copyfile(book, tmp_path / "over.xlsx")
    hostile.declare_size(over, "xl/workbook.xml", 30 * 1024 * 1024)
    with pytest.raises(LimitError, match=r"workbook\.xml解压后有 30 MB，超过 20 MB 的上限"):
        read_workbook(over)


def test_sheet_xml_over_200_mb_is_refused_naming_the_sheet(tmp_path: Path) -> None:
    def big() -> Iterator[bytes]:
        yield from hostile.sheet_xml([hostile.inline_row(1, INSPECTION_HEAD)])
        yield b" " * (201 * 1024 * 1024)  # after the root: whitespace, compressed to nothing

    book = hostile.write_xlsx(tmp_path / "big.xlsx", [Sheet("执法检查", big())], level=1)
    with pytest.raises(LimitError, match="“执法检查”表解压后有 201 MB，超过 200 MB 的上限"):
        read_workbook(book)


def test_shared_strings_table_is_compact_and_decoded() -> None:
    table = SharedStrings()
    for n in range(10_000):
        table.append(f"字{n}")
    table.finish()
    assert len(table) == 10_000
    assert table[0] == "字0" and table[4095] == "字4095" and table[9_999] == "字9999"
    assert table[17] is table[17]  # a filled-down column shares one string
    with pytest.raises(IndexError):
        table[10_000]


# -- the error list: the first 1,000 and the total ---------------------------------------------


def test_error_list_stops_at_1000_and_gives_the_total(
    session: core.Session, tmp_path: Path
) -> None:
    rows = [INSPECTION_HEAD[:3], *(("不是代码", "某天", "计划") for _ in range(1_200))]
    book = write_book(tmp_path / "bad.xlsx", {"执法检查": rows})
    error = refused(session, book)
    assert error.total == 2_400 and len(error.errors) == MAX_LISTED_ERRORS
    assert [(e.row, e.column) for e in error.errors[:3]] == [
        (2, "统一社会信用代码"),
        (2, "检查日期"),
        (3, "统一社会信用代码"),
    ]
    assert error.errors[-1].row == 501
    lines = error.message.splitlines()
    assert "有 2,400 处错误" in lines[0] and "以下列出前 1,000 处" in lines[0]
    assert len(lines) == 1 + MAX_LISTED_ERRORS + 1
    assert "另有 1,400 处错误未列出" in lines[-1]
    assert not error.only_bad_check


def test_only_bad_check_is_decided_on_every_error_not_the_listed_ones(
    session: core.Session, tmp_path: Path
) -> None:
    rows = [UNIT_HEAD, *((bad_check(n), f"单位{n}", "危险化学品") for n in range(1, 1_101))]
    book = write_book(tmp_path / "checks.xlsx", {"企业信息": rows})
    error = refused(session, book)
    assert error.total == 1_100 and error.only_bad_check
    rows.append((code(2000), "", "危险化学品"))  # one other fault, listed after the 1,000
    book = write_book(tmp_path / "checks2.xlsx", {"企业信息": rows})
    assert not refused(session, book).only_bad_check
    assert import_book(session, tmp_path / "checks.xlsx", accept=True).added == 1_100


def test_cli_prints_the_capped_list(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [INSPECTION_HEAD[:2], *(("不是代码", "2025-05-01") for _ in range(1_500))]
    book = write_book(tmp_path / "bad.xlsx", {"执法检查": rows})
    assert cli.main(["--db", str(db), "import", str(book), "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：工作簿“bad.xlsx”有 1,500 处错误")
    assert len(err.splitlines()) == 1 + MAX_LISTED_ERRORS + 1
    assert "另有 500 处错误未列出" in err


# -- hidden sheets -----------------------------------------------------------------------------


def _hidden_book(path: Path, state: str) -> Path:
    return write_book(
        path,
        {
            "企业信息": [UNIT_HEAD, unit(1)],
            "执法检查": [INSPECTION_HEAD[:2], (code(1), "2025-05-01")],
            "选项": [("是",), ("否",)],
        },
        {"执法检查": state, "选项": "hidden"},
    )


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_hidden_sheets_are_named_and_skipped_unless_asked(
    session: core.Session, tmp_path: Path, state: str
) -> None:
    book = _hidden_book(tmp_path / "h.xlsx", state)
    summary = import_book(session, book, dry_run=True)
    assert [s.sheet for s in summary.sheets] == ["企业信息"]
    assert summary.hidden_sheets == ("执法检查",) and not summary.hidden_included
    text = summary.describe()
    assert "隐藏的工作表，未导入：“执法检查”" in text and "--include-hidden" in text
    assert "选项" not in text  # the template's own list sheet is hidden and silent
    summary = import_book(session, book, include_hidden=True)
    assert [(s.sheet, s.added) for s in summary.sheets] == [("企业信息", 1), ("执法检查", 1)]
    assert "已按要求读取隐藏的工作表：“执法检查”" in summary.describe()


def test_only_hidden_template_sheets_get_a_sentence(session: core.Session, tmp_path: Path) -> None:
    book = write_book(
        tmp_path / "h.xlsx",
        {"企业信息": [UNIT_HEAD, unit(1)], "Sheet": [("笔记",)]},
        {"企业信息": "hidden"},
    )
    error = refused(session, book)
    assert "可导入的工作表“企业信息”是隐藏的" in error.message
    assert "--include-hidden" in error.message and error.hidden_sheets == ("企业信息",)
    assert import_book(session, book, include_hidden=True).added == 1


def test_a_hidden_sheet_is_not_scanned_unless_asked(session: core.Session, tmp_path: Path) -> None:
    """A hidden sheet that will not be read cannot refuse the workbook by its size."""
    wide = [""] * 101
    wide[100] = "多余"
    sheets = [
        Sheet(
            "企业信息",
            hostile.sheet_xml(
                [hostile.inline_row(n, r) for n, r in enumerate([UNIT_HEAD, unit(1)], 1)]
            ),
        ),
        Sheet("执法检查", hostile.sheet_xml([hostile.inline_row(1, wide)]), state="hidden"),
    ]
    book = hostile.write_xlsx(tmp_path / "w.xlsx", sheets)
    assert import_book(session, book, dry_run=True).added == 1
    with pytest.raises(LimitError):
        import_book(session, book, dry_run=True, include_hidden=True)


def test_cli_include_hidden(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = _hidden_book(tmp_path / "h.xlsx", "hidden")
    assert cli.main(["--db", str(db), "import", str(book), "--dry-run"]) == 0
    assert "隐藏的工作表，未导入：“执法检查”" in capsys.readouterr().out
    assert cli.main(["--db", str(db), "import", str(book), "--include-hidden"]) == 0
    out = capsys.readouterr().out
    assert "执法检查：新增 1" in out


# -- Excel's escapes, then the control characters ----------------------------------------------


@pytest.mark.parametrize(
    ("escaped", "decoded"),
    [
        ("甲_x000D_乙", "甲\r乙"),
        ("_x000d_", "\r"),
        ("_x005F_x000D_", "_x000D_"),
        ("a_x005F_b", "a_b"),
        ("_x0041__x0042_", "AB"),
        ("_xD83D__xDE00_", "😀"),
        ("_xD800_", "\ud800"),
        ("_x12_ and _xZZZZ_", "_x12_ and _xZZZZ_"),
        ("no escapes", "no escapes"),
    ],
)
def test_decode_escapes(escaped: str, decoded: str) -> None:
    assert decode_escapes(escaped) == decoded


def test_escaped_cr_in_a_one_line_field_is_refused(session: core.Session, tmp_path: Path) -> None:
    """Before, ``_x000D_`` was stored as seven characters and passed every check."""
    for name, book in (
        (
            "shared",
            write_book(tmp_path / "s.xlsx", {"企业信息": [UNIT_HEAD, unit(1, "甲_x000D_公司")]}),
        ),
        (
            "inline",
            inline_book(tmp_path / "i.xlsx", "企业信息", [UNIT_HEAD, unit(1, "甲_x000D_公司")]),
        ),
    ):
        error = refused(session, book)
        [cell] = error.errors
        assert (cell.column, cell.value) == ("单位名称", "甲U+000D公司"), name
        assert "第2位有回车符（U+000D），这一栏只能填一行" in cell.reason, name


def test_escaped_underscore_stays_text(session: core.Session, tmp_path: Path) -> None:
    book = write_book(
        tmp_path / "u.xlsx", {"企业信息": [UNIT_HEAD, unit(1, "甲_x005F_x000D_公司")]}
    )
    import_book(session, book)
    [name] = session.db.conn.execute("SELECT name FROM units").fetchone()
    assert name == "甲_x000D_公司"


def test_a_note_keeps_its_line_breaks(session: core.Session, tmp_path: Path) -> None:
    note = "第一行_x000D_\n第二行\t完"
    sheets = {
        "企业信息": [UNIT_HEAD, unit(1)],
        "执法检查": [INSPECTION_HEAD, (code(1), "2025-05-01", "计划", note)],
    }
    book = write_book(tmp_path / "n.xlsx", sheets)
    import_book(session, book)
    [stored] = session.db.conn.execute("SELECT note FROM inspections").fetchone()
    assert stored == "第一行\n第二行\t完"
    assert not import_book(session, book).changed  # idempotent


@pytest.mark.parametrize(
    ("sheet", "head", "row", "column"),
    [
        (
            "企业信息",
            ("统一社会信用代码", "单位名称", "行业类别", "地址"),
            (code(1), "甲", "危险化学品", "一路\n二号"),
            "地址",
        ),
        (
            "企业信息",
            ("统一社会信用代码", "单位名称", "行业类别", "联系电话"),
            (code(1), "甲", "危险化学品", "0743_x000A_1"),
            "联系电话",
        ),
        ("执法人员", ("姓名", "执法证号"), ("张\u2028三", "Z001"), "姓名"),
        ("执法人员", ("姓名", "执法证号", "所属单位"), ("张三", "Z001", "一_x0009_科"), "所属单位"),
        ("执法人员", ("姓名", "执法证号"), ("张三", "Z0_x000A_01"), "执法证号"),
    ],
)
def test_every_one_line_field_refuses_line_breaks(
    session: core.Session,
    tmp_path: Path,
    sheet: str,
    head: tuple[str, ...],
    row: tuple[str, ...],
    column: str,
) -> None:
    book = inline_book(tmp_path / "c.xlsx", sheet, [head, row])
    error = refused(session, book)
    assert [(e.column, "U+00" in e.reason or "U+20" in e.reason) for e in error.errors] == [
        (column, True)
    ]


def test_unusual_but_valid_xml_is_read_by_the_precise_pass(
    session: core.Session, tmp_path: Path
) -> None:
    """CDATA and a comment make the byte count untrustworthy; the expat pass proves the
    sheet within the limits and it imports as Excel would read it."""
    rows = [
        hostile.inline_row(1, UNIT_HEAD),
        b"<!-- exported by another program -->",
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>{code(1)}</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t><![CDATA[甲<乙>公司]]></t></is></c>'
        '<c r="C2" t="inlineStr"><is><t>危险化学品</t></is></c></row>'.encode(),
    ]
    book = hostile.write_xlsx(tmp_path / "odd.xlsx", [Sheet("企业信息", hostile.sheet_xml(rows))])
    assert import_book(session, book).added == 1
    [name] = session.db.conn.execute("SELECT name FROM units").fetchone()
    assert name == "甲<乙>公司"


# -- memory: a planned sheet's rows are dropped --------------------------------------------------


def test_planned_rows_are_dropped_and_a_stale_plan_reads_the_workbook_again(
    session: core.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows of each sheet are released once planned (a big workbook is not held
    twice); when another write lands between planning and writing, the workbook is read
    again and planned under the write lock — not planned from the released rows."""
    from safecredit_desktop.core.exchange import importer, planning
    from safecredit_desktop.core.storage import backup

    monkeypatch.setenv("SAFECREDIT_IMPORT_WORKER", "never")  # the serial path's own replan
    book = write_book(tmp_path / "u.xlsx", {"企业信息": [UNIT_HEAD, unit(1), unit(2)]})
    parsed = read_workbook(book)
    importer.plan_import(
        session.db,
        parsed,
        profile=session.profile,
        accept_bad_check=False,
        today=date.fromisoformat(TODAY),
        release_rows=True,
    )
    assert parsed.sheets["企业信息"].rows == []

    real_backup = backup.backup_database
    plans = []
    real_plan = planning.plan_import

    def backup_then_another_write(*args: object, **kwargs: object) -> Path:
        copy = real_backup(*args, **kwargs)  # type: ignore[arg-type]
        session.repo.log_event("users", "someone", {"登录": "x"})  # the audit log moves
        return copy

    def counting_plan(*args: object, **kwargs: object) -> object:
        plans.append(kwargs.get("release_rows", False))
        return real_plan(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(backup, "backup_database", backup_then_another_write)
    monkeypatch.setattr(importer, "plan_import", counting_plan)
    summary = import_book(session, book)
    assert plans == [True, False]  # planned, went stale, planned again from a new read
    assert summary.added == 2
    assert session.db.conn.execute("SELECT count(*) FROM units").fetchone() == (2,)
