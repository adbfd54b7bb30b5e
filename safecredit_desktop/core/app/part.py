"""What every part of the Session shares: the session it is bound to, and the roles a
use case asks of its user."""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from safecredit_desktop.core.app.permissions import require_action
from safecredit_desktop.core.model import Role

if TYPE_CHECKING:
    from safecredit_desktop.core.app.session import Session

Entry = TypeVar("Entry")
Action = TypeVar("Action")


class Part:
    """One area of the Session's API (Anki's managers): its methods are the use cases,
    with the session's database, user, roles and profile bound."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def _as_reviewer(self) -> Session:
        """The session, refused unless its user is a 审核员 or 管理员."""
        self._session.require(Role.REVIEWER, Role.ADMIN)
        return self._session

    def _as_admin(self) -> Session:
        """The session, refused unless its user is a 管理员."""
        self._session.require(Role.ADMIN)
        return self._session

    def _require_action(
        self,
        entry: Entry,
        action: Action,
        allowed: Callable[[Entry, Collection[Role]], Collection[Action]],
        refusal: Callable[[Entry, Action], str],
    ) -> None:
        """Refuse ``action`` on a workflow's ``entry`` unless ``allowed`` (the workflow's
        ``allowed_actions``) has it for this user, with the workflow's ``refusal``."""
        require_action(
            self._session,
            action,
            lambda roles: allowed(entry, roles),
            lambda: refusal(entry, action),
        )

    def _audit_export(self, written: Path, detail: dict[str, Any]) -> Path:
        """Record in the audit log that ``written`` was exported (``detail``: what and how
        much); the path, for the caller to return."""
        self._session.repo.log_event("export", str(written), detail)
        return written
