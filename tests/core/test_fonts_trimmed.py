"""The shipped fonts carry only faces and characters a printed document can draw (issue 20),
and still every rare name character they covered before the cut (CJK Extensions B to F)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from safecredit_desktop.core.documents import fonts as doc_fonts

PAGE_NUMBER_TEXT = "— 0123456789 —"  # the number chain draws only page numbers
EXTENSIONS_B_TO_F = (0x20000, 0x2EBEF)
# Extension B to F characters the shipped fonts covered before the cut (HanaMinB 60,317
# less the ones it lacks; counted on the uncut Debian files): none may be lost.
EXT_B_TO_F_COVERED = 60_317
BUDGET_MB = 64  # MiB: the six files add up to 59.9 MiB (62.8 MB); 70.1 MiB before the cut


def _shipped_files() -> list[Path]:
    folder = doc_fonts.shipped_fonts_dir()
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".ttf", ".ttc", ".otf"))


def _cmap(path: Path) -> set[int]:
    return set(TTFont(str(path), fontNumber=0, lazy=True).getBestCmap())


def test_every_shipped_font_file_is_one_face() -> None:
    for path in _shipped_files():
        with path.open("rb") as file:
            tag = file.read(4)
        assert tag != b"ttcf", f"{path.name} is a collection: faces nothing uses are shipped"
        assert struct.unpack(">I", tag)[0] == 0x00010000, f"{path.name}: not TrueType outlines"


def test_no_shipped_character_is_out_of_every_chains_reach() -> None:
    """Each character of each shipped file is drawn from that file by some chain: the
    title, body and 黑体 heading chains for any text, the page-number chain for digits
    and dashes. A glyph that an earlier font of every chain already has is dead weight."""
    fonts = doc_fonts.load_fonts(doc_fonts.shipped_choice())
    by_name = {
        doc_fonts.register(f)[0]: f.path
        for f in (fonts.choice.title, fonts.choice.body, *fonts.choice.fallbacks)
    }
    reached: dict[Path, set[int]] = {path: set() for path in by_name.values()}
    every = set().union(*(_cmap(p) for p in by_name.values()))
    for chain, texts in (
        (fonts.title, every),
        (fonts.body, every),
        (fonts.heading_chain, every),
        (fonts.number_chain, {ord(c) for c in PAGE_NUMBER_TEXT}),
    ):
        for code in texts:
            reached[by_name[chain.font_for(chr(code))]].add(code)
    for path, codes in reached.items():
        unreached = _cmap(path) - codes
        assert not unreached, f"{path.name}: {len(unreached)} characters no chain draws from it"


def test_rare_characters_of_extensions_b_to_f_all_still_render() -> None:
    fonts = doc_fonts.load_fonts()
    every = set().union(*(_cmap(p) for p in _shipped_files()))
    low, high = EXTENSIONS_B_TO_F
    assert sum(1 for c in every if low <= c <= high) == EXT_B_TO_F_COVERED
    # a few from each extension: B, C, D, E, F (and the 𠀀𪚥𠮷)
    rare = "𠀀𪚥𠮷\U0002a700\U0002b740\U0002b820\U0002ceb0\U0002ebe0"
    assert fonts.missing([rare]) == ""
    assert {fonts.body.font_for(c).split("-", 1)[1] for c in rare} == {"HanaMinB"}


def test_page_numbers_and_headings_keep_their_fonts() -> None:
    fonts = doc_fonts.load_fonts()
    assert {fonts.number_chain.font_for(c) for c in "— 123 —"} == {fonts.number_chain.primary}
    assert "uming-cn" in fonts.number_chain.primary
    assert "wqy-microhei" in fonts.heading_chain.primary
    assert fonts.heading_chain.font_for("评") == fonts.heading_chain.primary


def test_shipped_fonts_stay_within_their_budget() -> None:
    total = sum(p.stat().st_size for p in _shipped_files())
    assert total <= BUDGET_MB * 1024 * 1024, f"{total / 2**20:.1f} MB of fonts"


@pytest.mark.parametrize(
    "licence",
    [
        "fandol-COPYING.txt",
        "fandol-README.txt",
        "arphic-ARPHICPL.txt",
        "arphic-uming-copyright.txt",
        "wqy-microhei-COPYRIGHT.txt",
        "Apache-2.0.txt",
        "hanazono-copyright.txt",
    ],
)
def test_every_licence_is_kept(licence: str) -> None:
    path = doc_fonts.shipped_fonts_dir() / "licenses" / licence
    assert path.is_file() and path.stat().st_size > 100
