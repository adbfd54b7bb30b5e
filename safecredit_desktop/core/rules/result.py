"""What grading returns for one unit: the grade and everything that explains it.

The JSON of ``safecredit grade --format json`` (cli.md) is ``GradeResult.as_json()``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from json.encoder import encode_basestring
from typing import IO, Any


@dataclass(frozen=True)
class Reason:
    """A deciding criterion: stable code (documented in the profile), sentence, records."""

    code: str
    text: str
    records: tuple[str, ...] = ()  # e.g. "事故 2026-03-02 死亡1人", "处罚 凤应急罚〔2025〕3号"

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "text": self.text, "records": list(self.records)}


@dataclass(frozen=True)
class NextChange:
    """The first later date on which the grade changes if nothing new is recorded."""

    day: date
    grade: str

    def as_json(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "grade": self.grade}


@dataclass(frozen=True)
class GradeResult:
    unit_id: int
    uscc: str
    name: str
    category: str
    town: str
    grade: str  # the letter A–D whatever the profile's labels
    label: str  # the profile's own name for the grade
    tier: str | None  # supervising tier where the profile has one
    reasons: tuple[Reason, ...]
    next_change: NextChange | None = None
    improve: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()  # 信用保持提示: the top grade only (grading.md Revision 2)
    flags: tuple[str, ...] = field(default=())  # e.g. "待定" (an accident under investigation)
    as_of: date | None = None

    def as_json(self) -> dict[str, Any]:
        """The object of cli.md's ``grade --format json`` (its field order)."""
        return {
            "uscc": self.uscc,
            "name": self.name,
            "category": self.category,
            "grade": self.grade,
            "label": self.label,
            "tier": self.tier,
            "reasons": [r.as_json() for r in self.reasons],
            "next_change": None if self.next_change is None else self.next_change.as_json(),
            "improve": list(self.improve),
            "keep": list(self.keep),
        }


# -- the JSON array, written fast --------------------------------------------------------------
#
# ``json.dump(..., indent=1)`` runs the pure-Python encoder (the C one has no indent),
# token by token, each token a write: 100,000 units took 18 s of a 25 s profile. The
# same text is built here piece by piece with the C string encoder and written in large
# blocks; tests compare it byte for byte with ``json.dump`` (cli.md's contract).

_BLOCK = 1 << 20  # characters gathered before one write


def _text(value: object) -> str:
    """One JSON scalar as ``json.dumps(ensure_ascii=False)`` writes it."""
    if type(value) is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    return json.dumps(value, ensure_ascii=False)


def _strings(items: Sequence[object], indent: str) -> str:
    """A list of scalars at ``indent`` (its items one deeper); ``[]`` when empty."""
    if not items:
        return "[]"
    inner = ",\n" + indent + " "
    return "[\n" + indent + " " + inner.join(map(_text, items)) + "\n" + indent + "]"


def _reasons(reasons: Sequence[Reason]) -> str:
    if not reasons:
        return "[]"
    parts = [
        '{\n    "code": '
        + _text(r.code)
        + ',\n    "text": '
        + _text(r.text)
        + ',\n    "records": '
        + _strings(r.records, "    ")
        + "\n   }"
        for r in reasons
    ]
    return "[\n   " + ",\n   ".join(parts) + "\n  ]"


def _object(r: GradeResult) -> str:
    """One unit's object at the array's indent (one space), as ``json.dump`` indents it."""
    change = r.next_change
    next_change = (
        "null"
        if change is None
        else '{\n   "date": '
        + _text(change.day.isoformat())
        + ',\n   "grade": '
        + _text(change.grade)
        + "\n  }"
    )
    return (
        ' {\n  "uscc": '
        + _text(r.uscc)
        + ',\n  "name": '
        + _text(r.name)
        + ',\n  "category": '
        + _text(r.category)
        + ',\n  "grade": '
        + _text(r.grade)
        + ',\n  "label": '
        + _text(r.label)
        + ',\n  "tier": '
        + _text(r.tier)
        + ',\n  "reasons": '
        + _reasons(r.reasons)
        + ',\n  "next_change": '
        + next_change
        + ',\n  "improve": '
        + _strings(r.improve, "  ")
        + ',\n  "keep": '
        + _strings(r.keep, "  ")
        + "\n }"
    )


def write_json_array(results: Iterable[GradeResult], out: IO[str]) -> None:
    """``json.dump([r.as_json() for r in results], out, ensure_ascii=False, indent=1)``,
    the same characters, several times faster."""
    pending: list[str] = []
    size = 0
    first = True
    for result in results:
        text = _object(result)
        pending.append(("[\n" if first else ",\n") + text)
        first = False
        size += len(text)
        if size >= _BLOCK:
            out.write("".join(pending))
            pending.clear()
            size = 0
    pending.append("[]" if first else "\n]")
    out.write("".join(pending))
