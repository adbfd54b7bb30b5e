"""Render the sample documents under docs/samples/ (PDF and PNG pages).

    .venv/bin/python docs/make_samples.py

For each built-in profile (fenghuang, kundulun, suizhou): a demo database (60 units,
seed 3) in which the worst-graded unit is renamed to carry rare name characters (CJK
Extension B among them), an approved credit repair application, an answered
objection and a proposed list entry; then every kind of document is issued, saved as
``<profile>-<kind>.pdf`` and its first pages rasterised with ``pdftoppm -png -r 80``
so a reader can look at them without a PDF viewer.
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

from PIL import Image  # noqa: E402

from safecredit_desktop.core import app as core  # noqa: E402
from safecredit_desktop.core import model  # noqa: E402
from safecredit_desktop.core.documents.kinds import basis_title  # noqa: E402
from safecredit_desktop.core.model import Role  # noqa: E402

OUT = ROOT / "docs" / "samples"
TODAY = date(2026, 11, 21)
BUREAUS = {
    "fenghuang": "凤凰县应急管理局",
    "kundulun": "包头市昆都仑区应急管理局",
    "suizhou": "随州市曾都区应急管理局",
}
RARE = "𠀀𪚥骉镕珺"  # two of CJK Extension B, three beyond GB2312
PAGES_SHOWN = 2


def _save(name: str, pdf: bytes) -> None:
    path = OUT / f"{name}.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(next(x for x in info.stdout.splitlines() if x.startswith("Pages:")).split()[1])
    last = min(pages, PAGES_SHOWN)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-gray",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            str(last),
            str(path),
            str(OUT / name),
        ],
        check=True,
    )
    for page in range(1, last + 1):  # 16 greys are plenty for black text: a quarter the size
        png = OUT / f"{name}-{page}.png"
        Image.open(png).convert("L").quantize(16).save(png, optimize=True)
    print(f"{path.name}: {pages} page(s), {last} shown")


def _profile_samples(profile: str, folder: Path) -> None:
    path = folder / f"{profile}.db"
    session = core.init_database(
        path,
        profile=profile,
        bureau_name=BUREAUS[profile],
        user="样例",
        admin=("样例", "sample-admin"),
    )
    core.fill_demo(session, enterprises=60, seed=3, today=TODAY)
    session.accounts.create_user("shenhe", "sample-reviewer", Role.REVIEWER, "沈和")
    results = session.grading.grade(as_of=TODAY)
    worst = min(results, key=lambda r: ("DCBA".index(r.grade), -len(r.reasons)))
    unit = session.records.get("units", worst.unit_id)
    town = unit.town or ""
    session.records.save(dataclasses.replace(unit, name=f"{town[:2]}{RARE}矿业有限公司"))
    others = [r for r in results if r.unit_id != worst.unit_id]

    # An objection to a record of the worst unit, answered by the reviewer.
    disputed = session.records.save(
        model.Violation(worst.unit_id, "operate_while_suspended", date(2026, 9, 20))
    )
    objection = session.objections.file(
        table="violations",
        record_id=disputed,
        content="该日已取得复产批复，不属于停产整顿期间生产",
        filed_on=date(2026, 10, 8),
    )
    reviewer = core.open_session(path, user="shenhe", role=Role.REVIEWER)
    reviewer.objections.accept(objection.id, on=date(2026, 10, 9))
    reviewer.objections.answer(
        objection.id,
        findings="复产批复的日期为2026年9月25日，晚于该行为发生之日",
        outcome="保留",
        on=date(2026, 10, 20),
    )
    # A credit repair of another unit's violation, applied for and approved.
    repaired = session.records.save(
        model.Violation(others[-1].unit_id, "accident_reported_late", date(2025, 6, 10))
    )
    application = session.repairs.apply(
        table="violations", target_id=repaired, applied_on=date(2026, 10, 8)
    )
    reviewer.repairs.decide(application.id, approve=True, on=date(2026, 11, 1))
    reviewer.close()
    session.lists.propose(as_of=TODAY, today=TODAY)
    entries = session.lists.entries(list_kind=session.profile.list_name)
    if not entries:  # no unit meets the list's conditions: one entered by hand
        records = [r for reason in worst.reasons for r in reason.records]
        session.lists.add(
            unit_id=worst.unit_id,
            list_kind=session.profile.list_name,
            facts="；".join(records) or "2026-09-20 拒不执行安全监管监察指令",
            basis=f"{basis_title(session.profile)}规定的列入条件",
            today=TODAY,
        )
        entries = session.lists.entries(list_kind=session.profile.list_name)
    listed = min(entries, key=lambda e: (e.unit_id != worst.unit_id, e.stage != "采集", e.id))
    draw = session.draws.make(year=2026, seed="样例")

    requests = {
        "grade-notice": core.DocumentRequest("grade-notice", (worst.unit_id,), as_of=TODAY),
        "commitment": core.DocumentRequest("commitment", (worst.unit_id,)),
        "duty-commitment": core.DocumentRequest("duty-commitment", (worst.unit_id,)),
        "listing-notice": core.DocumentRequest("listing-notice", listing_id=listed.id),
        "removal-decision": core.DocumentRequest("removal-decision", repair_id=application.id),
        "objection-reply": core.DocumentRequest("objection-reply", objection_id=objection.id),
        "inspection-plan": core.DocumentRequest("inspection-plan", year=2027),
        "draw-notice": core.DocumentRequest("draw-notice", draw_id=draw.summary.id),
    }
    for kind, request in requests.items():
        _save(f"{profile}-{kind}", session.documents.issue(request, today=TODAY).pdf)
    session.close()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*"):
        old.unlink()
    with tempfile.TemporaryDirectory() as folder:
        for profile in BUREAUS:
            _profile_samples(profile, Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
