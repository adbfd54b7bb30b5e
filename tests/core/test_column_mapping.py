"""Importing the bureau's own register in its own layout (issue 18; workbook.md "Another
layout"): headers matched by synonyms, columns recognised by their values, the header
row found under title rows, the confirmed mapping remembered per layout, and the mapped
rows imported all or nothing with every bad cell named by the source column."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from safecredit_desktop.core import app as core
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.exchange import column_mapping
from safecredit_desktop.core.exchange.columns import SHEET_BY_NAME
from safecredit_desktop.core.exchange.header_synonyms import SYNONYMS, match_header
from safecredit_desktop.core.exchange.importer import WorkbookError
from safecredit_desktop.core.exchange.source_sheet import read_source_sheet
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.paths import backups_dir_for
from safecredit_desktop.core.validate import id_check_character, uscc_check_character

TODAY = date(2026, 11, 21)
UNITS = SHEET_BY_NAME["企业信息"]


def code(n: int) -> str:
    first = f"91433123MA4L{n:05d}"
    return first + uscc_check_character(first)


def id_number(n: int) -> str:
    first = f"43312319800101{n:03d}"
    return first + id_check_character(first)


REGISTER_HEAD = (
    "序号",
    "企业名称",
    "社会信用代码",
    "法人",
    "住所",
    "行业",
    "所在乡镇",
    "联系方式",
    "成立日期",
    "登记状态",
    "负责人",
)


def register_rows(
    count: int, *, town: Callable[[int], str] = lambda n: "沱江镇"
) -> list[list[object]]:
    return [
        [
            n,
            f"凤凰{n}号化工有限公司",
            code(n),
            "张三",
            f"凤凰县沱江镇{n}号",
            "危险化学品",
            town(n),
            "13800138000",
            datetime(2010, 1, n % 28 + 1),
            "存续",
            "李四",
        ]
        for n in range(1, count + 1)
    ]


def write_register(
    path: Path,
    rows: Sequence[Sequence[object]],
    *,
    head: Sequence[str] = REGISTER_HEAD,
    title: str = "市场主体名录",
) -> Path:
    """A 市场监管-like export: a title row, a date line, then the headers and rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    ws.append(["凤凰县市场主体登记信息"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(head))
    ws.append(["导出日期：2026-11-20"])
    ws.append(list(head))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


@pytest.fixture
def session(new_db: Callable[[str], Path]) -> Iterator[core.Session]:
    opened = core.init_database(
        new_db("x.db"), profile="fenghuang", bureau_name="凤凰县应急管理局", user="测试员"
    )
    yield opened
    opened.close()


def unit_count(session: core.Session) -> int:
    return session.units.count()


# -- headers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "template"),
    [
        ("企业名称", "单位名称"),
        ("单位名称", "单位名称"),
        ("企业名称（全称）", "单位名称"),
        ("社会信用代码", "统一社会信用代码"),
        ("统一社会信用代码", "统一社会信用代码"),
        ("信用代码", "统一社会信用代码"),
        ("法人", "法定代表人"),
        ("法定代表人", "法定代表人"),
        ("负责人", "主要负责人"),
        ("主要负责人", "主要负责人"),
        ("联系方式", "联系电话"),
        ("联系电话", "联系电话"),
        ("电话", "联系电话"),
        ("法定代表人联系电话", "联系电话"),
        ("住所", "地址"),
        ("地址", "地址"),
        ("注册地址", "地址"),
        ("行业", "行业类别"),
        ("行业类别", "行业类别"),
        ("行业名称", "行业类别"),
        ("乡镇", "所在乡镇"),
        ("所在乡镇", "所在乡镇"),
        ("街道", "所在乡镇"),
        ("乡镇（街道）", "所在乡镇"),
        ("安全负责人", "分管安全负责人"),
        ("主要负责人身份证号码", "主要负责人身份证号"),
        ("成立时间", "成立日期"),
        ("1. 企业名称：", "单位名称"),
        ("登记状态", None),
        ("注册资本（万元）", None),
        ("序号", None),
        ("", None),
    ],
)
def test_unit_headers_by_synonym(header: str, template: str | None) -> None:
    found = match_header(header, UNITS)
    assert (found.template if found else None) == template


def _full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def _decorated(draw: st.DrawFn, word: str) -> str:
    if draw(st.booleans()):
        word = _full_width(word)
    if draw(st.booleans()):
        at = draw(st.integers(0, len(word)))
        word = word[:at] + draw(st.sampled_from([" ", "　", "  "])) + word[at:]
    if draw(st.booleans()):
        word += draw(st.sampled_from(["(必填)", "（全称）", "【选填】", "(如有)"]))
    if draw(st.booleans()):
        word += draw(st.sampled_from(["*", "：", ":", " *"]))
    if draw(st.booleans()):
        word = draw(st.sampled_from(["1.", "2、", "10 "])) + word
    return word


@st.composite
def named_header(draw: st.DrawFn) -> tuple[str, str, str]:
    """(sheet, template header, a decorated header or synonym naming it)."""
    sheet = draw(st.sampled_from(column_mapping.mappable_sheets()))
    spec = SHEET_BY_NAME[sheet]
    template = draw(st.sampled_from(spec.headers))
    words = [template, *SYNONYMS.get(sheet, {}).get(template, ())]
    return sheet, template, _decorated(draw, draw(st.sampled_from(words)))


@given(named_header())
@example(("企业信息", "单位名称", "企业名称（全称）"))
@example(("生产安全事故", "直接经济损失(万元)", "直接经济损失（万元）*"))
@example(("企业信息", "所在乡镇", "2、乡镇 (如有)"))
def test_any_decorated_header_or_synonym_names_its_column(case: tuple[str, str, str]) -> None:
    sheet, template, header = case
    found = match_header(header, SHEET_BY_NAME[sheet])
    assert found is not None and found.template == template, header


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=20))
@example("名称")
@example("状态状态")
def test_a_match_is_always_a_column_of_the_sheet(header: str) -> None:
    for sheet in column_mapping.mappable_sheets():
        spec = SHEET_BY_NAME[sheet]
        found = match_header(header, spec)
        assert found is None or found.template in spec.headers
        assert found == match_header(unicodedata.normalize("NFKC", header), spec)


# -- proposing --------------------------------------------------------------------------


def test_header_row_found_under_title_rows_and_mapping_proposed(tmp_path: Path) -> None:
    path = write_register(tmp_path / "名录.xlsx", register_rows(3))
    source = read_source_sheet(path)
    assert source.header_row == 3 and [n for n, _ in source.rows] == [4, 5, 6]
    proposal = column_mapping.propose(source)
    assert proposal.mapping == {
        2: "单位名称",
        3: "统一社会信用代码",
        4: "法定代表人",
        5: "地址",
        6: "行业类别",
        7: "所在乡镇",
        8: "联系电话",
        9: "成立日期",
        11: "主要负责人",
    }
    assert proposal.missing_required == ()
    assert proposal.preview[0][0] == 4 and proposal.preview[0][1][1] == "凤凰1号化工有限公司"
    assert proposal.map_argument().startswith("企业名称=单位名称,社会信用代码=统一社会信用代码")


def test_columns_recognised_by_their_values(tmp_path: Path) -> None:
    head = ("编号", "甲", "乙", "丙", "丁", "企业名称")
    rows = [
        [n, code(n), id_number(n), f"0743-32{n:05d}", f"2015/3/{n}", f"企业{n}"]
        for n in range(1, 8)
    ]
    path = write_register(tmp_path / "x.xlsx", rows, head=head)
    proposal = column_mapping.propose(read_source_sheet(path))
    assert proposal.mapping == {
        2: "统一社会信用代码",
        3: "主要负责人身份证号",
        4: "联系电话",
        5: "成立日期",
        6: "单位名称",
    }
    whys = {p.column.header: p.why for p in proposal.columns}
    assert whys["甲"] == "按内容：都是有效的统一社会信用代码"
    assert whys["编号"] == ""  # serial numbers are no phone numbers
    assert proposal.missing_required == ("行业类别",)


def test_a_template_column_goes_to_the_best_named_column(tmp_path: Path) -> None:
    head = ("法定代表人联系电话", "企业名称", "联系电话", "行业")
    rows = [["13800138000", "甲公司", "0743-3210001", "危险化学品"]]
    proposal = column_mapping.propose(
        read_source_sheet(write_register(tmp_path / "x.xlsx", rows, head=head))
    )
    assert proposal.mapping == {2: "单位名称", 3: "联系电话", 4: "行业类别"}


def test_records_of_another_kind(tmp_path: Path) -> None:
    head = ("信用代码", "检查时间", "检查人员", "隐患数量", "企业名称")
    rows = [[code(1), "2026.11.3", "王五、赵六", 2, "凤凰1号化工有限公司"]]
    source = read_source_sheet(write_register(tmp_path / "x.xlsx", rows, head=head))
    proposal = column_mapping.propose(source, "执法检查")
    assert proposal.mapping == {
        1: "统一社会信用代码",
        2: "检查日期",
        3: "执法人员",
        4: "发现隐患数",
    }


# -- the clerk's --map ------------------------------------------------------------------


def test_pairs_by_header_or_letter_and_every_fault_named(tmp_path: Path) -> None:
    head = ("企业名称", "备注", "备注", "代码")
    source = read_source_sheet(
        write_register(tmp_path / "x.xlsx", [["甲", "a", "b", code(1)]], head=head)
    )
    pairs = column_mapping.pairs_from_text("企业名称=单位名称，D=统一社会信用代码, C = 地址")
    assert column_mapping.resolve_pairs(source, "企业信息", pairs) == {
        1: "单位名称",
        4: "统一社会信用代码",
        3: "地址",
    }
    with pytest.raises(SafeCreditError) as exc:
        column_mapping.resolve_pairs(
            source,
            "企业信息",
            [("备注", "地址"), ("企业名", "单位名称"), ("代码", "信用代码"), ("D", "单位名称")],
        )
    message = exc.value.message
    assert "原表有2列都叫“备注”（B列、C列），请用列字母指明" in message
    assert "没有“企业名”列" in message
    assert "“信用代码”不是“企业信息”表的列" in message
    # the window's mapping is by column number, even where a header looks like letters
    lettered = read_source_sheet(
        write_register(tmp_path / "y.xlsx", [["甲", code(1)]], head=("B", "A"))
    )
    assert column_mapping.check_mapping(
        lettered, "企业信息", {1: "单位名称", 2: "统一社会信用代码"}
    ) == {1: "单位名称", 2: "统一社会信用代码"}
    with pytest.raises(SafeCreditError, match="的C列没有内容"):
        column_mapping.check_mapping(lettered, "企业信息", {3: "地址"})
    with pytest.raises(SafeCreditError, match="应写成“原表列标题=模板列标题”"):
        column_mapping.pairs_from_text("企业名称")


# -- importing --------------------------------------------------------------------------


def test_import_mapped_register(session: core.Session, tmp_path: Path) -> None:
    # a town already on a stored unit is not new; the others are named
    first = write_register(tmp_path / "a.xlsx", register_rows(1))
    proposal = session.exchange.propose_mapping(first)
    session.exchange.import_mapped(first, proposal.mapping, dry_run=False, today=TODAY)
    path = write_register(
        tmp_path / "名录.xlsx",
        register_rows(5, town=lambda n: "沱江镇" if n < 3 else "吉首市乾州街道"),
    )
    proposal = session.exchange.propose_mapping(path)
    assert proposal.remembered  # the same header row as a.xlsx
    summary = session.exchange.import_mapped(path, proposal.mapping, dry_run=False, today=TODAY)
    assert (summary.added, summary.unchanged) == (4, 1)
    assert summary.new_towns == ("吉首市乾州街道",)
    assert summary.ignored_columns == ("序号", "登记状态")
    text = summary.describe()
    assert "新出现的乡镇（按原样导入）：吉首市乾州街道" in text
    assert "未对照的列，已忽略：“序号”、“登记状态”" in text
    unit = session.db.conn.execute(
        "SELECT name, legal_rep, main_person, phone, founded_on, town FROM units WHERE uscc = ?",
        (code(3),),
    ).fetchone()
    assert tuple(unit) == (
        "凤凰3号化工有限公司",
        "张三",
        "李四",
        "13800138000",
        "2010-01-04",
        "吉首市乾州街道",
    )
    again = session.exchange.import_mapped(path, proposal.mapping, dry_run=False, today=TODAY)
    assert (again.added, again.updated, again.unchanged, again.backup) == (0, 0, 5, None)


def test_bad_cells_named_by_the_source_column_and_nothing_written(
    session: core.Session, tmp_path: Path
) -> None:
    rows = register_rows(4)
    rows[1][2] = code(2).lower()  # row 5, column C
    rows[2][5] = "化工"  # row 6, column F: not a category of the profile
    rows[3][8] = "2010年13月1日"  # row 7, column I
    path = write_register(tmp_path / "名录.xlsx", rows)
    proposal = session.exchange.propose_mapping(path)
    backups = backups_dir_for(session.db.path)
    before = sorted(backups.glob("*")) if backups.exists() else []
    with pytest.raises(WorkbookError) as exc:
        session.exchange.import_mapped(path, proposal.mapping, dry_run=False, today=TODAY)
    errors = exc.value.errors
    assert [(e.sheet, e.row, e.column) for e in errors] == [
        ("市场主体名录", 5, "社会信用代码"),
        ("市场主体名录", 6, "行业"),
        ("市场主体名录", 7, "成立日期"),
    ]
    assert [getattr(e, "letter", "") for e in errors] == ["C", "F", "I"]
    assert errors[1].value == "化工"
    message = exc.value.message
    assert "“市场主体名录”表第5行C列“社会信用代码”" in message
    assert "“市场主体名录”表第6行F列“行业”（化工）" in message
    assert unit_count(session) == 0
    assert (sorted(backups.glob("*")) if backups.exists() else []) == before
    # nothing remembered from a refused import
    assert not session.exchange.propose_mapping(path).remembered


def test_missing_required_column_asks_for_a_mapping(session: core.Session, tmp_path: Path) -> None:
    path = write_register(tmp_path / "名录.xlsx", register_rows(2))
    mapping = {2: "单位名称", 3: "统一社会信用代码"}
    with pytest.raises(WorkbookError) as exc:
        session.exchange.import_mapped(path, mapping, dry_run=True, today=TODAY)
    (error,) = exc.value.errors
    assert (error.row, error.column) == (3, "行业类别")
    assert "请在列对照中指定哪一列是“行业类别”" in error.reason


def test_confirmed_mapping_remembered_per_layout_and_audited(
    session: core.Session, tmp_path: Path
) -> None:
    path = write_register(tmp_path / "名录.xlsx", register_rows(2))
    proposal = session.exchange.propose_mapping(path)
    assert not proposal.remembered
    mapping = dict(proposal.mapping)
    mapping[11] = "分管安全负责人"  # the clerk knows 负责人 is the safety person here
    session.exchange.import_mapped(path, mapping, dry_run=True, today=TODAY)
    assert not session.exchange.propose_mapping(path).remembered  # a dry run remembers nothing
    session.exchange.import_mapped(path, mapping, dry_run=False, today=TODAY)
    again = session.exchange.propose_mapping(path)
    assert again.remembered and again.mapping == mapping
    assert {p.why for p in again.columns if p.template} == {"上次确认"}
    remembered = session.exchange.remembered_mapping(again.signature)
    assert remembered is not None and remembered.kind == "企业信息"
    entries = session.db.conn.execute(
        "SELECT row_key, after FROM audit_log WHERE table_name = 'settings' AND row_key LIKE ?",
        ("%column_mapping.%",),
    ).fetchall()
    assert len(entries) == 1
    stored = json.loads(json.loads(entries[0][1])["value"])
    assert {
        "column": 11,
        "letter": "K",
        "header": "负责人",
        "template": "分管安全负责人",
    } in stored["columns"]
    # another layout (one more column) is proposed afresh
    other = write_register(
        tmp_path / "other.xlsx",
        [[*r, "x"] for r in register_rows(1)],
        head=(*REGISTER_HEAD, "备注"),
    )
    assert not session.exchange.propose_mapping(other).remembered
    report = core.check_database(session.db.location)
    assert report.ok, report


def test_inspections_through_sheet_argument(session: core.Session, tmp_path: Path) -> None:
    register = write_register(tmp_path / "名录.xlsx", register_rows(1))
    session.exchange.import_mapped(
        register, session.exchange.propose_mapping(register).mapping, dry_run=False, today=TODAY
    )
    head = ("信用代码", "检查时间", "检查人员", "隐患数量", "企业名称")
    path = write_register(
        tmp_path / "检查.xlsx",
        [[code(1), "2026.11.3", "王五、赵六", 2, "凤凰1号化工有限公司"]],
        head=head,
        title="台账",
    )
    kind, mapping, sheet = session.exchange.mapping_from_text(
        path, "信用代码=统一社会信用代码,检查时间=检查日期,隐患数量=发现隐患数", sheet="执法检查"
    )
    assert (kind, sheet) == ("执法检查", None)
    summary = session.exchange.import_mapped(
        path, mapping, kind=kind, sheet=sheet, dry_run=False, today=TODAY
    )
    assert [(s.sheet, s.added) for s in summary.sheets] == [("执法检查", 1)]
    assert summary.ignored_columns == ("检查人员", "企业名称")


def test_template_workbook_is_recognised(session: core.Session, tmp_path: Path) -> None:
    template = session.exchange.export_template(tmp_path / "模板.xlsx")
    assert session.exchange.is_template(template)
    assert not session.exchange.is_template(write_register(tmp_path / "x.xlsx", register_rows(1)))


@given(
    titles=st.lists(
        st.sampled_from(
            ["凤凰县市场主体登记信息", "导出日期：2026-11-20", "单位：户", "注：本表由系统导出"]
        ),
        max_size=6,
    ),
    data=st.integers(1, 8),
)
@example(titles=[], data=1)
@example(titles=["凤凰县市场主体登记信息", "导出日期：2026-11-20"], data=3)
def test_header_row_found_under_any_title_rows(titles: list[str], data: int) -> None:
    from safecredit_desktop.core.exchange.source_sheet import header_index

    rows: list[tuple[int, dict[int, object]]] = [(n + 1, {1: t}) for n, t in enumerate(titles)]
    rows.append((len(rows) + 1, dict(enumerate(REGISTER_HEAD, start=1))))
    for row in register_rows(data):
        rows.append((len(rows) + 1, dict(enumerate(row, start=1))))
    assert header_index(rows) == len(titles)


def test_a_town_on_the_county_list_is_not_new(session: core.Session, tmp_path: Path) -> None:
    session.role = Role.ADMIN
    session.settings.set_towns(["吉首市乾州街道"])
    path = write_register(
        tmp_path / "名录.xlsx",
        register_rows(2, town=lambda n: "吉首市乾州街道" if n == 1 else "新镇"),
    )
    proposal = session.exchange.propose_mapping(path)
    summary = session.exchange.import_mapped(path, proposal.mapping, dry_run=False, today=TODAY)
    assert summary.new_towns == ("新镇",)
