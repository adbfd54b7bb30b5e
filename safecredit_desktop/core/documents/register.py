"""The register of issued documents (文书登记) and their numbers (文号).

Issuing is one write transaction (``BEGIN IMMEDIATE``): the next sequence of each
kind and year is read, the PDF is drawn with those numbers, and the file and the
register rows are stored. A second program issuing at the same time waits for the
lock, so numbers never repeat or skip. A document whose content is identical to one
already issued (same kind, unit and every word but the number) is not numbered
again: it is a reprint, and its stored file is returned byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any

from safecredit_desktop.core.documents.content import Document, doc_number
from safecredit_desktop.core.documents.kinds import KIND_BY_NAME
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.storage import audit
from safecredit_desktop.core.storage.changes import Table, note_written
from safecredit_desktop.core.storage.connection import Database


@dataclass(frozen=True)
class IssuedDocument:
    id: int
    kind: str
    year: int
    seq: int
    doc_no: str
    unit_id: int | None
    uscc: str
    subject: str
    issued_on: date
    issued_by: str
    params: dict[str, Any]
    content_sha256: str
    file_id: int
    first_page: int
    page_count: int
    sha256: str  # of the PDF file the document was issued in

    @property
    def kind_name(self) -> str:
        found = KIND_BY_NAME.get(self.kind)
        return found.name if found else self.kind


_COLUMNS = (
    "d.id, d.kind, d.year, d.seq, d.doc_no, d.unit_id, coalesce(u.uscc, ''), d.subject,"
    " d.issued_on, d.issued_by, d.params, d.content_sha256, d.file_id, d.first_page,"
    " d.page_count, f.sha256"
)
_FROM = (
    " FROM documents d JOIN document_files f ON f.id = d.file_id"
    " LEFT JOIN units u ON u.id = d.unit_id"
)


def _issued(row: Sequence[Any]) -> IssuedDocument:
    return IssuedDocument(
        int(row[0]),
        str(row[1]),
        int(row[2]),
        int(row[3]),
        str(row[4]),
        None if row[5] is None else int(row[5]),
        str(row[6]),
        str(row[7]),
        date.fromisoformat(str(row[8])),
        str(row[9]),
        json.loads(row[10]),
        str(row[11]),
        int(row[12]),
        int(row[13]),
        int(row[14]),
        str(row[15]),
    )


def find_identical(db: Database, document: Document) -> IssuedDocument | None:
    row = db.conn.execute(
        f"SELECT {_COLUMNS}{_FROM} WHERE d.kind = ? AND d.unit_id IS ? AND d.content_sha256 = ?"
        " ORDER BY d.id LIMIT 1",
        (document.kind, document.unit_id, document.fingerprint),
    ).fetchone()
    return None if row is None else _issued(row)


def search(
    db: Database, *, text: str = "", kind: str | None = None, limit: int = 1000
) -> list[IssuedDocument]:
    """Issued documents, newest first; ``text`` matches the number, subject or unit code."""
    where = []
    args: list[Any] = []
    if text.strip():
        like = f"%{text.strip()}%"
        where.append("(d.doc_no LIKE ? OR d.subject LIKE ? OR u.uscc LIKE ?)")
        args += [like, like, like]
    if kind:
        where.append("d.kind = ?")
        args.append(kind)
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    rows = db.conn.execute(
        f"SELECT {_COLUMNS}{_FROM}{clause} ORDER BY d.id DESC LIMIT ?", (*args, limit)
    )
    return [_issued(r) for r in rows]


def get(db: Database, document_id: int) -> IssuedDocument:
    row = db.conn.execute(f"SELECT {_COLUMNS}{_FROM} WHERE d.id = ?", (document_id,)).fetchone()
    if row is None:
        raise SafeCreditError(f"文书登记中没有编号为 {document_id} 的记录。")
    return _issued(row)


def file_bytes(db: Database, file_id: int) -> bytes:
    row = db.conn.execute("SELECT pdf FROM document_files WHERE id = ?", (file_id,)).fetchone()
    if row is None:
        raise SafeCreditError("文书文件不存在。")
    return bytes(row[0])


def verified_file(db: Database, found: IssuedDocument) -> bytes:
    """The stored file ``found`` was issued in, after checking it is the one issued: its
    SHA-256 must be the register's and the one the audit log recorded at issue. A
    reprint of an altered file is refused, naming the 文号."""
    pdf = file_bytes(db, found.file_id)
    digest = hashlib.sha256(pdf).hexdigest()
    entry = db.conn.execute(
        "SELECT after FROM audit_log WHERE table_name = 'documents' AND action = 'insert'"
        " AND row_key = ? ORDER BY id DESC LIMIT 1",
        (found.doc_no,),
    ).fetchone()
    recorded = json.loads(entry[0]).get("SHA-256") if entry and entry[0] else None
    if digest != found.sha256 or recorded != digest:
        why = (
            "存档文件与出具时登记的不一致" if recorded is not None else "审计日志中没有它的出具记录"
        )
        raise SafeCreditError(
            f"文书 {found.doc_no} 不能重印：{why}，可能被程序以外的工具改动过。"
            "请运行“检查”（safecredit check）并联系管理员。"
        )
    return pdf


def _next_seq(db: Database, kind: str, year: int) -> int:
    row = db.conn.execute(
        "SELECT coalesce(max(seq), 0) FROM documents WHERE kind = ? AND year = ?", (kind, year)
    ).fetchone()
    return int(row[0]) + 1


def _whole_file(db: Database, found: Sequence[IssuedDocument]) -> int | None:
    """The file ``found`` were issued in, when they are all of it in its page order
    (then the stored bytes are the reprint); else None."""
    files = {f.file_id for f in found}
    if len(files) != 1:
        return None
    (file_id,) = files
    pages, registered = db.conn.execute(
        "SELECT f.pages, (SELECT count(*) FROM documents d WHERE d.file_id = f.id)"
        " FROM document_files f WHERE f.id = ?",
        (file_id,),
    ).fetchone()
    in_order = all(a.first_page < b.first_page for a, b in pairwise(found))
    whole = int(pages) == sum(f.page_count for f in found) and int(registered) == len(found)
    return file_id if in_order and whole else None


Renderer = Callable[[Sequence[Document], Sequence[str]], tuple[bytes, list[tuple[int, int]]]]


@dataclass(frozen=True)
class IssueOutcome:
    pdf: bytes
    issued: list[IssuedDocument]
    reprinted: list[IssuedDocument]


def issue(
    db: Database,
    user: str,
    documents: Sequence[Document],
    *,
    prefixes: dict[str, str],
    day: date,
    render: Renderer,
    deliver: Callable[[bytes], None] | None = None,
) -> IssueOutcome:
    """Number, draw and store ``documents`` as one PDF, in one transaction.

    Documents identical to the whole of a file issued before return that stored file
    unchanged; documents issued before in other files are drawn again with their
    numbers, and nothing new is stored. In a batch, documents issued before keep their
    number and are drawn again into the new file; only the new ones are registered
    against it. ``deliver`` receives the PDF before the transaction commits: when it
    raises (the file could not be written), nothing is registered and no number used.
    """
    if not documents:
        raise SafeCreditError("没有要出具的文书。")
    with db.transaction() as conn:
        existing = [find_identical(db, d) for d in documents]
        if all(e is not None for e in existing):
            reprints = [e for e in existing if e is not None]
            stored = _whole_file(db, reprints)
            if stored is not None:
                # the stored bytes, after checking they are the ones issued
                pdf = verified_file(db, reprints[0])
            else:
                # Drawn again with their numbers (only these documents, not the rest of
                # a batch they came in), nothing new stored.
                pdf, _ = render(documents, [e.doc_no for e in reprints])
            if deliver is not None:
                deliver(pdf)
            return IssueOutcome(pdf, [], reprints)
        numbers: list[str] = []
        new_seq: list[tuple[int, int] | None] = []
        next_by_kind: dict[str, int] = {}
        for document, earlier in zip(documents, existing, strict=True):
            if earlier is not None:
                numbers.append(earlier.doc_no)
                new_seq.append(None)
                continue
            seq = next_by_kind.get(document.kind) or _next_seq(db, document.kind, day.year)
            next_by_kind[document.kind] = seq + 1
            prefix = prefixes.get(document.kind, "")
            if not prefix:
                raise SafeCreditError(f"尚未设置“{KIND_BY_NAME[document.kind].name}”的文号前缀。")
            numbers.append(doc_number(prefix, day.year, seq))
            new_seq.append((day.year, seq))
        pdf, pages = render(documents, numbers)
        digest = hashlib.sha256(pdf).hexdigest()
        note_written(conn, Table.DOCUMENT_FILES)
        file_id = int(
            conn.execute(
                "INSERT INTO document_files (sha256, pages, pdf) VALUES (?, ?, ?) RETURNING id",
                (digest, sum(p[1] for p in pages), pdf),
            ).fetchone()[0]
            or 0
        )
        entries = []
        issued_ids = []
        for document, number, year_seq, (first, count) in zip(
            documents, numbers, new_seq, pages, strict=True
        ):
            if year_seq is None:
                continue
            params = json.dumps(document.params, ensure_ascii=False, sort_keys=True)
            cursor = conn.execute(
                "INSERT INTO documents (kind, year, seq, doc_no, unit_id, subject, issued_on,"
                " issued_by, params, content_sha256, file_id, first_page, page_count)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    document.kind,
                    year_seq[0],
                    year_seq[1],
                    number,
                    document.unit_id,
                    document.subject,
                    day.isoformat(),
                    user,
                    params,
                    document.fingerprint,
                    file_id,
                    first,
                    count,
                ),
            )
            issued_ids.append(int(cursor.fetchone()[0]))
            entries.append(
                audit.AuditEntry(
                    "insert",
                    "documents",
                    number,
                    None,
                    {
                        "文号": number,
                        "文书": KIND_BY_NAME[document.kind].name,
                        "对象": document.subject,
                        "SHA-256": digest,
                    },
                )
            )
        audit.append(conn, user, entries)
        issued = [get(db, i) for i in issued_ids]
        reprinted = [f for f in existing if f is not None]
        if deliver is not None:
            deliver(pdf)
    return IssueOutcome(pdf, issued, reprinted)
