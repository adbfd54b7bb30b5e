"""The 连续录入 grid with a pasted block's errors, for README (issue 18).

Usage: xvfb-run -s '-screen 0 1366x768x24' python docs/make_batch_screenshot.py OUT.png
A demo county of 300 units is made in a temporary folder; a 12-row block copied from a
sheet of the bureau's own wording is pasted with three bad cells, and two rows typed.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from safecredit_desktop.core import app as core
from safecredit_desktop.gui.batch_entry import BatchEntryDialog
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.fonts import install_app_font


def settle(ms: int = 600) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> int:
    out = Path(sys.argv[1])
    app = QApplication([])
    install_app_font(app)
    folder = Path(tempfile.mkdtemp())
    session = core.init_database(
        folder / "demo.db", profile="fenghuang", bureau_name="凤凰县应急管理局", user="小王"
    )
    core.fill_demo(session, enterprises=300, seed=7)
    today = date.today()
    codes = [
        str(r[0])
        for r in session.db.conn.execute(
            "SELECT uscc FROM units WHERE status = '正常' ORDER BY id LIMIT 14"
        )
    ]
    dialog = BatchEntryDialog(session, DataBus(), "inspection", today=today)
    dialog.resize(1366, 740)
    dialog.move(0, 0)
    dialog.show()
    settle(200)
    grid = dialog.grid
    model = grid.model
    day = today - timedelta(days=2)
    for uscc, hazards in zip(codes[:2], ("2", "0"), strict=True):
        row = len(model.rows) - 1
        model.set_text(row, "unit_id", uscc)
        model.set_text(row, "inspected_on", f"{day.month}-{day.day}")
        model.set_text(row, "inspectors", "张三、李四")
        model.set_text(row, "hazards", hazards)
        grid.save_row(row)
    lines = ["社会信用代码\t检查日期\t检查方式\t执法人员\t隐患数\t重大隐患\t整改期限"]
    deadline = today + timedelta(days=15)
    for n, uscc in enumerate(codes[2:], start=1):
        when = f"{day.year}.{day.month}.{day.day}"
        hazards, major = str(n % 4), "0"
        if n == 3:
            when = f"{day.year}.13.{day.day}"
        if n == 6:
            hazards, major = "1", "2"
        if n == 9:
            uscc = uscc[:-1] + ("0" if uscc[-1] != "0" else "1")
        lines.append(f"{uscc}\t{when}\t日常\t王五、赵六\t{hazards}\t{major}\t{deadline:%Y/%m/%d}")
    grid.paste("\r\n".join(lines) + "\r\n")
    settle()
    screen = app.primaryScreen().grabWindow(0)
    screen.copy(dialog.frameGeometry()).save(str(out))
    print(out)
    model.beginResetModel()  # close without the question
    model.rows.clear()
    model.endResetModel()
    session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
