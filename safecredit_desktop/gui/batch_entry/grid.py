"""The batch grid (连续录入): new records of one kind typed row by row, or a block pasted
from a spreadsheet; every bad cell marked and listed under the grid.

Keys: Tab / Shift+Tab and Enter move across the cells; Enter on the last cell saves the
row (a pasted block: the whole block, in one transaction); Ctrl+Enter or Ctrl+S saves
from any cell; Ctrl+V pastes a block; Ctrl+Z (in a cell not being typed in) takes the
last save back; Ctrl+Delete removes an unsaved row.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core import batch_entry
from safecredit_desktop.core.app import entry_forms as forms
from safecredit_desktop.core.app.session import UndoStep
from safecredit_desktop.core.exchange.paste import parse_pasted
from safecredit_desktop.core.registry import UnitQuery
from safecredit_desktop.gui.batch_entry.delegate import CANDIDATES, GridDelegate, UnitCandidates
from safecredit_desktop.gui.batch_entry.model import BADGE, UNIT, BatchModel, GridRow, new_group
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.operations import perform, publish

_NOTE_STYLE = "color: #8a5a00;"
_DONE_STYLE = "color: #1d6b2f;"
_ERROR_STYLE = "color: #a4262c;"


class GridView(QTableView):
    """The table; keys pressed while no cell is being edited come to the grid."""

    def __init__(self, grid: BatchEntryGrid) -> None:
        super().__init__(grid)
        self._grid = grid

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._grid.handle_view_key(event):
            return
        super().keyPressEvent(event)


class BatchEntryGrid(QWidget):
    """New records of ``table`` (inspections, accidents …), one a row."""

    def __init__(
        self,
        session: core.Session,
        bus: DataBus,
        table: str,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.bus = bus
        self.today = today or date.today()
        self.model = BatchModel(session, table, self.today)
        self.form = self.model.form
        self._steps: list[tuple[UndoStep, list[GridRow]]] = []

        self.view = GridView(self)
        self.view.setModel(self.model)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setTabKeyNavigation(False)
        self.candidates = UnitCandidates(self)
        self.delegate = GridDelegate(
            self.model, self.candidates, self._search_units, self._on_key, self._preview
        )
        self.view.setItemDelegate(self.delegate)
        self._size_columns()

        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setMinimumHeight(self.fontMetrics().height() * 2 + 6)
        self.message.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.errors = QTableWidget(0, 4, self)
        self.errors.setHorizontalHeaderLabels(
            [self.tr("行"), self.tr("列"), self.tr("填写内容"), self.tr("需要更正的原因")]
        )
        self.errors.verticalHeader().hide()
        self.errors.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.errors.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.errors.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.errors.activated.connect(self._jump_to_error)
        self.errors_title = QLabel(self)

        self.save_button = QPushButton(self.tr("保存(&S)"), self)
        self.save_button.setToolTip(self.tr("保存当前行；粘贴的整块一起保存（Ctrl+S）"))
        self.undo_button = QPushButton(self.tr("撤销(&Z)"), self)
        self.undo_button.setToolTip(self.tr("撤销最近一次保存的一行或一整块（Ctrl+Z）"))
        self.delete_button = QPushButton(self.tr("删除行(&D)"), self)
        self.delete_button.setToolTip(self.tr("删除当前未保存的行（Ctrl+Delete）"))
        self.paste_button = QPushButton(self.tr("粘贴(&V)"), self)
        self.paste_button.setToolTip(self.tr("粘贴从 Excel/WPS 复制的一块单元格（Ctrl+V）"))
        self.save_button.clicked.connect(lambda: self.save_current())
        self.undo_button.clicked.connect(lambda: self.undo())
        self.delete_button.clicked.connect(lambda: self.delete_current_row())
        self.paste_button.clicked.connect(lambda: self.paste())

        carried = "、".join(
            self.form.field(key).label for key in batch_entry.carried_keys(self.form)
        )
        hint = QLabel(
            self.tr(
                "Tab/Enter 下一格，末格按 Enter 保存本行（粘贴的整块一起保存）；"
                "企业可输入代码、名称或拼音首字母，↑↓ 选择"
            )
            + (self.tr("；{fields}沿用上一行。").format(fields=carried) if carried else "。"),
            self,
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")

        buttons = QHBoxLayout()
        for button in (self.save_button, self.paste_button, self.delete_button, self.undo_button):
            button.setAutoDefault(False)  # Enter belongs to the grid's cells
            buttons.addWidget(button)
        buttons.addStretch(1)

        lower = QWidget(self)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.errors_title)
        lower_layout.addWidget(self.errors, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.view)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self.model.on_checked = self._show_errors
        self._show_errors()
        self.go_to(0, 0)

    # -- layout --------------------------------------------------------------------------
    def _size_columns(self) -> None:
        """Each column as wide as its title or a typical value, so that every column of
        a kind fits a 1366-pixel screen; the badge is elided (its tooltip is whole)."""
        metrics = self.view.fontMetrics()
        header = self.view.horizontalHeader()
        for number, column in enumerate(self.model.columns):
            title = column.spec.display_label if column.spec is not None else column.title
            width = metrics.horizontalAdvance(title) + 24
            sample = ""
            if column.key == UNIT:
                sample = "91433123MAWWWWWWWW"
            elif column.key == BADGE:
                sample = "凤凰县沱江某化工有限公司（A）"
            elif column.spec is not None and column.spec.kind == "date":
                sample = "2026-11-03"
            elif column.key in ("doc_no", "basis_doc"):
                sample = "凤应急检〔2026〕0000号"
            elif column.spec is not None and column.spec.kind in ("text", "multiline"):
                sample = "张三、李四、王五"
            if sample:
                width = max(width, metrics.horizontalAdvance(sample) + 16)
            header.resizeSection(number, width)
        header.setStretchLastSection(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(metrics.height() + 10)

    # -- moving --------------------------------------------------------------------------
    def editor(self) -> QLineEdit | None:
        """The cell being typed in, if any."""
        return self.delegate.editor

    def current(self) -> tuple[int, int]:
        index = self.view.currentIndex()
        return (index.row(), index.column()) if index.isValid() else (0, 0)

    def go_to(self, row: int, column: int) -> None:
        """Make a cell current and, when it can be typed in, open it."""
        if not self.model.rows:
            return
        row = max(0, min(row, len(self.model.rows) - 1))
        index = self.model.index(row, column)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        if self.model.editable(row, column):
            self.view.edit(index)
        else:
            self.view.setFocus()

    def _next_cell(self, row: int, column: int, step: int) -> tuple[int, int]:
        """The next cell that can be typed in, across the row and on to the next."""
        columns = len(self.model.columns)
        position = row * columns + column
        while True:
            position += step
            if position < 0 or position >= len(self.model.rows) * columns:
                return row, column
            r, c = divmod(position, columns)
            if self.model.editable(r, c):
                return r, c

    def _on_key(self, action: str) -> None:
        row, column = self.current()
        if action == "next":
            self.go_to(*self._next_cell(row, column, 1))
        elif action == "back":
            self.go_to(*self._next_cell(row, column, -1))
        elif action == "enter":
            if column >= self.model.last_column():
                self.save_row(row)
            else:
                self.go_to(*self._next_cell(row, column, 1))
        elif action == "save":
            self.save_row(row)
        elif action == "paste":
            self.paste()
        elif action == "undo":
            self.undo()
        elif action == "delete_row":
            self.delete_current_row()

    def handle_view_key(self, event: QKeyEvent) -> bool:
        """Keys while no cell is open: paste, undo, save, delete a row, Enter."""
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste()
        elif event.matches(QKeySequence.StandardKey.Undo):
            self.undo()
        elif ctrl and event.key() in (Qt.Key.Key_S, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.save_current()
        elif ctrl and event.key() == Qt.Key.Key_Delete:
            self.delete_current_row()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab):
            self._on_key("enter" if event.key() != Qt.Key.Key_Tab else "next")
        else:
            return False
        return True

    # -- the unit cell -------------------------------------------------------------------
    def _search_units(self, text: str) -> list[tuple[str, str, str | None]]:
        found = perform(
            self,
            lambda: self.session.units.query(UnitQuery(search=text), 0, CANDIDATES),
            title=self.tr("查找企业"),
        )
        return [(r.uscc, r.name, r.grade) for r in found or []]

    def _preview(self, row: int, key: str, text: str) -> str | None:
        """What the forms would say of ``text`` in the cell (row, key), the rest of the
        row as it stands; nothing is stored."""
        if row >= len(self.model.rows):
            return None
        spec = self.form.field(key)
        values = dict(self.model.rows[row].values)
        values[key] = batch_entry.complete_choice(spec, self.session.profile, text)
        check = self.session.records.check_batch(self.model.table, [values], today=self.today)
        return check.errors_of(0).get(key)

    # -- errors --------------------------------------------------------------------------
    def _show_errors(self) -> None:
        lines = self.model.error_lines()
        self.errors.setRowCount(len(lines))
        for number, (row, column, title, value, reason) in enumerate(lines):
            cells = (str(row + 1), title, value or self.tr("（空）"), reason)
            for position, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, (row, column))
                item.setToolTip(text)
                self.errors.setItem(number, position, item)
        if lines:
            self.errors_title.setText(
                self.tr("有 {n} 处需要更正（改正后才能保存）：").format(n=len(lines))
            )
            self.errors_title.setStyleSheet(_ERROR_STYLE)
        else:
            self.errors_title.setText(self.tr("没有需要更正的内容。"))
            self.errors_title.setStyleSheet("")

    def error_list(self) -> list[tuple[int, str, str, str]]:
        """The error list as shown: (row number, column, value, reason)."""
        return [
            (row + 1, title, value, reason)
            for row, _, title, value, reason in self.model.error_lines()
        ]

    def _jump_to_error(self, index: QModelIndex) -> None:
        where = index.data(Qt.ItemDataRole.UserRole)
        if where:
            self.go_to(*where)

    def _say(self, text: str, style: str = "") -> None:
        self.message.setText(text)
        self.message.setStyleSheet(style)

    # -- saving --------------------------------------------------------------------------
    def save_current(self) -> None:
        self._close_editor()
        self.save_row(self.current()[0])

    def _close_editor(self) -> None:
        editor = self.editor()
        if editor is not None:
            self.delegate.finish(editor)

    def save_row(self, row: int) -> None:
        """Save the row's group (the row, or its whole pasted block) in one transaction;
        with a bad cell anywhere in it, nothing: the cells are marked and listed."""
        if row >= len(self.model.rows) or self.model.rows[row].saved:
            self.go_to(*self.current())
            return
        group = self.model.rows[row].group
        numbers = self.model.group_rows(group)
        if not numbers:
            self._say(self.tr("本行还没有填写内容。"), _NOTE_STYLE)
            self.go_to(row, 0)
            return
        if self.model.check_group(group, show_all=True):
            first = next((n, c) for n, c, *_ in self.model.error_lines() if n in numbers)
            count = sum(len(self.model.rows[n].errors) for n in numbers)
            self._say(
                self.tr("有 {n} 处需要更正，没有保存；改正后再按 Enter 保存。").format(n=count),
                _ERROR_STYLE,
            )
            self.go_to(*first)
            return
        rows = [self.model.rows[n].values for n in numbers]

        def save() -> batch_entry.BatchSaved | batch_entry.BatchErrors:
            try:
                return self.session.records.save_batch(self.model.table, rows, today=self.today)
            except batch_entry.BatchErrors as exc:  # another seat got there first
                return exc

        saved = perform(self, save, title=self.tr("无法保存"))
        if saved is None:  # refused or failed, and said so: the rows stay as typed
            self.go_to(row, self.current()[1])
            return
        if isinstance(saved, batch_entry.BatchErrors):
            self.model.check_group(group, show_all=True)
            self._say(saved.message, _ERROR_STYLE)
            return
        self.model.mark_saved(numbers, saved.ids)
        step = self.session.last_save
        if step is not None:
            self._steps.append((step, [self.model.rows[n] for n in numbers]))
        self._told_saved(saved, numbers)
        if self.model.is_untouched(len(self.model.rows) - 1):
            target = len(self.model.rows) - 1
        else:
            target = self.model.append_carried()
        self.go_to(target, 0)

    def _told_saved(self, saved: batch_entry.BatchSaved, numbers: list[int]) -> None:
        if len(numbers) == 1:
            badge = self.model.rows[numbers[0]].badge
            who = f"（{badge.name}）" if badge is not None else ""
            text = self.tr("已保存第{row}行{who}。").format(row=numbers[0] + 1, who=who)
        else:
            text = self.tr("已在一次操作中保存 {n} 条{title}。").format(
                n=len(numbers), title=self.form.title
            )
        lines = [change.line for change in saved.changes]
        self.bus.status_message.emit(text + "".join(f"{line}。" for line in lines))
        self._say("\n".join([text, *lines]), _NOTE_STYLE if lines else _DONE_STYLE)

    # -- undo ----------------------------------------------------------------------------
    def undo(self) -> None:
        """Take back the last save of this grid (a row, or a whole block): its rows come
        back unsaved, as typed, to be corrected or removed."""
        self._close_editor()
        if not self._steps:
            self._say(self.tr("没有可以撤销的保存。"), _NOTE_STYLE)
            self.go_to(*self.current())
            return
        step, rows = self._steps[-1]
        if self.session.last_save is not step:
            self._steps.clear()
            self._say(self.tr("之后已有其他保存，不能在这里撤销。"), _NOTE_STYLE)
            self.go_to(*self.current())
            return
        done = perform(self, self.session.records.undo, title=self.tr("无法撤销"))
        if done is None:
            self.go_to(*self.current())
            return
        self._steps.pop()
        self.model.mark_unsaved(rows)
        publish(self)
        self.bus.status_message.emit(done + "。")
        self._say(
            self.tr("{done}；这些行已退回为未保存，可改正后再保存，或按 Ctrl+Delete 删除。").format(
                done=done
            ),
            _NOTE_STYLE,
        )
        first = self.model.rows.index(rows[0])
        self.go_to(first, 0)

    # -- rows ----------------------------------------------------------------------------
    def delete_current_row(self) -> None:
        self._close_editor()
        row, column = self.current()
        if row >= len(self.model.rows) or self.model.rows[row].saved:
            return
        group = self.model.rows[row].group
        self.model.remove_row(row)
        if not self.model.rows or self.model.rows[-1].saved:
            self.model.append_carried()
        if self.model.group_rows(group):
            self.model.check_group(group)
        else:
            self.model.refresh()
        self.go_to(min(row, len(self.model.rows) - 1), column)

    def unsaved_count(self) -> int:
        return sum(
            1
            for number, row in enumerate(self.model.rows)
            if not row.saved and not self.model.is_untouched(number)
        )

    # -- paste ---------------------------------------------------------------------------
    def paste(self, text: str | None = None) -> None:
        """A block copied from Excel/WPS, inserted at the current row as new rows (the
        current row replaced when nothing was typed in it); checked as one block."""
        self._close_editor()
        if text is None:
            text = QGuiApplication.clipboard().text()
        row, column = self.current()
        single = text.rstrip("\r\n")
        if single and "\t" not in single and "\n" not in single and "\r" not in single:
            if self.model.editable(row, column):  # one cell copied: into this cell
                self.model.set_text(row, self.model.columns[column].key, single.strip())
            self.go_to(row, column)
            return
        key = self.model.columns[column].key
        first_field = 0 if key in (UNIT, BADGE) else self.form.keys.index(key)
        block = parse_pasted(text, self.form, first_column=first_field)
        if not block.rows:
            self._say(self.tr("剪贴板中没有可粘贴的内容。"), _NOTE_STYLE)
            self.go_to(row, column)
            return
        group = new_group()
        defaults = forms.default_values(self.form)
        new_rows = []
        for pasted in block.rows:
            values = {**defaults, **pasted}
            for key in self.form.keys:  # 2026.11.3 shown as 2026-11-03, as typed ones are
                spec = self.form.field(key)
                if spec.kind == "date" and isinstance(values.get(key), str):
                    values[key] = forms.normalize_date_text(
                        str(values[key]), short=spec.short_date, today=self.today
                    )
            grid_row = GridRow(values, group=group, show_all=True)
            grid_row.touched = set(self.form.keys)
            new_rows.append(grid_row)
        at = row if row < len(self.model.rows) else len(self.model.rows)
        if at < len(self.model.rows) and self.model.rows[at].saved:
            at = len(self.model.rows)
        replace_current = at < len(self.model.rows) and self.model.is_untouched(at)
        if replace_current:
            self.model.remove_row(at)
        self.model.insert_rows(at, new_rows)
        for grid_row in new_rows:
            unit = str(grid_row.values.get(UNIT, "")).strip()
            grid_row.badge = self.session.records.batch_unit(unit) if unit else None
        if self.model.rows[-1].saved or not self.model.is_untouched(len(self.model.rows) - 1):
            self.model.append_carried()
        bad = self.model.check_group(group, show_all=True)
        notes = "".join(f"{note}。" for note in block.notes)
        how = self.tr("按表头对应各列") if block.header else self.tr("按列的顺序对应")
        if bad:
            self._say(
                self.tr(
                    "已粘贴 {n} 行（{how}）；有 {bad} 处需要更正，全部改正前不会保存任何一行。"
                ).format(n=len(new_rows), how=how, bad=bad)
                + notes,
                _ERROR_STYLE,
            )
            first = next(
                (n, c) for n, c, *_ in self.model.error_lines() if self.model.rows[n].group == group
            )
            self.go_to(*first)
        else:
            self._say(
                self.tr(
                    "已粘贴 {n} 行（{how}），全部正确；在末列按 Enter 或按 Ctrl+S 一次保存整块。"
                ).format(n=len(new_rows), how=how)
                + notes,
                _DONE_STYLE,
            )
            self.go_to(at + len(new_rows) - 1, self.model.last_column())

    def rows_values(self) -> list[dict[str, Any]]:
        return [dict(row.values) for row in self.model.rows]
