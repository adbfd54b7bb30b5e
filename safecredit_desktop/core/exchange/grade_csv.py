"""``grade --format csv``: the grades for scripts, one row per unit.

UTF-8 with a byte-order mark (so that a program guessing the encoding — Excel among
them — reads the Chinese text), CRLF row ends (RFC 4180), every value exactly as
stored: a 统一社会信用代码 of 18 digits stays those 18 characters, never
``="…"`` or a number. Text that a spreadsheet would take for a formula (beginning with
``= + - @``) gets a leading ``'``. People who want to look at the grades open the
信用等级名单 workbook (``export grades``), whose code column is text; Excel turns the
all-digit codes of a CSV into numbers such as 9.14213030042953E+17.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from safecredit_desktop.core.rules.result import GradeResult

BOM = "\ufeff"
HEADERS = (
    "uscc",
    "name",
    "category",
    "grade",
    "label",
    "tier",
    "reasons",
    "next_change_date",
    "next_change_grade",
    "improve",
)
FORMULA_STARTS = ("=", "+", "-", "@")


def not_a_formula(value: str) -> str:
    """``value`` with a leading ``'`` when a spreadsheet would read it as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def grade_row(result: GradeResult) -> list[str]:
    nxt = result.next_change
    cells = (
        result.uscc,
        result.name,
        result.category,
        result.grade,
        result.label,
        result.tier or "",
        "；".join(r.text for r in result.reasons),
        nxt.day.isoformat() if nxt else "",
        nxt.grade if nxt else "",
        "；".join(result.improve),
    )
    return [not_a_formula(c) for c in cells]


def grade_csv(results: Iterable[GradeResult]) -> bytes:
    """The whole CSV file as bytes (BOM, header row, one row per result)."""
    text = io.StringIO(newline="")
    text.write(BOM)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(grade_row(r) for r in results)
    return text.getvalue().encode("utf-8")
