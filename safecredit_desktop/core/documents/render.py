"""Drawing documents on A4 pages as GB/T 9704-2012 sets them out (documents.md).

Portrait: top margin 37 mm, binding margin 28 mm, text block 156 x 225 mm; body 3号
(16 pt) on a grid of 22 lines of 28 characters; title 2号 (22 pt) centred; headings
一、 in 黑体 and （一） in 楷体 (where the fonts have one); page number 4号 半角宋体
"— 1 —", the top of its dashes 7 mm below the text block, odd pages on the right
and even pages on the left, one character in. Landscape pages (the plan's table)
turn the text block. Several documents go into one PDF, each from a new page with
its own page numbers. The last lines of the body go with the signature and seal
block to its page (GB/T 9704 7.3.5: the seal never stands on a page alone).
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfgen.canvas import Canvas

from safecredit_desktop.core import collector
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
from safecredit_desktop.core.documents.fonts import DocumentFonts, FontChain, glyph_box
from safecredit_desktop.core.documents.typeset import Line, Token, break_lines, widest_run
from safecredit_desktop.core.errors import SafeCreditError

BODY_SIZE = 16.0  # 3号
TITLE_SIZE = 22.0  # 2号
PAGE_NUMBER_SIZE = 14.0  # 4号
CHARS_PER_LINE = 28
LINES_PER_PAGE = 22
SEAL_DIAMETER = 42 * mm
SIGNATURE_MIN_LINES = 3  # a blank line, the issuer, the date
KEEP_WITH_SIGNATURE = 2  # body lines that go with the signature block to its page
SIGN_INDENT_CHARS = 12  # where a commitment's signature lines start
PAGE_NUMBER_GAP = 7 * mm  # from the text block's foot to the top of the page number's dashes
DASH_TOP = 0.39  # the dash's top in ems above the baseline, where the font cannot tell
CELL_PAD = 2.5
CELL_LEADING = 1.25  # a table line's height in its font size
SHORT_CELL = 6  # a cell value this short (a town, a month, a grade) is never broken
SAMPLE_ROWS = 400  # rows a table's column widths are tried on (a plan may have 100,000)


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
        self._encoded: dict[str, list[tuple[str, str, int, float]]] = {}

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

    def encoded(self, font: str, piece: str, doc: object) -> list[tuple[str, str, int, float]]:
        """``piece`` as the PDF draws it: cut where the font's subset (256 characters
        each) changes, each part with its subset font's name, its string literal, its
        length and its width on the grid (cached: a character keeps its code in a PDF)."""
        found = self._encoded.get(piece)
        if found is None:
            face = getFont(font)
            found = []
            start = 0
            for subset, codes in face.splitString(piece, doc):
                part = piece[start : start + len(codes)]
                start += len(codes)
                found.append(
                    (
                        face.getSubsetInternalName(subset, doc),
                        f"({escapePDF(codes)})",
                        len(part),
                        sum(self.width(c) for c in part),
                    )
                )
            self._encoded[piece] = found
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
        # invariant=0: the file carries the real time it was made; an issued file is
        # stored and reprinted from the store, never drawn again to match it.
        self.canvas = Canvas(
            self._buffer,
            pagesize=A4,
            initialFontName=fonts.body.primary,
            pageCompression=1,
            invariant=0,
        )
        self.canvas.setTitle(title)
        self.canvas.setCreator("SafeCredit Desktop")
        self.canvas.setAuthor("")
        self.page_total = 0
        self._frame = PORTRAIT
        self._page_in_doc = 0
        self._y = 0.0
        self._metrics: dict[tuple[int, float, float | None], _Metrics] = {}
        self._text: list[str] | None = None  # the page's text operators (BT … ET)
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
        keep = self._kept_with_signature(document.blocks)
        for index, block in enumerate(document.blocks):
            if index in keep:
                first_kept, needed = keep[index]
                assert isinstance(block, Para)
                self._paragraph(block, keep_from=first_kept, keep_lines=needed)
            else:
                if isinstance(block, Para) and block.level > 0:
                    self._keep_heading_with_next(document.blocks[index + 1 : index + 2])
                self._block(block)
        self._end_page()
        return first, self.page_total - first + 1

    def _kept_with_signature(self, blocks: Sequence[Block]) -> dict[int, tuple[int, int]]:
        """Where the body's last lines start that go with the signature block: block
        index → (the paragraph line they start at, the lines from there to the end of
        the document). The page is turned there if they do not all fit."""
        sign_at = next(
            (i for i, b in enumerate(blocks) if isinstance(b, Signature | SignLines)), None
        )
        if sign_at is None:
            return {}
        needed = sum(self._block_lines(b) for b in blocks[sign_at:])
        wanted = KEEP_WITH_SIGNATURE
        for index in range(sign_at - 1, -1, -1):
            block = blocks[index]
            if isinstance(block, Gap):
                needed += block.lines
                continue
            if not isinstance(block, Para):
                return {}  # a table goes where it goes
            lines = self._para_lines(block)
            taken = min(lines, wanted)
            needed += taken
            wanted -= taken
            if wanted == 0:
                return {index: (lines - taken, needed)}
        return {}

    def _keep_heading_with_next(self, following: Sequence[Block]) -> None:
        """A heading never ends a page: it goes on with two lines of what follows."""
        after = following[0] if following else None
        below = min(2, self._para_lines(after)) if isinstance(after, Para) else 0
        self._ensure_lines(1 + below)

    def _block_lines(self, block: Block) -> int:
        if isinstance(block, Para):
            return self._para_lines(block)
        if isinstance(block, Gap):
            return block.lines
        if isinstance(block, Signature):
            return SIGNATURE_MIN_LINES
        if isinstance(block, SignLines):
            return len(block.lines) + 1
        return 0

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
        chain = self.fonts.number_chain
        text = f"— {self._page_in_doc} —"
        metrics = self._metrics_for(chain, PAGE_NUMBER_SIZE, None)
        width = sum(metrics.natural(c) for c in text)
        box = glyph_box(chain.font_for("—"), "—")
        dash_top = box[3] if box is not None else DASH_TOP
        baseline = frame.block_bottom - PAGE_NUMBER_GAP - dash_top * PAGE_NUMBER_SIZE
        one_char = PAGE_NUMBER_SIZE
        if self._page_in_doc % 2 == 1:
            x = frame.left + frame.text_width - one_char - width
        else:
            x = frame.left + one_char
        self._draw_runs(chain, PAGE_NUMBER_SIZE, x, baseline, text, 0.0, metrics)
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

    def _chain_of(self, para: Para) -> FontChain:
        if para.level == 1:
            return self.fonts.heading_chain
        if para.level == 2:
            return self.fonts.kai_chain
        return self.fonts.body

    def _para_lines(self, para: Para) -> int:
        frame = self._frame
        metrics = self._metrics_for(self._chain_of(para), BODY_SIZE, frame.pitch)
        indent = 2 * frame.pitch if para.indent else 0.0
        return len(metrics.lines(para.text, frame.text_width, indent))

    def _paragraph(self, para: Para, *, keep_from: int = -1, keep_lines: int = 0) -> None:
        """Draw ``para`` on the grid; from its line ``keep_from`` on, ``keep_lines``
        lines must fit on one page (else the page is turned there)."""
        frame = self._frame
        chain = self._chain_of(para)
        metrics = self._metrics_for(chain, BODY_SIZE, frame.pitch)
        indent = 2 * frame.pitch if para.indent else 0.0
        for number, line in enumerate(metrics.lines(para.text, frame.text_width, indent)):
            if number == keep_from and keep_lines <= frame.lines_per_page:
                self._ensure_lines(keep_lines)
            self._ensure_lines(1)
            # The line's last character ends at its advance, without the grid's spacing
            # after it: that is the edge that must meet the block's right edge.
            natural = line.natural_width - metrics.spacing
            available = frame.text_width - line.indent
            gaps = max(1, len(line.text) - 1)
            extra = 0.0
            x = frame.left + line.indent
            if para.align == "justify" and not line.last and len(line.tokens) > 1:
                extra = (available - natural) / gaps
            elif para.align == "center":
                x = frame.left + (frame.text_width - natural) / 2
            elif para.align == "right":
                x = frame.left + frame.text_width - natural
            if 0 < natural + extra * gaps - available < 1.0:  # a full line closed up a hair
                extra = (available - natural) / gaps
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
        the spacing only when they change. Each piece that the PDF draws with one font
        subset is placed where it belongs (Tm): readers differ on whether the character
        spacing follows a piece's last character (pdfminer leaves it out), and a line
        must end at the same place in all of them. The operators are written as
        reportlab's documentation shows for its subset fonts (splitString, then Tf and
        Tj per subset), once per piece and cached."""
        if not text:
            return
        if self._text is None:
            self._text = ["BT"]
            self._text_state = ("", 0.0, None)
        ops = self._text
        font_now, size_now, spacing_now = self._text_state
        doc = self.canvas._doc
        at = x
        for font, piece, spacing in metrics.pieces(text):
            if spacing + extra != spacing_now:
                spacing_now = spacing + extra
                ops.append(f"{fp_str(spacing_now)} Tc")
            for subset_font, literal, count, width in metrics.encoded(font, piece, doc):
                if subset_font != font_now or size != size_now:
                    ops.append(f"{subset_font} {fp_str(size)} Tf")
                    font_now, size_now = subset_font, size
                ops.append(f"1 0 0 1 {fp_str(at)} {fp_str(y)} Tm {literal} Tj")
                at += width + extra * count
        self._text_state = (font_now, size_now, spacing_now)

    def _flush_text(self) -> None:
        if self._text is not None:
            self._text.append("ET")
            self.canvas.addLiteral(" ".join(self._text))
            self._text = None

    # -- signature ------------------------------------------------------------------------
    def _signature(self, block: Signature) -> None:
        """GB/T 9704 7.3.5.1: the date four characters in from the right, the issuer
        centred over it, the seal pressing on both from above."""
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
            # GB/T 9704 7.3.5.1: the issuer and the date sit below the seal's centre.
            self._seal_place(centre, issuer_y + BODY_SIZE)

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
            self.fonts.body, 10.5, x - width / 2, y + SEAL_DIAMETER / 2 - 18, label, 0, metrics
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
        body = self._metrics_for(self.fonts.body, table.size, None)
        head = self._metrics_for(self.fonts.heading_chain, table.size, None)
        leading = table.size * CELL_LEADING
        columns = table_columns(table, body, head, frame.text_width)
        widths = [c.width for c in columns]

        def layout(cells: Sequence[str], header: bool) -> _Row:
            wrapped = [
                column.header_lines(cell, head) if header else column.cell_lines(cell, body)
                for cell, column in zip(cells, columns, strict=True)
            ]
            height = max(len(lines) for lines in wrapped) * leading + 2 * CELL_PAD
            return _Row(wrapped, height, header)

        header = layout(table.headers, True)
        first = layout(table.rows[0], False).height if table.rows else 0.0
        caption = frame.line_pitch if table.caption else 0.0
        if self._y - frame.block_bottom < caption + header.height + first:
            self._new_page()  # the caption and the header go with the first row
        if table.caption:
            self._paragraph(Para(table.caption, indent=False, align="center", level=1))
        self._row(header, widths, columns, leading, head)
        for cells in table.rows:
            row = layout(cells, False)
            if self._y - row.height < frame.block_bottom - 0.01:
                self._new_page()
                self._row(header, widths, columns, leading, head)
            self._row(row, widths, columns, leading, body)
        # Back onto the grid below the table.
        used = (frame.block_top - self._y) / frame.line_pitch
        lines = int(used) + (1 if used - int(used) > 1e-6 else 0)
        self._y = frame.block_top - lines * frame.line_pitch
        if self._lines_left() <= 0:
            self._new_page()

    def _row(
        self,
        row: _Row,
        widths: Sequence[float],
        columns: Sequence[_Column],
        leading: float,
        metrics: _Metrics,
    ) -> None:
        """One row of ruled cells; each cell's lines centred in the row's height, a
        header or a column of short values centred across, others from the left."""
        canvas = self.canvas
        x = self._frame.left
        top = self._y
        chain = metrics.chain
        canvas.setLineWidth(0.5)
        for lines, width, column in zip(row.cells, widths, columns, strict=True):
            canvas.rect(x, top - row.height, width, row.height, stroke=1, fill=0)
            spare = row.height - 2 * CELL_PAD - len(lines) * leading
            y = top - CELL_PAD - spare / 2 - (leading + metrics.size * 0.7) / 2
            for line in lines:
                if row.header or column.centred:
                    offset = (width - line.natural_width) / 2
                else:
                    offset = CELL_PAD
                self._draw_runs(chain, metrics.size, x + offset, y, line.text, 0.0, metrics)
                y -= leading
            x += width
        self._y = top - row.height


@dataclass(frozen=True)
class _Row:
    cells: list[list[Line]]
    height: float
    header: bool


@dataclass(frozen=True)
class _Column:
    """A table column: its width, its header's words and how its cells are broken."""

    width: float
    centred: bool  # short values (序号, 等级…) centred under the header
    words: tuple[str, ...]  # the header's pieces that may go on lines of their own
    unbroken: bool = False  # a cell's lines are never broken

    @property
    def inner(self) -> float:
        return self.width - 2 * CELL_PAD

    def header_lines(self, text: str, metrics: _Metrics) -> list[Line]:
        """The header on as few lines as fit, broken only between its words."""
        lines: list[list[Token]] = [[]]
        used = 0.0
        for word in self.words:
            width = sum(metrics.natural(c) for c in word)
            if lines[-1] and used + width > self.inner + 0.01:
                lines.append([])
                used = 0.0
            lines[-1].append(Token(word, width))
            used += width
        return [Line.of(tuple(t), 0.0, i == len(lines) - 1) for i, t in enumerate(lines)]

    def cell_lines(self, text: str, metrics: _Metrics) -> list[Line]:
        """A cell's lines: its own line breaks ("\n") kept, each part broken to fit."""
        found: list[Line] = []
        for part in text.split("\n"):
            if self.unbroken:
                width = sum(metrics.natural(c) for c in part)
                found.append(Line.of((Token(part, width),), 0.0, True))
            else:
                found += metrics.lines(part, self.inner, 0.0)
        return found


def header_words(text: str) -> tuple[str, ...]:
    """Where a header may be broken: before an opening bracket, and between the
    two-character words of an even run of hanzi (信用|等级, 统一|社会|信用|代码); a run of
    odd length (检查组) stays whole."""
    words: list[str] = []
    for piece in (p for p in re.split(r"(?=[（(])", text) if p):
        if piece[0] in "（(" or len(piece) % 2 or not all("\u4e00" <= c <= "\u9fff" for c in piece):
            words.append(piece)
        else:
            words += [piece[i : i + 2] for i in range(0, len(piece), 2)]
    return tuple(words) or ("",)


def _shared(least: Sequence[float], most: Sequence[float], available: float) -> list[float]:
    """Widths between each column's least and most, as HTML's automatic table layout
    shares them: all at most if that fits, else the room above the least shared by
    how much more each would take."""
    if sum(least) >= available:  # too many columns: all shrunk alike (words may overflow)
        return [w * available / sum(least) for w in least]
    if sum(most) <= available:  # everything on one line: the spare room shared alike
        return [w * available / sum(most) for w in most]
    spare = available - sum(least)
    slack = [m - w for m, w in zip(most, least, strict=True)]
    return [w + spare * s / sum(slack) for w, s in zip(least, slack, strict=True)]


def table_columns(table: Table, body: _Metrics, head: _Metrics, available: float) -> list[_Column]:
    """Column widths as readers expect of a table: each column at least as wide as its
    longest unbreakable piece (a code, a bracketed number with its marks, an unbroken
    line) and its header — whole, or broken between words when that makes the table
    shorter — the rest shared by how much text each column holds."""
    pad = 2 * CELL_PAD

    def natural(metrics: _Metrics, text: str) -> float:
        return sum(metrics.natural(c) for c in text)

    count = len(table.headers)
    unbroken = [c in table.unbroken for c in range(count)]
    words = [header_words(h) for h in table.headers]
    head_full = [natural(head, h) + pad for h in table.headers]
    head_word = [max(natural(head, w) for w in ws) + pad for ws in words]
    several_lines = [False] * count  # a cell of the column has lines of its own
    longest = [0.0] * count  # the widest piece no break may split
    widest = [0.0] * count  # the widest cell line, unbroken
    parts: list[list[list[float]]] = []  # each row's cells' line widths, unbroken
    known: dict[tuple[int, str], list[float]] = {}
    for row in table.rows:
        cells = []
        for c, cell in enumerate(row):
            found = known.get((c, cell))
            if found is None:
                found = known[(c, cell)] = [natural(body, part) for part in cell.split("\n")]
                runs = [
                    width
                    if unbroken[c] or len(part) <= SHORT_CELL
                    else widest_run(part, body.natural)
                    for part, width in zip(cell.split("\n"), found, strict=True)
                ]
                several_lines[c] = several_lines[c] or len(found) > 1
                longest[c] = max(longest[c], max(runs) + pad)
                widest[c] = max(widest[c], max(found) + pad)
            cells.append(found)
        parts.append(cells)

    sample = parts[:: max(1, len(parts) // SAMPLE_ROWS)]  # rows the line counts look at

    def row_lines(widths: Sequence[float]) -> int:
        """The lines the (sampled) rows take at ``widths``, as break_lines would roughly
        give them."""
        inner = [max(1.0, w - pad) for w in widths]
        return sum(
            max(
                sum(max(1, math.ceil(p / inner[c] - 0.01)) for p in cell)
                if not unbroken[c]
                else len(cell)
                for c, cell in enumerate(cells)
            )
            for cells in sample
        )

    def laid_out(
        heads: Sequence[float], pieces: Sequence[tuple[str, ...]]
    ) -> tuple[list[float], float]:
        """Widths with ``heads`` as the headers' least, and the table's lines."""
        least = [max(h, w) for h, w in zip(heads, longest, strict=True)]
        most = [max(h, w, m) for h, w, m in zip(head_full, widest, least, strict=True)]
        widths = _shared(least, most, available)
        lines = row_lines(widths)
        # A column whose every value would fit on one line (执法主体, a town) gets that
        # width from the others' room above their least, where that saves lines: a
        # value broken in every row costs more than a long name broken now and then.
        for column in range(count):
            need = most[column] - widths[column]
            room = [
                max(0.0, w - m) if c != column else 0.0
                for c, (w, m) in enumerate(zip(widths, least, strict=True))
            ]
            if need <= 0.01 or sum(room) < need:
                continue
            trial = [w - need * r / sum(room) for w, r in zip(widths, room, strict=True)]
            trial[column] = most[column]
            trial_lines = row_lines(trial)
            if trial_lines < lines:
                widths, lines = trial, trial_lines
        head_lines = max(
            len(_Column(w, False, ws).header_lines("", head))
            for w, ws in zip(widths, pieces, strict=True)
        )
        return widths, lines + head_lines

    whole, whole_lines = laid_out(head_full, [(h,) for h in table.headers])
    split, split_lines = laid_out(head_word, words)
    widths = whole if whole_lines <= split_lines else split
    return [
        _Column(
            width,
            centred=widest[c] <= head_full[c] + 0.01 and not several_lines[c],
            words=words[c] if widths is split else (table.headers[c],),
            unbroken=unbroken[c],
        )
        for c, width in enumerate(widths)
    ]


def refuse_lost_characters(
    fonts: DocumentFonts, documents: Sequence[Document], numbers: Sequence[str]
) -> None:
    """Refuse documents that would lose a character no font has (documents.md: every
    character drawn), naming the characters and the documents, before any is numbered."""
    used: set[str] = set()  # every character once: a batch repeats most of its text
    for document, number in zip(documents, numbers, strict=True):
        for text in document.texts(number):
            used.update(text)
    if not fonts.missing(used):
        return
    lost: dict[str, list[str]] = {}
    for document, number in zip(documents, numbers, strict=True):
        missing = fonts.missing(document.texts(number))
        for char in missing:
            lost.setdefault(char, [])
            who = document.subject or document.title
            if who not in lost[char]:
                lost[char].append(who)
    if not lost:
        return
    chars = "、".join(f"“{c}”（U+{ord(c):04X}）" for c in lost)
    where = "、".join(dict.fromkeys(who for found in lost.values() for who in found))
    raise SafeCreditError(
        f"{where}的文书中有字体无法显示的字符：{chars}。印出来会缺字，文书未生成，也未取文号。"
        "请核对企业名称等内容，改用规范汉字后再出具。"
    )


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
    with collector.paused():
        for index, (document, number) in enumerate(zip(documents, numbers, strict=True)):
            pages.append(writer.add(document, number))
            if progress is not None:
                progress(index + 1)
        return writer.finish(), pages
