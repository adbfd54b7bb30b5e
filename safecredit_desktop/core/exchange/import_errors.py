"""The import's errors and what every step shares.

:class:`CellError` is one bad cell, :class:`WorkbookError` a refused workbook (one
sentence, or every bad cell), :func:`show_value` a cell as a message shows it, and
:data:`Progress` the callback each step reports to.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from safecredit_desktop.core.errors import SafeCreditError

Progress = Callable[[float, str], None]

_MAX_SHOWN = 60  # characters of a cell shown in a message


@dataclass(frozen=True)
class CellError:
    """One bad cell: sheet, Excel row number, column header, the value as shown, why.

    ``bad_check`` marks a 统一社会信用代码 whose only fault is its check character (the
    window may offer to accept such codes and import again).
    """

    sheet: str
    row: int
    column: str
    value: str
    reason: str
    bad_check: bool = False

    def sentence(self) -> str:
        where = f"“{self.sheet}”表第{self.row}行" if self.sheet else ""
        if self.column:
            where += f"“{self.column}”列"
        shown = f"（{self.value}）" if self.value else "（空）" if self.column else ""
        if self.row == 1 and self.column:
            shown = ""
        return f"{where}{shown}：{self.reason}"


class WorkbookError(SafeCreditError):
    """A workbook refused: one sentence, or every bad cell (``errors``), nothing written."""

    def __init__(self, message: str, errors: Sequence[CellError] = ()) -> None:
        super().__init__(message)
        self.errors: list[CellError] = list(errors)

    @classmethod
    def from_cells(cls, path: Path, errors: Sequence[CellError]) -> WorkbookError:
        head = f"工作簿“{path.name}”有 {len(errors)} 处错误，没有导入任何数据："
        return cls("\n".join([head, *(e.sentence() for e in errors)]), errors)

    @property
    def only_bad_check(self) -> bool:
        """Every fault is a code's check character: importing with acceptance would pass."""
        return bool(self.errors) and all(e.bad_check for e in self.errors)


def show_value(raw: object) -> str:
    """A cell value as the message shows it (dates as YYYY-MM-DD, no 12.0, long text cut)."""
    if raw is None:
        return ""
    if isinstance(raw, datetime):
        text = raw.date().isoformat() if raw.time() == time() else raw.isoformat(sep=" ")
    elif isinstance(raw, date):
        text = raw.isoformat()
    elif isinstance(raw, bool):
        text = "TRUE" if raw else "FALSE"
    elif isinstance(raw, float):
        text = str(int(raw)) if raw.is_integer() and abs(raw) < 1e15 else repr(raw)
    else:
        text = str(raw)
    text = "".join(ch if ch.isprintable() else f"U+{ord(ch):04X}" for ch in text)
    return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + "…"
