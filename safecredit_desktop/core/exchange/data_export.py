"""全部数据: every record of the database, exactly in the import template.

Every data sheet has its headers on row 1 and one row per record below it — no title
rows — so that the file imports back (into an empty database of the same profile it
gives the same records; a city bureau can import the workbooks of all its counties).
The bureau, the date, the counts and the notices are on the 说明 sheet (first; the
import skips it). Under an internal-only profile the notice is on the 说明 sheet and
in every sheet's print header (not in a row: row 1 must stay the header row).

- 报送单位: a unit whose reporter is blank (this bureau) gets the bureau's name, so a
  city importing the file keeps the county's name; importing it back into a database
  of the same bureau stores it blank again (importer).
- 主要负责人身份证号 is written in full only with ``include_id``; otherwise the column
  is left empty (a masked number would not import, and a blank cell clears nothing).
- Codes, ID numbers and document numbers are text cells ('@'); dates are Excel dates.
- 失信行为类型 is written as its Chinese name; 核实状态 as 待核实 (flagged) or 已核实 (a
  stated grade above the figures' grade that a reviewer has cleared).
- 信用修复 leaves out the repairs voided by grading.md Revision 2 (按修订失效: accidents
  are never repaired), so that the file imports again.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from safecredit_desktop.core import model
from safecredit_desktop.core.exchange import sheets
from safecredit_desktop.core.exchange.columns import (
    ACCEPT_TEXT,
    NOTES_SHEET,
    OPTIONS_SHEET,
    REVIEW_DONE,
    REVIEW_PENDING,
    SHEET_BY_TABLE,
    SHEETS,
    SheetSpec,
)
from safecredit_desktop.core.exchange.template_export import (
    LAST_ROW,
    list_formulas,
    notice_of,
    sheet_columns,
)
from safecredit_desktop.core.exchange.xlsx_writer import (
    Line,
    StreamingBook,
    fill_small_table,
    set_header_footer,
)
from safecredit_desktop.core.rules.profile import Profile
from safecredit_desktop.core.storage import anchor
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.tables import from_row
from safecredit_desktop.core.validate import accident_grade_from_figures

__all__ = ["DATA_TITLE", "RECORD_ORDER", "DataExport", "record_cells", "write_all_data"]

DATA_TITLE = "安全生产信用信息（全部数据）"
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class DataExport:
    """What was written: the file, rows per sheet (template order), whether IDs are in."""

    path: Path
    counts: dict[str, int]
    include_id: bool

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _rows(db: Database, sql: str) -> Iterator[dict[str, Any]]:
    cursor = db.conn.execute(sql)
    names = [d[0] for d in cursor.description]
    for values in cursor:
        yield dict(zip(names, values, strict=True))


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _units(db: Database, bureau: str, include_id: bool) -> Iterator[list[object]]:
    for row in _rows(db, "SELECT * FROM units ORDER BY uscc"):
        u = from_row(model.Unit, row)
        yield [
            u.uscc,
            u.name,
            u.category,
            u.reporter or bureau,
            ACCEPT_TEXT if u.check_accepted else None,
            u.town,
            u.address,
            u.legal_rep,
            u.main_person,
            u.main_person_id if include_id else None,
            u.safety_person,
            u.phone,
            u.permit_no,
            u.permit_valid_until,
            u.std_level,
            u.std_awarded_on,
            u.std_valid_until,
            _yes_no(u.high_risk),
            u.status,
            u.founded_on,
        ]


def _per_unit(db: Database, table: str, order: str) -> Iterator[tuple[str, Any]]:
    spec = SHEET_BY_TABLE[table]
    sql = (
        f"SELECT t.*, u.uscc AS _uscc FROM {table} t JOIN units u ON u.id = t.unit_id"
        f" ORDER BY u.uscc, {order}"
    )
    for row in _rows(db, sql):
        yield str(row["_uscc"]), from_row(spec.record, row)


RECORD_ORDER: dict[str, str] = {
    "inspections": "t.inspected_on",
    "accidents": "t.occurred_on, t.accident_no",
    "penalties": "t.decided_on, t.doc_no",
    "violations": "t.occurred_on, t.kind, t.subject",
    "commitments": "t.signed_on, t.type",
    "honours": "t.honoured_on, t.type",
    "joint_punishments": "t.starts_on",
}
"""The order of a unit's records of each kind in the 全部数据 sheets."""


def record_cells(table: str, code: str, r: Any) -> list[object]:
    """One record as its row of the import template's sheet (template column order):
    dates as dates, counts and amounts as numbers, 失信行为类型 as its Chinese name."""
    if table == "inspections":
        return [
            code,
            r.inspected_on,
            r.method,
            r.inspectors,
            r.hazards,
            r.major_hazards,
            r.rectify_deadline,
            r.rectified_on,
            r.doc_no,
            r.note,
        ]
    if table == "accidents":
        derived = accident_grade_from_figures(r.deaths, r.serious_injuries, r.loss_wan)
        review = REVIEW_PENDING if r.needs_review else None
        if not r.needs_review and r.grade != derived.value:
            review = REVIEW_DONE
        return [
            code,
            r.occurred_on,
            r.accident_no,
            r.grade,
            r.deaths,
            r.serious_injuries,
            r.loss_wan,
            r.responsible,
            review,
            r.note,
        ]
    if table == "penalties":
        return [
            code,
            r.doc_no,
            r.decided_on,
            r.department,
            r.reason,
            r.fine_yuan,
            r.published_on,
            r.violation_type,
            r.legal_basis,
            r.penalty_types,
            r.penalty_content,
            _yes_no(r.aggravated_fine),
        ]
    if table == "violations":
        kind = model.VIOLATION_KIND_BY_CODE.get(r.kind)
        return [
            code,
            kind.name if kind else r.kind,
            r.occurred_on,
            r.subject,
            r.person_name,
            r.basis_doc,
            r.note,
        ]
    if table == "commitments":
        return [code, r.type, r.signed_on, r.signer, r.withdrawn_on]
    if table == "honours":
        return [code, r.honoured_on, r.level, r.type, r.title]
    if table == "joint_punishments":
        return [code, r.department, r.starts_on, r.ends_on]
    raise KeyError(table)


# The big plain tables read straight into their cells (dates converted once each): the
# same cells as ``record_cells`` of the record (tests/core/test_data_export_scale.py
# compares), without a record object per row — a county's 700,000 inspections. Their
# template columns after the unit's code are each a field of the record, as stored.
_DIRECT: dict[str, tuple[str, ...]] = {
    table: tuple(column.attr for column in SHEET_BY_TABLE[table].columns[1:])
    for table in ("inspections", "commitments", "honours", "joint_punishments")
}


def _kind_of(record: type[Any], name: str) -> str:
    """'date', 'bool' or 'plain': how the column is stored (as ``tables.from_row`` reads it)."""
    hint = typing.get_type_hints(record)[name]
    args = set(typing.get_args(hint)) or {hint}
    return "date" if date in args else "bool" if bool in args else "plain"


def direct_rows(db: Database, table: str) -> Iterator[list[object]]:
    """The rows of a table of :data:`_DIRECT`, in :data:`RECORD_ORDER`."""
    names = _DIRECT[table]
    spec = SHEET_BY_TABLE[table]
    kinds = [_kind_of(spec.record, name) for name in names]
    dates = [i + 1 for i, kind in enumerate(kinds) if kind == "date"]
    flags = [i + 1 for i, kind in enumerate(kinds) if kind == "bool"]
    sql = (
        f"SELECT u.uscc, {', '.join(f't.{n}' for n in names)} FROM {table} t"
        f" JOIN units u ON u.id = t.unit_id ORDER BY u.uscc, {RECORD_ORDER[table]}"
    )
    days: dict[str, date] = {}
    for values in db.conn.execute(sql):
        cells = list(values)
        for index in dates:
            text = cells[index]
            if text is not None:
                day = days.get(text)
                if day is None:
                    day = days[text] = date.fromisoformat(text)
                cells[index] = day
        for index in flags:
            if cells[index] is not None:
                cells[index] = bool(cells[index])
        yield cells


def _record_rows(db: Database, table: str) -> Iterator[list[object]]:
    if table not in RECORD_ORDER:
        return iter(())
    if table in _DIRECT:
        return direct_rows(db, table)
    return (record_cells(table, code, r) for code, r in _per_unit(db, table, RECORD_ORDER[table]))


def _inspectors(db: Database) -> list[list[object]]:
    conflicts: dict[int, list[str]] = {}
    for inspector_id, code in db.conn.execute(
        "SELECT c.inspector_id, u.uscc FROM inspector_conflicts c JOIN units u ON u.id = c.unit_id"
        " ORDER BY u.uscc"
    ):
        conflicts.setdefault(int(inspector_id), []).append(str(code))
    out: list[list[object]] = []
    for row in _rows(db, "SELECT * FROM inspectors ORDER BY cert_no"):
        i = from_row(model.Inspector, row)
        codes = conflicts.get(int(row["id"]), [])
        out.append([i.name, i.cert_no, i.org, _yes_no(i.active), "、".join(codes) or None])
    return out


def _repairs(db: Database) -> list[list[object]]:
    sql = (
        "SELECT r.*, u.uscc AS _uscc, p.doc_no AS _doc_no, v.kind AS _kind,"
        " v.subject AS _subject, coalesce(v.occurred_on, a.occurred_on) AS _on,"
        " a.accident_no AS _no FROM repairs r"
        " JOIN units u ON u.id = r.unit_id"
        " LEFT JOIN penalties p ON p.id = r.penalty_id"
        " LEFT JOIN violations v ON v.id = r.violation_id"
        " LEFT JOIN accidents a ON a.id = r.accident_id"
        # a repair the revision voided (an accident's) is history, not an approval that
        # imports (grading.md Revision 2: accidents are never repaired)
        " WHERE r.void_reason IS NULL AND r.accident_id IS NULL"
        " ORDER BY u.uscc, r.approved_on, r.id"
    )
    out: list[list[object]] = []
    for row in _rows(db, sql):
        r = from_row(model.Repair, row)
        kind = model.VIOLATION_KIND_BY_CODE.get(str(row["_kind"])) if row["_kind"] else None
        out.append(
            [
                row["_uscc"],
                r.target_kind,
                row["_doc_no"],
                kind.name if kind else None,
                row["_subject"],
                _day(row["_on"]),
                row["_no"] or None,
                r.approved_on,
                r.approval_no,
            ]
        )
    return out


def _sheet_rows(
    db: Database, spec: SheetSpec, bureau: str, include_id: bool
) -> Iterable[Sequence[object]]:
    if spec.table == "units":
        return _units(db, bureau, include_id)
    if spec.table == "inspectors":
        return _inspectors(db)
    if spec.table == "repairs":
        return _repairs(db)
    return _record_rows(db, spec.table)


def _notes(
    profile: Profile,
    bureau: str,
    today: date,
    counts: dict[str, int],
    include_id: bool,
) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    notice = notice_of(profile)
    if notice:
        items.append(("注意", notice))
    items.extend(
        [
            ("报送单位", bureau),
            ("导出日期", sheets.chinese_date(today)),
            ("信用规则", profile.title),
            (
                "格式",
                "各表与导入模板相同（第1行为列标题），可直接导入本系统：导入到同一信用规则的空数据库，"
                "得到相同的记录；市级汇总时可导入各县的本文件。",
            ),
            (
                "报送单位列",
                f"“企业信息”表中报送单位为空（即本局）的企业，已写为“{bureau}”。",
            ),
            (
                "身份证号",
                "已按要求导出完整的主要负责人身份证号，属个人信息，请妥善保管。"
                if include_id
                else "未导出（“主要负责人身份证号”列留空）；导入时空单元格不会清除已保存的号码。",
            ),
        ]
    )
    items.extend((f"{name}（条）", str(count)) for name, count in counts.items())
    return items


def write_all_data(
    path: Path,
    db: Database,
    profile: Profile,
    bureau_name: str,
    *,
    include_id: bool,
    today: date,
    progress: Progress | None = None,
) -> DataExport:
    """Write every record of ``db`` to ``path`` in the import template's sheets, each
    sheet streamed from the database (nothing but one row is held; see
    :mod:`.xlsx_writer`)."""
    notice = notice_of(profile)
    formulas, long_lists = list_formulas(profile)
    book = StreamingBook(path)
    try:
        book.book.set_properties(
            {
                "title": DATA_TITLE,
                "subject": f"{bureau_name} {today.isoformat()}",
                "author": bureau_name,
            }
        )
        notes = book.add_sheet(NOTES_SHEET)  # first in the book, filled once counted
        counts: dict[str, int] = {}
        for index, spec in enumerate(SHEETS):
            if progress is not None:
                progress(index / len(SHEETS), f"写入{spec.name}")
            sheet = book.add_sheet(spec.name)
            columns = sheet_columns(spec)
            header = book.start_table(sheet, columns, notice=notice)
            meter = sheets.WidthMeter(columns)
            rows = _sheet_rows(db, spec, bureau_name, include_id)
            formats = [book.body(c) for c in columns]
            counts[spec.name] = sheet.append_rows(header, rows, formats, meter)
            book.finish_table(sheet, meter.widths())
            add_list_validations(sheet, spec, profile, formulas)
        items = [
            *_notes(profile, bureau_name, today, counts, include_id),
            ("审计日志", anchor.describe(anchor.current_head(db.conn))),  # to compare later
        ]
        lines = [Line(f"{bureau_name}{DATA_TITLE}", "title", 36.0)]
        if notice:
            lines.append(Line(notice, "notice", 22.0))
        fill_small_table(
            book,
            notes,
            columns=sheets.NOTES_COLUMNS,
            rows=items,
            lines=lines,
            notice=notice,
            landscape=False,
        )
        if long_lists:
            write_option_lists(book, long_lists, notice)
        return DataExport(book.close(), counts, include_id)
    except BaseException:
        book.discard()
        raise


def add_list_validations(
    sheet: Any, spec: SheetSpec, profile: Profile, formulas: dict[tuple[str, ...], str]
) -> None:
    """The drop-down lists of :func:`.template_export.add_validations`, for XlsxWriter."""
    for index, column in enumerate(spec.columns):
        values = column.choice_values(profile)
        if not values:
            continue
        strict = column.kind not in ("violation_kind",) and column.attr != "level"
        sheet.data_validation(
            1,
            index,
            LAST_ROW - 1,
            index,
            {
                "validate": "list",
                "source": "=" + formulas[values],
                "ignore_blank": True,
                "show_input": False,
                "show_error": True,
                "error_type": "stop" if strict else "warning",
                "error_title": column.header,
                "error_message": "请从下拉列表中选择"
                + ("" if strict else "（也可填写说明中所列的其他写法）"),
            },
        )


def write_option_lists(
    book: StreamingBook, long_lists: Sequence[list[str]], notice: str | None
) -> None:
    """The hidden 选项 sheet of :func:`.template_export.write_options`."""
    sheet = book.add_sheet(OPTIONS_SHEET)
    sheet.hide()
    set_header_footer(sheet, notice=notice)
    depth = max((len(v) for v in long_lists), default=0)
    for row in range(depth):
        for column, values in enumerate(long_lists):
            if row < len(values):
                sheet.write_string(row, column, values[row])
