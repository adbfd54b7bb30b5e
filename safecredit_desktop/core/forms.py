"""Entry forms as data: which fields each record kind has, in paper order, and their checks.

The window builds every entry form from a :class:`FormSpec` and asks this module
what is wrong with what has been typed so far, so that the GUI holds no rules:

- :func:`check_form` parses every field of a form and runs the cross-field checks;
  it returns the messages (Chinese, one per field) and notes (not errors, e.g. "将标记
  为待核实") without raising;
- :func:`validate_field` is the message of one field, as you type;
- :func:`build_record` turns the typed values into the record dataclass, or raises
  :class:`FormErrors` listing *every* bad field;
- :func:`values_of` gives the values of a stored record for its edit form;
- :func:`find_conflict` says in a sentence that a record with the same natural key
  (workbook.md) is already stored, before SQLite would refuse it.

Raw values are what editors hold: text for line edits, combo boxes (the item's data)
and text areas, ``bool`` for check boxes. Dates, counts and amounts may also be given
as ``date``/``int``/``float``. This module is Qt-free.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from safecredit_desktop.core import model
from safecredit_desktop.core.errors import (
    BadCheckCharacterError,
    SafeCreditError,
    ValidationError,
)
from safecredit_desktop.core.form_entry import (
    TownList,
    bracket_doc_no,
    check_phone,
    split_doc_no,
    tidy_code,
)
from safecredit_desktop.core.rules.profile import Profile
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.tables import SPEC_BY_NAME, SPEC_BY_RECORD, to_row
from safecredit_desktop.core.validate import (
    ShortDate,
    accident_grade_from_figures,
    check_not_future,
    control_character_problem,
    date_formats_hint,
    join_line_breaks,
    parse_amount,
    parse_choice,
    parse_count,
    parse_date,
    parse_optional_date,
    parse_violation_kind,
    parse_yes_no,
    resolve_accident_grade,
    uscc_check_character,
    validate_id_number,
    validate_uscc,
)

__all__ = [
    "DATE_HINT",
    "FORMS",
    "UNIT_PICKER",
    "FieldKind",
    "FieldSpec",
    "FormCheck",
    "FormErrors",
    "FormSpec",
    "TownList",
    "UnitLookup",
    "build_record",
    "carry_over",
    "check_form",
    "conflict_errors",
    "conflict_field",
    "default_values",
    "find_conflict",
    "find_unit",
    "form_for",
    "last_doc_no",
    "normalize_date_text",
    "parse_penalty_types",
    "validate_field",
    "values_of",
]

FieldKind = Literal[
    "text",
    "uscc",
    "id_number",
    "date",
    "count",
    "amount",
    "choice",
    "bool",
    "violation_kind",
    "multiline",
    "unit",
]
"""``unit`` is the 统一社会信用代码 of an already stored unit (a record form opened
without a unit); it resolves to the unit's id."""

Choices = tuple[str, ...] | Callable[[Profile], tuple[str, ...]]
UnitLookup = Callable[[str], "tuple[int, str] | None"]
"""A stored unit by its 统一社会信用代码: ``(id, name)`` or None."""

MAX_COUNT = 1_000_000
MAX_AMOUNT = 1e12
DATE_PLACEHOLDER = "如 2025-3-1"


def _event_date(key: str, label: str) -> FieldSpec:
    """A required date of something that happened: never in the future, kept by 保存并新增."""
    return _date(key, label, required=True, max_today=True, keep_on_next=True)


DATE_HINT = f"可按 {date_formats_hint(short=True)} 填写"


class FormErrors(SafeCreditError):
    """A form that cannot be saved; ``errors`` maps every bad field's key to its message."""

    def __init__(self, errors: Mapping[str, str], labels: Mapping[str, str] | None = None):
        names = labels or {}
        lines = [f"{names.get(key, key)}：{message}" for key, message in errors.items()]
        head = [] if len(lines) == 1 else [f"有 {len(lines)} 处需要更正："]
        super().__init__("\n".join([*head, *lines]))
        self.errors: dict[str, str] = dict(errors)


# ---------------------------------------------------------------------------
# Descriptions
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """One field of an entry form.

    ``key`` is the attribute of the record dataclass; ``label`` the column name of
    workbook.md; ``default`` the raw value of a fresh form; ``keep_on_next`` keeps the
    value for the next record of a run (保存并新增); ``blank_text`` is the empty item of a
    choice list (required choices without a default get "（请选择）").
    """

    key: str
    label: str
    kind: FieldKind = "text"
    required: bool = False
    choices: Choices = ()
    help: str = ""
    max_today: bool = False
    default: str | bool = ""
    keep_on_next: bool = False
    blank_text: str = ""
    placeholder: str = ""
    check_text: str = "是"
    deadline: bool = False
    max_length: int = 0  # characters at most (0: no limit of its own)
    suggest: str = ""  # the window offers values: "towns" (设置 → 乡镇), "inspectors" (名录)

    @property
    def short_date(self) -> ShortDate:
        """How a date typed without its year is read (validate.ShortDate): an event's
        date is never in the future, a deadline is the next such day."""
        if self.max_today:
            return "past"
        return "next" if self.deadline else "year"

    @property
    def display_label(self) -> str:
        return f"{self.label} *" if self.required else self.label

    def choice_values(self, profile: Profile) -> tuple[str, ...]:
        """The allowed stored values of a choice (codes for a violation kind)."""
        if self.kind == "violation_kind":
            return tuple(k.code for k in model.VIOLATION_KINDS)
        if callable(self.choices):
            return tuple(self.choices(profile))
        return self.choices

    def choice_items(self, profile: Profile) -> tuple[tuple[str, str], ...]:
        """``(shown text, stored value)`` for a choice list, the empty item first if any."""
        if self.kind == "violation_kind":
            items = tuple((k.name, k.code) for k in model.VIOLATION_KINDS)
        else:
            items = tuple((c, c) for c in self.choice_values(profile))
        if self.default != "":
            return items
        blank = self.blank_text or ("（请选择）" if self.required else "（不填）")
        return ((blank, ""), *items)


@dataclass(frozen=True)
class FormSpec:
    """The entry form of one record table; ``title`` names a record ("执法检查记录")."""

    table: str
    title: str
    record: type[Any]
    fields: tuple[FieldSpec, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    @property
    def labels(self) -> dict[str, str]:
        return {f.key: f.label for f in self.fields}

    @property
    def per_unit(self) -> bool:
        """Whether a record of this form belongs to a unit (all but the unit's own)."""
        return self.record is not model.Unit

    def field(self, key: str) -> FieldSpec:
        for spec in self.fields:
            if spec.key == key:
                return spec
        raise KeyError(key)

    def has(self, key: str) -> bool:
        return key in self.keys


def _values(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(str(member.value) for member in enum)


def _date(key: str, label: str, **more: Any) -> FieldSpec:
    """A date field (``more``: required, max_today, deadline, help …)."""
    return FieldSpec(key, label, "date", placeholder=DATE_PLACEHOLDER, **more)


def _choice(
    key: str, label: str, vocabulary: type[StrEnum], default: StrEnum | None = None, **more: Any
) -> FieldSpec:
    """A required choice among ``vocabulary``'s values, ``default`` chosen in a fresh form."""
    return FieldSpec(
        key,
        label,
        "choice",
        required=True,
        choices=_values(vocabulary),
        default="" if default is None else default.value,
        **more,
    )


def _categories(profile: Profile) -> tuple[str, ...]:
    return profile.categories


_GRADES = tuple(g.value for g in model.ACCIDENT_GRADE_ORDER)

UNIT_PICKER = FieldSpec(
    "unit_id",
    "统一社会信用代码",
    "unit",
    required=True,
    keep_on_next=True,
    help="输入已登记企业的18位统一社会信用代码",
    placeholder="18位代码，字母大写",
)

_UNIT_FIELDS = (
    FieldSpec(
        "uscc",
        "统一社会信用代码",
        "uscc",
        required=True,
        help="18位，按营业执照填写，字母大写，不使用 I、O、S、V、Z",
        placeholder="18位代码，字母大写",
    ),
    FieldSpec(
        "name", "单位名称", required=True, help="与营业执照一致，最多100个字", max_length=100
    ),
    FieldSpec(
        "category",
        "行业类别",
        "choice",
        required=True,
        choices=_categories,
        keep_on_next=True,
        help="本局信用规则中的行业类别",
    ),
    FieldSpec(
        "town",
        "所在乡镇",
        keep_on_next=True,
        suggest="towns",
        help="从本县乡镇名单中选择；名单由管理员在“设置 → 乡镇”中维护",
    ),
    FieldSpec("address", "地址"),
    FieldSpec("legal_rep", "法定代表人"),
    FieldSpec("main_person", "主要负责人"),
    FieldSpec(
        "main_person_id",
        "主要负责人身份证号",
        "id_number",
        help="18位；个人信息，仅在本表中完整显示",
        placeholder="18位身份证号，末位X大写",
    ),
    FieldSpec("safety_person", "分管安全负责人"),
    FieldSpec(
        "phone",
        "联系电话",
        help="手机号11位；固定电话带区号，如 0743-3221234，分机 0743-3221234-801；多个用“、”分隔",
        placeholder="如 13807431234 或 0743-3221234",
    ),
    FieldSpec("permit_no", "安全生产许可证号"),
    _date("permit_valid_until", "许可证有效期至", deadline=True),
    _choice("std_level", "标准化等级", model.StandardizationLevel, model.StandardizationLevel.NONE),
    _date("std_awarded_on", "标准化评定日期", max_today=True),
    _date("std_valid_until", "标准化有效期至", deadline=True),
    FieldSpec(
        "high_risk",
        "高危行业",
        "bool",
        default=False,
        help="行业类别本身属高危的，不勾选也按高危管理",
    ),
    _choice("status", "经营状态", model.UnitStatus, model.UnitStatus.NORMAL),
    _date(
        "founded_on", "成立日期", help="企业成立（登记）日期，不是录入日期；此日期前不评定信用等级"
    ),
    FieldSpec("reporter", "报送单位", keep_on_next=True, help="留空表示本局"),
    FieldSpec(
        "check_accepted",
        "代码校验",
        "bool",
        default=False,
        check_text="接受",
        help="接受：代码校验码不符，但与证照一致（少数2016年前发放的代码）",
    ),
)

_INSPECTION_FIELDS = (
    _date("inspected_on", "检查日期", required=True, max_today=True),
    _choice(
        "method",
        "检查方式",
        model.InspectionMethod,
        model.InspectionMethod.PLANNED,
        keep_on_next=True,
    ),
    FieldSpec(
        "inspectors",
        "执法人员",
        keep_on_next=True,
        suggest="inspectors",
        help="从执法人员名录中选择（输入姓名或拼音首字母），名录外人员直接填写；多人用“、”分隔",
    ),
    FieldSpec("hazards", "发现隐患数", "count", placeholder="0"),
    FieldSpec(
        "major_hazards",
        "重大隐患数",
        "count",
        placeholder="0",
        help="重大事故隐患与重大职业病危害隐患合计",
    ),
    _date("rectify_deadline", "整改期限", deadline=True),
    _date("rectified_on", "整改完成日期", max_today=True),
    FieldSpec(
        "doc_no",
        "文书编号",
        suggest="doc_no",
        help="如 凤应急检〔2026〕3203号；输入“凤应急检2026 3203”或只输入号数，离开时自动补全",
    ),
    FieldSpec("note", "备注", "multiline"),
)

_ACCIDENT_FIELDS = (
    _date("occurred_on", "事故日期", required=True, max_today=True),
    FieldSpec("accident_no", "事故编号", help="同一企业同一天有两起事故时用于区分"),
    FieldSpec(
        "grade",
        "事故等级",
        "choice",
        choices=_GRADES,
        blank_text="（按伤亡、损失数字判定）",
        help="不填则按死亡、重伤人数和直接经济损失判定",
    ),
    FieldSpec("deaths", "死亡人数", "count", placeholder="0"),
    FieldSpec("serious_injuries", "重伤人数", "count", placeholder="0"),
    FieldSpec("loss_wan", "直接经济损失(万元)", "amount", placeholder="0"),
    _choice("responsible", "责任事故", model.Responsibility, help="调查未结论时选“待定”"),
    FieldSpec("note", "备注", "multiline"),
)

_PENALTY_FIELDS = (
    FieldSpec("doc_no", "决定书文号", required=True, placeholder="如 凤应急罚〔2025〕1号"),
    _event_date("decided_on", "决定日期"),
    _choice("department", "处罚部门", model.PenaltyDepartment, keep_on_next=True),
    FieldSpec("reason", "处罚事由", "multiline"),
    FieldSpec("fine_yuan", "罚款金额(元)", "amount", placeholder="0"),
    _date("published_on", "公示日期", max_today=True),
    FieldSpec("violation_type", "违法行为类型", help="按处罚决定书填写，用于行政处罚双公示"),
    FieldSpec("legal_basis", "处罚依据", "multiline", help="处罚所依据的法律条款"),
    FieldSpec(
        "penalty_types",
        "处罚类别",
        help="、".join(model.PENALTY_TYPES) + "；多个用“、”分隔",
        placeholder="如 罚款、责令停产停业",
    ),
    FieldSpec("penalty_content", "处罚内容", "multiline"),
    FieldSpec(
        "aggravated_fine",
        "加重罚款",
        "bool",
        default=False,
        help="事故情节特别严重、影响特别恶劣，依安全生产法第一百一十四条处二至五倍罚款",
    ),
)

_VIOLATION_FIELDS = (
    FieldSpec(
        "kind",
        "行为类型",
        "violation_kind",
        required=True,
        help="按认定文书选择失信行为类型",
    ),
    _event_date("occurred_on", "发生日期"),
    _choice("subject", "责任主体", model.ViolationSubject, model.ViolationSubject.UNIT),
    FieldSpec("person_name", "责任人姓名", help="责任主体为个人时填写当时的责任人"),
    FieldSpec("basis_doc", "认定文书", keep_on_next=True),
    FieldSpec("note", "备注", "multiline"),
)

_COMMITMENT_FIELDS = (
    _choice("type", "承诺类型", model.CommitmentType),
    _event_date("signed_on", "签署日期"),
    FieldSpec("signer", "签署人"),
    _date("withdrawn_on", "撤回日期", max_today=True),
)

_HONOUR_FIELDS = (
    _event_date("honoured_on", "表彰日期"),
    _choice("level", "表彰级别", model.HonourLevel, keep_on_next=True, help="自治区级表彰选“省级”"),
    _choice("type", "表彰类型", model.HonourType),
    FieldSpec("title", "名称", help="如：2024年度安全生产先进单位"),
)

_JOINT_FIELDS = (
    FieldSpec("department", "认定部门", required=True, keep_on_next=True),
    _date("starts_on", "开始日期", required=True, max_today=True),
    _date("ends_on", "结束日期", help="不填表示尚未结束"),
)

FORMS: dict[str, FormSpec] = {
    form.table: form
    for form in (
        FormSpec("units", "企业信息", model.Unit, _UNIT_FIELDS),
        FormSpec("inspections", "执法检查记录", model.Inspection, _INSPECTION_FIELDS),
        FormSpec("accidents", "生产安全事故记录", model.Accident, _ACCIDENT_FIELDS),
        FormSpec("penalties", "行政处罚记录", model.Penalty, _PENALTY_FIELDS),
        FormSpec("violations", "失信行为记录", model.Violation, _VIOLATION_FIELDS),
        FormSpec("commitments", "承诺书", model.Commitment, _COMMITMENT_FIELDS),
        FormSpec("honours", "表彰记录", model.Honour, _HONOUR_FIELDS),
        FormSpec("joint_punishments", "联合惩戒记录", model.JointPunishment, _JOINT_FIELDS),
    )
}


def form_for(table: str, *, pick_unit: bool = False) -> FormSpec:
    """The form of a table; ``pick_unit`` adds the unit's code as the first field
    (a record form opened without a unit)."""
    try:
        form = FORMS[table]
    except KeyError:
        raise SafeCreditError(f"没有“{table}”的录入表。") from None
    if pick_unit and form.per_unit:
        return replace(form, fields=(UNIT_PICKER, *form.fields))
    return form


# ---------------------------------------------------------------------------
# Checking
# ---------------------------------------------------------------------------


@dataclass
class FormCheck:
    """What :func:`check_form` found: messages, notes and the parsed values."""

    errors: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    parsed: dict[str, Any] = field(default_factory=dict)
    uscc_check_ok: bool = True
    # codes typed in lower case or with spaces: key → the code as it is read (the window
    # writes it back into the field)
    tidied: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def _check_text(raw: object, spec: FieldSpec) -> str:
    multiline = spec.kind == "multiline"
    text = "" if raw is None else str(raw).strip()
    if multiline:
        text = join_line_breaks(text)
    if spec.required and text == "":
        raise ValidationError(spec.label, "不能为空", raw)
    problem = control_character_problem(text, multiline=multiline)
    if problem is not None:
        raise ValidationError(spec.label, problem, raw)
    if spec.max_length and len(text) > spec.max_length:
        raise ValidationError(
            spec.label, f"最多{spec.max_length}个字，现有{len(text)}个字，请核对", raw
        )
    return text


FieldParser = Callable[[object, Mapping[str, object], FormCheck, date, UnitLookup | None], object]
"""One field's check, made once per form: (raw, all values, the check so far, today,
unit lookup) → the stored value; raises ValidationError with a Chinese reason."""


def _field_parser(
    spec: FieldSpec, profile: Profile, *, short_dates: bool, typed: bool
) -> FieldParser:
    """The check of one field, its kind's branch chosen (and a choice's values read from
    the profile) once rather than for every row of a workbook."""
    kind = spec.kind
    key = spec.key
    parse = _KIND_PARSERS.get(kind, _choice_parser)(spec, profile, short_dates, typed)
    if kind not in ("uscc", "unit") or not typed:
        return parse

    def tidied_first(
        raw: object,
        values: Mapping[str, object],
        check: FormCheck,
        today: date,
        unit_lookup: UnitLookup | None,
    ) -> object:
        raw, tidied = tidy_code(raw)
        if tidied:
            check.tidied[key] = str(raw)
        return parse(raw, values, check, today, unit_lookup)

    return tidied_first


def _text_parser(spec: FieldSpec, profile: Profile, short: bool, typed: bool) -> FieldParser:
    phone = typed and spec.key == "phone"
    doc_no = typed and spec.suggest == "doc_no"
    label = spec.label

    def parse(raw: object, values: Any, check: FormCheck, today: date, lookup: Any) -> object:
        text = _check_text(raw, spec)
        if phone and text:
            return check_phone(text, field=label)
        if doc_no:
            return bracket_doc_no(text)
        return text

    return parse


def _uscc_parser(spec: FieldSpec, profile: Profile, short: bool, typed: bool) -> FieldParser:
    label, key = spec.label, spec.key

    def parse(raw: object, values: Any, check: FormCheck, today: date, lookup: Any) -> object:
        accept = _as_bool(values.get("check_accepted", False))
        try:
            code, ok = validate_uscc(raw, field=label, accept_bad_check=accept)
        except BadCheckCharacterError as exc:
            raise BadCheckCharacterError(
                label,
                f"{exc.reason}；如与营业执照上的代码一致，请勾选“代码校验”的“接受”",
                raw,
            ) from None
        check.uscc_check_ok = ok
        if not ok:
            check.notes[key] = (
                f"校验码应为 {uscc_check_character(code[:17])}，已按“接受”保存，"
                "企业信息中将注明代码校验未通过"
            )
        return code

    return parse


def _unit_parser(spec: FieldSpec, profile: Profile, short: bool, typed: bool) -> FieldParser:
    label, key = spec.label, spec.key

    def parse(raw: object, values: Any, check: FormCheck, today: date, lookup: Any) -> object:
        code, _ = validate_uscc(raw, field=label, accept_bad_check=True)
        if lookup is None:
            return None
        found = lookup(code)
        if found is None:
            raise ValidationError(
                label, f"本系统中没有统一社会信用代码为 {code} 的企业，请先录入企业信息", raw
            )
        check.notes[key] = found[1]
        return found[0]

    return parse


def _id_number_parser(spec: FieldSpec, profile: Profile, short: bool, typed: bool) -> FieldParser:
    label, required = spec.label, spec.required

    def parse(raw: object, values: Any, check: FormCheck, today: date, lookup: Any) -> object:
        if _is_blank(raw):
            if required:
                raise ValidationError(label, "不能为空", raw)
            return ""
        return validate_id_number(raw, field=label, today=today)

    return parse


def _date_parser(spec: FieldSpec, profile: Profile, short: bool, typed: bool) -> FieldParser:
    label, required, max_today = spec.label, spec.required, spec.max_today
    short_date = spec.short_date if short else None

    def parse(raw: object, values: Any, check: FormCheck, today: date, lookup: Any) -> object:
        if required:
            parsed: date | None = parse_date(raw, field=label, short=short_date, today=today)
        else:
            parsed = parse_optional_date(raw, field=label, short=short_date, today=today)
        if parsed is not None and max_today:
            check_not_future(parsed, field=label, today=today)
        return parsed

    return parse


def _count_parser(spec: FieldSpec, profile: Profile, short: bool, typed: bool) -> FieldParser:
    def parse(raw: object, values: Any, check: FormCheck, today: date, lookup: Any) -> object:
        return _bounded(raw, spec, spec.label, parse_count, MAX_COUNT)

    return parse


def _amount_parser(spec: FieldSpec, profile: Profile, short: bool, typed: bool) -> FieldParser:
    def parse(raw: object, values: Any, check: FormCheck, today: date, lookup: Any) -> object:
        return _bounded(raw, spec, spec.label, parse_amount, MAX_AMOUNT)

    return parse


def _bool_parser(spec: FieldSpec, profile: Profile, short: bool, typed: bool) -> FieldParser:
    label = spec.label

    def parse(raw: object, values: Any, check: FormCheck, today: date, lookup: Any) -> object:
        if _is_blank(raw):
            return False
        return parse_yes_no(raw, field=label)

    return parse


def _kind_parser(spec: FieldSpec, profile: Profile, short: bool, typed: bool) -> FieldParser:
    label = spec.label

    def parse(raw: object, values: Any, check: FormCheck, today: date, lookup: Any) -> object:
        return parse_violation_kind(raw, field=label)

    return parse


def _choice_parser(spec: FieldSpec, profile: Profile, short: bool, typed: bool) -> FieldParser:
    label, required = spec.label, spec.required
    blank = spec.default if isinstance(spec.default, str) else ""
    allowed = spec.choice_values(profile)

    def parse(raw: object, values: Any, check: FormCheck, today: date, lookup: Any) -> object:
        if not required and _is_blank(raw):
            return blank
        return parse_choice(raw, allowed, field=label)

    return parse


_KIND_PARSERS: dict[str, Callable[[FieldSpec, Profile, bool, bool], FieldParser]] = {
    "text": _text_parser,
    "multiline": _text_parser,
    "uscc": _uscc_parser,
    "unit": _unit_parser,
    "id_number": _id_number_parser,
    "date": _date_parser,
    "count": _count_parser,
    "amount": _amount_parser,
    "bool": _bool_parser,
    "violation_kind": _kind_parser,
}

_FormParsers = tuple[tuple[str, object, FieldParser], ...]
_COMPILED: dict[tuple[int, int, bool, bool], tuple[FormSpec, Profile, _FormParsers]] = {}


def _form_parsers(
    form: FormSpec, profile: Profile, *, short_dates: bool, typed: bool
) -> _FormParsers:
    """(key, default, check) of each field of ``form``, made once per form and profile
    (both immutable; kept by identity, with the objects themselves so ids stay theirs)."""
    cache_key = (id(form), id(profile), short_dates, typed)
    found = _COMPILED.get(cache_key)
    if found is not None and found[0] is form and found[1] is profile:
        return found[2]
    parsers = tuple(
        (
            spec.key,
            spec.default,
            _field_parser(spec, profile, short_dates=short_dates, typed=typed),
        )
        for spec in form.fields
    )
    if len(_COMPILED) >= 256:
        _COMPILED.clear()
    _COMPILED[cache_key] = (form, profile, parsers)
    return parsers


def _as_bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        return raw.strip() in ("是", "接受")
    return False


def check_form(
    form: FormSpec,
    values: Mapping[str, object],
    *,
    profile: Profile,
    today: date,
    unit_lookup: UnitLookup | None = None,
    short_dates: bool = False,
    typed: bool | None = None,
    record_id: int | None = None,
    towns: TownList | None = None,
) -> FormCheck:
    """Every field's message and note, the cross-field checks, and the parsed values.

    ``short_dates``: dates may be typed without their year (``11-3``), as in the window
    and ``safecredit add``; a workbook never may (workbook.md). ``typed`` (by default as
    ``short_dates``): a person typed the values, so codes are upper-cased and their
    spaces dropped (with a note), 联系电话 is checked, 高危行业 is ticked for a high-risk
    category; a workbook keeps its own strictness. In the unit form, ``unit_lookup``
    names a unit that already has the typed code (other than ``record_id``), and
    ``towns`` holds 所在乡镇 to the county's list."""
    by_hand = short_dates if typed is None else typed
    check = FormCheck()
    parsed, errors = check.parsed, check.errors
    for key, default, parse in _form_parsers(form, profile, short_dates=short_dates, typed=by_hand):
        try:
            parsed[key] = parse(values.get(key, default), values, check, today, unit_lookup)
        except ValidationError as exc:
            errors[key] = exc.reason
    for key, code in check.tidied.items():
        if key not in check.errors and form.field(key).kind == "uscc":
            note = f"已按 {code} 读取（字母改为大写、去掉空格）"
            old = check.notes.get(key)
            check.notes[key] = f"{note}；{old}" if old else note
    _CROSS_CHECKS.get(form.table, _no_cross)(check, profile)
    if form.table == "units":
        _unit_entry_checks(
            check, profile, typed=by_hand, unit_lookup=unit_lookup, record_id=record_id, towns=towns
        )
    return check


def validate_field(
    form: FormSpec,
    key: str,
    raw_value: object,
    *,
    profile: Profile,
    today: date,
    values: Mapping[str, object],
    unit_lookup: UnitLookup | None = None,
    short_dates: bool = False,
    typed: bool | None = None,
    record_id: int | None = None,
    towns: TownList | None = None,
) -> str | None:
    """The message of one field (None when it is fine), the other values as context."""
    merged = dict(values)
    merged[key] = raw_value
    check = check_form(
        form,
        merged,
        profile=profile,
        today=today,
        unit_lookup=unit_lookup,
        short_dates=short_dates,
        typed=typed,
        record_id=record_id,
        towns=towns,
    )
    return check.errors.get(key)


# -- cross-field checks --------------------------------------------------------------------


def _no_cross(check: FormCheck, profile: Profile) -> None:
    return None


def _dates_ordered(
    check: FormCheck,
    earlier: str,
    later: str,
    message: str,
    *,
    strictly: bool = False,
) -> None:
    """An error on ``later`` when it is before (or, strictly, not after) ``earlier``."""
    if earlier in check.errors or later in check.errors:
        return
    first = check.parsed.get(earlier)
    second = check.parsed.get(later)
    if not isinstance(first, date) or not isinstance(second, date):
        return
    if second < first or (strictly and second == first):
        check.errors[later] = message.format(a=_cn(first), b=_cn(second))


def _cross_units(check: FormCheck, profile: Profile) -> None:
    _dates_ordered(
        check,
        "std_awarded_on",
        "std_valid_until",
        "有效期至（{b}）应晚于标准化评定日期（{a}），请核对",
        strictly=True,
    )
    category = check.parsed.get("category")
    if "category" not in check.errors and category in profile.high_risk_categories:
        check.notes["high_risk"] = f"“{category}”属高危行业，不论是否勾选均按高危管理"
    if (
        "uscc" not in check.errors
        and check.uscc_check_ok
        and check.parsed.get("check_accepted") is True
    ):
        check.notes["check_accepted"] = "代码校验码正确，无需勾选“接受”"


def _unit_entry_checks(
    check: FormCheck,
    profile: Profile,
    *,
    typed: bool,
    unit_lookup: UnitLookup | None,
    record_id: int | None,
    towns: TownList | None,
) -> None:
    """What the unit form says while it is typed: a code another unit holds (named), a
    town outside the county's list, 高危行业 ticked for a high-risk category."""
    code = check.parsed.get("uscc")
    if unit_lookup is not None and "uscc" not in check.errors and isinstance(code, str):
        found = unit_lookup(code)
        if found is not None and found[0] != record_id:
            # the name first: the form's message line shows its start
            check.errors["uscc"] = f"已登记为“{found[1]}”，不能重复录入；请在企业台账中修改该企业"
    town = check.parsed.get("town")
    if towns is not None and "town" not in check.errors and isinstance(town, str):
        problem = towns.problem(town)
        if problem is not None:
            check.errors["town"] = problem
    category = check.parsed.get("category")
    if typed and "category" not in check.errors and category in profile.high_risk_categories:
        check.parsed["high_risk"] = True
        check.notes["high_risk"] = f"“{category}”属高危行业，已勾选"


def _cross_inspections(check: FormCheck, profile: Profile) -> None:
    _dates_ordered(
        check, "inspected_on", "rectify_deadline", "整改期限（{b}）早于检查日期（{a}），请核对"
    )
    _dates_ordered(
        check, "inspected_on", "rectified_on", "整改完成日期（{b}）早于检查日期（{a}），请核对"
    )
    if "hazards" not in check.errors and "major_hazards" not in check.errors:
        hazards = int(check.parsed.get("hazards") or 0)
        major = int(check.parsed.get("major_hazards") or 0)
        if major > hazards:
            check.errors["major_hazards"] = (
                f"重大隐患数（{major}）不能多于发现隐患数（{hazards}），请核对"
            )


def _cross_accidents(check: FormCheck, profile: Profile) -> None:
    figures = ("deaths", "serious_injuries", "loss_wan")
    if "grade" in check.errors or any(f in check.errors for f in figures):
        return
    deaths = int(check.parsed.get("deaths") or 0)
    injuries = int(check.parsed.get("serious_injuries") or 0)
    loss = float(check.parsed.get("loss_wan") or 0.0)
    stated = str(check.parsed.get("grade") or "")
    try:
        grade, flagged = resolve_accident_grade(stated, deaths, injuries, loss)
    except ValidationError as exc:
        check.errors["grade"] = exc.reason
        return
    check.parsed["grade"] = grade.value
    check.parsed["needs_review"] = flagged
    if stated == "":
        check.notes["grade"] = f"将按伤亡、损失数字定为{grade.value}事故"
    elif flagged:
        derived = accident_grade_from_figures(deaths, injuries, loss)
        check.notes["grade"] = (
            f"填报等级高于伤亡、损失数字对应的{derived.value}事故，按填报等级保存，将标记为待核实"
        )


def _cross_penalties(check: FormCheck, profile: Profile) -> None:
    _dates_ordered(
        check, "decided_on", "published_on", "公示日期（{b}）早于决定日期（{a}），请核对"
    )
    if "penalty_types" not in check.errors:
        try:
            check.parsed["penalty_types"] = parse_penalty_types(check.parsed.get("penalty_types"))
        except ValidationError as exc:
            check.errors["penalty_types"] = exc.reason


_PENALTY_TYPE_SEPARATORS = "、，,；;/"


def parse_penalty_types(raw: object) -> str:
    """处罚类别: names of ``model.PENALTY_TYPES`` separated by 、 (also ，,；;/), each
    checked, written back joined by 、 in the order given (a repeat dropped)."""
    text = "" if raw is None else str(raw).strip()
    for separator in _PENALTY_TYPE_SEPARATORS:
        text = text.replace(separator, model.PENALTY_TYPE_SEPARATOR)
    parts = [p.strip() for p in text.split(model.PENALTY_TYPE_SEPARATOR) if p.strip()]
    unknown = [p for p in parts if p not in model.PENALTY_TYPES]
    if unknown:
        raise ValidationError(
            "处罚类别",
            f"“{'、'.join(unknown)}”不是处罚类别；可填："
            f"{'、'.join(model.PENALTY_TYPES)}（多个用“、”分隔）",
            raw,
        )
    return model.PENALTY_TYPE_SEPARATOR.join(dict.fromkeys(parts))


def _cross_violations(check: FormCheck, profile: Profile) -> None:
    kind = check.parsed.get("kind")
    if "kind" not in check.errors and isinstance(kind, str):
        found = model.VIOLATION_KIND_BY_CODE.get(kind)
        if found is not None and found.serious:
            check.notes["kind"] = "属严重失信行为"
    subject = check.parsed.get("subject")
    if (
        "subject" not in check.errors
        and subject not in ("", model.ViolationSubject.UNIT.value)
        and "person_name" not in check.errors
        and not check.parsed.get("person_name")
    ):
        check.notes["person_name"] = f"责任主体为{subject}，建议填写当时的责任人姓名"


def _cross_commitments(check: FormCheck, profile: Profile) -> None:
    _dates_ordered(check, "signed_on", "withdrawn_on", "撤回日期（{b}）早于签署日期（{a}），请核对")


def _cross_joint(check: FormCheck, profile: Profile) -> None:
    _dates_ordered(check, "starts_on", "ends_on", "结束日期（{b}）早于开始日期（{a}），请核对")


_CROSS_CHECKS: dict[str, Callable[[FormCheck, Profile], None]] = {
    "units": _cross_units,
    "inspections": _cross_inspections,
    "accidents": _cross_accidents,
    "penalties": _cross_penalties,
    "violations": _cross_violations,
    "commitments": _cross_commitments,
    "joint_punishments": _cross_joint,
}


# ---------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------


def build_record(
    form: FormSpec,
    values: Mapping[str, object],
    *,
    unit_id: int | None,
    record_id: int | None,
    profile: Profile,
    today: date,
    unit_lookup: UnitLookup | None = None,
    short_dates: bool = False,
    typed: bool | None = None,
    towns: TownList | None = None,
) -> Any:
    """The record dataclass for the typed values; :class:`FormErrors` lists every bad field."""
    check = check_form(
        form,
        values,
        profile=profile,
        today=today,
        unit_lookup=unit_lookup,
        short_dates=short_dates,
        typed=typed,
        record_id=record_id,
        towns=towns,
    )
    if not check.ok:
        raise FormErrors(check.errors, form.labels)
    kwargs: dict[str, Any] = {
        key: value for key, value in check.parsed.items() if key != UNIT_PICKER.key
    }
    if form.per_unit:
        chosen = check.parsed.get(UNIT_PICKER.key, unit_id)
        if chosen is None:
            chosen = unit_id
        if chosen is None:
            raise FormErrors(
                {UNIT_PICKER.key: "请填写已登记企业的统一社会信用代码"},
                {UNIT_PICKER.key: UNIT_PICKER.label},
            )
        kwargs["unit_id"] = int(chosen)
    if form.record is model.Unit:
        kwargs["check_accepted"] = not check.uscc_check_ok
    if form.record is model.Accident:
        kwargs.setdefault("needs_review", False)
    kwargs["id"] = record_id
    return form.record(**kwargs)


def _show_number(x: float) -> str:
    if x.is_integer():
        return str(int(x))
    return f"{x:.6f}".rstrip("0").rstrip(".")


def values_of(record: Any, form: FormSpec | None = None) -> dict[str, object]:
    """The raw values of a stored record, for its edit form (the ID number in full)."""
    spec_form = form or FORMS[SPEC_BY_RECORD[type(record)].name]
    out: dict[str, object] = {}
    for spec in spec_form.fields:
        if spec.kind == "unit":
            continue
        value = getattr(record, spec.key)
        if spec.kind == "bool":
            out[spec.key] = bool(value)
        elif value is None:
            out[spec.key] = ""
        elif isinstance(value, date):
            out[spec.key] = value.isoformat()
        elif spec.kind == "amount":
            out[spec.key] = _show_number(float(value))
        else:
            out[spec.key] = str(value)
    if isinstance(record, model.Accident):
        derived = accident_grade_from_figures(
            record.deaths, record.serious_injuries, record.loss_wan
        )
        if record.grade == derived.value:
            out["grade"] = ""
    return out


def normalize_date_text(
    text: str, *, short: ShortDate | None = None, today: date | None = None
) -> str:
    """A typed date written as YYYY-MM-DD when it parses (2025/3/1 → 2025-03-01; with
    ``short``, 3-1 → this year's or the nearest such day), else as is."""
    if text.strip() == "":
        return text
    try:
        return parse_date(text, field="日期", short=short, today=today).isoformat()
    except ValidationError:
        return text


def default_values(form: FormSpec) -> dict[str, object]:
    """The raw values of a fresh form."""
    return {spec.key: spec.default for spec in form.fields}


def carry_over(form: FormSpec, values: Mapping[str, object]) -> dict[str, object]:
    """The values for the next record of a run (保存并新增): kept fields, defaults elsewhere."""
    fresh = default_values(form)
    for spec in form.fields:
        if spec.keep_on_next and spec.key in values:
            fresh[spec.key] = values[spec.key]
    return fresh


# ---------------------------------------------------------------------------
# Stored data: units by code, natural-key conflicts
# ---------------------------------------------------------------------------


def find_unit(db: Database, uscc: str) -> tuple[int, str] | None:
    """A stored unit by its 统一社会信用代码: ``(id, name)``, or None."""
    row = db.conn.execute("SELECT id, name FROM units WHERE uscc = ?", (uscc,)).fetchone()
    if row is None:
        return None
    return int(row[0]), str(row[1])


def last_doc_no(db: Database) -> str | None:
    """The 文书编号 an inspection's form goes on from: of the most recently entered
    prefix and year (凤应急检〔2026〕…), the highest number; None when there is none."""
    rows = db.conn.execute(
        "SELECT doc_no FROM inspections WHERE doc_no LIKE ? ORDER BY id DESC LIMIT 500",
        ("%〔%〕%号",),
    ).fetchall()
    found = [parts for (text,) in rows if (parts := split_doc_no(str(text))) is not None]
    if not found:
        return None
    prefix, year, _number = found[0]
    highest = max(n for p, y, n in found if (p, y) == (prefix, year))
    return f"{prefix}〔{year}〕{highest}号"


_CONFLICT_FIELD: dict[str, str] = {
    "units": "uscc",
    "inspections": "inspected_on",
    "accidents": "accident_no",
    "penalties": "doc_no",
    "violations": "kind",
    "commitments": "type",
    "honours": "type",
    "joint_punishments": "starts_on",
}


def conflict_field(record_type: type[Any]) -> str:
    """The form field a natural-key conflict of this record kind is shown next to."""
    spec = SPEC_BY_RECORD[record_type]
    return _CONFLICT_FIELD.get(spec.name, spec.key[-1])


def conflict_errors(db: Database, record: Any) -> FormErrors | None:
    """:func:`find_conflict` as form errors, shown next to the field that clashes."""
    message = find_conflict(db, record)
    if message is None:
        return None
    key = conflict_field(type(record))
    spec = SPEC_BY_RECORD[type(record)]
    form = FORMS.get(spec.name)
    labels = form.labels if form is not None else {}
    return FormErrors({key: message}, {key: labels.get(key, spec.label)})


def _date_text(value: object) -> str:
    if isinstance(value, str):
        try:
            return _cn(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def find_conflict(db: Database, record: Any) -> str | None:
    """A sentence when another stored record has the same natural key (workbook.md)."""
    spec = SPEC_BY_RECORD[type(record)]
    row = to_row(record)
    conditions = [f"t.{column} IS ?" for column in spec.key]
    params: list[object] = [row[column] for column in spec.key]
    if record.id is not None:
        conditions.append("t.id != ?")
        params.append(record.id)
    if spec.record is model.Unit:
        source, unit_name = f"{spec.name} t", "t.name"
    else:
        source, unit_name = f"{spec.name} t LEFT JOIN units u ON u.id = t.unit_id", "u.name"
    found = db.conn.execute(
        f"SELECT t.id, {unit_name} FROM {source} WHERE {' AND '.join(conditions)} LIMIT 1",
        params,
    ).fetchone()
    if found is None:
        return None
    name = str(found[1] or "")
    return _conflict_sentence(spec.name, row, name, SPEC_BY_NAME[spec.name].label)


def _conflict_sentence(table: str, row: Mapping[str, Any], unit_name: str, label: str) -> str:
    when = _date_text(row.get(_DATE_KEY.get(table, ""), ""))
    who = f"“{unit_name}”" if unit_name else "该企业"
    if table == "units":
        return (
            f"统一社会信用代码 {row['uscc']} 已登记为“{unit_name}”，不能重复录入；"
            "请在企业台账中找到该企业后修改"
        )
    if table == "inspections":
        return (
            f"{who}{when}已有一条执法检查记录（每家企业每天只记一次检查），"
            "请修改那条记录或核对检查日期"
        )
    if table == "accidents":
        number = row.get("accident_no") or ""
        which = f"（事故编号 {number}）" if number else ""
        return f"{who}{when}已有一条事故记录{which}；同一天有两起事故时，请填写不同的事故编号"
    if table == "penalties":
        return f"决定书文号“{row['doc_no']}”已经登记（{who}），请核对文号"
    if table == "violations":
        kind = model.VIOLATION_KIND_BY_CODE.get(str(row["kind"]))
        kind_name = kind.name if kind else str(row["kind"])
        return f"{who}{when}已登记过“{kind_name}”（责任主体：{row['subject']}），请核对"
    if table == "commitments":
        return f"{who}{when}已登记过一份“{row['type']}”，请核对"
    if table == "honours":
        return f"{who}{when}已登记过一项“{row['type']}”表彰，请核对"
    if table == "joint_punishments":
        return f"{who}已有一条开始日期为{when}的联合惩戒记录，请核对"
    return f"已有一条相同的{label}记录，请核对"


_DATE_KEY: dict[str, str] = {
    "inspections": "inspected_on",
    "accidents": "occurred_on",
    "violations": "occurred_on",
    "commitments": "signed_on",
    "honours": "honoured_on",
    "joint_punishments": "starts_on",
}


def _bounded(
    raw: object,
    spec: FieldSpec,
    label: str,
    parse: Callable[..., int | float],
    maximum: float,
) -> int | float:
    """A count or an amount: required if the field is, parsed, and not absurdly large."""
    if spec.required and _is_blank(raw):
        raise ValidationError(label, "不能为空", raw)
    try:
        value = parse(raw, field=label)
    except ValidationError:
        raise
    except (ValueError, OverflowError):
        raise ValidationError(label, "数字过大，请核对", raw) from None
    if value > maximum:
        raise ValidationError(label, f"数字过大（{value}），请核对", raw)
    return value
