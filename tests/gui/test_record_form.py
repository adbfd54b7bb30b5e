"""The entry forms, driven as a clerk would: typing, Enter, 保存, 保存并新增, 撤销, 取消."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QMessageBox, QPlainTextEdit
from pytestqt.qtbot import QtBot

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.validate import id_check_character, uscc_check_character
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.dialogs import record_form
from safecredit_desktop.gui.dialogs.record_form import RecordFormDialog

CODE = "91433123111820220L"
BAD_CHECK = "91433123111820220M"
OTHER_CODE = "91433123MA4L0000X" + uscc_check_character("91433123MA4L0000X")
ID_NUMBER = "43312319800101001" + id_check_character("43312319800101001")
TODAY = date(2025, 6, 30)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[core.Session]:
    opened = core.init_database(
        tmp_path / "x.db", profile="fenghuang", bureau_name="测试县应急管理局", user="测试员"
    )
    yield opened
    opened.close()


@pytest.fixture
def bus() -> DataBus:
    return DataBus()


@pytest.fixture
def unit_id(session: core.Session) -> int:
    unit = model.Unit(uscc=CODE, name="凤凰县沱江化工有限公司", category="危险化学品")
    return session.records.save(unit)


def dialog(
    qtbot: QtBot, session: core.Session, bus: DataBus, table: str, **kwargs: int | None
) -> RecordFormDialog:
    form = RecordFormDialog(session, bus, table, today=TODAY, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(form)
    return form


def type_into(qtbot: QtBot, form: RecordFormDialog, key: str, text: str) -> None:
    widget = form.editor(key)
    if isinstance(widget, QLineEdit):
        widget.clear()
        if text.isascii():
            qtbot.keyClicks(widget, text)
        else:  # QTest cannot type Chinese; paste it as an input method would
            widget.insert(text)
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText(text)
    else:
        raise AssertionError(f"{key} is not a text field")


def choose(form: RecordFormDialog, key: str, value: str) -> None:
    combo = form.editor(key)
    assert isinstance(combo, QComboBox)
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


def audit_users(session: core.Session, table: str) -> list[str]:
    rows = session.db.conn.execute(
        "SELECT user FROM audit_log WHERE table_name = ? ORDER BY id", (table,)
    )
    return [str(r[0]) for r in rows]


# -- units --------------------------------------------------------------------------------


def test_bad_code_blocks_save_until_fixed(
    qtbot: QtBot, session: core.Session, bus: DataBus
) -> None:
    form = dialog(qtbot, session, bus, "units")
    assert form.windowTitle() == "新增企业信息"
    type_into(qtbot, form, "uscc", BAD_CHECK)
    assert "校验码错误，应为 L" in form.message("uscc")
    type_into(qtbot, form, "name", "凤凰县沱江化工有限公司")
    choose(form, "category", "危险化学品")
    assert not form.save_button.isEnabled()
    assert not form.save()
    assert session.units.count() == 0
    assert form.value("name") == "凤凰县沱江化工有限公司"  # nothing typed is lost

    type_into(qtbot, form, "uscc", CODE)
    assert form.message("uscc") == ""
    assert form.save_button.isEnabled()
    session.take_changes()  # what the fixture wrote is not this save's news
    with qtbot.waitSignal(bus.changed) as changed:
        assert form.save()
    assert changed.args[0].data_tables == {"units"}
    assert session.units.count() == 1
    assert form.saved_count == 1
    assert audit_users(session, "units") == ["测试员"]


def test_lowercase_code_is_upper_cased_with_a_note_next_to_field(
    qtbot: QtBot, session: core.Session, bus: DataBus
) -> None:
    """Issue 18: lower-case letters and spaces are mended with a note, not refused."""
    form = dialog(qtbot, session, bus, "units")
    type_into(qtbot, form, "uscc", CODE[:9].lower() + " " + CODE[9:].lower())
    assert "字母改为大写" in form.message("uscc")
    assert "uscc" not in form.errors()
    qtbot.keyClick(form.editor("uscc"), Qt.Key.Key_Return)  # leaving it: written as read
    assert form.value("uscc") == CODE


def test_accepting_a_bad_check_character(qtbot: QtBot, session: core.Session, bus: DataBus) -> None:
    form = dialog(qtbot, session, bus, "units")
    type_into(qtbot, form, "uscc", BAD_CHECK)
    type_into(qtbot, form, "name", "老代码企业")
    choose(form, "category", "烟花爆竹")
    accept = form.editor("check_accepted")
    assert isinstance(accept, QCheckBox)
    assert accept.text() == "接受"
    accept.setChecked(True)
    assert "已按“接受”保存" in form.message("uscc")
    assert form.save()
    stored = session.records.get("units", 1)
    assert stored.uscc == BAD_CHECK and stored.check_accepted


def test_bad_id_number_and_full_id_in_the_units_own_form(
    qtbot: QtBot, session: core.Session, bus: DataBus
) -> None:
    form = dialog(qtbot, session, bus, "units")
    type_into(qtbot, form, "uscc", CODE)
    type_into(qtbot, form, "name", "凤凰县沱江化工有限公司")
    choose(form, "category", "危险化学品")
    wrong = "0" if ID_NUMBER[-1] != "0" else "1"
    type_into(qtbot, form, "main_person_id", ID_NUMBER[:-1] + wrong)
    assert "校验码错误" in form.message("main_person_id")
    assert not form.save_button.isEnabled()
    type_into(qtbot, form, "main_person_id", ID_NUMBER)
    assert form.save()

    edit = dialog(qtbot, session, bus, "units", record_id=1)
    assert edit.windowTitle() == "修改企业信息 — 凤凰县沱江化工有限公司"
    assert edit.value("main_person_id") == ID_NUMBER  # in full, only here


def test_duplicate_code_is_a_sentence_not_a_crash(
    qtbot: QtBot, session: core.Session, bus: DataBus, unit_id: int
) -> None:
    form = dialog(qtbot, session, bus, "units")
    type_into(qtbot, form, "uscc", CODE)
    type_into(qtbot, form, "name", "另一家公司")
    choose(form, "category", "非煤矿山")
    assert not form.save()
    assert "已登记为“凤凰县沱江化工有限公司”" in form.message("uscc")
    assert session.units.count() == 1
    assert not form.save_button.isEnabled()
    type_into(qtbot, form, "uscc", OTHER_CODE)  # the clash goes once the code changes
    assert form.message("uscc") == ""
    assert form.save()
    assert session.units.count() == 2


# -- records of a unit ---------------------------------------------------------------------


def test_accident_grade_that_disagrees_with_the_figures(
    qtbot: QtBot, session: core.Session, bus: DataBus, unit_id: int
) -> None:
    form = dialog(qtbot, session, bus, "accidents", unit_id=unit_id)
    assert form.windowTitle() == "新增生产安全事故记录 — 凤凰县沱江化工有限公司"
    type_into(qtbot, form, "occurred_on", "2025年3月1日")
    choose(form, "grade", "一般")
    type_into(qtbot, form, "deaths", "3")
    choose(form, "responsible", "是")
    assert "已达较大事故" in form.message("grade")
    assert not form.save_button.isEnabled()

    choose(form, "grade", "重大")
    assert "待核实" in form.message("grade")
    assert form.save_button.isEnabled()
    with qtbot.waitSignal(bus.status_message) as status:
        assert form.save()
    assert "待核实" in status.args[0]
    stored = session.records.get("accidents", 1)
    assert (stored.grade, stored.needs_review, stored.deaths) == ("重大", True, 3)


def test_blank_grade_is_derived(
    qtbot: QtBot, session: core.Session, bus: DataBus, unit_id: int
) -> None:
    form = dialog(qtbot, session, bus, "accidents", unit_id=unit_id)
    type_into(qtbot, form, "occurred_on", "2025/3/1")
    type_into(qtbot, form, "loss_wan", "1200")
    choose(form, "responsible", "待定")
    assert "较大事故" in form.message("grade")
    assert form.save()
    stored = session.records.get("accidents", 1)
    assert (stored.grade, stored.needs_review) == ("较大", False)


def test_date_in_the_future_is_refused(
    qtbot: QtBot, session: core.Session, bus: DataBus, unit_id: int
) -> None:
    form = dialog(qtbot, session, bus, "inspections", unit_id=unit_id)
    type_into(qtbot, form, "inspected_on", "2025-7-1")
    assert "晚于今天" in form.message("inspected_on")
    assert not form.save()
    type_into(qtbot, form, "rectify_deadline", "2025-9-1")  # a deadline may be ahead
    assert form.message("rectify_deadline") == ""
    type_into(qtbot, form, "inspected_on", "2025-6-1")
    assert form.save()
    assert session.records.get("inspections", 1).rectify_deadline == date(2025, 9, 1)


def test_save_and_new_saves_a_run(
    qtbot: QtBot, session: core.Session, bus: DataBus, unit_id: int
) -> None:
    form = dialog(qtbot, session, bus, "inspections", unit_id=unit_id)
    type_into(qtbot, form, "inspected_on", "2025-5-6")
    type_into(qtbot, form, "inspectors", "张三、李四")
    type_into(qtbot, form, "hazards", "2")
    assert form.save_and_new()
    assert form.result() == 0  # not closed
    assert form.value("inspected_on") == ""
    assert form.value("hazards") == ""
    assert form.value("inspectors") == "张三、李四"  # kept for the run
    assert form.focusWidget() is form.editor("inspected_on")
    assert not form.is_dirty()

    type_into(qtbot, form, "inspected_on", "2025-5-20")
    assert form.save_and_new()
    assert form.saved_count == 2
    rows = session.db.conn.execute(
        "SELECT inspected_on, inspectors, hazards FROM inspections ORDER BY id"
    ).fetchall()
    assert rows == [("2025-05-06", "张三、李四", 2), ("2025-05-20", "张三、李四", 0)]

    # the same day again: a sentence next to the date, nothing stored
    type_into(qtbot, form, "inspected_on", "2025-5-20")
    assert not form.save()
    assert "已有一条执法检查记录" in form.message("inspected_on")
    assert form.saved_count == 2


def test_undo_takes_back_the_last_save_and_gives_back_the_input(
    qtbot: QtBot, session: core.Session, bus: DataBus, unit_id: int
) -> None:
    form = dialog(qtbot, session, bus, "penalties", unit_id=unit_id)
    assert not form.undo_button.isEnabled()
    type_into(qtbot, form, "doc_no", "凤应急罚〔2025〕7号")
    type_into(qtbot, form, "decided_on", "2025-4-1")
    choose(form, "department", "应急管理部门")
    type_into(qtbot, form, "fine_yuan", "20000")
    assert form.save_and_new()
    assert form.value("doc_no") == ""
    assert form.value("department") == "应急管理部门"
    assert form.undo_button.isEnabled()
    form.undo_button.click()
    assert session.db.conn.execute("SELECT count(*) FROM penalties").fetchone()[0] == 0
    assert form.saved_count == 0
    assert form.value("doc_no") == "凤应急罚〔2025〕7号"
    assert form.value("fine_yuan") == "20000"
    assert not form.undo_button.isEnabled()


def test_cancel_asks_and_keeps_nothing(
    qtbot: QtBot,
    session: core.Session,
    bus: DataBus,
    unit_id: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    asked: list[str] = []

    def question(*args: object, **kwargs: object) -> QMessageBox.StandardButton:
        asked.append(str(args[2]))
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    form = dialog(qtbot, session, bus, "violations", unit_id=unit_id)
    form.show()
    type_into(qtbot, form, "occurred_on", "2025-2-2")
    form.cancel_button.click()
    assert form.isVisible()  # "No": the form stays, with what was typed
    assert form.value("occurred_on") == "2025-2-2"
    form.cancel_button.click()
    assert not form.isVisible()
    assert len(asked) == 2 and "尚未保存" in asked[0]
    assert session.db.conn.execute("SELECT count(*) FROM violations").fetchone()[0] == 0


def test_cancel_of_an_untouched_form_does_not_ask(
    qtbot: QtBot,
    session: core.Session,
    bus: DataBus,
    unit_id: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def question(*args: object, **kwargs: object) -> None:
        raise AssertionError("should not ask")

    monkeypatch.setattr(QMessageBox, "question", question)
    form = dialog(qtbot, session, bus, "honours", unit_id=unit_id)
    form.show()
    form.cancel_button.click()
    assert not form.isVisible()


def test_editing_an_existing_record(
    qtbot: QtBot, session: core.Session, bus: DataBus, unit_id: int
) -> None:
    inspection = model.Inspection(unit_id=unit_id, inspected_on=date(2025, 5, 1), hazards=1)
    session.records.save(inspection)
    form = dialog(qtbot, session, bus, "inspections", record_id=inspection.id)
    assert form.windowTitle() == "修改执法检查记录 — 凤凰县沱江化工有限公司"
    assert form.value("inspected_on") == "2025-05-01"
    assert form.value("hazards") == "1"
    type_into(qtbot, form, "hazards", "4")
    type_into(qtbot, form, "major_hazards", "5")
    assert "不能多于发现隐患数" in form.message("major_hazards")
    type_into(qtbot, form, "major_hazards", "1")
    type_into(qtbot, form, "rectified_on", "2025-4-30")
    assert "早于检查日期" in form.message("rectified_on")
    type_into(qtbot, form, "rectified_on", "2025-5-30")
    assert form.save()
    stored = session.records.get("inspections", inspection.id or 0)
    assert (stored.hazards, stored.major_hazards, stored.rectified_on) == (
        4,
        1,
        date(2025, 5, 30),
    )
    assert audit_users(session, "inspections") == ["测试员", "测试员"]


def test_violation_kind_shows_chinese_and_stores_the_code(
    qtbot: QtBot, session: core.Session, bus: DataBus, unit_id: int
) -> None:
    form = dialog(qtbot, session, bus, "violations", unit_id=unit_id)
    combo = form.editor("kind")
    assert isinstance(combo, QComboBox)
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert "瞒报、谎报生产安全事故" in texts
    choose(form, "kind", "accident_concealed")
    assert combo.currentText() == "瞒报、谎报生产安全事故"
    assert "严重失信" in form.message("kind")
    type_into(qtbot, form, "occurred_on", "2025-1-9")
    assert form.save()
    assert session.records.get("violations", 1).kind == "accident_concealed"


def test_enter_moves_on_and_saves_on_the_last_field(
    qtbot: QtBot, session: core.Session, bus: DataBus, unit_id: int
) -> None:
    form = dialog(qtbot, session, bus, "joint_punishments", unit_id=unit_id)
    form.show()
    type_into(qtbot, form, "department", "县市场监督管理局")
    qtbot.keyClick(form.editor("department"), Qt.Key.Key_Return)
    assert form.focusWidget() is form.editor("starts_on")
    type_into(qtbot, form, "starts_on", "2025/1/1")
    qtbot.keyClick(form.editor("starts_on"), Qt.Key.Key_Return)
    assert form.value("starts_on") == "2025-01-01"  # written back in one spelling
    assert form.focusWidget() is form.editor("ends_on")
    type_into(qtbot, form, "ends_on", "2024-12-31")
    qtbot.keyClick(form.editor("ends_on"), Qt.Key.Key_Return)
    assert "早于开始日期" in form.message("ends_on")
    assert form.isVisible()
    type_into(qtbot, form, "ends_on", "2025-12-31")
    qtbot.keyClick(form.editor("ends_on"), Qt.Key.Key_Return)
    assert not form.isVisible()
    assert form.saved_count == 1


def test_tab_order_follows_the_paper(
    qtbot: QtBot, session: core.Session, bus: DataBus, unit_id: int
) -> None:
    form = dialog(qtbot, session, bus, "commitments", unit_id=unit_id)
    order = []
    widget = form.editor("type")
    for _ in range(4):
        order.append(widget.objectName())
        widget = widget.nextInFocusChain()
        while widget.objectName() not in ("type", "signed_on", "signer", "withdrawn_on"):
            widget = widget.nextInFocusChain()
    assert order == ["type", "signed_on", "signer", "withdrawn_on"]


def test_commitment_withdrawn_before_signed(
    qtbot: QtBot, session: core.Session, bus: DataBus, unit_id: int
) -> None:
    form = dialog(qtbot, session, bus, "commitments", unit_id=unit_id)
    choose(form, "type", "单位承诺")
    type_into(qtbot, form, "signed_on", "2025-3-1")
    type_into(qtbot, form, "withdrawn_on", "2025-2-1")
    assert "早于签署日期" in form.message("withdrawn_on")
    assert not form.save_button.isEnabled()


def test_form_without_a_unit_asks_for_its_code(
    qtbot: QtBot, session: core.Session, bus: DataBus, unit_id: int
) -> None:
    form = dialog(qtbot, session, bus, "honours")
    assert form.windowTitle() == "新增表彰记录"
    type_into(qtbot, form, "unit_id", OTHER_CODE)
    type_into(qtbot, form, "honoured_on", "2024-12-20")
    choose(form, "level", "市级")
    choose(form, "type", "先进单位")
    assert not form.save_button.isEnabled()
    type_into(qtbot, form, "unit_id", CODE)
    assert form.message("unit_id") == "凤凰县沱江化工有限公司"
    assert form.windowTitle() == "新增表彰记录 — 凤凰县沱江化工有限公司"
    assert form.save_and_new()
    assert form.value("unit_id") == CODE  # the unit is kept for the run
    stored = session.records.get("honours", 1)
    assert (stored.unit_id, stored.level, stored.type) == (unit_id, "市级", "先进单位")


def test_errors_are_shown_only_after_typing_on_a_fresh_form(
    qtbot: QtBot, session: core.Session, bus: DataBus, unit_id: int
) -> None:
    form = dialog(qtbot, session, bus, "penalties", unit_id=unit_id)
    assert form.message("doc_no") == ""
    assert not form.save_button.isEnabled()
    assert "决定书文号" in form._summary.text()
    assert not form.save()  # Enter on the last field with gaps: every message shows
    assert form.message("doc_no") == "不能为空"
    assert "不能为空" in form.message("department")


def test_open_record_form_returns_the_count(
    qtbot: QtBot,
    session: core.Session,
    bus: DataBus,
    unit_id: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fake_exec(self: RecordFormDialog) -> int:
        self.set_value("signed_on", "2025-1-2")
        self.set_value("type", "单位承诺")
        self.save_and_new()
        self.set_value("signed_on", "2025-1-2")
        self.set_value("type", "主要负责人履职尽责承诺")
        self.save()
        return 1

    monkeypatch.setattr(RecordFormDialog, "exec", fake_exec)
    count = record_form.open_record_form(None, session, bus, "commitments", unit_id=unit_id)
    assert count == 2
    assert audit_users(session, "commitments") == ["测试员", "测试员"]


def test_open_record_form_for_a_deleted_record_says_so(
    session: core.Session, bus: DataBus, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(str(a[2])))
    assert record_form.open_record_form(None, session, bus, "penalties", record_id=99) == 0
    assert shown and "不存在" in shown[0]


def test_a_save_that_changes_the_grade_says_so(
    qtbot: QtBot, session: core.Session, bus: DataBus, unit_id: int
) -> None:
    unit = session.repo.get(model.Unit, unit_id)
    unit.std_level, unit.std_awarded_on = "三级", date(2024, 1, 1)
    unit.std_valid_until = date(2027, 1, 1)
    session.records.save(unit)
    for kind in model.CommitmentType:
        session.records.save(model.Commitment(unit_id, kind.value, date(2025, 1, 2)))
    shown: list[str] = []
    bus.status_message.connect(shown.append)
    form = dialog(qtbot, session, bus, "accidents", unit_id=unit_id)
    type_into(qtbot, form, "occurred_on", "6.1")  # a short date: this year's, never ahead
    type_into(qtbot, form, "deaths", "1")
    choose(form, "responsible", "是")
    assert form.save_and_new()
    change = form.last_grade_change
    assert change == "等级由B（二级）变为C（三级）：1年内发生造成人员死亡的生产安全责任事故"
    assert change in shown[-1] and change in form._saved_label.text()
    stored = session.db.conn.execute("SELECT occurred_on FROM accidents").fetchone()[0]
    assert stored == "2025-06-01"
    # a record that leaves the grade as it is says nothing of grades
    form.close()
    other = dialog(qtbot, session, bus, "inspections", unit_id=unit_id)
    type_into(qtbot, other, "inspected_on", "0520")
    assert other.save()
    assert other.last_grade_change is None and "等级由" not in shown[-1]
