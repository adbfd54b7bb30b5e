"""save / delete / undo through the Session, as the window uses them."""

from __future__ import annotations

from datetime import date

import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.errors import SafeCreditError


def _unit() -> model.Unit:
    return model.Unit(
        uscc="91433123111820220L", name="凤凰县沱江化工有限公司", category="危险化学品"
    )


def test_save_then_undo_insert(session: core.Session) -> None:
    unit_id = session.records.save(_unit())
    assert session.units.count() == 1
    assert "撤销新增" in session.records.undo()
    assert session.units.count() == 0
    with pytest.raises(SafeCreditError, match="没有可以撤销"):
        session.records.undo()
    # an undone insert is not remembered as deleted: entering it again works
    unit = _unit()
    assert session.records.save(unit) != 0
    assert unit_id


def test_save_edit_then_undo_restores(session: core.Session) -> None:
    unit = _unit()
    session.records.save(unit)
    inspection = model.Inspection(unit_id=unit.id or 0, inspected_on=date(2025, 5, 1), hazards=1)
    session.records.save(inspection)
    inspection.hazards = 4
    session.records.save(inspection)
    session.records.undo()
    stored = session.records.get("inspections", inspection.id or 0)
    assert stored.hazards == 1
    actions = [
        r[0]
        for r in session.db.conn.execute(
            "SELECT action FROM audit_log WHERE table_name = 'inspections'"
        )
    ]
    assert actions == ["insert", "update", "update"]


def test_delete_is_remembered_and_can_be_undone(session: core.Session) -> None:
    unit = _unit()
    session.records.save(unit)
    penalty = model.Penalty(
        unit_id=unit.id or 0,
        doc_no="凤应急罚〔2025〕1号",
        decided_on=date(2025, 3, 3),
        department="应急管理部门",
    )
    session.records.save(penalty)
    session.records.delete("penalties", penalty.id or 0)
    remembered = session.db.conn.execute(
        "SELECT natural_key, deleted_by FROM deleted_records"
    ).fetchall()
    assert remembered == [('["凤应急罚〔2025〕1号"]', session.user)]
    # 撤销 stores it again, and an import may bring it back (no longer remembered)
    assert session.records.undo() == "撤销删除行政处罚记录"
    rows = session.db.conn.execute("SELECT doc_no, fine_yuan FROM penalties").fetchall()
    assert rows == [("凤应急罚〔2025〕1号", 0.0)]
    assert session.db.conn.execute("SELECT count(*) FROM deleted_records").fetchone()[0] == 0
    assert session.last_save is None


def test_undoing_a_delete_refused_when_the_record_was_entered_again(
    session: core.Session,
) -> None:
    unit = _unit()
    session.records.save(unit)
    first = model.Inspection(unit_id=unit.id or 0, inspected_on=date(2025, 5, 1), hazards=1)
    session.records.save(first)
    session.records.delete("inspections", first.id or 0)
    step = session.last_save
    again = model.Inspection(unit_id=unit.id or 0, inspected_on=date(2025, 5, 1), hazards=2)
    session.repo.insert(again)  # the same day entered again (an import, another seat)
    session.last_save = step
    with pytest.raises(SafeCreditError, match="无法撤销删除"):
        session.records.undo()
    rows = session.db.conn.execute("SELECT hazards FROM inspections").fetchall()
    assert rows == [(2,)]


def test_automatic_backup_daily_and_forced(session: core.Session) -> None:
    from datetime import datetime, timedelta

    path = session.db.location  # the file, or a server register
    first = core.automatic_backup(path)
    assert first is not None and first.exists()
    assert core.automatic_backup(path) is None  # already one today
    forced = core.automatic_backup(path, force=True)
    assert forced is not None and forced != first
    later = core.automatic_backup(path, now=datetime.now() + timedelta(days=2))
    assert later is not None
    reasons = {b.reason for b in core.backups_of(path)}
    assert reasons == {"auto"}
