"""``make bench``: run every benchmark in its own process, print a table, update README.

Each benchmark module under bench/ has ``run(**kwargs) -> dict[str, float]``; a Bench
names which of its figures become rows (each with its target) and which are notes.
Peak memory is the child process's maximum resident set size (the row key ``PEAK``).
Below the table the run says which targets it met and which it did not, and the
machine's load average while it ran (other work on the machine slows every figure).

    python bench/run.py                  # what ``make bench`` runs; updates README
    python bench/run.py --only bench_rollup --small   # a quick check, README untouched
"""

from __future__ import annotations

import argparse
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
PEAK = "_peak_mb"  # a row's key for the benchmark process's own peak memory
SMALL = 100  # --small divides every size by this


@dataclass(frozen=True)
class Row:
    operation: str
    key: str  # the figure in the benchmark's result
    target: float | None  # None: reported, with no target of its own
    unit: str  # "s", "ms", "×" or "MB"


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
            Row("window start-up to 企业台账 shown, 100,000 units", "startup_seconds", 1, "s"),
            Row("registry search per keystroke, median", "search_p50_ms", 100, "ms"),
            Row("registry search per keystroke, slowest", "search_max_ms", 100, "ms"),
            Row("registry filter by 信用等级 (live), slowest", "grade_filter_max_ms", 100, "ms"),
            Row("registry sorted by 信用等级", "grade_sort_ms", None, "ms"),
            Row("stored live grades filled, 100,000 units", "fill_seconds", 5, "s"),
            Row("stored live grades at the turn of a day", "day_turn_seconds", 1, "s"),
        ),
        (("search_keystrokes", "keystrokes timed"), ("day_turn_units", "units regraded")),
    ),
    Bench(
        "bench_record_pages",
        {"enterprises": 100_000, "inspections": 1_000_000},
        (
            Row(
                "执法检查 page opened, ≈1,000,000 inspections (rows, count, sums)",
                "open_ms",
                300,
                "ms",
            ),
            Row(
                "record page filter (date, 乡镇, 报送单位, 检查方式, unit search), slowest",
                "filter_max_ms",
                300,
                "ms",
            ),
            Row("record page filter, median", "filter_p50_ms", None, "ms"),
            Row(
                "record page filtered by 执法人员 alone (no date range)",
                "inspector_alone_ms",
                None,
                "ms",
            ),
            Row("record page sorted by 隐患数 / 单位名称", "sort_max_ms", None, "ms"),
            Row("record page: next 200 rows at row 50,000", "deep_fetch_ms", None, "ms"),
        ),
        (("inspections", "inspections"), ("filters_timed", "filters timed")),
    ),
    Bench(
        "bench_grading",
        {"enterprises": 100_000},
        (
            Row("grade 100,000 units (≈1 million records)", "seconds", 5, "s"),
            Row("grading ÷ single SQL pass over the same columns", "ratio", 5, "×"),
        ),
        (("floor_seconds", "floor s"),),
    ),
    Bench(
        "bench_plan",
        {"enterprises": 100_000},
        (
            Row("due list, 100,000 units (grading included)", "due_seconds", 5, "s"),
            Row("annual plan, 100,000 units (grading included)", "plan_seconds", 5, "s"),
        ),
        (("planned", "planned inspections"), ("cannot_fit", "cannot fit")),
    ),
    Bench(
        "bench_import",
        {"enterprises": 10_000},
        (
            Row("import a 10,000-unit workbook (≈100,000 records)", "seconds", None, "s"),
            Row("import ÷ openpyxl read-only iteration of the same rows", "ratio", 2, "×"),
            Row("pre-import backup of the filled database", "backup_seconds", None, "s"),
        ),
        (("floor_seconds", "floor s"), ("rows", "rows"), ("workbook_mb", "workbook MB")),
    ),
    Bench(
        "bench_stats_export",
        {"rows": 100_000},
        (
            Row("统计表 export, 100,000 units", "seconds", None, "s"),
            Row("统计表 export ÷ openpyxl write-only floor", "ratio", 2, "×"),
        ),
        (("floor_seconds", "floor s"), ("file_mb", "file MB")),
    ),
    Bench(
        "bench_cli",
        {"enterprises": 100_000},
        (
            Row("`grade --format json`, 100,000 units (CPU s, process)", "grade_cpu", None, "s"),
            Row("grade JSON ÷ floor (rows by unit → JSON array)", "grade_ratio", 2.5, "×"),
            Row("`check`, 100,000 units, rows reconciled (CPU s, process)", "check_cpu", None, "s"),
            Row("check ÷ floor (integrity_check + hashing the log)", "check_ratio", 3, "×"),
        ),
        (
            ("grade_floor_cpu", "grade floor CPU s"),
            ("grade_wall", "grade wall s"),
            ("grade_peak_mb", "grade peak MB"),
            ("check_floor_cpu", "check floor CPU s"),
            ("check_wall", "check wall s"),
            ("check_peak_mb", "check peak MB"),
        ),
    ),
    Bench(
        "bench_export",
        {"enterprises": 100_000},
        (
            Row("`export data` (全部数据), ≈1 million records", "seconds", 60, "s"),
            Row("`export data`: peak memory of the command (max RSS)", "peak_mb", 1024, "MB"),
        ),
        (
            ("cpu_seconds", "CPU s"),
            ("peak_mb", "export peak MB"),
            ("records", "records"),
            ("file_mb", "file MB"),
            ("inspection_sheet_mb", "执法检查 sheet XML MB"),
            ("bytes_per_inspection", "bytes a row"),
        ),
    ),
    Bench(
        "bench_rollup",
        {"counties": 10, "enterprises": 5_000},
        (
            Row(
                "city roll-up: import 10 county 全部数据 workbooks (≈500,000 records)",
                "seconds",
                30,
                "s",
            ),
            Row(
                "city roll-up: peak memory of the importing processes (max RSS, the larger)",
                PEAK,
                1024,
                "MB",
            ),
        ),
        (
            ("cpu_seconds", "CPU s"),
            ("worker_cpu_seconds", "worker CPU s"),
            ("backup_seconds", "pre-import backups s"),
            ("worker_peak_mb", "worker peak MB"),
            ("rows", "rows"),
            ("workbooks_mb", "workbooks MB"),
        ),
    ),
    Bench(
        "bench_formats",
        {"rows": 100_000},
        (
            Row(
                "write 100,000 执法检查 rows: openpyxl write-only (CPU)",
                "write_openpyxl",
                None,
                "s",
            ),
            Row("… XlsxWriter constant_memory, its write() (CPU)", "write_xlsxwriter", None, "s"),
            Row("… rows streamed into XlsxWriter's row file (CPU)", "write_streamed", None, "s"),
            Row("read a 5,000-unit county workbook: our XML reader (CPU)", "read_xml", None, "s"),
            Row("… plain sheets by python-calamine (CPU)", "read_calamine", None, "s"),
        ),
        (
            ("bytes_per_row_openpyxl", "B/row openpyxl"),
            ("bytes_per_row_xlsxwriter", "B/row XlsxWriter"),
            ("bytes_per_row_streamed", "B/row streamed"),
        ),
    ),
    Bench(
        "bench_documents",
        {"notices": 1_000},
        (
            Row(
                "issue 1,000 grade notices in one PDF (grading, layout, register)",
                "seconds",
                None,
                "s",
            ),
            Row("issue ÷ bare reportlab drawing the same text", "ratio", 2, "×"),
        ),
        (("floor_seconds", "floor s"), ("render_seconds", "layout+drawing s"), ("pages", "pages")),
    ),
    Bench(
        "bench_batch_entry",
        {"enterprises": 100_000},
        (
            Row(
                "连续录入: keystrokes per typical inspection row (besides the unit's name)",
                "keystrokes_typical_row",
                20,
                "keys",
            ),
            Row(
                "连续录入: one grid row saved (Enter), 100,000 units, p50",
                "save_row_p50_ms",
                None,
                "ms",
            ),
            Row(
                "连续录入: one grid row saved (Enter), 100,000 units, p95",
                "save_row_p95_ms",
                300,
                "ms",
            ),
            Row(
                "连续录入: paste-validate 500 rows, 100,000 units", "paste_validate_seconds", 1, "s"
            ),
            Row(
                "连续录入: save the 500 pasted rows in one transaction",
                "paste_save_seconds",
                None,
                "s",
            ),
        ),
        (
            ("keystrokes_first_row", "first row keys"),
            ("cell_check_p50_ms", "one cell checked ms"),
            ("unit_search_p50_ms", "unit cell matches p50 ms"),
            ("unit_search_max_ms", "max ms"),
        ),
    ),
    Bench(
        "bench_engines",
        {"enterprises": 100_000},
        (
            Row("SQLite: grade 100,000 units", "sqlite_grade_seconds", None, "s"),
            Row("PostgreSQL: grade 100,000 units", "pg_grade_seconds", None, "s"),
            Row("SQLite: registry search, median", "sqlite_search_p50_ms", None, "ms"),
            Row("PostgreSQL: registry search, median", "pg_search_p50_ms", None, "ms"),
            Row("SQLite: one record saved, p50", "sqlite_save_p50_ms", None, "ms"),
            Row("SQLite: one record saved, p95", "sqlite_save_p95_ms", None, "ms"),
            Row("PostgreSQL: one record saved, p50", "pg_save_p50_ms", None, "ms"),
            Row("PostgreSQL: one record saved, p95", "pg_save_p95_ms", None, "ms"),
            Row("SQLite: 8 concurrent writers, records/s", "sqlite_writers_per_second", None, "/s"),
            Row("PostgreSQL: 8 concurrent writers, records/s", "pg_writers_per_second", None, "/s"),
            Row("`copy` of the 100,000-unit demo to PostgreSQL", "copy_to_pg_seconds", None, "s"),
            Row("`copy` back to a SQLite file", "copy_back_seconds", None, "s"),
            Row("`check` on PostgreSQL", "pg_check_seconds", None, "s"),
        ),
        (
            ("same_grades", "grade --format json identical (1 = yes)"),
            ("pg_check_ok", "check passes on PostgreSQL"),
            ("back_check_ok", "on the copy back"),
        ),
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


def verdict(missed: list[str], met: int) -> str:
    """The sentence under the table: how many targets were met, and which were not."""
    total = met + len(missed)
    if not missed:
        return f"Targets met: all {total}."
    return f"Targets met: {met} of {total}. **Not met:** " + "; ".join(missed) + "."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="make bench")
    parser.add_argument("--only", action="append", help="run only this module (repeatable)")
    parser.add_argument(
        "--small", action="store_true", help=f"sizes ÷ {SMALL}, to check the run; README untouched"
    )
    args = parser.parse_args(argv)
    benches = [b for b in BENCHES if not args.only or b.module in args.only]
    lines = [
        "| operation | measured | target | ratio | peak memory (MB) | notes |",
        "|---|---:|---:|---:|---:|---|",
    ]
    missed: list[str] = []
    met = 0
    loads = [os.getloadavg()[0]]
    for bench in benches:
        kwargs = (
            {k: max(1, v // SMALL) if k != "counties" else v for k, v in bench.kwargs.items()}
            if args.small
            else bench.kwargs
        )
        print(f"running {bench.module} {kwargs} …", flush=True)
        result, peak_mb = run_one(Bench(bench.module, kwargs, bench.rows, bench.notes))
        loads.append(os.getloadavg()[0])
        result[PEAK] = peak_mb
        notes = ", ".join(
            f"{label} {_figure(result[key])}" for key, label in bench.notes if key in result
        )
        for row in bench.rows:
            value = float(result[row.key])
            target = "—" if row.target is None else f"{row.target:g} {row.unit}"
            ratio = "—" if row.target is None else f"{value / row.target:.2f}"
            if row.target is not None:
                if value <= row.target:
                    met += 1
                else:
                    missed.append(f"{row.operation} ({ratio} × its target)")
            lines.append(
                f"| {row.operation} | {_figure(value)} {row.unit} | {target} | {ratio} | "
                f"{peak_mb:,.0f} | {notes} |"
            )
    machine = f"{platform.machine()}, Python {platform.python_version()}"
    load = f"load average (1 min) {min(loads):.1f}–{max(loads):.1f} during the run"
    table = "\n".join(
        [
            *lines,
            "",
            verdict(missed, met),
            "",
            f"Machine: 2 cores, {machine}; peak memory is per process; {load}.",
        ]
    )
    print(table)
    if args.small or args.only:
        print("README.md not updated (a partial or small run).")
        return 0
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
