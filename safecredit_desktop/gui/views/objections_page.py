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
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QT_TRANSLATE_NOOP, QDate, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app import entry_forms as forms
from safecredit_desktop.core.app.vocabulary import (
    GRADE_INPUTS,
    ObjectionAction,
    RepairAction,
    Table,
)
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.gui.blocks import ID_ROLE, Column, ListPane, PageHeading, action_box
from safecredit_desktop.gui.blocks.forms import (
    StepDialog,
    date_edit,
    exec_modal,
    from_qdate,
    html_rows,
    iso,
    para,
    text_edit,
)
from safecredit_desktop.gui.blocks.page_parts import (
    confirm,
    dialog_buttons,
    enable_for,
    push_button,
    run_for,
    run_step,
    stacked,
)
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.dialogs.document_dialog import DocumentDialog, page_document
from safecredit_desktop.gui.dialogs.record_form import RecordFormDialog
from safecredit_desktop.gui.operations import attempt, operation, publish
from safecredit_desktop.gui.pages import Page
from safecredit_desktop.gui.unit_search import UnitSearch


class _Handled(Protocol):
    """An objection or an application, as a step returns it."""

    id: int
    status: str


H = TypeVar("H", bound=_Handled)

OVERDUE = QColor("#c62828")
NEAR = QColor("#c77700")
NEAR_WORKING_DAYS = 5
OUTCOME_NOTES = {
    "更正": QT_TRANSLATE_NOOP(
        "AnswerDialog", "按核查结果更正被异议的记录（点击“填写更正内容…”在录入表中改正）。"
    ),
    "删除": QT_TRANSLATE_NOOP(
        "AnswerDialog", "被异议的记录有误，予以删除（记入操作日志，以后导入也不会再导入）。"
    ),
    "保留": QT_TRANSLATE_NOOP("AnswerDialog", "经核查记录无误，予以保留。"),
}
REPAIR_STATUSES = ("待审核", "批准", "驳回", "撤销")
REPAIRABLE = ("penalties", "violations", "accidents")
REVIEWERS = (Role.REVIEWER, Role.ADMIN)
CHECK_MARKS = {
    True: ("✔", "#2e7d32"),
    False: ("✘", "#c62828"),
    None: (QT_TRANSLATE_NOOP("ObjectionsPage", "待核实"), "#c77700"),
}
WIDEST = 320  # pixels before 被异议记录 / 对象 is cut (its tooltip is whole)


class RecordPicker(QListWidget):
    """A unit's records of some tables (from its timeline), one to choose."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(110)

    def fill(
        self,
        session: core.Session,
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
        for entry in session.units.timeline(unit_id):
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

    def __init__(self, session: core.Session, parent: QWidget | None, title: str) -> None:
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
        self.buttons = dialog_buttons(self, on_ok=self.try_accept)
        self.units.unit_changed.connect(self._fill_records)
        stacked(self, self.form, self.buttons)
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
            uscc = self.session.records.get("units", unit_id).uscc
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
        day = from_qdate(self.day.date())
        if not attempt(self, lambda: self._submit(record[0], record[1], day)):
            return False  # refused: the dialog stays open with what was typed
        self.accept()
        return True

    def _submit(self, table: str, record_id: int, day: date) -> None:
        raise NotImplementedError


class FileObjectionDialog(_UnitRecordDialog):
    """登记异议: the unit, the disputed record, what the unit says and its evidence."""

    tables = tuple(core.OBJECTION_TARGETS)

    def __init__(self, session: core.Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent, self.tr("登记异议"))
        self.created: core.Objection | None = None
        self.content = text_edit(self, self.tr("企业认为记录有误的内容和理由"), 3)
        self.evidence = text_edit(self, self.tr("企业提交的证明材料（名称、页数）"), 2)
        self.form.addRow(self.tr("提出日期"), self.day)
        self.form.addRow(self.tr("异议内容 *"), self.content)
        self.form.addRow(self.tr("证明材料"), self.evidence)
        self.buttons.button(self.buttons.StandardButton.Ok).setText(self.tr("登记"))

    def blocked(self, unit_id: int) -> dict[tuple[str, int], str]:
        open_ones = self.session.objections.open_targets(unit_id)
        return {key: self.tr("已有未办结的异议") for key in open_ones}

    def _submit(self, table: str, record_id: int, day: date) -> None:
        self.created = self.session.objections.file(
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

    def __init__(self, session: core.Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent, self.tr("申请信用修复"))
        self.created: core.RepairApplication | None = None
        self.statement = text_edit(self, self.tr("企业的修复申请理由、整改和履行情况"), 3)
        self.form.addRow(self.tr("申请日期"), self.day)
        self.form.addRow(self.tr("申请理由"), self.statement)
        self.buttons.button(self.buttons.StandardButton.Ok).setText(self.tr("登记申请"))

    def _submit(self, table: str, record_id: int, day: date) -> None:
        self.created = self.session.repairs.apply(
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
        session: core.Session,
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
        values = self.checked_values()
        if values is None:
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
        found: core.Objection,
        exec_dialog: Callable[[QDialog], bool],
    ) -> None:
        super().__init__(page)
        self.page = page
        self.found = found
        self.exec_dialog = exec_dialog
        self.corrected: Any | None = None
        self.answered: core.Objection | None = None
        self.setWindowTitle(self.tr("答复异议（第 {id} 号）").format(id=found.id))
        about = html_rows(
            [
                (self.tr("单位"), escape(f"{found.unit_name}（{found.uscc}）")),
                (self.tr("被异议记录"), escape(f"{found.target_kind}：{found.target_text}")),
                (self.tr("异议内容"), para(found.content)),
                (self.tr("证明材料"), para(found.evidence)),
                (self.tr("答复期限"), page.due_html(found)),
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
        self.buttons = dialog_buttons(self, self.tr("答复"), self.try_accept)
        self.outcome.currentIndexChanged.connect(self._on_outcome)
        self.correct_button.clicked.connect(self.edit_correction)
        stacked(self, self.about, form, self.investigator, self.buttons)
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
        except SafeCreditError as exc:  # the record is gone: say so, keep the answer open
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
        if outcome == "删除" and not confirm(
            self,
            self.windowTitle(),
            self.tr("将删除被异议的记录“{record}”，删除记入操作日志，不能撤销。确定吗？").format(
                record=self.found.target_text
            ),
        ):
            return False

        def answer_it() -> None:
            self.answered = self.page.session.objections.answer(
                self.found.id,
                findings=self.findings.toPlainText(),
                outcome=outcome,
                corrected=self.corrected if outcome == "更正" else None,
                on=from_qdate(self.day.date()),
            )

        if not attempt(self, answer_it):
            return False
        self.accept()
        return True


class ObjectionsPage(Page):
    """异议与信用修复. ``ObjectionsPage(session, bus, parent=None)``."""

    # what the lists show, and what the repair checks are computed from
    watched = GRADE_INPUTS | {Table.OBJECTIONS, Table.REPAIR_APPLICATIONS}

    def __init__(self, session: core.Session, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(session, bus, parent)
        self.page_title = self.tr("异议与信用修复")
        self.exec_dialog: Callable[[QDialog], bool] = exec_modal
        self._calendar = session.schedule.calendar()
        self.heading = PageHeading(self, self.page_title)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._objections_tab(), self.tr("异议"))
        self.tabs.addTab(self._repairs_tab(), self.tr("信用修复"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.tabs, 1)
        self.objections.selection_changed.connect(self._on_objection_selected)
        self.repairs.selection_changed.connect(self._on_repair_selected)
        self.refresh()

    # -- building -------------------------------------------------------------------------
    def _objection_columns(self) -> list[Column[core.Objection]]:
        def due_colour(o: core.Objection) -> QColor | None:
            return self.due_state(o)[1]

        return [
            Column(self.tr("编号"), lambda o: str(o.id), sort_key=lambda o: o.id, align="right"),
            Column(self.tr("单位"), lambda o: o.unit_name, stretch=True),
            Column(
                self.tr("被异议记录"),
                lambda o: o.target_text,
                tooltip=lambda o: f"{o.target_kind}：{o.target_text}",
                widest=WIDEST,
            ),
            Column(self.tr("提出日期"), lambda o: iso(o.filed_on)),
            Column(self.tr("状态"), lambda o: o.status),
            Column(self.tr("受理日期"), lambda o: iso(o.accepted_on)),
            Column(
                self.tr("答复期限"),
                lambda o: iso(o.due_on),
                tooltip=lambda o: self.due_state(o)[0],
                colour=due_colour,
                bold=lambda o: due_colour(o) is not None,
            ),
            Column(self.tr("核查人"), lambda o: o.investigator or ""),
            Column(self.tr("结论"), lambda o: o.outcome or ""),
        ]

    def _repair_columns(self) -> list[Column[core.RepairApplication]]:
        def grey(a: core.RepairApplication) -> str | None:
            return "#808080" if a.status == "撤销" else None

        def revoked(a: core.RepairApplication) -> str:
            return f"{iso(a.revoked_on)} {a.revoked_by or ''}".strip() if a.revoked_on else ""

        return [
            Column(
                self.tr("编号"),
                lambda a: str(a.id),
                sort_key=lambda a: a.id,
                align="right",
                colour=grey,
            ),
            Column(self.tr("单位"), lambda a: a.unit_name, stretch=True, colour=grey),
            Column(self.tr("类别"), lambda a: a.kind_text, colour=grey),
            Column(self.tr("对象"), lambda a: a.target_text, widest=WIDEST, colour=grey),
            Column(self.tr("申请日期"), lambda a: iso(a.applied_on), colour=grey),
            Column(self.tr("状态"), lambda a: a.status, colour=grey),
            Column(self.tr("审核人"), lambda a: a.decided_by or "", colour=grey),
            Column(self.tr("决定日期"), lambda a: iso(a.decided_on), colour=grey),
            Column(self.tr("撤销"), revoked, tooltip=lambda a: a.revoke_reason or "", colour=grey),
        ]

    def _pane(
        self, tab: QWidget, columns: list[Column[Any]], load: Callable[[], list[Any]]
    ) -> ListPane[Any]:
        """A tab's list (of objections or applications), counted in 件."""
        return ListPane(
            tab,
            columns,
            lambda found: found.id,
            load,
            count_text=lambda n: self.tr("共 {count} 件").format(count=f"{n:,}"),
        )

    def _detail(self, tab: QWidget, hint: str) -> QTextBrowser:
        """Where the chosen objection or application is shown (``hint`` until then)."""
        detail = QTextBrowser(tab)
        detail.setPlaceholderText(hint)
        return detail

    def _finish_tab(
        self,
        tab: QWidget,
        pane: ListPane[Any],
        detail: QTextBrowser,
        buttons: dict[Any, QPushButton],
        reviewers_only: str,
    ) -> None:
        """Below the list: the detail and the 办理 buttons (action → button), with
        ``reviewers_only`` said to a user who may not use them."""
        note = QLabel(tab)
        if self.session.role not in REVIEWERS:
            note.setText(reviewers_only)
        rows = [(b,) for b in buttons.values()]
        pane.set_detail(detail, action_box(tab, self.tr("办理"), rows, note))
        QVBoxLayout(tab).addWidget(pane)

    def _objections_tab(self) -> QWidget:
        tab = QWidget(self)
        self.objections: ListPane[core.Objection] = self._pane(
            tab, self._objection_columns(), self._load_objections
        )
        self.objection_table = self.objections.table
        self.objection_count = self.objections.count
        self.open_only = QCheckBox(self.tr("只看未办结"), tab)
        self.objections.add_filter("", self.open_only)
        self.objection_search = self.objections.add_search(
            self.tr("企业名称、统一社会信用代码或记录")
        )
        self.file_button = push_button(tab, self.tr("登记异议…"), self.file_objection)
        self.objections.add_tools([self.file_button])
        self.objection_detail = self._detail(tab, self.tr("在上面的表中选择一件异议查看详情。"))
        self.accept_button = push_button(
            tab, self.tr("受理"), self.accept_selected, self.tr("今天受理，答复期限按工作日计算")
        )
        self.refuse_button = push_button(tab, self.tr("不予受理…"), self.refuse_selected)
        self.answer_button = push_button(tab, self.tr("答复…"), self.answer_selected)
        self.reply_button = push_button(tab, self.tr("打印答复书"), self.print_reply)
        self.objection_buttons = {
            ObjectionAction.ACCEPT: self.accept_button,
            ObjectionAction.REFUSE: self.refuse_button,
            ObjectionAction.ANSWER: self.answer_button,
            ObjectionAction.PRINT_REPLY: self.reply_button,
        }
        self._finish_tab(
            tab,
            self.objections,
            self.objection_detail,
            self.objection_buttons,
            self.tr("受理、答复需要审核员或管理员权限。"),
        )
        return tab

    def _repairs_tab(self) -> QWidget:
        tab = QWidget(self)
        self.repairs: ListPane[core.RepairApplication] = self._pane(
            tab, self._repair_columns(), self._load_repairs
        )
        self.repair_table = self.repairs.table
        self.repair_count = self.repairs.count
        self.repair_status = QComboBox(tab)
        self.repair_status.addItem(self.tr("全部状态"), None)
        for status in REPAIR_STATUSES:
            self.repair_status.addItem(status, status)
        self.repairs.add_filter(self.tr("状态"), self.repair_status)
        self.repair_search = self.repairs.add_search(self.tr("企业名称、统一社会信用代码或记录"))
        self.apply_button = push_button(
            tab,
            self.tr("申请信用修复…"),
            self.apply_repair,
            self.tr("行政处罚、失信行为或生产安全事故的信用修复；提前移出名单在“名单管理”中申请"),
        )
        self.repairs.add_tools([self.apply_button])
        self.repair_detail = self._detail(tab, self.tr("在上面的表中选择一件申请查看核查项目。"))
        self.approve_button = push_button(
            tab, self.tr("批准…"), lambda: self.decide_selected(approve=True)
        )
        self.reject_button = push_button(
            tab, self.tr("驳回…"), lambda: self.decide_selected(approve=False)
        )
        self.revoke_button = push_button(
            tab,
            self.tr("撤销批准…"),
            self.revoke_selected,
            self.tr("以虚假材料取得信用修复的，撤销批准，记录重新计入"),
        )
        self.decision_button = push_button(tab, self.tr("打印决定书"), self.print_decision)
        self.repair_buttons = {
            RepairAction.APPROVE: self.approve_button,
            RepairAction.REJECT: self.reject_button,
            RepairAction.REVOKE: self.revoke_button,
            RepairAction.PRINT_DECISION: self.decision_button,
        }
        self._finish_tab(
            tab,
            self.repairs,
            self.repair_detail,
            self.repair_buttons,
            self.tr("批准、驳回和撤销需要审核员或管理员权限。"),
        )
        return tab

    # -- reading --------------------------------------------------------------------------
    @operation
    def refresh(self) -> None:
        self.refresh_objections()
        self.refresh_repairs()

    def refresh_objections(self) -> None:
        self._calendar = self.session.schedule.calendar()
        self.objections.refresh()

    def refresh_repairs(self) -> None:
        self.repairs.refresh()

    def _load_objections(self) -> list[core.Objection]:
        return self.session.objections.all(
            open_only=self.open_only.isChecked(),
            search=self.objection_search.text().strip(),
        )

    def _load_repairs(self) -> list[core.RepairApplication]:
        return self.session.repairs.all(
            status=self.repair_status.currentData(),
            search=self.repair_search.text().strip(),
        )

    def due_state(self, o: core.Objection) -> tuple[str, QColor | None]:
        """An open objection's answer due date: ("已超期", red), ("还有 N 个工作日",
        orange when N is small), or ("", None) when nothing is due."""
        if not o.open or o.due_on is None:
            return "", None
        today = date.today()
        if o.due_on < today:
            return self.tr("已超期"), OVERDUE
        left = self._calendar.working_days_between(today, o.due_on).count
        text = self.tr("还有 {days} 个工作日").format(days=left)
        return text, NEAR if left <= NEAR_WORKING_DAYS else None

    def due_html(self, o: core.Objection) -> str:
        due = escape(iso(o.due_on))
        state, colour = self.due_state(o)
        if state:
            style = f"color:{colour.name()}; font-weight:bold;" if colour else ""
            due += f"<span style='{style}'>（{escape(state)}）</span>"
        return due

    def selected_objection(self) -> core.Objection | None:
        return self.objections.selected()

    def selected_application(self) -> core.RepairApplication | None:
        return self.repairs.selected()

    def select_objection(self, objection_id: int) -> bool:
        return self.objections.select_id(objection_id)

    def select_application(self, application_id: int) -> bool:
        return self.repairs.select_id(application_id)

    def _on_objection_selected(self) -> None:
        o = self.selected_objection()
        allowed = self.session.objections.allowed_actions(o) if o is not None else set()
        enable_for(allowed, self.objection_buttons)
        self.objection_detail.setHtml(self.objection_html(o) if o is not None else "")

    def objection_html(self, o: core.Objection) -> str:
        filed = self.tr("{day}（{user} 登记）").format(day=iso(o.filed_on), user=o.filed_by)
        rows = [
            (self.tr("单位"), escape(f"{o.unit_name}（{o.uscc}）")),
            (self.tr("被异议记录"), escape(f"{o.target_kind}：{o.target_text}")),
            (self.tr("提出日期"), escape(filed)),
            (self.tr("异议内容"), para(o.content)),
            (self.tr("证明材料"), para(o.evidence)),
        ]
        if o.accepted_on is not None:
            rows.append((self.tr("受理"), escape(iso(o.accepted_on))))
            rows.append((self.tr("答复期限"), self.due_html(o)))
        if o.status == "不予受理":
            refused = escape(iso(o.answered_on)) + "　" + para(o.refused_reason)
            rows.append((self.tr("不予受理"), refused))
        if o.status == "已答复":
            rows.append((self.tr("核查人"), escape(o.investigator or "")))
            rows.append((self.tr("核查情况"), para(o.findings)))
            outcome = f"{o.outcome or ''}（{iso(o.answered_on)} 答复）"
            rows.append((self.tr("结论"), escape(outcome)))
        number = self.tr("第 {id} 号异议").format(id=o.id)
        head = f"<p><b>{escape(number)}　{escape(o.status)}</b></p>"
        return head + html_rows(rows)

    def _on_repair_selected(self) -> None:
        a = self.selected_application()
        allowed = self.session.repairs.allowed_actions(a) if a is not None else set()
        enable_for(allowed, self.repair_buttons)
        self.repair_detail.setHtml(self.application_html(a) if a is not None else "")

    def checks_html(self, a: core.RepairApplication) -> str:
        try:
            checks = self.session.repairs.checks(a.id)
        except SafeCreditError as exc:  # shown in place of the checks
            return f"<p style='color:#c62828;'>{escape(exc.message)}</p>"
        lines = []
        for check in checks:
            mark, colour = self.tr(CHECK_MARKS[check.ok][0]), CHECK_MARKS[check.ok][1]
            lines.append(
                f"<span style='color:{colour};'><b>{escape(mark)}</b></span>　{escape(check.text)}"
            )
        return "<br>".join(lines)

    def application_html(self, a: core.RepairApplication) -> str:
        kind_name = core.REPAIR_TARGETS.get(a.target_table, "")
        applied = self.tr("{day}（{user} 登记）").format(day=iso(a.applied_on), user=a.applied_by)
        rows = [
            (self.tr("单位"), escape(f"{a.unit_name}（{a.uscc}）")),
            (self.tr("对象"), escape(f"{kind_name}：{a.target_text}")),
            (self.tr("申请日期"), escape(applied)),
            (self.tr("申请理由"), para(a.statement)),
        ]
        if a.decided_on is not None:
            verdict = self.tr("驳回") if a.status == "驳回" else self.tr("批准")
            text = f"{iso(a.decided_on)}　{a.decided_by or ''}　{verdict}"
            if a.decision_note:
                text += f"：{a.decision_note}"
            rows.append((self.tr("决定"), escape(text)))
        if a.revoked_on is not None:
            revoked = f"{iso(a.revoked_on)}　{a.revoked_by or ''}：{a.revoke_reason}"
            rows.append((self.tr("撤销"), escape(revoked)))
        title = self.tr("第 {id} 号{kind}申请").format(id=a.id, kind=a.kind_text)
        head = f"<p><b>{escape(title)}　{escape(a.status)}</b></p>"
        checks_title = self.tr("核查项目（按今天的数据）")
        return (
            head
            + html_rows(rows)
            + f"<p><b>{escape(checks_title)}</b></p><p>{self.checks_html(a)}</p>"
        )

    # -- acting: 异议 ---------------------------------------------------------------------
    def _done(self, pane: ListPane[Any], found_id: int, message: str) -> None:
        """After a step: the pages hear of it, ``pane`` shows the objection or application
        (clearing the filters if they hide it) and the status bar says what was done."""
        publish(self)
        pane.show_id(found_id)
        self.bus.status_message.emit(message)

    def _step(
        self,
        pane: ListPane[Any],
        message: str,
        title: str,
        intro: str,
        act: Callable[[StepDialog], H],
        **fields: Any,
    ) -> H | None:
        """One step's dialog (``run_step``); when it went through, ``pane`` shows what it
        returned and the status bar says ``message`` (its {id} and {status} are the
        result's)."""
        found = run_step(self.exec_dialog, self, title, intro, act, **fields)
        if found is not None:
            self._done(pane, found.id, message.format(id=found.id, status=found.status))
        return found

    def file_objection(self) -> core.Objection | None:
        created = run_for(
            self.exec_dialog, FileObjectionDialog(self.session, self), lambda d: d.created
        )
        if created is not None:
            self._done(
                self.objections,
                created.id,
                self.tr("已登记第 {id} 号异议：{record}。").format(
                    id=created.id, record=created.target_text
                ),
            )
        return created

    @operation
    def accept_selected(self) -> core.Objection | None:
        o = self.selected_objection()
        if o is None:
            return None
        found = self.session.objections.accept(o.id)
        self._done(
            self.objections,
            found.id,
            self.tr("已受理第 {id} 号异议，答复期限 {due}。").format(
                id=found.id, due=iso(found.due_on)
            ),
        )
        return found

    def refuse_selected(self) -> None:
        o = self.selected_objection()
        if o is None:
            return
        self._step(
            self.objections,
            self.tr("第 {id} 号异议不予受理。"),
            self.tr("不予受理"),
            self.tr("第 {id} 号异议：{unit}\n{record}\n不予受理，请填写理由。").format(
                id=o.id, unit=o.unit_name, record=o.target_text
            ),
            lambda d: self.session.objections.refuse(o.id, reason=d.text(), on=d.day()),
            date_label=self.tr("日期"),
            text_label=self.tr("理由"),
            ok_text=self.tr("不予受理"),
        )

    def answer_selected(self) -> core.Objection | None:
        o = self.selected_objection()
        if o is None:
            return None
        dialog = AnswerDialog(self, o, self.exec_dialog)
        answered = run_for(self.exec_dialog, dialog, lambda d: d.answered)
        if answered is not None:
            self._done(
                self.objections,
                answered.id,
                self.tr("已答复第 {id} 号异议：{outcome}。").format(
                    id=answered.id, outcome=answered.outcome or ""
                ),
            )
        return answered

    def print_reply(self) -> DocumentDialog | None:
        o = self.selected_objection()
        if o is None:
            return None
        request = core.DocumentRequest("objection-reply", objection_id=o.id)
        reply = self.tr("异议申请答复书")
        stem = self.tr("异议申请答复书（{unit}）").format(unit=o.unit_name)
        return page_document(self, request, reply, stem)

    # -- acting: 信用修复 ------------------------------------------------------------------
    def apply_repair(self) -> core.RepairApplication | None:
        created = run_for(
            self.exec_dialog, RepairApplicationDialog(self.session, self), lambda d: d.created
        )
        if created is not None:
            self.tabs.setCurrentIndex(1)
            self._done(
                self.repairs,
                created.id,
                self.tr("已登记第 {id} 号信用修复申请，待审核。").format(id=created.id),
            )
        return created

    def decide_selected(self, *, approve: bool) -> core.RepairApplication | None:
        a = self.selected_application()
        if a is None:
            return None
        checks = "\n".join(
            f"{CHECK_MARKS[c.ok][0]}　{c.text}" for c in self.session.repairs.checks(a.id)
        )
        if approve:
            effect = (
                self.tr("批准后自决定日期起从名单中移出。")
                if a.early_removal
                else self.tr("批准后自决定日期起，该记录不再计入信用评定。")
            )
            title = self.tr("批准{kind}申请（第 {id} 号）").format(kind=a.kind_text, id=a.id)
            label, verb = self.tr("意见"), self.tr("批准")
        else:
            effect = self.tr("驳回须填写理由。")
            title = self.tr("驳回{kind}申请（第 {id} 号）").format(kind=a.kind_text, id=a.id)
            label, verb = self.tr("理由"), self.tr("驳回")
        return self._step(
            self.repairs,
            self.tr("第 {id} 号申请：{status}。"),
            title,
            self.tr("{unit}：{record}\n\n核查项目（截至今天）：\n{checks}\n\n{effect}").format(
                unit=a.unit_name, record=a.target_text, checks=checks, effect=effect
            ),
            lambda d: self.session.repairs.decide(a.id, approve=approve, note=d.text(), on=d.day()),
            date_label=self.tr("决定日期"),
            text_label=label,
            ok_text=verb,
        )

    def revoke_selected(self) -> core.RepairApplication | None:
        a = self.selected_application()
        if a is None:
            return None
        effect = (
            self.tr("撤销后该企业恢复列入名单。")
            if a.early_removal
            else self.tr("撤销后该记录重新计入信用评定。")
        )
        return self._step(
            self.repairs,
            self.tr("已撤销第 {id} 号申请的批准。"),
            self.tr("撤销批准（第 {id} 号）").format(id=a.id),
            self.tr(
                "{unit}：{record}\n以虚假材料等不正当手段取得{kind}的，撤销批准。{effect}"
            ).format(unit=a.unit_name, record=a.target_text, kind=a.kind_text, effect=effect),
            lambda d: self.session.repairs.revoke(a.id, reason=d.text(), on=d.day()),
            date_label=self.tr("撤销日期"),
            text_label=self.tr("撤销理由"),
            ok_text=self.tr("撤销批准"),
        )

    def decision_request(self, a: core.RepairApplication) -> core.DocumentRequest:
        if a.early_removal:
            return core.DocumentRequest("removal-decision", listing_id=a.target_id)
        return core.DocumentRequest("removal-decision", repair_id=a.id)

    def print_decision(self) -> DocumentDialog | None:
        a = self.selected_application()
        if a is None:
            return None
        title = self.tr("提前移出名单决定书") if a.early_removal else self.tr("信用修复决定书")
        return page_document(self, self.decision_request(a), title, f"{title}（{a.unit_name}）")
