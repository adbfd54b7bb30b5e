"""文件 → 最近打开: one remembered file comes back from QSettings as a plain string."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from safecredit_desktop.core import app as core
from safecredit_desktop.gui.main_window import (
    RECENT_KEY,
    MainWindow,
    app_settings,
    recent_files,
)


def _database(path: Path) -> Path:
    core.init_database(
        path, profile="fenghuang", bureau_name="凤凰县应急管理局", user="管理员"
    ).close()
    return path


def _window(qtbot: QtBot, path: Path) -> MainWindow:
    window = MainWindow(core.open_session(path, user="管理员"))
    qtbot.addWidget(window)
    window._backup_on_close = False
    return window


def test_one_recent_file_is_one_entry(qtbot: QtBot, tmp_path: Path) -> None:
    current = _database(tmp_path / "current.db")
    other = _database(tmp_path / "other.db")
    # What the ini backend hands back after a restart for a one-element list: a str.
    app_settings().setValue(RECENT_KEY, str(other))
    assert recent_files() == [str(other)]

    window = _window(qtbot, current)
    entries = [action.text() for action in window.recent_menu.actions()]
    assert entries == [str(current), str(other)]

    with qtbot.waitSignal(window.switch_requested) as blocker:
        window.recent_menu.actions()[1].trigger()
    assert blocker.args == [other, False]


def test_recent_settings_shapes() -> None:
    settings = app_settings()
    settings.remove(RECENT_KEY)
    assert recent_files(settings) == []
    settings.setValue(RECENT_KEY, ["/a.db", "/b.db"])
    assert recent_files(settings) == ["/a.db", "/b.db"]


def test_missing_recent_file_is_dropped_not_created(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    current = _database(tmp_path / "current.db")
    gone = tmp_path / "moved-away.db"
    app_settings().setValue(RECENT_KEY, str(gone))
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a: shown.append(text))
    window = _window(qtbot, current)
    switched: list[object] = []
    window.switch_requested.connect(lambda p, c: switched.append((p, c)))
    window.recent_menu.actions()[1].trigger()
    assert switched == [] and not gone.exists()
    assert shown and "找不到" in shown[0]
    assert [a.text() for a in window.recent_menu.actions()] == [str(current)]
