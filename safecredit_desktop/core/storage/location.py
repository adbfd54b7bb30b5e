"""Where a register is: a SQLite file (a path) or a PostgreSQL database (a URL).

``--db`` and the window's 打开 take either (cli.md): a file path, or
``postgresql://USER@HOST[:PORT]/DBNAME[?sslmode=…]``. The password is never part of the
URL and never stored: libpq reads ``$PGPASSWORD`` or ``~/.pgpass``, or the program asks
for it (terminal or dialog) and keeps it in memory for the session.

A server register has a folder of its own on this computer, in the user's data folder
(``servers/<user>@<host>-<port>-<dbname>.register``): the audit anchors of that register
are kept beside that name and its backups (SQLite files) in ``….register.backups/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from safecredit_desktop.core.errors import StorageError
from safecredit_desktop.core.paths import user_data_dir

SCHEMES = ("postgresql://", "postgres://")
_SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
_SAFE = re.compile(r"[^0-9A-Za-z_.@-]+")


@dataclass(frozen=True)
class ServerLocation:
    """A PostgreSQL register: the URL as given (without a password)."""

    url: str
    user: str
    host: str
    port: int
    dbname: str
    options: tuple[tuple[str, str], ...] = ()
    password: str | None = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        return self.url

    def with_password(self, password: str) -> ServerLocation:
        return replace(self, password=password)

    @property
    def local_path(self) -> Path:
        """The name this register's anchors and backups are kept under on this computer."""
        name = _SAFE.sub("_", f"{self.user}@{self.host}-{self.port}-{self.dbname}")
        return user_data_dir() / "servers" / f"{name}.register"

    @property
    def label(self) -> str:
        return f"{self.dbname}（{self.host}:{self.port}，用户 {self.user}）"


Location = Path | ServerLocation


def is_server_text(text: str) -> bool:
    return text.strip().lower().startswith(SCHEMES)


def parse_server(text: str) -> ServerLocation:
    """A URL ``postgresql://USER@HOST[:PORT]/DBNAME[?sslmode=…]``, checked."""
    text = text.strip()
    parts = urlsplit(text)
    example = "postgresql://用户名@服务器[:端口]/数据库名[?sslmode=require]"
    if parts.password is not None:
        raise StorageError(
            "数据库地址中不能写密码（密码不保存在任何地方）：请去掉“:密码”，"
            "程序会询问密码，也可以用环境变量 PGPASSWORD 或 ~/.pgpass 文件。"
        )
    if not parts.username or not parts.hostname or not parts.path.strip("/"):
        raise StorageError(f"数据库地址“{text}”不完整，应为 {example}。")
    try:
        port = parts.port or 5432
    except ValueError as exc:
        raise StorageError(f"数据库地址“{text}”中的端口不是数字，应为 {example}。") from exc
    options = tuple(parse_qsl(parts.query, keep_blank_values=True))
    for key, value in options:
        if key == "sslmode" and value not in _SSLMODES:
            raise StorageError(
                f"数据库地址中的 sslmode={value} 无法识别，可用：{'、'.join(_SSLMODES)}。"
            )
    return ServerLocation(
        url=text,
        user=unquote(parts.username),
        host=parts.hostname,
        port=port,
        dbname=unquote(parts.path.strip("/")),
        options=options,
    )


def parse(text: str | Path) -> Location:
    """A path or a server URL."""
    if isinstance(text, Path):
        return text
    if is_server_text(text):
        return parse_server(text)
    return Path(text).expanduser()


def is_server(location: object) -> bool:
    return isinstance(location, ServerLocation)


def local_path(location: Location) -> Path:
    """The file, or the name a server register's anchors and backups are kept under."""
    return location.local_path if isinstance(location, ServerLocation) else location


def describe(location: Location) -> str:
    return str(location)
