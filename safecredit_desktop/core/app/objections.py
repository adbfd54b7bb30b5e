"""Objections (异议): filing, acceptance, answer with its outcome."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from safecredit_desktop.core.app import files
from safecredit_desktop.core.app.part import Part
from safecredit_desktop.core.workflows import objections as _objections


class ObjectionsPart(Part):
    """Objections (异议): filing, acceptance, answer with its outcome."""

    def allowed_actions(self, objection: _objections.Objection) -> set[_objections.ObjectionAction]:
        """What this user may do to ``objection`` now (the window's buttons)."""
        return _objections.allowed_actions(objection, self._session.roles)

    def require_action(self, objection_id: int, action: _objections.ObjectionAction) -> None:
        """Refuse ``action`` on the objection unless allowed_actions has it (the CLI)."""
        found = _objections.get(self._session.db, objection_id)
        self._require_action(found, action, _objections.allowed_actions, _objections.refusal)

    def all(
        self, *, unit_id: int | None = None, open_only: bool = False, search: str = ""
    ) -> list[_objections.Objection]:
        session = self._session
        return _objections.objections(
            session.db, unit_id=unit_id, open_only=open_only, search=search
        )

    def get(self, objection_id: int) -> _objections.Objection:
        session = self._session
        return _objections.get(session.db, objection_id)

    def file(
        self,
        *,
        table: str,
        record_id: int,
        content: str,
        evidence: str = "",
        filed_on: date | None = None,
    ) -> _objections.Objection:
        """Record a unit's objection (异议) against one record."""
        session = self._session
        new_id = _objections.file(
            session.db,
            session.user,
            table=table,
            record_id=record_id,
            filed_on=files._today(filed_on),
            content=content,
            evidence=evidence,
        )
        return _objections.get(session.db, new_id)

    def accept(self, objection_id: int, *, on: date | None = None) -> _objections.Objection:
        """受理 (审核员 or 管理员): the answer is due in the profile's working days."""
        session = self._as_reviewer()
        return _objections.accept(
            session.db,
            session.user,
            session.profile,
            session.schedule.calendar(),
            objection_id,
            files._today(on),
        )

    def refuse(
        self, objection_id: int, *, reason: str, on: date | None = None
    ) -> _objections.Objection:
        session = self._as_reviewer()
        return _objections.refuse(session.db, session.user, objection_id, reason, files._today(on))

    def answer(
        self,
        objection_id: int,
        *,
        findings: str,
        outcome: str,
        corrected: Any | None = None,
        on: date | None = None,
    ) -> _objections.Objection:
        """The investigator's answer (审核员 or 管理员, not who recorded the record): 更正
        stores ``corrected``, 删除 deletes the record, 保留 keeps it."""
        session = self._as_reviewer()
        return _objections.answer(
            session.db,
            session.user,
            objection_id,
            findings=findings,
            outcome=outcome,
            on=files._today(on),
            corrected=corrected,
        )

    def correction(
        self, objection_id: int, changes: Sequence[tuple[str, str]], *, today: date | None = None
    ) -> Any:
        """The objected record with ``changes`` (field key or column name, typed value)
        through the window's form checks, ready for ``answer(outcome="更正")``."""
        session = self._session
        return _objections.corrected_record(
            session.db,
            objection_id,
            changes,
            profile=session.profile,
            today=files._today(today),
        )

    def open_targets(self, unit_id: int | None = None) -> dict[tuple[str, int], str]:
        """Records under an open objection (异议中): (table, id) → the record as quoted."""
        session = self._session
        return _objections.open_targets(session.db, unit_id)
