"""Pinyin search keys for unit names: typing ``fhhg`` finds 凤凰…化工…, ``zdq`` 曾都区.

Computed once when a name is stored (the repository's derived columns; migration 0008
re-indexed older databases), so searching 100,000 units is a scan of short strings
rather than a pinyin conversion per keystroke.

How a name is read:

1. Place names of ``resources/pinyin/readings.toml`` ``[places]`` are read as the table
   says wherever they occur (曾都 → zeng du; pypinyin reads ceng dou).
2. The rest is converted whole by pypinyin, whose phrase dictionary picks the reading of
   a heteronym from its neighbours (银行 → yin hang, 重庆 → chong qing).
3. Every character of ``[heteronyms]`` also keeps its other readings as search keys, so
   a clerk who reads 重庆 as zhong qing still finds it.

Bounds (heteronym combinations explode: a name with five such characters has 32
readings): the whole-reading keys (``keys``) hold the name's reading plus the readings
that differ from it in one character, at most :data:`MAX_READINGS` in all; the letter
groups (``letters``) hold, per character, its initial and the initials of its other
readings, at most :data:`MAX_INITIALS_PER_CHARACTER`, so a typed subsequence of initials
matches any combination without storing the combinations.

Letters and digits in a name are kept (lower-cased, full-width folded); punctuation
and spaces are dropped.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from safecredit_desktop.core.paths import resources_dir

MAX_READINGS = 8
MAX_INITIALS_PER_CHARACTER = 3
KEY_SEPARATOR = "#"
GROUP_END = ";"

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@dataclass(frozen=True)
class NameKeys:
    """The stored search keys of one name (columns of ``units``).

    ``initials`` (name_initials) and ``pinyin`` (name_pinyin, the sort key) are the
    name's own reading; ``keys`` (name_keys) is ``#initials#…#other full pinyin#…#``:
    the initials of every kept reading, then the full pinyin of the readings other than
    the name's own (short for the many names without heteronyms, so a scan stays fast);
    ``letters`` (name_letters) is one group of initials per character, each ended by
    ``;`` (``cz;q;`` for 重庆).
    """

    initials: str
    pinyin: str
    keys: str
    letters: str

    def columns(self) -> dict[str, str]:
        return {
            "name_initials": self.initials,
            "name_pinyin": self.pinyin,
            "name_keys": self.keys,
            "name_letters": self.letters,
        }


@dataclass(frozen=True)
class _Readings:
    places: dict[str, list[tuple[str, tuple[str, ...]]]]  # by first character, longest first
    heteronyms: dict[str, tuple[str, ...]]


@lru_cache(maxsize=1)
def _readings() -> _Readings:
    path = resources_dir() / "pinyin" / "readings.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    places: list[tuple[str, tuple[str, ...]]] = []
    for place, reading in data.get("places", {}).items():
        syllables = tuple(str(reading).split())
        if len(syllables) != len(place):
            raise ValueError(f"{path}: {place} has {len(place)} characters but {reading!r}")
        places.append((str(place), syllables))
    places.sort(key=lambda item: -len(item[0]))
    by_first: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for place, syllables in places:
        by_first.setdefault(place[0], []).append((place, syllables))
    heteronyms = {
        str(ch): tuple(str(r) for r in readings)
        for ch, readings in data.get("heteronyms", {}).items()
    }
    return _Readings(by_first, heteronyms)


def _convert_han(run: str) -> list[str]:
    """One syllable per character of a run of Chinese characters (phrase-aware).

    pypinyin's own segmentation (its phrase dictionary) splits the run; each piece is
    converted once and remembered, since names repeat their pieces (有限公司, 凤凰县).
    """
    out: list[str] = []
    for piece in _segments(run):
        out.extend(_convert_piece(piece))
    if len(out) != len(run):  # never expected; fall back to one character at a time
        out = [_convert_piece(ch)[0] for ch in run]
    return out


def _segments(run: str) -> list[str]:
    """pypinyin's ``seg`` of a run of :data:`_HAN` characters: its first step (splitting
    Chinese from other text, a regular expression per character) has nothing to split
    in such a run, so only the phrase matching is done: the same pieces in 0.36 s
    instead of 0.50 s for a city's 45,000 names."""
    from pypinyin.constants import PHRASES_DICT  # loaded when first needed (0.3 s)
    from pypinyin.seg import mmseg

    return list(mmseg.seg.cut(run)) if PHRASES_DICT else [run]


@lru_cache(maxsize=65536)
def _convert_piece(piece: str) -> tuple[str, ...]:
    from pypinyin import Style, lazy_pinyin

    keep: Any = list  # pypinyin: a character it cannot read is kept as itself
    syllables = lazy_pinyin(piece, style=Style.NORMAL, errors=keep)
    if len(syllables) != len(piece):
        syllables = [lazy_pinyin(ch, style=Style.NORMAL)[0] for ch in piece]
    return tuple(s.lower() for s in syllables)


def _han_syllables(run: str) -> list[str]:
    """A run of Chinese characters: place names from the table, the rest by pypinyin."""
    places = _readings().places
    out: list[str] = []
    rest_start = 0
    i = 0
    while i < len(run):
        for place, reading in places.get(run[i], ()):
            if run.startswith(place, i):
                if rest_start < i:
                    out.extend(_convert_han(run[rest_start:i]))
                out.extend(reading)
                i += len(place)
                rest_start = i
                break
        else:
            i += 1
    if rest_start < len(run):
        out.extend(_convert_han(run[rest_start:]))
    return out


def _positions(name: str) -> list[tuple[str, tuple[str, ...]]]:
    """(primary syllable, other readings) per kept character of ``name``."""
    text = unicodedata.normalize("NFKC", name)
    heteronyms = _readings().heteronyms
    out: list[tuple[str, tuple[str, ...]]] = []
    last = 0
    for match in _HAN.finditer(text):
        out.extend(_plain(text[last : match.start()]))
        run = match.group()
        for ch, syllable in zip(run, _han_syllables(run), strict=True):
            others = tuple(r for r in heteronyms.get(ch, ()) if r != syllable)
            out.append((syllable, others))
        last = match.end()
    out.extend(_plain(text[last:]))
    return out


def _plain(text: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(ch, ()) for ch in text.lower() if ch.isascii() and ch.isalnum()]


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def name_keys(name: str) -> NameKeys:
    """Every search key of ``name`` (see the module's docstring)."""
    positions = _positions(name)
    primary = [syllable for syllable, _ in positions]
    primary_initials = "".join(s[:1] for s in primary)
    primary_full = "".join(primary)
    initials = [primary_initials]
    fulls = [primary_full]
    count = 1
    for index, (syllable, others) in enumerate(positions):
        for other in others:
            if count >= MAX_READINGS:
                break
            count += 1
            fulls.append("".join([*primary[:index], other, *primary[index + 1 :]]))
            if other[:1] != syllable[:1]:
                initials.append(
                    primary_initials[:index] + other[:1] + primary_initials[index + 1 :]
                )
    groups = "".join(_group(syllable, others) for syllable, others in positions)
    if not primary:
        return NameKeys("", "", "", "")
    # the name's own full reading is name_pinyin; only the others are repeated here
    other_fulls = [full for full in _unique(fulls) if full != primary_full]
    keys = KEY_SEPARATOR + KEY_SEPARATOR.join(_unique(initials) + other_fulls) + KEY_SEPARATOR
    return NameKeys(primary_initials, primary_full, keys, groups)


@lru_cache(maxsize=4096)
def _group(syllable: str, others: tuple[str, ...]) -> str:
    """One character's initials (its reading's first), ended by :data:`GROUP_END`."""
    letters = _unique([s[:1] for s in (syllable, *others) if s])
    return "".join(letters[:MAX_INITIALS_PER_CHARACTER]) + GROUP_END


def search_keys(name: str) -> tuple[str, str]:
    """(initials, full pinyin) of a name's own reading, e.g. for sorting."""
    keys = name_keys(name)
    return keys.initials, keys.pinyin


def letters_pattern(term: str) -> str:
    """The GLOB pattern matching ``name_letters`` when the lower-case letters of ``term``
    are initials of the name's characters in that order, each from a later character."""
    return "*" + f"*{GROUP_END}*".join(term) + "*"
