"""User accounts: roles, hashed passwords, recovery codes, lock-out; every change audited.

A user holds a set of roles (stored as their names joined by commas, in ROLE_ORDER).
Five wrong passwords lock an account for five minutes; on a read-only database (a
network folder) nothing can be written, so the failures are counted in memory for as
long as the program runs.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from safecredit_desktop.core import auth
from safecredit_desktop.core.errors import SafeCreditError, ValidationError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.storage import audit, dialect
from safecredit_desktop.core.storage.changes import Table, note_written
from safecredit_desktop.core.storage.clock import now_iso
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.validate import single_line_text

ROLE_ORDER = (Role.ADMIN, Role.REVIEWER, Role.CLERK)
WRONG = "用户名或密码不正确。"


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    roles: frozenset[Role]
    active: bool

    @property
    def role(self) -> Role:
        """The highest of the user's roles (管理员 > 审核员 > 录入员), shown as theirs."""
        return next(r for r in ROLE_ORDER if r in self.roles)

    @property
    def roles_text(self) -> str:
        return roles_text(self.roles)

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)


@dataclass(frozen=True)
class NewAccount:
    """A user just made, with the recovery code to show once (administrators only)."""

    user: User
    recovery_code: str | None


@dataclass(frozen=True)
class Recovery:
    """An administrator's password reset with a recovery code, not yet acknowledged."""

    id: int
    username: str
    recovered_at: str
    recovered_by: str


# -- roles -------------------------------------------------------------------------------


def roles_text(roles: Iterable[Role]) -> str:
    chosen = set(roles)
    return ",".join(r.value for r in ROLE_ORDER if r in chosen)


def as_roles(roles: Role | Iterable[Role]) -> frozenset[Role]:
    found = frozenset([roles] if isinstance(roles, Role) else roles)
    if not found:
        raise SafeCreditError("请至少选择一个角色（管理员、审核员、录入员）。")
    return found


def parse_roles(text: str) -> frozenset[Role]:
    """``审核员`` or ``管理员,审核员`` (commas, 、 or spaces) → the set; unknown names refused."""
    names = [part for part in re.split(r"[,，、\s]+", text.strip()) if part]
    allowed = "、".join(r.value for r in ROLE_ORDER)
    found: set[Role] = set()
    for name in names:
        try:
            found.add(Role(name))
        except ValueError:
            raise SafeCreditError(f"没有“{name}”这个角色，角色应为{allowed}。") from None
    return as_roles(found)


def _stored_roles(text: str) -> frozenset[Role]:
    return frozenset(Role(part) for part in text.split(",") if part)


# -- reading -----------------------------------------------------------------------------


def _roles_column(conn: sqlite3.Connection) -> str:
    """``roles`` (schema 7 on), or ``role`` in an older database (a backup being checked)."""
    columns = set(dialect.column_names(conn, "users"))
    return "roles" if "roles" in columns else "role"


def _user(row: Any) -> User:
    return User(int(row[0]), str(row[1]), str(row[2]), _stored_roles(str(row[3])), bool(row[4]))


def list_users(db: Database) -> list[User]:
    return list_users_in(db.conn)


def list_users_in(conn: sqlite3.Connection) -> list[User]:
    column = _roles_column(conn)
    rows = conn.execute(
        f"SELECT id, username, display_name, {column}, active FROM users ORDER BY username"
    )
    return [_user(r) for r in rows]


def county_of(conn: sqlite3.Connection, username: str) -> str:
    """The county an account works for on a city server ('' for the whole register, and
    in a database from before accounts had counties)."""
    if "county" not in dialect.column_names(conn, "users"):
        return ""
    row = conn.execute("SELECT county FROM users WHERE username = ?", (username,)).fetchone()
    return "" if row is None else str(row[0])


def set_county(db: Database, actor: str, username: str, county: str) -> None:
    """Make ``username`` a county's user (it then sees and changes only that county's
    units on a city server), or the whole register's (blank); audited."""
    county = county.strip()
    with db.transaction() as conn:
        _require_user(conn, username)
        before = county_of(conn, username)
        if before == county:
            return
        if db.county and county != db.county:
            raise SafeCreditError(f"县级用户只能把账户设为本县（{db.county}）的账户。")
        conn.execute("UPDATE users SET county = ? WHERE username = ?", (county, username))
        audit.append(
            conn,
            actor,
            [
                audit.AuditEntry(
                    "update",
                    "users",
                    username,
                    {"username": username, "county": before},
                    {"username": username, "county": county},
                )
            ],
        )


def find_user(db: Database, username: str) -> User | None:
    return next((u for u in list_users(db) if u.username == username), None)


def active_admins(conn: sqlite3.Connection) -> list[str]:
    return [u.username for u in list_users_in(conn) if u.active and u.has_role(Role.ADMIN)]


def _require_user(conn: sqlite3.Connection, username: str) -> User:
    found = next((u for u in list_users_in(conn) if u.username == username), None)
    if found is None:
        raise SafeCreditError(f"没有名为“{username}”的用户。")
    return found


# -- writing -----------------------------------------------------------------------------


def password_fingerprint(password_hash: str) -> str:
    """What the audit keeps of a password: the SHA-256 of its stored scrypt hash, so a
    hash replaced behind the program's back can be noticed, nothing more."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()


def check_new_password(password: str) -> None:
    if len(password) < auth.MIN_PASSWORD_LENGTH:
        raise SafeCreditError(f"密码至少需要 {auth.MIN_PASSWORD_LENGTH} 个字符。")


def clean_username(username: str) -> str:
    try:
        name = single_line_text(username, field="用户名")
    except ValidationError as exc:
        raise SafeCreditError(exc.message) from None
    if not name:
        raise SafeCreditError("用户名不能为空。")
    return name


def add_user(
    db: Database,
    actor: str,
    username: str,
    password: str,
    roles: Role | Iterable[Role],
    display_name: str = "",
) -> NewAccount:
    """A new active user; an administrator gets a recovery code (returned, stored hashed)."""
    username = clean_username(username)
    try:
        display_name = single_line_text(display_name, field="姓名")
    except ValidationError as exc:
        raise SafeCreditError(exc.message) from None
    chosen = as_roles(roles)
    check_new_password(password)
    code = auth.new_recovery_code() if Role.ADMIN in chosen else None
    hashes = (auth.hash_password(password), auth.hash_recovery_code(code) if code else None)
    with db.transaction() as conn:
        if conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
            raise SafeCreditError(f"用户“{username}”已存在。")
        cursor = conn.execute(
            "INSERT INTO users (username, display_name, roles, password_hash, created_at,"
            " recovery_hash) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (
                username,
                display_name,
                roles_text(chosen),
                hashes[0],
                now_iso(),
                hashes[1],
            ),
        )
        new_id = int(cursor.fetchone()[0])
        after = {
            "username": username,
            "display_name": display_name,
            "roles": roles_text(chosen),
            "password_sha256": password_fingerprint(hashes[0]),
        }
        if code:
            after["恢复码"] = "已生成"
        audit.append(conn, actor, [audit.AuditEntry("insert", "users", username, None, after)])
    return NewAccount(User(new_id, username, display_name, chosen, True), code)


def reset_password(db: Database, actor: str, username: str, password: str) -> None:
    """A new password set by an administrator; clears the lock-out."""
    check_new_password(password)
    _require_user(db.conn, username)
    hashed = auth.hash_password(password)
    with db.transaction() as conn:
        _require_user(conn, username)
        conn.execute(
            "UPDATE users SET password_hash = ?, failed_attempts = 0, locked_until = NULL"
            " WHERE username = ?",
            (hashed, username),
        )
        detail = {
            "username": username,
            "password": "已重设",
            "password_sha256": password_fingerprint(hashed),
        }
        audit.append(conn, actor, [audit.AuditEntry("update", "users", username, None, detail)])


def _keep_an_admin(conn: sqlite3.Connection, username: str, what: str) -> None:
    if active_admins(conn) == [username]:
        raise SafeCreditError(
            f"“{username}”是唯一在用的管理员，不能{what}。请先让另一位用户成为管理员。"
        )


def set_roles(db: Database, actor: str, username: str, roles: Role | Iterable[Role]) -> str | None:
    """Give ``username`` exactly ``roles``; the last active administrator keeps 管理员.
    Returns a new recovery code when the user becomes an administrator without one."""
    chosen = as_roles(roles)

    def stored_code(conn: sqlite3.Connection) -> str | None:
        row = conn.execute("SELECT recovery_hash FROM users WHERE username = ?", (username,))
        return next((str(r[0]) for r in row if r[0]), None)

    _require_user(db.conn, username)
    code = None
    if Role.ADMIN in chosen and stored_code(db.conn) is None:
        code = auth.new_recovery_code()
        code_hash = auth.hash_recovery_code(code)
    with db.transaction() as conn:
        found = _require_user(conn, username)
        if found.roles == chosen:
            return None
        if Role.ADMIN in found.roles and Role.ADMIN not in chosen and found.active:
            _keep_an_admin(conn, username, "取消其管理员角色")
        if code is not None and stored_code(conn) is None:
            conn.execute(
                "UPDATE users SET recovery_hash = ? WHERE username = ?", (code_hash, username)
            )
        else:
            code = None
        conn.execute(
            "UPDATE users SET roles = ? WHERE username = ?", (roles_text(chosen), username)
        )
        before = {"username": username, "roles": found.roles_text}
        after: dict[str, str] = {"username": username, "roles": roles_text(chosen)}
        if code:
            after["恢复码"] = "已生成"
        audit.append(conn, actor, [audit.AuditEntry("update", "users", username, before, after)])
    return code


def set_active(db: Database, actor: str, username: str, active: bool) -> None:
    """Deactivate (cannot sign in) or reactivate; the last active administrator stays."""
    with db.transaction() as conn:
        found = _require_user(conn, username)
        if found.active == active:
            return
        if not active and found.has_role(Role.ADMIN):
            _keep_an_admin(conn, username, "停用")
        conn.execute(
            "UPDATE users SET active = ?, failed_attempts = 0, locked_until = NULL"
            " WHERE username = ?",
            (int(active), username),
        )
        state = {True: "在用", False: "停用"}
        before = {"username": username, "状态": state[found.active]}
        after = {"username": username, "状态": state[active]}
        audit.append(conn, actor, [audit.AuditEntry("update", "users", username, before, after)])


def set_display_name(db: Database, actor: str, username: str, display_name: str) -> None:
    """Change a user's 姓名 (shown in the status bar, on documents), audited."""
    name = single_line_text(display_name, field="姓名")
    with db.transaction() as conn:
        found = _require_user(conn, username)
        if found.display_name == name:
            return
        conn.execute("UPDATE users SET display_name = ? WHERE username = ?", (name, username))
        before = {"username": username, "display_name": found.display_name}
        after = {"username": username, "display_name": name}
        audit.append(conn, actor, [audit.AuditEntry("update", "users", username, before, after)])


# -- signing in --------------------------------------------------------------------------


@dataclass
class _Failures:
    count: int = 0
    locked_until: str | None = None


# Failures on read-only databases, by (database file, user name), for this process.
_IN_MEMORY: dict[tuple[str, str], _Failures] = {}


def forget_in_memory_failures() -> None:
    _IN_MEMORY.clear()


def _lock_message(locked_until: str) -> str:
    return f"密码错误次数过多，账户已暂时锁定，请于 {locked_until[11:16]} 后再试。"


def _is_locked(locked_until: str | None, now: datetime) -> bool:
    return bool(locked_until) and datetime.fromisoformat(str(locked_until)) > now


def _after_failure(failures: int, now: datetime) -> tuple[int, str | None]:
    """The failure count and lock after one more failure (the count restarts on a lock)."""
    failures += 1
    if failures >= auth.MAX_FAILURES:
        lock = (now + timedelta(seconds=auth.LOCKOUT_SECONDS)).isoformat(timespec="seconds")
        return 0, lock
    return failures, None


def _damaged_hash(username: str) -> SafeCreditError:
    return SafeCreditError(
        f"用户“{username}”的密码记录已损坏（不是本程序保存的格式），无法登录。"
        "请管理员为该用户重设密码。"
    )


def _matches(secret: str, stored: str | None, username: str, *, code: bool = False) -> bool:
    if not stored:
        return False
    try:
        if code:
            return auth.verify_recovery_code(secret, stored)
        return auth.verify_password(secret, stored)
    except auth.MalformedHashError:
        raise _damaged_hash(username) from None


_SIGN_IN_COLUMNS = "id, username, display_name, {roles}, active, password_hash"


def verify_read_only(
    conn: sqlite3.Connection, where: Path, username: str, password: str, *, now: datetime
) -> User:
    """Check a password without writing (a read-only database, or a backup about to be
    restored); failures are counted in memory."""
    key = (str(where.resolve()), username)
    memory = _IN_MEMORY.setdefault(key, _Failures())
    if _is_locked(memory.locked_until, now):
        raise SafeCreditError(_lock_message(str(memory.locked_until)))
    columns = _SIGN_IN_COLUMNS.format(roles=_roles_column(conn))
    row = conn.execute(f"SELECT {columns} FROM users WHERE username = ?", (username,)).fetchone()
    if row is None:
        raise SafeCreditError(WRONG)
    if not _matches(password, row[5], username):
        memory.count, memory.locked_until = _after_failure(memory.count, now)
        raise SafeCreditError(WRONG)
    _IN_MEMORY.pop(key, None)
    user = _user(row)
    if not user.active:
        raise _inactive(username)
    return user


def _inactive(username: str) -> SafeCreditError:
    return SafeCreditError(f"用户“{username}”已停用，不能登录。如需使用，请联系管理员。")


def _record_failure(conn: sqlite3.Connection, user_id: int, now: datetime) -> None:
    # Re-read inside the write transaction: another program may have counted meanwhile.
    current = conn.execute("SELECT failed_attempts FROM users WHERE id = ?", (user_id,)).fetchone()
    failures, lock = _after_failure(int(current[0]) if current else 0, now)
    conn.execute(
        "UPDATE users SET failed_attempts = ?, locked_until = ? WHERE id = ?",
        (failures, lock, user_id),
    )
    note_written(conn, Table.USERS)


def authenticate(
    db: Database, username: str, password: str, *, now: datetime | None = None
) -> User:
    """The user, or SafeCreditError; repeated failures lock the account for a while.
    A hash of a lower cost than today's is replaced after a successful sign-in.

    The slow scrypt runs outside the write transaction, so a sign-in never holds the
    database's write lock for the second it takes."""
    now = now or datetime.now()
    if db.read_only:
        return verify_read_only(db.conn, db.path, username, password, now=now)
    row = db.conn.execute(
        f"SELECT {_SIGN_IN_COLUMNS.format(roles='roles')}, locked_until"
        " FROM users WHERE username = ?",
        (username,),
    ).fetchone()
    if row is None:
        raise SafeCreditError(WRONG)
    if _is_locked(row[6], now):
        raise SafeCreditError(_lock_message(str(row[6])))
    ok = _matches(password, row[5], username)
    user = _user(row)
    rehashed = (
        auth.hash_password(password)
        if ok and user.active and auth.needs_rehash(str(row[5]))
        else None
    )
    with db.transaction() as conn:
        if not ok:
            _record_failure(conn, user.id, now)
        else:
            conn.execute(
                "UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ?",
                (user.id,),
            )
            if rehashed is not None:
                conn.execute(
                    "UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?",
                    (rehashed, user.id, row[5]),
                )
                detail = {
                    "username": username,
                    "密码存储": "已按当前强度重新计算",
                    "password_sha256": password_fingerprint(rehashed),
                }
                entry = audit.AuditEntry("update", "users", username, None, detail)
                audit.append(conn, username, [entry])
    # Raised after the transaction: the failure count must be committed.
    if not ok:
        raise SafeCreditError(WRONG)
    if not user.active:
        raise _inactive(username)
    return user


# -- recovery codes ----------------------------------------------------------------------


def recover(
    db: Database,
    actor: str,
    username: str,
    code: str,
    password: str,
    *,
    now: datetime | None = None,
) -> str:
    """Reset a forgotten administrator's password with their recovery code; returns the
    administrator's new recovery code (the used one no longer works). A wrong code
    counts towards the lock-out like a wrong password. The recovery is recorded in
    ``account_recoveries`` and announced on every opening until acknowledged."""
    now = now or datetime.now()
    check_new_password(password)
    refused = f"恢复码不正确，或“{username}”不是有恢复码的管理员。"
    row = db.conn.execute(
        "SELECT id, roles, active, recovery_hash, locked_until FROM users WHERE username = ?",
        (username,),
    ).fetchone()
    if row is None or Role.ADMIN not in _stored_roles(str(row[1])) or not row[3]:
        raise SafeCreditError(refused)
    if not row[2]:
        raise _inactive(username)
    if _is_locked(row[4], now):
        raise SafeCreditError(_lock_message(str(row[4])))
    if not _matches(code, row[3], username, code=True):
        with db.transaction() as conn:
            _record_failure(conn, int(row[0]), now)
        raise SafeCreditError(refused)
    fresh = auth.new_recovery_code()
    new_hashes = (auth.hash_password(password), auth.hash_recovery_code(fresh))
    with db.transaction() as conn:
        changed = conn.execute(
            "UPDATE users SET password_hash = ?, recovery_hash = ?, failed_attempts = 0,"
            " locked_until = NULL WHERE id = ? AND recovery_hash = ?",
            (*new_hashes, row[0], row[3]),
        ).rowcount
        if not changed:  # the code was used or replaced meanwhile
            raise SafeCreditError(refused)
        at = now.isoformat(timespec="seconds")
        cursor = conn.execute(
            "INSERT INTO account_recoveries (username, recovered_at, recovered_by)"
            " VALUES (?, ?, ?) RETURNING id",
            (username, at, actor),
        )
        recovery_id = int(cursor.fetchone()[0])
        detail = {
            "username": username,
            "password": "已用恢复码重设",
            "恢复码": "已更换",
            "password_sha256": password_fingerprint(new_hashes[0]),
        }
        record = {"username": username, "recovered_at": at, "recovered_by": actor}
        key = f"account_recoveries#{recovery_id}"  # as the workflow tables' entries
        audit.append(
            conn,
            actor,
            [
                audit.AuditEntry("update", "users", username, None, detail),
                audit.AuditEntry("insert", "account_recoveries", key, None, record),
            ],
        )
    return fresh


def pending_recoveries(conn: sqlite3.Connection) -> list[Recovery]:
    if not dialect.has_table(
        conn, "account_recoveries"
    ):  # an older database opened read-only (not upgraded)
        return []
    rows = conn.execute(
        "SELECT id, username, recovered_at, recovered_by FROM account_recoveries"
        " WHERE acknowledged_at IS NULL ORDER BY id"
    )
    return [Recovery(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]


def acknowledge_recoveries(db: Database, actor: str) -> int:
    """Mark every pending recovery acknowledged by ``actor`` (an administrator, checked
    by the caller). While another administrator is active, the one whose password was
    recovered cannot acknowledge their own recovery: the notice is for the others."""
    with db.transaction() as conn:
        pending = pending_recoveries(conn)
        admins = active_admins(conn)
        own = [r for r in pending if r.username == actor]
        if own and any(a != actor for a in admins):
            others = "、".join(a for a in admins if a != actor)
            raise SafeCreditError(
                f"“{actor}”的密码是用恢复码重设的，须由另一位管理员（{others}）确认知悉。"
            )
        at = now_iso()
        entries = []
        for found in pending:
            conn.execute(
                "UPDATE account_recoveries SET acknowledged_at = ?, acknowledged_by = ?"
                " WHERE id = ?",
                (at, actor, found.id),
            )
            before = {
                "username": found.username,
                "recovered_at": found.recovered_at,
                "recovered_by": found.recovered_by,
                "acknowledged_at": None,
                "acknowledged_by": None,
            }
            after = {**before, "acknowledged_at": at, "acknowledged_by": actor}
            key = f"account_recoveries#{found.id}"
            entries.append(audit.AuditEntry("update", "account_recoveries", key, before, after))
        if entries:
            audit.append(conn, actor, entries)
    return len(pending)
