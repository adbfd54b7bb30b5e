"""Render the sample documents under docs/samples/ (PDF and PNG pages).

    .venv/bin/python docs/make_samples.py

A demo database (fenghuang, 60 units, seed 3) with one unit renamed to carry rare
name characters; a grade notice of a D or C unit, a commitment letter of the renamed
unit and the first page of the 2027 inspection plan, each rasterised with
``pdftoppm -png -r 80`` so a reader can look at them without a PDF viewer.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from safecredit_desktop.core import services  # noqa: E402

OUT = ROOT / "docs" / "samples"
TODAY = date(2026, 11, 21)
RARE_NAME = "凤凰县骉镕珺玥喆垚赟矿业有限公司"


def _save(name: str, pdf: bytes, pages: str = "1") -> None:
    path = OUT / f"{name}.pdf"
    path.write_bytes(pdf)
    first, _, last = pages.partition("-")
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            first,
            "-l",
            last or first,
            str(path),
            str(OUT / name),
        ],
        check=True,
    )
    print(f"{path.name}: pages {pages}")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*"):
        old.unlink()
    with tempfile.TemporaryDirectory() as folder:
        session = services.init_database(
            Path(folder) / "samples.db",
            profile="fenghuang",
            bureau_name="凤凰县应急管理局",
            user="样例",
        )
        services.fill_demo(session, enterprises=60, seed=3, today=TODAY)
        results = services.grade_units(session, as_of=TODAY)
        worst = min(results, key=lambda r: ("DCBA".index(r.grade), -len(r.reasons)))
        unit = services.get_record(session, "units", worst.unit_id)
        services.save_record(session, dataclasses.replace(unit, name=RARE_NAME))

        def issue(request: services.DocumentRequest) -> bytes:
            return services.issue_documents(session, request, today=TODAY).pdf

        notice = issue(services.DocumentRequest("grade-notice", (worst.unit_id,), as_of=TODAY))
        _save("grade-notice", notice, "1-2")
        letter = issue(services.DocumentRequest("commitment", (worst.unit_id,)))
        _save("commitment", letter, "1")
        plan = issue(services.DocumentRequest("inspection-plan", year=2027))
        _save("inspection-plan", plan, "1")
        session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
