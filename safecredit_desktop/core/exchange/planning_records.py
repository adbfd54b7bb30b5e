"""Planning the 企业信息 sheet, the sheets of a unit's records, and the inspectors."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from safecredit_desktop.core import forms, model
from safecredit_desktop.core.errors import ValidationError
from safecredit_desktop.core.exchange.columns import (
    ACCEPT_TEXT,
    REVIEW_DONE,
    REVIEW_PENDING,
    SheetSpec,
)
from safecredit_desktop.core.exchange.planning_base import (
    _DIFFERENT,
    _bad_check_reason,
    _canonical,
    _code_problem,
    _PlannerBase,
    _RowErrors,
    _text_cell,
)
from safecredit_desktop.core.exchange.plans import (
    DELETED,
    SKIP,
    UNCHANGED,
    UNIT_DELETED,
    ConflictChange,
    PlannedRow,
    SheetPlan,
)
from safecredit_desktop.core.exchange.reading import ParsedSheet, RawRow, _is_blank
from safecredit_desktop.core.validate import (
    control_character_problem,
    parse_choice,
    parse_date,
    parse_violation_kind,
    parse_yes_no,
    validate_uscc,
)


class _RecordPlanner(_PlannerBase):
    """Units, records of a unit (add, update, unchanged, skip), inspectors and 回避."""

    # -- units ---------------------------------------------------------------------
    def plan_units(self, sheet: ParsedSheet) -> SheetPlan:
        plan = self.start_sheet(sheet)
        existing = self._existing(sheet.spec, sheet)
        seen: dict[tuple[Any, ...], int] = {}
        form = forms.FORMS["units"]
        for row in sheet.rows:
            self.tick()
            errors = _RowErrors(sheet, row, self.missing_rows)
            raw_code = row.cells.get("uscc")
            if isinstance(raw_code, str):
                self.mentioned_units.add(raw_code)
            accept_cell = False
            if "check_accepted" in row.cells:
                text = row.cells["check_accepted"]
                if isinstance(text, str) and text.strip() == ACCEPT_TEXT:
                    accept_cell = True
                else:
                    errors.add("check_accepted", f"应填“{ACCEPT_TEXT}”或留空")
            # checked once per distinct code (the stored units were looked up by it)
            code, check_ok, problem = self._checked_uscc(raw_code)
            if code is None:
                errors.add("uscc", problem)
            stored = existing.get((code,)) if code is not None else None
            if code is not None and stored is None and self._deleted("units", [code]):
                self.deleted_units.add(code)
                what = f"统一社会信用代码 {code}"
                plan.rows.append(
                    PlannedRow(row.number, SKIP, None, code, what=what, reason=DELETED)
                )
                continue
            accept = (
                self.accept_bad_check
                or accept_cell
                or (stored is not None and bool(stored.check_accepted))
            )
            if code is not None and not check_ok and not accept:
                errors.add("uscc", _bad_check_reason(code), bad_check=True)
            if stored is not None and not errors and self._unchanged(sheet, row, stored):
                same = PlannedRow(row.number, UNCHANGED, stored, code or "", before=stored)
                self._finish_row(plan, errors, seen, (code,), "uscc", same)
                continue
            values: dict[str, object] = {} if stored is None else forms.values_of(stored, form)
            self._overlay(sheet, row, errors, values)
            values["check_accepted"] = accept
            record = self._build(sheet, row, errors, values, unit_id=None, stored=stored)
            planned = None
            if record is not None and code is not None:
                planned = self._planned(row.number, record, stored, code)
            key = (code,) if code is not None else None
            self._finish_row(plan, errors, seen, key, "uscc", planned)
            if planned is not None and not errors:
                self.workbook_units.add(code or "")
        return plan

    def _unchanged(self, sheet: ParsedSheet, row: RawRow, stored: Any) -> bool:
        """Whether every non-blank cell already equals the stored record (then the row is
        unchanged without the full form check: the stored record passed it)."""
        for column in sheet.columns:
            attr = column.attr
            raw = row.cells.get(attr)
            if raw is None or column.kind in ("unit", "accept"):
                continue
            if attr in row.reported:
                return False
            if column.kind == "review":
                text = raw.strip() if isinstance(raw, str) else None
                if text not in (REVIEW_PENDING, REVIEW_DONE):
                    return False
                if (text == REVIEW_PENDING) != bool(stored.needs_review):
                    return False
                continue
            if attr == "grade":
                text = raw.strip() if isinstance(raw, str) else None
                if text not in (stored.grade, f"{stored.grade}事故"):
                    return False
                continue
            value = _canonical(column, raw, self.bureau)
            if value is _DIFFERENT or value != getattr(stored, attr):
                return False
        return True

    # -- records of a unit -----------------------------------------------------------
    def _key_of(self, spec: SheetSpec, row: RawRow, unit_code: str) -> tuple[Any, ...] | None:
        """The row's natural key (row values: dates as ISO text), or None if a part is bad."""
        parts: list[Any] = []
        for attr in spec.key:
            if attr == "unit":
                parts.append(unit_code)
                continue
            column = spec.column(attr)
            raw = row.cells.get(attr)
            try:
                if column.kind == "date":
                    parts.append(parse_date(raw, field=column.header).isoformat())
                elif column.kind == "violation_kind":
                    parts.append(parse_violation_kind(raw, field=column.header))
                elif column.kind == "choice":
                    default = column.form_field.default if column.form_field else ""
                    value = default if _is_blank(raw) else raw
                    parts.append(
                        parse_choice(value, column.choice_values(self.profile), field=column.header)
                    )
                elif raw is None:
                    parts.append("")
                elif isinstance(raw, str) and raw == raw.strip():
                    parts.append(raw)
                else:
                    return None
            except ValidationError:
                return None
        return tuple(parts)

    def plan_records(self, sheet: ParsedSheet) -> SheetPlan:
        spec = sheet.spec
        plan = self.start_sheet(sheet)
        existing = self._existing(spec, sheet)
        form = forms.FORMS[spec.form or ""]
        seen: dict[tuple[Any, ...], int] = {}
        final = self.final.setdefault(spec.table, {})
        mentioned = self.mentioned.setdefault(spec.table, set())
        skipped = self.skipped_keys.setdefault(spec.table, set())
        key_attr = "doc_no" if spec.table == "penalties" else spec.key[-1]
        for row in sheet.rows:
            errors = _RowErrors(sheet, row, self.missing_rows)
            self.tick()
            code, unit_deleted = self._unit_ref(errors, row)
            key = None if code is None else self._key_of(spec, row, code)
            if key is not None:
                mentioned.add(key)
            if unit_deleted:
                what = self._describe(spec, key) if key else str(code)
                plan.rows.append(
                    PlannedRow(row.number, SKIP, None, code or "", what=what, reason=UNIT_DELETED)
                )
                if key is not None:
                    skipped.add(key)
                continue
            stored = existing.get(key) if key is not None and code is not None else None
            if (
                stored is None
                and key is not None
                and code is not None
                and self._deleted(spec.table, list(key))
            ):
                what = self._describe(spec, key)
                plan.rows.append(
                    PlannedRow(row.number, SKIP, None, code, what=what, reason=DELETED)
                )
                skipped.add(key)
                continue
            if spec.table == "penalties" and stored is not None and code is not None:
                owner = self.unit_codes.get(stored.unit_id, "")
                if owner != code:
                    errors.add(
                        "doc_no",
                        f"该决定书文号已登记在另一家企业（{owner}）名下，请核对文号或统一社会信用代码",
                    )
            if stored is not None and not errors and self._unchanged(sheet, row, stored):
                same = PlannedRow(row.number, UNCHANGED, stored, code or "", before=stored)
                self._finish_row(plan, errors, seen, key, key_attr, same)
                if not errors and key is not None:
                    final[key] = (code or "", stored)
                continue
            values: dict[str, object] = {} if stored is None else forms.values_of(stored, form)
            self._overlay(sheet, row, errors, values)
            unit_id = 0 if code is None else self.unit_ids.get(code, 0)
            if stored is not None:
                unit_id = stored.unit_id
            record = self._build(sheet, row, errors, values, unit_id=unit_id, stored=stored)
            if record is not None and spec.table == "accidents":
                self._review(row, errors, record, stored)
            planned = None
            if record is not None and code is not None:
                planned = self._planned(row.number, record, stored, code)
                key = self._record_key(spec, record, code)
            self._finish_row(plan, errors, seen, key, key_attr, planned)
            if planned is not None and not errors and key is not None:
                final[key] = (code or "", record)
        return plan

    @staticmethod
    def _record_key(spec: SheetSpec, record: Any, code: str) -> tuple[Any, ...]:
        """The key as ``to_row`` would store its parts (dates as ISO text, flags as 0/1),
        read from the record's own fields (a to_row of every record cost a tenth of a
        county's planning)."""
        return tuple(code if k == "unit" else _stored(getattr(record, k)) for k in spec.key)

    def _review(self, row: RawRow, errors: _RowErrors, record: Any, stored: Any) -> None:
        raw = row.cells.get("needs_review")
        if raw is None:
            if stored is not None and stored.needs_review and record.grade == stored.grade:
                record.needs_review = True
            return
        text = raw.strip() if isinstance(raw, str) else None
        if text == REVIEW_PENDING:
            record.needs_review = True
        elif text == REVIEW_DONE:
            record.needs_review = False
        else:
            errors.add("needs_review", f"应填“{REVIEW_PENDING}”“{REVIEW_DONE}”或留空")

    # -- inspectors ----------------------------------------------------------------------
    def plan_inspectors(self, sheet: ParsedSheet) -> tuple[SheetPlan, list[ConflictChange]]:
        spec = sheet.spec
        plan = self.start_sheet(sheet)
        existing = self._existing(spec)
        stored_conflicts: dict[str, set[str]] = {}
        for cert, code in self.db.conn.execute(
            "SELECT i.cert_no, u.uscc FROM inspector_conflicts c"
            " JOIN inspectors i ON i.id = c.inspector_id JOIN units u ON u.id = c.unit_id"
        ):
            stored_conflicts.setdefault(str(cert), set()).add(str(code))
        changes: list[ConflictChange] = []
        seen: dict[tuple[Any, ...], int] = {}
        for row in sheet.rows:
            self.tick()
            errors = _RowErrors(sheet, row, self.missing_rows)
            cells = row.cells
            cert = cells.get("cert_no")
            if cert is None:
                errors.add("cert_no", "不能为空")
            else:
                problem = _code_problem(spec.column("cert_no"), cert)
                if problem is not None:
                    errors.add("cert_no", problem)
            cert_no = cert if isinstance(cert, str) and "cert_no" not in errors.found else None
            stored = existing.get((cert_no,)) if cert_no else None
            if cert_no and stored is None and self._deleted("inspectors", [cert_no]):
                plan.rows.append(
                    PlannedRow(row.number, SKIP, None, what=f"执法证号 {cert_no}", reason=DELETED)
                )
                continue
            name = self._plain_text(errors, "name", cells.get("name"), required=stored is None)
            org = self._plain_text(errors, "org", cells.get("org"), required=False)
            active: bool | None = None
            if "active" in cells:
                try:
                    active = parse_yes_no(cells["active"], field="在岗")
                except ValidationError as exc:
                    errors.add("active", exc.reason)
            wanted = self._conflict_codes(errors, plan, row)
            record = None
            if cert_no and not errors:
                base = stored or model.Inspector(name="", cert_no=cert_no)
                record = replace(
                    base,
                    name=name if name is not None else base.name,
                    org=org if org is not None else base.org,
                    active=active if active is not None else base.active,
                )
            planned = None
            if record is not None:
                planned = self._planned(row.number, record, stored, "")
                if wanted is not None:
                    before = stored_conflicts.get(cert_no or "", set())
                    add = tuple(c for c in wanted if c not in before)
                    remove = tuple(sorted(before - set(wanted)))
                    if add or remove:
                        changes.append(ConflictChange(cert_no or "", add, remove))
            key = (cert_no,) if cert_no else None
            self._finish_row(plan, errors, seen, key, "cert_no", planned)
        return plan, changes

    def _plain_text(
        self, errors: _RowErrors, attr: str, raw: object, *, required: bool
    ) -> str | None:
        if raw is None:
            if required:
                errors.add(attr, "不能为空")
            return None
        text = str(_text_cell(raw)).strip()
        problem = control_character_problem(text)
        if problem is not None:
            errors.add(attr, problem)
            return None
        return text

    def _conflict_codes(self, errors: _RowErrors, plan: SheetPlan, row: RawRow) -> list[str] | None:
        raw = row.cells.get("conflicts")
        if raw is None:
            return None
        if not isinstance(raw, str):
            errors.add("conflicts", "必须以文本填写统一社会信用代码，多个用“、”或“,”分隔")
            return None
        text = raw.strip()
        for sep in ("，", ","):
            text = text.replace(sep, "、")
        codes: list[str] = []
        for part in text.split("、"):
            part = part.strip()
            if not part:
                continue
            try:
                code, _ = validate_uscc(part, accept_bad_check=True)
            except ValidationError as exc:
                errors.add("conflicts", f"“{part}”：{exc.reason}")
                return None
            if code in self.deleted_units or (
                code not in self.unit_ids and self._deleted("units", [code])
            ):
                plan.rows.append(
                    PlannedRow(row.number, SKIP, None, what=f"回避单位 {code}", reason=UNIT_DELETED)
                )
                continue
            if code not in self.unit_ids and code not in self.workbook_units:
                if code not in self.mentioned_units:
                    errors.add(
                        "conflicts",
                        f"本系统和本工作簿的“企业信息”表中都没有统一社会信用代码为 {code} 的企业",
                    )
                return None
            if code not in codes:
                codes.append(code)
        return codes


def _stored(value: Any) -> Any:
    """A field's value as ``tables.to_row`` stores it."""
    if value is None or type(value) is int:
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value) if isinstance(value, str) else value
