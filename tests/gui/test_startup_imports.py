"""The window's start-up carries no heavy library (issue 20: under 1 s at 100,000 units):
openpyxl, pypinyin, sqlite-utils, reportlab and the other workbook and server drivers are
imported where they are used, not when the window's modules load."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("openpyxl", "pypinyin", "sqlite_utils", "reportlab", "xlsxwriter", "python_calamine")


def test_the_window_modules_load_without_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "import safecredit_desktop.gui.app, safecredit_desktop.gui.main_window\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == ""
