"""save / delete / undo through services, as the window uses them."""

from __future__ import annotations

from datetime import date

import pytest

from safecredit_desktop.core import model, services
from safecredit_desktop.core.errors import SafeCreditError


def _unit() -> model.Unit:
    return model.Unit(
        uscc="91433123111820220L", name="凤凰县沱江化工有限公司", category="危险化学品"
    )


def test_save_then_undo_insert(session: services.Session) -> None:
    unit_id = services.save_record(session, _unit())
    assert services.count_units(session) == 1
    assert "撤销新增" in services.undo_last_save(session)
    assert services.count_units(session) == 0
    with pytest.raises(SafeCreditError, match="没有可以撤销"):
        services.undo_last_save(session)
    # an undone insert is not remembered as deleted: entering it again works
    unit = _unit()
    assert services.save_record(session, unit) != 0
    assert unit_id


def test_save_edit_then_undo_restores(session: services.Session) -> None:
    unit = _unit()
    services.save_record(session, unit)
    inspection = model.Inspection(unit_id=unit.id or 0, inspected_on=date(2025, 5, 1), hazards=1)
    services.save_record(session, inspection)
    inspection.hazards = 4
    services.save_record(session, inspection)
    services.undo_last_save(session)
    stored = services.get_record(session, "inspections", inspection.id or 0)
    assert stored.hazards == 1
    actions = [
        r[0]
        for r in session.db.conn.execute(
            "SELECT action FROM audit_log WHERE table_name = 'inspections'"
        )
    ]
    assert actions == ["insert", "update", "update"]


def test_delete_clears_undo_and_is_remembered(session: services.Session) -> None:
    unit = _unit()
    services.save_record(session, unit)
    penalty = model.Penalty(
        unit_id=unit.id or 0,
        doc_no="凤应急罚〔2025〕1号",
        decided_on=date(2025, 3, 3),
        department="应急管理部门",
    )
    services.save_record(session, penalty)
    services.delete_record(session, "penalties", penalty.id or 0)
    assert session.last_save is None
    remembered = session.db.conn.execute(
        "SELECT natural_key, deleted_by FROM deleted_records"
    ).fetchall()
    assert remembered == [('["凤应急罚〔2025〕1号"]', session.user)]


def test_automatic_backup_daily_and_forced(session: services.Session) -> None:
    from datetime import datetime, timedelta

    path = session.db.location  # the file, or a server register
    first = services.automatic_backup(path)
    assert first is not None and first.exists()
    assert services.automatic_backup(path) is None  # already one today
    forced = services.automatic_backup(path, force=True)
    assert forced is not None and forced != first
    later = services.automatic_backup(path, now=datetime.now() + timedelta(days=2))
    assert later is not None
    reasons = {b.reason for b in services.backups_of(path)}
    assert reasons == {"auto"}
