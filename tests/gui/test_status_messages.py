"""What a save or a backup did is said in the status bar (issue 18)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from safecredit_desktop.core import app as core
from safecredit_desktop.core.model import Role
from safecredit_desktop.gui.main_window import MainWindow


def test_backup_now_says_where_the_file_went(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    session = core.init_database(
        db,
        profile="fenghuang",
        bureau_name="凤凰县应急管理局",
        user="测试",
        admin=("boss", "boss-pass-1"),
    )
    session.close()
    window = MainWindow(core.sign_in(db, "boss", "boss-pass-1"))
    qtbot.addWidget(window)
    window._backup_on_close = False
    assert window.session.has_role(Role.ADMIN)
    window._on_backup_now()
    said = window.statusBar().currentMessage()
    assert said.startswith("已备份到 ")
    copy = Path(said.removeprefix("已备份到 "))
    assert copy.is_file() and copy.suffix == ".db"
    assert copy in [c.path for c in core.backups_of(db)]
