"""Benchmark: demo data for a county of N units through the audited repository.

    python bench/bench_demo.py [--enterprises N] [--profile NAME] [--seed S]

Creates a database in a temporary folder, generates the demo, and prints the
seconds (total, generating records, inserting them with their audit entries,
committing), the rows per table and the database size in MB. ``run`` returns the
figures as a flat dict for a bench runner.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from safecredit_desktop.core import grade_cache  # noqa: E402
from safecredit_desktop.core.demo import generate_demo  # noqa: E402
from safecredit_desktop.core.rules.profile import load_profile  # noqa: E402
from safecredit_desktop.core.storage.connection import Database  # noqa: E402
from safecredit_desktop.core.storage.repository import Repository  # noqa: E402

# A fixed as-of date, so that every run makes the same data.
TODAY = date(2025, 6, 30)


def run(
    enterprises: int = 100_000, *, profile: str = "fenghuang", seed: int = 20250630
) -> dict[str, float]:
    """Seconds, rows per table and size of a demo database of ``enterprises`` units."""
    with tempfile.TemporaryDirectory(prefix="safecredit-bench-") as folder:
        path = Path(folder) / "bench.db"
        started = time.perf_counter()
        grade_cache.install()  # as core.app does: writes regrade the units they touch
        db = Database.create(path)
        try:
            summary = generate_demo(
                db,
                Repository(db, "bench"),
                load_profile(profile),
                enterprises=enterprises,
                seed=seed,
                today=TODAY,
            )
            seconds = time.perf_counter() - started
            # Fold the WAL into the file so the size is that of the database itself.
            db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            audit_rows = int(db.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])
        finally:
            db.close()
        size_mb = path.stat().st_size / 1_000_000
    result: dict[str, float] = {
        "enterprises": float(enterprises),
        "seconds": seconds,
        "generate_seconds": summary.seconds.get("generate", 0.0),
        "insert_seconds": summary.seconds.get("insert", 0.0),
        "commit_seconds": summary.seconds.get("commit", 0.0),
        "records": float(summary.total),
        "records_per_second": summary.total / seconds if seconds else 0.0,
        "audit_rows": float(audit_rows),
        "db_size_mb": size_mb,
    }
    for table, count in summary.counts.items():
        result[f"rows_{table}"] = float(count)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="演示数据生成基准测试")
    parser.add_argument("--enterprises", type=int, default=100_000, help="企业数量")
    parser.add_argument("--profile", default="fenghuang", help="信用分级配置")
    parser.add_argument("--seed", type=int, default=20250630, help="随机种子")
    args = parser.parse_args(argv)
    result = run(args.enterprises, profile=args.profile, seed=args.seed)
    print(f"demo: {args.enterprises:,} units, profile {args.profile}, seed {args.seed}")
    print(
        f"  seconds      {result['seconds']:.2f}"
        f"  (generate {result['generate_seconds']:.2f}, insert+audit"
        f" {result['insert_seconds']:.2f}, commit {result['commit_seconds']:.2f})"
    )
    print(
        f"  records      {int(result['records']):,}"
        f"  ({result['records_per_second']:,.0f}/s; audit rows {int(result['audit_rows']):,})"
    )
    for key, value in result.items():
        if key.startswith("rows_"):
            print(f"    {key[5:]:<20}{int(value):>10,}")
    print(f"  database     {result['db_size_mb']:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
