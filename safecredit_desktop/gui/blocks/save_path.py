"""The save dialog of an exported file (a workbook, a mail draft), shared by the pages
that export one."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QWidget

from safecredit_desktop.core.file_names import safe_file_name


def ask_save_path(
    parent: QWidget | None, title: str, suggested: Path, file_filter: str, suffix: str
) -> Path | None:
    """Where to write a file, ``suggested`` first; the path chosen always ends in
    ``suffix``; None when the user cancels."""
    chosen, _filter = QFileDialog.getSaveFileName(parent, title, str(suggested), file_filter)
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != suffix:
        path = path.with_name(path.name + suffix)
    return path


def ask_workbook_path(parent: QWidget | None, title: str, suggested: Path) -> Path | None:
    """Where to save an Excel workbook (a .xlsx name is ensured); None when cancelled."""
    workbooks = QCoreApplication.translate("save_path", "Excel 工作簿 (*.xlsx)")
    return ask_save_path(parent, title, suggested, workbooks, ".xlsx")


class SaveFolder:
    """The folder a page last saved a workbook in: its next save-as dialog opens there."""

    def __init__(self) -> None:
        self.path = Path.home()

    def ask_workbook(self, parent: QWidget | None, title: str, name: str) -> Path | None:
        """Where to save the workbook suggested as ``name`` (made a safe file name);
        the folder chosen is remembered. None when the dialog was cancelled."""
        suggested = self.path / safe_file_name(name, suffix=".xlsx")
        path = ask_workbook_path(parent, title, suggested)
        if path is not None:
            self.path = path.parent
        return path
