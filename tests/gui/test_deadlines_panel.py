"""The home page's deadlines panel (pytest-qt, offscreen)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.storage.changes import Changes
from safecredit_desktop.core.validate import uscc_check_character
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.views import deadlines_panel
from safecredit_desktop.gui.views.deadlines_panel import DeadlinesPanel


def _top(tree: QTreeWidget, i: int) -> QTreeWidgetItem:
    item = tree.topLevelItem(i)
    assert item is not None
    return item


def _uscc(n: int) -> str:
    first = f"9142130000{n:07d}"
    return first + uscc_check_character(first)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[core.Session]:
    s = core.init_database(
        tmp_path / "x.db", profile="suizhou", bureau_name="测试县应急管理局", user="测试"
    )
    yield s
    s.close()


def test_grouped_rows_estimate_mark_and_activation(qtbot: QtBot, session: core.Session) -> None:
    uid = session.records.save(model.Unit(uscc=_uscc(1), name="测试单位1", category="其他工贸"))
    session.records.save(
        model.Penalty(
            unit_id=uid, doc_no="罚1", decided_on=date(2026, 12, 28), department="应急管理部门"
        ),
    )
    bus = DataBus()
    panel = DeadlinesPanel(session, bus, as_of=date(2026, 12, 30))
    qtbot.addWidget(panel)
    tree = panel.tree
    assert tree.topLevelItemCount() == 1
    group = _top(tree, 0)
    assert group.text(0) == "双公示未公示（1）"
    row = group.child(0)
    assert row is not None
    # 2027 is unknown: Mon–Fri (1 January included) → 29, 30, 31 Dec, 1, 4, 5, 6 Jan
    assert row.text(0).startswith("2027-01-06※ · 测试单位1 · ")
    assert "2027年" in row.toolTip(0)
    assert "双击" in panel.note.text()

    with qtbot.waitSignal(panel.unit_activated) as blocker:
        tree.itemDoubleClicked.emit(row, 0)
    assert blocker.args == [uid]

    # a change announced on the bus refreshes the panel
    session.records.save(
        model.Inspection(
            unit_id=uid,
            inspected_on=date(2026, 12, 1),
            hazards=1,
            rectify_deadline=date(2026, 12, 20),
        ),
    )
    bus.changed.emit(Changes(frozenset({"inspections"})))
    kinds = [_top(tree, i).text(0) for i in range(tree.topLevelItemCount())]
    assert kinds == ["双公示未公示（1）", "整改逾期未完成（1）"]


def test_empty(qtbot: QtBot, session: core.Session) -> None:
    panel = DeadlinesPanel(session)
    qtbot.addWidget(panel)
    assert panel.tree.topLevelItemCount() == 1
    assert _top(panel.tree, 0).text(0) == "暂无需要关注的期限"


def test_long_kinds_show_the_soonest_and_say_how_many_more(
    qtbot: QtBot, session: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deadlines_panel, "ROWS_PER_KIND", 2)
    for n, day in enumerate((28, 21, 24), start=1):
        uid = session.records.save(
            model.Unit(uscc=_uscc(n), name=f"测试单位{n}", category="其他工贸")
        )
        session.records.save(
            model.Penalty(
                unit_id=uid,
                doc_no=f"罚{n}",
                decided_on=date(2026, 12, day),
                department="应急管理部门",
            ),
        )
    panel = DeadlinesPanel(session, as_of=date(2026, 12, 30))
    qtbot.addWidget(panel)
    group = _top(panel.tree, 0)
    assert group.text(0) == "双公示未公示（3）"
    shown = [group.child(i).text(0) for i in range(group.childCount())]  # type: ignore[union-attr]
    assert [s.split(" · ")[1] for s in shown[:2]] == ["测试单位2", "测试单位3"]  # soonest first
    assert shown[2] == "……另有 1 条，期限较晚，未列出"
    assert group.child(2).data(0, deadlines_panel.UNIT_ROLE) is None  # type: ignore[union-attr]


def test_not_computed_until_asked(qtbot: QtBot, session: core.Session) -> None:
    panel = DeadlinesPanel(session, load_now=False)
    qtbot.addWidget(panel)
    assert panel.tree.topLevelItemCount() == 0
    panel.refresh()
    assert _top(panel.tree, 0).text(0) == "暂无需要关注的期限"
