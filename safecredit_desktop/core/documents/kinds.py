"""The kinds of printed documents (documents.md) and what each is made from."""

from __future__ import annotations

import re
from dataclasses import dataclass

from safecredit_desktop.core.rules.profile import Profile


@dataclass(frozen=True)
class DocumentKind:
    kind: str  # as in ``safecredit print KIND``
    name: str  # 名称
    needs: str  # units | year | draw | repair | objection | listing
    graded: bool = False  # filled from a grade: live as of a date, or a confirmed year


KINDS: tuple[DocumentKind, ...] = (
    DocumentKind("grade-notice", "安全生产信用等级告知书", "units", graded=True),
    DocumentKind("commitment", "安全生产承诺书", "units"),
    DocumentKind("duty-commitment", "主要负责人安全生产履职尽责承诺书", "units"),
    DocumentKind("listing-notice", "列入严重失信主体名单告知书", "units", graded=True),
    DocumentKind("removal-decision", "信用修复决定书", "repair"),
    DocumentKind("objection-reply", "异议申请答复书", "objection"),
    DocumentKind("inspection-plan", "年度执法检查计划", "year"),
    DocumentKind("draw-notice", "双随机抽查结果公示", "draw"),
)
KIND_BY_NAME = {k.kind: k for k in KINDS}


def kind_name(kind: str, profile: Profile | None = None) -> str:
    """The document's 名称; the listing notice names the profile's own list."""
    if kind == "listing-notice" and profile is not None:
        return f"列入{profile.list_name}告知书"
    return KIND_BY_NAME[kind].name


def basis_title(profile: Profile) -> str:
    """The bureau's rules as a notice quotes them: 《…》 (and its number), from the profile."""
    found = re.search(r"《[^》]+》(（[^）]+）)?", profile.title)
    if found:
        return found.group(0)
    return "《安全生产信用分级分类监管办法》"
