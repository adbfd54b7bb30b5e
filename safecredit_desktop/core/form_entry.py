"""What a person types into an entry form, read the way a county clerk means it.

Kept apart from ``forms.py`` (which holds the forms as data): a code typed in lower case
or with spaces, a telephone number, the county's towns, and the 文书编号 of an inspection
typed as ``凤应急检2026 3203`` (documents.md: 凤应急检〔2026〕3203号). Qt-free.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from safecredit_desktop.core.errors import ValidationError

__all__ = [
    "TownList",
    "bracket_doc_no",
    "check_phone",
    "next_doc_no",
    "split_doc_no",
    "tidy_code",
]


def tidy_code(raw: object) -> tuple[object, bool]:
    """A typed code with its spaces dropped, full-width characters made half-width and
    letters upper-cased: ``(code, changed)``. Anything but text is left as it is."""
    if not isinstance(raw, str):
        return raw, False
    text = "".join(unicodedata.normalize("NFKC", raw).split()).upper()
    return text, text != raw


# -- 联系电话 -----------------------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[、,，;；/]+")
_MOBILE = re.compile(r"(?:\+?86-?)?1[3-9]\d{9}")
_AREA = r"(?:0\d{2,3}-?|[(（]0\d{2,3}[)）])"
_EXTENSION = r"(?:(?:-|转|分机|ext\.?)\d{1,6})?"
_LANDLINE = re.compile(rf"{_AREA}[2-9]\d{{6,7}}{_EXTENSION}", re.IGNORECASE)
_SERVICE = re.compile(r"[48]00-?\d{3}-?\d{4}")
_LOCAL_ONLY = re.compile(rf"[2-9]\d{{6,7}}{_EXTENSION}")
PHONE_HINT = "手机号为1开头的11位数字；固定电话须带区号，如 0743-3221234，分机写作 0743-3221234-801"


def check_phone(text: str, *, field: str = "联系电话") -> str:
    """联系电话: mobile numbers (11 digits, 1[3-9]…), landlines with their area code and an
    optional extension, 400/800 numbers; several separated by 、. Spaces inside a number
    are dropped. Returns the numbers joined by 、; refuses with a Chinese sentence."""
    numbers: list[str] = []
    for part in _PHONE_SEPARATORS.split(unicodedata.normalize("NFKC", text)):
        number = "".join(part.split()).replace("—", "-").replace("－", "-")
        if not number:
            continue
        if _MOBILE.fullmatch(number) or _LANDLINE.fullmatch(number) or _SERVICE.fullmatch(number):
            numbers.append(number)
            continue
        digits = re.sub(r"\D", "", number)
        if _LOCAL_ONLY.fullmatch(number):
            reason = f"固定电话缺少区号，应如 0743-{number}"
        elif digits.startswith("1") and len(digits) != 11:
            reason = f"手机号应为11位，“{number}”为{len(digits)}位，请核对"
        else:
            reason = f"“{number}”不像电话号码：{PHONE_HINT}"
        raise ValidationError(field, reason, text)
    return "、".join(numbers)


# -- 所在乡镇 -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TownList:
    """The county's towns an administrator keeps (设置 → 乡镇), for the unit form.

    ``may_add``: the person typing is an administrator (a new town is added from the
    form). ``kept``: the unit's stored town, which may stay even when it is not listed (a
    city's register holds other counties' towns). An empty list checks nothing."""

    names: tuple[str, ...]
    may_add: bool = False
    kept: str = ""

    def problem(self, town: str) -> str | None:
        if not town or not self.names or town in self.names or town == self.kept:
            return None
        if self.may_add:
            return f"“{town}”不在本县乡镇名单中，可点“加入乡镇名单”"
        return f"“{town}”不在本县乡镇名单中，请从列表选择（新乡镇由管理员添加）"


# -- 文书编号 -----------------------------------------------------------------------------

_FULL_DOC_NO = re.compile(r"(?P<prefix>.*?)〔(?P<year>\d{4})〕(?P<number>\d{1,6})号")
# 凤应急检2026 3203, 凤应急检[2026]3203, 凤应急检(2026)3203号, 凤应急检〔2026〕3203 …
_LOOSE_DOC_NO = re.compile(
    r"(?P<prefix>.*?\D)\s*"
    r"(?:[\[(（〔【]\s*(?P<year_b>(?:19|20)\d{2})\s*[\])）〕】]\s*[-—_/第]?\s*"
    r"|(?P<year>(?:19|20)\d{2})\s*(?:[\s\-—_/]+|第)\s*)"
    r"(?P<number>\d{1,6})\s*号?"
)


def split_doc_no(text: str) -> tuple[str, int, int] | None:
    """``凤应急检〔2026〕3203号`` → ``("凤应急检", 2026, 3203)``; None for other forms."""
    found = _FULL_DOC_NO.fullmatch(text.strip())
    if found is None or not found["prefix"]:
        return None
    return found["prefix"], int(found["year"]), int(found["number"])


def bracket_doc_no(text: str) -> str:
    """A 文书编号 typed without its 〔〕 (``凤应急检2026 3203``, ``凤应急检[2026]3203``)
    written as documents.md has it (``凤应急检〔2026〕3203号``); anything else as typed."""
    stripped = text.strip()
    found = _LOOSE_DOC_NO.fullmatch(stripped)
    if found is None or not found["prefix"].strip():
        return stripped
    year = found["year"] or found["year_b"]
    return f"{found['prefix'].strip()}〔{year}〕{found['number']}号"  # digits as typed


def next_doc_no(last: str | None, *, year: int, typed: str = "") -> str:
    """The 文书编号 a clerk means: with ``typed`` only a number (``3204``), the last
    number's prefix in ``year`` (``凤应急检〔2026〕3204号``); with nothing typed, the
    number after the last one (1 in a new year); otherwise ``typed`` bracketed."""
    parts = split_doc_no(last) if last else None
    typed = typed.strip()
    if typed and not typed.isdigit():
        return bracket_doc_no(typed)
    if parts is None:
        return typed
    prefix, last_year, number = parts
    if typed:
        return f"{prefix}〔{year}〕{int(typed)}号"
    following = number + 1 if last_year == year else 1
    return f"{prefix}〔{year}〕{following}号"
