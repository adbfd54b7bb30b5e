"""设置 → 单位信息: an administrator edits the bureau's settings (pytest-qt, offscreen)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from safecredit_desktop.core import app as core
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.storage import settings as keys
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.main_window import MainWindow
from safecredit_desktop.gui.views.settings_page import SettingsPage


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "x.db"
    core.init_database(
        path,
        profile="fenghuang",
        bureau_name="凤凰县应急管理局",
        user="管理员",
        admin=("管理员", "secret-1"),
    ).close()
    return path


def test_admin_sets_upper_email_later(qtbot: QtBot, db: Path) -> None:
    """The first-run dialog says 可稍后在设置中填写: here is where."""
    admin = core.sign_in(db, "管理员", "secret-1")
    bus = DataBus()
    page = SettingsPage(admin, bus)
    qtbot.addWidget(page)
    fields = page.bureau_fields
    assert list(fields)[:4] == ["单位名称", "单位统一社会信用代码", "上级单位邮箱", "统计人员"]
    assert fields["单位名称"].text() == "凤凰县应急管理局"
    assert not fields["上级单位邮箱"].isReadOnly() and page.bureau_save_button.isEnabled()

    fields["上级单位邮箱"].setText("tjk@xxzz.gov.cn\nBcc: x@y.cn")
    fields["统计人员"].setText("张三")
    assert page.save_bureau() is None
    assert "上级单位邮箱" in page.bureau_error.text() and "换行" in page.bureau_error.text()
    assert fields["统计人员"].text() == "张三"  # nothing typed is lost
    assert "b00020" in fields["上级单位邮箱"].styleSheet()
    assert admin.settings.upper_email() == "" and keys.get_setting(admin.db, keys.REPORTER) == ""

    fields["上级单位邮箱"].setText(" tjk@xxzz.gov.cn ")
    with qtbot.waitSignal(bus.changed) as changed:
        page.bureau_save_button.click()
    assert changed.args[0].data_tables == {"settings"}
    assert page.bureau_error.text() == ""
    assert admin.settings.upper_email() == "tjk@xxzz.gov.cn"
    assert fields["上级单位邮箱"].text() == "tjk@xxzz.gov.cn"  # as stored
    assert keys.get_setting(admin.db, keys.REPORTER) == "张三"
    logged = admin.db.conn.execute(
        "SELECT count(*) FROM audit_log WHERE table_name = 'settings' AND user = '管理员'"
        " AND row_key IN ('upper_email', 'statistics_reporter')"
    ).fetchone()[0]
    assert logged == 3  # upper_email at init, then both changes

    fields["统计人员"].setText("未保存的改动")
    page.bureau_revert_button.click()
    assert fields["统计人员"].text() == "张三"
    admin.close()


def test_clerk_sees_but_cannot_change(qtbot: QtBot, db: Path) -> None:
    clerk = core.open_session(db, user="录入员", role=Role.CLERK)
    page = SettingsPage(clerk, DataBus())
    qtbot.addWidget(page)
    assert all(edit.isReadOnly() for edit in page.bureau_fields.values())
    assert not page.bureau_save_button.isEnabled()
    assert page.save_bureau() is None and "管理员" in page.bureau_error.text()
    clerk.close()


def test_window_title_follows_the_bureau_name(qtbot: QtBot, db: Path) -> None:
    window = MainWindow(core.sign_in(db, "管理员", "secret-1"))
    qtbot.addWidget(window)
    window._backup_on_close = False
    page = window.settings_page
    assert isinstance(page, SettingsPage)
    page.bureau_fields["单位名称"].setText("凤凰县应急管理局（新）")
    assert page.save_bureau() == ["单位名称"]
    assert window.windowTitle().endswith("凤凰县应急管理局（新）")
