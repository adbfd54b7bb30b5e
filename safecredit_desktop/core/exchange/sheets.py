"""Shared openpyxl helpers: how every workbook the program writes looks and prints.

One place for what workbook.md asks of exported reports: the bureau's name in the
title, frozen header rows, column widths that fit Chinese text (a CJK character is two
columns wide), text-formatted code columns (an 18-character 统一社会信用代码 must never
turn into a number), A4 landscape with the header row repeated on every printed page,
and the profile's internal-use notice both above the table and in the print header.

The helpers work on ordinary and on write-only (streaming) worksheets alike; reports
use write-only workbooks (``new_workbook``) because 100,000 rows must write in seconds.
Write-only sheets have one ordering rule: the sheet view (frozen panes) and the column
widths are written with the first row, so set them before the first ``append``. Page
setup, print titles, merged ranges, header/footer and the auto-filter are written when
the workbook is saved and may be set at any time. ``write_table`` follows that order.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.properties import PageSetupProperties

from safecredit_desktop.core.errors import SafeCreditError

TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
PAPER_A4 = 9  # ECMA-376 paperSize code of A4
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

BODY_FONT = "宋体"
TITLE_FONT = "黑体"
PAGE_FOOTER = "第 &P 页，共 &N 页"

_THIN = Side(style="thin", color="000000")
_GRID = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill(fill_type="solid", start_color="FFD9D9D9", end_color="FFD9D9D9")


# ---------------------------------------------------------------- widths


def text_width(value: object) -> float:
    """Display columns of a value: ASCII 1, a CJK or full-width character 2.

    The widest line counts. Approximated from the UTF-8 length (1 byte → 1 column,
    3 bytes → 2), which is exact for ASCII and CJK and costs no per-character Python
    loop — it runs over every cell of a 100,000-row report.
    """
    if value is None:
        return 0.0
    if isinstance(value, str):
        text = value
    elif isinstance(value, datetime):
        return 16.0
    elif isinstance(value, date):
        return 10.0
    else:
        text = str(value)
    if text.isascii():
        return float(max(len(line) for line in text.split("\n")))
    return max((len(line) + len(line.encode("utf-8"))) / 2 for line in text.split("\n"))


class WidthMeter:
    """Widest value per column, between each column's minimum and maximum."""

    def __init__(self, columns: Sequence[Column]) -> None:
        self._columns = tuple(columns)
        self.widest = [text_width(c.header) for c in self._columns]
        # past this a column is as wide as it may be (widths() caps it): no more measuring
        self.full = [c.max_width - 2 for c in self._columns]

    def add(self, row: Sequence[object]) -> None:
        widest = self.widest
        full = self.full
        for index, value in enumerate(row):
            if value is None:
                continue
            known = widest[index]
            if known >= full[index]:
                continue
            kind = type(value)
            if kind is str:
                # a text is at most twice its length wide: most cells need no measuring
                if 2 * len(value) <= known:  # type: ignore[arg-type]
                    continue
            elif kind is date:  # text_width's figure for a date, without its tests
                if known >= 10.0:
                    continue
            elif value == "":
                continue
            width = text_width(value)
            if width > known:
                widest[index] = width

    def widths(self) -> list[float]:
        """Excel column widths (characters of the default font), with a little padding."""
        return [
            max(c.min_width, min(c.max_width, w + 2))
            for c, w in zip(self._columns, self.widest, strict=True)
        ]


LINE_HEIGHT = 14.5  # points per line of 11-pt 宋体 in Excel, WPS and LibreOffice
ROW_PADDING = 3.0  # points above and below a wrapped cell's lines
MAX_ROW_HEIGHT = 409.0  # Excel's largest row height


def wrapped_lines(value: object, width: float) -> int:
    """Lines a wrapped cell of column ``width`` needs for ``value``: each line of the text
    takes ⌈display columns / usable columns⌉ lines (a CJK character is 2 columns; the
    cell's margins take about 1.5)."""
    if value is None or value == "":
        return 1
    text = value if isinstance(value, str) else str(value)
    usable = max(1.0, width - 1.5)
    if "\n" not in text and 2 * len(text) <= usable:
        return 1  # at most twice its length wide: fits on one line without measuring
    return sum(max(1, math.ceil(text_width(line) / usable)) for line in text.split("\n"))


def wrapped_row_height(values: Sequence[object], wrapped: Sequence[tuple[int, float]]) -> float:
    """The height (points) of a row whose ``wrapped`` (index, width) cells wrap; 0 when
    every one of them fits on one line (the sheet's default height serves)."""
    lines = max((wrapped_lines(values[index], width) for index, width in wrapped), default=1)
    if lines <= 1:
        return 0.0
    return min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT + ROW_PADDING)


def set_column_widths(ws: Any, widths: Sequence[float]) -> None:
    """Column widths, left to right (before the first row on a write-only sheet)."""
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = round(width, 1)


# ---------------------------------------------------------------- views and printing


def freeze_below(ws: Any, row: int, column: int = 1) -> None:
    """Keep rows 1..row (and columns before ``column``) in view while scrolling."""
    ws.freeze_panes = f"{get_column_letter(column)}{row + 1}"


def setup_print(
    ws: Any,
    *,
    title_rows: tuple[int, int] | None,
    notice: str | None = None,
    landscape: bool = True,
    fit_to_width: bool = True,
) -> None:
    """A4 (landscape by default), all columns on one page width, ``title_rows``
    repeated at the top of every printed page, page numbers in the footer and the
    internal-use ``notice`` (if any) in the header of every page.

    On a write-only sheet call this before the first ``append``: the sheet properties
    that switch fitting on are written with the first row (set later, they are lost and
    Excel, WPS and LibreOffice print the columns two pages across).
    """
    if getattr(ws, "_writer", None) is not None:  # write-only sheet already streaming
        raise RuntimeError("setup_print must precede the first row of a write-only sheet")
    setup = ws.page_setup
    setup.paperSize = PAPER_A4
    setup.orientation = "landscape" if landscape else "portrait"
    if fit_to_width:
        # Excel, WPS and LibreOffice read "fit" from sheetPr/pageSetUpPr@fitToPage; the
        # page counts come from pageSetup: 1 across, 0 = as many as needed down.
        properties = ws.sheet_properties
        if properties.pageSetUpPr is None:
            properties.pageSetUpPr = PageSetupProperties()
        properties.pageSetUpPr.fitToPage = True
        setup.fitToWidth = 1
        setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    margins = ws.page_margins
    margins.left = margins.right = 0.5
    margins.top = margins.bottom = 0.75
    margins.header = margins.footer = 0.3
    if title_rows is not None:
        ws.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"
    set_header_footer(ws, notice=notice)


def _escape_hf(text: str) -> str:
    """``&`` starts a header/footer code; a literal ampersand is written ``&&``."""
    return text.replace("&", "&&")


def set_header_footer(ws: Any, *, notice: str | None, footer: str = PAGE_FOOTER) -> None:
    """The notice centred in the page header (bold, red), page numbers in the footer."""
    if notice:
        ws.oddHeader.center.text = _escape_hf(notice)
        ws.oddHeader.center.size = 12
        ws.oddHeader.center.font = f"{BODY_FONT},Bold"
        ws.oddHeader.center.color = "C00000"
    if footer:
        ws.oddFooter.center.text = footer
        ws.oddFooter.center.size = 9


def merge_row(ws: Any, row: int, first_column: int, last_column: int) -> None:
    """Merge one row's cells (ordinary sheets after the row is written; any time else)."""
    if last_column <= first_column:
        return
    ref = CellRange(min_col=first_column, min_row=row, max_col=last_column, max_row=row)
    if hasattr(ws, "merge_cells"):
        ws.merge_cells(ref.coord)
    else:  # write-only: the range is written when the workbook is saved
        ws.merged_cells.add(ref)


# ---------------------------------------------------------------- styled cells


@dataclass(frozen=True)
class CellStyle:
    """A cell's look; hashable so each one is registered with the workbook once."""

    font: Font | None = None
    alignment: Alignment | None = None
    border: Border | None = None
    fill: PatternFill | None = None
    number_format: str | None = None


def _font(size: float = 11, *, bold: bool = False, color: str | None = None) -> Font:
    return Font(name=BODY_FONT, size=size, bold=bold, color=color)


TITLE = CellStyle(
    font=Font(name=TITLE_FONT, size=18, bold=True),
    alignment=Alignment(horizontal="center", vertical="center"),
)
LINE = CellStyle(font=_font(11), alignment=Alignment(horizontal="left", vertical="center"))
LINE_CENTERED = CellStyle(
    font=_font(11), alignment=Alignment(horizontal="center", vertical="center")
)
NOTICE = CellStyle(
    font=_font(12, bold=True, color="FFC00000"),
    alignment=Alignment(horizontal="center", vertical="center"),
)
HEADER = CellStyle(
    font=_font(11, bold=True),
    alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
    border=_GRID,
    fill=_HEADER_FILL,
)


class Styler:
    """Makes cells with a given ``CellStyle`` for one worksheet, cheaply.

    Each style is turned into the workbook's style indices once; every cell then gets
    a copy of that small index array instead of five attribute assignments.
    """

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self._arrays: dict[CellStyle, StyleArray] = {}

    def resolve(self, style: CellStyle) -> StyleArray:
        """The workbook's style indices for ``style`` (hashing a style is slow: resolve
        once per column, not per cell)."""
        array = self._arrays.get(style)
        if array is None:
            probe = WriteOnlyCell(self.ws)
            if style.font is not None:
                probe.font = style.font
            if style.alignment is not None:
                probe.alignment = style.alignment
            if style.border is not None:
                probe.border = style.border
            if style.fill is not None:
                probe.fill = style.fill
            if style.number_format is not None:
                probe.number_format = style.number_format
            array = self._arrays[style] = StyleArray(probe._style)
        return array

    def _text_safe_cell(self, value: object) -> Cell:
        """An unstyled cell. Text is always text: a leading ``=`` is not a formula, and
        characters a workbook cannot hold (control characters) are dropped."""
        try:
            cell = WriteOnlyCell(self.ws, value)
        except IllegalCharacterError:
            cell = WriteOnlyCell(self.ws, ILLEGAL_CHARACTERS_RE.sub("", str(value)))
        if cell.data_type == "f":
            cell.data_type = "s"
        return cell

    def cell(self, value: object, style: CellStyle | StyleArray) -> Cell:
        """A cell for ``ws.append`` (text always text, as ``_text_safe_cell``)."""
        cell = self._text_safe_cell(value)
        array = style if isinstance(style, StyleArray) else self.resolve(style)
        cell._style = StyleArray(array)  # a copy: later edits of one cell stay its own
        return cell

    def shared_cell(self, value: object, style: StyleArray) -> Cell:
        """``cell`` sharing ``style`` (from ``resolve``) instead of copying it: for cells
        appended and never touched again, as in ``write_table``."""
        cell = self._text_safe_cell(value)
        cell._style = style
        return cell


# ---------------------------------------------------------------- tables


class Kind(StrEnum):
    TEXT = "text"  # left, one line
    WRAP = "wrap"  # left, wrapped (reasons, notes)
    CODE = "code"  # 统一社会信用代码 and other codes: text format '@'
    CENTER = "center"  # short centred text (grades, 序号)
    NUMBER = "number"  # right-aligned integers
    DATE = "date"  # Excel dates shown yyyy-mm-dd


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT
    min_width: float = 6.0
    max_width: float = 40.0
    number_format: str | None = None  # instead of the kind's (e.g. yyyy/mm/dd dates)


def code_column(header: str = "统一社会信用代码") -> Column:
    return Column(header, Kind.CODE, min_width=21.0, max_width=24.0)


_BODY_ALIGN = {
    Kind.TEXT: Alignment(horizontal="left", vertical="center"),
    Kind.WRAP: Alignment(horizontal="left", vertical="top", wrap_text=True),
    Kind.CODE: Alignment(horizontal="left", vertical="center"),
    Kind.CENTER: Alignment(horizontal="center", vertical="center"),
    Kind.NUMBER: Alignment(horizontal="right", vertical="center"),
    Kind.DATE: Alignment(horizontal="center", vertical="center"),
}
_BODY_FORMAT = {Kind.CODE: TEXT_FORMAT, Kind.DATE: DATE_FORMAT}


def body_style(kind: Kind, *, bold: bool = False, number_format: str | None = None) -> CellStyle:
    return CellStyle(
        font=_font(11, bold=bold),
        alignment=_BODY_ALIGN[kind],
        border=_GRID,
        number_format=number_format or _BODY_FORMAT.get(kind),
    )


@dataclass(frozen=True)
class Line:
    """A line above the table (basis, 报送单位), merged across the table's width."""

    text: str
    centered: bool = False


@dataclass(frozen=True)
class TableLayout:
    """Where things landed (1-based rows), for callers and tests."""

    title_row: int | None
    notice_row: int | None
    header_row: int
    first_data_row: int
    last_data_row: int  # header_row when there are no rows
    footer_row: int | None


def write_table(
    wb: Workbook,
    sheet_name: str,
    *,
    columns: Sequence[Column],
    rows: Sequence[Sequence[object]],
    title: str | None = None,
    lines: Sequence[Line] = (),
    notice: str | None = None,
    footer: Sequence[tuple[int, str]] = (),
    bold_last_row: bool = False,
    auto_filter: bool = False,
    landscape: bool = True,
) -> TableLayout:
    """One report sheet: title, lines, notice, header row, rows, footer.

    ``footer`` is (column number, text) pairs written in one row below the table.
    The header row is frozen and repeated on every printed page; ``notice`` appears as
    a row above the table and in every page's header. Column widths fit the contents.
    """
    ws = wb.create_sheet(sheet_name)
    width = len(columns)
    meter = WidthMeter(columns)
    for row in rows:
        meter.add(row)
    widths = meter.widths()
    for col, text in footer:  # footer text sits in one column: let it fit there
        widths[col - 1] = max(widths[col - 1], min(40.0, text_width(text) + 2))
    set_column_widths(ws, widths)

    styler = Styler(ws)
    row_no = 0
    title_row = notice_row = None
    top: list[tuple[str, CellStyle, float]] = []
    if title:
        top.append((title, TITLE, 36.0))
    top.extend((line.text, LINE_CENTERED if line.centered else LINE, 20.0) for line in lines)
    if notice:
        top.append((notice, NOTICE, 22.0))
    header_row = len(top) + 1
    # before the first append (write-only sheets write these with the first row)
    setup_print(ws, title_rows=(header_row, header_row), notice=notice, landscape=landscape)
    freeze_below(ws, header_row)
    for text, style, height in top:
        row_no += 1
        ws.row_dimensions[row_no].height = height
        ws.append([styler.cell(text, style)])
        merge_row(ws, row_no, 1, width)
        if style is TITLE:
            title_row = row_no
        elif style is NOTICE:
            notice_row = row_no

    row_no += 1
    # the header style wraps every cell
    height = wrapped_row_height([c.header for c in columns], list(enumerate(widths)))
    if height:
        ws.row_dimensions[row_no].height = height
    ws.append([styler.cell(c.header, HEADER) for c in columns])
    styles = [styler.resolve(body_style(c.kind, number_format=c.number_format)) for c in columns]
    wrapped = [(i, widths[i]) for i, c in enumerate(columns) if c.kind is Kind.WRAP]
    last = len(rows)
    cell = styler.shared_cell
    dimensions = ws.row_dimensions
    for index, values in enumerate(rows, start=1):
        row_no += 1
        if bold_last_row and index == last:
            styles = [
                styler.resolve(body_style(c.kind, bold=True, number_format=c.number_format))
                for c in columns
            ]
        if wrapped:  # a row height must be set before its row is written (write-only)
            height = wrapped_row_height(values, wrapped)
            if height:
                dimensions[row_no].height = height
        ws.append([cell(v, s) for v, s in zip(values, styles, strict=True)])
    last_data_row = row_no

    footer_row = None
    if footer:
        row_no += 2
        ws.append([])
        cells: list[object] = [None] * width
        for col, text in footer:
            cells[col - 1] = styler.cell(text, LINE)
        ws.row_dimensions[row_no].height = 24.0
        ws.append(cells)
        footer_row = row_no

    if auto_filter and rows:
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(width)}{last_data_row}"
    return TableLayout(
        title_row=title_row,
        notice_row=notice_row,
        header_row=header_row,
        first_data_row=header_row + 1,
        last_data_row=last_data_row,
        footer_row=footer_row,
    )


NOTES_COLUMNS = (Column("项目", Kind.TEXT, 10, 16), Column("内容", Kind.WRAP, 30, 80))
"""The 说明 sheet's columns: 项目 / 内容."""


def write_notes(
    wb: Workbook,
    sheet_name: str,
    *,
    title: str,
    items: Iterable[tuple[str, str]],
    notice: str | None = None,
) -> TableLayout:
    """A 说明 sheet: what the workbook is, as 项目 / 内容 pairs (portrait A4)."""
    return write_table(
        wb,
        sheet_name,
        columns=NOTES_COLUMNS,
        rows=[(key, value) for key, value in items],
        title=title,
        notice=notice,
        landscape=False,
    )


# ---------------------------------------------------------------- workbooks and files


def new_workbook() -> Workbook:
    """A streaming (write-only) workbook with no sheets yet."""
    return Workbook(write_only=True)


def set_properties(wb: Workbook, *, title: str, subject: str = "", creator: str = "") -> None:
    """Document properties; ``subject`` carries the report's basis (which grades)."""
    props = wb.properties
    props.title = title
    props.subject = subject
    props.creator = creator or "安全生产信用分级分类监管系统"


def temp_beside(path: Path) -> tuple[Path, Path]:
    """(``path``, an empty temporary file beside it) for a workbook written there and then
    moved into place; refuses a name not ending in .xlsx and a missing folder."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise SafeCreditError(f"导出文件应以 .xlsx 结尾：{path}")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise SafeCreditError(f"保存位置不存在：{folder}")
    handle, temp_name = tempfile.mkstemp(prefix=".~safecredit-", suffix=".xlsx", dir=folder)
    os.close(handle)
    return path, Path(temp_name)


def move_into_place(write: Callable[[], object], temp: Path, path: Path) -> Path:
    """Run ``write`` (which fills ``temp``), then move ``temp`` to ``path``; on a failure
    ``temp`` is removed and the reason said in Chinese, so no half file is ever left."""
    try:
        write()
        os.replace(temp, path)
    except PermissionError:
        temp.unlink(missing_ok=True)
        raise SafeCreditError(
            f"无法写入 {path}：文件可能正在 Excel 或 WPS 中打开，请关闭后重试，或另选文件名。"
        ) from None
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise SafeCreditError(f"无法写入 {path}（{exc.strerror or exc}）。") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return path


def save_workbook(wb: Workbook, path: Path) -> Path:
    """Save next to ``path`` and move into place, so a failure never leaves half a file."""
    path, temp = temp_beside(path)
    return move_into_place(lambda: wb.save(temp), temp, path)


def chinese_date(day: date) -> str:
    """``2026年11月21日`` (no leading zeros), as forms write dates."""
    return f"{day.year}年{day.month}月{day.day}日"
