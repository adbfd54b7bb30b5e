"""Durability: the CLI killed with SIGKILL inside its writes loses nothing committed and
leaves nothing half-done.

One base database (fenghuang, 60 demo units, a 审核员) and one import workbook (40 units
of another county, exported from a second demo database) are built once. Each of four
operations — ``import``, ``assess --confirm``, ``print grade-notice --all-grade C`` and
``backup --to`` — is run once with ``SAFECREDIT_PAUSE_TRACE`` to learn the pause points
it passes (``core/pause_points.py``: a transaction begun, each audited batch, just
before and just after COMMIT, the backup's copy and rename), then once per chosen pass
with ``SAFECREDIT_PAUSE_AT``, on a fresh copy of the base database: the program stops at
that pass and the test kills it with SIGKILL there. The kill points are therefore the
same on a quiet or a busy machine. After each run ``safecredit check`` must pass and the
change must be there entirely or not at all; a printed PDF exists only if its numbers
were committed. A summary line is printed: run with ``-s``.
"""

from __future__ import annotations

import contextlib
import io
import os
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
    from safecredit_desktop.core import app as core

    folder = work / "w.db.backups"
    if folder.is_dir():
        for copy in folder.glob("*.db"):
            core.check_restore_candidate(copy)


def _trace(base: Base, op: Operation, folder: Path) -> list[str]:
    """One uninterrupted run: the pause points it passes, in order, and the 'all' state
    it leaves."""
    work = _fresh(base, folder)
    trace = work / "trace.txt"
    done = subprocess.run(
        _command(base, op, work),
        capture_output=True,
        text=True,
        env={**base.env, "SAFECREDIT_PAUSE_TRACE": str(trace)},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    if op.name == "import":
        base.imported = _counts(work / "w.db")
        assert base.imported["units"] == base.counts["units"] + 40
    elif op.name == "print":
        base.c_units = _scalar(work / "w.db", "SELECT count(*) FROM documents")
        assert base.c_units > 0
        assert f"已出具 {base.c_units} 份" in done.stdout
    assert _check(work / "w.db") == (0, "")
    assert _state(base, op, work) == "all"
    return trace.read_text(encoding="utf-8").split()


def kill_points(trace: list[str]) -> list[tuple[str, int]]:
    """Where to kill: for every point the operation passes, its first pass, its last, and
    for a point passed many times (each audited batch) three passes in between."""
    passes = Counter(trace)
    chosen: list[tuple[str, int]] = []
    for name in dict.fromkeys(trace):  # in the order first passed
        total = passes[name]
        picks = {1, total} | ({total // 4, total // 2, 3 * total // 4} if total > 4 else set())
        chosen.extend((name, n) for n in sorted(p for p in picks if p >= 1))
    return chosen


def _check(db: Path) -> tuple[int, str]:
    """``safecredit check`` (its main(), in this process: a fresh connection opens the
    file the killed process left); exit code and what it printed on stderr."""
    from safecredit_desktop.cli import main
    from safecredit_desktop.core import app as core

    hooks = list(core.OPEN_WARNING_HOOKS)  # main() adds its printer; leave none behind
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--db", str(db), "check"])
    finally:
        core.OPEN_WARNING_HOOKS[:] = hooks
    return code, err.getvalue()


@dataclass
class Tally:
    runs: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)


def _kill_at(base: Base, op: Operation, work: Path, point: str, n: int, tally: Tally) -> str | None:
    """Run ``op`` on a fresh copy, SIGKILL it at the ``n``-th pass of ``point``; a failure,
    or None. The kill lands exactly there: the program stops at the point and waits."""
    tally.runs += 1
    work = _fresh(base, work)
    marker = work / "paused"
    env = {**base.env, "SAFECREDIT_PAUSE_AT": f"{point}@{n}:{marker}"}
    with (work / "stderr.txt").open("w") as err:
        proc = subprocess.Popen(
            _command(base, op, work), stdout=subprocess.DEVNULL, stderr=err, env=env
        )
        while not marker.exists():
            if proc.poll() is not None:
                return f"finished (exit {proc.returncode}) without reaching {point} #{n}"
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=120)
    code, err_text = _check(work / "w.db")
    if code != 0:
        return f"check exit {code}: {err_text}"
    try:
        state = _state(base, op, work)
        _check_backups_folder(work)
    except Exception as exc:  # every failure is reported by the caller
        return f"{type(exc).__name__}: {exc}"
    if op.name == "print" and state == "none" and (work / "c.pdf").exists():
        return "a numbered PDF exists while its numbers were never committed"
    tally.outcomes[state] += 1
    return None


def test_sigkill_during_writes_leaves_all_or_nothing(base: Base) -> None:
    """Per operation: one traced run names the points it passes (transaction begun, each
    audited batch, before and after COMMIT, the backup's copy and rename); then one run
    killed at each chosen pass. The same kills land on any machine, however busy."""
    failures: list[str] = []
    lines: list[str] = []
    runs = 0
    for op in OPERATIONS:
        trace = _trace(base, op, base.folder / "runs" / op.name / "trace")
        points = kill_points(trace)
        tally = Tally()
        for point, n in points:
            work = base.folder / "runs" / op.name / f"{point}-{n}"
            failure = _kill_at(base, op, work, point, n, tally)
            if failure is not None:
                failures.append(f"{op.name} killed at {point} #{n}: {failure}")
        runs += tally.runs
        lines.append(
            f"  {op.name}: {len(trace)} points passed, {tally.runs} kills; change none "
            f"{tally.outcomes['none']}, all {tally.outcomes['all']}"
        )
        # The kills straddle the commit: some leave nothing, some the whole change.
        assert tally.outcomes["none"] > 0 and tally.outcomes["all"] > 0, lines[-1]
        assert any(p == "transaction.commit" for p, _ in points) or op.name == "backup"
    print(f"\nSIGKILL durability: {runs} kills at chosen points, {len(failures)} failures")
    print("\n".join(lines))
    assert not failures, "\n".join(failures)
