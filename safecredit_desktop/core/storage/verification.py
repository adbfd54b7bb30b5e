"""What opening a database and ``check`` verify about the audit, and in what order.

Opening (fast at a county's size): the chain since the checkpoint, the rows those
entries touched, the heads recorded outside the file, the number of rows per table
against what the log adds up to, and the structure (triggers). ``check``: the whole
chain and every row of every audited table, the checkpoint, the recorded heads and
their counts, the structure, and every stored document file re-hashed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from safecredit_desktop.core.storage import anchor, audit, reconcile, schema_check
from safecredit_desktop.core.storage.audited_tables import BY_NAME
from safecredit_desktop.core.storage.connection import Database

TOLD = "数据可能被程序以外的工具改动过，请运行“检查”（safecredit check）并联系管理员。"


def opening(db: Database) -> list[str]:
    """The warnings of an opening; moves the checkpoint and the recorded heads forward
    only when everything since the checkpoint holds."""
    if db.read_only:
        db.conn.execute("BEGIN")
        try:
            return _opening(db, db.conn, writable=False)
        finally:
            db.conn.execute("COMMIT")
    with db.transaction() as conn:
        return _opening(db, conn, writable=True)


def _opening(db: Database, conn: sqlite3.Connection, *, writable: bool) -> list[str]:
    touched: list[audit.AuditRow] = []
    chain = audit.verify_since_checkpoint(conn, move=False, collect=touched)
    exam = anchor.examine(db.path, conn)
    if chain is not None:
        return [f"审计日志校验未通过：{chain.message}{TOLD}", *exam.problems]
    if db.county:
        # A county's connection sees its county's rows only: the chain holds, but the
        # rows are the city administrator's to compare (its opening and ``check``), and
        # the checkpoint stays where that comparison last got to.
        if exam.recordable:
            anchor.record(db.path, conn, exam.trusted)
        return exam.problems + exam.notes
    rows = reconcile.since(conn, touched)
    counts: list[str] = []
    if exam.trusted is not None and exam.trusted.counts is not None and not rows:
        head = audit.head(conn)[0]
        counts = reconcile.count_problems(conn, anchor.counts_at(conn, exam.trusted, head))
    structure = schema_check.differences(conn)
    found = [f"审计日志与数据不符：{r}" for r in rows] + counts + exam.problems + structure
    if not rows and not counts:
        if writable:
            head_id, head_hash = audit.head(conn)
            audit.set_checkpoint(conn, head_id, head_hash)
        if exam.recordable:  # also for a read-only file: the records are not in it
            anchor.record(db.path, conn, exam.trusted)
    return found + exam.notes


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    entries: int = 0


def full(db: Database) -> Verdict:
    """``check``'s verification of the audit, in one read snapshot."""
    db.require_whole_register("整库检查（check）")
    conn = db.conn
    conn.execute("BEGIN")
    try:
        return _full(db, conn)
    finally:
        conn.execute("COMMIT")


def _full(db: Database, conn: sqlite3.Connection) -> Verdict:
    exam = anchor.examine(db.path, conn)
    checkpoint = audit.checkpoint(conn)
    marks = {a.head.entries for a in exam.anchors}
    if checkpoint is not None:
        marks.add(checkpoint[0])
    result = reconcile.full(conn, snapshots=marks)
    verdict = Verdict(entries=result.entries)
    if result.chain is not None:
        verdict.problems.append(result.chain.message)
    late = audit.checkpoint_problem(conn)
    if late is not None:
        verdict.problems.append(late.message)
    verdict.problems += exam.problems
    if result.chain is None:
        verdict.problems += _anchor_counts(conn, exam, result.counts_at)
    verdict.problems += schema_check.differences(conn)
    verdict.problems += result.problems
    verdict.notes += exam.notes
    if result.chain is None and exam.recordable:
        anchor.record(db.path, conn, exam.trusted, result.counts)
    return verdict


def _anchor_counts(
    conn: sqlite3.Connection, exam: anchor.Examination, counts_at: dict[int, dict[str, int]]
) -> list[str]:
    """A recorded head's row counts must be what the log adds up to at that entry."""
    found: list[str] = []
    for recorded in exam.anchors:
        if recorded.counts is None or anchor.mismatch(conn, recorded) is not None:
            continue
        net = counts_at.get(recorded.head.entries)
        if net is None:
            continue
        for table in anchor.COUNTED_TABLES:
            if recorded.counts.get(table, 0) != net.get(table, 0):
                label = BY_NAME[table].label if table in BY_NAME else table
                found.append(
                    f"审计位置记录中{label}表的记录数（{recorded.counts.get(table, 0)}）"
                    f"与审计日志到第 {recorded.head.entries} 条为止的（{net.get(table, 0)}）"
                    "不符：该记录被改动过。"
                )
                break
    return found
