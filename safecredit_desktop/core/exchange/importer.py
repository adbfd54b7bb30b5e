"""Importing a template workbook (workbook.md): read, plan, apply — all or nothing.

1. :func:`read_workbook` opens the file (one sentence for a file that is not a
   workbook, is encrypted, has no known sheet, or is past a limit; hidden template
   sheets skipped unless ``include_hidden``), maps each sheet's header row to
   the template's columns and keeps every non-blank cell. Structural faults (an
   unknown or duplicated column, data under a blank header, Excel error values,
   formulas without a stored result) become :class:`CellError`\\ s; reading carries
   on so that every fault is reported. The rows are parsed from the sheet XML
   directly (see :mod:`.xlsx_rows`), three times faster than openpyxl's cells.
2. :func:`plan_import` checks every cell (through the entry forms' own checks, on the
   stored record with the row's non-blank cells laid over it) and decides each row's
   fate: add, update, unchanged, or skipped as deleted in the program (已删除，未导入);
   :mod:`.planning` says how.
3. :func:`apply_import` writes the plan in one transaction through the repository
   (every row audited as the importing user), or refuses it when the plan has errors.

The steps live in modules of their own; this module is their public face:

- :mod:`.import_errors`: :class:`CellError`, :class:`CellErrors` (the first 1,000 kept,
  all counted), :class:`WorkbookError`, :func:`show_value`.
- :mod:`.limits`: the workbook's limits, checked from the zip's directory and a streaming
  pass before any row is read (:class:`~.limits.LimitError`: one sentence).
- :mod:`.xlsx_package`: the package's sheets (hidden or not), shared strings and styles.
- :mod:`.xlsx_strings`: Excel's ``_xHHHH_`` escapes, the compact shared-strings table.
- :mod:`.xlsx_rows`: opening the file, the fast sheet-XML row reader.
- :mod:`.reading`: :func:`read_workbook`, header folding, the parsed rows.
- :mod:`.plans`: :class:`ImportPlan`, its sheets' rows, :class:`ImportSummary`.
- :mod:`.planning`: :func:`plan_import` and the choices where workbook.md leaves room;
  the planner's parts in :mod:`.planning_base`, :mod:`.planning_records` (units, records
  of a unit, inspectors) and :mod:`.planning_repairs` (信用修复).
- :mod:`.applying`: :func:`apply_import`.
"""

from __future__ import annotations

from safecredit_desktop.core.exchange.applying import apply_import
from safecredit_desktop.core.exchange.import_errors import CellError, WorkbookError
from safecredit_desktop.core.exchange.import_errors import Progress as Progress
from safecredit_desktop.core.exchange.import_errors import show_value as show_value
from safecredit_desktop.core.exchange.planning import plan_import
from safecredit_desktop.core.exchange.planning_base import MissingRows as MissingRows
from safecredit_desktop.core.exchange.plans import ADD as ADD
from safecredit_desktop.core.exchange.plans import DELETED as DELETED
from safecredit_desktop.core.exchange.plans import SKIP as SKIP
from safecredit_desktop.core.exchange.plans import TARGET_DELETED as TARGET_DELETED
from safecredit_desktop.core.exchange.plans import UNCHANGED as UNCHANGED
from safecredit_desktop.core.exchange.plans import UNIT_DELETED as UNIT_DELETED
from safecredit_desktop.core.exchange.plans import UPDATE as UPDATE
from safecredit_desktop.core.exchange.plans import ConflictChange as ConflictChange
from safecredit_desktop.core.exchange.plans import (
    ImportPlan,
    ImportSummary,
    SheetSummary,
    SkippedRow,
)
from safecredit_desktop.core.exchange.plans import PlannedRow as PlannedRow
from safecredit_desktop.core.exchange.plans import SheetPlan as SheetPlan
from safecredit_desktop.core.exchange.reading import (
    ParsedSheet,
    ParsedWorkbook,
    RawRow,
    read_workbook,
)
from safecredit_desktop.core.exchange.xlsx_rows import RowSource as RowSource

__all__ = [
    "CellError",
    "ImportPlan",
    "ImportSummary",
    "ParsedSheet",
    "ParsedWorkbook",
    "RawRow",
    "SheetSummary",
    "SkippedRow",
    "WorkbookError",
    "apply_import",
    "plan_import",
    "read_workbook",
]
