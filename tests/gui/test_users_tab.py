"""设置 → 用户与权限, log-in and the recovery banner follow the command line's rules:
passwords typed twice (8+ characters), roles as a set, the last administrator stays,
deactivated users cannot sign in, recovery codes shown once and announced."""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox

from safecredit_desktop.core import app as core
from safecredit_desktop.core.model import Role
from safecredit_desktop.gui.dialogs.login import LoginDialog, RestoreCredentialsDialog
from safecredit_desktop.gui.dialogs.recovery_code import NewPasswordDialog, RecoveryCodeDialog
from safecredit_desktop.gui.main_window import MainWindow
from safecredit_desktop.gui.views.users_tab import NameDialog, NewUserDialog, RolesDialog, UsersTab

PASSWORDS = {"boss": "boss-pass-1", "rita": "rita-pass-1", "carl": "carl-pass-1"}


class Modal:
    """Acts on the next modal dialog of a kind once it is up; closes any modal it does
    not expect (so a test fails instead of hanging)."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def expect(self, kind: type[QDialog], act: Callable[[QDialog], None]) -> None:
        tries = [0]

        def poll() -> None:
            shown = QApplication.activeModalWidget()
            if isinstance(shown, kind):
                act(shown)
                return
            tries[0] += 1
            if tries[0] > 500:
                self.problems.append(f"no {kind.__name__}; saw {type(shown).__name__}")
                if isinstance(shown, QDialog):
                    shown.done(0)
                return
            QTimer.singleShot(10, poll)

        QTimer.singleShot(0, poll)


@pytest.fixture
def modal() -> Modal:
    return Modal()


@pytest.fixture
def county(tmp_path: Path) -> Path:
    db = tmp_path / "w.db"
    session = core.init_database(
        db,
        profile="fenghuang",
        bureau_name="凤凰县应急管理局",
        user="测试",
        admin=("boss", PASSWORDS["boss"]),
    )
    session.role = Role.ADMIN
    session.accounts.create_user("rita", PASSWORDS["rita"], Role.REVIEWER)
    session.accounts.create_user("carl", PASSWORDS["carl"], Role.CLERK)
    session.close()
    return db


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a: shown.append(text))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    return shown


def users_tab(qtbot, db: Path, name: str) -> UsersTab:  # type: ignore[no-untyped-def]
    session = core.sign_in(db, name, PASSWORDS[name])
    tab = UsersTab(session, _bus(), None)
    qtbot.addWidget(tab)
    tab.refresh()
    return tab


def _bus():  # type: ignore[no-untyped-def]
    from safecredit_desktop.gui.bus import DataBus

    return DataBus()


def select(tab: UsersTab, name: str) -> None:
    row = [u.username for u in tab.users].index(name)
    tab.table.selectRow(row)


def test_new_user_password_twice_eight_characters(qtbot, county: Path, modal: Modal) -> None:  # type: ignore[no-untyped-def]
    tab = users_tab(qtbot, county, "boss")
    errors: list[str] = []

    def fill(dialog: QDialog) -> None:
        assert isinstance(dialog, NewUserDialog)
        dialog.username.setText("dan")
        dialog.password.setText("dan-pass-1")
        dialog.confirm.setText("dan-pass-2")
        dialog.buttons.accepted.emit()
        errors.append(dialog.error.text())
        dialog.password.setText("short")
        dialog.confirm.setText("short")
        dialog.buttons.accepted.emit()
        errors.append(dialog.error.text())
        dialog.roles.boxes[Role.CLERK].setChecked(False)
        dialog.roles.boxes[Role.REVIEWER].setChecked(True)
        dialog.password.setText("dan-pass-1")
        dialog.confirm.setText("dan-pass-1")
        dialog.buttons.accepted.emit()

    modal.expect(NewUserDialog, fill)
    tab._on_add_user()
    assert not modal.problems, modal.problems
    assert "不一致" in errors[0] and "8" in errors[1]
    assert [u.username for u in tab.users] == ["boss", "carl", "dan", "rita"]
    core.sign_in(county, "dan", "dan-pass-1").close()


def test_new_administrator_sees_the_recovery_code_once(qtbot, county: Path, modal: Modal) -> None:  # type: ignore[no-untyped-def]
    tab = users_tab(qtbot, county, "boss")
    codes: list[str] = []

    def fill(dialog: QDialog) -> None:
        assert isinstance(dialog, NewUserDialog)
        dialog.username.setText("anna")
        dialog.roles.boxes[Role.ADMIN].setChecked(True)
        dialog.roles.boxes[Role.REVIEWER].setChecked(True)
        dialog.roles.boxes[Role.CLERK].setChecked(False)
        dialog.password.setText("anna-pass-1")
        dialog.confirm.setText("anna-pass-1")
        modal.expect(RecoveryCodeDialog, note_code)
        dialog.buttons.accepted.emit()

    def note_code(dialog: QDialog) -> None:
        assert isinstance(dialog, RecoveryCodeDialog)
        codes.append(dialog.code.text())
        dialog.written.setChecked(True)
        dialog.ok_button.click()

    modal.expect(NewUserDialog, fill)
    tab._on_add_user()
    assert not modal.problems, modal.problems
    (code,) = codes
    anna = next(u for u in tab.users if u.username == "anna")
    assert anna.roles == {Role.ADMIN, Role.REVIEWER}
    assert tab.table.item([u.username for u in tab.users].index("anna"), 2).text() == (
        "管理员、审核员"
    )
    core.recover_admin(county, "anna", code, "anna-pass-2", actor="窗口:测试")


def test_clerk_cannot_manage_users(qtbot, county: Path, warnings: list[str]) -> None:  # type: ignore[no-untyped-def]
    tab = users_tab(qtbot, county, "carl")
    tab._on_add_user()
    select(tab, "boss")
    tab._on_toggle_active()
    assert len(warnings) == 2 and all("管理员" in w for w in warnings)
    assert all(u.active for u in core.users_of(county))


def test_last_administrator_stays_and_a_deactivated_user_cannot_sign_in(  # type: ignore[no-untyped-def]
    qtbot, county: Path, warnings: list[str]
) -> None:
    tab = users_tab(qtbot, county, "boss")
    select(tab, "boss")
    assert tab.active_button.text() == "停用"
    tab._on_toggle_active()
    assert warnings and "唯一在用的管理员" in warnings[0]
    select(tab, "carl")
    tab._on_toggle_active()
    carl = next(u for u in tab.users if u.username == "carl")
    assert not carl.active
    select(tab, "carl")
    assert tab.active_button.text() == "启用"
    login = LoginDialog(county, last_user="carl")
    qtbot.addWidget(login)
    login.password.setText(PASSWORDS["carl"])
    login.buttons.accepted.emit()
    assert login.session is None and "已停用" in login.error.text()


def test_roles_dialog_sets_several_roles(
    qtbot, county: Path, modal: Modal, warnings: list[str]
) -> None:  # type: ignore[no-untyped-def]
    tab = users_tab(qtbot, county, "boss")

    def demote_self(dialog: QDialog) -> None:
        assert isinstance(dialog, RolesDialog)
        dialog.roles.boxes[Role.ADMIN].setChecked(False)
        dialog.roles.boxes[Role.REVIEWER].setChecked(True)
        dialog.accept()

    select(tab, "boss")
    modal.expect(RolesDialog, demote_self)
    tab._on_change_roles()
    assert warnings and "唯一在用的管理员" in warnings[0]

    def promote(dialog: QDialog) -> None:
        assert isinstance(dialog, RolesDialog)
        dialog.roles.boxes[Role.ADMIN].setChecked(True)
        modal.expect(RecoveryCodeDialog, close_code)
        dialog.accept()

    def close_code(dialog: QDialog) -> None:
        assert isinstance(dialog, RecoveryCodeDialog)
        dialog.written.setChecked(True)
        dialog.ok_button.click()

    select(tab, "rita")
    modal.expect(RolesDialog, promote)
    tab._on_change_roles()
    assert not modal.problems, modal.problems
    rita = core.sign_in(county, "rita", PASSWORDS["rita"])
    assert rita.roles == {Role.ADMIN, Role.REVIEWER}
    rita.close()


def test_reset_password_typed_twice(qtbot, county: Path, modal: Modal) -> None:  # type: ignore[no-untyped-def]
    tab = users_tab(qtbot, county, "boss")
    errors: list[str] = []

    def fill(dialog: QDialog) -> None:
        assert isinstance(dialog, NewPasswordDialog)
        dialog.password.setText("carl-new-1")
        dialog.confirm.setText("carl-new-2")
        dialog.buttons.accepted.emit()
        errors.append(dialog.error.text())
        dialog.confirm.setText("carl-new-1")
        dialog.buttons.accepted.emit()

    select(tab, "carl")
    modal.expect(NewPasswordDialog, fill)
    tab._on_reset_password()
    assert not modal.problems and "不一致" in errors[0]
    core.sign_in(county, "carl", "carl-new-1").close()


def test_malformed_hash_is_a_sentence_at_log_in(qtbot, county: Path) -> None:  # type: ignore[no-untyped-def]
    conn = sqlite3.connect(county)
    conn.execute("UPDATE users SET password_hash = 'scrypt$x' WHERE username = 'carl'")
    conn.commit()
    conn.close()
    login = LoginDialog(county, last_user="carl")
    qtbot.addWidget(login)
    login.password.setText(PASSWORDS["carl"])
    login.buttons.accepted.emit()
    assert login.session is None and "密码记录已损坏" in login.error.text()


def test_first_administrator_of_a_cli_database_sees_the_code(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path, modal: Modal
) -> None:
    db = tmp_path / "cli.db"
    core.init_database(db, profile="fenghuang", bureau_name="局", user="命令行").close()
    login = LoginDialog(db, create_admin=True)
    qtbot.addWidget(login)
    login.username.setText("first")
    login.password.setText("first-pw")
    login.confirm.setText("first-pw")
    seen: list[str] = []

    def answer(dialog: QDialog) -> None:
        assert isinstance(dialog, RecoveryCodeDialog)
        seen.append(dialog.code.text())
        dialog.written.setChecked(True)
        dialog.ok_button.click()

    modal.expect(RecoveryCodeDialog, answer)
    login.buttons.accepted.emit()
    assert not modal.problems, modal.problems
    assert login.session is not None and login.session.recovery_code is None
    login.session.close()
    assert len(seen) == 1 and len(seen[0]) == 23


def test_recovery_banner_until_another_administrator_acknowledges(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path, warnings: list[str]
) -> None:
    db = tmp_path / "r.db"
    session = core.init_database(
        db, profile="fenghuang", bureau_name="局", user="测试", admin=("boss", PASSWORDS["boss"])
    )
    code = session.recovery_code
    session.role = Role.ADMIN
    session.accounts.create_user("anna", "anna-pass-1", Role.ADMIN)
    session.accounts.create_user("carl", PASSWORDS["carl"], Role.CLERK)
    session.close()
    assert code
    core.recover_admin(db, "boss", code, "boss-pass-2", actor="窗口:测试")

    def window(name: str, password: str) -> MainWindow:
        opened = MainWindow(core.sign_in(db, name, password))
        qtbot.addWidget(opened)
        opened._backup_on_close = False
        opened.show()
        return opened

    clerk = window("carl", PASSWORDS["carl"])
    banner = clerk.recovery_banner
    assert banner.isVisible() and "boss" in banner.text.text()
    assert not banner.acknowledge_button.isEnabled() and "请管理员" in banner.text.text()
    recovered = window("boss", "boss-pass-2")
    recovered.recovery_banner.acknowledge_button.click()
    assert warnings and "另一位管理员" in warnings[0]
    assert recovered.recovery_banner.isVisible()
    other = window("anna", "anna-pass-1")
    other.recovery_banner.acknowledge_button.click()
    assert not other.recovery_banner.isVisible()
    fresh = window("carl", PASSWORDS["carl"])
    assert not fresh.recovery_banner.isVisible()


def test_restore_of_a_damaged_database_asks_the_backups_administrator(  # type: ignore[no-untyped-def]
    qtbot, county: Path
) -> None:
    copy = county.parent / "good.db"
    core.backup_now(county, to=copy, user="测试")
    county.write_bytes(b"damaged" * 1000)
    assert core.restore_needs_admin(county, copy)
    dialog = RestoreCredentialsDialog(county, copy)
    qtbot.addWidget(dialog)
    dialog.username.setText("carl")
    dialog.password.setText(PASSWORDS["carl"])
    dialog.buttons.accepted.emit()
    assert dialog.verified_user is None and "不是管理员" in dialog.error.text()
    dialog.username.setText("boss")
    dialog.password.setText(PASSWORDS["boss"])
    dialog.buttons.accepted.emit()
    assert dialog.verified_user == "boss"


def test_suggested_save_paths_stay_in_the_folder(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bureau name like ../../x built the suggested path of 全部数据 and the plan."""
    db = tmp_path / "p.db"
    session = core.init_database(
        db, profile="fenghuang", bureau_name="../../etc/凤凰县", user="测试"
    )
    window = MainWindow(session)
    qtbot.addWidget(window)
    window._backup_on_close = False
    suggested: list[str] = []

    def capture(_parent, _title, where, _filter):  # type: ignore[no-untyped-def]
        suggested.append(where)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", capture)
    window._on_export_data()
    window.plan._ask_path(f"{session.bureau_name}2027年年度执法检查计划.xlsx")
    home = Path.home()
    assert suggested[0] == str(home / "etc_凤凰县全部数据.xlsx")
    assert Path(suggested[1]).parent == window.plan.save_folder.path
    assert Path(suggested[1]).name == "etc_凤凰县2027年年度执法检查计划.xlsx"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_saved_pdf_is_private_and_named_safely(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safecredit_desktop.gui import printing

    monkeypatch.setattr(printing, "_last_dir", tmp_path)
    offered: list[str] = []

    def choose(_parent, _title, where, _filter):  # type: ignore[no-untyped-def]
        offered.append(where)
        return where, ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    old = os.umask(0)
    try:
        saved = printing.save_pdf_bytes(None, b"%PDF-1.4\n%%EOF\n", "../告知书\r\n")
    finally:
        os.umask(old)
    assert saved == tmp_path / "告知书.pdf" and offered == [str(saved)]
    assert saved.stat().st_mode & 0o777 == 0o600


def test_the_status_bar_names_the_person_and_the_name_can_be_changed(  # type: ignore[no-untyped-def]
    qtbot, county: Path, modal: Modal
) -> None:
    """Issue 18: the status bar showed the login (shenhe), not the person's 姓名."""
    session = core.sign_in(county, "boss", PASSWORDS["boss"])
    session.accounts.create_user("shenhe", "shenhe-pass-1", Role.REVIEWER, "王芳")
    window = MainWindow(core.sign_in(county, "shenhe", "shenhe-pass-1"))
    qtbot.addWidget(window)
    window._backup_on_close = False
    assert "用户：王芳（审核员）" in window._status.text()
    assert "shenhe" not in window._status.text()
    # an administrator renames carl from 设置 → 用户与权限
    tab = UsersTab(session, window.bus)
    qtbot.addWidget(tab)
    tab.refresh()
    tab.table.selectRow([u.username for u in tab.users].index("carl"))

    def rename(dialog: QDialog) -> None:
        assert isinstance(dialog, NameDialog)
        dialog.name.setText("陈卡尔")
        dialog.accept()

    modal.expect(NameDialog, rename)
    tab.name_button.click()
    assert not modal.problems
    assert session.accounts.person_name("carl") == "陈卡尔"
    names = {u.username: u.display_name for u in session.accounts.users()}
    assert names["carl"] == "陈卡尔"
    session.close()
