"""Screenshots of the county-wide record pages at 1366×768 (issue 18), grabbed offscreen.

Usage: QT_QPA_PLATFORM=offscreen python docs/make_record_screenshots.py DB OUT_DIR
DB: a database with demo data (made there with 2,000 demo units when it does not exist).
Writes OUT_DIR/record-<kind>.png for 执法检查, 生产安全事故, 行政处罚, 失信行为, 承诺书, 表彰.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from safecredit_desktop.core import app as core
from safecredit_desktop.gui.fonts import install_app_font
from safecredit_desktop.gui.main_window import MainWindow

# file name → (navigation entry, tab on that page or None)
PAGES = {
    "inspections": ("执法检查", None),
    "accidents": ("生产安全事故", None),
    "penalties": ("行政处罚", 0),
    "violations": ("失信行为", None),
    "commitments": ("承诺与表彰", 0),
    "honours": ("承诺与表彰", 1),
}


def main(db: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    if not db.exists():
        made = core.init_database(
            db, profile="fenghuang", bureau_name="凤凰县应急管理局", user="管理员"
        )
        core.fill_demo(made, enterprises=2000, seed=1)
        made.close()
    app = QApplication([])
    install_app_font(app)
    session = core.open_session(db, user="管理员")
    window = MainWindow(session)
    window._daily_backup_timer.stop()
    window._backup_on_close = False
    window.resize(1366, 768)
    window.show()
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    for kind, (title, tab) in PAGES.items():
        window.nav.setCurrentRow(titles.index(title))
        if tab is not None:
            window.pages[title].tabs.setCurrentIndex(tab)  # type: ignore[attr-defined]
        for _ in range(5):
            app.processEvents()
        path = out / f"record-{kind}.png"
        window.grab().save(str(path))
        print(path)
    window.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
