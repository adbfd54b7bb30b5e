"""The .eml draft's headers: RFC 2047 encoded words of at most 75 characters, the
attachment named both by RFC 2231 ``filename*`` and by an RFC 2047 ``name=`` on
Content-Type, read back by Python's email and by munpack (mpack) where installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from email import policy
from email.header import decode_header, make_header
from email.parser import BytesParser
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from safecredit_desktop.core.exchange import eml, reports, sheets

TODAY = date(2026, 11, 21)
BUREAU = "凤凰县应急管理局"
ENCODED_WORD = re.compile(rb"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def write_draft(folder: Path, *, bureau: str = BUREAU) -> tuple[Path, Path, str]:
    workbook = folder / f"{bureau}安全生产信用分级分类统计表-2026-11-21.xlsx"
    workbook.write_bytes(b"PK\x03\x04 not really a workbook " * 40)
    subject, body = reports.draft_text(
        bureau_name=bureau,
        report_title="安全生产信用分级分类统计表",
        basis="评定基准日：2026-11-21（实时）",
        attachment_name=workbook.name,
        today=TODAY,
    )
    draft = reports.write_eml_draft(
        folder / "draft.eml",
        to="shi@yjj.example.cn",
        subject=subject,
        body=body,
        attachment=workbook,
        sender_name=bureau,
    )
    return draft, workbook, subject


def test_encoded_words_at_most_75_and_lines_at_most_78(tmp_path: Path) -> None:
    draft, _workbook, _subject = write_draft(tmp_path)
    raw = draft.read_bytes()
    words = ENCODED_WORD.findall(raw)
    assert len(words) >= 5  # Subject, Organization, name=
    assert max(len(w) for w in words) <= 75
    head = raw.split(b"\r\n\r\n", 1)[0]
    for line in head.split(b"\r\n"):
        assert len(line) <= 78, line
    mime_headers = [
        line for line in raw.split(b"\r\n") if not re.fullmatch(rb"[A-Za-z0-9+/=]*", line)
    ]
    for line in mime_headers:
        # only the xlsx MIME type itself cannot be folded (79 characters with its ';')
        assert len(line) <= 78 or sheets.XLSX_MIME.encode() in line, line


def test_attachment_named_by_filename_star_and_by_name(tmp_path: Path) -> None:
    draft, workbook, subject = write_draft(tmp_path)
    raw = draft.read_bytes()
    assert raw.isascii()
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert not message.defects
    assert message["Subject"] == subject
    assert message["Organization"] == BUREAU
    assert message["X-Unsent"] == "1"
    (part,) = list(message.iter_attachments())
    assert part.get_content_type() == sheets.XLSX_MIME
    assert part.get_filename() == workbook.name  # RFC 2231 filename*
    assert part.get_content() == workbook.read_bytes()
    # the name= fallback, decoded the RFC 2047 way as a reader of only name= does
    compat = BytesParser(policy=policy.compat32).parsebytes(raw)
    attachment = next(p for p in compat.walk() if p.get_content_type() == sheets.XLSX_MIME)
    name = attachment.get_param("name")
    assert isinstance(name, str) and name.startswith("=?utf-8?b?")
    assert str(make_header(decode_header(name))) == workbook.name
    assert b"filename*0*=utf-8''" in raw


@given(st.text(min_size=1, max_size=80))
@example("凤凰县应急管理局报送安全生产信用分级分类统计表（评定基准日：2026-11-21（实时））")
@example("𠀀" * 30)  # four-byte characters
@settings(max_examples=60, deadline=None)
def test_encoded_words_round_trip(text: str) -> None:
    words = eml.encoded_words(text)
    assert all(len(w) <= 75 for w in words)
    decoded = "".join(
        part.decode("utf-8") for word in words for part, _charset in decode_header(word)
    )
    assert decoded == text


@pytest.mark.skipif(shutil.which("munpack") is None, reason="munpack (apt package mpack) absent")
def test_munpack_saves_the_attachment_under_its_name_not_part1(tmp_path: Path) -> None:
    draft, workbook, _subject = write_draft(tmp_path, bureau="县局")
    out = tmp_path / "unpacked"
    out.mkdir()
    subprocess.run(["munpack", "-q", str(draft)], cwd=out, check=True, capture_output=True)
    saved = [p for p in out.rglob("*") if p.is_file() and p.suffix != ".desc"]
    assert len(saved) == 1, saved
    assert saved[0].read_bytes() == workbook.read_bytes()
    # munpack reads name= but does not decode RFC 2047: it saves under the encoded words
    # with '?' replaced by X (a '/' of the base64 even makes a folder) — not under the
    # anonymous part1 it gave a draft without name=
    assert saved[0].name != "part1"
    assert saved[0].relative_to(out).as_posix().startswith("=Xutf-8XbX")
