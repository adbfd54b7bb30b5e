"""Cut HanaMinA down to the CJK ideographs the other shipped fonts lack.

HanaMinA (Debian's ``fonts-hanazono``, 22 MB) is shipped only for what Fandol,
AR PL UMing, WenQuanYi Micro Hei and HanaMinB do not have: CJK Extension A, the
compatibility ideographs and a few dozen unified ideographs. Its symbols and emoji
are left out on purpose: a face on an official notice is refused, not drawn. Made
with::

    python resources/fonts/tools/subset_hanamin_a.py HanaMinA.ttf resources/fonts

It needs fontTools (``pip install fonttools``); the program itself does not. The
font is used under the Hanazono Font License (one of its two licences), which
allows modified copies under any name.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

TARGET = "hanamin-a-cjk.ttf"
OTHERS = ("fandol-fang.ttf", "uming-cn.ttf", "wqy-microhei.ttf", "HanaMinB.ttf")
CJK_BLOCKS = (
    (0x2E80, 0x2FDF),  # CJK radicals supplement, Kangxi radicals
    (0x2FF0, 0x2FFF),  # ideographic description characters
    (0x31C0, 0x31EF),  # CJK strokes
    (0x3400, 0x4DBF),  # Extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0x2F800, 0x2FA1F),  # compatibility ideographs supplement
)


def covered(path: Path) -> set[int]:
    return set(TTFont(str(path), fontNumber=0, lazy=True).getBestCmap())


def main(source: str, folder: str) -> None:
    fonts = Path(folder)
    others: set[int] = set()
    for name in OTHERS:
        others |= covered(fonts / name)
    wanted = sorted(
        code
        for code in covered(Path(source))
        if code not in others and any(a <= code <= b for a, b in CJK_BLOCKS)
    )
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = TTFont(source)
    cutter = subset.Subsetter(options)
    cutter.populate(unicodes=wanted)
    cutter.subset(font)
    font.save(str(fonts / TARGET))
    print(f"{TARGET}: {len(wanted)} characters")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
