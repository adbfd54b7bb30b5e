"""Schema version 8 (grading.md Revision 2, items 1, 2 and 11): accident repairs voided.

- ``repairs.void_reason``: a repair the revision voided keeps its row (its history) with
  ``void_reason = '按修订失效'``; grading, the unit's page and the 全部数据 export leave
  it out.
- ``list_entry_records``: the records that listed a unit (an entry of a list). Once the
  entry is removed or its period ends, the grade released by that list (suizhou D) no
  longer counts them; they still count in every other criterion.
- Every stored accident repair is voided — accidents are never repaired — as an audited
  change; the application that approved it says so in its decision note. An accident
  repair that an early removal made (approval number 提前移出申请第N号) becomes the
  removal of that list entry where the entry exists: the accident is linked to the
  entry, so from the removal on the D criteria ignore it.
- A database still on the unchanged text of a built-in profile of before the revision
  gets the revised built-in text (audited); a bureau's own rules are left as they are.

Runs inside the upgrade's transaction (storage/migrations.py); never commits.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from typing import Any

from safecredit_desktop.core.rules.profile import load_profile
from safecredit_desktop.core.storage import audit

USER = "系统（数据结构升级：信用分级规则修订2）"
VOID = "按修订失效"
NOTE = "按修订失效：生产安全事故不能信用修复（信用分级规则修订2）"
# sha256 of the built-in profile texts shipped before the revision (format 1)
OLD_BUILTINS = {
    "fenghuang": "e1d964b1e617d1dbe95fe120e022b660d371adaa3b2fa824dfd9f9cc410a5a96",
    "kundulun": "d2c06b01963bff470426697ff801397c92d95793245203d1fde92ac4fb9ee969",
    "suizhou": "19d36b1760a38c3de5024bbf1098ec6216ea791bc8ff57885b1536a110c82827",
}
_EARLY_REMOVAL = re.compile(r"^提前移出申请第(\d+)号$")


def _row(conn: sqlite3.Connection, sql: str, args: tuple[Any, ...]) -> dict[str, Any]:
    cursor = conn.execute(sql, args)
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def _setting(conn: sqlite3.Connection, key: str) -> str | None:
    found = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return None if found is None else str(found[0])


def _revise_profile(conn: sqlite3.Connection) -> list[audit.AuditEntry]:
    name = _setting(conn, "profile_name")
    text = _setting(conn, "profile_text")
    if name not in OLD_BUILTINS or text is None:
        return []
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != OLD_BUILTINS[name]:
        return []  # the bureau's own text: its rules stay
    revised = load_profile(name).text
    conn.execute("UPDATE settings SET value = ? WHERE key = 'profile_text'", (revised,))
    return [
        audit.AuditEntry(
            "update",
            "settings",
            "profile_text",
            {"key": "profile_text", "value": text},
            {"key": "profile_text", "value": revised},
        )
    ]


def _void_accident_repairs(conn: sqlite3.Connection) -> list[audit.AuditEntry]:
    entries: list[audit.AuditEntry] = []
    repairs = conn.execute(
        "SELECT r.id, u.uscc FROM repairs r JOIN units u ON u.id = r.unit_id"
        " WHERE r.accident_id IS NOT NULL AND r.void_reason IS NULL ORDER BY r.id"
    ).fetchall()
    for repair_id, uscc in repairs:
        before = _row(conn, "SELECT * FROM repairs WHERE id = ?", (repair_id,))
        conn.execute("UPDATE repairs SET void_reason = ? WHERE id = ?", (VOID, repair_id))
        after = {**before, "void_reason": VOID}
        key = json.dumps(
            [uscc, before["target_kind"], None, None, before["accident_id"]],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        entries.append(audit.AuditEntry("update", "repairs", key, before, after))
        entries += _as_removal(conn, before)
    for (application_id,) in conn.execute(
        "SELECT id FROM repair_applications WHERE target_table = 'accidents'"
        " AND status = '批准' ORDER BY id"
    ).fetchall():
        before = _row(conn, "SELECT * FROM repair_applications WHERE id = ?", (application_id,))
        note = "；".join(n for n in (str(before["decision_note"]), NOTE) if n)
        conn.execute(
            "UPDATE repair_applications SET decision_note = ? WHERE id = ?", (note, application_id)
        )
        entries.append(
            audit.AuditEntry(
                "update",
                "repair_applications",
                f"repair_applications#{application_id}",
                before,
                {**before, "decision_note": note},
            )
        )
    return entries


def _as_removal(conn: sqlite3.Connection, repair: dict[str, Any]) -> list[audit.AuditEntry]:
    """An early removal's accident repair: the accident is linked to the removed entry."""
    found = _EARLY_REMOVAL.match(str(repair["approval_no"]))
    if found is None:
        return []
    application = conn.execute(
        "SELECT target_id FROM repair_applications WHERE id = ? AND target_table = 'list_entries'",
        (int(found.group(1)),),
    ).fetchone()
    if application is None:
        return []
    entry_id = int(application[0])
    if conn.execute("SELECT 1 FROM list_entries WHERE id = ?", (entry_id,)).fetchone() is None:
        return []
    link = {"entry_id": entry_id, "record_table": "accidents", "record_id": repair["accident_id"]}
    conn.execute(
        "INSERT INTO list_entry_records (entry_id, record_table, record_id)"
        " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (entry_id, "accidents", repair["accident_id"]),
    )
    return [
        audit.AuditEntry("insert", "list_entry_records", f"list_entries#{entry_id}", None, link)
    ]


def upgrade(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE repairs ADD COLUMN void_reason TEXT")
    conn.execute(
        "CREATE TABLE list_entry_records ("
        " entry_id INTEGER NOT NULL REFERENCES list_entries (id),"
        " record_table TEXT NOT NULL"
        "  CHECK (record_table IN ('accidents', 'violations', 'penalties')),"
        " record_id INTEGER NOT NULL,"
        " PRIMARY KEY (entry_id, record_table, record_id)"
        ") STRICT"
    )
    entries = _revise_profile(conn) + _void_accident_repairs(conn)
    if entries:
        audit.append(conn, USER, entries)
