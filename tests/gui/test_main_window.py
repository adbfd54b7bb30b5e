"""The minimal window: lists units lazily, Chinese everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt

from safecredit_desktop.core import model, services
from safecredit_desktop.core.validate import uscc_check_character
from safecredit_desktop.gui.main_window import MainWindow
from safecredit_desktop.gui.unit_table_model import PAGE, UnitTableModel


def make_code(n: int) -> str:
    first17 = f"91433123{n:09d}"
    return first17 + uscc_check_character(first17)


@pytest.fixture
def filled(tmp_path: Path):  # type: ignore[no-untyped-def]
    session = services.init_database(
        tmp_path / "w.db", profile="fenghuang", bureau_name="凤凰县应急管理局", user="测试"
    )
    units = [
        model.Unit(uscc=make_code(i), name=f"凤凰县第{i}化工有限公司", category="危险化学品")
        for i in range(PAGE + 120)
    ]
    session.repo.insert_many(units)
    yield session
    session.close()


def test_model_fetches_in_pages(filled: services.Session) -> None:
    table = UnitTableModel(filled)
    assert table.total == PAGE + 120
    assert table.rowCount() == 0
    assert table.canFetchMore(QModelIndex())
    table.fetchMore(QModelIndex())
    assert table.rowCount() == PAGE
    table.fetchMore(QModelIndex())
    assert table.rowCount() == PAGE + 120
    assert not table.canFetchMore(QModelIndex())
    header = table.headerData(1, Qt.Orientation.Horizontal)
    assert header == "单位名称"
    assert str(table.data(table.index(0, 1))).startswith("凤凰县第")


def test_window_shows_units_and_status(qtbot, filled: services.Session) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(filled)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.model.rowCount() > 0)
    assert "凤凰县应急管理局" in window.windowTitle()
    status = window.statusBar().currentMessage()
    assert "数据库" in status and "信用规则" in status and "上次备份" in status


def test_shipped_font_draws_chinese(qapp) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QFont, QFontMetrics

    from safecredit_desktop.gui.fonts import install_app_font

    families = install_app_font(qapp)
    assert families, "no Chinese font registered"
    metrics = QFontMetrics(QFont(families[-1]))
    assert all(metrics.inFontUcs4(ord(ch)) for ch in "凤凰县应急管理局企业台账")
