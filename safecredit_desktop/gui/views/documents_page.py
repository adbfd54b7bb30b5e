"""文书: 出具文书 (choose a kind and what it is about, preview, issue and print or save)
and 文书登记 (the register of issued documents: search, view, reprint, save).

A preview takes no number. Issuing asks for the printer or the file first, then
numbers each document, stores the PDF and prints or saves it; a cancelled dialog
issues nothing. The register returns the stored file byte for byte.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.vocabulary import GRADE_INPUTS, Changes, Table
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.gui import printing
from safecredit_desktop.gui.blocks import Column, ListPane, PageHeading
from safecredit_desktop.gui.blocks.page_parts import button_row, confirm, refill
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.operations import operation, publish
from safecredit_desktop.gui.pages import Page
from safecredit_desktop.gui.pdf_preview import PdfPreview
from safecredit_desktop.gui.workers import run_with_progress

GRADES = ("A", "B", "C", "D")
ID_ROLE = Qt.ItemDataRole.UserRole
SEARCH_LIMIT = 200
REGISTER_LIMIT = 1000
DEBOUNCE_MS = 250
FILE_CACHE = 8  # stored files kept for previews in the register


def _date_of(edit: QDateEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


def _numbers_text(numbers: list[str]) -> str:
    if len(numbers) <= 3:
        return "、".join(numbers)
    return f"{numbers[0]} 至 {numbers[-1]}"


class UnitPicker(QWidget):
    """Search units, tick them; ``chosen()`` keeps ticks across searches and grades."""

    def __init__(self, session: core.Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._chosen: set[int] = set()
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("企业名称、统一社会信用代码或拼音首字母"))
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setMinimumHeight(150)
        self.tick_all = QPushButton(self.tr("勾选列表中全部"), self)
        self.clear_button = QPushButton(self.tr("清空"), self)
        self.count = QLabel(self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(self.tr("选择企业（可多选，每家出具一份）"), self))
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addLayout(button_row([self.tick_all, self.clear_button], [self.count]))

        self.search.textChanged.connect(lambda _text: self._timer.start())
        self._timer.timeout.connect(self.run_search)
        self.list.itemChanged.connect(self._on_item_changed)
        self.tick_all.clicked.connect(self._tick_listed)
        self.clear_button.clicked.connect(self.clear)
        self._update_count()

    def chosen(self) -> tuple[int, ...]:
        return tuple(sorted(self._chosen))

    def add(self, unit_ids: list[int]) -> int:
        """Tick ``unit_ids`` too; how many were not ticked before."""
        before = len(self._chosen)
        self._chosen.update(unit_ids)
        self._sync_checks()
        return len(self._chosen) - before

    def clear(self) -> None:
        self._chosen.clear()
        self._sync_checks()

    @operation(title="查找企业")
    def run_search(self) -> None:
        self._timer.stop()
        rows = self.session.units.search(self.search.text().strip(), SEARCH_LIMIT)
        self.list.blockSignals(True)
        self.list.clear()
        for unit_id, uscc, name in rows:
            item = QListWidgetItem(f"{name}（{uscc}）", self.list)
            item.setData(ID_ROLE, unit_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = unit_id in self._chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)
        if len(rows) >= SEARCH_LIMIT:
            self.list.setToolTip(
                self.tr("只列出前 {limit} 家，请输入更多文字缩小范围。").format(limit=SEARCH_LIMIT)
            )
        else:
            self.list.setToolTip("")
        self._update_count()

    def _sync_checks(self) -> None:
        self.list.blockSignals(True)
        for row in range(self.list.count()):
            item = self.list.item(row)
            checked = int(item.data(ID_ROLE)) in self._chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)
        self._update_count()

    def _tick_listed(self) -> None:
        self.add([int(self.list.item(r).data(ID_ROLE)) for r in range(self.list.count())])

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        unit_id = int(item.data(ID_ROLE))
        if item.checkState() == Qt.CheckState.Checked:
            self._chosen.add(unit_id)
        else:
            self._chosen.discard(unit_id)
        self._update_count()

    def _update_count(self) -> None:
        self.count.setText(self.tr("已选 {count} 家企业").format(count=f"{len(self._chosen):,}"))
        self.clear_button.setEnabled(bool(self._chosen))


class DocumentsPage(Page):
    """文书. ``DocumentsPage(session, bus, parent=None)``."""

    # the register, and what the documents' content and choices are made from
    watched = GRADE_INPUTS | {
        Table.DOCUMENTS,
        Table.DRAWS,
        Table.ASSESSMENTS,
        Table.REPAIR_APPLICATIONS,
    }

    def __init__(self, session: core.Session, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(session, bus, parent)
        self._kinds = session.documents.kinds()
        self._files: dict[int, bytes] = {}  # file_id → stored bytes, for previews
        self.last_result: core.IssueResult | None = None
        self.last_saved: Path | None = None

        self.page_title = self.tr("文书")
        heading = PageHeading(self, self.page_title)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._issue_tab(), self.tr("出具文书"))
        self.tabs.addTab(self._register_tab(), self.tr("文书登记"))
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.tabs, 1)

        self._on_kind_changed()
        self._fill_choices()
        self.units.run_search()
        self.refresh_register()

    # -- building: 出具文书 --------------------------------------------------------------
    def _issue_tab(self) -> QWidget:
        tab = QWidget(self)
        self.kind = QComboBox(tab)
        for k in self._kinds:
            self.kind.addItem(k.name, k.kind)
        self.kind.setToolTip(self.tr("每种文书的文号前缀在“设置 → 文书”中设定"))

        self.panes = QStackedWidget(tab)
        self.pane_of: dict[str, QWidget] = {}

        # units: picker, select by grade, as-of date, assessment
        units_pane = QWidget(tab)
        self.units = UnitPicker(self.session, units_pane)
        self.by_grade = QComboBox(units_pane)
        self.by_grade.addItem(self.tr("按等级全选…"), "")
        for grade in GRADES:
            self.by_grade.addItem(self.tr("{grade}级企业").format(grade=grade), grade)
        self.by_grade.setToolTip(self.tr("勾选截至日期信用等级为该级的全部企业"))
        self.as_of = QDateEdit(QDate.currentDate(), units_pane)
        self.as_of.setCalendarPopup(True)
        self.as_of.setDisplayFormat("yyyy-MM-dd")
        self.assessment = QComboBox(units_pane)
        self.assessment.setToolTip(
            self.tr("告知书中的信用等级：按截至日期实时评定，或用已确认的年度评定结果")
        )
        units_form = QFormLayout()
        units_form.setContentsMargins(0, 0, 0, 0)
        units_form.addRow(self.tr("截至日期"), self.as_of)
        units_form.addRow(self.tr("评定依据"), self.assessment)
        units_form.addRow(self.tr("批量选择"), self.by_grade)
        units_layout = QVBoxLayout(units_pane)
        units_layout.setContentsMargins(0, 0, 0, 0)
        units_layout.addWidget(self.units, 1)
        units_layout.addLayout(units_form)
        self._add_pane("units", units_pane)

        # year: the annual inspection plan
        year_pane = QWidget(tab)
        self.year = QSpinBox(year_pane)
        self.year.setRange(2000, 2100)
        self.year.setValue(date.today().year)
        self.year.setSuffix(self.tr(" 年度"))
        year_form = QFormLayout(year_pane)
        year_form.setContentsMargins(0, 0, 0, 0)
        year_form.addRow(self.tr("计划年度"), self.year)
        self._add_pane("year", year_pane)

        # draw: a 双随机 draw
        self.draw, self.draw_note = self._choice_pane(tab, "draw", self.tr("抽查记录"))

        # repair: an approved credit repair or early removal application
        self.repair, self.repair_note = self._choice_pane(tab, "repair", self.tr("修复申请"))
        self.repair.setToolTip(self.tr("已批准的信用修复或提前移出申请（编号同“异议与修复”页）"))

        # objection / listing: issued from the pages where they are handled
        later = QLabel(
            self.tr(
                "异议申请答复书在“异议与修复”页答复异议后出具；列入告知书和移出决定书"
                "在“名单管理”页按名单记录出具。出具后同样记入文书登记，可在此重印。"
            ),
            tab,
        )
        later.setWordWrap(True)
        later.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        later.setStyleSheet("color: #8a5a00;")
        self._add_pane("objection", later)
        self.pane_of["listing"] = later

        self.preview_button = QPushButton(self.tr("预览"), tab)
        self.preview_button.setToolTip(self.tr("生成文书样稿，不取文号、不登记"))
        self.print_button = QPushButton(self.tr("出具并打印…"), tab)
        self.save_button = QPushButton(self.tr("出具并保存为PDF…"), tab)
        self.preview_button.clicked.connect(self.preview)
        self.print_button.clicked.connect(lambda: self.issue(then="print"))
        self.save_button.clicked.connect(lambda: self.issue(then="save"))
        buttons = button_row([self.preview_button, self.print_button, self.save_button])
        self.issue_notes = QLabel(tab)
        self.issue_notes.setWordWrap(True)
        self.issue_notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        box = QGroupBox(self.tr("文书内容"), tab)
        box_layout = QVBoxLayout(box)
        kind_form = QFormLayout()
        kind_form.setContentsMargins(0, 0, 0, 0)
        kind_form.addRow(self.tr("文书种类"), self.kind)
        box_layout.addLayout(kind_form)
        box_layout.addWidget(self.panes, 1)
        left = QWidget(tab)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(box, 1)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.issue_notes)

        self.preview_view = PdfPreview(
            tab, self.tr("选择文书种类和对象后点击“预览”，样稿显示在这里。\n预览不取文号。")
        )
        splitter = QSplitter(Qt.Orientation.Horizontal, tab)
        splitter.addWidget(left)
        splitter.addWidget(self.preview_view)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([420, 640])
        layout = QVBoxLayout(tab)
        layout.addWidget(splitter)

        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self.by_grade.activated.connect(self._on_by_grade)
        return tab

    def _add_pane(self, needs: str, pane: QWidget) -> None:
        self.panes.addWidget(pane)
        self.pane_of[needs] = pane

    def _choice_pane(self, tab: QWidget, needs: str, label: str) -> tuple[QComboBox, QLabel]:
        """The pane of a document about one thing chosen from a list (a draw, an
        application): the list, and a note below it."""
        pane = QWidget(tab)
        choice = QComboBox(pane)
        choice.setMinimumContentsLength(24)
        note = QLabel(pane)
        note.setWordWrap(True)
        form = QFormLayout(pane)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(label, choice)
        form.addRow("", note)
        self._add_pane(needs, pane)
        return choice, note

    # -- building: 文书登记 --------------------------------------------------------------
    def _register_tab(self) -> QWidget:
        tab = QWidget(self)
        self.register_kind = QComboBox(tab)
        self.register_kind.addItem(self.tr("全部文书"), None)
        for k in self._kinds:
            self.register_kind.addItem(k.name, k.kind)

        def pages(d: core.IssuedDocument) -> str:
            if d.page_count == 1 and d.first_page == 1:
                return str(d.page_count)
            return self.tr("{count}（文件第 {first}–{last} 页）").format(
                count=d.page_count, first=d.first_page, last=d.first_page + d.page_count - 1
            )

        def count_text(n: int) -> str:
            text = self.tr("前 {count} 份，请缩小范围") if n >= REGISTER_LIMIT else None
            return (text or self.tr("共 {count} 份")).format(count=f"{n:,}")

        self.register: ListPane[core.IssuedDocument] = ListPane(
            tab,
            [
                Column(self.tr("文号"), lambda d: d.doc_no),
                Column(self.tr("文书种类"), lambda d: d.kind_name),
                Column(self.tr("对象"), lambda d: d.subject, stretch=True),
                Column(self.tr("统一社会信用代码"), lambda d: d.uscc),
                Column(self.tr("出具日期"), lambda d: d.issued_on.isoformat()),
                Column(self.tr("出具人"), lambda d: d.issued_by),
                Column(self.tr("页数"), pages),
                Column(
                    self.tr("文件校验码"),
                    lambda d: d.sha256[:16] + "…",
                    tooltip=lambda d: d.sha256,
                ),
            ],
            lambda d: d.id,
            self._load_register,
            count_text=count_text,
            orientation=Qt.Orientation.Horizontal,
        )
        self.register_table = self.register.table
        self.register_count = self.register.count
        self.register_search = self.register.add_search(self.tr("文号、企业名称或统一社会信用代码"))
        self.register.add_filter("", self.register_kind)
        self.reprint_button = QPushButton(self.tr("重印…"), tab)
        self.save_copy_button = QPushButton(self.tr("另存为…"), tab)
        self.reprint_button.setToolTip(self.tr("打印出具时保存的文件，与原件逐字节相同"))
        self.register.add_buttons([self.reprint_button, self.save_copy_button])
        self.register_view = PdfPreview(tab, self.tr("在左侧选择一份已出具的文书查看原件。"))
        self.register.set_detail(self.register_view)
        self.register.splitter.setSizes([620, 440])
        layout = QVBoxLayout(tab)
        layout.addWidget(self.register)

        self.register.selection_changed.connect(self._on_register_selected)
        self.reprint_button.clicked.connect(self.reprint_selected)
        self.save_copy_button.clicked.connect(self.save_selected)
        self._update_register_buttons()
        return tab

    # -- reading ------------------------------------------------------------------------
    def on_changes(self, changes: Changes) -> None:
        self._fill_choices()
        if Table.UNITS in changes:
            self.units.run_search()
        self.refresh_register()

    @operation
    def refresh(self) -> None:
        self._fill_choices()
        self.refresh_register()

    def _fill_choices(self) -> None:
        years = [
            (self.tr("{year}年度评定结果（已确认）").format(year=year), year)
            for year in self.session.grading.confirmed_years()
        ]
        refill(self.assessment, [(self.tr("按截至日期实时评定"), None), *years], quiet=True)
        draws = [
            (
                self.tr("第 {id} 号（{year} 年度，{drawn_at} 抽取，抽中 {selected} 家）").format(
                    id=str(s.id),
                    year=str(s.year),
                    drawn_at=s.drawn_at[:10],
                    selected=str(s.selected),
                ),
                s.id,
            )
            for s in self.session.draws.history()
            if not s.annulled
        ]
        refill(self.draw, draws)
        self.draw_note.setText(
            ""
            if self.draw.count()
            else self.tr("尚无有效的双随机抽查记录，请先在“双随机抽查”页面抽取。")
        )

        repairs = self.session.documents.repairs_for_documents()
        refill(self.repair, [(text, repair_id) for repair_id, text in repairs])
        self.repair_note.setText(
            "" if self.repair.count() else self.tr("尚无已批准的信用修复或提前移出申请。")
        )
        self._update_issue_buttons()

    def current_kind(self) -> core.DocumentKind:
        return self._kinds[max(self.kind.currentIndex(), 0)]

    def _on_kind_changed(self) -> None:
        kind = self.current_kind()
        self.panes.setCurrentWidget(self.pane_of.get(kind.needs, self.pane_of["objection"]))
        self.assessment.setEnabled(kind.graded)
        self.preview_view.clear()
        self.issue_notes.clear()
        self._update_issue_buttons()

    def _update_issue_buttons(self) -> None:
        needs = self.current_kind().needs
        ready = {
            "units": True,  # the core says which units are missing
            "year": True,
            "draw": self.draw.count() > 0,
            "repair": self.repair.count() > 0,
        }.get(needs, False)
        for button in (self.preview_button, self.print_button, self.save_button):
            button.setEnabled(ready)

    def request(self) -> core.DocumentRequest:
        """What the form asks for, as the core takes it."""
        kind = self.current_kind()
        if kind.needs == "units":
            return core.DocumentRequest(
                kind.kind,
                unit_ids=self.units.chosen(),
                as_of=_date_of(self.as_of),
                assessment=self.assessment.currentData() if kind.graded else None,
            )
        if kind.needs == "year":
            return core.DocumentRequest(kind.kind, year=self.year.value())
        if kind.needs == "draw":
            return core.DocumentRequest(kind.kind, draw_id=self.draw.currentData())
        if kind.needs == "repair":
            return core.DocumentRequest(kind.kind, repair_id=self.repair.currentData())
        return core.DocumentRequest(kind.kind)

    # -- acting: 出具文书 ----------------------------------------------------------------
    @operation
    def _on_by_grade(self, index: int) -> None:
        grade = self.by_grade.itemData(index)
        self.by_grade.setCurrentIndex(0)
        if not grade:
            return
        as_of = _date_of(self.as_of)
        year = self.assessment.currentData() if self.current_kind().graded else None
        found = run_with_progress(
            self,
            self.tr("正在评定信用等级…"),
            lambda own, _report: own.units.of_grade(grade, as_of, assessment=year),
            session=self.session,
            cancellable=False,
        )
        added = self.units.add(found)
        self.bus.status_message.emit(
            self.tr("截至 {day} 为 {grade} 级的企业共 {count} 家，新勾选 {added} 家。").format(
                day=as_of.isoformat(), grade=grade, count=len(found), added=added
            )
        )

    @operation
    def preview(self) -> bytes | None:
        request = self.request()
        pdf = run_with_progress(
            self,
            self.tr("正在生成预览…"),
            lambda own, report: own.documents.preview(request, progress=report),
            session=self.session,
        )
        pages = self.preview_view.load_pdf(pdf)
        self.issue_notes.setText(
            self.tr("预览：共 {pages} 页。预览不取文号，文号处显示“出具时编号”。").format(
                pages=pages
            )
        )
        return pdf

    def _document_count(self, request: core.DocumentRequest) -> int:
        return len(request.unit_ids) if self.current_kind().needs == "units" else 1

    @operation
    def issue(self, then: str = "print") -> core.IssueResult | None:
        """Issue what the form asks for, then ``then`` = "print" or "save" (or "").

        The print or save-as dialog comes first: a document is numbered only when the
        user goes on, and a saved file is written before its number is committed, so a
        cancelled dialog or a file that cannot be written leaves no number used."""
        request = self.request()
        kind = self.current_kind()
        count = self._document_count(request)
        if kind.needs == "units" and count == 0:
            QMessageBox.warning(
                self,
                self.tr("出具文书"),
                self.tr("请先勾选要出具“{name}”的企业。").format(name=kind.name),
            )
            return None
        prefix = self.session.documents.prefixes().get(kind.kind, "")
        if not confirm(
            self,
            self.tr("出具文书"),
            self.tr(
                "将出具 {count} 份“{name}”，每份按顺序编一个文号（{prefix}〔{year}〕×号），"
                "登记后不能修改或删除。\n与已出具文书内容完全相同的，按原文号重印，不另编号。"
                "\n\n确定出具吗？"
            ).format(
                count=f"{count:,}", name=kind.name, prefix=prefix, year=str(date.today().year)
            ),
        ):
            return None
        title = kind.name if count == 1 else f"{kind.name}（{count}份）"
        printer = None
        target: Path | None = None
        if then == "print":
            printer = printing.choose_printer(self, title=title)
            if printer is None:
                return None  # cancelled: nothing issued
        elif then == "save":
            target = printing.ask_pdf_path(self, self._file_name(kind.name, request))
            if target is None:
                return None  # cancelled: nothing issued

        def deliver(pdf: bytes) -> None:
            if target is not None:
                printing.write_pdf(target, pdf)

        result = run_with_progress(
            self,
            self.tr("正在出具文书…"),
            lambda own, report: own.documents.issue(request, progress=report, deliver=deliver),
            session=self.session,
        )
        self.last_result = result
        publish(self)
        self.preview_view.load_pdf(result.pdf)
        message = self._issued_message(result)
        self.issue_notes.setText("\n".join([message, *result.notes]))
        self.bus.status_message.emit(message)
        if printer is not None:
            self._print_on(printer, result.pdf)
        elif target is not None:
            self.last_saved = target
            self.bus.status_message.emit(self.tr("已保存：{path}").format(path=target))
        return result

    def _file_name(self, kind_name: str, request: core.DocumentRequest) -> str:
        """The name the save-as dialog proposes (the 文号 is not known yet)."""
        if len(request.unit_ids) == 1:
            unit = self.session.records.get("units", request.unit_ids[0])
            return f"{kind_name}（{unit.name}）"
        if request.unit_ids:
            return f"{kind_name}（{len(request.unit_ids)}份）"
        if request.year is not None:
            return f"{request.year}年度{kind_name}"
        return kind_name

    @operation
    def _print_on(self, printer: QPrinter, data: bytes) -> bool:
        done = printing.print_on(printer, data)
        if done:
            self.bus.status_message.emit(self.tr("已送往打印机。"))
        return done

    def _issued_message(self, result: core.IssueResult) -> str:
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
                self.tr("{count} 份与已出具的文书相同，按原文号重印：{numbers_text}").format(
                    count=str(len(result.reprinted)),
                    numbers_text=_numbers_text([d.doc_no for d in result.reprinted]),
                )
            )
        return "；".join(parts) + self.tr("。可在“文书登记”中重印。")

    @operation
    def _print(
        self,
        data: bytes,
        *,
        first_page: int | None = None,
        last_page: int | None = None,
        title: str = "",
    ) -> bool:
        done = printing.print_pdf(
            self, data, first_page=first_page, last_page=last_page, title=title
        )
        if done:
            self.bus.status_message.emit(self.tr("已送往打印机。"))
        return done

    def _save(self, data: bytes, name: str) -> Path | None:
        path = printing.save_pdf_bytes(self, data, name)
        if path is not None:
            self.bus.status_message.emit(self.tr("已保存：{path}").format(path=str(path)))
        return path

    # -- 文书登记 -------------------------------------------------------------------------
    def refresh_register(self) -> None:
        self.register.refresh()

    def _load_register(self) -> list[core.IssuedDocument]:
        return self.session.documents.register(
            search=self.register_search.text().strip(),
            kind=self.register_kind.currentData(),
            limit=REGISTER_LIMIT,
        )

    def selected_document(self) -> core.IssuedDocument | None:
        return self.register.selected()

    def select_document(self, document_id: int) -> bool:
        return self.register.select_id(document_id)

    @operation
    def _on_register_selected(self) -> None:
        found = self.selected_document()
        self._update_register_buttons()
        if found is None:
            self.register_view.clear()
            return
        data = self._files.get(found.file_id)
        if data is None:
            data = self.session.documents.issued_file(found.id, reprint=False)
            if len(self._files) >= FILE_CACHE:
                self._files.pop(next(iter(self._files)))
            self._files[found.file_id] = data
        self.register_view.load_pdf(data, found.first_page - 1)

    def _update_register_buttons(self) -> None:
        chosen = self.selected_document() is not None
        self.reprint_button.setEnabled(chosen)
        self.save_copy_button.setEnabled(chosen)

    def _stored(self, found: core.IssuedDocument) -> bytes:
        data = self.session.documents.issued_file(found.id)
        self._files[found.file_id] = data
        return data

    @operation
    def reprint_selected(self) -> bool:
        found = self.selected_document()
        if found is None:
            return False
        data = self._stored(found)
        return self._print(
            data,
            first_page=found.first_page,
            last_page=found.first_page + found.page_count - 1,
            title=f"{found.doc_no} {found.kind_name}",
        )

    @operation
    def save_selected(self) -> Path | None:
        found = self.selected_document()
        if found is None:
            return None
        data = self._stored(found)
        path = self._save(data, f"{found.doc_no}{found.kind_name}（{found.subject}）")
        if path is not None and (found.first_page > 1 or found.page_count < _pages_of(data)):
            self.bus.status_message.emit(
                self.tr(
                    "已保存：{path}（该文书与同批文书同在此文件中，为第 {first}–{last} 页）"
                ).format(
                    path=path, first=found.first_page, last=found.first_page + found.page_count - 1
                )
            )
        return path


def _pages_of(data: bytes) -> int:
    try:
        return printing.pdf_page_count(data)
    except SafeCreditError:
        return 0
