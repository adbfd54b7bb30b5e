"""文书 page, its PDF preview, printing, and 设置 → 文书 (pytest-qt, offscreen)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSizeF, Qt
from PySide6.QtGui import QPageSize
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from safecredit_desktop.core import app as core
from safecredit_desktop.core.model import Role
from safecredit_desktop.gui import printing
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.pdf_preview import PdfPreview
from safecredit_desktop.gui.views.documents_page import DocumentsPage
from safecredit_desktop.gui.views.documents_settings_tab import DocumentsSettingsTab


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[core.Session]:
    session = core.init_database(
        tmp_path / "x.db",
        profile="fenghuang",
        bureau_name="测试县应急管理局",
        user="管理员",
        admin=("管理员", "admin-pw"),
    )
    core.fill_demo(session, enterprises=120, seed=1)
    yield session
    session.close()


def _messages(monkeypatch: pytest.MonkeyPatch, answer: Any = None) -> list[tuple[str, str]]:
    """Record message boxes instead of showing them; ``question`` answers ``answer``."""
    shown: list[tuple[str, str]] = []

    def box(kind: str) -> Any:
        def show(_parent: object, _title: str, text: str, *args: object) -> Any:
            shown.append((kind, text))
            return answer if kind == "question" else QMessageBox.StandardButton.Ok

        return show

    for kind in ("warning", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, box(kind))
    return shown


def _pdf_pages(data: bytes) -> int:
    return printing.pdf_page_count(data)


def _cell(page: DocumentsPage, row: int, column: int) -> str:
    return page.register.model.text(row, column)


def _choose_kind(page: DocumentsPage, kind: str) -> None:
    page.kind.setCurrentIndex(page.kind.findData(kind))


def _tick(page: DocumentsPage, count: int) -> tuple[int, ...]:
    page.units.search.setText("")
    page.units.run_search()
    page.units.tick_all.click()  # all listed…
    page.units.clear()  # …then none, to prove clear works
    assert page.units.chosen() == ()
    for row in range(count):
        page.units.list.item(row).setCheckState(Qt.CheckState.Checked)
    return page.units.chosen()


def test_preview_shows_pages_and_takes_no_number(
    qtbot: QtBot, demo: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = _messages(monkeypatch)
    page = DocumentsPage(demo, DataBus())
    qtbot.addWidget(page)
    assert page.preview_view.page_count() == 0
    assert page.preview_view.stack.currentWidget() is page.preview_view.placeholder

    _choose_kind(page, "grade-notice")
    assert page.panes.currentWidget() is page.pane_of["units"]
    page.preview()  # nothing ticked: the core's sentence, nothing shown
    assert shown and shown[-1][0] == "warning" and "企业" in shown[-1][1]
    assert page.preview_view.page_count() == 0

    chosen = _tick(page, 3)
    assert len(chosen) == 3 and page.units.count.text() == "已选 3 家企业"
    data = page.preview()
    assert data is not None and data.startswith(b"%PDF")
    assert page.preview_view.page_count() == _pdf_pages(data) >= 3
    assert page.preview_view.page_total.text() == f"/ {_pdf_pages(data)} 页"
    assert "预览" in page.issue_notes.text()
    assert demo.documents.register() == []  # a preview takes no number

    # the search keeps ticks across searches
    page.units.search.setText("没有这样的企业名称")
    page.units.run_search()
    assert page.units.list.count() == 0 and page.units.chosen() == chosen


def test_kind_panes_and_buttons(
    qtbot: QtBot, demo: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _messages(monkeypatch)
    page = DocumentsPage(demo, DataBus())
    qtbot.addWidget(page)
    _choose_kind(page, "objection-reply")
    assert page.panes.currentWidget() is page.pane_of["objection"]
    assert not page.preview_button.isEnabled() and not page.print_button.isEnabled()
    _choose_kind(page, "draw-notice")  # no draw made yet
    assert not page.preview_button.isEnabled() and "尚无" in page.draw_note.text()
    _choose_kind(page, "commitment")
    assert page.preview_button.isEnabled() and not page.assessment.isEnabled()
    _choose_kind(page, "inspection-plan")
    assert page.panes.currentWidget() is page.pane_of["year"]
    page.year.setValue(2027)
    assert page.request() == core.DocumentRequest("inspection-plan", year=2027)
    data = page.preview()
    assert data is not None and page.preview_view.page_count() >= 1


def test_by_grade_ticks_units_of_that_grade(
    qtbot: QtBot, demo: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _messages(monkeypatch)
    bus = DataBus()
    page = DocumentsPage(demo, bus)
    qtbot.addWidget(page)
    as_of = page.request().as_of
    assert as_of is not None
    grade = next(g for g in "DCBA" if demo.units.of_grade(g, as_of))
    wanted = demo.units.of_grade(grade, as_of)
    with qtbot.waitSignal(bus.status_message):
        page._on_by_grade(page.by_grade.findData(grade))
    assert page.units.chosen() == tuple(sorted(wanted))
    assert page.by_grade.currentIndex() == 0


def test_issue_registers_and_reprints_stored_bytes(
    qtbot: QtBot, demo: core.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = _messages(monkeypatch, answer=QMessageBox.StandardButton.Yes)
    printed: list[dict[str, Any]] = []

    def fake_print(_parent: object, data: bytes, **kw: Any) -> bool:
        printed.append({"data": data, **kw})
        return True

    chosen_printer = QPrinter()

    def fake_print_on(printer: QPrinter, data: bytes) -> bool:
        assert printer is chosen_printer
        printed.append({"data": data})
        return True

    monkeypatch.setattr(printing, "print_pdf", fake_print)
    monkeypatch.setattr(printing, "choose_printer", lambda *_a, **_k: chosen_printer)
    monkeypatch.setattr(printing, "print_on", fake_print_on)
    bus = DataBus()
    page = DocumentsPage(demo, bus)
    qtbot.addWidget(page)
    _choose_kind(page, "grade-notice")
    chosen = _tick(page, 2)
    with qtbot.waitSignal(bus.changed):
        result = page.issue(then="print")
    assert result is not None and len(result.issued) == 2
    assert "2 份" in shown[-1][1] or any("2 份" in text for _k, text in shown)
    assert printed[-1]["data"] == result.pdf
    numbers = [d.doc_no for d in result.issued]
    assert all(n.startswith("凤应急信告〔") for n in numbers)
    assert numbers[0] in page.issue_notes.text()

    # the register tab lists both, newest state read from the Session
    assert page.register.model.rowCount() == 2
    listed = {_cell(page, r, 0) for r in range(2)}
    assert listed == set(numbers)
    second = next(d for d in result.issued if d.first_page > 1)
    assert page.select_document(second.id)
    assert page.register_view.page_count() == _pdf_pages(result.pdf)
    assert page.register_view.current_page() == second.first_page - 1

    # 重印: the stored file, byte for byte, with the document's pages preset
    assert page.reprint_selected() is True
    again = printed[-1]
    assert again["data"] == result.pdf == demo.documents.issued_file(second.id)
    assert hashlib.sha256(again["data"]).hexdigest() == second.sha256
    assert again["first_page"] == second.first_page
    assert again["last_page"] == second.first_page + second.page_count - 1

    # 另存为: the same bytes in a file
    out = tmp_path / "重印"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    saved = page.save_selected()
    assert saved == out.with_name("重印.pdf") and saved.read_bytes() == result.pdf

    # searching the register by number and by kind
    page.register_search.setText(numbers[0])
    page.refresh_register()
    assert page.register.model.rowCount() == 1
    page.register_search.setText("")
    page.register_kind.setCurrentIndex(page.register_kind.findData("commitment"))
    assert page.register.model.rowCount() == 0

    # issuing the same again is a reprint under the same numbers, not new numbers
    page.units.clear()
    page.units.add(list(chosen))
    repeat = page.issue(then="")
    assert repeat is not None and repeat.issued == []
    assert sorted(d.doc_no for d in repeat.reprinted) == sorted(numbers)


def test_issue_and_save(
    qtbot: QtBot, demo: core.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _messages(monkeypatch, answer=QMessageBox.StandardButton.Yes)
    out = tmp_path / "承诺书.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    page = DocumentsPage(demo, DataBus())
    qtbot.addWidget(page)
    _choose_kind(page, "commitment")
    _tick(page, 1)
    result = page.issue(then="save")
    assert result is not None and page.last_saved == out
    assert out.read_bytes() == result.pdf


def test_cancelled_save_dialog_issues_nothing(
    qtbot: QtBot, demo: core.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 文号 is taken only when the file is written: cancelling the save-as dialog
    issues nothing, and the next document still gets 1号."""
    _messages(monkeypatch, answer=QMessageBox.StandardButton.Yes)
    asked: list[str] = []

    def cancel(_parent: object, _title: str, suggested: str, *_a: object) -> tuple[str, str]:
        asked.append(suggested)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", cancel)
    page = DocumentsPage(demo, DataBus())
    qtbot.addWidget(page)
    _choose_kind(page, "commitment")
    (unit,) = _tick(page, 1)
    assert page.issue(then="save") is None
    assert asked and "〔" not in asked[0]  # no number in the proposed name: none taken
    assert demo.records.get("units", unit).name in asked[0]
    assert demo.documents.register() == []
    out = tmp_path / "承诺书.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    result = page.issue(then="save")
    assert result is not None and [d.doc_no for d in result.issued] == [
        "凤应急信诺〔2026〕1号".replace("2026", str(date.today().year))
    ]
    assert out.read_bytes() == result.pdf == demo.documents.issued_file(result.issued[0].id)


def test_cancelled_print_dialog_issues_nothing(
    qtbot: QtBot, demo: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _messages(monkeypatch, answer=QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QPrintDialog, "exec", lambda _d: QPrintDialog.DialogCode.Rejected)
    page = DocumentsPage(demo, DataBus())
    qtbot.addWidget(page)
    _choose_kind(page, "grade-notice")
    _tick(page, 2)
    assert page.issue(then="print") is None
    assert demo.documents.register() == []


def test_a_file_that_cannot_be_written_issues_nothing(
    qtbot: QtBot, demo: core.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = _messages(monkeypatch, answer=QMessageBox.StandardButton.Yes)
    missing = tmp_path / "没有这个文件夹" / "承诺书.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(missing), ""))
    page = DocumentsPage(demo, DataBus())
    qtbot.addWidget(page)
    _choose_kind(page, "commitment")
    _tick(page, 1)
    assert page.issue(then="save") is None
    assert any(kind == "warning" and "无法保存到" in text for kind, text in shown)
    assert demo.documents.register() == []


def test_issue_cancelled_at_the_question_takes_no_number(
    qtbot: QtBot, demo: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _messages(monkeypatch, answer=QMessageBox.StandardButton.No)
    page = DocumentsPage(demo, DataBus())
    qtbot.addWidget(page)
    _choose_kind(page, "grade-notice")
    _tick(page, 1)
    assert page.issue(then="") is None
    assert demo.documents.register() == []


def test_print_pdf_to_writes_the_pages_asked_for(
    qtbot: QtBot, demo: core.Session, tmp_path: Path
) -> None:
    ids = tuple(row[0] for row in demo.units.search("", 3))
    data = demo.documents.preview(core.DocumentRequest("commitment", unit_ids=ids))
    total = _pdf_pages(data)
    assert total >= 3

    def printer_to(path: Path) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        return printer

    everything = tmp_path / "all.pdf"
    assert printing.print_pdf_to(printer_to(everything), data) == total
    assert _pdf_pages(everything.read_bytes()) == total

    some = tmp_path / "some.pdf"
    assert printing.print_pdf_to(printer_to(some), data, 2, 3) == 2
    assert _pdf_pages(some.read_bytes()) == 2
    preview = PdfPreview()
    qtbot.addWidget(preview)
    preview.load_pdf(some.read_bytes())
    size = preview.document.pagePointSize(0)
    a4 = QSizeF(595.3, 841.9)
    assert abs(size.width() - a4.width()) < 2 and abs(size.height() - a4.height()) < 2


def test_print_dialog_presets_the_range(
    qtbot: QtBot, demo: core.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = tuple(row[0] for row in demo.units.search("", 3))
    data = demo.documents.preview(core.DocumentRequest("commitment", unit_ids=ids))
    out = tmp_path / "printed.pdf"
    seen: list[tuple[int, int]] = []

    def accept(dialog: QPrintDialog) -> int:
        printer = dialog.printer()
        seen.append((printer.fromPage(), printer.toPage()))
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return QPrintDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    assert printing.print_pdf(None, data, first_page=2, last_page=2, title="测试") is True
    assert seen == [(2, 2)]
    assert _pdf_pages(out.read_bytes()) == 1

    monkeypatch.setattr(QPrintDialog, "exec", lambda _d: QPrintDialog.DialogCode.Rejected)
    assert printing.print_pdf(None, data) is False


def test_save_pdf_bytes_adds_the_suffix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "文书"), "")
    )
    path = printing.save_pdf_bytes(None, b"%PDF-1.4 test", "凤应急信告〔2026〕1号/x")
    assert path == tmp_path / "文书.pdf" and path.read_bytes() == b"%PDF-1.4 test"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    assert printing.save_pdf_bytes(None, b"x", "y") is None


def test_pdf_preview_navigation(qtbot: QtBot, demo: core.Session) -> None:
    ids = tuple(row[0] for row in demo.units.search("", 3))
    data = demo.documents.preview(core.DocumentRequest("commitment", unit_ids=ids))
    total = _pdf_pages(data)
    preview = PdfPreview(placeholder="空")
    qtbot.addWidget(preview)
    preview.resize(500, 700)
    assert preview.placeholder.text() == "空" and not preview.next_button.isEnabled()
    assert preview.load_pdf(data, page=1) == total
    preview.show()
    qtbot.waitExposed(preview)
    assert preview.current_page() == 1 and preview.page_spin.value() == 2
    preview.next_button.click()
    assert preview.current_page() == 2
    preview.prev_button.click()
    preview.prev_button.click()
    assert preview.current_page() == 0 and not preview.prev_button.isEnabled()
    preview.page_spin.setValue(total)
    assert preview.current_page() == total - 1 and not preview.next_button.isEnabled()
    before = preview.effective_zoom()
    preview.zoom_in_button.click()
    assert preview.effective_zoom() > before and not preview.fit_button.isChecked()
    assert preview.current_page() == total - 1  # zooming keeps the page
    preview.fit_button.click()
    assert preview.fit_button.isChecked()
    assert preview.pdf_bytes() == data
    assert preview.load_pdf(b"not a pdf") == 0
    assert "无法显示" in preview.placeholder.text() and preview.page_count() == 0
    preview.clear()
    assert preview.placeholder.text() == "空"


def test_prefix_edit_refused_keeps_text(
    qtbot: QtBot, demo: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = _messages(monkeypatch)
    bus = DataBus()
    tab = DocumentsSettingsTab(demo, bus)
    qtbot.addWidget(tab)
    before = demo.documents.prefixes()
    edit = tab.prefix_edits["grade-notice"]
    assert edit.text() == before["grade-notice"]
    assert "〔" in tab.prefix_examples["grade-notice"].text()

    edit.setText("凤应急（信）告")
    assert tab.save_prefixes() is False
    assert shown and shown[-1][0] == "warning" and "前缀" in shown[-1][1]
    assert edit.text() == "凤应急（信）告"  # what was typed stays
    assert demo.documents.prefixes() == before

    edit.setText("凤应急信用告")
    with qtbot.waitSignal(bus.changed):
        assert tab.save_prefixes() is True
    assert demo.documents.prefixes()["grade-notice"] == "凤应急信用告"


def test_fonts_setting_and_clerk_read_only(
    qtbot: QtBot, demo: core.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = _messages(monkeypatch)
    tab = DocumentsSettingsTab(demo, DataBus())
    qtbot.addWidget(tab)
    assert tab.shipped_radio.isChecked() and not tab.folder.isEnabled()
    assert tab.font_description.text().startswith("当前文书字体")
    tab.official_radio.setChecked(True)
    assert tab.folder.isEnabled()
    tab.folder.setText(str(tmp_path / "没有这个文件夹"))
    assert tab.save_fonts() is False and "不存在" in shown[-1][1]
    assert tab.folder.text() == str(tmp_path / "没有这个文件夹")
    tab.folder.setText(str(tmp_path))  # a folder without the official fonts
    assert tab.save_fonts() is True
    assert demo.documents.font_settings().use_official is True

    clerk = core.open_session(demo.db.path, user="小李", role=Role.CLERK)
    try:
        read_only = DocumentsSettingsTab(clerk, DataBus())
        qtbot.addWidget(read_only)
        assert "管理员" in read_only.role_note.text()
        assert read_only.prefix_edits["grade-notice"].isReadOnly()
        assert not read_only.save_prefixes_button.isEnabled()
        assert not read_only.save_fonts_button.isEnabled()
        assert not read_only.official_radio.isEnabled()
    finally:
        clerk.close()
