"""Checks and parsers for every value a clerk types or a workbook cell holds.

Every refusal is a :class:`~safecredit_desktop.core.errors.ValidationError` whose
``field`` is the Chinese field or column name and whose message is a short Chinese
sentence. Nothing is silently "fixed": a code with a space, a lowercase letter or a
full-width character is refused, not cleaned up, so that what is stored is exactly
what the clerk sees on the paper document.

This module is Qt-free (see ``safecredit_desktop/core/__init__.py``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from typing import Literal

from safecredit_desktop.core.errors import BadCheckCharacterError, ValidationError
from safecredit_desktop.core.model import (
    ACCIDENT_GRADE_ORDER,
    HONOUR_LEVEL_ALIASES,
    VIOLATION_KIND_BY_CODE,
    VIOLATION_KIND_BY_NAME,
    AccidentGrade,
    HonourLevel,
)

__all__ = [
    "ACCIDENT_GRADE_FIELD",
    "DATE_FORMATS_HINT",
    "ID_CHECK_MAP",
    "ID_WEIGHTS",
    "SHORT_DATE_FORMATS_HINT",
    "USCC_ALPHABET",
    "USCC_REGISTRATION_AUTHORITIES",
    "USCC_WEIGHTS",
    "ShortDate",
    "accident_grade_from_figures",
    "check_not_future",
    "control_character_problem",
    "date_formats_hint",
    "id_check_character",
    "join_line_breaks",
    "mask_id_number",
    "optional_text",
    "parse_amount",
    "parse_choice",
    "parse_count",
    "parse_date",
    "parse_honour_level",
    "parse_optional_date",
    "parse_optional_yes_no",
    "parse_violation_kind",
    "parse_yes_no",
    "required_text",
    "resolve_accident_grade",
    "uscc_check_character",
    "validate_id_number",
    "validate_uscc",
]

_EMPTY = "不能为空"
_DIGITS = "0123456789"

# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def _show(ch: str) -> str:
    """A character as it can be shown in a message (invisible ones as U+XXXX)."""
    if ch.isprintable() and not ch.isspace():
        return f"「{ch}」"
    return f"「U+{ord(ch):04X}」"


def _is_full_width(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) == "F"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _check_plain_code(text: str, field: str, what: str) -> None:
    """Refuse spaces, full-width characters and lowercase letters in a code."""
    stripped = text.strip()
    if stripped != text:
        raise ValidationError(field, f"{what}开头或末尾有空格，请删除", text)
    for pos, ch in enumerate(text, start=1):
        if ch.isspace():
            raise ValidationError(field, f"{what}中间有空格（第{pos}位），请删除", text)
    for pos, ch in enumerate(text, start=1):
        if _is_full_width(ch):
            raise ValidationError(
                field, f"含全角字符{_show(ch)}（第{pos}位），请改用半角字符", text
            )


# ---------------------------------------------------------------------------
# 统一社会信用代码 (GB 32100-2015)
# ---------------------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS: tuple[int, ...] = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_REGISTRATION_AUTHORITIES = "123456789ANY"
_USCC_LENGTH = 18
_USCC_EXCLUDED = "IOSVZ"


def uscc_check_character(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a code.

    Raises ``ValueError`` (a programming error, not user input) when ``first17`` is
    not 17 characters of :data:`USCC_ALPHABET`.
    """
    if len(first17) != _USCC_LENGTH - 1:
        raise ValueError(f"need 17 characters, got {len(first17)}")
    total = 0
    for ch, weight in zip(first17, USCC_WEIGHTS, strict=True):
        index = USCC_ALPHABET.find(ch)
        if index < 0:
            raise ValueError(f"character {ch!r} is not in the USCC alphabet")
        total += index * weight
    check = 31 - total % 31
    return USCC_ALPHABET[0 if check == 31 else check]


def _typed_code(value: object, field: str, what: str) -> str:
    """``value`` as a code typed as text (``what``: 代码, 身份证号): refused when blank,
    when it is not text (a cell read as a number) or when _check_plain_code finds a
    fault."""
    if value is None or value == "":
        raise ValidationError(field, _EMPTY, value)
    if not isinstance(value, str):
        if _is_number(value):
            raise ValidationError(
                field, f"{what}必须以文本填写（单元格被当成了数字），请把该列设为文本格式", value
            )
        raise ValidationError(field, f"{what}必须以文本填写", value)
    if value.strip() == "":
        raise ValidationError(field, _EMPTY, value)
    _check_plain_code(value, field, what)
    return value


def validate_uscc(
    value: object, *, field: str = "统一社会信用代码", accept_bad_check: bool = False
) -> tuple[str, bool]:
    """Check a 统一社会信用代码; return ``(code, check_ok)``.

    A code whose only fault is its check character raises
    :class:`BadCheckCharacterError`, unless ``accept_bad_check`` is true, in which
    case ``(code, False)`` is returned.
    """
    code = _typed_code(value, field, "代码")
    for pos, ch in enumerate(code, start=1):
        if "a" <= ch <= "z":
            raise ValidationError(field, f"含小写字母{_show(ch)}（第{pos}位），字母应大写", code)
    if len(code) != _USCC_LENGTH:
        raise ValidationError(field, f"应为18位，现为{len(code)}位", code)
    for pos, ch in enumerate(code, start=1):
        if ch in _USCC_EXCLUDED:
            raise ValidationError(
                field,
                f"第{pos}位字符{_show(ch)}无效：代码中不使用字母 I、O、S、V、Z",
                code,
            )
        if ch not in USCC_ALPHABET:
            raise ValidationError(
                field, f"第{pos}位字符{_show(ch)}无效：代码只能由数字和大写字母组成", code
            )
    if code[0] not in USCC_REGISTRATION_AUTHORITIES:
        raise ValidationError(
            field,
            f"第1位登记管理部门代码{_show(code[0])}无效，应为 1-9、A、N 或 Y",
            code,
        )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        if accept_bad_check:
            return code, False
        raise BadCheckCharacterError(field, f"校验码错误，应为 {expected}（现为 {code[17]}）", code)
    return code, True


# ---------------------------------------------------------------------------
# 公民身份号码 (GB 11643-1999)
# ---------------------------------------------------------------------------

ID_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_MAP = "10X98765432"
_ID_LENGTH = 18
_EARLIEST_BIRTH = date(1900, 1, 1)


def id_check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for 17 digits (``ValueError`` otherwise)."""
    if len(first17) != _ID_LENGTH - 1 or any(ch not in _DIGITS for ch in first17):
        raise ValueError("need exactly 17 digits")
    total = sum(int(ch) * w for ch, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_MAP[total % 11]


def validate_id_number(
    value: object, *, field: str = "主要负责人身份证号", today: date | None = None
) -> str:
    """Check an 18-digit 身份证号 (check digit and date of birth); return it unchanged.

    The area code is deliberately not checked against any table: codes are
    renumbered over the years and old ones stay valid on issued cards.
    """
    number = _typed_code(value, field, "身份证号")
    if len(number) == 15 and all(ch in _DIGITS for ch in number):
        raise ValidationError(field, "这是15位旧身份证号，请填写18位身份证号", number)
    if len(number) != _ID_LENGTH:
        raise ValidationError(field, f"应为18位，现为{len(number)}位", number)
    for pos, ch in enumerate(number[:17], start=1):
        if ch not in _DIGITS:
            raise ValidationError(field, f"第{pos}位应为数字，现为{_show(ch)}", number)
    last = number[17]
    if last == "x":
        raise ValidationError(field, "末位X应大写", number)
    if last not in _DIGITS and last != "X":
        raise ValidationError(field, f"末位应为数字或X，现为{_show(last)}", number)
    if number[0] == "0":
        raise ValidationError(field, "第1位不能为0", number)

    birth_text = number[6:14]
    try:
        birth = date(int(birth_text[:4]), int(birth_text[4:6]), int(birth_text[6:8]))
    except ValueError:
        raise ValidationError(
            field, f"第7-14位出生日期「{birth_text}」不是有效日期", number
        ) from None
    if birth < _EARLIEST_BIRTH:
        raise ValidationError(field, f"出生日期{_chinese_date(birth)}早于1900年，有误", number)
    reference = date.today() if today is None else today
    if birth > reference:
        raise ValidationError(field, f"出生日期{_chinese_date(birth)}晚于今天，有误", number)

    expected = id_check_character(number[:17])
    if last != expected:
        raise ValidationError(field, f"校验码错误，末位应为 {expected}（现为 {last}）", number)
    return number


def mask_id_number(value: str) -> str:
    """Keep the first 6 and last 4 characters and star the rest.

    An 18-character number becomes 6 characters, 8 stars and 4 characters. A value
    of 10 characters or fewer (never a valid number) is starred entirely, so that a
    malformed entry is not shown in full either. ``""`` stays ``""``.
    """
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

ShortDate = Literal["past", "next", "year"]
"""How a date written without its year (``11-3``, ``11.3``, ``1103``) is read, where it
is allowed at all (the window, its entry grid and ``safecredit add``; never a workbook):

- ``past``: the date of an event (检查日期, 事故日期 …) is never in the future: this
  year's day, or last year's when this year's is still to come;
- ``next``: a deadline (整改期限, 有效期至) is the next such day: this year's, or next
  year's when this year's has passed;
- ``year``: any other date: the day of the current year.
"""

DATE_FORMATS_HINT = "2026-11-03、2026/11/3、2026.11.3、2026年11月3日 或 20261103"
SHORT_DATE_FORMATS_HINT = "11-3、11.3 或 1103"
_DATE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"),
    re.compile(r"([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})"),
    re.compile(r"([0-9]{4})\.([0-9]{1,2})\.([0-9]{1,2})"),
    re.compile(r"([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日"),
    re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})"),
)
_SHORT_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"([0-9]{1,2})-([0-9]{1,2})"),
    re.compile(r"([0-9]{1,2})\.([0-9]{1,2})"),
    re.compile(r"([0-9]{2})([0-9]{2})"),
)


def _chinese_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def date_formats_hint(*, short: bool = False) -> str:
    """The accepted ways of writing a date, for a message or a tooltip."""
    if short:
        return f"{DATE_FORMATS_HINT}（本年日期也可写 {SHORT_DATE_FORMATS_HINT}）"
    return DATE_FORMATS_HINT


def _bad_format(field: str, shown: str, value: object, short: ShortDate | None) -> ValidationError:
    return ValidationError(
        field,
        f"「{shown}」不是有效的日期格式，请按 {date_formats_hint(short=short is not None)} 填写",
        value,
    )


def _full_date(year: int, month: int, day: int, field: str, shown: str, value: object) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationError(field, f"「{shown}」不是真实存在的日期", value) from None


def _short_date(
    month: int, day: int, short: ShortDate, today: date, field: str, shown: str, value: object
) -> date:
    """A month and day without a year, read as :data:`ShortDate` says."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise ValidationError(field, f"「{shown}」不是真实存在的日期", value)
    years: tuple[int, ...]
    if short == "past":  # five years hold a 29 February
        years = tuple(today.year - k for k in range(5))
    elif short == "next":
        years = tuple(today.year + k for k in range(5))
    else:
        years = (today.year,)
    for year in years:
        try:
            candidate = date(year, month, day)
        except ValueError:  # 2-29 in a year without it: the nearest year that has one
            continue
        if short == "past" and candidate > today:
            continue
        if short == "next" and candidate < today:
            continue
        return candidate
    raise ValidationError(field, f"「{shown}」不是真实存在的日期", value)


def parse_date(
    value: object,
    *,
    field: str,
    short: ShortDate | None = None,
    today: date | None = None,
) -> date:
    """A date from a date/datetime cell, the number ``YYYYMMDD``, or text in one of the
    accepted formats (:data:`DATE_FORMATS_HINT`); with ``short`` also the month and day
    alone (:data:`ShortDate`), relative to ``today`` (default: the real today)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value is None:
        raise ValidationError(field, _EMPTY, value)
    if _is_number(value):
        number = float(value)  # type: ignore[arg-type]
        if math.isfinite(number) and number.is_integer() and 10_000_101 <= number <= 99_991_231:
            text = str(int(number))
            return _full_date(int(text[:4]), int(text[4:6]), int(text[6:]), field, text, value)
        shown = _format_number(number) if math.isfinite(number) else str(value)
        raise ValidationError(
            field,
            f"「{shown}」不是日期（数字只能是八位的年月日，如 20261103），"
            f"请按 {date_formats_hint(short=short is not None)} 填写",
            value,
        )
    if not isinstance(value, str):
        raise _bad_format(field, str(value), value, short)
    text = value.strip()
    if text == "":
        raise ValidationError(field, _EMPTY, value)
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match is not None:
            year, month, day = (int(part) for part in match.groups())
            return _full_date(year, month, day, field, text, value)
    if short is not None:
        for pattern in _SHORT_PATTERNS:
            match = pattern.fullmatch(text)
            if match is not None:
                month, day = (int(part) for part in match.groups())
                reference = date.today() if today is None else today
                return _short_date(month, day, short, reference, field, text, value)
    raise _bad_format(field, text, value, short)


def parse_optional_date(
    value: object,
    *,
    field: str,
    short: ShortDate | None = None,
    today: date | None = None,
) -> date | None:
    """Like :func:`parse_date`, but ``None`` or blank text gives ``None``."""
    if _is_blank(value):
        return None
    return parse_date(value, field=field, short=short, today=today)


def check_not_future(d: date, *, field: str, today: date) -> date:
    """Return ``d`` unless it is after ``today``."""
    if d > today:
        raise ValidationError(
            field, f"日期{_chinese_date(d)}晚于今天（{_chinese_date(today)}），请核对", d
        )
    return d


# ---------------------------------------------------------------------------
# 是/否
# ---------------------------------------------------------------------------


def parse_yes_no(value: object, *, field: str) -> bool:
    """``是`` → True, ``否`` → False (a bool passes through); anything else is refused."""
    if isinstance(value, bool):
        return value
    if _is_blank(value):
        raise ValidationError(field, f"{_EMPTY}，请填“是”或“否”", value)
    if isinstance(value, str):
        text = value.strip()
        if text == "是":
            return True
        if text == "否":
            return False
        raise ValidationError(field, f"应填“是”或“否”，现为「{text}」", value)
    raise ValidationError(field, f"应填“是”或“否”，现为「{value}」", value)


def parse_optional_yes_no(value: object, *, field: str) -> bool | None:
    """Like :func:`parse_yes_no`, but ``None`` or blank text gives ``None``."""
    if _is_blank(value):
        return None
    return parse_yes_no(value, field=field)


# ---------------------------------------------------------------------------
# Counts and amounts
# ---------------------------------------------------------------------------

_COUNT_TEXT = re.compile(r"[0-9]+(?:\.0*)?")
_AMOUNT_TEXT = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_SIGNED_NUMBER_TEXT = re.compile(r"-\s*(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def parse_count(value: object, *, field: str) -> int:
    """A non-negative whole number (blank → 0; ``3.0`` from Excel is 3, ``2.5`` is refused)."""
    if _is_blank(value):
        return 0
    if isinstance(value, bool):
        raise ValidationError(field, "应填写不小于0的整数", value)
    if isinstance(value, int):
        if value < 0:
            raise ValidationError(field, f"不能为负数，现为 {value}", value)
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError(field, "应填写不小于0的整数", value)
        if not value.is_integer():
            raise ValidationError(field, f"应为整数，现为 {_format_number(value)}", value)
        if value < 0:
            raise ValidationError(field, f"不能为负数，现为 {_format_number(value)}", value)
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if _COUNT_TEXT.fullmatch(text):
            return int(text.split(".")[0])
        if _SIGNED_NUMBER_TEXT.fullmatch(text):
            raise ValidationError(field, f"不能为负数，现为「{text}」", value)
        if _AMOUNT_TEXT.fullmatch(text):
            raise ValidationError(field, f"应为整数，现为「{text}」", value)
        raise ValidationError(field, f"应填写不小于0的整数，现为「{text}」", value)
    raise ValidationError(field, "应填写不小于0的整数", value)


def parse_amount(value: object, *, field: str) -> float:
    """A non-negative number (blank → 0.0); ints, floats and plain numeric text."""
    if _is_blank(value):
        return 0.0
    if isinstance(value, bool):
        raise ValidationError(field, "应填写不小于0的数字", value)
    if isinstance(value, int | float):
        number = float(value)
        if not math.isfinite(number):
            raise ValidationError(field, "应填写不小于0的数字", value)
        if number < 0:
            raise ValidationError(field, f"不能为负数，现为 {_format_number(number)}", value)
        return number
    if isinstance(value, str):
        text = value.strip()
        if _AMOUNT_TEXT.fullmatch(text):
            return float(text)
        if _SIGNED_NUMBER_TEXT.fullmatch(text):
            raise ValidationError(field, f"不能为负数，现为「{text}」", value)
        raise ValidationError(field, f"应填写不小于0的数字，现为「{text}」", value)
    raise ValidationError(field, "应填写不小于0的数字", value)


def _format_number(x: float) -> str:
    """A number for a message: 3.0 → "3", 1234.5 → "1234.5" (no exponent)."""
    if x.is_integer():
        return str(int(x))
    return f"{x:.6f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------------------
# 事故等级 (grading.md, 《生产安全事故报告和调查处理条例》第三条)
# ---------------------------------------------------------------------------

ACCIDENT_GRADE_FIELD = "事故等级"

# (grade, deaths, serious injuries, direct loss in 万元) thresholds, most severe first.
_ACCIDENT_THRESHOLDS: tuple[tuple[AccidentGrade, int, int, float], ...] = (
    (AccidentGrade.EXTRAORDINARY, 30, 100, 10000.0),
    (AccidentGrade.MAJOR, 10, 50, 5000.0),
    (AccidentGrade.LARGER, 3, 10, 1000.0),
)


def _grade_for(value: float, index: int) -> AccidentGrade:
    """The grade one figure (index 0 deaths, 1 injuries, 2 loss) reaches on its own."""
    for grade, *limits in _ACCIDENT_THRESHOLDS:
        if value >= limits[index]:
            return grade
    return AccidentGrade.ORDINARY


def _rank(grade: AccidentGrade) -> int:
    return ACCIDENT_GRADE_ORDER.index(grade)


def accident_grade_from_figures(
    deaths: int, serious_injuries: int, loss_wan: float
) -> AccidentGrade:
    """The highest grade that any one of the figures reaches."""
    grades = (
        _grade_for(deaths, 0),
        _grade_for(serious_injuries, 1),
        _grade_for(loss_wan, 2),
    )
    return max(grades, key=_rank)


def _parse_grade_text(text: str) -> AccidentGrade | None:
    for grade in AccidentGrade:
        if text in (grade.value, f"{grade.value}事故"):
            return grade
    return None


def resolve_accident_grade(
    stated: str | None, deaths: int, serious_injuries: int, loss_wan: float
) -> tuple[AccidentGrade, bool]:
    """The grade to store and whether the record is 待核实.

    Blank ``stated``: the grade derived from the figures, not flagged. A stated grade
    below the figures' grade is refused; one above it is kept and flagged 待核实.
    """
    derived = accident_grade_from_figures(deaths, serious_injuries, loss_wan)
    if stated is None or stated.strip() == "":
        return derived, False
    text = stated.strip()
    grade = _parse_grade_text(text)
    if grade is None:
        allowed = "、".join(g.value for g in ACCIDENT_GRADE_ORDER)
        raise ValidationError(
            ACCIDENT_GRADE_FIELD, f"「{text}」不是有效的事故等级，应为{allowed}，或留空", stated
        )
    if _rank(grade) < _rank(derived):
        reasons: list[str] = []
        if _grade_for(deaths, 0) == derived:
            reasons.append(f"死亡{deaths}人")
        if _grade_for(serious_injuries, 1) == derived:
            reasons.append(f"重伤{serious_injuries}人")
        if _grade_for(loss_wan, 2) == derived:
            reasons.append(f"直接经济损失{_format_number(float(loss_wan))}万元")
        raise ValidationError(
            ACCIDENT_GRADE_FIELD,
            f"填报为{grade.value}，但{'、'.join(reasons)}已达{derived.value}事故，"
            "请核对等级或伤亡、损失数字",
            stated,
        )
    return grade, grade != derived


# ---------------------------------------------------------------------------
# Vocabularies
# ---------------------------------------------------------------------------


def parse_choice(value: object, choices: Iterable[str], *, field: str) -> str:
    """One of ``choices`` exactly (surrounding spaces ignored)."""
    allowed = tuple(choices)
    listing = "、".join(allowed)
    if _is_blank(value):
        raise ValidationError(field, f"{_EMPTY}，应为{listing}", value)
    text = value.strip() if isinstance(value, str) else str(value)
    if isinstance(value, str) and text in allowed:
        return text
    raise ValidationError(field, f"「{text}」不是有效值，应为{listing}", value)


def parse_violation_kind(value: object, *, field: str = "行为类型") -> str:
    """A 失信行为类型 given by its code or its exact Chinese name; returns the code."""
    if _is_blank(value):
        raise ValidationError(field, _EMPTY, value)
    if isinstance(value, str):
        text = value.strip()
        if text in VIOLATION_KIND_BY_CODE:
            return text
        kind = VIOLATION_KIND_BY_NAME.get(text)
        if kind is not None:
            return kind.code
    else:
        text = str(value)
    raise ValidationError(
        field,
        f"「{text}」不是规定的失信行为类型，请填写类型代码（如 no_permit）或完整的中文名称",
        value,
    )


def parse_honour_level(value: object, *, field: str = "表彰级别") -> HonourLevel:
    """县级/市级/省级/国家级 (自治区级 counts as 省级)."""
    allowed = "县级、市级、省级（或自治区级）、国家级"
    if _is_blank(value):
        raise ValidationError(field, f"{_EMPTY}，应为{allowed}", value)
    if isinstance(value, str):
        text = value.strip()
        alias = HONOUR_LEVEL_ALIASES.get(text)
        if alias is not None:
            return alias
        for level in HonourLevel:
            if text == level.value:
                return level
    else:
        text = str(value)
    raise ValidationError(field, f"「{text}」不是有效的表彰级别，应为{allowed}", value)


# ---------------------------------------------------------------------------
# Free text
# ---------------------------------------------------------------------------


_SINGLE_LINE_BAD = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
"""Control characters (Cc: C0, DEL, C1, including CR, LF and tab), lone surrogates (Cs)
and the line and paragraph separators: nothing a one-line field may hold."""
_MULTILINE_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
"""The same for a multi-line field (备注, 处罚事由), which keeps LF, tab and the
separators; CR is first joined into LF by :func:`join_line_breaks`."""
_LINE_BREAKS = {"\n": "换行符", "\r": "回车符", "\u2028": "换行符", "\u2029": "分段符"}


def control_character_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why ``text`` cannot be stored in a text field, or None.

    Every single-line field (names, addresses, people, document numbers, codes …)
    refuses every control character, line breaks included — whether typed, pasted or
    imported as Excel's ``_x000D_`` — because it is printed on one line of a notice and
    compared when searching. A multi-line field keeps line feeds and tabs."""
    found = (_MULTILINE_BAD if multiline else _SINGLE_LINE_BAD).search(text)
    if found is None:
        return None
    ch = found.group()
    pos = found.start() + 1
    if ch in _LINE_BREAKS and not multiline:
        return f"第{pos}位有{_LINE_BREAKS[ch]}（U+{ord(ch):04X}），这一栏只能填一行，请删除"
    return f"第{pos}位含不可见的控制字符（U+{ord(ch):04X}），请删除"


def join_line_breaks(text: str) -> str:
    """CR LF and a lone CR as LF: Excel keeps a Windows line break as ``_x000D_`` + LF."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def required_text(value: object, *, field: str) -> str:
    """Non-blank text, stripped; a number is written as Python shows it (``12`` → "12")."""
    if value is None:
        raise ValidationError(field, _EMPTY, value)
    text = str(value).strip()
    if text == "":
        raise ValidationError(field, _EMPTY, value)
    return text


def optional_text(value: object, *, field: str) -> str | None:
    """Like :func:`required_text`, but ``None`` or blank gives ``None``."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def single_line_text(value: str, *, field: str) -> str:
    """Text for a one-line field (a name, an e-mail address), stripped; a line break,
    tab or other control character is refused (it would break e-mail headers and file
    names made from the value)."""
    text = value.strip()
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch != "\u200d":
            raise ValidationError(
                field,
                f"不能包含换行符、制表符或其他控制字符（发现 {_show(ch)}），请只填一行文字",
                value,
            )
    return text
