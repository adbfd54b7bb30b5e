"""Every declared dependency is imported by the program, and ARCHITECTURE.md says what
for (issue 17): a package declared and never used (python-stdnum, once) is found here."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# distribution → the module the program imports
MODULE_OF = {
    "PySide6-Essentials": "PySide6",
    "PySide6-Addons": "PySide6.QtPdf",
    "sqlite-utils": "sqlite_utils",
    "openpyxl": "openpyxl",
    "XlsxWriter": "xlsxwriter",
    "python-calamine": "python_calamine",
    "reportlab": "reportlab",
    "rl_accel": "_rl_accel",  # reportlab's C accelerators: reportlab imports it
    "chinesecalendar": "chinese_calendar",
    "pypinyin": "pypinyin",
    "platformdirs": "platformdirs",
    "python-dateutil": "dateutil",
    "psycopg[binary]": "psycopg",
}


def declared() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [re.split(r"[=<>!~ ]", spec, maxsplit=1)[0] for spec in project["dependencies"]]


def imported_modules() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "safecredit_desktop").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module)
                found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_every_declared_dependency_is_imported() -> None:
    assert sorted(declared()) == sorted(MODULE_OF)
    modules = imported_modules()
    unused = [
        name
        for name, module in MODULE_OF.items()
        if name != "rl_accel"
        and not any(m == module or m.startswith(module + ".") for m in modules)
    ]
    assert unused == []


def test_reportlab_loads_its_accelerators() -> None:
    from reportlab.lib import rl_accel

    assert rl_accel.__dict__.get("_c_funcs"), "reportlab runs without rl_accel's C functions"


def test_architecture_says_what_each_dependency_is_for() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.split("## Dependencies", 1)[1].split("\n## ", 1)[0]
    missing = [name for name in MODULE_OF if f"`{name}`" not in section]
    assert missing == []
