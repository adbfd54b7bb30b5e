"""Benchmark: a batch of 1,000 grade notices, issued, against bare reportlab.

    python bench/bench_documents.py [--notices N]

Makes a demo database of N units and times ``session.documents.issue`` for a
grade notice to every unit: grading, building the text, laying it out on the
GB/T 9704 grid with line-breaking rules and font fallback, drawing, numbering and
storing the one PDF in the register. The floor, in the same run: bare reportlab
drawing the same paragraphs' text with ``drawString`` in the same fonts, cut every
28 characters, one page per notice, into one PDF. Reports ``seconds``,
``render_seconds`` (layout and drawing only), ``floor_seconds``, ``ratio``
(seconds ÷ floor; target within 2×) and ``pages``. Best of ``repeat`` runs.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from safecredit_desktop.core.app.documents import _build_documents as build_documents

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from safecredit_desktop.core import app as core  # noqa: E402
from safecredit_desktop.core.documents.content import (  # noqa: E402
    Document,
    Para,
    Signature,
    chinese_date,
)
from safecredit_desktop.core.documents.fonts import load_fonts  # noqa: E402
from safecredit_desktop.core.documents.render import render_pdf  # noqa: E402

TODAY = date(2026, 11, 21)


def _floor(documents: list[Document], numbers: list[str]) -> float:
    """The same text drawn plainly: cut every 28 characters, 22 lines a page, the
    same page numbers, in the same fonts, with no layout rules and no fallback."""
    fonts = load_fonts()
    title_font, body_font = fonts.title.primary, fonts.body.primary
    started = time.perf_counter()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, initialFontName=body_font, pageCompression=1)
    for document, number in zip(documents, numbers, strict=True):
        lines = [number, document.addressee]
        for block in document.blocks:
            if isinstance(block, Para):
                text = block.text
                lines += [text[i : i + 28] for i in range(0, len(text), 28)]
            elif isinstance(block, Signature):
                lines += [block.issuer, chinese_date(block.day)]
        page = 1
        canvas.setFont(title_font, 22)
        canvas.drawCentredString(A4[0] / 2, 740, document.title)
        y = 711.0
        for text in lines:
            if y < 100:
                canvas.setFont(body_font, 14)
                canvas.drawString(470, 60, f"— {page} —")
                canvas.showPage()
                page += 1
                y = 740.0
            canvas.setFont(body_font, 16)
            canvas.drawString(79, y, text)
            y -= 29
        canvas.setFont(body_font, 14)
        canvas.drawString(470, 60, f"— {page} —")
        canvas.showPage()
    canvas.save()
    return time.perf_counter() - started


def run(notices: int = 1000, repeat: int = 2) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="safecredit-bench-") as folder:
        path = Path(folder) / "documents.db"
        session = core.init_database(
            path, profile="fenghuang", bureau_name="凤凰县应急管理局", user="bench"
        )
        core.fill_demo(session, enterprises=notices, seed=5, today=TODAY)
        unit_ids = tuple(
            int(i) for (i,) in session.db.conn.execute("SELECT id FROM units ORDER BY uscc")
        )
        seconds, renders, floors, pages = [], [], [], 0
        for attempt in range(repeat):
            as_of = TODAY - timedelta(days=attempt)  # new content: numbered, not reprinted
            request = core.DocumentRequest("grade-notice", unit_ids, as_of=as_of)
            started = time.perf_counter()
            result = session.documents.issue(request, today=TODAY)
            seconds.append(time.perf_counter() - started)
            assert len(result.issued) == len(unit_ids)
            pages = sum(d.page_count for d in result.issued)
            documents = build_documents(session, request, TODAY, None)
            numbers = [d.doc_no for d in result.issued]
            fonts = load_fonts()
            started = time.perf_counter()
            render_pdf(fonts, documents, numbers)
            renders.append(time.perf_counter() - started)
            floors.append(_floor(documents, numbers))
        session.close()
    best, floor = min(seconds), min(floors)
    return {
        "seconds": best,
        "render_seconds": min(renders),
        "floor_seconds": floor,
        "ratio": best / floor,
        "render_ratio": min(renders) / floor,
        "notices": float(notices),
        "pages": float(pages),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    print(json.dumps(run(args.notices, args.repeat), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
