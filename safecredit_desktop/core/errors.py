"""The project's one exception family: every refusal carries a Chinese sentence."""

from __future__ import annotations

from pathlib import Path


class SafeCreditError(Exception):
    """Input or data refused; ``message`` is the Chinese sentence shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(SafeCreditError):
    """A value that fails a check. ``field`` names the form field or column (Chinese)."""

    def __init__(self, field: str, message: str, value: object = None) -> None:
        super().__init__(f"{field}：{message}" if field else message)
        self.field = field
        self.reason = message
        self.value = value


class BadCheckCharacterError(ValidationError):
    """A 统一社会信用代码 whose only fault is its check character (may be accepted)."""


class StorageError(SafeCreditError):
    """The database cannot be opened, upgraded, restored or written."""


class DamagedDatabaseError(StorageError):
    """SQLite cannot read the database file; ``backup`` is the newest good backup."""

    def __init__(self, message: str, *, path: Path, backup: Path | None) -> None:
        super().__init__(message)
        self.path = path
        self.backup = backup


class Cancelled(SafeCreditError):
    """The user stopped a long operation; everything it did was rolled back."""

    def __init__(self, message: str = "操作已取消，没有写入任何数据。") -> None:
        super().__init__(message)
