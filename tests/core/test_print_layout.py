"""Print setup of every exported workbook: one page across, wrapped rows tall enough.

The checks read the saved files as Excel, WPS and LibreOffice do: ``sheetPr/pageSetUpPr
@fitToPage`` switches fitting on, ``pageSetup@fitToWidth=1 fitToHeight=0`` asks for one
page across and as many down as needed. (On a write-only sheet the sheet properties are
written with the first row: set afterwards they were silently lost and every wide sheet
printed two pages across.) test_libreoffice_pages.py checks the printed result itself.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from safecredit_desktop.core import services
from safecredit_desktop.core.exchange import reports, sheets
from safecredit_desktop.core.rules.profile import load_profile
from safecredit_desktop.core.rules.result import GradeResult, Reason

TODAY = date(2026, 11, 21)


def write_all_exports(folder: Path, *, enterprises: int) -> dict[str, Path]:
    """Every export of workbook.md from one demo county, by name."""
    session = services.init_database(
        folder / "exports.db",
        profile="fenghuang",
        bureau_name="凤凰县应急管理局",
        user="测试员",
    )
    try:
        services.fill_demo(session, enterprises=enterprises, seed=7, today=TODAY)
        out = {
            "全部数据": services.export_all_data(
                session, folder / "data.xlsx", include_id=False, today=TODAY
            ).path,
            "统计表": services.export_stats(
                session, folder / "stats.xlsx", as_of=TODAY, reporter_name="张三", today=TODAY
            ),
            "信用等级名单": services.export_grade_list(
                session, folder / "grades.xlsx", as_of=TODAY, today=TODAY
            ),
            "检查计划": services.export_plan(
                session, folder / "plan.xlsx", year=TODAY.year, today=TODAY
            ),
            "template": services.export_template(session, folder / "template.xlsx"),
        }
        drawn = services.make_draw(session, year=TODAY.year, seed="print-layout")
        out["双随机抽查结果"] = services.export_draw(
            session, drawn.summary.id, folder / "draw.xlsx", today=TODAY
        )
        out["双公示"] = services.export_publicity(session, folder / "publicity.xlsx", today=TODAY)
        return out
    finally:
        session.close()


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    yield write_all_exports(tmp_path_factory.mktemp("exports"), enterprises=60)


def test_every_sheet_fits_one_page_across(exports: dict[str, Path]) -> None:
    checked = 0
    for name, path in exports.items():
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            where = f"{name} / {ws.title}"
            fit = ws.sheet_properties.pageSetUpPr
            assert fit is not None and fit.fitToPage, f"{where}: fitToPage not set"
            assert ws.page_setup.fitToWidth == 1, where
            assert ws.page_setup.fitToHeight == 0, where
            assert int(ws.page_setup.paperSize) == sheets.PAPER_A4, where
            assert ws.print_title_rows, f"{where}: no repeated header row"
            checked += 1
    assert checked >= 20


def test_setup_print_after_the_first_row_is_refused(tmp_path: Path) -> None:
    wb = sheets.new_workbook()
    ws = wb.create_sheet("s")
    ws.append(["a"])
    with pytest.raises(RuntimeError, match="first row"):
        sheets.setup_print(ws, title_rows=(1, 1))
    wb.save(tmp_path / "s.xlsx")  # closes the sheet's stream


def test_wrapped_lines_counts_cjk_double() -> None:
    assert sheets.wrapped_lines("", 10) == 1
    assert sheets.wrapped_lines("短", 10) == 1
    # 30 CJK characters = 60 columns; 20.0 wide leaves 18.5 usable: 4 lines
    assert sheets.wrapped_lines("安" * 30, 20.0) == math.ceil(60 / 18.5)
    assert sheets.wrapped_lines("a\nb\nc", 10) == 3
    assert sheets.wrapped_lines("x" * 37, 20.0) == 2


def test_multi_line_reasons_get_a_row_height(tmp_path: Path) -> None:
    profile = load_profile("fenghuang")
    reasons = tuple(
        Reason(f"B.r{i}", f"第{i}条评定理由：生产经营单位及其主要负责人1年内无安全生产失信行为", ())
        for i in range(1, 5)
    )

    def graded(n: int, why: tuple[Reason, ...]) -> GradeResult:
        return GradeResult(
            unit_id=n,
            uscc=f"91433123MA4L{n:06d}",
            name=f"凤凰县第{n}化工有限公司",
            category=profile.categories[0],
            town="沱江镇",
            grade="B",
            label=profile.label("B"),
            tier=None,
            reasons=why,
            as_of=TODAY,
        )

    path = reports.write_grade_list(
        tmp_path / "名单.xlsx",
        [graded(1, reasons), graded(2, (Reason("B.ok", "无失信行为", ()),))],
        profile=profile,
        bureau_name="凤凰县应急管理局",
        basis="评定基准日：2026-11-21（实时）",
        today=TODAY,
    )
    ws = openpyxl.load_workbook(path)["信用等级名单"]
    header = next(r[0].row for r in ws.iter_rows() if r[0].value == "序号")
    reasons_col = next(c.column_letter for c in ws[header] if c.value == "评定理由及依据记录")
    text = ws[f"{reasons_col}{header + 1}"].value
    assert text.count("\n") == 3
    width = ws.column_dimensions[reasons_col].width
    lines = sheets.wrapped_lines(text, width)
    assert lines >= 4
    tall = ws.row_dimensions[header + 1].height
    assert tall is not None and tall >= lines * sheets.LINE_HEIGHT
    # one short reason fits one line: the default height serves
    assert ws.row_dimensions[header + 2].height is None
