"""异议与信用修复 page (pytest-qt, offscreen): an objection filed, accepted, answered
(删除 removes the record, 更正 stores the corrected one), the recorder refused as
investigator; a repair application with its checks, decided and revoked."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from safecredit_desktop.core import app as core
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.gui.blocks.forms import StepDialog
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.dialogs.document_dialog import DocumentDialog
from safecredit_desktop.gui.views.objections_page import (
    AnswerDialog,
    CorrectionForm,
    FileObjectionDialog,
    ObjectionsPage,
    RepairApplicationDialog,
)

PASSWORDS = {"管理员": "admin-pw", "审核甲": "review-pw", "小李": "clerk-pw"}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "x.db"
    session = core.init_database(
        path,
        profile="fenghuang",
        bureau_name="测试县应急管理局",
        user="管理员",
        admin=("管理员", PASSWORDS["管理员"]),
    )
    core.fill_demo(session, enterprises=120, seed=1)  # every record entered by 管理员
    session.accounts.create_user("审核甲", PASSWORDS["审核甲"], Role.REVIEWER)
    session.accounts.create_user("小李", PASSWORDS["小李"], Role.CLERK)
    session.close()
    return path


@pytest.fixture
def sign_in(db: Path) -> Iterator[Callable[[str], core.Session]]:
    opened: list[core.Session] = []

    def open_as(user: str) -> core.Session:
        session = core.sign_in(db, user, PASSWORDS[user])
        opened.append(session)
        return session

    yield open_as
    for session in opened:
        session.close()


def _messages(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []

    def box(kind: str) -> Any:
        def show(_parent: object, _title: str, text: str, *args: object) -> Any:
            shown.append((kind, text))
            if kind == "question":
                return QMessageBox.StandardButton.Yes
            return QMessageBox.StandardButton.Ok

        return show

    for kind in ("warning", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, box(kind))
    return shown


def _page(qtbot: QtBot, session: core.Session, bus: DataBus) -> ObjectionsPage:
    page = ObjectionsPage(session, bus)
    qtbot.addWidget(page)
    return page


def _record_of(session: core.Session, table: str, skip: int = 0) -> tuple[int, int]:
    """(unit id, record id) of a unit's record in ``table`` (from its timeline)."""
    found = []
    for unit_id, _uscc, _name in session.units.search("", 200):
        for entry in session.units.timeline(unit_id):
            if entry.table == table:
                found.append((unit_id, entry.record_id))
    assert len(found) > skip, f"the demo has no {table}"
    return found[skip]


def _file(page: ObjectionsPage, unit_id: int, table: str, record_id: int) -> core.Objection:
    def fill(dialog: QDialog) -> bool:
        assert isinstance(dialog, FileObjectionDialog)
        assert dialog.choose(unit_id, table, record_id)
        assert not dialog.try_accept()  # no content: refused, the choice kept
        assert dialog.records.selected() == (table, record_id)
        dialog.content.setPlainText("处罚决定书记载的违法事实与现场不符")
        dialog.evidence.setPlainText("现场照片3张")
        return dialog.try_accept()

    page.exec_dialog = fill
    created = page.file_objection()
    assert created is not None
    return created


def _cell(page: ObjectionsPage, row: int, column: int, repairs: bool = False) -> str:
    pane = page.repairs if repairs else page.objections
    return pane.model.text(row, column)


def test_objection_filed_accepted_answered_with_deletion(
    qtbot: QtBot,
    sign_in: Callable[[str], core.Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown = _messages(monkeypatch)
    bus = DataBus()
    admin = sign_in("管理员")
    clerk_page = _page(qtbot, sign_in("小李"), bus)
    unit_id, penalty_id = _record_of(admin, "penalties")

    # 登记 (a clerk may file; may not accept)
    found = _file(clerk_page, unit_id, "penalties", penalty_id)
    assert found.status == "待受理" and found.filed_by == "小李"
    assert clerk_page.objections.model.rowCount() == 1
    assert _cell(clerk_page, 0, 4) == "待受理"
    assert not clerk_page.accept_button.isEnabled()
    assert "现场照片3张" in clerk_page.objection_detail.toPlainText()

    # the same record cannot be disputed twice while open: greyed in the picker
    def again(dialog: QDialog) -> bool:
        assert isinstance(dialog, FileObjectionDialog)
        assert not dialog.choose(unit_id, "penalties", penalty_id)
        return False

    clerk_page.exec_dialog = again
    assert clerk_page.file_objection() is None

    # 受理 by a reviewer: due in working days, shown
    reviewer = _page(qtbot, sign_in("审核甲"), bus)
    assert reviewer.select_objection(found.id)
    accepted = reviewer.accept_selected()
    assert accepted is not None and accepted.status == "已受理" and accepted.due_on is not None
    assert _cell(reviewer, 0, 6) == accepted.due_on.isoformat()
    assert _cell(clerk_page, 0, 4) == "已受理"  # the other page follows the bus
    assert reviewer.answer_button.isEnabled() and not reviewer.accept_button.isEnabled()

    # the administrator entered the record: refused as investigator, the findings kept
    admin_page = _page(qtbot, admin, bus)
    assert admin_page.select_objection(found.id)
    kept: list[str] = []

    def as_recorder(dialog: QDialog) -> bool:
        assert isinstance(dialog, AnswerDialog)
        dialog.findings.setPlainText("经调取执法记录仪视频核实")
        dialog.set_outcome("保留")
        done = dialog.try_accept()
        kept.append(dialog.findings.toPlainText())
        return done

    admin_page.exec_dialog = as_recorder
    assert admin_page.answer_selected() is None
    assert shown[-1][0] == "warning" and "不能担任核查人" in shown[-1][1]
    assert kept == ["经调取执法记录仪视频核实"]
    assert admin.objections.get(found.id).status == "已受理"

    # the reviewer answers 删除: the record is gone
    def delete(dialog: QDialog) -> bool:
        assert isinstance(dialog, AnswerDialog)
        dialog.findings.setPlainText("处罚主体错误，记录有误")
        dialog.set_outcome("删除")
        assert not dialog.correct_button.isVisible()
        return dialog.try_accept()

    reviewer.exec_dialog = delete
    with qtbot.waitSignal(bus.changed):
        answered = reviewer.answer_selected()
    assert answered is not None and answered.outcome == "删除"
    assert answered.investigator == "审核甲"
    assert any("删除被异议的记录" in text for kind, text in shown if kind == "question")
    with pytest.raises(SafeCreditError):
        admin.records.get("penalties", penalty_id)
    assert all(
        (e.table, e.record_id) != ("penalties", penalty_id) for e in admin.units.timeline(unit_id)
    )
    assert _cell(reviewer, 0, 4) == "已答复" and _cell(reviewer, 0, 8) == "删除"
    assert _cell(reviewer, 0, 7) == "审核甲"
    assert reviewer.reply_button.isEnabled() and not reviewer.answer_button.isEnabled()

    # open only
    reviewer.open_only.setChecked(True)
    assert reviewer.objections.model.rowCount() == 0

    # the reply letter: previewed, issued and printed
    reviewer.open_only.setChecked(False)
    assert reviewer.select_objection(found.id)
    printed: list[bytes] = []
    printer = object()
    monkeypatch.setattr("safecredit_desktop.gui.printing.choose_printer", lambda *_a, **_k: printer)
    monkeypatch.setattr(
        "safecredit_desktop.gui.printing.print_on",
        lambda chosen, data: chosen is printer and not printed.append(data),
    )

    def issue(dialog: QDialog) -> bool:
        assert isinstance(dialog, DocumentDialog)
        return dialog.issue(then="print") is not None

    shown.clear()
    reviewer.exec_dialog = issue
    assert reviewer.print_reply() is not None
    assert not [m for m in shown if m[0] == "warning"], shown
    assert printed and printed[0].startswith(b"%PDF")
    assert len(admin.documents.register(kind="objection-reply")) == 1


def test_objection_answered_with_correction(
    qtbot: QtBot,
    sign_in: Callable[[str], core.Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown = _messages(monkeypatch)
    bus = DataBus()
    admin = sign_in("管理员")
    reviewer = _page(qtbot, sign_in("审核甲"), bus)
    unit_id, inspection_id = _record_of(admin, "inspections")
    before = admin.records.get("inspections", inspection_id)
    found = _file(reviewer, unit_id, "inspections", inspection_id)
    assert reviewer.accept_selected() is not None

    def correct(dialog: QDialog) -> bool:
        if isinstance(dialog, CorrectionForm):
            assert dialog.save_new_button.isHidden()
            dialog.set_value("note", "异议核查后更正")
            return dialog.save()
        assert isinstance(dialog, AnswerDialog)
        dialog.findings.setPlainText("备注漏记，予以更正")
        dialog.set_outcome("更正")
        assert not dialog.correct_button.isHidden()
        assert "尚未" in dialog.corrected_note.text()
        assert dialog.edit_correction()
        assert dialog.corrected is not None and dialog.corrected.id == inspection_id
        assert "已填写" in dialog.corrected_note.text()
        # nothing stored before the answer
        assert admin.records.get("inspections", inspection_id) == before
        return dialog.try_accept()

    reviewer.exec_dialog = correct
    answered = reviewer.answer_selected()
    assert answered is not None and answered.outcome == "更正", shown
    after = admin.records.get("inspections", inspection_id)
    assert after.note == "异议核查后更正" and after.inspected_on == before.inspected_on
    assert admin.objections.get(found.id).status == "已答复"


def test_refuse_objection_wants_a_reason(
    qtbot: QtBot,
    sign_in: Callable[[str], core.Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown = _messages(monkeypatch)
    bus = DataBus()
    admin = sign_in("管理员")
    page = _page(qtbot, admin, bus)
    unit_id, violation_id = _record_of(admin, "violations")
    found = _file(page, unit_id, "violations", violation_id)

    def refuse(dialog: QDialog) -> bool:
        assert isinstance(dialog, StepDialog)
        assert not dialog.try_accept()
        assert "理由" in shown[-1][1]
        dialog.set_text("超过异议提出期限")
        return dialog.try_accept()

    page.exec_dialog = refuse
    page.refuse_selected()
    assert admin.objections.get(found.id).status == "不予受理"
    assert "超过异议提出期限" in page.objection_detail.toPlainText()
    assert page.reply_button.isEnabled()


def test_repair_application_checks_decision_revocation(
    qtbot: QtBot,
    sign_in: Callable[[str], core.Session],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    shown = _messages(monkeypatch)
    bus = DataBus()
    admin = sign_in("管理员")
    page = _page(qtbot, sign_in("小李"), bus)
    skip = 0
    while True:  # a penalty more than a year old
        unit_id, penalty_id = _record_of(admin, "penalties", skip)
        record_day = admin.records.get("penalties", penalty_id).decided_on
        if record_day < date.today() - timedelta(days=400):
            break
        skip += 1

    def apply(dialog: QDialog) -> bool:
        assert isinstance(dialog, RepairApplicationDialog)
        assert dialog.choose(unit_id, "penalties", penalty_id)
        dialog.statement.setPlainText("罚款已缴纳，隐患已整改")
        return dialog.try_accept()

    page.exec_dialog = apply
    app = page.apply_repair()
    assert app is not None and app.status == "待审核" and app.kind_text == "信用修复"
    assert page.tabs.currentIndex() == 1
    assert page.repairs.model.rowCount() == 1
    assert _cell(page, 0, 2, repairs=True) == "信用修复"
    assert _cell(page, 0, 5, repairs=True) == "待审核"
    detail = page.repair_detail.toPlainText()
    checks = admin.repairs.checks(app.id)
    assert checks and all(c.text in detail for c in checks)
    assert "待核实" in detail and ("✔" in detail or "✘" in detail)
    assert not page.approve_button.isEnabled()  # a clerk does not decide

    reviewer = _page(qtbot, sign_in("审核甲"), bus)
    assert reviewer.select_application(app.id) and reviewer.approve_button.isEnabled()

    # too early: the core's sentence, the dialog stays with its date and text
    def too_early(dialog: QDialog) -> bool:
        assert isinstance(dialog, StepDialog)
        dialog.set_day(record_day)
        dialog.set_text("材料齐全")
        assert not dialog.try_accept()
        assert "未满" in shown[-1][1] and dialog.text() == "材料齐全"
        dialog.set_day(date.today())
        return dialog.try_accept()

    reviewer.exec_dialog = too_early
    decided = reviewer.decide_selected(approve=True)
    assert decided is not None and decided.status == "批准" and decided.repair_id
    assert _cell(reviewer, 0, 5, repairs=True) == "批准"
    assert _cell(reviewer, 0, 6, repairs=True) == "审核甲"
    assert reviewer.revoke_button.isEnabled() and reviewer.decision_button.isEnabled()
    assert reviewer.decision_request(decided) == core.DocumentRequest(
        "removal-decision", repair_id=decided.id
    )

    # the decision: previewed and saved (the file chosen before the number is taken)
    target = tmp_path / "决定书.pdf"
    monkeypatch.setattr(
        "safecredit_desktop.gui.printing.ask_pdf_path", lambda _parent, _name: target
    )
    reviewer.exec_dialog = lambda d: (
        isinstance(d, DocumentDialog) and d.issue(then="save") is not None
    )
    shown.clear()
    assert reviewer.print_decision() is not None
    assert not [m for m in shown if m[0] == "warning"], shown
    assert target.read_bytes().startswith(b"%PDF")

    def revoke(dialog: QDialog) -> bool:
        assert isinstance(dialog, StepDialog)
        dialog.set_text("以虚假材料取得")
        return dialog.try_accept()

    reviewer.exec_dialog = revoke
    revoked = reviewer.revoke_selected()
    assert revoked is not None and revoked.status == "撤销"
    assert date.today().isoformat() in _cell(reviewer, 0, 8, repairs=True)
    assert not reviewer.revoke_button.isEnabled()


def test_early_removal_decision_names_the_listing(
    qtbot: QtBot, sign_in: Callable[[str], core.Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = _messages(monkeypatch)
    admin = sign_in("管理员")
    reviewer_session = sign_in("审核甲")
    unit_id = admin.units.search("", 1)[0][0]
    start = date.today() - timedelta(days=600)  # listed for 3 years, 20 months ago
    entry = admin.lists.add(
        unit_id=unit_id,
        list_kind="黑名单",
        facts="较大事故",
        basis="第五条",
        period_months=36,
        today=start,
    )
    admin.lists.notify(entry.id, served_on=start)
    admin.lists.record_statement(entry.id, "无异议")
    reviewer_session.lists.review(entry.id, approve=True, today=start + timedelta(days=30))
    reviewer_session.lists.publish(entry.id, published_on=start + timedelta(days=40))
    app = admin.repairs.apply(table="list_entries", target_id=entry.id)
    page = _page(qtbot, reviewer_session, DataBus())
    page.tabs.setCurrentIndex(1)
    assert page.select_application(app.id)
    assert _cell(page, 0, 2, repairs=True) == "提前移出"
    page.exec_dialog = lambda d: isinstance(d, StepDialog) and d.try_accept()
    decided = page.decide_selected(approve=True)
    assert decided is not None and decided.status == "批准"
    assert admin.lists.entry(entry.id).stage == "移出"
    assert page.decision_request(decided) == core.DocumentRequest(
        "removal-decision", listing_id=entry.id
    )
    previewed: list[DocumentDialog] = []
    page.exec_dialog = lambda d: previewed.append(d) is None  # type: ignore[arg-type,func-returns-value]
    assert page.print_decision() is not None, shown
    assert previewed[0].preview.page_count() >= 1 and previewed[0].issued is None


def test_the_repair_dialog_refuses_an_accident_with_the_cores_sentence(
    qtbot: QtBot,
    sign_in: Callable[[str], core.Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """grading.md Revision 2 item 1: an accident is never repaired."""
    shown = _messages(monkeypatch)
    admin = sign_in("管理员")
    page = _page(qtbot, sign_in("小李"), DataBus())
    unit_id, accident_id = _record_of(admin, "accidents")

    def apply(dialog: QDialog) -> bool:
        assert isinstance(dialog, RepairApplicationDialog)
        assert dialog.choose(unit_id, "accidents", accident_id)
        dialog.statement.setPlainText("事故已结案")
        assert not dialog.try_accept()
        return False

    page.exec_dialog = apply
    assert page.apply_repair() is None
    assert shown[-1][0] == "warning"
    assert shown[-1][1].startswith("生产安全事故不能信用修复")
    assert admin.repairs.all() == []
