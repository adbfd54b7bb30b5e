"""Benchmark: the registry (企业台账) window page on a demo county of N units.

    python bench/bench_registry.py [--enterprises N]

Measures, in a fresh process with Qt offscreen:

- ``startup_seconds``: from starting the process (interpreter, imports, opening the
  database, building the page) to the page shown with its first rows and its count;
- ``search_p50_ms`` / ``search_max_ms``: per keystroke of realistic typing (``f``,
  ``fh``, ``fhx`` …, ``凤``, ``凤凰``, ``9143`` …), the time from the model being given
  the new query to its count and first page being available;
- ``grade_filter_p50_ms`` / ``grade_filter_max_ms``: the same for the 信用等级 filter
  (live grades) set to each grade in turn, with and without a search; ``confirmed_filter_
  max_ms`` for the 年度评定 filter; ``grade_sort_ms``: the list sorted by 信用等级.

Outside the window, on the same database, each in a transaction rolled back after:

- ``fill_seconds``: the stored live grades filled for every unit (the first opening of a
  database upgraded to schema 12, or after a new program or other rules);
- ``migration_seconds``: the schema step itself (tables and triggers, no grading);
- ``day_turn_seconds`` / ``day_turn_units``: the turn of a day (the units whose grade may
  change that day regraded).

The demo database (``core.init_database`` + ``core.fill_demo`` and the annual
assessment of the demo year confirmed, about 35 s at 100,000 units) is built once and
kept as ``bench/out/registry-N.db``; later runs reuse it. ``seconds`` is the start-up
time (for bench/run.py).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
SEED = 20250630
TODAY = date(2025, 6, 30)  # fixed, so every build makes the same data
SHOWN = "registry-shown"

# What people type: pinyin initials, full pinyin, code prefixes, Chinese words
# (an IME commits a character or a word at a time), and two terms.
KEYSTROKES: tuple[str, ...] = (
    "f",
    "fh",
    "fhx",
    "fhxt",
    "fhxtj",
    "fhh",
    "fhhg",
    "t",
    "tu",
    "tuo",
    "tuoj",
    "tuojiang",
    "9",
    "91",
    "914",
    "9143",
    "91433123",
    "91433123MA",
    "凤",
    "凤凰",
    "化",
    "化工",
    "沱",
    "沱江",
    "沱江化工",
    "烟花",
    "烟花爆竹",
    "fhx hg",
    "%",
    "",
)


def demo_database(enterprises: int) -> tuple[Path, float]:
    """The cached demo database for ``enterprises`` units, built if missing or outdated."""
    from safecredit_desktop.core import app as core
    from safecredit_desktop.core.model import Role
    from safecredit_desktop.core.storage import migrations
    from safecredit_desktop.core.storage.connection import connect_raw

    path = OUT / f"registry-{enterprises}.db"
    if path.exists():
        conn = connect_raw(path, read_only=True)
        try:
            current = migrations.schema_version(conn) == migrations.latest_version()
        finally:
            conn.close()
        if current:
            return path, 0.0
        path.unlink()
    OUT.mkdir(parents=True, exist_ok=True)
    part = path.with_suffix(".part")
    for leftover in OUT.glob(f"{part.name}*"):
        leftover.unlink()
    print(f"building {path} ({enterprises:,} units) …", file=sys.stderr, flush=True)
    started = time.perf_counter()
    session = core.init_database(
        part, profile="fenghuang", bureau_name="凤凰县应急管理局", user="bench"
    )
    try:
        core.fill_demo(session, enterprises=enterprises, seed=SEED, today=TODAY)
        session.role = Role.REVIEWER  # the demo year's assessment, as a bureau would have
        session.grading.confirm_assessment(TODAY.year)
        session.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        session.close()
    part.rename(path)
    _anchor_moved(part, path)
    return path, time.perf_counter() - started


def _anchor_moved(part: Path, path: Path) -> None:
    """The audit head recorded for the database under its final name (and the partial
    name's forgotten): a rebuilt database is a new one, not the old one rewritten."""
    import sqlite3

    from safecredit_desktop.core.storage import anchor

    conn = sqlite3.connect(path)
    try:
        anchor.reset(path, conn)
    finally:
        conn.close()
    anchor.file_path(part).unlink(missing_ok=True)
    anchor.store_path(part).unlink(missing_ok=True)


def child(path: Path) -> None:
    """Runs in the measured process: the whole main window up to the registry shown,
    then keystroke searches."""
    from PySide6.QtWidgets import QApplication

    from safecredit_desktop.core import app as core
    from safecredit_desktop.core.registry import UnitQuery
    from safecredit_desktop.gui.fonts import install_app_font
    from safecredit_desktop.gui.main_window import MainWindow

    app = QApplication([])
    install_app_font(app)
    session = core.open_session(path, user="bench")
    window = MainWindow(session)
    window._daily_backup_timer.stop()  # a backup would run during the timed searches
    window._backup_on_close = False
    window.nav.setCurrentRow(1)
    page = window.registry
    window.resize(1280, 800)
    window.show()
    while page.model.rowCount() == 0 or not page.count_label.text():
        app.processEvents()
    app.processEvents()  # paint
    print(SHOWN, flush=True)

    model = page.model
    timings: list[float] = []
    for _round in range(2):
        for text in KEYSTROKES:
            started = time.perf_counter()
            model.set_query(UnitQuery(search=text))
            total = model.total
            rows = model.rowCount()
            timings.append((time.perf_counter() - started) * 1000)
            assert rows <= total
            app.processEvents()
    units_shown = float(page.model.total)

    def timed(query: UnitQuery) -> float:
        started = time.perf_counter()
        model.set_query(query)
        total = model.total
        assert model.rowCount() <= total
        spent = (time.perf_counter() - started) * 1000
        app.processEvents()
        return spent

    letters = "ABCD"
    grade_timings = [
        timed(UnitQuery(grade=letter, search=search))
        for _round in range(2)
        for search in ("", "fh", "化工")
        for letter in letters
    ]
    # (a program before the stored live grades filters 信用等级 by the confirmed year)
    has_confirmed = "confirmed_grade" in UnitQuery.__dataclass_fields__
    confirmed_timings = [
        timed(UnitQuery(confirmed_grade=letter))  # type: ignore[call-arg]
        for _round in range(2 if has_confirmed else 0)
        for letter in letters
    ] or [0.0]
    sort_timings = [timed(UnitQuery(sort="grade", descending=d)) for d in (False, True)]
    result = {
        "search_p50_ms": statistics.median(timings),
        "search_max_ms": max(timings),
        "search_keystrokes": float(len(timings)),
        "grade_filter_p50_ms": statistics.median(grade_timings),
        "grade_filter_max_ms": max(grade_timings),
        "confirmed_filter_max_ms": max(confirmed_timings),
        "grade_sort_ms": max(sort_timings),
        "units_shown": units_shown,
    }
    print(json.dumps(result), flush=True)
    session.close()


class _RolledBack(Exception):
    pass


def stored_grade_figures(path: Path) -> dict[str, float]:
    """The cost of the stored live grades on ``path``: a whole fill, the schema step and
    the turn of a day, each in a transaction rolled back (the database is left as it was)."""
    from datetime import timedelta

    from safecredit_desktop.core import app as core
    from safecredit_desktop.core import grade_cache
    from safecredit_desktop.core.storage import migrations
    from safecredit_desktop.core.storage.sqlfile import statements

    session = core.open_session(path, user="bench")
    db = session.db
    today = date.today()
    session.grading.settle_live(today=today, quiet=True)
    figures: dict[str, float] = {}
    step = next(m for m in migrations.available_migrations() if "live_grades" in m.path.name)
    try:
        with db.transaction() as conn:
            tables = ("unit_grades", "unit_grades_stale", "unit_grades_state")
            triggers = conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                " AND name LIKE '%grade_stale%'"
            ).fetchall()
            for (name,) in triggers:
                conn.execute(f"DROP TRIGGER {name}")
            conn.execute("DROP INDEX IF EXISTS assessment_grades_grade")
            for table in tables:
                conn.execute(f"DROP TABLE {table}")
            started = time.perf_counter()
            for statement in statements(step.sql()):
                conn.execute(statement)
            figures["migration_seconds"] = time.perf_counter() - started
            started = time.perf_counter()
            figures["fill_units"] = float(grade_cache.settle(db, today=today))
            figures["fill_seconds"] = time.perf_counter() - started
            raise _RolledBack
    except _RolledBack:
        pass
    try:
        with db.transaction():
            tomorrow = today + timedelta(days=1)
            started = time.perf_counter()
            figures["day_turn_units"] = float(grade_cache.settle(db, today=tomorrow))
            figures["day_turn_seconds"] = time.perf_counter() - started
            raise _RolledBack
    except _RolledBack:
        pass
    session.close()
    return figures


def run(enterprises: int = 100_000) -> dict[str, float]:
    """Start-up and per-keystroke search figures of the registry page."""
    path, build_seconds = demo_database(enterprises)
    try:
        stored = stored_grade_figures(path)
    except ImportError:  # a program before the stored live grades (before/after figures)
        stored = {}
    with tempfile.TemporaryDirectory(prefix="safecredit-bench-") as home:
        # A clean settings folder: no remembered header state from a real user.
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": home}
        # An installed program starts from compiled bytecode (the bundle ships .pyc);
        # compile first, so the figure is not the compiler's (PYTHONDONTWRITEBYTECODE).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(ROOT / "safecredit_desktop")],
            check=True,
            env=env,
        )
        errors_path = Path(home) / "stderr.txt"
        with errors_path.open("w", encoding="utf-8") as errors:
            started = time.perf_counter()
            process = subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve()), "--child", str(path)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=errors,  # Qt's offscreen plugin chatters; shown only on failure
                text=True,
            )
            assert process.stdout is not None
            startup: float | None = None
            last = ""
            for line in process.stdout:
                if line.strip() == SHOWN and startup is None:
                    startup = time.perf_counter() - started
                elif line.strip():
                    last = line.strip()
        if process.wait() != 0 or startup is None:
            detail = errors_path.read_text(encoding="utf-8")
            raise SystemExit(f"bench_registry child failed (exit {process.returncode}):\n{detail}")
    figures: dict[str, float] = json.loads(last)
    return {
        "enterprises": float(enterprises),
        "seconds": startup,
        "startup_seconds": startup,
        **figures,
        **stored,
        "build_seconds": build_seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="企业台账页面基准测试")
    parser.add_argument("--enterprises", type=int, default=100_000, help="企业数量")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        child(args.child)
        return 0
    result = run(args.enterprises)
    print(f"registry: {args.enterprises:,} units")
    print(f"  start-up to registry shown  {result['startup_seconds']:.2f} s  (target < 1 s)")
    print(
        f"  search per keystroke        p50 {result['search_p50_ms']:.1f} ms,"
        f" max {result['search_max_ms']:.1f} ms  (target < 100 ms;"
        f" {int(result['search_keystrokes'])} keystrokes)"
    )
    print(
        f"  filter by 信用等级 (live)     p50 {result['grade_filter_p50_ms']:.1f} ms,"
        f" max {result['grade_filter_max_ms']:.1f} ms;"
        f" by 年度评定 max {result['confirmed_filter_max_ms']:.1f} ms;"
        f" sort by 信用等级 {result['grade_sort_ms']:.0f} ms"
    )
    if stored := {k: v for k, v in result.items() if k.startswith(("fill", "day", "mig"))}:
        print(
            f"  stored live grades: fill {stored['fill_seconds']:.2f} s"
            f" ({int(stored['fill_units']):,} units), schema step"
            f" {stored['migration_seconds'] * 1000:.0f} ms, turn of a day"
            f" {stored['day_turn_seconds']:.2f} s ({int(stored['day_turn_units']):,} units)"
        )
    if result["build_seconds"]:
        print(f"  (built the demo database in {result['build_seconds']:.0f} s)")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
