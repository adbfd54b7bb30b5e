"""The window opens a register on a PostgreSQL server: the password is asked in a
dialog when libpq finds none, kept in memory only, and asked again when wrong."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog

from safecredit_desktop.core import app as core
from safecredit_desktop.core.storage.location import ServerLocation, parse_server
from safecredit_desktop.gui import app


def test_the_password_is_asked_until_right_or_cancelled(
    qtbot: object, pg: ServerLocation, pg_cluster: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pg_server

    core.init_database(
        pg, profile="fenghuang", bureau_name="测试县应急管理局", user="管理员"
    ).close()
    needs = parse_server(pg.url.replace("safecredit_owner@", f"{pg_server.PASSWORD_USER}@"))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    answers = iter([("wrong", True), (pg_server.PASSWORD, True)])
    asked: list[str] = []

    def answer(*args: object, **kwargs: object) -> tuple[str, bool]:
        asked.append(str(args[2]))
        return next(answers)

    monkeypatch.setattr(QInputDialog, "getText", answer)
    located = app.server_password(needs)
    assert located is not None and located.password == pg_server.PASSWORD
    assert "尚未提供" in asked[0] and "不对" in asked[1]
    assert pg_server.PASSWORD not in str(located) and "password" not in repr(located)
    session = core.open_session(located, user="窗口:测试")
    try:
        assert session.units.count() == 0
    finally:
        session.close()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", False))
    assert app.server_password(needs) is None
