"""The unit and inspection forms as a clerk meets them (issue 18): the unit form fits the
screen with its buttons in view, messages never move the fields, 所在乡镇 comes from the
county's list (a new town only by an administrator), a code another unit holds is named
while typing, 高危行业 is ticked for 危险化学品, 执法人员 completes from the roster, the
文书编号 goes on from the last one, and a save that moves the grade offers the next steps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.validate import uscc_check_character
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.dialogs.record_form import RecordFormDialog

TODAY = date(2026, 12, 5)
FIRST17 = "91433123MA4L0000X"
CODE = FIRST17 + uscc_check_character(FIRST17)
TRADE = "工贸八大行业"


@pytest.fixture
def session(tmp_path: Path) -> Iterator[core.Session]:
    opened = core.init_database(
        tmp_path / "x.db", profile="fenghuang", bureau_name="凤凰县应急管理局", user="测试员"
    )
    opened.role = model.Role.ADMIN
    opened.settings.set_towns(["沱江镇", "阿拉营镇", "廖家桥镇"])
    opened.role = model.Role.CLERK
    yield opened
    opened.close()


@pytest.fixture
def bus() -> DataBus:
    return DataBus()


@pytest.fixture(autouse=True)
def _leave_without_asking(monkeypatch: pytest.MonkeyPatch) -> None:
    """A form left with typing in it asks 放弃录入; closing it at a test's end says yes."""
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)


def open_form(qtbot: QtBot, session: core.Session, table: str, **kwargs: int) -> RecordFormDialog:
    form = RecordFormDialog(session, DataBus(), table, today=TODAY, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(form)
    return form


def put(form: RecordFormDialog, key: str, text: str) -> None:
    widget = form.editor(key)
    if isinstance(widget, QComboBox) and widget.isEditable():
        widget.setEditText(text)
    elif isinstance(widget, QComboBox):
        index = widget.findData(text)
        assert index >= 0, text
        widget.setCurrentIndex(index)
    elif isinstance(widget, QLineEdit):
        widget.setText(text)
    else:
        raise AssertionError(key)


def positions(form: RecordFormDialog) -> dict[str, tuple[int, int]]:
    out = {}
    for spec in form.form.fields:
        editor = form.editor(spec.key)
        point = editor.mapTo(form, editor.rect().topLeft())
        out[spec.key] = (point.x(), point.y())
    return out


# -- layout --------------------------------------------------------------------------------------


def test_the_unit_form_fits_the_screen_with_its_buttons_in_view(
    qtbot: QtBot, session: core.Session
) -> None:
    form = open_form(qtbot, session, "units")
    form.show()
    qtbot.waitExposed(form)
    room = form.screen().availableGeometry()
    assert form.width() <= room.width() and form.height() <= room.height()
    # two columns: 经营状态 (second half) stands to the right of 统一社会信用代码
    where = positions(form)
    assert where["status"][0] > where["uscc"][0] + 200
    for button in (form.save_button, form.save_new_button, form.cancel_button):
        corner = button.mapTo(form, button.rect().bottomRight())
        assert button.isVisible() and form.rect().contains(corner)


def test_messages_never_move_the_fields(qtbot: QtBot, session: core.Session) -> None:
    form = open_form(qtbot, session, "units")
    form.show()
    qtbot.waitExposed(form)
    before = positions(form)
    put(form, "uscc", "123")
    put(form, "phone", "3221234")
    put(form, "town", "新场镇")
    put(form, "std_awarded_on", "2030-01-01")
    assert form.message("uscc") and form.message("phone") and form.message("town")
    qtbot.wait(1)
    assert positions(form) == before


def test_a_long_message_is_cut_with_its_text_as_a_tooltip(
    qtbot: QtBot, session: core.Session
) -> None:
    form = open_form(qtbot, session, "units")
    form.show()
    qtbot.waitExposed(form)
    put(form, "town", "新场镇")
    label = form.findChild(QWidget, "town_message")
    assert label is not None
    full = form.message("town")
    assert "不在本县乡镇名单中" in full
    assert label.sizeHint().width() <= form.width()


def test_a_long_unit_name_never_widens_the_form(qtbot: QtBot, session: core.Session) -> None:
    unit_id = session.records.save(model.Unit(uscc=CODE, name="凤" * 100, category="工贸八大行业"))
    form = open_form(qtbot, session, "inspections", unit_id=unit_id)
    form.show()
    qtbot.waitExposed(form)
    assert form.width() <= form.screen().availableGeometry().width()
    assert form.minimumSizeHint().width() < 900


# -- the unit form ---------------------------------------------------------------------------------


def test_a_held_code_is_named_while_typing(qtbot: QtBot, session: core.Session) -> None:
    session.records.save(
        model.Unit(uscc=CODE, name="凤凰县沱江化工有限公司", category="工贸八大行业")
    )
    form = open_form(qtbot, session, "units")
    qtbot.keyClicks(form.editor("uscc"), CODE.lower())  # lower case: still found
    assert "已登记为“凤凰县沱江化工有限公司”" in form.message("uscc")
    assert not form.save_button.isEnabled()
    # the unit's own form does not clash with itself
    own = open_form(qtbot, session, "units", record_id=1)
    assert "uscc" not in own.errors()


def test_high_risk_is_ticked_for_a_dangerous_chemicals_unit(
    qtbot: QtBot, session: core.Session
) -> None:
    form = open_form(qtbot, session, "units")
    box = form.editor("high_risk")
    assert isinstance(box, QCheckBox) and not box.isChecked()
    put(form, "category", "危险化学品")
    assert box.isChecked()
    assert "已勾选" in form.message("high_risk")
    # a stored unit of a high-risk category unticked (an old import) shows it ticked
    unit_id = session.records.save(
        model.Unit(uscc=CODE, name="甲公司", category="烟花爆竹", high_risk=False)
    )
    edit = open_form(qtbot, session, "units", record_id=unit_id)
    high_risk = edit.editor("high_risk")
    assert isinstance(high_risk, QCheckBox) and high_risk.isChecked()


def test_a_clerk_chooses_the_town_from_the_list(qtbot: QtBot, session: core.Session) -> None:
    form = open_form(qtbot, session, "units")
    combo = form.editor("town")
    assert isinstance(combo, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "",
        "沱江镇",
        "阿拉营镇",
        "廖家桥镇",
    ]
    assert form.add_town_button is None  # only an administrator adds a town
    put(form, "uscc", CODE)
    put(form, "name", "凤凰县沱江建材有限公司")
    put(form, "category", "工贸八大行业")
    put(form, "town", "新场镇")
    assert "管理员" in form.message("town") and not form.save_button.isEnabled()
    put(form, "town", "阿拉营镇")
    assert form.message("town") == ""
    assert form.save()
    assert session.records.get("units", 1).town == "阿拉营镇"


def test_an_administrator_adds_a_new_town_from_the_form(
    qtbot: QtBot, session: core.Session
) -> None:
    session.role = model.Role.ADMIN
    form = open_form(qtbot, session, "units")
    assert form.add_town_button is not None and not form.add_town_button.isEnabled()
    put(form, "uscc", CODE)
    put(form, "name", "凤凰县沱江建材有限公司")
    put(form, "category", "工贸八大行业")
    put(form, "town", "新场镇")
    assert "加入乡镇名单" in form.message("town")
    assert form.add_town_button.isEnabled()
    form.add_town_button.click()
    assert session.settings.towns() == ["沱江镇", "阿拉营镇", "廖家桥镇", "新场镇"]
    assert form.message("town") == "" and form.save()


def test_an_imported_units_other_town_may_stay(qtbot: QtBot, session: core.Session) -> None:
    unit_id = session.records.save(
        model.Unit(uscc=CODE, name="随州某公司", category="工贸八大行业", town="曾都区某镇")
    )
    form = open_form(qtbot, session, "units", record_id=unit_id)
    assert form.value("town") == "曾都区某镇" and "town" not in form.errors()


def test_a_bad_phone_number_gets_a_sentence(qtbot: QtBot, session: core.Session) -> None:
    form = open_form(qtbot, session, "units")
    put(form, "phone", "3221234")
    assert "缺少区号" in form.message("phone")
    put(form, "phone", "0743-3221234-801")
    assert form.message("phone") == ""


def test_a_name_longer_than_100_characters_is_refused(qtbot: QtBot, session: core.Session) -> None:
    form = open_form(qtbot, session, "units")
    put(form, "name", "凤" * 101)
    assert "最多100个字" in form.message("name")


# -- the inspection form ---------------------------------------------------------------------------


@pytest.fixture
def unit_id(session: core.Session) -> int:
    return session.records.save(
        model.Unit(uscc=CODE, name="凤凰县沱江化工有限公司", category="工贸八大行业")
    )


def test_inspectors_complete_from_the_roster(
    qtbot: QtBot, session: core.Session, unit_id: int
) -> None:
    session.role = model.Role.ADMIN
    session.draws.save_inspector(model.Inspector(name="张明", cert_no="43001"))
    session.draws.save_inspector(model.Inspector(name="李华", cert_no="43002"))
    form = open_form(qtbot, session, "inspections", unit_id=unit_id)
    line = form.editor("inspectors")
    assert isinstance(line, QLineEdit)
    completer = line.completer()
    assert completer is not None
    line.setText("张明、李")
    completer.setCompletionPrefix(completer.splitPath(line.text())[0])
    assert completer.currentCompletion() == "张明、李华"  # the names before it kept
    line.setText("张明、lh")  # pinyin initials find the name too
    completer.setCompletionPrefix(completer.splitPath(line.text())[0])
    assert completer.completionCount() == 1
    assert completer.currentCompletion() == "张明、李华"
    put(form, "inspectors", "张明、王五（外单位）")  # free text still allowed
    assert "inspectors" not in form.errors()


def test_the_doc_number_goes_on_from_the_last_one(
    qtbot: QtBot, session: core.Session, unit_id: int
) -> None:
    session.records.save(
        model.Inspection(unit_id, date(2026, 11, 2), "日常", doc_no="凤应急检〔2026〕3202号")
    )
    form = open_form(qtbot, session, "inspections", unit_id=unit_id)
    assert form.editor("method").findData("日常") >= 0
    put(form, "inspected_on", "2026-11-03")
    line = form.editor("doc_no")
    assert isinstance(line, QLineEdit)
    assert "凤应急检〔2026〕3203号" in line.placeholderText()
    qtbot.keyClick(line, Qt.Key.Key_Down)  # ↓ fills the suggestion in
    assert line.text() == "凤应急检〔2026〕3203号"
    line.clear()
    qtbot.keyClicks(line, "3210")  # a number alone keeps the last prefix
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert line.text() == "凤应急检〔2026〕3210号"
    line.setText("凤应急检2026 3203")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert line.text() == "凤应急检〔2026〕3203号"
    assert form.save_and_new()
    assert "凤应急检〔2026〕3204号" in line.placeholderText()


# -- after a save that moves the grade -------------------------------------------------------------


def test_a_fatal_accident_offers_a_notice_and_the_black_list(
    qtbot: QtBot, session: core.Session, unit_id: int, bus: DataBus
) -> None:
    unit = session.repo.get(model.Unit, unit_id)  # a B unit: 标准化三级, every commitment
    unit.std_level, unit.std_awarded_on = "三级", date(2025, 1, 1)
    unit.std_valid_until = date(2028, 1, 1)
    session.records.save(unit)
    for kind in model.CommitmentType:
        session.records.save(model.Commitment(unit_id, kind.value, date(2026, 1, 2)))
    shown: list[str] = []
    form = RecordFormDialog(session, bus, "accidents", unit_id=unit_id, today=TODAY)
    qtbot.addWidget(form)
    bus.status_message.connect(shown.append)
    put(form, "occurred_on", "2026-11-20")
    put(form, "deaths", "1")
    put(form, "responsible", "是")
    assert form.save()
    change = form.last_grade_change
    assert change is not None and change.startswith("等级由")
    assert change in shown[-1]  # the status bar says what the save did
    steps = form.next_steps_dialog
    assert steps is not None and steps.isVisible()
    assert change in steps.steps.sentence.text()
    assert steps.steps.print_button.isVisible()
    assert steps.steps.proposed == ["黑名单"]
    steps.steps.list_button.click()
    entries = session.lists.entries(unit_id=unit_id, today=TODAY)
    assert [e.list_kind for e in entries] == ["黑名单"] and entries[0].stage == "采集"
    assert "已采集入黑名单" in shown[-1]
    assert not steps.steps.list_button.isEnabled()
    steps.close()


def test_a_long_name_is_cut_in_the_unit_pages_heading(qtbot: QtBot, session: core.Session) -> None:
    from safecredit_desktop.gui.views.unit_detail_page import UnitDetailPage

    name = "凤凰县" + "沱江" * 48 + "公司"  # 101 → the form refuses it; 100 is the longest
    name = name[:100]
    unit_id = session.records.save(model.Unit(uscc=CODE, name=name, category=TRADE))
    page = UnitDetailPage(session, DataBus())
    qtbot.addWidget(page)
    page.resize(900, 700)
    page.show_unit(unit_id)
    page.show()
    qtbot.waitExposed(page)
    assert page.heading.text() == name  # the whole name, cut only where it is painted
    assert page.minimumSizeHint().width() < 900
    assert page.heading.is_cut() and page.heading.toolTip() == name
    assert page.heading.shown_text().endswith("…")


def test_print_a_new_notice_opens_the_units_grade_notice(
    qtbot: QtBot, session: core.Session, unit_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safecredit_desktop.gui.dialogs import document_dialog, record_form

    asked: list[core.DocumentRequest] = []
    monkeypatch.setattr(
        document_dialog, "show_document", lambda _p, _s, _b, request, **_k: asked.append(request)
    )
    steps = record_form.NextSteps(session, DataBus())
    qtbot.addWidget(steps)
    steps.show_change(unit_id, "等级由B（二级）变为C（三级）：…", TODAY)
    assert steps.proposed == [] and steps.list_button.isHidden()  # no list proposes it
    steps.print_button.click()
    assert [(r.kind, r.unit_ids, r.as_of) for r in asked] == [("grade-notice", (unit_id,), TODAY)]
