"""The kinds of printed documents (documents.md) and what each is made from."""

from __future__ import annotations

import re

# The kinds and their names live in model.py, below storage (the register's audit names them).
from safecredit_desktop.core.model import DOCUMENT_KIND_BY_NAME as KIND_BY_NAME
from safecredit_desktop.core.model import DOCUMENT_KINDS as KINDS
from safecredit_desktop.core.model import DocumentKind as DocumentKind
from safecredit_desktop.core.rules.profile import Profile

__all__ = ["KINDS", "KIND_BY_NAME", "DocumentKind", "basis_title", "kind_name"]


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
