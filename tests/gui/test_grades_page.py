"""信用等级 page: live grades with reasons, what-if date, annual assessment with notes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from safecredit_desktop.core import app as core
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.storage import assessments
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.views.grades_page import GradesPage


@pytest.fixture
def reviewer(tmp_path: Path) -> core.Session:
    path = tmp_path / "g.db"
    admin = core.init_database(
        path,
        profile="kundulun",
        bureau_name="昆都仑区应急管理局",
        user="管理员",
        admin=("管理员", "admin-pw"),
    )
    admin.accounts.create_user("审核员乙", "review-pw", Role.REVIEWER)
    core.fill_demo(admin, enterprises=120, seed=4, today=date(2026, 11, 21))
    admin.close()
    return core.sign_in(path, "审核员乙", "review-pw")


def test_live_grades_filters_and_what_if(qtbot, reviewer: core.Session) -> None:  # type: ignore[no-untyped-def]
    page = GradesPage(reviewer, DataBus())
    qtbot.addWidget(page)
    page.refresh()
    assert page.model.rowCount() == 120
    assert "共 120 家" in page.counts.text()
    assert "评定理由" in page.detail.toPlainText()
    page.grade.setCurrentIndex(page.grade.findText("C"))
    assert all(page.model.result_at(r).grade == "C" for r in range(page.model.rowCount()))
    page.grade.setCurrentIndex(0)
    page.as_of.setText("2022-06-30")
    page.regrade_button.click()
    assert "2022-06-30" in page.basis.text()


def test_assessment_with_annotation(
    qtbot, reviewer: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    page = GradesPage(reviewer, DataBus())
    qtbot.addWidget(page)
    page.year.setValue(2026)
    page.compute_year_button.click()
    assert "2026年度评定" in page.basis.text() and "2025-12-31" in page.basis.text()
    page.table.selectRow(3)
    unit_id = page.model.result_at(3).unit_id
    page.annotation.setText("已现场核实，维持评定")
    page.annotate_button.click()
    assert "1 条批注" in page.assessment_note.text()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.confirm_button.click()
    assert "已由 审核员乙 确认" in page.assessment_note.text()
    stored = assessments.stored_grades(reviewer.db, 2026)
    assert stored[unit_id].annotation == "已现场核实，维持评定"
    assert len(stored) == 120
    page.changed_only.setChecked(True)  # nothing changed against the year just confirmed
    page.compute_year_button.click()
    assert page.model.rowCount() == 0
