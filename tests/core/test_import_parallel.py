"""The parallel import (issue 20) is the serial import's twin.

``session.exchange.import_workbook`` may read and plan the workbook in a worker process and
write the planned rows as they arrive (``SAFECREDIT_IMPORT_WORKER``: ``never`` serial,
``always`` parallel whatever the size). Whatever the path, an import must end the same:
the same rows (ids included), the same audit entries in the same order, the same summary;
the same refusal (bad cells, a clerk's 执法人员 / 信用修复 rows) with nothing written and no
backup left behind; a cancel rolled back; a worker that dies mid-import replaced by the
serial path. The workbooks are made by the program itself: a small demo county exported as
全部数据 (every record kind, 执法人员 with 回避单位, 信用修复 rows), and variants of it.

Every import here also checks which way it went (``watch_paths``): ``always`` must really
write the worker's plan (or, where a test says so, give the worker up for the serial path),
so that an equivalence cannot pass because both runs were serial. The worker is a process
kept for the program's life, so the file also holds it to what a process owes its caller:
a relative path read where the caller is, a bundled executable that does not run itself
again as the worker, and no traceback on the terminal after Ctrl+C.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from engine_helpers import copy_location

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.app.exchange import ExchangePart
from safecredit_desktop.core.errors import Cancelled, SafeCreditError
from safecredit_desktop.core.exchange import importer, parallel_import
from safecredit_desktop.core.exchange.importer import (
    DELETED,
    TARGET_DELETED,
    UNIT_DELETED,
    WorkbookError,
)
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.paths import backups_dir_for
from safecredit_desktop.core.storage import dialect
from safecredit_desktop.core.storage.location import local_path

WORKER_ENV = "SAFECREDIT_IMPORT_WORKER"
SERIAL, PARALLEL = "never", "always"
MODES = (SERIAL, PARALLEL)
MADE_ON = date(2025, 6, 30)  # the county's demo and export
TODAY = date(2025, 7, 1)  # the imports
ENTERPRISES = 60
SEED = 1  # 60 units, seed 1: every record kind, accidents and honours included
ID = "433123198001011238"

Rows = list[list[Any]]
Book = dict[str, Rows]


# -- workbooks ---------------------------------------------------------------------------------


def read_book(path: Path) -> Book:
    """The template sheets of a workbook as rows of cell values (header row first)."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return {
            ws.title: [list(r) for r in ws.iter_rows(values_only=True)]
            for ws in wb.worksheets
            if ws.title not in ("说明", "选项")
        }
    finally:
        wb.close()


def write_book(path: Path, book: Book) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in book.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def column(book: Book, sheet: str, header: str) -> int:
    return book[sheet][0].index(header)


def copy_of(book: Book) -> Book:
    return {title: [list(r) for r in rows] for title, rows in book.items()}


def county_database(folder: Path) -> Path:
    """A demo county (SQLite: only its export is used) with five more 信用修复 rows: three
    penalties and two 失信行为 repaired (at least 12 months after them)."""
    path = folder / "county.db"
    session = core.init_database(
        path, profile="fenghuang", bureau_name="源县应急管理局", user="源县录入员"
    )
    try:
        core.fill_demo(session, enterprises=ENTERPRISES, seed=SEED, today=MADE_ON)
        conn = session.db.conn
        penalties = conn.execute(
            "SELECT id, unit_id FROM penalties WHERE decided_on <= '2024-05-31' AND id NOT IN"
            " (SELECT penalty_id FROM repairs WHERE penalty_id IS NOT NULL) ORDER BY id LIMIT 3"
        ).fetchall()
        violations = conn.execute(
            "SELECT id, unit_id FROM violations WHERE occurred_on <= '2024-05-31'"
            " ORDER BY id LIMIT 2"
        ).fetchall()
        repairs = [
            model.Repair(
                unit_id=int(unit_id),
                target_kind=model.RepairTarget.PENALTY.value,
                approved_on=date(2025, 6, 1),
                penalty_id=int(penalty_id),
                approval_no=f"源应急信修〔2025〕{10 + n}号",
            )
            for n, (penalty_id, unit_id) in enumerate(penalties)
        ] + [
            model.Repair(
                unit_id=int(unit_id),
                target_kind=model.RepairTarget.VIOLATION.value,
                approved_on=date(2025, 6, 2),
                violation_id=int(violation_id),
                approval_no=f"源应急信修〔2025〕{20 + n}号",
            )
            for n, (violation_id, unit_id) in enumerate(violations)
        ]
        assert len(repairs) == 5
        with session.db.transaction():
            session.repo.insert_many(repairs)
    finally:
        session.close()
    return path


@pytest.fixture(scope="module")
def county_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The county's 全部数据 export, full ID numbers (made once for the module)."""
    folder = tmp_path_factory.mktemp("county")
    session = core.open_session(county_database(folder), user="源县录入员")
    try:
        path = session.exchange.export_all_data(
            folder / "全部数据.xlsx", include_id=True, today=MADE_ON
        ).path
    finally:
        session.close()
    counts = {title: len(rows) - 1 for title, rows in read_book(path).items()}
    # the equivalence is shown on every kind of row
    assert all(counts[title] > 0 for title in counts), counts
    assert counts["信用修复"] >= 5 and counts["执法检查"] > 300
    return path


def half_book(full: Book) -> Book:
    """What a target already holds for the "partial" case: every other unit with its
    records (so the full workbook adds the rest), some cells different (so it updates
    them), six of the inspectors, one with another unit as its 回避单位 (so the full
    workbook removes that one and adds its own), no 信用修复."""
    book = copy_of(full)
    units = book["企业信息"]
    kept = {row[0] for row in units[1::2]}
    for title, rows in book.items():
        if title != "执法人员" and rows[0][0] == "统一社会信用代码":
            book[title] = [rows[0], *(r for r in rows[1:] if r[0] in kept)]
    del book["信用修复"]
    name = column(book, "企业信息", "单位名称")
    book["企业信息"][1][name] = f"{book['企业信息'][1][name]}（旧名）"
    hazards = column(book, "执法检查", "发现隐患数")
    for row in book["执法检查"][1:4]:
        row[hazards] = int(row[hazards] or 0) + 3
    inspectors = book["执法人员"]
    conflicts = column(book, "执法人员", "回避单位")
    listed = [r for r in inspectors[1:] if r[conflicts]]
    assert listed, "the demo's roster has 回避单位"
    listed[0][conflicts] = sorted(kept)[0]
    book["执法人员"] = [inspectors[0], *inspectors[1:7]]
    if listed[0] not in book["执法人员"]:
        book["执法人员"].append(listed[0])
    return book


def without_repairs_and_conflicts(full: Book) -> Book:
    """What a target holds before the "tombstones" case's deletions: everything but the
    信用修复 rows, and the first listed inspector without 回避单位."""
    book = copy_of(full)
    del book["信用修复"]
    conflicts = column(book, "执法人员", "回避单位")
    next(r for r in book["执法人员"][1:] if r[conflicts])[conflicts] = None
    return book


# -- databases ---------------------------------------------------------------------------------


def open_as(location: object, role: Role = Role.REVIEWER) -> core.Session:
    return core.open_session(location, user="市局审核员", role=role)  # type: ignore[arg-type]


def new_target(location: object) -> None:
    core.init_database(
        location,  # type: ignore[arg-type]
        profile="fenghuang",
        bureau_name="湘西州应急管理局",
        user="市局管理员",
    ).close()


def serial_import(session: core.Session, path: Path) -> core.ImportSummary:
    """An import by the serial path (for making the targets: module fixtures have no
    monkeypatch), the variable as it was afterwards."""
    previous = os.environ.get(WORKER_ENV)
    os.environ[WORKER_ENV] = SERIAL
    try:
        return session.exchange.import_workbook(path, dry_run=False, accept_bad_check=False)
    finally:
        if previous is None:
            del os.environ[WORKER_ENV]
        else:
            os.environ[WORKER_ENV] = previous


def listed_in_conflicts(full: Book) -> list[str]:
    """The codes the workbook's inspectors list as 回避单位, in order."""
    conflicts = column(full, "执法人员", "回避单位")
    return [c for r in full["执法人员"][1:] if r[conflicts] for c in str(r[conflicts]).split("、")]


def delete_tombstones(session: core.Session, full: Book, unit_code: str | None = None) -> None:
    """Deleted in the program: a unit with its records (by default the first the workbook
    lists as an inspector's 回避单位), the penalty of the first penalty repair of another
    unit (its repair first, if stored), and one inspection of yet another unit."""
    conn = session.db.conn
    gone_code = unit_code or listed_in_conflicts(full)[0]
    (gone_id,) = conn.execute("SELECT id FROM units WHERE uscc = ?", (gone_code,)).fetchone()
    for table in (
        "repairs",
        "inspections",
        "accidents",
        "penalties",
        "violations",
        "commitments",
        "honours",
        "joint_punishments",
    ):
        for (record_id,) in conn.execute(
            f"SELECT id FROM {table} WHERE unit_id = ? ORDER BY id", (gone_id,)
        ).fetchall():
            session.records.delete(table, int(record_id))
    session.records.delete("units", int(gone_id))
    repairs = full["信用修复"]
    kind, doc_no = column(full, "信用修复", "修复对象类型"), column(full, "信用修复", "决定书文号")
    repaired = next(r[doc_no] for r in repairs[1:] if r[kind] == "行政处罚" and r[0] != gone_code)
    (penalty_id, unit_id) = conn.execute(
        "SELECT id, unit_id FROM penalties WHERE doc_no = ?", (repaired,)
    ).fetchone()
    for (repair_id,) in conn.execute(
        "SELECT id FROM repairs WHERE penalty_id = ?", (penalty_id,)
    ).fetchall():
        session.records.delete("repairs", int(repair_id))
    session.records.delete("penalties", int(penalty_id))
    (inspection_id,) = conn.execute(
        "SELECT min(id) FROM inspections WHERE unit_id NOT IN (?, ?)", (gone_id, unit_id)
    ).fetchone()
    session.records.delete("inspections", int(inspection_id))


CASES = ("empty", "partial", "tombstones")


@pytest.fixture(scope="module")
def targets(
    county_book: Path,
    module_new_db: Callable[[str], object],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, object]:
    """The closed target registers of each case (copied by each test, never written)."""
    folder = tmp_path_factory.mktemp("targets")
    full = read_book(county_book)
    made: dict[str, object] = {}
    for case in CASES:
        location = module_new_db(f"{case}.db")
        new_target(location)
        made[case] = location
        if case == "empty":
            continue
        session = open_as(location)
        try:
            first = half_book(full) if case == "partial" else without_repairs_and_conflicts(full)
            serial_import(session, write_book(folder / f"{case}.xlsx", first))
            if case == "tombstones":
                delete_tombstones(session, full)
        finally:
            session.close()
    return made


def copy_target(
    request: pytest.FixtureRequest, targets: dict[str, object], case: str, folder: Path, name: str
) -> object:
    return copy_location(request, targets[case], folder, name)


# -- what an import left behind ----------------------------------------------------------------

# compared on their own (audit_log) or holding hashes of timestamps (audit_checkpoint)
_NOT_COMPARED = frozenset({"sqlite_sequence", "sqlite_stat1", "audit_log", "audit_checkpoint"})


def tables(session: core.Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, ids included, in a stable order."""
    conn = session.db.conn
    names = sorted(dialect.table_names(conn) - _NOT_COMPARED)
    return {
        name: sorted(
            (tuple(r) for r in conn.execute(_SELECT.get(name, f"SELECT * FROM {name}"))), key=repr
        )
        for name in names
    }


# a deletion's time is when the test deleted (the same in copies, not in a sequence)
_SELECT = {"deleted_records": "SELECT table_name, natural_key, deleted_by FROM deleted_records"}


def audit_entries(session: core.Session) -> list[tuple[Any, ...]]:
    """The audit log in order: what, where, which row, before, after, who (not when; nor
    the sign-ins, whose entry is their time)."""
    return [
        tuple(r)
        for r in session.db.conn.execute(
            "SELECT action, table_name, row_key, before, after, user FROM audit_log"
            " WHERE NOT (action = 'event' AND table_name = 'users') ORDER BY id"
        )
    ]


def audit_head(session: core.Session) -> int:
    return int(session.db.conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0])


def backups(session: core.Session) -> set[Path]:
    """Every file in the register's backups folder (copies and their anchors)."""
    folder = backups_dir_for(local_path(session.db.location))
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


@dataclasses.dataclass(frozen=True)
class Outcome:
    """An import's result as compared between the paths (the backup's path aside)."""

    summary: core.ImportSummary | None
    refusal: tuple[type[BaseException], str, tuple[Any, ...]] | None
    tables: dict[str, list[tuple[Any, ...]]]
    audit: list[tuple[Any, ...]]
    changes: frozenset[str] = frozenset()
    """The tables the window is told were written (``session.take_changes()``)."""


def refusal_of(exc: BaseException) -> tuple[type[BaseException], str, tuple[Any, ...]]:
    if isinstance(exc, WorkbookError):
        details: tuple[Any, ...] = (
            tuple(exc.errors),
            exc.total,
            exc.only_bad_check,
            exc.hidden_sheets,
        )
    else:
        details = ()
    return (type(exc), str(exc), details)


PARALLEL_WRITTEN, FELL_BACK, SERIAL_READ = "parallel", "worker unavailable", "serial"


def watch_paths(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ways the next imports go, in order: the worker's plan written or refused
    (``parallel``), the worker given up on (``worker unavailable``), the serial path's
    own reading in this process (``serial``)."""
    taken: list[str] = []
    with_worker = ExchangePart._import_with_worker
    read = importer.read_workbook

    def watched_worker(self: ExchangePart, *args: Any, **kwargs: Any) -> Any:
        try:
            result = with_worker(self, *args, **kwargs)
        except parallel_import.WorkerUnavailable:
            taken.append(FELL_BACK)
            raise
        except BaseException:
            taken.append(PARALLEL_WRITTEN)
            raise
        taken.append(PARALLEL_WRITTEN)
        return result

    def watched_read(*args: Any, **kwargs: Any) -> Any:
        taken.append(SERIAL_READ)
        return read(*args, **kwargs)

    monkeypatch.setattr(ExchangePart, "_import_with_worker", watched_worker)
    monkeypatch.setattr(importer, "read_workbook", watched_read)
    return taken


def run_import(
    session: core.Session,
    path: Path,
    mode: str,
    monkeypatch: pytest.MonkeyPatch,
    *,
    dry_run: bool = False,
    accept_bad_check: bool = False,
    progress: Callable[[float, str], None] | None = None,
    backup_may_stay: bool = False,
    today: date = TODAY,
    include_hidden: bool = False,
    falls_back: bool = False,
) -> Outcome:
    """One import by the path ``mode``; a refusal is part of the outcome, and then
    nothing was written and (unless ``backup_may_stay``) no backup is left. The path is
    checked: ``always`` goes through the worker (or, ``falls_back``, gives it up for the
    serial path), except a dry run; ``never`` does not touch it."""
    monkeypatch.setenv(WORKER_ENV, mode)
    taken = watch_paths(monkeypatch)
    head, before, kept = audit_head(session), tables(session), backups(session)
    session.take_changes()
    summary: core.ImportSummary | None = None
    refusal = None
    try:
        summary = session.exchange.import_workbook(
            path,
            dry_run=dry_run,
            accept_bad_check=accept_bad_check,
            include_hidden=include_hidden,
            today=today,
            progress=progress,
        )
    except SafeCreditError as exc:
        refusal = refusal_of(exc)
    if mode == SERIAL or dry_run:
        assert PARALLEL_WRITTEN not in taken and FELL_BACK not in taken, taken
    elif falls_back:
        assert taken[:2] == [FELL_BACK, SERIAL_READ], taken
    else:
        assert taken == [PARALLEL_WRITTEN], taken
    if refusal is not None or dry_run or not summary or not summary.changed:
        assert audit_head(session) == head, f"{mode}: written though refused or not changed"
        assert tables(session) == before, f"{mode}: tables changed"
        if not backup_may_stay:
            assert backups(session) == kept, f"{mode}: a backup left behind"
    else:
        assert summary.backup is not None and summary.backup.exists()
        assert {p for p in backups(session) - kept if p.suffix == ".db"} == {summary.backup}
        summary = dataclasses.replace(summary, backup=None)
    changes = session.take_changes().tables
    return Outcome(summary, refusal, tables(session), audit_entries(session), changes)


def both_ways(
    request: pytest.FixtureRequest,
    targets: dict[str, object],
    case: str,
    folder: Path,
    book: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    role: Role = Role.REVIEWER,
    **kwargs: Any,
) -> dict[str, Outcome]:
    """The import of ``book`` into two copies of the case's target, one each way."""
    folder.mkdir(parents=True, exist_ok=True)
    outcomes = {}
    for mode in MODES:
        session = open_as(copy_target(request, targets, case, folder, f"{mode}.db"), role)
        try:
            outcomes[mode] = run_import(session, book, mode, monkeypatch, **kwargs)
        finally:
            session.close()
    return outcomes


def assert_twins(outcomes: dict[str, Outcome]) -> None:
    serial, parallel = outcomes[SERIAL], outcomes[PARALLEL]
    assert parallel.refusal == serial.refusal
    assert parallel.summary == serial.summary
    assert parallel.audit == serial.audit
    assert parallel.changes == serial.changes
    for name, rows in serial.tables.items():
        assert parallel.tables[name] == rows, f"table {name} differs"
    assert parallel.tables.keys() == serial.tables.keys()


# -- 1. the same import ----------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_parallel_import_writes_what_the_serial_import_writes(
    case: str,
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outcomes = both_ways(request, targets, case, tmp_path, county_book, monkeypatch)
    summary = outcomes[SERIAL].summary
    assert summary is not None and outcomes[SERIAL].refusal is None
    # the case is what it says
    if case == "empty":
        assert summary.added > 500 and summary.updated == summary.unchanged == 0
        assert summary.conflicts_added > 0
    elif case == "partial":
        assert summary.added and summary.updated >= 4 and summary.unchanged
        assert summary.conflicts_added and summary.conflicts_removed
    else:
        reasons = {s.reason for s in summary.skipped}
        assert {DELETED, UNIT_DELETED, TARGET_DELETED} <= reasons, reasons
        assert any(s.sheet == "执法人员" for s in summary.skipped)
    assert_twins(outcomes)


# -- 2. bad cells ------------------------------------------------------------------------------


def bad_book(full: Book) -> Book:
    """Bad cells in several sheets, the last in the last row of the biggest sheet."""
    book = copy_of(full)
    units = book["企业信息"]
    units[5][column(book, "企业信息", "主要负责人身份证号")] = ID[:-1] + "9"
    inspections = book["执法检查"]
    inspections[-1][column(book, "执法检查", "检查日期")] = "2025-02-30"
    inspections[len(inspections) // 2][column(book, "执法检查", "发现隐患数")] = "很多"
    book["行政处罚"][2][column(book, "行政处罚", "决定日期")] = "明天"
    book["执法人员"][1][column(book, "执法人员", "在岗")] = "也许"
    book["信用修复"][-1][column(book, "信用修复", "批准日期")] = datetime(1999, 1, 1)
    return book


def test_a_discarded_backup_leaves_nothing_behind(
    targets: dict[str, object], request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """What "no backup left behind" rests on: the pre-import copy is the copy and its
    anchor, and discarding it (the parallel path's refusal, cancel or fallback) removes
    both. On PostgreSQL the copy is made by copying.export_sqlite, whose ``.part`` file
    is anchored when closed (copy_register's Database.close), and that anchor stays."""
    from safecredit_desktop.core.storage import anchor, backup

    session = open_as(copy_target(request, targets, "partial", tmp_path, "x.db"))
    try:
        kept = backups(session)
        copy = backup.backup_database(session.db.location, reason="before-import")
        assert backups(session) - kept == {copy, anchor.sidecar_path(copy)}
        backup.discard_backup(copy)
        assert backups(session) == kept
    finally:
        session.close()


def bad_check_only_book(full: Book) -> Book:
    """One fault only, a late new unit's 统一社会信用代码 with a wrong check character."""
    book = copy_of(full)
    units = book["企业信息"]
    last = list(units[-1])
    code = str(last[0])
    last[0] = code[:-1] + ("0" if code[-1] != "0" else "1")
    last[column(book, "企业信息", "单位名称")] = "校验码不符的新公司"
    units.append(last)
    return book


def many_bad_book(full: Book) -> Book:
    """More bad cells than are listed (the first 1,000): three in every inspection, one in
    every 承诺书."""
    book = copy_of(full)
    for header, value in (("检查方式", "乱填"), ("发现隐患数", "很多"), ("重大隐患数", "-1")):
        at = column(book, "执法检查", header)
        for row in book["执法检查"][1:]:
            row[at] = value
    at = column(book, "承诺书", "承诺类型")
    for row in book["承诺书"][1:]:
        row[at] = "口头承诺"
    return book


@pytest.mark.parametrize("case", ["empty", "partial"])
def test_bad_cells_refused_alike_and_nothing_left(
    case: str,
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    book = write_book(tmp_path / "有错.xlsx", bad_book(read_book(county_book)))
    outcomes = both_ways(request, targets, case, tmp_path, book, monkeypatch)
    refusal = outcomes[SERIAL].refusal
    assert refusal is not None and refusal[0] is WorkbookError
    errors, total, only_bad_check, _ = refusal[2]
    assert total == len(errors) >= 6 and only_bad_check is False
    sheets = {e.sheet for e in errors}
    assert {"企业信息", "执法检查", "行政处罚", "执法人员", "信用修复"} <= sheets
    last_row = len(read_book(book)["执法检查"])
    assert any(e.sheet == "执法检查" and e.row == last_row for e in errors)
    assert_twins(outcomes)


def test_faults_found_in_reading_late_sheets_refused_alike(
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Faults of the sheet itself, found as it is read — the worker reads each sheet when
    planning comes to it, after earlier sheets' rows were written: an Excel error value
    in the last 信用修复 row, a formula saved without its result in 表彰, an unknown
    column in 联合惩戒 — and a bad cell in 企业信息 as well."""
    full = read_book(county_book)
    book = copy_of(full)
    book["联合惩戒"][0].append("备用列")
    book["联合惩戒"][1].append("随便")
    book["企业信息"][3][column(book, "企业信息", "主要负责人身份证号")] = ID[:-1] + "9"
    path = write_book(tmp_path / "读错.xlsx", book)
    wb = openpyxl.load_workbook(path)
    repairs = wb["信用修复"]
    cell = repairs.cell(repairs.max_row, column(book, "信用修复", "批准日期") + 1)
    cell.value, cell.data_type = "#N/A", "e"
    wb["表彰"].cell(2, column(book, "表彰", "表彰日期") + 1).value = "=TODAY()"
    wb.save(path)
    outcomes = both_ways(request, targets, "partial", tmp_path, path, monkeypatch)
    refusal = outcomes[SERIAL].refusal
    assert refusal is not None
    sheets = {e.sheet for e in refusal[2][0]}
    assert {"企业信息", "表彰", "联合惩戒", "信用修复"} <= sheets, refusal[1]
    assert_twins(outcomes)


def test_only_a_bad_check_character_refused_alike_then_accepted_alike(
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    book = write_book(tmp_path / "校验码.xlsx", bad_check_only_book(read_book(county_book)))
    refused = both_ways(request, targets, "partial", tmp_path / "refused", book, monkeypatch)
    refusal = refused[SERIAL].refusal
    assert refusal is not None and refusal[2][1:3] == (1, True)
    assert_twins(refused)
    accepted = both_ways(
        request, targets, "partial", tmp_path / "accepted", book, monkeypatch, accept_bad_check=True
    )
    summary = accepted[SERIAL].summary
    assert summary is not None and len(summary.accepted_bad_check) == 1
    assert_twins(accepted)


def test_more_bad_cells_than_are_listed_alike(
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    book = write_book(tmp_path / "错很多.xlsx", many_bad_book(read_book(county_book)))
    outcomes = both_ways(request, targets, "partial", tmp_path, book, monkeypatch)
    refusal = outcomes[SERIAL].refusal
    assert refusal is not None
    errors, total, _, _ = refusal[2]
    assert len(errors) == 1000 < total
    assert {e.sheet for e in errors} == {"执法检查"} and total > 3 * 300 + 100
    assert_twins(outcomes)


# -- 3. a clerk's 执法人员 and 信用修复 rows ----------------------------------------------------


@pytest.mark.parametrize("case", ["empty", "partial"])
def test_a_clerk_is_refused_alike_and_nothing_left(
    case: str,
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outcomes = both_ways(
        request, targets, case, tmp_path, county_book, monkeypatch, role=Role.CLERK
    )
    refusal = outcomes[SERIAL].refusal
    assert refusal is not None and refusal[0] is SafeCreditError
    assert "“执法人员”工作表" in refusal[1] and "“信用修复”工作表" in refusal[1]
    assert "回避单位" in refusal[1] and "没有导入任何数据" in refusal[1]
    assert_twins(outcomes)


def test_a_clerk_may_import_what_leaves_inspectors_and_repairs_as_they_are(
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The refusal is about rows that change: a clerk re-importing the workbook into a
    register that holds it all (one unit renamed since) is let through, both ways."""
    full = read_book(county_book)
    renamed = copy_of(full)
    name = column(renamed, "企业信息", "单位名称")
    renamed["企业信息"][-1][name] = "改名后的公司"
    book = write_book(tmp_path / "改名.xlsx", renamed)
    folder = tmp_path / "base"
    folder.mkdir()
    base = copy_target(request, targets, "empty", folder, "base.db")
    session = open_as(base)
    try:
        serial_import(session, county_book)
    finally:
        session.close()
    outcomes = both_ways(
        request, {"full": base}, "full", tmp_path, book, monkeypatch, role=Role.CLERK
    )
    summary = outcomes[SERIAL].summary
    assert summary is not None and summary.updated == 1
    assert_twins(outcomes)


# -- 7. a dry run ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["empty", "tombstones"])
def test_a_dry_run_writes_nothing_and_gives_the_serial_verdict(
    case: str,
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outcomes = both_ways(request, targets, case, tmp_path, county_book, monkeypatch, dry_run=True)
    summary = outcomes[SERIAL].summary
    assert summary is not None and summary.dry_run and summary.added
    assert_twins(outcomes)
    bad = write_book(tmp_path / "有错.xlsx", bad_book(read_book(county_book)))
    refused = both_ways(request, targets, case, tmp_path / "bad", bad, monkeypatch, dry_run=True)
    assert refused[SERIAL].refusal is not None
    assert_twins(refused)


# -- 4. cancel -------------------------------------------------------------------------------


class CancelAt:
    """A progress callback that cancels (as the window's 取消 does: ``Cancelled`` raised
    from the next report) at its ``calls``-th call, or at the first report at or past
    ``fraction``."""

    def __init__(self, *, calls: int = 0, fraction: float = 2.0, text: str = "") -> None:
        self.calls, self.fraction, self.text = calls, fraction, text
        self.seen: list[tuple[float, str]] = []

    def __call__(self, fraction: float, text: str) -> None:
        self.seen.append((fraction, text))
        if len(self.seen) == self.calls or fraction >= self.fraction or text == self.text:
            raise Cancelled()


# Named after the serial path's stages. The parallel path reports a small workbook's
# reading and planning hardly at all (its first report, then grading), so there these
# fall on grading; a cancel between written pieces: test_a_cancel_between_pieces_….
CANCELS = {
    "at the first report": {"calls": 1},
    "at the third report": {"calls": 3},
    "while planning": {"fraction": 0.5},
    "at the backup": {"fraction": 0.7},
    "while writing": {"fraction": 0.8},
    "while grading": {"fraction": 0.95},
}


# the serial path leaves its before-import backup behind when cancelled after making it
# (test_a_cancelled_serial_import_leaves_no_backup); the parallel path must not
CANCELS_AFTER_BACKUP = ("while writing", "while grading")


@pytest.mark.parametrize("when", CANCELS)
def test_a_cancel_rolls_back_alike_and_the_next_import_works(
    when: str,
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outcomes: dict[str, Outcome] = {}
    following: dict[str, Outcome] = {}
    for mode in MODES:
        session = open_as(copy_target(request, targets, "partial", tmp_path, f"{mode}.db"))
        try:
            cancel = CancelAt(**CANCELS[when])
            outcomes[mode] = run_import(
                session,
                county_book,
                mode,
                monkeypatch,
                progress=cancel,
                backup_may_stay=mode == SERIAL and when in CANCELS_AFTER_BACKUP,
            )
            assert outcomes[mode].refusal is not None, f"{mode}: not cancelled {cancel.seen}"
            following[mode] = run_import(session, county_book, mode, monkeypatch)
        finally:
            session.close()
    assert outcomes[SERIAL].refusal == (Cancelled, Cancelled().message, ())
    assert_twins(outcomes)
    assert following[SERIAL].summary is not None and following[SERIAL].summary.added
    assert_twins(following)


@pytest.mark.parametrize("when", CANCELS_AFTER_BACKUP)
def test_a_cancelled_serial_import_leaves_no_backup(
    when: str,
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session = open_as(copy_target(request, targets, "partial", tmp_path, "x.db"))
    try:
        outcome = run_import(
            session, county_book, SERIAL, monkeypatch, progress=CancelAt(**CANCELS[when])
        )
    finally:
        session.close()
    assert outcome.refusal is not None


# -- 6. the command line -----------------------------------------------------------------------

# the checkout of the package under test (subprocesses import the same)
ROOT = Path(core.__file__).resolve().parents[3]


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``safecredit ARGS`` in a process of its own, as a clerk's terminal runs it (a worker
    left running would keep it from exiting: the timeout is only a guard)."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return subprocess.run(
        [sys.executable, "-m", "safecredit_desktop.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": path, **env},
        timeout=600,
    )


def test_the_cli_import_prints_the_same_either_way(
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    password = {"SAFECREDIT_PASSWORD": "审核-pass-1"}
    printed: dict[str, list[str]] = {}
    written: dict[str, tuple[dict[str, list[tuple[Any, ...]]], list[tuple[Any, ...]]]] = {}
    for mode in MODES:
        location = copy_target(request, targets, "partial", tmp_path, f"{mode}.db")
        db = str(location)
        added = cli("--db", db, "users", "add", "李审核", "--role", "审核员", env=password)
        assert added.returncode == 0, added.stderr
        session = open_as(location)
        try:
            logged = len(audit_entries(session))
        finally:
            session.close()
        done = cli(
            "--db", db, "--user", "李审核", "import", str(county_book),
            env={**password, WORKER_ENV: mode},
        )  # fmt: skip
        assert (done.returncode, done.stderr) == (0, ""), done.stderr
        lines = done.stdout.splitlines()
        assert lines[0] == f"“{county_book.name}”导入完成："
        assert sum("导入前已备份数据库：" in line for line in lines) == 1
        printed[mode] = [line for line in lines if "导入前已备份数据库：" not in line]
        session = open_as(location)
        try:
            rows = {k: v for k, v in tables(session).items() if k != "users"}
            # not the user added (a password's salt and a time are in its entry)
            entries = [e for e in audit_entries(session)[logged:] if e[1] != "users"]
            written[mode] = (rows, entries)
        finally:
            session.close()
    assert printed[PARALLEL] == printed[SERIAL]
    assert any("回避单位：新增" in line for line in printed[SERIAL])
    assert written[PARALLEL] == written[SERIAL]


# -- what the worker must take from the caller, not remember -----------------------------------


def test_the_worker_plans_with_each_registers_profile(
    county_book: Path,
    targets: dict[str, object],
    new_db: Callable[[str], object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One worker serves imports into registers of different profiles one after the
    other: 随州's 行业类别 refuse the county's units, 凤凰's take them."""
    suizhou = new_db("suizhou.db")
    core.init_database(
        suizhou,  # type: ignore[arg-type]
        profile="suizhou",
        bureau_name="随州市应急管理局",
        user="市局管理员",
    ).close()
    outcomes: dict[str, list[Outcome]] = {}
    for mode in MODES:
        outcomes[mode] = []
        for name, source in (("suizhou", suizhou), ("fenghuang", targets["empty"])):
            location = copy_location(request, source, tmp_path, f"{mode}-{name}.db")
            session = open_as(location)
            try:
                outcomes[mode].append(run_import(session, county_book, mode, monkeypatch))
            finally:
                session.close()
    refused, imported = outcomes[SERIAL]
    assert refused.refusal is not None and "行业类别" in refused.refusal[1]
    assert imported.summary is not None and imported.summary.added
    for serial, parallel in zip(outcomes[SERIAL], outcomes[PARALLEL], strict=True):
        assert_twins({SERIAL: serial, PARALLEL: parallel})


@pytest.mark.parametrize("today", [date(2021, 1, 1), date(2000, 1, 1)])
def test_the_callers_today_decides_alike(
    today: date,
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Dates after ``today`` are refused: the worker plans with the caller's day."""
    outcomes = both_ways(
        request, targets, "partial", tmp_path, county_book, monkeypatch, today=today
    )
    refusal = outcomes[SERIAL].refusal
    assert refusal is not None and "晚于今天" in refusal[1]
    assert_twins(outcomes)


@pytest.mark.parametrize("include_hidden", [False, True])
def test_hidden_and_unknown_sheets_alike(
    include_hidden: bool,
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_book(tmp_path / "隐藏.xlsx", {**read_book(county_book), "备忘": [["随便写写"]]})
    wb = openpyxl.load_workbook(path)
    wb["表彰"].sheet_state = "hidden"
    wb.save(path)
    outcomes = both_ways(
        request, targets, "partial", tmp_path, path, monkeypatch, include_hidden=include_hidden
    )
    summary = outcomes[SERIAL].summary
    assert summary is not None
    assert summary.hidden_sheets == ("表彰",) and summary.ignored_sheets == ("备忘",)
    assert ("表彰" in {s.sheet for s in summary.sheets}) is include_hidden
    assert_twins(outcomes)
    # refused, the hidden sheets are named with the bad cells
    wb = openpyxl.load_workbook(path)
    wb["企业信息"]["J3"] = ID[:-1] + "9"  # 主要负责人身份证号
    wb.save(path)
    refused = both_ways(
        request, targets, "partial", tmp_path / "bad", path, monkeypatch,
        include_hidden=include_hidden,
    )  # fmt: skip
    refusal = refused[SERIAL].refusal
    assert refusal is not None and refusal[2][3] == ("表彰",)
    assert_twins(refused)


def not_a_workbook(path: Path) -> Path:
    path.write_text("这不是工作簿", encoding="utf-8")
    return path


@pytest.mark.parametrize("make", [not_a_workbook, lambda p: p], ids=["text", "missing"])
def test_a_file_that_is_no_workbook_refused_alike(
    make: Callable[[Path], Path],
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = make(tmp_path / "名单.xlsx")
    outcomes = both_ways(request, targets, "partial", tmp_path, path, monkeypatch, falls_back=True)
    assert outcomes[SERIAL].refusal is not None
    assert_twins(outcomes)


def test_one_register_through_a_day_of_imports(
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same worker across imports into one register that changes in between: half,
    the whole, deletions in the program, the whole (tombstones skipped), a bad workbook,
    the whole again (nothing changes), the half again (its older cells update back)."""
    full = read_book(county_book)
    half = write_book(tmp_path / "一半.xlsx", half_book(full))
    bad = write_book(tmp_path / "有错.xlsx", bad_book(full))
    # a unit with records, not in the half, and no inspector's 回避单位
    listed = set(listed_in_conflicts(full))
    inspections = {r[0] for r in full["执法检查"][1:]}
    gone = next(r[0] for r in full["企业信息"][2::2] if r[0] not in listed and r[0] in inspections)
    steps: dict[str, list[Outcome]] = {}
    for mode in MODES:
        session = open_as(copy_target(request, targets, "empty", tmp_path, f"{mode}.db"))
        try:
            done = [run_import(session, book, mode, monkeypatch) for book in (half, county_book)]
            delete_tombstones(session, full, gone)
            for book in (county_book, bad, county_book, half):
                done.append(run_import(session, book, mode, monkeypatch))
        finally:
            session.close()
        steps[mode] = done
    summaries = [o.summary for o in steps[SERIAL]]
    assert summaries[1] is not None and summaries[1].added and summaries[1].updated
    assert summaries[2] is not None and summaries[2].skipped
    assert steps[SERIAL][3].refusal is not None
    assert summaries[4] is not None and not summaries[4].changed
    assert summaries[5] is not None and summaries[5].updated
    for serial, parallel in zip(steps[SERIAL], steps[PARALLEL], strict=True):
        assert_twins({SERIAL: serial, PARALLEL: parallel})


def test_an_import_on_a_thread_of_its_own(
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As the window runs it: on a worker thread, on the session's second connection."""
    import threading

    outcomes: dict[str, Outcome] = {}
    failures: list[BaseException] = []
    for mode in MODES:
        session = open_as(copy_target(request, targets, "partial", tmp_path, f"{mode}.db"))

        def job(mode: str = mode, session: core.Session = session) -> None:
            job_session = session.reopen()
            try:
                outcomes[mode] = run_import(job_session, county_book, mode, monkeypatch)
            except BaseException as exc:  # handed to the test's thread
                failures.append(exc)
            finally:
                job_session.close()

        try:
            thread = threading.Thread(target=job)
            thread.start()
            thread.join()
        finally:
            session.close()
    assert not failures, failures
    assert_twins(outcomes)


# -- 5. the worker gone, the register changed: the serial path takes over ---------------------


def kill_worker() -> int:
    """Kill the worker (SIGKILL) and wait until it is gone; its process id."""
    import signal

    pid = parallel_import.worker_pid()
    assert pid is not None, "no worker running"
    os.kill(pid, signal.SIGKILL)
    worker = parallel_import._worker
    assert worker is not None
    worker.process.join()
    return pid


def first_call_does(
    monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, before: Callable[[], None]
) -> list[int]:
    """``owner.name`` patched to run ``before`` first, on its first call only; the list
    counts the calls."""
    original = getattr(owner, name)
    calls: list[int] = []

    def patched(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            before()
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, patched)
    return calls


def test_a_worker_killed_mid_import_leaves_the_serial_result(
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Killed once it has the job and has said its audit head, as this process starts
    writing: the import still ends as the serial one; the next import has a new worker."""
    serial = both_ways(request, targets, "partial", tmp_path, county_book, monkeypatch)[SERIAL]
    monkeypatch.setenv(WORKER_ENV, PARALLEL)
    # a worker that has done an import already (the one a program keeps), elsewhere
    warm = open_as(copy_target(request, targets, "empty", tmp_path, "warm.db"))
    try:
        one_unit = write_book(
            tmp_path / "试.xlsx", {"企业信息": read_book(county_book)["企业信息"][:2]}
        )
        warm.exchange.import_workbook(one_unit, dry_run=False, accept_bad_check=False, today=TODAY)
    finally:
        warm.close()
    assert parallel_import.worker_pid() is not None
    session = open_as(copy_target(request, targets, "partial", tmp_path, "killed.db"))
    try:
        killed: list[int] = []
        first_call_does(
            monkeypatch,
            parallel_import,
            "import_streamed",
            lambda: killed.append(kill_worker()),
        )
        taken = watch_paths(monkeypatch)
        session.take_changes()
        summary = session.exchange.import_workbook(
            county_book, dry_run=False, accept_bad_check=False, today=TODAY
        )
        changes = session.take_changes().tables
        assert killed and parallel_import.worker_pid() != killed[0]
        # the worker may (rarely) have sent its whole plan before it was killed
        assert taken in ([FELL_BACK, SERIAL_READ], [PARALLEL_WRITTEN]), taken
        assert summary.backup is not None and summary.backup.exists()
        # the copy made for the worker's attempt is gone, the serial path's stays
        assert {p for p in backups(session) if p.suffix == ".db"} == {summary.backup}
        outcome = Outcome(
            dataclasses.replace(summary, backup=None),
            None,
            tables(session),
            audit_entries(session),
            changes,
        )
        again = run_import(session, county_book, PARALLEL, monkeypatch)
        assert again.summary is not None and not again.summary.changed
        assert parallel_import.worker_pid() not in (None, killed[0])
    finally:
        session.close()
    assert_twins({SERIAL: serial, PARALLEL: outcome})


def test_a_worker_dead_before_it_plans_gives_way_to_the_serial_path(
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The worker handed out dies before the job reaches it: the serial path imports."""
    started = parallel_import._started_worker

    def dead_worker() -> Any:
        worker = started()
        kill_worker()
        return worker

    outcomes: dict[str, Outcome] = {}
    for mode in MODES:
        session = open_as(copy_target(request, targets, "partial", tmp_path, f"{mode}.db"))
        try:
            with monkeypatch.context() as patch:
                patch.setattr(parallel_import, "_started_worker", dead_worker)
                outcomes[mode] = run_import(
                    session, county_book, mode, patch, falls_back=mode == PARALLEL
                )
        finally:
            session.close()
    assert_twins(outcomes)


def test_a_register_changed_after_the_workers_snapshot_gives_way_to_the_serial_path(
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another seat deletes an inspection after the workbook was planned and before the
    import takes the write lock. Serial: the plan is stale, made again under the lock.
    Parallel: the worker's plan is not written, the serial path does it all. Both skip
    the deleted row."""
    outcomes: dict[str, Outcome] = {}
    for mode in MODES:
        location = copy_target(request, targets, "partial", tmp_path, f"{mode}.db")
        session = open_as(location)

        def delete_one(location: object = location) -> None:
            other = core.open_session(location, user="另一席位")  # type: ignore[arg-type]
            try:
                (inspection,) = other.db.conn.execute("SELECT min(id) FROM inspections").fetchone()
                other.records.delete("inspections", int(inspection))
            finally:
                other.close()

        try:
            with monkeypatch.context() as patch:
                if mode == SERIAL:
                    first_call_does(patch, importer, "apply_import", delete_one)
                else:
                    first_call_does(patch, parallel_import, "import_streamed", delete_one)
                outcomes[mode] = run_import(
                    session, county_book, mode, patch, falls_back=mode == PARALLEL
                )
        finally:
            session.close()
    summary = outcomes[SERIAL].summary
    assert summary is not None and any(s.sheet == "执法检查" for s in summary.skipped)
    assert_twins(outcomes)


def test_a_backup_that_fails_refuses_the_import_alike(
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No import without its backup: the copy cannot be made (a full disk) — the same
    refusal both ways (the parallel path's copy is made beside the writing), nothing
    written."""
    from safecredit_desktop.core.errors import StorageError
    from safecredit_desktop.core.storage import backup

    def disk_full(*args: Any, **kwargs: Any) -> Path:
        raise StorageError("备份失败：磁盘已满。")

    monkeypatch.setattr(backup, "backup_database", disk_full)
    outcomes = both_ways(request, targets, "partial", tmp_path, county_book, monkeypatch)
    assert outcomes[SERIAL].refusal == (StorageError, "备份失败：磁盘已满。", ())
    assert_twins(outcomes)


# -- the size decides when the variable is not set ---------------------------------------------


def test_without_the_variable_the_size_decides(
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Unset: a workbook of MIN_BYTES or more goes to the worker, a smaller one does not
    (the threshold brought down to the county's workbook, as a 1 MB book takes long)."""
    half = write_book(tmp_path / "一半.xlsx", half_book(read_book(county_book)))
    assert half.stat().st_size < county_book.stat().st_size
    monkeypatch.setattr(parallel_import, "MIN_BYTES", county_book.stat().st_size)
    assert parallel_import.worker_wanted(county_book) and not parallel_import.worker_wanted(half)
    session = open_as(copy_target(request, targets, "empty", tmp_path, "x.db"))
    try:
        for book, expected in ((half, [SERIAL_READ]), (county_book, [PARALLEL_WRITTEN])):
            monkeypatch.delenv(WORKER_ENV, raising=False)
            taken = watch_paths(monkeypatch)
            summary = session.exchange.import_workbook(
                book, dry_run=False, accept_bad_check=False, today=TODAY
            )
            assert summary.changed and taken == expected
    finally:
        session.close()


# -- the bundle: the worker is the program's own executable -------------------------------------

# A PyInstaller bundle in miniature. Frozen, multiprocessing's spawn starts a worker (and its
# resource tracker) as the program's own executable with ``--multiprocessing-fork …`` (or
# ``-c 'from multiprocessing.resource_tracker import main…'``) and PyInstaller's bootloader
# runs the entry script on those arguments: only ``multiprocessing.freeze_support()``, called
# by the entry script first, diverts them (PyInstaller's runtime hook pyi_rth_multiprocessing
# makes it do so on Linux too; its essentials are copied below). The bundle's CLI entry is
# safecredit_desktop/cli.py (pyinstaller.spec), run as __main__.
FROZEN_LAUNCHER = """
import multiprocessing, multiprocessing.spawn, os, runpy, sys
from subprocess import _args_from_interpreter_flags

sys.frozen = True
sys._MEIPASS = os.environ["FAKE_BUNDLE_ROOT"]  # resources/ and db/ of the bundle
sys.executable = os.environ["FAKE_BUNDLE_EXE"]
multiprocessing.spawn.set_executable(sys.executable)
multiprocessing.process.ORIGINAL_DIR = None
with open(os.environ["FAKE_BUNDLE_LOG"], "a", encoding="utf-8") as log:
    log.write(" ".join(sys.argv[1:3]) + "\\n")


def _freeze_support():  # pyi_rth_multiprocessing's, reduced
    if "-c" in sys.argv:
        at = sys.argv.index("-c")
        command = sys.argv[at + 1] if at + 1 < len(sys.argv) else ""
        if set(sys.argv[1:at]) == set(_args_from_interpreter_flags()) and command.startswith(
            "from multiprocessing.resource_tracker import main"
        ):
            exec(command)
            sys.exit()
    if multiprocessing.spawn.is_forking(sys.argv):
        kwds = {}
        for arg in sys.argv[2:]:
            name, value = arg.split("=")
            kwds[name] = None if value == "None" else int(value)
        multiprocessing.spawn.spawn_main(**kwds)
        sys.exit()


multiprocessing.freeze_support = multiprocessing.spawn.freeze_support = _freeze_support
runpy.run_path(os.environ["FAKE_BUNDLE_ENTRY"], run_name="__main__")
"""


def test_the_bundled_cli_starts_its_worker_without_running_itself_again(
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    """As the bundle runs it, ``safecredit import`` with the worker prints what it prints
    without it, and nothing else: the worker's process must not run the command line
    again (an argparse error on ``--multiprocessing-fork`` on the terminal; in the
    window's bundle, a second window)."""
    launcher = tmp_path / "launcher.py"
    launcher.write_text(FROZEN_LAUNCHER, encoding="utf-8")
    exe = tmp_path / "safecredit"
    exe.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{launcher}" "$@"\n', encoding="utf-8")
    exe.chmod(0o755)
    log = tmp_path / "launches.txt"
    bundle = {
        "FAKE_BUNDLE_EXE": str(exe),
        "FAKE_BUNDLE_ROOT": str(ROOT),
        "FAKE_BUNDLE_ENTRY": str(ROOT / "safecredit_desktop" / "cli.py"),
        "FAKE_BUNDLE_LOG": str(log),
        "SAFECREDIT_PASSWORD": "审核-pass-1",
    }
    done: dict[str, subprocess.CompletedProcess[str]] = {}
    for mode in MODES:
        db = str(copy_target(request, targets, "partial", tmp_path, f"{mode}.db"))
        added = cli("--db", db, "users", "add", "李审核", "--role", "审核员", env=bundle)
        assert added.returncode == 0, added.stderr
        log.write_text("", encoding="utf-8")
        path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
        done[mode] = subprocess.run(
            [str(exe), "--db", db, "--user", "李审核", "import", str(county_book)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": path, **bundle, WORKER_ENV: mode},
            timeout=600,
        )
        launches = log.read_text(encoding="utf-8").splitlines()
        forks = [a for a in launches if a.startswith("--multiprocessing-fork")]
        assert len(forks) == (1 if mode == PARALLEL else 0), launches
    for mode in MODES:
        assert (done[mode].returncode, done[mode].stderr) == (0, ""), (mode, done[mode].stderr)
    shown = {
        mode: [line for line in run.stdout.splitlines() if "导入前已备份数据库" not in line]
        for mode, run in done.items()
    }
    assert shown[PARALLEL] == shown[SERIAL]


def _calls(node: Any, name: str) -> bool:
    import ast

    return any(
        isinstance(n, ast.Call)
        and (getattr(n.func, "id", None) == name or getattr(n.func, "attr", None) == name)
        for n in ast.walk(node)
    )


def test_every_bundle_entry_diverts_the_worker_before_it_runs_the_program() -> None:
    """The window's bundle too (pyinstaller.spec's entry scripts, run as __main__): the
    first thing run calls ``multiprocessing.freeze_support()`` — else each worker the
    window starts would open a second window (the behaviour is shown for the command
    line above; the window's is this same line)."""
    import ast
    import re

    spec = (ROOT / "pyinstaller.spec").read_text(encoding="utf-8")
    entries = re.findall(r'Analysis\(\s*\[str\(ROOT / "safecredit_desktop" / "([^"]+)"\)', spec)
    assert sorted(entries) == ["__main__.py", "cli.py"], entries
    for entry in entries:
        tree = ast.parse((ROOT / "safecredit_desktop" / entry).read_text(encoding="utf-8"))
        run: list[Any] = []  # what runs as __main__, in order
        for statement in tree.body:
            is_main_guard = isinstance(statement, ast.If) and "__main__" in ast.unparse(
                statement.test
            )
            run.extend(statement.body if is_main_guard else [statement])
        runs_program = next(i for i, s in enumerate(run) if _calls(s, "main"))
        diverts = [i for i, s in enumerate(run) if _calls(s, "freeze_support")]
        assert diverts and diverts[0] < runs_program, f"{entry}: no freeze_support() first"


# -- a workbook the worker hands over in several pieces ----------------------------------------


def big_book(full: Book, *, per_unit: int = 80) -> Book:
    """The county's workbook with ``per_unit`` more inspections of every unit (in 2019,
    before its own): past the worker's piece size (planning_base.STREAM_CHUNK, 4,000
    rows), so 执法检查 comes in more than one piece."""
    book = copy_of(full)
    width = len(book["执法检查"][0])
    at = column(book, "执法检查", "检查日期")
    for unit in book["企业信息"][1:]:
        for day in range(per_unit):
            row: list[Any] = [None] * width
            row[0], row[at] = unit[0], datetime(2019, 1, 1) + timedelta(days=day)
            book["执法检查"].append(row)
    return book


def watch_pieces(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int, bool]]:
    """The pieces the next parallel imports are handed: (sheet, rows, sheet finished)."""
    pieces: list[tuple[str, int, bool]] = []
    chunks = parallel_import.PlanStream.chunks

    def watched(self: Any) -> Any:
        for piece in chunks(self):  # (sheet, rows, finished, faulty, …)
            pieces.append((piece[0], len(piece[1]), piece[2]))
            yield piece

    monkeypatch.setattr(parallel_import.PlanStream, "chunks", watched)
    return pieces


@pytest.mark.parametrize("bad_last_row", [False, True], ids=["whole", "bad last row"])
def test_a_workbook_in_several_pieces_alike(
    bad_last_row: bool,
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rows added in one piece and updated in another, in the order the serial path
    writes them; or a bad cell in the last row, after the first piece was written."""
    book = big_book(read_book(county_book))
    if bad_last_row:
        book["执法检查"][-1][column(book, "执法检查", "发现隐患数")] = "很多"
    path = write_book(tmp_path / "大.xlsx", book)
    pieces = watch_pieces(monkeypatch)
    outcomes = both_ways(request, targets, "partial", tmp_path, path, monkeypatch)
    inspections = [p for p in pieces if p[0] == "执法检查"]
    assert len(inspections) >= 2 and not inspections[0][2], pieces
    if bad_last_row:
        assert outcomes[SERIAL].refusal is not None
    else:
        summary = outcomes[SERIAL].summary
        assert summary is not None and summary.added > 4000 and summary.updated
    assert_twins(outcomes)


@pytest.mark.parametrize("report", ["已检查 2000 行", "已检查 4000 行"])
def test_a_cancel_between_pieces_rolls_back_what_was_written(
    report: str,
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Cancelled at the worker's report between two pieces — the pieces before it are
    written by then (one transaction): all rolled back, no backup left, the register as
    after the serial import cancelled at the same report (while planning, nothing
    written); the next import works."""
    path = write_book(tmp_path / "大.xlsx", big_book(read_book(county_book)))
    pieces = watch_pieces(monkeypatch)
    outcomes: dict[str, Outcome] = {}
    following: dict[str, Outcome] = {}
    written_first: list[tuple[str, int, bool]] = []
    for mode in MODES:
        session = open_as(copy_target(request, targets, "partial", tmp_path, f"{mode}.db"))
        try:
            cancel = CancelAt(text=report)
            outcomes[mode] = run_import(session, path, mode, monkeypatch, progress=cancel)
            assert outcomes[mode].refusal is not None, f"{mode}: not cancelled {cancel.seen}"
            if mode == PARALLEL:
                written_first = list(pieces)
            following[mode] = run_import(session, path, mode, monkeypatch)
        finally:
            session.close()
    assert written_first, "no piece was written before the cancel"
    assert outcomes[SERIAL].refusal == (Cancelled, Cancelled().message, ())
    assert_twins(outcomes)
    assert_twins(following)


def test_a_relative_path_is_read_where_the_caller_is(
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``import_workbook(Path("县.xlsx"))`` reads the caller's 县.xlsx, in the folder the
    caller is in now — not the one of the folder the worker was started in (it is kept
    for the program's life): there it would find another workbook and plan that."""
    full = read_book(county_book)
    started_in, now_in = tmp_path / "上周", tmp_path / "本周"
    for folder, book in ((started_in, half_book(full)), (now_in, full)):
        folder.mkdir()
        write_book(folder / "县.xlsx", book)
    try:
        monkeypatch.chdir(started_in)
        parallel_import.discard_worker()
        warm = open_as(copy_target(request, targets, "empty", tmp_path, "warm.db"))
        try:
            run_import(warm, started_in / "县.xlsx", PARALLEL, monkeypatch)
        finally:
            warm.close()
        monkeypatch.chdir(now_in)
        outcomes = both_ways(
            request, targets, "empty", tmp_path / "registers", Path("县.xlsx"), monkeypatch
        )
    finally:
        parallel_import.discard_worker()  # not left running in a folder of this test
    summary = outcomes[SERIAL].summary
    assert summary is not None and summary.added > 500
    assert_twins(outcomes)


def test_ctrl_c_in_the_cli_stops_the_import_without_a_traceback(
    county_book: Path,
    targets: dict[str, object],
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    """Ctrl+C on the terminal (SIGINT to the command's process group, the worker's too)
    while the import writes: "已取消。", exit 1, nothing imported, no backup left — and
    no Python traceback from the worker on the terminal. The command is stopped exactly
    where it writes the import's own audit entry (core/pause_points.py), whatever the
    load: the worker has handed over the whole plan by then (it is idle, or closing the
    register it read) and stays running."""
    import signal
    import time

    password = {"SAFECREDIT_PASSWORD": "审核-pass-1"}
    base = copy_target(request, targets, "partial", tmp_path, "base.db")
    added = cli("--db", str(base), "users", "add", "李审核", "--role", "审核员", env=password)
    assert added.returncode == 0, added.stderr
    command = ("--user", "李审核", "import", str(county_book))
    env = {**password, WORKER_ENV: PARALLEL}
    # a rehearsal on a copy counts the audit appends up to the import's own entry: the
    # last of the transaction that appends most
    rehearsal = copy_location(request, base, tmp_path, "rehearsal.db")
    trace = tmp_path / "trace.txt"
    done = cli("--db", str(rehearsal), *command, env={**env, "SAFECREDIT_PAUSE_TRACE": str(trace)})
    assert done.returncode == 0, done.stderr
    appends = 0
    last_of: list[tuple[int, int]] = []  # per transaction: (appends in it, count at its last)
    for point in trace.read_text(encoding="utf-8").splitlines():
        if point == "transaction.begun":
            last_of.append((0, 0))
        elif point == "audit.appended" and last_of:
            appends += 1
            last_of[-1] = (last_of[-1][0] + 1, appends)
    n = max(last_of)[1]

    location = copy_location(request, base, tmp_path, "x.db")
    session = open_as(location)
    try:
        before, kept = tables(session), backups(session)
    finally:
        session.close()
    marker = tmp_path / "paused"
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    paused = {"SAFECREDIT_PAUSE_AT": f"audit.appended@{n}:{marker}", "PYTHONPATH": path}
    proc = subprocess.Popen(
        [sys.executable, "-m", "safecredit_desktop.cli", "--db", str(location), *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env, **paused},
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 1 and "已取消" in err, (out, err)
    assert "Traceback" not in err, err
    session = open_as(location)
    try:
        assert tables(session) == before
        assert {p for p in backups(session) - kept if p.suffix == ".db"} == set()
    finally:
        session.close()


# -- a county's account on a city server -----------------------------------------------------


def test_a_county_account_on_a_city_server_imports_alike(
    pg: Any, pg_cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker reads as the county's account reads (confined to its county): units of
    the county updated and added, the other county's unit untouched and unseen. (The city
    as tests/core/test_pg_city.py makes it.)"""
    import pg_server

    from safecredit_desktop.core.storage.location import parse_server
    from safecredit_desktop.core.validate import uscc_check_character

    fh, ls = "凤凰县应急管理局", "蓝山县应急管理局"
    numbers = iter(range(1, 100))

    def unit(name: str, reporter: str) -> model.Unit:
        first = f"91431200MA{next(numbers):07d}"
        code = first + uscc_check_character(first)
        return model.Unit(uscc=code, name=name, category="非煤矿山", reporter=reporter)

    def as_app(location: Any) -> Any:  # the program's login role on the server
        return parse_server(location.url.replace(f"{location.user}@", f"{pg_server.APP}@"))

    session = core.init_database(
        pg, profile="fenghuang", bureau_name="测试市应急管理局", user="市管理员",
        admin=("city", "city-password"),
    )  # fmt: skip
    try:
        ours, theirs = unit("凤凰第一矿业有限公司", fh), unit("蓝山建材有限公司", ls)
        for stored in (ours, theirs):
            session.records.save(stored)
        session.accounts.create_user("fh", "fh-password", {Role.ADMIN, Role.CLERK})
        session.accounts.set_county("fh", fh)
    finally:
        session.close()
    head = ("统一社会信用代码", "单位名称", "行业类别", "报送单位")
    rows = [
        head,
        (ours.uscc, "凤凰第一矿业（更名）有限公司", "非煤矿山", fh),
        (unit("凤凰新建砖厂", fh).uscc, "凤凰新建砖厂", "非煤矿山", None),
    ]
    book = write_book(tmp_path / "县.xlsx", {"企业信息": [list(r) for r in rows]})
    outcomes: dict[str, Outcome] = {}
    for mode in MODES:
        location = pg_cluster.fresh(template=pg.dbname)
        county_session = core.sign_in(as_app(location), "fh", "fh-password")
        try:
            outcomes[mode] = run_import(county_session, book, mode, monkeypatch)
        finally:
            county_session.close()
        whole = core.open_session(location, user="市管理员")
        try:
            names = dict(whole.db.conn.execute("SELECT uscc, name FROM units"))
            assert names[theirs.uscc] == "蓝山建材有限公司" and len(names) == 3
        finally:
            whole.close()
    summary = outcomes[SERIAL].summary
    assert summary is not None and (summary.added, summary.updated) == (1, 1)
    assert_twins(outcomes)
