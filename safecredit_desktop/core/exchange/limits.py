"""The limits of an imported workbook (workbook.md, Rules of import → Limits), checked
before anything is held in memory.

An .xlsx file is a zip of XML parts; a 1 MB file can inflate to gigabytes (one 1 GiB
string, thirty million shared strings, a column filled down to row 1,048,576). So,
before the rows are read:

1. **The zip's directory** (:func:`open_member`): each part that will be read is
   refused when its declared uncompressed size is over its cap (a sheet 200 MB, the
   shared strings 200 MB, workbook/styles/relationship parts 20 MB), or when the
   declared sizes cannot be true (a deflated part cannot grow more than 1,032 times; a
   stored part does not grow). While inflating, no part yields more than it declared.
2. **A streaming pass** over each sheet that will be read (:func:`scan_sheet`) and over
   the shared strings (:func:`count_shared_strings`): a byte-level count in C speed of
   the row and string tags, and a bound on each row's bytes — enough to prove a normal
   workbook within the limits at a small fraction of the time reading it takes. When
   it cannot prove that (a row over 1 MB, CDATA, row tags in a second namespace
   prefix), :func:`_precise_scan` streams the sheet through expat, counting rows,
   cells and each text's characters as they arrive and stopping at the first one past
   a limit.

What the reader then holds is bounded: at most :data:`MAX_ROWS` rows, no row larger
than the pass allowed, no text past :data:`MAX_RAW_CELL_CHARS`. The exact per-cell
checks that need the decoded value (:data:`MAX_CELL_CHARS` after Excel's ``_xHHHH_``
escapes, a value beyond column :data:`MAX_COLUMNS`) are made by the reader, cell by
cell, at no extra pass (:mod:`.xlsx_rows`).

Past a limit the file is refused with a :class:`LimitError`: one sentence naming the
limit and, where it is known, the sheet, row and column.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from typing import IO, Final
from xml.parsers import expat

from safecredit_desktop.core.exchange.import_errors import WorkbookError

MAX_ROWS: Final = 1_000_000
"""Rows of one sheet, counting the header row, as Excel numbers them."""
MAX_COLUMNS: Final = 100
MAX_CELL_CHARS: Final = 32_767
"""Excel's own limit on the characters of one cell."""
MAX_SHARED_STRINGS: Final = 10_000_000
MAX_SHEET_XML: Final = 200 * 1024 * 1024
"""Uncompressed XML of one sheet (and, a choice where the spec is silent, of the
shared-strings part, which holds the sheets' text)."""
MAX_PART_XML: Final = 20 * 1024 * 1024
"""Uncompressed workbook.xml, styles.xml and relationship parts, which are read whole.
Real ones are a few hundred kilobytes at most."""
MAX_RAW_CELL_CHARS: Final = 7 * MAX_CELL_CHARS
"""Characters of one text as stored, before ``_xHHHH_`` escapes (7 characters each)
are decoded: any more and the decoded text is over :data:`MAX_CELL_CHARS` for sure."""
MAX_ROW_ELEMENTS: Final = 16 * 16_384
"""XML elements inside one row (Excel's 16,384 columns, each a few elements)."""

_SEGMENT: Final = 1 << 20  # bytes of one row the byte-level pass accepts as proven
_CHUNK: Final = 1 << 20
_HEAD: Final = 4 * 1024 * 1024  # bytes before sheetData (a real sheet's are kilobytes)
_DEFLATE_MAX_RATIO: Final = 1032
_MB: Final = 1024 * 1024
_MAIN: Final = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


class LimitError(WorkbookError):
    """A workbook past one of the limits; ``limit`` names which (for tests and logs)."""

    def __init__(self, message: str, limit: str) -> None:
        super().__init__(message)
        self.limit = limit


def _advice() -> str:
    return "请检查文件是否正确，或把数据分成几个工作簿分别导入。"


def broken(file_name: str) -> WorkbookError:
    return WorkbookError(
        f"“{file_name}”不是有效的 Excel 工作簿（.xlsx），文件可能已损坏或不完整；"
        "请在 Excel 中打开并另存为 .xlsx 后再导入。"
    )


def refuse_doctype(file_name: str) -> WorkbookError:
    """A DTD in a part: Excel never writes one, and entity expansion is a known bomb."""
    return broken(file_name)


def part_too_big(file_name: str, what: str, size: int, cap: int, limit: str) -> LimitError:
    return LimitError(
        f"“{file_name}”中的{what}解压后有 {size / _MB:,.0f} MB，超过 {cap // _MB} MB 的上限，"
        f"没有导入任何数据；{_advice()}",
        limit,
    )


def too_many_rows(file_name: str, sheet: str) -> LimitError:
    return LimitError(
        f"“{file_name}”中的“{sheet}”表超过 {MAX_ROWS:,} 行（每张表最多 {MAX_ROWS:,} 行，"
        "含列标题行和只设了格式的空行），没有导入任何数据；请删除数据下方的空行"
        "（如整列向下填充到底的行），或把数据分成几个工作簿分别导入。",
        "rows",
    )


def too_many_columns(file_name: str, sheet: str, row: int, column: int) -> LimitError:
    return LimitError(
        f"“{file_name}”中的“{sheet}”表第{row}行第{column_letters(column)}列有内容，"
        f"超过每张表 {MAX_COLUMNS} 列的上限，没有导入任何数据；请删除多余的列后再导入。",
        "columns",
    )


def cell_too_long(file_name: str, sheet: str | None, ref: str | None, chars: int) -> LimitError:
    """A text past the cell limit; ``chars`` is shown when it was counted to the end."""
    counted = f"有 {chars:,} 个字符，" if chars <= MAX_RAW_CELL_CHARS else ""
    if sheet and ref:
        where = f"“{sheet}”表{ref}单元格{counted or '的文字'}"
    elif sheet:
        where = f"“{sheet}”表中有一个单元格{counted or '的文字'}"
    else:
        where = f"有一个单元格{counted or '的文字'}"
    return LimitError(
        f"“{file_name}”中{where}超过每个单元格 {MAX_CELL_CHARS:,} 个字符的上限"
        f"（Excel 本身的上限），没有导入任何数据；{_advice()}",
        "cell",
    )


def too_many_strings(file_name: str) -> LimitError:
    return LimitError(
        f"“{file_name}”中的共享文字表超过 {MAX_SHARED_STRINGS:,} 个字符串的上限，"
        f"没有导入任何数据；{_advice()}",
        "strings",
    )


def column_letters(index: int) -> str:
    """Excel's letters of a 1-based column number (1 → A, 27 → AA)."""
    text = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        text = chr(65 + rest) + text
    return text


def column_index(ref: str) -> int:
    """The column of a cell reference (``AB12`` → 28); 0 when it has no letters."""
    index = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            index = index * 26 + ord(ch) - 64
        else:
            break
    return index


# -- the zip's directory ------------------------------------------------------------------------


class CappedStream:
    """A part's inflated bytes, refused past what its directory entry declared."""

    def __init__(self, raw: IO[bytes], declared: int, file_name: str) -> None:
        self._raw = raw
        self._left = declared
        self._file_name = file_name

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._left -= len(data)
        if self._left < 0:
            raise broken(self._file_name)
        return data

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> CappedStream:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def checked_info(
    archive: zipfile.ZipFile, name: str, cap: int, what: str, limit: str, file_name: str
) -> zipfile.ZipInfo:
    """The directory entry of a part that will be read, its declared sizes checked."""
    info = archive.getinfo(name)
    if info.file_size > cap:
        raise part_too_big(file_name, what, info.file_size, cap, limit)
    if info.compress_type == zipfile.ZIP_STORED:
        plausible = info.file_size == info.compress_size
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        plausible = info.file_size <= info.compress_size * _DEFLATE_MAX_RATIO + 1024
    else:  # Excel writes deflate or nothing; bzip2/lzma parts are not a workbook of ours
        plausible = False
    if not plausible or info.flag_bits & 0x1:  # encrypted entry
        raise broken(file_name)
    return info


def open_member(
    archive: zipfile.ZipFile, name: str, cap: int, what: str, limit: str, file_name: str
) -> CappedStream:
    """Open a part for streaming: its declared size checked against ``cap``, and never
    more bytes than it declared."""
    info = checked_info(archive, name, cap, what, limit, file_name)
    return CappedStream(archive.open(info), info.file_size, file_name)


def read_member(archive: zipfile.ZipFile, name: str, what: str, file_name: str) -> bytes:
    """A small part read whole (workbook.xml, styles.xml, relationships)."""
    with open_member(archive, name, MAX_PART_XML, what, "part", file_name) as stream:
        return stream.read()


# -- the streaming pass over the shared strings -------------------------------------------------

_ROOT_SST = re.compile(rb"<([A-Za-z_][\w.-]*:)?sst[\s>/]")


@dataclass(frozen=True)
class StringsScan:
    """What the pass over the shared strings found: their number (None when the count
    cannot be trusted) and whether every string is short for sure — its XML, tags and
    all, within :data:`MAX_CELL_CHARS` bytes, so no string can be past the cell limit
    (a string's characters are never more than its bytes, escapes decoded or not)."""

    count: int | None
    short: bool


def count_shared_strings(stream: CappedStream, file_name: str) -> StringsScan:
    """The number of strings, counted by their tags in C speed, refused past
    :data:`MAX_SHARED_STRINGS`; and a text run too long to be one cell's (a 1 GiB string)
    refused after its first megabytes. The count is None when it cannot be trusted
    (string tags in a second namespace prefix, CDATA, comments): then the table's own
    reading counts them one by one."""
    with stream:
        data, prefix = _after_prologue(stream.read(_CHUNK), _ROOT_SST, file_name)
        if prefix is None:
            return StringsScan(None, False)
        tag = b"<" + prefix + b"si"
        count = 0
        carry = b""
        run = 0  # bytes since the last '<'
        short = True
        since = b""  # since the last string tag, while every string so far is short
        while data:
            run = _text_run(run, data, file_name)
            window = carry + data
            if _alien(window, prefix, b"si"):
                return StringsScan(None, False)
            count += window.count(tag)
            if count > MAX_SHARED_STRINGS:
                raise too_many_strings(file_name)
            carry = window[-(len(tag) - 1) :]
            if short:
                parts = (since + data).split(tag)
                since = parts.pop()
                short = len(since) <= MAX_CELL_CHARS and all(
                    len(part) <= MAX_CELL_CHARS for part in parts
                )
            data = stream.read(_CHUNK)
        return StringsScan(count, short)


_MAX_RUN_BYTES: Final = 10 * MAX_RAW_CELL_CHARS
"""Bytes of text between two tags that hold more than :data:`MAX_RAW_CELL_CHARS`
characters whatever they are (a character reference like ``&#x10FFFF;`` is 10 bytes)."""


def _text_run(run: int, data: bytes, file_name: str) -> int:
    """The bytes since the last '<' after ``data``, refused past :data:`_MAX_RUN_BYTES`.
    Only a run across chunks can be that long (a chunk is smaller)."""
    first = data.find(b"<")
    if first < 0:
        run += len(data)
    else:
        if run + first > _MAX_RUN_BYTES:
            raise cell_too_long(file_name, None, None, MAX_RAW_CELL_CHARS + 1)
        run = len(data) - data.rfind(b"<") - 1
    if run > _MAX_RUN_BYTES:
        raise cell_too_long(file_name, None, None, MAX_RAW_CELL_CHARS + 1)
    return run


def _after_prologue(
    data: bytes, root: re.Pattern[bytes], file_name: str
) -> tuple[bytes, bytes | None]:
    """The first chunk from the root element on, and the root's namespace prefix (None
    when the root is not in the first 64 KB). A DTD is refused: Excel never writes one,
    and entity expansion is a known bomb."""
    found = root.search(data[:65_536])
    if found is None:
        return data, None
    if b"<!DOCTYPE" in data[: found.start()]:
        raise refuse_doctype(file_name)
    return data[found.start() :], found.group(1) or b""


_PREFIXED = {name: re.compile(b":" + name) for name in (b"row", b"si")}


def _alien(data: bytes, prefix: bytes, name: bytes) -> bool:
    """Whether ``data`` may hold ``name`` tags the byte count would miss or misplace: in
    another namespace prefix, or where '<' is not a tag (CDATA, comments, processing
    instructions). Text like "a:row" only costs the precise pass."""
    # '!' and '?' are rare: look for them alone first (memchr), the pair only if found
    if (b"!" in data and b"<!" in data) or (b"?" in data and b"<?" in data):
        return True
    if prefix:  # every ":name" must be this prefix's start or end tag
        tags = data.count(b"<" + prefix + name) + data.count(b"</" + prefix + name)
        return b"<" + name in data or data.count(b":" + name) != tags
    return _PREFIXED[name].search(data) is not None


# -- the streaming pass over a sheet ------------------------------------------------------------

_ROOT_SHEET = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet[\s>/]")


def scan_sheet(archive: zipfile.ZipFile, name: str, sheet: str, file_name: str) -> bool:
    """Refuse the sheet (LimitError) when past a limit; return when it is within them:
    True when the sheet is *plain* — proven by the byte-level pass, with no formula, no
    error value and no ISO-date cell, every cell naming its place within 100,000 rows and
    100 columns — so that python-calamine reads it as our own reader would, in bounded
    memory (:mod:`.xlsx_calamine`); False when only our reader should."""
    what = f"“{sheet}”表"
    stream = open_member(archive, name, MAX_SHEET_XML, what, "sheet_size", file_name)
    with stream:
        proven, plain = _fast_scan(stream, sheet, file_name)
    if not proven:
        stream = open_member(archive, name, MAX_SHEET_XML, what, "sheet_size", file_name)
        with stream:
            _precise_scan(stream, sheet, file_name)
    return proven and plain


# what only our reader reads as openpyxl would: a formula (its cached value or none), an
# error value (#N/A: calamine gives a blank), an ISO-8601 date cell. Looked for as plain
# bytes (memchr speed); whitespace around an '=' (legal in XML, never written by Excel,
# so a t="e" might hide behind it) also sends the sheet to our reader.
_NOT_PLAIN = (
    tuple(
        token.encode()
        for start in ("<f", ":f")
        for token in (f"{start}>", f"{start} ", f"{start}/")
    )
    + tuple(f"t={q}{kind}{q}".encode() for q in "\"'" for kind in "ed")
    + tuple(f"{a}{b}".encode() for a, b in [(" ", "="), ("\t", "="), ("\n", "="), ("\r", "=")])
    + tuple(f"={w}".encode() for w in " \t\n\r")
)


_FORMULA_TOKENS = _NOT_PLAIN[:6]
# folded: tabs and line ends as spaces, ':' as '<', "'" as '"' — so that the eighteen
# tokens above are four searches (and the formula tokens only looked for when a "<f" or
# ":f" is there at all): half the time of searching each, for the same verdict
_FOLD = bytes.maketrans(b"\t\n\r:'", b'   <"')
_FOLDED_TOKENS = (b" =", b"= ", b't="e"', b't="d"')


def _plain(window: bytes) -> bool:
    """No token of :data:`_NOT_PLAIN` in ``window``."""
    folded = window.translate(_FOLD)
    if any(token in folded for token in _FOLDED_TOKENS):
        return False
    return b"<f" not in folded or not any(token in window for token in _FORMULA_TOKENS)


# calamine holds a sheet as a dense grid (rows × columns between its first and last
# cells): a cell beyond column CV (100) or a row number of six digits or more (two cells,
# A1 and XFD1048576, would be a grid of 17 billion cells), or a cell without its
# reference, sends the sheet to our reader, which holds only the cells there are. Within
# these bounds the grid is at most 100,000 × 100 cells.
_FAR = rb"""(?:[A-Za-z]{3}|[Cc][W-Zw-z]|[D-Zd-z][A-Za-z]|[A-Za-z]{0,2}[0-9]{6})"""
_FAR_REFERENCE: dict[bytes, re.Pattern[bytes]] = {}


def _small_grid(rows: bytes, prefix: bytes) -> bool:
    """Whether every cell of these complete rows names its place (``<c r="…"``, the
    only form counted), within the bounds."""
    cell = b"<" + prefix + b"c"
    opened = sum(rows.count(cell + end) for end in (b" ", b">", b"/", b"\t", b"\n", b"\r"))
    if opened != rows.count(cell + b' r="'):
        return False
    far = _FAR_REFERENCE.get(prefix)
    if far is None:
        far = _FAR_REFERENCE[prefix] = re.compile(re.escape(cell + b' r="') + _FAR)
    return far.search(rows) is None


def _fast_scan(stream: CappedStream, sheet: str, file_name: str) -> tuple[bool, bool]:
    """The byte-level pass: (proven, plain). Proven when the rows are counted (refused
    past the limit) and each row, and what precedes them, is within its byte bound;
    plain when no formula, error value or ISO-date cell was seen and every cell names its
    place within 100,000 rows and 100 columns (see scan_sheet)."""
    data, prefix = _after_prologue(stream.read(_CHUNK), _ROOT_SHEET, file_name)
    if prefix is None:
        return False, False
    plain = True
    tag = b"<" + prefix + b"row"
    ends = (b"</" + prefix + b"sheetData>", b"<" + prefix + b"sheetData/>")
    rows = 0
    tail = b""  # since the last row tag (or the start): a row, or the head, not yet complete
    head = True
    while data:
        window = tail + data
        if _alien(window, prefix, b"row"):
            return False, False
        if plain and not _plain(window):
            plain = False
        parts = window.split(tag)
        tail = parts.pop()
        if plain and not _small_grid(window[: len(window) - len(tail)], prefix):
            plain = False  # the rows completed here (the tail is looked at with the next)
        if head and parts:
            if len(parts.pop(0)) > _HEAD:
                return False, False
            head = False
        if parts:
            rows += sum(1 for part in parts if part[:1] in _NAME_ENDS)
            if rows > MAX_ROWS:
                raise too_many_rows(file_name, sheet)
            if max(map(len, parts)) > _SEGMENT:
                return False, False
        if len(tail) > (_HEAD if head else _SEGMENT):
            break  # the rows are over, or one is too long: sheetData's end tells
        data = stream.read(_CHUNK)
    # the last row (or the head) runs to the end of sheetData; what follows is never read
    end = _sheet_data_end(tail, ends)
    if not head and tail[:1] in _NAME_ENDS and end >= 0:
        rows += 1
        if rows > MAX_ROWS:
            raise too_many_rows(file_name, sheet)
    plain = plain and end >= 0 and _small_grid(tail[:end], prefix)
    return 0 <= end <= (_HEAD if head else _SEGMENT), plain


def _sheet_data_end(window: bytes, ends: tuple[bytes, ...]) -> int:
    """Where sheetData ends in ``window`` (-1: not in it); the name is searched once."""
    at = window.find(b"sheetData")
    while at >= 0:
        for end in ends:
            start = at - end.index(b"sheetData")
            if start >= 0 and window.startswith(end, start):
                return start
        at = window.find(b"sheetData", at + 1)
    return -1


_NAME_ENDS = frozenset(bytes([c]) for c in b" >/\t\n\r")


class _StopScan(Exception):
    """sheetData has ended: nothing after it is read."""


def _precise_scan(stream: CappedStream, sheet: str, file_name: str) -> None:
    """Every row, cell and text of the sheet counted as it streams (expat): refused at
    the first one past a limit; nothing is kept. A cell's text is bounded as a whole
    (all its runs), a row's by its columns, any other text by itself."""
    ns = _MAIN + "}"
    row_tag, cell_tag, data_tag = ns + "row", ns + "c", ns + "sheetData"
    value_tags = {ns + "v", ns + "is", ns + "f"}
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    state = _ScanState()

    def start(name: str, attrs: dict[str, str]) -> None:
        state.run = 0
        if state.in_row:
            state.elements += 1
            if state.elements > MAX_ROW_ELEMENTS:
                raise broken(file_name)
        if name == row_tag:
            state.rows += 1
            if state.rows > MAX_ROWS:
                raise too_many_rows(file_name, sheet)
            given = attrs.get("r")
            state.row = int(given) if given and given.isdigit() else state.row + 1
            state.in_row, state.elements, state.column, state.row_chars = True, 0, 0, 0
        elif name == cell_tag and state.in_row:
            ref = attrs.get("r")
            state.column = column_index(ref) if ref else state.column + 1
            state.ref = ref or f"{column_letters(state.column)}{state.row}"
            state.in_cell, state.cell_chars = True, 0
        elif name in value_tags and state.in_cell and state.column > MAX_COLUMNS:
            raise too_many_columns(file_name, sheet, state.row, state.column)
        elif name == data_tag and parser.CurrentByteIndex > _HEAD:
            raise broken(file_name)

    def end(name: str) -> None:
        state.run = 0
        if name == cell_tag:
            state.in_cell = False
        elif name == row_tag:
            state.in_row = state.in_cell = False
        elif name == data_tag:
            raise _StopScan

    def characters(data: str) -> None:
        if state.in_cell:
            state.cell_chars += len(data)
            state.row_chars += len(data)
            if state.cell_chars > MAX_RAW_CELL_CHARS:
                raise cell_too_long(file_name, sheet, state.ref, state.cell_chars)
            if state.row_chars > MAX_COLUMNS * MAX_RAW_CELL_CHARS:
                raise broken(file_name)
            return
        state.run += len(data)
        if state.run > MAX_RAW_CELL_CHARS:
            raise broken(file_name)

    def doctype(*_args: object) -> None:
        raise refuse_doctype(file_name)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.StartDoctypeDeclHandler = doctype
    try:
        while chunk := stream.read(1 << 16):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _StopScan:
        return
    except expat.ExpatError:
        raise broken(file_name) from None


class _ScanState:
    __slots__ = (
        "cell_chars",
        "column",
        "elements",
        "in_cell",
        "in_row",
        "ref",
        "row",
        "row_chars",
        "rows",
        "run",
    )

    def __init__(self) -> None:
        self.rows = self.row = self.column = self.elements = self.run = 0
        self.cell_chars = self.row_chars = 0
        self.in_row = self.in_cell = False
        self.ref = ""
