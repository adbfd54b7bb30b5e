"""Fixed vocabularies shared by every profile (grading.md, workbook.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "管理员"
    REVIEWER = "审核员"
    CLERK = "录入员"


class UnitStatus(StrEnum):
    NORMAL = "正常"
    SUSPENDED = "停产整顿"
    CLOSED = "关闭"


class StandardizationLevel(StrEnum):
    FIRST = "一级"
    SECOND = "二级"
    THIRD = "三级"
    NONE = "无"


class AccidentGrade(StrEnum):
    """事故等级, ordered from least to most severe (see ACCIDENT_GRADE_ORDER)."""

    ORDINARY = "一般"
    LARGER = "较大"
    MAJOR = "重大"
    EXTRAORDINARY = "特别重大"


ACCIDENT_GRADE_ORDER: tuple[AccidentGrade, ...] = (
    AccidentGrade.ORDINARY,
    AccidentGrade.LARGER,
    AccidentGrade.MAJOR,
    AccidentGrade.EXTRAORDINARY,
)


class Responsibility(StrEnum):
    YES = "是"
    NO = "否"
    PENDING = "待定"


class InspectionMethod(StrEnum):
    DAILY = "日常"
    PLANNED = "计划"
    RANDOM = "双随机"
    SPECIAL = "专项"
    COMPLAINT = "举报核查"
    FOLLOW_UP = "复查"


class PenaltyDepartment(StrEnum):
    EMERGENCY = "应急管理部门"
    OTHER = "其他部门"


class ViolationSubject(StrEnum):
    UNIT = "单位"
    MAIN_PERSON = "主要负责人"
    SAFETY_PERSON = "分管安全负责人"


class CommitmentType(StrEnum):
    UNIT = "单位承诺"
    MAIN_PERSON_DUTY = "主要负责人履职尽责承诺"


class HonourLevel(StrEnum):
    COUNTY = "县级"
    CITY = "市级"
    PROVINCE = "省级"
    NATIONAL = "国家级"


HONOUR_LEVEL_ALIASES: dict[str, HonourLevel] = {"自治区级": HonourLevel.PROVINCE}


class HonourType(StrEnum):
    ADVANCED_UNIT = "先进单位"
    COMMENDATION = "通报表扬"
    TYPICAL_PUBLICITY = "典型宣传"


# 处罚类别 of workbook.md (the national 双公示 vocabulary); a penalty may have several.
PENALTY_TYPES: tuple[str, ...] = (
    "警告",
    "通报批评",
    "罚款",
    "没收违法所得",
    "没收非法财物",
    "暂扣许可证件",
    "降低资质等级",
    "吊销许可证件",
    "限制开展生产经营活动",
    "责令停产停业",
    "责令关闭",
    "限制从业",
    "其他",
)
PENALTY_TYPE_SEPARATOR = "、"


class RepairTarget(StrEnum):
    PENALTY = "行政处罚"
    VIOLATION = "失信行为"
    ACCIDENT = "生产安全事故"


@dataclass(frozen=True)
class ViolationKind:
    code: str
    name: str
    serious: bool


VIOLATION_KINDS: tuple[ViolationKind, ...] = (
    ViolationKind("no_permit", "未依法取得安全生产许可或许可暂扣、吊销期间擅自生产经营", True),
    ViolationKind("major_hazard_unrectified", "重大事故隐患不及时整改，仍组织冒险作业", True),
    ViolationKind("evade_supervision", "以隐蔽、欺骗、阻碍等方式逃避、对抗安全监管监察", True),
    ViolationKind("operate_while_suspended", "被责令停产停业整顿仍从事生产经营", True),
    ViolationKind("accident_concealed", "瞒报、谎报生产安全事故", True),
    ViolationKind("accident_reported_late", "迟报生产安全事故", True),
    ViolationKind(
        "facilities_not_accepted", "高危行业建设项目安全设施未经验收合格即投入使用", True
    ),
    ViolationKind("overstep_mining", "矿山超层越界开采、以探代采", True),
    ViolationKind(
        "obstruct_investigation",
        "事故后破坏现场、伪造证据、妨碍调查，不立即组织抢救，主要负责人擅离职守或逃匿",
        True,
    ),
    ViolationKind("false_report_agency", "技术服务机构出具虚假报告或证明、租借或转让资质", True),
    ViolationKind("refuse_penalty_execution", "有执行能力拒不执行或逃避执行行政处罚", True),
    ViolationKind(
        "aggravated_fine",
        "事故情节特别严重、影响特别恶劣，依安全生产法第一百一十四条处二至五倍罚款",
        True,
    ),
    ViolationKind(
        "other_serious", "其他违反安全生产法律法规受到行政处罚且性质恶劣、情节严重", True
    ),
    ViolationKind("illegal_production", "非法违法组织生产经营建设", False),
    ViolationKind(
        "dual_prevention_missing",
        "未按规定开展风险分级管控和隐患排查治理双重预防体系建设",
        False,
    ),
    ViolationKind("hazard_unreported", "隐患排查不如实记录、上报或期限内未完成整改", False),
    ViolationKind("refuse_directive", "拒不执行安全监管监察指令或逾期不履行处罚", False),
    ViolationKind("accident_not_reported", "未依法报告事故、组织抢险救援", False),
    ViolationKind("commitment_breach", "违反安全生产承诺", False),
    ViolationKind("other", "其他安全生产失信行为", False),
)

VIOLATION_KIND_BY_CODE: dict[str, ViolationKind] = {k.code: k for k in VIOLATION_KINDS}
VIOLATION_KIND_BY_NAME: dict[str, ViolationKind] = {k.name: k for k in VIOLATION_KINDS}


RECORD_KIND_TABLES: dict[str, str] = {
    "inspection": "inspections",
    "accident": "accidents",
    "penalty": "penalties",
    "violation": "violations",
    "commitment": "commitments",
    "honour": "honours",
}
"""cli.md's KIND of a record (``add``, ``records``, batch entry) → the record table."""

# --- Records, one dataclass per table of the schema (db/migrations). Dates are ISO text
# in storage and ``datetime.date`` here; ``id`` is None until stored.


@dataclass
class Unit:
    uscc: str
    name: str
    category: str
    reporter: str = ""
    check_accepted: bool = False
    town: str = ""
    address: str = ""
    legal_rep: str = ""
    main_person: str = ""
    main_person_id: str = ""
    safety_person: str = ""
    phone: str = ""
    permit_no: str = ""
    permit_valid_until: date | None = None
    std_level: str = StandardizationLevel.NONE
    std_awarded_on: date | None = None
    std_valid_until: date | None = None
    high_risk: bool = False
    status: str = UnitStatus.NORMAL
    founded_on: date | None = None  # 成立日期: the unit has no grade before it (Revision 2)
    id: int | None = None


@dataclass
class Inspection:
    unit_id: int
    inspected_on: date
    method: str = InspectionMethod.PLANNED
    inspectors: str = ""
    hazards: int = 0
    major_hazards: int = 0
    rectify_deadline: date | None = None
    rectified_on: date | None = None
    doc_no: str = ""
    note: str = ""
    id: int | None = None


@dataclass
class Accident:
    unit_id: int
    occurred_on: date
    grade: str
    responsible: str
    accident_no: str = ""
    deaths: int = 0
    serious_injuries: int = 0
    loss_wan: float = 0.0
    needs_review: bool = False
    note: str = ""
    id: int | None = None


@dataclass
class Penalty:
    unit_id: int
    doc_no: str
    decided_on: date
    department: str
    reason: str = ""
    fine_yuan: float = 0.0
    published_on: date | None = None
    violation_type: str = ""  # 违法行为类型 (双公示)
    legal_basis: str = ""  # 处罚依据
    penalty_types: str = ""  # 处罚类别: PENALTY_TYPES, several joined by 、
    penalty_content: str = ""  # 处罚内容
    aggravated_fine: bool = False  # 加重罚款: 安全生产法第一百一十四条 two to five times
    id: int | None = None


@dataclass
class Violation:
    unit_id: int
    kind: str
    occurred_on: date
    subject: str = ViolationSubject.UNIT
    person_name: str = ""
    basis_doc: str = ""
    note: str = ""
    id: int | None = None


@dataclass
class Commitment:
    unit_id: int
    type: str
    signed_on: date
    signer: str = ""
    withdrawn_on: date | None = None
    id: int | None = None


@dataclass
class Honour:
    unit_id: int
    honoured_on: date
    level: str
    type: str
    title: str = ""
    id: int | None = None


@dataclass
class JointPunishment:
    unit_id: int
    department: str
    starts_on: date
    ends_on: date | None = None
    id: int | None = None


@dataclass
class Repair:
    unit_id: int
    target_kind: str
    approved_on: date
    penalty_id: int | None = None
    violation_id: int | None = None
    accident_id: int | None = None
    approval_no: str = ""
    # 按修订失效: an accident repair of before grading.md Revision 2 (accidents are never
    # repaired); the row is kept as history and counts nowhere
    void_reason: str | None = None
    id: int | None = None


@dataclass
class Inspector:
    name: str
    cert_no: str
    org: str = ""
    active: bool = True
    id: int | None = None


# --- The annual inspection plan, its items and adoptions (scheduling/plan.py computes them,
# storage/plans.py stores them): here, below both, so storage need not import scheduling.

FOLLOW_UP_NOTE = "停产整顿：恢复生产前须复查"
CANNOT_FIT_NOTE = "本时段检查能力已满，无法安排"
HIGHER_TIER_NOTE = "由上级执法主体检查，不占本级检查能力"


class PlanStatus(StrEnum):
    DONE = "已完成"
    NOT_DUE = "未到期"
    DUE = "到期未检"
    OVERDUE = "逾期"


@dataclass(slots=True)
class PlannedInspection:
    """One planned inspection (read-only by convention; not frozen, because a frozen
    dataclass is three times slower to build and a plan holds ~170,000 of them)."""

    unit_id: int
    uscc: str
    name: str
    category: str
    town: str
    status_of_unit: str
    grade: str
    high_risk: bool
    interval_months: int
    last_inspection: date | None  # on or before 31 December Y-1
    window_start: date
    window_end: date
    window_label: str  # 第一季度 / 上半年 / 全年 …
    due_on: date  # the planned day: the due date clamped into the window
    suggested_month: int  # 1–12, after levelling
    original_month: int  # before levelling
    body: str
    county: bool  # False: a higher tier's; takes no county capacity
    fits: bool  # False: levelling found no month with room in the window
    status: PlanStatus
    done_on: date | None  # the inspection that fulfils it

    @property
    def follow_up(self) -> bool:
        return self.status_of_unit == UnitStatus.SUSPENDED

    def window_text(self) -> str:
        return f"{self.window_label}（{self.window_start:%m-%d}至{self.window_end:%m-%d}）"

    def status_text(self) -> str:
        if self.done_on is not None:
            return f"{self.status}（{self.done_on.isoformat()}）"
        return str(self.status)

    def remarks(self) -> str:
        """The 备注 of the plan's row (window and workbook)."""
        parts = []
        if self.last_inspection is None:
            parts.append("从未检查")
        if self.follow_up:
            parts.append(FOLLOW_UP_NOTE)
        if not self.county:
            parts.append(HIGHER_TIER_NOTE)
        if not self.fits:
            parts.append(CANNOT_FIT_NOTE)
        elif self.suggested_month != self.original_month:
            parts.append(f"由{self.original_month}月调整")
        return "；".join(parts)


@dataclass(frozen=True)
class Adoption:
    """One adoption of a year's plan (storage/plans.py keeps them)."""

    id: int
    year: int
    capacity: int | None
    basis: str
    as_of: date
    computed_on: date  # the day the plan was computed
    adopted_at: str
    adopted_by: str
    items_count: int
    items_sha256: str

    def describe(self) -> str:
        when = self.adopted_at.replace("T", " ")[:16]
        return f"{when} 由 {self.adopted_by} 采用"


GRADE_LETTERS: tuple[str, ...] = ("A", "B", "C", "D")  # every profile's (rules/profile.py)


@dataclass(frozen=True)
class Plan:
    year: int
    as_of: date  # the grades' date: 31 December Y-1
    basis: str  # which grades, as a sentence
    capacity: int | None
    today: date
    items: list[PlannedInspection]  # by suggested month, then code
    adopted: Adoption | None = None  # the adoption this plan is (None: a draft)

    @property
    def county_items(self) -> list[PlannedInspection]:
        return [i for i in self.items if i.county]

    @property
    def cannot_fit(self) -> list[PlannedInspection]:
        return [i for i in self.items if not i.fits]

    def month_loads(self) -> list[int]:
        """Planned county inspections per month (index 0 = January), fitting ones only."""
        loads = [0] * 12
        for i in self.items:
            if i.county and i.fits:
                loads[i.suggested_month - 1] += 1
        return loads

    def counts_by_grade(self) -> dict[str, int]:
        counts = {g: 0 for g in GRADE_LETTERS}
        for i in self.items:
            counts[i.grade] = counts.get(i.grade, 0) + 1
        return counts

    def units_by_grade(self) -> dict[str, int]:
        seen: dict[str, set[int]] = {g: set() for g in GRADE_LETTERS}
        for i in self.items:
            seen.setdefault(i.grade, set()).add(i.unit_id)
        return {g: len(s) for g, s in seen.items()}

    def counts_by_status(self) -> dict[str, int]:
        counts = {s.value: 0 for s in PlanStatus}
        for i in self.items:
            counts[i.status.value] += 1
        return counts

    def bodies(self) -> list[str]:
        return sorted({i.body for i in self.items})

    def towns(self) -> list[str]:
        return sorted({i.town for i in self.items})


# --- The kinds of printed documents (documents.md; documents/kinds.py says what each is
# made from): here, below storage, whose audit of the document register names them.


@dataclass(frozen=True)
class DocumentKind:
    kind: str  # as in ``safecredit print KIND``
    name: str  # 名称
    needs: str  # units | year | draw | repair | objection | listing
    graded: bool = False  # filled from a grade: live as of a date, or a confirmed year


DOCUMENT_KINDS: tuple[DocumentKind, ...] = (
    DocumentKind("grade-notice", "安全生产信用等级告知书", "units", graded=True),
    DocumentKind("commitment", "安全生产承诺书", "units"),
    DocumentKind("duty-commitment", "主要负责人安全生产履职尽责承诺书", "units"),
    DocumentKind("listing-notice", "列入严重失信主体名单告知书", "units", graded=True),
    DocumentKind("removal-decision", "信用修复决定书", "repair"),
    DocumentKind("objection-reply", "异议申请答复书", "objection"),
    DocumentKind("inspection-plan", "年度执法检查计划", "year"),
    DocumentKind("draw-notice", "双随机抽查结果公示", "draw"),
)
DOCUMENT_KIND_BY_NAME = {k.kind: k for k in DOCUMENT_KINDS}
