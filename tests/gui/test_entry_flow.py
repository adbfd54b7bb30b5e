"""The clerk's path through the window: registry → unit detail → real entry forms.

The modal ``exec`` of the form is replaced by a function that types into the real
dialog and presses its buttons, so everything else is the code a user runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core.model import Role
from safecredit_desktop.gui.dialogs import record_form
from safecredit_desktop.gui.main_window import MainWindow

Typist = Callable[[record_form.RecordFormDialog], None]


@pytest.fixture
def window(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "flow.db"
    admin = core.init_database(
        path,
        profile="fenghuang",
        bureau_name="凤凰县应急管理局",
        user="管理员",
        admin=("管理员", "admin-pw"),
    )
    admin.accounts.create_user("小王", "clerk-pw", Role.CLERK)
    admin.close()
    session = core.sign_in(path, "小王", "clerk-pw")
    main = MainWindow(session)
    main._backup_on_close = False
    qtbot.addWidget(main)
    main.show()
    return main


def drive_forms(monkeypatch: pytest.MonkeyPatch, typists: list[Typist]) -> None:
    def fake_exec(dialog: record_form.RecordFormDialog) -> int:
        typists.pop(0)(dialog)
        return 1

    monkeypatch.setattr(record_form.RecordFormDialog, "exec", fake_exec)


def test_unit_then_inspection_and_accident_from_detail(window, monkeypatch, qtbot) -> None:  # type: ignore[no-untyped-def]
    session = window.session

    def bad_then_good_unit(dialog: record_form.RecordFormDialog) -> None:
        dialog.set_value("uscc", "91433123111820220X")  # wrong check character
        dialog.set_value("name", "凤凰县沱江化工有限公司")
        dialog.set_value("category", "危险化学品")
        assert dialog.message("uscc")
        assert not dialog.save_button.isEnabled()
        assert session.units.count() == 0
        dialog.set_value("uscc", "91433123111820220L")
        assert not dialog.message("uscc")
        dialog.save()

    def inspection(dialog: record_form.RecordFormDialog) -> None:
        dialog.set_value("inspected_on", "2026-03-01")
        dialog.set_value("hazards", "2")
        dialog.save()

    def accident(dialog: record_form.RecordFormDialog) -> None:
        dialog.set_value("occurred_on", "2026-04-02")
        dialog.set_value("deaths", "1")
        dialog.set_value("responsible", "是")
        dialog.save()

    drive_forms(monkeypatch, [bad_then_good_unit, inspection, accident])
    window.nav.setCurrentRow(1)
    window.registry.new_button.click()
    assert session.units.count() == 1

    window.registry.search_edit.setText("fhtj")  # pinyin initials of 凤凰…沱江…
    qtbot.waitUntil(lambda: window.registry.count_label.text() == "共 1 家")
    window.registry.search_edit.setText("qqq")
    qtbot.waitUntil(lambda: window.registry.count_label.text() == "共 0 家")
    unit_id = session.units.find_by_code("91433123111820220L")[0]
    window.registry.unit_activated.emit(unit_id)
    assert window.stack.currentWidget() is window.detail
    window.detail.add_actions["inspections"].trigger()
    window.detail.add_actions["accidents"].trigger()
    kinds = [entry.table for entry in session.units.timeline(unit_id)]
    assert kinds == ["accidents", "inspections"]  # newest first
    users = {
        row[0]
        for row in session.db.conn.execute(
            "SELECT DISTINCT user FROM audit_log WHERE table_name IN"
            " ('units', 'inspections', 'accidents')"
        )
    }
    assert users == {"小王"}
