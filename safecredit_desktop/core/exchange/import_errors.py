"""The import's errors and what every step shares.

:class:`CellError` is one bad cell, :class:`CellErrors` the bad cells found (the first
:data:`MAX_LISTED_ERRORS` in report order kept, all counted), :class:`WorkbookError` a
refused workbook (one sentence, or the bad cells), :func:`show_value` a cell as a
message shows it, and :data:`Progress` the callback each step reports to.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from safecredit_desktop.core.errors import SafeCreditError

Progress = Callable[[float, str], None]

_MAX_SHOWN = 60  # characters of a cell shown in a message
MAX_LISTED_ERRORS = 1_000
"""Bad cells listed (workbook.md: the error list stops at the first 1,000 and gives the
total); a column filled down with a bad value must not make millions of lines."""


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


def _sheet_rank(title: str) -> int:
    """A sheet's place in the report: template order, other titles after."""
    from safecredit_desktop.core.exchange.columns import SHEETS, sheet_for_title

    spec = sheet_for_title(title)
    return len(SHEETS) if spec is None else SHEETS.index(spec)


class CellErrors:
    """The bad cells found by one step, in report order (template sheet order, then row,
    then as found): the first :data:`MAX_LISTED_ERRORS` kept, every one counted."""

    def __init__(self, limit: int = MAX_LISTED_ERRORS) -> None:
        self.limit = limit
        self.total = 0
        self.only_bad_check = True
        self._kept: list[tuple[int, int, int, CellError]] = []  # a max-heap: keys negated
        self._ranks: dict[str, int] = {}

    def append(self, error: CellError) -> None:
        self.total += 1
        self.only_bad_check = self.only_bad_check and error.bad_check
        rank = self._ranks.get(error.sheet)
        if rank is None:
            rank = self._ranks[error.sheet] = _sheet_rank(error.sheet)
        key = (-rank, -error.row, -self.total, error)
        if len(self._kept) < self.limit:
            heapq.heappush(self._kept, key)
        elif key[:3] > self._kept[0][:3]:  # sorts before the last one kept
            heapq.heapreplace(self._kept, key)

    def extend(self, errors: Iterable[CellError]) -> None:
        for error in errors:
            self.append(error)

    def __bool__(self) -> bool:
        return self.total > 0

    def __len__(self) -> int:
        return self.total

    def keyed(self) -> list[tuple[int, int, int, CellError]]:
        """The kept errors with their sort keys (rank, row, order found), in order."""
        return sorted((-r, -row, -n, e) for r, row, n, e in self._kept)

    def first(self) -> list[CellError]:
        """The kept errors, in report order."""
        return [e for *_, e in self.keyed()]

    @staticmethod
    def merged(*steps: CellErrors) -> tuple[list[CellError], int, bool]:
        """The first errors of several steps in report order (a step's errors before a
        later step's on the same row), their total, and whether all are check faults."""
        keyed = [
            (rank, row, index, n, error)
            for index, step in enumerate(steps)
            for rank, row, n, error in step.keyed()
        ]
        keyed.sort(key=lambda k: k[:4])
        limit = min((s.limit for s in steps), default=MAX_LISTED_ERRORS)
        total = sum(s.total for s in steps)
        only_bad_check = total > 0 and all(s.only_bad_check for s in steps)
        return [k[4] for k in keyed[:limit]], total, only_bad_check


class WorkbookError(SafeCreditError):
    """A workbook refused: one sentence, or its bad cells, nothing written.

    ``errors`` holds the first :data:`MAX_LISTED_ERRORS` bad cells, ``total`` how many
    there are; ``hidden_sheets`` names the template sheets skipped as hidden."""

    def __init__(
        self,
        message: str,
        errors: Sequence[CellError] = (),
        *,
        total: int | None = None,
        only_bad_check: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.errors: list[CellError] = list(errors)
        self.total = len(self.errors) if total is None else total
        self._only_bad_check = only_bad_check
        self.hidden_sheets: tuple[str, ...] = ()

    @classmethod
    def from_cells(
        cls,
        path: Path,
        errors: Sequence[CellError],
        *,
        total: int | None = None,
        only_bad_check: bool | None = None,
    ) -> WorkbookError:
        count = len(errors) if total is None else total
        head = f"工作簿“{path.name}”有 {count:,} 处错误，没有导入任何数据："
        if count > len(errors):
            head = (
                f"工作簿“{path.name}”有 {count:,} 处错误，没有导入任何数据；"
                f"以下列出前 {len(errors):,} 处："
            )
        lines = [head, *(e.sentence() for e in errors)]
        if count > len(errors):
            lines.append(f"……另有 {count - len(errors):,} 处错误未列出，请改正以上错误后再检查。")
        return cls("\n".join(lines), errors, total=count, only_bad_check=only_bad_check)

    @property
    def only_bad_check(self) -> bool:
        """Every fault is a code's check character: importing with acceptance would pass."""
        if self._only_bad_check is not None:
            return self._only_bad_check
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
