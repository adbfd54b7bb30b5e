"""Several seats at once on one PostgreSQL register (issue 19): 8 processes enter 500
records and issue 50 documents each through the core, all at the same time. Every
record and every audit entry is there, the audit log is still one chain, and the 400
文号 run 1..400 without a gap or a repeat."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

from safecredit_desktop.core import app as core
from safecredit_desktop.core.storage import audit

TODAY = date(2026, 11, 21)
WORKERS = 8
RECORDS = 500
DOCUMENTS = 50

WORKER = textwrap.dedent(
    """
    import sys, time
    from datetime import date, timedelta
    from pathlib import Path
    from safecredit_desktop.core import model
    from safecredit_desktop.core import app as core
    from safecredit_desktop.core.storage.location import parse

    url, n, ready, go = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
    records, documents = int(sys.argv[5]), int(sys.argv[6])
    session = core.open_session(parse(url), user=f"席位{n}")
    units = [int(r[0]) for r in session.db.conn.execute("SELECT id FROM units ORDER BY id")]
    ready.touch()
    while not go.exists():
        time.sleep(0.005)
    base = date(1999, 1, 1)  # before every demo record
    for k in range(records):
        day = base + timedelta(days=n * records + k)
        record = model.Inspection(
            unit_id=units[k % len(units)], inspected_on=day, method="日常",
            inspectors=f"席位{n}", hazards=k % 3,
        )
        session.records.save(record)
        if k % (records // documents) == 0 and k // (records // documents) < documents:
            i = k // (records // documents)
            as_of = date(2026, 11, 21) - timedelta(days=n * documents + i)
            request = core.DocumentRequest(
                "grade-notice", unit_ids=(units[(n * documents + i) % len(units)],), as_of=as_of
            )
            issued = session.documents.issue(request, today=date(2026, 11, 21))
            assert len(issued.issued) == 1, issued
            print(issued.issued[0].doc_no, flush=True)
    session.close()
    """
)


def test_eight_seats_enter_records_and_number_documents_at_once(pg: object, tmp_path: Path) -> None:
    session = core.init_database(
        pg,
        profile="fenghuang",
        bureau_name="测试县应急管理局",
        user="管理员",  # type: ignore[arg-type]
    )
    core.fill_demo(session, enterprises=40, seed=1, today=TODAY)
    before_inspections = int(
        session.db.conn.execute("SELECT count(*) FROM inspections").fetchone()[0]
    )
    before_entries = audit.head(session.db.conn)[0]
    session.close()

    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                str(pg),
                str(n),
                str(tmp_path / f"ready{n}"),
                str(go),
                str(RECORDS),
                str(DOCUMENTS),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n in range(WORKERS)
    ]
    try:
        deadline = time.monotonic() + 120
        while not all((tmp_path / f"ready{n}").exists() for n in range(WORKERS)):
            assert time.monotonic() < deadline, "workers did not start"
            assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
            time.sleep(0.01)
        go.touch()
        printed: list[str] = []
        for proc in procs:
            out, err = proc.communicate(timeout=600)
            assert proc.returncode == 0, err
            assert "Traceback" not in err
            printed += out.split()
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()

    session = core.open_session(pg, user="核对")  # type: ignore[arg-type]
    try:
        conn = session.db.conn
        total = int(conn.execute("SELECT count(*) FROM inspections").fetchone()[0])
        assert total == before_inspections + WORKERS * RECORDS
        for n in range(WORKERS):
            mine = conn.execute(
                "SELECT count(*) FROM inspections WHERE inspectors = ?", (f"席位{n}",)
            ).fetchone()[0]
            assert mine == RECORDS
            logged = conn.execute(
                "SELECT count(*) FROM audit_log WHERE user = ? AND table_name = 'inspections'"
                " AND action = 'insert'",
                (f"席位{n}",),
            ).fetchone()[0]
            assert logged == RECORDS
        rows = conn.execute("SELECT seq, doc_no FROM documents ORDER BY seq").fetchall()
        assert [r[0] for r in rows] == list(range(1, WORKERS * DOCUMENTS + 1))
        numbers = [str(r[1]) for r in rows]
        assert len(set(numbers)) == WORKERS * DOCUMENTS
        assert sorted(printed) == sorted(numbers)
        assert all(n == f"凤应急信告〔2026〕{i}号" for i, n in enumerate(numbers, start=1))
        head = audit.head(conn)[0]
        assert head >= before_entries + WORKERS * (RECORDS + DOCUMENTS)
        assert audit.verify_chain(conn) is None
    finally:
        session.close()
    report = core.check_database(pg)  # type: ignore[arg-type]
    assert report.problems == []
