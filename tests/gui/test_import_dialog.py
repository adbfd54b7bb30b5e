"""文件 → 导入: preview, every bad cell listed, then the import; nothing written on errors."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from safecredit_desktop.core import app as core
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.dialogs.import_dialog import ImportDialog

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "examples"


def _session(tmp_path: Path, profile: str = "fenghuang") -> core.Session:
    return core.init_database(
        tmp_path / "i.db", profile=profile, bureau_name="测试县应急管理局", user="导入员"
    )


def test_preview_then_import(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    session = _session(tmp_path)
    dialog = ImportDialog(session, DataBus(), EXAMPLES / "fenghuang.xlsx")
    qtbot.addWidget(dialog)
    dialog.check()
    assert dialog.summary is not None and dialog.summary.added > 0
    assert dialog.import_button.isEnabled()
    assert session.units.count() == 0  # the preview wrote nothing
    dialog.import_button.click()
    assert dialog.imported
    assert session.units.count() == 4
    users = {
        r[0]
        for r in session.db.conn.execute(
            "SELECT DISTINCT user FROM audit_log WHERE table_name = 'units'"
        )
    }
    assert users == {"导入员"}
    again = ImportDialog(session, DataBus(), EXAMPLES / "fenghuang.xlsx")
    qtbot.addWidget(again)
    again.check()
    assert again.summary is not None and not again.summary.changed
    assert not again.import_button.isEnabled()
    session.close()


def test_every_bad_cell_listed(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    session = _session(tmp_path)
    book = Workbook()
    sheet = book.active
    sheet.title = "企业信息"
    sheet.append(["统一社会信用代码", "单位名称", "行业类别"])
    sheet.append(["91433123111820220X", "甲公司", "危险化学品"])  # bad check character
    sheet.append(["91433123111820220L", "", "不存在的行业"])  # two more faults
    path = tmp_path / "bad.xlsx"
    book.save(path)
    dialog = ImportDialog(session, DataBus(), path)
    qtbot.addWidget(dialog)
    dialog.check()
    assert dialog.table.rowCount() >= 3
    rows = {
        (dialog.table.item(r, 0).text(), dialog.table.item(r, 1).text())
        for r in range(dialog.table.rowCount())
    }
    assert ("企业信息", "2") in rows and ("企业信息", "3") in rows
    assert not dialog.import_button.isEnabled()
    assert session.units.count() == 0
    session.close()


def test_text_file_one_sentence(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    session = _session(tmp_path)
    path = tmp_path / "notes.xlsx"
    path.write_text("不是工作簿", encoding="utf-8")
    dialog = ImportDialog(session, DataBus(), path)
    qtbot.addWidget(dialog)
    dialog.check()
    assert "notes.xlsx" in dialog.heading.text() or "工作簿" in dialog.heading.text()
    assert dialog.table.rowCount() == 0 and not dialog.import_button.isEnabled()
    session.close()


def _code(n: int) -> str:
    from safecredit_desktop.core.validate import uscc_check_character

    first = f"91433123MA4L{n:05d}"
    return first + uscc_check_character(first)


def test_hidden_sheets_get_a_checkbox_naming_them(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    session = _session(tmp_path)
    book = Workbook()
    units = book.active
    units.title = "企业信息"
    units.append(["统一社会信用代码", "单位名称", "行业类别"])
    units.append([_code(1), "甲公司", "危险化学品"])
    inspections = book.create_sheet("执法检查")
    inspections.append(["统一社会信用代码", "检查日期"])
    inspections.append([_code(1), "2025-05-01"])
    inspections.sheet_state = "hidden"
    path = tmp_path / "hidden.xlsx"
    book.save(path)
    dialog = ImportDialog(session, DataBus(), path)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.check()
    assert dialog.include_hidden.isVisible() and not dialog.include_hidden.isChecked()
    assert "“执法检查”" in dialog.include_hidden.text()
    assert dialog.summary is not None
    assert [s.sheet for s in dialog.summary.sheets] == ["企业信息"]
    dialog.include_hidden.setChecked(True)  # checks again, reading the hidden sheet
    assert [s.sheet for s in dialog.summary.sheets] == ["企业信息", "执法检查"]
    dialog.import_button.click()
    assert dialog.imported
    assert session.db.conn.execute("SELECT count(*) FROM inspections").fetchone()[0] == 1
    session.close()


def test_no_checkbox_without_hidden_sheets(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    session = _session(tmp_path)
    dialog = ImportDialog(session, DataBus(), EXAMPLES / "fenghuang.xlsx")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.check()
    assert not dialog.include_hidden.isVisible()
    session.close()


def test_error_list_shows_the_first_1000_and_the_total(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    session = _session(tmp_path)
    book = Workbook()
    sheet = book.active
    sheet.title = "执法检查"
    sheet.append(["统一社会信用代码", "检查日期"])
    for _ in range(1_300):
        sheet.append(["不是代码", "2025-05-01"])
    path = tmp_path / "many.xlsx"
    book.save(path)
    dialog = ImportDialog(session, DataBus(), path)
    qtbot.addWidget(dialog)
    dialog.check()
    assert dialog.table.rowCount() == 1_000
    assert "1,300 处错误" in dialog.heading.text() and "前 1,000 处" in dialog.heading.text()
    assert not dialog.import_button.isEnabled()
    session.close()


# -- a workbook in another layout: the mapping step (issue 18) -------------------------


def _register(tmp_path: Path, rows: int = 6, *, bad: bool = False) -> Path:
    from tests.core.test_column_mapping import register_rows, write_register

    data = register_rows(rows)
    if bad:
        data[1][5] = "化工"  # row 5, column F (行业)
        data[3][2] = data[3][2].lower()  # row 7, column C (社会信用代码)
    return write_register(tmp_path / "市场监管名录.xlsx", data)


def test_mapping_step_proposes_changes_checks_and_imports(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    session = _session(tmp_path)
    dialog = ImportDialog(session, DataBus(), _register(tmp_path))
    qtbot.addWidget(dialog)
    dialog.check()
    assert dialog.mapped and not dialog.mapping.isHidden()
    panel = dialog.mapping
    assert panel.combo_for("企业名称").currentData() == "单位名称"
    assert panel.combo_for("社会信用代码").currentData() == "统一社会信用代码"
    assert panel.combo_for("登记状态").currentData() == ""
    assert panel.preview.rowCount() == 5
    assert panel.preview.verticalHeaderItem(0).text() == "4"  # Excel's row number
    assert panel.preview.horizontalHeaderItem(1).text() == "B 企业名称\n→ 单位名称"
    assert dialog.summary is not None and dialog.summary.added == 6
    assert dialog.import_button.isEnabled()
    assert "未对照的列，已忽略" in dialog.heading.text()
    # the clerk says 负责人 is the safety person: 导入 waits for a new check
    box = panel.combo_for("负责人")
    box.setCurrentIndex(box.findData("分管安全负责人"))
    assert not dialog.import_button.isEnabled()
    assert "请点“检查”" in dialog.heading.text()
    # choosing a template column taken by another column frees that one
    serial = panel.combo_for("序号")
    serial.setCurrentIndex(serial.findData("单位名称"))
    assert panel.combo_for("企业名称").currentData() == ""
    assert panel.missing.text() == ""
    serial.setCurrentIndex(0)
    assert "尚未对照的必填列：单位名称" in panel.missing.text()
    panel.combo_for("企业名称").setCurrentIndex(panel.combo_for("企业名称").findData("单位名称"))
    assert panel.missing.text() == ""
    dialog.check_button.click()
    assert dialog.import_button.isEnabled()
    assert session.units.count() == 0
    dialog.import_button.click()
    assert dialog.imported and session.units.count() == 6
    (safety,) = session.db.conn.execute("SELECT DISTINCT safety_person FROM units").fetchone()
    assert safety == "李四"
    # the next workbook of this layout gets the clerk's mapping
    again = ImportDialog(session, DataBus(), _register(tmp_path, 7))
    qtbot.addWidget(again)
    again.check()
    assert again.mapping.combo_for("负责人").currentData() == "分管安全负责人"
    assert "已套用上次确认的对照" in again.mapping.where.text()
    assert again.summary is not None and (again.summary.added, again.summary.unchanged) == (1, 6)
    session.close()


def test_mapping_step_lists_every_bad_cell_by_source_column(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    session = _session(tmp_path)
    dialog = ImportDialog(session, DataBus(), _register(tmp_path, bad=True))
    qtbot.addWidget(dialog)
    dialog.check()
    rows = [
        tuple(dialog.table.item(r, c).text() for c in range(4))
        for r in range(dialog.table.rowCount())
    ]
    assert ("市场主体名录", "5", "F列 行业", "化工") in rows
    assert any(r[:3] == ("市场主体名录", "7", "C列 社会信用代码") for r in rows)
    assert len(rows) == 2
    assert not dialog.import_button.isEnabled()
    assert session.units.count() == 0
    session.close()


def test_mapping_step_imports_records_of_another_kind(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.core.test_column_mapping import code, write_register

    session = _session(tmp_path)
    register = ImportDialog(session, DataBus(), _register(tmp_path, 2))
    qtbot.addWidget(register)
    register.check()
    register.import_button.click()
    head = ("信用代码", "检查时间", "检查人员", "隐患数量")
    rows = [[code(1), "2026.11.3", "王五、赵六", 2], [code(2), "2026/11/4", "王五", 0]]
    path = write_register(tmp_path / "检查台账.xlsx", rows, head=head, title="台账")
    dialog = ImportDialog(session, DataBus(), path)
    qtbot.addWidget(dialog)
    dialog.check()  # proposed as units first: 单位名称 and 行业类别 missing
    assert "单位名称" in dialog.mapping.missing.text()
    dialog.mapping.kind_box.setCurrentText("执法检查")
    assert dialog.mapping.combo_for("检查时间").currentData() == "检查日期"
    assert dialog.mapping.combo_for("检查人员").currentData() == "执法人员"
    assert dialog.mapping.missing.text() == ""
    assert dialog.summary is not None and [(s.sheet, s.added) for s in dialog.summary.sheets] == [
        ("执法检查", 2)
    ]
    dialog.import_button.click()
    assert dialog.imported
    (count,) = session.db.conn.execute("SELECT count(*) FROM inspections").fetchone()
    assert count == 2
    session.close()
