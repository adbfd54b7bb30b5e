"""The bureau's settings an administrator keeps."""

from __future__ import annotations

from safecredit_desktop.core.app.part import Part
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.storage import settings as keys
from safecredit_desktop.core.storage.settings import get_setting


class SettingsPart(Part):
    """The bureau's settings an administrator keeps."""

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
        session = self._as_admin()
        return keys.set_bureau_settings(session.db, session.user, values)

    # -- 本县乡镇 (设置 → 乡镇): the unit form's list of 所在乡镇 ------------------------------
    def towns(self) -> list[str]:
        """The county's towns an administrator keeps, in the order kept (empty: no list)."""
        session = self._session
        text = get_setting(session.db, keys.COUNTY_TOWNS)
        return [t for t in text.split("、") if t]

    def set_towns(self, towns: list[str]) -> list[str]:
        """Replace the county's towns (管理员), audited; returns the list as stored."""
        session = self._as_admin()
        keys.set_bureau_settings(session.db, session.user, {"本县乡镇": "、".join(towns)})
        return self.towns()

    def add_town(self, town: str) -> list[str]:
        """Add one town to the county's list (管理员; from 设置 or the unit form)."""
        name = town.strip()
        if not name:
            raise SafeCreditError("请填写乡镇名称。")
        current = self.towns()
        if name in current:
            return current
        return self.set_towns([*current, name])

    def towns_in_registry(self) -> list[str]:
        """The towns the registry's units name, in pinyin order (to start the list from)."""
        session = self._session
        from safecredit_desktop.core.registry import filter_choices

        return list(filter_choices(session.db)[1])
