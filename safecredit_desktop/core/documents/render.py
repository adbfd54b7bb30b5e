"""Drawing documents on A4 pages as GB/T 9704-2012 sets them out (documents.md).

Portrait: top margin 37 mm, binding margin 28 mm, text block 156 x 225 mm; body 3号
(16 pt) on a grid of 22 lines of 28 characters; title 2号 (22 pt) centred; page
number 4号 "— 1 —" 7 mm below the text block, odd pages on the right and even pages
on the left, one character in. Landscape pages (the plan's table) turn the text
block. Several documents go into one PDF, each from a new page with its own page
numbers.
"""

from __future__ import annotations

import gc
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from safecredit_desktop.core.documents.content import (
    Block,
    Document,
    Gap,
    Para,
    Signature,
    SignLines,
    Table,
    chinese_date,
)
from safecredit_desktop.core.documents.fonts import DocumentFonts, FontChain
from safecredit_desktop.core.documents.typeset import Line, break_lines

BODY_SIZE = 16.0  # 3号
TITLE_SIZE = 22.0  # 2号
PAGE_NUMBER_SIZE = 14.0  # 4号
CHARS_PER_LINE = 28
LINES_PER_PAGE = 22
SEAL_DIAMETER = 42 * mm
SIGNATURE_MIN_LINES = 3  # a blank line, the issuer, the date
SIGN_INDENT_CHARS = 12  # where a commitment's signature lines start
CELL_PAD = 2.5


@dataclass(frozen=True)
class PageFrame:
    width: float
    height: float
    left: float
    top: float  # distance from the page's top edge to the text block
    text_width: float
    text_height: float
    chars_per_line: int
    lines_per_page: int

    @property
    def pitch(self) -> float:
        """Character pitch: the line fitted to its characters, as 文档网格 does."""
        return self.text_width / self.chars_per_line

    @property
    def line_pitch(self) -> float:
        return self.text_height / self.lines_per_page

    @property
    def block_top(self) -> float:
        return self.height - self.top

    @property
    def block_bottom(self) -> float:
        return self.block_top - self.text_height


PORTRAIT = PageFrame(
    A4[0], A4[1], 28 * mm, 37 * mm, 156 * mm, 225 * mm, CHARS_PER_LINE, LINES_PER_PAGE
)
# The portrait grid turned: the same character and line pitch, more characters a line.
LANDSCAPE = PageFrame(
    landscape(A4)[0], landscape(A4)[1], 37 * mm, 28 * mm, 225 * mm, 156 * mm, 40, 15
)


class _Metrics:
    """Cached advances of characters in a font chain at one size, on the grid."""

    def __init__(self, chain: FontChain, size: float, pitch: float | None) -> None:
        self.chain = chain
        self.size = size
        self.pitch = pitch
        # One character spacing for every glyph of a line: a full-width glyph (one em)
        # then takes exactly one pitch, a half-width one its width less a fraction of
        # a point, and a line is drawn in one piece per font.
        self.spacing = (pitch - size) if pitch else 0.0
        self._natural: dict[str, float] = {}
        self._pieces: dict[str, list[tuple[str, str, float]]] = {}
        self._lines: dict[tuple[str, float, float], list[Line]] = {}

    def natural(self, char: str) -> float:
        found = self._natural.get(char)
        if found is None:
            font = getFont(self.chain.font_for(char))
            found = font.stringWidth(char, self.size)
            self._natural[char] = found
        return found

    def pieces(self, text: str) -> list[tuple[str, str, float]]:
        """(font, text, character spacing) pieces drawing ``text`` on the grid (cached:
        the same lines recur in every notice of a batch)."""
        found = self._pieces.get(text)
        if found is None:
            found = [(font, run, self.spacing) for font, run in self.chain.runs(text)]
            self._pieces[text] = found
        return found

    def lines(self, text: str, width: float, first_indent: float) -> list[Line]:
        key = (text, width, first_indent)
        found = self._lines.get(key)
        if found is None:
            found = self._lines[key] = break_lines(
                text, width, self.width, first_indent=first_indent
            )
        return found

    def width(self, char: str) -> float:
        return self.natural(char) + self.spacing


class PdfWriter:
    """Lays documents out on one canvas; ``finish`` returns the PDF."""

    def __init__(self, fonts: DocumentFonts, *, title: str = "") -> None:
        self.fonts = fonts
        self._buffer = io.BytesIO()
        self.canvas = Canvas(
            self._buffer,
            pagesize=A4,
            initialFontName=fonts.body.primary,
            pageCompression=1,
            invariant=1,
        )
        self.canvas.setTitle(title)
        self.canvas.setCreator("SafeCredit Desktop")
        self.canvas.setAuthor("")
        self.page_total = 0
        self._frame = PORTRAIT
        self._page_in_doc = 0
        self._y = 0.0
        self._metrics: dict[tuple[int, float, float | None], _Metrics] = {}
        self._text: PDFTextObject | None = None
        self._text_state: tuple[str, float, float | None] = ("", 0.0, None)

    # -- documents and pages ------------------------------------------------------------
    def add(self, document: Document, number: str) -> tuple[int, int]:
        """Draw ``document`` with its 文号; (first page, page count), pages from 1."""
        self._frame = LANDSCAPE if document.landscape else PORTRAIT
        self._page_in_doc = 0
        first = self.page_total + 1
        self._new_page()
        self._title(document.title)
        if number:
            self._text_line(number, align="right")
        self._skip_lines(1)
        if document.addressee:
            self._paragraph(Para(document.addressee, indent=False, align="left"))
        blocks = document.blocks
        for index, block in enumerate(blocks):
            if (
                isinstance(block, Para)
                and index + 1 < len(blocks)
                and isinstance(blocks[index + 1], Signature)
            ):
                # GB/T 9704 7.3.5: the seal never stands on a page without text, so the
                # closing paragraph goes with the signature.
                self._ensure_lines(self._para_lines(block) + SIGNATURE_MIN_LINES)
            self._block(block)
        self._end_page()
        return first, self.page_total - first + 1

    def finish(self) -> bytes:
        self.canvas.save()
        return self._buffer.getvalue()

    def _new_page(self) -> None:
        if self._page_in_doc > 0:
            self._end_page()
        self._page_in_doc += 1
        self.page_total += 1
        frame = self._frame
        self.canvas.setPageSize((frame.width, frame.height))
        self._y = frame.block_top

    def _end_page(self) -> None:
        frame = self._frame
        text = f"— {self._page_in_doc} —"
        metrics = self._metrics_for(self.fonts.body, PAGE_NUMBER_SIZE, None)
        width = sum(metrics.natural(c) for c in text)
        baseline = frame.block_bottom - 7 * mm - PAGE_NUMBER_SIZE * 0.8
        one_char = PAGE_NUMBER_SIZE
        if self._page_in_doc % 2 == 1:
            x = frame.left + frame.text_width - one_char - width
        else:
            x = frame.left + one_char
        self._draw_runs(self.fonts.body, PAGE_NUMBER_SIZE, x, baseline, text, 0.0, metrics)
        self._flush_text()
        self.canvas.showPage()

    # -- blocks ----------------------------------------------------------------------------
    def _block(self, block: Block) -> None:
        if isinstance(block, Para):
            self._paragraph(block)
        elif isinstance(block, Table):
            self._table(block)
        elif isinstance(block, Gap):
            self._skip_lines(block.lines)
        elif isinstance(block, Signature):
            self._signature(block)
        else:
            self._sign_lines(block)

    def _lines_left(self) -> int:
        return round((self._y - self._frame.block_bottom) / self._frame.line_pitch)

    def _ensure_lines(self, count: int) -> None:
        if self._lines_left() < count:
            self._new_page()

    def _skip_lines(self, count: int) -> None:
        if self._lines_left() <= count:
            self._new_page()
        else:
            self._y -= count * self._frame.line_pitch

    def _metrics_for(self, chain: FontChain, size: float, pitch: float | None) -> _Metrics:
        key = (id(chain), size, pitch)
        found = self._metrics.get(key)
        if found is None:
            found = self._metrics[key] = _Metrics(chain, size, pitch)
        return found

    def _title(self, title: str) -> None:
        frame = self._frame
        metrics = self._metrics_for(self.fonts.title, TITLE_SIZE, None)
        for line in metrics.lines(title, frame.text_width - 2 * TITLE_SIZE, 0.0):
            self._ensure_lines(1)
            baseline = self._baseline(TITLE_SIZE)
            x = frame.left + (frame.text_width - line.natural_width) / 2
            self._draw_line(self.fonts.title, metrics, line, x, baseline, 0.0)
            self._y -= frame.line_pitch

    def _baseline(self, size: float) -> float:
        """The baseline that centres ``size`` text in the grid line at the cursor."""
        pitch = self._frame.line_pitch
        return self._y - pitch + (pitch - size) / 2 + size * 0.12

    def _text_line(self, text: str, *, align: str) -> None:
        self._paragraph(Para(text, indent=False, align=align))  # type: ignore[arg-type]

    def _para_lines(self, para: Para) -> int:
        frame = self._frame
        chain = self.fonts.title if para.heading else self.fonts.body
        metrics = self._metrics_for(chain, BODY_SIZE, frame.pitch)
        indent = 2 * frame.pitch if para.indent else 0.0
        return len(metrics.lines(para.text, frame.text_width, indent))

    def _paragraph(self, para: Para) -> None:
        frame = self._frame
        chain = self.fonts.title if para.heading else self.fonts.body
        metrics = self._metrics_for(chain, BODY_SIZE, frame.pitch)
        indent = 2 * frame.pitch if para.indent else 0.0
        for line in metrics.lines(para.text, frame.text_width, indent):
            self._ensure_lines(1)
            natural = line.natural_width
            available = frame.text_width - line.indent
            extra = 0.0
            x = frame.left + line.indent
            if para.align == "justify" and not line.last and len(line.tokens) > 1:
                chars = len(line.text)
                extra = max(0.0, (available - natural) / max(1, chars - 1))
            elif para.align == "center":
                x = frame.left + (frame.text_width - natural) / 2
            elif para.align == "right":
                x = frame.left + frame.text_width - natural
            self._draw_line(chain, metrics, line, x, self._baseline(BODY_SIZE), extra)
            self._y -= frame.line_pitch

    def _draw_line(
        self, chain: FontChain, metrics: _Metrics, line: Line, x: float, y: float, extra: float
    ) -> None:
        self._draw_runs(chain, metrics.size, x, y, line.text, extra, metrics)

    def _draw_runs(
        self,
        chain: FontChain,
        size: float,
        x: float,
        y: float,
        text: str,
        extra: float,
        metrics: _Metrics,
    ) -> None:
        """Draw ``text`` from (x, y): each run in its font, each character on its width.

        The lines of a page share one text object (one BT … ET), which sets the font and
        the spacing only when they change."""
        if not text:
            return
        if self._text is None:
            self._text = self.canvas.beginText()
            self._text_state = ("", 0.0, None)
        obj = self._text
        obj.setTextOrigin(x, y)
        font_now, size_now, spacing_now = self._text_state
        for font, piece, spacing in metrics.pieces(text):
            if font != font_now or size != size_now:
                obj.setFont(font, size)
                font_now, size_now = font, size
            if spacing + extra != spacing_now:
                spacing_now = spacing + extra
                obj.setCharSpace(spacing_now)
            obj.textOut(piece)
        self._text_state = (font_now, size_now, spacing_now)

    def _flush_text(self) -> None:
        if self._text is not None:
            self.canvas.drawText(self._text)
            self._text = None

    # -- signature ------------------------------------------------------------------------
    def _signature(self, block: Signature) -> None:
        """GB/T 9704 7.3.5.1: the date four characters in from the right, the issuer
        centred over it, the seal over both."""
        frame = self._frame
        self._ensure_lines(2)
        left = self._lines_left()
        blank = 2 if left >= 4 else (1 if left >= 3 else 0)
        self._y -= blank * frame.line_pitch
        metrics = self._metrics_for(self.fonts.body, BODY_SIZE, frame.pitch)
        day = chinese_date(block.day)
        day_width = sum(metrics.width(c) for c in day)
        issuer_width = sum(metrics.width(c) for c in block.issuer)
        right = frame.left + frame.text_width - 4 * frame.pitch
        centre = right - day_width / 2
        issuer_x = min(centre - issuer_width / 2, frame.left + frame.text_width - issuer_width)
        issuer_y = self._baseline(BODY_SIZE)
        self._draw_runs(self.fonts.body, BODY_SIZE, issuer_x, issuer_y, block.issuer, 0, metrics)
        self._y -= frame.line_pitch
        day_y = self._baseline(BODY_SIZE)
        self._draw_runs(self.fonts.body, BODY_SIZE, right - day_width, day_y, day, 0, metrics)
        self._y -= frame.line_pitch
        if block.seal:
            self._seal_place(centre, (issuer_y + day_y) / 2 + BODY_SIZE * 0.35)

    def _seal_place(self, x: float, y: float) -> None:
        """A faint dashed circle where the seal goes."""
        canvas = self.canvas
        self._flush_text()  # the grey label must not share the page's black text object
        canvas.saveState()
        canvas.setStrokeGray(0.7)
        canvas.setLineWidth(0.6)
        canvas.setDash(3, 3)
        canvas.circle(x, y, SEAL_DIAMETER / 2)
        canvas.setFillGray(0.6)
        metrics = self._metrics_for(self.fonts.body, 10.5, None)
        label = "（印章）"
        width = sum(metrics.natural(c) for c in label)
        self._draw_runs(
            self.fonts.body, 10.5, x - width / 2, y - SEAL_DIAMETER / 2 + 6, label, 0, metrics
        )
        self._flush_text()
        canvas.restoreState()

    def _sign_lines(self, block: SignLines) -> None:
        """The signer's lines from the middle of the line, after one blank line."""
        frame = self._frame
        self._ensure_lines(len(block.lines) + 1)
        self._skip_lines(1)
        metrics = self._metrics_for(self.fonts.body, BODY_SIZE, frame.pitch)
        x = frame.left + SIGN_INDENT_CHARS * frame.pitch
        for text in block.lines:
            self._draw_runs(
                self.fonts.body, BODY_SIZE, x, self._baseline(BODY_SIZE), text, 0, metrics
            )
            self._y -= frame.line_pitch

    # -- tables -----------------------------------------------------------------------------
    def _table(self, table: Table) -> None:
        frame = self._frame
        metrics = self._metrics_for(self.fonts.body, table.size, None)
        total = sum(table.widths)
        widths = [frame.text_width * w / total for w in table.widths]
        leading = table.size * 1.35
        if table.caption:
            self._paragraph(Para(table.caption, indent=False, align="center", heading=True))

        def layout(cells: Sequence[str]) -> tuple[list[list[Line]], float]:
            wrapped = [
                metrics.lines(cell, width - 2 * CELL_PAD, 0.0)
                for cell, width in zip(cells, widths, strict=True)
            ]
            height = max(len(lines) for lines in wrapped) * leading + 2 * CELL_PAD
            return wrapped, height

        header = layout(table.headers)
        min_rows_height = header[1] + leading + 2 * CELL_PAD
        if self._y - frame.block_bottom < min_rows_height:
            self._new_page()
        self._row(header, widths, leading, metrics, header_row=True)
        for row in table.rows:
            laid = layout(row)
            if self._y - laid[1] < frame.block_bottom - 0.01:
                self._new_page()
                self._row(header, widths, leading, metrics, header_row=True)
            self._row(laid, widths, leading, metrics, header_row=False)
        # Back onto the grid below the table.
        used = (frame.block_top - self._y) / frame.line_pitch
        lines = int(used) + (1 if used - int(used) > 1e-6 else 0)
        self._y = frame.block_top - lines * frame.line_pitch
        if self._lines_left() <= 0:
            self._new_page()

    def _row(
        self,
        laid: tuple[list[list[Line]], float],
        widths: Sequence[float],
        leading: float,
        metrics: _Metrics,
        *,
        header_row: bool,
    ) -> None:
        wrapped, height = laid
        canvas = self.canvas
        x = self._frame.left
        top = self._y
        chain = self.fonts.title if header_row else self.fonts.body
        cell_metrics = (
            self._metrics_for(self.fonts.title, metrics.size, None) if header_row else metrics
        )
        canvas.setLineWidth(0.5)
        for lines, width in zip(wrapped, widths, strict=True):
            canvas.rect(x, top - height, width, height, stroke=1, fill=0)
            y = top - CELL_PAD - metrics.size * 0.95
            for line in lines:
                offset = (width - line.natural_width) / 2 if header_row else CELL_PAD
                self._draw_runs(chain, metrics.size, x + offset, y, line.text, 0.0, cell_metrics)
                y -= leading
            x += width
        self._y = top - height


def render_pdf(
    fonts: DocumentFonts,
    documents: Sequence[Document],
    numbers: Sequence[str],
    *,
    title: str = "",
    progress: Callable[[int], None] | None = None,
) -> tuple[bytes, list[tuple[int, int]]]:
    """One PDF of ``documents`` (each with its number); the pages of each.

    The cyclic garbage collector is paused meanwhile: drawing makes hundreds of
    thousands of short-lived objects and no cycles, and each collection would walk
    every object the caller holds (a batch's grades and documents)."""
    writer = PdfWriter(fonts, title=title)
    pages = []
    collecting = gc.isenabled()
    gc.disable()
    try:
        for index, (document, number) in enumerate(zip(documents, numbers, strict=True)):
            pages.append(writer.add(document, number))
            if progress is not None:
                progress(index + 1)
        return writer.finish(), pages
    finally:
        if collecting:
            gc.enable()
