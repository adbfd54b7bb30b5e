"""承诺书 page: the gaps, batch printing numbered letters, recording a signed letter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.app.publicity import PublicityPart
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.storage.changes import Changes, Table
from safecredit_desktop.core.validate import uscc_check_character
from safecredit_desktop.gui import printing
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.views.commitments_page import MARK, CommitmentsPage, SignedDialog


def make_code(n: int) -> str:
    first17 = f"91433123{n:09d}"
    return first17 + uscc_check_character(first17)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[core.Session]:
    session = core.init_database(
        tmp_path / "x.db",
        profile="fenghuang",
        bureau_name="测试县应急管理局",
        user="管理员",
        admin=("管理员", "admin-pw"),
    )
    core.fill_demo(session, enterprises=60, seed=1)
    yield session
    session.close()


@pytest.fixture
def page(qtbot: QtBot, demo: core.Session) -> CommitmentsPage:
    shown = CommitmentsPage(demo, DataBus())
    qtbot.addWidget(shown)
    shown.refresh()  # the page loads when first shown; tests read it without showing
    return shown


def _messages(monkeypatch: pytest.MonkeyPatch, answer: Any = None) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []

    def box(kind: str) -> Any:
        def show(_parent: object, _title: str, text: str, *args: object) -> Any:
            shown.append((kind, text))
            return answer if kind == "question" else QMessageBox.StandardButton.Ok

        return show

    for kind in ("warning", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, box(kind))
    return shown


def _tick_row(page: CommitmentsPage, unit_id: int) -> None:
    """Tick the row's box as a click does (the model is told the new check state)."""
    model = page.pane.model
    row = model.row_of(unit_id)
    assert row is not None, f"unit {unit_id} not listed"
    assert model.setData(model.index(row, 0), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert model.index(row, 0).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked


def _new_unit(session: core.Session, n: int, name: str) -> int:
    return session.records.save(
        model.Unit(uscc=make_code(n), name=name, category="危险化学品", main_person="王五"),
    )


def test_gaps_list_units_without_commitments(page: CommitmentsPage, demo: core.Session) -> None:
    gaps = demo.publicity.commitment_gaps()
    assert page.pane.model.rowCount() == len(gaps) > 0
    assert page.gaps() == gaps
    for row, gap in enumerate(gaps):
        assert page.pane.model.text(row, 0) == gap.uscc
        assert page.pane.model.text(row, 1) == gap.name
        assert page.pane.model.text(row, 3) == (MARK if gap.lacks_unit else "")
        assert page.pane.model.text(row, 4) == (MARK if gap.lacks_duty else "")
    lacking_unit = sum(g.lacks_unit for g in gaps)
    page.lack_filter.setCurrentText("缺单位承诺")
    assert page.pane.model.rowCount() == lacking_unit
    page.lack_filter.setCurrentText("（全部）")
    page.search.setText(gaps[0].uscc)
    page.apply_filters()
    assert page.pane.model.rowCount() == 1
    assert not page.print_unit_button.isEnabled() and not page.signed_button.isEnabled()


def test_recording_signed_commitments_removes_the_unit(
    page: CommitmentsPage, demo: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = _messages(monkeypatch)
    unit_id = _new_unit(demo, 901, "凤凰县测试化工有限公司")
    page.bus.changed.emit(Changes(frozenset({Table.UNITS})))  # hidden: stale until shown
    page.refresh()
    gap = next(g for g in page.gaps() if g.unit_id == unit_id)
    assert gap.lacks_unit and gap.lacks_duty
    chosen: list[str] = []

    def sign(kind: str, day: date, signer: str | None = None) -> Any:
        def fake_exec(dialog: SignedDialog) -> int:
            chosen.append(dialog.kind.currentData())
            assert dialog.signer.text() == "王五"  # the main person, ready to change
            dialog.kind.setCurrentIndex(dialog.kind.findData(kind))
            dialog.signed_on.setDate(QDate(day.year, day.month, day.day))
            if signer is not None:
                dialog.signer.setText(signer)
            dialog.accept()
            return dialog.result()

        return fake_exec

    assert page.select_unit(unit_id)
    monkeypatch.setattr(SignedDialog, "exec", sign("单位承诺", date(2026, 1, 5)))
    changes: list[Changes] = []
    page.bus.changed.connect(changes.append)
    assert page.record_signed() is not None
    assert [c.data_tables for c in changes] == [{"commitments"}] and not shown
    gap = next(g for g in page.gaps() if g.unit_id == unit_id)
    assert not gap.lacks_unit and gap.lacks_duty

    assert page.select_unit(unit_id)
    monkeypatch.setattr(
        SignedDialog, "exec", sign("主要负责人履职尽责承诺", date(2026, 1, 6), "王五")
    )
    page.signed_button.click()
    assert chosen == ["单位承诺", "主要负责人履职尽责承诺"]  # the missing one comes first
    assert all(g.unit_id != unit_id for g in page.gaps())
    assert all(g.unit_id != unit_id for g in demo.publicity.commitment_gaps())
    signed = [
        (e.kind_label, e.summary) for e in demo.units.timeline(unit_id) if e.table == "commitments"
    ]
    assert len(signed) == 2


def test_a_refused_signing_keeps_the_dialog(
    page: CommitmentsPage, demo: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = _messages(monkeypatch)
    unit_id = _new_unit(demo, 902, "凤凰县测试烟花爆竹有限公司")
    page.refresh()
    assert page.select_unit(unit_id)

    def boom(*_a: object, **_kw: object) -> int:  # the core's refusal, whatever it is
        raise SafeCreditError("签署日期不能晚于今天。")

    monkeypatch.setattr(PublicityPart, "record_commitment_signed", boom)
    results: list[int] = []

    def fake_exec(dialog: SignedDialog) -> int:
        dialog.signer.setText("赵六")
        dialog.accept()
        results.append(dialog.result())
        assert dialog.signer.text() == "赵六"
        return dialog.result()

    monkeypatch.setattr(SignedDialog, "exec", fake_exec)
    assert page.record_signed() is None
    assert results == [QDialog.DialogCode.Rejected]
    assert shown == [("warning", "签署日期不能晚于今天。")]


def test_batch_print_issues_one_numbered_letter_per_unit(
    page: CommitmentsPage, demo: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = _messages(monkeypatch, QMessageBox.StandardButton.Yes)
    printer = object()
    titles: list[str] = []
    printed: list[bytes] = []

    def choose(_parent: object, *, title: str = "", **_kw: Any) -> object:
        titles.append(title)
        assert demo.documents.register(kind="commitment") == []  # no number yet
        return printer

    monkeypatch.setattr(printing, "choose_printer", choose)
    monkeypatch.setattr(
        printing, "print_on", lambda chosen, data: chosen is printer and not printed.append(data)
    )
    gaps = page.gaps()
    lacking = [g for g in gaps if g.lacks_unit][:3]
    only_duty = next(g for g in gaps if not g.lacks_unit)
    assert len(lacking) == 3
    for g in [*lacking, only_duty]:
        _tick_row(page, g.unit_id)
    assert page.ticked() == tuple(sorted(g.unit_id for g in [*lacking, only_duty]))
    assert "已勾选 4 家（缺单位承诺 3 家" in page.ticked_label.text()
    assert page.print_unit_button.isEnabled()

    page.print_unit_button.click()
    question = next(text for kind, text in shown if kind == "question")
    assert "3 家单位" in question and "另外 1 家" in question
    issued = demo.documents.register(kind="commitment")
    assert sorted(d.uscc for d in issued) == sorted(g.uscc for g in lacking)
    assert len({d.doc_no for d in issued}) == 3
    assert printed and printed[0].startswith(b"%PDF") and "3份" in titles[0]
    assert page.last_result is not None and len(page.last_result.issued) == 3
    assert demo.documents.register(kind="duty-commitment") == []


def test_batch_print_duty_and_save_when_not_printed(
    page: CommitmentsPage,
    demo: core.Session,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Printing cancelled: the file is asked for before any 文号 is taken, and written
    before the numbers are committed."""
    shown = _messages(monkeypatch, QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(printing, "choose_printer", lambda *a, **k: None)  # cancelled
    asked: list[int] = []
    out = tmp_path / "out.pdf"

    def ask(_parent: object, name: str) -> Path:
        asked.append(len(demo.documents.register(kind="duty-commitment")))
        return out

    monkeypatch.setattr(printing, "ask_pdf_path", ask)
    duty = [g for g in page.gaps() if g.lacks_duty][:2]
    page.tick([g.unit_id for g in duty])
    page.print_duty_button.click()
    issued = demo.documents.register(kind="duty-commitment")
    assert asked == [0]  # the save dialog came before the numbers
    assert sorted(d.uscc for d in issued) == sorted(g.uscc for g in duty)
    assert any("是否改为出具后保存为 PDF" in text for kind, text in shown if kind == "question")
    assert out.read_bytes().startswith(b"%PDF")


def test_batch_print_with_both_dialogs_cancelled_takes_no_number(
    page: CommitmentsPage, demo: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _messages(monkeypatch, QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(printing, "choose_printer", lambda *a, **k: None)
    monkeypatch.setattr(printing, "ask_pdf_path", lambda *a, **k: None)
    page.tick([g.unit_id for g in page.gaps() if g.lacks_unit][:2])
    assert page.print_letters("commitment") is None
    assert demo.documents.register() == []


def test_batch_print_answered_no_or_nothing_ticked_issues_nothing(
    page: CommitmentsPage, demo: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = _messages(monkeypatch, QMessageBox.StandardButton.No)
    assert page.print_letters("commitment") is None
    assert shown[-1][0] == "warning" and "请先勾选" in shown[-1][1]
    page.tick_listed()
    assert len(page.ticked()) == len(page.gaps())
    assert page.print_letters("commitment") is None  # answered No
    assert demo.documents.register() == []
    page.clear_ticks()
    assert page.ticked() == () and not page.clear_button.isEnabled()
