"""``grade --format csv`` for scripts: UTF-8 with a BOM, CRLF rows, codes exactly as
stored, text never a formula."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.exchange.grade_csv import not_a_formula
from safecredit_desktop.core.validate import uscc_check_character

TODAY = date(2026, 11, 21)


def code(n: int) -> str:
    first = f"91433123{n:09d}"
    return first + uscc_check_character(first)


def digits_only_code() -> str:
    """The first all-digit code: Excel opens such a CSV cell as 9.14331230000000E+17."""
    n = 0
    while not code(n).isdigit():
        n += 1
    return code(n)


def test_not_a_formula() -> None:
    assert not_a_formula("=1+1") == "'=1+1"
    assert not_a_formula("+86") == "'+86"
    assert not_a_formula("-3") == "'-3"
    assert not_a_formula("@SUM(A1)") == "'@SUM(A1)"
    assert not_a_formula("914331230000000062") == "914331230000000062"
    assert not_a_formula("") == ""


def test_grade_csv_from_the_command_line(tmp_path: Path, new_db: Any) -> None:
    db = new_db("c.db")
    session = core.init_database(
        db, profile="fenghuang", bureau_name="凤凰县应急管理局", user="测试员"
    )
    digits = digits_only_code()
    try:
        session.records.save(model.Unit(digits, "凤凰县数字化工有限公司", "危险化学品"))
        session.records.save(model.Unit(code(7), "=HYPERLINK(1)", "非煤矿山"))
    finally:
        session.close()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "safecredit_desktop.cli",
            "--db",
            str(db),
            "grade",
            "--format",
            "csv",
            "--as-of",
            TODAY.isoformat(),
        ],
        capture_output=True,
        env=env,
        check=True,
    )
    raw = done.stdout
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    assert raw.count(b"\r\n") == 3 and raw.count(b"\n") == 3  # header + 2 rows, CRLF
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    by_code = {r["uscc"]: r for r in rows}
    assert set(by_code) == {digits, code(7)}  # exactly as stored: 18 digits, no ' or ="…"
    assert by_code[digits]["name"] == "凤凰县数字化工有限公司"
    assert by_code[code(7)]["name"] == "'=HYPERLINK(1)"
    assert raw.decode("utf-8-sig").splitlines()[0].startswith("uscc,name,category,grade")
