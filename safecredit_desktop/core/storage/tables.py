"""Which dataclass lives in which table, its Chinese name, and its natural key.

Natural keys are those of workbook.md; ``unit_id`` in a key is written as the
unit's 统一社会信用代码 so that audit entries and the deleted-records list read the
same in every database.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from datetime import date
from typing import Any

from safecredit_desktop.core import model

Record = (
    model.Unit
    | model.Inspection
    | model.Accident
    | model.Penalty
    | model.Violation
    | model.Commitment
    | model.Honour
    | model.JointPunishment
    | model.Repair
    | model.Inspector
)


@dataclass(frozen=True)
class TableSpec:
    name: str
    label: str
    record: type[Any]
    key: tuple[str, ...]


TABLES: tuple[TableSpec, ...] = (
    TableSpec("units", "企业信息", model.Unit, ("uscc",)),
    TableSpec("inspections", "执法检查", model.Inspection, ("unit_id", "inspected_on")),
    TableSpec(
        "accidents", "生产安全事故", model.Accident, ("unit_id", "occurred_on", "accident_no")
    ),
    TableSpec("penalties", "行政处罚", model.Penalty, ("doc_no",)),
    TableSpec(
        "violations", "失信行为", model.Violation, ("unit_id", "kind", "occurred_on", "subject")
    ),
    TableSpec("commitments", "承诺书", model.Commitment, ("unit_id", "type", "signed_on")),
    TableSpec("honours", "表彰", model.Honour, ("unit_id", "honoured_on", "type")),
    TableSpec("joint_punishments", "联合惩戒", model.JointPunishment, ("unit_id", "starts_on")),
    TableSpec(
        "repairs",
        "信用修复",
        model.Repair,
        ("unit_id", "target_kind", "penalty_id", "violation_id", "accident_id"),
    ),
    TableSpec("inspectors", "执法人员", model.Inspector, ("cert_no",)),
)

SPEC_BY_RECORD: dict[type[Any], TableSpec] = {spec.record: spec for spec in TABLES}
SPEC_BY_NAME: dict[str, TableSpec] = {spec.name: spec for spec in TABLES}


_KINDS: dict[type[Any], dict[str, str]] = {}


def _field_kinds(record: type[Any]) -> dict[str, str]:
    """'date', 'bool' or 'plain' for each field, from the dataclass's type hints (memoised)."""
    known = _KINDS.get(record)
    if known is not None:
        return known
    hints = typing.get_type_hints(record)
    kinds: dict[str, str] = {}
    for field in dataclasses.fields(record):
        args = set(typing.get_args(hints[field.name])) or {hints[field.name]}
        if date in args:
            kinds[field.name] = "date"
        elif bool in args:
            kinds[field.name] = "bool"
        else:
            kinds[field.name] = "plain"
    _KINDS[record] = kinds
    return kinds


def to_row(record: Any) -> dict[str, Any]:
    """A dataclass as a row for SQLite: dates as ISO text, booleans as 0/1."""
    row: dict[str, Any] = {}
    for name, kind in _field_kinds(type(record)).items():
        value = getattr(record, name)
        if value is None:
            row[name] = None
        elif kind == "date":
            row[name] = value.isoformat()
        elif kind == "bool":
            row[name] = int(bool(value))
        else:
            row[name] = str(value) if isinstance(value, str) else value
    return row


def from_row(record: type[Any], row: dict[str, Any]) -> Any:
    """The dataclass for a row read from SQLite (extra columns are ignored)."""
    values: dict[str, Any] = {}
    for name, kind in _field_kinds(record).items():
        value = row.get(name)
        if value is not None and kind == "date":
            value = date.fromisoformat(value)
        elif value is not None and kind == "bool":
            value = bool(value)
        values[name] = value
    return record(**values)


def columns(record: type[Any]) -> list[str]:
    return list(_field_kinds(record))
