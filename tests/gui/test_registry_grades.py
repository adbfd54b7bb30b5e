"""The registry's grades in the window: live grades marked until confirmed, the confirmed
year's column and filter at once after 确认年度评定 (no restart), the export, who may
confirm, and the unit page and the grade notice labelling their grade's basis."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.documents import _build_documents
from safecredit_desktop.core.exchange.sheets import chinese_date
from safecredit_desktop.core.model import Role
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.models.unit_table_model import UnitTableModel
from safecredit_desktop.gui.views.grades_page import GradesPage
from safecredit_desktop.gui.views.registry_page import RegistryPage
from safecredit_desktop.gui.views.unit_detail_page import UnitDetailPage

YEAR = 2026


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """A small office: the administrator made with the database, 120 demo units."""
    path = tmp_path / "office.db"
    admin = core.init_database(
        path,
        profile="fenghuang",
        bureau_name="凤凰县应急管理局",
        user="管理员",
        admin=("管理员", "admin-pw"),
    )
    admin.accounts.create_user("录入员甲", "clerk-pw", Role.CLERK)
    core.fill_demo(admin, enterprises=120, seed=9, today=date(2026, 11, 21))
    admin.close()
    return path


@pytest.fixture
def admin(office: Path) -> Iterator[core.Session]:
    session = core.sign_in(office, "管理员", "admin-pw")
    yield session
    session.close()


def all_rows(table: UnitTableModel) -> None:
    while table.canFetchMore(QModelIndex()):
        table.fetchMore(QModelIndex())


def column(table: UnitTableModel, col: int) -> list[str]:
    return [str(table.data(table.index(r, col))) for r in range(table.rowCount())]


def shown(qtbot: QtBot, widget: object) -> None:
    qtbot.addWidget(widget)
    widget.show()  # type: ignore[attr-defined]
    qtbot.waitExposed(widget)


def test_confirming_shows_the_year_column_and_its_filter_at_once(
    qtbot: QtBot, admin: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    bus = DataBus()
    registry = RegistryPage(admin, bus)
    shown(qtbot, registry)
    grades = GradesPage(admin, bus)
    qtbot.addWidget(grades)
    assert registry.table.isColumnHidden(UnitTableModel.COL_CONFIRMED)
    assert not registry.confirmed_combo.isVisible()

    # the first administrator holds 审核员 too: the button is on and confirming works
    assert grades.confirm_button.isEnabled()
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes)
    )
    grades.year.setValue(YEAR)
    grades.confirm_button.click()
    assert admin.grading.confirmed_years() == [YEAR]

    # no restart: the registry shows the year's column and filter now
    assert not registry.table.isColumnHidden(UnitTableModel.COL_CONFIRMED)
    header = registry.model.headerData(UnitTableModel.COL_CONFIRMED, Qt.Orientation.Horizontal)
    assert header == f"{YEAR}年度评定"
    assert registry.confirmed_combo.isVisible()
    assert registry.confirmed_label.text() == f"{YEAR}年度评定"
    stored = admin.grading.last_confirmed()[1]
    registry.confirmed_combo.setCurrentIndex(registry.confirmed_combo.findData("C"))
    all_rows(registry.model)
    expected = sum(1 for g in stored.values() if g == "C")
    assert registry.model.total == registry.model.rowCount() == expected > 0
    assert set(column(registry.model, UnitTableModel.COL_CONFIRMED)) == {"C"}
    # beside it the live grade, plain where the year confirms it, marked where not
    live = {r.unit_id: r.grade for r in admin.grading.grade(as_of=date.today())}
    for row in range(registry.model.rowCount()):
        unit_id = registry.model.unit_id(row)
        text = registry.model.data(registry.model.index(row, UnitTableModel.COL_GRADE))
        assert text == (live[unit_id] if live[unit_id] == "C" else f"{live[unit_id]}（未确认）")
    # and the live filter works with it
    registry.grade_combo.setCurrentIndex(registry.grade_combo.findData("C"))
    both = sum(1 for u, g in stored.items() if g == "C" and live[u] == "C")
    assert registry.model.total == both
    assert registry.current_query().confirmed_grade == "C"


def test_a_user_who_cannot_confirm_is_told_before_any_question(
    qtbot: QtBot, office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def asked(*_args: object, **_kwargs: object) -> object:
        raise AssertionError("asked 是/否 of a user who cannot confirm")

    monkeypatch.setattr(QMessageBox, "question", staticmethod(asked))
    clerk = core.sign_in(office, "录入员甲", "clerk-pw")
    try:
        page = GradesPage(clerk, DataBus())
        shown(qtbot, page)
        assert not page.confirm_button.isEnabled()
        assert "审核员" in page.confirm_button.toolTip()
        assert "录入员甲" in page.confirm_button.toolTip()
        assert "审核员" in page.assessment_note.text()
        page._on_confirm()  # even if reached, nothing is asked or stored
        assert clerk.grading.confirmed_years() == []
    finally:
        clerk.close()


def test_the_filtered_list_exports_as_a_workbook(
    qtbot: QtBot, admin: core.Session, tmp_path: Path
) -> None:
    page = RegistryPage(admin, DataBus())
    shown(qtbot, page)
    page.grade_combo.setCurrentIndex(page.grade_combo.findData("B"))
    written = page.export_to(tmp_path / "台账.xlsx")
    assert written is not None
    sheet = openpyxl.load_workbook(written)["企业台账"]
    rows = list(sheet.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r[0] == "序号")
    header = rows[header_at]
    assert header[9] == f"信用等级（截至{chinese_date(date.today())}）"
    body = rows[header_at + 1 :]
    assert len(body) == page.model.total > 0
    assert {r[9] for r in body} == {"B（未确认）"}
    assert any("信用等级：B" in str(r[0]) for r in rows[:header_at])
    codes = [r[2] for r in body]
    all_rows(page.model)
    assert codes == column(page.model, UnitTableModel.COL_USCC)
    assert sheet.cell(header_at + 2, 3).number_format == "@"


def test_unit_page_and_notice_name_the_basis_of_their_grade(
    qtbot: QtBot, admin: core.Session
) -> None:
    """The page's grade says it is live, as of which day, and whether a confirmed year
    agrees; the confirmed year's grade is beside it; the notice names its basis too."""
    unit_id = int(admin.db.conn.execute("SELECT min(id) FROM units").fetchone()[0])
    page = UnitDetailPage(admin, DataBus())
    shown(qtbot, page)
    page.show_unit(unit_id)
    live = admin.grading.grade_one(unit_id)
    text = page.grade_label.text()
    today = date.today().isoformat()
    assert f"实时信用等级（截至 {today} 的记录，尚无已确认的年度评定）：{live.grade}" in text
    assert "年度评定（评定基准日" not in text

    admin.grading.confirm_assessment(YEAR)
    page.show_unit(unit_id)
    confirmed = admin.grading.confirmed_of(unit_id)
    assert confirmed is not None
    text = page.grade_label.text()
    standing = "与2026年度评定一致" if confirmed.grade == live.grade else "未经年度评定确认"
    assert f"（截至 {today} 的记录，{standing}）：{live.grade}" in text
    assert f"{YEAR}年度评定（评定基准日 2025-12-31，已确认）：{confirmed.grade}" in text

    def notice_text(request: core.DocumentRequest) -> str:
        documents = _build_documents(admin, request, date.today(), None)
        return "".join(documents[0].texts())

    live_notice = notice_text(
        core.DocumentRequest("grade-notice", unit_ids=(unit_id,), as_of=date.today())
    )
    assert f"截至{chinese_date(date.today())}" in live_notice
    assert f"安全生产信用等级为{live.grade}级" in live_notice
    yearly = notice_text(core.DocumentRequest("grade-notice", unit_ids=(unit_id,), assessment=YEAR))
    assert f"{YEAR}年度安全生产信用评定（评定基准日{chinese_date(date(2025, 12, 31))}）" in yearly
    assert f"安全生产信用等级为{confirmed.grade}级" in yearly
