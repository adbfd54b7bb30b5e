"""Opening a workbook file and reading its sheets' rows (the first half of reading).

:func:`_check_file` refuses, in one sentence, a file that is not a workbook we can read
(missing, a folder, .xls, encrypted, not a zip). The rows are parsed from the sheet XML
directly (:func:`_sources`, :func:`_xml_rows`), three times faster than openpyxl's
cells, after the package's parts are found (:mod:`.xlsx_package`) and its limits
checked (:mod:`.limits`); the shared strings come from :mod:`.xlsx_strings`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from safecredit_desktop.core.exchange.import_errors import WorkbookError
from safecredit_desktop.core.exchange.limits import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_SHEET_XML,
    broken,
    cell_too_long,
    column_index,
    column_letters,
    open_member,
    too_many_columns,
    too_many_rows,
)
from safecredit_desktop.core.exchange.xlsx_package import Package, SheetPart, date_styles
from safecredit_desktop.core.exchange.xlsx_strings import StringTable, decode_escapes


class _ExcelErrorValue(str):
    """A cell holding an Excel error (#N/A, #VALUE! …)."""


class _FormulaWithoutValue:
    """A formula cell saved without its computed result."""

    def __str__(self) -> str:
        return "（公式）"


_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _V, _F, _IS, _T, _R = (f"{_NS}{t}" for t in ("row", "v", "f", "is", "t", "r"))
_SHEET_DATA = f"{_NS}sheetData"
_DIGITS = "0123456789"
_SHARED_LENGTH = 64  # characters of a text worth sharing between rows
_SHARED_MAX = 200_000  # values remembered per sheet before starting again


def _check_file(path: Path) -> None:
    """One sentence for a file that cannot be a workbook we can read."""
    name = path.name
    if not path.exists():
        raise WorkbookError(f"找不到文件“{path}”。")
    if path.is_dir():
        raise WorkbookError(f"“{path}”是文件夹，请选择一个 Excel 工作簿（.xlsx）文件。")
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
            encrypted = head == _OLE_SIGNATURE and _ENCRYPTED_STREAM in handle.read()
    except OSError as exc:
        raise WorkbookError(f"无法读取文件“{name}”（{exc.strerror or exc}）。") from None
    if head == _OLE_SIGNATURE:
        if encrypted:
            raise WorkbookError(
                f"“{name}”是设有打开密码（加密）的工作簿，无法读取；"
                "请在 Excel 中取消密码后另存为 .xlsx 再导入。"
            )
        raise WorkbookError(
            f"“{name}”是旧版 Excel（.xls）格式，请在 Excel 中另存为 .xlsx 后再导入。"
        )
    if not head.startswith(_ZIP_SIGNATURES):
        raise WorkbookError(
            f"“{name}”不是 Excel 工作簿（.xlsx），可能是其他类型的文件改了扩展名；"
            "请选择按导入模板填写的 .xlsx 文件。"
        )


def _broken(name: str) -> WorkbookError:
    return broken(name)


RowSource = Callable[[], Iterator[tuple[int, dict[int, object]]]]


@dataclass(frozen=True)
class _SheetSource:
    """One sheet of the file: its title, whether it is a chart, whether it is hidden, and
    how to read its rows."""

    title: str
    is_chart: bool
    rows: RowSource
    hidden: bool = False


@dataclass(frozen=True)
class _Cells:
    """How a sheet's cells are read: the shared strings, date styles, date system, and
    where the file and sheet are (for a refusal's sentence)."""

    strings: StringTable
    date_styles: frozenset[int]
    timedelta_styles: frozenset[int]
    epoch: Any
    file_name: str
    sheet: str


def _xml_rows(stream: Any, cells: _Cells) -> Iterator[tuple[int, dict[int, object]]]:
    """A sheet's XML as ``(row number, {column: value})``, values as openpyxl gives them
    with ``data_only=True`` (dates from date-formatted numbers, shared strings …), text
    with Excel's ``_xHHHH_`` escapes decoded.

    The limits a value's own reading decides are checked here, cell by cell: no value
    below row :data:`MAX_ROWS` or right of column :data:`MAX_COLUMNS`, no text over
    :data:`MAX_CELL_CHARS` once decoded (the pre-scan has bounded what is held).
    Reading stops at the end of sheetData: what follows is never needed."""
    from openpyxl.utils.datetime import from_excel, from_ISO8601

    strings, date_styles = cells.strings, cells.date_styles
    # one object for a value that repeats (a unit's code on each of its records, a
    # method, a date): a county's rows hold a third less memory, and dates convert once
    shared: dict[object, Any] = {}
    number = 0
    count = 0
    columns: dict[str, int] = {}
    with stream:
        for _, element in ET.iterparse(stream):
            tag = element.tag
            if tag != _ROW:
                if tag == _SHEET_DATA:
                    return
                continue
            count += 1
            if count > MAX_ROWS:
                raise too_many_rows(cells.file_name, cells.sheet)
            given = element.get("r")
            number = int(given) if given else number + 1
            values: dict[int, object] = {}
            column = 0
            for cell in element:
                ref = cell.get("r")
                if ref:
                    letters = ref.rstrip(_DIGITS)
                    found = columns.get(letters)
                    if found is None:
                        found = columns[letters] = column_index(letters)
                    column = found
                else:
                    column += 1
                if not len(cell):  # no value, no formula: an empty (perhaps styled) cell
                    continue
                if column > MAX_COLUMNS:
                    raise too_many_columns(cells.file_name, cells.sheet, number, column)
                if number > MAX_ROWS:
                    raise too_many_rows(cells.file_name, cells.sheet)
                kind = cell.get("t", "n")
                value: object
                if kind == "inlineStr":
                    node = cell.find(_IS)
                    if node is None:
                        continue
                    if len(node) == 1 and node[0].tag == _T:  # plain text, the usual case
                        value = node[0].text or ""
                        if "_x" in value or len(value) > MAX_CELL_CHARS:  # rare: no call
                            value = _text(value, cells, number, column)
                        elif len(value) <= _SHARED_LENGTH:
                            value = shared.setdefault(value, value)
                    else:  # rich text runs; phonetic runs (rPh) are not part of the value
                        parts = [t.text or "" for t in node.findall(_T)]
                        parts.extend(t.text or "" for r in node.findall(_R) for t in r.findall(_T))
                        value = _text("".join(parts), cells, number, column)
                else:
                    text = cell.findtext(_V)
                    if not text:
                        if cell.find(_F) is not None:
                            values[column] = _FormulaWithoutValue()
                        continue
                    if kind == "n":
                        value = (
                            float(text)
                            if ("." in text or "E" in text or "e" in text)
                            else int(text)
                        )
                        style = cell.get("s")
                        if style and int(style) in date_styles:
                            key = (text, style)
                            converted = shared.get(key)
                            if converted is None:
                                try:
                                    converted = from_excel(
                                        value,
                                        cells.epoch,
                                        timedelta=int(style) in cells.timedelta_styles,
                                    )
                                except (OverflowError, ValueError):
                                    converted = _ExcelErrorValue("#VALUE!")
                                shared[key] = converted
                            value = converted
                    elif kind == "s":
                        value = strings[int(text)]
                    elif kind == "b":
                        value = bool(int(text))
                    elif kind == "e":
                        value = _ExcelErrorValue(text)
                    elif kind == "d":
                        value = from_ISO8601(text)
                    else:  # "str": a formula's text result
                        value = _text(text, cells, number, column)
                values[column] = value
            element.clear()
            if len(shared) > _SHARED_MAX:
                shared.clear()
            yield number, values


def _text(raw: str, cells: _Cells, row: int, column: int) -> str:
    """A cell's text with Excel's escapes decoded, refused past the cell limit."""
    text = decode_escapes(raw)
    if len(text) > MAX_CELL_CHARS:
        ref = f"{column_letters(column)}{row}"
        raise cell_too_long(cells.file_name, cells.sheet, ref, len(text))
    return text


def _sources(
    package: Package, parts: Sequence[SheetPart], strings: StringTable
) -> list[_SheetSource]:
    """The chosen sheets of a package whose limits are checked: how to read each one's
    rows (the size of each part is checked again as it is opened)."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

    dates, durations = date_styles(package)
    epoch = CALENDAR_MAC_1904 if package.date1904 else CALENDAR_WINDOWS_1900
    sources: list[_SheetSource] = []
    for part in parts:
        cells = _Cells(strings, dates, durations, epoch, package.file_name, part.title)
        member = part.member or ""

        def rows(
            member: str = member, cells: _Cells = cells
        ) -> Iterator[tuple[int, dict[int, object]]]:
            stream = open_member(
                package.archive,
                member,
                MAX_SHEET_XML,
                f"“{cells.sheet}”表",
                "sheet_size",
                package.file_name,
            )
            return _xml_rows(stream, cells)

        sources.append(_SheetSource(part.title, part.is_chart, rows, part.hidden))
    return sources
