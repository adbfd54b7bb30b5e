"""Fonts of printed documents: the shipped open fonts, or the bureau's official ones.

A role (title, body, first-level heading 黑体, second-level heading 楷体, page number
宋体) has a chain of fonts; each character is drawn with the first font of its chain
that has it, so a rare name character is never left blank. Every chain goes on with
the body font and the fallbacks: AR PL UMing, WenQuanYi Micro Hei (all of GBK), and
HanaMin A (CJK Extension A) and B (Extensions B to F). A character that no font has
is reported by ``missing`` so that the document is refused rather than printed with
a hole in a name.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from safecredit_desktop.core.paths import resources_dir


@dataclass(frozen=True)
class FontFile:
    """A TrueType file (``index`` picks the face of a .ttc collection)."""

    path: Path
    index: int = 0
    label: str = ""


def shipped_fonts_dir() -> Path:
    return resources_dir() / "fonts"


def _shipped(name: str, label: str) -> FontFile:
    return FontFile(shipped_fonts_dir() / name, 0, label)


SHIPPED_BODY = ("fandol-fang.ttf", "Fandol 仿宋")
SHIPPED_TITLE = ("fandol-song-bold.ttf", "Fandol 宋体粗")
SHIPPED_SONG = ("uming-cn.ttf", "AR PL UMing 明体")  # 宋体: page numbers
SHIPPED_HEI = ("wqy-microhei.ttf", "文泉驿微米黑")  # 黑体: first-level headings
SHIPPED_FALLBACKS = (
    SHIPPED_SONG,
    SHIPPED_HEI,
    ("hanamin-a-cjk.ttf", "花园明朝A（扩展A）"),
    ("HanaMinB.ttf", "花园明朝B（扩展B至F）"),
)

# The bureau's official fonts, by the file names Windows and the font vendors use.
OFFICIAL_BODY_FILES = (
    "仿宋_GB2312.ttf",
    "FangSong_GB2312.ttf",
    "FS_GB2312.ttf",
    "SIMFANG.TTF",
    "simfang.ttf",
    "STFANGSO.TTF",
)
OFFICIAL_TITLE_FILES = (
    "方正小标宋简体.ttf",
    "方正小标宋_GBK.ttf",
    "FZXBSJW.TTF",
    "FZXBSK.TTF",
    "FZXBSJW--GB1-0.ttf",
    "SIMSUN.TTC",
    "simsun.ttc",
)
OFFICIAL_HEI_FILES = ("黑体.ttf", "SIMHEI.TTF", "simhei.ttf", "STHEITI.TTF")
OFFICIAL_KAI_FILES = (
    "楷体_GB2312.ttf",
    "KaiTi_GB2312.ttf",
    "KAITI_GB2312.TTF",
    "SIMKAI.TTF",
    "simkai.ttf",
    "STKAITI.TTF",
)
OFFICIAL_SONG_FILES = ("SIMSUN.TTC", "simsun.ttc", "宋体.ttc")


def windows_font_dirs() -> list[Path]:
    """The system and per-user font folders of Windows (empty elsewhere)."""
    found = []
    windir = os.environ.get("WINDIR") or os.environ.get("SYSTEMROOT")
    if windir:
        found.append(Path(windir) / "Fonts")
    local = os.environ.get("LOCALAPPDATA")
    if local:
        found.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    return found


def find_font(names: Sequence[str], folders: Sequence[Path]) -> Path | None:
    """The first of ``names`` found in ``folders`` (names compared without case)."""
    wanted = [n.casefold() for n in names]
    for folder in folders:
        if not folder.is_dir():
            continue
        present = {p.name.casefold(): p for p in folder.iterdir()}
        for name in wanted:
            if name in present:
                return present[name]
    return None


@dataclass(frozen=True)
class FontChoice:
    """Which fonts a document uses: ``title`` and ``body`` first, then the fallbacks;
    ``heading`` (黑体), ``kai`` (楷体, None where there is none) and ``song`` (宋体, the
    page numbers) for their roles."""

    title: FontFile
    body: FontFile
    fallbacks: tuple[FontFile, ...]
    notes: tuple[str, ...] = ()  # why an official font was not used
    heading: FontFile | None = None
    kai: FontFile | None = None
    song: FontFile | None = None

    def describe(self) -> str:
        return f"标题：{self.title.label}；正文：{self.body.label}"


def shipped_choice(notes: tuple[str, ...] = ()) -> FontChoice:
    return FontChoice(
        _shipped(*SHIPPED_TITLE),
        _shipped(*SHIPPED_BODY),
        tuple(_shipped(*f) for f in SHIPPED_FALLBACKS),
        notes,
        heading=_shipped(*SHIPPED_HEI),
        kai=None,  # no open 楷体 is shipped: second-level headings stay in the body font
        song=_shipped(*SHIPPED_SONG),
    )


def _usable(path: Path) -> str | None:
    """None when reportlab can embed the font, else why not (in Chinese)."""
    try:
        TTFont(f"probe-{path.name}", str(path), subfontIndex=0)
    except TTFError as error:
        if "postscript" in str(error).lower():
            return f"{path.name} 是 PostScript（CFF）轮廓字体，无法嵌入，已改用随程序提供的字体"
        return f"{path.name} 无法读取（{error}），已改用随程序提供的字体"
    except OSError as error:
        return f"{path.name} 无法打开（{error}），已改用随程序提供的字体"
    return None


def official_choice(folder: Path | None) -> FontChoice:
    """The bureau's installed official fonts where found and usable, else the shipped ones."""
    folders = ([folder] if folder is not None else []) + windows_font_dirs()
    shipped = shipped_choice()
    notes: list[str] = []
    chosen: dict[str, FontFile] = {}
    for role, names, label, fallback in (
        ("body", OFFICIAL_BODY_FILES, "仿宋_GB2312", shipped.body),
        ("title", OFFICIAL_TITLE_FILES, "方正小标宋", shipped.title),
    ):
        path = find_font(names, folders)
        problem = None if path is None else _usable(path)
        if path is None:
            notes.append(f"未找到{label}字体，已改用随程序提供的{fallback.label}")
            chosen[role] = fallback
        elif problem is not None:
            notes.append(problem)
            chosen[role] = fallback
        else:
            chosen[role] = FontFile(path, 0, path.stem)
    # 黑体, 楷体 and 宋体 of the bureau where installed and usable; else the shipped ones
    # (no 楷体), without a note: the body and title are what the bureau chose fonts for.
    found: dict[str, FontFile | None] = {}
    roles: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("heading", OFFICIAL_HEI_FILES),
        ("kai", OFFICIAL_KAI_FILES),
        ("song", OFFICIAL_SONG_FILES),
    )
    for role, candidates in roles:
        at = find_font(candidates, folders)
        found[role] = FontFile(at, 0, at.stem) if at is not None and _usable(at) is None else None
    # The bureau's body font first, then the shipped 仿宋 (it may have what a
    # GB2312-only official font lacks), then the shipped fallbacks.
    extra = (shipped.body,) if chosen["body"] != shipped.body else ()
    return FontChoice(
        chosen["title"],
        chosen["body"],
        extra + shipped.fallbacks,
        tuple(notes),
        heading=found["heading"] or shipped.heading,
        kai=found["kai"],
        song=found["song"] or shipped.song,
    )


class FontChain:
    """A role's fonts registered with reportlab, and the split of text into font runs."""

    def __init__(self, names: Sequence[str], coverage: Sequence[frozenset[int]]) -> None:
        self.names = tuple(names)
        self._coverage = tuple(coverage)
        self._cache: dict[str, str] = {}

    @property
    def primary(self) -> str:
        return self.names[0]

    def font_for(self, char: str) -> str:
        found = self._cache.get(char)
        if found is None:
            code = ord(char)
            found = self.names[-1]
            for name, covered in zip(self.names, self._coverage, strict=True):
                if code in covered:
                    found = name
                    break
            self._cache[char] = found
        return found

    def runs(self, text: str) -> Iterator[tuple[str, str]]:
        """(font name, text) pieces of ``text``, each drawable with one font."""
        if not text:
            return
        start = 0
        current = self.font_for(text[0])
        for i in range(1, len(text)):
            font = self.font_for(text[i])
            if font != current:
                yield current, text[start:i]
                start, current = i, font
        yield current, text[start:]

    def missing(self, text: str) -> str:
        """Characters of ``text`` that no font of the chain has (whitespace aside), each
        once, in the order they first occur."""
        return "".join(
            c
            for c in dict.fromkeys(text)  # each character once, in order
            if not c.isspace() and not any(ord(c) in cov for cov in self._coverage)
        )


def _to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    """reportlab's ToUnicode CMap with each character written in UTF-16BE, as the PDF
    reference asks: reportlab 5.1 writes a code point above U+FFFF as five hex digits,
    which readers take for a different character (𠀀 U+20000 came out as "⪪")."""

    def utf16(code: int) -> str:
        return chr(code).encode("utf-16-be", "surrogatepass").hex().upper()

    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *(f"<{i:02X}> <{utf16(code)}>" for i, code in enumerate(subset)),
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


ttfonts.makeToUnicodeCMap = _to_unicode_cmap  # used by TTFont.addObjects when a PDF is saved

_registered: dict[FontFile, tuple[str, frozenset[int]]] = {}


def register(font: FontFile) -> tuple[str, frozenset[int]]:
    """Register ``font`` with reportlab once; its name there and the code points it has."""
    known = _registered.get(font)
    if known is None:
        name = f"SC{len(_registered) + 1}-{font.path.stem}"
        face = TTFont(name, str(font.path), subfontIndex=font.index)
        pdfmetrics.registerFont(face)
        known = (name, frozenset(face.face.charToGlyph))
        _registered[font] = known
    return known


def glyph_box(font_name: str, char: str) -> tuple[float, float, float, float] | None:
    """The ink box (x min, y min, x max, y max) of ``char`` in the registered TrueType
    font ``font_name``, in ems from its origin; None when the font has no outline for it.

    Read from the font's glyf table: the page number's dash is placed by its ink."""
    face = getattr(pdfmetrics.getFont(font_name), "face", None)
    if face is None:
        return None
    glyph = face.charToGlyph.get(ord(char))
    if glyph is None or glyph + 1 >= len(face.glyphPos):
        return None
    start = face.glyphPos[glyph]
    if face.glyphPos[glyph + 1] == start:
        return None  # an empty glyph (a space)
    offset = face.get_table_pos("glyf")[0] + start
    _contours, x0, y0, x1, y1 = struct.unpack(">hhhhh", face.get_chunk(offset, 10))
    em = float(face.unitsPerEm)
    return x0 / em, y0 / em, x1 / em, y1 / em


@dataclass(frozen=True)
class DocumentFonts:
    title: FontChain
    body: FontChain
    choice: FontChoice
    heading: FontChain | None = None  # 黑体 (一、); the title chain when None
    kai: FontChain | None = None  # 楷体 (（一）); the body chain when None
    number: FontChain | None = None  # 宋体 page numbers; the body chain when None

    @property
    def heading_chain(self) -> FontChain:
        return self.heading or self.title

    @property
    def kai_chain(self) -> FontChain:
        return self.kai or self.body

    @property
    def number_chain(self) -> FontChain:
        return self.number or self.body

    def missing(self, texts: Iterable[str]) -> str:
        """Characters of ``texts`` that no font has: a document with one would lose it."""
        return self.body.missing("".join(texts))


def load_fonts(choice: FontChoice | None = None) -> DocumentFonts:
    """The chains of ``choice`` (the shipped fonts by default)."""
    choice = choice or shipped_choice()

    def chain(first: FontFile) -> FontChain:
        files = [first] + [f for f in (choice.body, *choice.fallbacks) if f != first]
        registered = [register(f) for f in files]
        return FontChain([r[0] for r in registered], [r[1] for r in registered])

    def optional(first: FontFile | None) -> FontChain | None:
        return None if first is None else chain(first)

    return DocumentFonts(
        chain(choice.title),
        chain(choice.body),
        choice,
        heading=optional(choice.heading),
        kai=optional(choice.kai),
        number=optional(choice.song),
    )
