"""The window shell: first run, log-in, navigation, roles, undo, font."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QMessageBox

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.storage.changes import Changes
from safecredit_desktop.gui.dialogs.first_run import FirstRunDialog
from safecredit_desktop.gui.dialogs.login import LoginDialog
from safecredit_desktop.gui.main_window import MainWindow
from safecredit_desktop.gui.views.documents_page import DocumentsPage


@pytest.fixture
def admin_db(tmp_path: Path) -> Path:
    path = tmp_path / "w.db"
    session = core.init_database(
        path,
        profile="fenghuang",
        bureau_name="凤凰县应急管理局",
        user="管理员",
        admin=("管理员", "admin-pw"),
    )
    session.accounts.create_user("小李", "clerk-pw", Role.CLERK)
    session.close()
    return path


def answer_recovery_code(qtbot) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Once the recovery-code dialog is up: note its text, tick 我已抄写 and close it."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from safecredit_desktop.gui.dialogs.recovery_code import RecoveryCodeDialog

    seen: list[tuple[str, str]] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, RecoveryCodeDialog):
            QTimer.singleShot(20, answer)
            return
        seen.append((dialog.findChildren(QLabel)[0].text(), dialog.code.text()))
        assert not dialog.ok_button.isEnabled()
        dialog.reject()  # Escape does not close it before the code is written down
        assert dialog.isVisible()
        dialog.written.setChecked(True)
        dialog.ok_button.click()

    QTimer.singleShot(0, answer)
    return seen


def test_first_run_creates_database_and_admin(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "new.db"
    dialog = FirstRunDialog(path)
    qtbot.addWidget(dialog)
    assert "凤凰县" in dialog.profile_note.text() or dialog.profile_note.text()
    dialog.bureau.setText("")
    dialog.buttons.accepted.emit()
    assert "单位名称" in dialog.error.text() and not path.exists()
    dialog.bureau.setText("蓝山县应急管理局")
    dialog.profile.setCurrentIndex(dialog.profile.findData("suizhou"))
    dialog.admin.setText("王管理")
    dialog.password.setText("secret-1")
    dialog.confirm.setText("secret-2")
    dialog.buttons.accepted.emit()
    assert "不一致" in dialog.error.text() and not path.exists()
    assert dialog.bureau.text() == "蓝山县应急管理局"  # nothing typed is lost
    dialog.confirm.setText("secret-1")
    shown = answer_recovery_code(qtbot)
    dialog.buttons.accepted.emit()
    assert shown and "王管理" in shown[0][0]  # the code was shown once, to be written down
    assert dialog.session is not None and dialog.session.recovery_code is None
    assert dialog.session.profile.name == "suizhou"
    assert dialog.session.role is Role.ADMIN
    dialog.session.close()
    signed = core.sign_in(path, "王管理", "secret-1")
    assert signed.bureau_name == "蓝山县应急管理局"
    # the first administrator also reviews (confirms the annual assessment), as the
    # dialog says
    assert signed.roles == {Role.ADMIN, Role.REVIEWER}
    signed.close()


def test_first_run_says_the_first_administrator_also_reviews(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = FirstRunDialog(tmp_path / "new.db")
    qtbot.addWidget(dialog)
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    assert any("第一位管理员同时担任审核员" in text for text in texts)


def test_login_wrong_password_refused(qtbot, admin_db: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = LoginDialog(admin_db, last_user="管理员")
    qtbot.addWidget(dialog)
    dialog.password.setText("wrong")
    dialog.buttons.accepted.emit()
    assert dialog.session is None
    assert "不正确" in dialog.error.text()
    assert dialog.username.text() == "管理员"
    dialog.password.setText("admin-pw")
    dialog.buttons.accepted.emit()
    assert dialog.session is not None and dialog.session.user == "管理员"
    dialog.session.close()


def test_lockout_after_repeated_failures(admin_db: Path) -> None:
    from safecredit_desktop.core.errors import SafeCreditError

    for _ in range(5):
        with pytest.raises(SafeCreditError, match="不正确"):
            core.sign_in(admin_db, "小李", "nope")
    with pytest.raises(SafeCreditError, match="锁定"):
        core.sign_in(admin_db, "小李", "clerk-pw")


def test_window_pages_and_status(qtbot, admin_db: Path) -> None:  # type: ignore[no-untyped-def]
    session = core.sign_in(admin_db, "管理员", "admin-pw")
    window = MainWindow(session)
    qtbot.addWidget(window)
    window._backup_on_close = False
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles == [
        "首页",
        "企业台账",
        "执法检查",
        "生产安全事故",
        "行政处罚",
        "失信行为",
        "承诺与表彰",
        "信用等级",
        "名单管理",
        "异议与修复",
        "检查计划",
        "双随机抽查",
        "文书",
        "统计报表",
        "设置",
    ]
    window.nav.setCurrentRow(12)  # 文书
    assert isinstance(window.stack.currentWidget(), DocumentsPage)
    status = window._status.text()
    assert "数据库" in status and "管理员（管理员、审核员）" in status and "上次备份" in status


def test_clerk_refused_admin_action(qtbot, admin_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    session = core.sign_in(admin_db, "小李", "clerk-pw")
    window = MainWindow(session)
    qtbot.addWidget(window)
    window._backup_on_close = False
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a: shown.append(text))
    window.settings_page.users_tab._on_add_user()
    assert shown and "管理员" in shown[0]
    assert [u.username for u in session.accounts.users()] == ["小李", "管理员"]


def test_undo_from_edit_menu(qtbot, admin_db: Path) -> None:  # type: ignore[no-untyped-def]
    session = core.sign_in(admin_db, "小李", "clerk-pw")
    window = MainWindow(session)
    qtbot.addWidget(window)
    window._backup_on_close = False
    unit = model.Unit(
        uscc="91433123111820220L", name="凤凰县沱江化工有限公司", category="危险化学品"
    )
    session.records.save(unit)
    window.bus.changed.emit(Changes(frozenset({"units"})))
    assert window.undo_action.isEnabled()
    window.undo_action.trigger()
    assert session.units.count() == 0
    users = {
        r[0]
        for r in session.db.conn.execute("SELECT user FROM audit_log WHERE table_name = 'units'")
    }
    assert users == {"小李"}


def test_shipped_font_draws_chinese(qapp) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QFont, QFontMetrics

    from safecredit_desktop.gui.fonts import install_app_font

    families = install_app_font(qapp)
    assert families, "no Chinese font registered"
    metrics = QFontMetrics(QFont(families[-1]))
    assert all(metrics.inFontUcs4(ord(ch)) for ch in "凤凰县应急管理局企业台账")


def test_settings_shows_rules_in_chinese(qtbot, admin_db: Path) -> None:  # type: ignore[no-untyped-def]
    session = core.sign_in(admin_db, "管理员", "admin-pw")
    window = MainWindow(session)
    qtbot.addWidget(window)
    window._backup_on_close = False
    text = window.settings_page.rules_view.toPlainText()
    assert "评定顺序" in text and "D级（四级）" in text and "D.serious_violation_12m" in text
    assert "至少每 3 个月检查一次" in text
