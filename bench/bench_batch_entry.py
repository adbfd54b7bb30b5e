"""Benchmark: 连续录入 (the batch grid, issue 18).

    python bench/bench_batch_entry.py [--enterprises N]

- ``keystrokes_typical_row``: keystrokes per typical inspection row besides the unit's
  name, counted from the key events of tests/gui/test_batch_entry_grid.py's stack of 20
  inspections (run here in a subprocess), and the first row's;
- on a copy of the demo county of N units (bench_registry's cached database, ≈10
  records a unit), in the real grid widget (Qt offscreen):
  ``save_row_p50_ms`` / ``save_row_p95_ms``: one inspection row typed (cells set as the
  editor does: each checked, the unit's badge looked up) and saved with Enter's code
  path (check, one transaction, the grade change before/after), per row, 100 rows;
  ``cell_check_p50_ms``: one cell typed and checked; ``unit_search_p50_ms`` /
  ``unit_search_max_ms``: the unit cell's matches per keystroke (f, fh … 凤凰);
  ``paste_validate_seconds``: a 500-row block with a header parsed, placed in the grid,
  every unit's badge looked up and all checked (nothing saved);
  ``paste_save_seconds``: that block saved in one transaction.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

ROWS_SAVED = 100
PASTED = 500


def keystrokes() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "keys.json"
        env = {**os.environ, "SAFECREDIT_BENCH_KEYSTROKES": str(report)}
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/gui/test_batch_entry_grid.py::test_a_stack_of_twenty_inspections_typed_with_keys",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        counted = json.loads(report.read_text(encoding="utf-8"))
    return {
        "keystrokes_typical_row": float(counted["typical_row"]),
        "keystrokes_first_row": float(counted["first_row"]),
    }


def grid_timings(path: Path) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication

    from safecredit_desktop.core import app as core
    from safecredit_desktop.gui.batch_entry import BatchEntryDialog
    from safecredit_desktop.gui.bus import DataBus

    app = QApplication.instance() or QApplication([])
    session = core.open_session(path, user="bench")
    today = date.today()
    session.grading.settle_live(today=today, quiet=True)
    codes = [
        str(row[0])
        for row in session.db.conn.execute(
            "SELECT uscc FROM units WHERE founded_on IS NULL OR founded_on <= ? ORDER BY id"
            " LIMIT ?",
            (today.isoformat(), ROWS_SAVED + PASTED),
        )
    ]
    dialog = BatchEntryDialog(session, DataBus(), "inspection", today=today)
    dialog.show()
    app.processEvents()
    grid = dialog.grid
    model = grid.model
    day = today - timedelta(days=1)
    saves: list[float] = []
    cells: list[float] = []
    for uscc in codes[:ROWS_SAVED]:
        row = len(model.rows) - 1
        started = time.perf_counter()
        model.set_text(row, "unit_id", uscc)
        model.set_text(row, "inspected_on", f"{day.month}-{day.day}")
        cell_started = time.perf_counter()
        model.set_text(row, "hazards", "2")
        cells.append((time.perf_counter() - cell_started) * 1000)
        grid.save_row(row)
        saves.append((time.perf_counter() - started) * 1000)
        app.processEvents()
    assert grid.error_list() == [], grid.error_list()[:3]
    marks = ",".join("?" * ROWS_SAVED)
    saved = session.db.conn.execute(
        "SELECT count(*) FROM inspections WHERE inspected_on = ? AND unit_id IN"
        f" (SELECT id FROM units WHERE uscc IN ({marks}))",
        (day.isoformat(), *codes[:ROWS_SAVED]),
    ).fetchone()[0]
    assert saved == ROWS_SAVED, saved

    searches: list[float] = []
    for text in ("f", "fh", "fhx", "fhxt", "fhxtj", "9", "914", "9143312", "凤", "凤凰", "化工"):
        started = time.perf_counter()
        grid._search_units(text)  # what a keystroke in the unit cell runs
        searches.append((time.perf_counter() - started) * 1000)

    block = ["统一社会信用代码\t检查日期\t检查方式\t执法人员\t发现隐患数"]
    block += [
        f"{c}\t{day.year}.{day.month}.{day.day}\t日常\t张三、李四\t1" for c in codes[ROWS_SAVED:]
    ]
    text = "\r\n".join(block) + "\r\n"
    started = time.perf_counter()
    grid.paste(text)
    paste_seconds = time.perf_counter() - started
    assert grid.error_list() == [], grid.error_list()[:3]
    started = time.perf_counter()
    grid.save_current()
    paste_save_seconds = time.perf_counter() - started
    assert grid.unsaved_count() == 0
    session.close()
    return {
        "save_row_p50_ms": statistics.median(saves),
        "save_row_p95_ms": statistics.quantiles(saves, n=20)[-1],
        "cell_check_p50_ms": statistics.median(cells),
        "unit_search_p50_ms": statistics.median(searches),
        "unit_search_max_ms": max(searches),
        "paste_validate_seconds": paste_seconds,
        "paste_save_seconds": paste_save_seconds,
        "pasted_rows": float(PASTED),
    }


def run(enterprises: int = 100_000) -> dict[str, float]:
    from bench_registry import demo_database

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    result = keystrokes()
    source, _ = demo_database(enterprises)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "county.db"
        shutil.copyfile(source, copy)
        result.update(grid_timings(copy))
    result["seconds"] = result["paste_validate_seconds"]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    args = parser.parse_args()
    print(json.dumps(run(args.enterprises), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
