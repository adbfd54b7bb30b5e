"""Shared fixtures. Qt runs offscreen; nothing touches the real user data folder."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# QSettings (window state, recent files) of the tests must not touch the user's own.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="safecredit-test-config-")
# Passwords hashed at scrypt N=2^10 instead of the product's 2^17 (about a second each):
# the suite signs in hundreds of times. Inherited by the CLI subprocesses the tests run;
# tests/core/test_credentials.py checks the product default without it.
os.environ["SAFECREDIT_TEST_ONLY_SCRYPT_LOG2N"] = "10"


@pytest.fixture(autouse=True)
def _isolated_user_data(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.delenv("SAFECREDIT_DB", raising=False)
    monkeypatch.delenv("SAFECREDIT_PASSWORD", raising=False)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture
def session(db_path: Path) -> Iterator[object]:
    from safecredit_desktop.core import services

    opened = services.init_database(
        db_path, profile="fenghuang", bureau_name="测试县应急管理局", user="测试员"
    )
    yield opened
    opened.close()
