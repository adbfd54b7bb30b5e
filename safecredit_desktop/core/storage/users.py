"""User accounts: roles, hashed passwords, lock-out; every change audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from safecredit_desktop.core import auth
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.storage import audit
from safecredit_desktop.core.storage.changes import Table, note_written
from safecredit_desktop.core.storage.clock import now_iso
from safecredit_desktop.core.storage.connection import Database


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role
    active: bool


def list_users(db: Database) -> list[User]:
    rows = db.conn.execute(
        "SELECT id, username, display_name, role, active FROM users ORDER BY username"
    )
    return [User(int(r[0]), str(r[1]), str(r[2]), Role(r[3]), bool(r[4])) for r in rows]


def find_user(db: Database, username: str) -> User | None:
    return next((u for u in list_users(db) if u.username == username), None)


def _check_password(password: str) -> None:
    if len(password) < auth.MIN_PASSWORD_LENGTH:
        raise SafeCreditError(f"密码至少需要 {auth.MIN_PASSWORD_LENGTH} 个字符。")


def add_user(
    db: Database, actor: str, username: str, password: str, role: Role, display_name: str = ""
) -> User:
    username = username.strip()
    if not username:
        raise SafeCreditError("用户名不能为空。")
    _check_password(password)
    with db.transaction() as conn:
        if conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
            raise SafeCreditError(f"用户“{username}”已存在。")
        cursor = conn.execute(
            "INSERT INTO users (username, display_name, role, password_hash, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (username, display_name, role.value, auth.hash_password(password), now_iso()),
        )
        after = {"username": username, "display_name": display_name, "role": role.value}
        audit.append(conn, actor, [audit.AuditEntry("insert", "users", username, None, after)])
        new_id = int(cursor.lastrowid or 0)
    return User(new_id, username, display_name, role, True)


def reset_password(db: Database, actor: str, username: str, password: str) -> None:
    _check_password(password)
    with db.transaction() as conn:
        found = conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone()
        if not found:
            raise SafeCreditError(f"没有名为“{username}”的用户。")
        conn.execute(
            "UPDATE users SET password_hash = ?, failed_attempts = 0, locked_until = NULL"
            " WHERE username = ?",
            (auth.hash_password(password), username),
        )
        detail = {"username": username, "password": "已重设"}
        audit.append(conn, actor, [audit.AuditEntry("update", "users", username, None, detail)])


def authenticate(
    db: Database, username: str, password: str, *, now: datetime | None = None
) -> User:
    """The user, or SafeCreditError; repeated failures lock the account for a while.
    On a read-only database (a network folder) the password is checked, nothing written."""
    now = now or datetime.now()
    if db.read_only:
        row = db.conn.execute(
            "SELECT id, username, display_name, role, active, password_hash FROM users"
            " WHERE username = ?",
            (username,),
        ).fetchone()
        if row is None or not row[4] or not auth.verify_password(password, str(row[5])):
            raise SafeCreditError("用户名或密码不正确。")
        return User(int(row[0]), str(row[1]), str(row[2]), Role(row[3]), bool(row[4]))
    with db.transaction() as conn:
        row = conn.execute(
            "SELECT id, username, display_name, role, active, password_hash, failed_attempts,"
            " locked_until FROM users WHERE username = ?",
            (username,),
        ).fetchone()
        if row is None or not row[4]:
            raise SafeCreditError("用户名或密码不正确。")
        locked_until = row[7]
        if locked_until and datetime.fromisoformat(locked_until) > now:
            raise SafeCreditError(
                f"密码错误次数过多，账户已暂时锁定，请于 {locked_until[11:16]} 后再试。"
            )
        if not auth.verify_password(password, str(row[5])):
            failures = int(row[6]) + 1
            lock = None
            if failures >= auth.MAX_FAILURES:
                lock = (now + timedelta(seconds=auth.LOCKOUT_SECONDS)).isoformat(timespec="seconds")
                failures = 0
            conn.execute(
                "UPDATE users SET failed_attempts = ?, locked_until = ? WHERE id = ?",
                (failures, lock, row[0]),
            )
            # Not raised inside the transaction: the failure count must be committed.
            failed = True
            note_written(conn, Table.USERS)
        else:
            conn.execute(
                "UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ?", (row[0],)
            )
            failed = False
    if failed:
        raise SafeCreditError("用户名或密码不正确。")
    return User(int(row[0]), str(row[1]), str(row[2]), Role(row[3]), bool(row[4]))
