"""The audit chain's head kept outside the database file.

The hash chain proves that the log holds together, not that it is the log that was
written: someone holding the file can delete the newest entries, or edit one and
recompute every hash after it. So the head — how many entries and the hash of the
newest, with the hash of the first (which database this is) and the number of rows
per table at that point — is written beside the database (``<db>.anchor``) and into
the user's data folder (``anchors/<hash of the database's path>.json``) after every
session that wrote, and beside every backup. Opening and ``check`` compare: a
shorter log ("truncated") or a different entry at the recorded position
("rewritten") is named with the date the head was last seen.

An anchor only moves forward along the same chain (the recorded head must be a prefix
of the current log), and files are replaced atomically, so processes writing at once
never make each other look tampered with. ``reset`` is for the legitimate jumps: a
new database, a restore.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from safecredit_desktop.core.paths import user_data_dir
from safecredit_desktop.core.storage.audit import GENESIS, head
from safecredit_desktop.core.storage.clock import now_iso
from safecredit_desktop.core.storage.tables import TABLES

SUFFIX = ".anchor"
FORMAT = "safecredit-audit-anchor-1"

# Tables whose rows are exactly the audit's inserts minus its deletes (reconcile.py).
# Kept here so an anchor's counts and the check agree on what is counted.
COUNTED_TABLES: tuple[str, ...] = (
    *(spec.name for spec in TABLES),  # the record tables
    "inspector_conflicts",
    "settings",
    "users",
    "holidays",
    "draws",
    "assessments",
    "documents",
    "list_entries",
    "objections",
    "repair_applications",
    "permits",
    "account_recoveries",
)


@dataclass(frozen=True)
class Head:
    entries: int  # the newest entry's id (ids run 1..N without gaps)
    hash: str  # of the newest entry
    first: str  # hash of entry 1: which database this is


@dataclass(frozen=True)
class Anchor:
    head: Head
    seen_at: str  # when this head was recorded (ISO, local time)
    counts: dict[str, int] | None  # rows per counted table at the head


class Unreadable:
    """An anchor file that exists but is not one (damaged or edited by hand)."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason


def file_path(database: Path) -> Path:
    """The anchor beside a database or a backup."""
    return database.with_name(database.name + SUFFIX)


def sidecar_path(copy: Path) -> Path:
    """The anchor of a backup: beside it, or in ``anchors/`` of the program's own
    backups folder (so that folder lists only the copies)."""
    if copy.parent.name.endswith(".backups"):
        return copy.parent / "anchors" / f"{copy.name}{SUFFIX}"
    return file_path(copy)


def store_path(database: Path) -> Path:
    """The anchor in the user's data folder, one file per database path."""
    key = hashlib.sha256(str(database.resolve()).encode("utf-8")).hexdigest()[:32]
    return user_data_dir() / "anchors" / f"{key}.json"


def current_head(conn: sqlite3.Connection) -> Head:
    entries, digest = head(conn)
    first = conn.execute("SELECT hash FROM audit_log WHERE id = 1").fetchone()
    return Head(entries, digest, GENESIS if first is None else str(first[0]))


def net_counts(
    conn: sqlite3.Connection, *, after_id: int = 0, upto_id: int | None = None
) -> dict[str, int]:
    """Inserts minus deletes per counted table among entries after_id < id ≤ upto_id."""
    upto = head(conn)[0] if upto_id is None else upto_id
    found = dict.fromkeys(COUNTED_TABLES, 0)
    if upto <= after_id:
        return found
    names = ", ".join(f"'{t}'" for t in COUNTED_TABLES)
    for table, net in conn.execute(
        "SELECT table_name, sum(CASE action WHEN 'insert' THEN 1 WHEN 'delete' THEN -1"
        " ELSE 0 END) FROM audit_log"
        f" WHERE id > ? AND id <= ? AND action IN ('insert', 'delete')"
        f" AND table_name IN ({names}) GROUP BY table_name",
        (after_id, upto),
    ):
        found[str(table)] = int(net)
    return found


def counts_at(conn: sqlite3.Connection, anchor: Anchor, entries: int) -> dict[str, int]:
    """Rows per counted table expected at ``entries``, from the anchor's counts on."""
    base = anchor.counts
    if base is None:
        return net_counts(conn, upto_id=entries)
    delta = net_counts(conn, after_id=anchor.head.entries, upto_id=entries)
    return {t: base.get(t, 0) + delta[t] for t in COUNTED_TABLES}


# -- files ---------------------------------------------------------------------------------


def read(path: Path) -> Anchor | Unreadable | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        return Unreadable(path, str(exc))
    try:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError("format")
        found = Head(int(data["entries"]), str(data["hash"]), str(data["first"]))
        counts = data.get("counts")
        return Anchor(
            found,
            str(data["seen_at"]),
            None if counts is None else {str(k): int(v) for k, v in counts.items()},
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return Unreadable(path, f"内容无法识别（{exc}）")


def _write(path: Path, database: Path, anchor: Anchor) -> None:
    """Replace ``path`` atomically (write a temporary file, then rename over it)."""
    data = {
        "format": FORMAT,
        "database": str(database.resolve()),
        "entries": anchor.head.entries,
        "hash": anchor.head.hash,
        "first": anchor.head.first,
        "seen_at": anchor.seen_at,
        "counts": anchor.counts,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    with partial.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    if os.name == "posix":
        os.chmod(partial, 0o600)
    os.replace(partial, path)


def write_both(database: Path, anchor: Anchor) -> None:
    try:
        _write(file_path(database), database, anchor)
        _write(store_path(database), database, anchor)
    except OSError:
        pass  # a read-only folder: the next session that can write records the head


def now_anchor(conn: sqlite3.Connection, base: Anchor | None = None) -> Anchor:
    """The current head, with counts carried forward from ``base`` (or counted anew)."""
    found = current_head(conn)
    if base is not None and base.counts is not None:
        counts = counts_at(conn, base, found.entries)
    else:
        counts = net_counts(conn, upto_id=found.entries)
    return Anchor(found, now_iso(), counts)


def write_sidecar(copy: Path) -> Anchor:
    """The anchor beside a backup copy: the copy's own head."""
    conn = sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True)
    try:
        anchor = now_anchor(conn)
    finally:
        conn.close()
    _write(sidecar_path(copy), copy, anchor)
    return anchor


def remove_sidecar(copy: Path) -> None:
    sidecar_path(copy).unlink(missing_ok=True)


# -- comparing -----------------------------------------------------------------------------


def _seen(anchor: Anchor) -> str:
    try:
        moment = datetime.fromisoformat(anchor.seen_at)
    except ValueError:
        return anchor.seen_at
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def mismatch(conn: sqlite3.Connection, anchor: Anchor) -> str | None:
    """Why the current log is not the recorded head's continuation, or None."""
    recorded = anchor.head
    if recorded.entries == 0:
        return None
    entries, _ = head(conn)
    seen = _seen(anchor)
    if entries == 0:
        return (
            f"审计日志被清空了：{seen} 时已有 {recorded.entries} 条，现在一条也没有"
            "（或数据库被换成了新建的空库）。"
        )
    first = conn.execute("SELECT hash FROM audit_log WHERE id = 1").fetchone()
    if first is None or first[0] != recorded.first:
        return (
            f"审计日志从第 1 条起就与 {seen} 记下的不同（当时 {recorded.entries} 条）："
            "这不是当时的那个数据库文件，或整个审计日志被重写过。"
        )
    if entries < recorded.entries:
        return (
            f"审计日志被截短了：{seen} 时已有 {recorded.entries} 条，现在只有 {entries} 条，"
            f"最新的 {recorded.entries - entries} 条审计记录被删除了（或数据库被换成了旧的副本）。"
        )
    found = conn.execute("SELECT hash FROM audit_log WHERE id = ?", (recorded.entries,))
    row = found.fetchone()
    if row is None or row[0] != recorded.hash:
        return (
            f"审计日志被改写过：第 {recorded.entries} 条与 {seen} 记下的不同，"
            "这一条或它之前的审计记录被改动后重新计算了哈希链（或数据库被换成了另一份副本）。"
        )
    return None


WHAT_TO_DO = (
    "如果是有意换用了另一个数据库文件或旧的副本，请用“恢复”（safecredit restore 该文件）"
    "把它恢复进来，程序会记下新的位置；否则请联系管理员。"
)


@dataclass
class Examination:
    problems: list[str]
    notes: list[str]
    trusted: Anchor | None  # the furthest recorded head the log continues (row counts)
    recordable: bool  # the records may be brought to the current head
    anchors: list[Anchor]  # the readable records, for comparing their counts


def examine(database: Path, conn: sqlite3.Connection) -> Examination:
    """Compare the log with the heads recorded beside the file and in the user folder.

    Nothing recorded anywhere (a copied database) is said once, as a note. A record
    that disagrees with the log is a problem; so is a missing file beside the database
    while the user folder still has its record. The records may be brought to the
    current head (``recordable``) when the log continues at least one of them, or none
    exists; never when the log contradicts the user folder's record: that stays
    reported until a restore records the new head on purpose.
    """
    beside = file_path(database)
    found_file, found_store = read(beside), read(store_path(database))
    problems = [
        f"审计位置记录 {bad.path} 无法读取（{bad.reason}），可能被损坏或被改动过。"
        for bad in (found_file, found_store)
        if isinstance(bad, Unreadable)
    ]
    notes: list[str] = []
    on_file = found_file if isinstance(found_file, Anchor) else None
    in_store = found_store if isinstance(found_store, Anchor) else None
    file_wrong = mismatch(conn, on_file) if on_file else None
    store_wrong = mismatch(conn, in_store) if in_store else None
    good = [a for a, wrong in ((on_file, file_wrong), (in_store, store_wrong)) if a and not wrong]
    trusted = max(good, key=lambda a: a.head.entries) if good else None
    if on_file is None and in_store is None:
        if not problems:
            notes.append(
                "本机没有此数据库审计日志位置的记录（可能是从其他电脑复制来的，或记录被删除）；"
                f"已记下当前位置（第 {current_head(conn).entries} 条），以后的检查将与之对照。"
            )
    elif on_file is None or in_store is None:
        wrong = file_wrong or store_wrong
        if wrong:
            problems.append(wrong + WHAT_TO_DO)
        elif on_file is None and in_store is not None:
            problems.append(
                f"数据库旁的审计位置文件 {beside.name} 不见了（本机在 {_seen(in_store)} "
                "记下的位置与审计日志相符）：它被删除了，已重新写入。"
            )
    elif file_wrong and store_wrong:
        latest = max((on_file, in_store), key=lambda a: a.head.entries)
        problems.append(f"{mismatch(conn, latest)}{WHAT_TO_DO}")
    elif store_wrong:
        problems.append(
            f"{store_wrong}（数据库旁的审计位置文件倒与现在的日志相符：数据库可能连同该文件"
            f"一起被换成了另一份副本。）{WHAT_TO_DO}"
        )
    elif file_wrong:
        problems.append(
            f"数据库旁的审计位置文件 {beside.name} 记下的位置与审计日志不符，而本机的记录"
            "相符：该文件被改动过，已按审计日志重新写入。"
        )
    recordable = (trusted is not None and not store_wrong) or (on_file is None and in_store is None)
    anchors = [a for a in (on_file, in_store) if a is not None]
    return Examination(problems, notes, trusted, recordable, anchors)


def record(
    database: Path,
    conn: sqlite3.Connection,
    base: Anchor | None,
    counts: dict[str, int] | None = None,
) -> None:
    """Bring both records to the current head: with the row ``counts`` at the head when
    known (``check`` just added them up), else carried from ``base``."""
    if counts is None:
        write_both(database, now_anchor(conn, base))
        return
    known = {t: counts.get(t, 0) for t in COUNTED_TABLES}
    write_both(database, Anchor(current_head(conn), now_iso(), known))


def advance(database: Path, conn: sqlite3.Connection) -> None:
    """After a session wrote: move both records to the current head, if the log still
    continues what they recorded (never backwards, never onto another chain)."""
    kept = [read(file_path(database)), read(store_path(database))]
    anchors = [a for a in kept if isinstance(a, Anchor)]
    if any(mismatch(conn, a) for a in anchors):
        return
    base = max(anchors, key=lambda a: a.head.entries) if anchors else None
    if base is not None and base.head.entries > current_head(conn).entries:
        return
    write_both(database, now_anchor(conn, base))


def reset(database: Path, conn: sqlite3.Connection) -> Anchor:
    """Record the current head whatever was recorded before (a new database, a restore)."""
    anchor = now_anchor(conn)
    write_both(database, anchor)
    return anchor


def describe(found: Head) -> str:
    """One line for an export's notes or a message: where the log stands."""
    return f"共 {found.entries} 条，最新一条的哈希 {found.hash}"
