"""A number with its marks stays on one line: 「（第1号）」 never breaks as 「（第1」/「号）」
(the removal decision did, with its application number), nor 〔2026〕12号 as
「〔2026〕」/「12号」."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from test_documents_typeset import check_lines, width_of

from safecredit_desktop.core.documents.content import Document, Para
from safecredit_desktop.core.documents.fonts import load_fonts
from safecredit_desktop.core.documents.render import CHARS_PER_LINE, PORTRAIT, render_pdf
from safecredit_desktop.core.documents.typeset import break_lines, widest_run

WIDTH = CHARS_PER_LINE * PORTRAIT.pitch
NUMBERS = ("（第1号）", "（第12号）", "第3次", "凤应急信告〔2026〕12号", "第128条")


def _whole(number: str, lines: list[str]) -> bool:
    """The number with its marks on one line (a 文号's agency prefix may stay behind:
    a line may end before 〔, as after any hanzi)."""
    core = number[number.index("〔") :] if "〔" in number else number.strip("（）")
    return any(core in line for line in lines)


@pytest.mark.parametrize("number", NUMBERS)
@pytest.mark.parametrize("before", range(CHARS_PER_LINE + 1))
def test_a_number_is_never_split_across_lines(number: str, before: int) -> None:
    text = "安" * before + f"向我局提出申请{number}，经审核符合条件" + "全" * 30
    lines = break_lines(text, WIDTH, width_of)
    check_lines(text, lines, WIDTH)
    assert _whole(number, [line.text for line in lines]), [line.text for line in lines]


def test_the_glued_number_is_one_run_for_table_columns() -> None:
    assert widest_run("（第12号）", width_of) == pytest.approx(
        sum(width_of(c) for c in "（第12号）")
    )


def test_the_removal_decision_number_stays_on_its_line(tmp_path: Path) -> None:
    """The sentence of the removal decision that broke (pdftotext of the printed page)."""
    sentence = (
        "你单位于2026年10月8日向我局提出信用修复申请（第1号），"
        "申请修复的失信行为记录为：你单位于2025年6月10日有事故迟报行为。"
    )
    document = Document("removal-decision", "信用修复决定书", "测试局", "", (Para(sentence),))
    pdf, _ = render_pdf(load_fonts(), [document], ["测〔2026〕1号"])
    path = tmp_path / "decision.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    lines = [line.strip() for line in text.splitlines()]
    assert any("（第1号）" in line for line in lines), lines
