"""The page as GB/T 9704-2012 sets it out (documents.md, Layout), measured on the PDF:
page numbers (4号 半角宋体 "— 1 —", the top of the dashes 7 mm below the text block,
odd pages right and even pages left one character in), headings in 黑体, no line past
the 156 mm block (pdftotext -bbox), the signature and seal block never alone on a
page, a heading never last on a page, and a real creation date."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from safecredit_desktop.core.documents import fonts as doc_fonts
from safecredit_desktop.core.documents.content import (
    Block,
    Document,
    Para,
    Signature,
    SignLines,
    Table,
    chinese_date,
)
from safecredit_desktop.core.documents.render import (
    PAGE_NUMBER_SIZE,
    PORTRAIT,
    render_pdf,
    table_columns,
)
from safecredit_desktop.core.documents.render import (
    _Metrics as Metrics,
)
from safecredit_desktop.core.documents.typeset import NO_LINE_END, NO_LINE_START

MM = 72 / 25.4
TODAY = date(2026, 11, 21)
BUREAU = "测试县应急管理局"
FONTS = doc_fonts.load_fonts()
BLOCK_LEFT_MM = 28.0
BLOCK_RIGHT_MM = 28.0 + 156.0
BLOCK_BOTTOM_MM = 37.0 + 225.0  # from the page's top edge
DPI = 600


@dataclass(frozen=True)
class Word:
    text: str
    x_min: float  # points from the left edge
    x_max: float
    y_min: float  # points from the top edge
    y_max: float


def words(path: Path) -> list[list[Word]]:
    """pdftotext -bbox: each page's words with their boxes."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    out = re.sub(r"<!DOCTYPE[^>]*>", "", out).replace(' xmlns="http://www.w3.org/1999/xhtml"', "")
    root = ElementTree.fromstring(out)
    return [
        [
            Word(
                w.text or "",
                float(w.get("xMin", 0)),
                float(w.get("xMax", 0)),
                float(w.get("yMin", 0)),
                float(w.get("yMax", 0)),
            )
            for w in page.iter("word")
        ]
        for page in root.iter("page")
    ]


def render(tmp: Path, *documents: Document, name: str = "doc.pdf") -> Path:
    pdf, _ = render_pdf(FONTS, list(documents), ["测〔2026〕1号"] * len(documents))
    path = tmp / name
    path.write_bytes(pdf)
    return path


def page_texts(path: Path) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return ["".join(page.split()) for page in out.split("\f")[:-1]]


def pdf_fonts(path: Path) -> str:
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout


def notice(*body: Block) -> Document:
    return Document("grade-notice", "版式测试", BUREAU, "某某有限公司：", tuple(body))


# -- page numbers -------------------------------------------------------------------------------


def _dash_ink(image: Image.Image, left_dash: bool) -> tuple[float, float, float]:
    """(top of the dash's ink below the block in mm, its left and right ink edges in mm
    from the page's left edge) of the page number's left or right dash."""
    px = DPI / 25.4
    top = round(BLOCK_BOTTOM_MM * px)
    band = image.crop((0, top, image.width, top + round(20 * px))).point(
        lambda v: 255 if v < 128 else 0
    )
    box = band.getbbox()
    assert box is not None, "no page number below the text block"
    x0, _y0, x1, _y1 = box
    # the dash: the first (or last) 3 mm of the number's ink, a thin horizontal bar
    strip = (
        (x0, 0, x0 + round(3 * px), band.height)
        if left_dash
        else (x1 - round(3 * px), 0, x1, band.height)
    )
    dash = band.crop(strip).getbbox()
    assert dash is not None
    dash_left = (strip[0] + dash[0]) / px
    dash_right = (strip[0] + dash[2]) / px
    assert (dash[3] - dash[1]) / px < 0.5, "not a dash: the bar is too thick"
    return dash[1] / px, dash_left, dash_right


def test_page_number_dashes_7mm_below_the_block_odd_right_even_left(tmp_path: Path) -> None:
    body = tuple(Para("正文" * 14, indent=False) for _ in range(30))
    path = render(tmp_path, notice(*body, Signature(BUREAU, TODAY)))
    prefix = tmp_path / "page"
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-gray", "-f", "1", "-l", "2", str(path), str(prefix)],
        check=True,
    )
    odd, even = (Image.open(p).convert("L") for p in sorted(tmp_path.glob("page-*.pgm")))
    one_char = PAGE_NUMBER_SIZE / MM  # 4号: 4.94 mm
    top, _left, right = _dash_ink(odd, left_dash=False)
    assert top == pytest.approx(7.0, abs=0.15), f"odd page: dash {top:.2f} mm below the block"
    # the ink of the right dash one character in from the block's right edge
    assert BLOCK_RIGHT_MM - one_char - 0.6 <= right <= BLOCK_RIGHT_MM - one_char + 0.1
    top, left, _right = _dash_ink(even, left_dash=True)
    assert top == pytest.approx(7.0, abs=0.15), f"even page: dash {top:.2f} mm below the block"
    assert BLOCK_LEFT_MM + one_char - 0.1 <= left <= BLOCK_LEFT_MM + one_char + 0.6


def test_page_number_is_half_width_song_with_one_em_dashes(tmp_path: Path) -> None:
    # Common characters only: Fandol 仿宋 and 宋体粗 draw the text; the page number alone
    # may bring in another font.
    path = render(tmp_path, notice(Para("本单位安全生产信用评定。"), Signature(BUREAU, TODAY)))
    assert "UMing" in pdf_fonts(path)  # AR PL UMing: the shipped 宋体
    assert doc_fonts.SHIPPED_SONG[0] == "uming-cn.ttf"
    number = [w for w in words(path)[0] if w.y_min > BLOCK_BOTTOM_MM * MM]
    assert [w.text for w in number] == ["—", "1", "—"]
    dash, digit, _ = number
    assert digit.x_max - digit.x_min == pytest.approx(PAGE_NUMBER_SIZE / 2, abs=0.05)  # 半角
    assert dash.x_max - dash.x_min == pytest.approx(PAGE_NUMBER_SIZE, abs=0.05)  # 一字线
    assert (digit.y_max - digit.y_min) == pytest.approx(PAGE_NUMBER_SIZE, rel=0.35)  # 4号


# -- headings ----------------------------------------------------------------------------------


def test_first_level_headings_in_hei(tmp_path: Path) -> None:
    plain = render(tmp_path, notice(Para("一、评定依据"), Para("正文。")), name="plain.pdf")
    headed = render(tmp_path, notice(Para("一、评定依据", level=1), Para("正文。")), name="h.pdf")
    assert "MicroHei" not in pdf_fonts(plain)
    assert "MicroHei" in pdf_fonts(headed)  # 文泉驿微米黑: the shipped 黑体


def test_second_level_headings_in_kai_where_the_chain_has_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("WINDIR", "SYSTEMROOT", "LOCALAPPDATA"):
        monkeypatch.delenv(name, raising=False)
    shipped = doc_fonts.load_fonts()
    assert shipped.kai is None and shipped.kai_chain is shipped.body  # no open 楷体 shipped
    folder = tmp_path / "fonts"
    folder.mkdir()
    (folder / "simkai.ttf").write_bytes(
        doc_fonts.shipped_fonts_dir().joinpath("fandol-fang.ttf").read_bytes()
    )
    official = doc_fonts.load_fonts(doc_fonts.official_choice(folder))
    assert official.kai is not None and "simkai" in official.kai_chain.primary


# -- the 156 mm block --------------------------------------------------------------------------


def test_lines_with_digits_end_at_the_block_edge(tmp_path: Path) -> None:
    """Justified lines mixing hanzi and half-width digits, a right-aligned number and a
    full line: none runs past the block (pdftotext -bbox, every word)."""
    body = (
        Para("自受理之日起20个工作日内作出核查答复。异议核查期间，不影响信用等级的执行。" * 2),
        Para("2027-06-27起该失信行为（2026-06-27）不再计入1年内，届时可评为三级。" * 3),
        Para("统一社会信用代码91433123MA1JU61M25，处罚凤应急罚〔2025〕12号，罚款30000元。" * 2),
        Para("字" * 28, indent=False),
        Para("1234567890" * 5, indent=False),
        Signature(BUREAU, TODAY),
    )
    path = render(tmp_path, notice(*body))
    right = max(w.x_max for page in words(path) for w in page)
    assert right <= BLOCK_RIGHT_MM * MM + 0.01 * MM, f"{(right / MM - BLOCK_RIGHT_MM):.3f} mm over"


# -- what goes together -------------------------------------------------------------------------


def _filled_to(lines_left: int) -> tuple[Block, ...]:
    """Body that leaves ``lines_left`` grid lines on the first page (title, number and a
    blank line take 3 of 22, the addressee 1)."""
    return tuple(Para("正" * 28, indent=False) for _ in range(22 - 4 - lines_left))


@pytest.mark.parametrize(
    "sign",
    [
        Signature(BUREAU, TODAY),
        SignLines(("承诺单位（盖章）：", "法定代表人（签字）：", "主要负责人（签字）：", "年月日")),
        SignLines(("单位（盖章）：", "主要负责人（签字）：", "年月日")),
    ],
)
@pytest.mark.parametrize("left", [1, 2, 3, 4])
def test_signature_or_seal_block_never_alone_on_a_page(
    tmp_path: Path, sign: Block, left: int
) -> None:
    closing = Para("如违反上述承诺，愿意承担相应的法律责任。" * 3)  # three lines
    path = render(tmp_path, notice(*_filled_to(left), closing, Para("特此告知。"), sign))
    pages = page_texts(path)
    last = pages[-1]
    marker = "盖章" if isinstance(sign, SignLines) else chinese_date(TODAY)
    assert marker in last
    # the page with the signature holds body text too: at least the last two lines
    assert "特此告知。" in last and "法律责任。" in last


def test_a_heading_never_ends_a_page(tmp_path: Path) -> None:
    path = render(
        tmp_path,
        notice(*_filled_to(1), Para("三、信用提升提示", level=1), Para("提示正文。" * 12)),
    )
    first, second = page_texts(path)[:2]
    assert "三、信用提升提示" not in first
    assert second.startswith("三、信用提升提示提示正文")


# -- tables ---------------------------------------------------------------------------------------

DRAW_HEADERS = (
    "序号",
    "统一社会信用代码",
    "单位名称",
    "乡镇（街道）",
    "信用等级",
    "检查组（姓名、执法证号）",
)
ALLOWED_HEADER_LINES = {
    "信用等级": (["信用等级"], ["信用", "等级"]),
    "乡镇（街道）": (["乡镇（街道）"], ["乡镇", "（街道）"]),
    "检查组（姓名、执法证号）": (["检查组（姓名、执法证号）"], ["检查组", "（姓名、执法证号）"]),
    "统一社会信用代码": (["统一社会信用代码"], ["统一社会", "信用代码"]),
}


def test_table_headers_split_only_between_words_and_cells_keep_the_rules() -> None:
    rows = tuple(
        (
            str(n),
            f"91433123MA{n:07d}X",
            "凤凰县" + "林峰嘉力酒厂大盛铝业有限责任公司"[: 4 + n % 12],
            "阿尔丁街道" if n % 2 else "千工坪镇",
            "ABCD"[n % 4],
            f"贾思欣 433123201{n:05d}\n闫雪 433123202{n:05d}",
        )
        for n in range(1, 40)
    )
    table = Table(DRAW_HEADERS, rows, size=10.5, unbroken=(5,))
    body = Metrics(FONTS.body, 10.5, None)
    head = Metrics(FONTS.heading_chain, 10.5, None)
    columns = table_columns(table, body, head, PORTRAIT.text_width)
    assert sum(c.width for c in columns) == pytest.approx(PORTRAIT.text_width)
    for header, column in zip(DRAW_HEADERS, columns, strict=True):
        lines = [line.text for line in column.header_lines(header, head)]
        assert lines == [header] or lines in ALLOWED_HEADER_LINES.get(header, ()), lines
        for line in column.header_lines(header, head):
            assert line.natural_width <= column.inner + 0.01, header
    for row in rows:
        for cell, column in zip(row, columns, strict=True):
            lines = column.cell_lines(cell, body)
            for number, line in enumerate(lines):
                assert line.natural_width <= column.inner + 0.01, (cell, line.text)
                assert line.text not in ("（", "(")
                if number:
                    assert line.text[:1] not in NO_LINE_START, (cell, line.text)
                assert line.text[-1:] not in NO_LINE_END or number == len(lines) - 1
            if len(cell) <= 6:
                assert len(lines) == 1, cell  # a town or a grade is never broken


# -- the file ---------------------------------------------------------------------------------


def test_pdf_has_a_real_creation_date(tmp_path: Path) -> None:
    path = render(tmp_path, notice(Para("正文。")))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    created = next(x for x in info.stdout.splitlines() if x.startswith("CreationDate:"))
    assert str(date.today().year) in created and "2000" not in created, created
