"""连续录入 (issue 18) driven as a clerk does: keys only (qtbot.keyClicks / keyClick) into
the real grid; the database is read back to see what was saved."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QInputMethodEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.pinyin_index import name_keys
from safecredit_desktop.core.validate import uscc_check_character
from safecredit_desktop.gui.batch_entry import BatchEntryDialog
from safecredit_desktop.gui.bus import DataBus

TODAY = date.today()
TOWNS = ("沱江镇", "阿拉营镇", "茶田镇", "廖家桥镇", "木江坪镇")


def code(n: int) -> str:
    first17 = f"91433123{n:09d}"
    return first17 + uscc_check_character(first17)


def chinese(n: int) -> str:
    digits = "〇一二三四五六七八九"
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else digits[tens] + "十")
    return head + (digits[ones] if ones else "") if n >= 10 else digits[n]


def name(n: int) -> str:
    return f"凤凰县{TOWNS[n % 5]}第{chinese(n)}建材厂"


class Keys:
    """Key events sent to whatever cell is being typed in, counted (the unit's search
    text apart: the issue counts keystrokes besides the unit's name)."""

    def __init__(self, qtbot: Any, grid: Any) -> None:
        self.qtbot = qtbot
        self.grid = grid
        self.count = 0

    def target(self) -> Any:
        editor = self.grid.editor()
        return editor if editor is not None else self.grid.view

    def type(self, text: str, *, counted: bool = True) -> None:
        self.qtbot.keyClicks(self.target(), text)
        if counted:
            self.count += len(text)

    def ime(self, text: str, keystrokes: int, *, counted: bool = True) -> None:
        """Chinese as an input method commits it (QTest types ASCII only); counted as
        the ``keystrokes`` the pinyin takes."""
        event = QInputMethodEvent("", [])
        event.setCommitString(text)
        QApplication.sendEvent(self.target(), event)
        if counted:
            self.count += keystrokes

    def press(
        self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        self.qtbot.keyClick(self.target(), key, modifier)
        self.count += 1

    def tab(self, times: int = 1) -> None:
        for _ in range(times):
            self.press(Qt.Key.Key_Tab)


@pytest.fixture
def county(tmp_path: Path) -> Iterator[core.Session]:
    session = core.init_database(
        tmp_path / "grid.db", profile="fenghuang", bureau_name="凤凰县应急管理局", user="小王"
    )
    session.repo.insert_many(
        [
            model.Unit(uscc=code(n), name=name(n), category="工贸八大行业", town=TOWNS[n % 5])
            for n in range(1, 61)
        ]
    )
    yield session
    session.close()


def open_grid(
    qtbot: Any, session: core.Session, kind: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[BatchEntryDialog]:
    opened = BatchEntryDialog(session, DataBus(), kind)
    opened.show()
    qtbot.waitExposed(opened)
    yield opened
    # leaving with unsaved rows asks first; the tests have said what they mean by then
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    opened.close()
    opened.deleteLater()


@pytest.fixture
def dialog(
    qtbot: Any, county: core.Session, monkeypatch: pytest.MonkeyPatch
) -> Iterator[BatchEntryDialog]:
    yield from open_grid(qtbot, county, "inspection", monkeypatch)


def count(session: core.Session, table: str = "inspections") -> int:
    return int(session.db.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def short(day: date) -> str:
    return f"{day.month}-{day.day}"


# searched as a clerk would: by code, by a part of the name, by pinyin initials
def type_unit(keys: Keys, n: int) -> None:
    if n % 3 == 0:
        keys.type(code(n), counted=False)
    elif n % 3 == 1:
        keys.ime(f"第{chinese(n)}建材", 0, counted=False)
    else:
        keys.type(name_keys(name(n)).initials, counted=False)  # e.g. fhxtjzdejcc


def test_a_stack_of_twenty_inspections_typed_with_keys(
    dialog: BatchEntryDialog, qtbot: Any, county: core.Session
) -> None:
    grid = dialog.grid
    keys = Keys(qtbot, grid)
    day = TODAY - timedelta(days=3)
    deadline = TODAY + timedelta(days=20)
    per_row: list[int] = []
    for n in range(1, 21):
        before = keys.count
        type_unit(keys, n)
        keys.press(Qt.Key.Key_Return)  # the first match; on to 检查日期
        if n == 1:
            keys.type(short(day))
            keys.tab()
            keys.type("4")  # the fourth 检查方式: 专项
            keys.tab()
            keys.ime("张三、李四", len("zs,ls"))
            keys.tab()
        else:  # 检查日期, 检查方式, 执法人员 carried from the row above
            keys.tab(3)
        keys.type(str(n % 4))  # 发现隐患数
        keys.tab(2)  # 重大隐患数 left blank
        keys.type(short(deadline))
        keys.tab(2)  # 整改完成日期 blank
        if n == 1:
            keys.ime("凤应急检〔2026〕0101号", len("fyjj[2026]0101h"))
        keys.tab()  # 文书编号: the next number is suggested
        keys.press(Qt.Key.Key_Return)  # 备注 is the last cell: Enter saves the row
        per_row.append(keys.count - before)
    assert grid.error_list() == []
    assert count(county) == 20
    stored = county.db.conn.execute(
        "SELECT u.uscc, i.inspected_on, i.method, i.inspectors, i.hazards, i.rectify_deadline,"
        " i.doc_no FROM inspections i JOIN units u ON u.id = i.unit_id ORDER BY i.id"
    ).fetchall()
    assert [row[0] for row in stored] == [code(n) for n in range(1, 21)]
    assert {tuple(row[1:4]) for row in stored} == {(day.isoformat(), "专项", "张三、李四")}
    assert [row[4] for row in stored] == [n % 4 for n in range(1, 21)]
    assert {row[5] for row in stored} == {deadline.isoformat()}
    assert [row[6] for row in stored] == [f"凤应急检〔2026〕{100 + n:04d}号" for n in range(1, 21)]
    typical = max(per_row[1:])
    assert typical <= 20, per_row
    report = os.environ.get("SAFECREDIT_BENCH_KEYSTROKES")  # bench/bench_batch_entry.py
    if report:
        Path(report).write_text(
            json.dumps({"typical_row": typical, "first_row": per_row[0], "rows": per_row}),
            encoding="utf-8",
        )


def pasted_block(bad: dict[tuple[int, str], str]) -> str:
    """50 inspections as a WPS sheet copies them: a header row of its own wording,
    tab-separated cells, CRLF line ends."""
    day = TODAY - timedelta(days=2)
    lines = ["社会信用代码\t检查日期\t检查方式\t执法人员\t隐患数"]
    for n in range(1, 51):
        cells = {
            "code": code(n),
            "date": f"{day.year}.{day.month}.{day.day}",
            "method": "日常",
            "who": "张三",
            "hazards": str(n % 3),
        }
        for (row, column), text in bad.items():
            if row == n:
                cells[column] = text
        lines.append("\t".join(cells.values()))
    return "\r\n".join(lines) + "\r\n"


def test_a_pasted_block_with_three_bad_cells_then_fixed_saved_and_undone(
    dialog: BatchEntryDialog, qtbot: Any, county: core.Session
) -> None:
    grid = dialog.grid
    keys = Keys(qtbot, grid)
    QGuiApplication.clipboard().setText(
        pasted_block({(7, "date"): "2026.13.1", (23, "hazards"): "两个", (41, "code"): code(99)})
    )
    keys.press(Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert count(county) == 0
    listed = grid.error_list()
    assert [(row, column, value) for row, column, value, _ in listed] == [
        (7, "检查日期", "2026.13.1"),
        (23, "发现隐患数", "两个"),
        (41, "统一社会信用代码", code(99)),
    ]
    assert "不是真实存在的日期" in listed[0][3]
    assert "没有统一社会信用代码为" in listed[2][3]
    # Enter on the last cell of a row of a block with bad cells saves nothing
    grid.go_to(0, grid.model.last_column())
    keys.press(Qt.Key.Key_Return)
    assert count(county) == 0
    # each fix, then Ctrl+S: the grid goes to the next bad cell until the block saves
    day = TODAY - timedelta(days=2)
    fixes = {
        grid.model.column_of("inspected_on"): short(day),
        grid.model.column_of("hazards"): "2",
        grid.model.column_of("unit_id"): code(51),
    }
    for expected_row in (6, 22, 40):
        row, column = grid.current()
        assert row == expected_row
        keys.type(fixes[column])
        keys.press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert grid.error_list() == []
    assert count(county) == 50
    assert "已在一次操作中保存 50 条执法检查记录" in grid.message.text()
    keys.press(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert count(county) == 0  # the block taken back as one step
    assert "撤销新增的50条执法检查记录" in grid.message.text()
    assert grid.unsaved_count() == 50  # the rows are back in the grid, as typed


def test_an_accident_that_drops_a_unit_from_a_to_c(
    qtbot: Any, county: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit = model.Unit(
        uscc=code(90),
        name="凤凰县沱江化工有限公司",
        category="工贸八大行业",
        std_level="二级",
        std_awarded_on=TODAY - timedelta(days=300),
        std_valid_until=TODAY + timedelta(days=700),
    )
    (unit_id,) = county.repo.insert_many([unit])
    for kind in model.CommitmentType:
        county.records.save(model.Commitment(unit_id, kind.value, TODAY - timedelta(days=30)))
    assert county.grading.grade_one(unit_id).grade == "A"
    for opened in open_grid(qtbot, county, "accident", monkeypatch):
        grid = opened.grid
        keys = Keys(qtbot, grid)
        keys.type("fhxtjhg", counted=False)  # 凤凰县沱江化工…
        assert not grid.candidates.isVisible()  # looked up when the typing pauses
        qtbot.waitUntil(grid.candidates.isVisible)
        assert grid.candidates.item(0).text().startswith("凤凰县沱江化工有限公司")
        keys.press(Qt.Key.Key_Return)
        assert grid.model.rows[0].badge is not None
        assert grid.model.rows[0].badge.text == "凤凰县沱江化工有限公司（A）"
        keys.type(short(TODAY - timedelta(days=1)))
        keys.tab(3)  # 事故编号, 事故等级 (from the figures)
        keys.type("1")  # 死亡人数
        keys.tab(3)
        keys.type("1")  # 责任事故: the first choice, 是
        keys.tab()
        keys.press(Qt.Key.Key_Return)
        assert count(county, "accidents") == 1
        assert (
            "凤凰县沱江化工有限公司：等级由A（一级）变为C（三级）：1年内发生造成人员死亡的生产安全责任事故"
            in grid.message.text()
        )


def test_open_batch_entry_for_each_kind_with_the_templates_columns(
    qtbot: Any, county: core.Session
) -> None:
    from safecredit_desktop.core.exchange.columns import SHEET_BY_TABLE
    from safecredit_desktop.gui.batch_entry import open_batch_entry
    from safecredit_desktop.gui.batch_entry.dialog import KIND_TABLES

    for kind, table in KIND_TABLES.items():
        open_batch_entry(None, county, DataBus(), kind)
        opened = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, BatchEntryDialog) and w.isVisible()
        ]
        assert len(opened) == 1
        dialog = opened[0]
        titles = [c.title for c in dialog.grid.model.columns if c.spec is not None]
        headers = [c.header for c in SHEET_BY_TABLE[table].columns if c.kind != "review"]
        assert titles == headers
        assert dialog.windowTitle().startswith("连续录入")
        dialog.close()  # nothing typed: closes without asking
        assert not dialog.isVisible()


def test_ctrl_delete_removes_an_unsaved_row_and_undo_refuses_when_nothing_saved(
    dialog: BatchEntryDialog, qtbot: Any, county: core.Session
) -> None:
    grid = dialog.grid
    keys = Keys(qtbot, grid)
    keys.type(code(5), counted=False)
    keys.press(Qt.Key.Key_Return)
    keys.type("5")  # a date that cannot be read
    keys.tab()
    assert [(r, c) for r, c, _, _ in grid.error_list()] == [(1, "检查日期")]
    keys.press(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "没有可以撤销的保存" in grid.message.text()
    keys.press(Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert grid.unsaved_count() == 0 and grid.error_list() == []
    assert count(county) == 0


def test_a_cell_is_checked_as_it_is_typed(dialog: BatchEntryDialog, qtbot: Any) -> None:
    grid = dialog.grid
    keys = Keys(qtbot, grid)
    keys.type(code(5), counted=False)
    keys.press(Qt.Key.Key_Return)
    ahead = TODAY + timedelta(days=400)
    keys.type(f"{ahead.year}-{ahead.month}-{ahead.day}")  # in the future
    editor = grid.editor()
    assert editor is not None and "晚于今天" in editor.toolTip()
    assert grid.error_list() == []  # listed when the cell is left
    keys.tab()
    assert [(r, c) for r, c, _, _ in grid.error_list()] == [(1, "检查日期")]
    grid.go_to(0, grid.model.column_of("inspected_on"))
    keys.type(short(TODAY))
    editor = grid.editor()
    assert editor is not None and editor.toolTip() == ""
    keys.tab()
    assert grid.error_list() == []


def test_one_copied_cell_goes_into_the_current_cell(dialog: BatchEntryDialog, qtbot: Any) -> None:
    grid = dialog.grid
    grid.go_to(0, grid.model.column_of("hazards"))
    grid.delegate.finish(grid.editor())  # the view itself has the focus
    QGuiApplication.clipboard().setText("3\r\n")
    qtbot.keyClick(grid.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert grid.model.text(0, "hazards") == "3"
    assert len(grid.model.rows) == 1


def test_enter_on_the_last_cell_of_a_right_block_saves_it_whole(
    dialog: BatchEntryDialog, qtbot: Any, county: core.Session
) -> None:
    grid = dialog.grid
    keys = Keys(qtbot, grid)
    day = TODAY - timedelta(days=1)
    rows = [f"{code(n)}\t{day.year}年{day.month}月{day.day}日\t\t\t{n}" for n in (3, 4, 5)]
    QGuiApplication.clipboard().setText("\r\n".join(rows))  # no header: by position
    keys.press(Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert grid.error_list() == []
    assert grid.current() == (2, grid.model.last_column())  # ready for Enter
    keys.press(Qt.Key.Key_Return)
    assert count(county) == 3
    methods = county.db.conn.execute("SELECT DISTINCT method FROM inspections").fetchall()
    assert [m[0] for m in methods] == ["计划"]  # a blank pasted cell: the form's default
    assert grid.current() == (3, 0)  # on to the new row
