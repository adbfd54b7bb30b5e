"""The import template (workbook.md) as data: sheets, columns, natural keys, notes.

Every sheet of the template is a :class:`SheetSpec`; each column a :class:`Column`
with its header, the record attribute it fills, how the cell is read (``kind``),
whether it is required, its validation list, whether it is a code (written as a text
cell, refused when it arrives as a number or with spaces around it) and the sentence
that explains it on the template's 说明 sheet.

The columns of the eight record kinds that have an entry form are built from the
form's :class:`~safecredit_desktop.core.forms.FieldSpec` (same label, same checks),
so a workbook cell and a form field are validated by the same code
(:func:`safecredit_desktop.core.forms.build_record`). Only what the forms do not
have is described here: the unit reference of record sheets, 代码校验, 核实状态,
the 执法人员 and 信用修复 sheets.

Headers are compared after :func:`fold_header`: full-width characters become
half-width (NFKC), every space is dropped and a trailing ``*`` (the template's
"required" mark, if a user adds one) is ignored; so 直接经济损失（万元） is
直接经济损失(万元).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from safecredit_desktop.core import model
from safecredit_desktop.core.forms import FORMS, FieldKind, FieldSpec
from safecredit_desktop.core.rules.profile import Profile

__all__ = [
    "AUX_SHEETS",
    "NOTES_SHEET",
    "OPTIONS_SHEET",
    "SHEETS",
    "SHEET_BY_NAME",
    "SHEET_BY_TABLE",
    "Column",
    "ColumnKind",
    "SheetSpec",
    "display_width",
    "fold_header",
    "sheet_for_title",
]

ColumnKind = FieldKind | Literal["accept", "review", "uscc_list"]
"""How a cell is read. The form kinds keep their meaning (forms.FieldKind; its ``unit``
is the 统一社会信用代码 of the unit a record belongs to); ``accept`` is 代码校验 (接受 or
blank); ``review`` is 核实状态 (待核实, 已核实 or blank); ``uscc_list`` is 回避单位 (codes
separated by 、 or ,)."""

NOTES_SHEET = "说明"
OPTIONS_SHEET = "选项"
AUX_SHEETS: frozenset[str] = frozenset({NOTES_SHEET, OPTIONS_SHEET})
"""Sheets the program itself writes besides the data sheets; an import skips them."""

REVIEW_PENDING = "待核实"
REVIEW_DONE = "已核实"
ACCEPT_TEXT = "接受"
YES_NO: tuple[str, ...] = ("是", "否")

Choices = tuple[str, ...] | Callable[[Profile], tuple[str, ...]]


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    ``attr`` is the record attribute (``unit`` for the unit's code on record sheets;
    the 信用修复 sheet's target columns use names of their own, see importer).
    ``form_field`` is the entry-form field the column shares its checks with, if any.
    ``code`` marks identifiers: written as text cells ('@'), and on import refused
    when they arrive as numbers or with spaces around them (inner spaces too when
    ``no_spaces``). ``list_name`` names the validation list of the template.
    """

    header: str
    attr: str
    kind: ColumnKind = "text"
    required: bool = False
    note: str = ""
    choices: Choices = ()
    code: bool = False
    no_spaces: bool = False
    max_today: bool = False
    width: int = 0
    form_field: FieldSpec | None = None

    @property
    def folded(self) -> str:
        return fold_header(self.header)

    def choice_values(self, profile: Profile) -> tuple[str, ...]:
        """The values offered by the template's drop-down list (may be empty)."""
        if self.kind == "violation_kind":
            return tuple(k.name for k in model.VIOLATION_KINDS)
        if self.kind == "bool":
            return YES_NO
        if self.kind == "accept":
            return (ACCEPT_TEXT,)
        if self.kind == "review":
            return (REVIEW_PENDING, REVIEW_DONE)
        if callable(self.choices):
            return tuple(self.choices(profile))
        if self.choices:
            return self.choices
        if self.form_field is not None and self.form_field.kind == "choice":
            return self.form_field.choice_values(profile)
        return ()


@dataclass(frozen=True)
class SheetSpec:
    """One sheet: ``name`` as in workbook.md, the table it fills, its columns in template
    order, and ``key``: the attributes of its natural key (tables.py), in order."""

    name: str
    table: str
    record: type[Any]
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    note: str
    form: str | None = None
    _by_folded: dict[str, Column] = field(default_factory=dict, compare=False, repr=False)
    _by_attr: dict[str, Column] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_folded.update((c.folded, c) for c in self.columns)
        self._by_attr.update((c.attr, c) for c in self.columns)

    def column_for(self, header: str) -> Column | None:
        """The column a header names (after folding), or None."""
        return self._by_folded.get(fold_header(header))

    def column(self, attr: str) -> Column:
        """The column of the record's ``attr``; KeyError if the sheet has none."""
        return self._by_attr[attr]

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)


def fold_header(text: str) -> str:
    """A header as compared: NFKC (full-width → half-width), no spaces, no trailing ``*``."""
    folded = "".join(unicodedata.normalize("NFKC", text).split())
    return folded.rstrip("*")


def display_width(text: str) -> int:
    """Width in Excel character units: CJK and other wide characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def sheet_for_title(title: str) -> SheetSpec | None:
    """The sheet a workbook's sheet title names (folded like headers), or None."""
    return _SHEET_BY_FOLDED.get(fold_header(title))


# ---------------------------------------------------------------------------
# Building columns from the entry forms
# ---------------------------------------------------------------------------

_CODE_FIELDS = {"doc_no", "permit_no", "accident_no", "phone", "basis_doc"}
"""Form text fields that hold identifiers: text cells, never numbers (a number loses
leading zeros or turns into 9.14E+17)."""

_WIDTHS: dict[str, int] = {
    "uscc": 22,
    "unit": 22,
    "id_number": 22,
    "date": 13,
    "count": 11,
    "amount": 14,
    "bool": 10,
    "accept": 10,
    "review": 10,
    "violation_kind": 44,
    "multiline": 30,
    "uscc_list": 42,
}

_UNIT_CODE_NOTE = (
    "必填。本条记录所属企业的18位统一社会信用代码；企业须已在本系统或本工作簿“企业信息”表中。"
)


def _workbook_required(spec: FieldSpec) -> bool:
    """Required in a workbook: a form field that is required and has no default."""
    return spec.required and spec.default == ""


def _from_form(table: str, key: str, note: str, **overrides: Any) -> Column:
    spec = FORMS[table].field(key)
    kind: ColumnKind = spec.kind
    code = key in _CODE_FIELDS or kind in ("uscc", "id_number")
    values: dict[str, Any] = {
        "header": spec.label,
        "attr": key,
        "kind": kind,
        "required": _workbook_required(spec),
        "note": note,
        "code": code,
        "max_today": spec.max_today,
        "width": _WIDTHS.get(kind, 0),
        "form_field": spec,
    }
    values.update(overrides)
    return Column(**values)


def _unit_ref() -> Column:
    return Column("统一社会信用代码", "unit", "unit", True, _UNIT_CODE_NOTE, code=True, width=22)


def _date_note(what: str, *, required: bool = False, not_future: bool = True) -> str:
    head = "必填。" if required else ""
    tail = "，不能晚于今天" if not_future else ""
    return (
        f"{head}{what}。Excel 日期，或 YYYY-MM-DD、YYYY/M/D、YYYY.M.D、YYYY年M月D日、"
        f"YYYYMMDD{tail}。"
    )


def _categories(profile: Profile) -> tuple[str, ...]:
    return profile.categories


_UNIT_COLUMNS = (
    _from_form(
        "units",
        "uscc",
        "必填。18位统一社会信用代码，按营业执照填写，字母大写，不用 I、O、S、V、Z，"
        "必须以文本填写（不能是数字，前后不能有空格）。同一代码再次导入即更新该企业。",
    ),
    _from_form("units", "name", "必填。与营业执照一致。"),
    _from_form(
        "units",
        "category",
        "必填。本局信用规则中的行业类别之一（见下拉列表）。",
        choices=_categories,
        width=18,
    ),
    _from_form(
        "units",
        "reporter",
        "报送本条企业信息的单位；留空表示本局。填写本局名称也视为本局。"
        "汇总各县数据时用于保留各县的名称。",
        width=24,
    ),
    _from_form(
        "units",
        "check_accepted",
        "代码校验码不符但与证照一致（少数2016年前发放的代码）时填“接受”，否则留空。",
        kind="accept",
        width=10,
    ),
    _from_form("units", "town", "所在乡镇（街道）。"),
    _from_form("units", "address", "地址。", width=30),
    _from_form("units", "legal_rep", "法定代表人。"),
    _from_form("units", "main_person", "主要负责人。"),
    _from_form(
        "units",
        "main_person_id",
        "18位身份证号，末位X大写，以文本填写。个人信息：导出时仅在明确要求时写出。",
    ),
    _from_form("units", "safety_person", "分管安全负责人。"),
    _from_form("units", "phone", "联系电话，以文本填写（避免丢失区号前的0）。", width=16),
    _from_form("units", "permit_no", "安全生产许可证号，以文本填写。", width=22),
    _from_form(
        "units", "permit_valid_until", _date_note("许可证有效期的最后一天", not_future=False)
    ),
    _from_form("units", "std_level", "一级、二级、三级或无；留空：新企业为“无”，已有企业不变。"),
    _from_form("units", "std_awarded_on", _date_note("标准化等级评定日期")),
    _from_form(
        "units",
        "std_valid_until",
        _date_note("标准化等级有效期的最后一天，应晚于评定日期", not_future=False),
    ),
    _from_form("units", "high_risk", "是或否；行业类别本身属高危的，不论是否填“是”均按高危管理。"),
    _from_form(
        "units", "status", "正常、停产整顿或关闭；留空：新企业为“正常”，已有企业不变。", width=12
    ),
    _from_form(
        "units",
        "founded_on",
        _date_note(
            "企业成立（登记）日期，不是录入日期；评定基准日早于此日期时该企业不评定信用等级，"
            "不列入名单和统计。留空：从有记录起评定",
            not_future=False,
        ),
    ),
)

_INSPECTION_COLUMNS = (
    _unit_ref(),
    _from_form(
        "inspections",
        "inspected_on",
        _date_note("检查日期；每家企业每天只记一次检查", required=True),
    ),
    _from_form(
        "inspections",
        "method",
        "日常、计划、双随机、专项、举报核查或复查；留空：新记录为“计划”。",
        width=12,
    ),
    _from_form("inspections", "inspectors", "执法人员姓名，多人用“、”分隔。", width=20),
    _from_form("inspections", "hazards", "不小于0的整数；留空为0。"),
    _from_form(
        "inspections",
        "major_hazards",
        "重大事故隐患与重大职业病危害隐患合计；不小于0的整数，不多于发现隐患数；留空为0。"
        "重大隐患数不少于1的检查为不良信用记录。",
    ),
    _from_form(
        "inspections",
        "rectify_deadline",
        _date_note("整改期限，不早于检查日期", not_future=False),
    ),
    _from_form("inspections", "rectified_on", _date_note("整改完成日期，不早于检查日期")),
    _from_form("inspections", "doc_no", "检查文书编号，以文本填写。", width=24),
    _from_form("inspections", "note", "备注。"),
)

_ACCIDENT_COLUMNS = (
    _unit_ref(),
    _from_form("accidents", "occurred_on", _date_note("事故发生日期", required=True)),
    _from_form(
        "accidents",
        "accident_no",
        "同一企业同一天有两起事故时用于区分，以文本填写；否则留空。",
        width=14,
    ),
    _from_form(
        "accidents",
        "grade",
        "一般、较大、重大或特别重大；留空则按死亡、重伤人数和直接经济损失判定。"
        "填报等级低于数字对应等级的将被拒绝，高于的按填报等级保存并标记待核实。",
        width=12,
    ),
    _from_form("accidents", "deaths", "不小于0的整数；留空为0。"),
    _from_form("accidents", "serious_injuries", "不小于0的整数；留空为0。"),
    _from_form("accidents", "loss_wan", "直接经济损失，单位万元；留空为0。", width=20),
    _from_form("accidents", "responsible", "必填。是、否或待定（调查未结论时）。"),
    Column(
        "核实状态",
        "needs_review",
        "review",
        note="导出时写出：填报等级高于伤亡、损失数字对应等级的记录为“待核实”。导入时可留空；"
        "填“待核实”则标记待核实，填“已核实”则取消标记。",
        width=10,
    ),
    _from_form("accidents", "note", "备注。"),
)

_PENALTY_COLUMNS = (
    _unit_ref(),
    _from_form(
        "penalties",
        "doc_no",
        "必填。行政处罚决定书文号，以文本填写；同一文号再次导入即更新该记录。",
        width=26,
    ),
    _from_form("penalties", "decided_on", _date_note("决定日期", required=True)),
    _from_form("penalties", "department", "必填。应急管理部门或其他部门。", width=16),
    _from_form("penalties", "reason", "处罚事由。"),
    _from_form("penalties", "fine_yuan", "罚款金额，单位元；留空为0。", width=14),
    _from_form("penalties", "published_on", _date_note("公示日期，不早于决定日期")),
    _from_form("penalties", "violation_type", "违法行为类型，按处罚决定书填写（行政处罚双公示）。"),
    _from_form("penalties", "legal_basis", "处罚依据：处罚所依据的法律条款。", width=30),
    _from_form(
        "penalties",
        "penalty_types",
        "处罚类别：" + "、".join(model.PENALTY_TYPES) + "之一，多个用“、”分隔。",
        width=24,
    ),
    _from_form("penalties", "penalty_content", "处罚内容。", width=30),
    _from_form(
        "penalties",
        "aggravated_fine",
        "是或否；留空为否。“是”：事故情节特别严重、影响特别恶劣，"
        "依安全生产法第一百一十四条处二至五倍罚款。",
    ),
)

_VIOLATION_COLUMNS = (
    _unit_ref(),
    _from_form(
        "violations",
        "kind",
        "必填。失信行为类型：完整的中文名称（见下拉列表）或类型代码（如 no_permit）。",
    ),
    _from_form("violations", "occurred_on", _date_note("发生日期", required=True)),
    _from_form(
        "violations",
        "subject",
        "单位、主要负责人或分管安全负责人；留空为单位。",
        width=16,
    ),
    _from_form("violations", "person_name", "责任主体为个人时，填写当时的责任人姓名。", width=12),
    _from_form("violations", "basis_doc", "认定文书编号，以文本填写。", width=24),
    _from_form("violations", "note", "备注。"),
)

_COMMITMENT_COLUMNS = (
    _unit_ref(),
    _from_form("commitments", "type", "必填。单位承诺或主要负责人履职尽责承诺。", width=24),
    _from_form("commitments", "signed_on", _date_note("签署日期", required=True)),
    _from_form("commitments", "signer", "签署人。"),
    _from_form("commitments", "withdrawn_on", _date_note("撤回日期，不早于签署日期")),
)

_HONOUR_COLUMNS = (
    _unit_ref(),
    _from_form("honours", "honoured_on", _date_note("表彰日期", required=True)),
    _from_form(
        "honours",
        "level",
        "必填。县级、市级、省级或国家级；自治区级按省级。",
        choices=(*(str(v.value) for v in model.HonourLevel), "自治区级"),
    ),
    _from_form("honours", "type", "必填。先进单位、通报表扬或典型宣传。"),
    _from_form("honours", "title", "表彰名称，如：2024年度安全生产先进单位。", width=30),
)

_JOINT_COLUMNS = (
    _unit_ref(),
    _from_form("joint_punishments", "department", "必填。认定联合惩戒的部门。", width=20),
    _from_form("joint_punishments", "starts_on", _date_note("开始日期", required=True)),
    _from_form(
        "joint_punishments",
        "ends_on",
        _date_note("结束日期，不早于开始日期；留空表示尚未结束", not_future=False),
    ),
)

_INSPECTOR_COLUMNS = (
    Column("姓名", "name", "text", True, "必填。执法人员姓名。", width=10),
    Column(
        "执法证号",
        "cert_no",
        "text",
        True,
        "必填。执法证号，以文本填写，不含空格；同一证号再次导入即更新该人员。",
        code=True,
        no_spaces=True,
        width=20,
    ),
    Column("所属单位", "org", "text", note="所属单位（科室、乡镇）。", width=16),
    Column("在岗", "active", "bool", note="是或否；留空：新人员为“是”，已有人员不变。", width=8),
    Column(
        "回避单位",
        "conflicts",
        "uscc_list",
        note="需回避检查的企业的统一社会信用代码，多个用“、”或“,”分隔；"
        "填写后即为该人员的全部回避单位，留空则不变。",
        code=True,
    ),
)

_REPAIR_COLUMNS = (
    _unit_ref(),
    Column(
        "修复对象类型",
        "target_kind",
        "choice",
        True,
        "必填。行政处罚或失信行为；生产安全事故不能信用修复（信用分级规则修订2），"
        "填“生产安全事故”的整个工作簿不予导入。",
        choices=(model.RepairTarget.PENALTY.value, model.RepairTarget.VIOLATION.value),
        width=14,
    ),
    Column(
        "决定书文号",
        "penalty_doc_no",
        "text",
        note="修复行政处罚时必填：被修复的行政处罚决定书文号。",
        code=True,
        width=26,
    ),
    Column(
        "行为类型",
        "violation_kind",
        "violation_kind",
        note="修复失信行为时必填：被修复的失信行为类型（中文名称或代码）。",
        width=44,
    ),
    Column(
        "责任主体",
        "violation_subject",
        "choice",
        note="修复失信行为时填写：单位、主要负责人或分管安全负责人；留空为单位。",
        choices=tuple(str(s.value) for s in model.ViolationSubject),
        width=16,
    ),
    Column(
        "发生日期",
        "occurred_on",
        "date",
        note="修复失信行为时必填：被修复失信行为的发生日期。",
        width=13,
    ),
    Column(
        "事故编号",
        "accident_no",
        "text",
        note="不用填写：生产安全事故不能信用修复（本列只为读取旧的工作簿）。",
        code=True,
        width=14,
    ),
    Column(
        "批准日期",
        "approved_on",
        "date",
        True,
        "必填。信用修复批准日期，不能晚于今天，且须在被修复记录日期满规定月数"
        "（本局信用规则的最短修复期限）之后。",
        max_today=True,
        width=13,
    ),
    Column(
        "批准文号", "approval_no", "text", note="批准文书编号，以文本填写。", code=True, width=24
    ),
)

SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec(
        "企业信息",
        "units",
        model.Unit,
        _UNIT_COLUMNS,
        ("uscc",),
        "每行一家企业，按统一社会信用代码识别：新代码为新增，已有代码为更新。",
        form="units",
    ),
    SheetSpec(
        "执法检查",
        "inspections",
        model.Inspection,
        _INSPECTION_COLUMNS,
        ("unit", "inspected_on"),
        "每行一次检查，按企业 + 检查日期识别。",
        form="inspections",
    ),
    SheetSpec(
        "生产安全事故",
        "accidents",
        model.Accident,
        _ACCIDENT_COLUMNS,
        ("unit", "occurred_on", "accident_no"),
        "每行一起事故，按企业 + 事故日期 + 事故编号识别，再次导入修正后的数字即更新该事故。",
        form="accidents",
    ),
    SheetSpec(
        "行政处罚",
        "penalties",
        model.Penalty,
        _PENALTY_COLUMNS,
        ("doc_no",),
        "每行一份处罚决定，按决定书文号识别。",
        form="penalties",
    ),
    SheetSpec(
        "失信行为",
        "violations",
        model.Violation,
        _VIOLATION_COLUMNS,
        ("unit", "kind", "occurred_on", "subject"),
        "每行一项失信行为，按企业 + 行为类型 + 发生日期 + 责任主体识别。",
        form="violations",
    ),
    SheetSpec(
        "承诺书",
        "commitments",
        model.Commitment,
        _COMMITMENT_COLUMNS,
        ("unit", "type", "signed_on"),
        "每行一份承诺书，按企业 + 承诺类型 + 签署日期识别。",
        form="commitments",
    ),
    SheetSpec(
        "表彰",
        "honours",
        model.Honour,
        _HONOUR_COLUMNS,
        ("unit", "honoured_on", "type"),
        "每行一项表彰，按企业 + 表彰日期 + 表彰类型识别。",
        form="honours",
    ),
    SheetSpec(
        "联合惩戒",
        "joint_punishments",
        model.JointPunishment,
        _JOINT_COLUMNS,
        ("unit", "starts_on"),
        "每行一段联合惩戒期间，按企业 + 开始日期识别。",
        form="joint_punishments",
    ),
    SheetSpec(
        "执法人员",
        "inspectors",
        model.Inspector,
        _INSPECTOR_COLUMNS,
        ("cert_no",),
        "每行一名执法人员，按执法证号识别；回避单位为该人员不得检查的企业。",
    ),
    SheetSpec(
        "信用修复",
        "repairs",
        model.Repair,
        _REPAIR_COLUMNS,
        ("unit", "target_kind", "target"),
        "每行一项已批准的信用修复，按企业 + 被修复的那一条记录识别；"
        "被修复的记录须在本系统或本工作簿中，且恰好一条。",
    ),
)

SHEET_BY_NAME: dict[str, SheetSpec] = {s.name: s for s in SHEETS}
SHEET_BY_TABLE: dict[str, SheetSpec] = {s.table: s for s in SHEETS}
_SHEET_BY_FOLDED: dict[str, SheetSpec] = {fold_header(s.name): s for s in SHEETS}
