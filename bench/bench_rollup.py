"""Benchmark: a city's roll-up of ten county 全部数据 workbooks into one empty database.

    python bench/bench_rollup.py [--counties 10] [--enterprises 5000]

Ten demo counties (profile fenghuang, 5,000 units each, about 50,000 records each) are
generated with different area codes and document abbreviations — so their 统一社会信用代码,
执法证号 and 决定书文号 do not collide, as real counties' do not — and each is exported
with ``session.exchange.export_all_data`` (full ID numbers). The workbooks are cached under
bench/out/rollup-*/ (built in a child process, so that their making is not part of the
peak memory measured here).

Timed: ``session.exchange.import_workbook`` of the ten, one after the other, into one empty
database as a 审核员 — read, every cell checked, every row written with its audit entry,
each workbook in one transaction, and the pre-import backup that every import into a
non-empty database takes (its seconds are also reported on their own; since the import
uses both cores, the backup is made while the workbook is read and planned, so these
seconds overlap the rest). Workbooks of 1 MB or more are planned by the import's worker
process (``exchange/parallel_import.py``); ``SAFECREDIT_IMPORT_WORKER=never`` measures
the serial path. Reported: wall
and CPU seconds (``time.process_time``: the figure to judge by on a busy machine), the
backups' seconds, the rows added and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
TODAY = date(2025, 6, 30)
# one abbreviation per county, as in its 决定书文号 (凤应急罚〔2025〕3号)
ABBREVIATIONS = "凤吉泸花保古永龙沅麻"


def county_folder(counties: int, enterprises: int) -> Path:
    return OUT / f"rollup-{counties}x{enterprises}"


def build_county(index: int, enterprises: int, path: Path) -> None:
    """One county's 全部数据 workbook (runs in the builder process)."""
    from safecredit_desktop.core import app as core
    from safecredit_desktop.core import demo

    base = demo._county_for("fenghuang")
    county = replace(
        base,
        area_code=f"4331{20 + index:02d}",
        doc_abbr=ABBREVIATIONS[index % len(ABBREVIATIONS)],
        bureau=f"第{index + 1}县应急管理局",
    )
    demo._county_for = lambda _name: county  # type: ignore[assignment]
    with tempfile.TemporaryDirectory(prefix="safecredit-rollup-") as tmp:
        session = core.init_database(
            Path(tmp) / "county.db",
            profile="fenghuang",
            bureau_name=county.bureau,
            user="bench",
        )
        try:
            core.fill_demo(session, enterprises=enterprises, seed=100 + index, today=TODAY)
            part = path.with_suffix(".part.xlsx")
            session.exchange.export_all_data(part, include_id=True, today=TODAY)
            part.rename(path)
        finally:
            session.close()


def workbooks(counties: int, enterprises: int) -> list[Path]:
    folder = county_folder(counties, enterprises)
    paths = [folder / f"county-{i + 1:02d}.xlsx" for i in range(counties)]
    missing = [i for i, p in enumerate(paths) if not p.exists()]
    if missing:
        folder.mkdir(parents=True, exist_ok=True)
        print(f"building {len(missing)} county workbooks in {folder} …", file=sys.stderr)
        code = (
            "import sys; sys.path.insert(0, 'bench'); import bench_rollup as b; "
            f"[b.build_county(i, {enterprises}, b.Path({str(folder)!r}) / "
            f"f'county-{{i + 1:02d}}.xlsx') for i in {missing!r}]"
        )
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    return paths


def run(counties: int = 10, enterprises: int = 5_000) -> dict[str, float]:
    from safecredit_desktop.core import app as core
    from safecredit_desktop.core.model import Role
    from safecredit_desktop.core.storage import backup

    paths = workbooks(counties, enterprises)
    for path in paths:  # warm the file cache
        path.read_bytes()
    rows = 0
    backup_seconds = 0.0
    original_backup = backup.backup_database

    def timed_backup(*args: object, **kwargs: object) -> object:
        nonlocal backup_seconds
        started = time.perf_counter()
        try:
            return original_backup(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            backup_seconds += time.perf_counter() - started

    backup.backup_database = timed_backup  # type: ignore[assignment]
    with tempfile.TemporaryDirectory(prefix="safecredit-rollup-") as tmp:
        session = core.init_database(
            Path(tmp) / "city.db", profile="fenghuang", bureau_name="湘西州应急管理局", user="bench"
        )
        session.role = Role.REVIEWER  # the workbooks hold 执法人员 rows
        cpu = time.process_time()
        started = time.perf_counter()
        try:
            for path in paths:
                summary = session.exchange.import_workbook(
                    path, dry_run=False, accept_bad_check=False
                )
                rows += summary.added
        finally:
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu
            worker_cpu = worker_cpu_seconds()  # started by the first import
            session.close()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "backup_seconds": backup_seconds,
        "rows": float(rows),
        "workbooks_mb": sum(p.stat().st_size for p in paths) / 1_000_000,
        "peak_mb": peak_mb(),
        "worker_cpu_seconds": worker_cpu,
        "worker_peak_mb": worker_peak_mb(),
    }


def worker_cpu_seconds() -> float:
    """CPU seconds the import's planning worker has used (Linux; 0 without one)."""
    import os

    from safecredit_desktop.core.exchange import parallel_import

    pid = parallel_import.worker_pid()
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker_peak_mb() -> float:
    """The import's planning worker's peak resident memory, in MB (Linux; 0 without a
    worker). The table's peak row is the larger of the two processes' (run.py waits for
    this process, which reaps the worker at exit)."""
    from safecredit_desktop.core.exchange import parallel_import

    pid = parallel_import.worker_pid()
    if pid is None:
        return 0.0
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    """The process's maximum resident set so far, in MB (the workbooks are built in a
    child process, so this is the import's)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / (1_000_000 if sys.platform == "darwin" else 1024)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=10)
    parser.add_argument("--enterprises", type=int, default=5_000)
    args = parser.parse_args()
    print(json.dumps(run(args.counties, args.enterprises), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
