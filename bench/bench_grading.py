"""Benchmark: grading every unit of a demo county, against a plain SQL read of the same data.

    python bench/bench_grading.py [--enterprises N]

Uses the demo database that bench_registry.py builds and keeps (``bench/out/registry-N.db``,
profile fenghuang, demo "today" 2025-06-30; built here if missing). In the same process
and run, alternately and three times each (the best time of each is reported):

- the floor: every query ``grade_facts.grade_all`` runs (``grade_facts.register_queries`` for the
  profile at that date: the same columns of units, commitments and of those of accidents,
  violations, penalties, honours, joint_punishments and repairs that the profile's
  criteria use) fetched into tuples, no Python work on them;
- ``grade_facts.grade_all`` of every unit as of that date: loading the facts, grades, reasons,
  next change and hints.

Figures: ``seconds`` (grade_all), ``floor_seconds``, ``ratio``, ``units``,
``grades_per_second``, ``records`` (rows the floor reads), ``distinct_states`` (units
evaluated rather than taken from the cache) and ``grade_A`` … ``grade_D``. Peak memory is
measured by bench/run.py (the child's maximum resident set).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
for folder in (ROOT, BENCH):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from bench_registry import TODAY, demo_database  # noqa: E402

from safecredit_desktop.core.grade_facts import (  # noqa: E402
    grade_all,
    load_register,
    register_queries,
)
from safecredit_desktop.core.rules import engine  # noqa: E402
from safecredit_desktop.core.rules.profile import parse_profile  # noqa: E402
from safecredit_desktop.core.rules.result import GradeResult  # noqa: E402
from safecredit_desktop.core.storage import settings as keys  # noqa: E402
from safecredit_desktop.core.storage.connection import Database, connect_raw  # noqa: E402
from safecredit_desktop.core.storage.settings import get_setting  # noqa: E402

AS_OF: date = TODAY  # the demo's "today": its records reach up to this day
ROUNDS = 3


def floor(db: Database, queries: tuple[str, ...]) -> int:
    """The queries of grade_all, one plain fetch each; the rows read."""
    rows = 0
    for sql in queries:
        rows += len(db.conn.execute(sql).fetchall())
    return rows


def run(enterprises: int = 100_000) -> dict[str, float]:
    path, build_seconds = demo_database(enterprises)
    db = Database(path, connect_raw(path, read_only=True))
    try:
        profile = parse_profile(get_setting(db, keys.PROFILE_TEXT), source=str(path))
        queries = register_queries(engine.Grader(profile, AS_OF).scope())
        floor(db, queries)  # warm the page cache
        floor_times: list[float] = []
        grade_times: list[float] = []
        records = 0
        results: list[GradeResult] = []
        for _round in range(ROUNDS):
            results = []  # let the previous round's results go before timing the next
            started = time.perf_counter()
            records = floor(db, queries)
            floor_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            results = grade_all(db, profile, AS_OF)
            grade_times.append(time.perf_counter() - started)
        # where grade_all's time goes (outside the timed rounds; the garbage collector
        # paused as grade_all pauses it)
        results = []
        gc.disable()
        try:
            grader = engine.Grader(profile, AS_OF)
            started = time.perf_counter()
            register = load_register(db, grader.scope())
            load_seconds = time.perf_counter() - started
            started = time.perf_counter()
            grader.grade_register(register)
            evaluate_seconds = time.perf_counter() - started
            distinct = grader.evaluations
        finally:
            gc.enable()
        del register, grader
        results = grade_all(db, profile, AS_OF)
    finally:
        db.close()
    seconds = min(grade_times)
    floor_seconds = min(floor_times)
    counts = Counter(r.grade for r in results)
    figures: dict[str, float] = {
        "enterprises": float(enterprises),
        "seconds": seconds,
        "floor_seconds": floor_seconds,
        "ratio": seconds / floor_seconds,
        "units": float(len(results)),
        "grades_per_second": len(results) / seconds,
        "records": float(records),
        "load_seconds": load_seconds,
        "evaluate_seconds": evaluate_seconds,
        "distinct_states": float(distinct),
        "build_seconds": build_seconds,
    }
    for letter in "ABCD":
        figures[f"grade_{letter}"] = float(counts.get(letter, 0))
    figures["with_next_change"] = float(sum(r.next_change is not None for r in results))
    figures["with_improve"] = float(sum(bool(r.improve) for r in results))
    figures["flagged"] = float(sum(bool(r.flags) for r in results))
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="信用分级评定基准测试")
    parser.add_argument("--enterprises", type=int, default=100_000, help="企业数量")
    args = parser.parse_args(argv)
    r = run(args.enterprises)
    print(f"grading: {int(r['units']):,} units as of {AS_OF} ({int(r['records']):,} rows read)")
    print(
        f"  grade_all            {r['seconds']:.2f} s  ({r['grades_per_second']:,.0f} units/s;"
        " target < 5 s)"
    )
    print(f"  floor (plain SQL)    {r['floor_seconds']:.2f} s")
    print(f"  ratio                {r['ratio']:.1f}x  (target <= 5x)")
    print(
        f"  split                load_register {r['load_seconds']:.2f} s, grading"
        f" {r['evaluate_seconds']:.2f} s ({int(r['distinct_states']):,} distinct states evaluated)"
    )
    print("  grades               " + ", ".join(f"{k} {int(r[f'grade_{k}']):,}" for k in "ABCD"))
    print(json.dumps(r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
