"""双随机抽查 page and the 执法人员名录 tab (pytest-qt, offscreen)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.gui.blocks import RowTable
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.views.draw_page import DrawPage
from safecredit_desktop.gui.views.roster_tab import RosterTab


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[core.Session]:
    session = core.init_database(
        tmp_path / "x.db",
        profile="fenghuang",
        bureau_name="测试县应急管理局",
        user="管理员",
        admin=("管理员", "admin-pw"),
    )
    core.fill_demo(session, enterprises=300, seed=1)
    yield session
    session.close()


def _text(table: RowTable[Any], row: int, col: int) -> str:
    return table.text(row, col)


def _messages(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []

    def box(kind: str) -> Any:
        def show(_parent: object, _title: str, text: str, *args: object) -> int:
            shown.append((kind, text))
            return 0

        return show

    monkeypatch.setattr(QMessageBox, "warning", box("warning"))
    monkeypatch.setattr(QMessageBox, "information", box("information"))
    _answer(monkeypatch, QMessageBox.StandardButton.Yes, shown)
    return shown


def _answer(
    monkeypatch: pytest.MonkeyPatch,
    button: QMessageBox.StandardButton,
    shown: list[tuple[str, str]],
) -> None:
    """Answer every QMessageBox.question with ``button``, noting its text in ``shown``."""

    def ask(_parent: object, _title: str, text: str, *args: object) -> QMessageBox.StandardButton:
        shown.append(("question", text))
        return button

    monkeypatch.setattr(QMessageBox, "question", ask)


def test_draw_show_verify_annul_export(
    qtbot: QtBot, demo: core.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = _messages(monkeypatch)
    bus = DataBus()
    page = DrawPage(demo, bus)
    qtbot.addWidget(page)
    assert len(page.draws.rows()) == 0
    assert page.ratio_spins["A"].value() == 5.0 and page.ratio_spins["D"].value() == 100.0
    page.year.setValue(2026)
    page.seed.setText("公开抽取")
    page.grade_checks["A"].setChecked(False)
    with qtbot.waitSignal(bus.changed):
        page.draw_button.click()
    assert len(page.draws.rows()) == 1
    found = demo.draws.history()[0]
    assert found.seed == "公开抽取" and found.filters["grades"] == ["B", "C", "D"]
    assert page.selected_draw_id() == found.id
    assert len(page.result.rows()) == found.selected > 0
    assert "（" in _text(page.result, 0, 4)  # names with 执法证号

    assert page.verify_selected() is True
    assert shown[-1][0] == "information"

    out = tmp_path / "结果"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kw: (str(out), ""))
    page.export_button.click()
    assert page.last_export == tmp_path / "结果.xlsx"
    assert openpyxl.load_workbook(page.last_export).sheetnames[0] == "抽查结果"

    monkeypatch.setattr(QInputDialog, "getText", lambda *args: ("", True))
    page.annul_button.click()
    assert shown[-1][0] == "warning" and "理由" in shown[-1][1]
    assert not demo.draws.history()[0].annulled
    monkeypatch.setattr(QInputDialog, "getText", lambda *args: ("见证人缺席", True))
    page.annul_button.click()
    assert demo.draws.history()[0].annul_reason == "见证人缺席"
    assert _text(page.draws, 0, 7) == "已作废"
    assert not page.annul_button.isEnabled()
    assert "作废" in page.summary.text()


def test_too_few_inspectors_is_a_sentence(
    qtbot: QtBot, demo: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = _messages(monkeypatch)
    page = DrawPage(demo, DataBus())
    qtbot.addWidget(page)
    page.team_size.setValue(10)
    page.draw_button.click()
    assert shown and shown[-1][0] == "warning" and "不足每组 10 名" in shown[-1][1]
    assert len(page.draws.rows()) == 0


def test_roster_tab_add_toggle_conflicts(
    qtbot: QtBot, demo: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = _messages(monkeypatch)
    bus = DataBus()
    tab = RosterTab(demo, bus)
    qtbot.addWidget(tab)
    before = len(tab.table.rows())
    assert before == len(demo.draws.inspectors()) > 0

    answers = iter([model.Inspector(name="王五", cert_no="43312399990009", org="局机关"), None])
    monkeypatch.setattr(tab, "ask_inspector", lambda _i: next(answers))
    with qtbot.waitSignal(bus.changed):
        tab.add_button.click()
    assert len(tab.table.rows()) == before + 1
    row = next(r for r in range(len(tab.table.rows())) if _text(tab.table, r, 0) == "王五")
    tab.table.selectRow(row)
    assert tab.toggle_button.text() == "停用"
    tab.toggle_button.click()
    assert _text(tab.table, row, 3) == "否"

    code = str(demo.db.conn.execute("SELECT uscc FROM units ORDER BY uscc LIMIT 1").fetchone()[0])
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *args: (f"{code}、", True))
    tab.table.selectRow(row)
    tab.conflicts_button.click()
    assert _text(tab.table, row, 4) == code
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *args: ("91XXXX", True))
    tab.conflicts_button.click()
    assert shown[-1][0] == "warning" and "91XXXX" in shown[-1][1]

    # a duplicate 执法证号 is refused with a sentence and the dialog comes back
    answers = iter([model.Inspector(name="赵六", cert_no="43312399990009"), None])
    monkeypatch.setattr(tab, "ask_inspector", lambda _i: next(answers))
    tab.add_button.click()
    assert "已登记" in shown[-1][1]
    assert len(tab.table.rows()) == before + 1


def test_draw_is_stored_only_after_yes(
    qtbot: QtBot, demo: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = _messages(monkeypatch)
    bus = DataBus()
    page = DrawPage(demo, bus)
    qtbot.addWidget(page)
    page.year.setValue(2026)
    page.seed.setText("见证抽取")
    page.grade_checks["A"].setChecked(False)
    page.team_size.setValue(3)

    _answer(monkeypatch, QMessageBox.StandardButton.No, shown)
    page.draw_button.click()
    assert demo.draws.history() == [] and len(page.draws.rows()) == 0
    kind, text = shown[-1]
    assert kind == "question"
    for part in ("2026", "B级 10%", "C级 30%", "D级 100%", "见证抽取", "3 名", "（全部）"):
        assert part in text
    assert "A级" not in text

    _answer(monkeypatch, QMessageBox.StandardButton.Yes, shown)
    with qtbot.waitSignal(bus.changed):
        page.draw_button.click()
    drawn = demo.draws.history()
    assert len(drawn) == 1 and drawn[0].seed == "见证抽取" and drawn[0].team_size == 3
