"""A unit's grade history begins at its 成立日期 where it is set (grading.md Revision 2
item 9), else at its first record — not five years before anything was known of it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.validate import uscc_check_character


def code(n: int) -> str:
    first17 = f"91433123{n:09d}"
    return first17 + uscc_check_character(first17)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[core.Session]:
    opened = core.init_database(
        tmp_path / "x.db", profile="fenghuang", bureau_name="凤凰县应急管理局", user="测试员"
    )
    yield opened
    opened.close()


def test_history_begins_at_the_first_record_when_no_founding_date(
    session: core.Session,
) -> None:
    today = date.today()
    first = today - timedelta(days=400)
    unit = session.records.save(model.Unit(uscc=code(1), name="甲公司", category="危险化学品"))
    session.records.save(model.Inspection(unit, first, "日常"))
    session.records.save(model.Inspection(unit, today - timedelta(days=30), "计划"))
    history = session.grading.history(unit)
    assert history and all(p.day >= first for p in history)
    assert history[-1].day == today and history[-1].source == "实时"
    # one year-end point at most lies between the first record and today
    assert len(history) in (2, 3)


def test_a_unit_without_records_or_founding_date_has_only_todays_grade(
    session: core.Session,
) -> None:
    unit = session.records.save(model.Unit(uscc=code(2), name="乙公司", category="危险化学品"))
    history = session.grading.history(unit)
    assert [p.source for p in history] == ["实时"]


def test_the_founding_date_wins_over_the_first_record(session: core.Session) -> None:
    today = date.today()
    founded = today - timedelta(days=800)
    unit = session.records.save(
        model.Unit(uscc=code(3), name="丙公司", category="危险化学品", founded_on=founded)
    )
    session.records.save(model.Inspection(unit, today - timedelta(days=10), "日常"))
    history = session.grading.history(unit)
    assert all(p.day >= founded for p in history)
    assert any(p.day < today - timedelta(days=10) for p in history)  # before the record
