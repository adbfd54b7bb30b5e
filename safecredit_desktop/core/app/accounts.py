"""Users: add, passwords, roles, deactivation, recoveries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from safecredit_desktop.core.app import files
from safecredit_desktop.core.app.part import Part
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.storage import users as user_store

if TYPE_CHECKING:
    from safecredit_desktop.core.app.session import Session


def _require_user_manager(session: Session) -> None:
    """Managing users needs an administrator once the database has one; before that,
    anyone holding the file may (so that the first administrator can be made)."""
    if files.has_admin(session.db):
        session.require(Role.ADMIN)


class AccountsPart(Part):
    """Users: add, passwords, roles, deactivation, recoveries."""

    def users(self) -> list[user_store.User]:
        session = self._session
        return user_store.list_users(session.db)

    def create_user(
        self,
        username: str,
        password: str,
        roles: Role | frozenset[Role] | set[Role],
        display_name: str = "",
    ) -> user_store.NewAccount:
        """Add a user (an administrator's session once there is one); an administrator's
        recovery code comes back in ``recovery_code``, to be shown once."""
        session = self._session
        _require_user_manager(session)
        return user_store.add_user(
            session.db, session.user, username, password, roles, display_name
        )

    def set_password(self, username: str, password: str) -> None:
        session = self._session
        _require_user_manager(session)
        user_store.reset_password(session.db, session.user, username, password)

    def set_roles(self, username: str, roles: Role | frozenset[Role] | set[Role]) -> str | None:
        """Give a user exactly ``roles``; returns a recovery code for a new administrator."""
        session = self._session
        _require_user_manager(session)
        return user_store.set_roles(session.db, session.user, username, roles)

    def set_county(self, username: str, county: str) -> None:
        """A city server: the county (报送单位) whose units the user sees and changes
        (blank: the whole register)."""
        session = self._session
        _require_user_manager(session)
        user_store.set_county(session.db, session.user, username, county)

    def county_of(self, username: str) -> str:
        return user_store.county_of(self._session.db.conn, username)

    def set_active(self, username: str, active: bool) -> None:
        """Deactivate a user (they cannot sign in) or take them back."""
        session = self._session
        _require_user_manager(session)
        user_store.set_active(session.db, session.user, username, active)

    def pending_recoveries(self) -> list[user_store.Recovery]:
        session = self._session
        return user_store.pending_recoveries(session.db.conn)

    def acknowledge_recoveries(self) -> int:
        """An administrator has seen the recovery notices: stop announcing them."""
        session = self._as_admin()
        return user_store.acknowledge_recoveries(session.db, session.user)

    def set_name(self, username: str, display_name: str) -> None:
        """Change a user's 姓名 (管理员; anyone may change their own)."""
        session = self._session
        if username != session.user:
            _require_user_manager(session)
        user_store.set_display_name(session.db, session.user, username, display_name)

    def person_name(self, username: str | None = None) -> str:
        """The person's 姓名 (the session's user by default), else the login."""
        session = self._session
        login = username or session.user
        found = user_store.find_user(session.db, login)
        return (found.display_name.strip() if found is not None else "") or login
