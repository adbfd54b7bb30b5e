"""The save dialog of an exported file (a workbook, a mail draft), shared by the pages
that export one."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from safecredit_desktop.core.file_names import safe_file_name


def ask_save_path(
    parent: QWidget, title: str, suggested: Path, file_filter: str, suffix: str
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


def ask_workbook_path(parent: QWidget, title: str, folder: Path, name: str) -> Path | None:
    """Where to write an Excel workbook: ``name`` (made a safe file name) in ``folder``
    suggested; the path chosen always ends in .xlsx; None when the user cancels."""
    suggested = folder / safe_file_name(name, suffix=".xlsx")
    return ask_save_path(parent, title, suggested, parent.tr("Excel 工作簿 (*.xlsx)"), ".xlsx")
