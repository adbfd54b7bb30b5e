"""Durability: the CLI killed with SIGKILL at random points loses nothing committed and
leaves nothing half-done.

One base database (fenghuang, 60 demo units, a 审核员) and one import workbook (40 units
of another county, exported from a second demo database) are built once. Each of four
operations — ``import``, ``assess --confirm``, ``print grade-notice --all-grade C`` and
``backup --to`` — is timed once, then run 13 times, each on a fresh copy of the base
database, and killed with SIGKILL after a delay drawn uniformly from
[0, 1.1 × its duration] (seeded, so the runs are reproducible); then 13 times more with
the delay drawn from the span in which the timed run had the database open, since most
of the first kills land while the interpreter starts or exits. After each run
``safecredit check`` must pass and the change must be there entirely or not at all.
A summary line (runs, kills that landed, failures) is printed: run with ``-s``.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "safecredit_desktop.cli"]
PASSWORD = "durability-pw-1"
REVIEWER = "reviewer"  # assess --confirm needs a 审核员 (an administrator is refused)
RUNS_PER_OPERATION = 13
SEED = 20261122
YEAR = 2027
RECORD_TABLES = (
    "units",
    "inspections",
    "accidents",
    "penalties",
    "violations",
    "commitments",
    "honours",
    "joint_punishments",
    "repairs",
    "inspectors",
    "inspector_conflicts",
)

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SAFECREDIT_DB"}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        SAFECREDIT_PASSWORD=PASSWORD,
    )
    return env


def _cli(env: dict[str, str], db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "--db", str(db), *args], capture_output=True, text=True, env=env, timeout=120
    )


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def _copy_database(source: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, dest)
    assert not Path(f"{source}-wal").exists()  # the base is closed: one file holds it all


def _counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {
            t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in RECORD_TABLES
        }
    finally:
        conn.close()


def _scalar(db: Path, sql: str, *params: object) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(sql, params).fetchone()[0])
    finally:
        conn.close()


@dataclass
class Base:
    folder: Path
    db: Path
    workbook: Path
    env: dict[str, str]
    counts: dict[str, int]  # record counts of the base database
    imported: dict[str, int] = field(default_factory=dict)  # counts after a whole import
    c_units: int = 0  # documents one whole print issues


def _make_workbook(env: dict[str, str], folder: Path) -> Path:
    """全部数据 of a second demo county; its penalty numbers are made its own, since
    both demo counties number their 决定书 from 1 (an import refuses a number that is
    already registered to another unit)."""
    import openpyxl

    other = folder / "other.db"
    _ok(_cli(env, other, "init", "--profile", "fenghuang", "--unit", "其他县应急管理局"))
    _ok(_cli(env, other, "demo", "--enterprises", "40", "--seed", "11"))
    raw = folder / "other-raw.xlsx"
    _ok(_cli(env, other, "export", "data", str(raw)))
    book = openpyxl.load_workbook(raw)
    renamed = set()
    for row in book["行政处罚"].iter_rows(min_row=2):
        if row[1].value:
            renamed.add(row[1].value)
            row[1].value = f"外{row[1].value}"
    for row in book["信用修复"].iter_rows(min_row=2):  # a repair names its penalty
        if row[2].value in renamed:
            row[2].value = f"外{row[2].value}"
    workbook = folder / "other.xlsx"
    book.save(workbook)
    return workbook


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    folder = tmp_path_factory.mktemp("kill-base")
    env = _env(folder / "home")
    db = folder / "base.db"
    _ok(_cli(env, db, "init", "--profile", "fenghuang", "--unit", "测试局"))
    _ok(_cli(env, db, "demo", "--enterprises", "60", "--seed", "3"))
    _ok(_cli(env, db, "users", "add", REVIEWER, "--role", "审核员"))
    _ok(_cli(env, db, "check"))
    assert not Path(f"{db}-wal").exists()
    workbook = _make_workbook(env, folder)
    return Base(folder, db, workbook, env, _counts(db))


@dataclass(frozen=True)
class Operation:
    name: str
    args: Callable[[Base, Path], list[str]]  # the command, given the base and run folder


def _target(work: Path) -> Path:
    return work / "copy" / "backup-copy.db"


OPERATIONS = (
    Operation(
        "import", lambda base, work: ["--user", REVIEWER, "import", str(base.workbook)]
    ),  # 执法人员 and 信用修复 rows: a 审核员
    Operation(
        "assess",
        lambda base, work: ["--user", REVIEWER, "assess", "--year", str(YEAR), "--confirm"],
    ),
    Operation(
        "print",
        lambda base, work: [
            *("print", "grade-notice", "--all-grade", "C"),
            *("--out", str(work / "c.pdf")),
        ],
    ),
    Operation("backup", lambda base, work: ["backup", "--to", str(_target(work))]),
)


def _command(base: Base, op: Operation, work: Path) -> list[str]:
    return [*CLI, "--db", str(work / "w.db"), *op.args(base, work)]


def _fresh(base: Base, work: Path) -> Path:
    work.mkdir(parents=True)
    _target(work).parent.mkdir()
    _copy_database(base.db, work / "w.db")
    return work


def _state(base: Base, op: Operation, work: Path) -> str:
    """'none' or 'all' (the interrupted change), or raises AssertionError describing a
    half-done state."""
    db = work / "w.db"
    if op.name == "import":
        counts = _counts(db)
        if counts == base.counts:
            return "none"
        assert counts == base.imported, f"import half done: {counts}"
        return "all"
    if op.name == "assess":
        rows = _scalar(db, "SELECT count(*) FROM assessments WHERE year = ?", YEAR)
        if rows == 0:
            assert _scalar(db, "SELECT count(*) FROM assessment_grades") == 0
            return "none"
        assert rows == 1
        grades = _scalar(
            db,
            "SELECT count(DISTINCT g.unit_id) FROM assessment_grades g"
            " JOIN assessments a ON a.id = g.assessment_id WHERE a.year = ?",
            YEAR,
        )
        total = _scalar(
            db,
            "SELECT count(*) FROM assessment_grades g"
            " JOIN assessments a ON a.id = g.assessment_id WHERE a.year = ?",
            YEAR,
        )
        units = _scalar(db, "SELECT count(*) FROM units")
        assert grades == total == units, f"assessment half stored: {total}/{units}"
        return "all"
    if op.name == "print":
        documents = _scalar(db, "SELECT count(*) FROM documents")
        files = _scalar(db, "SELECT count(*) FROM document_files")
        if (documents, files) == (0, 0):
            return "none"
        assert (documents, files) == (base.c_units, 1), f"register half done: {documents}, {files}"
        pdf = work / "c.pdf"
        if pdf.exists():  # written after the commit: whole or absent
            data = pdf.read_bytes()
            assert data.startswith(b"%PDF") and b"%%EOF" in data[-1024:]
        return "all"
    target = _target(work)
    if not target.exists():
        return "none"
    code, err = _check(target)
    assert code == 0, f"backup copy fails check: {err}"
    assert _counts(target) == base.counts
    return "all"


def _check_backups_folder(work: Path) -> None:
    """Every finished backup the program left (*.db) is a complete database."""
    from safecredit_desktop.core import services

    folder = work / "w.db.backups"
    if folder.is_dir():
        for copy in folder.glob("*.db"):
            services.check_restore_candidate(copy)


@dataclass(frozen=True)
class Timing:
    duration: float  # start to exit
    opened: float  # when the database's -shm file appeared (a connection opened it)
    closed: float  # when it went (the last connection closed)


def _measure(base: Base, op: Operation, folder: Path) -> Timing:
    """One uninterrupted run: its timing, and the 'all' state it leaves."""
    work = _fresh(base, folder)
    shm = Path(f"{work / 'w.db'}-shm")
    seen: list[float] = []
    started = time.monotonic()
    with (work / "out.txt").open("w") as out:
        proc = subprocess.Popen(
            _command(base, op, work), stdout=out, stderr=subprocess.STDOUT, env=base.env
        )
        while proc.poll() is None:
            if shm.exists():
                seen.append(time.monotonic() - started)
            time.sleep(0.001)
    duration = time.monotonic() - started
    output = (work / "out.txt").read_text()
    assert proc.returncode == 0, output
    assert seen, "the database was never seen open"
    if op.name == "import":
        base.imported = _counts(work / "w.db")
        assert base.imported["units"] == base.counts["units"] + 40
    elif op.name == "print":
        base.c_units = _scalar(work / "w.db", "SELECT count(*) FROM documents")
        assert base.c_units > 0
        assert f"已出具 {base.c_units} 份" in output
    assert _check(work / "w.db") == (0, "")
    assert _state(base, op, work) == "all"
    return Timing(duration, seen[0], seen[-1])


def _check(db: Path) -> tuple[int, str]:
    """``safecredit check`` (its main(), in this process: a fresh connection opens the
    file the killed process left); exit code and what it printed on stderr."""
    from safecredit_desktop.cli import main
    from safecredit_desktop.core import services

    hooks = list(services.OPEN_WARNING_HOOKS)  # main() adds its printer; leave none behind
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--db", str(db), "check"])
    finally:
        services.OPEN_WARNING_HOOKS[:] = hooks
    return code, err.getvalue()


@dataclass
class Tally:
    runs: int = 0
    killed: int = 0  # SIGKILL sent while the process was still running
    opened: int = 0  # … after it had opened the database (its -shm file was there)
    outcomes: Counter[str] = field(default_factory=Counter)  # of the killed runs


def _one_run(base: Base, op: Operation, work: Path, delay: float, tally: Tally) -> str | None:
    """Run ``op`` on a fresh copy, SIGKILL it after ``delay``; a failure, or None."""
    tally.runs += 1
    work = _fresh(base, work)
    with (work / "stderr.txt").open("w") as err:
        proc = subprocess.Popen(
            _command(base, op, work), stdout=subprocess.DEVNULL, stderr=err, env=base.env
        )
        time.sleep(delay)
        landed = proc.poll() is None
        if landed:
            proc.send_signal(signal.SIGKILL)
        code = proc.wait(timeout=120)
    if landed:
        tally.killed += 1
        tally.opened += Path(f"{work / 'w.db'}-shm").exists()  # removed on a clean close
    elif code != 0:
        return f"exit {code}: {(work / 'stderr.txt').read_text()}"
    code, err_text = _check(work / "w.db")
    if code != 0:
        return f"check exit {code}: {err_text}"
    try:
        state = _state(base, op, work)
        _check_backups_folder(work)
    except Exception as exc:  # every failure is reported by the caller
        return f"{type(exc).__name__}: {exc}"
    if not landed and state != "all":
        return f"finished, yet its change is {state}"
    if landed:
        tally.outcomes[state] += 1
    return None


def test_sigkill_during_writes_leaves_all_or_nothing(base: Base) -> None:
    """Per operation: 13 kills uniform in [0, 1.1 × duration] (as the issue asks), then 13
    more uniform over the span in which the measured run had the database open — most
    of the first land while the interpreter is still importing modules or exiting."""
    rng = random.Random(SEED)
    failures: list[str] = []
    tallies: dict[str, Tally] = {}
    lines: list[str] = []
    for op in OPERATIONS:
        timing = _measure(base, op, base.folder / "runs" / op.name / "measure")
        duration = timing.duration
        tally = tallies[op.name] = Tally()
        spans = (("a", 0.0, 1.1 * duration), ("b", timing.opened, timing.closed))
        for phase, low, high in spans:
            for i in range(RUNS_PER_OPERATION):
                delay = rng.uniform(low, high)
                work = base.folder / "runs" / op.name / f"{phase}{i:02d}"
                failure = _one_run(base, op, work, delay, tally)
                if failure is not None:
                    failures.append(
                        f"{op.name} {phase}{i} (kill at {delay:.3f}s of {duration:.3f}s): {failure}"
                    )
        lines.append(
            f"  {op.name}: duration {duration:.2f}s (database open {timing.opened:.2f}–"
            f"{timing.closed:.2f}s), {tally.runs} runs, {tally.killed} killed "
            f"while running ({tally.opened} after opening the database; change none "
            f"{tally.outcomes['none']}, all {tally.outcomes['all']}), "
            f"{tally.runs - tally.killed} finished first"
        )
    runs = sum(t.runs for t in tallies.values())
    killed = sum(t.killed for t in tallies.values())
    opened = sum(t.opened for t in tallies.values())
    print(
        f"\nSIGKILL durability (seed {SEED}): {runs} runs, {killed} "
        f"kills landed during the operation ({opened} after it opened the database), "
        f"{len(failures)} failures"
    )
    print("\n".join(lines))
    for failure in failures:
        print("  FAILURE", failure)
    assert runs >= 4 * RUNS_PER_OPERATION >= 52
    assert killed >= runs // 2, "too few kills landed to prove anything"
    assert opened >= runs // 5, "too few kills landed while the database was open"
    assert not failures, "\n".join(failures)
