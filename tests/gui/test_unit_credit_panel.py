"""A unit's credit standing: lists, 守信激励, 不良信用记录, 异议中, broken commitments;
and the unit detail page's tab and “（异议中）” marks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTableWidgetItem
from pytestqt.qtbot import QtBot

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.storage.changes import Changes
from safecredit_desktop.core.validate import uscc_check_character
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.views.unit_credit_panel import UnitCreditPanel
from safecredit_desktop.gui.views.unit_detail_page import OBJECTION_SUFFIX, UnitDetailPage


def _text(item: QTableWidgetItem | None) -> str:
    assert item is not None
    return item.text()


def make_code(n: int) -> str:
    first17 = f"91433123{n:09d}"
    return first17 + uscc_check_character(first17)


Filled = tuple[core.Session, int, dict[str, int]]


@pytest.fixture
def filled(tmp_path: Path) -> Iterator[Filled]:
    session = core.init_database(
        tmp_path / "x.db",
        profile="fenghuang",
        bureau_name="测试县应急管理局",
        user="管理员",
        admin=("管理员", "admin-pw"),
    )
    unit_id = session.records.save(
        model.Unit(
            uscc=make_code(7),
            name="凤凰县沱江化工有限公司",
            category="危险化学品",
            main_person="王五",
            town="沱江镇",
        ),
    )
    ids = {
        "commitments": session.publicity.record_commitment_signed(
            unit_id=unit_id, kind="单位承诺", signed_on=date(2024, 1, 10), signer="王五"
        ),
        "inspections": session.records.save(
            model.Inspection(
                unit_id=unit_id,
                inspected_on=date(2025, 3, 1),
                hazards=3,
                major_hazards=1,
                rectify_deadline=date(2025, 4, 1),
                rectified_on=date(2025, 3, 20),
            ),
        ),
        "violations": session.records.save(
            model.Violation(
                unit_id=unit_id, kind="commitment_breach", occurred_on=date(2025, 5, 6)
            ),
        ),
    }
    yield session, unit_id, ids
    session.close()


@pytest.fixture
def panel(qtbot: QtBot, filled: Filled) -> UnitCreditPanel:
    session, unit_id, _ = filled
    shown = UnitCreditPanel(session, DataBus())
    qtbot.addWidget(shown)
    shown.show_unit(unit_id)
    return shown


def test_shows_bad_records_and_the_broken_commitment(panel: UnitCreditPanel) -> None:
    assert panel.unit_id is not None
    bad = panel.bad_label.text()
    assert "执法检查发现存在重大安全生产隐患" in bad and "检查 2025-03-01 重大隐患1处" in bad
    assert "违反承诺" in bad and "失信 2025-05-06 违反安全生产承诺" in bad
    assert "（3）" in bad and "（8）" in bad
    assert panel.bad_box.title() == "不良信用记录（2 条）"
    assert not panel.bad_box.isHidden()
    assert "未列入任何名单" in panel.lists_label.text()
    assert panel.objections_box.isHidden() and panel.incentives_box.isHidden()
    assert not panel.breaches_box.isHidden()
    breaches = panel.breaches_label.text()
    assert "违反的承诺：单位承诺 2024-01-10（王五签署）" in breaches
    assert panel.summary_text() == "不良记录 2"


def test_objection_marks_the_record(qtbot: QtBot, panel: UnitCreditPanel, filled: Filled) -> None:
    session, _, ids = filled
    session.objections.file(
        table="inspections", record_id=ids["inspections"], content="重大隐患认定有误"
    )
    panel.bus.changed.emit(Changes(frozenset({"objections"})))  # refreshed once, after the signal
    qtbot.waitUntil(lambda: not panel.objections_box.isHidden())
    text = panel.objections_label.text()
    assert "异议中" in text and "检查 2025-03-01" in text
    assert panel.objected == session.objections.open_targets(panel.unit_id)
    assert "异议中 1" in panel.summary_text()


def test_lists_show_kind_stage_and_dates(panel: UnitCreditPanel, filled: Filled) -> None:
    session, unit_id, _ = filled
    black = next(k for k in session.lists.kinds() if k != "红名单")
    session.lists.add(unit_id=unit_id, list_kind=black, facts="拒不执行监管指令", basis="第十条")
    panel.refresh()
    text = panel.lists_label.text()
    assert black in text and "阶段：采集" in text and date.today().isoformat() in text
    assert panel.summary_text().startswith("名单 1")


def test_incentives_shown_green_only_when_there_are_some(qtbot: QtBot, tmp_path: Path) -> None:
    session = core.init_database(
        tmp_path / "demo.db", profile="fenghuang", bureau_name="测试县应急管理局", user="管理员"
    )
    try:
        core.fill_demo(session, enterprises=60, seed=1)
        graded_a = session.units.of_grade("A", date.today())
        assert graded_a
        panel = UnitCreditPanel(session, DataBus())
        qtbot.addWidget(panel)
        panel.show_unit(graded_a[0])
        assert not panel.incentives_box.isHidden()
        assert panel.incentives == session.lists.incentives(graded_a[0])
        assert "守信激励" in panel.incentives_label.text()
        assert "#2e7d32" in panel.incentives_label.text()
        other = next(u for u, _c, _n in session.units.search("") if u not in graded_a)
        if not session.lists.incentives(other):
            panel.show_unit(other)
            assert panel.incentives_box.isHidden()
        panel.clear()
        assert panel.unit_id is None and panel.bad_box.isHidden()
    finally:
        session.close()


def test_unit_detail_tab_and_timeline_mark(qtbot: QtBot, filled: Filled) -> None:
    session, unit_id, ids = filled
    page = UnitDetailPage(session, DataBus())
    qtbot.addWidget(page)
    page.show_unit(unit_id)
    assert page.tabs.tabText(0) == "记录时间线"
    assert page.tabs.tabText(1) == "信用状况（不良记录 2）"
    assert page.credit_panel.unit_id == unit_id
    assert page.select_record("inspections", ids["inspections"])
    row = page.timeline.selectionModel().selectedRows()[0].row()
    assert not _text(page.timeline.item(row, 2)).endswith(OBJECTION_SUFFIX)

    session.objections.file(
        table="inspections", record_id=ids["inspections"], content="重大隐患认定有误"
    )
    page.bus.changed.emit(Changes(frozenset({"objections"})))
    assert page.select_record("inspections", ids["inspections"])
    row = page.timeline.selectionModel().selectedRows()[0].row()
    assert _text(page.timeline.item(row, 2)).endswith("（异议中）")
    assert _text(page.timeline.item(row, 2)).startswith("检查（")
    others = [_text(page.timeline.item(r, 2)) for r in range(page.timeline.rowCount()) if r != row]
    assert all("异议中" not in t for t in others)
    assert page.tabs.tabText(1) == "信用状况（不良记录 2 · 异议中 1）"
    assert "异议中" in page.credit_panel.objections_label.text()

    page.show_unit(999)
    assert page.credit_panel.unit_id is None and page.tabs.tabText(1) == "信用状况"
