"""Batch entry (连续录入, issue 18): many new records of one kind, one per row.

The window's grid and a pasted block (exchange/paste.py) both come here with rows of
raw values (form field key → what was typed). Every row is checked by the entry
forms' own rules (:func:`forms.check_form`, one rule set) plus what only a batch can
get wrong: two rows of the block with the same natural key, or a row whose key is
already stored. :func:`save_batch` stores all rows in ONE transaction (nothing when
any row is bad) and says, per unit, how its live grade moved (grade_change.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from safecredit_desktop.core import forms
from safecredit_desktop.core.errors import SafeCreditError, ValidationError
from safecredit_desktop.core.grade_change import grade_change_sentence
from safecredit_desktop.core.model import RECORD_KIND_TABLES
from safecredit_desktop.core.record_pages import KINDS as RECORD_PAGE_KINDS
from safecredit_desktop.core.rules.profile import Profile
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.repository import Repository
from safecredit_desktop.core.storage.tables import SPEC_BY_RECORD, to_row
from safecredit_desktop.core.validate import validate_uscc

__all__ = [
    "BATCH_KINDS",
    "KIND_TABLES",
    "BatchCheck",
    "BatchErrors",
    "BatchSaved",
    "CellError",
    "GradeChange",
    "UnitBadge",
    "UnitResolver",
    "batch_form",
    "carried_keys",
    "carry_down",
    "check_batch",
    "complete_choice",
    "is_blank_row",
    "next_doc_no",
    "save_checked",
    "table_for",
    "unit_badge",
]

UNIT_KEY = forms.UNIT_PICKER.key

BATCH_KINDS: tuple[str, ...] = tuple(RECORD_PAGE_KINDS)
"""The record kinds a batch can enter (those of the record pages)."""

KIND_TABLES: dict[str, str] = RECORD_KIND_TABLES
"""cli.md's KIND → the record table (the table's own name is taken as well)."""

Row = Mapping[str, object]


def table_for(kind: str) -> str:
    """The record table of ``kind`` (inspection … or inspections …)."""
    table = KIND_TABLES.get(kind, kind)
    if table not in BATCH_KINDS:
        raise SafeCreditError(f"“{kind}”不能连续录入。")
    return table


def batch_form(kind: str) -> forms.FormSpec:
    """The grid's columns: the unit's code first, then the form's fields in paper order."""
    return forms.form_for(table_for(kind), pick_unit=True)


# -- carrying values down a stack ------------------------------------------------------------

_DOC_NUMBER = re.compile(r"^(.*?)(\d+)(\D*)$")


def next_doc_no(doc_no: str) -> str:
    """The next 文书编号 after ``doc_no``: its last number plus one, width kept
    (``凤应急检〔2026〕3203号`` → ``…3204号``); blank or without a number: as is."""
    match = _DOC_NUMBER.match(doc_no.strip())
    if match is None or not doc_no.strip():
        return doc_no
    head, number, tail = match.groups()
    return f"{head}{int(number) + 1:0{len(number)}d}{tail}"


def carried_keys(form: forms.FormSpec) -> tuple[str, ...]:
    """The fields a new row takes from the row above: those a run keeps
    (forms.carry_over: 检查方式, 执法人员, 处罚部门 …) and the date of the event (检查日期,
    事故日期 … a stack of paper is usually one day's); never the unit."""
    return tuple(
        spec.key
        for spec in form.fields
        if spec.key != UNIT_KEY
        and (spec.keep_on_next or (spec.kind == "date" and spec.required and spec.max_today))
    )


def carry_down(form: forms.FormSpec, above: Row) -> dict[str, object]:
    """The values a new row starts with, from the row above (:func:`carried_keys`);
    the inspection's 文书编号 is suggested as the next number."""
    values = forms.default_values(form)
    for key in carried_keys(form):
        if key in above:
            values[key] = above[key]
    if form.table == "inspections" and str(above.get("doc_no", "")).strip():
        values["doc_no"] = next_doc_no(str(above["doc_no"]))
    return values


def is_blank_row(form: forms.FormSpec, row: Row) -> bool:
    """A row with nothing typed (defaults and blanks only): skipped, never an error."""
    for spec in form.fields:
        raw = row.get(spec.key, spec.default)
        if isinstance(raw, str):
            if raw.strip() and raw != spec.default:
                return False
        elif raw is not None and raw != spec.default:
            return False
    return True


# -- units -------------------------------------------------------------------------------------


class UnitResolver:
    """A unit cell's text → the unit: its 统一社会信用代码 (any case), or the exact
    name of one registered unit (a clerk's sheet often has names, not codes)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._by_code: dict[str, tuple[int, str] | None] = {}
        self._by_name: dict[str, list[tuple[int, str]]] = {}

    def by_code(self, code: str) -> tuple[int, str] | None:
        if code not in self._by_code:
            self._by_code[code] = forms.find_unit(self._db, code)
        return self._by_code[code]

    def code_for(self, text: str) -> str:
        """The code a unit cell stands for (names resolved), else the text as typed."""
        stripped = "".join(text.split()).upper()
        if len(stripped) == 18 and stripped.isalnum():
            return stripped
        name = text.strip()
        if not name:
            return text
        if name not in self._by_name:
            rows = self._db.conn.execute(
                "SELECT id, uscc FROM units WHERE name = ? LIMIT 2", (name,)
            ).fetchall()
            self._by_name[name] = [(int(r[0]), str(r[1])) for r in rows]
        found = self._by_name[name]
        return found[0][1] if len(found) == 1 else text

    def name_problem(self, text: str) -> str | None:
        """Why a unit cell that is neither a code nor one unit's name cannot be used."""
        name = text.strip()
        found = self._by_name.get(name)
        if found is not None and len(found) > 1:
            return f"有多家企业名为“{name}”，请填写统一社会信用代码"
        if found is not None and not found:
            return f"本系统中没有名为“{name}”的企业，请填写已登记企业的统一社会信用代码"
        return None


@dataclass(frozen=True)
class UnitBadge:
    """What the grid shows beside a unit cell: the unit's name and live grade."""

    unit_id: int
    uscc: str
    name: str
    grade: str | None

    @property
    def text(self) -> str:
        return f"{self.name}（{self.grade or '未评定'}）"


def unit_badge(db: Database, text: str) -> UnitBadge | None:
    """The unit a unit cell names (its code or exact name) with its stored live grade."""
    code = UnitResolver(db).code_for(text)
    row = db.conn.execute(
        "SELECT u.id, u.uscc, u.name, g.grade FROM units AS u"
        " LEFT JOIN unit_grades AS g ON g.unit_id = u.id WHERE u.uscc = ?",
        (code,),
    ).fetchone()
    if row is None:
        return None
    return UnitBadge(int(row[0]), str(row[1]), str(row[2]), None if row[3] is None else str(row[3]))


def complete_choice(spec: forms.FieldSpec, profile: Profile, text: str) -> str:
    """A choice cell typed short: its number in the list (1, 2 …) or a part of one value
    only (日常 → 日常检查) becomes that value; anything else stays as typed (and is
    refused by the form's check with the list of values)."""
    typed = text.strip()
    if spec.kind not in ("choice", "violation_kind", "bool") or not typed:
        return text
    if spec.kind == "bool":
        items: tuple[tuple[str, str], ...] = (("是", "是"), ("否", "否"))
    else:
        items = tuple((shown, value) for shown, value in spec.choice_items(profile) if value)
    values = [value for _, value in items]
    if typed in values:
        return typed
    if typed.isdigit() and 1 <= int(typed) <= len(items):
        return items[int(typed) - 1][1]
    starts = [value for shown, value in items if shown.startswith(typed)]
    if len(starts) == 1:
        return starts[0]
    inside = [value for shown, value in items if typed in shown]
    return inside[0] if len(inside) == 1 else text


# -- checking ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellError:
    """One bad cell: ``row`` counts from 1 in the batch; ``column`` is the header."""

    row: int
    key: str
    column: str
    value: str
    reason: str

    @property
    def line(self) -> str:
        shown = f"“{self.value}”" if self.value else "（空）"
        return f"第{self.row}行 {self.column} {shown}：{self.reason}"


@dataclass
class BatchCheck:
    """What :func:`check_batch` found: every bad cell, and the records of the good rows
    (index in the batch → record), blank rows left out."""

    table: str
    errors: list[CellError] = field(default_factory=list)
    records: dict[int, Any] = field(default_factory=dict)
    notes: dict[tuple[int, str], str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def errors_of(self, index: int) -> dict[str, str]:
        """Row ``index``'s (0-based) messages by field key."""
        return {e.key: e.reason for e in self.errors if e.row == index + 1}


class BatchErrors(SafeCreditError):
    """A batch refused: ``errors`` lists every bad cell; nothing was saved."""

    def __init__(self, errors: Sequence[CellError]):
        lines = [e.line for e in errors[:20]]
        more = f"\n……另有 {len(errors) - 20} 处" if len(errors) > 20 else ""
        super().__init__(
            f"有 {len(errors)} 处需要更正，全部改正后才能保存（没有保存任何一行）：\n"
            + "\n".join(lines)
            + more
        )
        self.errors: list[CellError] = list(errors)


def _shown(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "是" if raw else ""
    return str(raw)


def check_row(
    form: forms.FormSpec,
    row: Row,
    *,
    profile: Profile,
    today: date,
    resolver: UnitResolver,
) -> forms.FormCheck:
    """One row as the entry form checks it (dates also without their year)."""
    values = dict(row)
    typed_unit = _shown(values.get(UNIT_KEY, ""))
    values[UNIT_KEY] = resolver.code_for(typed_unit)
    check = forms.check_form(
        form, values, profile=profile, today=today, unit_lookup=resolver.by_code, short_dates=True
    )
    if UNIT_KEY in check.errors and typed_unit.strip():
        try:
            validate_uscc(values[UNIT_KEY], field=forms.UNIT_PICKER.label, accept_bad_check=True)
        except ValidationError:
            problem = resolver.name_problem(typed_unit)
            if problem is not None:
                check.errors[UNIT_KEY] = problem
    return check


def check_batch(
    db: Database,
    profile: Profile,
    table: str,
    rows: Sequence[Row],
    *,
    today: date,
) -> BatchCheck:
    """Every bad cell of ``rows`` (blank rows skipped), and the records of the rest."""
    form = batch_form(table)
    resolver = UnitResolver(db)
    result = BatchCheck(form.table)
    labels = form.labels
    seen_keys: dict[tuple[object, ...], int] = {}
    for index, row in enumerate(rows):
        if is_blank_row(form, row):
            continue
        check = check_row(form, row, profile=profile, today=today, resolver=resolver)
        for key, note in check.notes.items():
            result.notes[(index, key)] = note
        errors = dict(check.errors)
        record: Any = None
        if not errors:
            record = forms.build_record(
                form,
                {**row, UNIT_KEY: resolver.code_for(_shown(row.get(UNIT_KEY, "")))},
                unit_id=None,
                record_id=None,
                profile=profile,
                today=today,
                unit_lookup=resolver.by_code,
                short_dates=True,
            )
            clash = _clash(db, record, seen_keys, index)
            if clash is not None:
                errors[forms.conflict_field(type(record))] = clash
        if errors:
            for key in form.keys:  # in the grid's column order
                if key in errors:
                    raw = row.get(key, form.field(key).default)
                    result.errors.append(
                        CellError(index + 1, key, labels[key], _shown(raw), errors[key])
                    )
        else:
            result.records[index] = record
    return result


def _clash(
    db: Database, record: Any, seen: dict[tuple[object, ...], int], index: int
) -> str | None:
    """A sentence when the record's natural key is stored already or was used by an
    earlier row of the batch."""
    spec = SPEC_BY_RECORD[type(record)]
    values = to_row(record)
    key = (spec.name, *(values[column] for column in spec.key))
    earlier = seen.get(key)
    if earlier is not None:
        return f"与第{earlier + 1}行重复（同一企业、同一{_key_words(spec.name)}），请核对"
    seen[key] = index
    return forms.find_conflict(db, record)


def _key_words(table: str) -> str:
    return {
        "inspections": "检查日期",
        "accidents": "事故日期和事故编号",
        "penalties": "决定书文号",
        "violations": "日期和行为类型",
        "commitments": "签署日期和承诺类型",
        "honours": "日期和表彰类型",
    }.get(table, "内容")


# -- saving ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeChange:
    """A unit whose live grade moved with the batch, and the sentence that says so."""

    unit_id: int
    unit_name: str
    sentence: str

    @property
    def line(self) -> str:
        return f"{self.unit_name}：{self.sentence}"


@dataclass(frozen=True)
class BatchSaved:
    """The saved records' ids (in row order) and the grade changes they caused."""

    ids: tuple[int, ...]
    changes: tuple[GradeChange, ...]


def _live_grades(
    db: Database, profile: Profile, unit_ids: Iterable[int], day: date
) -> dict[int, Any]:
    """The units' live grades as of ``day`` (one grader for all; not yet founded: none)."""
    from safecredit_desktop.core.grade_facts import load_facts
    from safecredit_desktop.core.rules.engine import grade_many

    founded = [
        facts
        for facts in load_facts(db, unit_ids=sorted(set(unit_ids)))
        if facts.founded_on is None or facts.founded_on <= day
    ]
    return {result.unit_id: result for result in grade_many(profile, founded, day)}


def save_checked(
    db: Database,
    user: str,
    profile: Profile,
    check: BatchCheck,
    *,
    today: date,
) -> BatchSaved:
    """Store the records of a batch without errors in one transaction (audited as
    ``user``); the grade changes as of ``today``."""
    if not check.ok:
        raise BatchErrors(check.errors)
    records = [check.records[index] for index in sorted(check.records)]
    if not records:
        raise SafeCreditError("没有可保存的行：表中还没有填写内容。")
    unit_ids = [int(record.unit_id) for record in records]
    before = _live_grades(db, profile, unit_ids, today)
    repo = Repository(db, user)
    with db.transaction():
        ids = repo.insert_many(records)
    after = _live_grades(db, profile, unit_ids, today)
    names = _unit_names(db, before.keys() | after.keys())
    changes: list[GradeChange] = []
    for unit_id in dict.fromkeys(unit_ids):
        sentence = grade_change_sentence(before.get(unit_id), after.get(unit_id))
        if sentence is not None:
            changes.append(GradeChange(unit_id, names.get(unit_id, ""), sentence))
    return BatchSaved(tuple(ids), tuple(changes))


def _unit_names(db: Database, unit_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(unit_ids)
    names: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for row in db.conn.execute(f"SELECT id, name FROM units WHERE id IN ({marks})", chunk):
            names[int(row[0])] = str(row[1])
    return names
