"""Every row accounted for: the records are what the audit log says they are.

The hash chain shows the log is intact; this shows the tables match it. For every
audited table (``audited_tables.py``) the newest entry of each row must describe the
row as stored, every row the log says exists must exist, and no row may exist that
the log does not know. The first differences are named: table, natural key, field,
stored value and the value the log recorded.

``full`` runs inside ``check``'s single pass over the log: for the record tables (a
million rows in a county) the stored row is rebuilt as JSON by SQLite next to each
entry and compared as text, so Python only looks closer at the few that differ
(superseded entries, or number formats, or real changes); the small tables are
replayed entry by entry. ``since`` is what opening runs: only the entries after the
checkpoint and the rows they touch.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from safecredit_desktop.core.storage import audit, dialect
from safecredit_desktop.core.storage.audited_tables import (
    AUDITED,
    BY_NAME,
    RECORD_TABLES,
    UNKNOWN,
    Entry,
    Table,
    natural_key_of,
)
from safecredit_desktop.core.storage.tables import SPEC_BY_NAME

MAX_NAMED = 20  # differences named one by one; the rest are counted

_ABSENT: dict[str, Any] = {"__absent__": True}  # the state of a deleted row


@dataclass
class State:
    """What the log says about one row: its fields (None: deleted) and the entry."""

    eid: int
    row_key: str
    fields: dict[str, Any] | None


@dataclass
class Findings:
    messages: list[tuple[tuple[int, int], str]] = field(default_factory=list)
    total: int = 0

    def add(self, table: str, eid: int, message: str) -> None:
        self.total += 1
        order = next((i for i, t in enumerate(AUDITED) if t.name == table), len(AUDITED))
        self.messages.append(((order, eid), message))

    def sentences(self) -> list[str]:
        ordered = [m for _, m in sorted(self.messages)]
        named = ordered[:MAX_NAMED]
        if self.total > len(named):
            named.append(f"……另有 {self.total - len(named)} 处记录与审计日志不符，未逐一列出。")
        return named


# -- words ------------------------------------------------------------------------------------

AFTERWORD = "数据可能被程序以外的工具改动过。"


def _shown(value: Any) -> str:
    """A value inside a sentence: text in quotes, a number after a space."""
    if value is None:
        return "（空）"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:40] + "…"
        return f"“{text}”"
    if isinstance(value, (list, dict)):
        text = json.dumps(value, ensure_ascii=False)
        return f"“{text if len(text) <= 60 else text[:60] + '…'}”"
    return f" {value}"


def mismatch_sentence(
    table: Table, key: str, name: str, stored: Any, audited: Any, eid: int
) -> str:
    label = table.field_label(name)
    if name.endswith("sha256") or name == "selections":
        return (
            f"{table.label}（{key}）的“{label}”与审计日志第 {eid} 条记下的不同："
            f"存储的内容被改动过。{AFTERWORD}"
        )
    return (
        f"{table.label}（{key}）的“{label}”与审计日志不符：数据库中为{_shown(stored)}，"
        f"审计日志第 {eid} 条记下的是{_shown(audited)}。{AFTERWORD}"
    )


def missing_sentence(table: Table, key: str, eid: int) -> str:
    return (
        f"{table.label}（{key}）按审计日志（第 {eid} 条）应当存在，数据库中却没有这条记录："
        f"它被程序以外的工具删除了。"
    )


def undeleted_sentence(table: Table, key: str, eid: int) -> str:
    return (
        f"{table.label}（{key}）按审计日志第 {eid} 条已被删除，数据库中却仍有这条记录。{AFTERWORD}"
    )


def unknown_sentence(table: Table, key: str) -> str:
    return f"{table.label}（{key}）在数据库中存在，审计日志中却没有它的记录：它是绕过程序写入的。"


def existing_tables(conn: sqlite3.Connection) -> set[str]:
    """Tables of this file (an adapter may be for a later schema's table)."""
    return dialect.table_names(conn)


# -- comparing one row -----------------------------------------------------------------------


def _same(a: Any, b: Any) -> bool:
    """Equal as stored: 1 and 1.0 and True are one value in SQLite."""
    return bool(a == b)


def compare_row(
    table: Table,
    ident: Hashable,
    state: State,
    stored: Mapping[str, Any] | None,
    order: Sequence[str],
) -> str | None:
    """The sentence for the first difference between a row and its audited state."""
    key = table.describe(ident, state.row_key, stored)
    if state.fields is None:
        return None if stored is None else undeleted_sentence(table, key, state.eid)
    if stored is None:
        return missing_sentence(table, key, state.eid)
    names = [n for n in order if n in state.fields] + sorted(
        n for n in state.fields if n not in order
    )
    for name in names:
        audited = state.fields[name]
        if audited is UNKNOWN or name not in stored:
            continue
        if not _same(stored[name], audited):
            return mismatch_sentence(table, key, name, stored[name], audited, state.eid)
    return None


def replay(
    table: Table, entries: Iterable[Entry], cols: frozenset[str], defaults: dict[str, Any]
) -> dict[Hashable, State]:
    """The state the entries leave, per row. Without earlier entries (``since``), an
    update states only what it names."""
    states: dict[Hashable, State] = {}
    for entry in entries:
        ident = table.identity(entry)
        if entry.action == "delete":
            states[ident] = State(entry.eid, entry.row_key, None)
            continue
        stated = table.stated(entry, cols)
        if entry.action == "insert":
            fields = {**defaults, **stated}
        else:
            earlier = states.get(ident)
            base = earlier.fields if earlier is not None and earlier.fields is not None else {}
            fields = {**base, **stated}
        states[ident] = State(entry.eid, entry.row_key, fields)
    return states


def _check_table(
    conn: sqlite3.Connection,
    table: Table,
    entries: list[Entry],
    findings: Findings,
    *,
    complete: bool,
) -> None:
    order = [*table.columns(conn), "password_sha256", "kind_name", "file_sha256", "graded_units"]
    cols = frozenset(table.columns(conn))
    states = replay(table, entries, cols, table.defaults(conn))
    stored = table.rows(conn, None if complete else list(states))
    for ident, state in states.items():
        sentence = compare_row(table, ident, state, stored.get(ident), order)
        if sentence is not None:
            findings.add(table.name, state.eid, sentence)
    if complete:
        for ident, row in stored.items():
            if ident not in states:
                findings.add(
                    table.name, 1 << 62, unknown_sentence(table, _key_of(conn, table, ident, row))
                )


def _key_of(conn: sqlite3.Connection, table: Table, ident: Hashable, row: Mapping[str, Any]) -> str:
    spec = SPEC_BY_NAME.get(table.name)
    if spec is not None:
        return table.describe(ident, natural_key_of(conn, spec, row), row)
    return table.describe(ident, None, row)


# -- tombstones (deleted_records) ------------------------------------------------------------


def _check_tombstones(
    conn: sqlite3.Connection,
    expected: Mapping[tuple[str, str], tuple[int, str] | None],
    findings: Findings,
    *,
    complete: bool,
) -> None:
    """``expected``: (table, natural key) → (entry, who deleted) when remembered as
    deleted, None when an insert cleared it."""
    stored = {
        (str(t), str(k)): str(by)
        for t, k, by in conn.execute(
            "SELECT table_name, natural_key, deleted_by FROM deleted_records"
        )
    }
    for (table_name, key), want in expected.items():
        table = BY_NAME.get(table_name)
        label = table.label if table else table_name
        shown = table.describe(None, key, None) if table else key
        have = stored.get((table_name, key))
        if want is None:
            if have is not None and complete:
                pass  # reported below as a tombstone the log does not explain
            elif have is not None:
                findings.add(
                    "deleted_records",
                    0,
                    f"已删除记录名单中有{label}（{shown}），审计日志中它却已重新录入："
                    f"名单被程序以外的工具改动过，导入时会跳过这条记录。",
                )
            continue
        eid, user = want
        if have is None:
            findings.add(
                "deleted_records",
                eid,
                f"已删除记录名单中缺少{label}（{shown}）（审计日志第 {eid} 条删除）："
                "它被程序以外的工具移除了，导入时可能把已删除的记录带回。",
            )
        elif have != user:
            findings.add(
                "deleted_records",
                eid,
                f"已删除记录名单中{label}（{shown}）的删除人为“{have}”，"
                f"审计日志第 {eid} 条记下的是“{user}”。{AFTERWORD}",
            )
    if complete:
        for table_name, key in stored:
            if expected.get((table_name, key)) is None:
                table = BY_NAME.get(table_name)
                label = table.label if table else table_name
                shown = table.describe(None, key, None) if table else key
                findings.add(
                    "deleted_records",
                    1 << 62,
                    f"已删除记录名单中有{label}（{shown}），审计日志中却没有删除它的记录："
                    "它是绕过程序写入的，会使导入跳过这条记录。",
                )


# -- document files --------------------------------------------------------------------------


def check_document_files(
    conn: sqlite3.Connection, findings: Findings, file_ids: Iterable[int] | None = None
) -> None:
    """Re-hash stored document files against the register (all, or these)."""
    sql = (
        "SELECT f.id, f.sha256, f.pages, f.pdf, (SELECT min(d.doc_no) FROM documents d"
        " WHERE d.file_id = f.id), (SELECT max(d.first_page + d.page_count - 1)"
        " FROM documents d WHERE d.file_id = f.id) FROM document_files f"
    )
    if file_ids is None:
        rows: Iterable[Sequence[Any]] = conn.execute(sql + " ORDER BY f.id")
    else:
        wanted = sorted(set(file_ids))
        rows = [r for i in wanted for r in conn.execute(sql + " WHERE f.id = ?", (i,))]
    for file_id, digest, pages, pdf, doc_no, last_page in rows:
        if doc_no is None:
            findings.add(
                "documents",
                1 << 62,
                f"文书文件第 {file_id} 号没有登记任何文书：它是绕过程序写入的。",
            )
            continue
        if hashlib.sha256(bytes(pdf)).hexdigest() != digest:
            findings.add(
                "documents",
                0,
                f"文书 {doc_no} 所在的存档文件与登记的 SHA-256 不符：文件内容被改动过，"
                "不能再作为原件重印。",
            )
        elif last_page is not None and last_page > pages:
            findings.add(
                "documents",
                0,
                f"文书 {doc_no} 登记的页码超出了它所在文件的页数。{AFTERWORD}",
            )


# -- the full pass (check) -------------------------------------------------------------------

# Search keys the repository stores (and audits) with a unit beyond its written columns
# (pinyin_index.NameKeys.columns): without them every unit's entry differs as text and is
# compared field by field in Python (8 of check's 12 s at 100,000 units).
_AUDITED_EXTRAS: dict[str, tuple[str, ...]] = {"units": ("name_keys", "name_letters")}


_TRUE = "(1 = 1)"  # a truth value on both engines (PostgreSQL's CASE wants one type)
_STATED_A = "CASE a.action WHEN 'delete' THEN a.before ELSE a.after END"
_STATED = "CASE action WHEN 'delete' THEN before ELSE after END"


def _record_sql(conn: sqlite3.Connection) -> str:
    """One SELECT over the log: the chain's columns, the record row's id, and whether
    the row as stored is what the entry says (SQLite rebuilds it as the repository's
    JSON and compares the text; for a delete: whether the row is gone)."""
    same: list[str] = []
    gone: list[str] = []
    for table in RECORD_TABLES.values():
        present = set(table.columns(conn))
        written = {*table.written_columns(), *_AUDITED_EXTRAS.get(table.name, ())}
        names = sorted(c for c in written if c in present)
        pairs = ", ".join(f"'{n}', t.{n}" for n in names)
        after_id = dialect.json_id(conn, "a.after")
        matches = dialect.json_matches(conn, "a.after", pairs, table.name, after_id)
        same.append(f"WHEN '{table.name}' THEN {matches}")
        gone.append(
            f"WHEN '{table.name}' THEN NOT EXISTS (SELECT 1 FROM {table.name} t"
            f" WHERE t.id = {dialect.json_id(conn, 'a.before')})"
        )
    tables = ", ".join(f"'{t}'" for t in RECORD_TABLES)
    cols = ", ".join(f"a.{c.strip()}" for c in audit.ENTRY_COLUMNS.split(","))
    return (
        f"SELECT {cols},"
        f" CASE WHEN a.table_name IN ({tables}) THEN {dialect.json_id(conn, _STATED_A)} END,"
        f" CASE a.action WHEN 'event' THEN {_TRUE} WHEN 'delete' THEN CASE a.table_name"
        f" {' '.join(gone)} ELSE {_TRUE} END ELSE CASE a.table_name {' '.join(same)}"
        f" ELSE {_TRUE} END END"
        " FROM audit_log a ORDER BY a.id"
    )


@dataclass
class FullResult:
    chain: audit.ChainProblem | None
    problems: list[str]
    counts_at: dict[int, dict[str, int]]  # rows per counted table after entry N
    entries: int
    counts: dict[str, int]  # rows per counted table at the head


def full(conn: sqlite3.Connection, *, snapshots: Iterable[int] = ()) -> FullResult:
    """Verify the chain and reconcile every audited table, in one pass over the log.
    ``snapshots``: entry ids after which the net row counts are wanted (anchors)."""
    wanted = set(snapshots)
    net: dict[str, int] = {}
    counts_at: dict[int, dict[str, int]] = {}
    pending: dict[tuple[str, Any], Sequence[Any]] = {}
    tombs: dict[tuple[str, str], tuple[int, str] | None] = {}
    others: dict[str, list[Entry]] = {}
    record_names = frozenset(RECORD_TABLES)
    other_names = frozenset(BY_NAME) - record_names
    last = 0

    def sink(row: Sequence[Any]) -> None:
        nonlocal last
        eid, _at, user, action, table, row_key, _before, after = row[:8]
        last = eid
        if action != "event":
            if action == "insert":
                net[table] = net.get(table, 0) + 1
            elif action == "delete":
                net[table] = net.get(table, 0) - 1
            if table in record_names:
                key = (table, row[10])
                pending.pop(key, None)
                if not row[11]:
                    pending[key] = row
                if action == "delete":
                    if after is None:
                        tombs[(table, row_key)] = (eid, user)
                elif action == "insert" and tombs and (table, row_key) in tombs:
                    tombs[(table, row_key)] = None
            elif table in other_names:
                others.setdefault(table, []).append(Entry(*row[:8]))
        if eid in wanted:
            counts_at[eid] = dict(net)

    chain = audit.verify_rows(conn.execute(_record_sql(conn)), sink=sink)
    findings = Findings()
    _resolve_pending(conn, pending, findings)
    _check_record_counts(conn, net, pending, findings)
    present = existing_tables(conn)
    for table in AUDITED:
        if table.name in other_names and table.name in present:
            _check_table(conn, table, others.get(table.name, []), findings, complete=True)
    _check_tombstones(conn, tombs, findings, complete=True)
    check_document_files(conn, findings)
    if 0 in wanted:
        counts_at[0] = {}
    return FullResult(chain, findings.sentences(), counts_at, last, dict(net))


def _resolve_pending(
    conn: sqlite3.Connection, pending: Mapping[tuple[str, Any], Sequence[Any]], findings: Findings
) -> None:
    """Entries whose row did not match as text: compare field by field."""
    by_table: dict[str, list[Sequence[Any]]] = {}
    for (table_name, _), row in pending.items():
        by_table.setdefault(table_name, []).append(row)
    for table_name, rows in by_table.items():
        table = RECORD_TABLES[table_name]
        order = table.columns(conn)
        cols = frozenset(order)
        idents = [r[10] for r in rows]
        stored = table.rows(conn, [i for i in idents if i is not None])
        for row in rows:
            entry = Entry(*row[:8])
            ident = row[10]
            fields = None if entry.action == "delete" else table.stated(entry, cols)
            state = State(entry.eid, entry.row_key, fields)
            sentence = compare_row(table, ident, state, stored.get(ident), order)
            if sentence is not None:
                findings.add(table_name, entry.eid, sentence)


def _check_record_counts(
    conn: sqlite3.Connection,
    net: Mapping[str, int],
    pending: Mapping[tuple[str, Any], Sequence[Any]],
    findings: Findings,
) -> None:
    """Rows the log does not know: found by count, then named (a slower look)."""
    for table in RECORD_TABLES.values():
        stored = table.count(conn)
        if stored == net.get(table.name, 0):
            continue
        live: set[Any] = set()
        for action, ident in conn.execute(
            f"SELECT action, {dialect.json_id(conn, _STATED)}"
            " FROM audit_log WHERE table_name = ? AND action IN ('insert', 'delete')"
            " ORDER BY id",
            (table.name,),
        ):
            if action == "insert":
                live.add(ident)
            else:
                live.discard(ident)
        cursor = conn.execute(f"SELECT * FROM {table.name} ORDER BY id")
        names = [d[0] for d in cursor.description]
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            if row["id"] not in live:
                findings.add(
                    table.name,
                    1 << 62,
                    unknown_sentence(table, _key_of(conn, table, row["id"], row)),
                )


# -- since the checkpoint (opening) ----------------------------------------------------------


def since(conn: sqlite3.Connection, rows: Sequence[Sequence[Any]]) -> list[str]:
    """Reconcile the rows touched by these entries (those after the checkpoint)."""
    entries = [Entry(*r[:8]) for r in rows if r[3] != "event"]
    if not entries:
        return []
    findings = Findings()
    by_table: dict[str, list[Entry]] = {}
    tombs: dict[tuple[str, str], tuple[int, str] | None] = {}
    for entry in entries:
        by_table.setdefault(entry.table, []).append(entry)
        if entry.table in RECORD_TABLES:
            if entry.action == "delete" and entry.after is None:
                tombs[(entry.table, entry.row_key)] = (entry.eid, entry.user)
            elif entry.action == "insert" and (entry.table, entry.row_key) in tombs:
                tombs[(entry.table, entry.row_key)] = None
    present = existing_tables(conn)
    for table in AUDITED:
        touched = by_table.get(table.name)
        if touched and table.name in present:
            _check_table(conn, table, touched, findings, complete=False)
    _check_tombstones(conn, tombs, findings, complete=False)
    if "documents" in by_table:
        numbers = [e.row_key for e in by_table["documents"]]
        file_ids = [
            int(r[0])
            for n in numbers
            for r in conn.execute("SELECT file_id FROM documents WHERE doc_no = ?", (n,))
        ]
        check_document_files(conn, findings, file_ids)
    return findings.sentences()


def count_problems(conn: sqlite3.Connection, expected: Mapping[str, int]) -> list[str]:
    """Tables whose number of rows is not what the log adds up to (a cheap look)."""
    found: list[str] = []
    present = existing_tables(conn)
    for name, want in expected.items():
        table = BY_NAME.get(name)
        if table is None or name not in present:
            continue
        have = table.count(conn)
        if have != want:
            change = "增加" if have > want else "删除"
            found.append(
                f"{table.label}表现有 {have} 条记录，按审计日志应有 {want} 条：有记录被程序以外的"
                f"工具{change}了。请运行“检查”（safecredit check）查明是哪一条。"
            )
    return found
