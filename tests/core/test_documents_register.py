"""The register of issued documents (文书登记): numbers per kind and year without gaps or
repeats (also when several programs issue at once), previews take none, a reprint is
the stored file byte for byte, issued rows and files are never changed, and the 文号
prefixes are checked."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from outside import outside

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.documents import render
from safecredit_desktop.core.documents.content import preview_number
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role

TODAY = date(2026, 11, 21)
BUREAU = "测试县应急管理局"


def pdf_text(pdf: bytes, tmp: Path, *, first: int | None = None, last: int | None = None) -> str:
    path = tmp / f"t-{hashlib.sha256(pdf).hexdigest()[:12]}.pdf"
    path.write_bytes(pdf)
    args = ["pdftotext", "-enc", "UTF-8"]
    if first is not None:
        args += ["-f", str(first), "-l", str(last or first)]
    out = subprocess.run([*args, str(path), "-"], capture_output=True, text=True, check=True)
    return "".join(out.stdout.split())


def pages_of(pdf: bytes, tmp: Path) -> int:
    path = tmp / "count.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(next(x for x in info.stdout.splitlines() if x.startswith("Pages:")).split()[1])


def new_session(path: Path, enterprises: int = 20) -> core.Session:
    session = core.init_database(
        path, profile="fenghuang", bureau_name=BUREAU, user="管理员", admin=("管理员", "admin-pw")
    )
    core.fill_demo(session, enterprises=enterprises, seed=1, today=TODAY)
    return session


@pytest.fixture
def session(new_db: Callable[[str], Path]) -> Iterator[core.Session]:
    opened = new_session(new_db("x.db"))
    yield opened
    opened.close()


def c_units(session: core.Session) -> list[int]:
    found = session.units.of_grade("C", TODAY)
    assert len(found) >= 4
    return found


def notice(*unit_ids: int) -> core.DocumentRequest:
    return core.DocumentRequest("grade-notice", unit_ids=tuple(unit_ids), as_of=TODAY)


def register_rows(session: core.Session) -> list[tuple[object, ...]]:
    return session.db.conn.execute(
        "SELECT kind, year, seq, doc_no, unit_id, file_id, first_page, page_count"
        " FROM documents ORDER BY id"
    ).fetchall()


def file_count(session: core.Session) -> int:
    return int(session.db.conn.execute("SELECT count(*) FROM document_files").fetchone()[0])


# -- numbers ------------------------------------------------------------------------------------


def test_preview_takes_no_number(session: core.Session, tmp_path: Path) -> None:
    unit = c_units(session)[0]
    pdf = session.documents.preview(notice(unit), today=TODAY)
    assert pdf.startswith(b"%PDF")
    assert register_rows(session) == [] and file_count(session) == 0
    text = pdf_text(pdf, tmp_path)
    assert "".join(preview_number("凤应急信告", 2026).split()) in text
    assert "出具时编号" in text
    assert "凤应急信告〔2026〕1号" not in text
    issued = session.documents.issue(notice(unit), today=TODAY)
    assert [d.doc_no for d in issued.issued] == ["凤应急信告〔2026〕1号"]


def test_reprint_returns_the_stored_file(session: core.Session, tmp_path: Path) -> None:
    unit = c_units(session)[0]
    first = session.documents.issue(notice(unit), today=TODAY)
    (doc,) = first.issued
    assert doc.doc_no == "凤应急信告〔2026〕1号" and (doc.year, doc.seq) == (2026, 1)
    assert doc.issued_by == "管理员" and doc.issued_on == TODAY and doc.unit_id == unit
    assert doc.sha256 == hashlib.sha256(first.pdf).hexdigest()
    assert doc.doc_no in pdf_text(first.pdf, tmp_path)

    again = session.documents.issue(notice(unit), today=TODAY)
    assert again.issued == [] and [d.doc_no for d in again.reprinted] == [doc.doc_no]
    assert again.pdf == first.pdf
    assert len(register_rows(session)) == 1 and file_count(session) == 1

    assert session.documents.issued_file(doc.id) == first.pdf
    assert session.documents.find(doc.doc_no).id == doc.id
    logged = session.db.conn.execute(
        "SELECT count(*) FROM audit_log WHERE table_name = 'documents' AND after LIKE '%重印%'"
    ).fetchone()[0]
    assert logged == 1
    with pytest.raises(SafeCreditError, match="没有文号"):
        session.documents.find("凤应急信告〔2026〕99号")


def test_changed_record_gets_a_new_number(session: core.Session, tmp_path: Path) -> None:
    unit = c_units(session)[0]
    first = session.documents.issue(notice(unit), today=TODAY)
    session.records.save(model.Violation(unit, "accident_reported_late", date(2026, 10, 3)))
    second = session.documents.issue(notice(unit), today=TODAY)
    assert [d.doc_no for d in second.issued] == ["凤应急信告〔2026〕2号"]
    assert second.reprinted == [] and second.pdf != first.pdf
    text = pdf_text(second.pdf, tmp_path)
    assert "凤应急信告〔2026〕2号" in text and "迟报生产安全事故" in text
    # the first stays as issued
    assert session.documents.issued_file(first.issued[0].id) == first.pdf
    assert [r[2] for r in register_rows(session)] == [1, 2]


def test_sequences_run_per_kind_and_year(session: core.Session) -> None:
    units = c_units(session)
    a = session.documents.issue(notice(units[0]), today=TODAY)
    b = session.documents.issue(
        core.DocumentRequest("commitment", unit_ids=(units[0],)), today=TODAY
    )
    c = session.documents.issue(notice(units[1]), today=TODAY)
    d = session.documents.issue(notice(units[2]), today=date(2027, 1, 4))
    assert [x.issued[0].doc_no for x in (a, b, c, d)] == [
        "凤应急信告〔2026〕1号",
        "凤应急信诺〔2026〕1号",
        "凤应急信告〔2026〕2号",
        "凤应急信告〔2027〕1号",
    ]
    found = session.documents.register(kind="grade-notice")
    assert [x.doc_no for x in found] == [
        "凤应急信告〔2027〕1号",
        "凤应急信告〔2026〕2号",
        "凤应急信告〔2026〕1号",
    ]
    uscc = found[-1].uscc
    assert [x.doc_no for x in session.documents.register(search=uscc)] == [
        "凤应急信诺〔2026〕1号",
        "凤应急信告〔2026〕1号",
    ]


def test_issuing_is_audited_and_the_database_checks(session: core.Session) -> None:
    units = c_units(session)
    session.documents.issue(notice(*units[:3]), today=TODAY)
    numbers = [
        r[0]
        for r in session.db.conn.execute(
            "SELECT row_key FROM audit_log WHERE table_name = 'documents' AND action = 'insert'"
        )
    ]
    assert len(numbers) == 3 and all("凤应急信告〔2026〕" in n for n in numbers)
    report = core.check_database(session.db.location)
    assert report.problems == []


# -- batches ------------------------------------------------------------------------------------


def test_batch_one_document_per_unit_each_from_a_new_page(
    session: core.Session, tmp_path: Path
) -> None:
    units = c_units(session)
    result = session.documents.issue(notice(*units), today=TODAY)
    assert len(result.issued) == len(units) and result.reprinted == []
    assert [d.seq for d in result.issued] == list(range(1, len(units) + 1))
    assert len({d.file_id for d in result.issued}) == 1 and file_count(session) == 1
    total = pages_of(result.pdf, tmp_path)
    expected_first = 1
    for doc in sorted(result.issued, key=lambda d: d.first_page):
        assert doc.first_page == expected_first and doc.page_count >= 1
        expected_first += doc.page_count
        first_page = pdf_text(result.pdf, tmp_path, first=doc.first_page)
        assert "安全生产信用等级告知书" in first_page
        assert doc.doc_no in first_page and doc.uscc in first_page
        assert "—1—" in first_page
        own = pdf_text(
            result.pdf, tmp_path, first=doc.first_page, last=doc.first_page + doc.page_count - 1
        )
        assert own.count("凤应急信告〔2026〕") == 1
    assert expected_first == total + 1
    stored = session.db.conn.execute("SELECT pages FROM document_files").fetchone()[0]
    assert stored == total


def test_batch_keeps_numbers_already_issued(session: core.Session, tmp_path: Path) -> None:
    units = c_units(session)[:4]
    alone = session.documents.issue(notice(units[2]), today=TODAY)
    batch = session.documents.issue(notice(*units), today=TODAY)
    assert [d.doc_no for d in batch.reprinted] == [alone.issued[0].doc_no]
    assert sorted(d.seq for d in batch.issued) == [2, 3, 4]
    text = pdf_text(batch.pdf, tmp_path)
    for n in range(1, 5):
        assert f"凤应急信告〔2026〕{n}号" in text
    # the earlier document still points at its own file
    assert session.documents.issued_file(alone.issued[0].id) == alone.pdf


def test_identical_batch_reprints_byte_for_byte(session: core.Session) -> None:
    units = c_units(session)[:4]
    first = session.documents.issue(notice(*units), today=TODAY)
    again = session.documents.issue(notice(*units), today=TODAY)
    assert again.issued == [] and len(again.reprinted) == 4
    assert again.pdf == first.pdf
    assert len(register_rows(session)) == 4


def test_reprints_return_the_stored_file_without_drawing_again(
    session: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PDF carries its real creation time, so drawing the same documents again would
    give other bytes: a reprint of a whole stored file is that file, never redrawn."""
    units = c_units(session)[:3]
    alone = session.documents.issue(notice(units[0]), today=TODAY)
    batch = session.documents.issue(notice(*units[1:]), today=TODAY)
    created = re.search(rb"/CreationDate \(D:(\d{4})", alone.pdf)
    assert created is not None and created.group(1) == str(date.today().year).encode()

    def no_drawing(*_args: object, **_kw: object) -> None:
        raise AssertionError("a reprint was drawn again")

    monkeypatch.setattr(render, "render_pdf", no_drawing)
    assert session.documents.issue(notice(units[0]), today=TODAY).pdf == alone.pdf
    assert session.documents.issue(notice(*units[1:]), today=TODAY).pdf == batch.pdf
    assert file_count(session) == 2


def test_a_file_that_cannot_be_written_takes_no_number(session: core.Session) -> None:
    unit = c_units(session)[0]

    def full_disk(_pdf: bytes) -> None:
        raise SafeCreditError("无法写入文件：磁盘已满")

    with pytest.raises(SafeCreditError, match="磁盘已满"):
        session.documents.issue(notice(unit), today=TODAY, deliver=full_disk)
    assert register_rows(session) == [] and file_count(session) == 0
    written: list[bytes] = []
    result = session.documents.issue(notice(unit), today=TODAY, deliver=written.append)
    assert [d.doc_no for d in result.issued] == ["凤应急信告〔2026〕1号"]
    assert written == [result.pdf]


def test_identical_batch_stores_no_second_file(session: core.Session) -> None:
    units = c_units(session)[:3]
    session.documents.issue(notice(*units), today=TODAY)
    session.documents.issue(notice(*units), today=TODAY)
    assert file_count(session) == 1


def test_reprint_of_one_document_from_a_batch_is_that_document(
    session: core.Session, tmp_path: Path
) -> None:
    units = c_units(session)[:4]
    batch = session.documents.issue(notice(*units), today=TODAY)
    target = next(d for d in batch.issued if d.unit_id == units[1])
    again = session.documents.issue(notice(units[1]), today=TODAY)
    assert [d.doc_no for d in again.reprinted] == [target.doc_no]
    assert pages_of(again.pdf, tmp_path) == target.page_count
    text = pdf_text(again.pdf, tmp_path)
    others = [d for d in batch.issued if d.id != target.id]
    assert not any(d.doc_no in text for d in others)


# -- immutability ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE documents SET doc_no = '改号' WHERE id = 1",
        "UPDATE documents SET seq = 99",
        "DELETE FROM documents WHERE id = 1",
        "DELETE FROM documents",
        "UPDATE document_files SET pdf = x'00'",
        "UPDATE document_files SET sha256 = 'x' WHERE id = 1",
        "DELETE FROM document_files",
    ],
)
def test_issued_documents_and_files_cannot_change(session: core.Session, sql: str) -> None:
    unit = c_units(session)[0]
    session.documents.issue(notice(unit), today=TODAY)
    before = register_rows(session)
    pdf = session.db.conn.execute("SELECT pdf FROM document_files").fetchone()[0]
    with pytest.raises(sqlite3.IntegrityError, match="已出具的文书"):
        session.db.conn.execute(sql)
    assert register_rows(session) == before
    assert session.db.conn.execute("SELECT pdf FROM document_files").fetchone()[0] == pdf


def test_immutability_holds_on_a_plain_connection(session: core.Session) -> None:
    session.documents.issue(notice(c_units(session)[0]), today=TODAY)
    conn = outside(session.db.location)
    try:
        for sql in ("DELETE FROM documents", "UPDATE document_files SET pages = 9"):
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute(sql)
    finally:
        conn.close()


# -- prefixes -----------------------------------------------------------------------------------


def test_profile_prefixes_are_the_defaults(session: core.Session) -> None:
    prefixes = session.documents.prefixes()
    assert prefixes["grade-notice"] == "凤应急信告"
    assert set(prefixes) == {k.kind for k in session.documents.kinds()}
    assert all(prefixes.values())


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        ("凤应急1", "不能含空格、括号或数字"),
        ("凤应急２告", "不能含空格、括号或数字"),
        ("凤〔应急", "不能含空格、括号或数字"),
        ("凤应急(告", "不能含空格、括号或数字"),
        ("凤应急（告", "不能含空格、括号或数字"),
        ("凤 应急", "不能含空格、括号或数字"),
        ("凤", "2至12个字"),
        ("  ", "2至12个字"),
        ("凤" * 13, "2至12个字"),
    ],
)
def test_bad_prefixes_are_refused(session: core.Session, prefix: str, message: str) -> None:
    before = session.documents.prefixes()
    with pytest.raises(SafeCreditError, match=message):
        session.documents.set_prefix("grade-notice", prefix)
    assert session.documents.prefixes() == before


def test_prefix_needs_admin_and_a_known_kind(session: core.Session) -> None:
    with pytest.raises(SafeCreditError, match="没有“no-such”这种文书"):
        session.documents.set_prefix("no-such", "凤应急告")
    clerk = core.open_session(session.db.location, user="录入员", role=Role.CLERK)
    try:
        with pytest.raises(SafeCreditError, match="管理员"):
            clerk.documents.set_prefix("grade-notice", "凤应急评告")
    finally:
        clerk.close()
    assert session.documents.prefixes()["grade-notice"] == "凤应急信告"


def test_new_prefix_numbers_on_in_the_same_sequence(session: core.Session, tmp_path: Path) -> None:
    units = c_units(session)
    session.documents.issue(notice(units[0]), today=TODAY)
    session.documents.set_prefix("grade-notice", " 凤应急评告 ")
    assert session.documents.prefixes()["grade-notice"] == "凤应急评告"
    assert session.documents.prefixes()["commitment"] == "凤应急信诺"
    result = session.documents.issue(notice(units[1]), today=TODAY)
    assert result.issued[0].doc_no == "凤应急评告〔2026〕2号"
    assert "凤应急评告〔2026〕2号" in pdf_text(result.pdf, tmp_path)
    audited = session.db.conn.execute(
        "SELECT count(*) FROM audit_log WHERE after LIKE '%凤应急评告%'"
    ).fetchone()[0]
    assert audited >= 1


# -- several programs issuing at once ---------------------------------------------------------

WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from safecredit_desktop.cli import main

    db, out, ready, go, *codes = sys.argv[1:]
    Path(ready).touch()
    while not Path(go).exists():
        time.sleep(0.005)
    for code in codes:
        rc = main(["--db", db, "print", "grade-notice", "--uscc", code,
                   "--as-of", "2026-11-21", "--out", str(Path(out) / (code + ".pdf"))])
        if rc != 0:
            sys.exit(rc)
    """
)


@pytest.mark.sqlite_only  # tests/core/test_pg_concurrency.py does it on the server
def test_concurrent_issue_has_no_gaps_or_repeats(tmp_path: Path) -> None:
    session = new_session(tmp_path / "x.db", enterprises=24)
    db = session.db.path
    codes = [
        str(r[0]) for r in session.db.conn.execute("SELECT uscc FROM units ORDER BY uscc LIMIT 18")
    ]
    session.close()
    assert len(codes) == 18
    out = tmp_path / "out"
    out.mkdir()
    go = tmp_path / "go"
    workers = 6
    procs = []
    for n in range(workers):
        mine = codes[n::workers]
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    WORKER,
                    str(db),
                    str(out),
                    str(tmp_path / f"r{n}"),
                    str(go),
                    *mine,
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=os.environ.copy(),
            )
        )
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"r{n}").exists() for n in range(workers)):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.01)
    go.touch()
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert "Traceback" not in err

    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT d.seq, d.doc_no, u.uscc, d.year, d.kind FROM documents d"
            " JOIN units u ON u.id = d.unit_id ORDER BY d.seq"
        ).fetchall()
    finally:
        conn.close()
    assert [r[0] for r in rows] == list(range(1, 19))
    assert len({r[1] for r in rows}) == 18
    assert sorted(r[2] for r in rows) == sorted(codes)
    assert {(r[3], r[4]) for r in rows} == {(date.today().year, "grade-notice")}
    for seq, doc_no, uscc, _, _ in rows:
        assert doc_no == f"凤应急信告〔{date.today().year}〕{seq}号"
        text = pdf_text((out / f"{uscc}.pdf").read_bytes(), tmp_path)
        assert doc_no in text and uscc in text
    assert core.check_database(db).problems == []
