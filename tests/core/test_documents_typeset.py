"""Chinese line breaking on the character grid (documents.md): no line starts with
closing punctuation nor ends with an opening mark, lines keep to the width, the text
is kept whole and in order, and 28 characters of 3号 fill the 442.2 pt line."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from safecredit_desktop.core.documents.fonts import load_fonts
from safecredit_desktop.core.documents.render import (
    BODY_SIZE,
    CHARS_PER_LINE,
    PORTRAIT,
    _Metrics,
)
from safecredit_desktop.core.documents.typeset import (
    NO_LINE_END,
    NO_LINE_START,
    Line,
    break_lines,
    tokens_of,
)

# documents.md names these; the module may forbid more, never fewer.
SPEC_CLOSING = "，。、；：？！」）》"
SPEC_OPENING = "「（《"
HANZI = "安全生产信用等级告知书企业单位评定依据监管措施骉镕珺玥喆垚赟"
TOLERANCE = 0.01

FONTS = load_fonts()
METRICS = _Metrics(FONTS.body, BODY_SIZE, PORTRAIT.pitch)


def width_of(char: str) -> float:
    return METRICS.width(char)


def check_lines(text: str, lines: list[Line], width: float) -> None:
    assert "".join(line.text for line in lines) == text
    for number, line in enumerate(lines):
        if number > 0 and line.text:
            assert line.text[0] not in NO_LINE_START, [x.text for x in lines]
        if number < len(lines) - 1 and line.text:
            assert line.text[-1] not in NO_LINE_END, [x.text for x in lines]
        if len(line.tokens) > 1:
            assert line.indent + line.natural_width <= width + TOLERANCE, line.text
    assert lines[-1].last and not any(line.last for line in lines[:-1])


def test_spec_punctuation_is_covered() -> None:
    assert set(SPEC_CLOSING) <= NO_LINE_START
    assert set(SPEC_OPENING) <= NO_LINE_END


# Text as it occurs: hanzi, half-width words (codes, dates, numbers), a character with
# one or two closing marks after it, an opening mark before one, a bracketed phrase.
_hanzi = st.sampled_from(HANZI)
_closing = st.sampled_from(SPEC_CLOSING + "”’")
_opening = st.sampled_from(SPEC_OPENING + "“‘【")
_word = st.text("abcdefxyzABCMQ0123456789-.:", min_size=1, max_size=10)
_atom = st.one_of(
    _hanzi,
    _hanzi,
    _hanzi,
    st.tuples(_word, _hanzi).map("".join),
    st.tuples(_hanzi, _closing).map("".join),
    st.tuples(_hanzi, _closing, _closing).map("".join),
    st.tuples(_opening, _hanzi).map("".join),
    st.tuples(_opening, _hanzi, _hanzi, _closing).map("".join),
    st.just(" "),
)
texts = st.lists(_atom, max_size=120).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, st.integers(8, 40), st.booleans())
# Found by hypothesis: the word ".0000000AA" began with a closing mark and the line
# before it held only 安, so nothing could be pushed and the next line began with ".".
@example("安.0000000AA安", 8, True)
def test_breaking_keeps_the_rules(text: str, chars: int, indent: bool) -> None:
    width = chars * PORTRAIT.pitch
    first_indent = 2 * PORTRAIT.pitch if indent else 0.0
    lines = break_lines(text, width, width_of, first_indent=first_indent)
    check_lines(text, lines, width)


@settings(max_examples=200, deadline=None)
@given(st.text(HANZI + SPEC_CLOSING + SPEC_OPENING + "abc123 ", max_size=200), st.integers(4, 40))
def test_any_text_is_kept_whole_and_within_width(text: str, chars: int) -> None:
    """Whatever the mix, nothing is lost or reordered and only a lone token overflows."""
    width = chars * PORTRAIT.pitch
    lines = break_lines(text, width, width_of)
    assert "".join(line.text for line in lines) == text
    for line in lines:
        assert len(line.tokens) == 1 or line.indent + line.natural_width <= width + TOLERANCE


@pytest.mark.parametrize("mark", list(SPEC_CLOSING))
def test_closing_mark_at_the_break_pulls_a_character_down(mark: str) -> None:
    text = "字" * CHARS_PER_LINE + mark + "后文"
    lines = break_lines(text, PORTRAIT.text_width, width_of)
    check_lines(text, lines, PORTRAIT.text_width)
    assert [line.text for line in lines] == ["字" * 27, "字" + mark + "后文"]


@pytest.mark.parametrize("mark", list(SPEC_OPENING))
def test_opening_mark_at_the_end_goes_down(mark: str) -> None:
    text = "字" * 27 + mark + "引文"
    lines = break_lines(text, PORTRAIT.text_width, width_of)
    check_lines(text, lines, PORTRAIT.text_width)
    assert [line.text for line in lines] == ["字" * 27, mark + "引文"]


def test_two_closing_marks_after_a_full_line() -> None:
    text = "字" * 28 + "）。" + "下文"
    lines = break_lines(text, PORTRAIT.text_width, width_of)
    check_lines(text, lines, PORTRAIT.text_width)
    assert lines[1].text.startswith("字）。")


def test_twenty_eight_hanzi_fill_one_line_at_3hao() -> None:
    assert PORTRAIT.text_width == pytest.approx(442.2, abs=0.01)
    assert width_of("字") == pytest.approx(442.2 / 28, abs=0.001)
    one = break_lines("字" * 28, PORTRAIT.text_width, width_of)
    assert [len(line.text) for line in one] == [28]
    assert [len(line.text) for line in break_lines("字" * 29, PORTRAIT.text_width, width_of)] == [
        28,
        1,
    ]
    # The first line of a paragraph is indented two characters: 26 fit there.
    indented = break_lines(
        "字" * 54, PORTRAIT.text_width, width_of, first_indent=2 * PORTRAIT.pitch
    )
    assert [len(line.text) for line in indented] == [26, 28]
    # At its natural 16 pt advance (448 pt for 28) the line would hold only 27.
    natural = _Metrics(FONTS.body, BODY_SIZE, None)
    assert 28 * natural.width("字") > PORTRAIT.text_width
    assert len(break_lines("字" * 28, PORTRAIT.text_width, natural.width)) == 2


def test_codes_and_dates_are_not_split() -> None:
    code = "91433123MA1JU61M25"
    text = "字" * 20 + f"统一社会信用代码{code}，日期2026-09-20。"
    lines = break_lines(text, PORTRAIT.text_width, width_of)
    check_lines(text, lines, PORTRAIT.text_width)
    assert any(code in line.text for line in lines)
    assert any("2026-09-20" in line.text for line in lines)
    assert code in [t.text for t in tokens_of(text, width_of)]


def test_a_word_longer_than_the_line_is_cut_and_goes_alone() -> None:
    word = "A" * 200
    lines = break_lines("字" + word + "字", 10 * PORTRAIT.pitch, width_of)
    assert "".join(line.text for line in lines) == "字" + word + "字"
    for line in lines:
        assert line.natural_width <= 10 * PORTRAIT.pitch + TOLERANCE


def test_empty_paragraph_is_one_empty_line() -> None:
    lines = break_lines("", PORTRAIT.text_width, width_of, first_indent=32.0)
    assert len(lines) == 1 and lines[0].text == "" and lines[0].last


def test_opening_mark_before_a_line_long_word() -> None:
    width = PORTRAIT.text_width
    url = "https://www.example.gov.cn/"
    while sum(width_of(c) for c in url + "x") < width:
        url += "x"
    text = "见（" + url + "）。"
    assert sum(width_of(c) for c in url) < width < sum(width_of(c) for c in "（" + url)
    check_lines(text, break_lines(text, width, width_of), width)


def test_a_word_starting_with_a_closing_mark_keeps_the_mark_up() -> None:
    width = 8 * PORTRAIT.pitch
    lines = break_lines("安.0000000AA安", width, width_of, first_indent=2 * PORTRAIT.pitch)
    check_lines("安.0000000AA安", lines, width)
    assert lines[0].text == "安."


def test_a_cut_word_piece_never_starts_with_a_closing_mark() -> None:
    width = 6 * PORTRAIT.pitch
    for n in range(1, 30):
        word = "A" * n + "." + "B" * 40
        lines = break_lines(word, width, width_of)
        assert "".join(line.text for line in lines) == word
        assert not any(line.text.startswith(".") for line in lines), [x.text for x in lines]
