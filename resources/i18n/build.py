"""``make translations``: the program's Qt translation files from its ``tr`` calls.

pyside6-lupdate collects every ``tr(…)`` / ``QT_TRANSLATE_NOOP(…)`` string of the gui
package into ``safecredit_zh_CN.ts``; the source strings are Chinese already, so each new
one gets itself as its translation (a translator may change it in Qt Linguist; a changed
translation is kept); pyside6-lrelease compiles the .ts files here to the .qm files the
window loads at start-up (``gui/app.py``). Run it after adding or changing window text;
``tests/gui/test_translations.py`` fails until it is run.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
GUI = ROOT / "safecredit_desktop" / "gui"
PROGRAM_TS = HERE / "safecredit_zh_CN.ts"
_UNFINISHED = re.compile(
    r"<source>(?P<text>[^<]*)</source>(?P<between>\s*(?:<comment>[^<]*</comment>\s*)?)"
    r'<translation type="unfinished"></translation>'
)


def tool(name: str) -> str:
    """pyside6-lupdate / pyside6-lrelease beside this Python (the venv's bin)."""
    folder = Path(sys.executable).parent
    for candidate in (folder / name, folder / f"{name}.exe"):
        if candidate.exists():
            return str(candidate)
    return name


def fill_identity(text: str) -> str:
    """An untranslated message gets its source as its translation."""
    return _UNFINISHED.sub(
        lambda m: (
            f"<source>{m['text']}</source>{m['between']}<translation>{m['text']}</translation>"
        ),
        text,
    )


def update() -> None:
    sources = sorted(str(p.relative_to(ROOT)) for p in GUI.rglob("*.py"))
    subprocess.run(
        [tool("pyside6-lupdate"), *sources, "-source-language", "zh_CN", "-target-language",
         "zh_CN", "-no-obsolete", "-locations", "none", "-ts", str(PROGRAM_TS.relative_to(ROOT))],
        cwd=ROOT, check=True,
    )  # fmt: skip
    PROGRAM_TS.write_text(fill_identity(PROGRAM_TS.read_text(encoding="utf-8")), encoding="utf-8")
    for ts in sorted(HERE.glob("*.ts")):
        subprocess.run(
            [tool("pyside6-lrelease"), str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True
        )


if __name__ == "__main__":
    update()
