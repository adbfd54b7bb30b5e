"""Screenshots of the window for README, taken from the real X screen under Xvfb.

Usage: xvfb-run -s '-screen 0 1280x800x24' python docs/make_screenshots.py DB OUT_DIR
DB must hold demo data and the administrator 管理员 / demo1234 (as `make run` makes).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from safecredit_desktop.core import services
from safecredit_desktop.gui.dialogs.record_form import RecordFormDialog
from safecredit_desktop.gui.fonts import install_app_font
from safecredit_desktop.gui.main_window import MainWindow


def settle(app: QApplication, ms: int = 600) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def shoot(app: QApplication, widget: QWidget, path: Path) -> None:
    settle(app)
    geometry = widget.frameGeometry()
    screen = app.primaryScreen().grabWindow(0)
    screen.copy(geometry).save(str(path))
    print(path)


def main() -> int:
    database, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    install_app_font(app)
    session = services.sign_in(database, "管理员", "demo1234")
    window = MainWindow(session)
    window._backup_on_close = False
    window.resize(1260, 760)
    window.move(0, 0)
    window.show()
    window.nav.setCurrentRow(1)
    shoot(app, window, out / "main-window.png")

    # a unit with a good timeline: the one with the most records
    busiest = max(
        (services.query_units(session, services.registry.UnitQuery(), 0, 400)),
        key=lambda row: len(services.unit_timeline(session, row.id)),
    )
    window.registry.unit_activated.emit(busiest.id)
    shoot(app, window, out / "unit-detail.png")

    dialog = RecordFormDialog(session, window.bus, "accidents", unit_id=busiest.id, parent=window)
    dialog.show()
    dialog.move(140, 40)
    for key, value in (
        ("occurred_on", "2026-05-12"),
        ("deaths", "3"),
        ("serious_injuries", "1"),
        ("loss_wan", "120"),
        ("grade", "一般"),
        ("responsible", "是"),
    ):
        dialog.set_value(key, value)
    shoot(app, dialog, out / "accident-form.png")
    dialog.hide()  # reject() would ask before discarding what was typed

    window.nav.setCurrentRow(7)  # 信用等级
    settle(app, 1500)
    shoot(app, window, out / "grades.png")
    window.nav.setCurrentRow(0)  # 首页
    settle(app, 1500)
    shoot(app, window, out / "home.png")
    window.nav.setCurrentRow(8)  # 检查计划
    window.plan.year.setValue(2027)
    window.plan.capacity.setValue(40)
    window.plan.compute()
    settle(app, 1500)
    shoot(app, window, out / "plan.png")
    window.nav.setCurrentRow(11)  # 统计报表
    settle(app, 1500)
    shoot(app, window, out / "statistics.png")
    window.nav.setCurrentRow(10)  # 文书: a grade notice of the busiest unit, previewed
    documents = window.documents
    documents.kind.setCurrentIndex(documents.kind.findData("grade-notice"))
    documents.units.search.setText(busiest.uscc)
    documents.units.run_search()
    documents.units.add([busiest.id])
    documents.preview()
    settle(app, 1500)
    shoot(app, window, out / "documents.png")
    session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
