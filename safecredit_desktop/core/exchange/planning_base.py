"""The planner's shared part: per-row errors, cell checks, stored records, natural keys.

:class:`_PlannerBase` holds what planning every sheet needs (the stored units and
tombstones, the rows checked so far); the sheets' own planning is in
:mod:`.planning_records` and :mod:`.planning_repairs`, put together in :mod:`.planning`.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from typing import Any

from safecredit_desktop.core import forms, model
from safecredit_desktop.core.errors import ValidationError
from safecredit_desktop.core.exchange.columns import Column, SheetSpec
from safecredit_desktop.core.exchange.import_errors import (
    CellError,
    CellErrors,
    Progress,
    show_value,
)
from safecredit_desktop.core.exchange.plans import (
    ADD,
    UNCHANGED,
    UPDATE,
    PlannedRow,
    SheetPlan,
    _key_json,
)
from safecredit_desktop.core.exchange.reading import ParsedSheet, ParsedWorkbook, RawRow
from safecredit_desktop.core.rules.profile import Profile
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.tables import SPEC_BY_NAME, from_row, to_row
from safecredit_desktop.core.validate import (
    control_character_problem,
    parse_date,
    uscc_check_character,
    validate_uscc,
)

MissingRows = dict[tuple[str, str], list[int]]
"""(sheet title, attribute) of a missing required column → the rows that needed it."""

RowsPlanned = Callable[[str, list[PlannedRow], bool, bool], None]
"""Told of planned rows as planning goes: (sheet name, rows planned since last told,
whether the sheet is finished, whether any fault was found so far)."""

STREAM_CHUNK = 1000
"""Rows planned between two calls of a :data:`RowsPlanned` listener."""


class _RowErrors:
    """Errors of one row, one per column, in column order. A fault in a column the sheet
    lacks altogether goes to ``missing`` (reported once per column) and blocks the row."""

    def __init__(self, sheet: ParsedSheet, row: RawRow, missing: MissingRows) -> None:
        self.sheet = sheet
        self.row = row
        self.found: dict[str, CellError] = {}
        self.missing = missing
        self.blocked = False

    def add(self, attr: str, reason: str, *, value: object = None, bad_check: bool = False) -> None:
        if attr in self.sheet.missing:
            rows = self.missing.setdefault((self.sheet.title, attr), [])
            if not rows or rows[-1] != self.row.number:
                rows.append(self.row.number)
            self.blocked = True
            return
        if attr in self.row.reported or attr in self.found:
            return
        spec = self.sheet.spec
        header = spec.column(attr).header if attr in _attrs(spec) else attr
        shown = show_value(self.row.cells.get(attr) if value is None else value)
        self.found[attr] = CellError(
            self.sheet.title, self.row.number, header, shown, reason, bad_check
        )

    def __bool__(self) -> bool:
        return self.blocked or bool(self.found)

    def ordered(self) -> list[CellError]:
        order = {c.attr: i for i, c in enumerate(self.sheet.spec.columns)}
        return [self.found[a] for a in sorted(self.found, key=lambda a: order.get(a, 99))]


def _attrs(spec: SheetSpec) -> frozenset[str]:
    return frozenset(c.attr for c in spec.columns)


_Overlaid = tuple[tuple[str, Column, bool, bool, bool], ...]
_OVERLAID: dict[int, tuple[tuple[Column, ...], _Overlaid]] = {}


def _overlaid(columns: tuple[Column, ...]) -> _Overlaid:
    """The form's columns of a sheet with what laying a cell over a value needs of each:
    (attribute, column, an identifier checked here, text read as the form reads it, not a
    form value) — worked out once per sheet layout, not for every row."""
    # by identity (a sheet keeps its tuple; hashing every column for every row costs more
    # than the work saved), the tuple kept with it so that its id stays its own
    cached = _OVERLAID.get(id(columns))
    if cached is not None and cached[0] is columns:
        return cached[1]
    found = tuple(
        (
            c.attr,
            c,
            bool(c.code) and c.kind not in ("uscc", "id_number"),
            c.kind in ("text", "multiline"),
            c.kind == "accept",
        )
        for c in columns
        if c.form_field is not None
    )
    if len(_OVERLAID) >= 64:
        _OVERLAID.clear()
    _OVERLAID[id(columns)] = (columns, found)
    return found


def _text_cell(value: object) -> object:
    """A text column's cell as the form reads it: 12.0 → "12", a date → YYYY-MM-DD."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time():
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _code_problem(column: Column, value: object) -> str | None:
    """Why an identifier cell is refused (a number, spaces around or inside), or None."""
    if isinstance(value, int | float):  # bool included
        return (
            "必须以文本填写（单元格被当成了数字，会丢失前导0或变成科学计数），"
            "请把该列设为文本格式后重新填写"
        )
    if isinstance(value, datetime | date):
        return "必须以文本填写（单元格被当成了日期），请把该列设为文本格式后重新填写"
    if not isinstance(value, str):
        return "必须以文本填写"
    problem = control_character_problem(value)
    if problem is not None:
        return problem
    if value != value.strip():
        return "开头或末尾有空格，请删除"
    if column.no_spaces and any(ch.isspace() for ch in value):
        return "中间有空格，请删除"
    if value.isascii():  # ASCII has no format characters
        return None
    for ch in value:  # a code also refuses format characters (zero-width space, BOM …)
        if unicodedata.category(ch) == "Cf":
            return f"含不可见字符（U+{ord(ch):04X}），请删除"
    return None


_DIFFERENT = object()


def _canonical(column: Column, raw: object, bureau: str) -> object:
    """A cell as the value it would be stored as, for the unchanged-row shortcut;
    ``_DIFFERENT`` whenever that is not obvious (the full check then decides)."""
    kind = column.kind
    if kind in ("uscc", "id_number") or column.code:
        if isinstance(raw, str) and _code_problem(column, raw) is None:
            return raw
        return _DIFFERENT
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        return (
            {"是": True, "否": False}.get(raw.strip(), _DIFFERENT)
            if isinstance(raw, str)
            else _DIFFERENT
        )
    if kind == "date":
        if isinstance(raw, datetime):
            return raw.date() if raw.time() == time() else _DIFFERENT
        if isinstance(raw, str | int | float) and not isinstance(raw, bool):
            try:  # text in any accepted format, or the number YYYYMMDD
                return parse_date(raw, field="")
            except ValidationError:
                return _DIFFERENT
        return _DIFFERENT
    if kind in ("count", "amount"):
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            return _DIFFERENT
        return raw
    if not isinstance(raw, str):
        return _text_cell(raw) if kind in ("text", "multiline") else _DIFFERENT
    text = raw.strip()
    if kind == "violation_kind":
        found = model.VIOLATION_KIND_BY_NAME.get(text)
        return found.code if found is not None else text
    if column.attr == "level":
        return model.HONOUR_LEVEL_ALIASES.get(text, text)
    if column.attr == "reporter" and text == bureau:
        return ""
    return text


def _bad_check_reason(code: str) -> str:
    return (
        f"校验码错误，应为 {uscc_check_character(code[:17])}（现为 {code[17]}）；"
        "如与营业执照上的代码一致，请在“代码校验”列填“接受”，"
        "或在导入时选择接受校验码不符的代码（命令行 --accept-bad-check）"
    )


class _PlannerBase:
    """State and helpers shared by the planning of every sheet."""

    def __init__(
        self,
        db: Database,
        parsed: ParsedWorkbook,
        *,
        profile: Profile,
        accept_bad_check: bool,
        today: date,
        bureau_name: str,
        progress: Progress | None,
        on_rows: RowsPlanned | None = None,
    ) -> None:
        self.db = db
        self.progress = progress
        self.on_rows = on_rows
        self.current: SheetPlan | None = None
        self.told = 0  # rows of ``current`` the listener was told of
        self.done = 0
        self.total = max(parsed.expected_rows or parsed.row_count, 1)
        self.parsed = parsed
        self.profile = profile
        self.accept_bad_check = accept_bad_check
        self.today = today
        self.bureau = bureau_name.strip()
        self.errors = CellErrors()
        conn = db.conn
        self.unit_ids: dict[str, int] = {
            str(u): int(i) for i, u in conn.execute("SELECT id, uscc FROM units")
        }
        self.unit_codes: dict[int, str] = {i: u for u, i in self.unit_ids.items()}
        self.tombstones: dict[str, set[str]] = {}
        for table, key in conn.execute("SELECT table_name, natural_key FROM deleted_records"):
            self.tombstones.setdefault(str(table), set()).add(str(key))
        self.workbook_units: set[str] = set()  # codes that will exist after the import
        self.mentioned_units: set[str] = set()  # codes on the 企业信息 sheet, good or bad
        self.deleted_units: set[str] = set()  # codes skipped as deleted
        self.final: dict[str, dict[tuple[Any, ...], tuple[str, Any]]] = {}
        self.mentioned: dict[str, set[tuple[Any, ...]]] = {}
        self.skipped_keys: dict[str, set[tuple[Any, ...]]] = {}
        self._codes: dict[str, tuple[str | None, bool, str]] = {}
        self.missing_rows: MissingRows = {}

    # -- helpers -------------------------------------------------------------------
    def tick(self) -> None:
        """Count a row; report progress now and then (the callback may cancel)."""
        self.done += 1
        if self.progress is not None and self.done % 2000 == 0:
            self.progress(min(self.done / self.total, 1.0), f"已检查 {self.done} 行")
        if self.on_rows is not None and self.done % STREAM_CHUNK == 0:
            self.tell(finished=False)

    def start_sheet(self, sheet: ParsedSheet) -> SheetPlan:
        """A new sheet's plan, the one the listener is told of from now on."""
        self.current = SheetPlan(sheet.spec, sheet.title)
        self.told = 0
        return self.current

    def tell(self, *, finished: bool) -> None:
        """Hand the listener the current sheet's rows planned since it was last told.
        A row is handed over only once final (appended after its checks)."""
        plan = self.current
        if self.on_rows is None or plan is None:
            return
        rows = plan.rows[self.told :]
        self.told = len(plan.rows)
        faulty = bool(self.errors or self.missing_rows or self.parsed.errors)
        self.on_rows(plan.spec.name, rows, finished, faulty)

    def _existing(
        self, spec: SheetSpec, sheet: ParsedSheet | None = None
    ) -> dict[tuple[Any, ...], Any]:
        """Stored records of a sheet's table by natural key (unit as its code). With
        ``sheet``, only those a row of the sheet can name when the key starts from the
        unit (a county's workbook into a city's database reads that county's records,
        not the city's): the rows' codes are read as the rows' own keys read them."""
        table = SPEC_BY_NAME[spec.table]
        sql = f"SELECT * FROM {table.name}"
        params: tuple[Any, ...] = ()
        if sheet is not None and spec.key[:1] in (("unit",), ("uscc",)):
            attr = spec.key[0]
            codes = {self._checked_code(r.cells[attr])[0] for r in sheet.rows if attr in r.cells}
            if attr == "unit":
                ids = sorted(self.unit_ids[c] for c in codes if c in self.unit_ids)
                sql += " WHERE unit_id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))"
                params = (json.dumps(ids),)
            else:
                found = sorted(c for c in codes if c is not None)
                sql += " WHERE uscc IN (SELECT value FROM json_each(?))"
                params = (json.dumps(found, ensure_ascii=False),)
        cursor = self.db.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        out: dict[tuple[Any, ...], Any] = {}
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            record = from_row(spec.record, row)
            out[self._stored_key(spec, row)] = record
        return out

    def _stored_key(self, spec: SheetSpec, row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(
            self.unit_codes.get(row["unit_id"], "") if k == "unit" else row[k] for k in spec.key
        )

    def _deleted(self, table: str, parts: Sequence[Any]) -> bool:
        known = self.tombstones.get(table)
        return bool(known) and _key_json(parts) in known  # type: ignore[operator]

    def _checked_code(self, raw: object) -> tuple[str | None, str]:
        """A unit reference checked once per distinct cell value: (code, "") or (None, why).

        Records of one unit repeat its code on many rows; checking each distinct value
        once keeps a 100,000-row import fast."""
        code, _, why = self._checked_uscc(raw)
        return code, why

    def _checked_uscc(self, raw: object) -> tuple[str | None, bool, str]:
        """:func:`validate_uscc` of a cell, once per distinct value: (code, whether its
        check character is right, "") or (None, False, why)."""
        key = raw if isinstance(raw, str) else repr(raw)
        found = self._codes.get(key)
        if found is None:
            try:
                code, check_ok = validate_uscc(raw, accept_bad_check=True)
                found = (code, check_ok, "")
            except ValidationError as exc:
                found = (None, False, exc.reason)
            self._codes[key] = found
        return found

    def _unit_ref(self, errors: _RowErrors, row: RawRow) -> tuple[str | None, bool]:
        """The row's unit code (None when bad or unknown) and whether it was deleted."""
        raw = row.cells.get("unit")
        if raw is None:
            errors.add("unit", "不能为空")
            return None, False
        code, problem = self._checked_code(raw)
        if code is None:
            errors.add("unit", problem)
            return None, False
        if code in self.deleted_units or (
            code not in self.unit_ids and self._deleted("units", [code])
        ):
            return code, True
        if code in self.unit_ids or code in self.workbook_units:
            return code, False
        if code not in self.mentioned_units:
            errors.add(
                "unit",
                f"本系统和本工作簿的“企业信息”表中都没有统一社会信用代码为 {code} 的企业，"
                "请先在“企业信息”表中填写该企业",
            )
        return None, False

    def _overlay(
        self,
        sheet: ParsedSheet,
        row: RawRow,
        errors: _RowErrors,
        values: dict[str, object],
    ) -> None:
        """Lay the row's non-blank cells over ``values`` (as the forms read them)."""
        cells = row.cells
        for attr, column, code, text, accept in _overlaid(sheet.columns):
            if attr not in cells:
                continue
            raw = cells[attr]
            if code:
                problem = _code_problem(column, raw)
                if problem is not None:
                    errors.add(attr, problem)
                    continue
            if text and type(raw) is not str:
                raw = _text_cell(raw)
            if attr == "level" and isinstance(raw, str):
                raw = model.HONOUR_LEVEL_ALIASES.get(raw.strip(), raw)
            elif attr == "reporter" and isinstance(raw, str) and raw.strip() == self.bureau:
                raw = ""
            if accept:
                continue
            values[attr] = raw

    def _build(
        self,
        sheet: ParsedSheet,
        row: RawRow,
        errors: _RowErrors,
        values: dict[str, object],
        *,
        unit_id: int | None,
        stored: Any,
    ) -> Any:
        form = forms.FORMS[sheet.spec.form or ""]
        try:
            return forms.build_record(
                form,
                values,
                unit_id=unit_id,
                record_id=None if stored is None else stored.id,
                profile=self.profile,
                today=self.today,
            )
        except forms.FormErrors as exc:
            for key, message in exc.errors.items():
                errors.add(key, message, value=row.cells.get(key))
            return None

    def _finish_row(
        self,
        plan: SheetPlan,
        errors: _RowErrors,
        seen: dict[tuple[Any, ...], int],
        key: tuple[Any, ...] | None,
        key_attr: str,
        planned: PlannedRow | None,
        what: str = "",
    ) -> None:
        if key is not None and not errors:
            first = seen.get(key)
            if first is not None:
                what = what or self._describe(plan.spec, key)
                errors.add(key_attr, f"与第{first}行是同一条记录（{what}），请合并为一行")
            else:
                seen[key] = errors.row.number
        if errors:
            self.errors.extend(errors.ordered())
            return
        if planned is not None:
            plan.rows.append(planned)

    @staticmethod
    def _describe(spec: SheetSpec, key: tuple[Any, ...]) -> str:
        shown = []
        for attr, part in zip(spec.key, key, strict=True):
            if part in (None, ""):
                continue
            if attr == "kind":
                found = model.VIOLATION_KIND_BY_CODE.get(str(part))
                part = found.name if found else part
            shown.append(str(part))
        return " ".join(shown)

    @staticmethod
    def _planned(number: int, record: Any, stored: Any, unit_code: str) -> PlannedRow:
        if stored is None:
            return PlannedRow(number, ADD, record, unit_code)
        action = UNCHANGED if to_row(record) == to_row(stored) else UPDATE
        return PlannedRow(number, action, record, unit_code, before=stored)
