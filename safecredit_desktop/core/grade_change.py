"""What a saved record did to its unit's grade, in one sentence (issue 18).

``等级由A（一级）变为C（三级）：<the deciding reason>`` — live grades as of the same day
before and after the save. ``safecredit add`` prints it; the window's record form shows
it where the clerk is looking.
"""

from __future__ import annotations

from safecredit_desktop.core.rules.result import GradeResult


def grade_change_sentence(before: GradeResult | None, after: GradeResult | None) -> str | None:
    """The sentence when the grade letter changed, else None.

    The reason is what decides the new grade (its reasons' sentences); a grade raised
    to one without reasons names the reasons of the old grade that no longer apply.
    """
    if before is None or after is None or before.grade == after.grade:
        return None
    head = f"等级由{before.grade}（{before.label}）变为{after.grade}（{after.label}）："
    if after.reasons:
        return head + "；".join(reason.text for reason in after.reasons)
    gone = "；".join(reason.text for reason in before.reasons)
    return head + (f"不再有“{gone}”的情形" if gone else "评定依据已变化")
