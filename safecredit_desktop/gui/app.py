"""``safecredit-desktop``: first run or log-in, then the main window; switches databases."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from safecredit_desktop.core import services
from safecredit_desktop.core.errors import DamagedDatabaseError, SafeCreditError
from safecredit_desktop.core.paths import default_database_path, resources_dir
from safecredit_desktop.gui.fonts import install_app_font


def window_user() -> str:
    try:
        return f"窗口:{getpass.getuser()}"
    except Exception:  # no login name on some systems
        return "窗口:unknown"


def start_session(path: Path, *, create: bool) -> services.Session | None:
    """First-run dialog for a new file, else log-in (or first administrator). None: cancelled."""
    from safecredit_desktop.gui.dialogs.first_run import FirstRunDialog
    from safecredit_desktop.gui.dialogs.login import LoginDialog
    from safecredit_desktop.gui.main_window import app_settings

    if create or not path.exists():
        first = FirstRunDialog(path)
        return first.session if first.exec() == QDialog.DialogCode.Accepted else None
    try:
        needs_admin = services.database_needs_admin(path)
    except DamagedDatabaseError as exc:
        if not offer_restore(exc):
            return None
        return start_session(path, create=False)
    except SafeCreditError as exc:
        QMessageBox.critical(None, QApplication.translate("app", "无法打开数据库"), exc.message)
        return None
    last_user = str(app_settings().value("login/last_user", ""))
    login = LoginDialog(path, last_user=last_user, create_admin=needs_admin)
    if login.exec() != QDialog.DialogCode.Accepted or login.session is None:
        return None
    app_settings().setValue("login/last_user", login.session.user)
    return login.session


def offer_restore(error: DamagedDatabaseError) -> bool:
    """A damaged database: offer the newest good backup. True when restored."""
    title = QApplication.translate("app", "数据库已损坏")
    if error.backup is None:
        QMessageBox.critical(None, title, error.message)
        return False
    question = QApplication.translate(
        "app", "%1\n\n是否现在用这份备份恢复？损坏的文件会原样保留在备份文件夹中。"
    ).replace("%1", error.message)
    buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    if QMessageBox.question(None, title, question, buttons) != QMessageBox.StandardButton.Yes:
        return False
    try:
        services.restore_from(error.path, error.backup, user=window_user())
    except SafeCreditError as exc:
        QMessageBox.critical(None, title, exc.message)
        return False
    return True


def show_open_warnings(session: services.Session) -> None:
    """What the user must know on opening (read-only network folder, audit log)."""
    if session.warnings:
        QMessageBox.warning(
            None, QApplication.translate("app", "请注意"), "\n\n".join(session.warnings)
        )


class Controller:
    """Owns the one main window; replaces it when another database is opened."""

    def __init__(self) -> None:
        self.window: object | None = None

    def show(self, path: Path, *, create: bool = False) -> bool:
        from safecredit_desktop.gui.main_window import MainWindow

        session = start_session(path, create=create)
        if session is None:
            return False
        old = self.window
        show_open_warnings(session)
        window = MainWindow(session)
        window.switch_requested.connect(lambda p, c: self._switch(p, c))
        window.sign_out_requested.connect(lambda: self._switch(session.db.path, False))
        self.window = window
        if isinstance(old, MainWindow):
            old.close()
        window.show()
        return True

    def _switch(self, path: Path, create: bool) -> None:
        from safecredit_desktop.gui.main_window import MainWindow

        current = self.window
        if isinstance(current, MainWindow):
            current.hide()
        if not self.show(path, create=create) and isinstance(current, MainWindow):
            current.show()


def smoke_test(app: QApplication, path: Path) -> int:
    """``--smoke-test DB``: open the main window on DB without log-in, let it draw every
    page once, print what it showed and quit (the bundle's smoke test, make dist)."""
    from PySide6.QtCore import QTimer

    from safecredit_desktop.gui.main_window import MainWindow

    session = services.open_session(path, user=window_user())
    window = MainWindow(session)
    window.show()
    shown: list[str] = []

    def visit(row: int) -> None:
        if row < window.nav.count():
            window.nav.setCurrentRow(row)
            shown.append(window.nav.item(row).text())
            QTimer.singleShot(50, lambda: visit(row + 1))
        else:
            print(f"窗口已打开：{len(shown)} 个页面（{'、'.join(shown)}）", flush=True)
            window.close()
            app.quit()

    QTimer.singleShot(200, lambda: visit(0))
    return int(app.exec())


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv if argv is None else argv)
    app = QApplication.instance() or QApplication(args)
    assert isinstance(app, QApplication)
    app.setApplicationName("安全生产信用分级分类监管系统")
    app.setOrganizationName("SafeCredit")
    app.setDesktopFileName("safecredit")  # the .deb's menu entry: the dock shows its icon
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "safecredit-256.png")))
    install_app_font(app)
    if "--smoke-test" in args:
        return smoke_test(app, Path(args[args.index("--smoke-test") + 1]))
    path = Path(args[1]) if len(args) > 1 else default_database_path()
    controller = Controller()
    if not controller.show(path):
        return 0
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
