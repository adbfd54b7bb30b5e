"""A unit's page: its fields for display and a timeline of every record it has.

The window's unit detail page shows ``unit_summary`` (every field, the ID number
masked) and ``unit_timeline`` (one line per record, newest first). Both read with
one query per table, never one per record. Nothing here imports Qt.

Order of the timeline: by date, newest first; records of one day by table order
(执法检查, 生产安全事故, 行政处罚, 失信行为, 承诺书, 表彰, 联合惩戒, 信用修复), and
within a table the later-entered record (higher id) first.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from safecredit_desktop.core import model
from safecredit_desktop.core.errors import StorageError
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.tables import SPEC_BY_NAME, from_row
from safecredit_desktop.core.validate import mask_id_number

# Record tables of a unit, in timeline order, with the column that dates each record.
TIMELINE_TABLES: tuple[tuple[str, str], ...] = (
    ("inspections", "inspected_on"),
    ("accidents", "occurred_on"),
    ("penalties", "decided_on"),
    ("violations", "occurred_on"),
    ("commitments", "signed_on"),
    ("honours", "honoured_on"),
    ("joint_punishments", "starts_on"),
    ("repairs", "approved_on"),
)
_TABLE_ORDER: dict[str, int] = {name: i for i, (name, _) in enumerate(TIMELINE_TABLES)}

FLAG_PENDING_REVIEW = "待核实"
FLAG_RESPONSIBILITY_PENDING = "待定"
FLAG_REPAIRED = "已修复"
FLAG_WITHDRAWN = "已撤回"
FLAG_NOT_RECTIFIED = "未整改"
FLAG_SERIOUS = "严重失信"
FLAG_AGGRAVATED = "加重罚款"
FLAG_NO_DEADLINE = "重大隐患未定整改期限"  # never overdue without one (Revision 2 item 6)
FLAG_VOIDED = "按修订失效"

_EMPTY = "—"
_NOTE_CHARS = 40


@dataclass(frozen=True)
class TimelineEntry:
    """One record of a unit as a line of its timeline."""

    table: str
    record_id: int
    day: date
    kind_label: str
    summary: str
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitSummary:
    """Every field of a unit, ready to show; the ID number is already masked."""

    id: int
    uscc: str
    name: str
    category: str
    reporter: str
    check_accepted: bool
    town: str
    address: str
    legal_rep: str
    main_person: str
    main_person_id_masked: str
    safety_person: str
    phone: str
    permit_no: str
    permit_valid_until: date | None
    std_level: str
    std_awarded_on: date | None
    std_valid_until: date | None
    high_risk_marked: bool
    high_risk_category: bool
    status: str
    counts: Mapping[str, int]  # kind label (执法检查 …) → records, in timeline order
    founded_on: date | None = None

    @property
    def high_risk(self) -> bool:
        """High-risk by category or by the unit's own 高危行业 mark."""
        return self.high_risk_marked or self.high_risk_category

    @property
    def total_records(self) -> int:
        return sum(self.counts.values())

    def display_fields(self) -> tuple[tuple[str, str], ...]:
        """(label, value) pairs in the order of the import template's 企业信息 sheet."""
        if self.high_risk_category:
            high_risk = f"是（{self.category}属高危行业）"
        elif self.high_risk_marked:
            high_risk = "是（单独标记）"
        else:
            high_risk = "否"
        return (
            ("统一社会信用代码", self.uscc),
            ("单位名称", self.name),
            ("行业类别", self.category),
            ("报送单位", self.reporter or "本局"),
            ("代码校验", "校验位不符，已确认接受" if self.check_accepted else "通过"),
            ("所在乡镇", self.town or _EMPTY),
            ("地址", self.address or _EMPTY),
            ("法定代表人", self.legal_rep or _EMPTY),
            ("主要负责人", self.main_person or _EMPTY),
            ("主要负责人身份证号", self.main_person_id_masked or _EMPTY),
            ("分管安全负责人", self.safety_person or _EMPTY),
            ("联系电话", self.phone or _EMPTY),
            ("安全生产许可证号", self.permit_no or _EMPTY),
            ("许可证有效期至", _day(self.permit_valid_until)),
            ("标准化等级", self.std_level or _EMPTY),
            ("标准化评定日期", _day(self.std_awarded_on)),
            ("标准化有效期至", _day(self.std_valid_until)),
            ("高危行业", high_risk),
            ("经营状态", self.status),
            ("成立日期", _day(self.founded_on)),
        )


# The summary's fields that are the unit's own as stored (the rest are derived above).
_AS_STORED: tuple[str, ...] = tuple(
    f.name for f in fields(UnitSummary) if f.name in {u.name for u in fields(model.Unit)} - {"id"}
)


# -- reading ------------------------------------------------------------------------------


def _rows(db: Database, sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    cursor = db.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def _load_unit(db: Database, unit_id: int) -> model.Unit:
    found = _rows(db, "SELECT * FROM units WHERE id = ?", (unit_id,))
    if not found:
        raise StorageError(f"找不到编号为 {unit_id} 的企业，可能已被删除。")
    unit: model.Unit = from_row(model.Unit, found[0])
    return unit


def _records_of(db: Database, unit_id: int) -> dict[str, list[Any]]:
    """Every record of the unit, table by table: one query per table."""
    records: dict[str, list[Any]] = {}
    for table, _ in TIMELINE_TABLES:
        record_type = SPEC_BY_NAME[table].record
        rows = _rows(db, f"SELECT * FROM {table} WHERE unit_id = ? ORDER BY id", (unit_id,))
        records[table] = [from_row(record_type, row) for row in rows]
    return records


# -- formatting ---------------------------------------------------------------------------


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else _EMPTY


def _number(value: float) -> str:
    """12.5 → "12.5", 3.0 → "3", 0.125 → "0.13": at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def _yuan(value: float) -> str:
    """20000 → "20,000"; 1234.5 → "1,234.50"."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _NOTE_CHARS else flat[: _NOTE_CHARS - 1] + "…"


def _violation_name(code: str) -> str:
    kind = model.VIOLATION_KIND_BY_CODE.get(code)
    return kind.name if kind is not None else code


_RESPONSIBILITY = {
    model.Responsibility.YES.value: "责任事故",
    model.Responsibility.NO.value: "非责任事故",
    model.Responsibility.PENDING.value: "责任待定",
}


def _inspection(r: model.Inspection) -> tuple[str, tuple[str, ...]]:
    parts = [f"检查（{r.method}）"]
    if r.inspectors:
        parts.append(f"执法人员{_one_line(r.inspectors)}")
    if r.hazards or r.major_hazards:
        found = f"发现隐患{r.hazards}处"
        if r.major_hazards:
            found += f"，其中重大隐患{r.major_hazards}处"
        parts.append(found)
    else:
        parts.append("未发现隐患")
    if r.rectify_deadline is not None:
        parts.append(f"整改期限{r.rectify_deadline.isoformat()}")
    if r.rectified_on is not None:
        parts.append(f"{r.rectified_on.isoformat()}整改完成")
    if r.doc_no:
        parts.append(f"文书{r.doc_no}")
    if r.note:
        parts.append(f"备注：{_one_line(r.note)}")
    flags: tuple[str, ...] = ()
    if (r.hazards or r.major_hazards) and r.rectified_on is None:
        flags = (FLAG_NOT_RECTIFIED,)
    if r.major_hazards and r.rectify_deadline is None and r.rectified_on is None:
        flags = (*flags, FLAG_NO_DEADLINE)
    return "，".join(parts), flags


def _accident(r: model.Accident) -> tuple[str, tuple[str, ...]]:
    responsibility = _RESPONSIBILITY.get(r.responsible, r.responsible)
    parts = [f"事故（{r.grade}，{responsibility}）"]
    if r.accident_no:
        parts.append(f"编号{r.accident_no}")
    parts.append(f"死亡{r.deaths}人，重伤{r.serious_injuries}人")
    parts.append(f"直接经济损失{_number(r.loss_wan)}万元")
    if r.note:
        parts.append(f"备注：{_one_line(r.note)}")
    text = "，".join(parts)
    flags: list[str] = []
    if r.needs_review:
        text += f"；{FLAG_PENDING_REVIEW}（所填等级高于伤亡和损失数字对应的等级）"
        flags.append(FLAG_PENDING_REVIEW)
    if r.responsible == model.Responsibility.PENDING:
        flags.append(FLAG_RESPONSIBILITY_PENDING)
    return text, tuple(flags)


def _penalty(r: model.Penalty) -> tuple[str, tuple[str, ...]]:
    parts = [f"处罚 {r.doc_no}", r.department]
    if r.penalty_types:
        parts.append(r.penalty_types)
    if r.fine_yuan:
        parts.append(f"罚款{_yuan(r.fine_yuan)}元")
    if r.aggravated_fine:
        parts.append("加重罚款（安全生产法第一百一十四条二至五倍）")
    if r.violation_type:
        parts.append(f"违法行为类型：{_one_line(r.violation_type)}")
    if r.reason:
        parts.append(f"事由：{_one_line(r.reason)}")
    if r.legal_basis:
        parts.append(f"依据：{_one_line(r.legal_basis)}")
    if r.penalty_content:
        parts.append(f"内容：{_one_line(r.penalty_content)}")
    if r.published_on is not None:
        parts.append(f"{r.published_on.isoformat()}公示")
    flags = (FLAG_AGGRAVATED,) if r.aggravated_fine else ()
    return "，".join(parts), flags


def _violation(r: model.Violation) -> tuple[str, tuple[str, ...]]:
    who = r.subject + (f" {r.person_name}" if r.person_name else "")
    parts = [f"失信行为：{_violation_name(r.kind)}（{who}）"]
    if r.basis_doc:
        parts.append(f"认定文书{r.basis_doc}")
    if r.note:
        parts.append(f"备注：{_one_line(r.note)}")
    kind = model.VIOLATION_KIND_BY_CODE.get(r.kind)
    flags = (FLAG_SERIOUS,) if kind is not None and kind.serious else ()
    return "，".join(parts), flags


def _commitment(r: model.Commitment) -> tuple[str, tuple[str, ...]]:
    parts = [f"签署{r.type}书"]
    if r.signer:
        parts.append(f"签署人{r.signer}")
    if r.withdrawn_on is not None:
        parts.append(f"{r.withdrawn_on.isoformat()}撤回")
        return "，".join(parts), (FLAG_WITHDRAWN,)
    return "，".join(parts), ()


def _honour(r: model.Honour) -> tuple[str, tuple[str, ...]]:
    text = f"表彰（{r.level}，{r.type}）"
    if r.title:
        text += f"：{_one_line(r.title)}"
    return text, ()


def _joint(r: model.JointPunishment) -> tuple[str, tuple[str, ...]]:
    if r.ends_on is None:
        period = f"自{r.starts_on.isoformat()}起，未定结束日期"
    else:
        period = f"{r.starts_on.isoformat()}至{r.ends_on.isoformat()}"
    return f"联合惩戒（认定部门：{r.department}），{period}", ()


def _describe_target(r: model.Repair, records: Mapping[str, list[Any]]) -> str:
    """The repaired record in words, from the rows already read (no further query)."""
    if r.penalty_id is not None:
        penalty = _by_id(records["penalties"], r.penalty_id)
        if isinstance(penalty, model.Penalty):
            return f"行政处罚 {penalty.doc_no}（{penalty.decided_on.isoformat()}）"
        return f"行政处罚（记录编号{r.penalty_id}）"
    if r.violation_id is not None:
        violation = _by_id(records["violations"], r.violation_id)
        if isinstance(violation, model.Violation):
            return (
                f"失信行为 {_violation_name(violation.kind)}"
                f"（{violation.subject}，{violation.occurred_on.isoformat()}）"
            )
        return f"失信行为（记录编号{r.violation_id}）"
    if r.accident_id is not None:
        accident = _by_id(records["accidents"], r.accident_id)
        if isinstance(accident, model.Accident):
            no = f"，编号{accident.accident_no}" if accident.accident_no else ""
            return f"生产安全事故（{accident.occurred_on.isoformat()}，{accident.grade}{no}）"
        return f"生产安全事故（记录编号{r.accident_id}）"
    return r.target_kind


def _by_id(records: list[Any], record_id: int) -> Any | None:
    return next((rec for rec in records if rec.id == record_id), None)


def _repair(r: model.Repair, records: Mapping[str, list[Any]]) -> tuple[str, tuple[str, ...]]:
    text = f"信用修复：{_describe_target(r, records)}"
    if r.approval_no:
        text += f"，批准文号{r.approval_no}"
    if r.void_reason:
        return f"{text}；{r.void_reason}（生产安全事故不能信用修复，不再计入）", (FLAG_VOIDED,)
    return text, ()


_SUMMARIES: dict[str, Callable[[Any], tuple[str, tuple[str, ...]]]] = {
    "inspections": _inspection,
    "accidents": _accident,
    "penalties": _penalty,
    "violations": _violation,
    "commitments": _commitment,
    "honours": _honour,
    "joint_punishments": _joint,
}


# -- the use-cases ------------------------------------------------------------------------


def unit_timeline(db: Database, unit_id: int) -> list[TimelineEntry]:
    """Every record of the unit, newest first (see the module's note on ties)."""
    _load_unit(db, unit_id)
    records = _records_of(db, unit_id)
    repaired: dict[str, set[int]] = {"penalties": set(), "violations": set(), "accidents": set()}
    for repair in records["repairs"]:
        if repair.void_reason:
            continue
        if repair.penalty_id is not None:
            repaired["penalties"].add(repair.penalty_id)
        if repair.violation_id is not None:
            repaired["violations"].add(repair.violation_id)
        if repair.accident_id is not None:
            repaired["accidents"].add(repair.accident_id)

    entries: list[TimelineEntry] = []
    for table, day_column in TIMELINE_TABLES:
        label = SPEC_BY_NAME[table].label
        for record in records[table]:
            if table == "repairs":
                summary, flags = _repair(record, records)
            else:
                summary, flags = _SUMMARIES[table](record)
            if record.id in repaired.get(table, ()):
                flags = (*flags, FLAG_REPAIRED)
            entries.append(
                TimelineEntry(
                    table=table,
                    record_id=int(record.id),
                    day=getattr(record, day_column),
                    kind_label=label,
                    summary=summary,
                    flags=flags,
                )
            )
    entries.sort(key=lambda e: (-e.day.toordinal(), _TABLE_ORDER[e.table], -e.record_id))
    return entries


def unit_summary(
    db: Database, unit_id: int, *, high_risk_categories: Collection[str]
) -> UnitSummary:
    """Every field of the unit for display (ID number masked) and its records per kind."""
    unit = _load_unit(db, unit_id)
    selects = ", ".join(
        f"(SELECT count(*) FROM {table} WHERE unit_id = :unit)" for table, _ in TIMELINE_TABLES
    )
    row = db.conn.execute(f"SELECT {selects}", {"unit": unit_id}).fetchone()
    counts = {
        SPEC_BY_NAME[table].label: int(n)
        for (table, _), n in zip(TIMELINE_TABLES, row, strict=True)
    }
    return UnitSummary(
        id=unit_id,
        main_person_id_masked=mask_id_number(unit.main_person_id),
        high_risk_marked=unit.high_risk,
        high_risk_category=unit.category in high_risk_categories,
        counts=counts,
        **{name: getattr(unit, name) for name in _AS_STORED},
    )
