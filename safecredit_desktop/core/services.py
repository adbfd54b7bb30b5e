"""The use-cases. The window and the CLI call only these; they hold no logic themselves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from safecredit_desktop.core.errors import SafeCreditError, StorageError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.rules.profile import Profile, load_profile, parse_profile
from safecredit_desktop.core.storage import audit, backup, migrations
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
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    from safecredit_desktop.core.demo import generate_demo

    if enterprises < 1:
        raise SafeCreditError("企业数量至少为 1。")
    summary = generate_demo(
        session.db,
        session.repo,
        session.profile,
        enterprises=enterprises,
        seed=seed,
        today=today or date.today(),
    )
    return DemoResult(dict(summary.counts))


# -- registry (minimal until the window issue) ---------------------------------------------


@dataclass(frozen=True)
class UnitListRow:
    id: int
    uscc: str
    name: str
    category: str
    town: str
    status: str


def list_units(session: Session, *, limit: int = 200, offset: int = 0) -> list[UnitListRow]:
    rows = session.db.conn.execute(
        "SELECT id, uscc, name, category, town, status FROM units"
        " ORDER BY name_pinyin, id LIMIT ? OFFSET ?",
        (limit, offset),
    )
    return [UnitListRow(int(r[0]), *(str(v) for v in r[1:])) for r in rows]


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
