"""Benchmark: importing a 10,000-unit workbook with about 100,000 records.

    python bench/bench_import.py [--enterprises N]

The workbook is the program's own 全部数据 export of ``demo --enterprises N`` (cached
under bench/out/). Timed in the same run:

- the floor: plain openpyxl read-only iteration over every row of every sheet;
- ``session.exchange.import_workbook`` into an empty database (read, check every cell, write
  every row with its audit entry in one transaction);
- the pre-import backup of the filled database, separately (an import into a
  non-empty database takes it first).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from openpyxl import load_workbook  # noqa: E402

from safecredit_desktop.core import app as core  # noqa: E402
from safecredit_desktop.core.model import Role  # noqa: E402
from safecredit_desktop.core.storage import backup  # noqa: E402

OUT = ROOT / "bench" / "out"


def workbook(enterprises: int) -> Path:
    path = OUT / f"import-{enterprises}.xlsx"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        session = core.init_database(
            Path(tmp) / "source.db",
            profile="fenghuang",
            bureau_name="凤凰县应急管理局",
            user="bench",
        )
        core.fill_demo(session, enterprises=enterprises, seed=5)
        session.exchange.export_all_data(path, include_id=True)
        session.close()
    return path


def floor(path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    book = load_workbook(path, read_only=True, data_only=True)
    rows = 0
    for sheet in book.worksheets:
        for _row in sheet.iter_rows(values_only=True):
            rows += 1
    book.close()
    return time.perf_counter() - started, rows


def run(enterprises: int = 10_000) -> dict[str, float]:
    path = workbook(enterprises)
    floor(path)  # warm the file cache
    floor_seconds, rows = floor(path)
    with tempfile.TemporaryDirectory() as tmp:
        session = core.init_database(
            Path(tmp) / "target.db",
            profile="fenghuang",
            bureau_name="凤凰县应急管理局",
            user="bench",
        )
        session.role = Role.REVIEWER  # the workbook holds 执法人员 rows: a 审核员 imports it
        started = time.perf_counter()
        summary = session.exchange.import_workbook(path, dry_run=False, accept_bad_check=False)
        seconds = time.perf_counter() - started
        session.close()
        started = time.perf_counter()
        backup.backup_database(Path(tmp) / "target.db", reason="before-import")
        backup_seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "floor_seconds": floor_seconds,
        "ratio": seconds / floor_seconds,
        "backup_seconds": backup_seconds,
        "rows": float(rows),
        "added": float(summary.added),
        "workbook_mb": path.stat().st_size / 1_000_000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--enterprises", type=int, default=10_000)
    args = parser.parse_args()
    print(json.dumps(run(args.enterprises), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
