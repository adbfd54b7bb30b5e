"""An edit of a record another seat changed since it was opened is refused with who and
when, and nothing is overwritten (issue 19; on either engine: ``db_path``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from safecredit_desktop.core import model, services
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.storage.repository import ConcurrentEditError


def _seats(db_path: object) -> tuple[services.Session, services.Session, int]:
    first = services.init_database(
        db_path,  # type: ignore[arg-type]
        profile="fenghuang",
        bureau_name="测试县应急管理局",
        user="管理员",
        admin=("admin", "admin-password"),
    )
    services.create_user(first, "zhangli", "zhangli-password", Role.CLERK, "张丽")
    unit = model.Unit(uscc="91433123MA4L0K2X5B", name="凤凰矿业有限公司", category="非煤矿山")
    unit_id = services.save_record(first, unit)
    inspection = model.Inspection(unit_id=unit_id, inspected_on=date(2026, 3, 2), hazards=1)
    record_id = services.save_record(first, inspection)
    first.close()
    mine = services.sign_in(db_path, "admin", "admin-password")  # type: ignore[arg-type]
    other = services.sign_in(db_path, "zhangli", "zhangli-password")  # type: ignore[arg-type]
    return mine, other, record_id


def test_an_edit_overtaken_by_another_seat_is_refused(db_path: object) -> None:
    mine, other, record_id = _seats(db_path)
    try:
        opened = services.get_record(mine, "inspections", record_id)
        theirs = services.get_record(other, "inspections", record_id)
        services.save_record(other, replace(theirs, hazards=5, note="复查发现"))
        with pytest.raises(ConcurrentEditError) as refused:
            services.save_record(mine, replace(opened, hazards=2))
        assert "该记录已被张丽于 " in refused.value.message
        assert refused.value.message.endswith("修改，请重新打开后再改。")
        stored = services.get_record(mine, "inspections", record_id)
        assert (stored.hazards, stored.note) == (5, "复查发现")  # nothing overwritten
        # Opened again, the edit goes through; a second save of the same form too.
        services.save_record(mine, replace(stored, hazards=2))
        services.save_record(mine, replace(stored, hazards=3))
        assert services.get_record(other, "inspections", record_id).hazards == 3
    finally:
        mine.close()
        other.close()


def test_a_changed_natural_key_is_an_edit_too(db_path: object) -> None:
    mine, other, record_id = _seats(db_path)
    try:
        opened = services.get_record(mine, "inspections", record_id)
        theirs = services.get_record(other, "inspections", record_id)
        services.save_record(other, replace(theirs, inspected_on=date(2026, 3, 3)))
        with pytest.raises(ConcurrentEditError):
            services.save_record(mine, replace(opened, hazards=4))
        assert services.get_record(mine, "inspections", record_id).inspected_on == date(2026, 3, 3)
    finally:
        mine.close()
        other.close()


def test_an_edit_nobody_overtook_is_saved(db_path: object) -> None:
    mine, other, record_id = _seats(db_path)
    try:
        opened = services.get_record(mine, "inspections", record_id)
        services.get_record(other, "inspections", record_id)  # looked at, not changed
        services.save_record(mine, replace(opened, hazards=7))
        assert services.get_record(other, "inspections", record_id).hazards == 7
    finally:
        mine.close()
        other.close()
