"""The small shared window pieces folded out of the dialogs, tabs and models (issue 17):
the retry-until-saved loop, yes/no questions, the export save dialog, refilled
drop-downs, Enter on a row, and the paged table model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QComboBox, QDialog, QFileDialog, QLabel, QMessageBox, QTableView
from pytestqt.qtbot import QtBot

from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.gui.blocks.choices import refill, refill_items
from safecredit_desktop.gui.blocks.dialog_parts import (
    accept_button,
    accept_cancel,
    confirmed,
    exec_until_saved,
    row_of,
)
from safecredit_desktop.gui.blocks.enter_key import EnterOpensRow
from safecredit_desktop.gui.blocks.paged_model import PagedModel
from safecredit_desktop.gui.blocks.save_path import SaveFolder


class _Answers(QDialog):
    """A dialog whose exec() answers from a list (accepted / rejected) without showing."""

    def __init__(self, answers: list[bool]) -> None:
        super().__init__()
        self.answers = answers
        self.shown = 0
        self.error = QLabel(self)

    def exec(self) -> int:
        self.shown += 1
        accepted = self.answers.pop(0)
        return int(QDialog.DialogCode.Accepted if accepted else QDialog.DialogCode.Rejected)


def test_exec_until_saved_shows_the_refusal_and_asks_again(qtbot: QtBot) -> None:
    dialog = _Answers([True, True])
    qtbot.addWidget(dialog)
    tries: list[int] = []

    def save() -> str:
        tries.append(1)
        if len(tries) == 1:
            raise SafeCreditError("用户名已存在。")
        return "saved"

    assert exec_until_saved(dialog, save) == ("saved",)
    assert dialog.shown == 2 and dialog.error.text() == "用户名已存在。"


def test_exec_until_saved_cancelled_saves_nothing(qtbot: QtBot) -> None:
    dialog = _Answers([False])
    qtbot.addWidget(dialog)
    assert exec_until_saved(dialog, lambda: pytest.fail("saved after 取消")) is None


def test_exec_until_saved_tells_a_save_that_returns_none_from_a_cancel(qtbot: QtBot) -> None:
    dialog = _Answers([True])
    qtbot.addWidget(dialog)
    assert exec_until_saved(dialog, lambda: None) == (None,)  # truthy: it was saved


def test_accept_cancel_names_the_accept_button_and_runs_its_slot(qtbot: QtBot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    ran: list[str] = []
    buttons = accept_cancel(dialog, "创建并登录", lambda: ran.append("accept"))
    accept_button(buttons).click()
    assert ran == ["accept"] and accept_button(buttons).text() == "创建并登录"
    assert sorted(b.text() for b in buttons.buttons()) == sorted(["创建并登录", "取消"])


@pytest.mark.parametrize(
    ("answer", "no_by_default", "default"),
    [
        (QMessageBox.StandardButton.Yes, False, QMessageBox.StandardButton.NoButton),
        (QMessageBox.StandardButton.No, True, QMessageBox.StandardButton.No),
    ],
)
def test_confirmed_asks_yes_or_no(
    monkeypatch: pytest.MonkeyPatch,
    answer: QMessageBox.StandardButton,
    no_by_default: bool,
    default: QMessageBox.StandardButton,
) -> None:
    asked: list[tuple[Any, ...]] = []

    def question(*args: Any) -> QMessageBox.StandardButton:
        asked.append(args)
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    said = confirmed(None, "停用用户", "停用用户 张三？", no_by_default=no_by_default)
    assert said is (answer == QMessageBox.StandardButton.Yes)
    buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    assert asked == [(None, "停用用户", "停用用户 张三？", buttons, default)]


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [("/tmp/计划", "/tmp/计划.xlsx"), ("/tmp/计划.XLSX", "/tmp/计划.XLSX"), ("", None)],
)
def test_ask_workbook_path_ends_in_xlsx(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, chosen: str, expected: str | None
) -> None:
    offered: list[str] = []

    def save_as(_parent: Any, _title: str, suggested: str, _filter: str) -> tuple[str, str]:
        offered.append(suggested)
        return chosen, ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    owner = QLabel()
    qtbot.addWidget(owner)
    folder = SaveFolder()
    folder.path = Path("/tmp")
    path = folder.ask_workbook(owner, "导出", "凤凰县/2027年计划.xlsx")
    assert path == (Path(expected) if expected else None)
    assert offered[0].startswith("/tmp/") and offered[0].endswith(".xlsx")
    assert "/" not in offered[0][len("/tmp/") :]  # the name made a safe file name


def test_refill_keeps_the_everything_entry_first(qtbot: QtBot) -> None:
    combo = QComboBox()
    qtbot.addWidget(combo)
    refill(combo, "全部", None, ["沱江镇", "廖家桥镇"])
    assert [combo.itemText(i) for i in range(combo.count())] == ["全部", "沱江镇", "廖家桥镇"]
    assert [combo.itemData(i) for i in range(combo.count())] == [None, "沱江镇", "廖家桥镇"]
    refill_items(combo, [("实时", "live"), ("2026年度评定（已确认）", 2026)])
    assert [combo.itemData(i) for i in range(combo.count())] == ["live", 2026]


def test_row_of_makes_a_text_a_label(qtbot: QtBot) -> None:
    owner = QLabel()
    qtbot.addWidget(owner)
    field = QComboBox(owner)
    row = row_of("年度", field)
    first = row.itemAt(0).widget()
    assert isinstance(first, QLabel) and first.text() == "年度"
    assert row.itemAt(1).widget() is field and row.itemAt(2).spacerItem() is not None


def test_enter_opens_the_current_row(qtbot: QtBot) -> None:
    model = QStandardItemModel(3, 1)
    view = QTableView()
    view.setModel(model)
    qtbot.addWidget(view)
    opened: list[int] = []
    view.filter = EnterOpensRow(view, lambda index: opened.append(index.row()))  # type: ignore[attr-defined]
    view.show()
    view.setCurrentIndex(model.index(2, 0))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.keyClick(view, Qt.Key.Key_Down)  # other keys go on to the view
    assert opened == [2]
    view.setCurrentIndex(QModelIndex())
    qtbot.keyClick(view, Qt.Key.Key_Enter)
    assert opened == [2]  # no current row: nothing opens


@dataclass(frozen=True)
class _Row:
    id: int


class _Numbers(PagedModel[_Row]):
    """Rows 0..total-1 read ``page_size`` at a time; after ``vanished`` no more come."""

    def __init__(self, total: int, page_size: int) -> None:
        super().__init__(None, page_size)
        self.total = total
        self.reads: list[tuple[int, int]] = []
        self.vanished = False

    def _read_first(self, limit: int) -> list[_Row]:
        self.reads.append((0, limit))
        return [_Row(i) for i in range(min(limit, self.total))]

    def _read_page(self, offset: int) -> list[_Row]:
        self.reads.append((offset, self._page_size))
        if self.vanished:
            return []
        return [_Row(i) for i in range(offset, min(offset + self._page_size, self.total))]

    def _count(self) -> int:
        return self.total

    def _ran_out(self, offset: int) -> None:
        self.total = offset

    def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
        return 1


def test_paged_model_reads_a_page_at_a_time() -> None:
    model = _Numbers(total=5, page_size=2)
    model.reload()
    assert model.rowCount() == 2 and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 5 and not model.canFetchMore(QModelIndex())
    assert model.row_of(4) == 4 and model.row_of(9) is None
    model.reload(at_least=4)  # keeps a scroll position
    assert model.rowCount() == 4 and model.reads[-1] == (0, 4)


def test_paged_model_stops_when_rows_vanished_meanwhile() -> None:
    model = _Numbers(total=5, page_size=2)
    model.reload()
    model.vanished = True  # the rest deleted elsewhere; the count still says 5
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2 and not model.canFetchMore(QModelIndex())
