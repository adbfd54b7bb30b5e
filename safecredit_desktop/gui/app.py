"""``safecredit-desktop``: first run or log-in, then the main window; switches databases."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.vocabulary import Location, ServerLocation
from safecredit_desktop.core.errors import DamagedDatabaseError, SafeCreditError
from safecredit_desktop.core.paths import default_database_path, resources_dir
from safecredit_desktop.gui import errors
from safecredit_desktop.gui.fonts import install_app_font


def window_user() -> str:
    try:
        return f"窗口:{getpass.getuser()}"
    except Exception:  # no login name on some systems
        return "窗口:unknown"


def server_password(location: ServerLocation) -> ServerLocation | None:
    """The server register with the password it needs (asked in a dialog when libpq
    finds none); None when cancelled. The password is kept in memory only."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    from safecredit_desktop.core.app.vocabulary import PasswordNeededError

    while True:
        try:
            core.probe_location(location)
            return location
        except PasswordNeededError as exc:
            password, ok = QInputDialog.getText(
                None,
                QApplication.translate("app", "数据库服务器的密码"),
                exc.message,
                QLineEdit.EchoMode.Password,
            )
            if not ok:
                return None
            location = location.with_password(password)
        except SafeCreditError as exc:
            QMessageBox.critical(None, QApplication.translate("app", "无法打开数据库"), exc.message)
            return None


def start_session(path: Location, *, create: bool) -> core.Session | None:
    """First-run dialog for a new file, else log-in (or first administrator). None: cancelled."""
    from safecredit_desktop.gui.dialogs.first_run import FirstRunDialog
    from safecredit_desktop.gui.dialogs.login import LoginDialog
    from safecredit_desktop.gui.main_window import app_settings

    if isinstance(path, ServerLocation):
        located = server_password(path)
        if located is None:
            return None
        path = located
        try:
            new_register = core.server_register_is_new(path)
        except SafeCreditError as exc:
            QMessageBox.critical(None, QApplication.translate("app", "无法打开数据库"), exc.message)
            return None
        if new_register:  # an empty database the administrator made: set up the register
            first = FirstRunDialog(path)
            return first.session if first.exec() == QDialog.DialogCode.Accepted else None
    elif create or not path.exists():
        first = FirstRunDialog(path)
        return first.session if first.exec() == QDialog.DialogCode.Accepted else None
    try:
        needs_admin = core.database_needs_admin(path)
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
    from safecredit_desktop.gui.blocks.dialog_parts import confirmed

    title = QApplication.translate("app", "数据库已损坏")
    if error.backup is None:
        QMessageBox.critical(None, title, error.message)
        return False
    question = QApplication.translate(
        "app", "{message}\n\n是否现在用这份备份恢复？损坏的文件会原样保留在备份文件夹中。"
    ).format(message=error.message)
    if not confirmed(None, title, question):
        return False
    try:
        user = window_user()
        if core.restore_needs_admin(error.path, error.backup):
            from safecredit_desktop.gui.dialogs.login import RestoreCredentialsDialog

            check = RestoreCredentialsDialog(error.path, error.backup)
            if check.exec() != QDialog.DialogCode.Accepted or check.verified_user is None:
                return False
            user = check.verified_user
        core.restore_from(error.path, error.backup, user=user)
    except SafeCreditError as exc:
        QMessageBox.critical(None, title, exc.message)
        return False
    return True


def show_open_warnings(session: core.Session) -> None:
    """What the user must know on opening (read-only network folder, audit log)."""
    if session.warnings:
        QMessageBox.warning(
            None, QApplication.translate("app", "请注意"), "\n\n".join(session.warnings)
        )


class Controller:
    """Owns the one main window; replaces it when another database is opened."""

    def __init__(self) -> None:
        self.window: object | None = None

    def show(self, path: Location, *, create: bool = False) -> bool:
        from safecredit_desktop.gui.main_window import MainWindow

        session = start_session(path, create=create)
        if session is None:
            return False
        old = self.window
        show_open_warnings(session)
        window = MainWindow(session)
        window.switch_requested.connect(lambda p, c: self._switch(p, c))
        window.sign_out_requested.connect(lambda: self._switch(session.db.location, False))
        self.window = window
        if isinstance(old, MainWindow):
            old.close()
        window.show()
        return True

    def _switch(self, path: Location, create: bool) -> None:
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

    session = core.open_session(path, user=window_user())
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


CHINESE = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
# resources/i18n: the program's own text (safecredit_zh_CN.qm, built by make translations
# from the tr calls) and Qt words PySide6's catalogue lacks (qt_supplement_zh_CN.qm).
PROGRAM_CATALOGUES = ("qt_supplement", "safecredit")


def _install(app: QApplication, name: str, folder: str) -> QTranslator | None:
    translator = QTranslator(app)  # parented: kept alive as long as the application
    if not translator.load(CHINESE, name, "_", folder) or not app.installTranslator(translator):
        return None
    return translator


def install_qt_translations(app: QApplication) -> QTranslator | None:
    """Qt's own words in Chinese: 是/否/取消 on message boxes, the file, input, colour and
    print dialogs. The translator installed, or None when PySide6's qtbase_zh_CN.qm is
    not found."""
    return _install(app, "qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))


def install_translations(app: QApplication) -> list[QTranslator]:
    """Qt's catalogue, then ours (installed later, so looked up first): the translators
    installed."""
    installed = [install_qt_translations(app)]
    folder = str(resources_dir() / "i18n")
    installed += [_install(app, name, folder) for name in PROGRAM_CATALOGUES]
    return [translator for translator in installed if translator is not None]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv if argv is None else argv)
    app = QApplication.instance() or QApplication(args)
    assert isinstance(app, QApplication)
    app.setApplicationName("安全生产信用分级分类监管系统")
    app.setOrganizationName("SafeCredit")
    app.setDesktopFileName("safecredit")  # the .deb's menu entry: the dock shows its icon
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "safecredit-256.png")))
    install_app_font(app)
    install_translations(app)
    errors.install(app)  # anything no slot caught: a sentence, and the traceback logged
    if "--smoke-test" in args:
        return smoke_test(app, Path(args[args.index("--smoke-test") + 1]))
    path = Path(args[1]) if len(args) > 1 else default_database_path()
    controller = Controller()
    if not controller.show(path):
        return 0
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
