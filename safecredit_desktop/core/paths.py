"""Where the program's files are: shipped resources, and the user's data folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "SafeCredit"
APP_AUTHOR = "SafeCredit"
DB_ENV = "SAFECREDIT_DB"


def install_root() -> Path:
    """The folder holding ``resources/`` and ``db/``: the checkout, or the bundle."""
    if getattr(sys, "frozen", False):
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    return Path(__file__).resolve().parents[2]


def resources_dir() -> Path:
    return install_root() / "resources"


def migrations_dir() -> Path:
    return install_root() / "db" / "migrations"


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def default_database_path() -> Path:
    """``$SAFECREDIT_DB``, else ``safecredit.db`` in the user data folder (cli.md)."""
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env)
    return user_data_dir() / "safecredit.db"


def backups_dir_for(database: Path) -> Path:
    """Backups live beside the database, in ``<name>.backups/``."""
    return database.with_name(database.name + ".backups")
