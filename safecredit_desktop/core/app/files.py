"""Path-level jobs: create, open, sign in, check, back up, restore, fill with demo data
(and the sentences for failures). Everything else is a part of the Session."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safecredit_desktop.core import grade_cache as _grade_cache
from safecredit_desktop.core.app.session import Session
from safecredit_desktop.core.app.values import (
    _EXTRA_TABLE_LABELS,
    FIRST_ADMIN_ROLES,
    OPEN_WARNING_HOOKS,
    RECOVERY_ACKNOWLEDGE,
    CheckReport,
    CopyReport,
    DemoResult,
)
from safecredit_desktop.core.errors import SafeCreditError, StorageError
from safecredit_desktop.core.exchange.columns import SHEET_BY_TABLE
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.paths import backups_dir_for
from safecredit_desktop.core.rules.profile import (
    BUILTIN_PROFILES,
    Profile,
    load_profile,
)
from safecredit_desktop.core.scheduling import holiday_notice as _notice
from safecredit_desktop.core.storage import anchor as _anchor
from safecredit_desktop.core.storage import assessments, audit, backup, migrations, rotation
from safecredit_desktop.core.storage import audited_tables as _audited_tables
from safecredit_desktop.core.storage import dialect as _dialect
from safecredit_desktop.core.storage import plans as _plan_store
from safecredit_desktop.core.storage import settings as keys
from safecredit_desktop.core.storage import users as user_store
from safecredit_desktop.core.storage import verification as _verification
from safecredit_desktop.core.storage.clock import now_iso
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.location import Location, ServerLocation, local_path
from safecredit_desktop.core.storage.repository import Repository
from safecredit_desktop.core.storage.settings import get_setting, set_setting
from safecredit_desktop.core.storage.tables import SPEC_BY_NAME, TABLES

if TYPE_CHECKING:
    pass

# What storage may not import, handed down before this module opens any register: the
# grade cache's before-commit hook (every write regrades the units it touched) and the
# record fields' names for the audit's sentences (the workbook's column headers).
_grade_cache.install()
_audited_tables.name_record_fields(
    {t: [(c.attr, c.header) for c in sheet.columns] for t, sheet in SHEET_BY_TABLE.items()}
)


def init_database(
    path: Location,
    *,
    profile: str,
    bureau_name: str,
    user: str,
    admin: tuple[str, str] | None = None,
    upper_email: str = "",
) -> Session:
    """Create a database for a profile; refuses an existing file. ``admin`` = (name, password);
    the administrator's recovery code is in the session's ``recovery_code``."""
    from safecredit_desktop.core.validate import single_line_text

    bureau_name = single_line_text(bureau_name, field="单位名称")
    upper_email = single_line_text(upper_email, field="上级单位邮箱")
    if not bureau_name:
        raise SafeCreditError("请填写单位名称（如：凤凰县应急管理局）。")
    upper_email = keys.check_email(upper_email)
    if admin is not None:
        admin = (user_store.clean_username(admin[0]), admin[1])
        user_store.check_new_password(admin[1])
    loaded = load_profile(profile)
    code = None
    db = Database.create(path)
    try:
        values = {
            keys.BUREAU_NAME: bureau_name,
            keys.PROFILE_NAME: loaded.name,
            keys.PROFILE_TEXT: loaded.text,
            keys.UPPER_EMAIL: upper_email,
            keys.CREATED_AT: now_iso(),
        }
        with db.transaction():
            for key, value in values.items():
                set_setting(db, user, key, value)
            if admin is not None:
                made = user_store.add_user(db, user, admin[0], admin[1], FIRST_ADMIN_ROLES)
                code = made.recovery_code
        (Session(db, user, _profile=loaded)).grading.settle_live()  # none yet: filled as of today
    except BaseException:
        db.close()
        if isinstance(path, Path):
            path.unlink(missing_ok=True)
        raise
    session = Session(db, user, Role.ADMIN if admin else Role.CLERK, loaded, recovery_code=code)
    if admin is not None:
        session.extra_roles = FIRST_ADMIN_ROLES - {Role.ADMIN}
    return session


def open_warnings(db: Database) -> list[str]:
    """What the user must know on opening: read-only (network folder), whether the audit
    entries written since the last opening still hold together and match the rows they
    touched, whether the log continues the head recorded outside the file, the row
    counts, and the triggers (storage/verification.py)."""
    found = [db.warning] if db.warning else []
    found += _verification.opening(db)
    found.extend(
        recovery_notice(r) + RECOVERY_ACKNOWLEDGE for r in user_store.pending_recoveries(db.conn)
    )
    for warning in found:
        for hook in OPEN_WARNING_HOOKS:
            hook(warning)
    return found


def open_session(path: Location, *, user: str, role: Role = Role.CLERK) -> Session:
    db = Database.open(path)
    if not get_setting(db, keys.PROFILE_TEXT):
        db.close()
        raise StorageError(f"{path} 尚未完成初始化（没有信用规则），请用 safecredit init 新建。")
    try:
        warnings = open_warnings(db)
    except BaseException:
        db.close()
        raise
    return Session(db, user, role, warnings=warnings)


def sign_in(path: Location, username: str, password: str) -> Session:
    """A session of a registered, active user whose password is right (lock-out after
    five failures; counted in memory on a read-only database)."""
    db = Database.open(path)
    try:
        found = user_store.authenticate(db, username, password)
        db.confine(user_store.county_of(db.conn, found.username))  # a city server's county
        warnings = open_warnings(db)
    except BaseException:
        db.close()
        raise
    session = _session_of(db, found, warnings)
    if not db.read_only:
        session.repo.log_event("users", found.username, {"登录": now_iso()})
    return session


def _session_of(db: Database, user: user_store.User, warnings: list[str]) -> Session:
    return Session(
        db, user.username, user.role, warnings=warnings, extra_roles=user.roles - {user.role}
    )


def has_admin(db: Database) -> bool:
    return bool(user_store.active_admins(db.conn))


def recovery_notice(recovery: user_store.Recovery) -> str:
    """The sentence announcing an account recovery until an administrator acknowledges it."""
    return (
        f"管理员“{recovery.username}”的密码已于 {recovery.recovered_at.replace('T', ' ')} "
        f"用恢复码重设（操作者：{recovery.recovered_by}）。如非本人所为，请立即检查用户和审计日志。"
    )


def check_database(path: Location) -> CheckReport:
    """integrity_check, foreign_key_check, and the audit (storage/verification.py): the
    chain, every row against it, the head recorded outside the file, the structure and
    the stored documents. Writes nothing to the database."""
    db = Database.open(path, upgrade=False)
    try:
        conn = db.conn
        problems: list[str] = []
        version = migrations.schema_version(conn)
        if version < migrations.latest_version():
            problems.append(f"数据结构版本 {version} 较旧，打开时将自动升级（升级前会先备份）。")
        problems.extend(_dialect.integrity_problems(conn))
        verdict = _verification.full(db)
        problems += verdict.problems
        if version >= 2:
            for year in assessments.confirmed_years(db):
                if not assessments.verify(db, year):
                    problems.append(f"{year}年度评定的存储结果与确认时记录的不一致，已被改动。")
        problems.extend(_plan_store.problems(conn))  # adopted plans unchanged
        problems.extend(_grade_cache.problems(db))  # stored live grades as graded
        counts = {
            spec.label: int(conn.execute(f"SELECT count(*) FROM {spec.name}").fetchone()[0])
            for spec in TABLES
        }
        entries = verdict.entries
    finally:
        db.close()
    return CheckReport(problems, counts, entries, version, verdict.notes)


def backup_now(path: Location, *, to: Path | None = None, user: str) -> Path:
    """Copy the database while it may be in use; the copy is verified, then the act audited.
    A server register's copy is a SQLite file of the whole register."""
    if isinstance(path, Path) and not path.exists():
        raise StorageError(f"数据库文件不存在：{path}")
    if isinstance(path, ServerLocation):  # a city server: a county's user backs up nothing
        with Database.open(path, upgrade=False) as db:
            db.confine(user_store.county_of(db.conn, user))
            db.require_whole_register("备份")
    copy = backup.backup_database(path, reason="manual", to=to)
    with Database.open(path) as db:
        Repository(db, user).log_event("backup", str(copy), {"备份到": str(copy)})
    return copy


def latest_backup_time(path: Location) -> str | None:
    found = backup.latest_backup(local_path(path))
    if found is None:
        return None
    return datetime.fromtimestamp(found.stat().st_mtime).isoformat(sep=" ", timespec="minutes")


def restore_from(path: Location, candidate: Path, *, user: str) -> Path:
    """Replace the database with ``candidate`` after checking it; returns the safety copy.

    The current database is backed up first, so a restore can itself be undone.
    """
    backup.inspect_candidate(candidate, latest_version=migrations.latest_version())
    if isinstance(path, Path) and candidate.resolve() == path.resolve():
        raise StorageError("不能用数据库自身恢复自身，请选择一个备份文件。")
    exists = not isinstance(path, Path) or path.exists()
    try:
        safety = backup.backup_database(path, reason="before-restore") if exists else None
    except StorageError:  # the current file is damaged: keep it aside as it is
        if not isinstance(path, Path):
            raise  # a server register that cannot be copied is not replaced
        safety = backup.set_aside_damaged(path)
    backup.restore_into(candidate, path)
    with Database.open(path) as db:
        # The restored log is the one to compare with from now on, whatever head was
        # recorded for the replaced file; the restore's own entry then extends it.
        restored = _anchor.reset(db.path, db.conn).head
        detail = {
            "恢复自": str(candidate),
            "恢复前备份": str(safety) if safety else "",
            "恢复的审计日志": _anchor.describe(restored),
        }
        Repository(db, user).log_event("restore", str(candidate), detail)
    return safety or local_path(path)


def copy_register(
    source: Location, target: Location, *, progress: Callable[[str, int], None] | None = None
) -> CopyReport:
    """Copy a whole register between engines or files (cli.md ``copy``): the audit chain,
    users, lists, draws and the document register included; a target that already holds
    a register is refused; ``check`` runs on both ends afterwards."""
    from safecredit_desktop.core.storage import copying

    counts = copying.copy_register(source, target, progress=progress)
    return CopyReport(counts, check_database(source), check_database(target))


def probe_location(location: Location) -> None:
    """Connect to a server register once (PasswordNeededError when a password is wanted);
    nothing for a file."""
    if isinstance(location, Path):
        return
    Database._connect_server(location).close()


def server_register_is_new(location: Location) -> bool:
    """A server database without the program's tables yet (an administrator made it
    empty, README): the window offers to set up a register there. False for a file."""
    if isinstance(location, Path):
        return False
    return Database.server_is_empty(location)


def table_label(table: str) -> str:
    """The Chinese name of a table (企业信息, 执法检查 …) for a count shown to people."""
    spec = SPEC_BY_NAME.get(table)
    return spec.label if spec is not None else _EXTRA_TABLE_LABELS.get(table, table)


def fill_demo(
    session: Session,
    *,
    enterprises: int,
    seed: int,
    today: date | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> DemoResult:
    if enterprises < 1:
        raise SafeCreditError("企业数量至少为 1。")
    from safecredit_desktop.core.demo import (
        generate_demo,
    )  # a fixture generator: only `demo` loads it

    summary = generate_demo(
        session.db,
        session.repo,
        session.profile,
        enterprises=enterprises,
        seed=seed,
        today=today or date.today(),
        progress=progress,
    )
    with session.db.transaction() as conn:  # the entries just written are the trusted ones
        audit.verify_since_checkpoint(conn, move=True)
    return DemoResult(dict(summary.counts))


def check_restore_candidate(candidate: Path) -> int:
    return backup.inspect_candidate(candidate, latest_version=migrations.latest_version())


def database_has_admin(path: Location) -> bool:
    with Database.open(path) as db:
        return has_admin(db)


def users_of(path: Location) -> list[user_store.User]:
    with Database.open(path) as db:
        return user_store.list_users(db)


def _restore_judge(path: Location, candidate: Path) -> tuple[Location, bool]:
    """Whose users decide a restore of ``candidate`` over ``path`` — ``path`` itself, or,
    when it is damaged or missing, the backup's own users — and whether that database
    has an active administrator."""
    from safecredit_desktop.core.errors import DamagedDatabaseError

    try:
        with Database.open(path) as db:
            return path, has_admin(db)
    except DamagedDatabaseError:
        pass
    except StorageError:
        if not isinstance(path, Path) or path.exists():
            raise
    with backup.open_read_only(candidate) as conn:
        return candidate, bool(user_store.active_admins(conn))


def restore_needs_admin(path: Location, candidate: Path) -> bool:
    """Whether restoring ``candidate`` over ``path`` needs an administrator's password
    (none while the deciding database has no administrator: whoever holds the file)."""
    return _restore_judge(path, candidate)[1]


def verify_restore_user(path: Location, candidate: Path, username: str, password: str) -> str:
    """Check the password of the user restoring (an administrator when one is needed);
    returns the name. Against a backup nothing is written: failures count in memory."""
    where, needs_admin = _restore_judge(path, candidate)
    if where == path:
        session = sign_in(path, username, password)
        try:
            if needs_admin:
                session.require(Role.ADMIN)
        finally:
            session.close()
        return session.user
    with backup.open_read_only(candidate) as conn:
        found = user_store.verify_read_only(conn, candidate, username, password, now=datetime.now())
    if needs_admin and not found.has_role(Role.ADMIN):
        raise SafeCreditError(
            f"数据库已损坏，恢复需要备份中的管理员的密码；用户“{username}”在备份中不是管理员。"
        )
    return found.username


def write_private_file(path: Path, data: bytes) -> Path:
    """Write a PDF or other output whole or not at all, readable by the owner only."""
    from safecredit_desktop.core.storage.safety import write_private_file as write

    return write(path, data)


def record_type(table: str) -> type[Any]:
    """The dataclass of a record kind, by table name (units, inspections, accidents …)."""
    return SPEC_BY_NAME[table].record


def automatic_backup(
    path: Location, *, force: bool = False, now: datetime | None = None
) -> Path | None:
    """The daily / on-close backup, then thinning. Returns the copy, or None if not due.

    Without ``force`` a backup is made only when the newest one is a day old or more.
    """
    now = now or datetime.now()
    folder = backups_dir_for(local_path(path))
    newest = next(iter(rotation.list_backups(folder)), None)
    if not force and newest is not None and (now - newest.taken).total_seconds() < 86_400:
        return None
    copy = backup.backup_database(path, reason="auto")
    rotation.thin(folder, now)
    return copy


def backups_of(path: Location) -> list[Any]:
    """Backups beside the database, newest first (rotation.BackupFile)."""
    return list(rotation.list_backups(backups_dir_for(local_path(path))))


def restore_backup(session: Session, candidate: Path) -> Path:
    """The window's restore: administrator only; returns the safety copy of the current data."""
    session.require(Role.ADMIN)
    check_restore_candidate(candidate)
    return restore_from(session.db.location, candidate, user=session.user)


def recover_admin(path: Location, username: str, code: str, password: str, *, actor: str) -> str:
    """Reset a forgotten administrator's password with the recovery code; returns the
    new recovery code. Audited, and announced on every opening until acknowledged."""
    with Database.open(path) as db:
        return user_store.recover(db, actor, username, code, password)


def database_needs_admin(path: Location) -> bool:
    """True for a database made by ``safecredit init`` without an administrator."""
    return not database_has_admin(path)


def create_first_admin(path: Location, username: str, password: str) -> Session:
    """The window's way into a database that has no administrator yet; the signed-in
    session carries the administrator's recovery code, to be shown once."""
    with Database.open(path) as db:
        if has_admin(db):
            raise SafeCreditError("此数据库已有管理员，请直接登录。")
        made = user_store.add_user(db, f"窗口:{username}", username, password, FIRST_ADMIN_ROLES)
    session = sign_in(path, made.user.username, password)
    session.recovery_code = made.recovery_code
    return session


def builtin_profiles() -> list[Profile]:
    """The three built-in profiles, for the first-run dialog's choice."""
    return [load_profile(name) for name in BUILTIN_PROFILES]


def assessment_date(year: int) -> date:
    """T of the annual assessment for ``year``: 31 December of the year before (grading.md)."""
    return date(year - 1, 12, 31)


def read_holiday_notice(text: str, year: int | None = None) -> _notice.HolidayNotice:
    """The days the State Council's holiday notice arranges (nothing stored)."""
    return _notice.parse_notice(text, year)


def _today(today: date | None) -> date:
    return today or date.today()


def damaged_message(path: Location, detail: str) -> str:
    """The damaged-database sentence naming the newest good backup of ``path``."""
    return Database._damaged(local_path(path), detail).message


def failure_message(error: BaseException) -> str | None:
    """A Chinese sentence for a failure below the program's own checks (SQLite or the
    operating system): a full disk, a locked or damaged database, a file not allowed.
    None when the error is not one of these."""
    import errno
    import sqlite3

    from safecredit_desktop.core.storage import safety

    if isinstance(error, sqlite3.Error):
        return safety.sqlite_failure(error) or f"数据库操作失败（{error}），本次更改没有保存。"
    if isinstance(error, OSError):
        if error.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            return "磁盘空间不足或文件超过了允许的大小，文件没有写完，已写入的内容作废。"
        if error.errno in (errno.EACCES, errno.EPERM):
            return f"没有权限访问文件：{error.filename or error}。"
        return f"文件操作失败：{error.strerror or error}（{error.filename or ''}）。"
    return None
