"""Benchmark: the due list and the annual inspection plan on a demo county of N units.

    python bench/bench_plan.py [--enterprises N] [--repeat R]

On the cached demo database of bench_registry (``bench/out/registry-N.db``, whose
data end on 2025-06-30), times ``session.schedule.due`` as of 2025-06-30 (live grades of
every unit, then the due dates) and ``session.schedule.plan`` for 2025 with a capacity
of N/100 per month (grades as of 2024-12-31, windows, levelling, fulfilment) — each
including its grading. Reports ``due_seconds``, ``plan_seconds`` and ``seconds`` (the
larger; target 5 s each), each the best of ``repeat`` runs, plus the list's and the
plan's sizes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from bench_registry import TODAY, demo_database  # noqa: E402


def run(enterprises: int = 100_000, repeat: int = 2) -> dict[str, float]:
    from safecredit_desktop.core import app as core

    path, _built = demo_database(enterprises)
    session = core.open_session(path, user="bench")
    try:
        session.profile  # noqa: B018 - parse the stored profile outside the timing
        due_times: list[float] = []
        plan_times: list[float] = []
        listed = planned = unfit = 0
        capacity = max(1, enterprises // 100)
        for _ in range(repeat):
            started = time.perf_counter()
            due = session.schedule.due(as_of=TODAY)
            due_times.append(time.perf_counter() - started)
            listed = len(due.items)
            started = time.perf_counter()
            plan = session.schedule.plan(year=TODAY.year, capacity=capacity, today=TODAY)
            plan_times.append(time.perf_counter() - started)
            planned, unfit = len(plan.items), len(plan.cannot_fit)
    finally:
        session.close()
    return {
        "enterprises": float(enterprises),
        "due_seconds": round(min(due_times), 3),
        "plan_seconds": round(min(plan_times), 3),
        "seconds": round(max(min(due_times), min(plan_times)), 3),
        "due_listed": float(listed),
        "planned": float(planned),
        "cannot_fit": float(unfit),
        "capacity": float(capacity),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    print(json.dumps(run(args.enterprises, args.repeat), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
