"""名单管理: 红名单 and the profile's list of the seriously dishonest, through their
stages 采集 → 告知 → 审核 → 公布 → 移出 (or 不予列入).

Everything shown and done goes through ``services`` (list_entries, propose_list_entries,
add_list_entry, notify / record_statement / review / publish / remove, apply_repair for
an early removal, export_list_publication, and the listing notice as a document). The
core decides: who may review (never the proposer), the statement period, the dates;
the page shows its sentences and keeps what was typed.

Pieces the 异议与修复 page shares live here too: ``UnitSearch`` (find one unit),
``StepDialog`` (one step: a date and/or a text, closed only when the step succeeds),
``show_document`` (preview a document, then issue it and print or save it).
Dialogs are run through ``page.exec_dialog`` so tests can fill them in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import services
from safecredit_desktop.core.errors import Cancelled, SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.gui import printing
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.pages import Page
from safecredit_desktop.gui.pdf_preview import PdfPreview
from safecredit_desktop.gui.unit_search import DEBOUNCE_MS, ID_ROLE, UnitSearch
from safecredit_desktop.gui.widgets import readonly_table
from safecredit_desktop.gui.workers import run_with_progress

RED_LIST = "红名单"
STAGES = ("采集", "告知", "待公布", "公布", "移出", "不予列入")
REVIEWERS = (Role.REVIEWER, Role.ADMIN)
_WATCHED = {"*", "list_entries", "units", "repair_applications", "repairs"}
STAGE_COLOURS = {
    "采集": "#1f5f99",
    "告知": "#b35c00",
    "待公布": "#6a3d9a",
    "公布": "#c62828",
    "移出": "#777777",
    "不予列入": "#777777",
}
COLUMNS = (
    "编号",
    "名单",
    "统一社会信用代码",
    "单位",
    "列入对象",
    "阶段",
    "来源",
    "提出人",
    "告知日期",
    "陈述申辩期限",
    "审核人",
    "公布日期",
    "期满日期",
    "移出日期/原因",
)
STAGE_COLUMN = 5
WIDEST = {3: 200, 4: 200, 13: 200}  # column → most pixels before it is cut (tooltip whole)


# -- small shared pieces --------------------------------------------------------------------


def iso(day: date | None) -> str:
    return day.isoformat() if day is not None else ""


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def fit_columns(table: QTableWidget, widest: dict[int, int]) -> None:
    """Fit the columns to their contents once, the long ones capped at ``widest``
    pixels (their cells carry the whole text as a tooltip); the user may resize."""
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.resizeColumnsToContents()
    for column, pixels in widest.items():
        if table.columnWidth(column) > pixels:
            table.setColumnWidth(column, pixels)
    header.setStretchLastSection(False)  # set again: the last column fills what is left
    header.setStretchLastSection(True)


def exec_modal(dialog: QDialog) -> bool:
    """Run a dialog modally; True when it was accepted."""
    return dialog.exec() == QDialog.DialogCode.Accepted


def date_edit(parent: QWidget, day: date | None = None) -> QDateEdit:
    edit = QDateEdit(to_qdate(day or date.today()), parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def text_edit(parent: QWidget, placeholder: str = "", lines: int = 4) -> QPlainTextEdit:
    area = QPlainTextEdit(parent)
    area.setTabChangesFocus(True)
    area.setPlaceholderText(placeholder)
    area.setMinimumHeight(area.fontMetrics().lineSpacing() * lines + 14)
    return area


def html_rows(rows: list[tuple[str, str]]) -> str:
    """Label: value lines as a two-column HTML table (values already escaped)."""
    cells = "".join(
        f"<tr><td style='color:#555; padding-right:10px; white-space:nowrap;'>{escape(label)}</td>"
        f"<td>{value}</td></tr>"
        for label, value in rows
    )
    return f"<table cellspacing='0' cellpadding='2'>{cells}</table>"


def para(text: str) -> str:
    return escape(text).replace("\n", "<br>") if text else "<span style='color:#888;'>—</span>"


class StepDialog(QDialog):
    """One step of a workflow: a sentence, then optionally a date and a text.

    ``attempt(dialog)`` runs on 确定 and returns True when the step is done; the dialog
    closes only then, so a refusal (shown by ``attempt``) keeps what was typed.
    """

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        intro: str,
        *,
        date_label: str = "",
        day: date | None = None,
        latest: date | None = None,
        text_label: str = "",
        text: str = "",
        placeholder: str = "",
        ok_text: str = "",
        attempt: Callable[[StepDialog], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._attempt = attempt
        self.intro = QLabel(intro, self)
        self.intro.setWordWrap(True)
        self.intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        self.date_edit: QDateEdit | None = None
        self.text_edit: QPlainTextEdit | None = None
        if date_label:
            self.date_edit = date_edit(self, day)
            if latest is not None:
                self.date_edit.setMaximumDate(to_qdate(latest))
            form.addRow(date_label, self.date_edit)
        if text_label:
            self.text_edit = text_edit(self, placeholder)
            self.text_edit.setPlainText(text)
            form.addRow(text_label, self.text_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text or self.tr("确定"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(520, 200 + (120 if text_label else 0))

    def day(self) -> date:
        return from_qdate(self.date_edit.date()) if self.date_edit is not None else date.today()

    def set_day(self, day: date) -> None:
        if self.date_edit is not None:
            self.date_edit.setDate(to_qdate(day))

    def text(self) -> str:
        return self.text_edit.toPlainText() if self.text_edit is not None else ""

    def set_text(self, text: str) -> None:
        if self.text_edit is not None:
            self.text_edit.setPlainText(text)

    def try_accept(self) -> bool:
        if self._attempt is None or self._attempt(self):
            self.accept()
            return True
        return False


class DocumentDialog(QDialog):
    """A document previewed (no number); 出具并打印 / 出具并保存 numbers and registers it."""

    def __init__(
        self,
        parent: QWidget,
        session: services.Session,
        bus: DataBus,
        request: services.DocumentRequest,
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
        self.issued: services.IssueResult | None = None
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
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        self.resize(760, 860)
        self.preview.load_pdf(pdf)

    def issue(self, then: str = "print") -> services.IssueResult | None:
        """Issue once (later clicks print or save the issued file), then ``then``."""
        if self.issued is None:
            session, request = self.session, self.request
            try:
                result = run_with_progress(
                    self,
                    self.tr("正在出具文书…"),
                    lambda report: services.issue_documents(session, request, progress=report),
                    cancellable=False,
                )
            except SafeCreditError as exc:
                QMessageBox.warning(self, self.windowTitle(), exc.message)
                return None
            self.issued = result
            self.bus.data_changed.emit("documents")
            self.preview.load_pdf(result.pdf)
            doc_nos = [d.doc_no for d in result.issued + result.reprinted]
            if result.issued:
                text = self.tr("已出具，文号：%1。可在“文书 → 文书登记”中重印。")
            else:
                text = self.tr("与已出具的文书相同，按原文号重印：%1。")
            text = text.replace("%1", "、".join(doc_nos))
            self.note.setText("\n".join([text, *result.notes]))
            self.bus.status_message.emit(text)
            self.print_button.setText(self.tr("打印…"))
            self.save_button.setText(self.tr("保存为PDF…"))
        result = self.issued
        numbers = "、".join(d.doc_no for d in result.issued + result.reprinted)
        if then == "print":
            try:
                self.printed = printing.print_pdf(
                    self, result.pdf, title=f"{numbers} {self.windowTitle()}"
                )
            except SafeCreditError as exc:
                QMessageBox.warning(self, self.windowTitle(), exc.message)
                return result
            if self.printed:
                self.bus.status_message.emit(self.tr("已送往打印机。"))
        elif then == "save":
            self.saved = printing.save_pdf_bytes(self, result.pdf, f"{numbers}{self.file_stem}")
            if self.saved is not None:
                self.bus.status_message.emit(
                    self.tr("已保存：{saved}").format(saved=str(self.saved))
                )
        return result


def show_document(
    page: QWidget,
    session: services.Session,
    bus: DataBus,
    request: services.DocumentRequest,
    *,
    title: str,
    file_stem: str,
    exec_dialog: Callable[[QDialog], bool] = exec_modal,
) -> DocumentDialog | None:
    """Preview ``request`` in a DocumentDialog (issue, print, save from there)."""
    try:
        pdf = run_with_progress(
            page,
            page.tr("正在生成预览…"),
            lambda report: services.preview_documents(session, request, progress=report),
            cancellable=False,
        )
    except SafeCreditError as exc:
        if not isinstance(exc, Cancelled):
            QMessageBox.warning(page, title, exc.message)
        return None
    dialog = DocumentDialog(page, session, bus, request, title=title, file_stem=file_stem, pdf=pdf)
    exec_dialog(dialog)
    dialog.deleteLater()
    return dialog


# -- 手工采集 ----------------------------------------------------------------------------------


class ManualEntryDialog(QDialog):
    """采集 by hand: the unit, the list, the facts and basis, the period, a person."""

    def __init__(self, page: ListsPage) -> None:
        super().__init__(page)
        self.page = page
        self.created: services.ListEntry | None = None
        self.setWindowTitle(self.tr("手工采集名单信息"))
        self.units = UnitSearch(page.session, self)
        self.kind = QComboBox(self)
        for kind in services.list_kinds(page.session):
            self.kind.addItem(kind, kind)
        self.facts = text_edit(self, self.tr("失信或守信的事实：时间、行为、文书文号等"), 3)
        self.basis = text_edit(self, self.tr("列入依据：规定的条款"), 2)
        self.months = QSpinBox(self)
        self.months.setRange(0, 120)
        self.months.setSuffix(self.tr(" 个月"))
        self.months.setSpecialValueText(self.tr("按规定期限"))
        self.months.setToolTip(self.tr("不填（按规定期限）时，由信用规则确定列入期限"))
        self.person_name = QLineEdit(self)
        self.person_name.setPlaceholderText(self.tr("只列入单位时不填"))
        self.person_role = QLineEdit(self)
        self.person_role.setPlaceholderText(self.tr("如：主要负责人、实际控制人"))
        form = QFormLayout()
        form.addRow(self.tr("企业 *"), self.units)
        form.addRow(self.tr("名单 *"), self.kind)
        form.addRow(self.tr("事实 *"), self.facts)
        form.addRow(self.tr("依据 *"), self.basis)
        form.addRow(self.tr("列入期限"), self.months)
        person = QHBoxLayout()
        person.addWidget(self.person_name, 1)
        person.addWidget(QLabel(self.tr("身份"), self))
        person.addWidget(self.person_role, 1)
        form.addRow(self.tr("责任人员"), person)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("采集"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(640, 620)

    def try_accept(self) -> bool:
        unit = self.units.selected()
        if unit is None:
            QMessageBox.warning(self, self.windowTitle(), self.tr("请先查找并选中一家企业。"))
            return False
        months = self.months.value()
        try:
            self.created = services.add_list_entry(
                self.page.session,
                unit_id=unit[0],
                list_kind=str(self.kind.currentData()),
                facts=self.facts.toPlainText(),
                basis=self.basis.toPlainText(),
                period_months=months or None,
                person_name=self.person_name.text(),
                person_role=self.person_role.text(),
            )
        except SafeCreditError as exc:
            QMessageBox.warning(self, self.windowTitle(), exc.message)
            return False
        self.accept()
        return True


# -- the page ---------------------------------------------------------------------------------


class ListsPage(Page):
    """名单管理. ``ListsPage(session, bus, parent=None)``."""

    def __init__(
        self, session: services.Session, bus: DataBus, parent: QWidget | None = None
    ) -> None:
        super().__init__(session, bus, parent)
        self.exec_dialog: Callable[[QDialog], bool] = exec_modal
        self._entries: list[services.ListEntry] = []
        self._last_dir = Path.home()
        self.last_export: Path | None = None

        heading = QLabel(self.tr("名单管理"), self)
        heading.setStyleSheet("font-size: 18px; font-weight: bold;")

        self.kind = QComboBox(self)
        self.kind.addItem(self.tr("全部名单"), None)
        for kind in services.list_kinds(session):
            self.kind.addItem(kind, kind)
        self.stage = QComboBox(self)
        self.stage.addItem(self.tr("全部阶段"), None)
        for stage in STAGES:
            self.stage.addItem(stage, stage)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("企业名称、统一社会信用代码或人员姓名"))
        self.search.setClearButtonEnabled(True)
        self.count = QLabel(self)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("名单"), self))
        filters.addWidget(self.kind)
        filters.addWidget(QLabel(self.tr("阶段"), self))
        filters.addWidget(self.stage)
        filters.addWidget(QLabel(self.tr("查找"), self))
        filters.addWidget(self.search, 1)
        filters.addWidget(self.count)

        self.propose_button = QPushButton(self.tr("按规则采集"), self)
        self.propose_button.setToolTip(
            self.tr(
                "按截至今天的信用等级采集：A级企业列入红名单，{listed_grades_text}的企业列入{list_kinds}"
            ).format(
                listed_grades_text=self._listed_grades_text(),
                list_kinds=services.list_kinds(session)[-1],
            )
        )
        self.add_button = QPushButton(self.tr("手工采集…"), self)
        self.export_button = QPushButton(self.tr("导出公布名单…"), self)
        self.export_button.setToolTip(self.tr("导出已公布、尚在期内的名单，供向社会公布"))
        tools = QHBoxLayout()
        tools.addWidget(self.propose_button)
        tools.addWidget(self.add_button)
        tools.addStretch(1)
        tools.addWidget(self.export_button)

        self.table = readonly_table(self, [self.tr(c) for c in COLUMNS])
        self.table.setWordWrap(False)

        self.detail = QTextBrowser(self)
        self.detail.setOpenLinks(False)
        self.detail.setPlaceholderText(
            self.tr("在上面的表中选择一条名单记录，查看事实、依据和办理经过。")
        )

        self.print_notice_button = QPushButton(self.tr("打印告知书"), self)
        self.notify_button = QPushButton(self.tr("已送达…"), self)
        self.statement_button = QPushButton(self.tr("记录陈述申辩…"), self)
        self.approve_button = QPushButton(self.tr("审核通过"), self)
        self.refuse_button = QPushButton(self.tr("不予列入…"), self)
        self.publish_button = QPushButton(self.tr("公布…"), self)
        self.remove_button = QPushButton(self.tr("移出…"), self)
        self.early_button = QPushButton(self.tr("申请提前移出…"), self)
        self.print_notice_button.setToolTip(self.tr("预览、出具并打印列入名单告知书"))
        self.notify_button.setToolTip(self.tr("告知书已送达：登记送达日期，陈述申辩期开始计算"))
        self.early_button.setToolTip(
            self.tr("登记企业的提前移出申请，由审核员在“异议与修复 → 信用修复”中审核")
        )
        actions_box = QGroupBox(self.tr("办理"), self)
        grid = QGridLayout(actions_box)
        steps = (
            (self.print_notice_button, self.notify_button),
            (self.statement_button, None),
            (self.approve_button, self.refuse_button),
            (self.publish_button, None),
            (self.remove_button, self.early_button),
        )
        for row, (left, right) in enumerate(steps):
            grid.addWidget(left, row, 0)
            if right is not None:
                grid.addWidget(right, row, 1)
        grid.setRowStretch(len(steps), 1)
        self.role_note = QLabel(actions_box)
        self.role_note.setWordWrap(True)
        self.role_note.setStyleSheet("color: #666666;")
        grid.addWidget(self.role_note, len(steps) + 1, 0, 1, 2)
        if session.role not in REVIEWERS:
            self.role_note.setText(self.tr("审核、公布和移出需要审核员或管理员权限。"))

        bottom = QWidget(self)
        bottom_layout = QHBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.detail, 1)
        bottom_layout.addWidget(actions_box)
        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(tools)
        top_layout.addWidget(self.table, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([380, 300])

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _text: self._timer.start())
        self.kind.currentIndexChanged.connect(lambda _i: self.refresh())
        self.stage.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table.itemSelectionChanged.connect(self._on_selected)
        self.propose_button.clicked.connect(self.propose)
        self.add_button.clicked.connect(self.add_by_hand)
        self.export_button.clicked.connect(self.export_publication)
        self.print_notice_button.clicked.connect(self.print_notice)
        self.notify_button.clicked.connect(self.notify_selected)
        self.statement_button.clicked.connect(self.record_statement)
        self.approve_button.clicked.connect(self.approve_selected)
        self.refuse_button.clicked.connect(self.refuse_selected)
        self.publish_button.clicked.connect(self.publish_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.early_button.clicked.connect(self.apply_early_removal)
        bus.data_changed.connect(self._on_data_changed)
        self.refresh()

    def _listed_grades_text(self) -> str:
        grades = self.session.profile.listed_grades
        return "、".join(f"{g}级" for g in grades) or self.tr("列入等级")

    # -- reading --------------------------------------------------------------------------
    def _on_data_changed(self, table: str) -> None:
        if table in _WATCHED:
            self.refresh()

    def refresh(self) -> None:
        self._timer.stop()
        selected = self.selected_entry()
        try:
            expired = services.expire_list_entries(self.session)
            if expired:  # periods ended since last read: every page that shows lists hears
                self.bus.status_message.emit(
                    self.tr("{count} 条名单记录期满，已自动移出。").format(count=str(len(expired)))
                )
                self.bus.data_changed.emit("list_entries")  # refreshes this page too
                return
            rows = services.list_entries(
                self.session,
                list_kind=self.kind.currentData(),
                stage=self.stage.currentData(),
                search=self.search.text().strip(),
            )
        except SafeCreditError as exc:
            QMessageBox.warning(self, self.tr("名单管理"), exc.message)
            return
        self._entries = rows
        table = self.table
        table.blockSignals(True)
        table.setRowCount(len(rows))
        for r, e in enumerate(rows):
            removed = ""
            if e.removed_on is not None:
                removed = f"{iso(e.removed_on)} {e.removal_reason or ''}".strip()
            values = [
                str(e.id),
                e.list_kind,
                e.uscc,
                e.unit_name,
                e.subject,
                e.stage,
                e.source,
                e.proposed_by,
                iso(e.notified_on),
                iso(e.statement_due),
                e.reviewed_by or "",
                iso(e.published_on),
                iso(e.ends_on),
                removed,
            ]
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c in WIDEST:
                    item.setToolTip(value)
                if c == 0:
                    item.setData(ID_ROLE, e.id)
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if c == STAGE_COLUMN:
                    item.setForeground(QColor(STAGE_COLOURS.get(e.stage, "#000000")))
                    if e.stage == "不予列入" and e.review_note:
                        item.setToolTip(e.review_note)
                if c == 9 and e.stage == "告知" and e.statement_due is not None:
                    passed = e.statement_due < date.today()
                    item.setToolTip(
                        self.tr("陈述申辩期已满，可以审核")
                        if passed
                        else self.tr("陈述申辩期内：收到陈述申辩或期满后才能审核列入")
                    )
                table.setItem(r, c, item)
        table.blockSignals(False)
        fit_columns(table, WIDEST)
        self.count.setText(self.tr("共 {count} 条").format(count=f"{len(rows):,}"))
        if selected is None or not self.select_entry(selected.id):
            table.clearSelection()
            self._on_selected()

    def selected_entry(self) -> services.ListEntry | None:
        model = self.table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        if not rows or rows[0].row() >= len(self._entries):
            return None
        return self._entries[rows[0].row()]

    def select_entry(self, entry_id: int) -> bool:
        for row, e in enumerate(self._entries):
            if e.id == entry_id:
                self.table.selectRow(row)
                item = self.table.item(row, 0)
                if item is not None:
                    self.table.scrollToItem(item)
                self._on_selected()
                return True
        return False

    def _on_selected(self) -> None:
        entry = self.selected_entry()
        self.detail.setHtml(self.detail_html(entry) if entry is not None else "")
        self._update_buttons(entry)

    def detail_html(self, e: services.ListEntry) -> str:
        colour = STAGE_COLOURS.get(e.stage, "#000000")
        head = (
            f"<p><b>{escape(self.tr('第 %1 号').replace('%1', str(e.id)))}　{escape(e.list_kind)}"
            f"　<span style='color:{colour};'>{escape(e.stage)}</span></b></p>"
        )
        about = html_rows(
            [
                (self.tr("列入对象"), escape(e.subject)),
                (self.tr("统一社会信用代码"), escape(e.uscc)),
                (
                    self.tr("列入期限"),
                    escape(
                        self.tr("{period_months} 个月（自公布之日起）").format(
                            period_months=str(e.period_months)
                        )
                    ),
                ),
                (self.tr("事实"), para(e.facts)),
                (self.tr("依据"), para(e.basis)),
            ]
        )
        source = self.tr("按规则采集") if e.source == "规则" else self.tr("手工采集")
        steps: list[tuple[str, str]] = [
            (
                self.tr("采集"),
                escape(f"{iso(e.proposed_on)}　{e.proposed_by}　{source}"),
            )
        ]
        if e.notified_on is not None:
            steps.append(
                (
                    self.tr("告知"),
                    escape(
                        self.tr("{notified_on} 告知书送达，陈述申辩期至 {statement_due}").format(
                            notified_on=iso(e.notified_on), statement_due=iso(e.statement_due)
                        )
                    ),
                )
            )
        if e.stage == "告知" or e.statement:
            steps.append(
                (
                    self.tr("陈述申辩"),
                    para(e.statement) if e.statement else escape(self.tr("尚未收到")),
                )
            )
        if e.reviewed_on is not None:
            verdict = self.tr("不予列入") if e.stage == "不予列入" else self.tr("审核通过")
            text = f"{iso(e.reviewed_on)}　{e.reviewed_by or ''}　{verdict}"
            if e.review_note:
                text += f"：{e.review_note}"
            steps.append((self.tr("审核"), escape(text)))
        if e.published_on is not None:
            steps.append(
                (
                    self.tr("公布"),
                    escape(
                        self.tr("{published_on} 公布，期满日期 {ends_on}").format(
                            published_on=iso(e.published_on), ends_on=iso(e.ends_on)
                        )
                    ),
                )
            )
        if e.removed_on is not None:
            steps.append(
                (
                    self.tr("移出"),
                    escape(f"{iso(e.removed_on)}　{e.removed_by or ''}　{e.removal_reason or ''}"),
                )
            )
        return head + about + f"<p><b>{escape(self.tr('办理经过'))}</b></p>" + html_rows(steps)

    def _update_buttons(self, e: services.ListEntry | None) -> None:
        reviewer = self.session.role in REVIEWERS
        stage = e.stage if e is not None else ""
        red = e is not None and e.list_kind == RED_LIST
        review_stage = "采集" if red else "告知"
        self.print_notice_button.setEnabled(not red and stage in ("采集", "告知"))
        self.notify_button.setEnabled(not red and stage == "采集")
        self.statement_button.setEnabled(stage == "告知")
        self.approve_button.setEnabled(reviewer and e is not None and stage == review_stage)
        self.refuse_button.setEnabled(reviewer and e is not None and stage == review_stage)
        self.publish_button.setEnabled(reviewer and stage == "待公布")
        self.remove_button.setEnabled(reviewer and stage == "公布")
        self.early_button.setEnabled(stage == "公布")

    # -- acting ---------------------------------------------------------------------------
    def _refuse(self, exc: SafeCreditError, parent: QWidget | None = None) -> None:
        if isinstance(exc, Cancelled):
            self.bus.status_message.emit(exc.message)
            return
        QMessageBox.warning(parent or self, self.tr("名单管理"), exc.message)

    def _changed(self, entry_id: int | None, message: str, table: str = "list_entries") -> None:
        self.bus.data_changed.emit(table)  # refreshes this page too, keeping the selection
        current = self.selected_entry()
        shown = current is not None and current.id == entry_id
        if entry_id is not None and not shown and not self.select_entry(entry_id):
            self._clear_filters()  # the filters hide it: show it anyway
            self.select_entry(entry_id)
        self.bus.status_message.emit(message)

    def _clear_filters(self) -> None:
        for widget in (self.kind, self.stage, self.search):
            widget.blockSignals(True)
        self.kind.setCurrentIndex(0)
        self.stage.setCurrentIndex(0)
        self.search.clear()
        for widget in (self.kind, self.stage, self.search):
            widget.blockSignals(False)
        self.refresh()

    def _step(self, call: Callable[[], services.ListEntry], parent: QWidget, message: str) -> bool:
        try:
            entry = call()
        except SafeCreditError as exc:
            self._refuse(exc, parent)
            return False
        self._changed(entry.id, message.replace("%1", str(entry.id)))
        return True

    def propose(self) -> list[services.ListEntry] | None:
        answer = QMessageBox.question(
            self,
            self.tr("按规则采集"),
            self.tr(
                "将按截至今天的信用等级采集名单信息：A级企业采集到红名单，{listed_grades_text}的企业采集到{list_kinds}。"
                "已在名单办理中或在公布期内的不重复采集。\n\n采集后还要经过告知、审核和公布。"
                "确定采集吗？"
            ).format(
                listed_grades_text=self._listed_grades_text(),
                list_kinds=services.list_kinds(self.session)[-1],
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
        session = self.session
        try:
            created = run_with_progress(
                self,
                self.tr("正在按规则采集…"),
                lambda report: services.propose_list_entries(session, progress=report),
                cancellable=False,
            )
        except SafeCreditError as exc:
            self._refuse(exc)
            return None
        if not created:
            self.bus.status_message.emit(self.tr("没有新的名单信息可采集。"))
            QMessageBox.information(
                self, self.tr("按规则采集"), self.tr("没有新的名单信息可采集。")
            )
            return created
        counts: dict[str, int] = {}
        for e in created:
            counts[e.list_kind] = counts.get(e.list_kind, 0) + 1
        parts = "，".join(f"{k} {n} 条" for k, n in counts.items())
        self.bus.data_changed.emit("list_entries")
        self.bus.status_message.emit(
            self.tr("已按规则采集 {count} 条：{parts}。").format(
                count=str(len(created)), parts=parts
            )
        )
        return created

    def add_by_hand(self) -> services.ListEntry | None:
        dialog = ManualEntryDialog(self)
        self.exec_dialog(dialog)
        created = dialog.created
        dialog.deleteLater()
        if created is not None:
            self._changed(
                created.id,
                self.tr("已采集第 {id} 号：{subject}（{list_kind}）。").format(
                    id=str(created.id), subject=created.subject, list_kind=created.list_kind
                ),
            )
        return created

    def print_notice(self) -> DocumentDialog | None:
        e = self.selected_entry()
        if e is None:
            return None
        return show_document(
            self,
            self.session,
            self.bus,
            services.DocumentRequest("listing-notice", listing_id=e.id),
            title=self.tr("列入名单告知书"),
            file_stem=self.tr("列入名单告知书（{subject}）").format(subject=e.subject),
            exec_dialog=self.exec_dialog,
        )

    def notify_selected(self) -> None:
        e = self.selected_entry()
        if e is None:
            return
        dialog = StepDialog(
            self,
            self.tr("告知书已送达"),
            self.tr(
                "第 {id} 号：{subject}\n登记列入名单告知书的送达日期。陈述申辩期自送达之日起计算，"
                "期满或收到陈述申辩后才能审核列入。"
            ).format(id=str(e.id), subject=e.subject),
            date_label=self.tr("送达日期"),
            latest=date.today(),
            attempt=lambda d: self._step(
                lambda: services.notify_list_entry(self.session, e.id, served_on=d.day()),
                d,
                self.tr("第 %1 号：已登记告知书送达。"),
            ),
        )
        self.exec_dialog(dialog)
        dialog.deleteLater()

    def record_statement(self) -> None:
        e = self.selected_entry()
        if e is None:
            return
        dialog = StepDialog(
            self,
            self.tr("记录陈述申辩"),
            self.tr(
                "第 {id} 号：{subject}\n记录企业（或当事人）的陈述、申辩意见，供审核时参考。"
            ).format(id=str(e.id), subject=e.subject),
            text_label=self.tr("陈述申辩"),
            text=e.statement,
            placeholder=self.tr("收到日期、方式和主要意见"),
            attempt=lambda d: self._step(
                lambda: services.record_list_statement(self.session, e.id, d.text()),
                d,
                self.tr("第 %1 号：已记录陈述申辩。"),
            ),
        )
        self.exec_dialog(dialog)
        dialog.deleteLater()

    def approve_selected(self) -> bool:
        e = self.selected_entry()
        if e is None:
            return False
        answer = QMessageBox.question(
            self,
            self.tr("审核通过"),
            self.tr("审核通过第 {id} 号（{subject}，{list_kind}）？通过后转为待公布。").format(
                id=str(e.id), subject=e.subject, list_kind=e.list_kind
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        return self._step(
            lambda: services.review_list_entry(self.session, e.id, approve=True),
            self,
            self.tr("第 %1 号：审核通过，待公布。"),
        )

    def refuse_selected(self) -> None:
        e = self.selected_entry()
        if e is None:
            return
        dialog = StepDialog(
            self,
            self.tr("不予列入"),
            self.tr("第 {id} 号：{subject}\n不予列入{list_kind}，请填写理由。").format(
                id=str(e.id), subject=e.subject, list_kind=e.list_kind
            ),
            text_label=self.tr("理由"),
            ok_text=self.tr("不予列入"),
            attempt=lambda d: self._step(
                lambda: services.review_list_entry(
                    self.session, e.id, approve=False, note=d.text()
                ),
                d,
                self.tr("第 %1 号：不予列入。"),
            ),
        )
        self.exec_dialog(dialog)
        dialog.deleteLater()

    def publish_selected(self) -> None:
        e = self.selected_entry()
        if e is None:
            return
        dialog = StepDialog(
            self,
            self.tr("公布"),
            self.tr(
                "第 {id} 号：{subject}\n公布到{list_kind}。列入期限 {period_months} 个月，自公布之日起计算。"
            ).format(
                id=str(e.id),
                subject=e.subject,
                list_kind=e.list_kind,
                period_months=str(e.period_months),
            ),
            date_label=self.tr("公布日期"),
            ok_text=self.tr("公布"),
            attempt=lambda d: self._step(
                lambda: services.publish_list_entry(self.session, e.id, published_on=d.day()),
                d,
                self.tr("第 %1 号：已公布。"),
            ),
        )
        self.exec_dialog(dialog)
        dialog.deleteLater()

    def remove_selected(self) -> None:
        e = self.selected_entry()
        if e is None:
            return
        dialog = StepDialog(
            self,
            self.tr("移出名单"),
            self.tr(
                "第 {id} 号：{subject}\n从{list_kind}中移出（期满的由程序自动移出；企业申请提前移出的，"
                "请用“申请提前移出…”）。"
            ).format(id=str(e.id), subject=e.subject, list_kind=e.list_kind),
            date_label=self.tr("移出日期"),
            text_label=self.tr("移出原因"),
            ok_text=self.tr("移出"),
            attempt=lambda d: self._step(
                lambda: services.remove_list_entry(self.session, e.id, reason=d.text(), on=d.day()),
                d,
                self.tr("第 %1 号：已移出。"),
            ),
        )
        self.exec_dialog(dialog)
        dialog.deleteLater()

    def apply_early_removal(self) -> services.RepairApplication | None:
        e = self.selected_entry()
        if e is None:
            return None
        made: list[services.RepairApplication] = []

        def attempt(d: StepDialog) -> bool:
            try:
                made.append(
                    services.apply_repair(
                        self.session,
                        table="list_entries",
                        target_id=e.id,
                        statement=d.text(),
                        applied_on=d.day(),
                    )
                )
            except SafeCreditError as exc:
                self._refuse(exc, d)
                return False
            return True

        dialog = StepDialog(
            self,
            self.tr("申请提前移出"),
            self.tr(
                "第 {id} 号：{subject}（{published_on} 公布）\n登记企业的提前移出申请。申请由审核员在"
                "“异议与修复 → 信用修复”中核实条件后批准或驳回。"
            ).format(id=str(e.id), subject=e.subject, published_on=iso(e.published_on)),
            date_label=self.tr("申请日期"),
            latest=date.today(),
            text_label=self.tr("申请理由"),
            placeholder=self.tr("企业陈述的整改情况和理由"),
            ok_text=self.tr("登记申请"),
            attempt=attempt,
        )
        self.exec_dialog(dialog)
        dialog.deleteLater()
        if not made:
            return None
        app = made[0]
        self.bus.data_changed.emit("repair_applications")
        self.bus.status_message.emit(
            self.tr("已登记第 {id} 号提前移出申请，待审核。").format(id=str(app.id))
        )
        return app

    def export_publication(self) -> Path | None:
        kind = self.kind.currentData()
        if kind is None:
            kinds = list(services.list_kinds(self.session))
            chosen, ok = QInputDialog.getItem(
                self, self.tr("导出公布名单"), self.tr("导出哪一个名单？"), kinds, 0, False
            )
            if not ok:
                return None
            kind = chosen
        suggested = self._last_dir / f"{kind}公布名单-{date.today().isoformat()}.xlsx"
        chosen_path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("导出公布名单"), str(suggested), self.tr("Excel 工作簿 (*.xlsx)")
        )
        if not chosen_path:
            return None
        path = Path(chosen_path)
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        self._last_dir = path.parent
        try:
            self.last_export = services.export_list_publication(
                self.session, path, list_kind=str(kind)
            )
        except SafeCreditError as exc:
            self._refuse(exc)
            return None
        self.bus.status_message.emit(
            self.tr("已导出：{last_export}").format(last_export=str(self.last_export))
        )
        return self.last_export
