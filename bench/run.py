"""``make bench``: run every benchmark in its own process, print a table, update README.

Each benchmark module under bench/ has ``run(**kwargs) -> dict[str, float]`` returning at
least ``seconds``; peak memory is the child process's maximum resident set size.
"""

from __future__ import annotations

import json
import platform
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


@dataclass(frozen=True)
class Bench:
    operation: str
    module: str
    kwargs: dict[str, int]
    target_seconds: float
    extra: tuple[tuple[str, str], ...] = ()  # (result key, label) shown in the notes


BENCHES = (
    Bench(
        "`demo --enterprises 100000` (≈1 million records, audited)",
        "bench_demo",
        {"enterprises": 100_000},
        60.0,
        (("records", "records"), ("db_size_mb", "database MB")),
    ),
)


def run_one(bench: Bench) -> tuple[dict[str, float], float]:
    code = (
        "import json, sys; sys.path.insert(0, 'bench'); "
        f"import {bench.module} as m; print(json.dumps(m.run(**{bench.kwargs!r})))"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{bench.module} failed:\n{done.stderr}")
    peak_kb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result, peak_kb / 1024


def main() -> int:
    rows = [
        "| operation | time (s) | target (s) | ratio | peak memory (MB) | notes |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for bench in BENCHES:
        print(f"running {bench.module} {bench.kwargs} …", flush=True)
        result, peak_mb = run_one(bench)
        seconds = float(result["seconds"])
        notes = ", ".join(
            f"{label} {result[key]:,.0f}" if result[key] >= 100 else f"{label} {result[key]:.1f}"
            for key, label in bench.extra
            if key in result
        )
        rows.append(
            f"| {bench.operation} | {seconds:.1f} | {bench.target_seconds:.0f} | "
            f"{seconds / bench.target_seconds:.2f} | {peak_mb:,.0f} | {notes} |"
        )
    machine = f"{platform.processor() or platform.machine()}, Python {platform.python_version()}"
    table = "\n".join([*rows, "", f"Machine: 2 cores, {machine}."])
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
