"""Key–value settings of the bureau (name, profile, e-mail …), audited like records."""

from __future__ import annotations

from safecredit_desktop.core.storage import audit
from safecredit_desktop.core.storage.connection import Database

BUREAU_NAME = "bureau_name"
PROFILE_NAME = "profile_name"
PROFILE_TEXT = "profile_text"
UPPER_EMAIL = "upper_email"
CREATED_AT = "created_at"
# The bureau's own 统一社会信用代码 (双公示 处罚机关/数据来源单位 columns) and the default
# 统计人员 of the statistics form; both kept by an administrator (`settings set`).
BUREAU_USCC = "bureau_uscc"
REPORTER = "statistics_reporter"


def get_setting(db: Database, key: str, default: str = "") -> str:
    row = db.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return default if row is None else str(row[0])


def set_setting(db: Database, user: str, key: str, value: str) -> None:
    with db.transaction() as conn:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        before = None if row is None else {"key": key, "value": row[0]}
        if before is not None and before["value"] == value:
            return
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
        action = "insert" if before is None else "update"
        entry = audit.AuditEntry(action, "settings", key, before, {"key": key, "value": value})
        audit.append(conn, user, [entry])
