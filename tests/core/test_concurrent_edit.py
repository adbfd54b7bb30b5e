"""An edit of a record another seat changed since it was opened is refused with who and
when, and nothing is overwritten (issue 19; on either engine: ``db_path``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.storage.repository import ConcurrentEditError


def _seats(db_path: object) -> tuple[core.Session, core.Session, int]:
    first = core.init_database(
        db_path,  # type: ignore[arg-type]
        profile="fenghuang",
        bureau_name="测试县应急管理局",
        user="管理员",
        admin=("admin", "admin-password"),
    )
    first.accounts.create_user("zhangli", "zhangli-password", Role.CLERK, "张丽")
    unit = model.Unit(uscc="91433123MA4L0K2X5B", name="凤凰矿业有限公司", category="非煤矿山")
    unit_id = first.records.save(unit)
    inspection = model.Inspection(unit_id=unit_id, inspected_on=date(2026, 3, 2), hazards=1)
    record_id = first.records.save(inspection)
    first.close()
    mine = core.sign_in(db_path, "admin", "admin-password")  # type: ignore[arg-type]
    other = core.sign_in(db_path, "zhangli", "zhangli-password")  # type: ignore[arg-type]
    return mine, other, record_id


def test_an_edit_overtaken_by_another_seat_is_refused(db_path: object) -> None:
    mine, other, record_id = _seats(db_path)
    try:
        opened = mine.records.get("inspections", record_id)
        theirs = other.records.get("inspections", record_id)
        other.records.save(replace(theirs, hazards=5, note="复查发现"))
        with pytest.raises(ConcurrentEditError) as refused:
            mine.records.save(replace(opened, hazards=2))
        assert "该记录已被张丽于 " in refused.value.message
        assert refused.value.message.endswith("修改，请重新打开后再改。")
        stored = mine.records.get("inspections", record_id)
        assert (stored.hazards, stored.note) == (5, "复查发现")  # nothing overwritten
        # Opened again, the edit goes through; a second save of the same form too.
        mine.records.save(replace(stored, hazards=2))
        mine.records.save(replace(stored, hazards=3))
        assert other.records.get("inspections", record_id).hazards == 3
    finally:
        mine.close()
        other.close()


def test_a_changed_natural_key_is_an_edit_too(db_path: object) -> None:
    mine, other, record_id = _seats(db_path)
    try:
        opened = mine.records.get("inspections", record_id)
        theirs = other.records.get("inspections", record_id)
        other.records.save(replace(theirs, inspected_on=date(2026, 3, 3)))
        with pytest.raises(ConcurrentEditError):
            mine.records.save(replace(opened, hazards=4))
        assert mine.records.get("inspections", record_id).inspected_on == date(2026, 3, 3)
    finally:
        mine.close()
        other.close()


def test_an_edit_nobody_overtook_is_saved(db_path: object) -> None:
    mine, other, record_id = _seats(db_path)
    try:
        opened = mine.records.get("inspections", record_id)
        other.records.get("inspections", record_id)  # looked at, not changed
        mine.records.save(replace(opened, hazards=7))
        assert other.records.get("inspections", record_id).hazards == 7
    finally:
        mine.close()
        other.close()
