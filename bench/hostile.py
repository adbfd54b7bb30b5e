"""Hostile workbooks, built cheaply with zipfile, and the CLI import of each under an
address-space limit.

    python bench/hostile.py [--limit-mb 1024] [--keep DIR]

Each workbook is a small .xlsx whose parts inflate enormously: one 1 GiB shared string
(also with a directory that declares 100 MB of it, so only counting characters while
streaming stops it), 30 million shared strings (also 30 million empty ones, within the
part-size cap, so only the count stops them), and a column filled down to Excel's last
row, 1,048,576, with bad cells. Each is imported by ``safecredit import`` in a child
process limited with ``RLIMIT_AS``; printed: the exit code, the seconds, the child's
peak resident memory and the first line of its message. tests/core/test_import_limits.py
imports the builders and :func:`run_import` and asserts the refusals and sentences
(not the times: a timed assertion would flake on a busy machine).
"""

from __future__ import annotations

import argparse
import os
import resource
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKSHEET = REL_NS + "/worksheet"
STRINGS = REL_NS + "/sharedStrings"

CODE = "91433123MA4L000018"  # any 18 characters; the bad cells are the point
INSPECTION_HEAD = ("统一社会信用代码", "检查日期", "检查方式")


@dataclass(frozen=True)
class Sheet:
    title: str
    xml: Iterable[bytes]
    state: str = "visible"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_xlsx(
    path: Path,
    sheets: Iterable[Sheet],
    shared_strings: Iterable[bytes] | None = None,
    *,
    level: int = 9,
) -> Path:
    """A workbook whose sheet and shared-strings XML are streamed into the zip in chunks,
    so that a part of gigabytes costs neither memory nor disk."""
    sheets = list(sheets)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" Type="{REL_NS}/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        entries = "".join(
            f'<sheet name="{_escape(s.title)}" sheetId="{i}" state="{s.state}" r:id="rId{i}"/>'
            for i, s in enumerate(sheets, start=1)
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>{entries}</sheets></workbook>',
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{WORKSHEET}" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        if shared_strings is not None:
            rels += f'<Relationship Id="rIdS" Type="{STRINGS}" Target="sharedStrings.xml"/>'
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PKG_REL_NS}">{rels}</Relationships>',
        )
        for i, sheet in enumerate(sheets, start=1):
            _stream(archive, f"xl/worksheets/sheet{i}.xml", sheet.xml)
        if shared_strings is not None:
            _stream(archive, "xl/sharedStrings.xml", shared_strings)
    return path


def _stream(archive: zipfile.ZipFile, name: str, chunks: Iterable[bytes]) -> None:
    buffer: list[bytes] = []
    size = 0
    with archive.open(name, "w", force_zip64=True) as member:
        for chunk in chunks:
            buffer.append(chunk)
            size += len(chunk)
            if size >= 1 << 20:
                member.write(b"".join(buffer))
                buffer, size = [], 0
        member.write(b"".join(buffer))


def sheet_xml(rows: Iterable[bytes], *, prefix: str = "") -> Iterator[bytes]:
    """A worksheet around ``rows`` (each a complete ``<row>`` element)."""
    p = f"{prefix}:" if prefix else ""
    ns = f"xmlns:{prefix}" if prefix else "xmlns"
    yield b'<?xml version="1.0" encoding="UTF-8"?>'
    yield f'<{p}worksheet {ns}="{MAIN_NS}"><{p}sheetData>'.encode()
    yield from rows
    yield f"</{p}sheetData></{p}worksheet>".encode()


def inline_row(number: int, values: Iterable[str], *, prefix: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    cells = "".join(
        f'<{p}c r="{_letters(i)}{number}" t="inlineStr">'
        f"<{p}is><{p}t>{_escape(v)}</{p}t></{p}is></{p}c>"
        for i, v in enumerate(values, start=1)
    )
    return f'<{p}row r="{number}">{cells}</{p}row>'.encode()


def _letters(index: int) -> str:
    text = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        text = chr(65 + rest) + text
    return text


# -- the hostile workbooks ---------------------------------------------------------------------


def one_huge_shared_string(path: Path, *, gib: float = 1.0) -> Path:
    """One shared string of ``gib`` GiB, used by one cell: about 1 MB on disk."""
    size = int(gib * (1 << 30))

    def strings() -> Iterator[bytes]:
        yield f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>'.encode()
        block = b"A" * (1 << 20)
        for _ in range(size // len(block)):
            yield block
        yield b"</t></si></sst>"

    head = inline_row(1, INSPECTION_HEAD)
    row = b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    return write_xlsx(path, [Sheet("执法检查", sheet_xml([head, row]))], strings(), level=9)


def declare_size(path: Path, member: str, size: int) -> Path:
    """Make the zip's directory (and the part's local header) declare ``size`` bytes for
    ``member``: a zip bomb lying about what it inflates to."""
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    count, _cd_size, cd_offset = struct.unpack_from("<HII", data, end + 10)
    at = cd_offset
    for _ in range(count):
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, at + 28)
        name = bytes(data[at + 46 : at + 46 + name_len]).decode()
        if name == member:
            struct.pack_into("<I", data, at + 24, size)
            local = struct.unpack_from("<I", data, at + 42)[0]
            struct.pack_into("<I", data, local + 22, size)
        at += 46 + name_len + extra_len + comment_len
    path.write_bytes(bytes(data))
    return path


def many_shared_strings(
    path: Path, *, count: int = 30_000_000, empty: bool = False, distinct: bool = True
) -> Path:
    """``count`` shared strings: the numbers 0, 1, 2 … (or one string repeated, which
    builds in seconds), or ``<si/>`` when ``empty`` (5 bytes each, so 30 million stay
    within the part-size cap and only their count refuses them)."""

    def strings() -> Iterator[bytes]:
        yield f'<sst xmlns="{MAIN_NS}">'.encode()
        if empty or not distinct:
            block = (b"<si/>" if empty else b"<si><t>x</t></si>") * 100_000
            for _ in range(count // 100_000):
                yield block
        else:
            for start in range(0, count, 100_000):
                yield b"".join(
                    b"<si><t>%d</t></si>" % n for n in range(start, min(start + 100_000, count))
                )
        yield b"</sst>"

    head = inline_row(1, INSPECTION_HEAD)
    row = b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    return write_xlsx(path, [Sheet("执法检查", sheet_xml([head, row]))], strings(), level=6)


def filled_down(path: Path, *, rows: int = 1_048_576, columns: int = 3) -> Path:
    """执法检查 with a bad code, a bad date and a bad method filled down to row ``rows``
    (Excel's last row by default), all three as one shared string each."""

    def body() -> Iterator[bytes]:
        yield inline_row(1, INSPECTION_HEAD[:columns])
        cells = [f'<c r="{_letters(i + 1)}%d" t="s"><v>{i}</v></c>' for i in range(columns)]
        template = ('<row r="%d">' + "".join(cells) + "</row>").encode()
        per_row = template.count(b"%d")
        for start in range(2, rows + 1, 10_000):
            yield b"".join(
                template % ((n,) * per_row) for n in range(start, min(start + 10_000, rows + 1))
            )

    values = "".join(f"<si><t>{v}</t></si>" for v in ("不是代码", "某天", "随便"))
    strings = f'<sst xmlns="{MAIN_NS}">{values}</sst>'.encode()
    return write_xlsx(path, [Sheet("执法检查", sheet_xml(body()))], [strings], level=6)


# -- importing one under a memory limit --------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float


def run_import(db: Path, book: Path, *, limit_mb: int = 1024, timeout: float = 600) -> Outcome:
    """``safecredit --db DB import BOOK --dry-run`` in a child limited to ``limit_mb`` of
    address space; its time and peak resident memory."""

    def limit() -> None:
        cap = limit_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "safecredit_desktop.cli", "--db", str(db)]
    started = time.perf_counter()
    process = subprocess.Popen(
        [*command, "import", str(book), "--dry-run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=limit,
    )
    output: dict[str, bytes] = {}
    readers = [
        threading.Thread(target=lambda: output.update(out=process.stdout.read())),  # type: ignore[union-attr]
        threading.Thread(target=lambda: output.update(err=process.stderr.read())),  # type: ignore[union-attr]
    ]
    for reader in readers:
        reader.start()
    timer = threading.Timer(timeout, process.kill)
    timer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)  # the child's own peak memory
    finally:
        timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    seconds = time.perf_counter() - started
    return Outcome(
        process.returncode,
        output.get("out", b"").decode(),
        output.get("err", b"").decode(),
        seconds,
        usage.ru_maxrss / 1024,
    )


def make_database(path: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from safecredit_desktop.core import app as core

    session = core.init_database(
        path, profile="fenghuang", bureau_name="测试县应急管理局", user="测试员"
    )
    session.close()
    return path


CASES = {
    "one 1 GiB shared string": lambda p: one_huge_shared_string(p),
    "one 1 GiB shared string, 100 MB declared": lambda p: declare_size(
        one_huge_shared_string(p), "xl/sharedStrings.xml", 100 * 1024 * 1024
    ),
    "30 million shared strings": lambda p: many_shared_strings(p),
    "30 million empty shared strings": lambda p: many_shared_strings(p, empty=True),
    "fill-down to row 1,048,576": lambda p: filled_down(p),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit-mb", type=int, default=1024)
    parser.add_argument("--keep", type=Path, help="keep the workbooks in this folder")
    parser.add_argument("--case", action="append", help="only these cases")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db = make_database(Path(tmp) / "x.db")
        for index, (name, build) in enumerate(CASES.items()):
            if args.case and name not in args.case:
                continue
            started = time.perf_counter()
            book = build(folder / f"hostile-{index}.xlsx")
            built = time.perf_counter() - started
            outcome = run_import(db, book, limit_mb=args.limit_mb)
            first = (outcome.stderr or outcome.stdout).strip().splitlines()[:1]
            print(
                f"{name}: file {book.stat().st_size / 1e6:.1f} MB (built in {built:.1f} s); "
                f"exit {outcome.returncode}, {outcome.seconds:.1f} s, "
                f"peak {outcome.peak_mb:.0f} MB; {first[0] if first else ''}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
