"""The bureau's settings an administrator keeps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from safecredit_desktop.core.model import Role
from safecredit_desktop.core.storage import settings as keys
from safecredit_desktop.core.storage.settings import get_setting

if TYPE_CHECKING:
    from safecredit_desktop.core.app.session import Session


class SettingsPart:
    """The bureau's settings an administrator keeps."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def upper_email(self) -> str:
        """The configured upper-level e-mail address (blank if none)."""
        session = self._session
        return get_setting(session.db, keys.UPPER_EMAIL).strip()

    def bureau(self) -> list[tuple[keys.BureauSetting, str]]:
        """The settings an administrator keeps (设置 → 单位信息, `settings get`), with values."""
        session = self._session
        return keys.bureau_settings(session.db)

    def set_bureau(self, values: dict[str, str]) -> list[str]:
        """Change settings by their Chinese names (管理员): every value checked first, the
        changed ones stored in one transaction, audited. Returns the names changed."""
        session = self._session
        session.require(Role.ADMIN)
        return keys.set_bureau_settings(session.db, session.user, values)
