"""Tracked deadlines (scheduling.md "Other deadlines"): known records → expected items."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.scheduling import deadlines as dl
from safecredit_desktop.core.validate import uscc_check_character

AS_OF = date(2026, 10, 12)


def _uscc(n: int) -> str:
    first = f"9142130000{n:07d}"
    return first + uscc_check_character(first)


@pytest.fixture
def session(tmp_path: Path, new_db: Any) -> Iterator[core.Session]:
    s = core.init_database(
        new_db("x.db"), profile="suizhou", bureau_name="测试县应急管理局", user="测试"
    )
    yield s
    s.close()


def _unit(session: core.Session, n: int, **fields: object) -> int:
    unit = model.Unit(uscc=_uscc(n), name=f"测试单位{n}", category="其他工贸", **fields)  # type: ignore[arg-type]
    return session.records.save(unit)


def _penalty(
    session: core.Session,
    unit_id: int,
    doc_no: str,
    decided: date,
    published: date | None = None,
    department: str = "应急管理部门",
) -> None:
    session.records.save(
        model.Penalty(
            unit_id=unit_id,
            doc_no=doc_no,
            decided_on=decided,
            department=department,
            published_on=published,
        ),
    )


def _kinds(items: list[dl.Deadline]) -> list[tuple[str, str, date]]:
    return [(d.kind, d.name, d.due_on) for d in items]


def test_publication_counts_working_days_across_national_day(
    session: core.Session,
) -> None:
    uid = _unit(session, 1)
    # Tuesday 29 September 2026: 30 Sep, then 国庆 1–7 Oct off, 8, 9, 10 (调休 Saturday),
    # 12, 13, 14 → due 14 October.
    _penalty(session, uid, "随应急罚〔2026〕3号", date(2026, 9, 29))
    items = session.schedule.deadlines(as_of=AS_OF)
    assert _kinds(items) == [(dl.UNPUBLISHED, "测试单位1", date(2026, 10, 14))]
    item = items[0]
    assert item.days_left == 2
    assert not item.estimated
    assert item.uscc == _uscc(1)
    assert "随应急罚〔2026〕3号" in item.detail
    assert "2026-09-29 决定" in item.detail
    assert "2026-10-14 前公示" in item.detail


def test_publication_on_time_late_other_department_and_old(
    session: core.Session,
) -> None:
    uid = _unit(session, 1)
    _penalty(session, uid, "罚1", date(2026, 9, 29), published=date(2026, 10, 14))  # on time
    _penalty(session, uid, "罚2", date(2026, 9, 1), published=date(2026, 9, 25))  # late
    _penalty(session, uid, "罚3", date(2026, 9, 29), department="其他部门")
    _penalty(session, uid, "罚4", date(2026, 5, 6))  # decided long ago: out of sight
    _penalty(session, uid, "罚5", date(2026, 9, 1))  # overdue, unpublished
    items = session.schedule.deadlines(as_of=AS_OF)
    # 1 Sep 2026 (Tuesday) + 7 working days = 10 September
    assert _kinds(items) == [
        (dl.UNPUBLISHED, "测试单位1", date(2026, 9, 10)),
        (dl.PUBLISHED_LATE, "测试单位1", date(2026, 9, 10)),
    ]
    assert items[0].days_left == -32
    assert "罚5" in items[0].detail
    assert "罚2" in items[1].detail and "2026-09-25 才公示" in items[1].detail


def test_decision_in_unknown_year_is_estimated(session: core.Session) -> None:
    uid = _unit(session, 1)
    _penalty(session, uid, "罚2027", date(2026, 12, 28))
    items = session.schedule.deadlines(as_of=date(2026, 12, 30))
    assert len(items) == 1
    item = items[0]
    assert item.kind == dl.UNPUBLISHED
    assert item.estimated
    assert "2027年" in item.warning


def test_rectification_deadlines(session: core.Session) -> None:
    a = _unit(session, 1)
    b = _unit(session, 2)
    session.records.save(
        model.Inspection(
            unit_id=a,
            inspected_on=date(2026, 9, 1),
            hazards=3,
            rectify_deadline=date(2026, 10, 1),
            doc_no="检1",
        ),
    )
    session.records.save(
        model.Inspection(
            unit_id=b,
            inspected_on=date(2026, 9, 20),
            hazards=1,
            rectify_deadline=date(2026, 10, 20),
        ),
    )
    # closed, and far away: not listed
    session.records.save(
        model.Inspection(
            unit_id=a,
            inspected_on=date(2026, 8, 1),
            hazards=2,
            rectify_deadline=date(2026, 9, 1),
            rectified_on=date(2026, 8, 30),
        ),
    )
    session.records.save(
        model.Inspection(
            unit_id=b, inspected_on=date(2026, 10, 1), hazards=1, rectify_deadline=date(2027, 1, 20)
        ),
    )
    items = session.schedule.deadlines(as_of=AS_OF)
    assert _kinds(items) == [
        (dl.RECTIFY_OVERDUE, "测试单位1", date(2026, 10, 1)),
        (dl.RECTIFY_DUE, "测试单位2", date(2026, 10, 20)),
    ]
    assert "隐患 3 项" in items[0].detail and "检1" in items[0].detail
    assert items[1].days_left == 8


def test_permits(session: core.Session) -> None:
    _unit(session, 1, permit_no="（鄂）WH安许证字〔2023〕001", permit_valid_until=date(2026, 12, 1))
    _unit(session, 2, permit_valid_until=date(2026, 9, 1))
    _unit(session, 3, permit_valid_until=date(2026, 9, 1), status="关闭")
    _unit(session, 4, permit_valid_until=date(2026, 9, 1), status="停产整顿")
    _unit(session, 5, permit_valid_until=date(2027, 6, 1))
    items = session.schedule.deadlines(as_of=AS_OF)
    assert _kinds(items) == [
        (dl.PERMIT_EXPIRED, "测试单位2", date(2026, 9, 1)),
        (dl.PERMIT_EXPIRING, "测试单位1", date(2026, 12, 1)),
    ]
    assert "（鄂）WH安许证字〔2023〕001" in items[1].detail


def test_management_period_end(session: core.Session) -> None:
    uid = _unit(session, 1)
    # Penalised (C, 3 years) on 20 October 2023, published in time: the C grade ends
    # within the 30-day horizon of 12 October 2026.
    _penalty(session, uid, "罚2023", date(2023, 10, 20), published=date(2023, 10, 25))
    items = session.schedule.deadlines(as_of=AS_OF)
    assert [d.kind for d in items] == [dl.MANAGEMENT_ENDS]
    item = items[0]
    assert date(2026, 10, 12) < item.due_on <= date(2026, 11, 11)
    assert "C类" in item.detail
    assert session.schedule.deadlines(as_of=date(2026, 6, 1)) == []


def test_management_needs_a_profile_with_periods(tmp_path: Path, new_db: Any) -> None:
    s = core.init_database(
        new_db("f.db"), profile="fenghuang", bureau_name="测试县应急管理局", user="测试"
    )
    try:
        assert s.profile.management is None
        uid = s.records.save(model.Unit(uscc=_uscc(9), name="测试单位9", category="危险化学品"))
        _penalty(s, uid, "罚2023", date(2023, 10, 20), published=date(2023, 10, 25))
        assert s.schedule.deadlines(as_of=AS_OF) == []
    finally:
        s.close()
