"""One sheet of a workbook in another layout, read as it is: its header row (found among
the first rows, under any title rows), its columns with their letters and headers, and
its data rows.

The file is opened and its limits checked as a template workbook's are (one sentence for
a file that is not a workbook, is encrypted or is past a limit); the sheet is the first
visible one, or the one named.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.exchange.columns import fold_header, sheet_for_title
from safecredit_desktop.core.exchange.header_synonyms import any_sheet_matches
from safecredit_desktop.core.exchange.import_errors import WorkbookError, show_value
from safecredit_desktop.core.exchange.limits import column_letters as column_letters
from safecredit_desktop.core.exchange.reading import _checked_sources, opened_package
from safecredit_desktop.core.exchange.xlsx_package import Package, SheetPart

HEADER_SEARCH_ROWS = 10
"""The header row is looked for among this many first non-blank rows (title rows such as
“XX县市场主体名录” and a 制表日期 line come above it)."""

Cells = dict[int, object]


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


@dataclass(frozen=True)
class SourceColumn:
    """A column of the sheet: its number (1 = A), letters, and header as written."""

    index: int
    letter: str
    header: str

    @property
    def label(self) -> str:
        """The header as a message names it (a blank header by its letters)."""
        return self.header or f"（{self.letter}列，无标题）"


@dataclass
class SourceSheet:
    """The sheet read: file, sheet title, every visible sheet's title, the header row's
    Excel number, the columns (with a header or with data), and the data rows below."""

    path: Path
    title: str
    titles: tuple[str, ...]
    header_row: int
    columns: tuple[SourceColumn, ...]
    rows: list[tuple[int, Cells]]

    def column(self, index: int) -> SourceColumn:
        for column in self.columns:
            if column.index == index:
                return column
        raise KeyError(index)

    def values(self, index: int, limit: int = 200) -> list[object]:
        """The first ``limit`` non-blank values of a column."""
        out: list[object] = []
        for _number, cells in self.rows:
            value = cells.get(index)
            if not _blank(value):
                out.append(value)
                if len(out) >= limit:
                    break
        return out

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)


def sheet_titles(path: Path) -> tuple[tuple[str, ...], bool]:
    """The visible sheets' titles, and whether any sheet (hidden ones too: the template
    import names and skips them) is a sheet of the import template."""
    with opened_package(Path(path)) as package:
        titles = tuple(p.title for p in _visible(package))
        template = any(sheet_for_title(p.title) is not None for p in package.sheets)
    return titles, template


def _visible(package: Package) -> list[SheetPart]:
    return [p for p in package.sheets if p.member is not None and not p.hidden and not p.is_chart]


def read_source_sheet(path: Path, sheet: str | None = None) -> SourceSheet:
    """Read the first visible sheet of ``path`` (or the one titled ``sheet``, compared
    folded like headers) with its header row found; see the module docstring."""
    path = Path(path)
    with opened_package(path) as package:
        parts = _visible(package)
        if not parts:
            raise WorkbookError(f"“{path.name}”中没有可读取的工作表。")
        titles = tuple(p.title for p in parts)
        if sheet is None:
            part = parts[0]
        else:
            found = [p for p in parts if fold_header(p.title) == fold_header(sheet)]
            if not found:
                shown = "、".join(f"“{t}”" for t in titles)
                raise WorkbookError(
                    f"“{path.name}”中没有名为“{sheet}”的工作表。其中的工作表：{shown}。"
                )
            part = found[0]
        try:
            (source,) = _checked_sources(path, package, [part])
            rows = [
                (n, cells)
                for n, cells in source.xml.rows()
                if any(not _blank(v) for v in cells.values())
            ]
        except SafeCreditError:
            raise
        except Exception:  # damaged XML inside the zip
            raise WorkbookError(
                f"“{path.name}”中的“{part.title}”表无法读取，文件可能已损坏；"
                "请在 Excel 中打开并另存为 .xlsx 后再导入。"
            ) from None
    if not rows:
        raise WorkbookError(f"“{path.name}”的“{part.title}”表是空的，没有可导入的内容。")
    at = header_index(rows)
    header_number, header_cells = rows[at]
    data = rows[at + 1 :]
    used = set(header_cells)
    for _n, cells in data:
        used.update(i for i, v in cells.items() if not _blank(v))
    columns = tuple(
        SourceColumn(
            i,
            column_letters(i),
            "" if _blank(header_cells.get(i)) else show_value(header_cells.get(i)).strip(),
        )
        for i in sorted(used)
        if not (_blank(header_cells.get(i)) and all(_blank(c.get(i)) for _n, c in data))
    )
    return SourceSheet(path, part.title, titles, header_number, columns, data)


def header_index(rows: list[tuple[int, Cells]]) -> int:
    """Which of the first non-blank rows is the header row: the one whose cells name the
    most template columns (by header or synonym); without any such, the first row with
    the most text cells. A title row (one merged cell) never wins over a row of headers."""
    best, best_key = 0, (-1, -1)
    for at, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        texts = [v for v in cells.values() if isinstance(v, str) and v.strip()]
        named = sum(1 for v in texts if any_sheet_matches(v) > 0)
        key = (named if len(texts) >= 2 else 0, len(texts))
        if key > best_key:
            best, best_key = at, key
    return best
