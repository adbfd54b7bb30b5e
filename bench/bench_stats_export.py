"""Benchmark: the 安全生产信用分级分类统计表 export of N graded units.

    python bench/bench_stats_export.py [--rows N]

Times ``reports.write_stats_form`` for N synthetic GradeResults (title rows, notice,
bordered and styled cells, text-format code column, widths fitted to the contents,
the 分级汇总 sheet, atomic save) against the floor: plain openpyxl write-only writing
the same five columns of the same rows, unstyled, with nothing else. Reports
``seconds``, ``floor_seconds`` and ``ratio`` (target: within 2× of the floor).
Each is the best of ``repeat`` runs, so that a busy machine's noise is not measured.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402

from safecredit_desktop.core.exchange import reports  # noqa: E402
from safecredit_desktop.core.rules.profile import load_profile  # noqa: E402
from safecredit_desktop.core.rules.result import GradeResult, Reason  # noqa: E402

TODAY = date(2026, 11, 21)
BASIS = "评定基准日：2026-11-21（实时）"
TOWNS = ("沱江镇", "阿拉营镇", "廖家桥镇", "木江坪镇", "山江镇", "禾库镇", "吉信镇", "腊尔山镇")


def synthetic_results(rows: int, profile_name: str = "kundulun") -> list[GradeResult]:
    """Deterministic results shaped like the engine's (kundulun: tiers and the notice)."""
    profile = load_profile(profile_name)
    letters = "ABCCBCCD"
    reason = Reason("C.violation_12m", "1年内有失信行为", ("失信 2026-03-02 迟报生产安全事故",))
    tiers = {g: (profile.grades[g].tier.name if profile.grades[g].tier else None) for g in "ABCD"}
    results = []
    for i in range(rows):
        grade = letters[(i * 7) % len(letters)]
        first17 = f"91150203MA{i:07d}"
        results.append(
            GradeResult(
                unit_id=i + 1,
                uscc=first17 + "X",
                name=f"包头市昆都仑区{TOWNS[i % len(TOWNS)]}第{i}号冶金工贸有限责任公司",
                category=profile.categories[i % len(profile.categories)],
                town=TOWNS[i % len(TOWNS)],
                grade=grade,
                label=profile.label(grade),
                tier=tiers[grade],
                reasons=(reason,) if grade in "CD" else (),
                flags=("待定",) if i % 211 == 0 else (),
                as_of=TODAY,
            )
        )
    return results


def _floor(path: Path, rows: list[tuple[object, ...]]) -> float:
    started = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("统计表")
    ws.append(list(reports.STATS_COLUMNS))
    for row in rows:
        ws.append(row)
    wb.save(path)
    return time.perf_counter() - started


def run(rows: int = 100_000, repeat: int = 2) -> dict[str, float]:
    profile = load_profile("kundulun")
    results = synthetic_results(rows)
    plain = [
        (n, r.uscc, r.name, profile.grade_display(r.grade), reports.remarks(r))
        for n, r in enumerate(reports.sorted_for_report(results), start=1)
    ]
    seconds: list[float] = []
    floor: list[float] = []
    with tempfile.TemporaryDirectory(prefix="safecredit-bench-") as folder:
        for attempt in range(repeat):
            floor.append(_floor(Path(folder) / f"floor-{attempt}.xlsx", plain))
            started = time.perf_counter()
            reports.write_stats_form(
                Path(folder) / f"stats-{attempt}.xlsx",
                results,
                profile=profile,
                bureau_name="昆都仑区应急管理局",
                reporter_name="统计员",
                basis=BASIS,
                today=TODAY,
            )
            seconds.append(time.perf_counter() - started)
            size = (Path(folder) / f"stats-{attempt}.xlsx").stat().st_size
    best, best_floor = min(seconds), min(floor)
    return {
        "seconds": best,
        "floor_seconds": best_floor,
        "ratio": best / best_floor,
        "rows": float(rows),
        "file_mb": size / 1_000_000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    print(json.dumps(run(args.rows, args.repeat), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
