"""文件 → 导入工作簿: a checked preview first (what would be added/updated, or the bad
cells: the first 1,000 listed, the total counted), then the import itself in one
transaction, off the UI thread. A workbook with hidden template sheets gets a checkbox
naming them: they are read only when it is ticked.

A workbook that is not the template (the bureau's own register) gets a mapping step
first (:mod:`.import_mapping`): the template column proposed for each of its columns —
the clerk's own mapping when this layout was imported before — changeable, with a
preview; 检查 runs the same dry run with the mapping, 导入 the same import."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.dialogs.import_mapping import MappingPanel
from safecredit_desktop.gui.operations import operation
from safecredit_desktop.gui.workers import run_with_progress


class ImportDialog(QDialog):
    def __init__(
        self,
        session: core.Session,
        bus: DataBus,
        path: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.bus = bus
        self.path = path
        self.summary: core.ImportSummary | None = None
        self.imported = False
        self.mapped: bool | None = None  # None until the file is looked at
        self.proposal: core.MappingProposal | None = None
        self.setWindowTitle(self.tr("导入工作簿 — {name}").format(name=path.name))
        self.resize(820, 520)

        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.accept_bad_check = QCheckBox(
            self.tr("接受校验码不符的统一社会信用代码（2016年前发放的少数真实代码校验不通过）"),
            self,
        )
        self.accept_bad_check.setVisible(False)
        self.include_hidden = QCheckBox(self)
        self.include_hidden.setVisible(False)
        self.table = QTableWidget(0, 5, self)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.buttons = QDialogButtonBox(self)
        self.import_button = QPushButton(self.tr("导入"), self)
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.check_button = QPushButton(self.tr("检查"), self)
        self.check_button.setToolTip(self.tr("按当前列对照检查每一个单元格（不写入数据）"))
        self.check_button.setVisible(False)
        self.buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.tr("关闭"), QDialogButtonBox.ButtonRole.RejectRole)
        self.mapping = MappingPanel(self)
        self.mapping.setVisible(False)
        result = QWidget(self)  # what the check found, under the mapping step if any
        result_layout = QVBoxLayout(result)
        result_layout.setContentsMargins(0, 0, 0, 0)
        result_layout.addWidget(self.heading)
        result_layout.addWidget(self.accept_bad_check)
        result_layout.addWidget(self.include_hidden)
        result_layout.addWidget(self.table, 1)
        self.split = QSplitter(Qt.Orientation.Vertical, self)
        self.split.addWidget(self.mapping)
        self.split.addWidget(result)
        self.split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.split, 1)
        layout.addWidget(self.buttons)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self._on_import)
        self.buttons.rejected.connect(self.reject)
        self.accept_bad_check.toggled.connect(lambda _on: self.check())
        self.include_hidden.toggled.connect(lambda _on: self.check())
        self.check_button.clicked.connect(lambda: self.check())
        self.mapping.edited.connect(self._on_mapping_edited)
        self.mapping.source_changed.connect(self._on_source_changed)

    def _run(self, *, dry_run: bool) -> core.ImportSummary:
        path, accept = self.path, self.accept_bad_check.isChecked()
        hidden = self.include_hidden.isChecked()
        title = self.tr("正在检查工作簿…") if dry_run else self.tr("正在导入…")
        if self.mapped:
            mapping, kind, sheet = self.mapping.mapping(), self.mapping.kind(), self.mapping.sheet()
            return run_with_progress(
                self,
                title,
                lambda own, report: own.exchange.import_mapped(
                    path,
                    mapping,
                    kind=kind,
                    sheet=sheet,
                    dry_run=dry_run,
                    accept_bad_check=accept,
                    progress=report,
                ),
                session=self.session,
            )
        return run_with_progress(
            self,
            title,
            lambda own, report: own.exchange.import_workbook(
                path,
                dry_run=dry_run,
                accept_bad_check=accept,
                include_hidden=hidden,
                progress=report,
            ),
            session=self.session,
        )

    def _propose(self, *, sheet: str | None = None, kind: str | None = None) -> None:
        """The proposed (or remembered) mapping read off the UI thread, then shown."""
        path = self.path
        self.proposal = run_with_progress(
            self,
            self.tr("正在读取工作簿…"),
            lambda own, _report: own.exchange.propose_mapping(path, sheet=sheet, kind=kind),
            session=self.session,
        )
        exchange = self.session.exchange
        self.mapping.show_proposal(
            self.proposal,
            exchange.mapping_kinds(),
            exchange.template_headers,
            exchange.required_headers(self.proposal.kind),
        )

    def _enter_mapping_step(self) -> None:
        self.mapped = True
        self.mapping.setVisible(True)
        self.check_button.setVisible(True)
        self.include_hidden.setVisible(False)
        self.setWindowTitle(self.tr("按列对照导入 — {name}").format(name=self.path.name))
        self.resize(max(self.width(), 1180), max(self.height(), 660))  # fits 1366×768
        self.split.setSizes([370, 230])

    def _show_hidden(self, names: tuple[str, ...]) -> None:
        """The hidden template sheets, named on the checkbox that reads them."""
        if not names:
            self.include_hidden.setVisible(self.include_hidden.isChecked())
            return
        shown = "、".join(f"“{n}”" for n in names)
        self.include_hidden.setText(
            self.tr("同时导入隐藏的工作表：{sheets}（在 Excel 中看不到，请确认其内容）").format(
                sheets=shown
            )
        )
        self.include_hidden.setVisible(True)

    @operation
    def check(self) -> None:
        """The dry run: fills the table with the plan, or with every bad cell. A workbook
        that is not the template gets its mapping proposed first."""

        def look_then_run() -> core.ImportSummary:
            if self.mapped is None:
                if self.session.exchange.is_template(self.path):
                    self.mapped = False
                else:
                    self._enter_mapping_step()
                    self._propose()
            return self._run(dry_run=True)

        self._show_dry_run(look_then_run)

    def _summary_of(self, job: Callable[[], core.ImportSummary]) -> core.ImportSummary | None:
        """What ``job`` imported or would import; a refusal is shown instead (every bad
        cell, or the sentence) and gives None."""
        try:
            return job()
        except core.WorkbookError as exc:
            self._show_errors(exc)
        except SafeCreditError as exc:
            self._show_sentence(exc.message)
        return None

    def _show_dry_run(self, job: Callable[[], core.ImportSummary]) -> None:
        summary = self._summary_of(job)
        if summary is not None:
            self.summary = summary
            self._show_plan(summary)

    def _show_errors(self, exc: core.WorkbookError) -> None:
        self.summary = None
        self.import_button.setEnabled(False)
        if exc.only_bad_check or self.accept_bad_check.isChecked():
            self.accept_bad_check.setVisible(True)
        self._show_hidden(exc.hidden_sheets)
        if not exc.errors:
            self._show_sentence(exc.message)
            return
        if exc.total > len(exc.errors):
            heading = self.tr(
                "工作簿有 {total} 处错误，不能导入（不会写入任何数据）。下面列出前 {listed} 处，"
                "请改正后重新导入："
            )
        else:
            heading = self.tr(
                "工作簿有 {total} 处错误，不能导入（不会写入任何数据）。请改正后重新导入："
            )
        self.heading.setText(heading.format(total=f"{exc.total:,}", listed=f"{len(exc.errors):,}"))
        self.table.setColumnCount(5)
        self.table.setHorizontalHeaderLabels(
            [self.tr("工作表"), self.tr("行"), self.tr("列"), self.tr("内容"), self.tr("问题")]
        )
        self.table.setRowCount(len(exc.errors))
        for row, error in enumerate(exc.errors):
            letter = getattr(error, "letter", "")  # a mapped import names the source column
            named = (
                self.tr("{letter}列 {header}").format(letter=letter, header=error.column)
                if letter
                else error.column
            )
            values = (error.sheet, str(error.row), named, error.value, error.reason)
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))

    def _show_sentence(self, message: str) -> None:
        self.summary = None
        self.import_button.setEnabled(False)
        self.heading.setText(message)
        self.table.setRowCount(0)

    def _show_plan(self, summary: core.ImportSummary) -> None:
        self.import_button.setEnabled(summary.changed)
        self._show_hidden(summary.hidden_sheets)
        lines = summary.lines()
        self.heading.setText(
            lines[0] + ("" if summary.changed else self.tr(" 与数据库中的记录相同，无需导入。"))
        )
        if self.mapped:  # the new towns and the columns left out, said before 导入
            notes = [line.strip() for line in lines if "乡镇" in line or "未对照" in line]
            self.heading.setText("\n".join([self.heading.text(), *notes]))
        self.table.setColumnCount(5)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("工作表"),
                self.tr("新增"),
                self.tr("更新"),
                self.tr("不变"),
                self.tr("未导入"),
            ]
        )
        rows = [s for s in summary.sheets if s.added or s.updated or s.unchanged or s.skipped]
        self.table.setRowCount(len(rows) + len(summary.skipped))
        for row, sheet in enumerate(rows):
            values = (sheet.sheet, sheet.added, sheet.updated, sheet.unchanged, sheet.skipped)
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(str(value)))
        for offset, skipped in enumerate(summary.skipped):
            text = f"第{skipped.row}行 {skipped.what}：{skipped.reason}"
            self.table.setItem(len(rows) + offset, 0, QTableWidgetItem(skipped.sheet))
            self.table.setItem(len(rows) + offset, 4, QTableWidgetItem(text))

    @operation
    def _on_import(self) -> None:
        summary = self._summary_of(lambda: self._run(dry_run=False))
        if summary is None:
            return
        self.imported = True
        self.summary = summary
        self._show_plan(summary)
        self.import_button.setEnabled(False)
        self.heading.setText("\n".join(summary.lines()))
        self.bus.status_message.emit(summary.lines()[0])

    def _on_mapping_edited(self) -> None:
        """A changed mapping must be checked again before 导入."""
        self.summary = None
        self.import_button.setEnabled(False)
        self.heading.setText(self.tr("列对照已更改：请点“检查”，检查通过后再导入。"))
        self.table.setRowCount(0)

    @operation
    def _on_source_changed(self) -> None:
        """Another sheet or kind chosen: propose its mapping, then check it."""

        def propose_then_run() -> core.ImportSummary:
            self._propose(sheet=self.mapping.sheet(), kind=self.mapping.kind())
            return self._run(dry_run=True)

        self._show_dry_run(propose_then_run)
