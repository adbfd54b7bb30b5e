"""Planning an import: every cell checked, every row's fate decided (step 2 of importer).

:func:`plan_import` validates every cell against the database's profile, the
stored records and the other sheets, and decides for each row: add, update,
unchanged, or skipped because the record was deleted in the program (已删除，
未导入). Record sheets go through the entry forms' own checks
(:func:`safecredit_desktop.core.forms.build_record`), on the stored record with
the workbook's non-blank cells laid over it — so a blank cell never clears a
stored value and an update is checked as a whole record. A row whose every cell
already equals the stored record is unchanged without that check (re-importing
100,000 rows stays quick). A missing required column is reported once, and only
when some row adds a record (an update does not need it).

Choices where workbook.md leaves room:

- Unknown sheets are skipped and named in the summary (the program's own 说明 and
  选项 sheets silently); a sheet title is folded like a header.
- A 报送单位 equal to this bureau's name is stored blank ("this bureau"), so that a
  county's 全部数据 export (which writes the bureau's name there) imports back as it
  was, while a city importing it keeps the county's name.
- 核实状态 blank: the flag follows the stated grade and figures (and a stored flag is
  kept while the grade is unchanged); 待核实 sets it; 已核实 clears it.
- Identifier columns (codes, ID numbers, document numbers, 执法证号, 联系电话) must be
  text cells without spaces around them; 执法证号 and 统一社会信用代码 without inner
  spaces either.
- 回避单位, when filled, is the inspector's whole list (codes missing from it are
  removed); a listed unit that was deleted in the program is skipped and reported.
- A 决定书文号 already stored for another unit is an error, not a move.
"""

from __future__ import annotations

from datetime import date

from safecredit_desktop.core.collector import paused_collector
from safecredit_desktop.core.exchange.columns import SHEETS
from safecredit_desktop.core.exchange.import_errors import CellError, CellErrors, Progress
from safecredit_desktop.core.exchange.planning_base import RowsPlanned
from safecredit_desktop.core.exchange.planning_records import _RecordPlanner
from safecredit_desktop.core.exchange.planning_repairs import _RepairPlanner
from safecredit_desktop.core.exchange.plans import (
    ConflictChange,
    ImportPlan,
    SheetPlan,
    _audit_head,
)
from safecredit_desktop.core.exchange.reading import ParsedWorkbook
from safecredit_desktop.core.rules.profile import Profile
from safecredit_desktop.core.storage import settings as setting_keys
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.settings import get_setting


class _Planner(_RecordPlanner, _RepairPlanner):
    """The planner of a whole workbook: each sheet's planning, sharing one state."""


@paused_collector
def plan_import(
    db: Database,
    parsed: ParsedWorkbook,
    *,
    profile: Profile,
    accept_bad_check: bool,
    today: date,
    progress: Progress | None = None,
    release_rows: bool = False,
    on_rows: RowsPlanned | None = None,
) -> ImportPlan:
    """Decide every row's fate; every fault is in ``plan.errors`` (nothing is written).

    With ``release_rows`` each sheet's rows are dropped from ``parsed`` once planned
    (their records are in the plan), so that a big workbook is not held twice.
    ``on_rows`` is handed the planned rows as planning goes, sheet by sheet in the
    order they are written (units first, 信用修复 last), a thousand at a time."""
    planner = _Planner(
        db,
        parsed,
        profile=profile,
        accept_bad_check=accept_bad_check,
        today=today,
        bureau_name=get_setting(db, setting_keys.BUREAU_NAME),
        progress=progress,
        on_rows=on_rows,
    )
    head = _audit_head(db)
    plans: dict[str, SheetPlan] = {}
    conflicts: list[ConflictChange] = []
    # units first (others refer to them), repairs last (they refer to other records);
    # a sheet read on demand (reading.read_on_demand) is read here, in this order
    order = sorted(SHEETS, key=lambda s: (s.table != "units", s.table == "repairs"))
    for spec in order:
        sheet = parsed.sheets.get(spec.name)
        if sheet is None:
            continue
        if spec.table == "units":
            plans[spec.name] = planner.plan_units(sheet)
        elif spec.table == "inspectors":
            plans[spec.name], conflicts = planner.plan_inspectors(sheet)
        elif spec.table == "repairs":
            plans[spec.name] = planner.plan_repairs(sheet)
        else:
            plans[spec.name] = planner.plan_records(sheet)
        planner.tell(finished=True)
        if release_rows:
            sheet.rows = []
    missing = CellErrors()
    missing.extend(_missing(planner))
    errors, total, only_bad_check = CellErrors.merged(parsed.errors, planner.errors, missing)
    return ImportPlan(
        parsed.path,
        [plans[s.name] for s in SHEETS if s.name in plans],
        conflicts,
        errors,
        list(parsed.ignored_sheets),
        head,
        error_total=total,
        only_bad_check=only_bad_check,
        hidden_sheets=tuple(parsed.hidden_sheets),
        hidden_included=parsed.hidden_included,
    )


def _missing(planner: _Planner) -> list[CellError]:
    out: list[CellError] = []
    for (title, attr), rows in planner.missing_rows.items():
        spec = next(s.spec for s in planner.parsed.sheets.values() if s.title == title)
        shown = "、".join(str(r) for r in rows[:5]) + (
            f"等共{len(rows)}行" if len(rows) > 5 else "行"
        )
        out.append(
            CellError(
                title,
                1,
                spec.column(attr).header,
                "",
                f"缺少必填列：第{shown}是新记录，必须填写这一列；请按导入模板添加这一列",
            )
        )
    return out
