"""File names the program suggests from data (a bureau's name, a list kind, a document's
title): one name in the folder the user chose, never a path.

A bureau name such as ``../../x`` or ``C:\\Windows\\x`` must not move the suggested file
out of the folder, and a name Windows refuses (``CON``, ``a:b``, a trailing dot) must not
make the save fail.
"""

from __future__ import annotations

_REFUSED = set('<>:"/\\|?*')
_WINDOWS_DEVICES = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{n}" for n in range(1, 10)),
    *(f"LPT{n}" for n in range(1, 10)),
}
MAX_STEM = 120  # characters; well within every file system's 255 bytes of UTF-8 / UTF-16


def safe_file_name(name: str, *, suffix: str, fallback: str = "导出") -> str:
    """``name`` as one file name ending in ``suffix`` (e.g. ``.xlsx``): path separators,
    characters Windows refuses and unprintable ones (line breaks, tabs) become ``_``;
    dots, spaces and ``_`` at either end go (no hidden file, no ``..``); Windows device
    names get a ``_``; a blank result is ``fallback``."""
    stem = name[: -len(suffix)] if suffix and name.lower().endswith(suffix.lower()) else name
    cleaned = "".join("_" if c in _REFUSED or not c.isprintable() else c for c in stem)
    cleaned = cleaned.strip(" ._") or fallback
    if cleaned.split(".")[0].strip().upper() in _WINDOWS_DEVICES:
        cleaned = f"_{cleaned}"
    return cleaned[:MAX_STEM].rstrip(" .") + suffix
