"""What grading returns for one unit: the grade and everything that explains it.

The JSON of ``safecredit grade --format json`` (cli.md) is ``GradeResult.as_json()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


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
