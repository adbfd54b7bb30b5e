"""Benchmark: ``safecredit export data`` (全部数据) of a county of 100,000 units.

    python bench/bench_export.py [--enterprises N] [--rounds 1]

The whole command as a process (interpreter start, opening and its checks, reading every
record, writing the workbook) on the demo database bench_registry.py keeps
(bench/out/registry-N.db, about a million records). Reported: wall seconds, CPU seconds
(user + system), the file's size, the 执法检查 sheet's XML (the import allows 200 MB of
XML per sheet) and the bytes it takes per row. The peak memory of the command is the
bench process's (bench/run.py measures it with the children it waited for).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
for folder in (ROOT, BENCH):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from bench_cli import PEAKS, timed  # noqa: E402
from bench_registry import demo_database  # noqa: E402

from safecredit_desktop.core.exchange.columns import SHEETS  # noqa: E402


def run(enterprises: int = 100_000, rounds: int = 1) -> dict[str, float]:
    path, _ = demo_database(enterprises)
    cli = [sys.executable, "-m", "safecredit_desktop.cli", "--db", str(path)]
    timed([*cli, "check"])  # the first opening on this PC records the head: not timed
    cpu: list[float] = []
    wall: list[float] = []
    with tempfile.TemporaryDirectory(prefix="safecredit-bench-") as tmp:
        book = Path(tmp) / "all.xlsx"
        for _ in range(rounds):
            book.unlink(missing_ok=True)
            used, took = timed([*cli, "export", "data", str(book)], name="export")
            cpu.append(used)
            wall.append(took)
        with zipfile.ZipFile(book) as archive:
            order = [spec.name for spec in SHEETS]
            member = f"xl/worksheets/sheet{2 + order.index('执法检查')}.xml"
            sheet_bytes = archive.getinfo(member).file_size
        size = book.stat().st_size
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    inspections = int(conn.execute("SELECT count(*) FROM inspections").fetchone()[0])
    records = sum(
        int(conn.execute(f"SELECT count(*) FROM {spec.table}").fetchone()[0]) for spec in SHEETS
    )
    conn.close()
    return {
        "seconds": statistics.median(wall),
        "cpu_seconds": statistics.median(cpu),
        "records": float(records),
        "file_mb": size / 1_000_000,
        "inspection_sheet_mb": sheet_bytes / 1_000_000,
        "bytes_per_inspection": sheet_bytes / inspections,
        "peak_mb": PEAKS["export"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    print(json.dumps(run(args.enterprises, args.rounds), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
