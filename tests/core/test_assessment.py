"""Annual assessment: T = 31 December of the year before; confirmed once by a 审核员."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from outside import outside

from safecredit_desktop.cli import main
from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.registry import UnitQuery

USCC = "91433123111820220L"


@pytest.fixture
def graded(new_db: Callable[[str], Path]) -> Path:
    path = new_db("a.db")
    admin = core.init_database(
        path,
        profile="fenghuang",
        bureau_name="凤凰县应急管理局",
        user="管理员",
        admin=("管理员", "admin-pw"),
    )
    admin.accounts.create_user("审核员甲", "review-pw", Role.REVIEWER)
    admin.accounts.create_user("管理员乙", "admin2-pw", Role.ADMIN)
    unit = model.Unit(
        uscc=USCC,
        name="凤凰县沱江化工有限公司",
        category="危险化学品",
        std_level="二级",
        std_valid_until=date(2030, 1, 1),
    )
    admin.records.save(unit)
    admin.records.save(
        model.Commitment(unit_id=unit.id or 0, type="单位承诺", signed_on=date(2023, 3, 1)),
    )
    # a fatal responsible accident in 2025: D? no, 一般 — fenghuang: C/B depend on 12 months
    admin.records.save(
        model.Accident(
            unit_id=unit.id or 0,
            occurred_on=date(2025, 6, 1),
            grade="一般",
            responsible="是",
            deaths=1,
        ),
    )
    admin.close()
    return path


def test_assessment_uses_december_31_of_previous_year(graded: Path) -> None:
    session = core.sign_in(graded, "审核员甲", "review-pw")
    preview = session.grading.preview_assessment(2026)
    assert preview.as_of == date(2025, 12, 31)
    (result,) = preview.results
    assert result.grade == "C"  # fatal accident within the calendar year 2025
    later = session.grading.preview_assessment(2027)
    assert later.results[0].grade == "B"  # 2026 was clean; the accident is out of 12 months
    session.close()


def test_confirm_once_by_reviewer_and_changes_listed(graded: Path) -> None:
    admin_only = core.sign_in(graded, "管理员乙", "admin2-pw")
    with pytest.raises(SafeCreditError, match="审核员"):
        admin_only.grading.confirm_assessment(2026)
    admin_only.close()

    session = core.sign_in(graded, "审核员甲", "review-pw")
    stored = session.grading.confirm_assessment(2026)
    assert stored.confirmed_by == "审核员甲" and stored.as_of == date(2025, 12, 31)
    with pytest.raises(SafeCreditError, match="已经确认"):
        session.grading.confirm_assessment(2026)
    preview = session.grading.preview_assessment(2027)
    assert preview.previous_year == 2026
    assert [(c.before, c.after) for c in preview.changes] == [("C", "B")]
    rows = session.units.query(UnitQuery(), 0, 10)
    # the registry: the live grade today (the accident is out of 12 months: B, not yet
    # confirmed) beside the confirmed 2026 grade (C)
    assert (rows[0].grade, rows[0].confirmed_grade, rows[0].confirmed) == ("B", "C", False)
    assert session.grading.confirmed_year() == 2026
    assert session.units.count_matching(UnitQuery(grade="B")) == 1
    assert session.units.count_matching(UnitQuery(grade="C")) == 0
    assert session.units.count_matching(UnitQuery(confirmed_grade="C")) == 1
    assert session.units.count_matching(UnitQuery(confirmed_grade="B")) == 0
    session.close()
    assert core.check_database(graded).ok


def test_tampered_assessment_fails_check(graded: Path) -> None:
    session = core.sign_in(graded, "审核员甲", "review-pw")
    session.grading.confirm_assessment(2026)
    session.close()
    conn = outside(graded)
    conn.execute("UPDATE assessment_grades SET grade = 'A'")
    conn.commit()
    conn.close()
    report = core.check_database(graded)
    assert any("2026年度评定" in p for p in report.problems)


def test_cli_assess_and_grade(
    graded: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(graded)
    assert main(["--db", db, "assess", "--year", "2026"]) == 0
    out = capsys.readouterr().out
    assert "评定基准日 2025-12-31" in out and "C级" in out
    assert main(["--db", db, "assess", "--year", "2026", "--confirm"]) == 1
    assert "审核员" in capsys.readouterr().err
    monkeypatch.setenv("SAFECREDIT_PASSWORD", "review-pw")
    assert main(["--db", db, "--user", "审核员甲", "assess", "--year", "2026", "--confirm"]) == 0
    assert "已确认并保存" in capsys.readouterr().out

    assert main(["--db", db, "grade", "--as-of", "2026-11-21", "--format", "json"]) == 0
    (item,) = json.loads(capsys.readouterr().out)
    assert list(item) == [
        "uscc",
        "name",
        "category",
        "grade",
        "label",
        "tier",
        "reasons",
        "next_change",
        "improve",
        "keep",  # cli.md: what keeps the top grade (grading.md Revision 2 item 8)
    ]
    assert item["uscc"] == USCC and item["grade"] == "B" and item["label"] == "二级"
    assert main(["--db", db, "grade", "--as-of", "2025-07-01", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\ufeff")  # UTF-8 with a byte-order mark
    lines = out.removeprefix("\ufeff").splitlines()
    assert lines[0].startswith("uscc,name,category,grade")
    assert f"{USCC},凤凰县沱江化工有限公司,危险化学品,C,三级" in lines[1]
    assert main(["--db", db, "grade", "--uscc", "91433123111820221X"]) == 1
    assert "没有统一社会信用代码" in capsys.readouterr().err
    assert main(["--db", db, "grade", "--as-of", "2026-02-30"]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_exports_from_confirmed_assessment(
    graded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpyxl import load_workbook

    monkeypatch.setenv("SAFECREDIT_PASSWORD", "review-pw")
    db = str(graded)
    assert main(["--db", db, "--user", "审核员甲", "assess", "--year", "2026", "--confirm"]) == 0
    out = tmp_path / "stats.xlsx"
    assert main(["--db", db, "export", "stats", str(out), "--assessment", "2026"]) == 0
    sheet = load_workbook(out).worksheets[0]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any("2026年度评定（已确认）" in c for c in cells)
    assert "C级（三级）" in cells  # the confirmed grade, not today's live B
    live = tmp_path / "live.xlsx"
    assert main(["--db", db, "export", "stats", str(live), "--as-of", "2026-11-21"]) == 0
    cells = [str(c.value) for row in load_workbook(live).worksheets[0].iter_rows() for c in row]
    assert "B级（二级）" in cells
    assert (
        main(["--db", db, "export", "stats", str(tmp_path / "x.xlsx"), "--assessment", "2024"]) == 1
    )


def test_the_first_administrator_also_reviews_and_can_confirm(graded: Path) -> None:
    """A small office: the administrator made with the database holds 审核员 too."""
    first = core.sign_in(graded, "管理员", "admin-pw")
    try:
        assert first.roles == {Role.ADMIN, Role.REVIEWER}
        stored = first.grading.confirm_assessment(2026)
        assert stored.confirmed_by == "管理员"
    finally:
        first.close()


def test_the_first_administrator_of_a_database_made_without_one_also_reviews(
    tmp_path: Path,
) -> None:
    """``init`` without --admin, then the window's first administrator: both roles."""
    path = tmp_path / "later.db"
    core.init_database(
        path, profile="fenghuang", bureau_name="凤凰县应急管理局", user="命令行"
    ).close()
    first = core.create_first_admin(path, "所长", "first-pw")
    try:
        assert first.roles == {Role.ADMIN, Role.REVIEWER}
    finally:
        first.close()
