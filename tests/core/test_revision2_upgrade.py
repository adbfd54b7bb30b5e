"""grading.md Revision 2 item 11: databases made before the revision.

The fixtures were made by the program before the revision (schema v6;
tests/fixtures/revision2/make_fixtures.py): the latest released sample with an accident
repaired through an approved application, and a suizhou county whose early removal
repaired the accident that listed the unit. Opening them with this program upgrades them:
the accident repairs keep their history but no longer count (按修订失效, audited as a
change), the early removal becomes the removal of its entry, the built-in profile text is
the revised one, ``check`` passes, and a 全部数据 export leaves the voided repair out so
that it imports again."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from safecredit_desktop.cli import main
from safecredit_desktop.core import app as core
from safecredit_desktop.core.rules.profile import load_profile
from safecredit_desktop.core.storage import migrations

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "revision2"
SYSTEM = "系统（数据结构升级：信用分级规则修订2）"


def copy(name: str, tmp_path: Path) -> Path:
    path = tmp_path / name
    shutil.copyfile(FIXTURES / name, path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone() == (6,)
    return path


def grade(path: Path, uscc: str, as_of: date, capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    capsys.readouterr()
    argv = ["--db", str(path), "grade", "--format", "json", "--uscc", uscc, "--as-of"]
    assert main([*argv, as_of.isoformat()]) == 0
    (item,) = json.loads(capsys.readouterr().out)
    return item  # type: ignore[no-any-return]


def test_an_accident_repair_is_voided_on_upgrade(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = copy("v6-accident-repair.db", tmp_path)
    before = sqlite3.connect(path)
    uscc, accident_day = before.execute(
        "SELECT u.uscc, a.occurred_on FROM accidents a JOIN units u ON u.id = a.unit_id"
    ).fetchone()
    repair_before = before.execute("SELECT * FROM repairs").fetchall()
    before.close()

    # the repaired accident counted as repaired before the upgrade; now it counts again
    # (repaired in 2026-01, it stopped keeping the unit from 一级 then; now it keeps it out
    # for its 3 years)
    item = grade(path, uscc, date(2026, 11, 21), capsys)
    assert accident_day == "2025-01-10"
    assert item["improve"][0].startswith("2028-01-10 起该事故不再计入3年内"), item

    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone() == (migrations.latest_version(),)
    rows = conn.execute("SELECT id, accident_id, approved_on, void_reason FROM repairs").fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [(x[0], x[5], x[6]) for x in repair_before]
    assert [r[3] for r in rows] == ["按修订失效"]  # history kept, no longer counting
    audited = conn.execute(
        "SELECT action, before, after FROM audit_log WHERE table_name = 'repairs' AND user = ?",
        (SYSTEM,),
    ).fetchall()
    assert len(audited) == 1 and audited[0][0] == "update"
    assert json.loads(audited[0][1])["void_reason"] is None
    assert json.loads(audited[0][2])["void_reason"] == "按修订失效"
    (note,) = conn.execute(
        "SELECT decision_note FROM repair_applications WHERE target_table = 'accidents'"
    ).fetchone()
    assert "按修订失效" in note
    # the built-in profile the sample was created with is the revised one now (audited)
    (text,) = conn.execute("SELECT value FROM settings WHERE key = 'profile_text'").fetchone()
    assert text == load_profile("fenghuang").text
    assert conn.execute(
        "SELECT count(*) FROM audit_log WHERE table_name = 'settings' AND row_key = 'profile_text'"
        " AND user = ?",
        (SYSTEM,),
    ).fetchone() == (1,)
    conn.close()

    report = core.check_database(path)
    assert report.ok, report.problems
    capsys.readouterr()
    assert main(["--db", str(path), "check"]) == 0

    # the 全部数据 export leaves the voided repair out and imports into an empty database
    out = tmp_path / "all.xlsx"
    assert main(["--db", str(path), "export", "data", str(out)]) == 0
    sheet = openpyxl.load_workbook(out)["信用修复"]
    assert sheet.max_row == 1  # the header only: the one repair was voided
    empty = tmp_path / "empty.db"
    # the export carries the 执法人员 roster, which only a 审核员 or 管理员 imports
    monkeypatch.setenv("SAFECREDIT_PASSWORD", "admin-password")
    init = ["init", "--profile", "fenghuang", "--unit", "某县", "--admin", "管理员"]
    assert main(["--db", str(empty), *init]) == 0
    assert main(["--db", str(empty), "--user", "管理员", "import", str(out)]) == 0
    again = grade(empty, uscc, date(2026, 11, 21), capsys)
    assert again["grade"] == item["grade"] and again["reasons"] == item["reasons"]


def test_a_suizhou_early_removal_that_repaired_an_accident_becomes_a_removal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = copy("v6-suizhou-early-removal.db", tmp_path)
    uscc = sqlite3.connect(path).execute("SELECT uscc FROM units").fetchone()[0]
    removed = date(2026, 6, 26)

    item = grade(path, uscc, removed, capsys)
    conn = sqlite3.connect(path)
    (entry_id,) = conn.execute("SELECT id FROM list_entries WHERE person_name = ''").fetchone()
    assert conn.execute("SELECT void_reason FROM repairs").fetchall() == [("按修订失效",)]
    (accident_id,) = conn.execute("SELECT id FROM accidents").fetchone()
    # the accident is linked to the removed entry (audited): the removal releases it
    assert conn.execute(
        "SELECT entry_id, record_table, record_id FROM list_entry_records"
    ).fetchall() == [(entry_id, "accidents", accident_id)]
    assert conn.execute(
        "SELECT count(*) FROM audit_log WHERE table_name = 'list_entry_records' AND user = ?",
        (SYSTEM,),
    ).fetchone() == (1,)
    assert conn.execute(
        "SELECT stage, removed_on FROM list_entries WHERE id = ?", (entry_id,)
    ).fetchone() == (
        "移出",
        removed.isoformat(),
    )
    conn.close()
    # released from the D criteria from the removal on; it still bars the red list (a fatal
    # accident within 24 months), so the unit is 普通
    assert item["grade"] == "B"
    day_before = grade(path, uscc, date(2026, 6, 25), capsys)
    assert [r["code"] for r in day_before["reasons"]] == ["D.listed", "D.major_accident_36m"]
    assert core.check_database(path).ok
