"""A document previewed without a number; 出具并打印 / 出具并保存 asks for the printer or
the file first, then numbers and registers it (the 名单管理 and 异议与修复 pages).

As on the 文书 page: a cancelled print or save dialog issues nothing, and a saved file
is written (``deliver``) before the number is committed, so a file that cannot be
written takes no number either.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol, cast

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from safecredit_desktop.core import app as core
from safecredit_desktop.gui import printing
from safecredit_desktop.gui.blocks.forms import exec_modal
from safecredit_desktop.gui.blocks.page_parts import button_row
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.operations import operation, perform, publish
from safecredit_desktop.gui.pdf_preview import PdfPreview
from safecredit_desktop.gui.workers import run_with_progress


class DocumentDialog(QDialog):
    """A document previewed (no number); 出具并打印 / 出具并保存 numbers and registers it."""

    def __init__(
        self,
        parent: QWidget,
        session: core.Session,
        bus: DataBus,
        request: core.DocumentRequest,
        *,
        title: str,
        file_stem: str,
        pdf: bytes,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.bus = bus
        self.request = request
        self.file_stem = file_stem
        self.issued: core.IssueResult | None = None
        self.printed = False
        self.saved: Path | None = None
        self.setWindowTitle(title)
        self.preview = PdfPreview(self)
        self.note = QLabel(
            self.tr(
                "预览：文号处显示“出具时编号”。出具时按顺序编文号并记入文书登记，"
                "登记后不能修改或删除；与已出具文书内容相同的按原文号重印。"
            ),
            self,
        )
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.print_button = QPushButton(self.tr("出具并打印…"), self)
        self.save_button = QPushButton(self.tr("出具并保存为PDF…"), self)
        self.close_button = QPushButton(self.tr("关闭"), self)
        self.print_button.clicked.connect(lambda: self.issue(then="print"))
        self.save_button.clicked.connect(lambda: self.issue(then="save"))
        self.close_button.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.note)
        layout.addLayout(button_row([self.print_button, self.save_button], [self.close_button]))
        self.resize(760, 860)
        self.preview.load_pdf(pdf)

    def _numbers(self) -> str:
        assert self.issued is not None
        return "、".join(d.doc_no for d in self.issued.issued + self.issued.reprinted)

    @operation
    def issue(self, then: str = "print") -> core.IssueResult | None:
        """``then`` = "print" or "save": the printer or the file is chosen first; the
        first time, the document is then issued (numbered, registered); later clicks
        print or save the issued file again."""
        if self.issued is not None:
            self._deliver_again(then)
            return self.issued
        printer: QPrinter | None = None
        target: Path | None = None
        if then == "print":
            printer = printing.choose_printer(self, title=self.windowTitle())
            if printer is None:
                return None  # cancelled: nothing issued
        else:
            target = printing.ask_pdf_path(self, self.file_stem)
            if target is None:
                return None  # cancelled: nothing issued

        def deliver(pdf: bytes) -> None:
            if target is not None:
                printing.write_pdf(target, pdf)

        request = self.request
        result = run_with_progress(
            self,
            self.tr("正在出具文书…"),
            lambda own, report: own.documents.issue(request, progress=report, deliver=deliver),
            session=self.session,
            cancellable=False,
        )
        self.issued = result
        publish(self)
        self.preview.load_pdf(result.pdf)
        if result.issued:
            text = self.tr("已出具，文号：{numbers}。可在“文书 → 文书登记”中重印。")
        else:
            text = self.tr("与已出具的文书相同，按原文号重印：{numbers}。")
        text = text.format(numbers=self._numbers())
        self.note.setText("\n".join([text, *result.notes]))
        self.bus.status_message.emit(text)
        self.print_button.setText(self.tr("打印…"))
        self.save_button.setText(self.tr("保存为PDF…"))
        if printer is not None:
            self.printed = printing.print_on(printer, result.pdf)
            if self.printed:
                self.bus.status_message.emit(self.tr("已送往打印机。"))
        elif target is not None:
            self.saved = target
            self.bus.status_message.emit(self.tr("已保存：{path}").format(path=target))
        return result

    def _deliver_again(self, then: str) -> None:
        assert self.issued is not None
        pdf = self.issued.pdf
        if then == "print":
            self.printed = printing.print_pdf(
                self, pdf, title=f"{self._numbers()} {self.windowTitle()}"
            )
            if self.printed:
                self.bus.status_message.emit(self.tr("已送往打印机。"))
        else:
            saved = printing.save_pdf_bytes(self, pdf, f"{self._numbers()}{self.file_stem}")
            if saved is not None:
                self.saved = saved
                self.bus.status_message.emit(self.tr("已保存：{path}").format(path=saved))


def show_document(
    page: QWidget,
    session: core.Session,
    bus: DataBus,
    request: core.DocumentRequest,
    *,
    title: str,
    file_stem: str,
    exec_dialog: Callable[[QDialog], bool] = exec_modal,
) -> DocumentDialog | None:
    """Preview ``request`` in a DocumentDialog (issue, print, save from there)."""
    pdf = perform(
        page,
        lambda: run_with_progress(
            page,
            page.tr("正在生成预览…"),
            lambda own, report: own.documents.preview(request, progress=report),
            session=session,
            cancellable=False,
        ),
        title=title,
    )
    if pdf is None:
        return None
    dialog = DocumentDialog(page, session, bus, request, title=title, file_stem=file_stem, pdf=pdf)
    exec_dialog(dialog)
    dialog.deleteLater()
    return dialog


class ShowsDocuments(Protocol):
    """A page that previews documents: its session, bus and way of running dialogs."""

    session: core.Session
    bus: DataBus
    exec_dialog: Callable[[QDialog], bool]


def page_document(
    page: ShowsDocuments, request: core.DocumentRequest, title: str, file_stem: str
) -> DocumentDialog | None:
    """``show_document`` for a page (a QWidget): its own session, bus and dialog runner."""
    return show_document(
        cast(QWidget, page),
        page.session,
        page.bus,
        request,
        title=title,
        file_stem=file_stem,
        exec_dialog=page.exec_dialog,
    )
