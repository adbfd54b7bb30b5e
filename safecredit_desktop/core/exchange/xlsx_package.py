"""The parts of an .xlsx package the import reads: the sheets (title, hidden or not, which
part), the shared strings, the date styles and the date system.

Read from the package's relationships and workbook.xml, each part size-checked
(:func:`.limits.read_member`) before it is read, so that the limits can be checked on
the sheets that will be imported before any row is read. Element names are compared
without their namespace, so that strict-namespace and prefixed files read alike.
"""

from __future__ import annotations

import io
import posixpath
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from safecredit_desktop.core.exchange.limits import broken, read_member

VISIBLE: Final = "visible"
"""A sheet's state in workbook.xml; the others are ``hidden`` and ``veryHidden`` (only
a macro or the XML can show a very hidden sheet)."""


@dataclass(frozen=True)
class SheetPart:
    """A sheet as workbook.xml lists it, and the zip member holding it (None: missing)."""

    title: str
    state: str
    member: str | None
    is_chart: bool

    @property
    def hidden(self) -> bool:
        return self.state != VISIBLE


@dataclass(frozen=True)
class Package:
    archive: zipfile.ZipFile
    file_name: str
    sheets: tuple[SheetPart, ...]
    shared_strings: str | None
    styles: str | None
    date1904: bool


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _elements(
    archive: zipfile.ZipFile, name: str, what: str, file_name: str
) -> Iterator[tuple[str, str, dict[str, str]]]:
    """Each element of a small part as (its parent's local name, its local name, its
    attributes), streamed: nothing of the part's tree is kept, so even a hostile 20 MB
    styles.xml of a million formats costs little memory."""
    data = read_member(archive, name, what, file_name)
    if b"<!DOCTYPE" in data:  # never in Excel's parts; entity expansion is a bomb
        raise broken(file_name)
    path: list[str] = []
    root: ET.Element | None = None
    seen = 0
    for event, node in ET.iterparse(io.BytesIO(data), events=("start", "end")):
        if event == "end":
            path.pop()
            continue
        tag = _local(node.tag)
        if root is None:
            root = node
        seen += 1
        if seen % 4096 == 0:
            root.clear()  # the open elements stay with the parser; the rest is freed
        yield (path[-1] if path else "", tag, dict(node.attrib))
        path.append(tag)


def _relationships(
    archive: zipfile.ZipFile, source: str, file_name: str
) -> dict[str, tuple[str, str]]:
    """The relationships of part ``source`` ('' for the package): id → (type, member)."""
    folder, base = posixpath.split(source)
    name = posixpath.join(folder, "_rels", base + ".rels")
    if name not in archive.NameToInfo:
        return {}
    out: dict[str, tuple[str, str]] = {}
    for _parent, tag, attrs in _elements(archive, name, "关系文件", file_name):
        if tag != "Relationship" or attrs.get("TargetMode") == "External":
            continue
        target = attrs.get("Target", "")
        member = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        out[attrs.get("Id", "")] = (attrs.get("Type", ""), posixpath.normpath(member))
    return out


def _workbook_part(archive: zipfile.ZipFile, file_name: str) -> str:
    for kind, member in _relationships(archive, "", file_name).values():
        if kind.endswith("/officeDocument") and member in archive.NameToInfo:
            return member
    if "xl/workbook.xml" in archive.NameToInfo:
        return "xl/workbook.xml"
    raise broken(file_name)


def open_package(archive: zipfile.ZipFile, file_name: str) -> Package:
    """The package's sheets and parts; a sentence (WorkbookError) when it is no workbook."""
    workbook = _workbook_part(archive, file_name)
    rels = _relationships(archive, workbook, file_name)
    sheets: list[SheetPart] = []
    date1904 = False
    for _parent, tag, attrs in _elements(archive, workbook, "workbook.xml", file_name):
        if tag == "workbookPr":
            date1904 = attrs.get("date1904", "").lower() in ("1", "true")
        elif tag == "sheet":
            rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            kind, member = rels.get(rid, ("", ""))
            sheets.append(
                SheetPart(
                    title=attrs.get("name", ""),
                    state=attrs.get("state", VISIBLE),
                    member=member if member in archive.NameToInfo else None,
                    is_chart=kind.endswith("/chartsheet"),
                )
            )
    found = {kind.rpartition("/")[2]: member for kind, member in rels.values()}
    strings = found.get("sharedStrings")
    styles = found.get("styles")
    return Package(
        archive,
        file_name,
        tuple(sheets),
        strings if strings in archive.NameToInfo else None,
        styles if styles in archive.NameToInfo else None,
        date1904,
    )


def date_styles(package: Package) -> tuple[frozenset[int], frozenset[int]]:
    """The cell styles (``s`` of a cell) whose number format is a date, and those that
    are a duration, as openpyxl decides them."""
    from openpyxl.styles.numbers import (
        BUILTIN_FORMATS,
        is_date_format,
        is_timedelta_format,
    )

    if package.styles is None:
        return frozenset(), frozenset()
    custom: dict[int, str] = {}
    formats: list[int] = []
    for parent, tag, attrs in _elements(
        package.archive, package.styles, "styles.xml", package.file_name
    ):
        if parent == "numFmts" and tag == "numFmt" and attrs.get("numFmtId", "").isdigit():
            custom[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
        elif parent == "cellXfs" and tag == "xf":
            given = attrs.get("numFmtId", "0")
            formats.append(int(given) if given.isdigit() else 0)
    dates: set[int] = set()
    durations: set[int] = set()
    for index, fmt_id in enumerate(formats):
        code = custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id))
        if code is None:
            continue
        if is_date_format(code):
            dates.add(index)
        if is_timedelta_format(code):
            durations.add(index)
    return frozenset(dates), frozenset(durations)
