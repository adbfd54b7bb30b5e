"""名单管理 page (pytest-qt, offscreen): 采集 by the rules and by hand, 告知, the proposer
refused as reviewer, 审核 by another reviewer, 公布, 移出, early removal, export."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from safecredit_desktop.core import app as core
from safecredit_desktop.core.model import Role
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.views.lists_page import (
    COLUMNS,
    STAGE_COLUMN,
    DocumentDialog,
    ListsPage,
    ManualEntryDialog,
    StepDialog,
)

STAGE = STAGE_COLUMN
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
    core.fill_demo(session, enterprises=120, seed=1)
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
    """Record message boxes; ``question`` answers Yes."""
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


def _page(qtbot: QtBot, session: core.Session, bus: DataBus | None = None) -> ListsPage:
    page = ListsPage(session, bus or DataBus())
    qtbot.addWidget(page)
    return page


def _row_of(page: ListsPage, entry_id: int) -> int:
    row = page.pane.model.row_of(entry_id)
    assert row is not None, f"entry {entry_id} not shown"
    return row


def _cell(page: ListsPage, entry_id: int, column: int) -> str:
    return page.pane.model.text(_row_of(page, entry_id), column)


def _step(fill: Callable[[StepDialog], None]) -> Callable[[QDialog], bool]:
    """An exec_dialog that fills a StepDialog and presses 确定."""

    def run(dialog: QDialog) -> bool:
        assert isinstance(dialog, StepDialog)
        fill(dialog)
        return dialog.try_accept()

    return run


def _add_blacklisted(page: ListsPage, unit_id: int) -> core.ListEntry:
    def fill(dialog: QDialog) -> bool:
        assert isinstance(dialog, ManualEntryDialog)
        assert not dialog.try_accept()  # no unit chosen yet: refused, nothing lost
        uscc = page.session.records.get("units", unit_id).uscc
        dialog.units.search.setText(uscc)
        dialog.units.run_search()
        assert dialog.units.select_unit(unit_id)
        dialog.kind.setCurrentIndex(dialog.kind.findData("黑名单"))
        dialog.facts.setPlainText("2026年5月12日发生较大生产安全事故，死亡3人")
        assert not dialog.try_accept()  # no basis: the core's sentence, the facts kept
        assert dialog.facts.toPlainText().startswith("2026年5月12日")
        dialog.basis.setPlainText("《安全生产严重失信主体名单管理办法》第五条")
        dialog.months.setValue(24)
        return dialog.try_accept()

    page.exec_dialog = fill
    created = page.add_by_hand()
    assert created is not None
    return created


def test_columns_and_filters(qtbot: QtBot, sign_in: Callable[[str], core.Session]) -> None:
    page = _page(qtbot, sign_in("管理员"))
    assert [
        page.pane.model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(COLUMNS))
    ] == list(COLUMNS)
    assert [page.kind.itemText(i) for i in range(page.kind.count())] == [
        "全部名单",
        "红名单",
        "黑名单",
    ]
    assert page.stage.count() == 7 and page.pane.model.rowCount() == 0
    assert not page.notify_button.isEnabled() and not page.approve_button.isEnabled()


def test_list_lifecycle(
    qtbot: QtBot,
    sign_in: Callable[[str], core.Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown = _messages(monkeypatch)
    admin = sign_in("管理员")
    bus = DataBus()
    page = _page(qtbot, admin, bus)

    # 采集 by the rules: the red list of the A units, and (grading.md Revision 2) the
    # 黑名单 of the units with one of seed 002's grounds
    with qtbot.waitSignal(bus.changed):
        created = page.propose()
    assert created, "the demo county has A units"
    assert page.pane.model.rowCount() == len(created)
    assert {_cell(page, e.id, STAGE) for e in created} == {"采集"}
    assert {_cell(page, e.id, 1) for e in created} == {e.list_kind for e in created}
    reds = [e for e in created if e.list_kind == "红名单"]
    assert len(reds) >= 2
    assert page.propose() == [] and shown[-1][0] == "information"  # nothing new the second time

    # 采集 by hand: a blacklist entry; shown and selected
    unit_id = reds[0].unit_id
    entry = _add_blacklisted(page, unit_id)
    assert entry.list_kind == "黑名单" and entry.period_months == 24 and entry.source == "人工"
    assert page.selected_entry() is not None and page.selected_entry().id == entry.id
    assert "较大生产安全事故" in page.detail.toPlainText()
    assert page.notify_button.isEnabled() and page.print_notice_button.isEnabled()
    assert not page.approve_button.isEnabled()  # a blacklist entry is reviewed after 告知

    # 告知: served a month ago, so the statement period has run out
    served = date.today() - timedelta(days=40)
    page.exec_dialog = _step(lambda d: d.set_day(served))
    page.notify_selected()
    assert _cell(page, entry.id, STAGE) == "告知"
    assert _cell(page, entry.id, 8) == served.isoformat()
    assert _cell(page, entry.id, 9) != ""
    assert page.statement_button.isEnabled() and page.approve_button.isEnabled()

    # the unit's statement, recorded
    page.exec_dialog = _step(lambda d: d.set_text("事故已结案，请求从轻处理"))
    page.record_statement()
    assert "请求从轻处理" in page.detail.toPlainText()

    # the proposer may not review: the core's refusal is shown, nothing changes
    assert page.approve_selected() is False
    assert shown[-1][0] == "warning" and "提出列入的人" in shown[-1][1]
    assert admin.lists.entry(entry.id).stage == "告知"

    # another reviewer approves and publishes; the first page follows through the bus
    reviewer = _page(qtbot, sign_in("审核甲"), bus)
    assert reviewer.select_entry(entry.id)
    assert reviewer.approve_selected() is True
    assert _cell(reviewer, entry.id, STAGE) == "待公布"
    assert _cell(reviewer, entry.id, 10) == "审核甲"
    assert _cell(page, entry.id, STAGE) == "待公布"
    assert reviewer.publish_button.isEnabled()
    reviewer.exec_dialog = _step(lambda d: None)  # today
    reviewer.publish_selected()
    published = admin.lists.entry(entry.id)
    assert published.stage == "公布" and published.published_on == date.today()
    assert _cell(reviewer, entry.id, STAGE) == "公布"
    assert _cell(reviewer, entry.id, 11) == date.today().isoformat()
    assert _cell(reviewer, entry.id, 12) == published.ends_on.isoformat()  # type: ignore[union-attr]
    assert _cell(page, entry.id, STAGE) == "公布"
    assert "审核甲" in reviewer.detail.toPlainText()

    # the stage filter
    reviewer.stage.setCurrentIndex(reviewer.stage.findData("公布"))
    assert reviewer.pane.model.rowCount() == 1
    reviewer.stage.setCurrentIndex(reviewer.stage.findData("采集"))
    assert reviewer.pane.model.rowCount() == len(created)

    # a red-list entry is reviewed at once: 不予列入 wants a reason, kept on refusal
    red = reds[1]
    assert reviewer.select_entry(red.id)
    assert reviewer.refuse_button.isEnabled() and not reviewer.notify_button.isEnabled()

    def refuse(dialog: QDialog) -> bool:
        assert isinstance(dialog, StepDialog)
        assert not dialog.try_accept()  # no reason
        assert "理由" in shown[-1][1]
        dialog.set_text("该企业本年度有未整改隐患")
        return dialog.try_accept()

    reviewer.exec_dialog = refuse
    reviewer.refuse_selected()
    assert admin.lists.entry(red.id).stage == "不予列入"
    assert reviewer.select_entry(red.id)  # the filter was cleared to show it
    assert reviewer.stage.currentIndex() == 0
    assert _cell(reviewer, red.id, STAGE) == "不予列入"


def test_publish_export_remove_and_early_removal(
    qtbot: QtBot,
    sign_in: Callable[[str], core.Session],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    shown = _messages(monkeypatch)
    admin = sign_in("管理员")
    bus = DataBus()
    page = _page(qtbot, admin, bus)
    created = page.propose()
    assert created is not None
    reds = [e for e in created if e.list_kind == "红名单"]  # reviewed at once, no 告知
    assert len(reds) >= 2
    reviewer = _page(qtbot, sign_in("审核甲"), bus)
    reviewer.exec_dialog = _step(lambda d: None)
    for e in reds[:2]:
        assert reviewer.select_entry(e.id) and reviewer.approve_selected()
        reviewer.publish_selected()
    first, second = reds[0], reds[1]
    assert admin.lists.entry(first.id).stage == "公布"

    # export the published red list (the filter's list)
    page.kind.setCurrentIndex(page.kind.findData("红名单"))
    out = tmp_path / "红名单公布"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    written = page.export_publication()
    assert written == tmp_path / "红名单公布.xlsx" and written.exists()
    sheet = openpyxl.load_workbook(written).active
    text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert first.unit_name in text and second.unit_name in text
    # all lists shown: the list to export is asked for
    page.kind.setCurrentIndex(0)
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("黑名单", True))
    assert page.export_publication() is not None

    # a clerk cannot review, publish or remove; may register an early removal
    clerk = _page(qtbot, sign_in("小李"), bus)
    assert clerk.select_entry(first.id)
    assert not clerk.remove_button.isEnabled() and clerk.early_button.isEnabled()
    assert "审核员或管理员" in clerk.role_note.text()
    clerk.exec_dialog = _step(lambda d: d.set_text("已完成整改，申请提前移出"))
    app = clerk.apply_early_removal()
    assert app is not None and app.early_removal and app.status == "待审核"
    assert admin.repairs.all()[0].target_id == first.id
    clerk.exec_dialog = _step(lambda d: d.set_text("再次申请"))
    assert clerk.apply_early_removal() is None  # one pending application at a time
    assert "待审核" in shown[-1][1]

    # 移出 by hand: the reason is required
    assert reviewer.select_entry(second.id) and reviewer.remove_button.isEnabled()
    reviewer.exec_dialog = _step(lambda d: d.set_text("企业已注销"))
    reviewer.remove_selected()
    removed = admin.lists.entry(second.id)
    assert removed.stage == "移出" and removed.removal_reason == "企业已注销"
    assert _cell(reviewer, second.id, 13) == f"{date.today().isoformat()} 企业已注销"
    assert not reviewer.remove_button.isEnabled()


def test_listing_notice_preview_issue_print(
    qtbot: QtBot,
    sign_in: Callable[[str], core.Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown = _messages(monkeypatch)
    admin = sign_in("管理员")
    bus = DataBus()
    page = _page(qtbot, admin, bus)
    unit_id = admin.units.search("", 1)[0][0]
    entry = _add_blacklisted(page, unit_id)
    shown.clear()
    printed: list[bytes] = []
    printer = object()
    monkeypatch.setattr("safecredit_desktop.gui.printing.choose_printer", lambda *_a, **_k: printer)
    monkeypatch.setattr(
        "safecredit_desktop.gui.printing.print_on",
        lambda chosen, data: chosen is printer and not printed.append(data),
    )
    seen: list[DocumentDialog] = []

    def issue(dialog: QDialog) -> bool:
        assert isinstance(dialog, DocumentDialog)
        seen.append(dialog)
        assert dialog.preview.page_count() >= 1
        with qtbot.waitSignal(bus.changed):
            result = dialog.issue(then="print")
        assert result is not None and len(result.issued) == 1
        return True

    page.exec_dialog = issue
    page.print_notice()
    assert not [m for m in shown if m[0] == "warning"], shown
    assert seen and printed and printed[0].startswith(b"%PDF")
    register = admin.documents.register(kind="listing-notice")
    assert len(register) == 1 and register[0].uscc == entry.uscc


def test_listing_notice_takes_its_number_after_the_dialog(
    qtbot: QtBot,
    sign_in: Callable[[str], core.Session],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The printer or the file is chosen before the 文号 is taken: a cancelled dialog
    uses no number; a saved notice is written before its number is committed."""
    shown = _messages(monkeypatch)
    admin = sign_in("管理员")
    page = _page(qtbot, admin, DataBus())
    unit_id = admin.units.search("", 1)[0][0]
    _add_blacklisted(page, unit_id)
    registered_when_asked: list[int] = []

    def count() -> int:
        return len(admin.documents.register(kind="listing-notice"))

    def no_printer(*_a: object, **_k: object) -> None:
        registered_when_asked.append(count())

    chosen: list[Path | None] = [None, tmp_path / "告知书.pdf"]

    def ask_path(*_a: object) -> Path | None:
        registered_when_asked.append(count())
        return chosen.pop(0)

    monkeypatch.setattr("safecredit_desktop.gui.printing.choose_printer", no_printer)
    monkeypatch.setattr("safecredit_desktop.gui.printing.ask_pdf_path", ask_path)
    outcomes: list[object] = []

    def issue(dialog: QDialog) -> bool:
        assert isinstance(dialog, DocumentDialog)
        outcomes.append(dialog.issue(then="print"))  # print dialog cancelled
        outcomes.append(dialog.issue(then="save"))  # save dialog cancelled
        outcomes.append(dialog.issue(then="save"))  # saved
        return True

    page.exec_dialog = issue
    shown.clear()
    page.print_notice()
    assert outcomes[:2] == [None, None]
    assert registered_when_asked == [0, 0, 0]  # each dialog came before any number
    result = outcomes[2]
    assert isinstance(result, core.IssueResult) and len(result.issued) == 1
    assert count() == 1
    assert (tmp_path / "告知书.pdf").read_bytes() == result.pdf
    assert not [m for m in shown if m[0] == "warning"], shown


def test_expired_entries_are_removed_when_shown(
    qtbot: QtBot, sign_in: Callable[[str], core.Session]
) -> None:
    admin = sign_in("管理员")
    reviewer = sign_in("审核甲")
    bus = DataBus()
    page = _page(qtbot, admin, bus)
    start = date.today() - timedelta(days=120)
    unit_id = admin.units.search("", 1)[0][0]
    entry = admin.lists.add(
        unit_id=unit_id,
        list_kind="黑名单",
        facts="瞒报事故",
        basis="第五条",
        period_months=1,
        today=start,
    )
    admin.lists.notify(entry.id, served_on=start)
    admin.lists.record_statement(entry.id, "无")
    reviewer.lists.review(entry.id, approve=True, today=start)
    reviewer.lists.publish(entry.id, published_on=start)
    messages: list[str] = []
    bus.status_message.connect(messages.append)
    with qtbot.waitSignal(bus.changed):
        page.refresh()
    assert messages == ["1 条名单记录期满，已自动移出。"]
    assert _cell(page, entry.id, STAGE) == "移出"
    assert _cell(page, entry.id, 13).endswith("期满")


def test_kundulun_lists_page_refuses_publication_with_the_cores_sentence(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """grading.md Revision 2 item 7: kundulun's lists are internal — 公布 is disabled and
    says why in the core's own sentence; a publication attempted anyway is refused."""
    shown = _messages(monkeypatch)
    path = tmp_path / "k.db"
    admin = core.init_database(
        path,
        profile="kundulun",
        bureau_name="昆都仑区应急管理局",
        user="管理员",
        admin=("管理员", PASSWORDS["管理员"]),
    )
    try:
        unit = admin.records.save(core.record_type("units")("91150203MA0N000014", "丁煤业", "煤矿"))
        entry = admin.lists.add(unit_id=unit, list_kind="红名单", facts="A级", basis="第十三条")
        reviewer = core.Session(admin.db, "审核甲", Role.REVIEWER)
        reviewer.lists.review(entry.id, approve=True)
        page = _page(qtbot, admin)
        assert page.select_entry(entry.id)
        sentence = admin.lists.publication_refused()
        assert sentence is not None and "不对外公布" in sentence
        assert not page.publish_button.isEnabled()
        assert page.publish_button.toolTip() == sentence
        assert page.remove_button.isEnabled()  # an internal list's entry leaves it by hand

        def publish(dialog: QDialog) -> bool:
            assert isinstance(dialog, StepDialog)
            return dialog.try_accept()

        page.exec_dialog = publish
        page.publish_selected()
        assert shown and shown[-1] == ("warning", sentence)
        assert admin.lists.entry(entry.id).stage == "内部管理"
    finally:
        admin.close()
