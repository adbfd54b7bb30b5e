"""双公示 of penalties and permits; commitments lacking and signed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from safecredit_desktop.core import model as _model
from safecredit_desktop.core.app import files
from safecredit_desktop.core.app.part import Part
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.storage import settings as keys
from safecredit_desktop.core.storage.settings import get_setting
from safecredit_desktop.core.workflows import publicity as _publicity

if TYPE_CHECKING:
    from safecredit_desktop.core.exchange.publicity_export import (
        PenaltyPublicity as _PenaltyPublicity,
    )


class PublicityPart(Part):
    """双公示 of penalties and permits; commitments lacking and signed."""

    def allowed_actions(self, item: _publicity.PublicityItem) -> set[_publicity.PublicityAction]:
        """What this user may do to a 双公示 item now (the window's buttons)."""
        return _publicity.allowed_actions(item, self._session.roles)

    def commitment_gaps(self, *, as_of: date | None = None) -> list[_publicity.CommitmentGap]:
        """Units lacking a valid unit commitment or main-person 履职尽责承诺."""
        session = self._session
        return _publicity.commitment_gaps(session.db, files._today(as_of))

    def record_commitment_signed(
        self, *, unit_id: int, kind: str, signed_on: date, signer: str = ""
    ) -> int:
        """A commitment letter came back signed: store it (audited)."""
        session = self._session
        if signed_on > date.today():
            raise SafeCreditError("签署日期不能晚于今天。")
        return session.records.save(_model.Commitment(unit_id, kind, signed_on, signer))

    def breached_commitment(self, violation_id: int) -> str | None:
        session = self._session
        return _publicity.breached_commitment(session.db, violation_id)

    def items(self) -> list[_publicity.PublicityItem]:
        """双公示: the bureau's penalties and the permits, with their due dates."""
        session = self._session
        return _publicity.items(session.db, session.schedule.calendar())

    def mark_published(self, kind: str, item_id: int, *, on: date) -> None:
        """Mark a penalty (行政处罚) or a permit (行政许可) as published on ``on``."""
        session = self._session
        if kind == "行政处罚":
            record = session.repo.get(_model.Penalty, item_id)
            if on < record.decided_on:
                raise SafeCreditError("公示日期不能早于处罚决定日期。")
            session.repo.update(replace(record, published_on=on))
        elif kind == "行政许可":
            _publicity.mark_published_permit(session.db, session.user, item_id, on)
        else:
            raise SafeCreditError("双公示的类别应为行政处罚或行政许可。")

    def permits(self) -> list[_publicity.Permit]:
        session = self._session
        return _publicity.permits(session.db)

    def add_permit(self, *, unit_id: int, permit_no: str, kind: str, decided_on: date) -> int:
        session = self._session
        return _publicity.add_permit(
            session.db,
            session.user,
            unit_id=unit_id,
            permit_no=permit_no,
            kind=kind,
            decided_on=decided_on,
        )

    def export(self, path: Path, *, today: date | None = None) -> Path:
        session = self._session
        from safecredit_desktop.core.exchange import workflow_export

        items = session.publicity.items()
        written = workflow_export.write_publicity(
            path, items, bureau_name=session.bureau_name, today=files._today(today)
        )
        return self._audit_export(written, {"导出": "双公示", "条数": len(items)})

    def export_penalties(
        self, path: Path, *, start: date, end: date, today: date | None = None
    ) -> _PenaltyPublicity:
        """行政处罚双公示 (workbook.md): the bureau's penalties decided from ``start`` to ``end``
        in the national publicity columns, with a 缺项 sheet naming every required cell the
        records leave blank. Returns ``publicity_export.PenaltyPublicity`` (rows, gaps, path)."""
        session = self._session
        from safecredit_desktop.core.exchange import publicity_export

        bureau = session.bureau_name
        found = publicity_export.collect(
            session.db,
            start=start,
            end=end,
            bureau_name=bureau,
            bureau_uscc=get_setting(session.db, keys.BUREAU_USCC),
        )
        written = publicity_export.write_penalty_publicity(
            Path(path), found, bureau_name=bureau, today=files._today(today)
        )
        detail = {
            "导出": publicity_export.TITLE,
            "期间": f"{start.isoformat()} 至 {end.isoformat()}",
            "条数": len(found.rows),
            "缺项": len(found.gaps),
        }
        return replace(found, path=self._audit_export(written, detail))
