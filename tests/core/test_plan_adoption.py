"""The adopted annual plan: stored (who, when, parameters, items), kept after a restart,
compared with a new plan, used by `export plan` and `print inspection-plan`, checked."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from outside import outside

from safecredit_desktop.cli import main
from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.scheduling.plan import Plan, PlanStatus, compare_plans
from safecredit_desktop.core.validate import uscc_check_character

YEAR = 2027
TODAY = date(2026, 12, 5)


def code(n: int) -> str:
    first17 = f"9143312300{n:07d}"
    return first17 + uscc_check_character(first17)


@pytest.fixture
def db(new_db: Callable[[str], Path]) -> Path:
    path = new_db("x.db")
    session = core.init_database(
        path,
        profile="fenghuang",
        bureau_name="测试县应急管理局",
        user="管理员",
        admin=("管理员", "admin-pw"),
    )
    session.accounts.create_user("审核", "review-pw", Role.REVIEWER)
    session.accounts.create_user("录入", "clerk-pw", Role.CLERK)
    for n in range(1, 7):  # grade C (no commitment), never inspected: one per half-year
        town = "沱江镇" if n <= 3 else "山江镇"
        session.records.save(model.Unit(code(n), f"单位{n}", "工贸八大行业", town=town))
    session.close()
    return path


def _key(plan: Plan) -> list[tuple[object, ...]]:
    return [
        (i.uscc, i.name, i.grade, i.window_start, i.window_end, i.suggested_month, i.fits, i.body)
        for i in plan.items
    ]


def test_adopted_plan_survives_a_restart(db: Path) -> None:
    reviewer = core.sign_in(db, "审核", "review-pw")
    draft = reviewer.schedule.plan(year=YEAR, capacity=1, today=TODAY)
    assert draft.adopted is None and reviewer.schedule.adopted_plan(YEAR) is None
    adopted = reviewer.schedule.adopt(draft)
    assert adopted.adopted is not None and adopted.adopted.adopted_by == "审核"
    reviewer.close()

    again = core.open_session(db, user="别人")  # a restart
    try:
        stored = again.schedule.adopted_plan(YEAR, today=TODAY)
        assert stored is not None and stored.adopted is not None
        assert stored.adopted.adopted_by == "审核" and stored.adopted.capacity == 1
        assert stored.capacity == 1 and stored.basis == draft.basis and stored.as_of == draft.as_of
        assert _key(stored) == _key(draft)
        assert stored.month_loads() == draft.month_loads() == [1] * 12
        assert again.schedule.year_plan(year=YEAR, today=TODAY).adopted == stored.adopted
        assert again.schedule.year_plan(year=2028, today=TODAY).adopted is None
        entry = again.db.conn.execute(
            "SELECT user, action, row_key, after FROM audit_log WHERE table_name = 'plan_adoptions'"
        ).fetchone()
        assert entry[:3] == ("审核", "insert", "1")  # keyed by the adoption's number
        detail = json.loads(entry[3])
        assert detail["编号"] == 1 and detail["年度"] == YEAR
        assert detail["计划检查"] == 12 and detail["每月检查能力"] == 1
        assert detail["企业数"] == 6 and len(detail["计划SHA256"]) == 64
    finally:
        again.close()
    assert core.check_database(db).ok


def test_only_reviewers_and_administrators_adopt(db: Path) -> None:
    clerk = core.sign_in(db, "录入", "clerk-pw")
    try:
        draft = clerk.schedule.plan(year=YEAR, today=TODAY)
        with pytest.raises(SafeCreditError, match="审核员或管理员"):
            clerk.schedule.adopt(draft)
        assert clerk.schedule.adopted_plan(YEAR) is None
    finally:
        clerk.close()
    admin = core.sign_in(db, "管理员", "admin-pw")
    try:
        adopted = admin.schedule.adopt(admin.schedule.plan(year=YEAR, today=TODAY))
        with pytest.raises(SafeCreditError, match="已采用"):
            admin.schedule.adopt(adopted)
    finally:
        admin.close()


def test_statuses_are_live_items_are_as_adopted(db: Path) -> None:
    admin = core.sign_in(db, "管理员", "admin-pw")
    try:
        admin.schedule.adopt(admin.schedule.plan(year=YEAR, today=TODAY))
        unit_id = admin.units.find_by_code(code(1))
        assert unit_id is not None
        admin.records.save(model.Inspection(unit_id[0], date(2027, 3, 2)))
        admin.records.save(model.Unit(code(9), "后来的企业", "工贸八大行业"))
        stored = admin.schedule.adopted_plan(YEAR, today=date(2027, 8, 1))
        assert stored is not None
        first = [i for i in stored.items if i.uscc == code(1)]
        assert [i.status for i in first] == [PlanStatus.DONE, PlanStatus.DUE]
        assert first[0].done_on == date(2027, 3, 2)
        assert code(9) not in {i.uscc for i in stored.items}  # not in the adopted plan
        assert len(stored.items) == 12
        # a unit of the adopted plan can still be deleted (the plan keeps its code and name)
        other = admin.units.find_by_code(code(2))
        assert other is not None
        admin.records.delete("units", other[0])
        kept = admin.schedule.adopted_plan(YEAR, today=TODAY)
        assert kept is not None and code(2) in {i.uscc for i in kept.items}
    finally:
        admin.close()


def test_changes_against_the_adopted_plan(db: Path) -> None:
    admin = core.sign_in(db, "管理员", "admin-pw")
    try:
        adopted = admin.schedule.adopt(admin.schedule.plan(year=YEAR, capacity=2, today=TODAY))
        same = admin.schedule.plan(year=YEAR, capacity=2, today=TODAY)
        changes = admin.schedule.plan_changes(same)
        assert changes is not None and changes.none
        assert changes.summary() == "与已采用的计划相同。"
        assert admin.schedule.adopt(same).adopted == adopted.adopted  # not stored again

        admin.records.save(model.Unit(code(7), "新开的企业", "工贸八大行业"))
        gone = admin.units.find_by_code(code(6))
        assert gone is not None
        admin.records.delete("units", gone[0])
        unit2 = admin.units.find_by_code(code(2))
        assert unit2 is not None
        admin.records.save(model.Inspection(unit2[0], date(2026, 11, 2)))
        new = admin.schedule.plan(year=YEAR, capacity=1, today=TODAY)
        changes = admin.schedule.plan_changes(new)
        assert changes is not None and not changes.none
        assert changes.units_added == [(code(7), "新开的企业")]
        assert changes.units_removed == [(code(6), "单位6")]
        assert changes.capacity == (2, 1)
        assert changes.moved  # capacity 1 spreads the half-years over their months
        assert all(m.before != m.after for m in changes.moved)
        summary = changes.summary()
        assert "新增企业 1 家" in summary and "减少企业 1 家" in summary
        assert "改变了建议月份" in summary and "检查能力由每月2次改为每月1次" in summary
        details = "\n".join(changes.details())
        assert f"{code(7)} 新开的企业" in details and f"{code(6)} 单位6" in details
        assert "→" in details

        second = admin.schedule.adopt(new)
        assert second.adopted is not None and adopted.adopted is not None
        assert second.adopted.id > adopted.adopted.id
        assert admin.schedule.adopted_plan(YEAR, today=TODAY).adopted == second.adopted  # type: ignore[union-attr]
        assert admin.db.conn.execute("SELECT count(*) FROM plan_adoptions").fetchone()[0] == 2
    finally:
        admin.close()


def test_compare_grade_change_and_windows() -> None:
    """A unit falling from C (half-years) to D (quarters): a grade change and 2 more."""
    from safecredit_desktop.core.rules.profile import load_profile
    from safecredit_desktop.core.scheduling.due import Bodies, UnitRow
    from safecredit_desktop.core.scheduling.plan import build_plan

    profile = load_profile("fenghuang")
    units = [UnitRow(1, code(1), "甲", "工贸八大行业", "沱江镇", False, "正常")]

    def plan(grade: str) -> Plan:
        return build_plan(
            units,
            {1: grade},
            {},
            {},
            profile=profile,
            bodies=Bodies(profile, "局"),
            year=YEAR,
            capacity=None,
            today=TODAY,
            basis="测试",
        )

    changes = compare_plans(plan("C"), plan("D"))
    assert changes.grades_changed == [(code(1), "甲", "C", "D")]
    assert (changes.inspections_added, changes.inspections_removed) == (2, 0)
    assert "1 家企业等级变化" in changes.summary()


def test_adopted_rows_cannot_be_changed_and_check_notices(db: Path) -> None:
    admin = core.sign_in(db, "管理员", "admin-pw")
    admin.schedule.adopt(admin.schedule.plan(year=YEAR, today=TODAY))
    admin.close()
    conn = outside(db)
    with pytest.raises(sqlite3.DatabaseError, match="不能修改"):
        conn.execute("UPDATE plan_items SET suggested_month = 12")
    with pytest.raises(sqlite3.DatabaseError, match="不能删除"):
        conn.execute("DELETE FROM plan_adoptions")
    # someone outside the program drops the trigger and moves a month
    conn.execute("DROP TRIGGER plan_items_no_update")
    conn.execute("UPDATE plan_items SET suggested_month = 12 WHERE position = 1")
    conn.commit()
    conn.close()
    report = core.check_database(db)
    assert any("2027年度检查计划" in p and "已被改动" in p for p in report.problems)


def _pdf_text(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    )
    return "".join(out.stdout.split())


def test_export_and_print_use_the_adopted_plan(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = ["--db", str(db)]
    assert main([*run, "plan", "--year", str(YEAR), "--capacity", "1", "--adopt"]) == 1
    assert "审核员或管理员" in capsys.readouterr().err
    monkeypatch.setenv("SAFECREDIT_PASSWORD", "review-pw")
    assert (
        main([*run, "--user", "审核", "plan", "--year", str(YEAR), "--capacity", "1", "--adopt"])
        == 0
    )
    out = capsys.readouterr().out
    assert f"已采用为{YEAR}年度检查计划" in out and "由 审核 采用" in out

    session = core.open_session(db, user="录入")
    session.records.save(model.Unit(code(8), "采用后新增的企业", "工贸八大行业"))
    session.close()

    # the plan command computes afresh and says what differs from the adopted plan
    assert main([*run, "plan", "--year", str(YEAR)]) == 0
    out = capsys.readouterr().out
    assert "新增企业 1 家" in out and "检查能力由每月1次改为不限" in out

    workbook = tmp_path / "plan.xlsx"
    assert main([*run, "export", "plan", str(workbook), "--year", str(YEAR)]) == 0
    sheet = openpyxl.load_workbook(workbook)["检查计划"]
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not any("采用后新增的企业" in v for v in values)
    assert any("检查能力：每月1次" in v and "由 审核 采用" in v for v in values)

    pdf = tmp_path / "plan.pdf"
    assert main([*run, "print", "inspection-plan", "--year", str(YEAR), "--out", str(pdf)]) == 0
    text = _pdf_text(pdf)
    assert "每月检查能力1次" in text and "共计划检查12次" in text
    assert "采用后新增的企业" not in text
