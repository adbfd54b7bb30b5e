"""承诺书: units lacking a valid 安全生产承诺书 or 主要负责人履职尽责承诺书.

Lists ``publicity.commitment_gaps``; prints the missing letters for the ticked units in
one batch (the printer — or, when printing is cancelled, the file — is chosen first;
then the letters are numbered and registered by ``documents.issue``, a saved
file written before the numbers are committed), and records a letter that came back
signed (``record_commitment_signed``), after which the unit leaves the list.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QDate, Signal
from PySide6.QtGui import QColor
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.vocabulary import Table
from safecredit_desktop.core.model import CommitmentType
from safecredit_desktop.gui import printing
from safecredit_desktop.gui.blocks import Column, ListPane, PageHeading
from safecredit_desktop.gui.blocks.forms import date_edit, from_qdate
from safecredit_desktop.gui.blocks.page_parts import SubmitDialog, confirm, dialog_buttons, stacked
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.operations import attempt, operation, publish
from safecredit_desktop.gui.pages import LazyPage
from safecredit_desktop.gui.workers import run_with_progress

MARK = "✔"
RED = QColor("#c62828")
ALL = "（全部）"
LACKS_UNIT = QT_TRANSLATE_NOOP("CommitmentsPage", "缺单位承诺")
LACKS_DUTY = QT_TRANSLATE_NOOP("CommitmentsPage", "缺履职尽责承诺")
# document kind → (what a gap must lack, the commitment type it stands for)
_LETTERS = {
    "commitment": CommitmentType.UNIT,
    "duty-commitment": CommitmentType.MAIN_PERSON_DUTY,
}


def _lacks(gap: core.CommitmentGap, kind: str) -> bool:
    return gap.lacks_unit if kind == CommitmentType.UNIT else gap.lacks_duty


def _numbers_text(numbers: list[str]) -> str:
    if len(numbers) <= 3:
        return "、".join(numbers)
    return f"{numbers[0]} 至 {numbers[-1]}"


class SignedDialog(SubmitDialog):
    """登记签署: which letter, when, by whom; 确定 closes only when the save succeeds."""

    def __init__(self, parent: QWidget | None, gap: core.CommitmentGap) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("登记承诺书签署"))
        about = QLabel(f"{gap.name}（{gap.uscc}）", self)
        about.setWordWrap(True)
        about.setStyleSheet("font-weight: bold;")
        self.kind = QComboBox(self)
        for kind in CommitmentType:
            missing = _lacks(gap, kind)
            label = kind.value + (self.tr("（缺）") if missing else self.tr("（已有）"))
            self.kind.addItem(label, kind.value)
        self.kind.setCurrentIndex(0 if gap.lacks_unit else 1)
        self.signed_on = date_edit(self)
        self.signed_on.setMaximumDate(QDate.currentDate())
        self.signer = QLineEdit(gap.main_person, self)
        self.signer.setPlaceholderText(self.tr("签署人姓名"))
        form = QFormLayout()
        form.addRow(self.tr("承诺书"), self.kind)
        form.addRow(self.tr("签署日期"), self.signed_on)
        form.addRow(self.tr("签署人"), self.signer)
        stacked(self, about, form, dialog_buttons(self, self.tr("登记")))
        self.setMinimumWidth(400)

    def signed_date(self) -> date:
        return from_qdate(self.signed_on.date())


class CommitmentsPage(LazyPage):
    """承诺书. ``CommitmentsPage(session, bus, parent=None)``; ``unit_activated(unit_id)``
    on a double-click, for the window to open the unit."""

    unit_activated = Signal(int)
    watched = frozenset({Table.COMMITMENTS, Table.UNITS, Table.DOCUMENTS})

    def __init__(self, session: core.Session, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(session, bus, parent)
        self._gaps: list[core.CommitmentGap] = []
        self._ticked: set[int] = set()
        self.last_result: core.IssueResult | None = None
        names = {k.kind: k.name for k in session.documents.kinds()}
        self._names = {kind: names.get(kind, kind) for kind in _LETTERS}
        self.page_title = self.tr("承诺书")
        self.heading = PageHeading(
            self,
            self.page_title,
            self.tr(
                "下列单位缺少有效的{unit}或{duty}（已关闭的单位不列入）。勾选单位后可批量"
                "出具、打印承诺书；承诺书签署交回后点“登记签署…”，单位即从本表移出。"
            ).format(unit=self._names["commitment"], duty=self._names["duty-commitment"]),
        )

        self.lack_filter = QComboBox(self)
        self.lack_filter.addItems([ALL, LACKS_UNIT, LACKS_DUTY])
        self.pane: ListPane[core.CommitmentGap] = ListPane(
            self,
            self._columns(),
            lambda g: g.unit_id,
            self._shown_gaps,
            on_check=self._on_check,
            count_text=self._count_text,
        )
        self.table = self.pane.table
        self.pane.add_filter(self.tr("缺少"), self.lack_filter)
        self.search = self.pane.add_search(self.tr("单位名称、统一社会信用代码或主要负责人"))
        self.count_label = self.pane.count
        self.pane.set_empty_text(self.tr("所有单位的承诺书都已签署在案。"))
        self.empty_label = self.pane.empty_label
        self.empty_label.setStyleSheet("color: #2e7d32;")

        self.tick_all_button = QPushButton(self.tr("勾选列表中全部"), self)
        self.clear_button = QPushButton(self.tr("清空勾选"), self)
        self.ticked_label = QLabel(self)
        self.print_unit_button = QPushButton(self.tr("批量打印承诺书…"), self)
        self.print_unit_button.setToolTip(
            self.tr("为勾选的、缺少{name}的单位各出具一份（编文号、登记），然后打印").format(
                name=self._names["commitment"]
            )
        )
        self.print_duty_button = QPushButton(self.tr("批量打印履职尽责承诺书…"), self)
        self.print_duty_button.setToolTip(
            self.tr("为勾选的、缺少{name}的单位各出具一份（编文号、登记），然后打印").format(
                name=self._names["duty-commitment"]
            )
        )
        self.signed_button = QPushButton(self.tr("登记签署…"), self)
        self.signed_button.setToolTip(self.tr("登记选中单位交回的已签署承诺书"))
        self.pane.add_tools([self.tick_all_button, self.clear_button, self.ticked_label])
        self.pane.add_buttons(
            [self.print_unit_button, self.print_duty_button], [self.signed_button]
        )

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.pane, 1)
        self._connect_signals()

    def _columns(self) -> list[Column[core.CommitmentGap]]:
        return [
            Column(
                self.tr("统一社会信用代码"),
                lambda g: g.uscc,
                checked=lambda g: g.unit_id in self._ticked,
            ),
            Column(self.tr("单位名称"), lambda g: g.name, stretch=True),
            Column(self.tr("主要负责人"), lambda g: g.main_person or "—"),
            Column(
                self.tr(LACKS_UNIT),
                lambda g: MARK if g.lacks_unit else "",
                colour=lambda g: RED if g.lacks_unit else None,
                align="center",
            ),
            Column(
                self.tr(LACKS_DUTY),
                lambda g: MARK if g.lacks_duty else "",
                colour=lambda g: RED if g.lacks_duty else None,
                align="center",
            ),
        ]

    def _connect_signals(self) -> None:
        self.pane.selection_changed.connect(self._update_buttons)
        self.pane.activated.connect(lambda gap: self.unit_activated.emit(gap.unit_id))
        self.tick_all_button.clicked.connect(self.tick_listed)
        self.clear_button.clicked.connect(self.clear_ticks)
        self.print_unit_button.clicked.connect(lambda: self.print_letters("commitment"))
        self.print_duty_button.clicked.connect(lambda: self.print_letters("duty-commitment"))
        self.signed_button.clicked.connect(self.record_signed)

    # -- reading ------------------------------------------------------------------------
    @operation
    def refresh(self) -> None:
        self._stale = False
        self._gaps = []
        try:
            self._gaps = self.session.publicity.commitment_gaps()
        finally:
            self._ticked &= {g.unit_id for g in self._gaps}
            self.apply_filters()

    def _matches(self, gap: core.CommitmentGap) -> bool:
        lack = self.lack_filter.currentText()
        if lack == LACKS_UNIT and not gap.lacks_unit:
            return False
        if lack == LACKS_DUTY and not gap.lacks_duty:
            return False
        words = self.search.text().strip().lower().split()
        haystack = f"{gap.uscc} {gap.name} {gap.main_person}".lower()
        return all(w in haystack for w in words)

    def _shown_gaps(self) -> list[core.CommitmentGap]:
        return [g for g in self._gaps if self._matches(g)]

    def _count_text(self, shown: int) -> str:
        return self.tr("缺单位承诺 {unit} 家，缺履职尽责承诺 {duty} 家；列出 {shown} 家").format(
            unit=sum(g.lacks_unit for g in self._gaps),
            duty=sum(g.lacks_duty for g in self._gaps),
            shown=shown,
        )

    def apply_filters(self) -> None:
        self.pane.refresh()
        self.empty_label.setVisible(not self._gaps)
        self._update_ticked()

    def gaps(self) -> list[core.CommitmentGap]:
        return list(self._gaps)

    def ticked(self) -> tuple[int, ...]:
        return tuple(sorted(self._ticked))

    def tick(self, unit_ids: list[int] | tuple[int, ...]) -> None:
        known = {g.unit_id for g in self._gaps}
        self._ticked.update(u for u in unit_ids if u in known)
        self.pane.model.refresh_rows()
        self._update_ticked()

    def tick_listed(self) -> None:
        self.tick([g.unit_id for g in self.pane.rows()])

    def clear_ticks(self) -> None:
        self._ticked.clear()
        self.pane.model.refresh_rows()
        self._update_ticked()

    def _on_check(self, gap: core.CommitmentGap, ticked: bool) -> None:
        if ticked:
            self._ticked.add(gap.unit_id)
        else:
            self._ticked.discard(gap.unit_id)
        self._update_ticked()

    def _update_ticked(self) -> None:
        ticked = [g for g in self._gaps if g.unit_id in self._ticked]
        self.ticked_label.setText(
            self.tr("已勾选 {count} 家（缺单位承诺 {unit} 家，缺履职尽责承诺 {duty} 家）").format(
                count=len(ticked),
                unit=sum(g.lacks_unit for g in ticked),
                duty=sum(g.lacks_duty for g in ticked),
            )
        )
        self.clear_button.setEnabled(bool(ticked))
        self.print_unit_button.setEnabled(any(g.lacks_unit for g in ticked))
        self.print_duty_button.setEnabled(any(g.lacks_duty for g in ticked))
        self._update_buttons()

    def current_gap(self) -> core.CommitmentGap | None:
        return self.pane.selected()

    def select_unit(self, unit_id: int, *, clear_filters: bool = True) -> bool:
        if clear_filters:
            return self.pane.show_id(unit_id)
        return self.pane.select_id(unit_id)

    def _update_buttons(self) -> None:
        self.signed_button.setEnabled(self.current_gap() is not None)

    # -- acting -------------------------------------------------------------------------
    @operation
    def print_letters(self, kind: str) -> core.IssueResult | None:
        """Issue ``kind`` ("commitment" / "duty-commitment") for the ticked units that
        lack it, one numbered letter each, and print them — or save them, when the print
        dialog is cancelled. The printer or the file is chosen before any number is
        taken; cancelling both issues nothing."""
        name = self._names[kind]
        ticked = [g for g in self._gaps if g.unit_id in self._ticked]
        wanted = tuple(g.unit_id for g in ticked if _lacks(g, _LETTERS[kind]))
        if not wanted:
            QMessageBox.warning(
                self,
                self.tr("批量打印"),
                self.tr("请先勾选缺少“{name}”的单位。").format(name=name),
            )
            return None
        skipped = len(ticked) - len(wanted)
        prefix = self.session.documents.prefixes().get(kind, "")
        question = self.tr(
            "将为 {count} 家单位各出具一份“{name}”，每份按顺序编一个文号（{prefix}〔{year}〕×号），"
            "登记后不能修改或删除。"
        ).format(count=len(wanted), name=name, prefix=prefix, year=date.today().year)
        if skipped:
            question += self.tr("\n勾选的另外 {count} 家单位已有该承诺书，不出具。").format(
                count=skipped
            )
        question += self.tr("\n\n确定出具并打印吗？")
        if not confirm(self, self.tr("批量打印"), question):
            return None
        title = (
            name
            if len(wanted) == 1
            else self.tr("{name}（{count}份）").format(name=name, count=len(wanted))
        )
        printer, target = self._choose_output(title)
        if printer is None and target is None:
            return None  # both dialogs cancelled: nothing issued
        request = core.DocumentRequest(kind, unit_ids=wanted)

        def deliver(pdf: bytes) -> None:
            if target is not None:
                printing.write_pdf(target, pdf)

        result = run_with_progress(
            self,
            self.tr("正在出具{name}…").format(name=name),
            lambda own, report: own.documents.issue(request, progress=report, deliver=deliver),
            session=self.session,
        )
        self.last_result = result
        publish(self)
        message = self._issued_message(result)
        self.bus.status_message.emit(message)
        if printer is not None:
            if printing.print_on(printer, result.pdf):
                self.bus.status_message.emit(message + self.tr("已送往打印机。"))
        elif target is not None:
            self.bus.status_message.emit(message + self.tr("已保存：{path}").format(path=target))
        return result

    def _choose_output(self, title: str) -> tuple[QPrinter | None, Path | None]:
        """The printer; when printing is cancelled, whether to save a PDF and where."""
        printer = printing.choose_printer(self, title=title)
        if printer is not None:
            return printer, None
        if not confirm(
            self,
            self.tr("未打印"),
            self.tr(
                "没有选择打印机。是否改为出具后保存为 PDF 文件？以后也可在“文书 → 文书登记”"
                "中重印。\n选“否”则不出具，不占用文号。"
            ),
            default=QMessageBox.StandardButton.Yes,
        ):
            return None, None
        return None, printing.ask_pdf_path(self, title)

    def _issued_message(self, result: core.IssueResult) -> str:
        parts = []
        if result.issued:
            parts.append(
                self.tr("已出具 {count} 份：{numbers}").format(
                    count=len(result.issued),
                    numbers=_numbers_text([d.doc_no for d in result.issued]),
                )
            )
        if result.reprinted:
            parts.append(
                self.tr("{count} 份与已出具的相同，按原文号重印：{numbers}").format(
                    count=len(result.reprinted),
                    numbers=_numbers_text([d.doc_no for d in result.reprinted]),
                )
            )
        return "；".join(parts) + self.tr("。")

    def record_signed(self) -> int | None:
        gap = self.current_gap()
        if gap is None:
            QMessageBox.warning(self, self.tr("登记签署"), self.tr("请先在列表中选择一家单位。"))
            return None
        dialog = SignedDialog(self, gap)
        saved: list[tuple[int, str]] = []

        def submit() -> bool:
            kind = str(dialog.kind.currentData())
            return attempt(
                dialog,
                lambda: saved.append(
                    (
                        self.session.publicity.record_commitment_signed(
                            unit_id=gap.unit_id,
                            kind=kind,
                            signed_on=dialog.signed_date(),
                            signer=dialog.signer.text().strip(),
                        ),
                        kind,
                    )
                ),
            )

        dialog.run(submit)
        if not saved:
            return None
        new_id, kind = saved[0]
        self.refresh_if_stale()
        self.bus.status_message.emit(
            self.tr("已登记 {name} 的{kind}书。").format(name=gap.name, kind=kind)
        )
        return new_id
