"""名单管理 under kundulun, whose lists are internal: an approved entry shows as 内部管理
(never 待公布), its period from 列入, and the stage filter offers no publication stages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pytestqt.qtbot import QtBot

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.model import Role
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.views.lists_page import STAGE_COLUMN, ListsPage


def test_an_internal_entry_is_shown_listed_not_pending(qtbot: QtBot, tmp_path: Path) -> None:
    admin = core.init_database(
        tmp_path / "k.db",
        profile="kundulun",
        bureau_name="昆都仑区应急管理局",
        user="管理员",
        admin=("管理员", "admin-pw"),
    )
    try:
        admin.accounts.create_user("审核甲", "secret-pw", Role.REVIEWER)
        unit = admin.records.save(model.Unit("91150203MA0N000014", "丁煤业有限公司", "煤矿"))
        entry = admin.lists.add(unit_id=unit, list_kind="黑名单", facts="事故", basis="第十四条")
        admin.lists.notify(entry.id, served_on=date(2026, 11, 2))
        reviewer = core.Session(admin.db, "审核甲", Role.REVIEWER)
        reviewer.lists.review(entry.id, approve=True, today=date(2026, 12, 1))
        page = ListsPage(admin, DataBus())
        qtbot.addWidget(page)
        stages = [page.stage.itemText(i) for i in range(page.stage.count())]
        assert "内部管理" in stages and "待公布" not in stages and "公布" not in stages
        assert page.select_entry(entry.id)
        row = page.pane.model.row_of(entry.id)
        assert row is not None
        shown = page.pane.model.index(row, STAGE_COLUMN).data()
        assert shown == "内部管理"
        text = page.detail.toPlainText()
        assert "自列入之日起，不对外公布" in text and "期满日期 2027-12-01" in text
        assert "待公布" not in text
        assert not page.publish_button.isEnabled()
        assert page.remove_button.isEnabled() and page.early_button.isEnabled()
    finally:
        admin.close()
