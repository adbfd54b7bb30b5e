"""异议与信用修复: a unit's objections (异议) against a recorded inspection, accident,
penalty or violation, and its applications for credit repair or early removal from a
list.

异议: 登记 → 受理 (the answer is due in the profile's working days) or 不予受理 → 答复 by
an investigator who did not record the disputed record, with the outcome 更正 (the
record's own entry form, whose result is stored with the answer), 删除 or 保留; then the
答复书 is printed. 信用修复: 申请 → the checks the program can make (✔/✘) and those the
reviewer must make (待核实) → 批准 / 驳回 → 撤销批准 when it was obtained by false
statements; then the 决定书. The core decides and refuses; this page shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import forms, services
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.dialogs.record_form import RecordFormDialog
from safecredit_desktop.gui.pages import Page
from safecredit_desktop.gui.views.lists_page import (
    DEBOUNCE_MS,
    ID_ROLE,
    REVIEWERS,
    DocumentDialog,
    StepDialog,
    UnitSearch,
    date_edit,
    exec_modal,
    fit_columns,
    from_qdate,
    html_rows,
    iso,
    para,
    show_document,
    text_edit,
)
from safecredit_desktop.gui.widgets import readonly_table

OVERDUE = QColor("#c62828")
NEAR = QColor("#c77700")
NEAR_WORKING_DAYS = 5
OUTCOME_NOTES = {
    "更正": "按核查结果更正被异议的记录（点击“填写更正内容…”在录入表中改正）。",
    "删除": "被异议的记录有误，予以删除（记入操作日志，以后导入也不会再导入）。",
    "保留": "经核查记录无误，予以保留。",
}
REPAIR_STATUSES = ("待审核", "批准", "驳回", "撤销")
REPAIRABLE = ("penalties", "violations", "accidents")
_UNWATCHED = {"documents", "document_settings", "settings", "users", "holidays"}
CHECK_MARKS = {True: ("✔", "#2e7d32"), False: ("✘", "#c62828"), None: ("待核实", "#c77700")}


def _item(text: str, data: Any = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if data is not None:
        item.setData(ID_ROLE, data)
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class RecordPicker(QListWidget):
    """A unit's records of some tables (from its timeline), one to choose."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(110)

    def fill(
        self,
        session: services.Session,
        unit_id: int | None,
        tables: tuple[str, ...],
        blocked: dict[tuple[str, int], str],
        blocked_flags: tuple[str, ...] = (),
    ) -> None:
        """``blocked``: (table, id) → why the record cannot be chosen; a record with one
        of ``blocked_flags`` (e.g. 已修复) cannot be chosen either."""
        self.clear()
        if unit_id is None:
            return
        for entry in services.unit_timeline(session, unit_id):
            if entry.table not in tables:
                continue
            text = f"{entry.day.isoformat()}　{entry.kind_label}：{entry.summary}"
            if entry.flags:
                text += f"（{'、'.join(entry.flags)}）"
            why = blocked.get((entry.table, entry.record_id))
            if why is None:
                why = next((f for f in entry.flags if f in blocked_flags), None)
            if why:
                text = f"[{why}] {text}"
            item = QListWidgetItem(text, self)
            item.setData(ID_ROLE, (entry.table, entry.record_id))
            item.setToolTip(text)
            if why:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
        if self.count() == 0:
            item = QListWidgetItem(self.tr("（该企业没有可选的记录）"), self)
            item.setFlags(Qt.ItemFlag.NoItemFlags)

    def selected(self) -> tuple[str, int] | None:
        item = self.currentItem()
        if item is None or not item.isSelected() or item.data(ID_ROLE) is None:
            return None
        table, record_id = item.data(ID_ROLE)
        return str(table), int(record_id)

    def select_record(self, table: str, record_id: int) -> bool:
        for row in range(self.count()):
            item = self.item(row)
            data = item.data(ID_ROLE)
            if data is not None and tuple(data) == (table, record_id):
                if not item.flags() & Qt.ItemFlag.ItemIsEnabled:
                    return False
                self.setCurrentRow(row)
                self.item(row).setSelected(True)
                return True
        return False

    def first_enabled(self) -> tuple[str, int] | None:
        for row in range(self.count()):
            item = self.item(row)
            if item.data(ID_ROLE) is not None and item.flags() & Qt.ItemFlag.ItemIsEnabled:
                table, record_id = item.data(ID_ROLE)
                return str(table), int(record_id)
        return None


class _UnitRecordDialog(QDialog):
    """Choose a unit, then one of its records; a date and texts below; 确定 runs
    ``_submit`` and closes only when it succeeds."""

    tables: tuple[str, ...] = ()
    blocked_flags: tuple[str, ...] = ()

    def __init__(self, session: services.Session, parent: QWidget | None, title: str) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(title)
        self.units = UnitSearch(session, self)
        self.records = RecordPicker(self)
        self.day = date_edit(self)
        self.day.setMaximumDate(QDate.currentDate())
        self.form = QFormLayout()
        self.form.addRow(self.tr("企业 *"), self.units)
        self.form.addRow(self.tr("记录 *"), self.records)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        self.units.unit_changed.connect(self._fill_records)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)
        self.resize(720, 640)

    def blocked(self, unit_id: int) -> dict[tuple[str, int], str]:
        return {}

    def _fill_records(self) -> None:
        unit = self.units.selected()
        unit_id = unit[0] if unit else None
        blocked = self.blocked(unit_id) if unit_id is not None else {}
        self.records.fill(self.session, unit_id, self.tables, blocked, self.blocked_flags)

    def choose(self, unit_id: int, table: str, record_id: int) -> bool:
        """Pick the unit and the record (searching the unit's code first)."""
        if not self.units.select_unit(unit_id):
            uscc = services.get_record(self.session, "units", unit_id).uscc
            self.units.search.setText(uscc)
            self.units.run_search()
            if not self.units.select_unit(unit_id):
                return False
        return self.records.select_record(table, record_id)

    def try_accept(self) -> bool:
        if self.units.selected() is None:
            QMessageBox.warning(self, self.windowTitle(), self.tr("请先查找并选中一家企业。"))
            return False
        record = self.records.selected()
        if record is None:
            QMessageBox.warning(self, self.windowTitle(), self.tr("请选择一条记录。"))
            return False
        try:
            self._submit(record[0], record[1], from_qdate(self.day.date()))
        except SafeCreditError as exc:
            QMessageBox.warning(self, self.windowTitle(), exc.message)
            return False
        self.accept()
        return True

    def _submit(self, table: str, record_id: int, day: date) -> None:
        raise NotImplementedError


class FileObjectionDialog(_UnitRecordDialog):
    """登记异议: the unit, the disputed record, what the unit says and its evidence."""

    tables = tuple(services.OBJECTION_TARGETS)

    def __init__(self, session: services.Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent, self.tr("登记异议"))
        self.created: services.Objection | None = None
        self.content = text_edit(self, self.tr("企业认为记录有误的内容和理由"), 3)
        self.evidence = text_edit(self, self.tr("企业提交的证明材料（名称、页数）"), 2)
        self.form.addRow(self.tr("提出日期"), self.day)
        self.form.addRow(self.tr("异议内容 *"), self.content)
        self.form.addRow(self.tr("证明材料"), self.evidence)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("登记"))

    def blocked(self, unit_id: int) -> dict[tuple[str, int], str]:
        open_ones = services.open_objection_targets(self.session, unit_id)
        return {key: self.tr("已有未办结的异议") for key in open_ones}

    def _submit(self, table: str, record_id: int, day: date) -> None:
        self.created = services.file_objection(
            self.session,
            table=table,
            record_id=record_id,
            content=self.content.toPlainText(),
            evidence=self.evidence.toPlainText(),
            filed_on=day,
        )


class RepairApplicationDialog(_UnitRecordDialog):
    """申请信用修复: the unit, the penalty / violation / accident, the unit's statement."""

    tables = REPAIRABLE
    blocked_flags = ("已修复",)

    def __init__(self, session: services.Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent, self.tr("申请信用修复"))
        self.created: services.RepairApplication | None = None
        self.statement = text_edit(self, self.tr("企业的修复申请理由、整改和履行情况"), 3)
        self.form.addRow(self.tr("申请日期"), self.day)
        self.form.addRow(self.tr("申请理由"), self.statement)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("登记申请"))

    def _submit(self, table: str, record_id: int, day: date) -> None:
        self.created = services.apply_repair(
            self.session,
            table=table,
            target_id=record_id,
            statement=self.statement.toPlainText(),
            applied_on=day,
        )


class CorrectionForm(RecordFormDialog):
    """The disputed record's own entry form; 确定 keeps the corrected record in
    ``corrected`` instead of saving it: the answer stores it with the objection."""

    def __init__(
        self,
        session: services.Session,
        bus: DataBus,
        table: str,
        record_id: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(session, bus, table, record_id=record_id, parent=parent)
        self.corrected: Any | None = None
        self.save_button.setText(self.tr("确定更正内容"))
        self.save_button.setToolTip(self.tr("更正内容随答复一并保存"))
        self.save_new_button.hide()
        self.undo_button.hide()
        self.setWindowTitle(self.windowTitle().replace(self.tr("修改"), self.tr("更正"), 1))

    def save_and_new(self) -> bool:
        return False

    def _store(self) -> bool:
        values = self.values()
        self._refresh()
        if self.errors():
            self._show_all = True
            self._refresh()
            self._focus_first_error()
            return False
        try:
            self.corrected = forms.build_record(
                self.form,
                values,
                unit_id=self._unit_id,
                record_id=self._record_id,
                profile=self.session.profile,
                today=self.today,
                unit_lookup=self._lookup,
                short_dates=True,
            )
        except forms.FormErrors as exc:
            self._refused(exc.errors, exc.message)
            return False
        return True


class AnswerDialog(QDialog):
    """答复: the findings, the outcome (更正 with the corrected record, 删除, 保留), the date."""

    def __init__(
        self,
        page: ObjectionsPage,
        found: services.Objection,
        exec_dialog: Callable[[QDialog], bool],
    ) -> None:
        super().__init__(page)
        self.page = page
        self.found = found
        self.exec_dialog = exec_dialog
        self.corrected: Any | None = None
        self.answered: services.Objection | None = None
        self.setWindowTitle(self.tr("答复异议（第 {id} 号）").format(id=str(found.id)))
        due = escape(iso(found.due_on))
        state, colour = page.due_state(found)
        if state:
            style = f"color:{colour.name()}; font-weight:bold;" if colour else ""
            due += f"<span style='{style}'>（{escape(state)}）</span>"
        about = html_rows(
            [
                (self.tr("单位"), escape(f"{found.unit_name}（{found.uscc}）")),
                (self.tr("被异议记录"), escape(f"{found.target_kind}：{found.target_text}")),
                (self.tr("异议内容"), para(found.content)),
                (self.tr("证明材料"), para(found.evidence)),
                (self.tr("答复期限"), due),
            ]
        )
        self.about = QLabel(about, self)
        self.about.setWordWrap(True)
        self.about.setTextFormat(Qt.TextFormat.RichText)
        self.findings = text_edit(self, self.tr("核查经过和认定的事实"), 4)
        self.outcome = QComboBox(self)
        for outcome in OUTCOME_NOTES:
            self.outcome.addItem(outcome, outcome)
        self.outcome_note = QLabel(self)
        self.outcome_note.setWordWrap(True)
        self.outcome_note.setStyleSheet("color: #666666;")
        self.correct_button = QPushButton(self.tr("填写更正内容…"), self)
        self.corrected_note = QLabel(self)
        self.corrected_note.setWordWrap(True)
        self.day = date_edit(self)
        outcome_row = QHBoxLayout()
        outcome_row.addWidget(self.outcome)
        outcome_row.addWidget(self.correct_button)
        outcome_row.addStretch(1)
        form = QFormLayout()
        form.addRow(self.tr("核查情况 *"), self.findings)
        form.addRow(self.tr("核查结论 *"), outcome_row)
        form.addRow("", self.outcome_note)
        form.addRow("", self.corrected_note)
        form.addRow(self.tr("答复日期"), self.day)
        self.investigator = QLabel(
            self.tr("核查人：{user}（录入或修改过被异议记录的人员不能担任核查人）").format(
                user=page.session.user
            ),
            self,
        )
        self.investigator.setWordWrap(True)
        self.investigator.setStyleSheet("color: #666666;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("答复"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        self.outcome.currentIndexChanged.connect(self._on_outcome)
        self.correct_button.clicked.connect(self.edit_correction)
        layout = QVBoxLayout(self)
        layout.addWidget(self.about)
        layout.addLayout(form)
        layout.addWidget(self.investigator)
        layout.addWidget(self.buttons)
        self.resize(640, 560)
        self._on_outcome()

    def set_outcome(self, outcome: str) -> None:
        self.outcome.setCurrentIndex(self.outcome.findData(outcome))

    def _on_outcome(self) -> None:
        outcome = str(self.outcome.currentData())
        self.outcome_note.setText(self.tr(OUTCOME_NOTES[outcome]))
        correcting = outcome == "更正"
        self.correct_button.setVisible(correcting)
        self.corrected_note.setVisible(correcting)
        if self.corrected is None:
            self.corrected_note.setText(self.tr("尚未填写更正内容。"))
            self.corrected_note.setStyleSheet("color: #c77700;")
        else:
            self.corrected_note.setText(self.tr("已填写更正内容，随答复一并保存。"))
            self.corrected_note.setStyleSheet("color: #2e7d32;")

    def correction_form(self) -> CorrectionForm:
        found = self.found
        form = CorrectionForm(
            self.page.session, self.page.bus, found.target_table, found.target_id, self
        )
        if self.corrected is not None:  # open again with what was corrected before
            form._load(forms.values_of(self.corrected, form.form))
        return form

    def edit_correction(self) -> bool:
        try:
            form = self.correction_form()
        except SafeCreditError as exc:
            QMessageBox.warning(self, self.windowTitle(), exc.message)
            return False
        self.exec_dialog(form)
        if form.corrected is not None:
            self.corrected = form.corrected
        form.deleteLater()
        self._on_outcome()
        return self.corrected is not None

    def try_accept(self) -> bool:
        outcome = str(self.outcome.currentData())
        if outcome == "更正" and self.corrected is None and not self.edit_correction():
            return False
        if outcome == "删除":
            answer = QMessageBox.question(
                self,
                self.windowTitle(),
                self.tr(
                    "将删除被异议的记录“{target_text}”，删除记入操作日志，不能撤销。确定吗？"
                ).format(target_text=self.found.target_text),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        try:
            self.answered = services.answer_objection(
                self.page.session,
                self.found.id,
                findings=self.findings.toPlainText(),
                outcome=outcome,
                corrected=self.corrected if outcome == "更正" else None,
                on=from_qdate(self.day.date()),
            )
        except SafeCreditError as exc:
            QMessageBox.warning(self, self.windowTitle(), exc.message)
            return False
        self.accept()
        return True


class ObjectionsPage(Page):
    """异议与信用修复. ``ObjectionsPage(session, bus, parent=None)``."""

    def __init__(
        self, session: services.Session, bus: DataBus, parent: QWidget | None = None
    ) -> None:
        super().__init__(session, bus, parent)
        self.exec_dialog: Callable[[QDialog], bool] = exec_modal
        self._objections: list[services.Objection] = []
        self._applications: list[services.RepairApplication] = []
        self._calendar = services.working_calendar(session)

        heading = QLabel(self.tr("异议与信用修复"), self)
        heading.setStyleSheet("font-size: 18px; font-weight: bold;")
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._objections_tab(), self.tr("异议"))
        self.tabs.addTab(self._repairs_tab(), self.tr("信用修复"))
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.tabs, 1)
        bus.data_changed.connect(self._on_data_changed)
        self.refresh()

    # -- building -------------------------------------------------------------------------
    def _split(
        self,
        tab: QWidget,
        top: QHBoxLayout,
        table: QTableWidget,
        detail: QTextBrowser,
        actions: list[QPushButton],
        note: QLabel,
    ) -> None:
        box = QGroupBox(self.tr("办理"), tab)
        column = QVBoxLayout(box)
        for button in actions:
            column.addWidget(button)
        column.addStretch(1)
        note.setWordWrap(True)
        note.setStyleSheet("color: #666666;")
        column.addWidget(note)
        bottom = QWidget(tab)
        bottom_layout = QHBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(detail, 1)
        bottom_layout.addWidget(box)
        upper = QWidget(tab)
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addLayout(top)
        upper_layout.addWidget(table, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, tab)
        splitter.addWidget(upper)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([380, 300])
        layout = QVBoxLayout(tab)
        layout.addWidget(splitter)

    def _objections_tab(self) -> QWidget:
        tab = QWidget(self)
        self.open_only = QCheckBox(self.tr("只看未办结"), tab)
        self.objection_search = QLineEdit(tab)
        self.objection_search.setPlaceholderText(self.tr("企业名称、统一社会信用代码或记录"))
        self.objection_search.setClearButtonEnabled(True)
        self.objection_count = QLabel(tab)
        self.file_button = QPushButton(self.tr("登记异议…"), tab)
        top = QHBoxLayout()
        top.addWidget(self.file_button)
        top.addSpacing(16)
        top.addWidget(self.open_only)
        top.addWidget(QLabel(self.tr("查找"), tab))
        top.addWidget(self.objection_search, 1)
        top.addWidget(self.objection_count)
        self.objection_table = readonly_table(
            tab,
            [
                self.tr("编号"),
                self.tr("单位"),
                self.tr("被异议记录"),
                self.tr("提出日期"),
                self.tr("状态"),
                self.tr("受理日期"),
                self.tr("答复期限"),
                self.tr("核查人"),
                self.tr("结论"),
            ],
        )
        self.objection_detail = QTextBrowser(tab)
        self.objection_detail.setPlaceholderText(self.tr("在上面的表中选择一件异议查看详情。"))
        self.accept_button = QPushButton(self.tr("受理"), tab)
        self.accept_button.setToolTip(self.tr("今天受理，答复期限按工作日计算"))
        self.refuse_button = QPushButton(self.tr("不予受理…"), tab)
        self.answer_button = QPushButton(self.tr("答复…"), tab)
        self.reply_button = QPushButton(self.tr("打印答复书"), tab)
        note = QLabel(tab)
        if self.session.role not in REVIEWERS:
            note.setText(self.tr("受理、答复需要审核员或管理员权限。"))
        self._split(
            tab,
            top,
            self.objection_table,
            self.objection_detail,
            [self.accept_button, self.refuse_button, self.answer_button, self.reply_button],
            note,
        )
        self._objection_timer = QTimer(self)
        self._objection_timer.setSingleShot(True)
        self._objection_timer.setInterval(DEBOUNCE_MS)
        self._objection_timer.timeout.connect(self.refresh_objections)
        self.objection_search.textChanged.connect(lambda _t: self._objection_timer.start())
        self.open_only.toggled.connect(lambda _b: self.refresh_objections())
        self.objection_table.itemSelectionChanged.connect(self._on_objection_selected)
        self.file_button.clicked.connect(self.file_objection)
        self.accept_button.clicked.connect(self.accept_selected)
        self.refuse_button.clicked.connect(self.refuse_selected)
        self.answer_button.clicked.connect(self.answer_selected)
        self.reply_button.clicked.connect(self.print_reply)
        return tab

    def _repairs_tab(self) -> QWidget:
        tab = QWidget(self)
        self.repair_status = QComboBox(tab)
        self.repair_status.addItem(self.tr("全部状态"), None)
        for status in REPAIR_STATUSES:
            self.repair_status.addItem(status, status)
        self.repair_search = QLineEdit(tab)
        self.repair_search.setPlaceholderText(self.tr("企业名称、统一社会信用代码或记录"))
        self.repair_search.setClearButtonEnabled(True)
        self.repair_count = QLabel(tab)
        self.apply_button = QPushButton(self.tr("申请信用修复…"), tab)
        self.apply_button.setToolTip(
            self.tr("行政处罚、失信行为或生产安全事故的信用修复；提前移出名单在“名单管理”中申请")
        )
        top = QHBoxLayout()
        top.addWidget(self.apply_button)
        top.addSpacing(16)
        top.addWidget(QLabel(self.tr("状态"), tab))
        top.addWidget(self.repair_status)
        top.addWidget(QLabel(self.tr("查找"), tab))
        top.addWidget(self.repair_search, 1)
        top.addWidget(self.repair_count)
        self.repair_table = readonly_table(
            tab,
            [
                self.tr("编号"),
                self.tr("单位"),
                self.tr("类别"),
                self.tr("对象"),
                self.tr("申请日期"),
                self.tr("状态"),
                self.tr("审核人"),
                self.tr("决定日期"),
                self.tr("撤销"),
            ],
        )
        self.repair_detail = QTextBrowser(tab)
        self.repair_detail.setPlaceholderText(self.tr("在上面的表中选择一件申请查看核查项目。"))
        self.approve_button = QPushButton(self.tr("批准…"), tab)
        self.reject_button = QPushButton(self.tr("驳回…"), tab)
        self.revoke_button = QPushButton(self.tr("撤销批准…"), tab)
        self.revoke_button.setToolTip(self.tr("以虚假材料取得信用修复的，撤销批准，记录重新计入"))
        self.decision_button = QPushButton(self.tr("打印决定书"), tab)
        note = QLabel(tab)
        if self.session.role not in REVIEWERS:
            note.setText(self.tr("批准、驳回和撤销需要审核员或管理员权限。"))
        self._split(
            tab,
            top,
            self.repair_table,
            self.repair_detail,
            [self.approve_button, self.reject_button, self.revoke_button, self.decision_button],
            note,
        )
        self._repair_timer = QTimer(self)
        self._repair_timer.setSingleShot(True)
        self._repair_timer.setInterval(DEBOUNCE_MS)
        self._repair_timer.timeout.connect(self.refresh_repairs)
        self.repair_search.textChanged.connect(lambda _t: self._repair_timer.start())
        self.repair_status.currentIndexChanged.connect(lambda _i: self.refresh_repairs())
        self.repair_table.itemSelectionChanged.connect(self._on_repair_selected)
        self.apply_button.clicked.connect(self.apply_repair)
        self.approve_button.clicked.connect(lambda: self.decide_selected(approve=True))
        self.reject_button.clicked.connect(lambda: self.decide_selected(approve=False))
        self.revoke_button.clicked.connect(self.revoke_selected)
        self.decision_button.clicked.connect(self.print_decision)
        return tab

    # -- reading --------------------------------------------------------------------------
    def _on_data_changed(self, table: str) -> None:
        if table not in _UNWATCHED:
            self.refresh()

    def refresh(self) -> None:
        self.refresh_objections()
        self.refresh_repairs()

    def _warn(self, exc: SafeCreditError, parent: QWidget | None = None) -> None:
        QMessageBox.warning(parent or self, self.tr("异议与信用修复"), exc.message)

    def refresh_objections(self) -> None:
        self._objection_timer.stop()
        selected = self.selected_objection()
        try:
            rows = services.objections(
                self.session,
                open_only=self.open_only.isChecked(),
                search=self.objection_search.text().strip(),
            )
            self._calendar = services.working_calendar(self.session)
        except SafeCreditError as exc:
            self._warn(exc)
            return
        self._objections = rows
        table = self.objection_table
        table.blockSignals(True)
        table.setRowCount(len(rows))
        for r, o in enumerate(rows):
            values = [
                o.unit_name,
                o.target_text,
                iso(o.filed_on),
                o.status,
                iso(o.accepted_on),
                iso(o.due_on),
                o.investigator or "",
                o.outcome or "",
            ]
            table.setItem(r, 0, _item(str(o.id), o.id))
            items = [_item(value) for value in values]
            items[0].setToolTip(o.unit_name)
            items[1].setToolTip(f"{o.target_kind}：{o.target_text}")
            for c, item in enumerate(items, start=1):
                table.setItem(r, c, item)
            state, colour = self.due_state(o)
            if state:
                items[5].setToolTip(state)
            if colour is not None:
                items[5].setForeground(colour)
                font = items[5].font()
                font.setBold(True)
                items[5].setFont(font)
        table.blockSignals(False)
        fit_columns(table, {1: 220, 2: 320})
        self.objection_count.setText(self.tr("共 {count} 件").format(count=f"{len(rows):,}"))
        if selected is None or not self.select_objection(selected.id):
            table.clearSelection()
            self._on_objection_selected()

    def refresh_repairs(self) -> None:
        self._repair_timer.stop()
        selected = self.selected_application()
        try:
            rows = services.repair_applications(
                self.session,
                status=self.repair_status.currentData(),
                search=self.repair_search.text().strip(),
            )
        except SafeCreditError as exc:
            self._warn(exc)
            return
        self._applications = rows
        table = self.repair_table
        table.blockSignals(True)
        table.setRowCount(len(rows))
        for r, a in enumerate(rows):
            revoked = f"{iso(a.revoked_on)} {a.revoked_by or ''}".strip() if a.revoked_on else ""
            values = [
                a.unit_name,
                a.kind_text,
                a.target_text,
                iso(a.applied_on),
                a.status,
                a.decided_by or "",
                iso(a.decided_on),
                revoked,
            ]
            items = [_item(str(a.id), a.id), *(_item(value) for value in values)]
            items[1].setToolTip(a.unit_name)
            items[3].setToolTip(a.target_text)
            if a.revoke_reason:
                items[8].setToolTip(a.revoke_reason)
            for c, item in enumerate(items):
                if a.status == "撤销":
                    item.setForeground(Qt.GlobalColor.gray)
                table.setItem(r, c, item)
        table.blockSignals(False)
        fit_columns(table, {1: 220, 3: 320})
        self.repair_count.setText(self.tr("共 {count} 件").format(count=f"{len(rows):,}"))
        if selected is None or not self.select_application(selected.id):
            table.clearSelection()
            self._on_repair_selected()

    @staticmethod
    def _selected_row(table: QTableWidget, count: int) -> int | None:
        model = table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        if not rows or rows[0].row() >= count:
            return None
        return rows[0].row()

    def due_state(self, o: services.Objection) -> tuple[str, QColor | None]:
        """An open objection's answer due date: ("已超期", red), ("还有 N 个工作日",
        orange when N is small), or ("", None) when nothing is due."""
        if not o.open or o.due_on is None:
            return "", None
        today = date.today()
        if o.due_on < today:
            return self.tr("已超期"), OVERDUE
        left = self._calendar.working_days_between(today, o.due_on).count
        text = self.tr("还有 {left} 个工作日").format(left=str(left))
        return text, NEAR if left <= NEAR_WORKING_DAYS else None

    def selected_objection(self) -> services.Objection | None:
        row = self._selected_row(self.objection_table, len(self._objections))
        return None if row is None else self._objections[row]

    def selected_application(self) -> services.RepairApplication | None:
        row = self._selected_row(self.repair_table, len(self._applications))
        return None if row is None else self._applications[row]

    def select_objection(self, objection_id: int) -> bool:
        for row, o in enumerate(self._objections):
            if o.id == objection_id:
                self.objection_table.selectRow(row)
                self.objection_table.scrollTo(self.objection_table.model().index(row, 0))
                self._on_objection_selected()
                return True
        return False

    def select_application(self, application_id: int) -> bool:
        for row, a in enumerate(self._applications):
            if a.id == application_id:
                self.repair_table.selectRow(row)
                self.repair_table.scrollTo(self.repair_table.model().index(row, 0))
                self._on_repair_selected()
                return True
        return False

    def _on_objection_selected(self) -> None:
        o = self.selected_objection()
        reviewer = self.session.role in REVIEWERS
        status = o.status if o is not None else ""
        self.accept_button.setEnabled(reviewer and status == "待受理")
        self.refuse_button.setEnabled(reviewer and status == "待受理")
        self.answer_button.setEnabled(reviewer and status == "已受理")
        self.reply_button.setEnabled(status in ("已答复", "不予受理"))
        self.objection_detail.setHtml(self.objection_html(o) if o is not None else "")

    def objection_html(self, o: services.Objection) -> str:
        rows = [
            (self.tr("单位"), escape(f"{o.unit_name}（{o.uscc}）")),
            (self.tr("被异议记录"), escape(f"{o.target_kind}：{o.target_text}")),
            (
                self.tr("提出日期"),
                escape(
                    self.tr("{filed_on}（{filed_by} 登记）").format(
                        filed_on=iso(o.filed_on), filed_by=o.filed_by
                    )
                ),
            ),
            (self.tr("异议内容"), para(o.content)),
            (self.tr("证明材料"), para(o.evidence)),
        ]
        if o.accepted_on is not None:
            due = escape(iso(o.due_on))
            state, colour = self.due_state(o)
            if state:
                style = f"color:{colour.name()}; font-weight:bold;" if colour else ""
                due += f"<span style='{style}'>（{escape(state)}）</span>"
            rows.append((self.tr("受理"), escape(iso(o.accepted_on))))
            rows.append((self.tr("答复期限"), due))
        if o.status == "不予受理":
            rows.append(
                (
                    self.tr("不予受理"),
                    escape(iso(o.answered_on)) + "　" + para(o.refused_reason),
                )
            )
        if o.status == "已答复":
            rows.append((self.tr("核查人"), escape(o.investigator or "")))
            rows.append((self.tr("核查情况"), para(o.findings)))
            rows.append(
                (
                    self.tr("结论"),
                    escape(f"{o.outcome or ''}（{iso(o.answered_on)} 答复）"),
                )
            )
        head = (
            f"<p><b>{escape(self.tr('第 %1 号异议').replace('%1', str(o.id)))}"
            f"　{escape(o.status)}</b></p>"
        )
        return head + html_rows(rows)

    def _on_repair_selected(self) -> None:
        a = self.selected_application()
        reviewer = self.session.role in REVIEWERS
        status = a.status if a is not None else ""
        self.approve_button.setEnabled(reviewer and status == "待审核")
        self.reject_button.setEnabled(reviewer and status == "待审核")
        self.revoke_button.setEnabled(reviewer and status == "批准")
        self.decision_button.setEnabled(status == "批准")
        if a is None:
            self.repair_detail.setHtml("")
            return
        self.repair_detail.setHtml(self.application_html(a))

    def checks_html(self, a: services.RepairApplication) -> str:
        try:
            checks = services.repair_checks(self.session, a.id)
        except SafeCreditError as exc:
            return f"<p style='color:#c62828;'>{escape(exc.message)}</p>"
        lines = []
        for check in checks:
            mark, colour = CHECK_MARKS[check.ok]
            lines.append(
                f"<span style='color:{colour};'><b>{escape(self.tr(mark))}</b></span>　"
                f"{escape(check.text)}"
            )
        return "<br>".join(lines)

    def application_html(self, a: services.RepairApplication) -> str:
        kind_name = services.REPAIR_TARGETS.get(a.target_table, "")
        rows = [
            (self.tr("单位"), escape(f"{a.unit_name}（{a.uscc}）")),
            (self.tr("对象"), escape(f"{kind_name}：{a.target_text}")),
            (
                self.tr("申请日期"),
                escape(
                    self.tr("{applied_on}（{applied_by} 登记）").format(
                        applied_on=iso(a.applied_on), applied_by=a.applied_by
                    )
                ),
            ),
            (self.tr("申请理由"), para(a.statement)),
        ]
        if a.decided_on is not None:
            verdict = self.tr("驳回") if a.status == "驳回" else self.tr("批准")
            text = f"{iso(a.decided_on)}　{a.decided_by or ''}　{verdict}"
            if a.decision_note:
                text += f"：{a.decision_note}"
            rows.append((self.tr("决定"), escape(text)))
        if a.revoked_on is not None:
            rows.append(
                (
                    self.tr("撤销"),
                    escape(f"{iso(a.revoked_on)}　{a.revoked_by or ''}：{a.revoke_reason}"),
                )
            )
        title = self.tr("第 {id} 号{kind_text}申请").format(id=str(a.id), kind_text=a.kind_text)
        head = f"<p><b>{escape(title)}　{escape(a.status)}</b></p>"
        checks_title = self.tr("核查项目（按今天的数据）")
        return (
            head
            + html_rows(rows)
            + f"<p><b>{escape(checks_title)}</b></p><p>{self.checks_html(a)}</p>"
        )

    # -- acting: 异议 ---------------------------------------------------------------------
    def _objection_changed(self, found: services.Objection, message: str, *tables: str) -> None:
        for table in ("objections", *tables):
            self.bus.data_changed.emit(table)
        if not self.select_objection(found.id):
            self.open_only.setChecked(False)
            self.objection_search.clear()
            self.refresh_objections()
            self.select_objection(found.id)
        self.bus.status_message.emit(message)

    def file_objection(self) -> services.Objection | None:
        dialog = FileObjectionDialog(self.session, self)
        self.exec_dialog(dialog)
        created = dialog.created
        dialog.deleteLater()
        if created is not None:
            self._objection_changed(
                created,
                self.tr("已登记第 {id} 号异议：{target_text}。").format(
                    id=str(created.id), target_text=created.target_text
                ),
            )
        return created

    def accept_selected(self) -> services.Objection | None:
        o = self.selected_objection()
        if o is None:
            return None
        try:
            found = services.accept_objection(self.session, o.id)
        except SafeCreditError as exc:
            self._warn(exc)
            return None
        self._objection_changed(
            found,
            self.tr("已受理第 {id} 号异议，答复期限 {due_on}。").format(
                id=str(found.id), due_on=iso(found.due_on)
            ),
        )
        return found

    def refuse_selected(self) -> None:
        o = self.selected_objection()
        if o is None:
            return
        done: list[services.Objection] = []

        def attempt(d: StepDialog) -> bool:
            try:
                done.append(
                    services.refuse_objection(self.session, o.id, reason=d.text(), on=d.day())
                )
            except SafeCreditError as exc:
                self._warn(exc, d)
                return False
            return True

        dialog = StepDialog(
            self,
            self.tr("不予受理"),
            self.tr("第 {id} 号异议：{unit_name}\n{target_text}\n不予受理，请填写理由。").format(
                id=str(o.id), unit_name=o.unit_name, target_text=o.target_text
            ),
            date_label=self.tr("日期"),
            text_label=self.tr("理由"),
            ok_text=self.tr("不予受理"),
            attempt=attempt,
        )
        self.exec_dialog(dialog)
        dialog.deleteLater()
        if done:
            self._objection_changed(
                done[0], self.tr("第 {id} 号异议不予受理。").format(id=str(o.id))
            )

    def answer_selected(self) -> services.Objection | None:
        o = self.selected_objection()
        if o is None:
            return None
        dialog = AnswerDialog(self, o, self.exec_dialog)
        self.exec_dialog(dialog)
        answered = dialog.answered
        dialog.deleteLater()
        if answered is not None:
            tables = () if answered.outcome == "保留" else (answered.target_table,)
            self._objection_changed(
                answered,
                self.tr("已答复第 {id} 号异议：{outcome}。").format(
                    id=str(answered.id), outcome=answered.outcome or ""
                ),
                *tables,
            )
        return answered

    def print_reply(self) -> DocumentDialog | None:
        o = self.selected_objection()
        if o is None:
            return None
        return show_document(
            self,
            self.session,
            self.bus,
            services.DocumentRequest("objection-reply", objection_id=o.id),
            title=self.tr("异议申请答复书"),
            file_stem=self.tr("异议申请答复书（{unit_name}）").format(unit_name=o.unit_name),
            exec_dialog=self.exec_dialog,
        )

    # -- acting: 信用修复 ------------------------------------------------------------------
    def _repair_changed(
        self, found: services.RepairApplication, message: str, *tables: str
    ) -> None:
        for table in ("repair_applications", *tables):
            self.bus.data_changed.emit(table)
        if not self.select_application(found.id):
            self.repair_status.setCurrentIndex(0)
            self.repair_search.clear()
            self.refresh_repairs()
            self.select_application(found.id)
        self.bus.status_message.emit(message)

    def _affected(self, a: services.RepairApplication) -> tuple[str, ...]:
        return ("list_entries",) if a.early_removal else ("repairs",)

    def apply_repair(self) -> services.RepairApplication | None:
        dialog = RepairApplicationDialog(self.session, self)
        self.exec_dialog(dialog)
        created = dialog.created
        dialog.deleteLater()
        if created is not None:
            self.tabs.setCurrentIndex(1)
            self._repair_changed(
                created,
                self.tr("已登记第 {id} 号信用修复申请，待审核。").format(id=str(created.id)),
            )
        return created

    def decide_selected(self, *, approve: bool) -> services.RepairApplication | None:
        a = self.selected_application()
        if a is None:
            return None
        done: list[services.RepairApplication] = []

        def attempt(d: StepDialog) -> bool:
            try:
                done.append(
                    services.decide_repair(
                        self.session, a.id, approve=approve, note=d.text(), on=d.day()
                    )
                )
            except SafeCreditError as exc:
                self._warn(exc, d)
                return False
            return True

        checks = "\n".join(
            f"{CHECK_MARKS[c.ok][0]}　{c.text}" for c in services.repair_checks(self.session, a.id)
        )
        if approve:
            effect = (
                self.tr("批准后自决定日期起从名单中移出。")
                if a.early_removal
                else self.tr("批准后自决定日期起，该记录不再计入信用评定。")
            )
            title, label, verb = self.tr("批准"), self.tr("意见"), self.tr("批准")
        else:
            effect = self.tr("驳回须填写理由。")
            title, label, verb = self.tr("驳回"), self.tr("理由"), self.tr("驳回")
        dialog = StepDialog(
            self,
            self.tr("{title}{kind_text}申请（第 {id} 号）").format(
                title=title, kind_text=a.kind_text, id=str(a.id)
            ),
            self.tr(
                "{unit_name}：{target_text}\n\n核查项目（截至今天）：\n{checks}\n\n{effect}"
            ).format(
                unit_name=a.unit_name, target_text=a.target_text, checks=checks, effect=effect
            ),
            date_label=self.tr("决定日期"),
            text_label=label,
            ok_text=verb,
            attempt=attempt,
        )
        self.exec_dialog(dialog)
        dialog.deleteLater()
        if not done:
            return None
        found = done[0]
        self._repair_changed(
            found,
            self.tr("第 {id} 号申请：{status}。").format(id=str(found.id), status=found.status),
            *(self._affected(found) if approve else ()),
        )
        return found

    def revoke_selected(self) -> services.RepairApplication | None:
        a = self.selected_application()
        if a is None:
            return None
        done: list[services.RepairApplication] = []

        def attempt(d: StepDialog) -> bool:
            try:
                done.append(services.revoke_repair(self.session, a.id, reason=d.text(), on=d.day()))
            except SafeCreditError as exc:
                self._warn(exc, d)
                return False
            return True

        effect = (
            self.tr("撤销后该企业恢复列入名单。")
            if a.early_removal
            else self.tr("撤销后该记录重新计入信用评定。")
        )
        dialog = StepDialog(
            self,
            self.tr("撤销批准（第 {id} 号）").format(id=str(a.id)),
            self.tr(
                "{unit_name}：{target_text}\n以虚假材料等不正当手段取得{kind_text}的，撤销批准。{effect}"
            ).format(
                unit_name=a.unit_name,
                target_text=a.target_text,
                kind_text=a.kind_text,
                effect=effect,
            ),
            date_label=self.tr("撤销日期"),
            text_label=self.tr("撤销理由"),
            ok_text=self.tr("撤销批准"),
            attempt=attempt,
        )
        self.exec_dialog(dialog)
        dialog.deleteLater()
        if not done:
            return None
        found = done[0]
        self._repair_changed(
            found,
            self.tr("已撤销第 {id} 号申请的批准。").format(id=str(found.id)),
            *self._affected(found),
        )
        return found

    def decision_request(self, a: services.RepairApplication) -> services.DocumentRequest:
        if a.early_removal:
            return services.DocumentRequest("removal-decision", listing_id=a.target_id)
        return services.DocumentRequest("removal-decision", repair_id=a.id)

    def print_decision(self) -> DocumentDialog | None:
        a = self.selected_application()
        if a is None:
            return None
        title = self.tr("提前移出名单决定书") if a.early_removal else self.tr("信用修复决定书")
        return show_document(
            self,
            self.session,
            self.bus,
            self.decision_request(a),
            title=title,
            file_stem=f"{title}（{a.unit_name}）",
            exec_dialog=self.exec_dialog,
        )
