"""A year's holidays from the State Council's notice into the holiday table (audited), and
``safecredit holidays import`` / ``holidays show``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from safecredit_desktop.cli import main
from safecredit_desktop.core import app as core
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.scheduling.calendar import (
    REST_DAY,
    WORK_DAY,
    Calendar,
    HolidayRow,
    YearSource,
    replace_year,
)

NOTICES = Path(__file__).resolve().parents[1] / "fixtures" / "holiday_notices"
NOTICE_2027 = NOTICES / "2027-style.txt"


@pytest.fixture
def admin_db(tmp_path: Path, new_db: Any) -> Path:
    path = new_db("x.db")
    core.init_database(
        path,
        profile="fenghuang",
        bureau_name="凤凰县应急管理局",
        user="管理员",
        admin=("管理员", "secret-1"),
    ).close()
    return path


def _audit(session: core.Session) -> list[tuple[str, str, str]]:
    return [
        (str(a), str(k), str(after))
        for a, k, after in session.db.conn.execute(
            "SELECT action, row_key, after FROM audit_log WHERE table_name = 'holidays' ORDER BY id"
        )
    ]


def test_import_replaces_the_year_audited(admin_db: Path) -> None:
    admin = core.sign_in(admin_db, "管理员", "secret-1")
    try:
        admin.schedule.set_holiday("2027-03-01", REST_DAY, "手填错的一天")
        notice = core.read_holiday_notice(NOTICE_2027.read_text("utf-8"))
        done = admin.schedule.import_holiday_notice(notice)
        assert (done.added, done.changed, done.removed, done.unchanged) == (33, 0, 1, 0)
        rows = admin.schedule.holidays(2027)
        assert [(r.day, r.kind, r.name) for r in rows] == [
            (r.day, r.kind, r.name) for r in notice.days
        ]
        log = _audit(admin)
        assert log[-1][0] == "event" and json.loads(log[-1][2])["新增"] == 33
        assert ("delete", "2027-03-01", "None") in log
        assert admin.schedule.calendar().year_source(2027) is YearSource.TABLE

        again = admin.schedule.import_holiday_notice(notice)
        assert (again.added, again.changed, again.removed, again.unchanged) == (0, 0, 0, 33)
        assert len(_audit(admin)) == len(log)  # nothing changed, nothing logged
        assert core.check_database(admin_db).ok
    finally:
        admin.close()


def test_import_needs_an_administrator_and_an_unknown_year(admin_db: Path) -> None:
    notice = core.read_holiday_notice(NOTICE_2027.read_text("utf-8"))
    clerk = core.open_session(admin_db, user="录入员", role=Role.CLERK)
    try:
        with pytest.raises(SafeCreditError, match="管理员"):
            clerk.schedule.import_holiday_notice(notice)
        assert clerk.schedule.holidays(2027) == []
    finally:
        clerk.close()
    admin = core.sign_in(admin_db, "管理员", "secret-1")
    try:
        builtin = core.read_holiday_notice((NOTICES / "2026.txt").read_text("utf-8"))
        with pytest.raises(SafeCreditError, match="2026年的节假日安排已由内置日历提供"):
            admin.schedule.import_holiday_notice(builtin)
        assert admin.schedule.holidays() == []
    finally:
        admin.close()


def test_days_of_other_years(admin_db: Path) -> None:
    """元旦 from 31 December: stored in a year the table keeps, skipped in a built-in one."""
    admin = core.sign_in(admin_db, "管理员", "secret-1")
    try:
        rows = [
            HolidayRow(date(2026, 12, 31), REST_DAY, "元旦"),  # 2026: chinesecalendar's
            HolidayRow(date(2027, 12, 31), REST_DAY, "元旦"),
            HolidayRow(date(2028, 1, 1), REST_DAY, "元旦"),
        ]
        done = replace_year(admin.db, admin.user, 2028, rows)
        assert done.skipped == (date(2026, 12, 31),) and done.added == 2
        assert [r.day for r in admin.schedule.holidays(2027)] == [date(2027, 12, 31)]
        done = replace_year(
            admin.db, admin.user, 2027, [*rows[:2], HolidayRow(date(2027, 1, 1), REST_DAY, "元旦")]
        )
        assert done.skipped == (date(2026, 12, 31),)
        assert [r.day for r in admin.schedule.holidays(2027)] == [
            date(2027, 1, 1),
            date(2027, 12, 31),
        ]
        with pytest.raises(SafeCreditError, match="没有2029年的放假日期"):
            replace_year(admin.db, admin.user, 2029, rows)
    finally:
        admin.close()


def test_builtin_and_table_arrangements_read_alike(admin_db: Path) -> None:
    """holidays show's source: chinesecalendar's 2026 (notices' names), the table's 2027."""
    session = core.open_session(admin_db, user="看")
    try:
        source, rows = session.schedule.holiday_arrangement(2026)
        assert source is YearSource.BUILTIN
        expected = core.read_holiday_notice((NOTICES / "2026.txt").read_text("utf-8"))
        assert [(r.day, r.kind) for r in rows] == [(r.day, r.kind) for r in expected.days]
        assert {r.name for r in rows} == {
            "元旦",
            "春节",
            "清明节",
            "劳动节",
            "端午节",
            "中秋节",
            "国庆节",
        }
        source, rows = session.schedule.holiday_arrangement(2027)
        assert source is YearSource.WEEKDAYS and rows == []
    finally:
        session.close()
    assert Calendar([]).year_source(2027) is YearSource.WEEKDAYS


def _cli(db: Path, *args: str) -> int:
    return main(["--db", str(db), *args])


def test_cli_import_and_show(
    admin_db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _cli(admin_db, "holidays", "import", str(NOTICE_2027), "--dry-run") == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 33 and lines[0] == "2027-01-01 休 元旦"
    assert "2027-02-14 班 春节调休" in lines and "2027-04-30 休 劳动节" in lines
    assert "未保存" in err
    assert _cli(admin_db, "holidays", "show", "--year", "2027") == 0
    assert capsys.readouterr().out == ""

    assert _cli(admin_db, "holidays", "import", str(NOTICE_2027)) == 1
    assert "管理员" in capsys.readouterr().err
    monkeypatch.setenv("SAFECREDIT_PASSWORD", "secret-1")
    assert _cli(admin_db, "--user", "管理员", "holidays", "import", str(NOTICE_2027)) == 0
    assert "新增 33" in capsys.readouterr().err

    assert _cli(admin_db, "holidays", "show", "--year", "2027") == 0
    shown = capsys.readouterr().out.splitlines()
    assert shown == lines
    assert shown == sorted(shown)  # date order

    # a day typed by hand as 国庆节调休上班 is shown as the holiday's 调休
    admin = core.sign_in(admin_db, "管理员", "secret-1")
    admin.schedule.set_holiday("2027-10-09", WORK_DAY, "国庆节调休上班")
    admin.close()
    assert _cli(admin_db, "holidays", "show", "--year", "2027") == 0
    assert "2027-10-09 班 国庆节调休" in capsys.readouterr().out.splitlines()

    assert _cli(admin_db, "holidays", "show", "--year", "2026") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:4] == [
        "2026-01-01 休 元旦",
        "2026-01-02 休 元旦",
        "2026-01-03 休 元旦",
        "2026-01-04 班 元旦调休",
    ]


def test_cli_refusals_are_sentences(
    admin_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gbk = tmp_path / "通知.txt"
    gbk.write_bytes(NOTICE_2027.read_text("utf-8").encode("gbk"))
    assert _cli(admin_db, "holidays", "import", str(gbk), "--dry-run") == 0
    assert len(capsys.readouterr().out.splitlines()) == 33
    assert _cli(admin_db, "holidays", "import", str(gbk), "--dry-run", "--year", "2028") == 1
    assert "与指定的2028年不符" in capsys.readouterr().err
    bad = tmp_path / "bad.txt"
    bad.write_text(
        "关于2027年部分节假日安排的通知\n一、元旦：1月1日（周四）放假，共1天。\n", "utf-8"
    )
    assert _cli(admin_db, "holidays", "import", str(bad), "--dry-run") == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：节假日通知第2行") and "Traceback" not in err
    assert _cli(admin_db, "holidays", "import", str(tmp_path / "none.txt"), "--dry-run") == 1
    assert "无法读取文件" in capsys.readouterr().err
