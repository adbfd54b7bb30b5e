"""Text as Excel stores it: ``_xHHHH_`` escapes, and the shared-strings table.

Excel writes a character that XML cannot carry (CR, the other control characters) as
``_xHHHH_`` (ECMA-376 Part 1, 22.9.2.19 ST_Xstring), and escapes the underscore of a
literal ``_xHHHH_`` as ``_x005F_``. :func:`decode_escapes` undoes both before any check,
so ``_x000D_`` is the carriage return it stands for (refused in a single-line field),
not seven harmless characters.

:func:`read_shared_strings` streams ``sharedStrings.xml`` with expat: the characters of
each string are counted as they arrive and the file is refused at the first string
past the cell limit, so a 1 GiB string is never held. The table is kept compact
(:class:`SharedStrings`: UTF-8 bytes of 4,096 strings in one block, with offsets), so
that ten million short strings do not cost ten million Python objects.
"""

from __future__ import annotations

import re
from array import array
from typing import Protocol
from xml.parsers import expat

from safecredit_desktop.core.exchange.limits import (
    MAX_CELL_CHARS,
    MAX_RAW_CELL_CHARS,
    MAX_SHARED_STRINGS,
    CappedStream,
    cell_too_long,
    refuse_doctype,
    too_many_strings,
)

_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_SURROGATE = re.compile("[\ud800-\udfff]")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SI, _T, _RPH = (f"{_MAIN}}}{name}" for name in ("si", "t", "rPh"))


def _escaped(match: re.Match[str]) -> str:
    return chr(int(match.group(1), 16))


def decode_escapes(text: str) -> str:
    """``_x000D_`` → CR, ``_x005F_`` → ``_`` (left to right, so ``_x005F_x000D_`` is the
    literal text ``_x000D_``); a pair of escaped surrogates becomes its one character."""
    if "_x" not in text:
        return text
    decoded = _ESCAPE.sub(_escaped, text)
    if _SURROGATE.search(decoded):  # join pairs; a lone surrogate stays (and is refused)
        decoded = decoded.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return decoded


class StringTable(Protocol):
    """What a sheet's reader needs of the shared strings: the string at an index."""

    def __getitem__(self, index: int, /) -> str: ...


class SharedStrings:
    """The shared-strings table, compact: blocks of UTF-8 bytes and their offsets.

    Looking a string up decodes it; recent look-ups are cached, so a column filled down
    with one string shares one object.
    """

    _BLOCK = 4096
    _CACHE = 65_536

    def __init__(self) -> None:
        self._blocks: list[bytes] = []
        self._offsets: list[array[int]] = []
        self._pending: list[bytes] = []
        self._count = 0
        self._cache: dict[int, str] = {}

    def append(self, text: str) -> None:
        self._pending.append(text.encode("utf-8", "surrogatepass"))
        self._count += 1
        if len(self._pending) == self._BLOCK:
            self._seal()

    def _seal(self) -> None:
        offsets = array("Q", [0])
        total = 0
        for part in self._pending:
            total += len(part)
            offsets.append(total)
        self._blocks.append(b"".join(self._pending))
        self._offsets.append(offsets)
        self._pending = []

    def finish(self) -> SharedStrings:
        """Seal the last block; call once every string is appended."""
        if self._pending:
            self._seal()
        return self

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: int) -> str:
        found = self._cache.get(index)
        if found is not None:
            return found
        if not 0 <= index < self._count:
            raise IndexError(index)
        block, at = divmod(index, self._BLOCK)
        offsets = self._offsets[block]
        text = self._blocks[block][offsets[at] : offsets[at + 1]].decode("utf-8", "surrogatepass")
        if len(self._cache) >= self._CACHE:
            self._cache.clear()
        self._cache[index] = text
        return text


def read_shared_strings(stream: CappedStream, file_name: str) -> SharedStrings:
    """Every string of ``sharedStrings.xml``, escapes decoded; refused (LimitError) at the
    first string past :data:`MAX_CELL_CHARS` or past :data:`MAX_SHARED_STRINGS` strings,
    while streaming. Phonetic runs (``rPh``) are not part of a string's value."""
    reader = _StringsReader(file_name)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.characters
    parser.StartDoctypeDeclHandler = reader.doctype
    with stream:
        while chunk := stream.read(1 << 16):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    return reader.table.finish()


class _StringsReader:
    """expat's handlers for the shared strings: the text of ``t`` elements of each
    ``si``, outside phonetic runs, counted as it arrives."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self.table = SharedStrings()
        self.parts: list[str] = []
        self.chars = 0
        self.in_si = self.in_t = False
        self.in_phonetic = 0

    def start(self, name: str, _attrs: dict[str, str]) -> None:
        if name == _T:
            self.in_t = True
        elif name == _SI:
            if len(self.table) >= MAX_SHARED_STRINGS:
                raise too_many_strings(self.file_name)
            self.parts.clear()
            self.in_si, self.chars, self.in_phonetic = True, 0, 0
        elif name == _RPH:
            self.in_phonetic += 1

    def end(self, name: str) -> None:
        if name == _T:
            self.in_t = False
        elif name == _SI:
            text = decode_escapes("".join(self.parts))
            if len(text) > MAX_CELL_CHARS:
                raise cell_too_long(self.file_name, None, None, len(text))
            self.table.append(text)
            self.in_si = False
        elif name == _RPH:
            self.in_phonetic -= 1

    def characters(self, data: str) -> None:
        if self.in_t and self.in_si and not self.in_phonetic:
            self.chars += len(data)
            if self.chars > MAX_RAW_CELL_CHARS:
                raise cell_too_long(self.file_name, None, None, self.chars)
            self.parts.append(data)

    def doctype(self, *_args: object) -> None:
        raise refuse_doctype(self.file_name)
