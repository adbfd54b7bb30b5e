"""Long work off the UI thread: progress reaches the dialog; 取消 rolls everything back."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog

from safecredit_desktop.core import services
from safecredit_desktop.core.errors import Cancelled
from safecredit_desktop.gui.workers import run_with_progress


def test_result_and_progress(qtbot) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def job(report) -> int:  # type: ignore[no-untyped-def]
        for step in range(3):
            report(step / 3, f"第 {step} 步")
            seen.append(str(step))
        return 42

    assert run_with_progress(None, "测试", job) == 42
    assert seen == ["0", "1", "2"]


def test_error_raised_in_ui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    def job(report) -> None:  # type: ignore[no-untyped-def]
        raise ValueError("坏了")

    with pytest.raises(ValueError, match="坏了"):
        run_with_progress(None, "测试", job)


def test_cancel_demo_rolls_back(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    session = services.init_database(
        tmp_path / "c.db", profile="kundulun", bureau_name="昆都仑区应急管理局", user="测试"
    )

    def press_cancel() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QProgressDialog):
                widget.canceled.emit()  # what the 取消 button sends
                return
        QTimer.singleShot(20, press_cancel)

    QTimer.singleShot(20, press_cancel)
    with pytest.raises(Cancelled):
        run_with_progress(
            None,
            "生成演示数据",
            lambda report: services.fill_demo(session, enterprises=45_000, seed=3, progress=report),
        )
    assert services.count_units(session) == 0
    assert session.db.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] > 0
    assert (
        session.db.conn.execute(
            "SELECT count(*) FROM audit_log WHERE table_name = 'units'"
        ).fetchone()[0]
        == 0
    )
    session.close()


def test_no_reference_leak_on_bools(qtbot) -> None:  # type: ignore[no-untyped-def]
    """PySide6 6.12 over-releases True in Signal.emit from a thread and in disconnect;
    the worker must use neither, or a long session aborts the interpreter."""
    import sys

    def job(report) -> int:  # type: ignore[no-untyped-def]
        for step in range(20):
            report(step / 20, "步骤")
        return 1

    run_with_progress(None, "预热", job)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(30):
        run_with_progress(None, "测试", job)
    after = sys.getrefcount(True), sys.getrefcount(False)
    assert after[0] - before[0] >= -2 and after[1] - before[1] >= -2, (before, after)
