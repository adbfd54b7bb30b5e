"""The base of the Session's parts (``session.reports``, ``session.draws`` …)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from safecredit_desktop.core.app.session import Session


class Part:
    """One area's use cases; each method acts with the session's database, user, role,
    profile and today."""

    def __init__(self, session: Session) -> None:
        self._session = session
