"""Chinese line breaking on a character grid.

Full-width characters (hanzi, Chinese punctuation) take exactly one grid pitch, as
word processors' 文档网格 places them; half-width characters take their own width,
and a run of letters and digits (a code, a date, a number) is never split unless it
is longer than a line; nor is a number with its marks (第1号, 〔2026〕12号). No line
starts with closing punctuation nor ends with an opening mark: the characters before
are pushed to the next line (推出), and the line is justified so its right edge stays
on the grid. Where nothing can be pushed
(the line is one glued run), the half-width word after it is cut instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

# Closing punctuation that must not start a line, and opening marks that must not
# end one (documents.md, plus their half-width and other common forms).
NO_LINE_START = frozenset("，。、；：？！」』）》〉】〕〗”’…‥·%‰℃,.;:?!)]}")
NO_LINE_END = frozenset("「『（《〈【〔〖“‘([{")
# A run of these characters is one unbreakable half-width word; it never begins with
# a closing mark (a leading "." or ":" is a token of its own, glued to what precedes).
_TOKEN = re.compile(r"[A-Za-z0-9\-_/+#&@'][A-Za-z0-9.\-_/:+#&@%']*|.", re.DOTALL)


class Token(NamedTuple):
    """An unbreakable piece: one full-width character or a half-width word."""

    text: str
    width: float


@dataclass(frozen=True)
class Line:
    tokens: tuple[Token, ...]
    indent: float  # points before the first token
    last: bool  # the paragraph's last line (not justified)
    text: str = ""
    natural_width: float = 0.0

    @classmethod
    def of(cls, tokens: tuple[Token, ...], indent: float, last: bool) -> Line:
        text = "".join(t.text for t in tokens)
        return cls(tokens, indent, last, text, sum(t.width for t in tokens))


def tokens_of(text: str, width_of: Callable[[str], float]) -> list[Token]:
    """Split ``text`` into tokens; ``width_of(char)`` gives a character's advance."""
    found = []
    for piece in _TOKEN.findall(text):
        if len(piece) == 1:
            found.append(Token(piece, width_of(piece)))
        else:
            found.append(Token(piece, sum(width_of(c) for c in piece)))
    return found


def _split_long(token: Token, width: float, width_of: Callable[[str], float]) -> list[Token]:
    """A word longer than a line, cut into pieces that fit."""
    pieces: list[Token] = []
    current, current_width = "", 0.0
    for char in token.text:
        w = width_of(char)
        if current and current_width + w > width:
            carried = ""
            if char in NO_LINE_START and len(current) > 1:
                carried = current[-1]  # the next piece must not start with a closing mark
                current = current[:-1]
            pieces.append(Token(current, sum(width_of(c) for c in current)))
            current, current_width = carried, sum(width_of(c) for c in carried)
        current += char
        current_width += w
    if current:
        pieces.append(Token(current, current_width))
    return pieces


# A number with its marks is one piece: 第1号, 第3次, 〔2026〕12号 (an application's or a
# document's number) never break as 「（第1」/「号）」 or 「〔2026〕」/「12号」.
NUMBER_OPENERS = frozenset("第〕")
NUMBER_UNITS = frozenset("号次条项")


def _breakable(before: Token, after: Token) -> bool:
    last, first = before.text[-1], after.text[0]
    if first in NO_LINE_START or last in NO_LINE_END:
        return False
    if first.isdigit() and last in NUMBER_OPENERS:
        return False
    return not (last.isdigit() and first in NUMBER_UNITS)


def break_lines(
    text: str,
    width: float,
    width_of: Callable[[str], float],
    *,
    first_indent: float = 0.0,
) -> list[Line]:
    """Lines of one paragraph filling ``width`` points (``first_indent`` on the first)."""
    tokens: list[Token] = []
    for token in tokens_of(text, width_of):
        if token.width > width - first_indent and len(token.text) > 1:
            tokens.extend(_split_long(token, width - first_indent, width_of))
        else:
            tokens.append(token)
    lines: list[Line] = []
    start = 0
    indent = first_indent
    tolerance = 0.01
    while start < len(tokens):
        used = indent
        end = start
        while end < len(tokens) and used + tokens[end].width <= width + tolerance:
            used += tokens[end].width
            end += 1
        if end == start:  # a single token wider than the line: it goes alone
            end = start + 1
        elif end < len(tokens) and not _breakable(tokens[end - 1], tokens[end]):
            pushed = end - 1
            while pushed > start and not _breakable(tokens[pushed - 1], tokens[pushed]):
                pushed -= 1
            if pushed > start:
                end = pushed
            elif _cut_next_word(tokens, end, width + tolerance - used, width_of):
                end += 1
        lines.append(Line.of(tuple(tokens[start:end]), indent, end >= len(tokens)))
        start = end
        indent = 0.0
    if not lines:
        lines.append(Line.of((), first_indent, True))
    return lines


def _cut_next_word(
    tokens: list[Token], index: int, room: float, width_of: Callable[[str], float]
) -> bool:
    """Cut the half-width word ``tokens[index]`` so that its head fills ``room`` and the
    line before it may end there; False when no such cut exists."""
    word = tokens[index].text
    head_width = 0.0
    cut = 0
    while cut < len(word) and head_width + width_of(word[cut]) <= room:
        head_width += width_of(word[cut])
        cut += 1
    cut = min(cut, len(word) - 1)
    while cut > 0 and (word[cut] in NO_LINE_START or word[cut - 1] in NO_LINE_END):
        cut -= 1
    if cut == 0 or len(word) < 2:
        return False
    head, tail = word[:cut], word[cut:]
    tokens[index : index + 1] = [
        Token(head, sum(width_of(c) for c in head)),
        Token(tail, sum(width_of(c) for c in tail)),
    ]
    return True


def widest_run(text: str, width_of: Callable[[str], float]) -> float:
    """The width of the widest piece of ``text`` that no line break may split (a code,
    or characters glued by the punctuation rules: 「欣（4331…）、」): the least a column
    holding ``text`` must give so that no line runs over it."""
    widest = 0.0
    run = 0.0
    previous: Token | None = None
    for token in tokens_of(text, width_of):
        if previous is not None and _breakable(previous, token):
            run = 0.0
        run += token.width
        widest = max(widest, run)
        previous = token
    return widest
