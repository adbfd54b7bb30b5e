"""检查计划 page and the 首页's 检查到期提醒 panel (pytest-qt, offscreen)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from pytestqt.qtbot import QtBot

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.storage.changes import Changes, Table
from safecredit_desktop.core.validate import uscc_check_character
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.views.due_panel import UNIT_ROLE, DuePanel
from safecredit_desktop.gui.views.plan_page import CANNOT_FIT, PlanPage


def code(n: int) -> str:
    first17 = f"9143312300{n:07d}"
    return first17 + uscc_check_character(first17)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[core.Session]:
    opened = core.init_database(
        tmp_path / "x.db", profile="fenghuang", bureau_name="测试县应急管理局", user="测试"
    )
    for n in range(1, 7):  # grade C (no commitment): half-years; never inspected
        town = "沱江镇" if n <= 3 else "山江镇"
        opened.records.save(model.Unit(code(n), f"单位{n}", "工贸八大行业", town=town))
    yield opened
    opened.close()


def test_plan_page_levels_filters_and_exports(
    qtbot: QtBot, session: core.Session, tmp_path: Path
) -> None:
    page = PlanPage(session, DataBus())
    qtbot.addWidget(page)
    page.year.setValue(2026)
    page.capacity.setValue(2)
    page.compute()
    plan = page.plan
    assert plan is not None and len(plan.items) == 12
    assert page.model.rowCount() == 12
    assert max(page.bars.loads) <= 2 and plan.cannot_fit == []
    assert sum(page.bars.loads) == 12 and page.bars.loads[0] == 2

    page.capacity.setValue(1)  # 6 per half-year into 6 months of 1: fits exactly
    page.compute()
    assert page.bars.loads == [1] * 12 and page.cannot_fit_label.text() == ""

    page.town_filter.setCurrentIndex(page.town_filter.findData("山江镇"))
    assert page.model.rowCount() == 6
    page.status_filter.setCurrentIndex(page.status_filter.findData(CANNOT_FIT))
    assert page.model.rowCount() == 0

    with qtbot.waitSignal(page.unit_activated) as blocker:
        page.town_filter.setCurrentIndex(0)
        page.status_filter.setCurrentIndex(0)
        page._on_double_click(page.model.index(0, 1))
    assert blocker.args == [page.model.items[0].unit_id]

    written = page.export_to(tmp_path / "plan.xlsx")
    assert written is not None
    assert openpyxl.load_workbook(written).sheetnames == ["检查计划", "月度安排", "说明"]


def test_plan_page_names_what_cannot_fit(qtbot: QtBot, session: core.Session) -> None:
    page = PlanPage(session, DataBus())
    qtbot.addWidget(page)
    for n in range(7, 9):
        session.records.save(model.Unit(code(n), f"单位{n}", "工贸八大行业"))
    page.year.setValue(2026)
    page.capacity.setValue(1)  # 8 per half-year, 6 months of 1
    page.compute()
    assert page.bars.loads == [1] * 12
    assert "无法安排 4 次" in page.cannot_fit_label.text()
    page.status_filter.setCurrentIndex(page.status_filter.findData(CANNOT_FIT))
    assert page.model.rowCount() == 4


def test_due_panel_groups_and_activates(qtbot: QtBot, session: core.Session) -> None:
    unit_ids = [int(r[0]) for r in session.db.conn.execute("SELECT id FROM units ORDER BY id")]
    session.records.save(model.Inspection(unit_ids[0], date(2026, 1, 20)))  # due 07-20
    for unit_id in unit_ids[1:]:
        session.records.save(model.Inspection(unit_id, date(2026, 6, 1)))  # not due
    session.records.save(model.Unit(code(9), "从未检查公司", "工贸八大行业", town="禾库镇"))
    panel = DuePanel(session, DataBus())
    qtbot.addWidget(panel)
    panel.refresh(date(2026, 7, 1))
    assert panel.due is not None
    assert len(panel.due.overdue) == 1 and len(panel.due.upcoming) == 1
    tops = [panel.tree.topLevelItem(i).text(0) for i in range(panel.tree.topLevelItemCount())]
    assert len(tops) == 2 and any("禾库镇" in t for t in tops)
    panel.group_by.setCurrentIndex(1)
    assert panel.tree.topLevelItemCount() == 1
    assert "测试县应急管理局" in panel.tree.topLevelItem(0).text(0)
    first = panel.tree.topLevelItem(0).child(0)
    assert first.text(0) == "从未检查公司"  # most overdue first
    with qtbot.waitSignal(panel.unit_activated) as blocker:
        panel.tree.itemActivated.emit(first, 0)
    assert blocker.args == [first.data(0, UNIT_ROLE)]


NEXT_YEAR = date.today().year + 1  # "from this year on": the page opens on it once adopted


def _reviewer(session: core.Session) -> core.Session:
    return core.open_session(session.db.path, user="审核员甲", role=Role.REVIEWER)


def test_adopted_plan_is_shown_on_opening_after_a_restart(
    qtbot: QtBot, session: core.Session
) -> None:
    reviewer = _reviewer(session)
    page = PlanPage(reviewer, DataBus())
    qtbot.addWidget(page)
    page.refresh()  # first showing: nothing adopted yet
    assert page.plan is None and "尚未采用" in page.state.text()
    page.year.setValue(NEXT_YEAR)
    page.capacity.setValue(2)
    page.compute()
    assert page.plan is not None and page.plan.adopted is None
    assert "草稿" in page.state.text() and page.adopt_button.isEnabled()
    asked: list[str] = []
    page.ask_adoption = lambda text, details: asked.append(text) or True  # type: ignore[method-assign]
    adopted = page.adopt()
    assert adopted is not None and adopted.adopted is not None
    assert f"{NEXT_YEAR}年度" in asked[0] and "每月检查能力：2 次/月" in asked[0]
    assert "计划检查：12 次" in asked[0]
    assert "已采用的检查计划" in page.state.text() and "审核员甲" in page.state.text()
    assert not page.adopt_button.isEnabled()
    reviewer.close()

    # a restart: another session, a new page, opened on the adopted plan without 编制
    again = core.open_session(session.db.path, user="录入员乙")
    try:
        reopened = PlanPage(again, DataBus())
        qtbot.addWidget(reopened)
        reopened.year.setValue(NEXT_YEAR - 1)
        reopened.refresh()
        assert reopened.year.value() == NEXT_YEAR
        assert reopened.plan is not None and reopened.plan.adopted is not None
        assert reopened.model.rowCount() == 12 and reopened.bars.loads[0] == 2
        assert reopened.plan.capacity == 2 and "2 次/月" in reopened.summary.text()
        assert reopened.export_button.isEnabled() and not reopened.adopt_button.isEnabled()
        reopened.year.setValue(NEXT_YEAR + 1)
        assert reopened.plan is None and reopened.model.rowCount() == 0
        assert "尚未采用" in reopened.state.text()
    finally:
        again.close()


def test_replanning_says_what_changed_before_adopting(
    qtbot: QtBot, session: core.Session, tmp_path: Path
) -> None:
    reviewer = _reviewer(session)
    try:
        page = PlanPage(reviewer, DataBus())
        qtbot.addWidget(page)
        page.year.setValue(NEXT_YEAR)
        page.capacity.setValue(2)
        page.compute()
        page.ask_adoption = lambda text, details: True  # type: ignore[method-assign]
        first = page.adopt()
        assert first is not None

        reviewer.records.save(model.Unit(code(20), "新开业公司", "工贸八大行业"))
        page.capacity.setValue(1)
        page.compute()
        assert page.changes is not None
        text = page.changes_label.text()
        assert "新增企业 1 家" in text and "改变了建议月份" in text
        assert "检查能力由每月2次改为每月1次" in text
        assert f"{code(20)} 新开业公司" in page.changes_label.toolTip()
        assert page.show_adopted_button.isEnabled()

        asked: list[tuple[str, str]] = []

        def refuse(text: str, details: str) -> bool:
            asked.append((text, details))
            return False

        page.ask_adoption = refuse  # type: ignore[method-assign]
        assert page.adopt() is None
        assert "新增企业 1 家" in asked[0][0] and "新开业公司" in asked[0][1]
        kept = reviewer.schedule.adopted_plan(NEXT_YEAR)
        assert kept is not None and kept.adopted == first.adopted  # 否: nothing stored

        page.show_adopted_button.click()  # back to the adopted plan
        assert page.plan is not None and page.plan.adopted == first.adopted
        written = page.export_to(tmp_path / "adopted.xlsx")
        assert written is not None
        rows = openpyxl.load_workbook(written)["检查计划"].max_row
        page.compute()
        page.ask_adoption = lambda text, details: True  # type: ignore[method-assign]
        second = page.adopt()
        assert second is not None and second.adopted is not None and first.adopted is not None
        assert second.adopted.id > first.adopted.id and page.changes is None
        assert len(second.items) == 14
        assert rows == 4 + 12  # title, lines, header + the 12 adopted inspections
    finally:
        reviewer.close()


def test_clerk_cannot_adopt_and_stale_draft_is_not_adopted(
    qtbot: QtBot, session: core.Session
) -> None:
    bus = DataBus()
    page = PlanPage(session, bus)  # the fixture's session is a 录入员
    qtbot.addWidget(page)
    page.year.setValue(NEXT_YEAR)
    page.compute()
    assert page.plan is not None and not page.adopt_button.isEnabled()
    assert "审核员或管理员" in page.adopt_button.toolTip()

    reviewer = _reviewer(session)
    try:
        page = PlanPage(reviewer, bus)
        qtbot.addWidget(page)
        page.year.setValue(NEXT_YEAR)
        page.compute()
        assert page.adopt_button.isEnabled()
        bus.changed.emit(Changes(frozenset({Table.INSPECTIONS})))
        assert not page.adopt_button.isEnabled() and "数据已变化" in page.summary.text()
    finally:
        reviewer.close()


def test_window_opens_the_plan_page_on_the_adopted_plan(
    qtbot: QtBot, session: core.Session
) -> None:
    from safecredit_desktop.gui.main_window import MainWindow, app_settings

    app_settings().setValue("window/page", 1)  # the window opens on 企业台账
    reviewer = _reviewer(session)
    reviewer.schedule.adopt(reviewer.schedule.plan(year=NEXT_YEAR, capacity=3))
    reviewer.close()
    window = MainWindow(core.open_session(session.db.path, user="录入员丙"))
    qtbot.addWidget(window)
    window._backup_on_close = False
    page = window.plan
    assert isinstance(page, PlanPage) and page.plan is None  # nothing read before it is shown
    window.nav.setCurrentRow(
        [window.nav.item(i).text() for i in range(window.nav.count())].index("检查计划")
    )
    assert page.plan is not None and page.plan.adopted is not None
    assert page.year.value() == NEXT_YEAR and page.capacity.value() == 3
    assert page.model.rowCount() == 12 and "已采用的检查计划" in page.state.text()
