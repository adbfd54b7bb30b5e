"""The small pieces the list and workflow pages share (gui/blocks/page_parts.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.gui.blocks.forms import StepDialog
from safecredit_desktop.gui.blocks.page_parts import (
    SaveFolder,
    SubmitDialog,
    ask_save_path,
    ask_workbook_path,
    button_row,
    confirm,
    dialog_buttons,
    enable_for,
    push_button,
    read_only_rows,
    refill,
    refill_texts,
    run_for,
    run_step,
    stacked,
)


def test_button_row_puts_the_stretch_between_left_and_right(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    a, b, c, d = (QLabel(text, host) for text in "甲乙丙丁")
    row = button_row([a, b], [c])
    alone = button_row([d])
    stacked(host, row, alone)

    def parts(layout: QLayout) -> list[object]:
        return [layout.itemAt(i).widget() or "stretch" for i in range(layout.count())]

    assert parts(row) == [a, b, "stretch", c]
    assert parts(alone) == [d, "stretch"]


def test_stacked_lays_widgets_and_layouts_one_below_the_other(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    label, edit = QLabel("说明", host), QLineEdit(host)
    row = button_row([edit])
    layout = stacked(host, label, row)
    assert host.layout() is layout
    assert layout.itemAt(0).widget() is label and layout.itemAt(1).layout() is row


def test_dialog_buttons_say_their_words_and_run_what_they_are_given(qtbot: QtBot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    pressed: list[str] = []
    buttons = dialog_buttons(dialog, "登记", lambda: pressed.append("ok"))
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert (ok.text(), cancel.text()) == ("登记", "取消")
    ok.click()
    assert pressed == ["ok"] and dialog.result() == 0  # on_ok decides, not accept
    plain = dialog_buttons(dialog)
    assert plain.button(QDialogButtonBox.StandardButton.Ok).text() == "确定"
    plain.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.result() == QDialog.DialogCode.Accepted


@pytest.mark.parametrize(
    ("answer", "expected"),
    [(QMessageBox.StandardButton.Yes, True), (QMessageBox.StandardButton.No, False)],
)
def test_confirm_is_true_only_for_yes_and_defaults_to_no(
    monkeypatch: pytest.MonkeyPatch, answer: QMessageBox.StandardButton, expected: bool
) -> None:
    asked: list[tuple[object, ...]] = []

    def question(*args: object) -> QMessageBox.StandardButton:
        asked.append(args)
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    assert confirm(None, "批量打印", "确定吗？") is expected
    assert asked[-1][1:3] == ("批量打印", "确定吗？")
    assert asked[-1][4] == QMessageBox.StandardButton.No
    confirm(None, "未打印", "改为保存？", default=QMessageBox.StandardButton.Yes)
    assert asked[-1][4] == QMessageBox.StandardButton.Yes


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        ("/tmp/x/名单", Path("/tmp/x/名单.xlsx")),
        ("/tmp/x/名单.XLSX", Path("/tmp/x/名单.XLSX")),
        ("/tmp/x/名单.2026", Path("/tmp/x/名单.2026.xlsx")),
        ("", None),
    ],
)
def test_ask_workbook_path_ensures_xlsx_and_none_when_cancelled(
    monkeypatch: pytest.MonkeyPatch, chosen: str, expected: Path | None
) -> None:
    offered: list[tuple[str, str]] = []

    def save_as(_parent: object, _title: str, suggested: str, filters: str) -> tuple[str, str]:
        offered.append((suggested, filters))
        return chosen, ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    assert ask_workbook_path(None, "导出", Path("/tmp/x/建议.xlsx")) == expected
    assert offered == [("/tmp/x/建议.xlsx", "Excel 工作簿 (*.xlsx)")]


def test_refill_keeps_the_chosen_item_by_its_data(qtbot: QtBot) -> None:
    combo = QComboBox()
    qtbot.addWidget(combo)
    refill(combo, [("实时", None), ("2025年度", 2025), ("2024年度", 2024)])
    combo.setCurrentIndex(2)
    heard: list[int] = []
    combo.currentIndexChanged.connect(heard.append)
    refill(combo, [("实时", None), ("2026年度", 2026), ("2024年度", 2024)], quiet=True)
    assert combo.currentData() == 2024 and combo.count() == 3
    assert heard == [] and not combo.signalsBlocked()
    refill(combo, [("实时", None), ("2026年度", 2026)])  # 2024 is gone: the first
    assert combo.currentIndex() == 0 and heard  # not quiet: the change is heard


def test_refill_texts_keeps_the_chosen_text_without_signals(qtbot: QtBot) -> None:
    combo = QComboBox()
    qtbot.addWidget(combo)
    refill_texts(combo, ["（全部）", "化工", "烟花爆竹"])
    combo.setCurrentText("烟花爆竹")
    heard: list[int] = []
    combo.currentIndexChanged.connect(heard.append)
    refill_texts(combo, ["（全部）", "矿山", "烟花爆竹"])
    assert combo.currentText() == "烟花爆竹" and heard == []
    refill_texts(combo, ["（全部）", "矿山"])
    assert combo.currentIndex() == 0 and not combo.signalsBlocked()


def test_enable_for_enables_the_allowed_actions_only(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    buttons = {"受理": push_button(host, "受理", lambda: None), "答复": QLabel("答复", host)}
    enable_for({"受理"}, buttons)
    assert buttons["受理"].isEnabled() and not buttons["答复"].isEnabled()
    enable_for(set(), buttons)
    assert not any(b.isEnabled() for b in buttons.values())


def test_push_button_runs_its_slot_and_shows_its_tip(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    clicked: list[str] = []
    button = push_button(host, "导出…", lambda: clicked.append("导出"), "导出 Excel")
    assert (button.text(), button.toolTip(), button.parent()) == ("导出…", "导出 Excel", host)
    button.click()
    assert clicked == ["导出"]
    assert push_button(host, "清空", lambda: None).toolTip() == ""


def test_read_only_rows_picks_one_whole_row_and_edits_nothing(qtbot: QtBot) -> None:
    table = QTableWidget(2, 2)
    qtbot.addWidget(table)
    read_only_rows(table)
    assert table.selectionBehavior() == QAbstractItemView.SelectionBehavior.SelectRows
    assert table.selectionMode() == QAbstractItemView.SelectionMode.SingleSelection
    assert table.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    assert table.alternatingRowColors() and not table.wordWrap()
    assert table.verticalHeader().isHidden()


def test_run_for_hands_back_what_the_dialog_made(qtbot: QtBot) -> None:
    class Made(QDialog):
        created: str | None = None

    def fill(dialog: QDialog) -> bool:
        assert isinstance(dialog, Made)
        dialog.created = "第 1 号"
        return True

    dialog = Made()
    qtbot.addWidget(dialog)
    assert run_for(fill, dialog, lambda d: d.created) == "第 1 号"


def test_run_step_keeps_the_dialog_open_on_a_refusal_and_returns_the_result(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warned.append(text))
    tries: list[str] = []

    def act(d: StepDialog) -> str:
        tries.append(d.text())
        if d.text() != "理由已填":
            raise SafeCreditError("请填写理由。")
        return "已办结"

    def fill(dialog: QDialog) -> bool:
        assert isinstance(dialog, StepDialog)
        assert dialog.windowTitle() == "不予受理" and dialog.intro.text() == "第 1 号"
        assert not dialog.try_accept()  # refused: still open, nothing made
        assert dialog.result() == 0
        dialog.set_text("理由已填")
        return dialog.try_accept()

    done = run_step(fill, host, "不予受理", "第 1 号", act, text_label="理由")
    assert done == "已办结" and tries == ["", "理由已填"] and warned == ["请填写理由。"]
    assert run_step(lambda _d: False, host, "不予受理", "第 1 号", act) is None


def test_submit_dialog_closes_only_when_submit_succeeds(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes = iter([False, True])

    def exec_(dialog: SubmitDialog) -> int:
        dialog.accept()  # refused: stays open
        assert dialog.result() == 0
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(SubmitDialog, "exec", exec_)
    dialog = SubmitDialog(None)
    qtbot.addWidget(dialog)
    assert dialog.run(lambda: next(outcomes)) is True


def test_ask_save_path_ensures_the_suffix_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda _p, _t, _s, _f: ("/tmp/x/告知书.Pdf", "")
    )
    assert ask_save_path(None, "另存为", Path("/tmp/x/a.pdf"), "PDF (*.pdf)", ".pdf") == Path(
        "/tmp/x/告知书.Pdf"
    )
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda _p, _t, _s, _f: ("/tmp/告知书", ""))
    assert ask_save_path(None, "另存为", Path("/tmp/a.pdf"), "PDF (*.pdf)", ".pdf") == Path(
        "/tmp/告知书.pdf"
    )


def test_save_folder_suggests_a_safe_name_and_remembers_the_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    suggested: list[str] = []
    answers = iter([str(tmp_path / "甲" / "名单"), ""])

    def save_as(_parent: object, _title: str, offered: str, _filter: str) -> tuple[str, str]:
        suggested.append(offered)
        return next(answers), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    folder = SaveFolder()
    assert folder.path == Path.home()
    assert folder.ask_workbook(None, "导出", "红名单/公布:2026") == tmp_path / "甲" / "名单.xlsx"
    assert suggested == [str(Path.home() / "红名单_公布_2026.xlsx")]
    assert folder.ask_workbook(None, "导出", "黑名单") is None  # cancelled: folder kept
    assert suggested[1] == str(tmp_path / "甲" / "黑名单.xlsx")
    assert folder.path == tmp_path / "甲"
