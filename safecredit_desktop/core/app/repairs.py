"""Credit repair and early-removal applications; 不良信用记录."""

from __future__ import annotations

from datetime import date

from safecredit_desktop.core.app import files
from safecredit_desktop.core.app.part import Part
from safecredit_desktop.core.workflows import bad_records as _bad
from safecredit_desktop.core.workflows import repairs as _repairs


class RepairsPart(Part):
    """Credit repair and early-removal applications; 不良信用记录."""

    def allowed_actions(self, application: _repairs.Application) -> set[_repairs.RepairAction]:
        """What this user may do to ``application`` now (the window's buttons)."""
        return _repairs.allowed_actions(application, self._session.roles)

    def require_action(self, application_id: int, action: _repairs.RepairAction) -> None:
        """Refuse ``action`` on the application unless allowed_actions has it (the CLI)."""
        found = _repairs.get(self._session.db, application_id)
        self._require_action(found, action, _repairs.allowed_actions, _repairs.refusal)

    def all(
        self, *, unit_id: int | None = None, status: str | None = None, search: str = ""
    ) -> list[_repairs.Application]:
        session = self._session
        return _repairs.applications(session.db, unit_id=unit_id, status=status, search=search)

    def get(self, application_id: int) -> _repairs.Application:
        session = self._session
        return _repairs.get(session.db, application_id)

    def apply(
        self,
        *,
        table: str,
        target_id: int,
        statement: str = "",
        applied_on: date | None = None,
    ) -> _repairs.Application:
        """An application for credit repair (a penalty, violation or accident) or for early
        removal (``table="list_entries"``)."""
        session = self._session
        new_id = _repairs.apply(
            session.db,
            session.user,
            table=table,
            target_id=target_id,
            applied_on=files._today(applied_on),
            statement=statement,
        )
        return _repairs.get(session.db, new_id)

    def checks(self, application_id: int, *, on: date | None = None) -> list[_repairs.Check]:
        session = self._session
        return _repairs.checks(session.db, session.profile, application_id, files._today(on))

    def decide(
        self, application_id: int, *, approve: bool, note: str = "", on: date | None = None
    ) -> _repairs.Application:
        """批准 (effective from ``on``) or 驳回, by a 审核员 or 管理员."""
        session = self._as_reviewer()
        return _repairs.decide(
            session.db,
            session.user,
            session.profile,
            application_id,
            approve=approve,
            note=note,
            on=files._today(on),
        )

    def revoke(
        self, application_id: int, *, reason: str, on: date | None = None
    ) -> _repairs.Application:
        """Revoke an approval obtained by false statements; the record counts again."""
        session = self._as_reviewer()
        return _repairs.revoke(
            session.db, session.user, application_id, reason=reason, on=files._today(on)
        )

    def bad_records(
        self, *, unit_id: int | None = None, as_of: date | None = None
    ) -> list[_bad.BadRecord]:
        """不良信用记录 (seed 002's eight triggers) where the data show them."""
        session = self._session
        return _bad.bad_records(session.db, files._today(as_of), unit_id)
