"""Large workbooks written fast: XlsxWriter's constant-memory mode, rows streamed, text
in the shared-strings table.

Measured on 100,000 执法检查 rows of the demo county (bench/bench_formats.py, CPU):
openpyxl's write-only mode took 14.8–15.3 s, XlsxWriter's constant-memory mode 5.3–6.1 s
(its ``write``), and the rows written here straight into XlsxWriter's row file 1.2–1.8
s. Every other
part of the sheet — frozen header, column widths, print setup (A4, one page across,
the header row repeated, page numbers, the internal-use notice in the page header),
drop-down lists, merged title rows — is XlsxWriter's own.

Text goes into the shared-strings table, not inline: a cell is then ``<c r="A2" s="1"
t="s"><v>12</v></c>`` whatever its text, and a unit's code or a method repeated on
every record is stored once. A 执法检查 row takes 366–385 bytes of sheet XML (the cell
references grow with the row numbers) instead of 540, so a county's sheet of about
540,000 rows stays within the import's 200 MB a sheet.

The look is the one of :mod:`.sheets` (宋体 11, thin grid, grey bold header row, codes
as text '@', dates ``yyyy-mm-dd``), so a 全部数据 export looks like every other export.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from safecredit_desktop.core.exchange import sheets
from safecredit_desktop.core.exchange.sheets import Column, Kind, WidthMeter, text_width

_EPOCH = date(1899, 12, 30).toordinal()  # Excel's day 0 (1900 date system)
_DEFLATE_LEVEL = 3


class _Zip(zipfile.ZipFile):
    """XlsxWriter's zip, deflating at level 3 rather than zlib's 6: a 全部数据 workbook
    of a million records is 450 MB of XML; level 6 took 7 s of the export's 21 s of CPU,
    level 3 takes 3 s for a file 16 % larger (level 1: 2 s, 35 % larger)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("compresslevel", _DEFLATE_LEVEL)
        super().__init__(*args, **kwargs)


xlsxwriter.workbook.ZipFile = _Zip  # the one name XlsxWriter's packaging opens the file by

_MAX_TEXT = 32_767  # characters Excel keeps in one cell

_ALIGN: dict[Kind, dict[str, Any]] = {
    Kind.TEXT: {"align": "left", "valign": "vcenter"},
    Kind.WRAP: {"align": "left", "valign": "top", "text_wrap": True},
    Kind.CODE: {"align": "left", "valign": "vcenter"},
    Kind.CENTER: {"align": "center", "valign": "vcenter"},
    Kind.NUMBER: {"align": "right", "valign": "vcenter"},
    Kind.DATE: {"align": "center", "valign": "vcenter"},
}
_NUMBER_FORMAT = {Kind.CODE: sheets.TEXT_FORMAT, Kind.DATE: sheets.DATE_FORMAT}
_BODY = {"font_name": sheets.BODY_FONT, "font_size": 11}
_GRID = {"border": 1, "border_color": "#000000"}


@dataclass(frozen=True)
class Line:
    """A line above a table (title or notice), merged across the table's width."""

    text: str
    style: str  # "title", "line" or "notice"
    height: float


class StreamingSheet(Worksheet):  # type: ignore[misc]
    """A worksheet that also takes many rows at once, written as sheet XML straight
    into XlsxWriter's row file (constant-memory mode), text as shared strings."""

    def _write_page_setup(self) -> None:
        """XlsxWriter leaves out ``fitToWidth="1"`` (the schema's default); written, as
        openpyxl writes it, for the readers that want it said (tests read it too)."""
        original: Any = getattr(self, "_xml_empty_tag")  # noqa: B009  (untyped base)

        def tag(name: str, attributes: list[tuple[str, object]] | None = None) -> None:
            if name == "pageSetup" and self.fit_page and self.fit_width == 1:
                attributes = [*(attributes or []), ("fitToWidth", 1)]
            original(name, attributes)

        self._xml_empty_tag = tag
        try:
            super()._write_page_setup()
        finally:
            del self._xml_empty_tag

    def append_rows(
        self,
        after_row: int,
        rows: Iterable[Sequence[object]],
        formats: Sequence[Format],
        meter: WidthMeter | None = None,
    ) -> int:
        """Write ``rows`` below ``after_row`` (0-based, the header); the rows written.
        Blank cells (None, "") keep their column's format (the grid), as ``write`` does."""
        first_row = after_row + 1  # 0-based; its Excel number is first_row + 1
        self._write_single_row(first_row)  # the row XlsxWriter holds (the header) first
        out = self.fh
        strings = self.str_table
        index_of = strings.string_table
        width = len(formats)
        styles = [str(f._get_xf_index()) for f in formats]
        # each cell is opens[c] + row number + one of these + its value
        opens = [f'<c r="{xl_col_to_name(c)}' for c in range(width)]
        blanks = [f'" s="{s}"/>' for s in styles]
        texts = [f'" s="{s}" t="s"><v>' for s in styles]
        numbers = [f'" s="{s}"><v>' for s in styles]
        # the widths are measured here, in the same pass (WidthMeter.add's rules)
        widest = meter.widest if meter is not None else [float("inf")] * width
        full = meter.full if meter is not None else [0.0] * width
        day_serials: dict[date, str] = {}
        number = first_row
        pending: list[str] = []
        for values in rows:
            number += 1
            row = str(number)
            parts = [f'<row r="{row}">']
            for column, value in enumerate(values):
                if value is None or value == "":
                    parts.append(opens[column] + row + blanks[column])
                    continue
                kind = type(value)
                if kind is str:
                    text: str = value  # type: ignore[assignment]
                    if len(text) > _MAX_TEXT:
                        text = text[:_MAX_TEXT]
                    found = index_of.get(text)
                    if found is None:
                        found = strings._get_shared_string_index(text)
                    else:
                        strings.count += 1
                    known = widest[column]
                    if 2 * len(text) > known and known < full[column]:
                        measured = text_width(text)
                        if measured > known:
                            widest[column] = measured
                    parts.append(f"{opens[column]}{row}{texts[column]}{found}</v></c>")
                    continue
                if kind is int:
                    shown = str(value)
                elif kind is date:
                    day: date = value  # type: ignore[assignment]
                    shown = day_serials.get(day)  # type: ignore[assignment]
                    if shown is None:
                        shown = day_serials[day] = str(day.toordinal() - _EPOCH)
                elif kind is float:
                    shown = f"{value:.16G}"
                else:  # rare (bool, datetime): XlsxWriter's own way
                    parts.append(_other_cell(opens[column] + row, styles[column], value))
                    shown = ""
                known = widest[column]
                if known < full[column]:
                    measured = 10.0 if kind is date else text_width(value)
                    if measured > known:
                        widest[column] = measured
                if shown:
                    parts.append(f"{opens[column]}{row}{numbers[column]}{shown}</v></c>")
            parts.append("</row>")
            pending.append("".join(parts))
            if len(pending) >= 2048:
                out.write("".join(pending))
                pending.clear()
        out.write("".join(pending))
        if number > first_row:
            self._check_dimensions(first_row, 0)
            self._check_dimensions(number - 1, width - 1)
        self.previous_row = number
        return number - first_row


def _other_cell(opened: str, style: str, value: object) -> str:
    """A cell of a rarer kind; ``opened`` is ``<c r="A2``."""
    if isinstance(value, bool):
        return f'{opened}" s="{style}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime):
        delta = value - datetime(1899, 12, 30)
        serial = delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000
        return f'{opened}" s="{style}"><v>{serial:.16G}</v></c>'
    if isinstance(value, (int, float)):
        return f'{opened}" s="{style}"><v>{float(value):.16G}</v></c>'
    raise TypeError(f"cannot write {type(value).__name__} to a cell")


class StreamingBook:
    """A workbook written to a temporary file beside ``path`` and moved into place when
    closed (a failure never leaves half a file)."""

    def __init__(self, path: Path) -> None:
        self.path, self._temp = sheets.temp_beside(path)
        self.book = xlsxwriter.Workbook(
            str(self._temp),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self._formats: dict[tuple[object, ...], Format] = {}

    # -- formats

    def body(self, column: Column) -> Format:
        return self._format(("body", column.kind, column.number_format))

    def _format(self, key: tuple[object, ...]) -> Format:
        found = self._formats.get(key)
        if found is not None:
            return found
        what = key[0]
        spec: dict[str, Any]
        if what == "body":
            kind = key[1]
            assert isinstance(kind, Kind)
            spec = {**_BODY, **_ALIGN[kind], **_GRID}
            number_format = key[2] or _NUMBER_FORMAT.get(kind)
            if number_format:
                spec["num_format"] = number_format
        elif what == "header":
            spec = {
                **_BODY,
                "bold": True,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
                **_GRID,
                "bg_color": "#D9D9D9",
                "pattern": 1,
            }
        elif what == "title":
            spec = {
                "font_name": sheets.TITLE_FONT,
                "font_size": 18,
                "bold": True,
                "align": "center",
                "valign": "vcenter",
            }
        elif what == "notice":
            spec = {
                **_BODY,
                "font_size": 12,
                "bold": True,
                "font_color": "#C00000",
                "align": "center",
                "valign": "vcenter",
            }
        else:  # "line"
            spec = {**_BODY, "align": "left", "valign": "vcenter"}
        made = self._formats[key] = self.book.add_format(spec)
        return made

    # -- sheets

    def add_sheet(self, name: str) -> StreamingSheet:
        sheet: StreamingSheet = self.book.add_worksheet(name, worksheet_class=StreamingSheet)
        return sheet

    def start_table(
        self,
        sheet: StreamingSheet,
        columns: Sequence[Column],
        *,
        lines: Sequence[Line] = (),
        notice: str | None = None,
        landscape: bool = True,
    ) -> int:
        """Print setup, frozen header and the lines and header row of a table; the
        0-based row of the header (rows follow it)."""
        setup_print(sheet, header_row=len(lines), notice=notice, landscape=landscape)
        sheet.freeze_panes(len(lines) + 1, 0)
        for row, line in enumerate(lines):
            sheet.set_row(row, line.height)
            style = self._format((line.style,))
            if len(columns) > 1:
                sheet.merge_range(row, 0, row, len(columns) - 1, line.text, style)
            else:
                sheet.write_string(row, 0, line.text, style)
        header = len(lines)
        header_style = self._format(("header",))
        for index, column in enumerate(columns):
            sheet.write_string(header, index, column.header, header_style)
        return header

    def finish_table(self, sheet: StreamingSheet, widths: Sequence[float]) -> None:
        """Column widths, known once every row is measured (written when the book closes)."""
        for index, width in enumerate(widths):
            sheet.set_column_pixels(index, index, _pixels(width))

    def close(self) -> Path:
        """Write the file and move it into place."""
        return sheets.move_into_place(self.book.close, self._temp, self.path)

    def discard(self) -> None:
        """Give up (an error while writing): no file is left behind."""
        try:
            for sheet in self.book.worksheets():
                sheet._opt_close()
                if sheet.row_data_filename:
                    Path(sheet.row_data_filename).unlink(missing_ok=True)
        finally:
            self._temp.unlink(missing_ok=True)


def _pixels(width: float) -> int:
    """openpyxl's width (characters of the default font, as stored) in pixels, so both
    writers give a column the same width (XlsxWriter would add its padding again)."""
    return round(width * 7)


def setup_print(
    sheet: Worksheet, *, header_row: int, notice: str | None, landscape: bool = True
) -> None:
    """A4, one page across (as many down as needed), the header row on every page,
    centred, page numbers in the footer and the notice (if any) in the page header —
    the settings of :func:`.sheets.setup_print`."""
    sheet.set_paper(sheets.PAPER_A4)
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    sheet.center_horizontally()
    sheet.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    sheet.repeat_rows(header_row)
    set_header_footer(sheet, notice=notice)


def set_header_footer(sheet: Worksheet, *, notice: str | None) -> None:
    if notice:
        text = notice.replace("&", "&&")
        sheet.set_header(f'&C&"{sheets.BODY_FONT},Bold"&12&KC00000{text}', {"margin": 0.3})
    else:
        sheet.set_header("", {"margin": 0.3})
    sheet.set_footer(f"&C&9{sheets.PAGE_FOOTER}", {"margin": 0.3})


def fill_small_table(
    book: StreamingBook,
    sheet: StreamingSheet,
    *,
    columns: Sequence[Column],
    rows: Sequence[Sequence[object]],
    lines: Sequence[Line] = (),
    notice: str | None = None,
    landscape: bool = True,
) -> StreamingSheet:
    meter = WidthMeter(columns)
    for row in rows:
        meter.add(row)
    widths = meter.widths()
    header = book.start_table(sheet, columns, lines=lines, notice=notice, landscape=landscape)
    height = sheets.wrapped_row_height([c.header for c in columns], list(enumerate(widths)))
    if height:
        sheet.set_row(header, height)
    wrapped = [(i, widths[i]) for i, c in enumerate(columns) if c.kind is Kind.WRAP]
    formats = [book.body(c) for c in columns]
    for offset, values in enumerate(rows, start=1):
        if wrapped:
            height = sheets.wrapped_row_height(values, wrapped)
            if height:
                sheet.set_row(header + offset, height)
        for index, value in enumerate(values):
            if value is None or value == "":
                sheet.write_blank(header + offset, index, None, formats[index])
            elif isinstance(value, str):
                sheet.write_string(header + offset, index, value, formats[index])
            else:
                sheet.write(header + offset, index, value, formats[index])
    book.finish_table(sheet, widths)
    return sheet
