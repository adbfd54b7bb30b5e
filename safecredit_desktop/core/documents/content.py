"""What a printed document says, apart from how it is drawn.

Each kind's builder returns a ``Document``; ``render`` lays it out. The content's
fingerprint (everything but the number) tells a reprint from a new document.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Literal

Align = Literal["justify", "left", "center", "right"]


@dataclass(frozen=True)
class Para:
    """A paragraph of body text, or a heading: ``level`` 1 (一、) is drawn in 黑体,
    level 2 (（一）) in 楷体 where the fonts have one (GB/T 9704 7.3.3)."""

    text: str
    indent: bool = True  # 首行缩进两字
    align: Align = "justify"
    level: int = 0


@dataclass(frozen=True)
class Table:
    """A ruled table; the header row repeats on every page it runs onto. Columns are
    as wide as their content asks (headers whole, codes unbroken); a cell's "\n"
    starts a new line in it."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    size: float = 12.0  # 小四
    caption: str = ""
    unbroken: tuple[int, ...] = ()  # columns whose lines are never broken (names and ids)


@dataclass(frozen=True)
class Gap:
    lines: int = 1


@dataclass(frozen=True)
class Signature:
    """The issuer's name and the date, right-aligned, with the place for the seal."""

    issuer: str
    day: date
    seal: bool = True


@dataclass(frozen=True)
class SignLines:
    """Lines for the unit's signature and seal (commitment letters)."""

    lines: tuple[str, ...]


Block = Para | Table | Gap | Signature | SignLines


@dataclass(frozen=True)
class Document:
    kind: str
    title: str
    issuer: str  # the issuing bureau
    addressee: str  # e.g. "某某公司（统一社会信用代码：…）："; may be empty
    blocks: tuple[Block, ...]
    unit_id: int | None = None
    subject: str = ""  # what the register lists: the unit's name, "2027年度检查计划"…
    landscape: bool = False
    params: dict[str, object] = field(default_factory=dict)

    def texts(self, number: str = "") -> Iterator[str]:
        """Every piece of text the document draws (with its 文号 ``number``): what the
        fonts must cover."""
        yield from (self.title, number, self.addressee)
        for block in self.blocks:
            if isinstance(block, Para):
                yield block.text
            elif isinstance(block, Table):
                yield block.caption
                yield from block.headers
                for row in block.rows:
                    yield from row
            elif isinstance(block, Signature):
                yield block.issuer
                yield chinese_date(block.day)
            elif isinstance(block, SignLines):
                yield from block.lines

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of the content (title, addressee, every block, the dates in it).

        The blocks' dataclass ``repr`` is exact and stable: it names every field."""
        text = repr(
            (
                self.kind,
                self.title,
                self.issuer,
                self.addressee,
                self.unit_id,
                self.subject,
                self.landscape,
                self.blocks,
            )
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chinese_date(day: date) -> str:
    """A date as GB/T 9704-2012 writes it: 2026年11月21日 (Arabic numerals, no zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def doc_number(prefix: str, year: int, seq: int) -> str:
    """文号 such as 凤应急信告〔2026〕12号 (六角括号, no leading zeros)."""
    return f"{prefix}〔{year}〕{seq}号"


def preview_number(prefix: str, year: int) -> str:
    """What a preview shows where the number goes: a preview takes no number."""
    return f"{prefix}〔{year}〕　号（预览，出具时编号）"
