"""设置 → 乡镇: an administrator keeps the county's towns; others only see them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.views.settings_page import SettingsPage
from safecredit_desktop.gui.views.towns_tab import TownsTab

CODE = "91433123111820220L"


@pytest.fixture
def session(tmp_path: Path) -> Iterator[core.Session]:
    opened = core.init_database(
        tmp_path / "x.db", profile="fenghuang", bureau_name="凤凰县应急管理局", user="管理员"
    )
    opened.role = model.Role.ADMIN
    yield opened
    opened.close()


def test_an_administrator_keeps_the_towns(qtbot: QtBot, session: core.Session) -> None:
    session.records.save(model.Unit(uscc=CODE, name="甲公司", category="危险化学品", town="禾库镇"))
    bus = DataBus()
    said: list[str] = []
    bus.status_message.connect(said.append)
    tab = TownsTab(session, bus)
    qtbot.addWidget(tab)
    tab.refresh()
    assert tab.towns() == []
    for town in ("沱江镇", "阿拉营镇", "沱江镇"):
        qtbot.keyClicks(tab.new_town, "x")  # typing goes on; the name is set below
        tab.new_town.setText(town)
        tab.add_button.click()
    assert tab.towns() == ["沱江镇", "阿拉营镇"] == session.settings.towns()
    assert "已在名单中" in said[-1]
    tab.from_registry_button.click()
    assert session.settings.towns() == ["沱江镇", "阿拉营镇", "禾库镇"]
    tab.list.item(1).setSelected(True)
    tab.remove_button.click()
    assert session.settings.towns() == ["沱江镇", "禾库镇"]
    assert "阿拉营镇" in said[-1]


def test_the_towns_tab_is_in_settings_and_read_only_for_a_clerk(
    qtbot: QtBot, session: core.Session
) -> None:
    session.settings.set_towns(["沱江镇"])
    session.role = model.Role.CLERK
    page = SettingsPage(session, DataBus())
    qtbot.addWidget(page)
    page.refresh()
    names = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert "乡镇" in names
    assert page.towns_tab.towns() == ["沱江镇"]
    assert not page.towns_tab.add_button.isEnabled()
    assert "本县乡镇" not in page.bureau_fields  # kept on its own tab
