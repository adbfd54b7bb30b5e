"""The window and the CLI only call the core (issue 17): no module of ``gui/`` or the CLI
imports the old ``core.services`` or runs SQL (an ``execute(`` call or a statement in a
string). Read from the source, so a statement built in a rarely used branch is found too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "safecredit_desktop"
SQL = re.compile(
    r"\b(SELECT\s+.+\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b",
    re.IGNORECASE | re.DOTALL,
)


def window_and_cli_modules() -> list[Path]:
    found = sorted((PACKAGE / "gui").rglob("*.py"))
    found += [*sorted(PACKAGE.glob("cli*.py")), PACKAGE / "__main__.py"]
    return found


def problems_of(path: Path, root: Path = PACKAGE) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("safecredit_desktop.core.services"):
                    found.append(f"{where} imports {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names = {alias.name for alias in node.names}
            if module.startswith("safecredit_desktop.core.services") or (
                module == "safecredit_desktop.core" and "services" in names
            ):
                found.append(f"{where} imports core.services")
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in {"execute", "executemany", "executescript"}:
                found.append(f"{where} calls {name}(")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SQL.search(node.value)
        ):
            found.append(f"{where} holds SQL: {node.value[:60]!r}")
    return found


def test_the_walk_finds_every_window_and_cli_module() -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in window_and_cli_modules()}
    assert {"cli.py", "cli_workflows.py", "cli_records.py", "gui/main_window.py"} <= names
    assert any(name.startswith("gui/views/") for name in names)
    assert len(names) > 40


def test_the_walk_would_see_sql_and_the_old_services(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text(
        "from safecredit_desktop.core import services\n"
        "import safecredit_desktop.core.services.x\n"
        "def f(s):\n"
        "    return s.db.conn.execute('SELECT id, uscc FROM units').fetchall()\n"
        "Q = 'delete from units'\n",
        encoding="utf-8",
    )
    found = problems_of(planted, root=tmp_path)
    assert len(found) == 5, found


def test_no_window_or_cli_module_imports_services_or_runs_sql() -> None:
    found = [problem for path in window_and_cli_modules() for problem in problems_of(path)]
    assert found == []
