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

BUILTIN_PROFILES: tuple[str, ...] = ("fenghuang", "kundulun", "suizhou")
FORMAT_VERSION = 1
GRADE_LETTERS: tuple[str, ...] = ("A", "B", "C", "D")
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


RECORD_FACTS = frozenset({FactKind.ACCIDENT, FactKind.VIOLATION, FactKind.PENALTY, FactKind.HONOUR})


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
    # accident
    responsible: bool = True
    fatal: bool = False
    accident_grades: tuple[AccidentGrade, ...] | None = None
    # violation
    kinds: tuple[str, ...] | None = None
    subjects: tuple[ViolationSubject, ...] | None = None
    # penalty
    department: PenaltyDepartment | None = None
    # standardization
    levels: tuple[StandardizationLevel, ...] | None = None
    # honour
    honour_types: tuple[HonourType, ...] | None = None
    honour_levels: tuple[HonourLevel, ...] | None = None
    consecutive_years: int | None = None
    latest_year_offset_max: int = 0


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
    list_name: str
    listed_grades: tuple[str, ...]
    list_names_persons: bool
    management: ManagementPeriod | None
    doc_prefixes: Mapping[str, str]
    text: str
    source: str = field(default="", compare=False)

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

_CRITERION_COMMON = frozenset({"code", "text", "failed_text", "fact", "expect"})
_RECORD_KEYS = frozenset({"window", "count_at_least", "pair_within_months"})
_FACT_KEYS: dict[FactKind, frozenset[str]] = {
    FactKind.ACCIDENT: _RECORD_KEYS | {"responsible", "fatal", "min_grade", "accident_grades"},
    FactKind.VIOLATION: _RECORD_KEYS | {"kinds", "subjects"},
    FactKind.PENALTY: _RECORD_KEYS | {"department"},
    FactKind.HONOUR: _RECORD_KEYS
    | {"honour_types", "min_level", "honour_levels", "consecutive_years", "latest_year_offset_max"},
    FactKind.COMMITMENT: frozenset(),
    FactKind.STANDARDIZATION: frozenset({"levels"}),
    FactKind.JOINT_PUNISHMENT: frozenset(),
}
_ALL_CRITERION_KEYS = _CRITERION_COMMON.union(*_FACT_KEYS.values())


class _Parser:
    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
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
                "publication",
                "doc_prefixes",
                "grades",
            ),
        )
        version = self.integer(data, "", "format")
        if version != FORMAT_VERSION:
            self.fail("format", f"本程序只认识格式版本 {FORMAT_VERSION}，文件写的是 {version}")

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

        grades = self.grades(data)
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
        listed_grades = self.letters(listing, "listing", "listed_grades")
        assert listed_grades is not None

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
            list_name=self.string(listing, "listing", "list_name"),
            listed_grades=listed_grades,
            list_names_persons=self.boolean(listing, "listing", "names_persons", False),
            management=self.management(listing),
            doc_prefixes=MappingProxyType(doc_prefixes),
            text=self.text,
            source=self.source,
        )

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

    def management(self, listing: Mapping[str, Any]) -> ManagementPeriod | None:
        keys = ("managed_grades", "management_period_months", "early_removal_months")
        present = [key for key in keys if key in listing]
        if not present:
            return None
        for key in keys:
            if key not in listing:
                self.fail(f"listing.{key}", f"{'、'.join(present)} 已写，须同时写 {key}")
        grades = self.letters(listing, "listing", "managed_grades")
        assert grades is not None
        period = self.integer(listing, "listing", "management_period_months")
        early = self.integer(listing, "listing", "early_removal_months")
        if early > period:
            self.fail("listing.early_removal_months", "不能长于 management_period_months")
        return ManagementPeriod(grades, period, early)

    def grades(self, data: Mapping[str, Any]) -> dict[str, GradeDef]:
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
                table, "grades", letter, ("label", "tier", "measures", "mode", "criteria")
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
            )
        return result

    def criteria(
        self, grade: Mapping[str, Any], path: str, letter: str, codes: set[str]
    ) -> tuple[Criterion, ...]:
        raw = grade.get("criteria")
        if raw is None:
            return ()
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            self.fail(f"{path}.criteria", f"应写作 [[{path}.criteria]] 表")
        result: list[Criterion] = []
        for index, item in enumerate(raw):
            criterion = self.criterion(item, f"{path}.criteria[{index}]", letter)
            if criterion.code in codes:
                self.fail(f"{path}.criteria[{index}].code", f"条件代码“{criterion.code}”重复")
            codes.add(criterion.code)
            result.append(criterion)
        return tuple(result)

    def criterion(self, data: Mapping[str, Any], path: str, letter: str) -> Criterion:
        self.no_unknown(data, path, _ALL_CRITERION_KEYS)
        fact = self.enum(self.string(data, path, "fact"), f"{path}.fact", FactKind)
        for key in data:
            if key not in _CRITERION_COMMON and key not in _FACT_KEYS[fact]:
                self.fail(_join(path, key), f'fact = "{fact}" 的条件不能使用 {key}')
        code = self.string(data, path, "code")
        if not _CODE.match(code) or code[0] != letter:
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

        return Criterion(
            code=code,
            grade=letter,
            text=self.string(data, path, "text"),
            failed_text=self.opt_string(data, path, "failed_text"),
            fact=fact,
            expect=expect,
            window=window,
            count_at_least=count,
            pair_within_months=pair,
            responsible=self.boolean(data, path, "responsible", True),
            fatal=self.boolean(data, path, "fatal", False),
            accident_grades=self.ranked(
                data, path, "min_grade", "accident_grades", AccidentGrade, ACCIDENT_GRADE_ORDER
            ),
            kinds=kinds,
            subjects=self.enums(data, path, "subjects", ViolationSubject),
            department=self.opt_enum(data, path, "department", PenaltyDepartment),
            levels=self.levels(data, path, fact),
            honour_types=self.enums(data, path, "honour_types", HonourType),
            honour_levels=self.honour_levels(data, path),
            consecutive_years=self.consecutive(data, path, window),
            latest_year_offset_max=self.opt_integer(data, path, "latest_year_offset_max", minimum=0)
            or 0,
        )

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
