"""Fonts of printed documents: the shipped open fonts, or the bureau's official ones.

A role (title, body) has a chain of fonts; each character is drawn with the first
font of its chain that has it, so a rare name character is never left blank. Every
chain ends with WenQuanYi Micro Hei, which has all of GBK.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
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
SHIPPED_FALLBACKS = (("uming.ttc", "AR PL UMing 明体"), ("wqy-microhei.ttc", "文泉驿微米黑"))

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
    """Which fonts a document uses: ``title`` and ``body`` first, then the fallbacks."""

    title: FontFile
    body: FontFile
    fallbacks: tuple[FontFile, ...]
    notes: tuple[str, ...] = ()  # why an official font was not used

    def describe(self) -> str:
        return f"标题：{self.title.label}；正文：{self.body.label}"


def shipped_choice(notes: tuple[str, ...] = ()) -> FontChoice:
    return FontChoice(
        _shipped(*SHIPPED_TITLE),
        _shipped(*SHIPPED_BODY),
        tuple(_shipped(*f) for f in SHIPPED_FALLBACKS),
        notes,
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
    # The bureau's body font first, then the shipped 仿宋 (it may have what a
    # GB2312-only official font lacks), then the shipped fallbacks.
    extra = (shipped.body,) if chosen["body"] != shipped.body else ()
    return FontChoice(chosen["title"], chosen["body"], extra + shipped.fallbacks, tuple(notes))


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
        """Characters of ``text`` that no font of the chain has."""
        return "".join(c for c in text if not any(ord(c) in cov for cov in self._coverage))


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


@dataclass(frozen=True)
class DocumentFonts:
    title: FontChain
    body: FontChain
    choice: FontChoice


def load_fonts(choice: FontChoice | None = None) -> DocumentFonts:
    """The title and body chains of ``choice`` (the shipped fonts by default)."""
    choice = choice or shipped_choice()

    def chain(first: FontFile) -> FontChain:
        files = [first] + [f for f in (choice.body, *choice.fallbacks) if f != first]
        registered = [register(f) for f in files]
        return FontChain([r[0] for r in registered], [r[1] for r in registered])

    return DocumentFonts(chain(choice.title), chain(choice.body), choice)
