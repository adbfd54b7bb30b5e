"""The use-cases. The window and the CLI call only these; they hold no logic themselves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from safecredit_desktop.core import forms, registry
from safecredit_desktop.core import timeline as _timeline
from safecredit_desktop.core.demo import generate_demo
from safecredit_desktop.core.errors import SafeCreditError, StorageError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.paths import backups_dir_for
from safecredit_desktop.core.rules.profile import (
    BUILTIN_PROFILES,
    Profile,
    load_profile,
    parse_profile,
)
from safecredit_desktop.core.storage import assessments, audit, backup, migrations, rotation
from safecredit_desktop.core.storage import settings as keys
from safecredit_desktop.core.storage import users as user_store
from safecredit_desktop.core.storage.clock import now_iso
from safecredit_desktop.core.storage.connection import Database
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
    role: Role = Role.CLERK
    _profile: Profile | None = field(default=None, repr=False)
    last_save: UndoStep | None = field(default=None, repr=False)

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
        self.db.close()


# -- creating and opening ----------------------------------------------------------------


def init_database(
    path: Path,
    *,
    profile: str,
    bureau_name: str,
    user: str,
    admin: tuple[str, str] | None = None,
    upper_email: str = "",
) -> Session:
    """Create a database for a profile; refuses an existing file. ``admin`` = (name, password)."""
    bureau_name = bureau_name.strip()
    if not bureau_name:
        raise SafeCreditError("请填写单位名称（如：凤凰县应急管理局）。")
    loaded = load_profile(profile)
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
                user_store.add_user(db, user, admin[0], admin[1], Role.ADMIN)
    except BaseException:
        db.close()
        path.unlink(missing_ok=True)
        raise
    return Session(db, user, Role.ADMIN if admin else Role.CLERK, loaded)


def open_session(path: Path, *, user: str, role: Role = Role.CLERK) -> Session:
    db = Database.open(path)
    if not get_setting(db, keys.PROFILE_TEXT):
        db.close()
        raise StorageError(f"{path} 尚未完成初始化（没有信用规则），请用 safecredit init 新建。")
    return Session(db, user, role)


def sign_in(path: Path, username: str, password: str) -> Session:
    db = Database.open(path)
    try:
        found = user_store.authenticate(db, username, password)
    except BaseException:
        db.close()
        raise
    session = Session(db, found.username, found.role)
    session.repo.log_event("users", found.username, {"登录": now_iso()})
    return session


def require_role(session: Session, *roles: Role) -> None:
    if session.role not in roles:
        names = "或".join(r.value for r in roles)
        raise SafeCreditError(f"此操作需要{names}权限，当前用户“{session.user}”没有该权限。")


def has_admin(db: Database) -> bool:
    return any(u.role is Role.ADMIN and u.active for u in user_store.list_users(db))


# -- check, backup, restore ---------------------------------------------------------------


@dataclass(frozen=True)
class CheckReport:
    problems: list[str]
    counts: dict[str, int]
    audit_entries: int
    schema_version: int

    @property
    def ok(self) -> bool:
        return not self.problems


def check_database(path: Path) -> CheckReport:
    """integrity_check, foreign_key_check and the audit chain; read-only."""
    db = Database.open(path, upgrade=False)
    try:
        conn = db.conn
        problems: list[str] = []
        version = migrations.schema_version(conn)
        if version < migrations.latest_version():
            problems.append(f"数据结构版本 {version} 较旧，打开时将自动升级（升级前会先备份）。")
        integrity = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            problems.extend(f"完整性检查：{line}" for line in integrity[:20])
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
            problems.append(f"表 {table} 第 {rowid} 行引用了不存在的 {parent} 记录。")
        broken = audit.verify_chain(conn)
        if broken is not None:
            problems.append(broken.message)
        if version >= 2:
            for year in assessments.confirmed_years(db):
                if not assessments.verify(db, year):
                    problems.append(f"{year}年度评定的存储结果与确认时记录的不一致，已被改动。")
        counts = {
            spec.label: int(conn.execute(f"SELECT count(*) FROM {spec.name}").fetchone()[0])
            for spec in TABLES
        }
        entries = int(conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])
    finally:
        db.close()
    return CheckReport(problems, counts, entries, version)


def backup_now(path: Path, *, to: Path | None = None, user: str) -> Path:
    """Copy the database while it may be in use; the copy is verified, then the act audited."""
    if not path.exists():
        raise StorageError(f"数据库文件不存在：{path}")
    copy = backup.backup_database(path, reason="manual", to=to)
    with Database.open(path) as db:
        Repository(db, user).log_event("backup", str(copy), {"备份到": str(copy)})
    return copy


def latest_backup_time(path: Path) -> str | None:
    found = backup.latest_backup(path)
    if found is None:
        return None
    return datetime.fromtimestamp(found.stat().st_mtime).isoformat(sep=" ", timespec="minutes")


def restore_from(path: Path, candidate: Path, *, user: str) -> Path:
    """Replace the database with ``candidate`` after checking it; returns the safety copy.

    The current database is backed up first, so a restore can itself be undone.
    """
    backup.inspect_candidate(candidate, latest_version=migrations.latest_version())
    if candidate.resolve() == path.resolve():
        raise StorageError("不能用数据库自身恢复自身，请选择一个备份文件。")
    safety = backup.backup_database(path, reason="before-restore") if path.exists() else None
    backup.restore_into(candidate, path)
    with Database.open(path) as db:
        detail = {"恢复自": str(candidate), "恢复前备份": str(safety) if safety else ""}
        Repository(db, user).log_event("restore", str(candidate), detail)
    return safety or path


# -- demo data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoResult:
    counts: dict[str, int]


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
    summary = generate_demo(
        session.db,
        session.repo,
        session.profile,
        enterprises=enterprises,
        seed=seed,
        today=today or date.today(),
        progress=progress,
    )
    return DemoResult(dict(summary.counts))


# -- units ---------------------------------------------------------------------------------


def count_units(session: Session) -> int:
    return int(session.db.conn.execute("SELECT count(*) FROM units").fetchone()[0])


# -- users and restore helpers used by the CLI ----------------------------------------------


def check_restore_candidate(candidate: Path) -> int:
    return backup.inspect_candidate(candidate, latest_version=migrations.latest_version())


def database_has_admin(path: Path) -> bool:
    with Database.open(path) as db:
        return has_admin(db)


def users_of(path: Path) -> list[user_store.User]:
    with Database.open(path) as db:
        return user_store.list_users(db)


def add_user(
    path: Path, actor: str, username: str, password: str, role: Role, display_name: str = ""
) -> user_store.User:
    with Database.open(path) as db:
        return user_store.add_user(db, actor, username, password, role, display_name)


def reset_user_password(path: Path, actor: str, username: str, password: str) -> None:
    with Database.open(path) as db:
        user_store.reset_password(db, actor, username, password)


# -- records: save, delete, undo --------------------------------------------------------------


def record_type(table: str) -> type[Any]:
    """The dataclass of a record kind, by table name (units, inspections, accidents …)."""
    return SPEC_BY_NAME[table].record


def get_record(session: Session, table: str, record_id: int) -> Any:
    return session.repo.get(record_type(table), record_id)


def save_record(session: Session, record: Any) -> int:
    """Insert a new record or store an edited one; the save can be undone once."""
    spec = SPEC_BY_RECORD[type(record)]
    repo = session.repo
    if record.id is None:
        record_id = repo.insert(record)
        step = UndoStep(type(record), record_id, None, f"撤销新增{spec.label}记录")
    else:
        before = repo.get(type(record), record.id)
        if not repo.update(record):
            return int(record.id)
        record_id = int(record.id)
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
    path: Path, *, force: bool = False, now: datetime | None = None
) -> Path | None:
    """The daily / on-close backup, then thinning. Returns the copy, or None if not due.

    Without ``force`` a backup is made only when the newest one is a day old or more.
    """
    now = now or datetime.now()
    folder = backups_dir_for(path)
    newest = next(iter(rotation.list_backups(folder)), None)
    if not force and newest is not None and (now - newest.taken).total_seconds() < 86_400:
        return None
    copy = backup.backup_database(path, reason="auto")
    rotation.thin(folder, now)
    return copy


def backups_of(path: Path) -> list[Any]:
    """Backups beside the database, newest first (rotation.BackupFile)."""
    return list(rotation.list_backups(backups_dir_for(path)))


def restore_backup(session: Session, candidate: Path) -> Path:
    """The window's restore: administrator only; returns the safety copy of the current data."""
    require_role(session, Role.ADMIN)
    check_restore_candidate(candidate)
    return restore_from(session.db.path, candidate, user=session.user)


def session_users(session: Session) -> list[user_store.User]:
    return user_store.list_users(session.db)


def create_user(
    session: Session, username: str, password: str, role: Role, display_name: str = ""
) -> user_store.User:
    require_role(session, Role.ADMIN)
    return user_store.add_user(session.db, session.user, username, password, role, display_name)


def set_user_password(session: Session, username: str, password: str) -> None:
    require_role(session, Role.ADMIN)
    user_store.reset_password(session.db, session.user, username, password)


def database_needs_admin(path: Path) -> bool:
    """True for a database made by ``safecredit init`` without an administrator."""
    return not database_has_admin(path)


def create_first_admin(path: Path, username: str, password: str) -> Session:
    """The window's way into a database that has no administrator yet."""
    with Database.open(path) as db:
        if has_admin(db):
            raise SafeCreditError("此数据库已有管理员，请直接登录。")
        user_store.add_user(db, f"窗口:{username}", username, password, Role.ADMIN)
    return sign_in(path, username, password)


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
    """One page of the registry for ``query`` (search, filters, sort)."""
    return registry.fetch_units(
        session.db, query, offset, limit, session.profile.high_risk_categories
    )


def count_matching_units(session: Session, query: registry.UnitQuery) -> int:
    return registry.count_units(session.db, query, session.profile.high_risk_categories)


def registry_filter_choices(session: Session) -> tuple[list[str], list[str], list[str]]:
    """(categories, towns, statuses) present in the registry, for the filter lists."""
    return registry.filter_choices(session.db)


def registry_grades_available(session: Session) -> bool:
    """Whether units have grades yet (the grading engine stores them; until then, no)."""
    return registry.grades_available(session.db)


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


def find_unit_by_code(session: Session, uscc: str) -> tuple[int, str] | None:
    """A stored unit by its 统一社会信用代码: (id, name), or None."""
    return forms.find_unit(session.db, uscc)
