"""Bad workbooks are refused whole: every bad cell named (sheet, Excel row, column, value,
reason, in Chinese), and the database file byte-for-byte as it was."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.exchange.importer import WorkbookError
from safecredit_desktop.core.paths import backups_dir_for
from safecredit_desktop.core.validate import uscc_check_character

TODAY = "2026-11-21"
ID = "433123198001011238"


def code(n: int) -> str:
    first = f"91433123MA4L{n:05d}"
    return first + uscc_check_character(first)


def bad_check(n: int) -> str:
    good = code(n)
    return good[:17] + ("0" if good[17] != "0" else "1")


UNIT_HEAD = ("统一社会信用代码", "单位名称", "行业类别", "主要负责人身份证号")


def unit(n: int, *, uscc: object = None, person_id: object = ID) -> tuple[object, ...]:
    return (code(n) if uscc is None else uscc, f"测试{n}有限公司", "危险化学品", person_id)


def write_book(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    wb.save(path)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def stocked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed database holding unit 1 with an inspection (made once, copied per test)."""
    folder = tmp_path_factory.mktemp("stocked")
    path = folder / "x.db"
    session = core.init_database(
        path, profile="fenghuang", bureau_name="测试县应急管理局", user="测试员"
    )
    book = write_book(
        folder / "base.xlsx",
        {
            "企业信息": [UNIT_HEAD, unit(1)],
            "执法检查": [("统一社会信用代码", "检查日期"), (code(1), "2025-05-01")],
        },
    )
    session.exchange.import_workbook(book, dry_run=False, accept_bad_check=False)
    session.close()
    return path


@pytest.fixture
def db(stocked: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "x.db"
    copy.write_bytes(stocked.read_bytes())
    return copy


def refuse(db: Path, book: Path, *, accept: bool = False) -> WorkbookError:
    """Import ``book``, expect a refusal, and check the database file is untouched."""
    before = digest(db)
    session = core.open_session(db, user="测试员")
    try:
        with pytest.raises(WorkbookError) as refused:
            session.exchange.import_workbook(book, dry_run=False, accept_bad_check=accept)
    finally:
        session.close()
    assert digest(db) == before
    assert not Path(f"{db}-wal").exists()
    assert not backups_dir_for(db).exists()
    return refused.value


@dataclass(frozen=True)
class Bad:
    """A damaged workbook and where its faults are: (sheet, row, column, fragment)."""

    sheets: dict[str, Sequence[Sequence[object]]]
    where: tuple[tuple[str, int, str, str], ...]


CELL_CASES: dict[str, Bad] = {
    "bad check character": Bad(
        {"企业信息": [UNIT_HEAD, unit(2, uscc=bad_check(2))]},
        (("企业信息", 2, "统一社会信用代码", "校验码错误"),),
    ),
    "bad ID number": Bad(
        {"企业信息": [UNIT_HEAD, unit(2), unit(3, person_id="433123198001011239")]},
        (("企业信息", 3, "主要负责人身份证号", "校验码错误，末位应为 8"),),
    ),
    "ID number as a number": Bad(
        {"企业信息": [UNIT_HEAD, unit(2, person_id=433123198001011238)]},
        (("企业信息", 2, "主要负责人身份证号", "被当成了数字"),),
    ),
    "impossible date": Bad(
        {"执法检查": [("统一社会信用代码", "检查日期"), (code(1), "2025-02-30")]},
        (("执法检查", 2, "检查日期", "不是真实存在的日期"),),
    ),
    "date as a plain number": Bad(
        {"执法检查": [("统一社会信用代码", "检查日期"), (code(1), 45678)]},
        (("执法检查", 2, "检查日期", "不是日期"),),
    ),
    "date in the future": Bad(
        {"执法检查": [("统一社会信用代码", "检查日期"), (code(1), "2027-01-01")]},
        (("执法检查", 2, "检查日期", "晚于今天"),),
    ),
    "grade contradicts its figures": Bad(
        {
            "生产安全事故": [
                ("统一社会信用代码", "事故日期", "事故等级", "死亡人数", "责任事故"),
                (code(1), "2025-03-01", "一般", 3, "是"),
            ]
        },
        (("生产安全事故", 2, "事故等级", "已达较大事故"),),
    ),
    "unknown violation kind": Bad(
        {
            "失信行为": [
                ("统一社会信用代码", "行为类型", "发生日期"),
                (code(1), "hazard_unreported", "2025-03-01"),
                (code(1), "随便写的行为", "2025-03-02"),
            ]
        },
        (("失信行为", 3, "行为类型", "不是规定的失信行为类型"),),
    ),
    "unit that does not exist": Bad(
        {
            "行政处罚": [
                ("统一社会信用代码", "决定书文号", "决定日期", "处罚部门"),
                (code(9), "凤应急罚〔2025〕7号", "2025-03-01", "应急管理部门"),
            ]
        },
        (("行政处罚", 2, "统一社会信用代码", f"都没有统一社会信用代码为 {code(9)} 的企业"),),
    ),
    "missing required cell": Bad(
        {
            "承诺书": [
                ("统一社会信用代码", "承诺类型", "签署日期"),
                (code(1), None, "2025-03-01"),
            ]
        },
        (("承诺书", 2, "承诺类型", "不能为空"),),
    ),
    "missing required column": Bad(
        {"承诺书": [("统一社会信用代码", "承诺类型"), (code(1), "单位承诺")]},
        (("承诺书", 1, "签署日期", "缺少必填列"),),
    ),
    "unknown column (mistyped 结束日期)": Bad(
        {
            "联合惩戒": [
                ("统一社会信用代码", "认定部门", "开始日期", "结東日期"),
                (code(1), "市场监管局", "2025-01-01", "2025-12-31"),
            ]
        },
        (("联合惩戒", 1, "结東日期", "本表的列为：统一社会信用代码、认定部门、开始日期、结束日期"),),  # noqa: E501
    ),
    "code as a number": Bad(
        {"企业信息": [UNIT_HEAD, unit(2, uscc=914331230000000001)]},
        (("企业信息", 2, "统一社会信用代码", "被当成了数字"),),
    ),
    "code with a space": Bad(
        {"企业信息": [UNIT_HEAD, unit(2, uscc=code(2) + " ")]},
        (("企业信息", 2, "统一社会信用代码", "末尾有空格"),),
    ),
    "code with a space inside": Bad(
        {
            "执法检查": [
                ("统一社会信用代码", "检查日期"),
                (code(1)[:9] + " " + code(1)[9:], "2025-06-01"),
            ]
        },
        (("执法检查", 2, "统一社会信用代码", "中间有空格"),),
    ),
    "document number as a number": Bad(
        {
            "行政处罚": [
                ("统一社会信用代码", "决定书文号", "决定日期", "处罚部门"),
                (code(1), 20250001, "2025-03-01", "应急管理部门"),
            ]
        },
        (("行政处罚", 2, "决定书文号", "被当成了数字"),),
    ),
    "category outside the profile": Bad(
        {"企业信息": [UNIT_HEAD, (code(2), "甲", "煤矿", ID)]},
        (("企业信息", 2, "行业类别", "不是有效值"),),
    ),
    "two rows for one record": Bad(
        {
            "执法检查": [
                ("统一社会信用代码", "检查日期", "发现隐患数"),
                (code(1), "2025-06-01", 1),
                (code(1), "2025/6/1", 2),
            ]
        },
        (("执法检查", 3, "检查日期", "与第2行是同一条记录"),),
    ),
    "more major hazards than hazards": Bad(
        {
            "执法检查": [
                ("统一社会信用代码", "检查日期", "发现隐患数", "重大隐患数"),
                (code(1), "2025-06-01", 1, 2),
            ]
        },
        (("执法检查", 2, "重大隐患数", "不能多于发现隐患数"),),
    ),
    "data under a blank header": Bad(
        {
            "承诺书": [
                ("统一社会信用代码", "承诺类型", "签署日期", None),
                (code(1), "单位承诺", "2025-03-01", "x"),
            ]
        },
        (("承诺书", 2, "第D列", "没有列标题"),),
    ),
    "conflict unit unknown": Bad(
        {"执法人员": [("姓名", "执法证号", "回避单位"), ("王五", "433123001", code(8))]},
        (("执法人员", 2, "回避单位", "都没有"),),
    ),
    "inspector certificate with a space": Bad(
        {"执法人员": [("姓名", "执法证号"), ("王五", "4331 23001")]},
        (("执法人员", 2, "执法证号", "中间有空格"),),
    ),
    "repair names no record": Bad(
        {
            "信用修复": [
                ("统一社会信用代码", "修复对象类型", "决定书文号", "批准日期"),
                (code(1), "行政处罚", "凤应急罚〔2020〕1号", "2025-06-01"),
            ]
        },
        (("信用修复", 2, "决定书文号", "都没有被修复的这条行政处罚记录"),),
    ),
    "many faults at once, in order": Bad(
        {
            "企业信息": [UNIT_HEAD, unit(2, uscc=code(2).lower()), unit(3, person_id="123")],
            "执法检查": [
                ("统一社会信用代码", "检查日期", "检查方式"),
                (code(1), "昨天", "飞行检查"),
            ],
        },
        (
            ("企业信息", 2, "统一社会信用代码", "小写字母"),
            ("企业信息", 3, "主要负责人身份证号", "应为18位"),
            ("执法检查", 2, "检查日期", "不是有效的日期格式"),
            ("执法检查", 2, "检查方式", "不是有效值"),
        ),
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CELL_CASES))
def test_bad_cells_are_all_reported_and_nothing_written(
    name: str, db: Path, tmp_path: Path
) -> None:
    case = CELL_CASES[name]
    error = refuse(db, write_book(tmp_path / "bad.xlsx", case.sheets))
    found = [(e.sheet, e.row, e.column) for e in error.errors]
    assert found == [(s, r, c) for s, r, c, _ in case.where], error.message
    for cell, (sheet, row, column, fragment) in zip(error.errors, case.where, strict=True):
        assert fragment in cell.reason, cell.reason
        line = cell.sentence()
        assert f"“{sheet}”表第{row}行" in line and column in line
        assert line in error.message
    assert error.message.startswith("工作簿“bad.xlsx”有")


def test_message_shows_the_value(db: Path, tmp_path: Path) -> None:
    book = write_book(tmp_path / "v.xlsx", {"企业信息": [UNIT_HEAD, unit(2, uscc=bad_check(2))]})
    error = refuse(db, book)
    assert f"（{bad_check(2)}）" in error.message
    assert error.only_bad_check


def test_bad_check_is_the_only_fault_accept_flag_passes(db: Path, tmp_path: Path) -> None:
    book = write_book(
        tmp_path / "v.xlsx",
        {"企业信息": [UNIT_HEAD, unit(2, uscc=bad_check(2)), unit(3, person_id="1")]},
    )
    error = refuse(db, book, accept=True)
    assert [e.column for e in error.errors] == ["主要负责人身份证号"]
    assert not error.only_bad_check


def test_excel_error_value_is_reported(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "执法检查"
    ws.append(["统一社会信用代码", "检查日期"])
    ws.append([code(1), None])
    ws["B2"] = "#N/A"
    ws["B2"].data_type = "e"
    ws.append([code(1), "=TODAY()"])  # a formula saved without its result
    wb.save(path)
    error = refuse(db, path)
    assert [(e.row, e.column) for e in error.errors] == [(2, "检查日期"), (3, "检查日期")]
    assert "公式错误值" in error.errors[0].reason
    assert "没有保存计算结果" in error.errors[1].reason


# -- files that are not workbooks: one sentence ------------------------------------------------


def text_file(path: Path) -> Path:
    path.write_text("统一社会信用代码,单位名称\n91433123111820220L,甲\n", encoding="utf-8")
    return path


def encrypted_file(path: Path) -> Path:
    """What Excel writes for a workbook with a password to open: an OLE compound file
    holding EncryptionInfo and EncryptedPackage streams."""
    header = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)
    directory = "EncryptionInfo".encode("utf-16-le") + bytes(50)
    directory += "EncryptedPackage".encode("utf-16-le") + bytes(50)
    path.write_bytes(header + directory + bytes(2048))
    return path


def old_xls(path: Path) -> Path:
    path.write_bytes(
        bytes.fromhex("D0CF11E0A1B11AE1") + "Workbook".encode("utf-16-le") + bytes(2048)
    )
    return path


def truncated_xlsx(path: Path) -> Path:
    write_book(path, {"企业信息": [UNIT_HEAD, unit(2)]})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def empty_workbook(path: Path) -> Path:
    openpyxl.Workbook().save(path)
    return path


def header_only(path: Path) -> Path:
    return write_book(
        path, {"企业信息": [UNIT_HEAD], "执法检查": [("统一社会信用代码", "检查日期")]}
    )


def empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def zip_not_workbook(path: Path) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "不是工作簿")
    return path


FILE_CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "a text file renamed .xlsx": (text_file, "不是 Excel 工作簿"),
    "an empty file": (empty_file, "不是 Excel 工作簿"),
    "a password-protected (encrypted) workbook": (encrypted_file, "设有打开密码"),
    "an old .xls workbook": (old_xls, "旧版 Excel"),
    "a truncated workbook": (truncated_xlsx, "已损坏"),
    "a zip that is not a workbook": (zip_not_workbook, "不是有效的 Excel 工作簿"),
    "an empty workbook": (empty_workbook, "没有可导入的工作表"),
    "headers only": (header_only, "没有数据行"),
}


@pytest.mark.parametrize("name", list(FILE_CASES))
def test_not_a_workbook_gets_one_sentence(name: str, db: Path, tmp_path: Path) -> None:
    make, fragment = FILE_CASES[name]
    error = refuse(db, make(tmp_path / "file.xlsx"))
    assert fragment in error.message
    assert error.errors == []
    assert "\n" not in error.message and error.message.endswith("。")


def test_missing_file(db: Path, tmp_path: Path) -> None:
    error = refuse(db, tmp_path / "nowhere.xlsx")
    assert "找不到文件" in error.message


def test_refusal_is_a_project_error() -> None:
    assert issubclass(WorkbookError, SafeCreditError)


def test_header_must_be_on_row_one(db: Path, tmp_path: Path) -> None:
    blank_first = write_book(tmp_path / "b.xlsx", {"企业信息": [(None,), UNIT_HEAD, unit(2)]})
    error = refuse(db, blank_first)
    assert [(e.sheet, e.row) for e in error.errors] == [("企业信息", 1)]
    assert "本表第2行才有内容" in error.errors[0].reason
    titled = write_book(
        tmp_path / "t.xlsx", {"企业信息": [("测试县企业名单",), UNIT_HEAD, unit(2)]}
    )
    error = refuse(db, titled)
    first = error.errors[0]
    assert (first.row, first.column) == (1, "测试县企业名单")
    assert "不是“企业信息”表的列" in first.reason


def test_an_empty_known_sheet_is_ignored(db: Path, tmp_path: Path) -> None:
    book = write_book(tmp_path / "e.xlsx", {"企业信息": [UNIT_HEAD, unit(2)], "执法检查": []})
    session = core.open_session(db, user="测试员")
    try:
        summary = session.exchange.import_workbook(book, dry_run=False, accept_bad_check=False)
    finally:
        session.close()
    assert [s.sheet for s in summary.sheets] == ["企业信息"]
