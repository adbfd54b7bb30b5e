"""The use-cases. The window and the CLI call only these; they hold no logic themselves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from safecredit_desktop.core import forms, registry
from safecredit_desktop.core import grade_cache as _grade_cache
from safecredit_desktop.core import timeline as _timeline
from safecredit_desktop.core.errors import SafeCreditError, StorageError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.paths import backups_dir_for
from safecredit_desktop.core.rules.profile import (
    BUILTIN_PROFILES,
    Profile,
    load_profile,
    parse_profile,
)
from safecredit_desktop.core.storage import anchor as _anchor
from safecredit_desktop.core.storage import assessments, audit, backup, migrations, rotation
from safecredit_desktop.core.storage import dialect as _dialect
from safecredit_desktop.core.storage import settings as keys
from safecredit_desktop.core.storage import users as user_store
from safecredit_desktop.core.storage import verification as _verification
from safecredit_desktop.core.storage.changes import Changes
from safecredit_desktop.core.storage.clock import now_iso
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.location import Location, local_path
from safecredit_desktop.core.storage.repository import Repository
from safecredit_desktop.core.storage.settings import get_setting, set_setting
from safecredit_desktop.core.storage.tables import SPEC_BY_NAME, SPEC_BY_RECORD, TABLES


@dataclass(frozen=True)
class UndoStep:
    """How to take back the last save: the record as it was (None: it was new)."""

    record_type: type[Any]
    record_id: int
    before: Any | None
    description: str


@dataclass
class Session:
    """An open database and who is acting on it."""

    db: Database
    user: str
    role: Role = Role.CLERK  # the highest of the user's roles (管理员 > 审核员 > 录入员)
    _profile: Profile | None = field(default=None, repr=False)
    last_save: UndoStep | None = field(default=None, repr=False)
    warnings: list[str] = field(default_factory=list)  # shown when the database opens
    extra_roles: frozenset[Role] = frozenset()  # the user's other roles
    # The recovery code of the administrator this session just created (init, first
    # administrator): shown once, then forgotten; only its hash is stored.
    recovery_code: str | None = field(default=None, repr=False)
    # (table, id) → the record's newest audit entry when it was opened for editing
    # (get_record): save_record refuses an edit another seat has overtaken.
    opened_versions: dict[tuple[str, int], int] = field(default_factory=dict, repr=False)

    @property
    def roles(self) -> frozenset[Role]:
        return self.extra_roles | {self.role}

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    # a worker's second connection (reopen): closing it leaves the audit checkpoint
    # to the session that opened the database
    moves_checkpoint: bool = field(default=True, repr=False)

    @property
    def repo(self) -> Repository:
        return Repository(self.db, self.user)

    @property
    def profile(self) -> Profile:
        if self._profile is None:
            text = get_setting(self.db, keys.PROFILE_TEXT)
            name = get_setting(self.db, keys.PROFILE_NAME)
            self._profile = parse_profile(text, source=f"数据库中保存的信用规则（{name}）")
        return self._profile

    @property
    def bureau_name(self) -> str:
        return get_setting(self.db, keys.BUREAU_NAME)

    def close(self) -> None:
        """Close; first move the audit checkpoint past this session's own entries, so
        the next opening verifies only what others wrote since."""
        import sqlite3

        if not self.db.read_only and self.moves_checkpoint:
            try:
                with self.db.transaction() as conn:
                    if audit.verify_since_checkpoint(conn, move=True) is not None:
                        self.db.keep_anchor = True  # a broken log is not recorded as seen
            except (sqlite3.Error, StorageError):
                pass  # a busy or broken database: the next opening verifies more
        self.db.close()


# -- creating and opening ----------------------------------------------------------------

# The first administrator of a database (init --admin, the first-run dialog, the first
# administrator of a database made without one) also reviews: a small office has one
# person who must be able to confirm the annual assessment (审核员). Either role can be
# taken away later (users set-role, 设置 → 用户).
FIRST_ADMIN_ROLES = frozenset({Role.ADMIN, Role.REVIEWER})


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
        settle_live_grades(Session(db, user, _profile=loaded))  # none yet: filled as of today
    except BaseException:
        db.close()
        if isinstance(path, Path):
            path.unlink(missing_ok=True)
        raise
    session = Session(db, user, Role.ADMIN if admin else Role.CLERK, loaded, recovery_code=code)
    if admin is not None:
        session.extra_roles = FIRST_ADMIN_ROLES - {Role.ADMIN}
    return session


# Called with each warning when a database opens (the CLI prints them on stderr).
OPEN_WARNING_HOOKS: list[Callable[[str], None]] = []


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


def reopen(session: Session) -> Session:
    """The same database, user and role on a new connection, for a worker thread (call
    it in that thread; the worker closes it). The two connections' transactions are
    separate: what the window saves while a job runs is not the job's to roll back."""
    db = Database.open(session.db.location, upgrade=False)
    return Session(
        db,
        session.user,
        session.role,
        session._profile,
        moves_checkpoint=False,
        extra_roles=session.extra_roles,
    )


def take_changes(session: Session) -> Changes:
    """What the session's committed writes touched since last asked (and forget it)."""
    return session.db.take_changes()


def absorb_changes(session: Session, changes: Changes) -> None:
    """Count a worker's committed writes as the session's own, for its next
    ``take_changes``."""
    session.db.absorb_changes(changes)


def require_role(session: Session, *roles: Role) -> None:
    """Refuse unless the session's user has one of ``roles``."""
    if not session.has_role(*roles):
        names = "或".join(r.value for r in roles)
        raise SafeCreditError(f"此操作需要{names}权限，当前用户“{session.user}”没有该权限。")


def has_admin(db: Database) -> bool:
    return bool(user_store.active_admins(db.conn))


def recovery_notice(recovery: user_store.Recovery) -> str:
    """The sentence announcing an account recovery until an administrator acknowledges it."""
    return (
        f"管理员“{recovery.username}”的密码已于 {recovery.recovered_at.replace('T', ' ')} "
        f"用恢复码重设（操作者：{recovery.recovered_by}）。如非本人所为，请立即检查用户和审计日志。"
    )


RECOVERY_ACKNOWLEDGE = (
    "管理员确认知悉后不再提示（窗口：提示栏的“确认知悉”；命令行：safecredit --user 管理员名"
    " users recover --acknowledge）。"
)


# -- check, backup, restore ---------------------------------------------------------------


@dataclass(frozen=True)
class CheckReport:
    problems: list[str]
    counts: dict[str, int]
    audit_entries: int
    schema_version: int
    notes: list[str] = field(default_factory=list)  # said once, not a failure

    @property
    def ok(self) -> bool:
        return not self.problems


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


@dataclass(frozen=True)
class CopyReport:
    counts: dict[str, int]  # rows per table copied
    source: CheckReport
    target: CheckReport


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


# -- demo data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoResult:
    counts: dict[str, int]  # by table name


_EXTRA_TABLE_LABELS = {"inspector_conflicts": "执法人员回避关系"}


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


# -- units ---------------------------------------------------------------------------------


def count_units(session: Session) -> int:
    return int(session.db.conn.execute("SELECT count(*) FROM units").fetchone()[0])


# -- users and restore helpers used by the CLI ----------------------------------------------


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
                require_role(session, Role.ADMIN)
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


# -- records: save, delete, undo --------------------------------------------------------------


def record_type(table: str) -> type[Any]:
    """The dataclass of a record kind, by table name (units, inspections, accidents …)."""
    return SPEC_BY_NAME[table].record


def get_record(session: Session, table: str, record_id: int) -> Any:
    """A stored record, opened for editing: an edit saved later is refused if another
    seat changed the record in between (save_record)."""
    repo = session.repo
    record = repo.get(record_type(table), record_id)
    session.opened_versions[(table, record_id)] = repo.version(record_type(table), record_id)
    return record


def save_record(session: Session, record: Any) -> int:
    """Insert a new record or store an edited one; the save can be undone once."""
    spec = SPEC_BY_RECORD[type(record)]
    if isinstance(record, _model.Repair) and record.accident_id is not None:
        raise SafeCreditError(_repairs.ACCIDENT_REFUSED)  # grading.md Revision 2 item 1
    repo = session.repo
    if record.id is None:
        record_id = repo.insert(record)
        step = UndoStep(type(record), record_id, None, f"撤销新增{spec.label}记录")
    else:
        before = repo.get(type(record), record.id)
        opened = (spec.name, int(record.id))
        if not repo.update(record, seen=session.opened_versions.get(opened)):
            return int(record.id)
        record_id = int(record.id)
        if opened in session.opened_versions:  # a second save of the same form goes on
            session.opened_versions[opened] = repo.version(type(record), record_id)
        step = UndoStep(type(record), record_id, before, f"撤销对{spec.label}记录的修改")
    session.last_save = step
    return record_id


def delete_record(session: Session, table: str, record_id: int) -> None:
    """Delete a record (audited, remembered so an import won't bring it back)."""
    session.repo.delete(record_type(table), record_id)
    session.last_save = None


def undo_last_save(session: Session) -> str:
    """Take back the last save; returns what was undone, as a sentence."""
    step = session.last_save
    if step is None:
        raise SafeCreditError("没有可以撤销的保存。")
    repo = session.repo
    with session.db.transaction():
        if step.before is None:
            repo.delete(step.record_type, step.record_id, remember=False)
        else:
            repo.update(replace(step.before))
    session.last_save = None
    return step.description


# -- automatic backups and the window's 备份与恢复 / 用户 pages -----------------------------


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
    require_role(session, Role.ADMIN)
    check_restore_candidate(candidate)
    return restore_from(session.db.location, candidate, user=session.user)


def session_users(session: Session) -> list[user_store.User]:
    return user_store.list_users(session.db)


def _require_user_manager(session: Session) -> None:
    """Managing users needs an administrator once the database has one; before that,
    anyone holding the file may (so that the first administrator can be made)."""
    if has_admin(session.db):
        require_role(session, Role.ADMIN)


def create_user(
    session: Session,
    username: str,
    password: str,
    roles: Role | frozenset[Role] | set[Role],
    display_name: str = "",
) -> user_store.NewAccount:
    """Add a user (an administrator's session once there is one); an administrator's
    recovery code comes back in ``recovery_code``, to be shown once."""
    _require_user_manager(session)
    return user_store.add_user(session.db, session.user, username, password, roles, display_name)


def set_user_password(session: Session, username: str, password: str) -> None:
    _require_user_manager(session)
    user_store.reset_password(session.db, session.user, username, password)


def set_user_roles(
    session: Session, username: str, roles: Role | frozenset[Role] | set[Role]
) -> str | None:
    """Give a user exactly ``roles``; returns a recovery code for a new administrator."""
    _require_user_manager(session)
    return user_store.set_roles(session.db, session.user, username, roles)


def set_user_active(session: Session, username: str, active: bool) -> None:
    """Deactivate a user (they cannot sign in) or take them back."""
    _require_user_manager(session)
    user_store.set_active(session.db, session.user, username, active)


def recover_admin(path: Location, username: str, code: str, password: str, *, actor: str) -> str:
    """Reset a forgotten administrator's password with the recovery code; returns the
    new recovery code. Audited, and announced on every opening until acknowledged."""
    with Database.open(path) as db:
        return user_store.recover(db, actor, username, code, password)


def pending_recoveries(session: Session) -> list[user_store.Recovery]:
    return user_store.pending_recoveries(session.db.conn)


def acknowledge_recoveries(session: Session) -> int:
    """An administrator has seen the recovery notices: stop announcing them."""
    require_role(session, Role.ADMIN)
    return user_store.acknowledge_recoveries(session.db, session.user)


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


# -- unit detail: fields and timeline (issue 3, window) -----------------------------------


def unit_timeline(session: Session, unit_id: int) -> list[_timeline.TimelineEntry]:
    """Every record of a unit, newest first, one line each (date, kind, summary, flags)."""
    return _timeline.unit_timeline(session.db, unit_id)


def unit_summary(session: Session, unit_id: int) -> _timeline.UnitSummary:
    """Every field of a unit for display, the ID number masked, and its records per kind."""
    return _timeline.unit_summary(
        session.db, unit_id, high_risk_categories=session.profile.high_risk_categories
    )


@dataclass(frozen=True)
class HomeSummary:
    bureau_name: str
    profile_title: str
    units_by_status: dict[str, int]
    records: dict[str, int]  # Chinese label → count
    last_backup: str | None


def home_summary(session: Session) -> HomeSummary:
    conn = session.db.conn
    by_status = {
        str(status): int(count)
        for status, count in conn.execute(
            "SELECT status, count(*) FROM units GROUP BY status ORDER BY status"
        )
    }
    records = {
        spec.label: int(conn.execute(f"SELECT count(*) FROM {spec.name}").fetchone()[0])
        for spec in TABLES
        if spec.name != "units"
    }
    return HomeSummary(
        session.bureau_name,
        session.profile.title,
        by_status,
        records,
        latest_backup_time(session.db.path),
    )


# -- registry (企业台账): search, filters, sort, a page at a time ------------------------------


def query_units(
    session: Session, query: registry.UnitQuery, offset: int, limit: int
) -> list[registry.RegistryRow]:
    """One page of the registry for ``query`` (search, filters, sort); live grades as of
    today (brought up to date first when the day turned or the rules changed)."""
    if offset == 0:
        settle_live_grades(session, quiet=True)
    return registry.fetch_units(
        session.db, query, offset, limit, session.profile.high_risk_categories
    )


def count_matching_units(session: Session, query: registry.UnitQuery) -> int:
    return registry.count_units(session.db, query, session.profile.high_risk_categories)


def live_grades_work(session: Session, *, today: date | None = None) -> Any:
    """What bringing the stored live grades to ``today`` would take (grade_cache.Work):
    the window shows progress when it is the whole register."""
    from safecredit_desktop.core import grade_cache

    return grade_cache.pending_work(session.db, today or date.today())


def settle_live_grades(
    session: Session,
    *,
    today: date | None = None,
    progress: Callable[[float, str], None] | None = None,
    quiet: bool = False,
) -> int:
    """Bring the stored live grades to ``today`` (grade_cache.settle): the first opening
    of an upgraded database fills them; later, the turn of a day regrades the units whose
    grade may change that day. ``quiet``: only when something is to do, and never on a
    read-only database. Returns how many units were graded."""
    import sqlite3

    from safecredit_desktop.core import grade_cache

    day = today or date.today()
    if not quiet:
        return grade_cache.settle(session.db, today=day, progress=progress)
    try:
        return grade_cache.ensure_current(session.db, today=day, progress=progress)
    except sqlite3.OperationalError:
        return 0  # busy (another program writing): read what is stored, settle next time


def live_grades_as_of(session: Session) -> date | None:
    """The day the registry's live grades hold for."""
    return registry.live_grades_as_of(session.db)


def confirmed_grade_of(session: Session, unit_id: int) -> registry.ConfirmedGrade | None:
    """The unit's grade in the newest confirmed annual assessment, with its year."""
    return registry.confirmed_grade(session.db, unit_id)


def registry_confirmed_year(session: Session) -> int | None:
    """The year of the newest confirmed annual assessment (the registry's 年度评定 column)."""
    return registry.latest_confirmed_year(session.db)


def export_registry(
    session: Session, query: registry.UnitQuery, path: Path, *, today: date | None = None
) -> Path:
    """The registry's units matching ``query``, in its order, as a workbook."""
    from safecredit_desktop.core.exchange.registry_export import write_registry

    settle_live_grades(session, today=today, quiet=True)
    return write_registry(
        session.db,
        Path(path),
        query,
        session.profile,
        bureau_name=session.bureau_name,
        today=today or date.today(),
    )


def registry_filter_choices(session: Session) -> tuple[list[str], list[str], list[str]]:
    """(categories, towns, statuses) present in the registry, for the filter lists."""
    return registry.filter_choices(session.db)


def save_entered_record(session: Session, record: Any) -> int:
    """``save_record`` for an entry form (issue 3): a record whose natural key is taken is refused
    with a sentence next to the field (forms.FormErrors), and a database refusal becomes a
    Chinese sentence instead of an sqlite3 error."""
    import sqlite3

    clash = forms.conflict_errors(session.db, record)
    if clash is not None:
        raise clash
    try:
        return save_record(session, record)
    except sqlite3.IntegrityError as exc:
        raise StorageError(
            "保存被拒绝：与已有记录重复，或引用的企业已不存在。请刷新后核对再保存。"
        ) from exc
    except sqlite3.OperationalError as exc:
        raise StorageError(
            "数据库暂时无法写入（可能正被其他程序或备份占用），已填写的内容没有丢失，请稍后再保存。"
        ) from exc


def save_entered_record_telling(
    session: Session, record: Any, *, today: date | None = None
) -> tuple[int, str | None]:
    """``save_entered_record``, and the sentence telling how the unit's live grade (as of
    ``today``) changed with it (grade_change.py), or None when it did not."""
    from safecredit_desktop.core.grade_change import grade_change_sentence

    day = today or date.today()
    unit_id = getattr(record, "unit_id", None)
    before = grade_one(session, int(unit_id), as_of=day) if unit_id is not None else None
    record_id = save_entered_record(session, record)
    after = grade_one(session, int(unit_id), as_of=day) if unit_id is not None else None
    return record_id, grade_change_sentence(before, after)


def list_records(
    session: Session,
    table: str,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    town: str | None = None,
    uscc: str | None = None,
) -> Any:
    """The records of one kind across the county, newest first (exchange/record_list.py)."""
    from safecredit_desktop.core.exchange.record_list import list_records as _list

    return _list(session.db, table, date_from=date_from, date_to=date_to, town=town, uscc=uscc)


def export_records(session: Session, listing: Any, path: Path) -> Path:
    """A listing as that sheet of the import template (re-importable)."""
    from safecredit_desktop.core.exchange.record_list import write_records_sheet

    return write_records_sheet(
        Path(path), listing, session.profile, session.bureau_name, today=date.today()
    )


def find_unit_by_code(session: Session, uscc: str) -> tuple[int, str] | None:
    """A stored unit by its 统一社会信用代码: (id, name), or None."""
    return forms.find_unit(session.db, uscc)


# -- grading and the annual assessment ---------------------------------------------------------


def grade_units(session: Session, *, as_of: date, uscc: str | None = None) -> list[Any]:
    """Every unit's GradeResult as of ``as_of`` (sorted by code); one unit with ``uscc``."""
    from safecredit_desktop.core.rules.engine import grade_all

    results = grade_all(session.db, session.profile, as_of, uscc=uscc)
    if uscc is not None and not results:
        row = session.db.conn.execute(
            "SELECT founded_on FROM units WHERE uscc = ?", (uscc,)
        ).fetchone()
        if row is not None and row[0]:
            raise SafeCreditError(
                f"统一社会信用代码为 {uscc} 的企业成立日期为{row[0]}，"
                f"{as_of.isoformat()}尚未成立，不评定信用等级。"
            )
        raise SafeCreditError(f"没有统一社会信用代码为 {uscc} 的企业。")
    return list(results)


def assessment_date(year: int) -> date:
    """T of the annual assessment for ``year``: 31 December of the year before (grading.md)."""
    return date(year - 1, 12, 31)


@dataclass(frozen=True)
class GradeChange:
    unit_id: int
    uscc: str
    name: str
    before: str | None  # the grade in the last confirmed assessment; None: not graded then
    after: str


@dataclass(frozen=True)
class AssessmentPreview:
    year: int
    as_of: date
    results: list[Any]
    previous_year: int | None
    changes: list[GradeChange]
    confirmed: assessments.StoredAssessment | None


def preview_assessment(session: Session, year: int) -> AssessmentPreview:
    """The computed grades for ``year`` and what changed since the last confirmed year."""
    as_of = assessment_date(year)
    results = grade_units(session, as_of=as_of)
    earlier = [y for y in assessments.confirmed_years(session.db) if y < year]
    previous = earlier[0] if earlier else None
    before = assessments.stored_grades(session.db, previous) if previous is not None else {}
    changes = [
        GradeChange(
            r.unit_id,
            r.uscc,
            r.name,
            before[r.unit_id].grade if r.unit_id in before else None,
            r.grade,
        )
        for r in results
        if previous is not None and (r.unit_id not in before or before[r.unit_id].grade != r.grade)
    ]
    return AssessmentPreview(
        year, as_of, results, previous, changes, assessments.find(session.db, year)
    )


def confirm_assessment(
    session: Session, year: int, *, notes: dict[int, str] | None = None
) -> assessments.StoredAssessment:
    """Store the assessment for ``year`` (审核员 only); a year is confirmed once."""
    require_role(session, Role.REVIEWER)
    preview = preview_assessment(session, year)
    return assessments.confirm(
        session.db,
        session.user,
        year=year,
        as_of=preview.as_of,
        profile_name=session.profile.name,
        profile_text=session.profile.text,
        results=preview.results,
        notes=notes,
    )


def last_confirmed_grades(session: Session) -> tuple[int | None, dict[int, str]]:
    """The newest confirmed assessment's year and its grade per unit id (or None, {})."""
    years = assessments.confirmed_years(session.db)
    if not years:
        return None, {}
    stored = assessments.stored_grades(session.db, years[0])
    return years[0], {unit_id: g.grade for unit_id, g in stored.items()}


def confirmed_assessment_years(session: Session) -> list[int]:
    return assessments.confirmed_years(session.db)


# -- statistics and report exports (统计报表; workbook.md "Exports") ----------------------------

from safecredit_desktop.core import statistics as _statistics  # noqa: E402
from safecredit_desktop.core.rules.result import GradeResult as _GradeResult  # noqa: E402


def report_grades(
    session: Session, *, as_of: date, progress: Callable[[float, str], None] | None = None
) -> list[_GradeResult]:
    """Every unit's grade as of ``as_of``, for the statistics page and the report exports."""
    from safecredit_desktop.core.rules.engine import grade_all

    if progress is not None:
        progress(0.05, f"正在评定信用等级（评定基准日 {as_of.isoformat()}）…")
    results = list(grade_all(session.db, session.profile, as_of))
    if progress is not None:
        progress(0.6, f"已评定 {len(results):,} 家企业")
    return results


def assessment_results(session: Session, year: int) -> list[_GradeResult]:
    """The confirmed grades of ``year`` as GradeResults (reasons as stored; no way back)."""
    from safecredit_desktop.core.rules.result import Reason

    stored = assessments.stored_grades(session.db, year)
    as_of = assessment_date(year)
    results = []
    for unit_id, uscc, name, category, town in session.db.conn.execute(
        "SELECT id, uscc, name, category, town FROM units ORDER BY uscc"
    ):
        grade = stored.get(int(unit_id))
        if grade is None:
            continue  # a unit registered after the assessment was confirmed
        reasons = tuple(
            Reason(str(r["code"]), str(r["text"]), tuple(str(x) for x in r["records"]))
            for r in grade.reasons
        )
        results.append(
            _GradeResult(
                int(unit_id),
                str(uscc),
                str(name),
                str(category),
                str(town),
                grade.grade,
                grade.label,
                grade.tier,
                reasons,
                as_of=as_of,
            )
        )
    return results


def _report_basis(
    session: Session,
    as_of: date,
    assessment: int | None,
    results: list[_GradeResult] | None,
    progress: Callable[[float, str], None] | None,
) -> tuple[list[_GradeResult], str]:
    """The grades a report uses and the sentence saying which: live, or a confirmed year."""
    if assessment is not None:
        return assessment_results(session, assessment), _statistics.assessment_basis(assessment)
    if results is None:
        results = report_grades(session, as_of=as_of, progress=progress)
    return results, _statistics.live_basis(as_of)


def statistics(
    session: Session,
    *,
    as_of: date,
    group_by_reporter: bool,
    assessment: int | None = None,
    results: list[_GradeResult] | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> _statistics.StatisticsTables:
    """Counts by grade × 行业类别 and grade × 乡镇 (and × 报送单位 when grouped, for a city
    rolling up its counties; a blank 报送单位 is this bureau). ``results`` reuses grades
    already computed for the same ``as_of``."""
    results, basis = _report_basis(session, as_of, assessment, results, progress)
    if assessment is not None:
        as_of = assessment_date(assessment)
    reporters = _statistics.unit_reporters(session.db) if group_by_reporter else None
    return _statistics.build_statistics(
        results,
        profile=session.profile,
        bureau_name=session.bureau_name,
        as_of=as_of,
        basis=basis,
        reporters=reporters,
    )


def statistics_reporter(session: Session) -> str:
    """The 统计人员 a statistics form is signed with when none is typed: the configured
    reporter (设置), else the signed-in user's display name, else blank — a command-line
    actor (``命令行:…``) or an account without a display name leaves the name to be
    written by hand; a login or actor string is never a person's name."""
    configured = get_setting(session.db, keys.REPORTER).strip()
    if configured:
        return configured
    user = user_store.find_user(session.db, session.user)
    return user.display_name.strip() if user is not None else ""


def export_stats(
    session: Session,
    path: Path,
    *,
    as_of: date,
    reporter_name: str,
    assessment: int | None = None,
    group_by_reporter: bool | None = None,
    results: list[_GradeResult] | None = None,
    today: date | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Path:
    """安全生产信用分级分类统计表 (seed 004's form) of the grades as of ``as_of``.

    ``reporter_name`` is the 统计人员 (blank: ``statistics_reporter``). Each unit's
    报送单位 goes into 备注 when
    ``group_by_reporter`` is true, or — when it is None — when some unit was reported by
    another bureau (a city roll-up).
    """
    from safecredit_desktop.core.exchange import reports

    results, basis = _report_basis(session, as_of, assessment, results, progress)
    bureau = session.bureau_name
    if group_by_reporter is None:
        group_by_reporter = _statistics.has_other_reporters(session.db, bureau)
    reporters = _statistics.unit_reporters(session.db) if group_by_reporter else None
    if progress is not None:
        progress(0.7, f"正在写入统计表（{len(results):,} 家企业）…")
    written = reports.write_stats_form(
        path,
        results,
        profile=session.profile,
        bureau_name=bureau,
        reporter_name=reporter_name.strip() or statistics_reporter(session),
        basis=basis,
        today=today or date.today(),
        reporters=reporters,
    )
    session.repo.log_event(
        "export",
        str(written),
        {"导出": reports.STATS_FORM_TITLE, "评定依据": basis, "企业数": len(results)},
    )
    return written


def export_grade_list(
    session: Session,
    path: Path,
    *,
    as_of: date,
    assessment: int | None = None,
    results: list[_GradeResult] | None = None,
    today: date | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Path:
    """信用等级名单 as of ``as_of``: code, name, category, town, grade, reasons with their
    records, last inspection; 下次检查到期 stays blank until scheduling provides it."""
    from safecredit_desktop.core.exchange import reports

    results, basis = _report_basis(session, as_of, assessment, results, progress)
    if assessment is not None:
        as_of = assessment_date(assessment)
    bureau = session.bureau_name
    reporters = (
        _statistics.unit_reporters(session.db)
        if _statistics.has_other_reporters(session.db, bureau)
        else None
    )
    if progress is not None:
        progress(0.7, f"正在写入信用等级名单（{len(results):,} 家企业）…")
    written = reports.write_grade_list(
        path,
        results,
        profile=session.profile,
        bureau_name=bureau,
        basis=basis,
        last_inspection=_statistics.last_inspections(session.db, as_of),
        next_due=_next_due(session, results, as_of),
        reporters=reporters,
        today=today,
    )
    session.repo.log_event(
        "export",
        str(written),
        {"导出": reports.GRADE_LIST_TITLE, "评定依据": basis, "企业数": len(results)},
    )
    return written


def upper_email(session: Session) -> str:
    """The configured upper-level e-mail address (blank if none)."""
    return get_setting(session.db, keys.UPPER_EMAIL).strip()


def bureau_settings(session: Session) -> list[tuple[keys.BureauSetting, str]]:
    """The settings an administrator keeps (设置 → 单位信息, `settings get`), with values."""
    return keys.bureau_settings(session.db)


def set_bureau_settings(session: Session, values: dict[str, str]) -> list[str]:
    """Change settings by their Chinese names (管理员): every value checked first, the
    changed ones stored in one transaction, audited. Returns the names changed."""
    require_role(session, Role.ADMIN)
    return keys.set_bureau_settings(session.db, session.user, values)


def write_mail_draft(
    session: Session, workbook: Path, out: Path | None = None, *, today: date | None = None
) -> Path:
    """An unsent e-mail (.eml, ``X-Unsent: 1``) to the upper-level address with ``workbook``
    attached; its subject and body name the bureau, the report and its period (read from
    the workbook's properties). Outlook and Foxmail open it as an editable draft."""
    from safecredit_desktop.core.exchange import reports

    workbook = Path(workbook)
    if not workbook.is_file():
        raise SafeCreditError(f"要附上的文件不存在：{workbook}")
    bureau = session.bureau_name
    title, basis = reports.read_report_properties(workbook)
    report = title.removeprefix(bureau) if title else workbook.stem
    subject, body = reports.draft_text(
        bureau_name=bureau,
        report_title=report,
        basis=basis,
        attachment_name=workbook.name,
        today=today or date.today(),
    )
    target = out if out is not None else workbook.with_suffix(".eml")
    return reports.write_eml_draft(
        target,
        to=upper_email(session),
        subject=subject,
        body=body,
        attachment=workbook,
        sender_name=bureau,
    )


# -- workbooks: import template, import, full-data export (issue 4; workbook.md) ------------

from typing import TYPE_CHECKING  # noqa: E402

from safecredit_desktop.core.exchange import importer as _importer  # noqa: E402

if TYPE_CHECKING:
    from safecredit_desktop.core.exchange.data_export import DataExport as _DataExport
    from safecredit_desktop.core.exchange.publicity_export import (
        PenaltyPublicity as _PenaltyPublicity,
    )

ImportSummary = _importer.ImportSummary
WorkbookError = _importer.WorkbookError


def _progress_part(
    progress: Callable[[float, str], None] | None, start: float, end: float
) -> Callable[[float, str], None] | None:
    """``progress`` for one stage of a longer job, scaled into [start, end]."""
    if progress is None:
        return None
    report = progress

    def part(fraction: float, text: str) -> None:
        report(start + (end - start) * min(max(fraction, 0.0), 1.0), text)

    return part


def import_workbook(
    session: Session,
    path: Path,
    *,
    dry_run: bool,
    accept_bad_check: bool,
    include_hidden: bool = False,
    today: date | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> _importer.ImportSummary:
    """Import a template workbook, all or nothing (workbook.md).

    Hidden template sheets are named in the summary and read only with
    ``include_hidden``; a workbook past a limit (rows, columns, characters, strings,
    part sizes) is refused before its rows are read.

    Every bad cell is reported at once as a ``WorkbookError`` (``.errors`` lists them;
    ``.only_bad_check`` says whether accepting bad check characters would pass). With
    ``dry_run`` nothing is written. Otherwise, when anything would change, the database
    is backed up first (reason ``before-import``) and the rows are written in one
    transaction, each audited as ``session.user``, followed by one ``import`` event.
    """
    day = today or date.today()
    parsed = _importer.read_workbook(
        Path(path), include_hidden=include_hidden, progress=_progress_part(progress, 0.0, 0.4)
    )
    plan = _importer.plan_import(
        session.db,
        parsed,
        profile=session.profile,
        accept_bad_check=accept_bad_check,
        today=day,
        progress=_progress_part(progress, 0.4, 0.7),
        release_rows=True,  # a planned sheet's rows are dropped: a big file fits in memory
    )
    plan.raise_for_errors()
    if dry_run or not plan.changed:
        return plan.summary(dry_run=dry_run)
    require_import_role(session, plan)
    if progress is not None:
        progress(0.7, "导入前备份数据库…")
    copy = backup.backup_database(session.db.location, reason="before-import")
    import sqlite3

    from safecredit_desktop.core.exchange.applying import StalePlanError

    try:
        try:
            _importer.apply_import(
                session.db, session.repo, plan, progress=_progress_part(progress, 0.75, 1.0)
            )
        except StalePlanError:
            # Someone saved meanwhile (the window, another program): read the workbook
            # again, plan it holding the write lock this time, and write.
            parsed = _importer.read_workbook(Path(path), include_hidden=include_hidden)
            with session.db.transaction():
                plan = _importer.plan_import(
                    session.db,
                    parsed,
                    profile=session.profile,
                    accept_bad_check=accept_bad_check,
                    today=day,
                )
                plan.raise_for_errors()
                require_import_role(session, plan)
                _importer.apply_import(session.db, session.repo, plan)
    except sqlite3.OperationalError as exc:
        reason = failure_message(exc) or "数据库暂时无法写入。"
        raise StorageError(f"{reason}没有导入任何数据；导入前的备份在 {copy}。") from exc
    except sqlite3.IntegrityError as exc:
        raise StorageError(
            f"导入被数据库拒绝（{exc}），没有导入任何数据；导入前的备份在 {copy}。"
        ) from exc
    session.last_save = None
    return plan.summary(dry_run=False, backup=copy)


# Sheets whose rows change grades and draws: imported only by a 审核员 or 管理员
# (workbook.md "Roles"). Rows that change nothing (a re-imported export) need no role.
REVIEWED_IMPORT_TABLES = ("repairs", "inspectors")


def require_import_role(session: Session, plan: _importer.ImportPlan) -> None:
    """Refuse an import that would add or change 信用修复 or 执法人员 rows (or an
    inspector's 回避单位) unless the user is a 审核员 or 管理员."""
    if session.has_role(Role.REVIEWER, Role.ADMIN):
        return
    parts = []
    for sheet in plan.sheets:
        if sheet.spec.table in REVIEWED_IMPORT_TABLES:
            count = sum(1 for r in sheet.rows if r.action in (_importer.ADD, _importer.UPDATE))
            if count:
                parts.append(f"“{sheet.title}”工作表的 {count} 行")
    if any(c.add or c.remove for c in plan.conflicts):
        parts.append("执法人员的回避单位")
    if not parts:
        return
    where = "、".join(parts)
    raise SafeCreditError(
        f"工作簿会新增或更改{where}。信用修复和执法人员影响信用等级和抽查，只能由审核员或"
        f"管理员导入（当前用户“{session.user}”没有该权限）：请以审核员或管理员登录，"
        "命令行用 --user 指定并输入密码。没有导入任何数据。"
    )


def export_template(session: Session, path: Path) -> Path:
    """The empty import template for this database's profile (headers, lists, 说明)."""
    from safecredit_desktop.core.exchange.template_export import write_template

    return write_template(Path(path), session.profile)


def export_all_data(
    session: Session,
    path: Path,
    *,
    include_id: bool,
    today: date | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> _DataExport:
    """Every record in the import template's sheets (全部数据). Full ID numbers only with
    ``include_id``, and then the export is written to the audit log."""
    from safecredit_desktop.core.exchange.data_export import write_all_data

    day = today or date.today()
    result = write_all_data(
        Path(path),
        session.db,
        session.profile,
        session.bureau_name,
        include_id=include_id,
        today=day,
        progress=progress,
    )
    if include_id:
        session.repo.log_event(
            "export",
            result.path.name,
            {
                "导出全部数据": str(result.path),
                "含身份证号": "是",
                "企业数": result.counts["企业信息"],
            },
        )
    return result


@dataclass(frozen=True)
class GradePoint:
    """One point of a unit's grade history: a date, the grade, and where it comes from."""

    day: date
    grade: str
    label: str
    source: str  # "实时" or "2026年度评定（已确认）"


def grade_one(session: Session, unit_id: int, *, as_of: date | None = None) -> Any:
    """One unit's GradeResult as of ``as_of`` (today by default)."""
    from safecredit_desktop.core.rules.engine import grade_unit
    from safecredit_desktop.core.rules.facts import load_facts

    facts = load_facts(session.db, unit_ids=[unit_id])
    if not facts:
        raise SafeCreditError(f"找不到编号为 {unit_id} 的企业，可能已被删除。")
    day = as_of or date.today()
    founded = facts[0].founded_on
    if founded is not None and founded > day:
        raise SafeCreditError(
            f"该企业成立日期为{founded.isoformat()}，{day.isoformat()}尚未成立，不评定信用等级。"
        )
    return grade_unit(session.profile, facts[0], day)


def grade_history(session: Session, unit_id: int, *, years: int = 5) -> list[GradePoint]:
    """How a unit's grade changed: the grade at the end of each of the last ``years`` years
    (the confirmed assessment's where there is one) and today, oldest first."""
    from safecredit_desktop.core.rules.engine import grade_unit
    from safecredit_desktop.core.rules.facts import load_facts

    facts = load_facts(session.db, unit_ids=[unit_id])
    if not facts:
        raise SafeCreditError(f"找不到编号为 {unit_id} 的企业，可能已被删除。")
    today = date.today()
    confirmed = {
        year: assessments.stored_grades(session.db, year).get(unit_id)
        for year in assessments.confirmed_years(session.db)
    }
    points: list[GradePoint] = []
    founded = facts[0].founded_on
    for year in range(today.year - years + 1, today.year + 1):
        day = assessment_date(year)
        if founded is not None and founded > day:
            continue  # not yet founded then: no grade (grading.md Revision 2)
        stored = confirmed.get(year)
        if stored is not None:
            source = _statistics.assessment_basis(year)
            points.append(GradePoint(day, stored.grade, stored.label, source))
        else:
            result = grade_unit(session.profile, facts[0], day)
            points.append(GradePoint(day, result.grade, result.label, "按当时记录计算"))
    if founded is None or founded <= today:
        now = grade_unit(session.profile, facts[0], today)
        points.append(GradePoint(today, now.grade, now.label, "实时"))
    return points


def profile_rules_text(session: Session) -> list[str]:
    """The database's credit rules in Chinese (设置 → 信用规则)."""
    from safecredit_desktop.core.rules.describe import describe_profile

    return describe_profile(session.profile)


# -- working-day calendar (设置 → 节假日) ---------------------------------------------------

from safecredit_desktop.core import validate as _validate  # noqa: E402
from safecredit_desktop.core.scheduling import calendar as _workcal  # noqa: E402
from safecredit_desktop.core.scheduling import holiday_notice as _notice  # noqa: E402


def working_calendar(session: Session) -> _workcal.Calendar:
    """The working-day calendar: chinesecalendar, then the holiday table, then Mon–Fri."""
    return _workcal.Calendar.load(session.db)


def holidays_of(session: Session, year: int | None = None) -> list[_workcal.HolidayRow]:
    return _workcal.list_holidays(session.db, year)


def set_holiday(session: Session, day: date | str, kind: str, name: str = "") -> None:
    """Add or change a day of the holiday table (管理员); ``day`` as date or YYYY-MM-DD."""
    require_role(session, Role.ADMIN)
    parsed = _validate.parse_date(day, field="日期")
    _workcal.set_holiday(session.db, session.user, parsed, kind, name)


def remove_holiday(session: Session, day: date | str) -> None:
    """Remove a day from the holiday table (管理员)."""
    require_role(session, Role.ADMIN)
    parsed = _validate.parse_date(day, field="日期")
    _workcal.remove_holiday(session.db, session.user, parsed)


def read_holiday_notice(text: str, year: int | None = None) -> _notice.HolidayNotice:
    """The days the State Council's holiday notice arranges (nothing stored)."""
    return _notice.parse_notice(text, year)


def import_holiday_notice(session: Session, notice: _notice.HolidayNotice) -> _workcal.YearImport:
    """Store a read notice as its year's rows of the holiday table (管理员), replacing
    what the table held for that year; audited, one transaction."""
    require_role(session, Role.ADMIN)
    return _workcal.replace_year(session.db, session.user, notice.year, notice.days)


def holiday_arrangement(
    session: Session, year: int
) -> tuple[_workcal.YearSource, list[_workcal.HolidayRow]]:
    """Where ``year``'s days off come from, and its days off and 调休 working days."""
    source = working_calendar(session).year_source(year)
    if source is _workcal.YearSource.BUILTIN:
        return source, _workcal.builtin_rows(year)
    return source, _workcal.list_holidays(session.db, year)


# -- inspection scheduling: due list and annual plan (scheduling.md) ---------------------------

from safecredit_desktop.core.scheduling import due as _due  # noqa: E402
from safecredit_desktop.core.scheduling import plan as _plan  # noqa: E402
from safecredit_desktop.core.storage import plans as _plan_store  # noqa: E402


def due_list(
    session: Session,
    *,
    as_of: date,
    within_days: int = 30,
    progress: Callable[[float, str], None] | None = None,
) -> _due.DueList:
    """Overdue units and those due within ``within_days`` of ``as_of``, most overdue first,
    from the live grades as of ``as_of`` (scheduling/due.py says why)."""
    from safecredit_desktop.core.rules.engine import grade_all

    if progress is not None:
        progress(0.05, f"正在评定信用等级（{as_of.isoformat()}）…")
    grades = {r.unit_id: r.grade for r in grade_all(session.db, session.profile, as_of)}
    if progress is not None:
        progress(0.7, "正在计算检查到期日…")
    items = _due.compute_due(
        session.db, session.profile, grades, as_of=as_of, bureau_name=session.bureau_name
    )
    return _due.split_due(items, as_of=as_of, within_days=within_days)


def annual_plan(
    session: Session,
    *,
    year: int,
    capacity: int | None = None,
    today: date | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> _plan.Plan:
    """The 年度执法检查计划 of ``year``: grades of the confirmed assessment of ``year`` if
    there is one, else computed as of 31 December of the year before."""
    from safecredit_desktop.core.rules.engine import grade_all

    if capacity is not None and capacity < 1:
        raise SafeCreditError("每月检查能力应为正整数。")
    as_of = assessment_date(year)
    if assessments.find(session.db, year) is not None:
        grades = {u: g.grade for u, g in assessments.stored_grades(session.db, year).items()}
        basis = _statistics.assessment_basis(year)
    else:
        if progress is not None:
            progress(0.05, f"正在评定{year}年度信用等级（评定基准日 {as_of.isoformat()}）…")
        grades = {r.unit_id: r.grade for r in grade_all(session.db, session.profile, as_of)}
        basis = f"{year}年度评定（评定基准日 {as_of.isoformat()}，尚未确认）"
    if progress is not None:
        progress(0.7, "正在编制检查计划…")
    return _plan.compute_plan(
        session.db,
        session.profile,
        grades,
        year=year,
        capacity=capacity,
        today=today or date.today(),
        bureau_name=session.bureau_name,
        basis=basis,
    )


def adopted_plan(session: Session, year: int, *, today: date | None = None) -> _plan.Plan | None:
    """The year's adopted plan as stored (statuses as of ``today``), or None."""
    found = _plan_store.latest(session.db, year)
    if found is None:
        return None
    return _plan.adopted_plan(
        found,
        _plan_store.items(session.db, found),
        _plan.year_inspections(session.db, year),
        today=today or date.today(),
    )


def adopted_plan_years(session: Session) -> list[int]:
    """The years with an adopted plan, latest first."""
    return _plan_store.years(session.db)


def year_plan(
    session: Session,
    *,
    year: int,
    capacity: int | None = None,
    today: date | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> _plan.Plan:
    """The year's plan: the adopted one when there is one, else computed (a draft)."""
    if progress is not None:
        progress(0.05, f"正在读取{year}年度已采用的检查计划…")
    adopted = adopted_plan(session, year, today=today)
    if adopted is not None:
        return adopted
    return annual_plan(session, year=year, capacity=capacity, today=today, progress=progress)


_NOT_READ: Any = object()  # "read the adopted plan yourself"


def plan_changes(
    session: Session, plan: _plan.Plan, *, adopted: _plan.Plan | None = _NOT_READ
) -> _plan.PlanChanges | None:
    """What ``plan`` changes against its year's adopted plan (None: nothing adopted).
    ``adopted``: that plan when the caller has already read it (a county's is large)."""
    if adopted is _NOT_READ:
        adopted = adopted_plan(session, plan.year, today=plan.today)
    return None if adopted is None else _plan.compare_plans(adopted, plan)


def adopt_plan(
    session: Session, plan: _plan.Plan, *, adopted: _plan.Plan | None = _NOT_READ
) -> _plan.Plan:
    """Store a computed plan as its year's plan (审核员 or 管理员; audited). A plan the same
    as the adopted one is not stored again: the adopted plan is returned unchanged."""
    require_role(session, Role.REVIEWER, Role.ADMIN)
    if plan.adopted is not None:
        raise SafeCreditError(f"这是已采用的{plan.year}年度计划，如需调整请重新编制。")
    if adopted is _NOT_READ:
        adopted = adopted_plan(session, plan.year, today=plan.today)
    if adopted is not None and _plan.compare_plans(adopted, plan).none:
        return adopted
    stored = _plan_store.adopt(session.db, session.user, plan)
    return replace(plan, adopted=stored)  # the same items, now the adopted plan


def export_plan(
    session: Session,
    path: Path,
    *,
    year: int,
    capacity: int | None = None,
    plan: _plan.Plan | None = None,
    draft: bool = False,
    today: date | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Path:
    """Write the 年度执法检查计划 workbook: ``plan`` if given for ``year``, else the year's
    adopted plan when there is one (``draft``: always computed afresh)."""
    from safecredit_desktop.core.exchange import plan_export

    if plan is None or plan.year != year:
        if draft:
            plan = annual_plan(
                session, year=year, capacity=capacity, today=today, progress=progress
            )
        else:
            plan = year_plan(session, year=year, capacity=capacity, today=today, progress=progress)
    if progress is not None:
        progress(0.85, f"正在写入检查计划（{len(plan.items):,} 次检查）…")
    bureau = session.bureau_name
    written = plan_export.write_plan(
        path, plan, profile=session.profile, bureau_name=bureau, today=today
    )
    session.repo.log_event(
        "export",
        str(written),
        {"导出": plan_export.PLAN_TITLE, "年度": year, "计划检查": len(plan.items)},
    )
    return written


# -- 双随机 draws and the inspector roster (scheduling.md "双随机 draws") --------------------------

from safecredit_desktop.core import model as _model  # noqa: E402
from safecredit_desktop.core.scheduling import draw as _draw  # noqa: E402


def _draw_basis(session: Session, year: int) -> tuple[list[_GradeResult], str]:
    """The grades a draw of ``year`` uses: the confirmed assessment of the year, else live."""
    if assessments.find(session.db, year) is not None:
        return assessment_results(session, year), f"{year}年度信用评定结果（已确认）"
    as_of = assessment_date(year)
    return (
        grade_units(session, as_of=as_of),
        f"按 {as_of.isoformat()} 的记录评定的信用等级（{year}年度评定尚未确认）",
    )


def make_draw(
    session: Session,
    *,
    year: int,
    grades: list[str] | None = None,
    category: str | None = None,
    town: str | None = None,
    ratios: dict[str, Any] | None = None,
    seed: str | None = None,
    team_size: int = 2,
    progress: Callable[[float, str], None] | None = None,
) -> _draw.DrawDetail:
    """Make and record a 双随机 draw; a blank seed gets a random one (stored)."""
    if progress is not None:
        progress(0.05, f"正在确定{year}年度的信用等级…")
    graded, basis = _draw_basis(session, year)
    draw_id = _draw.create_draw(
        session.db,
        session.user,
        year=year,
        graded=graded,
        basis=basis,
        filters=_draw.DrawFilters(tuple(grades) if grades else None, category, town),
        ratios=ratios,
        seed=seed,
        team_size=team_size,
        avoid_own_town=get_setting(session.db, DRAW_AVOID_OWN_TOWN) == "是",
        progress=progress,
    )
    return _draw.detail(session.db, draw_id)


def list_draws(session: Session) -> list[_draw.DrawSummary]:
    return _draw.list_draws(session.db)


def draw_detail(session: Session, draw_id: int) -> _draw.DrawDetail:
    return _draw.detail(session.db, draw_id)


def verify_draw(session: Session, draw_id: int) -> bool:
    """Re-run the draw from its stored pool, ratios, seed and roster; True when identical."""
    return _draw.verify(session.db, draw_id)


def annul_draw(session: Session, draw_id: int, reason: str) -> None:
    """Annul a draw once with a reason (审核员 or 管理员); it is never edited or deleted."""
    require_role(session, Role.REVIEWER, Role.ADMIN)
    _draw.annul(session.db, session.user, draw_id, reason)


def export_draw(session: Session, draw_id: int, path: Path, *, today: date | None = None) -> Path:
    """双随机抽查结果 workbook (also the public notice)."""
    from safecredit_desktop.core.exchange import draw_export

    found = _draw.detail(session.db, draw_id)
    written = draw_export.write_draw(path, found, bureau_name=session.bureau_name, today=today)
    session.repo.log_event(
        "export", str(written), {"导出": draw_export.DRAW_TITLE, "抽查编号": draw_id}
    )
    return written


def inspectors(session: Session) -> list[_draw.RosterEntry]:
    """执法人员名录 sorted by 执法证号, each with its conflicts (unit codes)."""
    return _draw.list_inspectors(session.db)


def save_inspector(session: Session, inspector: _model.Inspector) -> int:
    require_role(session, Role.REVIEWER, Role.ADMIN)
    return _draw.save_inspector(session.repo, inspector)


def unit_ids_for_codes(session: Session, text: str) -> list[int]:
    """Unit codes separated by 、 , ， ; or spaces → unit ids (an unknown code is refused)."""
    return _draw.unit_ids_for_codes(session.db, text)


def set_inspector_conflicts(session: Session, inspector_id: int, unit_ids: list[int]) -> None:
    """Replace an inspector's declared conflicts (回避) with ``unit_ids`` (audited)."""
    require_role(session, Role.REVIEWER, Role.ADMIN)
    _draw.set_conflicts(session.db, session.user, inspector_id, unit_ids)


# -- tracked deadlines (home page) ------------------------------------------------------

from safecredit_desktop.core.scheduling import deadlines as _deadlines  # noqa: E402


def tracked_deadlines(
    session: Session, *, as_of: date | None = None, horizon_days: int = 30
) -> list[_deadlines.Deadline]:
    """双公示, 整改期限, 许可证 and 管理期 deadlines, by due date (scheduling.md)."""
    return _deadlines.tracked_deadlines(
        session.db,
        session.profile,
        working_calendar(session),
        as_of=as_of or date.today(),
        horizon_days=horizon_days,
    )


def _next_due(session: Session, results: list[_GradeResult], as_of: date) -> dict[int, date]:
    """Each unit's next inspection due date under the grades a report shows."""
    grades = {r.unit_id: r.grade for r in results}
    items = _due.compute_due(
        session.db, session.profile, grades, as_of=as_of, bureau_name=session.bureau_name
    )
    return _due.next_due_dates(items, as_of)


@dataclass(frozen=True)
class InspectionProgress:
    """统计报表's schedule section: planned vs done per month of a year, overdue per town."""

    year: int
    planned: list[int]  # index 0 = January: planned county inspections (the annual plan)
    done: list[int]  # of those, fulfilled by an inspection record
    overdue_by_town: dict[str, int]
    as_of: date


def inspection_progress(
    session: Session,
    *,
    as_of: date,
    results: list[_GradeResult] | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> InspectionProgress:
    """``results``: grades as of ``as_of`` already at hand (the due list reuses them)."""
    plan = annual_plan(session, year=as_of.year, today=as_of, progress=progress)
    planned, done = [0] * 12, [0] * 12
    for item in plan.items:
        planned[item.suggested_month - 1] += 1
        if item.done_on is not None:
            done[item.suggested_month - 1] += 1
    if results is None:
        listing = due_list(session, as_of=as_of)
    else:
        grades = {r.unit_id: r.grade for r in results}
        items = _due.compute_due(
            session.db, session.profile, grades, as_of=as_of, bureau_name=session.bureau_name
        )
        listing = _due.split_due(items, as_of=as_of, within_days=30)
    overdue: dict[str, int] = {}
    for late in listing.overdue:
        town = late.town or "（未填乡镇）"
        overdue[town] = overdue.get(town, 0) + 1
    ranked = dict(sorted(overdue.items(), key=lambda kv: (-kv[1], kv[0])))
    return InspectionProgress(as_of.year, planned, done, ranked, as_of)


def export_count_table(
    session: Session, path: Path, table: _statistics.CountTable, *, basis: str
) -> Path:
    """One count table of the statistics page as a workbook (audited as an export)."""
    from safecredit_desktop.core.exchange import reports

    written = reports.write_count_table(
        path, table, profile=session.profile, bureau_name=session.bureau_name, basis=basis
    )
    session.repo.log_event("export", str(written), {"导出": table.title, "评定依据": basis})
    return written


DRAW_AVOID_OWN_TOWN = "draw_avoid_own_town"


def set_draw_avoid_own_town(session: Session, on: bool) -> None:
    """The bureau's rule that inspectors stand aside from units of their own town."""
    require_role(session, Role.ADMIN)
    set_setting(session.db, session.user, DRAW_AVOID_OWN_TOWN, "是" if on else "否")


def draw_avoid_own_town(session: Session) -> bool:
    return get_setting(session.db, DRAW_AVOID_OWN_TOWN) == "是"


# -- printed documents (documents.md) -----------------------------------------------------------

from safecredit_desktop.core.documents import build as _doc_build  # noqa: E402
from safecredit_desktop.core.documents import data as _doc_data  # noqa: E402
from safecredit_desktop.core.documents import fonts as _doc_fonts  # noqa: E402
from safecredit_desktop.core.documents import kinds as _doc_kinds  # noqa: E402
from safecredit_desktop.core.documents import register as _doc_register  # noqa: E402
from safecredit_desktop.core.documents.kinds import KINDS as _DOC_KINDS  # noqa: E402
from safecredit_desktop.core.documents.kinds import kind_name as _kind_name  # noqa: E402

DocumentRequest = _doc_build.DocumentRequest
DocumentKind = _doc_kinds.DocumentKind
IssuedDocument = _doc_register.IssuedDocument

DOC_PREFIX_KEY = "doc_prefix."
DOC_FONTS_OFFICIAL = "documents.official_fonts"
DOC_FONT_FOLDER = "documents.font_folder"
_FORBIDDEN_IN_PREFIX = set(" \t\r\n〔〕[]()（）")


def document_kinds(session: Session) -> list[DocumentKind]:
    """The kinds of documents, named as this bureau's profile names them."""
    return [replace(k, name=_kind_name(k.kind, session.profile)) for k in _DOC_KINDS]


def document_prefixes(session: Session) -> dict[str, str]:
    """文号 prefix per kind: the one set in 设置, else the profile's."""
    profile = session.profile
    return {
        k.kind: get_setting(session.db, DOC_PREFIX_KEY + k.kind)
        or profile.doc_prefixes.get(k.kind, "")
        for k in _DOC_KINDS
    }


def set_document_prefix(session: Session, kind: str, prefix: str) -> None:
    """Set a kind's 文号 prefix (管理员): 2 to 12 characters, no spaces or brackets."""
    require_role(session, Role.ADMIN)
    if kind not in {k.kind for k in _DOC_KINDS}:
        raise SafeCreditError(f"没有“{kind}”这种文书。")
    prefix = prefix.strip()
    if not 2 <= len(prefix) <= 12:
        raise SafeCreditError("文号前缀应为2至12个字，例如“凤应急信告”。")
    bad = sorted(set(prefix) & _FORBIDDEN_IN_PREFIX)
    if bad or any(ch.isdigit() for ch in prefix):
        raise SafeCreditError(
            "文号前缀不能含空格、括号或数字；年份和序号由程序按“〔2026〕12号”格式加上。"
        )
    set_setting(session.db, session.user, DOC_PREFIX_KEY + kind, prefix)


@dataclass(frozen=True)
class FontSettings:
    use_official: bool
    folder: str
    description: str  # the fonts documents are drawn with now
    notes: list[str]  # why an official font is not used


def _font_choice(session: Session) -> _doc_fonts.FontChoice:
    if get_setting(session.db, DOC_FONTS_OFFICIAL) != "是":
        return _doc_fonts.shipped_choice()
    folder = get_setting(session.db, DOC_FONT_FOLDER)
    return _doc_fonts.official_choice(Path(folder) if folder else None)


def document_font_settings(session: Session) -> FontSettings:
    choice = _font_choice(session)
    return FontSettings(
        get_setting(session.db, DOC_FONTS_OFFICIAL) == "是",
        get_setting(session.db, DOC_FONT_FOLDER),
        choice.describe(),
        list(choice.notes),
    )


def set_document_fonts(session: Session, *, use_official: bool, folder: str) -> None:
    """Choose the shipped open fonts or the bureau's installed official fonts (管理员)."""
    require_role(session, Role.ADMIN)
    folder = folder.strip()
    if folder and not Path(folder).is_dir():
        raise SafeCreditError(f"字体文件夹不存在：{folder}")
    with session.db.transaction():
        set_setting(session.db, session.user, DOC_FONTS_OFFICIAL, "是" if use_official else "否")
        set_setting(session.db, session.user, DOC_FONT_FOLDER, folder)


def _document_grades(
    session: Session, unit_ids: Any, as_of: date, assessment: int | None
) -> dict[int, _GradeResult]:
    from safecredit_desktop.core.rules.engine import grade_all

    wanted = set(unit_ids)
    if assessment is not None:
        if assessments.find(session.db, assessment) is None:
            raise SafeCreditError(f"{assessment}年度的信用评定尚未确认。")
        return {
            r.unit_id: r for r in assessment_results(session, assessment) if r.unit_id in wanted
        }
    if len(wanted) <= 20:
        found: dict[int, _GradeResult] = {}
        for (uscc,) in session.db.conn.execute(
            f"SELECT uscc FROM units WHERE id IN ({', '.join('?' for _ in wanted)})", list(wanted)
        ):
            for r in grade_all(session.db, session.profile, as_of, uscc=str(uscc)):
                found[r.unit_id] = r
        return found
    return {
        r.unit_id: r for r in grade_all(session.db, session.profile, as_of) if r.unit_id in wanted
    }


def _document_sources(session: Session) -> _doc_build.Sources:
    disputed: dict[int, frozenset[str]] = {}

    def disputed_of(unit_id: int) -> frozenset[str]:
        if not disputed:
            by_unit: dict[int, set[str]] = {}
            for row in _objections.objections(session.db, open_only=True):
                by_unit.setdefault(row.unit_id, set()).add(
                    _objections.quoted_prefix(row.target_text)
                )
            disputed.update({u: frozenset(p) for u, p in by_unit.items()})
            disputed.setdefault(-1, frozenset())  # loaded, even when there are none
        return disputed.get(unit_id, frozenset())

    return _doc_build.Sources(
        grades=lambda ids, as_of, year: _document_grades(session, ids, as_of, year),
        plan=lambda year: year_plan(session, year=year),
        draw=lambda draw_id: draw_detail(session, draw_id),
        listing=lambda entry_id: _listing_facts(session, entry_id),
        objection=lambda objection_id: _objection_facts(session, objection_id),
        disputed=disputed_of,
    )


def _build_documents(
    session: Session,
    request: _doc_build.DocumentRequest,
    day: date,
    progress: Callable[[float, str], None] | None,
) -> list[Any]:
    return _doc_build.build(
        session.db,
        session.profile,
        request,
        bureau=session.bureau_name,
        day=day,
        sources=_document_sources(session),
        progress=progress,
    )


def _renderer(
    session: Session,
    progress: Callable[[float, str], None] | None,
    documents: Any,
    numbers: Any,
) -> Callable[[Any, Any], tuple[bytes, list[tuple[int, int]]]]:
    """The function drawing ``documents``; refused first when the fonts would lose a
    character of them (``numbers``: what the 文号 will say)."""
    from safecredit_desktop.core.documents.render import refuse_lost_characters, render_pdf

    fonts = _doc_fonts.load_fonts(_font_choice(session))
    refuse_lost_characters(fonts, documents, numbers)

    def render(documents: Any, numbers: Any) -> tuple[bytes, list[tuple[int, int]]]:
        total = len(documents)

        def step(done: int) -> None:
            if progress is not None and (done % 50 == 0 or done == total):
                progress(0.3 + 0.6 * done / total, f"正在排版第 {done:,} / {total:,} 份文书…")

        title = documents[0].title if total == 1 else f"{documents[0].title}（{total}份）"
        return render_pdf(fonts, documents, numbers, title=title, progress=step)

    return render


def preview_documents(
    session: Session,
    request: _doc_build.DocumentRequest,
    progress: Callable[[float, str], None] | None = None,
    *,
    today: date | None = None,
) -> bytes:
    """The PDF of ``request`` without numbers (a preview takes none) and without storing."""
    from safecredit_desktop.core.documents.content import preview_number

    day = today or date.today()
    documents = _build_documents(session, request, day, progress)
    prefixes = document_prefixes(session)
    numbers = [preview_number(prefixes.get(d.kind, ""), day.year) for d in documents]
    pdf, _ = _renderer(session, progress, documents, numbers)(documents, numbers)
    return pdf


@dataclass(frozen=True)
class IssueResult:
    pdf: bytes
    issued: list[_doc_register.IssuedDocument]
    reprinted: list[_doc_register.IssuedDocument]
    notes: list[str]


def issue_documents(
    session: Session,
    request: _doc_build.DocumentRequest,
    progress: Callable[[float, str], None] | None = None,
    *,
    today: date | None = None,
    deliver: Callable[[bytes], None] | None = None,
) -> IssueResult:
    """Number, draw and register the documents of ``request`` (one PDF); an identical
    document already issued is reprinted with its number instead. ``deliver`` (writing
    the file the user chose) runs before the numbers are committed: when it fails,
    nothing is issued and no number is used."""
    day = today or date.today()
    from safecredit_desktop.core.documents.content import preview_number

    documents = _build_documents(session, request, day, progress)
    prefixes = document_prefixes(session)
    numbers = [preview_number(prefixes.get(d.kind, ""), day.year) for d in documents]
    outcome = _doc_register.issue(
        session.db,
        session.user,
        documents,
        prefixes=prefixes,
        day=day,
        render=_renderer(session, progress, documents, numbers),
        deliver=deliver,
    )
    notes = list(_font_choice(session).notes)
    return IssueResult(outcome.pdf, outcome.issued, outcome.reprinted, notes)


def document_register(
    session: Session, *, search: str = "", kind: str | None = None, limit: int = 1000
) -> list[_doc_register.IssuedDocument]:
    return _doc_register.search(session.db, text=search, kind=kind, limit=limit)


def issued_file(session: Session, document_id: int, *, reprint: bool = True) -> bytes:
    """The stored PDF file a document was issued in, byte for byte. A reprint (printing
    or saving a copy) is audited; looking at it on screen (``reprint=False``) is not."""
    found = _doc_register.get(session.db, document_id)
    pdf = _doc_register.verified_file(session.db, found)
    if reprint:
        session.repo.log_event(
            "documents", found.doc_no, {"重印": found.doc_no, "对象": found.subject}
        )
    return pdf


def find_issued_document(session: Session, doc_no: str) -> _doc_register.IssuedDocument:
    for found in _doc_register.search(session.db, text=doc_no, limit=50):
        if found.doc_no == doc_no:
            return found
    raise SafeCreditError(f"文书登记中没有文号为“{doc_no}”的文书。")


def search_units_for_documents(
    session: Session, text: str, limit: int = 200
) -> list[tuple[int, str, str]]:
    """(id, code, name) of units matching ``text`` as the registry's search does."""
    rows = query_units(session, registry.UnitQuery(search=text), 0, limit)
    return [(r.id, r.uscc, r.name) for r in rows]


def units_of_grade(
    session: Session, grade: str, as_of: date, *, assessment: int | None = None
) -> list[int]:
    """Ids of the units graded ``grade`` as of ``as_of``, or in the confirmed assessment
    of year ``assessment`` (for batch printing)."""
    from safecredit_desktop.core.rules.engine import grade_all

    if assessment is not None:
        results = assessment_results(session, assessment)
    else:
        results = list(grade_all(session.db, session.profile, as_of))
    return [r.unit_id for r in results if r.grade == grade]


def repairs_for_documents(session: Session) -> list[tuple[int, str]]:
    """Approved repair and early-removal applications as (number, description), the
    number being the one ``repair show`` prints and ``print --repair`` takes."""
    return _doc_data.repair_decisions(session.db)


# -- credit workflows: lists, objections, repairs, commitments, 双公示 --------------------------

from safecredit_desktop.core.workflows import bad_records as _bad  # noqa: E402
from safecredit_desktop.core.workflows import lists as _lists  # noqa: E402
from safecredit_desktop.core.workflows import objections as _objections  # noqa: E402
from safecredit_desktop.core.workflows import publicity as _publicity  # noqa: E402
from safecredit_desktop.core.workflows import repairs as _repairs  # noqa: E402

ListEntry = _lists.ListEntry
Objection = _objections.Objection
RepairApplication = _repairs.Application
RepairCheck = _repairs.Check
BadRecord = _bad.BadRecord
PublicityItem = _publicity.PublicityItem
Permit = _publicity.Permit
CommitmentGap = _publicity.CommitmentGap
OBJECTION_TARGETS = _objections.TARGET_TABLES
REPAIR_TARGETS = _repairs.TARGET_NAMES


def _today(today: date | None) -> date:
    return today or date.today()


def list_kinds(session: Session) -> tuple[str, ...]:
    """红名单 and this profile's list of the seriously dishonest (黑名单 / 严重失信主体名单)."""
    return _lists.list_kinds(session.profile)


def expire_list_entries(session: Session, *, today: date | None = None) -> list[int]:
    """Move published entries whose period has ended to 移出 (期满); runs whenever lists
    are read, so nothing stays listed past its end."""
    return _lists.expire(session.db, _today(today))


def list_entries(
    session: Session,
    *,
    list_kind: str | None = None,
    stage: str | None = None,
    unit_id: int | None = None,
    search: str = "",
    active_only: bool = False,
    today: date | None = None,
) -> list[_lists.ListEntry]:
    expire_list_entries(session, today=today)
    return _lists.entries(
        session.db,
        list_kind=list_kind,
        stage=stage,
        unit_id=unit_id,
        search=search,
        active_only=active_only,
    )


def list_entry(session: Session, entry_id: int) -> _lists.ListEntry:
    return _lists.get(session.db, entry_id)


def propose_list_entries(
    session: Session,
    *,
    as_of: date | None = None,
    today: date | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> list[_lists.ListEntry]:
    """采集 from the rules: units graded in the profile's listed grades (and A for the
    red list) with no entry of that list in progress or in force."""
    from safecredit_desktop.core.rules.engine import grade_all

    day = _today(today)
    if progress is not None:
        progress(0.1, "正在评定信用等级…")
    results = grade_all(session.db, session.profile, as_of or day)
    created = _lists.propose_from_rules(
        session.db, session.user, session.profile, results, day, as_of=as_of or day
    )
    return [_lists.get(session.db, i) for i in created]


def add_list_entry(
    session: Session,
    *,
    unit_id: int,
    list_kind: str,
    facts: str,
    basis: str,
    period_months: int | None = None,
    person_name: str = "",
    person_role: str = "",
    today: date | None = None,
) -> _lists.ListEntry:
    """采集 by hand, with the facts and the basis."""
    entry_id = _lists.add_by_hand(
        session.db,
        session.user,
        session.profile,
        unit_id=unit_id,
        list_kind=list_kind,
        facts=facts,
        basis=basis,
        today=_today(today),
        period_months=period_months,
        person_name=person_name,
        person_role=person_role,
    )
    return _lists.get(session.db, entry_id)


def notify_list_entry(session: Session, entry_id: int, *, served_on: date) -> _lists.ListEntry:
    """告知: the listing notice was served on ``served_on``; the statement period runs."""
    return _lists.notify(
        session.db, session.user, session.profile, working_calendar(session), entry_id, served_on
    )


def record_list_statement(session: Session, entry_id: int, text: str) -> _lists.ListEntry:
    """The unit's 陈述申辩, recorded for the reviewer."""
    return _lists.record_statement(session.db, session.user, entry_id, text)


def review_list_entry(
    session: Session, entry_id: int, *, approve: bool, note: str = "", today: date | None = None
) -> _lists.ListEntry:
    """审核 (审核员 or 管理员, never the proposer): 待公布, or 不予列入 with a reason."""
    require_role(session, Role.REVIEWER, Role.ADMIN)
    return _lists.review(
        session.db,
        session.user,
        entry_id,
        approve=approve,
        note=note,
        today=_today(today),
        profile=session.profile,
    )


def publish_list_entry(session: Session, entry_id: int, *, published_on: date) -> _lists.ListEntry:
    """公布 on ``published_on``; the period runs from it. Refused with a sentence where
    the profile's grades and lists are internal (kundulun)."""
    require_role(session, Role.REVIEWER, Role.ADMIN)
    return _lists.publish(session.db, session.user, entry_id, published_on, session.profile)


def list_publication_refused(session: Session) -> str | None:
    """Why 公布 is not possible under this profile (None: it is), for the window."""
    return _lists.publication_refused(session.profile)


def remove_list_entry(
    session: Session, entry_id: int, *, reason: str, on: date | None = None
) -> _lists.ListEntry:
    """移出 by hand with a reason (审核员 or 管理员); early removal goes through an
    application (``apply_repair`` with the entry)."""
    require_role(session, Role.REVIEWER, Role.ADMIN)
    _lists.remove(
        session.db, session.user, entry_id, on=_today(on), reason=reason, profile=session.profile
    )
    return _lists.get(session.db, entry_id)


def export_list_publication(
    session: Session, path: Path, *, list_kind: str, today: date | None = None
) -> Path:
    """The published entries of a list, for publication (nothing that must not be public)."""
    from safecredit_desktop.core.exchange import workflow_export

    if list_kind not in list_kinds(session):
        raise SafeCreditError(f"本局的信用规则没有“{list_kind}”。")
    profile = session.profile
    # internal lists are never published: the entries reviewed into them, 不对外公布
    stage = "待公布" if _lists.publication_refused(profile) else "公布"
    entries = list_entries(session, list_kind=list_kind, stage=stage, today=today)
    notice = profile.internal_notice if profile.internal_only else None
    written = workflow_export.write_publication(
        path,
        entries,
        list_kind=list_kind,
        bureau_name=session.bureau_name,
        notice=notice,
        today=_today(today),
        stages=(stage,),
    )
    session.repo.log_event(
        "export", str(written), {"导出": f"{list_kind}公布名单", "条数": len(entries)}
    )
    return written


def units_in_force_on_lists(session: Session) -> dict[int, list[str]]:
    """Published lists each unit is on now."""
    return _lists.in_force(session.db)


def incentives_for(session: Session, unit_id: int, *, as_of: date | None = None) -> list[str]:
    """守信激励: for a unit on the red list or graded A, the measures that follow."""
    day = _today(as_of)
    on_red = _lists.RED_LIST in _lists.in_force(session.db, [unit_id]).get(unit_id, [])
    try:
        result = grade_one(session, unit_id, as_of=day)
    except SafeCreditError:
        return []  # not yet founded: no grade, no measures
    if not on_red and result.grade != "A":
        return []
    profile = session.profile
    months = profile.interval_for("A", False)
    measures = [f"检查频次：每{months}个月至少检查一次，以“双随机”抽查为主"]
    grade_measures = profile.grades["A"].measures
    if grade_measures:  # the bureau's own words for what follows grade A
        measures += [m for m in grade_measures.rstrip("。").split("；") if m]
    else:
        measures += [
            "在政府采购、招标投标、评先评优、资金扶持等方面优先考虑",
            "行政审批开通绿色通道，可适用告知承诺制",
        ]
    why = "列入红名单" if on_red else f"信用等级为A级（{profile.label('A')}）"
    return [f"{why}，适用以下守信激励措施：", *measures]


def objections(
    session: Session, *, unit_id: int | None = None, open_only: bool = False, search: str = ""
) -> list[_objections.Objection]:
    return _objections.objections(session.db, unit_id=unit_id, open_only=open_only, search=search)


def objection(session: Session, objection_id: int) -> _objections.Objection:
    return _objections.get(session.db, objection_id)


def file_objection(
    session: Session,
    *,
    table: str,
    record_id: int,
    content: str,
    evidence: str = "",
    filed_on: date | None = None,
) -> _objections.Objection:
    """Record a unit's objection (异议) against one record."""
    new_id = _objections.file(
        session.db,
        session.user,
        table=table,
        record_id=record_id,
        filed_on=_today(filed_on),
        content=content,
        evidence=evidence,
    )
    return _objections.get(session.db, new_id)


def accept_objection(
    session: Session, objection_id: int, *, on: date | None = None
) -> _objections.Objection:
    """受理 (审核员 or 管理员): the answer is due in the profile's working days."""
    require_role(session, Role.REVIEWER, Role.ADMIN)
    return _objections.accept(
        session.db,
        session.user,
        session.profile,
        working_calendar(session),
        objection_id,
        _today(on),
    )


def refuse_objection(
    session: Session, objection_id: int, *, reason: str, on: date | None = None
) -> _objections.Objection:
    require_role(session, Role.REVIEWER, Role.ADMIN)
    return _objections.refuse(session.db, session.user, objection_id, reason, _today(on))


def answer_objection(
    session: Session,
    objection_id: int,
    *,
    findings: str,
    outcome: str,
    corrected: Any | None = None,
    on: date | None = None,
) -> _objections.Objection:
    """The investigator's answer (审核员 or 管理员, not who recorded the record): 更正
    stores ``corrected``, 删除 deletes the record, 保留 keeps it."""
    require_role(session, Role.REVIEWER, Role.ADMIN)
    return _objections.answer(
        session.db,
        session.user,
        objection_id,
        findings=findings,
        outcome=outcome,
        on=_today(on),
        corrected=corrected,
    )


def open_objection_targets(
    session: Session, unit_id: int | None = None
) -> dict[tuple[str, int], str]:
    """Records under an open objection (异议中): (table, id) → the record as quoted."""
    return _objections.open_targets(session.db, unit_id)


def repair_applications(
    session: Session, *, unit_id: int | None = None, status: str | None = None, search: str = ""
) -> list[_repairs.Application]:
    return _repairs.applications(session.db, unit_id=unit_id, status=status, search=search)


def repair_application(session: Session, application_id: int) -> _repairs.Application:
    return _repairs.get(session.db, application_id)


def apply_repair(
    session: Session,
    *,
    table: str,
    target_id: int,
    statement: str = "",
    applied_on: date | None = None,
) -> _repairs.Application:
    """An application for credit repair (a penalty, violation or accident) or for early
    removal (``table="list_entries"``)."""
    new_id = _repairs.apply(
        session.db,
        session.user,
        table=table,
        target_id=target_id,
        applied_on=_today(applied_on),
        statement=statement,
    )
    return _repairs.get(session.db, new_id)


def repair_checks(
    session: Session, application_id: int, *, on: date | None = None
) -> list[_repairs.Check]:
    return _repairs.checks(session.db, session.profile, application_id, _today(on))


def decide_repair(
    session: Session, application_id: int, *, approve: bool, note: str = "", on: date | None = None
) -> _repairs.Application:
    """批准 (effective from ``on``) or 驳回, by a 审核员 or 管理员."""
    require_role(session, Role.REVIEWER, Role.ADMIN)
    return _repairs.decide(
        session.db,
        session.user,
        session.profile,
        application_id,
        approve=approve,
        note=note,
        on=_today(on),
    )


def revoke_repair(
    session: Session, application_id: int, *, reason: str, on: date | None = None
) -> _repairs.Application:
    """Revoke an approval obtained by false statements; the record counts again."""
    require_role(session, Role.REVIEWER, Role.ADMIN)
    return _repairs.revoke(session.db, session.user, application_id, reason=reason, on=_today(on))


def bad_credit_records(
    session: Session, *, unit_id: int | None = None, as_of: date | None = None
) -> list[_bad.BadRecord]:
    """不良信用记录 (seed 002's eight triggers) where the data show them."""
    return _bad.bad_records(session.db, _today(as_of), unit_id)


def commitment_gaps(
    session: Session, *, as_of: date | None = None
) -> list[_publicity.CommitmentGap]:
    """Units lacking a valid unit commitment or main-person 履职尽责承诺."""
    return _publicity.commitment_gaps(session.db, _today(as_of))


def record_commitment_signed(
    session: Session, *, unit_id: int, kind: str, signed_on: date, signer: str = ""
) -> int:
    """A commitment letter came back signed: store it (audited)."""
    if signed_on > date.today():
        raise SafeCreditError("签署日期不能晚于今天。")
    return save_record(session, _model.Commitment(unit_id, kind, signed_on, signer))


def breached_commitment(session: Session, violation_id: int) -> str | None:
    return _publicity.breached_commitment(session.db, violation_id)


def publicity_items(session: Session) -> list[_publicity.PublicityItem]:
    """双公示: the bureau's penalties and the permits, with their due dates."""
    return _publicity.items(session.db, working_calendar(session))


def mark_published(session: Session, kind: str, item_id: int, *, on: date) -> None:
    """Mark a penalty (行政处罚) or a permit (行政许可) as published on ``on``."""
    if kind == "行政处罚":
        record = session.repo.get(_model.Penalty, item_id)
        if on < record.decided_on:
            raise SafeCreditError("公示日期不能早于处罚决定日期。")
        session.repo.update(replace(record, published_on=on))
    elif kind == "行政许可":
        _publicity.mark_published_permit(session.db, session.user, item_id, on)
    else:
        raise SafeCreditError("双公示的类别应为行政处罚或行政许可。")


def permits(session: Session) -> list[_publicity.Permit]:
    return _publicity.permits(session.db)


def add_permit(
    session: Session, *, unit_id: int, permit_no: str, kind: str, decided_on: date
) -> int:
    return _publicity.add_permit(
        session.db,
        session.user,
        unit_id=unit_id,
        permit_no=permit_no,
        kind=kind,
        decided_on=decided_on,
    )


def export_publicity(session: Session, path: Path, *, today: date | None = None) -> Path:
    from safecredit_desktop.core.exchange import workflow_export

    items = publicity_items(session)
    written = workflow_export.write_publicity(
        path, items, bureau_name=session.bureau_name, today=_today(today)
    )
    session.repo.log_event("export", str(written), {"导出": "双公示", "条数": len(items)})
    return written


def export_penalty_publicity(
    session: Session, path: Path, *, start: date, end: date, today: date | None = None
) -> _PenaltyPublicity:
    """行政处罚双公示 (workbook.md): the bureau's penalties decided from ``start`` to ``end``
    in the national publicity columns, with a 缺项 sheet naming every required cell the
    records leave blank. Returns ``publicity_export.PenaltyPublicity`` (rows, gaps, path)."""
    from safecredit_desktop.core.exchange import publicity_export

    bureau = session.bureau_name
    found = publicity_export.collect(
        session.db,
        start=start,
        end=end,
        bureau_name=bureau,
        bureau_uscc=get_setting(session.db, keys.BUREAU_USCC),
    )
    written = publicity_export.write_penalty_publicity(
        Path(path), found, bureau_name=bureau, today=_today(today)
    )
    session.repo.log_event(
        "export",
        str(written),
        {
            "导出": publicity_export.TITLE,
            "期间": f"{start.isoformat()} 至 {end.isoformat()}",
            "条数": len(found.rows),
            "缺项": len(found.gaps),
        },
    )
    return replace(found, path=written)


def _listing_facts(session: Session, entry_id: int) -> tuple[int, Any]:
    from safecredit_desktop.core.documents.notices import ListingFacts

    entry = _lists.get(session.db, entry_id)
    return entry.unit_id, ListingFacts(
        entry.id,
        entry.list_kind,
        entry.subject,
        entry.facts,
        entry.basis,
        entry.period_months,
        entry.published_on,
        entry.removed_on,
        entry.removal_reason,
    )


def _objection_facts(session: Session, objection_id: int) -> tuple[int, Any]:
    from safecredit_desktop.core.documents.notices import ObjectionFacts

    found = _objections.get(session.db, objection_id)
    if found.status != "已答复" or found.outcome is None or found.investigator is None:
        raise SafeCreditError("该异议尚未答复，不能出具答复书。")
    return found.unit_id, ObjectionFacts(
        found.id,
        found.filed_on,
        found.target_text,
        found.content,
        found.findings,
        found.outcome,
        _display_name(session, found.investigator),
    )


def _display_name(session: Session, username: str) -> str:
    """How a notice names a user: the display name set in 用户管理, else the login."""
    user = user_store.find_user(session.db, username)
    return (user.display_name.strip() if user is not None else "") or username


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
