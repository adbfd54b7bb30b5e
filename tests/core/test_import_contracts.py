"""The layers hold by contract (issue 17): import-linter's contracts in pyproject.toml,
among them "the core never imports Qt" (it replaces the hand-written Qt-free test).
``make lint`` runs the same contracts with ``lint-imports``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_hold() -> None:
    code = (
        "import sys\n"
        "from importlinter.cli import lint_imports\n"
        "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert ", 0 broken." in result.stdout
    assert "the core never imports Qt KEPT" in result.stdout
