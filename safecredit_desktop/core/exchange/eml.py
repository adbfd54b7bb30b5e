"""An e-mail draft (.eml) as bytes: one text part and one attachment, written by hand.

Python's ``email`` folds long non-ASCII headers into encoded words of up to 76
characters (RFC 2047 allows 75) and, given a Content-Type ``name``, mangles the MIME
type; so every header here is composed directly: non-ASCII text becomes RFC 2047
``=?utf-8?b?…?=`` words of at most ``MAX_WORD`` characters, each holding whole
characters, one per folded line, and no line exceeds 78 characters.

The attachment is named twice, as mail programs old and new expect: RFC 2231
``filename*0*=utf-8''…`` continuations on Content-Disposition (Thunderbird, Outlook,
Python) and an RFC 2047-encoded ``name=`` on Content-Type (Foxmail, older Outlook and
anything else that reads only ``name``).
"""

from __future__ import annotations

import base64
import hashlib
from email import policy
from urllib.parse import quote

MAX_WORD = 68  # ≤ 75 (RFC 2047), and short enough that "Subject: " + a word ≤ 78
MAX_LINE = 78
_WORD_OPEN, _WORD_CLOSE = "=?utf-8?b?", "?="
_B64_ROOM = (MAX_WORD - len(_WORD_OPEN) - len(_WORD_CLOSE)) // 4 * 3  # bytes per word
_CRLF = "\r\n"


def encoded_words(text: str) -> list[str]:
    """``text`` as RFC 2047 B-encoded words of at most ``MAX_WORD`` characters; a word
    never splits a character (RFC 2047 §5: each word must decode on its own)."""
    words: list[str] = []
    chunk = b""
    for char in text:
        data = char.encode("utf-8")
        if chunk and len(chunk) + len(data) > _B64_ROOM:
            words.append(_word(chunk))
            chunk = b""
        chunk += data
    if chunk or not words:
        words.append(_word(chunk))
    return words


def _word(data: bytes) -> str:
    return f"{_WORD_OPEN}{base64.b64encode(data).decode('ascii')}{_WORD_CLOSE}"


def header_line(name: str, value: str) -> str:
    """``Name: value`` with CRLF; non-ASCII values as encoded words, one per line."""
    if value.isascii():
        return f"{name}: {value}{_CRLF}"
    return f"{name}: " + f"{_CRLF} ".join(encoded_words(value)) + _CRLF


def _address_line(name: str, value: str) -> str:
    """An address header: ASCII as is; otherwise folded by Python's SMTP policy (only a
    display name can be encoded, which that policy knows how to do)."""
    if value.isascii():
        return f"{name}: {value}{_CRLF}"
    return str(policy.SMTP.fold(name, value))


def _filename_params(filename: str) -> str:
    """RFC 2231 ``filename*N*=`` continuations, each line ≤ 78 characters, ending in
    CRLF; characters are never split between segments."""
    segments: list[str] = []
    current = "utf-8''"
    for char in filename:
        piece = quote(char, safe="-._~")
        # " filename*NN*=" + current + ";" must fit a line
        if len(current) + len(piece) > MAX_LINE - len(" filename*00*=;"):
            segments.append(current)
            current = ""
        current += piece
    segments.append(current)
    lines = [f" filename*{n}*={segment}" for n, segment in enumerate(segments)]
    return ";" + _CRLF + (";" + _CRLF).join(lines) + _CRLF


def _name_param(filename: str) -> str:
    """Content-Type ``name="…"``: RFC 2047 words, one per folded line, ending in CRLF."""
    words = encoded_words(filename) if not filename.isascii() else [filename]
    return ";" + _CRLF + ' name="' + f"{_CRLF} ".join(words) + '"' + _CRLF


def _base64_body(data: bytes) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return _CRLF.join(encoded[i : i + 76] for i in range(0, len(encoded), 76)) + _CRLF


def build_draft(
    *,
    to: str,
    subject: str,
    date: str,
    organization: str,
    body: str,
    attachment: bytes,
    filename: str,
    content_type: str,
) -> bytes:
    """The whole message: an unsent draft (``X-Unsent: 1``) with no From (the mail
    program fills in its own account), a UTF-8 text part and ``attachment``."""
    boundary = "=_safecredit_" + hashlib.sha256(attachment + subject.encode()).hexdigest()[:32]
    head = ""
    if to.strip():
        head += _address_line("To", to.strip())
    head += header_line("Subject", subject)
    head += header_line("Date", date)
    if organization:
        head += header_line("Organization", organization)
    head += "X-Unsent: 1" + _CRLF
    head += "MIME-Version: 1.0" + _CRLF
    head += f'Content-Type: multipart/mixed;{_CRLF} boundary="{boundary}"' + _CRLF
    text = body.replace("\r\n", "\n").replace("\n", _CRLF).encode("utf-8")
    parts = [
        head,
        _CRLF,
        f"--{boundary}{_CRLF}",
        f'Content-Type: text/plain; charset="utf-8"{_CRLF}',
        f"Content-Transfer-Encoding: base64{_CRLF}",
        _CRLF,
        _base64_body(text),
        f"--{boundary}{_CRLF}",
        f"Content-Type: {content_type}" + _name_param(filename),
        f"Content-Transfer-Encoding: base64{_CRLF}",
        "Content-Disposition: attachment" + _filename_params(filename),
        _CRLF,
        _base64_body(attachment),
        f"--{boundary}--{_CRLF}",
    ]
    return "".join(parts).encode("ascii")
