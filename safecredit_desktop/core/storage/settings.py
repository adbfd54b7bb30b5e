"""Key–value settings of the bureau (name, profile, e-mail …), audited like records."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from safecredit_desktop.core.errors import SafeCreditError, ValidationError
from safecredit_desktop.core.storage import audit
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.validate import validate_uscc

BUREAU_NAME = "bureau_name"
PROFILE_NAME = "profile_name"
PROFILE_TEXT = "profile_text"
UPPER_EMAIL = "upper_email"
CREATED_AT = "created_at"
# The bureau's own 统一社会信用代码 (双公示 处罚机关/数据来源单位 columns) and the default
# 统计人员 of the statistics form; both kept by an administrator (`settings set`).
BUREAU_USCC = "bureau_uscc"
REPORTER = "statistics_reporter"


def get_setting(db: Database, key: str, default: str = "") -> str:
    row = db.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return default if row is None else str(row[0])


def set_setting(db: Database, user: str, key: str, value: str) -> None:
    with db.transaction() as conn:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        before = None if row is None else {"key": key, "value": row[0]}
        if before is not None and before["value"] == value:
            return
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
        action = "insert" if before is None else "update"
        entry = audit.AuditEntry(action, "settings", key, before, {"key": key, "value": value})
        audit.append(conn, user, [entry])


# -- the settings an administrator keeps (设置 → 单位信息, `safecredit settings`) -------------

ENTRUSTED_TOWNS = "entrusted_towns"  # the same key as scheduling/due.py reads
DRAW_AVOID_OWN_TOWN = "draw_avoid_own_town"  # the same key as the draws part's setting
COUNTY_TOWNS = "county_towns"  # 本县乡镇: the unit form's 所在乡镇 list (设置 → 乡镇)

_LINE_BREAKS = re.compile(r"[\r\n\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_TOWN_SEPARATORS = re.compile(r"[,，、;；\s]+")


def _one_line(name: str, value: str, longest: int) -> str:
    if _LINE_BREAKS.search(value):
        raise ValidationError(name, "不能包含换行或控制字符。", value)
    value = value.strip()
    if len(value) > longest:
        raise ValidationError(name, f"最多{longest}个字。", value)
    return value


def check_bureau_name(value: str) -> str:
    value = _one_line("单位名称", value, 60)
    if not value:
        raise ValidationError("单位名称", "不能为空（如：凤凰县应急管理局）。", value)
    return value


def check_bureau_uscc(value: str) -> str:
    value = _one_line("单位统一社会信用代码", value, 40).upper()
    if not value:
        return ""
    code, _ok = validate_uscc(value, field="单位统一社会信用代码")
    return code


def check_email(value: str, *, field: str = "上级单位邮箱") -> str:
    """One e-mail address (or blank). It goes into the To: header of the .eml draft, so
    a line break (a second header) or a list of addresses is refused."""
    value = _one_line(field, value, 254)
    if value and not _EMAIL.match(value):
        raise ValidationError(
            field, f"“{value}”不是有效的电子邮箱地址（应为一个地址，如 tjk@xxzz.gov.cn）。", value
        )
    return value


def check_reporter(value: str) -> str:
    return _one_line("统计人员", value, 20)


def _town_list(field: str, value: str, longest: int) -> str:
    """Town names separated by commas, 顿号 or spaces: each once, joined by 、."""
    value = _one_line(field, value, longest)
    towns: list[str] = []
    for town in _TOWN_SEPARATORS.split(value):
        if town and town not in towns:
            if len(town) > 20:
                raise ValidationError(field, f"“{town}”不像乡镇名称（最多20个字）。")
            towns.append(town)
    return "、".join(towns)


def check_towns(value: str) -> str:
    return _town_list("受委托乡镇", value, 1000)


def check_county_towns(value: str) -> str:
    """本县乡镇: the county's towns (设置 → 乡镇), each once, joined by 、."""
    return _town_list("本县乡镇", value, 4000)


def check_yes_no(value: str) -> str:
    text = _one_line("双随机回避本乡镇", value, 10).lower()
    if text in ("是", "1", "yes", "true", "y"):
        return "是"
    if text in ("否", "0", "no", "false", "n", ""):
        return "否"
    raise ValidationError("双随机回避本乡镇", "应为“是”或“否”。", value)


@dataclass(frozen=True)
class BureauSetting:
    """One setting an administrator keeps: its Chinese name (cli.md's key), where it is
    stored, what it is for, and the check that normalises a new value or refuses it."""

    name: str
    key: str
    note: str
    check: Callable[[str], str]
    default: str = ""  # what an unset value means


BUREAU_SETTINGS: tuple[BureauSetting, ...] = (
    BureauSetting("单位名称", BUREAU_NAME, "本局名称，用于文书、报表和执法主体", check_bureau_name),
    BureauSetting(
        "单位统一社会信用代码",
        BUREAU_USCC,
        "本局的统一社会信用代码（双公示的处罚机关、数据来源单位）",
        check_bureau_uscc,
    ),
    BureauSetting("上级单位邮箱", UPPER_EMAIL, "报送统计表的收件地址", check_email),
    BureauSetting("统计人员", REPORTER, "统计表默认的统计人员", check_reporter),
    BureauSetting("受委托乡镇", ENTRUSTED_TOWNS, "受委托执法的乡镇，用“、”分隔", check_towns),
    BureauSetting(
        "本县乡镇",
        COUNTY_TOWNS,
        "本县的乡镇（街道），用“、”分隔；录入企业时从中选择所在乡镇",
        check_county_towns,
    ),
    BureauSetting(
        "双随机回避本乡镇",
        DRAW_AVOID_OWN_TOWN,
        "是：执法人员不抽到所属乡镇的企业",
        check_yes_no,
        "否",
    ),
)


def bureau_setting(name: str) -> BureauSetting:
    """The setting called ``name`` (its Chinese name); refused with the list of names."""
    for setting in BUREAU_SETTINGS:
        if setting.name == name.strip():
            return setting
    names = "、".join(s.name for s in BUREAU_SETTINGS)
    raise SafeCreditError(f"没有名为“{name}”的设置。可设置的项目：{names}。")


def bureau_settings(db: Database) -> list[tuple[BureauSetting, str]]:
    """Every setting an administrator keeps, with its current value."""
    values = {s.key: get_setting(db, s.key, s.default) for s in BUREAU_SETTINGS}
    return [(s, values[s.key]) for s in BUREAU_SETTINGS]


def set_bureau_settings(db: Database, user: str, values: Mapping[str, str]) -> list[str]:
    """Check every value first (nothing is stored if one is refused), then store those that
    changed in one transaction, each audited. Returns the names of the settings changed."""
    checked: dict[BureauSetting, str] = {}
    for name, value in values.items():
        setting = bureau_setting(name)
        checked[setting] = setting.check(value)
    changed: list[str] = []
    with db.transaction():
        for setting, value in checked.items():
            if get_setting(db, setting.key, setting.default) != value:
                set_setting(db, user, setting.key, value)
                changed.append(setting.name)
    return changed
