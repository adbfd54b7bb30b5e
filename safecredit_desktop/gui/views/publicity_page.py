"""双公示: the bureau's administrative penalties and the permits it granted, each due to be
published within 7 working days of its decision (seed 003).

Lists ``publicity.items`` with their state (逾期未公示 in red, 待公示 falling due
within two days in orange), marks items published on a date, registers a permit and
exports the list for publication. Every decision is the core's.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QDate, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
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
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.gui.blocks import Column, ListPane, PageHeading
from safecredit_desktop.gui.blocks.forms import date_edit, exec_modal, from_qdate
from safecredit_desktop.gui.blocks.page_parts import (
    SaveFolder,
    SubmitDialog,
    dialog_buttons,
    stacked,
)
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.operations import attempt, operation, publish
from safecredit_desktop.gui.pages import LazyPage
from safecredit_desktop.gui.unit_search import UnitSearch

ALL = "（全部）"
KINDS = ("行政处罚", "行政许可")
STATUSES = ("逾期未公示", "待公示", "逾期公示", "已公示")
SOON_DAYS = 2  # 待公示 falling due within this many days is shown in orange
UNIT_WIDEST = 210  # pixels of a unit's name before it is cut (the tooltip is whole)
RED = QColor("#c62828")
ORANGE = QColor("#e65100")
GREEN = QColor("#2e7d32")
# permit kinds a county bureau grants, offered besides those already registered
PERMIT_KINDS = ("危险化学品经营许可", "烟花爆竹经营（零售）许可")
COLUMNS = (
    QT_TRANSLATE_NOOP("PublicityPage", "类别"),
    QT_TRANSLATE_NOOP("PublicityPage", "文号/许可证号"),
    QT_TRANSLATE_NOOP("PublicityPage", "统一社会信用代码"),
    QT_TRANSLATE_NOOP("PublicityPage", "单位"),
    QT_TRANSLATE_NOOP("PublicityPage", "事由/许可类别"),
    QT_TRANSLATE_NOOP("PublicityPage", "决定日期"),
    QT_TRANSLATE_NOOP("PublicityPage", "应公示日期"),
    QT_TRANSLATE_NOOP("PublicityPage", "公示日期"),
    QT_TRANSLATE_NOOP("PublicityPage", "状态"),
)
STATUS_COLUMN = COLUMNS.index("状态")


def _date_of(edit: QDateEdit) -> date:
    return from_qdate(edit.date())


class PublishDialog(SubmitDialog):
    """标记已公示: the publication date of one or more items."""

    def __init__(self, parent: QWidget | None, items: list[core.PublicityItem]) -> None:
        super().__init__(parent)
        self.buttons = dialog_buttons(self)
        self.setWindowTitle(self.tr("标记已公示"))
        if len(items) == 1:
            item = items[0]
            what = self.tr(
                "{kind} {number}（{unit_name}）\n决定日期 {decided_on}，应于 {due_on} 前公示。"
            ).format(
                kind=item.kind,
                number=item.number,
                unit_name=item.unit_name,
                decided_on=item.decided_on.isoformat(),
                due_on=item.due_on.isoformat(),
            )
        else:
            what = self.tr("选中的 {count} 条记录，公示日期相同。").format(count=str(len(items)))
        about = QLabel(what, self)
        about.setWordWrap(True)
        shown = [i.published_on for i in items if i.published_on is not None]
        self.published_on = date_edit(self, shown[0] if len(shown) == len(items) else None)
        self.published_on.setMaximumDate(QDate.currentDate())
        self.published_on.setToolTip(self.tr("在信用网站或政府网站上公示的日期"))
        form = QFormLayout()
        form.addRow(self.tr("公示日期"), self.published_on)
        stacked(self, about, form, self.buttons)
        self.setMinimumWidth(400)


class PermitDialog(SubmitDialog):
    """登记行政许可: the unit (searched), 许可证号, 许可类别, 决定日期."""

    def __init__(self, parent: QWidget | None, session: core.Session) -> None:
        super().__init__(parent)
        self.buttons = dialog_buttons(self)
        self.setWindowTitle(self.tr("登记行政许可"))
        self.session = session
        self.finder = UnitSearch(session, self)
        self.finder.list.setMinimumHeight(160)
        self.search = self.finder.search
        self.units = self.finder.list
        self.permit_no = QLineEdit(self)
        self.permit_no.setPlaceholderText(self.tr("如：（湘）WH安许证字〔2026〕000123"))
        self.kind = QComboBox(self)
        self.kind.setEditable(True)
        self.kind.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        known = sorted({p.kind for p in session.publicity.permits()})
        for name in [*PERMIT_KINDS, *(k for k in known if k not in PERMIT_KINDS)]:
            self.kind.addItem(name)
        self.kind.setCurrentIndex(-1)
        editor = self.kind.lineEdit()
        if editor is not None:
            editor.setPlaceholderText(self.tr("选择或填写许可类别"))
        self.decided_on = date_edit(self)
        self.decided_on.setMaximumDate(QDate.currentDate())
        self.chosen_label = QLabel(self.tr("尚未选择企业"), self)
        self.chosen_label.setStyleSheet("color: #555;")

        form = QFormLayout()
        form.addRow(self.tr("查找企业"), self.finder)
        form.addRow(self.tr("许可对象"), self.chosen_label)
        form.addRow(self.tr("许可证号"), self.permit_no)
        form.addRow(self.tr("许可类别"), self.kind)
        form.addRow(self.tr("决定日期"), self.decided_on)
        note = QLabel(self.tr("行政许可决定应自作出之日起7个工作日内公示。"), self)
        note.setStyleSheet("color: #555;")
        stacked(self, form, note, self.buttons)
        self.resize(520, 460)

        self.finder.unit_changed.connect(self._on_unit_chosen)
        self._on_unit_chosen()

    def run_search(self) -> None:
        self.finder.run_search()

    def unit_id(self) -> int | None:
        chosen = self.finder.selected()
        return None if chosen is None else chosen[0]

    def choose_unit(self, unit_id: int) -> bool:
        return self.finder.select_unit(unit_id)

    def _on_unit_chosen(self) -> None:
        chosen = self.finder.selected()
        text = f"{chosen[2]}（{chosen[1]}）" if chosen else self.tr("尚未选择企业")
        self.chosen_label.setText(text)


class PeriodDialog(QDialog):
    """导出行政处罚双公示: the period of 处罚决定日期 (this month so far by default)."""

    def __init__(self, parent: QWidget | None, today: date) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("导出行政处罚双公示"))
        self.start = date_edit(self, today.replace(day=1))
        self.end = date_edit(self, today)
        about = QLabel(
            self.tr(
                "导出本局在此期间作出的行政处罚，按国家双公示行政处罚信息的列排列，可上传信用网站。"
                "记录中空白的必填项列在工作簿的“缺项”表中，不会推测填写。"
            ),
            self,
        )
        about.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("处罚决定日期自"), self.start)
        form.addRow(self.tr("至"), self.end)
        stacked(self, about, form, dialog_buttons(self, self.tr("导出…")))
        self.setMinimumWidth(420)

    def period(self) -> tuple[date, date]:
        return _date_of(self.start), _date_of(self.end)


class PublicityPage(LazyPage):
    """双公示. ``PublicityPage(session, bus, parent=None)``; ``unit_activated(unit_id)`` on
    a double-click, for the window to open the unit."""

    unit_activated = Signal(int)
    watched = frozenset({Table.PENALTIES, Table.PERMITS, Table.UNITS, Table.HOLIDAYS})

    def __init__(self, session: core.Session, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(session, bus, parent)
        self._items: list[core.PublicityItem] = []
        self.save_folder = SaveFolder()
        self.as_of: date | None = None  # the day states are judged on (tests); None = today
        self.last_export: Path | None = None
        self.page_title = self.tr("双公示（行政处罚、行政许可）")
        self.heading = PageHeading(
            self,
            self.page_title,
            self.tr(
                "本局作出的行政处罚决定和行政许可决定，应自作出之日起7个工作日内在信用网站"
                "公示。其他部门的处罚由作出决定的部门公示，不列入。"
            ),
        )
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)

        self.kind_filter = QComboBox(self)
        self.kind_filter.addItems([ALL, *KINDS])
        self.status_filter = QComboBox(self)
        self.status_filter.addItems([ALL, *STATUSES])
        self.pane: ListPane[core.PublicityItem] = ListPane(
            self,
            self._columns(),
            lambda i: (i.kind, i.id),
            self._shown_items,
            multi=True,
            count_text=self._count_text,
        )
        self.table = self.pane.table
        self.pane.add_filter(self.tr("类别"), self.kind_filter)
        self.pane.add_filter(self.tr("状态"), self.status_filter)
        self.search = self.pane.add_search(self.tr("文号、许可证号、单位名称或统一社会信用代码"))
        self.count_label = self.pane.count
        self.pane.set_empty_text(self.tr("没有符合条件的记录。"))
        self.empty_label = self.pane.empty_label

        self.publish_button = QPushButton(self.tr("标记已公示…"), self)
        self.publish_button.setToolTip(self.tr("可多选，选中的记录记为同一天公示"))
        self.permit_button = QPushButton(self.tr("登记行政许可…"), self)
        self.export_button = QPushButton(self.tr("导出公示清单…"), self)
        self.export_button.setToolTip(self.tr("导出全部行政处罚和行政许可的公示情况（Excel）"))
        self.penalty_export_button = QPushButton(self.tr("导出行政处罚双公示…"), self)
        self.penalty_export_button.setToolTip(
            self.tr("按处罚决定日期导出国家双公示格式的行政处罚信息（Excel），用于上传信用网站")
        )
        self.pane.add_buttons(
            [self.publish_button, self.permit_button],
            [self.penalty_export_button, self.export_button],
        )

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.pane, 1)
        self._connect_signals()

    def _columns(self) -> list[Column[core.PublicityItem]]:
        def colour(item: core.PublicityItem) -> QColor | None:
            status = item.status(self.today())
            if status == "逾期未公示":
                return RED
            if status == "待公示" and (item.due_on - self.today()).days <= SOON_DAYS:
                return ORANGE
            return None

        titles = [self.tr(c) for c in COLUMNS]
        return [
            Column(titles[0], lambda i: i.kind),
            Column(titles[1], lambda i: i.number),
            Column(titles[2], lambda i: i.uscc),
            Column(titles[3], lambda i: i.unit_name, widest=UNIT_WIDEST),
            Column(titles[4], lambda i: i.title, stretch=True),
            Column(titles[5], lambda i: i.decided_on.isoformat()),
            Column(titles[6], lambda i: i.due_on.isoformat()),
            Column(titles[7], lambda i: i.published_on.isoformat() if i.published_on else ""),
            Column(
                titles[8],
                lambda i: i.status(self.today()),
                tooltip=self._status_tip,
                colour=colour,
                bold=lambda i: colour(i) is not None,
            ),
        ]

    def _connect_signals(self) -> None:
        self.pane.selection_changed.connect(self._update_buttons)
        self.pane.activated.connect(lambda item: self.unit_activated.emit(item.unit_id))
        self.publish_button.clicked.connect(self.mark_selected_published)
        self.permit_button.clicked.connect(self.add_permit)
        self.export_button.clicked.connect(self.export)
        self.penalty_export_button.clicked.connect(self.export_penalty_publicity)

    # -- reading ------------------------------------------------------------------------
    def today(self) -> date:
        return self.as_of or date.today()

    @operation
    def refresh(self) -> None:
        self._stale = False
        self._items = []
        try:
            self._items = self.session.publicity.items()
        finally:
            self._fill_summary()
            self.apply_filters()

    def _soon(self, item: core.PublicityItem, today: date) -> bool:
        return item.status(today) == "待公示" and (item.due_on - today).days <= SOON_DAYS

    def _fill_summary(self) -> None:
        today = self.today()
        counts = Counter(i.status(today) for i in self._items)
        soon = sum(1 for i in self._items if self._soon(i, today))

        def part(label: str, n: int, color: QColor | None) -> str:
            text = self.tr("{label} {count} 条").format(label=label, count=n)
            if color is not None and n:
                return f"<b style='color:{color.name()}'>{text}</b>"
            return text

        pending = part(self.tr("待公示"), counts["待公示"], None)
        if soon:
            pending += (
                f"<span style='color:{ORANGE.name()}'>"
                + self.tr("（其中 {count} 条 {days} 天内到期）").format(count=soon, days=SOON_DAYS)
                + "</span>"
            )
        parts = [
            part(self.tr("逾期未公示"), counts["逾期未公示"], RED),
            pending,
            part(self.tr("逾期公示"), counts["逾期公示"], ORANGE),
            part(self.tr("已按期公示"), counts["已公示"], None),
        ]
        self.summary.setText(
            self.tr("截至 {today}：").format(today=today.isoformat()) + "　·　".join(parts)
        )

    def _matches(self, item: core.PublicityItem, today: date) -> bool:
        kind = self.kind_filter.currentText()
        if kind != ALL and item.kind != kind:
            return False
        status = self.status_filter.currentText()
        if status != ALL and item.status(today) != status:
            return False
        words = self.search.text().strip().lower().split()
        haystack = f"{item.number} {item.uscc} {item.unit_name} {item.title}".lower()
        return all(w in haystack for w in words)

    def _shown_items(self) -> list[core.PublicityItem]:
        today = self.today()
        return [i for i in self._items if self._matches(i, today)]

    def _count_text(self, shown: int) -> str:
        if shown == len(self._items):
            return self.tr("共 {count} 条").format(count=shown)
        return self.tr("{shown} / {total} 条").format(shown=shown, total=len(self._items))

    def _status_tip(self, item: core.PublicityItem) -> str:
        today = self.today()
        status = item.status(today)
        left = (item.due_on - today).days
        if status == "逾期未公示":
            return self.tr("已超过应公示日期 {days} 天").format(days=-left)
        if status == "待公示":
            if left == 0:
                return self.tr("今天是最后一天")
            return self.tr("距应公示日期还有 {days} 天").format(days=left)
        if status == "逾期公示" and item.published_on is not None:
            late = (item.published_on - item.due_on).days
            return self.tr("晚于应公示日期 {days} 天公示").format(days=late)
        return ""

    def apply_filters(self) -> None:
        """Show the items the filters let through (the selection kept)."""
        self.pane.refresh()

    def selected_items(self) -> list[core.PublicityItem]:
        return self.pane.selected_rows()

    def select_item(self, kind: str, item_id: int) -> bool:
        """Select the row of an item (clearing the filters if they hide it)."""
        return self.pane.show_id((kind, item_id))

    def item_status(self, kind: str, item_id: int) -> str | None:
        """The state shown for an item, or None when it is not listed."""
        for item in self._items:
            if (item.kind, item.id) == (kind, item_id):
                return item.status(self.today())
        return None

    def _update_buttons(self) -> None:
        self.publish_button.setEnabled(bool(self.selected_items()))

    # -- acting -------------------------------------------------------------------------
    def mark_selected_published(self) -> None:
        items = self.selected_items()
        if not items:
            return
        dialog = PublishDialog(self, items)
        done: list[core.PublicityItem] = []

        def submit() -> bool:
            on = _date_of(dialog.published_on)
            return self.mark_published(items, on, done)

        dialog.run(submit)

    def mark_published(
        self,
        items: list[core.PublicityItem],
        on: date,
        done: list[core.PublicityItem] | None = None,
    ) -> bool:
        """Mark ``items`` published on ``on``; refusals are shown. True when none was
        refused (a dialog then closes; otherwise it stays open with the date typed)."""
        done = [] if done is None else done
        refused: list[str] = []

        def mark_all() -> None:
            for item in items:
                if item in done:
                    continue
                try:
                    self.session.publicity.mark_published(item.kind, item.id, on=on)
                except SafeCreditError as exc:  # each refusal named; the others go on
                    refused.append(f"{item.number}：{exc.message}")
                else:
                    done.append(item)

        attempt(self, mark_all)
        self.refresh_if_stale()
        if done:
            self.bus.status_message.emit(
                self.tr("已将 {count} 条记录标记为 {day} 公示。").format(
                    count=len(done), day=on.isoformat()
                )
            )
        if refused:
            QMessageBox.warning(self, self.tr("标记已公示"), "\n".join(refused))
            return False
        return True

    def add_permit(self) -> int | None:
        dialog = PermitDialog(self, self.session)
        added: list[int] = []

        def submit() -> bool:
            unit_id = dialog.unit_id()
            if unit_id is None:
                QMessageBox.warning(dialog, self.tr("登记行政许可"), self.tr("请先选择企业。"))
                return False
            return attempt(
                dialog,
                lambda: added.append(
                    self.session.publicity.add_permit(
                        unit_id=unit_id,
                        permit_no=dialog.permit_no.text(),
                        kind=dialog.kind.currentText(),
                        decided_on=_date_of(dialog.decided_on),
                    )
                ),
            )

        dialog.run(submit)
        if not added:
            return None
        publish(self)
        self.refresh_if_stale()
        self.select_item("行政许可", added[0])
        self.bus.status_message.emit(self.tr("已登记行政许可，请在7个工作日内公示。"))
        return added[0]

    @operation(title="导出公示清单")
    def export(self) -> Path | None:
        name = f"双公示清单-{self.today().isoformat()}"
        path = self.save_folder.ask_workbook(self, self.tr("导出公示清单"), name)
        if path is None:
            return None
        written = self.session.publicity.export(path, today=self.today())
        self.last_export = written
        self.bus.status_message.emit(self.tr("已导出：{path}").format(path=written))
        return written

    def export_penalty_publicity(self) -> Path | None:
        """Ask for the period and the file, then write 行政处罚双公示."""
        dialog = PeriodDialog(self, self.today())
        accepted = exec_modal(dialog)
        start, end = dialog.period()
        dialog.deleteLater()
        if not accepted:
            return None
        if start > end:
            QMessageBox.warning(
                self, self.tr("导出行政处罚双公示"), self.tr("开始日期晚于结束日期，请重新选择。")
            )
            return None
        name = f"行政处罚双公示-{start.isoformat()}至{end.isoformat()}"
        path = self.save_folder.ask_workbook(self, self.tr("导出行政处罚双公示"), name)
        if path is None:
            return None
        return self.write_penalty_publicity(path, start, end)

    @operation(title="导出行政处罚双公示")
    def write_penalty_publicity(self, path: Path, start: date, end: date) -> Path | None:
        found = self.session.publicity.export_penalties(
            path, start=start, end=end, today=self.today()
        )
        assert found.path is not None
        self.last_export = found.path
        done = self.tr("已导出 {count} 条行政处罚：{path}").format(
            count=len(found.rows), path=found.path
        )
        self.bus.status_message.emit(done)
        if found.gaps:
            QMessageBox.information(
                self,
                self.tr("导出行政处罚双公示"),
                done
                + "\n\n"
                + self.tr(
                    "有 {count} 处必填项在记录中空白，已列在工作簿的“缺项”表中（未推测填写）。"
                ).format(count=len(found.gaps)),
            )
        return found.path
