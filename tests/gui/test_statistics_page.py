"""统计报表 page (pytest-qt, offscreen): counts, charts, exports, e-mail draft."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.grading import GradingPart
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.rules.result import GradeResult
from safecredit_desktop.core.storage.changes import Changes, Table
from safecredit_desktop.core.storage.settings import REPORTER, set_setting
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.views import statistics_page
from safecredit_desktop.gui.views.statistics_page import StatisticsPage, _nice_step

TODAY = date(2026, 11, 21)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[core.Session]:
    session = core.init_database(
        tmp_path / "demo.db",
        profile="fenghuang",
        bureau_name="凤凰县应急管理局",
        user="测试员",
        upper_email="shi@yjj.example.cn",
    )
    core.fill_demo(session, enterprises=150, seed=7, today=TODAY)
    yield session
    session.close()


def make_page(qtbot: QtBot, session: core.Session) -> StatisticsPage:
    session.take_changes()  # the fixture's writes are not news to the page
    page = StatisticsPage(session, DataBus())
    qtbot.addWidget(page)
    page.as_of.setDate(statistics_page._qdate(TODAY))
    return page


def unit_ids(db: Any) -> list[tuple[int, str, str, str, str]]:
    rows = db.conn.execute("SELECT id, uscc, name, category, town FROM units ORDER BY id")
    return [(int(i), str(u), str(n), str(c), str(t)) for i, u, n, c, t in rows]


def fake_grades(session: core.Session, profile: Any = None) -> list[GradeResult]:
    """Hand-made grades for the stored units: A, B, C, D in turn (read on the
    connection of ``session`` — in a worker, the worker's own)."""
    profile = profile or session.profile
    letters = "ABCD"
    return [
        GradeResult(i, u, n, c, t, letters[i % 4], profile.label(letters[i % 4]), None, ())
        for i, u, n, c, t in unit_ids(session.db)
    ]


def test_built_without_grading(
    qtbot: QtBot, demo: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[date] = []
    monkeypatch.setattr(
        GradingPart, "report_grades", lambda session, *, as_of, progress=None: calls.append(as_of)
    )
    page = make_page(qtbot, demo)
    assert calls == []
    assert page.tables is None
    assert not page.mail_button.isEnabled()
    assert page.basis.count() == 1 and page.basis.currentText() == "实时（评定基准日）"
    assert "检查完成与到期（按月）/ 逾期（按乡镇）" in page.schedule_box.title()
    # 测试员 is an actor, not a registered user with a display name: left to be typed
    assert page.reporter_name.text() == ""
    set_setting(demo.db, "管理员", REPORTER, "李四")
    assert make_page(qtbot, demo).reporter_name.text() == "李四"


def test_counts_with_the_engine(qtbot: QtBot, demo: core.Session) -> None:
    page = make_page(qtbot, demo)
    page.refresh()
    tables = page.tables
    assert tables is not None
    assert tables.units == 150 and tables.by_category.total == 150
    assert tables.basis == "评定基准日：2026-11-21（实时）"
    assert "2026年度执法检查计划：应检" in page.schedule_summary.text()
    months = page.schedule_months
    planned = int(months.item(0, 12).text().replace(",", ""))
    done = int(months.item(1, 12).text().replace(",", ""))
    assert planned > 0 and 0 <= done <= planned
    assert page.overdue_towns.text().startswith("逾期未检查（按乡镇）")
    table = page.by_category.table
    assert table.rowCount() == len(demo.profile.categories) + 1
    assert table.item(table.rowCount() - 1, 0).text() == "合计"
    assert table.item(table.rowCount() - 1, table.columnCount() - 1).text() == "150"
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers == [
        "行业类别",
        "A级（一级）",
        "B级（二级）",
        "C级（三级）",
        "D级（四级）",
        "合计",
    ]
    assert page.by_town.table.rowCount() == len(tables.by_town.rows) + 1
    assert "150" in page.summary.text()
    assert not page.notice.isVisible()
    assert page.tabs.count() == 2


def test_charts_paint(qtbot: QtBot, demo: core.Session) -> None:
    page = make_page(qtbot, demo)
    page.resize(1200, 800)
    page.show()
    qtbot.waitExposed(page)
    page.refresh()
    chart = page.by_category.chart
    assert chart.table is page.tables.by_category  # type: ignore[union-attr]
    image = chart.grab().toImage()
    assert not image.isNull()
    plot = chart._plot_rect()
    middle = plot.top() + chart.GAP // 2 + chart.BAR // 2
    colours = {image.pixelColor(x, middle).name() for x in range(plot.left(), plot.right())}
    table = chart.table
    assert table is not None
    first = next(g for g, n in zip(table.grades, table.cells[0], strict=True) if n)
    assert statistics_page.GRADE_COLORS[first] in colours  # the first bar's first segment
    assert chart.sizeHint().height() >= len(page.tables.by_category.rows) * chart.BAR  # type: ignore[union-attr]
    tip = chart.row_tooltip(0)
    assert demo.profile.categories[0] in tip and "A级（一级）" in tip
    assert chart._row_at(QPoint(plot.left() + 5, plot.top() + 3)) == 0
    assert chart._row_at(QPoint(plot.left() + 5, plot.top() - 5)) is None


def test_grouped_by_reporter_with_fake_engine(
    qtbot: QtBot, demo: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safecredit_desktop.core import grade_facts

    calls: list[date] = []

    def grade_all(db: Any, profile: Any, as_of: date, *, uscc: str | None = None) -> Any:
        calls.append(as_of)
        return fake_grades(core.Session(db, "测试员"), profile)  # the worker's connection

    monkeypatch.setattr(grade_facts, "grade_all", grade_all)
    demo.db.conn.execute("UPDATE units SET reporter = '吉首市应急管理局' WHERE id % 3 = 0")
    page = make_page(qtbot, demo)
    page.compute()
    # today's grades for the counts (reused by the due list) and 31 December for the plan
    assert calls == [TODAY, date(TODAY.year - 1, 12, 31)]
    assert page.tables is not None and page.tables.by_grade["A"] == sum(
        1 for i, *_ in unit_ids(demo.db) if i % 4 == 0
    )
    page.group_by_reporter.setChecked(True)  # recomputes with the grades at hand
    assert calls == [TODAY, date(TODAY.year - 1, 12, 31)]
    assert page.tabs.count() == 3
    assert page.tables.by_reporter is not None
    assert page.tables.by_reporter.rows == ("凤凰县应急管理局", "吉首市应急管理局")
    assert page.by_reporter.table.rowCount() == 3
    page.group_by_reporter.setChecked(False)
    assert page.tabs.count() == 2


def test_exports_and_mail_draft(
    qtbot: QtBot, demo: core.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = make_page(qtbot, demo)
    page.refresh()
    answers = iter(
        [
            str(tmp_path / "统计表"),  # no suffix typed: .xlsx is added
            str(tmp_path / "名单.xlsx"),
            str(tmp_path / "草稿.eml"),
            str(tmp_path / "按乡镇.xlsx"),
        ]
    )
    asked: list[str] = []

    def save_name(parent: Any, title: str, suggested: str, filters: str) -> tuple[str, str]:
        asked.append(suggested)
        return next(answers), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    page.reporter_name.setText("张三")
    page.export_stats_button.click()
    stats = tmp_path / "统计表.xlsx"
    assert stats.is_file()
    assert asked[0].endswith("凤凰县应急管理局安全生产信用分级分类统计表-2026-11-21.xlsx")
    assert page.mail_button.isEnabled() and page.last_export == stats
    ws = openpyxl.load_workbook(stats)["统计表"]
    assert any(c.value == "统计人员：张三" for row in ws.iter_rows() for c in row)

    page.export_list_button.click()
    names = tmp_path / "名单.xlsx"
    assert names.is_file() and page.last_export == names
    assert "信用等级名单" in page.export_result.text()
    sheet = openpyxl.load_workbook(names).worksheets[0]
    header = next(r for r in sheet.iter_rows(values_only=True) if r and r[0] == "序号")
    due_at = header.index("下次检查到期")
    first = next(r for r in sheet.iter_rows(values_only=True) if r and r[0] == 1)
    assert first[due_at] is not None  # filled from the due dates

    opened: list[str] = []
    monkeypatch.setattr(
        "safecredit_desktop.gui.views.statistics_page.QDesktopServices.openUrl",
        lambda url: opened.append(url.toLocalFile()),
    )
    page.mail_button.click()
    draft = tmp_path / "草稿.eml"
    assert draft.is_file()
    assert opened == [str(draft)]  # handed to the system's mail program

    assert asked[2] == str(names.with_suffix(".eml"))
    message = BytesParser(policy=policy.default).parsebytes(draft.read_bytes())
    assert message["X-Unsent"] == "1" and message["To"] == "shi@yjj.example.cn"
    (part,) = list(message.iter_attachments())
    assert part.get_filename() == "名单.xlsx"
    assert "shi@yjj.example.cn" in page.export_result.text()

    page.tabs.setCurrentWidget(page.by_town)
    page.export_table_button.click()
    by_town = openpyxl.load_workbook(tmp_path / "按乡镇.xlsx").worksheets[0]
    values = [c.value for row in by_town.iter_rows() for c in row]
    assert page.current_count_table().row_header in values and "合计" in values


def test_cancelled_file_dialog_does_nothing(
    qtbot: QtBot, demo: core.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = make_page(qtbot, demo)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: ("", ""))
    page.export_stats_button.click()
    assert page.last_export is None and page.tables is None  # not even graded


def test_kundulun_notice(qtbot: QtBot, tmp_path: Path) -> None:
    session = core.init_database(
        tmp_path / "k.db", profile="kundulun", bureau_name="昆都仑区应急管理局", user="测试"
    )
    try:
        core.fill_demo(session, enterprises=40, seed=2, today=TODAY)
        page = make_page(qtbot, session)
        page.show()
        page.refresh()
        assert page.notice.isVisible()
        assert page.notice.text() == session.profile.internal_notice
    finally:
        session.close()


def test_data_changed_regrades_when_visible(
    qtbot: QtBot, demo: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[date] = []

    def report_grades(part: GradingPart, *, as_of: date, progress: Any = None) -> Any:
        calls.append(as_of)
        return fake_grades(part._session)  # the worker's own session (not the window's)

    monkeypatch.setattr(GradingPart, "report_grades", report_grades)
    page = make_page(qtbot, demo)
    page.refresh()
    page.refresh()  # nothing changed: no regrading
    assert len(calls) == 1
    page.bus.changed.emit(Changes(frozenset({Table.UNITS})))  # hidden: only marked
    assert len(calls) == 1
    page.show()
    page.bus.changed.emit(Changes(frozenset({Table.INSPECTIONS})))
    assert len(calls) == 2


def test_refusal_is_shown(
    qtbot: QtBot, demo: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise SafeCreditError("数据库暂时无法读取。")

    shown: list[str] = []
    monkeypatch.setattr(GradingPart, "report_grades", refuse)
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    page = make_page(qtbot, demo)
    page.refresh()
    assert shown == ["数据库暂时无法读取。"]
    assert page.tables is None


def test_nice_steps() -> None:
    assert _nice_step(0) == 1
    assert _nice_step(7) == 2
    assert _nice_step(861) == 200
    assert _nice_step(100_000) == 20_000
