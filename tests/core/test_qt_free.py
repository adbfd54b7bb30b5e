"""The core must import without PySide6 (architecture.md)."""

from __future__ import annotations

import subprocess
import sys


def test_core_imports_without_qt() -> None:
    code = (
        "import sys, pkgutil, importlib, safecredit_desktop.core as core\n"
        "for m in pkgutil.walk_packages(core.__path__, 'safecredit_desktop.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "import safecredit_desktop.cli\n"
        "print('PySide6' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
