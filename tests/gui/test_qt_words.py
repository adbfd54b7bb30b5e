"""Qt's own words (message box buttons) are Chinese: the draw and plan confirmations say
是/否, not Yes/No."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox

from safecredit_desktop.gui.app import install_qt_translations


def test_message_box_buttons_in_chinese(qapp: QApplication) -> None:
    translator = install_qt_translations(qapp)
    assert translator is not None
    try:
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
        box = QMessageBox(QMessageBox.Icon.Question, "确认抽取", "确定抽取吗？", buttons)
        yes = box.button(QMessageBox.StandardButton.Yes)
        no = box.button(QMessageBox.StandardButton.No)
        assert yes is not None and no is not None
        assert yes.text().startswith("是") and no.text().startswith("否")
    finally:
        qapp.removeTranslator(translator)
