"""Keeping the data safe: two writers at once, a full disk, a damaged file, a network
folder, private permissions and the audit checkpoint verified on opening."""

from __future__ import annotations

import contextlib
import hashlib
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from safecredit_desktop.cli import main
from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.app import files as app_files
from safecredit_desktop.core.errors import DamagedDatabaseError, SafeCreditError, StorageError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.storage import safety
from safecredit_desktop.core.storage.connection import Database

CLI = [sys.executable, "-m", "safecredit_desktop.cli"]
PASSWORD = "safety-pw-123"
BUREAU = "测试县应急管理局"
LOCK_WORDS = ("locked", "busy", "占用", "Traceback")

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux behaviour")


def run_cli(
    db: Path, *args: str, preexec_fn: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "--db", str(db), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "SAFECREDIT_PASSWORD": PASSWORD},
        preexec_fn=preexec_fn,
        timeout=120,
    )


def counts(db: Path, *tables: str) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}
    finally:
        conn.close()


def record_counts(db: Path) -> dict[str, int]:
    from safecredit_desktop.core.storage.tables import TABLES

    return counts(db, *(spec.name for spec in TABLES))


# 执法人员 and 信用修复 rows are imported by a 审核员 (workbook.md "Roles").
IMPORTER = "审核员"
IMPORT = ("--user", IMPORTER, "import")


def add_user(db: Path, name: str, role: Role) -> None:
    """A user made as `users add` makes one while the database has no administrator."""
    session = core.open_session(db, user="测试员")
    try:
        session.accounts.create_user(name, PASSWORD, role)
    finally:
        session.close()


def make_database(path: Path, *, enterprises: int, seed: int = 3) -> Path:
    session = core.init_database(path, profile="fenghuang", bureau_name=BUREAU, user="测试员")
    try:
        core.fill_demo(session, enterprises=enterprises, seed=seed)
        session.accounts.create_user(IMPORTER, PASSWORD, Role.REVIEWER)
    finally:
        session.close()
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Workbook:
    path: Path
    units: int
    inspections: int


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Workbook:
    """全部数据 of another demo county (its own penalty numbers), to import."""
    import openpyxl

    folder = tmp_path_factory.mktemp("workbook")
    other = make_database(folder / "other.db", enterprises=60, seed=11)
    raw = folder / "raw.xlsx"
    session = core.open_session(other, user="测试员")
    try:
        session.exchange.export_all_data(raw, include_id=False)
    finally:
        session.close()
    book = openpyxl.load_workbook(raw)
    renamed = set()
    for row in book["行政处罚"].iter_rows(min_row=2):
        if row[1].value:
            renamed.add(row[1].value)
            row[1].value = f"外{row[1].value}"
    for row in book["信用修复"].iter_rows(min_row=2):  # a repair names its penalty
        if row[2].value in renamed:
            row[2].value = f"外{row[2].value}"
    path = folder / "other.xlsx"
    book.save(path)
    found = counts(other, "units", "inspections")
    return Workbook(path, found["units"], found["inspections"])


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A base database of 40 demo units, copied by each test that writes."""
    return make_database(tmp_path_factory.mktemp("county") / "base.db", enterprises=40)


def copy_of(base: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / "w.db"
    shutil.copyfile(base, dest)
    return dest


# -- two writers at once ---------------------------------------------------------------------


WINDOW_PAUSE = 0.01
CONFLICT = "检查工作簿之后，数据库又被其他用户或程序修改过"


def free_inspection_slots(db: Path) -> Iterator[tuple[int, date]]:
    """(unit id, day) pairs with no inspection yet, for the window to save."""
    conn = sqlite3.connect(db)
    taken = {(u, d) for u, d in conn.execute("SELECT unit_id, inspected_on FROM inspections")}
    unit_ids = [int(r[0]) for r in conn.execute("SELECT id FROM units ORDER BY id")]
    conn.close()
    k = 0
    while True:
        unit = unit_ids[k % len(unit_ids)]
        day = date(2025, 1, 1) + timedelta(days=k // len(unit_ids))
        k += 1
        if (unit, day.isoformat()) not in taken:
            yield unit, day


def test_two_writers_at_once_lose_nothing(county: Path, workbook: Workbook, tmp_path: Path) -> None:
    """The window saves records while one CLI imports and another prints: nobody sees
    "database is locked", every row is there afterwards. (Should the import still refuse
    because the audit log moved between its check of the workbook and its write — it now
    plans again under the write lock instead — it is run again, as its message asks.)"""
    db = copy_of(county, tmp_path)
    before = counts(db, "units", "inspections", "documents")
    slots = free_inspection_slots(db)
    importer = subprocess.Popen(
        [*CLI, "--db", str(db), *IMPORT, str(workbook.path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SAFECREDIT_PASSWORD": PASSWORD},
    )
    pdf = str(tmp_path / "c.pdf")
    printer = subprocess.Popen(
        [*CLI, "--db", str(db), "print", "grade-notice", "--all-grade", "C", "--out", pdf],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started = time.monotonic()
    session = core.open_session(db, user="窗口用户")
    saved: dict[int, tuple[int, str]] = {}
    overlapped = {"import": 0, "print": 0}
    took: dict[str, float] = {}
    try:
        deadline = started + 60
        while (importer.poll() is None or printer.poll() is None or len(saved) < 40) and (
            time.monotonic() < deadline
        ):
            unit, day = next(slots)
            record = model.Inspection(unit_id=unit, inspected_on=day, note="窗口保存")
            record_id = session.records.save(record)
            saved[record_id] = (unit, day.isoformat())
            for name, proc in (("import", importer), ("print", printer)):
                if proc.poll() is None:
                    overlapped[name] += 1
                else:
                    took.setdefault(name, time.monotonic() - started)
            session.units.count()  # the window reads between saves too
            # Far faster than anyone types, yet leaves SQLite's busy handler (which
            # sleeps and retries) a gap: a writer in a tight loop starves the others.
            time.sleep(WINDOW_PAUSE)
    finally:
        session.close()
    _, import_err = importer.communicate(timeout=120)
    print_out, print_err = printer.communicate(timeout=120)
    for name in ("import", "print"):
        took.setdefault(name, time.monotonic() - started)

    for err in (import_err, print_err):
        assert not any(word in err for word in LOCK_WORDS), err
    assert printer.returncode == 0, print_err
    refused = importer.returncode != 0
    if refused:
        assert importer.returncode == 1 and CONFLICT in import_err, import_err
        assert counts(db, "units")["units"] == before["units"]  # refused whole
        again = run_cli(db, *IMPORT, str(workbook.path))
        assert again.returncode == 0, again.stderr
    assert overlapped["import"] > 0 and overlapped["print"] > 0, overlapped

    after = counts(db, "units", "inspections", "documents")
    assert after["units"] == before["units"] + workbook.units
    assert after["inspections"] == before["inspections"] + workbook.inspections + len(saved)
    issued = next(
        int(line.split()[1]) for line in print_out.splitlines() if line.startswith("已出具")
    )
    assert after["documents"] == before["documents"] + issued > 0
    conn = sqlite3.connect(db)
    try:
        for record_id, (unit, when) in saved.items():
            row = conn.execute(
                "SELECT unit_id, inspected_on, note FROM inspections WHERE id = ?", (record_id,)
            ).fetchone()
            assert row == (unit, when, "窗口保存")
    finally:
        conn.close()
    check = run_cli(db, "check")
    assert check.returncode == 0, check.stderr
    print(
        f"\ntwo writers: {len(saved)} window saves ({overlapped['import']} while importing,"
        f" {overlapped['print']} while printing), {issued} documents printed, import of"
        f" {workbook.units} units {'refused once, then done' if refused else 'done'};"
        f" import took {took.get('import', 0):.2f}s, print {took.get('print', 0):.2f}s"
    )


@pytest.mark.parametrize("worker", ["never", "always"])
def test_import_survives_an_unrelated_save_in_the_window(
    county: Path, workbook: Workbook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, worker: str
) -> None:
    """The window saves while an import is planned: the serial path (the workbook is
    checked, not yet written) plans again under the write lock; the planning worker's
    path (saved while it reads the workbook, before the import holds the lock) finds its
    plan stale, writes nothing and hands over to the serial path."""
    monkeypatch.setenv("SAFECREDIT_IMPORT_WORKER", worker)
    db = copy_of(county, tmp_path)
    before = counts(db, "units")["units"]
    unit, day = next(free_inspection_slots(db))
    window = core.open_session(db, user="窗口用户")
    cli = core.open_session(db, user="命令行", role=Role.REVIEWER)
    saved: list[int] = []
    save_from = 0.7 if worker == "never" else 0.0

    def progress(fraction: float, text: str) -> None:
        if fraction >= save_from and not saved:
            record = model.Inspection(unit_id=unit, inspected_on=day, note="窗口保存")
            saved.append(window.records.save(record))

    try:
        cli.exchange.import_workbook(
            workbook.path, dry_run=False, accept_bad_check=False, progress=progress
        )
    finally:
        cli.close()
        window.close()
    assert saved
    assert counts(db, "units")["units"] == before + workbook.units
    conn = sqlite3.connect(db)
    try:
        found = conn.execute("SELECT note FROM inspections WHERE id = ?", (saved[0],)).fetchone()
    finally:
        conn.close()
    assert found == ("窗口保存",)


# -- full disk ---------------------------------------------------------------------------------


def file_size_limit(limit: int) -> Callable[[], None]:
    """preexec_fn: no file may grow beyond ``limit`` bytes (write fails with EFBIG)."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    return make_database(tmp_path / "small.db", enterprises=5)


def test_full_disk_import_clear_message_nothing_lost(small_db: Path, workbook: Workbook) -> None:
    """The database file may not grow (its copy before the import still fits): the import
    fails with a sentence about the disk, and the database is as it was."""
    before = record_counts(small_db)
    limit = small_db.stat().st_size + 8192
    # Precondition: the import's write (all in the WAL until it commits) outgrows the limit.
    trial = copy_of(small_db, small_db.parent / "trial")
    assert run_cli(trial, *IMPORT, str(workbook.path)).returncode == 0
    assert trial.stat().st_size - small_db.stat().st_size > limit, "workbook too small"
    result = run_cli(small_db, *IMPORT, str(workbook.path), preexec_fn=file_size_limit(limit))
    assert result.returncode == 1, result.stdout
    assert result.stderr.startswith("错误："), result.stderr
    assert "磁盘" in result.stderr and "没有导入任何数据" in result.stderr
    assert "Traceback" not in result.stderr
    check = run_cli(small_db, "check")
    assert check.returncode == 0, check.stderr
    assert record_counts(small_db) == before
    # Nothing is wedged: with room again the same import goes through whole.
    again = run_cli(small_db, *IMPORT, str(workbook.path))
    assert again.returncode == 0, again.stderr
    assert counts(small_db, "units")["units"] == before["units"] + workbook.units


def test_full_disk_before_import_backup_fails_nothing_lost(
    small_db: Path, workbook: Workbook
) -> None:
    """Not even the copy before the import fits: refused in a sentence, nothing lost."""
    before = record_counts(small_db)
    result = run_cli(small_db, *IMPORT, str(workbook.path), preexec_fn=file_size_limit(64 * 1024))
    assert result.returncode == 1, result.stdout
    assert result.stderr.startswith("错误："), result.stderr
    assert "Traceback" not in result.stderr
    assert run_cli(small_db, "check").returncode == 0
    assert record_counts(small_db) == before
    leftovers = list((small_db.parent / "small.db.backups").glob("*"))
    assert not [p for p in leftovers if p.suffix == ".db"], leftovers


def test_full_disk_backup_fails_leaves_no_file(small_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "copy.db"
    limit = small_db.stat().st_size // 2
    result = run_cli(small_db, "backup", "--to", str(target), preexec_fn=file_size_limit(limit))
    assert result.returncode == 1, result.stdout
    assert result.stderr.startswith("错误：") and "备份" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not target.exists()
    assert not target.with_name(target.name + ".part").exists()
    assert run_cli(small_db, "check").returncode == 0


def test_full_disk_backup_message_names_the_disk(
    small_db: Path, workbook: Workbook, tmp_path: Path
) -> None:
    limit = small_db.stat().st_size // 2
    backup = run_cli(
        small_db, "backup", "--to", str(tmp_path / "c.db"), preexec_fn=file_size_limit(limit)
    )
    imported = run_cli(small_db, *IMPORT, str(workbook.path), preexec_fn=file_size_limit(limit))
    assert backup.returncode == imported.returncode == 1
    assert "磁盘" in backup.stderr, backup.stderr
    assert "磁盘" in imported.stderr, imported.stderr


# -- damaged database ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Damaged:
    db: Path
    backup: Path
    counts: dict[str, int]


@pytest.fixture
def with_backup(tmp_path: Path) -> Damaged:
    db = make_database(tmp_path / "x.db", enterprises=15)
    copy = core.backup_now(db, user="测试员")
    return Damaged(db, copy, record_counts(copy))


def damage_header(db: Path) -> None:
    with db.open("r+b") as handle:
        handle.write(b"\xff" * 100)


def schema_pages(db: Path) -> list[int]:
    conn = sqlite3.connect(db)
    try:
        return [
            int(r[0])
            for r in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = 'sqlite_schema' ORDER BY pageno"
            )
        ]
    except sqlite3.OperationalError:
        pytest.skip("SQLite built without the dbstat table")
    finally:
        conn.close()


def zero_pages(db: Path, first: int, last: int) -> None:
    conn = sqlite3.connect(db)
    size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    conn.close()
    with db.open("r+b") as handle:
        handle.seek((first - 1) * size)
        handle.write(b"\0" * size * (last - first + 1))


def damage_schema_pages(db: Path) -> None:
    """Zeros over a range of pages in the middle that holds part of the schema."""
    inner = [p for p in schema_pages(db) if p > 1]
    assert inner, "the schema fits on page 1"
    middle = inner[len(inner) // 2]
    zero_pages(db, middle - 2, middle + 2)


DAMAGES = {"header": damage_header, "schema pages": damage_schema_pages}


@pytest.mark.parametrize("how", list(DAMAGES))
def test_damaged_database_offers_latest_good_backup(with_backup: Damaged, how: str) -> None:
    db, good = with_backup.db, with_backup.backup
    DAMAGES[how](db)
    damaged_bytes = db.read_bytes()

    with pytest.raises(DamagedDatabaseError) as opened:
        Database.open(db)
    assert opened.value.backup == good
    assert str(good) in opened.value.message and "损坏" in opened.value.message
    with pytest.raises(DamagedDatabaseError) as session:
        core.open_session(db, user="测试员")
    assert session.value.backup == good

    for args in (["check"], ["grade"]):
        result = run_cli(db, *args)
        assert result.returncode == 1
        assert result.stderr.startswith("错误：") and str(good) in result.stderr, result.stderr
        assert "Traceback" not in result.stderr

    restored = run_cli(db, "restore", str(good))
    assert restored.returncode == 0, restored.stderr
    check = run_cli(db, "check")
    assert check.returncode == 0, check.stderr
    assert record_counts(db) == with_backup.counts
    assert os.stat(db).st_mode & 0o777 == 0o600
    # The damaged file is kept aside unchanged, never offered as a backup.
    aside = list((db.parent / "x.db.backups").glob("*.damaged"))
    assert [p.read_bytes() == damaged_bytes for p in aside] == [True]
    session_after = core.open_session(db, user="测试员")
    try:
        assert session_after.warnings == []
    finally:
        session_after.close()


def test_damaged_database_skips_a_damaged_newer_backup(with_backup: Damaged) -> None:
    time.sleep(0.01)
    newer = core.backup_now(with_backup.db, user="测试员")
    assert newer != with_backup.backup
    damage_header(newer)
    damage_header(with_backup.db)
    with pytest.raises(DamagedDatabaseError) as opened:
        Database.open(with_backup.db)
    assert opened.value.backup == with_backup.backup


def test_damaged_database_without_backup_says_so(tmp_path: Path) -> None:
    db = make_database(tmp_path / "lone.db", enterprises=3)
    damage_header(db)
    with pytest.raises(DamagedDatabaseError) as opened:
        Database.open(db)
    assert opened.value.backup is None
    assert "没有找到可用的备份" in opened.value.message


def test_damaged_table_pages_name_the_latest_good_backup(with_backup: Damaged) -> None:
    conn = sqlite3.connect(with_backup.db)
    pages = [
        int(r[0])
        for r in conn.execute("SELECT pageno FROM dbstat WHERE name = 'units' ORDER BY pageno")
    ]
    conn.close()
    for page in pages[1:]:
        zero_pages(with_backup.db, page, page)
    result = run_cli(with_backup.db, "check")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert str(with_backup.backup) in result.stderr, result.stderr


# -- network folder ------------------------------------------------------------------------------


NFS = "nfs 网络文件系统"
WARNING = safety.NETWORK_WARNING.format(where=NFS)


@pytest.fixture
def on_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database with an administrator, then seen as lying on an NFS mount."""
    db = make_database(tmp_path / "share.db", enterprises=5)
    add_user(db, "admin", Role.ADMIN)
    monkeypatch.setattr(safety, "network_location", lambda path: NFS)
    return db


def test_network_database_opens_read_only_with_warning(on_network: Path) -> None:
    db = on_network
    digest = sha256(db)
    session = core.open_session(db, user="测试员")
    try:
        assert session.db.read_only
        assert WARNING in session.warnings
        assert session.units.count() == 5
        unit_id = int(session.db.conn.execute("SELECT min(id) FROM units").fetchone()[0])
        record = model.Inspection(unit_id=unit_id, inspected_on=date(2025, 3, 3))
        with pytest.raises(SafeCreditError) as refused:
            session.records.save(record)
        assert refused.value.message == WARNING
        with pytest.raises(SafeCreditError, match="网络共享文件夹"):
            session.records.delete("units", unit_id)
        with pytest.raises(SafeCreditError, match="网络共享文件夹"):
            core.fill_demo(session, enterprises=1, seed=1)
    finally:
        session.close()
    assert sha256(db) == digest


def test_network_sign_in_works_read_only(on_network: Path) -> None:
    db = on_network
    entries = counts(db, "audit_log")
    session = core.sign_in(db, "admin", PASSWORD)
    try:
        assert session.db.read_only and session.role is Role.ADMIN
        assert WARNING in session.warnings
    finally:
        session.close()
    with pytest.raises(SafeCreditError, match="用户名或密码不正确"):
        core.sign_in(db, "admin", "wrong-password")
    assert counts(db, "audit_log") == entries  # no log-in event, no failure count written


def test_network_cli_warns_and_refuses_writes(
    on_network: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hooks: list[object] = []  # main() adds its printer here
    monkeypatch.setattr(core, "OPEN_WARNING_HOOKS", hooks)
    monkeypatch.setattr(app_files, "OPEN_WARNING_HOOKS", hooks)
    assert main(["--db", str(on_network), "due"]) == 0
    assert f"警告：{WARNING}" in capsys.readouterr().err
    assert main(["--db", str(on_network), "demo", "--enterprises", "1"]) == 1
    err = capsys.readouterr().err
    assert f"错误：{WARNING}" in err and "Traceback" not in err


def test_network_folder_refuses_a_new_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(safety, "network_location", lambda path: NFS)
    new = tmp_path / "share" / "new.db"
    with pytest.raises(StorageError, match="不能在此新建数据库"):
        core.init_database(new, profile="fenghuang", bureau_name=BUREAU, user="测试员")
    assert not new.exists()


@pytest.fixture
def mounts(tmp_path: Path) -> tuple[Path, Path]:
    """A fake /proc/mounts: / on ext4, an NFS share, a CIFS share inside it, a local
    disk mounted inside the share, and a path with a space."""
    root = tmp_path.resolve()
    lines = [
        "/dev/sda1 / ext4 rw,relatime 0 0",
        "proc /proc proc rw 0 0",
        f"server:/export {root}/share nfs4 rw,vers=4.2 0 0",
        f"//srv/dept {root}/share/dept cifs rw 0 0",
        f"/dev/sdb1 {root}/share/local ext4 rw 0 0",
        f"server:/x {root}/my\\040share nfs rw 0 0",
        "garbage",
    ]
    table = tmp_path / "mounts"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root, table


def test_linux_mount_type_longest_mount_point_wins(mounts: tuple[Path, Path]) -> None:
    root, table = mounts
    kind = safety._linux_mount_type
    assert kind(root / "share" / "a.db", table) == "nfs4"
    assert kind(root / "share", table) == "nfs4"
    assert kind(root / "share" / "dept" / "sub" / "a.db", table) == "cifs"
    assert kind(root / "share" / "local" / "a.db", table) == "ext4"
    assert kind(root / "shared" / "a.db", table) == "ext4"  # not inside .../share
    assert kind(root / "my share" / "a.db", table) == "nfs"
    assert kind(root / "home" / "a.db", table) == "ext4"
    assert kind(root / "a.db", root / "no-such-mounts") is None  # unreadable: unknown


@linux_only
def test_network_location_names_the_file_system(
    mounts: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, table = mounts
    real = safety._linux_mount_type
    monkeypatch.setattr(safety, "_linux_mount_type", lambda path: real(path, table))
    assert safety.network_location(root / "share" / "a.db") == "nfs4 网络文件系统"
    assert safety.network_location(root / "share" / "dept" / "a.db") == "cifs 网络文件系统"
    assert safety.network_location(root / "share" / "local" / "a.db") is None
    assert safety.network_location(root / "elsewhere" / "a.db") is None


# -- permissions ---------------------------------------------------------------------------------


@contextlib.contextmanager
def umask(value: int) -> Iterator[None]:
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777


@linux_only
def test_database_and_backups_are_private(tmp_path: Path, workbook: Workbook) -> None:
    """Even with a permissive umask, nothing the program writes is readable by others."""
    db = tmp_path / "private.db"
    with umask(0):
        session = core.init_database(db, profile="fenghuang", bureau_name=BUREAU, user="测试员")
        try:
            core.fill_demo(session, enterprises=3, seed=1)
            session.role = Role.REVIEWER  # 执法人员 and 信用修复 rows: a 审核员 imports them
            assert mode(db) == 0o600
            assert mode(Path(f"{db}-wal")) == 0o600
            assert mode(Path(f"{db}-shm")) == 0o600
            session.exchange.import_workbook(workbook.path, dry_run=False, accept_bad_check=False)
        finally:
            session.close()
        manual = core.backup_now(db, user="测试员")
        auto = core.automatic_backup(db, force=True)
        elsewhere = core.backup_now(db, to=tmp_path / "new-folder" / "copy.db", user="测试员")
    folder = tmp_path / "private.db.backups"
    assert mode(db) == 0o600
    assert mode(folder) == 0o700
    copies = sorted(folder.glob("*.db"))
    assert len(copies) == 3  # before-import, manual, auto
    assert manual in copies and auto in copies
    assert all(mode(p) == 0o600 for p in copies), {p.name: oct(mode(p)) for p in copies}
    assert mode(elsewhere) == 0o600 and mode(elsewhere.parent) == 0o700


@linux_only
def test_backup_to_existing_folder_keeps_its_permissions(tmp_path: Path) -> None:
    db = make_database(tmp_path / "x.db", enterprises=2)
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    result = run_cli(db, "backup", "--to", str(shared / "copy.db"))
    assert result.returncode == 0, result.stderr
    assert mode(shared / "copy.db") == 0o600
    assert os.stat(shared).st_mode & 0o7777 == 0o1777


# -- audit checkpoint --------------------------------------------------------------------------


def audit_head(db: Path) -> tuple[int, int]:
    """(newest audit entry id, checkpoint entry id)."""
    conn = sqlite3.connect(db)
    try:
        head = int(conn.execute("SELECT max(id) FROM audit_log").fetchone()[0])
        row = conn.execute("SELECT entry_id FROM audit_checkpoint WHERE id = 1").fetchone()
        return head, int(row[0]) if row else 0
    finally:
        conn.close()


def tamper(db: Path, entry_id: int) -> None:
    conn = sqlite3.connect(db)
    try:
        triggers = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
        ).fetchall()
        assert triggers == []  # nothing guards the log but its hash chain
        conn.execute("UPDATE audit_log SET after = ? WHERE id = ?", ('{"role":"管理员"}', entry_id))
        conn.commit()
    finally:
        conn.close()


def test_untouched_database_opens_without_warnings(tmp_path: Path) -> None:
    db = make_database(tmp_path / "a.db", enterprises=3)
    for day in (1, 2):
        session = core.open_session(db, user="测试员")
        try:
            assert session.warnings == []
            record_id = session.records.save(
                model.Inspection(unit_id=1, inspected_on=date(2025, 6, day))
            )
            assert record_id
        finally:
            session.close()
        head, checkpoint = audit_head(db)
        assert checkpoint == head  # closing moved the checkpoint past its own entries


def test_tampered_entry_after_checkpoint_is_reported_on_opening(tmp_path: Path) -> None:
    db = make_database(tmp_path / "a.db", enterprises=3)
    session = core.open_session(db, user="测试员")
    session.close()
    # Written by another program after this session closed: after the checkpoint.
    writer = core.Session(Database.open(db), "测试员")
    writer.accounts.create_user("reviewer", PASSWORD, Role.REVIEWER)
    writer.db.close()
    head, checkpoint = audit_head(db)
    assert head > checkpoint
    tamper(db, head)

    for _ in range(2):  # the checkpoint does not move past a broken entry
        opened = core.open_session(db, user="测试员")
        try:
            assert len(opened.warnings) == 1
            assert "审计日志" in opened.warnings[0] and f"第 {head} 条" in opened.warnings[0]
        finally:
            opened.close()
        assert audit_head(db) == (head, checkpoint)
    grade = run_cli(db, "due")
    assert grade.returncode == 0
    assert "警告：审计日志校验未通过" in grade.stderr
    check = run_cli(db, "check")
    assert check.returncode == 1
    assert "审计日志" in check.stderr and f"第 {head} 条" in check.stderr


def test_tampered_entry_before_checkpoint_is_found_by_check(tmp_path: Path) -> None:
    """Opening verifies only what was written since the checkpoint; `check` the whole."""
    db = make_database(tmp_path / "a.db", enterprises=3)
    head, checkpoint = audit_head(db)
    assert head == checkpoint
    tamper(db, 2)
    session = core.open_session(db, user="测试员")
    try:
        assert session.warnings == []
    finally:
        session.close()
    check = run_cli(db, "check")
    assert check.returncode == 1 and "审计日志第 2 条" in check.stderr
