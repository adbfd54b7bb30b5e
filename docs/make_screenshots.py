"""Screenshots of the window for README: run under Xvfb (``xvfb-run -s '-screen 0 1280x800x24'``).

Usage: python docs/make_screenshots.py DATABASE OUT_DIR
Grabs the real X screen (QScreen.grabWindow), so what is saved is what a user sees.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from safecredit_desktop.core import services
from safecredit_desktop.gui.app import window_user
from safecredit_desktop.gui.fonts import install_app_font
from safecredit_desktop.gui.main_window import MainWindow


def main() -> int:
    database, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    out_dir.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    install_app_font(app)
    session = services.open_session(database, user=window_user())
    window = MainWindow(session)
    window.resize(1260, 760)
    window.move(10, 10)
    window.show()

    def shoot() -> None:
        screen = app.primaryScreen()
        screen.grabWindow(0).save(str(out_dir / "main-window.png"))
        app.quit()

    QTimer.singleShot(1500, shoot)
    app.exec()
    session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
