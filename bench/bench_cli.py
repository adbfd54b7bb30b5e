"""Benchmark: the command line at 100,000 units against floors measured in the same run.

    python bench/bench_cli.py [--enterprises N] [--rounds 3]

On the demo database bench_registry.py builds and keeps (bench/out/registry-N.db),
each a whole process (interpreter start included), alternately, ``rounds`` times:

- ``safecredit grade --format json`` (as of the demo's day) written to a file, against
  its floor: every row of the unit-keyed tables read, grouped by unit and written as a
  JSON array (``floors.py grade-json``);
- ``safecredit check``, against its floor: ``PRAGMA integrity_check`` and every audit
  entry read and hashed (``floors.py check``).

Reported: the medians of CPU seconds (user + system of the process: the steadier figure
on this shared machine) and their ratios; the wall-clock medians as notes.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
for folder in (ROOT, BENCH):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from bench_registry import TODAY, demo_database  # noqa: E402

PEAKS: dict[str, float] = {}  # the largest resident set of each command, MB


def timed(argv: list[str], stdout: Path | None = None, *, name: str = "") -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one process; its peak memory kept in PEAKS[name]."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(stdout or os.devnull, "wb") as out:
        started = time.perf_counter()
        child = subprocess.Popen(argv, cwd=ROOT, stdout=out, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        assert child.stderr is not None
        raise SystemExit(f"{argv} failed: {child.stderr.read().decode()}")
    PEAKS[name] = max(PEAKS.get(name, 0.0), usage.ru_maxrss / 1024)
    return usage.ru_utime + usage.ru_stime, wall


def run(enterprises: int = 100_000, rounds: int = 3) -> dict[str, float]:
    path, _ = demo_database(enterprises)
    cli = [sys.executable, "-m", "safecredit_desktop.cli", "--db", str(path)]
    floors = [sys.executable, str(BENCH / "floors.py")]
    figures: dict[str, list[tuple[float, float]]] = {}

    def add(name: str, value: tuple[float, float]) -> None:
        figures.setdefault(name, []).append(value)

    with tempfile.TemporaryDirectory(prefix="safecredit-bench-") as tmp:
        out = Path(tmp) / "out.json"
        timed([*cli, "check"])  # the first opening on this PC records the head: not timed
        for _ in range(rounds):
            add("grade_floor", timed([*floors, "grade-json", str(path), str(out)]))
            grade = [*cli, "grade", "--format", "json", "--as-of", str(TODAY)]
            add("grade", timed(grade, out, name="grade"))
            add("check_floor", timed([*floors, "check", str(path)]))
            add("check", timed([*cli, "check"], name="check"))
        with out.open(encoding="utf-8") as printed:  # one " {" line opens each unit
            units = sum(1 for line in printed if line == " {\n")

    def cpu(name: str) -> float:
        return statistics.median(c for c, _ in figures[name])

    def wall(name: str) -> float:
        return statistics.median(w for _, w in figures[name])

    return {
        "grade_cpu": cpu("grade"),
        "grade_floor_cpu": cpu("grade_floor"),
        "grade_ratio": cpu("grade") / cpu("grade_floor"),
        "grade_wall": wall("grade"),
        "grade_floor_wall": wall("grade_floor"),
        "check_cpu": cpu("check"),
        "check_floor_cpu": cpu("check_floor"),
        "check_ratio": cpu("check") / cpu("check_floor"),
        "check_wall": wall("check"),
        "check_floor_wall": wall("check_floor"),
        "units": float(units),
        "grade_peak_mb": PEAKS["grade"],
        "check_peak_mb": PEAKS["check"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(run(args.enterprises, args.rounds), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
