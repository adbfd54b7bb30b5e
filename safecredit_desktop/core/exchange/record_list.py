"""The records of one kind across the county, newest first (``safecredit records``).

Rows are the import template's rows (``data_export.record_cells``), so the listing can
be written as that sheet of the template and imported back; the JSON of cli.md keys
each record by the template's headers plus ``单位名称`` and ``id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from safecredit_desktop.core.exchange.columns import NOTES_SHEET, SHEET_BY_TABLE, SheetSpec
from safecredit_desktop.core.rules.profile import Profile
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.tables import from_row

__all__ = ["DATE_COLUMN", "ListedRecord", "RecordList", "list_records", "write_records_sheet"]

DATE_COLUMN: dict[str, str] = {
    "inspections": "inspected_on",
    "accidents": "occurred_on",
    "penalties": "decided_on",
    "violations": "occurred_on",
    "commitments": "signed_on",
    "honours": "honoured_on",
}
"""The date a record is listed, filtered and ordered by."""

UNIT_NAME = "单位名称"
RECORD_ID = "id"


@dataclass(frozen=True)
class ListedRecord:
    id: int
    unit_name: str
    cells: tuple[object, ...]  # in the template's column order


@dataclass(frozen=True)
class RecordList:
    sheet: SheetSpec
    records: tuple[ListedRecord, ...]

    @property
    def headers(self) -> tuple[str, ...]:
        return self.sheet.headers

    def as_json(self) -> list[dict[str, Any]]:
        """cli.md: one object per record, keyed by the template's headers plus 单位名称
        and id; dates as YYYY-MM-DD, blank cells as null."""
        out: list[dict[str, Any]] = []
        for record in self.records:
            item: dict[str, Any] = {}
            for header, cell in zip(self.headers, record.cells, strict=True):
                item[header] = cell.isoformat() if isinstance(cell, date) else cell
            item[UNIT_NAME] = record.unit_name
            item[RECORD_ID] = record.id
            out.append(item)
        return out


def list_records(
    db: Database,
    table: str,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    town: str | None = None,
    uscc: str | None = None,
) -> RecordList:
    """The records of ``table`` matching the filters, newest first (then the newest
    entered first)."""
    # the workbook modules (openpyxl) load when a listing is made, not at start-up
    from safecredit_desktop.core.exchange.data_export import record_cells

    sheet = SHEET_BY_TABLE[table]
    day = DATE_COLUMN[table]
    conditions: list[str] = []
    params: list[object] = []
    if date_from is not None:
        conditions.append(f"t.{day} >= ?")
        params.append(date_from.isoformat())
    if date_to is not None:
        conditions.append(f"t.{day} <= ?")
        params.append(date_to.isoformat())
    if town is not None:
        conditions.append("u.town = ?")
        params.append(town)
    if uscc is not None:
        conditions.append("u.uscc = ?")
        params.append(uscc)
    where = " AND ".join(conditions) or "1 = 1"
    cursor = db.conn.execute(
        f"SELECT t.*, u.uscc AS _uscc, u.name AS _name FROM {table} t"
        f" JOIN units u ON u.id = t.unit_id WHERE {where}"
        f" ORDER BY t.{day} DESC, t.id DESC",
        params,
    )
    names = [d[0] for d in cursor.description]
    records = []
    for values in cursor:
        row = dict(zip(names, values, strict=True))
        record = from_row(sheet.record, row)
        cells = record_cells(table, str(row["_uscc"]), record)
        records.append(ListedRecord(int(row["id"]), str(row["_name"]), tuple(cells)))
    return RecordList(sheet, tuple(records))


def write_records_sheet(
    path: Path, listing: RecordList, profile: Profile, bureau_name: str, *, today: date
) -> Path:
    """That sheet of the import template, one row per record (re-importable), with a
    说明 sheet naming the bureau and the date."""
    from safecredit_desktop.core.exchange import sheets
    from safecredit_desktop.core.exchange.template_export import (
        add_validations,
        list_formulas,
        notice_of,
        sheet_columns,
        write_options,
    )

    notice = notice_of(profile)
    wb = sheets.new_workbook()
    sheets.set_properties(wb, title=listing.sheet.name, creator=bureau_name)
    sheets.write_notes(
        wb,
        NOTES_SHEET,
        title=f"{bureau_name}{listing.sheet.name}",
        items=[
            *([("注意", notice)] if notice else []),
            ("报送单位", bureau_name),
            ("导出日期", sheets.chinese_date(today)),
            ("格式", "与导入模板的同名表相同（第1行为列标题），可直接导入本系统。"),
            (f"{listing.sheet.name}（条）", str(len(listing.records))),
        ],
        notice=notice,
    )
    spec = listing.sheet
    sheets.write_table(
        wb, spec.name, columns=sheet_columns(spec), rows=[list(r.cells) for r in listing.records]
    )
    formulas, long_lists = list_formulas(profile)
    ws = wb[spec.name]
    add_validations(ws, spec, profile, formulas)
    if notice:
        sheets.set_header_footer(ws, notice=notice)
    if long_lists:
        write_options(wb, long_lists, notice)
    return sheets.save_workbook(wb, path)
