"""Benchmark: SQLite and PostgreSQL side by side on the 100,000-unit demo county.

    python bench/bench_engines.py [--enterprises N]

Uses the demo database of bench_registry.py (built if missing), copies it to a
throwaway PostgreSQL server (tests/pg_server.py, the distribution's binaries) with
``safecredit copy``'s code, then on each engine:

- grade every unit (``session.grading.grade``), the best of two;
- registry search: the 企业台账's first page for typical search texts, median;
- one record saved (``session.records.save`` of an inspection, its own transaction,
  audited): p50 and p95 of 200 saves;
- 8 concurrent writers: 8 processes saving 150 inspections each at once; records per
  second over the whole run.

Finally the server register is copied back to a new SQLite file; the
``grade --format json`` of the original, the server and the copy back must be
identical, and ``check`` must pass on the server and on the copy back (their times are
reported). Figures (keys ``sqlite_*`` and ``pg_*``) print as JSON; bench/run.py puts
them in README's table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
for folder in (ROOT, BENCH, ROOT / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import pg_server  # noqa: E402
from bench_registry import TODAY, demo_database  # noqa: E402

from safecredit_desktop.core import app as core  # noqa: E402
from safecredit_desktop.core import model, registry  # noqa: E402
from safecredit_desktop.core.storage import copying  # noqa: E402
from safecredit_desktop.core.storage.location import parse_server  # noqa: E402

SEARCHES = ("凤凰", "fh", "9143", "矿业", "hgsy", "有限公司")
SAVES = 200
WRITERS = 8
WRITER_RECORDS = 150

WRITER = textwrap.dedent(
    """
    import sys, time
    from datetime import date, timedelta
    from pathlib import Path
    from safecredit_desktop.core import model
    from safecredit_desktop.core import app as core
    from safecredit_desktop.core.storage.location import parse

    where, n, ready, go, count = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), Path(
        sys.argv[4]), int(sys.argv[5])
    session = core.open_session(parse(where), user=f"席位{n}")
    units = [int(r[0]) for r in session.db.conn.execute(
        "SELECT id FROM units ORDER BY id LIMIT 2000")]
    ready.touch()
    while not go.exists():
        time.sleep(0.002)
    for k in range(count):
        day = date(1990, 1, 1) + timedelta(days=n * count + k)
        session.records.save(model.Inspection(
            unit_id=units[(n * count + k) % len(units)], inspected_on=day, method="日常"))
    session.close()
    """
)


def _grade_json(location: Any) -> tuple[str, float]:
    session = core.open_session(location, user="bench")
    try:
        best = float("inf")
        text = ""
        for _ in range(2):
            started = time.perf_counter()
            results = session.grading.grade(as_of=TODAY)
            best = min(best, time.perf_counter() - started)
            text = json.dumps([r.as_json() for r in results], ensure_ascii=False)
        return text, best
    finally:
        session.close()


def _search_ms(location: Any) -> float:
    session = core.open_session(location, user="bench")
    try:
        times = []
        for text in SEARCHES:
            query = registry.UnitQuery(search=text)
            started = time.perf_counter()
            session.units.query(query, 0, 50)
            session.units.count_matching(query)
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)
    finally:
        session.close()


def _saves_ms(location: Any) -> tuple[float, float]:
    session = core.open_session(location, user="bench")
    try:
        units = [int(r[0]) for r in session.db.conn.execute("SELECT id FROM units LIMIT 500")]
        times = []
        for k in range(SAVES):
            record = model.Inspection(
                unit_id=units[k % len(units)],
                inspected_on=date(1980, 1, 1) + timedelta(days=k),
                method="日常",
            )
            started = time.perf_counter()
            session.records.save(record)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        return statistics.median(times), times[int(len(times) * 0.95) - 1]
    finally:
        session.close()


def _writers_per_second(location: Any, scratch: Path) -> float:
    go = scratch / f"go-{time.monotonic_ns()}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WRITER,
                str(location),
                str(n),
                str(scratch / f"{go.name}-ready{n}"),
                str(go),
                str(WRITER_RECORDS),
            ],
            env=env,
        )
        for n in range(WRITERS)
    ]
    while not all((scratch / f"{go.name}-ready{n}").exists() for n in range(WRITERS)):
        if any(p.poll() not in (None, 0) for p in procs):
            raise SystemExit("a writer failed to start")
        time.sleep(0.01)
    started = time.perf_counter()
    go.touch()
    for proc in procs:
        if proc.wait() != 0:
            raise SystemExit("a writer failed")
    return WRITERS * WRITER_RECORDS / (time.perf_counter() - started)


def _measure(prefix: str, location: Any, scratch: Path, result: dict[str, float]) -> str:
    text, seconds = _grade_json(location)
    result[f"{prefix}_grade_seconds"] = seconds
    result[f"{prefix}_search_p50_ms"] = _search_ms(location)
    p50, p95 = _saves_ms(location)
    result[f"{prefix}_save_p50_ms"] = p50
    result[f"{prefix}_save_p95_ms"] = p95
    result[f"{prefix}_writers_per_second"] = _writers_per_second(location, scratch)
    return text


def run(enterprises: int = 100_000) -> dict[str, float]:
    source, _ = demo_database(enterprises)
    result: dict[str, float] = {"units": float(enterprises)}
    server = pg_server.start()
    scratch = Path(tempfile.mkdtemp(prefix="safecredit-bench-engines-"))
    try:
        pg_server.make_database(server, "county")
        location = parse_server(server.url("county"))
        work = scratch / "county.db"
        copying.copy_register(source, work)  # the measurements write: keep the cache clean
        original, _ = _grade_json(work)
        started = time.perf_counter()
        copying.copy_register(work, location)
        result["copy_to_pg_seconds"] = time.perf_counter() - started
        on_server, _ = _grade_json(location)
        back = scratch / "back.db"
        started = time.perf_counter()
        copying.copy_register(location, back)
        result["copy_back_seconds"] = time.perf_counter() - started
        copied_back, _ = _grade_json(back)
        result["same_grades"] = float(original == on_server == copied_back)
        started = time.perf_counter()
        result["pg_check_ok"] = float(core.check_database(location).ok)
        result["pg_check_seconds"] = time.perf_counter() - started
        started = time.perf_counter()
        result["back_check_ok"] = float(core.check_database(back).ok)
        result["back_check_seconds"] = time.perf_counter() - started
        _measure("sqlite", work, scratch, result)
        _measure("pg", location, scratch, result)
    finally:
        server.stop()
        import shutil

        shutil.rmtree(scratch, ignore_errors=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    args = parser.parse_args()
    print(json.dumps(run(args.enterprises), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
