"""The `safecredit` commands of issue 2, driven the way a user drives them."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from safecredit_desktop.cli import main

CLI = [sys.executable, "-m", "safecredit_desktop.cli"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, env={**os.environ, **(env or {})}
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def init(db: Path, profile: str = "fenghuang") -> None:
    assert main(["--db", str(db), "init", "--profile", profile, "--unit", "凤凰县应急管理局"]) == 0


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("safecredit ")


def test_usage_error_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2


def test_init_demo_check(tmp_path: Path, new_db: Any, capsys: pytest.CaptureFixture[str]) -> None:
    db = new_db("x.db")
    init(db)
    assert main(["--db", str(db), "demo", "--enterprises", "200", "--seed", "7"]) == 0
    assert main(["--db", str(db), "check"]) == 0
    out = capsys.readouterr().out
    assert "检查通过" in out and "企业信息：200 条" in out


@pytest.mark.sqlite_only(reason="compares the file's bytes before and after")
def test_init_refuses_existing(
    tmp_path: Path, new_db: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    db = new_db("x.db")
    init(db)
    before = digest(db)
    code = main(["--db", str(db), "init", "--profile", "kundulun", "--unit", "另一个局"])
    assert code == 1
    assert "已存在" in capsys.readouterr().err
    assert digest(db) == before


@pytest.mark.sqlite_only(reason="no file is left behind")
def test_unknown_profile_refused(
    tmp_path: Path, new_db: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    db = new_db("x.db")
    assert main(["--db", str(db), "init", "--profile", "nowhere", "--unit", "某局"]) == 1
    assert not db.exists()
    assert "Traceback" not in capsys.readouterr().err


def test_missing_database_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(tmp_path / "none.db"), "check"]) == 1
    assert "不存在" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()


@pytest.mark.sqlite_only(reason="restores from text and truncated copies of the file")
def test_restore_refuses_text_and_truncated(
    tmp_path: Path, new_db: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    db = new_db("x.db")
    init(db)
    assert main(["--db", str(db), "demo", "--enterprises", "50"]) == 0
    before = digest(db)
    text = tmp_path / "notes.txt"
    text.write_text("这不是数据库", encoding="utf-8")
    assert main(["--db", str(db), "restore", str(text)]) == 1
    assert "不是" in capsys.readouterr().err

    copy = new_db("copy.db")
    assert main(["--db", str(db), "backup", "--to", str(copy)]) == 0
    before = digest(db)
    truncated = new_db("truncated.db")
    data = copy.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    assert main(["--db", str(db), "restore", str(truncated)]) == 1
    err = capsys.readouterr().err
    assert "损坏" in err and "未作改动" in err
    assert digest(db) == before
    assert not list((tmp_path / "x.db.backups").glob("*before-restore*"))


@pytest.mark.sqlite_only(reason="reads the restored file and its safety copy with sqlite3")
def test_restore_good_copy_keeps_safety_backup(
    tmp_path: Path, new_db: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    db = new_db("x.db")
    init(db)
    copy = new_db("empty.db")
    assert main(["--db", str(db), "backup", "--to", str(copy)]) == 0
    assert main(["--db", str(db), "demo", "--enterprises", "30"]) == 0
    assert main(["--db", str(db), "restore", str(copy)]) == 0
    assert sqlite3.connect(db).execute("SELECT count(*) FROM units").fetchone()[0] == 0
    (safety,) = (tmp_path / "x.db.backups").glob("*before-restore*")
    assert sqlite3.connect(safety).execute("SELECT count(*) FROM units").fetchone()[0] == 30
    assert main(["--db", str(db), "check"]) == 0


def test_restore_needs_admin_when_one_exists(
    tmp_path: Path, new_db: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = new_db("x.db")
    monkeypatch.setenv("SAFECREDIT_PASSWORD", "secret-1")
    assert (
        main(
            [
                "--db",
                str(db),
                "init",
                "--profile",
                "suizhou",
                "--unit",
                "随州市应急管理局",
                "--admin",
                "admin",
            ]
        )
        == 0
    )
    copy = tmp_path / "c.db"  # a backup is a file, whatever the engine
    assert main(["--db", str(db), "backup", "--to", str(copy)]) == 0
    assert main(["--db", str(db), "restore", str(copy)]) == 1
    assert "管理员" in capsys.readouterr().err
    monkeypatch.setenv("SAFECREDIT_PASSWORD", "wrong-pw")
    assert main(["--db", str(db), "--user", "admin", "restore", str(copy)]) == 1
    monkeypatch.setenv("SAFECREDIT_PASSWORD", "secret-1")
    assert main(["--db", str(db), "--user", "admin", "restore", str(copy)]) == 0


@pytest.mark.sqlite_only(reason="edits the file with sqlite3 (the server: test_tamper_operations)")
def test_edited_audit_row_fails_check(
    tmp_path: Path, new_db: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    db = new_db("x.db")
    init(db)
    assert main(["--db", str(db), "demo", "--enterprises", "20"]) == 0
    conn = sqlite3.connect(db)
    (entry_id,) = conn.execute(
        "SELECT id FROM audit_log WHERE table_name = 'units' AND after LIKE '%公司%'"
        " ORDER BY id LIMIT 1 OFFSET 5"
    ).fetchone()
    conn.execute(
        "UPDATE audit_log SET after = replace(after, '公司', '工厂') WHERE id = ?", (entry_id,)
    )
    assert conn.total_changes == 1
    conn.commit()
    conn.close()
    assert main(["--db", str(db), "check"]) == 1
    err = capsys.readouterr().err
    assert f"第 {entry_id} 条" in err


def test_users_add_list_reset(
    tmp_path: Path, new_db: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = new_db("x.db")
    init(db)
    monkeypatch.setenv("SAFECREDIT_PASSWORD", "pass-123")
    assert main(["--db", str(db), "users", "add", "李审核", "--role", "审核员"]) == 0
    assert main(["--db", str(db), "users", "reset-password", "李审核"]) == 0
    assert main(["--db", str(db), "users", "list"]) == 0
    assert "李审核\t审核员" in capsys.readouterr().out
    monkeypatch.setenv("SAFECREDIT_PASSWORD", "short")
    assert main(["--db", str(db), "users", "add", "王", "--role", "录入员"]) == 1


WRITER = """
import sys, time
from datetime import date, timedelta
from pathlib import Path
from safecredit_desktop.core import model
from safecredit_desktop.core import app as core
s = core.open_session(Path(sys.argv[1]), user="并发写入")
deadline = time.time() + float(sys.argv[2])
i = 0
print("started", flush=True)
while time.time() < deadline:
    with s.db.transaction():
        for j in range(20):
            i += 1
            day = date(1900, 1, 1) + timedelta(days=i // 50)
            s.repo.insert(model.Inspection(unit_id=1 + i % 50, inspected_on=day))
print(i, flush=True)
"""


@pytest.mark.sqlite_only(reason="another process holds the file's lock (server: pg_concurrency)")
def test_backup_while_another_process_writes(tmp_path: Path, new_db: Any) -> None:
    db = new_db("x.db")
    init(db)
    assert main(["--db", str(db), "demo", "--enterprises", "50"]) == 0
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), "6"], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "started"
    time.sleep(0.5)
    copies = []
    for n in range(3):
        copy = tmp_path / f"during-{n}.db"
        result = run("--db", str(db), "backup", "--to", str(copy))
        assert result.returncode == 0, result.stderr
        copies.append(copy)
        time.sleep(0.3)
    written = int(writer.stdout.readline())
    assert writer.wait(timeout=30) == 0
    assert written > 0
    for copy in copies:
        result = run("--db", str(copy), "check")
        assert result.returncode == 0, result.stdout + result.stderr
    assert run("--db", str(db), "check").returncode == 0


def test_init_with_edited_profile_file(
    tmp_path: Path, new_db: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from safecredit_desktop.core import app as core
    from safecredit_desktop.core.rules.profile import profiles_dir

    text = (profiles_dir() / "fenghuang.toml").read_text(encoding="utf-8")
    edited = tmp_path / "本县规则.toml"
    edited.write_text(text.replace('label = "四级"', 'label = "较差"', 1), encoding="utf-8")
    db = new_db("own.db")
    assert (
        main(["--db", str(db), "init", "--profile", str(edited), "--unit", "某县应急管理局"]) == 0
    )
    session = core.open_session(db, user="测试")
    assert session.profile.label("D") == "较差"
    session.close()

    broken = tmp_path / "坏规则.toml"
    broken.write_text(text.replace("[grades.D]", "[grades.D]\nlable = 1", 1), encoding="utf-8")
    capsys.readouterr()
    assert (
        main(["--db", str(tmp_path / "b.db"), "init", "--profile", str(broken), "--unit", "某局"])
        == 1
    )
    err = capsys.readouterr().err
    assert "lable" in err and "行" in err
    assert not (tmp_path / "b.db").exists()


def test_draw_command_recorded_and_reproducible(
    tmp_path: Path, new_db: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    db = new_db("d.db")
    init(db)
    assert main(["--db", str(db), "demo", "--enterprises", "120", "--seed", "3"]) == 0
    capsys.readouterr()
    out = tmp_path / "draw.xlsx"
    assert main(["--db", str(db), "draw", "--year", "2026", "--seed", "7", "--out", str(out)]) == 0
    first = capsys.readouterr().out
    assert first.startswith("第 1 号双随机抽查") and out.exists()
    assert main(["--db", str(db), "draw", "--year", "2026", "--seed", "7"]) == 0
    second = capsys.readouterr().out
    assert first.splitlines()[1:-1] == second.splitlines()[1:]  # same units and teams
    assert main(["--db", str(db), "draw", "--year", "2026", "--ratio", "A=2"]) == 1
    assert "比例" in capsys.readouterr().err
