"""Who may act on a workflow's entries: the roles that review (审核员, 管理员), shared by
every workflow's ``allowed_actions``, and a workflow's table of what may be done in each
status."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Generic, TypeAlias, TypeVar

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


@dataclass(frozen=True)
class ActionRules(Generic[State, Action]):
    """A workflow's rules of action: what may be done to an entry in each status, and the
    sentence refusing an action whatever the user's roles ({id}, {status}: the entry's)."""

    allowed: ByStatus[State, Action]
    refusals: Mapping[Action, str]
    otherwise: str  # the refusal of any other action

    def allowed_actions(self, status: State, roles: Collection[Role]) -> set[Action]:
        """What a user with ``roles`` may do to an entry in ``status``."""
        anyone, reviewer = self.allowed.get(status, ((), ()))
        return {*anyone, *reviewer} if reviews(roles) else set(anyone)

    def refusal(self, action: Action, *, entry_id: int, status: State) -> str:
        return self.refusals.get(action, self.otherwise).format(id=entry_id, status=status)
