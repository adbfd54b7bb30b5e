"""``make bench``: run every benchmark in its own process, print a table, update README.

Each benchmark module under bench/ has ``run(**kwargs) -> dict[str, float]``; a Bench
names which of its figures become rows (each with its target) and which are notes.
Peak memory is the child process's maximum resident set size.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


@dataclass(frozen=True)
class Row:
    operation: str
    key: str  # the figure in the benchmark's result
    target: float
    unit: str  # "s" or "ms"


@dataclass(frozen=True)
class Bench:
    module: str
    kwargs: dict[str, int]
    rows: tuple[Row, ...]
    notes: tuple[tuple[str, str], ...] = ()  # (result key, label)


BENCHES = (
    Bench(
        "bench_demo",
        {"enterprises": 100_000},
        (
            Row(
                "`demo --enterprises 100000` (≈1 million records, each audited)", "seconds", 60, "s"
            ),
        ),
        (("records", "records"), ("db_size_mb", "database MB")),
    ),
    Bench(
        "bench_registry",
        {"enterprises": 100_000},
        (
            Row("window start-up to 企业台账 shown, 100,000 units", "startup_seconds", 2, "s"),
            Row("registry search per keystroke, median", "search_p50_ms", 100, "ms"),
            Row("registry search per keystroke, slowest", "search_max_ms", 100, "ms"),
        ),
        (("search_keystrokes", "keystrokes timed"),),
    ),
)


def run_one(bench: Bench) -> tuple[dict[str, float], float]:
    code = (
        "import json, sys; sys.path.insert(0, 'bench'); "
        f"import {bench.module} as m; print(json.dumps(m.run(**{bench.kwargs!r})))"
    )
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=out, stderr=err)
        # wait4 gives this child's own peak memory (with the helpers it waited for)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(f"{bench.module} failed:\n{err.read()}")
        result = json.loads(out.read().strip().splitlines()[-1])
    return result, usage.ru_maxrss / 1024


def _figure(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.2f}"


def main() -> int:
    lines = [
        "| operation | measured | target | ratio | peak memory (MB) | notes |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for bench in BENCHES:
        print(f"running {bench.module} {bench.kwargs} …", flush=True)
        result, peak_mb = run_one(bench)
        notes = ", ".join(
            f"{label} {_figure(result[key])}" for key, label in bench.notes if key in result
        )
        for row in bench.rows:
            value = float(result[row.key])
            lines.append(
                f"| {row.operation} | {_figure(value)} {row.unit} | {row.target:g} {row.unit} | "
                f"{value / row.target:.2f} | {peak_mb:,.0f} | {notes} |"
            )
    machine = f"{platform.machine()}, Python {platform.python_version()}"
    table = "\n".join([*lines, "", f"Machine: 2 cores, {machine}; peak memory is per process."])
    print(table)
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        readme.write_text(f"{head}{START}\n{table}\n{END}{tail}", encoding="utf-8")
        print("README.md updated.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
