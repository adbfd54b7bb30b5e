"""名单管理: 红名单 and the profile's list of the seriously dishonest, through their
stages 采集 → 告知 → 审核 → 公布 → 移出 (or 不予列入).

Everything shown and done goes through ``session.lists`` (entries, propose,
add_list_entry, notify / record_statement / review / publish / remove, apply_repair for
an early removal, export_list_publication, and the listing notice as a document). The
core decides: who may review (never the proposer), the statement period, the dates;
the page shows its sentences and keeps what was typed. Dialogs are run through
``page.exec_dialog`` so tests can fill them in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.vocabulary import ListAction, Table
from safecredit_desktop.core.model import Role
from safecredit_desktop.gui.blocks import Column, ListPane, PageHeading, action_box
from safecredit_desktop.gui.blocks.forms import (
    StepDialog,
    exec_modal,
    html_rows,
    iso,
    para,
    text_edit,
)
from safecredit_desktop.gui.blocks.page_parts import (
    SaveFolder,
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
from safecredit_desktop.gui.operations import attempt, operation, publish
from safecredit_desktop.gui.pages import Page
from safecredit_desktop.gui.unit_search import UnitSearch
from safecredit_desktop.gui.workers import run_with_progress

__all__ = ["COLUMNS", "STAGE_COLUMN", "DocumentDialog", "ListsPage", "ManualEntryDialog"]

RED_LIST = "红名单"
STAGES = ("采集", "告知", "待公布", "公布", "内部管理", "移出", "不予列入")
REVIEWERS = (Role.REVIEWER, Role.ADMIN)
STAGE_COLOURS = {
    "采集": "#1f5f99",
    "告知": "#b35c00",
    "待公布": "#6a3d9a",
    "公布": "#c62828",
    "内部管理": "#c62828",  # in force, as 公布, inside the bureau (internal lists)
    "移出": "#777777",
    "不予列入": "#777777",
}
COLUMNS = (
    QT_TRANSLATE_NOOP("ListsPage", "编号"),
    QT_TRANSLATE_NOOP("ListsPage", "名单"),
    QT_TRANSLATE_NOOP("ListsPage", "统一社会信用代码"),
    QT_TRANSLATE_NOOP("ListsPage", "单位"),
    QT_TRANSLATE_NOOP("ListsPage", "列入对象"),
    QT_TRANSLATE_NOOP("ListsPage", "阶段"),
    QT_TRANSLATE_NOOP("ListsPage", "来源"),
    QT_TRANSLATE_NOOP("ListsPage", "提出人"),
    QT_TRANSLATE_NOOP("ListsPage", "告知日期"),
    QT_TRANSLATE_NOOP("ListsPage", "陈述申辩期限"),
    QT_TRANSLATE_NOOP("ListsPage", "审核人"),
    QT_TRANSLATE_NOOP("ListsPage", "公布日期"),
    QT_TRANSLATE_NOOP("ListsPage", "期满日期"),
    QT_TRANSLATE_NOOP("ListsPage", "移出日期/原因"),
)
STAGE_COLUMN = COLUMNS.index("阶段")
WIDEST = 240  # pixels before 列入对象 or 移出日期/原因 is cut (its tooltip is whole)


def _removed(e: core.ListEntry) -> str:
    if e.removed_on is None:
        return ""
    return f"{iso(e.removed_on)} {e.removal_reason or ''}".strip()


# -- 手工采集 ----------------------------------------------------------------------------------


class ManualEntryDialog(QDialog):
    """采集 by hand: the unit, the list, the facts and basis, the period, a person."""

    def __init__(self, page: ListsPage) -> None:
        super().__init__(page)
        self.page = page
        self.created: core.ListEntry | None = None
        self.setWindowTitle(self.tr("手工采集名单信息"))
        self.units = UnitSearch(page.session, self)
        self.kind = QComboBox(self)
        for kind in page.session.lists.kinds():
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
        self.buttons = dialog_buttons(self, self.tr("采集"), self.try_accept)
        stacked(self, form, self.buttons)
        self.resize(640, 620)

    def try_accept(self) -> bool:
        unit = self.units.selected()
        if unit is None:
            QMessageBox.warning(self, self.windowTitle(), self.tr("请先查找并选中一家企业。"))
            return False
        months = self.months.value()

        def add() -> None:
            self.created = self.page.session.lists.add(
                unit_id=unit[0],
                list_kind=str(self.kind.currentData()),
                facts=self.facts.toPlainText(),
                basis=self.basis.toPlainText(),
                period_months=months or None,
                person_name=self.person_name.text(),
                person_role=self.person_role.text(),
            )

        if not attempt(self, add):
            return False  # refused: the dialog stays open with what was typed
        self.accept()
        return True


# -- the page ---------------------------------------------------------------------------------


class ListsPage(Page):
    """名单管理. ``ListsPage(session, bus, parent=None)``."""

    watched = frozenset({Table.LIST_ENTRIES, Table.UNITS, Table.REPAIR_APPLICATIONS, Table.REPAIRS})

    def __init__(self, session: core.Session, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(session, bus, parent)
        self.page_title = self.tr("名单管理")
        self.exec_dialog: Callable[[QDialog], bool] = exec_modal
        self.save_folder = SaveFolder()
        self.last_export: Path | None = None
        self.heading = PageHeading(self, self.page_title)

        self.kind = QComboBox(self)
        self.kind.addItem(self.tr("全部名单"), None)
        for kind in session.lists.kinds():
            self.kind.addItem(kind, kind)
        self.stage = QComboBox(self)
        self.stage.addItem(self.tr("全部阶段"), None)
        internal = session.lists.publication_refused() is not None
        published = ("待公布", "公布")  # never reached where lists are internal (kundulun)
        for stage in STAGES:
            if stage not in (published if internal else ("内部管理",)):
                self.stage.addItem(stage, stage)
        self.pane: ListPane[core.ListEntry] = ListPane(
            self, self._columns(), lambda e: e.id, self._load
        )
        self.table = self.pane.table
        self.pane.add_filter(self.tr("名单"), self.kind)
        self.pane.add_filter(self.tr("阶段"), self.stage)
        self.search = self.pane.add_search(self.tr("企业名称、统一社会信用代码或人员姓名"))
        self.count = self.pane.count

        self.propose_button = push_button(
            self,
            self.tr("按规则采集"),
            self.propose,
            self.tr("按截至今天的信用等级采集：A级企业列入红名单，{grades}的企业列入{kind}").format(
                grades=self._listed_grades_text(), kind=session.lists.kinds()[-1]
            ),
        )
        self.add_button = push_button(self, self.tr("手工采集…"), self.add_by_hand)
        self.export_button = push_button(
            self,
            self.tr("导出公布名单…"),
            self.export_publication,
            self.tr("导出已公布、尚在期内的名单，供向社会公布"),
        )
        self.pane.add_tools([self.propose_button, self.add_button], [self.export_button])

        self.detail = QTextBrowser(self)
        self.detail.setOpenLinks(False)
        self.detail.setPlaceholderText(
            self.tr("在上面的表中选择一条名单记录，查看事实、依据和办理经过。")
        )
        self.print_notice_button = push_button(
            self,
            self.tr("打印告知书"),
            self.print_notice,
            self.tr("预览、出具并打印列入名单告知书"),
        )
        self.notify_button = push_button(
            self,
            self.tr("已送达…"),
            self.notify_selected,
            self.tr("告知书已送达：登记送达日期，陈述申辩期开始计算"),
        )
        self.statement_button = push_button(self, self.tr("记录陈述申辩…"), self.record_statement)
        self.approve_button = push_button(self, self.tr("审核通过"), self.approve_selected)
        self.refuse_button = push_button(self, self.tr("不予列入…"), self.refuse_selected)
        self.publish_button = push_button(self, self.tr("公布…"), self.publish_selected)
        self.remove_button = push_button(self, self.tr("移出…"), self.remove_selected)
        self.early_button = push_button(
            self,
            self.tr("申请提前移出…"),
            self.apply_early_removal,
            self.tr("登记企业的提前移出申请，由审核员在“异议与修复 → 信用修复”中审核"),
        )
        self.role_note = QLabel(self)
        if session.role not in REVIEWERS:
            self.role_note.setText(self.tr("审核、公布和移出需要审核员或管理员权限。"))
        actions = action_box(
            self,
            self.tr("办理"),
            [
                (self.print_notice_button, self.notify_button),
                (self.statement_button, None),
                (self.approve_button, self.refuse_button),
                (self.publish_button, None),
                (self.remove_button, self.early_button),
            ],
            self.role_note,
        )
        self.pane.set_detail(self.detail, actions)
        self.action_buttons = {
            ListAction.PRINT_NOTICE: self.print_notice_button,
            ListAction.NOTIFY: self.notify_button,
            ListAction.RECORD_STATEMENT: self.statement_button,
            ListAction.APPROVE: self.approve_button,
            ListAction.REFUSE: self.refuse_button,
            ListAction.PUBLISH: self.publish_button,
            ListAction.REMOVE: self.remove_button,
            ListAction.APPLY_EARLY_REMOVAL: self.early_button,
        }

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.pane, 1)
        self.pane.selection_changed.connect(self._on_selected)
        self.refresh()

    def _columns(self) -> list[Column[core.ListEntry]]:
        def due_tip(e: core.ListEntry) -> str:
            if e.stage != "告知" or e.statement_due is None:
                return ""
            if e.statement_due < date.today():
                return self.tr("陈述申辩期已满，可以审核")
            return self.tr("陈述申辩期内：收到陈述申辩或期满后才能审核列入")

        titles = [self.tr(c) for c in COLUMNS]
        return [
            Column(titles[0], lambda e: str(e.id), sort_key=lambda e: e.id, align="right"),
            Column(titles[1], lambda e: e.list_kind),
            Column(titles[2], lambda e: e.uscc),
            Column(titles[3], lambda e: e.unit_name, stretch=True),
            Column(titles[4], lambda e: e.subject, widest=WIDEST),
            Column(
                titles[5],
                lambda e: e.stage,
                colour=lambda e: STAGE_COLOURS.get(e.stage, "#000000"),
                tooltip=lambda e: e.review_note if e.stage == "不予列入" else "",
            ),
            Column(titles[6], lambda e: e.source),
            Column(titles[7], lambda e: e.proposed_by),
            Column(titles[8], lambda e: iso(e.notified_on)),
            Column(titles[9], lambda e: iso(e.statement_due), tooltip=due_tip),
            Column(titles[10], lambda e: e.reviewed_by or ""),
            Column(titles[11], lambda e: iso(e.published_on)),
            Column(titles[12], lambda e: iso(e.ends_on)),
            Column(titles[13], _removed, widest=WIDEST),
        ]

    def _listed_grades_text(self) -> str:
        # a list with grounds of its own (fenghuang's 黑名单, seed 002) names no grade
        grades = self.session.profile.listed_grades
        return "、".join(f"{g}级" for g in grades) or self.tr("符合列入情形")

    # -- reading --------------------------------------------------------------------------
    @operation
    def refresh(self) -> None:
        expired = self.session.lists.expire()
        if expired:  # periods ended since last read: every page that shows lists hears
            self.bus.status_message.emit(
                self.tr("{count} 条名单记录期满，已自动移出。").format(count=len(expired))
            )
        self.pane.refresh()

    def _load(self) -> list[core.ListEntry]:
        return self.session.lists.entries(
            list_kind=self.kind.currentData(),
            stage=self.stage.currentData(),
            search=self.search.text().strip(),
        )

    def selected_entry(self) -> core.ListEntry | None:
        return self.pane.selected()

    def select_entry(self, entry_id: int) -> bool:
        return self.pane.select_id(entry_id)

    def _on_selected(self) -> None:
        entry = self.selected_entry()
        self.detail.setHtml(self.detail_html(entry) if entry is not None else "")
        self._update_buttons(entry)

    def detail_html(self, e: core.ListEntry) -> str:
        colour = STAGE_COLOURS.get(e.stage, "#000000")
        number = self.tr("第 {id} 号").format(id=e.id)
        head = (
            f"<p><b>{escape(number)}　{escape(e.list_kind)}"
            f"　<span style='color:{colour};'>{escape(e.stage)}</span></b></p>"
        )
        period = (
            self.tr("{months} 个月（自列入之日起，不对外公布）")
            if self.session.lists.publication_refused() is not None
            else self.tr("{months} 个月（自公布之日起）")
        ).format(months=e.period_months)
        about = html_rows(
            [
                (self.tr("列入对象"), escape(e.subject)),
                (self.tr("统一社会信用代码"), escape(e.uscc)),
                (self.tr("列入期限"), escape(period)),
                (self.tr("事实"), para(e.facts)),
                (self.tr("依据"), para(e.basis)),
            ]
        )
        source = self.tr("按规则采集") if e.source == "规则" else self.tr("手工采集")
        steps: list[tuple[str, str]] = [
            (self.tr("采集"), escape(f"{iso(e.proposed_on)}　{e.proposed_by}　{source}"))
        ]
        if e.notified_on is not None:
            served = self.tr("{served} 告知书送达，陈述申辩期至 {due}").format(
                served=iso(e.notified_on), due=iso(e.statement_due)
            )
            steps.append((self.tr("告知"), escape(served)))
        if e.stage == "告知" or e.statement:
            said = para(e.statement) if e.statement else escape(self.tr("尚未收到"))
            steps.append((self.tr("陈述申辩"), said))
        if e.reviewed_on is not None:
            verdict = self.tr("不予列入") if e.stage == "不予列入" else self.tr("审核通过")
            text = f"{iso(e.reviewed_on)}　{e.reviewed_by or ''}　{verdict}"
            if e.review_note:
                text += f"：{e.review_note}"
            steps.append((self.tr("审核"), escape(text)))
        if e.published_on is not None:
            published = self.tr("{published} 公布，期满日期 {ends}").format(
                published=iso(e.published_on), ends=iso(e.ends_on)
            )
            steps.append((self.tr("公布"), escape(published)))
        elif e.stage == "内部管理" or (e.reviewed_on is not None and e.ends_on is not None):
            internal = self.tr("{listed} 列入，内部管理，不对外公布；期满日期 {ends}").format(
                listed=iso(e.reviewed_on), ends=iso(e.ends_on)
            )
            steps.append((self.tr("列入"), escape(internal)))
        if e.removed_on is not None:
            removed = f"{iso(e.removed_on)}　{e.removed_by or ''}　{e.removal_reason or ''}"
            steps.append((self.tr("移出"), escape(removed)))
        # tr outside the f-string: lupdate does not look inside one
        steps_title = escape(self.tr("办理经过"))
        return head + about + f"<p><b>{steps_title}</b></p>" + html_rows(steps)

    def _update_buttons(self, e: core.ListEntry | None) -> None:
        allowed = self.session.lists.allowed_actions(e) if e is not None else set()
        enable_for(allowed, self.action_buttons)
        # kundulun: lists are internal, never published (grading.md Revision 2 item 7)
        self.publish_button.setToolTip(self.session.lists.publication_refused() or "")

    # -- acting ---------------------------------------------------------------------------
    def _done(self, entry_id: int, message: str) -> None:
        """After a step: the pages hear of it, this one shows the entry (clearing the
        filters if they hide it) and the status bar says what was done."""
        publish(self)
        self.pane.show_id(entry_id)
        self.bus.status_message.emit(message)

    def _step(self, call: Callable[[], core.ListEntry], dialog: QWidget, message: str) -> bool:
        """One step asked for without a dialog (审核通过): True when it went through."""
        done: list[core.ListEntry] = []
        if not attempt(dialog, lambda: done.append(call())):
            return False
        self._done(done[0].id, message.format(id=done[0].id))
        return True

    @operation
    def propose(self) -> list[core.ListEntry] | None:
        if not confirm(
            self,
            self.tr("按规则采集"),
            self.tr(
                "将按截至今天的信用等级采集名单信息：A级企业采集到红名单，{grades}的企业"
                "采集到{kind}。已在名单办理中或在公布期内的不重复采集。\n\n"
                "采集后还要经过告知、审核和公布。确定采集吗？"
            ).format(grades=self._listed_grades_text(), kind=self.session.lists.kinds()[-1]),
        ):
            return None
        created = run_with_progress(
            self,
            self.tr("正在按规则采集…"),
            lambda own, report: own.lists.propose(progress=report),
            session=self.session,
            cancellable=False,
        )
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
        self.bus.status_message.emit(
            self.tr("已按规则采集 {count} 条：{parts}。").format(count=len(created), parts=parts)
        )
        return created

    def add_by_hand(self) -> core.ListEntry | None:
        created = run_for(self.exec_dialog, ManualEntryDialog(self), lambda d: d.created)
        if created is not None:
            self._done(
                created.id,
                self.tr("已采集第 {id} 号：{subject}（{kind}）。").format(
                    id=created.id, subject=created.subject, kind=created.list_kind
                ),
            )
        return created

    def print_notice(self) -> DocumentDialog | None:
        e = self.selected_entry()
        if e is None:
            return None
        notice = self.tr("列入名单告知书")
        stem = self.tr("列入名单告知书（{subject}）").format(subject=e.subject)
        return page_document(
            self, core.DocumentRequest("listing-notice", listing_id=e.id), notice, stem
        )

    def _on_selected_step(
        self,
        title: str,
        intro: str,
        act: Callable[[core.ListEntry, StepDialog], core.ListEntry],
        message: str,
        **fields: Any,
    ) -> None:
        """The dialog of one step on the selected entry: ``intro`` says what is done (its
        {id}, {subject}, {kind} and {months} are the entry's), ``fields`` are StepDialog's
        (a date, a text, the 确定 text), ``act`` does it; ``message`` (with {id}) goes to
        the status bar."""
        e = self.selected_entry()
        if e is None:
            return
        about = intro.format(id=e.id, subject=e.subject, kind=e.list_kind, months=e.period_months)
        done = run_step(self.exec_dialog, self, title, about, lambda d: act(e, d), **fields)
        if done is not None:
            self._done(done.id, message.format(id=done.id))

    def notify_selected(self) -> None:
        self._on_selected_step(
            self.tr("告知书已送达"),
            self.tr(
                "第 {id} 号：{subject}\n登记列入名单告知书的送达日期。陈述申辩期自送达"
                "之日起计算，期满或收到陈述申辩后才能审核列入。"
            ),
            lambda e, d: self.session.lists.notify(e.id, served_on=d.day()),
            self.tr("第 {id} 号：已登记告知书送达。"),
            date_label=self.tr("送达日期"),
            latest=date.today(),
        )

    def record_statement(self) -> None:
        e = self.selected_entry()
        self._on_selected_step(
            self.tr("记录陈述申辩"),
            self.tr("第 {id} 号：{subject}\n记录企业（或当事人）的陈述、申辩意见，供审核时参考。"),
            lambda e, d: self.session.lists.record_statement(e.id, d.text()),
            self.tr("第 {id} 号：已记录陈述申辩。"),
            text_label=self.tr("陈述申辩"),
            text=e.statement if e is not None else "",
            placeholder=self.tr("收到日期、方式和主要意见"),
        )

    def approve_selected(self) -> bool:
        e = self.selected_entry()
        if e is None:
            return False
        internal = self.session.lists.publication_refused() is not None
        question = (
            self.tr("审核通过第 {id} 号（{subject}，{kind}）？通过后转为待公布。")
            if not internal
            else self.tr(
                "审核通过第 {id} 号（{subject}，{kind}）？通过后即列入，内部管理，不对外公布。"
            )
        )
        text = question.format(id=e.id, subject=e.subject, kind=e.list_kind)
        if not confirm(self, self.tr("审核通过"), text):
            return False
        return self._step(
            lambda: self.session.lists.review(e.id, approve=True),
            self,
            self.tr("第 {id} 号：审核通过，待公布。")
            if not internal
            else self.tr("第 {id} 号：审核通过，已列入（内部管理）。"),
        )

    def refuse_selected(self) -> None:
        self._on_selected_step(
            self.tr("不予列入"),
            self.tr("第 {id} 号：{subject}\n不予列入{kind}，请填写理由。"),
            lambda e, d: self.session.lists.review(e.id, approve=False, note=d.text()),
            self.tr("第 {id} 号：不予列入。"),
            text_label=self.tr("理由"),
            ok_text=self.tr("不予列入"),
        )

    def publish_selected(self) -> None:
        self._on_selected_step(
            self.tr("公布"),
            self.tr(
                "第 {id} 号：{subject}\n公布到{kind}。列入期限 {months} 个月，自公布之日起计算。"
            ),
            lambda e, d: self.session.lists.publish(e.id, published_on=d.day()),
            self.tr("第 {id} 号：已公布。"),
            date_label=self.tr("公布日期"),
            ok_text=self.tr("公布"),
        )

    def remove_selected(self) -> None:
        self._on_selected_step(
            self.tr("移出名单"),
            self.tr(
                "第 {id} 号：{subject}\n从{kind}中移出（期满的由程序自动移出；企业申请"
                "提前移出的，请用“申请提前移出…”）。"
            ),
            lambda e, d: self.session.lists.remove(e.id, reason=d.text(), on=d.day()),
            self.tr("第 {id} 号：已移出。"),
            date_label=self.tr("移出日期"),
            text_label=self.tr("移出原因"),
            ok_text=self.tr("移出"),
        )

    def apply_early_removal(self) -> core.RepairApplication | None:
        e = self.selected_entry()
        if e is None:
            return None
        made = run_step(
            self.exec_dialog,
            self,
            self.tr("申请提前移出"),
            self.tr(
                "第 {id} 号：{subject}（{published} 公布）\n登记企业的提前移出申请。"
                "申请由审核员在“异议与修复 → 信用修复”中核实条件后批准或驳回。"
            ).format(id=e.id, subject=e.subject, published=iso(e.published_on)),
            lambda d: self.session.repairs.apply(
                table="list_entries", target_id=e.id, statement=d.text(), applied_on=d.day()
            ),
            date_label=self.tr("申请日期"),
            latest=date.today(),
            text_label=self.tr("申请理由"),
            placeholder=self.tr("企业陈述的整改情况和理由"),
            ok_text=self.tr("登记申请"),
        )
        if made is not None:
            self.bus.status_message.emit(
                self.tr("已登记第 {id} 号提前移出申请，待审核。").format(id=made.id)
            )
        return made

    @operation
    def export_publication(self) -> Path | None:
        kind = self.kind.currentData()
        if kind is None:
            kinds = list(self.session.lists.kinds())
            chosen, ok = QInputDialog.getItem(
                self, self.tr("导出公布名单"), self.tr("导出哪一个名单？"), kinds, 0, False
            )
            if not ok:
                return None
            kind = chosen
        name = f"{kind}公布名单-{date.today().isoformat()}"
        path = self.save_folder.ask_workbook(self, self.tr("导出公布名单"), name)
        if path is None:
            return None
        self.last_export = self.session.lists.export_publication(path, list_kind=str(kind))
        self.bus.status_message.emit(self.tr("已导出：{path}").format(path=self.last_export))
        return self.last_export
