"""Tables size their columns to their content, the long text column taking the rest
(``gui/blocks/columns.py``): the 信用等级 and 检查计划 tables had fixed widths that cut
执法主体 and pushed 下次变化 off the right edge at 1366×768."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QTableView

from safecredit_desktop.core import app as core
from safecredit_desktop.gui.blocks.columns import content_width
from safecredit_desktop.gui.fonts import install_app_font
from safecredit_desktop.gui.main_window import MainWindow
from safecredit_desktop.gui.models.grade_table_model import GradeTableModel
from safecredit_desktop.gui.views import grades_page, plan_page, unit_detail_page


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fit") / "demo.db"
    session = core.init_database(
        path, profile="fenghuang", bureau_name="凤凰县应急管理局（演示）", user="管理员",
        admin=("管理员", "demo1234"),
    )  # fmt: skip
    core.fill_demo(session, enterprises=150, seed=1)
    session.close()
    return path


@pytest.fixture
def window(qtbot, qapp: QApplication, demo_db: Path) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    font = qapp.font()
    install_app_font(qapp)  # measured in the window's own font
    window = MainWindow(core.sign_in(demo_db, "管理员", "demo1234"))
    window._backup_on_close = False
    window._daily_backup_timer.stop()  # no backup while the test looks
    qtbot.addWidget(window)
    yield window
    qapp.setFont(font)


def _show(window: MainWindow, size: tuple[int, int], title: str) -> None:
    window.resize(*size)
    window.show()
    titles = [window.nav.item(row).text() for row in range(window.nav.count())]
    window.nav.setCurrentRow(titles.index(title))
    QApplication.processEvents()


def _unfitted(table: QTableView, stretch: int, caps: dict[int, int]) -> list[str]:
    """Columns narrower than their text (up to their cap), and whether the row is wider
    than the view while the long column is above its floor."""
    header = table.horizontalHeader()
    wrong = []
    for column in range(header.count()):
        if column == stretch:
            continue
        wanted = content_width(table, column)
        wanted = min(wanted, caps[column]) if column in caps else wanted
        if header.sectionSize(column) < wanted:
            title = table.model().headerData(column, header.orientation())
            wrong.append(f"{title}: {header.sectionSize(column)} < {wanted}")
    return wrong


def _row_width(table: QTableView) -> int:
    header = table.horizontalHeader()
    return sum(header.sectionSize(c) for c in range(header.count()))


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_grades_table_fits(window: MainWindow, size: tuple[int, int]) -> None:
    _show(window, size, "信用等级")
    table = window.grades.table
    caps = {
        GradeTableModel.COL_NAME: grades_page.NAME_WIDEST,
        GradeTableModel.COL_NEXT: grades_page.NEXT_WIDEST,
    }
    assert table.model().rowCount() == 150
    assert not _unfitted(table, GradeTableModel.COL_REASONS, caps)
    assert _row_width(table) <= table.viewport().width()  # 下次变化 in view, no scrolling


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_plan_table_fits(window: MainWindow, size: tuple[int, int]) -> None:
    _show(window, size, "检查计划")
    page = window.plan
    page.year.setValue(2027)
    page.capacity.setValue(40)
    page.compute()
    QApplication.processEvents()
    table = page.table
    name = plan_page.COLUMNS.index("单位名称")
    caps = {plan_page.COLUMNS.index("备注"): plan_page.REMARKS_WIDEST}
    assert table.model().rowCount() > 0
    assert not _unfitted(table, name, caps)
    if size[0] >= 1920:
        assert _row_width(table) <= table.viewport().width()


def test_unit_timeline_fits(window: MainWindow) -> None:
    _show(window, (1366, 768), "企业台账")
    busiest = max(
        (row[0] for row in window.session.units.search("", 40)),
        key=lambda unit_id: len(window.session.units.timeline(unit_id)),
    )
    window.registry.unit_activated.emit(busiest)
    QApplication.processEvents()
    table = window.detail.timeline
    assert table.rowCount() > 5
    assert not _unfitted(table, unit_detail_page.TIMELINE_TEXT_COLUMN, {})
    assert _row_width(table) <= table.viewport().width()


def test_empty_plan_shows_whole_titles(window: MainWindow) -> None:
    """Before a plan is computed the table has no rows: its titles are not cut."""
    _show(window, (1366, 768), "检查计划")
    table = window.plan.table
    assert table.model().rowCount() == 0
    assert not _unfitted(table, plan_page.COLUMNS.index("单位名称"), {})
