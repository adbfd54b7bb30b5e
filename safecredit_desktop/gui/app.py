"""``safecredit-desktop``: open the database and show the main window."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from safecredit_desktop.core import services
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.paths import default_database_path
from safecredit_desktop.gui.fonts import install_app_font


def window_user() -> str:
    try:
        return f"窗口:{getpass.getuser()}"
    except Exception:
        return "窗口:unknown"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv if argv is None else argv)
    app = QApplication.instance() or QApplication(args)
    assert isinstance(app, QApplication)
    app.setApplicationName("安全生产信用分级分类监管系统")
    install_app_font(app)
    path = Path(args[1]) if len(args) > 1 else default_database_path()
    try:
        session = services.open_session(path, user=window_user())
    except SafeCreditError as exc:
        QMessageBox.critical(None, app.tr("无法打开数据库"), exc.message)
        return 1
    from safecredit_desktop.gui.main_window import MainWindow

    window = MainWindow(session)
    window.show()
    code = app.exec()
    session.close()
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
