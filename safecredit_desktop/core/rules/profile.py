"""Credit-grading profiles (信用分级配置): TOML data files loaded into frozen dataclasses.

A profile is the grading scheme of one jurisdiction (grading.md). Everything that
differs between bureaus is data here, so that the engine never asks which profile it
runs. ``docs/profile-format.md`` is the user-facing description; in brief:

Top level: ``format = 1``; tables ``[profile]`` (name, title, rules_of, seed),
``[categories]`` (names, high_risk), ``[evaluation]`` (order, fallback,
fallback_reasons_from, fallback_text), ``[inspection]`` (interval_months = {A, B, C, D},
high_risk_interval_months), ``[deadlines]`` (objection_answer_working_days,
objection_raise_working_days, repair_min_months), ``[listing]`` (list_name,
listed_grades, names_persons, managed_grades, management_period_months,
early_removal_months), ``[publication]`` (internal_only, notice), ``[doc_prefixes]``
(one 文号 prefix per document kind in DOC_KINDS), and ``[grades.A]`` … ``[grades.D]``
(label, tier = {name, above_county}, measures, mode = "any" | "all") each with
``[[grades.X.criteria]]``.

Grades are checked in ``evaluation.order``; the first whose criteria hold (all of them
for mode "all", one for mode "any") is the grade; otherwise ``evaluation.fallback``,
explained by ``fallback_text`` and/or the failed criteria (their ``failed_text``) of
grade ``fallback_reasons_from``.

A criterion has ``code`` ("D.something", unique), ``text`` (the reason, Chinese),
optional ``failed_text``, ``fact``, ``expect`` ("some", default, or "none") and filters.
It selects the unit's matching facts as of T (dated on or before T, not repaired) and
holds when there are at least ``count_at_least`` of them (expect "some") or none
(expect "none"). Fact kinds and their filters:

- ``accident``: ``responsible`` (default true: only 责任事故 = 是; false: 是 and 否;
  待定 never counts), ``fatal`` (true: deaths >= 1), ``min_grade`` or ``accident_grades``
  (事故等级 values). Needs ``window``.
- ``violation``: ``kinds`` (codes of model.VIOLATION_KINDS; default every kind),
  ``subjects`` (单位/主要负责人/分管安全负责人; default every subject). Needs ``window``.
- ``penalty``: ``department`` (应急管理部门/其他部门; default any). Needs ``window``.
- ``honour``: ``honour_types`` (先进单位/通报表扬/典型宣传; default any), ``min_level`` or
  ``honour_levels`` (县级/市级/省级/国家级, 自治区级 = 省级). Needs ``window``, or instead
  ``consecutive_years = N`` with ``latest_year_offset_max = K``: a matching honour in
  each of N consecutive calendar years, the later one no earlier than year(T) - K.
- ``commitment``: a unit 承诺书 signed on or before T and not withdrawn by T.
- ``standardization``: ``levels`` (一级/二级/三级/无, required): the unit's level at T.
- ``joint_punishment``: a joint-punishment period active at T.

The last three are states at T and take no window or count. Record facts also take
``count_at_least`` (default 1) and ``pair_within_months``: that many records of which
the latest's date minus these months is before the earliest's (default count 2).
Windows: ``window = { months = N }`` is ``T - N months < d <= T`` (calendar months,
day clamped); ``window = "last_year_or_since"`` is 1 January of year(T)-1 to T.

Unknown keys are errors (a typo must not be silently ignored); every error is a
ProfileError naming the file, the key path and, where it can be found, the line.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn, TypeVar

from dateutil.relativedelta import relativedelta

from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import (
    ACCIDENT_GRADE_ORDER,
    HONOUR_LEVEL_ALIASES,
    VIOLATION_KIND_BY_CODE,
    AccidentGrade,
    HonourLevel,
    HonourType,
    PenaltyDepartment,
    StandardizationLevel,
    ViolationSubject,
)
from safecredit_desktop.core.model import GRADE_LETTERS as GRADE_LETTERS

BUILTIN_PROFILES: tuple[str, ...] = ("fenghuang", "kundulun", "suizhou")
FORMAT_VERSION = 2
# Format 1 (before grading.md Revision 2) had one [listing] table instead of [[lists]] and
# [management]; it is still read, as the lists it meant, so that a database keeps its rules.
READABLE_FORMATS: tuple[int, ...] = (1, 2)
# The list kinds the database accepts (list_entries.list_kind).
LIST_NAMES: tuple[str, ...] = ("红名单", "黑名单", "严重失信主体名单")
DOC_KINDS: tuple[str, ...] = (
    "grade-notice",
    "commitment",
    "duty-commitment",
    "listing-notice",
    "removal-decision",
    "objection-reply",
    "inspection-plan",
    "draw-notice",
)
HONOUR_LEVEL_ORDER: tuple[HonourLevel, ...] = (
    HonourLevel.COUNTY,
    HonourLevel.CITY,
    HonourLevel.PROVINCE,
    HonourLevel.NATIONAL,
)


class ProfileError(SafeCreditError):
    """A profile that cannot be read or is malformed; names the file, key and line."""

    def __init__(
        self, message: str, *, source: str = "", key: str = "", line: int | None = None
    ) -> None:
        where = f"信用分级配置“{source}”" if source else "信用分级配置"
        if line is not None:
            where += f"第{line}行"
        if key:
            where += f"（{key}）"
        super().__init__(f"{where}：{message}")
        self.source = source
        self.key = key
        self.line = line
        self.reason = message


class FactKind(StrEnum):
    ACCIDENT = "accident"
    VIOLATION = "violation"
    PENALTY = "penalty"
    COMMITMENT = "commitment"
    STANDARDIZATION = "standardization"
    JOINT_PUNISHMENT = "joint_punishment"
    HONOUR = "honour"
    LISTING = "listing"  # a published entry of one of the profile's lists, in force
    # for list criteria only:
    GRADE = "grade"  # the unit's grade at T
    MAJOR_HAZARD = "major_hazard"  # an inspection's 重大隐患 overdue (or rectified late)
    BAD_RECORD = "bad_record"  # a 不良信用记录 of seed 002


RECORD_FACTS = frozenset(
    {
        FactKind.ACCIDENT,
        FactKind.VIOLATION,
        FactKind.PENALTY,
        FactKind.HONOUR,
        FactKind.BAD_RECORD,
    }
)
LIST_ONLY_FACTS = frozenset({FactKind.GRADE, FactKind.MAJOR_HAZARD, FactKind.BAD_RECORD})
# The facts a list criterion may use (the record facts, the grade, hazards, bad records).
LIST_FACTS = (
    frozenset({FactKind.ACCIDENT, FactKind.VIOLATION, FactKind.PENALTY, FactKind.HONOUR})
    | LIST_ONLY_FACTS
)


class HazardState(StrEnum):
    OVERDUE = "overdue"  # at T: 整改期限 before T, 整改完成日期 blank or after T
    OVERDUE_OR_LATE = "overdue_or_late"  # dated T while overdue, 整改完成日期 once late


class Expect(StrEnum):
    SOME = "some"
    NONE = "none"


class Mode(StrEnum):
    ANY = "any"
    ALL = "all"


class WindowKind(StrEnum):
    MONTHS = "months"
    LAST_YEAR_OR_SINCE = "last_year_or_since"


@dataclass(frozen=True)
class Window:
    """Which record dates count at as-of date T (grading.md, common definitions)."""

    kind: WindowKind
    months: int = 0

    def contains(self, day: date, as_of: date) -> bool:
        if day > as_of:
            return False
        if self.kind is WindowKind.LAST_YEAR_OR_SINCE:
            return day >= date(as_of.year - 1, 1, 1)
        return day > as_of - relativedelta(months=self.months)

    def describe(self) -> str:
        if self.kind is WindowKind.LAST_YEAR_OR_SINCE:
            return "上年度以来"
        return f"{self.months}个月内"


@dataclass(frozen=True)
class Criterion:
    """One condition of a grade. Filters that are None do not filter."""

    code: str
    grade: str
    text: str
    failed_text: str | None
    fact: FactKind
    expect: Expect = Expect.SOME
    window: Window | None = None
    count_at_least: int = 1
    pair_within_months: int | None = None
    # accident: ``responsibilities`` are the 责任事故 values that count (responsible = true:
    # 是; false: 是 and 否; "any": 是, 否 and 待定); ``responsible`` is true when only 是
    responsible: bool = True
    fatal: bool = False
    responsibilities: tuple[str, ...] = ("是",)
    accident_grades: tuple[AccidentGrade, ...] | None = None
    # violation
    kinds: tuple[str, ...] | None = None
    subjects: tuple[ViolationSubject, ...] | None = None
    # penalty; ``aggravated_fine``: only penalties with 加重罚款 = 是 (true) or 否 (false)
    department: PenaltyDepartment | None = None
    aggravated_fine: bool | None = None
    # standardization
    levels: tuple[StandardizationLevel, ...] | None = None
    # honour
    honour_types: tuple[HonourType, ...] | None = None
    honour_levels: tuple[HonourLevel, ...] | None = None
    consecutive_years: int | None = None
    latest_year_offset_max: int = 0
    # a list naming persons lists the unit's 主要负责人 at the date of each record behind
    # this criterion (seed 004 "及其主要负责人"); for a violation criterion, only the
    # records of ``main_person_kinds`` when given
    lists_main_person: bool = False
    main_person_kinds: tuple[str, ...] | None = None
    # listing: the list (its key) whose published entry in force makes this hold
    list_key: str | None = None
    # grade (list criteria): the grades that meet it
    grades: tuple[str, ...] | None = None
    # major_hazard
    hazard_state: HazardState | None = None


@dataclass(frozen=True)
class Tier:
    """监管层级: who supervises units of a grade; above_county means not the county."""

    name: str
    above_county: bool


@dataclass(frozen=True)
class GradeDef:
    letter: str
    label: str
    tier: Tier | None = None
    measures: str = ""
    mode: Mode | None = None
    criteria: tuple[Criterion, ...] = ()
    # once an entry of this list (its key) is removed or its period ends, this grade's
    # criteria no longer count the records that listed the unit (grading.md Revision 2)
    released_by_list: str | None = None


@dataclass(frozen=True)
class ListDef:
    """One list of the profile ([[lists]]): which units the rules propose for it.

    The criteria are read like a grade's (mode "any" or "all"); ``incentive`` lists
    (守信激励, the red list) skip the listing notice and the statement period. A listing
    lasts ``period_months``; when a criterion behind it counts an accident of a grade in
    ``accident_period_months``, the longest of those periods (seed 002: 较大 1 year, 重大
    2, 特别重大 3)."""

    key: str
    name: str
    incentive: bool
    mode: Mode
    criteria: tuple[Criterion, ...]
    period_months: int
    accident_period_months: Mapping[str, int]
    early_removal_months: int | None
    names_persons: bool

    def period_for(self, accident_grades: Collection[str]) -> int:
        months = self.period_months
        for grade in accident_grades:
            months = max(months, self.accident_period_months.get(grade, months))
        return months


@dataclass(frozen=True)
class Deadlines:
    objection_answer_working_days: int
    objection_raise_working_days: int
    repair_min_months: int


@dataclass(frozen=True)
class ManagementPeriod:
    """Listed grades' management period and early removal (suizhou C/D: 36 and 12)."""

    grades: tuple[str, ...]
    period_months: int
    early_removal_months: int


EARLY_REMOVAL_MONTHS = 12  # seed 004; the profile's list may say otherwise


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    rules_of: str
    source_seed: str | None
    grades: Mapping[str, GradeDef]
    categories: tuple[str, ...]
    high_risk_categories: frozenset[str]
    evaluation_order: tuple[str, ...]
    fallback: str
    fallback_reasons_from: str | None
    fallback_text: str | None
    interval_months: Mapping[str, int]
    high_risk_interval_months: int
    deadlines: Deadlines
    internal_only: bool
    internal_notice: str | None
    lists: tuple[ListDef, ...]
    management: ManagementPeriod | None
    doc_prefixes: Mapping[str, str]
    text: str
    source: str = field(default="", compare=False)
    format: int = FORMAT_VERSION

    # -- lists

    @property
    def incentive_list(self) -> ListDef | None:
        return next((d for d in self.lists if d.incentive), None)

    @property
    def dishonest_list(self) -> ListDef | None:
        """The list of the seriously dishonest (黑名单, 严重失信主体名单), if any."""
        return next((d for d in self.lists if not d.incentive), None)

    @property
    def list_name(self) -> str:
        found = self.dishonest_list
        return found.name if found is not None else ""

    @property
    def listed_grades(self) -> tuple[str, ...]:
        """Grades that by themselves put a unit on the list of the dishonest (empty when
        that list has grounds of its own, as fenghuang's 黑名单 since Revision 2)."""
        found = self.dishonest_list
        if found is None:
            return ()
        return tuple(
            g for c in found.criteria if c.fact is FactKind.GRADE for g in (c.grades or ())
        )

    @property
    def list_names_persons(self) -> bool:
        found = self.dishonest_list
        return found is not None and found.names_persons

    @property
    def early_removal_months(self) -> int:
        """Months after 列入 (the review's approval) before early removal (提前移出): the
        list's own figure, else the management period's, else seed 004's twelve."""
        found = self.dishonest_list
        if found is not None and found.early_removal_months is not None:
            return found.early_removal_months
        if self.management is not None:
            return self.management.early_removal_months
        return EARLY_REMOVAL_MONTHS

    def list_def(self, name_or_key: str) -> ListDef | None:
        return next((d for d in self.lists if name_or_key in (d.name, d.key)), None)

    def label(self, letter: str) -> str:
        return self._grade(letter).label

    def grade_display(self, letter: str) -> str:
        """As on the statistics form: ``A级（红名单）``."""
        return f"{letter}级（{self._grade(letter).label}）"

    def criteria_for(self, letter: str) -> tuple[Criterion, ...]:
        return self._grade(letter).criteria

    def is_high_risk(self, category: str, marked: bool) -> bool:
        """A high-risk category, or a unit marked 高危行业 = 是 (it adds, never removes)."""
        return marked or category in self.high_risk_categories

    def interval_for(self, letter: str, high_risk: bool) -> int:
        months = self.interval_months[self._grade(letter).letter]
        return min(months, self.high_risk_interval_months) if high_risk else months

    def _grade(self, letter: str) -> GradeDef:
        try:
            return self.grades[letter]
        except KeyError:
            raise ProfileError(f"没有等级“{letter}”", source=self.name) from None


# ---------------------------------------------------------------- loading


def profiles_dir() -> Path:
    """``resources/profiles`` of the checkout, or of the PyInstaller bundle."""
    if getattr(sys, "frozen", False):
        return Path(getattr(sys, "_MEIPASS")) / "resources" / "profiles"  # noqa: B009
    return Path(__file__).resolve().parents[3] / "resources" / "profiles"


def load_profile(name_or_path: str) -> Profile:
    """A built-in profile by name, or a profile file by path."""
    builtin = name_or_path in BUILTIN_PROFILES
    if builtin:
        path = profiles_dir() / f"{name_or_path}.toml"
    elif name_or_path.endswith(".toml") or "/" in name_or_path or "\\" in name_or_path:
        path = Path(name_or_path)
    else:
        raise ProfileError(
            f"没有名为“{name_or_path}”的内置配置（内置：{'、'.join(BUILTIN_PROFILES)}）；"
            "自定义配置请给出 .toml 文件路径"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProfileError("文件不存在", source=str(path)) from None
    except UnicodeDecodeError:
        raise ProfileError("文件不是 UTF-8 编码的文本", source=str(path)) from None
    except OSError as exc:
        raise ProfileError(f"无法读取文件（{exc.strerror}）", source=str(path)) from None
    profile = parse_profile(text, source=str(path))
    if builtin and profile.name != name_or_path:
        raise ProfileError(
            f"内置配置的 name 应为“{name_or_path}”", source=str(path), key="profile.name"
        )
    return profile


def parse_profile(text: str, *, source: str) -> Profile:
    """Parse and validate profile text (a file's, or as stored in the database)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _decode_error(exc, text, source) from None
    return _Parser(text, source).profile(data)


# ---------------------------------------------------------------- errors and lines

_POSITION = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r'^\s*((?:[A-Za-z0-9_\-]+|"[^"]*")(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|"[^"]*"))*)\s*=')


_DECODE_HINTS = {
    "Cannot overwrite a value": "重复定义的配置项",
    "Cannot declare": "重复定义的表",
    "Unterminated string": "引号没有配对",
    "Illegal character": "文字中有不允许的字符（引号没有配对？）",
    "Invalid value": "值的写法不对（文字要用英文双引号括起）",
    "Expected '=' after a key": "配置项名后面应有 =",
    "Invalid statement": "无法识别的一行",
}


def _decode_error(exc: tomllib.TOMLDecodeError, text: str, source: str) -> ProfileError:
    message = str(exc)
    found = _POSITION.search(message)
    english = _POSITION.sub("", message).strip()
    hint = next((v for k, v in _DECODE_HINTS.items() if english.startswith(k)), "格式错误")
    if found and found[1]:
        line, column = int(found[1]), int(found[2])
        return ProfileError(
            f"第{column}列不是合法的 TOML：{hint}（{english}）", source=source, line=line
        )
    _, duplicate = _key_lines(text)
    if duplicate is not None:
        return ProfileError(
            f"不是合法的 TOML：重复定义的配置项（{english}）", source=source, line=duplicate
        )
    return ProfileError(f"不是合法的 TOML：{hint}（{english}）", source=source)


def _dotted(raw: str) -> str:
    return ".".join(part.strip().strip('"') for part in raw.split("."))


def _key_lines(text: str) -> tuple[dict[str, int], int | None]:
    """Map key paths (``grades.D.criteria[2].window``) to line numbers, best effort.

    Also returns the line of the first key or table defined twice, if any.
    """
    lines: dict[str, int] = {}
    counts: dict[str, int] = {}
    duplicate: int | None = None
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            name = _dotted(header[2])
            if header[1] == "[[":
                index = counts.get(name, 0)
                counts[name] = index + 1
                current = f"{name}[{index}]"
            else:
                current = name
                if current in lines and duplicate is None:
                    duplicate = number
            lines.setdefault(current, number)
            continue
        key = _KEY.match(line)
        if key:
            path = f"{current}.{_dotted(key[1])}" if current else _dotted(key[1])
            if path in lines and duplicate is None:
                duplicate = number
            lines.setdefault(path, number)
    return lines, duplicate


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _locate(lines: Mapping[str, int], path: str) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


# ---------------------------------------------------------------- parsing

_E = TypeVar("_E", bound=StrEnum)
_CODE = re.compile(r"^[A-D]\.[A-Za-z0-9_]+$")
_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
_LIST_KEY = re.compile(r"^[a-z][a-z0-9_]*$")

_CRITERION_COMMON = frozenset({"code", "text", "failed_text", "fact", "expect"})
_RECORD_KEYS = frozenset({"window", "count_at_least", "pair_within_months", "lists_main_person"})
_FACT_KEYS: dict[FactKind, frozenset[str]] = {
    FactKind.ACCIDENT: _RECORD_KEYS | {"responsible", "fatal", "min_grade", "accident_grades"},
    FactKind.VIOLATION: _RECORD_KEYS | {"kinds", "subjects"},
    FactKind.PENALTY: _RECORD_KEYS | {"department", "aggravated_fine"},
    FactKind.HONOUR: _RECORD_KEYS
    | {"honour_types", "min_level", "honour_levels", "consecutive_years", "latest_year_offset_max"},
    FactKind.COMMITMENT: frozenset(),
    FactKind.STANDARDIZATION: frozenset({"levels"}),
    FactKind.JOINT_PUNISHMENT: frozenset(),
    FactKind.LISTING: frozenset({"list"}),
    FactKind.GRADE: frozenset({"grades"}),
    FactKind.MAJOR_HAZARD: frozenset({"state", "window"}),
    FactKind.BAD_RECORD: frozenset({"window"}),
}
_LIST_KEYS = (
    "key",
    "name",
    "incentive",
    "mode",
    "period_months",
    "accident_period_months",
    "early_removal_months",
    "names_persons",
    "criteria",
)
_RESPONSIBILITIES: dict[object, tuple[str, ...]] = {
    True: ("是",),
    False: ("是", "否"),
    "any": ("是", "否", "待定"),
}
_ALL_CRITERION_KEYS = _CRITERION_COMMON.union(*_FACT_KEYS.values())


class _Parser:
    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.version = FORMAT_VERSION
        self._lines: dict[str, int] | None = None

    def fail(self, path: str, message: str) -> NoReturn:
        if self._lines is None:
            self._lines = _key_lines(self.text)[0]
        raise ProfileError(message, source=self.source, key=path, line=_locate(self._lines, path))

    # -- typed getters; ``path`` is the table's key path, ``key`` the entry

    def table(
        self, data: Mapping[str, Any], path: str, key: str, allowed: Collection[str]
    ) -> dict[str, Any]:
        full = _join(path, key)
        value = data.get(key)
        if value is None:
            self.fail(full, f"缺少表 [{full}]")
        if not isinstance(value, dict):
            self.fail(full, "应为表（[...] 或 {...}）")
        self.no_unknown(value, full, allowed)
        return value

    def no_unknown(self, data: Mapping[str, Any], path: str, allowed: Collection[str]) -> None:
        for key in data:
            if key not in allowed:
                self.fail(
                    _join(path, key),
                    f"未知的配置项“{key}”（可能拼写有误）；此处可用：{'、'.join(sorted(allowed))}",
                )

    def string(self, data: Mapping[str, Any], path: str, key: str) -> str:
        value = self.opt_string(data, path, key)
        if value is None:
            self.fail(_join(path, key), f"缺少 {key}")
        return value

    def opt_string(self, data: Mapping[str, Any], path: str, key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(_join(path, key), "应为非空的文字（用英文双引号括起）")
        return value.strip()

    def integer(self, data: Mapping[str, Any], path: str, key: str, *, minimum: int = 1) -> int:
        value = self.opt_integer(data, path, key, minimum=minimum)
        if value is None:
            self.fail(_join(path, key), f"缺少 {key}")
        return value

    def opt_integer(
        self, data: Mapping[str, Any], path: str, key: str, *, minimum: int = 1
    ) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(_join(path, key), f"应为不小于 {minimum} 的整数")
        return value

    def boolean(self, data: Mapping[str, Any], path: str, key: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.fail(_join(path, key), "应为 true 或 false")
        return value

    def strings(
        self, data: Mapping[str, Any], path: str, key: str, *, required: bool = True
    ) -> tuple[str, ...] | None:
        full = _join(path, key)
        value = data.get(key)
        if value is None:
            if required:
                self.fail(full, f"缺少 {key}")
            return None
        if not isinstance(value, list) or not value:
            self.fail(full, '应为非空的列表，如 ["甲", "乙"]')
        result: list[str] = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.fail(f"{full}[{index}]", "列表中应为非空的文字")
            if item.strip() in result:
                self.fail(f"{full}[{index}]", f"“{item}”重复出现")
            result.append(item.strip())
        return tuple(result)

    def letter(self, value: str, path: str) -> str:
        if value not in GRADE_LETTERS:
            self.fail(path, f"“{value}”不是等级字母（应为 A、B、C、D 之一）")
        return value

    def letters(
        self, data: Mapping[str, Any], path: str, key: str, *, required: bool = True
    ) -> tuple[str, ...] | None:
        values = self.strings(data, path, key, required=required)
        if values is None:
            return None
        for index, value in enumerate(values):
            self.letter(value, f"{path}.{key}[{index}]")
        return values

    def enums(
        self, data: Mapping[str, Any], path: str, key: str, enum: type[_E]
    ) -> tuple[_E, ...] | None:
        values = self.strings(data, path, key, required=False)
        if values is None:
            return None
        return tuple(self.enum(v, f"{path}.{key}[{i}]", enum) for i, v in enumerate(values))

    def enum(self, value: str, path: str, enum: type[_E]) -> _E:
        try:
            return enum(value)
        except ValueError:
            choices = "、".join(member.value for member in enum)
            self.fail(path, f"“{value}”不是可用的值（可用：{choices}）")

    # -- the profile

    def profile(self, data: dict[str, Any]) -> Profile:
        self.no_unknown(
            data,
            "",
            (
                "format",
                "profile",
                "categories",
                "evaluation",
                "inspection",
                "deadlines",
                "listing",
                "lists",
                "management",
                "publication",
                "doc_prefixes",
                "grades",
            ),
        )
        version = self.integer(data, "", "format")
        if version not in READABLE_FORMATS:
            self.fail("format", f"本程序只认识格式版本 {FORMAT_VERSION}，文件写的是 {version}")
        self.version = version

        head = self.table(data, "", "profile", ("name", "title", "rules_of", "seed"))
        name = self.string(head, "profile", "name")
        if not _NAME.match(name):
            self.fail("profile.name", "应由小写英文字母、数字、- 或 _ 组成，并以字母开头")

        cats = self.table(data, "", "categories", ("names", "high_risk"))
        categories = self.strings(cats, "categories", "names")
        assert categories is not None
        high_risk = self.strings(cats, "categories", "high_risk", required=False) or ()
        for index, category in enumerate(high_risk):
            if category not in categories:
                self.fail(f"categories.high_risk[{index}]", f"“{category}”不在 categories.names 中")

        if version == 1:
            lists, management = self.format1_lists(data)
        else:
            for key in ("listing",):
                if key in data:
                    self.fail(key, "格式版本 2 用 [[lists]] 和 [management] 代替 [listing]")
            lists = self.lists(data)
            management = self.management(data)
        list_keys = {d.key for d in lists}
        grades = self.grades(data, list_keys)
        evaluation = self.evaluation(data, grades)

        insp = self.table(data, "", "inspection", ("interval_months", "high_risk_interval_months"))
        intervals = self.table(insp, "inspection", "interval_months", GRADE_LETTERS)
        interval_months = {
            letter: self.integer(intervals, "inspection.interval_months", letter)
            for letter in GRADE_LETTERS
        }

        dl = self.table(
            data,
            "",
            "deadlines",
            ("objection_answer_working_days", "objection_raise_working_days", "repair_min_months"),
        )
        deadlines = Deadlines(
            objection_answer_working_days=self.integer(
                dl, "deadlines", "objection_answer_working_days"
            ),
            objection_raise_working_days=self.integer(
                dl, "deadlines", "objection_raise_working_days"
            ),
            repair_min_months=self.integer(dl, "deadlines", "repair_min_months"),
        )

        pub = self.table(data, "", "publication", ("internal_only", "notice"))
        internal_only = self.boolean(pub, "publication", "internal_only", False)
        notice = self.opt_string(pub, "publication", "notice")
        if internal_only and notice is None:
            self.fail("publication.notice", "internal_only = true 时须写明 notice（每页的提示语）")
        if not internal_only and notice is not None:
            self.fail("publication.notice", "只在 internal_only = true 时使用")

        prefixes = self.table(data, "", "doc_prefixes", DOC_KINDS)
        doc_prefixes = {kind: self.string(prefixes, "doc_prefixes", kind) for kind in DOC_KINDS}

        return Profile(
            name=name,
            title=self.string(head, "profile", "title"),
            rules_of=self.string(head, "profile", "rules_of"),
            source_seed=self.opt_string(head, "profile", "seed"),
            grades=MappingProxyType(grades),
            categories=categories,
            high_risk_categories=frozenset(high_risk),
            evaluation_order=evaluation[0],
            fallback=evaluation[1],
            fallback_reasons_from=evaluation[2],
            fallback_text=evaluation[3],
            interval_months=MappingProxyType(interval_months),
            high_risk_interval_months=self.integer(insp, "inspection", "high_risk_interval_months"),
            deadlines=deadlines,
            internal_only=internal_only,
            internal_notice=notice,
            lists=lists,
            management=management,
            doc_prefixes=MappingProxyType(doc_prefixes),
            text=self.text,
            source=self.source,
            format=version,
        )

    # -- lists

    def format1_lists(
        self, data: Mapping[str, Any]
    ) -> tuple[tuple[ListDef, ...], ManagementPeriod | None]:
        """A format-1 [listing] as the lists it meant: the red list of grade A units and
        the list of the dishonest of its listed grades (periods as seed 002 unless a
        management period is given)."""
        listing = self.table(
            data,
            "",
            "listing",
            (
                "list_name",
                "listed_grades",
                "names_persons",
                "managed_grades",
                "management_period_months",
                "early_removal_months",
            ),
        )
        name = self.string(listing, "listing", "list_name")
        if name not in LIST_NAMES[1:]:
            self.fail("listing.list_name", f"应为{'或'.join(LIST_NAMES[1:])}")
        listed = self.letters(listing, "listing", "listed_grades")
        assert listed is not None
        keys = ("managed_grades", "management_period_months", "early_removal_months")
        management = self.management_of(listing, "listing", keys)
        red = ListDef(
            key="red",
            name=LIST_NAMES[0],
            incentive=True,
            mode=Mode.ALL,
            criteria=(
                Criterion(
                    code="red.grade",
                    grade="",
                    text="信用等级评定为A级",
                    failed_text=None,
                    fact=FactKind.GRADE,
                    grades=("A",),
                ),
            ),
            period_months=12,
            accident_period_months=MappingProxyType({}),
            early_removal_months=None,
            names_persons=False,
        )
        dishonest = ListDef(
            key="dishonest",
            name=name,
            incentive=False,
            mode=Mode.ANY,
            criteria=(
                Criterion(
                    code="dishonest.grade",
                    grade="",
                    text=f"信用等级评定为{'、'.join(listed)}级",
                    failed_text=None,
                    fact=FactKind.GRADE,
                    grades=listed,
                ),
            ),
            period_months=management.period_months if management else 12,
            accident_period_months=MappingProxyType(
                {} if management else {"较大": 12, "重大": 24, "特别重大": 36}
            ),
            early_removal_months=management.early_removal_months if management else 12,
            names_persons=self.boolean(listing, "listing", "names_persons", False),
        )
        return (red, dishonest), management

    def lists(self, data: Mapping[str, Any]) -> tuple[ListDef, ...]:
        raw = data.get("lists")
        if raw is None:
            return ()
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            self.fail("lists", "应写作 [[lists]] 表")
        result: list[ListDef] = []
        codes: set[str] = set()
        for index, item in enumerate(raw):
            path = f"lists[{index}]"
            self.no_unknown(item, path, _LIST_KEYS)
            key = self.string(item, path, "key")
            if not _LIST_KEY.match(key):
                self.fail(f"{path}.key", "应由小写英文字母、数字或 _ 组成，并以字母开头")
            name = self.string(item, path, "name")
            if name not in LIST_NAMES:
                self.fail(f"{path}.name", f"应为{'、'.join(LIST_NAMES)}之一")
            for other in result:
                if key == other.key:
                    self.fail(f"{path}.key", f"名单代码“{key}”重复")
                if name == other.name:
                    self.fail(f"{path}.name", f"名单“{name}”重复")
            mode = self.enum(self.string(item, path, "mode"), f"{path}.mode", Mode)
            criteria = self.criteria(item, path, key, codes, in_list=True)
            if not criteria:
                self.fail(f"{path}.criteria", f"缺少 [[lists.criteria]]（名单“{name}”的条件）")
            periods: dict[str, int] = {}
            if "accident_period_months" in item:
                table = self.table(
                    item,
                    path,
                    "accident_period_months",
                    tuple(g.value for g in ACCIDENT_GRADE_ORDER),
                )
                periods = {
                    grade: self.integer(table, f"{path}.accident_period_months", grade)
                    for grade in table
                }
            incentive = self.boolean(item, path, "incentive", False)
            early = self.opt_integer(item, path, "early_removal_months")
            if incentive and early is not None:
                self.fail(f"{path}.early_removal_months", "守信激励名单不用提前移出")
            result.append(
                ListDef(
                    key=key,
                    name=name,
                    incentive=incentive,
                    mode=mode,
                    criteria=criteria,
                    period_months=self.integer(item, path, "period_months"),
                    accident_period_months=MappingProxyType(periods),
                    early_removal_months=early,
                    names_persons=self.boolean(item, path, "names_persons", False),
                )
            )
        if sum(1 for d in result if not d.incentive) > 1:
            self.fail("lists", "最多一个非守信激励的名单（黑名单或严重失信主体名单）")
        return tuple(result)

    def evaluation(
        self, data: Mapping[str, Any], grades: Mapping[str, GradeDef]
    ) -> tuple[tuple[str, ...], str, str | None, str | None]:
        ev = self.table(
            data, "", "evaluation", ("order", "fallback", "fallback_reasons_from", "fallback_text")
        )
        order = self.letters(ev, "evaluation", "order")
        assert order is not None
        fallback = self.letter(self.string(ev, "evaluation", "fallback"), "evaluation.fallback")
        reasons_from = self.opt_string(ev, "evaluation", "fallback_reasons_from")
        fallback_text = self.opt_string(ev, "evaluation", "fallback_text")
        for letter in GRADE_LETTERS:
            grade = grades[letter]
            if letter in order and not grade.criteria:
                self.fail(
                    f"grades.{letter}", f"等级 {letter} 在 evaluation.order 中，须有 criteria"
                )
            if letter not in order and grade.criteria:
                self.fail(
                    f"grades.{letter}.criteria",
                    f"等级 {letter} 不在 evaluation.order 中，它的条件永远不会被检查",
                )
            if letter not in order and letter != fallback:
                self.fail(
                    "evaluation.order",
                    f"等级 {letter} 既不在 order 中也不是 fallback，永远不会被评定",
                )
        if reasons_from is None and fallback_text is None:
            self.fail(
                "evaluation",
                "须写 fallback_reasons_from 或 fallback_text，以说明兜底等级的理由",
            )
        if reasons_from is not None:
            self.letter(reasons_from, "evaluation.fallback_reasons_from")
            if reasons_from not in order:
                self.fail(
                    "evaluation.fallback_reasons_from",
                    f"等级 {reasons_from} 不在 evaluation.order 中",
                )
            for index, criterion in enumerate(grades[reasons_from].criteria):
                if criterion.failed_text is None:
                    self.fail(
                        f"grades.{reasons_from}.criteria[{index}].failed_text",
                        "此等级的未满足条件用作兜底等级的理由，须写 failed_text",
                    )
        return order, fallback, reasons_from, fallback_text

    def management(self, data: Mapping[str, Any]) -> ManagementPeriod | None:
        """[management] (format 2): grades, period_months, early_removal_months."""
        if "management" not in data:
            return None
        keys = ("grades", "period_months", "early_removal_months")
        table = self.table(data, "", "management", keys)
        return self.management_of(table, "management", keys)

    def management_of(
        self, table: Mapping[str, Any], path: str, keys: tuple[str, str, str]
    ) -> ManagementPeriod | None:
        present = [key for key in keys if key in table]
        if not present:
            return None
        for key in keys:
            if key not in table:
                self.fail(f"{path}.{key}", f"{'、'.join(present)} 已写，须同时写 {key}")
        grades = self.letters(table, path, keys[0])
        assert grades is not None
        period = self.integer(table, path, keys[1])
        early = self.integer(table, path, keys[2])
        if early > period:
            self.fail(f"{path}.{keys[2]}", f"不能长于 {keys[1]}")
        return ManagementPeriod(grades, period, early)

    def grades(self, data: Mapping[str, Any], list_keys: Collection[str]) -> dict[str, GradeDef]:
        table = data.get("grades")
        if not isinstance(table, dict):
            self.fail("grades", "缺少 [grades.A] … [grades.D]")
        for key in table:
            self.letter(key, f"grades.{key}")
        result: dict[str, GradeDef] = {}
        labels: dict[str, str] = {}
        codes: set[str] = set()
        for letter in GRADE_LETTERS:
            path = f"grades.{letter}"
            if letter not in table:
                self.fail(path, f"缺少等级 [grades.{letter}]（A、B、C、D 四个等级都要写）")
            g = self.table(
                table,
                "grades",
                letter,
                ("label", "tier", "measures", "mode", "criteria", "released_by_list"),
            )
            label = self.string(g, path, "label")
            if label in labels:
                self.fail(f"{path}.label", f"与等级 {labels[label]} 的名称相同")
            labels[label] = letter
            tier = None
            if "tier" in g:
                t = self.table(g, path, "tier", ("name", "above_county"))
                tier = Tier(
                    self.string(t, f"{path}.tier", "name"),
                    self.boolean(t, f"{path}.tier", "above_county", False),
                )
            criteria = self.criteria(g, path, letter, codes)
            for index, c in enumerate(criteria):
                if c.list_key is not None and c.list_key not in list_keys:
                    self.fail(f"{path}.criteria[{index}].list", f"没有代码为“{c.list_key}”的名单")
            released = self.opt_string(g, path, "released_by_list")
            if released is not None and released not in list_keys:
                self.fail(f"{path}.released_by_list", f"没有代码为“{released}”的名单")
            mode_text = self.opt_string(g, path, "mode")
            mode = None if mode_text is None else self.enum(mode_text, f"{path}.mode", Mode)
            if criteria and mode is None:
                self.fail(f"{path}.mode", '有 criteria 时须写 mode = "any"（其一）或 "all"（全部）')
            if not criteria and mode is not None:
                self.fail(f"{path}.mode", "没有 criteria 时不用写 mode")
            result[letter] = GradeDef(
                letter=letter,
                label=label,
                tier=tier,
                measures=self.opt_string(g, path, "measures") or "",
                mode=mode,
                criteria=criteria,
                released_by_list=released,
            )
        return result

    def criteria(
        self,
        grade: Mapping[str, Any],
        path: str,
        letter: str,
        codes: set[str],
        *,
        in_list: bool = False,
    ) -> tuple[Criterion, ...]:
        raw = grade.get("criteria")
        if raw is None:
            return ()
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            self.fail(f"{path}.criteria", f"应写作 [[{path}.criteria]] 表")
        result: list[Criterion] = []
        for index, item in enumerate(raw):
            criterion = self.criterion(item, f"{path}.criteria[{index}]", letter, in_list=in_list)
            if criterion.code in codes:
                self.fail(f"{path}.criteria[{index}].code", f"条件代码“{criterion.code}”重复")
            codes.add(criterion.code)
            result.append(criterion)
        return tuple(result)

    def criterion(
        self, data: Mapping[str, Any], path: str, letter: str, *, in_list: bool = False
    ) -> Criterion:
        """A criterion of grade ``letter``, or (``in_list``) of the list whose key is
        ``letter``."""
        self.no_unknown(data, path, _ALL_CRITERION_KEYS)
        fact = self.enum(self.string(data, path, "fact"), f"{path}.fact", FactKind)
        if in_list and fact not in LIST_FACTS:
            allowed = "、".join(sorted(f.value for f in LIST_FACTS))
            self.fail(f"{path}.fact", f"名单的条件只能用 {allowed}")
        if not in_list and fact in LIST_ONLY_FACTS:
            self.fail(f"{path}.fact", f'fact = "{fact}" 只用于名单的条件（[[lists.criteria]]）')
        for key in data:
            if key not in _CRITERION_COMMON and key not in _FACT_KEYS[fact]:
                self.fail(_join(path, key), f'fact = "{fact}" 的条件不能使用 {key}')
        code = self.string(data, path, "code")
        if in_list:
            if not re.match(rf"^{re.escape(letter)}\.[A-Za-z0-9_]+$", code):
                self.fail(
                    f"{path}.code",
                    f"应以“{letter}.”（名单代码）开头，后接英文字母、数字或 _，如 {letter}.grade",
                )
        elif not _CODE.match(code) or code[0] != letter:
            self.fail(
                f"{path}.code",
                f"应以“{letter}.”开头，后接英文字母、数字或 _，如 {letter}.no_penalty",
            )
        expect_text = self.opt_string(data, path, "expect") or Expect.SOME.value
        expect = self.enum(expect_text, f"{path}.expect", Expect)

        window = self.window(data, path, fact)
        count = self.opt_integer(data, path, "count_at_least")
        pair = self.opt_integer(data, path, "pair_within_months")
        if expect is Expect.NONE and (count is not None or pair is not None):
            key = "count_at_least" if count is not None else "pair_within_months"
            self.fail(_join(path, key), 'expect = "none" 的条件不能计数')
        if pair is not None and count is not None and count < 2:
            self.fail(f"{path}.count_at_least", "与 pair_within_months 同用时至少为 2")
        count = count if count is not None else (2 if pair is not None else 1)

        kinds = self.strings(data, path, "kinds", required=False)
        for index, kind in enumerate(kinds or ()):
            if kind not in VIOLATION_KIND_BY_CODE:
                self.fail(
                    f"{path}.kinds[{index}]",
                    f"未知的失信行为类型“{kind}”（可用：{'、'.join(VIOLATION_KIND_BY_CODE)}）",
                )

        responsible = data.get("responsible", True)
        if not isinstance(responsible, bool) and responsible != "any":
            self.fail(f"{path}.responsible", '应为 true（只计责任事故）、false 或 "any"（含待定）')
        hazard_state = None
        if fact is FactKind.MAJOR_HAZARD:
            hazard_state = self.enum(self.string(data, path, "state"), f"{path}.state", HazardState)
            if (hazard_state is HazardState.OVERDUE) != (window is None):
                self.fail(
                    f"{path}.window",
                    'state = "overdue" 是评定基准日的状态，不写 window；'
                    '"overdue_or_late" 须写 window',
                )
        grades = self.letters(data, path, "grades") if fact is FactKind.GRADE else None
        main_person: bool | tuple[str, ...] = (
            self.boolean(data, path, "lists_main_person", False)
            if (not isinstance(data.get("lists_main_person"), list))
            else self.kind_codes(data, path, "lists_main_person", fact, kinds)
        )
        aggravated = data.get("aggravated_fine")
        if aggravated is not None and not isinstance(aggravated, bool):
            self.fail(f"{path}.aggravated_fine", "应为 true 或 false")
        return Criterion(
            code=code,
            grade="" if in_list else letter,
            text=self.string(data, path, "text"),
            failed_text=self.opt_string(data, path, "failed_text"),
            fact=fact,
            expect=expect,
            window=window,
            count_at_least=count,
            pair_within_months=pair,
            responsible=responsible is True,
            fatal=self.boolean(data, path, "fatal", False),
            responsibilities=_RESPONSIBILITIES[responsible],
            accident_grades=self.ranked(
                data, path, "min_grade", "accident_grades", AccidentGrade, ACCIDENT_GRADE_ORDER
            ),
            kinds=kinds,
            subjects=self.enums(data, path, "subjects", ViolationSubject),
            department=self.opt_enum(data, path, "department", PenaltyDepartment),
            aggravated_fine=aggravated,
            levels=self.levels(data, path, fact),
            honour_types=self.enums(data, path, "honour_types", HonourType),
            honour_levels=self.honour_levels(data, path),
            consecutive_years=self.consecutive(data, path, window),
            latest_year_offset_max=self.opt_integer(data, path, "latest_year_offset_max", minimum=0)
            or 0,
            lists_main_person=main_person is not False,
            main_person_kinds=None if isinstance(main_person, bool) else main_person,
            list_key=self.string(data, path, "list") if fact is FactKind.LISTING else None,
            grades=grades,
            hazard_state=hazard_state,
        )

    def kind_codes(
        self,
        data: Mapping[str, Any],
        path: str,
        key: str,
        fact: FactKind,
        kinds: tuple[str, ...] | None,
    ) -> tuple[str, ...]:
        """A list of violation kinds among the criterion's own ``kinds``."""
        if fact is not FactKind.VIOLATION:
            self.fail(f"{path}.{key}", "只有失信行为的条件可以按行为类型列出，其他写 true 或 false")
        values = self.strings(data, path, key)
        assert values is not None
        for index, value in enumerate(values):
            if (kinds is not None and value not in kinds) or value not in VIOLATION_KIND_BY_CODE:
                self.fail(f"{path}.{key}[{index}]", f"“{value}”不是本条件的失信行为类型")
        return values

    def window(self, data: Mapping[str, Any], path: str, fact: FactKind) -> Window | None:
        full = f"{path}.window"
        raw = data.get("window")
        if raw is None:
            if fact in RECORD_FACTS and "consecutive_years" not in data:
                self.fail(
                    full, '缺少 window（如 window = { months = 12 } 或 "last_year_or_since"）'
                )
            return None
        if isinstance(raw, str):
            if raw != WindowKind.LAST_YEAR_OR_SINCE.value:
                self.fail(
                    full, f'“{raw}”不是可用的期间；应为 {{ months = N }} 或 "last_year_or_since"'
                )
            return Window(WindowKind.LAST_YEAR_OR_SINCE)
        if not isinstance(raw, dict):
            self.fail(full, '应为 { months = N } 或 "last_year_or_since"')
        self.no_unknown(raw, full, ("months",))
        return Window(WindowKind.MONTHS, self.integer(raw, full, "months"))

    def consecutive(self, data: Mapping[str, Any], path: str, window: Window | None) -> int | None:
        years = self.opt_integer(data, path, "consecutive_years")
        if years is not None and window is not None:
            self.fail(f"{path}.consecutive_years", "不能与 window 同用")
        if years is None and "latest_year_offset_max" in data:
            self.fail(f"{path}.latest_year_offset_max", "只与 consecutive_years 同用")
        if years is not None and ("count_at_least" in data or "pair_within_months" in data):
            self.fail(f"{path}.consecutive_years", "不能与 count_at_least、pair_within_months 同用")
        return years

    def opt_enum(self, data: Mapping[str, Any], path: str, key: str, enum: type[_E]) -> _E | None:
        value = self.opt_string(data, path, key)
        return None if value is None else self.enum(value, _join(path, key), enum)

    def ranked(
        self,
        data: Mapping[str, Any],
        path: str,
        min_key: str,
        list_key: str,
        enum: type[_E],
        order: tuple[_E, ...],
    ) -> tuple[_E, ...] | None:
        """``min_key = X`` (X or above) or ``list_key = [...]``, as values in ``order``."""
        if min_key in data and list_key in data:
            self.fail(f"{path}.{list_key}", f"{min_key} 与 {list_key} 只能写一个")
        lowest = self.opt_enum(data, path, min_key, enum)
        if lowest is not None:
            return order[order.index(lowest) :]
        values = self.enums(data, path, list_key, enum)
        return None if values is None else tuple(v for v in order if v in values)

    def honour_levels(self, data: Mapping[str, Any], path: str) -> tuple[HonourLevel, ...] | None:
        aliased = dict(data)
        for key in ("min_level", "honour_levels"):
            value = aliased.get(key)
            if isinstance(value, str):
                aliased[key] = HONOUR_LEVEL_ALIASES.get(value, value)
            elif isinstance(value, list):
                aliased[key] = [
                    HONOUR_LEVEL_ALIASES.get(v, v) if isinstance(v, str) else v for v in value
                ]
        return self.ranked(
            aliased, path, "min_level", "honour_levels", HonourLevel, HONOUR_LEVEL_ORDER
        )

    def levels(
        self, data: Mapping[str, Any], path: str, fact: FactKind
    ) -> tuple[StandardizationLevel, ...] | None:
        if fact is FactKind.STANDARDIZATION and "levels" not in data:
            self.fail(f"{path}.levels", '缺少 levels（如 levels = ["一级", "二级"]）')
        return self.enums(data, path, "levels", StandardizationLevel)
