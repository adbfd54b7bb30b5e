"""The legitimate side of tamper evidence: normal work keeps ``check`` passing and the
opening silent; the head recorded outside the file only moves forward along the same
chain (several writers), is reset by a restore (audited) and by a new database at the
same path, travels with every backup and every 全部数据 export, and a backup edited
after it was made is refused."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from tamper_county import Facts, build, copy_database

from safecredit_desktop.cli import main
from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.errors import StorageError
from safecredit_desktop.core.storage import anchor, rotation


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Facts]:
    path = tmp_path_factory.mktemp("county") / "county.db"
    return path, build(path)


@pytest.fixture
def county(pristine: tuple[Path, Facts], tmp_path: Path) -> Path:
    db = copy_database(pristine[0], tmp_path / "x.db")
    core.open_session(db, user="测试员").close()  # records the head on this 'PC'
    return db


def head(db: Path) -> anchor.Head:
    conn = sqlite3.connect(db)
    try:
        return anchor.current_head(conn)
    finally:
        conn.close()


def recorded(path: Path) -> anchor.Anchor:
    found = anchor.read(path)
    assert isinstance(found, anchor.Anchor), found
    return found


def opens_silently(db: Path) -> None:
    session = core.open_session(db, user="测试员")
    try:
        assert session.warnings == []
    finally:
        session.close()


def test_every_workflow_of_the_county_keeps_check_passing(county: Path) -> None:
    """The county was made by assess --confirm, print, the list, objection, repair and
    permit workflows, draws, users, holidays, edits and a delete."""
    report = core.check_database(county)
    assert report.ok, report.problems
    opens_silently(county)
    assert recorded(anchor.file_path(county)).head == head(county)
    assert recorded(anchor.store_path(county)).head == head(county)


def test_cli_check_says_once_that_a_copied_database_had_no_head(
    pristine: tuple[Path, Facts], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = copy_database(pristine[0], tmp_path / "copied.db")
    assert main(["--db", str(db), "check"]) == 0
    first = capsys.readouterr().out
    assert "说明：本机没有此数据库审计日志位置的记录" in first and "检查通过" in first
    assert main(["--db", str(db), "check"]) == 0
    assert "说明：" not in capsys.readouterr().out


def test_import_keeps_check_passing(county: Path, tmp_path: Path) -> None:
    source = core.open_session(county, user="测试员")
    try:
        exported = source.exchange.export_all_data(tmp_path / "all.xlsx", include_id=True)
    finally:
        source.close()
    target_path = tmp_path / "target.db"
    target = core.init_database(
        target_path,
        profile="fenghuang",
        bureau_name="测试县应急管理局",
        user="管理员",
        admin=("管理员", "admin-password"),  # the roster sheet needs a 管理员 or 审核员
    )
    try:
        target.exchange.import_workbook(exported.path, dry_run=False, accept_bad_check=False)
    finally:
        target.close()
    assert core.check_database(target_path).problems == []
    opens_silently(target_path)


def test_export_notes_carry_the_head(county: Path, tmp_path: Path) -> None:
    session = core.open_session(county, user="测试员")
    try:
        exported = session.exchange.export_all_data(tmp_path / "all.xlsx", include_id=False)
        now = anchor.current_head(session.db.conn)
    finally:
        session.close()
    notes = openpyxl.load_workbook(exported.path, read_only=True)["说明"]
    lines = [tuple(c for c in row if c is not None) for row in notes.iter_rows(values_only=True)]
    assert ("审计日志", f"共 {now.entries} 条，最新一条的哈希 {now.hash}") in lines


def test_restore_resets_the_head_and_is_audited(county: Path, tmp_path: Path) -> None:
    copy = core.backup_now(county, to=tmp_path / "copy.db", user="管理员")
    assert recorded(anchor.file_path(copy)).head == head(copy)
    session = core.open_session(county, user="测试员")
    try:
        unit = session.records.get("units", 1)
        unit.phone = "0743-0000000"
        session.records.save(unit)
    finally:
        session.close()
    core.restore_from(county, copy, user="管理员")
    now = head(county)
    assert recorded(anchor.file_path(county)).head == now
    assert recorded(anchor.store_path(county)).head == now
    conn = sqlite3.connect(county)
    action, table, after = conn.execute(
        "SELECT action, table_name, after FROM audit_log ORDER BY id DESC LIMIT 1"
    ).fetchone()
    conn.close()
    restored = head(copy)
    assert (action, table) == ("event", "restore")
    assert json.loads(after)["恢复的审计日志"] == anchor.describe(restored)
    assert core.check_database(county).problems == []
    opens_silently(county)


def test_backups_carry_their_head_and_thinning_removes_it(county: Path) -> None:
    older = core.automatic_backup(county, force=True)
    copy = core.automatic_backup(county, force=True)
    assert older is not None and copy is not None
    sidecar = anchor.sidecar_path(copy)
    assert sidecar.parent.name == "anchors" and recorded(sidecar).head == head(copy)
    files = sorted(p.name for p in copy.parent.glob("*") if p.is_file())
    assert files == sorted([older.name, copy.name])  # the folder lists only the copies
    removed = rotation.thin(copy.parent, datetime.now() + timedelta(days=800))
    assert removed == [older]  # two of one day: the older goes, with its head
    assert not anchor.sidecar_path(older).exists() and sidecar.exists()


def test_restore_refuses_a_backup_edited_after_it_was_made(county: Path, tmp_path: Path) -> None:
    copy = core.backup_now(county, to=tmp_path / "copy.db", user="管理员")
    entries = head(copy).entries
    conn = sqlite3.connect(copy)
    conn.execute("DELETE FROM audit_log WHERE id = ?", (entries,))
    conn.commit()
    conn.close()
    before = county.read_bytes()
    with pytest.raises(StorageError) as refused:
        core.restore_from(county, copy, user="管理员")
    assert refused.value.message.startswith(f"{copy} 在备份之后被改动过：审计日志被截短了：")
    assert refused.value.message.endswith("当前数据库未作改动。")
    assert county.read_bytes() == before


def test_two_writers_move_the_head_forward_only(county: Path) -> None:
    first = core.open_session(county, user="甲")
    second = core.open_session(county, user="乙")
    try:
        for session, day in ((second, 1), (first, 2)):
            session.records.save(model.Inspection(unit_id=1, inspected_on=date(2026, 12, day)))
        second.close()
        assert recorded(anchor.file_path(county)).head == head(county)
        first.records.save(model.Inspection(unit_id=2, inspected_on=date(2026, 12, 3)))
    finally:
        first.close()
    assert recorded(anchor.file_path(county)).head == head(county)
    assert list(county.parent.glob("*.part")) == []
    assert core.check_database(county).problems == []
    opens_silently(county)


def test_a_head_of_another_chain_is_never_moved(county: Path) -> None:
    kept = anchor.store_path(county)
    data = json.loads(kept.read_text(encoding="utf-8"))
    data["hash"] = "f" * 64
    kept.write_text(json.dumps(data), encoding="utf-8")
    session = core.open_session(county, user="测试员")
    try:
        assert any("审计日志被改写过" in w for w in session.warnings), session.warnings
        session.records.save(model.Inspection(unit_id=1, inspected_on=date(2026, 12, 9)))
    finally:
        session.close()
    assert json.loads(kept.read_text(encoding="utf-8"))["hash"] == "f" * 64
    assert any("审计日志被改写过" in p for p in core.check_database(county).problems)


def test_a_new_database_at_the_same_path_replaces_a_stale_head(county: Path) -> None:
    for side in (county, Path(f"{county}-wal"), Path(f"{county}-shm")):
        side.unlink(missing_ok=True)
    assert anchor.file_path(county).exists()  # the old file's head is left behind
    core.init_database(
        county, profile="fenghuang", bureau_name="测试县应急管理局", user="管理员"
    ).close()
    assert core.check_database(county).problems == []
    opens_silently(county)


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_anchor_files_are_private(county: Path) -> None:
    for path in (anchor.file_path(county), anchor.store_path(county)):
        assert path.stat().st_mode & 0o777 == 0o600
