"""The first-run dialog and 打开 set up a register on a PostgreSQL server: the dialog's
“服务器上的数据库…” takes the address (no password), and opening an empty server
database (one the administrator made, README) offers the first-run dialog for it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog, QInputDialog

from safecredit_desktop.core import app as core
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.storage.location import ServerLocation
from safecredit_desktop.gui import app
from safecredit_desktop.gui.dialogs import first_run
from safecredit_desktop.gui.dialogs.first_run import FirstRunDialog


def _fill(dialog: FirstRunDialog, codes: list[str]) -> None:
    dialog.bureau.setText("凤凰县应急管理局")
    dialog.admin.setText("王管理")
    dialog.password.setText("secret-1")
    dialog.confirm.setText("secret-1")


@pytest.fixture
def codes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(
        first_run.recovery_code, "show_recovery_code", lambda _p, user, code: shown.append(user)
    )
    return shown


def test_the_first_run_dialog_sets_up_a_register_on_a_server(
    qtbot: Any,
    pg: ServerLocation,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    codes: list[str],
) -> None:
    dialog = FirstRunDialog(tmp_path / "new.db")
    qtbot.addWidget(dialog)
    answers = iter([("postgresql://nobody@", True), (pg.url, True)])
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: next(answers))
    dialog.choose_server.click()
    assert "不完整" in dialog.error.text() and isinstance(dialog.path, Path)
    dialog.choose_server.click()
    assert isinstance(dialog.path, ServerLocation) and dialog.error.text() == ""
    assert pg.dbname in dialog.location.text() and "服务器" in dialog.location.text()
    _fill(dialog, codes)
    dialog.buttons.accepted.emit()
    assert dialog.session is not None and dialog.session.db.is_server
    assert codes == ["王管理"]
    dialog.session.close()
    assert not (tmp_path / "new.db").exists()
    signed = core.sign_in(pg, "王管理", "secret-1")
    try:
        assert signed.bureau_name == "凤凰县应急管理局" and signed.role is Role.ADMIN
    finally:
        signed.close()


def test_opening_an_empty_server_database_offers_the_first_run_dialog(
    qtbot: Any, pg: ServerLocation, monkeypatch: pytest.MonkeyPatch, codes: list[str]
) -> None:
    offered: list[object] = []

    def run_dialog(dialog: FirstRunDialog) -> int:
        offered.append(dialog.path)
        _fill(dialog, codes)
        dialog.buttons.accepted.emit()
        return int(QDialog.DialogCode.Accepted.value)

    monkeypatch.setattr(FirstRunDialog, "exec", run_dialog)
    assert core.server_register_is_new(pg)
    session = app.start_session(pg, create=False)
    assert session is not None and offered == [pg]
    session.close()
    assert not core.server_register_is_new(pg)
    # a register already there goes to the log-in instead
    monkeypatch.setattr(
        "safecredit_desktop.gui.dialogs.login.LoginDialog.exec",
        lambda self: int(QDialog.DialogCode.Rejected.value),
    )
    assert app.start_session(pg, create=False) is None and len(offered) == 1


def test_a_county_seat_makes_no_automatic_copy_of_the_city_register(
    qtbot: Any, pg: ServerLocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pg_server

    from safecredit_desktop.gui.main_window import MainWindow

    session = core.init_database(
        pg,
        profile="fenghuang",
        bureau_name="测试市应急管理局",
        user="市管理员",
        admin=("city", "city-password"),
    )
    session.accounts.create_user("fh", "fh-password", {Role.ADMIN})
    session.accounts.set_county("fh", "凤凰县应急管理局")
    session.close()
    app_role = pg.url.replace("safecredit_owner@", f"{pg_server.APP}@")
    from safecredit_desktop.core.storage.location import parse_server

    county = core.sign_in(parse_server(app_role), "fh", "fh-password")
    copies: list[object] = []
    monkeypatch.setattr(core, "automatic_backup", lambda *a, **k: copies.append(a))
    window = MainWindow(county)
    qtbot.addWidget(window)
    window._on_daily_backup()
    window.close()
    assert copies == [] and core.backups_of(pg) == []
