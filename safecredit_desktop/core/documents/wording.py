"""Records told as sentences to the unit they concern.

The grading engine and the workflows quote a record in a short form that fits a
table cell (``失信 2025-05-23 迟报生产安全事故（单位） 凤应急失信认定〔2025〕3号``,
``事故 2026-03-02 较大 死亡3人``, ``处罚 凤应急罚〔2025〕3号 2025-05-01``; see
``rules/explain.py``). A notice's facts are written out instead: 「你单位于2025年5月23日
有“迟报生产安全事故”的行为，经凤应急失信认定〔2025〕3号文书认定为安全生产失信行为。」
Text that is not a quoted record (facts typed by hand) is kept, its ISO dates written
the Chinese way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from safecredit_desktop.core.documents.content import chinese_date

_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_VIOLATION = re.compile(r"^失信 (\S+) (.+?)（([^（）]*)）(?: (.+))?$")
_PENALTY = re.compile(r"^处罚 (\S+) (\d{4}-\d{2}-\d{2})(?:（(.+)）)?$")
_INSPECTION = re.compile(r"^检查 (\d{4}-\d{2}-\d{2}) (.+)$")
_JOINT = re.compile(r"^联合惩戒 (\S+) (\d{4}-\d{2}-\d{2})(?:至(\d{4}-\d{2}-\d{2})|起（未结束）)$")
_WITHDRAWN = re.compile(r"^承诺 (\d{4}-\d{2}-\d{2}) 已于(\d{4}-\d{2}-\d{2})撤回$")
_STANDARDIZATION = re.compile(r"^标准化 (\S+?)(?: 有效期至(\d{4}-\d{2}-\d{2}))?(（.+）)?$")
_UNDER_OBJECTION = "（异议中）"
_WIDE = "\u3000-\u9fff\uff00-\uffef"  # CJK punctuation, ideographs, full-width forms
_SPACE_BY_HANZI = re.compile(f"(?<=[{_WIDE}]) +| +(?=[{_WIDE}])")


def chinese_dates(text: str) -> str:
    """Every ISO date of ``text`` written as 2026年11月21日."""

    def one(match: re.Match[str]) -> str:
        try:
            return chinese_date(date(*(int(g) for g in match.groups())))
        except ValueError:
            return match.group(0)

    return _ISO.sub(one, text)


def tidy(text: str) -> str:
    """``text`` with its ISO dates written out and no space left between a Chinese
    character and what follows or precedes it (按 2025-12-31 的 → 按2025年12月31日的)."""
    return _SPACE_BY_HANZI.sub("", chinese_dates(text))


def _day(iso: str) -> str:
    return chinese_dates(iso)


def _who(subject: str) -> str:
    """单位 → 你单位; ``主要负责人 张三`` → 你单位主要负责人张三."""
    role, _, name = subject.partition(" ")
    if role == "单位" and not name:
        return "你单位"
    return f"你单位{role}{name}"


def _violation(m: re.Match[str]) -> str:
    day, name, subject, doc = m.groups()
    what = name if name.endswith("行为") else f"“{name}”的失信行为"
    text = f"{_who(subject)}于{_day(day)}有{what}"
    return f"{text}，经{doc}文书认定。" if doc else f"{text}。"


def _standardization(m: re.Match[str]) -> str:
    level, until, note = m.groups()
    if level == "无":
        return "你单位未取得安全生产标准化等级。"
    text = f"你单位安全生产标准化等级为{level}"
    if until:
        text += f"，有效期至{_day(until)}"
    return text + chinese_dates(note or "") + "。"


def _accident(parts: list[str]) -> str:
    day, rest = parts[1], parts[2:]
    grade = ""
    number = ""
    harm: list[str] = []
    notes: list[str] = []
    for part in rest:
        if part in ("一般", "较大", "重大", "特别重大"):
            grade = part
        elif part.startswith("死亡"):
            harm.append(f"{part[2:]}死亡")
        elif part.startswith("重伤"):
            harm.append(f"{part[2:]}重伤")
        elif part.startswith("直接经济损失"):
            harm.append(part)
        elif part == "非责任事故":
            notes.append("经调查为非责任事故")
        elif part == "责任待定":
            notes.append("事故责任尚待调查认定")
        elif part == "待核实":
            notes.append("有关情况待核实")
        else:
            number = part
    text = f"你单位于{_day(day)}发生{grade}生产安全事故"
    if number:
        text += f"（事故编号{number}）"
    if harm:
        text += "，造成" + "、".join(harm)
    if notes:
        text += "，" + "，".join(notes)
    return text + "。"


def _penalty(m: re.Match[str]) -> str:
    doc, day, department = m.groups()
    by = f"{department}的" if department else ""
    return f"你单位于{_day(day)}受到{by}行政处罚（处罚决定书文号：{doc}）。"


def _inspection(m: re.Match[str]) -> str:
    day, findings = m.groups()
    found = "、".join(findings.split(" "))
    return f"{_day(day)}执法检查，发现你单位{chinese_dates(found)}。"


def _joint(m: re.Match[str]) -> str:
    department, start, end = m.groups()
    period = f"{_day(start)}至{_day(end)}" if end else f"自{_day(start)}起"
    return f"你单位被{department}实施联合惩戒（{period}）。"


def _withdrawn(m: re.Match[str]) -> str:
    signed, withdrawn = m.groups()
    return f"你单位于{_day(signed)}签署的安全生产承诺书已于{_day(withdrawn)}撤回。"


_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (_VIOLATION, _violation),
    (_PENALTY, _penalty),
    (_INSPECTION, _inspection),
    (_JOINT, _joint),
    (_WITHDRAWN, _withdrawn),
    (_STANDARDIZATION, _standardization),
)


def _as_record(text: str) -> str:
    """The sentence of a quoted record, or "" when ``text`` is not one."""
    parts = text.split(" ")
    if parts[0] == "事故" and len(parts) >= 2 and _ISO.fullmatch(parts[1]):
        return _accident(parts)
    for pattern, write in _PATTERNS:
        found = pattern.match(text)
        if found:
            return write(found)
    return ""


def record_sentence(record: str) -> str:
    """One quoted record as a sentence to the unit (unknown text kept, dates written
    out, a full stop added)."""
    text = record.strip().rstrip("。；;")
    disputed = text.endswith(_UNDER_OBJECTION)
    if disputed:
        text = text[: -len(_UNDER_OBJECTION)]
    sentence = _as_record(text) or chinese_dates(text) + "。"
    if disputed:
        sentence = sentence[:-1] + "（该记录正在异议核查中）。"
    return sentence


def facts_sentences(facts: str) -> list[str]:
    """A list entry's facts (records joined by "；", or text typed by hand) as sentences."""
    pieces = [p.strip() for p in facts.replace(";", "；").split("；") if p.strip()]
    if not pieces:
        return ["符合列入条件。"]
    if not any(_as_record(p.removesuffix(_UNDER_OBJECTION)) for p in pieces):
        return [record_sentence(facts)]  # typed by hand: one text
    return [record_sentence(p) for p in pieces]
