"""Fuzzing the importer and the entry forms' checks for a time budget.

    python bench/fuzz.py [--seconds 300 | --rounds N] [--seed 1]

Importer: a good workbook (the 全部数据 export of a 20-unit demo county) is damaged
at random — cells replaced by random text, numbers, dates, formulas, control
characters, very long strings; rows duplicated or dropped; headers renamed — and
imported into a fresh copy of an empty database. Each input must end as an import
or as the project's refusal (SafeCreditError, which lists the bad cells); any other
exception is a traceback. A refused import must leave the database file byte for
byte as it was (a partial write otherwise).
Forms: every entry form is checked with random values; ``check_form`` must return
(messages per field), never raise.
Prints and returns the counts; the test runs a fixed 20 rounds (tests/core/test_fuzz.py).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
import tempfile
import time
import traceback
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402

from safecredit_desktop.core import app as core  # noqa: E402
from safecredit_desktop.core import forms  # noqa: E402
from safecredit_desktop.core.errors import SafeCreditError  # noqa: E402
from safecredit_desktop.core.model import Role  # noqa: E402

TODAY = date(2026, 11, 21)
NASTY = (
    "",
    " ",
    "=1+1",
    "+cmd",
    "-1",
    "@SUM(A1)",
    "\t\n",
    "0",
    "-0",
    "1e309",
    "NaN",
    "2026-02-30",
    "2026/13/01",
    "１２３",
    "９１４３３１２３ＭＡ４Ｌ００００１Ｘ",
    "91433123MA4L00001X",
    "433123198001011238",
    "是",
    "否",
    "待定",
    "一般",
    "特别重大",
    "单位",
    "主要负责人",
    "🙂",
    "骉镕珺玥喆垚赟",
    "'",
    '"',
    "\\",
    "None",
    "null",
)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _random_value(rng: random.Random) -> Any:
    pick = rng.random()
    if pick < 0.35:
        return rng.choice(NASTY)
    if pick < 0.5:
        return rng.randint(-(10**6), 10**12)
    if pick < 0.6:
        return rng.uniform(-1e6, 1e6)
    if pick < 0.7:
        return datetime(rng.randint(1900, 2100), rng.randint(1, 12), rng.randint(1, 28))
    if pick < 0.8:
        return "".join(chr(rng.randint(0x20, 0x9FFF)) for _ in range(rng.randint(1, 40)))
    if pick < 0.85:
        return "长" * rng.randint(200, 5000)
    return None


def _damage(source: Path, target: Path, rng: random.Random) -> None:
    wb = openpyxl.load_workbook(source)
    sheets = [ws for ws in wb.worksheets if ws.max_row > 1 and ws.title not in ("说明", "选项")]
    for _ in range(rng.randint(1, 6)):
        sheets = [ws for ws in sheets if ws.max_row > 1]
        if not sheets:
            break
        ws = rng.choice(sheets)
        action = rng.random()
        if action < 0.7:
            row = rng.randint(2, ws.max_row)
            col = rng.randint(1, ws.max_column)
            value = _random_value(rng)
            ws.cell(row, col).value = value
            if isinstance(value, str) and value.startswith("="):
                ws.cell(row, col).data_type = "s"
        elif action < 0.8:
            ws.delete_rows(rng.randint(2, ws.max_row))
        elif action < 0.9:
            row = rng.randint(2, ws.max_row)
            ws.append([c.value for c in ws[row]])
        else:
            col = rng.randint(1, ws.max_column)
            ws.cell(1, col).value = rng.choice(
                ("", "统一社会信用代码", "未知列", ws.cell(1, col).value)
            )
    wb.save(target)


def fuzz(seconds: float | None, seed: int = 1, *, rounds: int | None = None) -> dict[str, int]:
    """Damaged workbooks and random forms for ``seconds``, or for exactly ``rounds``
    workbooks (the test: the same work however busy the machine is)."""
    rng = random.Random(seed)
    counts = {
        "imports": 0,
        "accepted": 0,
        "refused": 0,
        "tracebacks": 0,
        "partial_writes": 0,
        "forms": 0,
        "form_tracebacks": 0,
    }
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="safecredit-fuzz-") as folder:
        base = Path(folder)
        source_db = base / "source.db"
        session = core.init_database(
            source_db, profile="fenghuang", bureau_name="测试局", user="fuzz"
        )
        core.fill_demo(session, enterprises=20, seed=seed, today=TODAY)
        good = base / "good.xlsx"
        session.exchange.export_all_data(good, include_id=True)
        session.close()
        empty = base / "empty.db"
        core.init_database(empty, profile="fenghuang", bureau_name="测试局", user="fuzz").close()
        profile = core.builtin_profiles()[0]
        deadline = None if seconds is None else time.monotonic() + seconds
        while (deadline is None or time.monotonic() < deadline) and (
            rounds is None or counts["imports"] < rounds
        ):
            # one damaged workbook
            book, db = base / "damaged.xlsx", base / "target.db"
            _damage(Path(good), book, rng)
            for side in base.glob("target.db*"):
                if side.is_dir():
                    shutil.rmtree(side)
                else:
                    side.unlink()
            shutil.copy(empty, db)
            before = _digest(db)
            counts["imports"] += 1
            target = core.open_session(db, user="fuzz", role=Role.REVIEWER)
            try:
                target.exchange.import_workbook(
                    book, dry_run=False, accept_bad_check=rng.random() < 0.3
                )
                counts["accepted"] += 1
                refused = False
            except SafeCreditError:
                counts["refused"] += 1
                refused = True
            except Exception:
                counts["tracebacks"] += 1
                failures.append(traceback.format_exc())
                refused = True
            finally:
                target.close()
            if refused and _digest(db) != before:
                counts["partial_writes"] += 1
            # a few random forms
            for table in (
                "units",
                "inspections",
                "accidents",
                "penalties",
                "violations",
                "commitments",
            ):
                form = forms.form_for(table)
                values = {spec.key: _random_value(rng) for spec in form.fields}
                counts["forms"] += 1
                try:
                    forms.check_form(form, values, profile=profile, today=TODAY)
                except Exception:
                    counts["form_tracebacks"] += 1
                    failures.append(traceback.format_exc())
    for failure in failures[:3]:
        print(failure, file=sys.stderr)
    return counts


def run(seconds: int = 300, seed: int = 1) -> dict[str, float]:
    return {k: float(v) for k, v in fuzz(seconds, seed).items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, help="exactly this many workbooks (no budget)")
    args = parser.parse_args()
    seconds = None if args.rounds else args.seconds
    counts = fuzz(seconds, args.seed, rounds=args.rounds)
    print(json.dumps(counts, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
