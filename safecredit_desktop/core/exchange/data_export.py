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

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from safecredit_desktop.core import model
from safecredit_desktop.core.exchange import sheets
from safecredit_desktop.core.exchange.columns import (
    ACCEPT_TEXT,
    NOTES_SHEET,
    REVIEW_DONE,
    REVIEW_PENDING,
    SHEET_BY_TABLE,
    SHEETS,
    SheetSpec,
)
from safecredit_desktop.core.exchange.template_export import (
    add_validations,
    list_formulas,
    notice_of,
    sheet_columns,
    write_options,
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


def _units(db: Database, bureau: str, include_id: bool) -> list[list[object]]:
    out: list[list[object]] = []
    for row in _rows(db, "SELECT * FROM units ORDER BY uscc"):
        u = from_row(model.Unit, row)
        out.append(
            [
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
        )
    return out


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


def _record_rows(db: Database, table: str) -> list[list[object]]:
    if table not in RECORD_ORDER:
        return []
    return [record_cells(table, code, r) for code, r in _per_unit(db, table, RECORD_ORDER[table])]


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


def _sheet_rows(db: Database, spec: SheetSpec, bureau: str, include_id: bool) -> list[list[object]]:
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
    """Write every record of ``db`` to ``path`` in the import template's sheets."""
    data: dict[str, list[list[object]]] = {}
    for index, spec in enumerate(SHEETS):
        if progress is not None:
            progress(index / (2 * len(SHEETS)), f"读取{spec.name}")
        data[spec.name] = _sheet_rows(db, spec, bureau_name, include_id)
    counts = {name: len(rows) for name, rows in data.items()}
    notice = notice_of(profile)
    wb = sheets.new_workbook()
    sheets.set_properties(
        wb, title=DATA_TITLE, subject=f"{bureau_name} {today.isoformat()}", creator=bureau_name
    )
    sheets.write_notes(
        wb,
        NOTES_SHEET,
        title=f"{bureau_name}{DATA_TITLE}",
        items=[
            *_notes(profile, bureau_name, today, counts, include_id),
            ("审计日志", anchor.describe(anchor.current_head(db.conn))),  # to compare later
        ],
        notice=notice,
    )
    formulas, long_lists = list_formulas(profile)
    for index, spec in enumerate(SHEETS):
        if progress is not None:
            progress(0.5 + index / (2 * len(SHEETS)), f"写入{spec.name}")
        sheets.write_table(wb, spec.name, columns=sheet_columns(spec), rows=data[spec.name])
        ws = wb[spec.name]
        add_validations(ws, spec, profile, formulas)
        if notice:
            sheets.set_header_footer(ws, notice=notice)
    if long_lists:
        write_options(wb, long_lists, notice)
    return DataExport(sheets.save_workbook(wb, path), counts, include_id)
