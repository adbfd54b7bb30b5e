"""承诺书: units lacking a valid 安全生产承诺书 or 主要负责人履职尽责承诺书.

Lists ``services.commitment_gaps``; prints the missing letters for the ticked units in
one batch (numbered and registered by ``services.issue_documents``, then printed or
saved), and records a letter that came back signed (``record_commitment_signed``),
after which the unit leaves the list.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import services
from safecredit_desktop.core.errors import Cancelled, SafeCreditError
from safecredit_desktop.core.model import CommitmentType
from safecredit_desktop.gui import printing
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.pages import LazyPage
from safecredit_desktop.gui.widgets import readonly_table
from safecredit_desktop.gui.workers import run_with_progress

ID_ROLE = Qt.ItemDataRole.UserRole
DEBOUNCE_MS = 250
MARK = "✔"
RED = QColor("#c62828")
ALL = "（全部）"
LACKS_UNIT = "缺单位承诺"
LACKS_DUTY = "缺履职尽责承诺"
# document kind → (what a gap must lack, the commitment type it stands for)
_LETTERS = {
    "commitment": CommitmentType.UNIT,
    "duty-commitment": CommitmentType.MAIN_PERSON_DUTY,
}


def _lacks(gap: services.CommitmentGap, kind: str) -> bool:
    return gap.lacks_unit if kind == CommitmentType.UNIT else gap.lacks_duty


def _numbers_text(numbers: list[str]) -> str:
    if len(numbers) <= 3:
        return "、".join(numbers)
    return f"{numbers[0]} 至 {numbers[-1]}"


class SignedDialog(QDialog):
    """登记签署: which letter, when, by whom; 确定 closes only when the save succeeds."""

    def __init__(self, parent: QWidget | None, gap: services.CommitmentGap) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("登记承诺书签署"))
        self.submit: Callable[[], bool] = lambda: True
        about = QLabel(f"{gap.name}（{gap.uscc}）", self)
        about.setWordWrap(True)
        about.setStyleSheet("font-weight: bold;")
        self.kind = QComboBox(self)
        for kind in CommitmentType:
            missing = _lacks(gap, kind)
            label = kind.value + (self.tr("（缺）") if missing else self.tr("（已有）"))
            self.kind.addItem(label, kind.value)
        self.kind.setCurrentIndex(0 if gap.lacks_unit else 1)
        self.signed_on = QDateEdit(QDate.currentDate(), self)
        self.signed_on.setCalendarPopup(True)
        self.signed_on.setDisplayFormat("yyyy-MM-dd")
        self.signed_on.setMaximumDate(QDate.currentDate())
        self.signer = QLineEdit(gap.main_person, self)
        self.signer.setPlaceholderText(self.tr("签署人姓名"))
        form = QFormLayout()
        form.addRow(self.tr("承诺书"), self.kind)
        form.addRow(self.tr("签署日期"), self.signed_on)
        form.addRow(self.tr("签署人"), self.signer)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("登记"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(400)

    def signed_date(self) -> date:
        value = self.signed_on.date()
        return date(value.year(), value.month(), value.day())

    def accept(self) -> None:
        if self.submit():
            super().accept()


class CommitmentsPage(LazyPage):
    """承诺书. ``CommitmentsPage(session, bus, parent=None)``; ``unit_activated(unit_id)``
    on a double-click, for the window to open the unit."""

    unit_activated = Signal(int)
    watched = frozenset({"*", "commitments", "units"})

    def __init__(
        self, session: services.Session, bus: DataBus, parent: QWidget | None = None
    ) -> None:
        super().__init__(session, bus, parent)
        self._gaps: list[services.CommitmentGap] = []
        self._shown: list[services.CommitmentGap] = []
        self._ticked: set[int] = set()
        self.last_result: services.IssueResult | None = None
        names = {k.kind: k.name for k in services.document_kinds(session)}
        self._names = {kind: names.get(kind, kind) for kind in _LETTERS}

        heading = QLabel(self.tr("承诺书"), self)
        heading.setStyleSheet("font-size: 18px; font-weight: bold;")
        about = QLabel(
            self.tr(
                "下列单位缺少有效的{names}或{names2}（已关闭的单位不列入）。勾选单位后可批量出具、"
                "打印承诺书；承诺书签署交回后点“登记签署…”，单位即从本表移出。"
            ).format(names=self._names["commitment"], names2=self._names["duty-commitment"]),
            self,
        )
        about.setWordWrap(True)
        about.setStyleSheet("color: #555;")

        self.lack_filter = QComboBox(self)
        self.lack_filter.addItems([ALL, LACKS_UNIT, LACKS_DUTY])
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("单位名称、统一社会信用代码或主要负责人"))
        self.search.setClearButtonEnabled(True)
        self.count_label = QLabel(self)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("缺少"), self))
        filters.addWidget(self.lack_filter)
        filters.addWidget(QLabel(self.tr("查找"), self))
        filters.addWidget(self.search, 1)
        filters.addWidget(self.count_label)

        self.table = readonly_table(
            self,
            [
                self.tr("统一社会信用代码"),
                self.tr("单位名称"),
                self.tr("主要负责人"),
                self.tr(LACKS_UNIT),
                self.tr(LACKS_DUTY),
            ],
        )
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.empty_label = QLabel(self.tr("所有单位的承诺书都已签署在案。"), self)
        self.empty_label.setStyleSheet("color: #2e7d32;")

        self.tick_all_button = QPushButton(self.tr("勾选列表中全部"), self)
        self.clear_button = QPushButton(self.tr("清空勾选"), self)
        self.ticked_label = QLabel(self)
        ticks = QHBoxLayout()
        ticks.addWidget(self.tick_all_button)
        ticks.addWidget(self.clear_button)
        ticks.addWidget(self.ticked_label)
        ticks.addStretch(1)

        self.print_unit_button = QPushButton(self.tr("批量打印承诺书…"), self)
        self.print_unit_button.setToolTip(
            self.tr("为勾选的、缺少{names}的单位各出具一份（编文号、登记），然后打印").format(
                names=self._names["commitment"]
            )
        )
        self.print_duty_button = QPushButton(self.tr("批量打印履职尽责承诺书…"), self)
        self.print_duty_button.setToolTip(
            self.tr("为勾选的、缺少{names}的单位各出具一份（编文号、登记），然后打印").format(
                names=self._names["duty-commitment"]
            )
        )
        self.signed_button = QPushButton(self.tr("登记签署…"), self)
        self.signed_button.setToolTip(self.tr("登记选中单位交回的已签署承诺书"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_unit_button)
        buttons.addWidget(self.print_duty_button)
        buttons.addStretch(1)
        buttons.addWidget(self.signed_button)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(about)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(ticks)
        layout.addLayout(buttons)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.lack_filter.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(self._on_double_clicked)
        self.tick_all_button.clicked.connect(self.tick_listed)
        self.clear_button.clicked.connect(self.clear_ticks)
        self.print_unit_button.clicked.connect(lambda: self.print_letters("commitment"))
        self.print_duty_button.clicked.connect(lambda: self.print_letters("duty-commitment"))
        self.signed_button.clicked.connect(self.record_signed)

    # -- reading ------------------------------------------------------------------------
    def refresh(self) -> None:
        self._stale = False
        try:
            self._gaps = services.commitment_gaps(self.session)
        except SafeCreditError as exc:
            self._gaps = []
            self.count_label.setText(exc.message)
        self._ticked &= {g.unit_id for g in self._gaps}
        self.apply_filters()

    def _matches(self, gap: services.CommitmentGap) -> bool:
        lack = self.lack_filter.currentText()
        if lack == LACKS_UNIT and not gap.lacks_unit:
            return False
        if lack == LACKS_DUTY and not gap.lacks_duty:
            return False
        words = self.search.text().strip().lower().split()
        haystack = f"{gap.uscc} {gap.name} {gap.main_person}".lower()
        return all(w in haystack for w in words)

    def apply_filters(self) -> None:
        self._search_timer.stop()
        keep = self.current_gap()
        self._shown = [g for g in self._gaps if self._matches(g)]
        table = self.table
        table.setUpdatesEnabled(False)
        table.blockSignals(True)
        try:
            table.clearSelection()
            table.setRowCount(len(self._shown))
            for row, gap in enumerate(self._shown):
                code = QTableWidgetItem(gap.uscc)
                code.setData(ID_ROLE, gap.unit_id)
                code.setFlags(code.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                ticked = gap.unit_id in self._ticked
                code.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
                table.setItem(row, 0, code)
                table.setItem(row, 1, QTableWidgetItem(gap.name))
                table.setItem(row, 2, QTableWidgetItem(gap.main_person or "—"))
                for column, missing in ((3, gap.lacks_unit), (4, gap.lacks_duty)):
                    mark = QTableWidgetItem(MARK if missing else "")
                    mark.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    if missing:
                        mark.setForeground(RED)
                    table.setItem(row, column, mark)
        finally:
            table.blockSignals(False)
            table.setUpdatesEnabled(True)
        if keep is not None:
            self.select_unit(keep.unit_id, clear_filters=False)
        self.empty_label.setVisible(not self._gaps)
        self.count_label.setText(
            self.tr("缺单位承诺 {sum} 家，缺履职尽责承诺 {sum2} 家；列出 {count} 家").format(
                sum=str(sum(g.lacks_unit for g in self._gaps)),
                sum2=str(sum(g.lacks_duty for g in self._gaps)),
                count=str(len(self._shown)),
            )
        )
        self._update_ticked()

    def gaps(self) -> list[services.CommitmentGap]:
        return list(self._gaps)

    def ticked(self) -> tuple[int, ...]:
        return tuple(sorted(self._ticked))

    def tick(self, unit_ids: list[int] | tuple[int, ...]) -> None:
        known = {g.unit_id for g in self._gaps}
        self._ticked.update(u for u in unit_ids if u in known)
        self._sync_ticks()

    def tick_listed(self) -> None:
        self.tick([g.unit_id for g in self._shown])

    def clear_ticks(self) -> None:
        self._ticked.clear()
        self._sync_ticks()

    def _sync_ticks(self) -> None:
        self.table.blockSignals(True)
        for row, gap in enumerate(self._shown):
            item = self.table.item(row, 0)
            if item is not None:
                ticked = gap.unit_id in self._ticked
                item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        self.table.blockSignals(False)
        self._update_ticked()

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != 0:
            return
        unit_id = int(item.data(ID_ROLE))
        if item.checkState() == Qt.CheckState.Checked:
            self._ticked.add(unit_id)
        else:
            self._ticked.discard(unit_id)
        self._update_ticked()

    def _update_ticked(self) -> None:
        ticked = [g for g in self._gaps if g.unit_id in self._ticked]
        self.ticked_label.setText(
            self.tr("已勾选 {count} 家（缺单位承诺 {sum} 家，缺履职尽责承诺 {sum2} 家）").format(
                count=str(len(ticked)),
                sum=str(sum(g.lacks_unit for g in ticked)),
                sum2=str(sum(g.lacks_duty for g in ticked)),
            )
        )
        self.clear_button.setEnabled(bool(ticked))
        self.print_unit_button.setEnabled(any(g.lacks_unit for g in ticked))
        self.print_duty_button.setEnabled(any(g.lacks_duty for g in ticked))
        self._update_buttons()

    def current_gap(self) -> services.CommitmentGap | None:
        model = self.table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        if len(rows) != 1 or rows[0].row() >= len(self._shown):
            return None
        return self._shown[rows[0].row()]

    def select_unit(self, unit_id: int, *, clear_filters: bool = True) -> bool:
        for attempt in range(2):
            for row, gap in enumerate(self._shown):
                if gap.unit_id == unit_id:
                    self.table.selectRow(row)
                    return True
            if attempt == 0 and clear_filters:
                self.lack_filter.setCurrentIndex(0)
                self.search.clear()
                self.apply_filters()
            else:
                break
        return False

    def _update_buttons(self) -> None:
        self.signed_button.setEnabled(self.current_gap() is not None)

    def _on_double_clicked(self, item: QTableWidgetItem) -> None:
        if 0 <= item.row() < len(self._shown):
            self.unit_activated.emit(self._shown[item.row()].unit_id)

    # -- acting -------------------------------------------------------------------------
    def _announce(self, table: str) -> None:
        self._announcing = True
        try:
            self.bus.data_changed.emit(table)
        finally:
            self._announcing = False

    def _refuse(self, title: str, exc: SafeCreditError) -> None:
        if isinstance(exc, Cancelled):
            self.bus.status_message.emit(exc.message)
            return
        QMessageBox.warning(self, title, exc.message)

    def print_letters(self, kind: str) -> services.IssueResult | None:
        """Issue ``kind`` ("commitment" / "duty-commitment") for the ticked units that
        lack it, one numbered letter each, then print them (or save them)."""
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
        prefix = services.document_prefixes(self.session).get(kind, "")
        question = self.tr(
            "将为 {count} 家单位各出具一份“{name}”，每份按顺序编一个文号（{prefix}〔{year}〕×号），"
            "登记后不能修改或删除。"
        ).format(count=str(len(wanted)), name=name, prefix=prefix, year=str(date.today().year))
        if skipped:
            question += self.tr("\n勾选的另外 {skipped} 家单位已有该承诺书，不出具。").format(
                skipped=str(skipped)
            )
        question += self.tr("\n\n确定出具并打印吗？")
        answer = QMessageBox.question(
            self,
            self.tr("批量打印"),
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
        request = services.DocumentRequest(kind, unit_ids=wanted)
        session = self.session
        try:
            result = run_with_progress(
                self,
                self.tr("正在出具{name}…").format(name=name),
                lambda report: services.issue_documents(session, request, progress=report),
            )
        except SafeCreditError as exc:
            self._refuse(self.tr("批量打印"), exc)
            return None
        self.last_result = result
        self._announce("documents")
        message = self._issued_message(result)
        self.bus.status_message.emit(message)
        count = len(result.issued) + len(result.reprinted)
        title = name if count == 1 else f"{name}（{count}份）"
        try:
            printed = printing.print_pdf(self, result.pdf, title=title)
        except SafeCreditError as exc:
            self._refuse(self.tr("打印"), exc)
            printed = False
        if printed:
            self.bus.status_message.emit(message + self.tr("已送往打印机。"))
            return result
        answer = QMessageBox.question(
            self,
            self.tr("未打印"),
            message
            + self.tr(
                "\n\n文书已登记，未打印。是否保存为 PDF 文件？以后也可在“文书 → 文书登记”中重印。"
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer == QMessageBox.StandardButton.Yes:
            first = result.issued[0].doc_no if result.issued else ""
            path = printing.save_pdf_bytes(self, result.pdf, f"{title}{first}")
            if path is not None:
                self.bus.status_message.emit(self.tr("已保存：{path}").format(path=str(path)))
        return result

    def _issued_message(self, result: services.IssueResult) -> str:
        parts = []
        if result.issued:
            parts.append(
                self.tr("已出具 {count} 份：{numbers_text}").format(
                    count=str(len(result.issued)),
                    numbers_text=_numbers_text([d.doc_no for d in result.issued]),
                )
            )
        if result.reprinted:
            parts.append(
                self.tr("{count} 份与已出具的相同，按原文号重印：{numbers_text}").format(
                    count=str(len(result.reprinted)),
                    numbers_text=_numbers_text([d.doc_no for d in result.reprinted]),
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
            try:
                new_id = services.record_commitment_signed(
                    self.session,
                    unit_id=gap.unit_id,
                    kind=kind,
                    signed_on=dialog.signed_date(),
                    signer=dialog.signer.text().strip(),
                )
            except SafeCreditError as exc:
                QMessageBox.warning(dialog, self.tr("登记签署"), exc.message)
                return False
            saved.append((new_id, kind))
            return True

        dialog.submit = submit
        dialog.exec()
        dialog.deleteLater()
        if not saved:
            return None
        new_id, kind = saved[0]
        self._announce("commitments")
        self.refresh()
        self.bus.status_message.emit(
            self.tr("已登记 {name} 的{kind}书。").format(name=gap.name, kind=kind)
        )
        return new_id
