"""Reading a plain sheet through python-calamine (Rust): the same rows as our XML reader.

A *plain* sheet (the limits' byte-level pass proved it, and it holds no formula, no
error value and no ISO-date cell: :func:`.limits.scan_sheet`) is read by calamine: a
county's 全部数据 workbook reads in half the CPU time of :mod:`.xlsx_rows` (0.8–0.9 s
against 1.8–1.9 s, the limits' pass and header mapping included; the rows alone four
times faster; bench/bench_formats.py). Its values are made what
:func:`.xlsx_rows._xml_rows` gives:

- text as read (calamine decodes Excel's ``_xHHHH_`` escapes the same way), refused past
  :data:`~.limits.MAX_CELL_CHARS` with the same sentence;
- numbers: a whole number below 10^15 as an int (Excel writes those as digits), any
  other as a float; a whole number of 10^15 or more (a code typed as a number: Excel
  writes it with an exponent, other programs with all its digits) is read by our reader
  instead, which keeps the text as written;
- dates as ``datetime`` at midnight (openpyxl's ``from_excel``); a time of day or a
  duration is read by our reader instead (openpyxl and calamine tell those apart
  differently);
- a value beyond column :data:`~.limits.MAX_COLUMNS` or row :data:`~.limits.MAX_ROWS`
  refused with the same sentence.

Anything else calamine returns, or any failure of calamine, sends the sheet to our
reader (:class:`NotPlain`): never a different verdict, only a slower one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from safecredit_desktop.core.exchange import limits
from safecredit_desktop.core.exchange.limits import (
    cell_too_long,
    column_letters,
    too_many_columns,
    too_many_rows,
)

_SHARED_LENGTH = 64  # characters of a text worth sharing between rows
_SHARED_MAX = 200_000
_EXACT = 1e15  # whole numbers below this are written by Excel as digits


class NotPlain(Exception):
    """The sheet holds something calamine does not read as our reader does."""


class CalamineBook:
    """A workbook opened by calamine once, its sheets read by title."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._book: Any = None

    def rows(
        self, title: str, file_name: str, sheet: str
    ) -> Iterator[tuple[int, dict[int, object]]]:
        """``(row number, {column: value})`` of the sheet, as :mod:`.xlsx_rows` reads them;
        raises :class:`NotPlain` (before or while yielding) when it cannot."""
        try:
            if self._book is None:
                from python_calamine import CalamineWorkbook

                self._book = CalamineWorkbook.from_path(str(self.path))
            source = self._book.get_sheet_by_name(title)
            start = source.start
            rows = source.iter_rows()
        except Exception as exc:  # calamine's errors are its own kinds
            raise NotPlain(str(exc)) from None
        if start is None:
            return
        first_column = int(start[1]) + 1
        yield from _converted(rows, first_column, file_name, sheet)


def _converted(
    rows: Iterator[list[Any]], first_column: int, file_name: str, sheet: str
) -> Iterator[tuple[int, dict[int, object]]]:
    shared: dict[object, Any] = {}
    max_chars, max_columns, max_rows = limits.MAX_CELL_CHARS, limits.MAX_COLUMNS, limits.MAX_ROWS
    number = 0
    for row in rows:
        number += 1
        values: dict[int, object] = {}
        column = first_column - 1
        for value in row:
            column += 1
            kind = type(value)
            if kind is str:
                if not value:
                    continue
                if len(value) > max_chars:
                    _check_place(file_name, sheet, number, column, max_columns, max_rows)
                    ref = f"{column_letters(column)}{number}"
                    raise cell_too_long(file_name, sheet, ref, len(value))
                if len(value) <= _SHARED_LENGTH:
                    value = shared.setdefault(value, value)
            elif kind is float:
                if value.is_integer():
                    if abs(value) >= _EXACT:
                        raise NotPlain("a whole number of 16 or more digits")
                    value = int(value)
            elif kind is date:
                found = shared.get(value)
                if found is None:
                    found = shared[value] = datetime(value.year, value.month, value.day)
                value = found
            elif kind is datetime:
                if value.hour or value.minute or value.second or value.microsecond:
                    raise NotPlain("a time of day")  # rounded as openpyxl rounds it
            elif kind is not bool and kind is not int:
                raise NotPlain(kind.__name__)  # a time of day, a duration …
            if column > max_columns or number > max_rows:
                _check_place(file_name, sheet, number, column, max_columns, max_rows)
            values[column] = value
        if len(shared) > _SHARED_MAX:
            shared.clear()
        yield number, values


def _check_place(
    file_name: str, sheet: str, row: int, column: int, max_columns: int, max_rows: int
) -> None:
    if column > max_columns:
        raise too_many_columns(file_name, sheet, row, column)
    if row > max_rows:
        raise too_many_rows(file_name, sheet)
