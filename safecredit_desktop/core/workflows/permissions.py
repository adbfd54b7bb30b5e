"""Who may act on a workflow's entries: the roles that review (审核员, 管理员), shared by
every workflow's ``allowed_actions``."""

from __future__ import annotations

from collections.abc import Collection

from safecredit_desktop.core.model import Role

REVIEWERS: frozenset[Role] = frozenset({Role.REVIEWER, Role.ADMIN})
EVERY_ROLE: frozenset[Role] = frozenset(Role)


def reviews(roles: Collection[Role]) -> bool:
    """Whether one of ``roles`` is a reviewer's (审核员 or 管理员)."""
    return not REVIEWERS.isdisjoint(roles)
