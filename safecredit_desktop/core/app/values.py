"""Values the Session's parts return (results, summaries) and shared constants."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from safecredit_desktop.core.documents import build as _doc_build
from safecredit_desktop.core.documents import kinds as _doc_kinds
from safecredit_desktop.core.documents import register as _doc_register
from safecredit_desktop.core.exchange import column_mapping as _column_mapping
from safecredit_desktop.core.exchange import importer as _importer
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.storage import assessments
from safecredit_desktop.core.workflows import bad_records as _bad
from safecredit_desktop.core.workflows import lists as _lists
from safecredit_desktop.core.workflows import objections as _objections
from safecredit_desktop.core.workflows import publicity as _publicity
from safecredit_desktop.core.workflows import repairs as _repairs

if TYPE_CHECKING:
    pass


# The first administrator of a database (init --admin, the first-run dialog, the first
# administrator of a database made without one) also reviews: a small office has one
# person who must be able to confirm the annual assessment (审核员). Either role can be
# taken away later (users set-role, 设置 → 用户).
FIRST_ADMIN_ROLES = frozenset({Role.ADMIN, Role.REVIEWER})


# Called with each warning when a database opens (the CLI prints them on stderr).
OPEN_WARNING_HOOKS: list[Callable[[str], None]] = []


RECOVERY_ACKNOWLEDGE = (
    "管理员确认知悉后不再提示（窗口：提示栏的“确认知悉”；命令行：safecredit --user 管理员名"
    " users recover --acknowledge）。"
)


@dataclass(frozen=True)
class CheckReport:
    problems: list[str]
    counts: dict[str, int]
    audit_entries: int
    schema_version: int
    notes: list[str] = field(default_factory=list)  # said once, not a failure

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class CopyReport:
    counts: dict[str, int]  # rows per table copied
    source: CheckReport
    target: CheckReport


@dataclass(frozen=True)
class DemoResult:
    counts: dict[str, int]  # by table name


_EXTRA_TABLE_LABELS = {"inspector_conflicts": "执法人员回避关系"}


@dataclass(frozen=True)
class HomeSummary:
    bureau_name: str
    profile_title: str
    units_by_status: dict[str, int]
    records: dict[str, int]  # Chinese label → count
    last_backup: str | None


@dataclass(frozen=True)
class GradeChange:
    unit_id: int
    uscc: str
    name: str
    before: str | None  # the grade in the last confirmed assessment; None: not graded then
    after: str


@dataclass(frozen=True)
class AssessmentPreview:
    year: int
    as_of: date
    results: list[Any]
    previous_year: int | None
    changes: list[GradeChange]
    confirmed: assessments.StoredAssessment | None


ImportSummary = _importer.ImportSummary


WorkbookError = _importer.WorkbookError


MappingProposal = _column_mapping.MappingProposal


# Sheets whose rows change grades and draws: imported only by a 审核员 or 管理员
# (workbook.md "Roles"). Rows that change nothing (a re-imported export) need no role.
REVIEWED_IMPORT_TABLES = ("repairs", "inspectors")


@dataclass(frozen=True)
class GradePoint:
    """One point of a unit's grade history: a date, the grade, and where it comes from."""

    day: date
    grade: str
    label: str
    source: str  # "实时" or "2026年度评定（已确认）"


_NOT_READ: Any = object()  # "read the adopted plan yourself"


@dataclass(frozen=True)
class InspectionProgress:
    """统计报表's schedule section: planned vs done per month of a year, overdue per town."""

    year: int
    planned: list[int]  # index 0 = January: planned county inspections (the annual plan)
    done: list[int]  # of those, fulfilled by an inspection record
    overdue_by_town: dict[str, int]
    as_of: date


DRAW_AVOID_OWN_TOWN = "draw_avoid_own_town"


DocumentRequest = _doc_build.DocumentRequest


DocumentKind = _doc_kinds.DocumentKind


IssuedDocument = _doc_register.IssuedDocument


DOC_PREFIX_KEY = "doc_prefix."


DOC_FONTS_OFFICIAL = "documents.official_fonts"


DOC_FONT_FOLDER = "documents.font_folder"


_FORBIDDEN_IN_PREFIX = set(" \t\r\n〔〕[]()（）")


@dataclass(frozen=True)
class FontSettings:
    use_official: bool
    folder: str
    description: str  # the fonts documents are drawn with now
    notes: list[str]  # why an official font is not used


@dataclass(frozen=True)
class IssueResult:
    pdf: bytes
    issued: list[_doc_register.IssuedDocument]
    reprinted: list[_doc_register.IssuedDocument]
    notes: list[str]


ListEntry = _lists.ListEntry


Objection = _objections.Objection


RepairApplication = _repairs.Application


RepairCheck = _repairs.Check


BadRecord = _bad.BadRecord


PublicityItem = _publicity.PublicityItem


Permit = _publicity.Permit


CommitmentGap = _publicity.CommitmentGap


OBJECTION_TARGETS = _objections.TARGET_TABLES


REPAIR_TARGETS = _repairs.TARGET_NAMES
