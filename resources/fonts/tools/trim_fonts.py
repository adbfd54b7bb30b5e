"""Trim the shipped fonts to the faces and characters printed documents can reach.

A character of a document is drawn with the first font of its role's chain that has it
(``core/documents/fonts.py``); every chain holds Fandol 仿宋, then AR PL UMing, WenQuanYi
Micro Hei, HanaMin A and HanaMin B. So:

- ``wqy-microhei.ttf``: face 0 (WenQuanYi Micro Hei) of ``wqy-microhei.ttc``, whole — it is
  the first font of the 黑体 headings (any character) and the window's fallback font; the
  second face (… Mono) is used by nothing.
- ``uming-cn.ttf``: face 0 (AR PL UMing CN) of ``uming.ttc`` (the HK, TW and TW MBE faces
  are used by nothing), cut to what it can draw: the page numbers (``— 1 —``: digits, space,
  dash; it heads only the page-number chain) and every character Fandol 仿宋 lacks
  (Fandol comes before it in every other chain). Its embedded bitmaps (EBDT/EBLC/BDF)
  are left out: a PDF embeds outlines.
- ``HanaMinB.ttf``: cut to the characters the fonts before it lack (Extensions B to F,
  58,527 ideographs); the 1,891 it shares with UMing or WenQuanYi were never drawn from it.

The outlines, metrics and hinting of what is kept are not touched, so documents render
the same pixels (checked with pdftoppm before and after the cut). Run once, from the
Debian files, and commit the result::

    python resources/fonts/tools/trim_fonts.py SOURCE_FOLDER resources/fonts

SOURCE_FOLDER holds ``uming.ttc`` (fonts-arphic-uming), ``wqy-microhei.ttc``
(fonts-wqy-microhei), ``HanaMinB.ttf`` (fonts-hanazono) and ``fandol-fang.ttf`` (made by
``otf_to_ttf.py``). It needs fontTools (a dev extra); the program itself does not.
Afterwards ``subset_hanamin_a.py`` gives the same HanaMin A as before (the union of the
fonts before it is unchanged).
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

PAGE_NUMBER_CHARS = {ord(c) for c in "— 0123456789"}  # the page numbers: — 1 —
BITMAP_TABLES = ("EBDT", "EBLC", "EBSC", "BDF ")


def cmap(path: Path, index: int = 0) -> set[int]:
    return set(TTFont(str(path), fontNumber=index, lazy=True).getBestCmap())


def _options() -> subset.Options:
    options = subset.Options()
    options.layout_features = []  # reportlab applies no GSUB/GPOS: no glyphs kept for them
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.name_legacy = True
    options.notdef_outline = True
    options.glyph_names = False  # post format 3: nothing reads glyph names
    options.drop_tables = [*options.drop_tables, *BITMAP_TABLES]
    return options


def cut(source: Path, index: int, keep: set[int], target: Path) -> int:
    """Face ``index`` of ``source`` with only the characters ``keep``, saved as ``target``."""
    # the glyphs' stored boxes kept as they are: UMing's differ from their points, and
    # a recomputed xMin would shift each glyph against its left side bearing
    font = TTFont(str(source), fontNumber=index, recalcBBoxes=False, recalcTimestamp=False)
    wanted = sorted(keep & set(font.getBestCmap()))
    cutter = subset.Subsetter(_options())
    cutter.populate(unicodes=wanted)
    cutter.subset(font)
    for table in font["cmap"].tables:  # the subsetter keeps a code point whose glyph a
        # kept glyph needs (UMing's ∽ is part of another): only what was asked is mapped
        table.cmap = {code: name for code, name in table.cmap.items() if code in keep}
    font.save(str(target))
    return len(wanted)


def one_face(source: Path, index: int, target: Path) -> None:
    """Face ``index`` of a collection saved as a plain TrueType file, tables unchanged."""
    font = TTFont(str(source), fontNumber=index, recalcBBoxes=False, recalcTimestamp=False)
    font.save(str(target))


def main(source_folder: str, fonts_folder: str) -> None:
    src, out = Path(source_folder), Path(fonts_folder)
    fang = cmap(src / "fandol-fang.ttf")
    one_face(src / "wqy-microhei.ttc", 0, out / "wqy-microhei.ttf")
    uming = cmap(src / "uming.ttc")
    kept = cut(src / "uming.ttc", 0, (uming - fang) | PAGE_NUMBER_CHARS, out / "uming-cn.ttf")
    print(f"uming-cn.ttf: {kept} characters")
    before = fang | uming | cmap(src / "wqy-microhei.ttc")
    hana_b = cmap(src / "HanaMinB.ttf")
    kept = cut(src / "HanaMinB.ttf", 0, hana_b - before, out / "HanaMinB.ttf")
    print(f"HanaMinB.ttf: {kept} characters")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
