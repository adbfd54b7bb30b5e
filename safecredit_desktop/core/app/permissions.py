"""Refusing an action a workflow does not allow (the CLI asks before it acts; the window
enables its buttons from the same ``allowed_actions``)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, TypeVar

from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.workflows.permissions import EVERY_ROLE

if TYPE_CHECKING:
    from safecredit_desktop.core.app.session import Session

Action = TypeVar("Action")


def require_action(
    session: Session,
    action: Action,
    allowed: Callable[[Collection[Role]], Collection[Action]],
    refusal: Callable[[], str],
) -> None:
    """Refuse ``action`` unless ``allowed(session.roles)`` has it: with the role sentence
    when another role could do it now, else with the workflow's own ``refusal``."""
    if action in allowed(session.roles):
        return
    if action in allowed(EVERY_ROLE):
        session.require(Role.REVIEWER, Role.ADMIN)
    raise SafeCreditError(refusal())
