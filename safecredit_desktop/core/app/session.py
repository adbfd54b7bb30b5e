"""The Session: an open database, who acts on it, and the parts that are its API
(Anki's Collection with its managers). The window and the CLI call only these."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from safecredit_desktop.core.errors import SafeCreditError, StorageError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.rules.profile import (
    Profile,
    parse_profile,
)
from safecredit_desktop.core.storage import audit
from safecredit_desktop.core.storage import settings as keys
from safecredit_desktop.core.storage.changes import Changes
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.repository import Repository
from safecredit_desktop.core.storage.settings import get_setting

if TYPE_CHECKING:
    from safecredit_desktop.core.app.accounts import AccountsPart
    from safecredit_desktop.core.app.documents import DocumentsPart
    from safecredit_desktop.core.app.draws import DrawsPart
    from safecredit_desktop.core.app.exchange import ExchangePart
    from safecredit_desktop.core.app.grading import GradingPart
    from safecredit_desktop.core.app.lists import ListsPart
    from safecredit_desktop.core.app.objections import ObjectionsPart
    from safecredit_desktop.core.app.publicity import PublicityPart
    from safecredit_desktop.core.app.records import RecordsPart
    from safecredit_desktop.core.app.repairs import RepairsPart
    from safecredit_desktop.core.app.reports import ReportsPart
    from safecredit_desktop.core.app.schedule import SchedulePart
    from safecredit_desktop.core.app.settings import SettingsPart
    from safecredit_desktop.core.app.units import UnitsPart


@dataclass(frozen=True)
class UndoStep:
    """How to take back the last save: the record as it was (None: it was new);
    ``deleted``: the save was a deletion (undoing it stores ``before`` again)."""

    record_type: type[Any]
    record_id: int
    before: Any | None
    description: str
    deleted: bool = False


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

    def require(self, *roles: Role) -> None:
        """Refuse unless the session's user has one of ``roles``."""
        if not self.has_role(*roles):
            names = "或".join(r.value for r in roles)
            raise SafeCreditError(f"此操作需要{names}权限，当前用户“{self.user}”没有该权限。")

    def reopen(self) -> Session:
        """The same database, user and role on a new connection, for a worker thread (call
        it in that thread; the worker closes it). The two connections' transactions are
        separate: what the window saves while a job runs is not the job's to roll back."""
        db = self.db.reopen()
        return Session(
            db,
            self.user,
            self.role,
            self._profile,
            moves_checkpoint=False,
            extra_roles=self.extra_roles,
        )

    def take_changes(self) -> Changes:
        """What the session's committed writes touched since last asked (and forget it)."""
        return self.db.take_changes()

    def absorb_changes(self, changes: Changes) -> None:
        """Count a worker's committed writes as the session's own, for its next
        ``take_changes``."""
        self.db.absorb_changes(changes)

    @cached_property
    def records(self) -> RecordsPart:
        from safecredit_desktop.core.app.records import RecordsPart

        return RecordsPart(self)

    @cached_property
    def units(self) -> UnitsPart:
        from safecredit_desktop.core.app.units import UnitsPart

        return UnitsPart(self)

    @cached_property
    def grading(self) -> GradingPart:
        from safecredit_desktop.core.app.grading import GradingPart

        return GradingPart(self)

    @cached_property
    def schedule(self) -> SchedulePart:
        from safecredit_desktop.core.app.schedule import SchedulePart

        return SchedulePart(self)

    @cached_property
    def draws(self) -> DrawsPart:
        from safecredit_desktop.core.app.draws import DrawsPart

        return DrawsPart(self)

    @cached_property
    def documents(self) -> DocumentsPart:
        from safecredit_desktop.core.app.documents import DocumentsPart

        return DocumentsPart(self)

    @cached_property
    def exchange(self) -> ExchangePart:
        from safecredit_desktop.core.app.exchange import ExchangePart

        return ExchangePart(self)

    @cached_property
    def reports(self) -> ReportsPart:
        from safecredit_desktop.core.app.reports import ReportsPart

        return ReportsPart(self)

    @cached_property
    def lists(self) -> ListsPart:
        from safecredit_desktop.core.app.lists import ListsPart

        return ListsPart(self)

    @cached_property
    def objections(self) -> ObjectionsPart:
        from safecredit_desktop.core.app.objections import ObjectionsPart

        return ObjectionsPart(self)

    @cached_property
    def repairs(self) -> RepairsPart:
        from safecredit_desktop.core.app.repairs import RepairsPart

        return RepairsPart(self)

    @cached_property
    def publicity(self) -> PublicityPart:
        from safecredit_desktop.core.app.publicity import PublicityPart

        return PublicityPart(self)

    @cached_property
    def settings(self) -> SettingsPart:
        from safecredit_desktop.core.app.settings import SettingsPart

        return SettingsPart(self)

    @cached_property
    def accounts(self) -> AccountsPart:
        from safecredit_desktop.core.app.accounts import AccountsPart

        return AccountsPart(self)

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
