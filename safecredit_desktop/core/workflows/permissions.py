"""Who may act on a workflow's entries: the roles that review (审核员, 管理员), shared by
every workflow's ``allowed_actions``, and a workflow's table of what may be done in each
status."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TypeAlias, TypeVar

from safecredit_desktop.core.model import Role

State = TypeVar("State")
Action = TypeVar("Action")

# a workflow's status → (what anyone may do in it, what a reviewer may do besides)
ByStatus: TypeAlias = Mapping[State, tuple[Collection[Action], Collection[Action]]]

REVIEWERS: frozenset[Role] = frozenset({Role.REVIEWER, Role.ADMIN})
EVERY_ROLE: frozenset[Role] = frozenset(Role)


def reviews(roles: Collection[Role]) -> bool:
    """Whether one of ``roles`` is a reviewer's (审核员 or 管理员)."""
    return not REVIEWERS.isdisjoint(roles)


def allowed_in(
    table: ByStatus[State, Action], status: State, roles: Collection[Role]
) -> set[Action]:
    """What a user with ``roles`` may do to an entry in ``status``, by the workflow's table."""
    anyone, reviewer = table.get(status, ((), ()))
    return {*anyone, *reviewer} if reviews(roles) else set(anyone)
