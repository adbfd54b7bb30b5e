"""Pinyin search keys for unit names: typing ``fhhg`` finds 凤凰…化工….

Computed once when a name is stored, so searching 100,000 units is an indexed
string match rather than a pinyin conversion per keystroke.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=8192)
def _syllable(char: str) -> str:
    result = lazy_pinyin(char, style=Style.NORMAL, errors="default")
    return result[0].lower() if result else char.lower()


def search_keys(name: str) -> tuple[str, str]:
    """(initials, full pinyin) of a name; non-Chinese characters are kept, lower-cased."""
    syllables = [_syllable(ch) for ch in name if not ch.isspace()]
    initials = "".join(s[0] for s in syllables if s)
    return initials, "".join(syllables)
