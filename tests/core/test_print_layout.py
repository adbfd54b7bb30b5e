"""Print setup of every exported workbook: one page across, wrapped rows tall enough.

The settings are read from the saved files as Excel, WPS and LibreOffice read them:
``sheetPr/pageSetUpPr@fitToPage`` switches fitting on, ``pageSetup@fitToWidth=1
fitToHeight=0`` asks for one page across and as many down as needed. (On a write-only
sheet the sheet properties are written with the first row: set afterwards they were
silently lost and every wide sheet printed two pages across.)

``test_libreoffice_prints_every_sheet_one_page_across`` checks the printed result
itself: LibreOffice converts every export to PDF, and every page must carry the whole
repeated header row of one of the workbook's sheets. A sheet whose columns spill over
prints its right-hand columns on pages of their own, whose header row lacks the
left-hand headers (序号, 统一社会信用代码 …), so such a page fails the check.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.exchange import reports, sheets
from safecredit_desktop.core.paths import resources_dir
from safecredit_desktop.core.rules.profile import load_profile
from safecredit_desktop.core.rules.result import GradeResult, Reason
from safecredit_desktop.core.storage import settings as keys

TODAY = date(2026, 11, 21)
ENTERPRISES = 300  # a small county: LibreOffice converts every export in seconds


def complete_some_penalties(session: core.Session) -> None:
    """The demo leaves the national 双公示 fields blank; fill them on most penalties so
    the 行政处罚双公示 sheet prints with its long texts."""
    ids = session.db.conn.execute(
        "SELECT id FROM penalties WHERE department = '应急管理部门' ORDER BY id"
    ).fetchall()
    for n, (penalty_id,) in enumerate(ids):
        if n % 5 == 4:
            continue
        record = session.repo.get(model.Penalty, int(penalty_id))
        session.records.save(
            replace(
                record,
                violation_type="未按规定开展安全生产教育和培训",
                legal_basis="《中华人民共和国安全生产法》第九十七条第（三）项、第一百一十四条",
                penalty_types="警告、罚款" if n % 3 else "暂扣许可证件",
                penalty_content=f"警告，并处罚款人民币{int(record.fine_yuan)}元",
                aggravated_fine=n % 7 == 0,
            ),
        )


def write_all_exports(folder: Path, *, enterprises: int) -> dict[str, Path]:
    """Every export of workbook.md from one demo county, by name."""
    session = core.init_database(
        folder / "exports.db",
        profile="fenghuang",
        bureau_name="凤凰县应急管理局",
        user="测试员",
    )
    try:
        core.fill_demo(session, enterprises=enterprises, seed=7, today=TODAY)
        complete_some_penalties(session)
        keys.set_setting(session.db, "管理员", keys.BUREAU_USCC, "11433123MB1234567X")
        out = {
            "全部数据": session.exchange.export_all_data(
                folder / "data.xlsx", include_id=False, today=TODAY
            ).path,
            "统计表": session.reports.export_stats(
                folder / "stats.xlsx", as_of=TODAY, reporter_name="张三", today=TODAY
            ),
            "信用等级名单": session.reports.export_grade_list(
                folder / "grades.xlsx", as_of=TODAY, today=TODAY
            ),
            "检查计划": session.schedule.export_plan(
                folder / "plan.xlsx", year=TODAY.year, today=TODAY
            ),
            "template": session.exchange.export_template(folder / "template.xlsx"),
        }
        drawn = session.draws.make(year=TODAY.year, seed="print-layout")
        out["双随机抽查结果"] = session.draws.export(
            drawn.summary.id, folder / "draw.xlsx", today=TODAY
        )
        out["行政处罚双公示"] = session.publicity.export_penalties(
            folder / "penalties.xlsx", start=date(2020, 1, 1), end=TODAY, today=TODAY
        ).path
        out["双公示清单"] = session.publicity.export(folder / "publicity.xlsx", today=TODAY)
        return out
    finally:
        session.close()


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    yield write_all_exports(tmp_path_factory.mktemp("exports"), enterprises=ENTERPRISES)


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
    assert checked >= 25


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


# ---------------------------------------------------------------- LibreOffice, for real


def soffice_or_skip() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if os.geteuid() != 0:
        pytest.skip(
            "LibreOffice (soffice) is not installed and this user cannot install it: "
            "as root, `make system-packages` installs libreoffice-calc-nogui"
        )
    pytest.fail(
        "LibreOffice (soffice) is missing: `make system-packages` (as root) installs "
        "libreoffice-calc-nogui, which this test needs"
    )


def convert_to_pdf(soffice: str, workbooks: list[Path], folder: Path) -> None:
    """One soffice run for all workbooks, with a private profile and the shipped fonts
    (so Chinese text has the widths it has on an office PC)."""
    profile = folder / "lo-profile"
    fonts = folder / "fonts.conf"
    fonts.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{resources_dir() / 'fonts'}</dir>"
        f"<cachedir>{Path(tempfile.gettempdir()) / 'safecredit-test-fc-cache'}</cachedir>"
        "</fontconfig>",
        encoding="utf-8",
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(fonts), "HOME": str(folder)}
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *map(str, workbooks),
        ],
        env=env,
        capture_output=True,
        timeout=600,
        check=True,
    )


def repeated_headers(path: Path) -> dict[str, list[str]]:
    """Per printed sheet, the texts of its repeated header row (spaces removed)."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        if ws.sheet_state != "visible" or not ws.print_title_rows:
            continue
        row = int(ws.print_title_rows.split(":")[0].lstrip("$"))
        out[ws.title] = [re.sub(r"\s+", "", str(c.value)) for c in ws[row] if c.value]
    return out


def pdf_pages(path: Path) -> list[str]:
    """Each page's text in drawing order, whitespace removed (a wrapped header cell's
    lines are drawn one after the other, so its text reads whole)."""
    text = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [re.sub(r"\s+", "", page) for page in text.split("\f")[:-1]]


def test_libreoffice_prints_every_sheet_one_page_across(
    exports: dict[str, Path], tmp_path: Path
) -> None:
    soffice = soffice_or_skip()
    assert set(exports) >= {
        "全部数据",
        "统计表",
        "信用等级名单",
        "检查计划",
        "双随机抽查结果",
        "行政处罚双公示",
        "template",
    }
    convert_to_pdf(soffice, list(exports.values()), tmp_path)
    spilled: list[str] = []
    printed_sheets: set[tuple[str, str]] = set()
    for name, workbook in exports.items():
        headers = repeated_headers(workbook)
        pages = pdf_pages(tmp_path / f"{workbook.stem}.pdf")
        assert pages, f"{name}: LibreOffice printed nothing"
        bad = []
        for number, page in enumerate(pages, start=1):
            whole = [s for s, texts in headers.items() if all(t in page for t in texts)]
            if not whole:
                bad.append(number)
            printed_sheets.update((name, s) for s in whole)
        if bad:
            spilled.append(f"{name}: {len(bad)} of {len(pages)} pages (e.g. {bad[:5]})")
    assert not spilled, "pages without a whole header row (columns spilled): " + "; ".join(spilled)
    # and every sheet printed, each page of it under its whole header row
    expected = {(n, s) for n, w in exports.items() for s in repeated_headers(w)}
    assert expected - printed_sheets == set()
