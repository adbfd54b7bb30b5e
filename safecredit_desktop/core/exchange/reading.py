"""Reading a template workbook: header folding, every non-blank cell (step 1 of importer).

:func:`read_workbook` opens the file (one sentence for a file that is not a workbook, is
encrypted, or has no known sheet; see :mod:`.xlsx_rows`), checks the limits of the
sheets it will read before reading any row (:mod:`.limits`), maps each sheet's header
row to the template's columns and keeps every non-blank cell. Structural faults (an
unknown or duplicated column, data under a blank header, Excel error values, formulas
without a stored result) become :class:`CellError`\\ s; reading carries on so that every
fault is counted (the first :data:`MAX_LISTED_ERRORS` are kept).

Hidden sheets (``hidden`` or ``veryHidden`` in workbook.xml) of the template are named
and skipped unless ``include_hidden``: a sheet nobody sees must not change records
unnoticed.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from safecredit_desktop.core.collector import paused_collector
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.exchange.columns import (
    AUX_SHEETS,
    SHEET_BY_NAME,
    SHEETS,
    Column,
    SheetSpec,
    fold_header,
    sheet_for_title,
)
from safecredit_desktop.core.exchange.import_errors import (
    MAX_LISTED_ERRORS as MAX_LISTED_ERRORS,
)
from safecredit_desktop.core.exchange.import_errors import (
    CellError,
    CellErrors,
    Progress,
    WorkbookError,
    show_value,
)
from safecredit_desktop.core.exchange.limits import (
    MAX_SHEET_XML,
    CappedStream,
    checked_info,
    column_letters,
    count_shared_strings,
    open_member,
    scan_sheet,
)
from safecredit_desktop.core.exchange.xlsx_calamine import CalamineBook, NotPlain
from safecredit_desktop.core.exchange.xlsx_package import Package, SheetPart, open_package
from safecredit_desktop.core.exchange.xlsx_rows import (
    _broken,
    _check_file,
    _ExcelErrorValue,
    _FormulaWithoutValue,
    _SheetSource,
    _sources,
)
from safecredit_desktop.core.exchange.xlsx_strings import (
    SharedStrings,
    StringTable,
    read_shared_strings,
)

_NOTHING: frozenset[str] = frozenset()

USE_CALAMINE = True
"""Plain sheets read by calamine (:mod:`.xlsx_calamine`); tests switch it off to compare
both readers on the same workbooks."""
CALAMINE_MAX_STRINGS_XML = 64 * 1024 * 1024
"""Shared strings past this (XML bytes) are read by our compact table only."""


@dataclass(slots=True)
class RawRow:
    """A data row: its Excel number, its non-blank cells by attribute, and the attributes
    whose cell was already reported while reading (not checked again)."""

    number: int
    cells: dict[str, object]
    reported: set[str] | frozenset[str] = _NOTHING

    def report(self, attr: str) -> None:
        if not isinstance(self.reported, set):
            self.reported = set()
        self.reported.add(attr)


@dataclass
class ParsedSheet:
    """A known sheet: its spec, title as in the file, the columns present, the data rows,
    and the attributes of required columns the sheet lacks."""

    spec: SheetSpec
    title: str
    columns: tuple[Column, ...]
    rows: list[RawRow]
    missing: tuple[str, ...] = ()


@dataclass
class ParsedWorkbook:
    """The sheets read, the bad cells found while reading, the sheets ignored (not of the
    template) and the template sheets that are hidden (read only when
    ``hidden_included``)."""

    path: Path
    sheets: MutableMapping[str, ParsedSheet]
    errors: CellErrors
    ignored_sheets: list[str]
    hidden_sheets: list[str] = field(default_factory=list)
    hidden_included: bool = False
    expected_rows: int | None = None
    """Read on demand (:func:`read_on_demand`): the rows expected, for progress."""

    @property
    def row_count(self) -> int:
        """The rows read (on demand: so far)."""
        return sum(len(s.rows) for s in self.sheets.values())


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


@paused_collector
def read_workbook(
    path: Path, *, include_hidden: bool = False, progress: Progress | None = None
) -> ParsedWorkbook:
    """Read every known sheet of a template workbook; see the module docstring."""
    path = Path(path)
    hidden: list[str] = []
    with opened_package(path) as package:
        try:
            chosen, parsed = _choose(path, package, include_hidden)
            hidden = parsed.hidden_sheets
            if progress is not None:
                progress(0.0, "检查工作簿的大小")
            sources = _checked_sources(path, package, chosen)
            return _read_sheets(path, sources, parsed, progress)
        except WorkbookError as exc:
            exc.hidden_sheets = exc.hidden_sheets or tuple(hidden)
            raise
        except SafeCreditError:
            raise
        except Exception:  # damaged zip or XML: zipfile, zlib and expat raise many kinds
            raise _broken(path.name) from None


_BYTES_A_ROW = 400  # of a county's sheet XML (bench_export: 385), for progress only


class SheetsOnDemand(MutableMapping[str, ParsedSheet]):
    """The chosen sheets, each read when first asked for; iterating gives the sheets
    read so far (a sheet without a header row is not one)."""

    def __init__(self, path: Path, sources: dict[str, _Source], errors: CellErrors) -> None:
        self._path = path
        self._sources = sources
        self._errors = errors
        self._read: dict[str, ParsedSheet | None] = {}
        self.rows_read = 0

    def _sheet(self, name: str) -> ParsedSheet | None:
        if name not in self._read:
            source = self._sources.get(name)
            self._read[name] = None if source is None else self._read_one(name, source)
        return self._read[name]

    def _read_one(self, name: str, source: _Source) -> ParsedSheet | None:
        spec = SHEET_BY_NAME[name]
        if source.scan is not None:  # past a limit: refused before a row is read
            source = source.scan.source(source.xml)
        try:
            sheet = _read_either(spec, source, self._errors, self._path.name)
        except SafeCreditError:
            raise
        except Exception:  # damaged XML inside the zip
            raise _broken(self._path.name) from None
        if sheet is not None:
            self.rows_read += len(sheet.rows)
        return sheet

    def __getitem__(self, name: str) -> ParsedSheet:
        sheet = self._sheet(name)
        if sheet is None:
            raise KeyError(name)
        return sheet

    def __setitem__(self, name: str, sheet: ParsedSheet) -> None:
        self._read[name] = sheet

    def __delitem__(self, name: str) -> None:
        self._read[name] = None

    def __iter__(self) -> Iterator[str]:
        return iter([n for n, s in self._read.items() if s is not None])

    def __len__(self) -> int:
        return sum(1 for s in self._read.values() if s is not None)


@contextmanager
def read_on_demand(path: Path, *, include_hidden: bool = False) -> Iterator[ParsedWorkbook]:
    """The workbook as :func:`read_workbook` reads it — the sheets chosen, the sizes and
    shared strings checked — but each sheet scanned against the limits and its rows read
    only when planning asks for them (``parsed.sheets.get``), within the block: a sheet
    past a limit is refused before its rows are read, a later one's after earlier sheets
    were planned (nothing is written from a refused workbook). The import's planning
    worker hands over the units it planned while the records are still to be read. A
    fault :func:`read_workbook` would raise may be raised by a sheet's reading, and a
    workbook without data rows is not refused here (``parsed.sheets.rows_read``)."""
    path = Path(path)
    with opened_package(path) as package:
        chosen, parsed = _choose(path, package, include_hidden)
        sources = _checked_sources(path, package, chosen, scan_on_demand=True)
        by_name: dict[str, _Source] = {}
        expected = 0
        for part, source in zip(chosen, sources, strict=True):
            spec = sheet_for_title(source.xml.title)
            if spec is None or source.xml.is_chart:
                continue
            by_name[spec.name] = source
            expected += package.archive.getinfo(part.member or "").file_size // _BYTES_A_ROW
        parsed.sheets = SheetsOnDemand(path, by_name, parsed.errors)
        parsed.expected_rows = max(expected, 1)
        yield parsed


@contextmanager
def opened_package(path: Path) -> Iterator[Package]:
    """The package of a checked file, open for the block (one sentence if unreadable)."""
    _check_file(path)
    with path.open("rb") as handle, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            archive = zipfile.ZipFile(handle)
        except Exception:  # zipfile raises many kinds for a damaged file
            raise _broken(path.name) from None
        try:
            try:
                package = open_package(archive, path.name)
            except SafeCreditError:
                raise
            except Exception:  # damaged zip or XML
                raise _broken(path.name) from None
            yield package
        finally:
            archive.close()


def _choose(
    path: Path, package: Package, include_hidden: bool
) -> tuple[list[SheetPart], ParsedWorkbook]:
    """The sheets to read; the others are named (ignored, or hidden) or refused."""
    parsed = ParsedWorkbook(path, {}, CellErrors(), [], hidden_included=include_hidden)
    chosen: list[SheetPart] = []
    specs: list[SheetSpec] = []
    for part in package.sheets:
        if part.member is None:
            continue
        title = part.title
        spec = sheet_for_title(title)
        if spec is None:
            if fold_header(title) not in AUX_SHEETS:
                parsed.ignored_sheets.append(title)
            continue
        if part.hidden:
            parsed.hidden_sheets.append(title)
            if not include_hidden:
                continue
        if any(s is spec for s in specs):
            parsed.errors.append(
                CellError(title, 1, "", "", f"工作簿中有两张“{spec.name}”表，请合并为一张")
            )
            continue
        if part.is_chart:
            parsed.errors.append(CellError(title, 1, "", "", "这是图表，不是数据表"))
            continue
        specs.append(spec)
        chosen.append(part)
    if not chosen and not parsed.errors:
        if parsed.hidden_sheets:
            names = "、".join(f"“{n}”" for n in parsed.hidden_sheets)
            error = WorkbookError(
                f"“{path.name}”中可导入的工作表{names}是隐藏的，没有导入；如确需导入隐藏的"
                "工作表，请选择“同时导入隐藏的工作表”（命令行 --include-hidden）。"
            )
            error.hidden_sheets = tuple(parsed.hidden_sheets)
            raise error
        known = "、".join(s.name for s in SHEETS)
        raise WorkbookError(
            f"“{path.name}”中没有可导入的工作表：工作表名称应为{known}之一"
            "（可从“导出模板”取得空白模板）。"
        )
    return chosen, parsed


@dataclass
class _Source:
    """A chosen sheet: our reader's source, and calamine's when the sheet is plain."""

    xml: _SheetSource
    calamine: CalamineBook | None
    scan: _Scan | None = None  # not yet scanned (read on demand)


class _LazyStrings:
    """The shared strings, read by our reader only when a sheet needs them (calamine
    reads its own)."""

    def __init__(self, read: Callable[[], SharedStrings]) -> None:
        self._read = read
        self._table: SharedStrings | None = None

    def __getitem__(self, index: int) -> str:
        if self._table is None:
            self._table = self._read()
        return self._table[index]


def _checked_sources(
    path: Path, package: Package, chosen: Sequence[SheetPart], *, scan_on_demand: bool = False
) -> list[_Source]:
    """The limits checked on what will be read (the zip's directory, then a streaming
    pass over the shared strings and each chosen sheet); plain sheets are read by
    calamine, the others (and any calamine gives up on) by our reader, which then reads
    the shared strings itself. ``scan_on_demand``: each sheet's pass is made when the
    sheet is read (:func:`read_on_demand`; still before any of its rows is)."""
    archive, name = package.archive, package.file_name
    for part in chosen:
        checked_info(
            archive, part.member or "", MAX_SHEET_XML, f"“{part.title}”表", "sheet_size", name
        )
    member = package.shared_strings if chosen else None

    def open_strings(member: str) -> CappedStream:
        what = "共享文字表（sharedStrings.xml）"
        return open_member(archive, member, MAX_SHEET_XML, what, "strings_size", name)

    short = True
    if member is not None:
        short = count_shared_strings(open_strings(member), name).short
    if not scan_on_demand:
        plain = [scan_sheet(archive, part.member or "", part.title, name) for part in chosen]
    strings: StringTable = ()
    if member is not None:
        strings_member = member

        def read() -> SharedStrings:
            return read_shared_strings(open_strings(strings_member), name)

        # a string that may be past the cell limit is refused before any row is read, as
        # it always was; otherwise our reader reads the table only if a sheet needs it
        strings = _LazyStrings(read) if short else read()
    # calamine holds the shared strings as Python-sized strings, not compactly as ours
    few = member is None or archive.getinfo(member).file_size <= CALAMINE_MAX_STRINGS_XML
    xml_sources = _sources(package, chosen, strings)
    if scan_on_demand:
        book = _CalamineOnDemand(path) if USE_CALAMINE and few else None
        return [
            _Source(xml, None, _Scan(archive, part.member or "", part.title, name, book))
            for xml, part in zip(xml_sources, chosen, strict=True)
        ]
    calamine = CalamineBook(path) if USE_CALAMINE and few and any(plain) else None
    return [
        _Source(xml, calamine if is_plain else None)
        for xml, is_plain in zip(xml_sources, plain, strict=True)
    ]


class _CalamineOnDemand:
    """One calamine workbook, opened when a plain sheet first needs it."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._book: CalamineBook | None = None

    def book(self) -> CalamineBook:
        if self._book is None:
            self._book = CalamineBook(self._path)
        return self._book


@dataclass(frozen=True)
class _Scan:
    """A sheet's streaming pass, made when the sheet is about to be read."""

    archive: zipfile.ZipFile
    member: str
    title: str
    file_name: str
    calamine: _CalamineOnDemand | None

    def source(self, xml: _SheetSource) -> _Source:
        plain = scan_sheet(self.archive, self.member, self.title, self.file_name)
        book = self.calamine.book() if plain and self.calamine is not None else None
        return _Source(xml, book)


def _read_sheets(
    path: Path,
    sources: Sequence[_Source],
    parsed: ParsedWorkbook,
    progress: Progress | None,
) -> ParsedWorkbook:
    readable = [s for s in sources if not s.xml.is_chart]
    for index, both in enumerate(readable):
        source = both.xml
        spec = sheet_for_title(source.title)
        assert spec is not None  # chosen by title
        if progress is not None:
            progress(index / max(len(readable), 1), f"读取“{spec.name}”表")
        try:
            sheet = _read_either(spec, both, parsed.errors, path.name)
        except SafeCreditError:
            raise
        except Exception:  # damaged XML inside the zip
            raise WorkbookError(
                f"“{path.name}”中的“{source.title}”表无法读取，文件可能已损坏；"
                "请在 Excel 中打开并另存为 .xlsx 后再导入。"
            ) from None
        if sheet is not None:
            parsed.sheets[spec.name] = sheet
    if not parsed.errors and parsed.row_count == 0:
        raise WorkbookError(
            f"“{path.name}”中的{'、'.join(f'“{n}”' for n in parsed.sheets) or '工作表'}"
            "只有列标题，没有数据行，没有可导入的内容。"
        )
    return parsed


def _read_either(
    spec: SheetSpec, source: _Source, errors: CellErrors, file_name: str
) -> ParsedSheet | None:
    """The sheet read by calamine when it is plain, else (or when calamine gives up on
    it) by our reader; the sheet's bad cells are the same either way."""
    title = source.xml.title
    if source.calamine is not None:
        found = CellErrors(errors.limit)
        try:
            sheet = _read_sheet(spec, title, source.calamine.rows(title, file_name, title), found)
        except NotPlain:
            pass
        else:
            _merge_errors(errors, found)
            return sheet
    return _read_sheet(spec, title, source.xml.rows(), errors)


def _merge_errors(into: CellErrors, found: CellErrors) -> None:
    """A sheet's bad cells added after the earlier sheets', in the order found."""
    kept = found.first()
    into.extend(kept)
    into.total += found.total - len(kept)
    into.only_bad_check = into.only_bad_check and found.only_bad_check


def _read_sheet(
    spec: SheetSpec,
    title: str,
    rows: Iterator[tuple[int, dict[int, object]]],
    errors: CellErrors,
) -> ParsedSheet | None:
    first = next(
        ((n, cells) for n, cells in rows if any(not _is_blank(v) for v in cells.values())),
        None,
    )
    if first is None:
        return None  # an empty sheet: nothing to import
    number, header_cells = first
    if number != 1:
        errors.append(
            CellError(
                title,
                1,
                "",
                "",
                f"第1行应为列标题（如“统一社会信用代码”），不能空着；本表第{number}行才有内容，"
                "请删除上方的标题行或空行",
            )
        )
        return None
    by_index: dict[int, Column] = {}
    unknown: set[int] = set()
    seen: dict[str, int] = {}
    for index, value in sorted(header_cells.items()):
        if _is_blank(value):
            continue
        text = show_value(value)
        column = spec.column_for(str(value))
        if column is None:
            unknown.add(index)
            known = "、".join(spec.headers)
            errors.append(
                CellError(
                    title, 1, text.strip(), text, f"不是“{spec.name}”表的列。本表的列为：{known}"
                )
            )
            continue
        if column.attr in seen:
            errors.append(
                CellError(title, 1, column.header, text, "列标题重复，请删除或合并其中一列")
            )
            unknown.add(index)
            continue
        seen[column.attr] = index
        by_index[index] = column
    # a missing required column is reported once, by the plan, if a row needs it (a row
    # updating a stored record does not: its blank cells keep the stored values)
    missing = tuple(c.attr for c in spec.required if c.attr not in seen)
    blank_headers_reported: set[int] = set()
    parsed_rows: list[RawRow] = []
    attr_of = {index: column.attr for index, column in by_index.items()}
    for number, values in rows:
        cells: dict[str, object] = {}
        for index, value in values.items():
            # the common cells (text, numbers, dates of a mapped column) in a few steps;
            # anything else (blank text, an error value, a formula …) the long way
            kind = type(value)
            if kind is str:
                if not value.strip():  # type: ignore[attr-defined]
                    continue
            elif kind is not int and kind is not float and kind is not datetime:
                break
            attr = attr_of.get(index)
            if attr is None:
                break
            cells[attr] = value
        else:
            if cells:
                parsed_rows.append(RawRow(number, cells))
            continue
        row = _slow_row(title, number, values, by_index, unknown, blank_headers_reported, errors)
        if row.cells:
            parsed_rows.append(row)
    present = tuple(by_index[i] for i in sorted(by_index))
    return ParsedSheet(spec, title, present, parsed_rows, missing)


def _slow_row(
    title: str,
    number: int,
    values: dict[int, object],
    by_index: dict[int, Column],
    unknown: set[int],
    blank_headers_reported: set[int],
    errors: CellErrors,
) -> RawRow:
    """A row with a cell the fast loop does not take: every cell checked one by one."""
    cells: dict[str, object] = {}
    row = RawRow(number, cells)
    for index, value in values.items():
        if _is_blank(value):
            continue
        column_or_none = by_index.get(index)
        if column_or_none is None:
            if index not in unknown and index not in blank_headers_reported:
                blank_headers_reported.add(index)
                errors.append(
                    CellError(
                        title,
                        number,
                        f"第{column_letters(index)}列",
                        show_value(value),
                        "这一列没有列标题，请填写列标题或删除该列的内容",
                    )
                )
            continue
        if isinstance(value, _ExcelErrorValue):
            errors.append(
                CellError(
                    title,
                    number,
                    column_or_none.header,
                    str(value),
                    "单元格是公式错误值，请改为实际内容",
                )
            )
            row.report(column_or_none.attr)
        elif isinstance(value, _FormulaWithoutValue):
            errors.append(
                CellError(
                    title,
                    number,
                    column_or_none.header,
                    "",
                    "单元格是公式，但文件中没有保存计算结果；请在 Excel 中打开并保存后再导入，"
                    "或改为直接填写",
                )
            )
            row.report(column_or_none.attr)
        cells[column_or_none.attr] = value
    return row
