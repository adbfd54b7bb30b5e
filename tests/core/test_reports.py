"""Report workbooks (统计表, 信用等级名单), the shared sheet helpers and the e-mail draft."""

from __future__ import annotations

import time
from datetime import date
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from safecredit_desktop.core import app as core
from safecredit_desktop.core import statistics
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.exchange import reports, sheets
from safecredit_desktop.core.rules.profile import Profile, load_profile
from safecredit_desktop.core.rules.result import GradeResult, Reason

TODAY = date(2026, 11, 21)
BASIS = "评定基准日：2026-11-21（实时）"
LEADING_ZERO_CODE = "000000000000000001"  # would lose its zeros as a number


def code(n: int) -> str:
    return f"91433123MA4L{n:06d}"


def result(
    profile: Profile,
    n: int,
    grade: str,
    *,
    category: str | None = None,
    town: str = "沱江镇",
    flags: tuple[str, ...] = (),
    tier: str | None = None,
    uscc: str | None = None,
    reasons: tuple[Reason, ...] = (),
) -> GradeResult:
    return GradeResult(
        unit_id=n,
        uscc=uscc or code(n),
        name=f"凤凰县第{n}化工有限公司",
        category=category or profile.categories[n % len(profile.categories)],
        town=town,
        grade=grade,
        label=profile.label(grade),
        tier=tier,
        reasons=reasons,
        flags=flags,
        as_of=TODAY,
    )


@pytest.fixture(scope="module")
def fenghuang() -> Profile:
    return load_profile("fenghuang")


@pytest.fixture(scope="module")
def suizhou() -> Profile:
    return load_profile("suizhou")


@pytest.fixture(scope="module")
def kundulun() -> Profile:
    return load_profile("kundulun")


def cell_values(ws: Worksheet) -> list[list[object]]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def find_row(ws: Worksheet, first: object) -> int:
    for row in ws.iter_rows():
        if row[0].value == first:
            return int(row[0].row)
    raise AssertionError(f"no row starting with {first!r}")


def check_print_setup(ws: Worksheet, header_row: int, *, landscape: bool = True) -> None:
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    assert ws.page_setup.orientation == ("landscape" if landscape else "portrait")
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.freeze_panes == f"A{header_row + 1}"


# ---------------------------------------------------------------- the statistics form


def test_stats_form_layout(tmp_path: Path, suizhou: Profile) -> None:
    results = [
        result(suizhou, 3, "C", flags=("待定",)),
        result(suizhou, 1, "A"),
        result(suizhou, 2, "D"),
        result(suizhou, 0, "A", uscc=LEADING_ZERO_CODE),
        result(suizhou, 4, "B"),
    ]
    path = reports.write_stats_form(
        tmp_path / "统计表.xlsx",
        results,
        profile=suizhou,
        bureau_name="随县应急管理局",
        reporter_name="李四",
        basis=BASIS,
        today=TODAY,
    )
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["统计表", "分级汇总"]
    ws = wb["统计表"]
    assert ws["A1"].value == "随县应急管理局安全生产信用分级分类统计表"
    assert ws["A1"].font.sz >= 16 and ws["A1"].font.b
    assert "A1:E1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value == BASIS
    assert ws["A3"].value == "报送单位：随县应急管理局"
    header = find_row(ws, "序号")
    assert [c.value for c in ws[header]] == [
        "序号",
        "统一社会信用代码",
        "生产经营单位名称",
        "安全生产信用等级",
        "备注",
    ]
    check_print_setup(ws, header)

    body = [[c.value for c in row] for row in ws.iter_rows(min_row=header + 1, max_row=header + 5)]
    # sorted by grade, then code; 序号 counts from 1
    assert [r[0] for r in body] == [1, 2, 3, 4, 5]
    assert [r[1] for r in body] == [LEADING_ZERO_CODE, code(1), code(4), code(3), code(2)]
    assert [r[3] for r in body] == [
        "A级（红名单）",
        "A级（红名单）",
        "B级（普通）",
        "C级（被行政处理）",
        "D级（严重失信主体名单）",
    ]
    assert body[3][4] == "待定"
    for row in ws.iter_rows(min_row=header + 1, max_row=header + 5, min_col=2, max_col=2):
        cell = row[0]
        assert isinstance(cell.value, str) and len(cell.value) == 18
        assert cell.number_format == "@"
        assert cell.data_type == "s"

    footer = [c for row in ws.iter_rows(min_row=header + 6) for c in row if c.value]
    texts = [str(c.value) for c in footer]
    assert "统计人员：李四" in texts
    assert "时间：2026年11月21日" in texts
    # not internal-only: no notice row, no page header
    assert not ws.oddHeader.center.text
    assert "第 &P 页" in (ws.oddFooter.center.text or "")

    summary = wb["分级汇总"]
    check_print_setup(summary, find_row(summary, "行业类别"))
    total = find_row(summary, "合计")
    assert [c.value for c in summary[total]][1:] == [2, 1, 1, 1, 5]
    assert wb.properties.subject == BASIS


def test_stats_form_fenghuang_labels_and_widths(tmp_path: Path, fenghuang: Profile) -> None:
    long_name = "凤凰县" + "某" * 30 + "有限公司"
    results = [result(fenghuang, 1, "C"), result(fenghuang, 2, "A")]
    results.append(
        GradeResult(9, code(9), long_name, "危险化学品", "", "B", "二级", None, (), as_of=TODAY)
    )
    path = reports.write_stats_form(
        tmp_path / "f.xlsx",
        results,
        profile=fenghuang,
        bureau_name="凤凰县应急管理局",
        reporter_name="张三",
        basis=BASIS,
        today=date(2026, 1, 5),
    )
    ws = openpyxl.load_workbook(path)["统计表"]
    grades = [ws.cell(row=r, column=4).value for r in range(1, ws.max_row + 1)]
    assert "C级（三级）" in grades and "A级（一级）" in grades and "B级（二级）" in grades
    assert any(c.value == "时间：2026年1月5日" for row in ws.iter_rows() for c in row)
    # CJK counts double: the name column is wider than its character count
    name_width = ws.column_dimensions["C"].width
    assert name_width >= 40
    assert ws.column_dimensions["B"].width >= 20  # 18 characters fit


def test_stats_form_reporters_in_remarks(tmp_path: Path, fenghuang: Profile) -> None:
    results = [result(fenghuang, 1, "B"), result(fenghuang, 2, "C", flags=("待核实",))]
    path = reports.write_stats_form(
        tmp_path / "city.xlsx",
        results,
        profile=fenghuang,
        bureau_name="湘西州应急管理局",
        reporter_name="王五",
        basis=BASIS,
        today=TODAY,
        reporters={1: "凤凰县应急管理局", 2: ""},
    )
    ws = openpyxl.load_workbook(path)["统计表"]
    remarks = [ws.cell(row=r, column=5).value for r in range(1, ws.max_row + 1)]
    assert "报送单位：凤凰县应急管理局" in remarks
    assert "待核实；报送单位：湘西州应急管理局" in remarks


def test_kundulun_notice_on_every_sheet(tmp_path: Path, kundulun: Profile) -> None:
    notice = kundulun.internal_notice
    assert kundulun.internal_only and notice
    results = [
        result(kundulun, 1, "A", tier="县级(旗县)"),
        result(kundulun, 2, "C", tier="市级"),
        result(kundulun, 3, "D", tier="自治区级"),
    ]
    stats = reports.write_stats_form(
        tmp_path / "k-stats.xlsx",
        results,
        profile=kundulun,
        bureau_name="昆都仑区应急管理局",
        reporter_name="赵六",
        basis=BASIS,
        today=TODAY,
    )
    names = reports.write_grade_list(
        tmp_path / "k-list.xlsx",
        results,
        profile=kundulun,
        bureau_name="昆都仑区应急管理局",
        basis=BASIS,
    )
    for path in (stats, names):
        wb = openpyxl.load_workbook(path)
        assert len(wb.worksheets) >= 2
        for ws in wb.worksheets:
            visible = [c.value for row in ws.iter_rows(max_row=6) for c in row]
            assert notice in visible, ws.title
            notice_row = find_row(ws, notice)
            assert notice_row < find_row(ws, ws.cell(row=notice_row + 1, column=1).value)
            assert ws.oddHeader.center.text == notice, ws.title
    ws = openpyxl.load_workbook(stats)["统计表"]
    grades = [ws.cell(row=r, column=4).value for r in range(1, ws.max_row + 1)]
    assert "A级（优）" in grades and "D级（差）" in grades
    remarks = [ws.cell(row=r, column=5).value for r in range(1, ws.max_row + 1)]
    assert "监管层级：市级" in remarks


# ---------------------------------------------------------------- the grade list


def test_grade_list(tmp_path: Path, fenghuang: Profile) -> None:
    reasons = (
        Reason(
            "B.no_fatal_accident_12m",
            "1年内发生造成人员死亡的生产安全责任事故",
            ("事故 2026-03-02 死亡1人",),
        ),
        Reason("B.commitment", "未签订安全生产承诺书"),
    )
    results = [
        result(fenghuang, 1, "C", reasons=reasons, town="沱江镇", category="危险化学品"),
        result(fenghuang, 2, "A", town="", flags=("待定",)),
    ]
    path = reports.write_grade_list(
        tmp_path / "名单.xlsx",
        results,
        profile=fenghuang,
        bureau_name="凤凰县应急管理局",
        basis=BASIS,
        last_inspection={1: date(2026, 5, 6)},
        today=TODAY,
    )
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["信用等级名单", "说明"]
    ws = wb["信用等级名单"]
    assert ws["A1"].value == "凤凰县应急管理局安全生产信用等级名单"
    header = find_row(ws, "序号")
    headers = [c.value for c in ws[header]]
    assert headers == [
        "序号",
        "统一社会信用代码",
        "单位名称",
        "行业类别",
        "所在乡镇",
        "信用等级",
        "评定理由及依据记录",
        "最近检查日期",
        "下次检查到期",
        "备注",
    ]
    check_print_setup(ws, header)
    assert ws.auto_filter.ref == f"A{header}:J{header + 2}"
    first, second = (
        dict(zip(headers, (c.value for c in ws[header + i]), strict=True)) for i in (1, 2)
    )
    assert first["统一社会信用代码"] == code(2) and first["信用等级"] == "A级（一级）"
    assert first["备注"] == "待定"
    assert second["信用等级"] == "C级（三级）"
    assert second["行业类别"] == "危险化学品" and second["所在乡镇"] == "沱江镇"
    assert second["评定理由及依据记录"] == (
        "1. 1年内发生造成人员死亡的生产安全责任事故（事故 2026-03-02 死亡1人）\n"
        "2. 未签订安全生产承诺书"
    )
    assert second["最近检查日期"].date() == date(2026, 5, 6)
    assert first["最近检查日期"] is None
    assert second["下次检查到期"] is None  # comes with scheduling
    code_cell = ws.cell(row=header + 1, column=2)
    assert code_cell.number_format == "@"

    notes = {row[0]: row[1] for row in cell_values(wb["说明"]) if row[0] and row[1]}
    assert notes["评定依据"] == BASIS
    assert notes["下次检查到期"] == reports.NEXT_DUE_PENDING
    check_print_setup(wb["说明"], find_row(wb["说明"], "项目"), landscape=False)


def test_grade_list_with_due_dates(tmp_path: Path, fenghuang: Profile) -> None:
    path = reports.write_grade_list(
        tmp_path / "due.xlsx",
        [result(fenghuang, 1, "B")],
        profile=fenghuang,
        bureau_name="凤凰县应急管理局",
        basis=BASIS,
        next_due={1: date(2027, 5, 6)},
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["信用等级名单"]
    header = find_row(ws, "序号")
    due_column = [c.value for c in ws[header]].index("下次检查到期") + 1
    assert ws.cell(row=header + 1, column=due_column).value.date() == date(2027, 5, 6)
    notes = {row[0]: row[1] for row in cell_values(wb["说明"]) if row[0]}
    assert notes["下次检查到期"] != reports.NEXT_DUE_PENDING


# ---------------------------------------------------------------- helpers


def test_text_cells_stay_text(tmp_path: Path, fenghuang: Profile) -> None:
    """A name starting with = is not a formula; control characters are dropped."""
    odd = GradeResult(1, code(1), "=SUM(A1)\x07公司", "危险化学品", "", "B", "二级", None, ())
    path = reports.write_stats_form(
        tmp_path / "odd.xlsx",
        [odd],
        profile=fenghuang,
        bureau_name="凤凰县应急管理局",
        reporter_name="张三",
        basis=BASIS,
        today=TODAY,
    )
    ws = openpyxl.load_workbook(path)["统计表"]
    header = find_row(ws, "序号")
    cell = ws.cell(row=header + 1, column=3)
    assert cell.value == "=SUM(A1)公司" and cell.data_type == "s"


def test_text_width_counts_cjk_double() -> None:
    assert sheets.text_width("ABC") == 3
    assert sheets.text_width("凤凰县") == 6
    assert sheets.text_width("A级（一级）") == 11
    assert sheets.text_width("一行\n第二行很长") == 10
    assert sheets.chinese_date(date(2026, 3, 9)) == "2026年3月9日"


def test_save_refuses_bad_target(tmp_path: Path) -> None:
    wb = sheets.new_workbook()
    with pytest.raises(SafeCreditError, match=r"\.xlsx"):
        sheets.save_workbook(wb, tmp_path / "x.csv")
    with pytest.raises(SafeCreditError, match="不存在"):
        sheets.save_workbook(wb, tmp_path / "missing" / "x.xlsx")


def test_grade_counts_and_tables(fenghuang: Profile) -> None:
    results = [
        result(fenghuang, 1, "A", category="危险化学品", town="沱江镇"),
        result(fenghuang, 2, "C", category="危险化学品", town=""),
        result(fenghuang, 3, "C", category="非煤矿山", town="沱江镇"),
    ]
    assert reports.grade_counts(results, lambda r: r.category) == {
        "危险化学品": {"A": 1, "C": 1},
        "非煤矿山": {"C": 1},
    }
    tables = statistics.build_statistics(
        results,
        profile=fenghuang,
        bureau_name="凤凰县应急管理局",
        as_of=TODAY,
        basis=BASIS,
        reporters={1: "", 2: "吉首市应急管理局"},
    )
    assert tables.by_category.rows == fenghuang.categories  # every category, even empty
    assert tables.by_category.count("危险化学品", "C") == 1
    assert tables.by_town.rows == ("沱江镇", statistics.NO_TOWN)
    assert tables.by_reporter is not None
    assert tables.by_reporter.rows == ("凤凰县应急管理局", "吉首市应急管理局")
    assert tables.by_grade == {"A": 1, "B": 0, "C": 2, "D": 0}
    assert tables.by_category.body()[-1] == ["合计", 1, 0, 2, 0, 3]
    assert tables.internal_notice is None


# ---------------------------------------------------------------- e-mail draft


def test_eml_draft(tmp_path: Path, fenghuang: Profile) -> None:
    workbook = reports.write_stats_form(
        tmp_path / "凤凰县应急管理局安全生产信用分级分类统计表-2026-11-21.xlsx",
        [result(fenghuang, 1, "B")],
        profile=fenghuang,
        bureau_name="凤凰县应急管理局",
        reporter_name="张三",
        basis=BASIS,
        today=TODAY,
    )
    subject, body = reports.draft_text(
        bureau_name="凤凰县应急管理局",
        report_title="安全生产信用分级分类统计表",
        basis=BASIS,
        attachment_name=workbook.name,
        today=TODAY,
    )
    draft = reports.write_eml_draft(
        tmp_path / "draft.eml",
        to="shi@yjj.example.cn",
        subject=subject,
        body=body,
        attachment=workbook,
        sender_name="凤凰县应急管理局",
    )
    raw = draft.read_bytes()
    assert raw.isascii()  # every header and part encoded
    assert b"\r\n" in raw
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert message["X-Unsent"] == "1"
    assert message["To"] == "shi@yjj.example.cn"
    assert message["From"] is None
    assert message["Subject"] == subject
    assert "凤凰县应急管理局" in subject and "2026-11-21" in subject
    text = message.get_body(preferencelist=("plain",))
    assert text is not None and "凤凰县应急管理局" in text.get_content()
    attachments = list(message.iter_attachments())
    assert len(attachments) == 1
    part = attachments[0]
    assert part.get_content_type() == sheets.XLSX_MIME
    assert part.get_filename() == workbook.name
    assert "filename*=" in str(part["Content-Disposition"]) or b"filename*" in raw
    assert part.get_content() == workbook.read_bytes()


def test_eml_missing_attachment(tmp_path: Path) -> None:
    with pytest.raises(SafeCreditError, match="无法读取附件"):
        reports.write_eml_draft(
            tmp_path / "d.eml",
            to="",
            subject="s",
            body="b",
            attachment=tmp_path / "none.xlsx",
            sender_name="凤凰县应急管理局",
        )


# ---------------------------------------------------------------- services


def test_services_exports(tmp_path: Path, new_db: Any) -> None:
    session = core.init_database(
        new_db("s.db"),
        profile="fenghuang",
        bureau_name="凤凰县应急管理局",
        user="测试员",
        upper_email="shi@yjj.example.cn",
    )
    try:
        core.fill_demo(session, enterprises=200, seed=4, today=TODAY)
        tables = session.reports.statistics(as_of=TODAY, group_by_reporter=True)
        assert tables.units == 200 and tables.by_category.total == 200
        assert tables.by_reporter is not None
        stats = session.reports.export_stats(
            tmp_path / "统计表.xlsx", as_of=TODAY, reporter_name="张三", today=TODAY
        )
        names = session.reports.export_grade_list(tmp_path / "名单.xlsx", as_of=TODAY)
        ws = openpyxl.load_workbook(stats)["统计表"]
        header = find_row(ws, "序号")
        assert ws.cell(row=header + 200, column=1).value == 200
        assert ws.cell(row=header + 201, column=1).value is None
        assert openpyxl.load_workbook(names)["信用等级名单"].max_row >= header + 200
        events = session.db.conn.execute(
            "SELECT count(*) FROM audit_log WHERE table_name = 'export'"
        ).fetchone()[0]
        assert events == 2
        draft = session.reports.write_mail_draft(stats)
        assert draft == stats.with_suffix(".eml")
        message = BytesParser(policy=policy.default).parsebytes(draft.read_bytes())
        assert message["To"] == "shi@yjj.example.cn"
        assert "凤凰县应急管理局" in message["Subject"] and BASIS in message["Subject"]
        assert "安全生产信用分级分类统计表" in message["Subject"]
    finally:
        session.close()


# ---------------------------------------------------------------- size


def test_hundred_thousand_rows(tmp_path: Path, fenghuang: Profile) -> None:
    """100,000 rows write in seconds (measured and printed, not asserted)."""
    letters = "ABCD"
    results = [
        GradeResult(
            i,
            code(i),
            f"凤凰县第{i}号化工有限责任公司",
            fenghuang.categories[i % 4],
            f"第{i % 23}镇",
            letters[i % 4],
            fenghuang.label(letters[i % 4]),
            None,
            (),
            flags=("待定",) if i % 97 == 0 else (),
        )
        for i in range(100_000)
    ]
    started = time.perf_counter()
    path = reports.write_stats_form(
        tmp_path / "big.xlsx",
        results,
        profile=fenghuang,
        bureau_name="凤凰县应急管理局",
        reporter_name="张三",
        basis=BASIS,
        today=TODAY,
    )
    seconds = time.perf_counter() - started
    print(f"\n100,000-row 统计表 written in {seconds:.2f} s ({path.stat().st_size:,} bytes)")
    wb = openpyxl.load_workbook(path, read_only=True)
    ws = wb["统计表"]
    last = None
    for row in ws.iter_rows(min_row=6, values_only=True):
        if row and row[0] == 100_000:
            last = row
    assert last is not None and len(str(last[1])) == 18
    wb.close()
