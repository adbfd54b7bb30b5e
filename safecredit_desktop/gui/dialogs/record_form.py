"""The entry form of every record kind, built from the entry forms (core.app.entry_forms).

Clerks type from paper files in a hurry, so the form follows the paper: fields in the
paper's order, Tab and Enter move to the next field, Enter on the last field saves.
Every field is checked as it is typed (``forms.check_form``) and its message is shown
in red directly under it, on a line kept for it, so that a message never moves the
fields the clerk is clicking (a long one is cut with its whole text as a tooltip); 保存
stays disabled while anything is wrong, and a refused save keeps everything typed. A
long form (企业信息) is laid out in two columns in a scroll area sized to the screen, the
buttons below it always in view. 所在乡镇 is chosen from the county's towns (设置 → 乡镇; an
administrator adds a new one from here), 执法人员 completes from the roster, 文书编号
goes on from the last number. A save that moves the unit's live grade says so with the
next steps offered (a new 告知书; 采集 into a list the rules now propose). 保存并新增
saves and starts the next record of a run, keeping the unit and the fields a run shares
(date, inspectors …); 撤销上次保存 takes back the last save of the run. The 身份证号 is
shown in full only in the unit's own form, which is the only form that has it.

Others call :func:`open_record_form`; tests build :class:`RecordFormDialog` directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import (
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QShortcut,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app import entry_forms as forms
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.form_entry import TownList, next_doc_no
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.pinyin_index import search_keys
from safecredit_desktop.gui.blocks.dialog_parts import confirmed
from safecredit_desktop.gui.blocks.elided_label import ElidedLabel
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.operations import operation, perform, publish

_ERROR_STYLE = "color: #c62828;"
_NOTE_STYLE = "color: #8a5300;"
_HINT_STYLE = "color: #666666;"
_LINE_KINDS = ("text", "uscc", "id_number", "date", "count", "amount", "unit")
_RETURN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_TWO_COLUMNS_FROM = 13  # fields: a longer form is laid out in two columns
_NAME_SEPARATOR = "、"
_MATCH_ROLE = Qt.ItemDataRole.UserRole + 1  # what a roster name is found by


class NamesCompleter(QCompleter):
    """Completes the last of several names separated by 、 (执法人员: 张三、李四)."""

    def splitPath(self, path: str) -> list[str]:
        return [path.split(_NAME_SEPARATOR)[-1].strip()]

    def pathFromIndex(self, index: Any) -> str:
        chosen = str(index.data())
        widget = self.widget()
        typed = widget.text() if isinstance(widget, QLineEdit) else ""
        before = typed.split(_NAME_SEPARATOR)[:-1]
        return _NAME_SEPARATOR.join([*(n.strip() for n in before), chosen])


class NextSteps(QWidget):
    """The sentence of a save that moved the unit's live grade, with what to do next:
    print a new 告知书, 采集 the unit into a list the rules now propose for it."""

    def __init__(
        self,
        session: core.Session,
        bus: DataBus,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.bus = bus
        self.unit_id: int | None = None
        self.today = date.today()
        self.sentence = QLabel(self)
        self.sentence.setWordWrap(True)
        self.sentence.setStyleSheet("color: #8a5300; font-weight: bold;")
        self.print_button = QPushButton(self.tr("打印新的告知书…"), self)
        self.print_button.setAutoDefault(False)
        self.list_button = QPushButton(self)
        self.list_button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.list_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.sentence)
        layout.addLayout(buttons)
        self.print_button.clicked.connect(self.print_notice)
        self.list_button.clicked.connect(self.collect)
        self.proposed: list[str] = []

    def show_change(
        self, unit_id: int, sentence: str, today: date, *, with_sentence: bool = True
    ) -> None:
        """Offer the next steps after ``sentence``; without the sentence where it is
        already said (the form's line of what was saved)."""
        self.unit_id, self.today = unit_id, today
        self.sentence.setText(sentence + "。")
        self.sentence.setVisible(with_sentence)
        try:
            self.proposed = self.session.lists.proposed_for(unit_id, today=today)
        except SafeCreditError:  # not graded today (成立日期 ahead): nothing to propose
            self.proposed = []
        self.list_button.setText(self.tr("采集入{lists}").format(lists="、".join(self.proposed)))
        self.list_button.setVisible(bool(self.proposed))
        self.list_button.setEnabled(True)
        self.setVisible(True)

    def print_notice(self) -> None:
        """The unit's 安全生产信用等级告知书 as of today: preview, then issue and print."""
        if self.unit_id is None:
            return
        from safecredit_desktop.gui.dialogs.document_dialog import show_document

        request = core.DocumentRequest("grade-notice", unit_ids=(self.unit_id,), as_of=self.today)
        show_document(
            self,
            self.session,
            self.bus,
            request,
            title=self.tr("安全生产信用等级告知书"),
            file_stem=self.tr("信用等级告知书"),
        )

    @operation(title="无法采集")
    def collect(self) -> None:
        if self.unit_id is None:
            return
        made = self.session.lists.propose_unit(self.unit_id, today=self.today)
        publish(self)
        names = "、".join(dict.fromkeys(e.list_kind for e in made)) or "、".join(self.proposed)
        self.bus.status_message.emit(
            self.tr("已采集入{lists}，请在“信用名单”中告知和审核。").format(lists=names)
        )
        self.list_button.setText(self.tr("已采集入{lists}").format(lists=names))
        self.list_button.setEnabled(False)


class NextStepsDialog(QDialog):
    """After 保存 closed the form: the grade's change and the next steps, not blocking."""

    def __init__(self, session: core.Session, bus: DataBus, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("信用等级已变化"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.steps = NextSteps(session, bus, self)
        close = QPushButton(self.tr("关闭"), self)
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.steps)
        layout.addLayout(row)
        self.setMinimumWidth(460)


class RecordFormDialog(QDialog):
    """One record's entry form; ``saved_count`` is how many records it saved (net of undo)."""

    def __init__(
        self,
        session: core.Session,
        bus: DataBus,
        table: str,
        *,
        unit_id: int | None = None,
        record_id: int | None = None,
        parent: QWidget | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.bus = bus
        self.table = table
        self.today = today or date.today()
        self.saved_count = 0
        self.saved_ids: list[int] = []  # the records this form saved, in order (net of undo)
        self.last_grade_change: str | None = None  # the sentence of the last save, if any
        self._record_id = record_id
        self._unit_id = unit_id
        self._unit_name = ""

        existing: Any = None
        if record_id is not None:
            existing = session.records.get(table, record_id)
        base = forms.form_for(table)
        if base.per_unit and existing is not None:
            self._unit_id = int(existing.unit_id)
        self.form = forms.form_for(table, pick_unit=base.per_unit and self._unit_id is None)
        if base.per_unit and self._unit_id is not None:
            self._unit_name = str(session.records.get("units", self._unit_id).name)
        elif existing is not None:
            self._unit_name = str(existing.name)
        self._towns: TownList | None = None
        if self.form.has("town"):
            kept = (
                str(existing.town)
                if existing is not None and self.form.record is type(existing)
                else ""
            )
            self._towns = TownList(
                tuple(session.settings.towns()), session.has_role(Role.ADMIN), kept
            )
        self._last_doc_no: str | None = None
        if self.form.has("doc_no") and self.form.field("doc_no").suggest == "doc_no":
            self._last_doc_no = session.records.last_doc_no()

        self._editors: dict[str, QWidget] = {}
        self._key_of: dict[QObject, str] = {}  # editors and their inner line edits
        self._messages: dict[str, ElidedLabel] = {}
        self.add_town_button: QPushButton | None = None
        self.next_steps_dialog: NextStepsDialog | None = None
        self._saved_unit_id: int | None = None
        self._touched: set[str] = set()
        self._show_all = False
        self._outside_errors: dict[str, str] = {}
        self._initial: dict[str, object] = {}
        self._loading = False
        self._check = forms.FormCheck()
        self._undo_step: object | None = None
        self._last_saved: tuple[dict[str, object], int | None] | None = None

        self._build()
        if existing is not None:
            self._load(forms.values_of(existing, self.form))
            self._show_all = True
        else:
            self._load(forms.default_values(self.form))
        self._refresh()
        self._update_title()

    # -- building ----------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self._heading = ElidedLabel(self)
        self._heading.setStyleSheet("font-weight: bold;")
        outer.addWidget(self._heading)
        hint = QLabel(
            self.tr("带 * 的为必填项。Tab 或 Enter 到下一项，最后一项按 Enter 保存。"), self
        )
        hint.setStyleSheet(_HINT_STYLE)
        outer.addWidget(hint)

        body = QWidget(self)
        columns = QHBoxLayout(body)
        fields = self.form.fields
        two = len(fields) >= _TWO_COLUMNS_FROM
        split = (len(fields) + 1) // 2 if two else len(fields)
        layouts: list[QFormLayout] = []
        for _ in range(2 if two else 1):
            layout = QFormLayout()
            layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            layout.setVerticalSpacing(2)
            column = QVBoxLayout()
            column.addLayout(layout)
            column.addStretch(1)
            columns.addLayout(column, 1)
            layouts.append(layout)
        profile = self.session.profile
        for index, spec in enumerate(fields):
            editor = self._make_editor(spec, profile, body)
            editor.setObjectName(spec.key)
            editor.installEventFilter(self)
            self._key_of[editor] = spec.key
            if isinstance(editor, QComboBox) and editor.lineEdit() is not None:
                editor.lineEdit().installEventFilter(self)
                self._key_of[editor.lineEdit()] = spec.key
            if spec.help:
                editor.setToolTip(spec.help)
            # a line kept for the message, shown or not, so that nothing below moves
            message = ElidedLabel(body)
            message.setObjectName(f"{spec.key}_message")
            message.setFixedHeight(message.fontMetrics().height() + 2)
            cell = QWidget(body)
            cell_layout = QVBoxLayout(cell)
            cell_layout.setContentsMargins(0, 0, 0, 0)
            cell_layout.setSpacing(1)
            cell_layout.addWidget(self._with_extras(spec, editor, cell))
            cell_layout.addWidget(message)
            label = QLabel(spec.display_label, body)
            label.setBuddy(editor)
            layouts[0 if index < split else 1].addRow(label, cell)
            self._editors[spec.key] = editor
            self._messages[spec.key] = message

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer.addWidget(scroll, 1)

        self._summary = QLabel(self)
        self._summary.setWordWrap(True)
        self._summary.setStyleSheet(_ERROR_STYLE)
        self._summary.setMinimumHeight(self._summary.fontMetrics().lineSpacing() * 2)
        outer.addWidget(self._summary)
        self._saved_label = QLabel(self)
        self._saved_label.setStyleSheet(_HINT_STYLE)
        outer.addWidget(self._saved_label)
        self.next_steps = NextSteps(self.session, self.bus, self)
        self.next_steps.setVisible(False)
        outer.addWidget(self.next_steps)

        buttons = QHBoxLayout()
        self.undo_button = QPushButton(self.tr("撤销上次保存"), self)
        self.undo_button.setToolTip(self.tr("撤销本窗口中最近一次保存"))
        self.save_button = QPushButton(self.tr("保存"), self)
        self.save_button.setToolTip(self.tr("保存并关闭（Enter 或 Ctrl+S）"))
        self.save_new_button = QPushButton(self.tr("保存并新增"), self)
        self.save_new_button.setToolTip(self.tr("保存后继续录入下一条（Ctrl+N）"))
        self.cancel_button = QPushButton(self.tr("取消"), self)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        for button in (self.save_button, self.save_new_button, self.cancel_button):
            buttons.addWidget(button)
        outer.addLayout(buttons)
        self.save_button.setDefault(True)
        self.undo_button.setAutoDefault(False)
        self.undo_button.clicked.connect(self._on_undo)
        self.save_button.clicked.connect(self.save)
        self.save_new_button.clicked.connect(self.save_and_new)
        self.cancel_button.clicked.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+S"), self, self._shortcut_save)
        QShortcut(QKeySequence("Ctrl+N"), self, self._shortcut_save_new)

        editors = list(self._editors.values())
        chain = [*editors, self.save_button, self.save_new_button, self.cancel_button]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)
        self._fit_to_screen(body, two)

    def _fit_to_screen(self, body: QWidget, two_columns: bool) -> None:
        """As large as the fields need, never larger than the screen (1366×768 and up):
        the fields scroll, the buttons below them stay in view."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        room = screen.availableGeometry() if screen is not None else None
        wanted_width = 1040 if two_columns else 680
        wanted_height = body.sizeHint().height() + 190
        if room is not None:
            wanted_width = min(wanted_width, room.width() - 40)
            wanted_height = min(wanted_height, room.height() - 60)
        self.resize(wanted_width, max(wanted_height, 320))

    def _with_extras(self, spec: forms.FieldSpec, editor: QWidget, parent: QWidget) -> QWidget:
        """The editor, and beside 所在乡镇 an administrator's 加入乡镇名单."""
        if spec.suggest != "towns" or not self.session.has_role(Role.ADMIN):
            return editor
        row = QWidget(parent)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(editor, 1)
        self.add_town_button = QPushButton(self.tr("加入乡镇名单"), row)
        self.add_town_button.setAutoDefault(False)
        self.add_town_button.setToolTip(self.tr("把填写的乡镇加入本县乡镇名单（管理员）"))
        self.add_town_button.clicked.connect(self._on_add_town)
        layout.addWidget(self.add_town_button)
        return row

    def _make_editor(self, spec: forms.FieldSpec, profile: Any, parent: QWidget) -> QWidget:
        key = spec.key
        if spec.suggest == "towns":
            return self._town_editor(spec, parent)
        if spec.kind in ("choice", "violation_kind"):
            combo = QComboBox(parent)
            combo.setEditable(False)
            for text, data in spec.choice_items(profile):
                combo.addItem(text, data)
            if spec.kind == "violation_kind":
                combo.setSizeAdjustPolicy(
                    QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
                )
                combo.setMinimumContentsLength(24)
                combo.view().setMinimumWidth(640)
            combo.currentIndexChanged.connect(lambda _i, k=key: self._on_edited(k))
            return combo
        if spec.kind == "bool":
            box = QCheckBox(spec.check_text, parent)
            box.toggled.connect(lambda _b, k=key: self._on_edited(k))
            return box
        if spec.kind == "multiline":
            area = QPlainTextEdit(parent)
            area.setTabChangesFocus(True)
            area.setPlaceholderText(self.tr("Ctrl+Enter 换行"))
            area.setFixedHeight(area.fontMetrics().lineSpacing() * 3 + 14)
            area.textChanged.connect(lambda k=key: self._on_edited(k))
            return area
        line = QLineEdit(parent)
        line.setClearButtonEnabled(False)
        if spec.placeholder:
            line.setPlaceholderText(spec.placeholder)
        if spec.suggest == "inspectors":
            self._complete_inspectors(line)
        if spec.suggest == "doc_no":
            line.editingFinished.connect(self._on_doc_no_done)
        if spec.kind == "date":
            line.setToolTip(forms.DATE_HINT)
            line.editingFinished.connect(lambda k=key: self._on_date_done(k))
        else:
            line.editingFinished.connect(lambda k=key: self._on_left(k))
        if spec.kind in ("count", "amount"):
            line.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        line.textChanged.connect(lambda _t, k=key: self._on_edited(k))
        return line

    def _town_editor(self, spec: forms.FieldSpec, parent: QWidget) -> QComboBox:
        """所在乡镇: the county's towns to choose from; typing completes (an administrator
        may type a new one and add it to the list)."""
        combo = QComboBox(parent)
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.addItem("")
        for town in self._towns.names if self._towns is not None else ():
            combo.addItem(town)
        completer = combo.completer()
        if completer is not None:
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
        if self._towns is not None and not self._towns.names:
            combo.lineEdit().setPlaceholderText(self.tr("尚无乡镇名单，可直接填写"))
        combo.editTextChanged.connect(lambda _t, k=spec.key: self._on_edited(k))
        combo.lineEdit().editingFinished.connect(lambda k=spec.key: self._on_left(k))
        return combo

    def _complete_inspectors(self, line: QLineEdit) -> None:
        """执法人员: the draw roster's names (in-service first), several separated by 、."""
        try:
            roster = self.session.draws.inspectors()
        except SafeCreditError:
            roster = []
        names = [e.inspector.name for e in roster if e.inspector.active]
        names += [e.inspector.name for e in roster if not e.inspector.active]
        names = list(dict.fromkeys(names))
        shown = QStandardItemModel(line)
        for name in names:  # found by the name, its pinyin initials or its full pinyin
            item = QStandardItem(name)
            initials, full = search_keys(name)
            item.setData(f"{name} {initials} {full}", _MATCH_ROLE)
            shown.appendRow(item)
        completer = NamesCompleter(shown, line)
        completer.setCompletionRole(_MATCH_ROLE)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        line.setCompleter(completer)

    def doc_no_suggestion(self) -> str:
        """The next 文书编号 after the last one entered (blank when there is none)."""
        if self._last_doc_no is None:
            return ""
        return next_doc_no(self._last_doc_no, year=self._doc_year())

    def _doc_year(self) -> int:
        day = self._check.parsed.get("inspected_on")
        return day.year if isinstance(day, date) else self.today.year

    def _suggest_doc_no(self) -> None:
        widget = self._editors.get("doc_no")
        if isinstance(widget, QLineEdit):
            suggestion = self.doc_no_suggestion()
            widget.setPlaceholderText(
                self.tr("下一号：{number}（按 ↓ 填入）").format(number=suggestion)
                if suggestion
                else self.tr("如 凤应急检〔2026〕1号")
            )

    def _on_doc_no_done(self) -> None:
        """凤应急检2026 3203 → 凤应急检〔2026〕3203号; a number alone takes the last prefix."""
        widget = self._editors["doc_no"]
        if isinstance(widget, QLineEdit) and widget.text().strip():
            shown = next_doc_no(self._last_doc_no, year=self._doc_year(), typed=widget.text())
            if shown and shown != widget.text():
                widget.setText(shown)

    @operation(title="无法加入乡镇名单")
    def _on_add_town(self) -> None:
        town = str(self.value("town")).strip()
        if not town:
            return
        towns = self.session.settings.add_town(town)
        publish(self)
        kept = self._towns.kept if self._towns is not None else ""
        self._towns = TownList(tuple(towns), True, kept)
        combo = self._editors["town"]
        if isinstance(combo, QComboBox) and combo.findText(town) < 0:
            combo.addItem(town)
        self.bus.status_message.emit(self.tr("已将“{town}”加入本县乡镇名单。").format(town=town))
        self._refresh()

    # -- values ------------------------------------------------------------------------
    def editor(self, key: str) -> QWidget:
        return self._editors[key]

    def value(self, key: str) -> object:
        widget = self._editors[key]
        if isinstance(widget, QComboBox) and widget.isEditable():
            return widget.currentText()
        if isinstance(widget, QComboBox):
            data = widget.currentData()
            return "" if data is None else str(data)
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        if isinstance(widget, QLineEdit):
            return widget.text()
        return ""

    def values(self) -> dict[str, object]:
        return {key: self.value(key) for key in self._editors}

    def set_value(self, key: str, value: object) -> None:
        widget = self._editors[key]
        if isinstance(widget, QComboBox) and widget.isEditable():
            widget.setEditText("" if value is None else str(value))
        elif isinstance(widget, QComboBox):
            text = "" if value is None else str(value)
            index = widget.findData(text)
            if index < 0 and text:
                widget.addItem(self.tr("{text}（不在可选范围内）").format(text=text), text)
                index = widget.count() - 1
            widget.setCurrentIndex(max(index, 0))
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText("" if value is None else str(value))
        elif isinstance(widget, QLineEdit):
            widget.setText("" if value is None else str(value))

    def _load(self, values: Mapping[str, object]) -> None:
        self._loading = True
        try:
            for spec in self.form.fields:
                self.set_value(spec.key, values.get(spec.key, spec.default))
            self._tick_high_risk()
        finally:
            self._loading = False
        self._initial = self.values()
        self._touched.clear()
        self._outside_errors.clear()
        self._show_all = False

    def _tick_high_risk(self) -> None:
        """A high-risk category (危险化学品 …) is managed as such: 高危行业 ticked for her
        to see (the check ticks it on saving in any case)."""
        box = self._editors.get("high_risk")
        category = self.value("category") if "category" in self._editors else ""
        if isinstance(box, QCheckBox) and category in self.session.profile.high_risk_categories:
            box.setChecked(True)

    def is_dirty(self) -> bool:
        return self.values() != self._initial

    # -- checking ----------------------------------------------------------------------
    def _lookup(self, code: str) -> tuple[int, str] | None:
        return self.session.units.find_by_code(code)

    def _on_edited(self, key: str) -> None:
        if self._loading:
            return
        self._touched.add(key)
        self._outside_errors.clear()
        if key == "category":
            self._tick_high_risk()
        self._refresh()

    def _on_left(self, key: str) -> None:
        if self._loading:
            return
        tidied = self._check.tidied.get(key)
        widget = self._editors[key]
        if tidied is not None and isinstance(widget, QLineEdit) and widget.text() != tidied:
            widget.setText(tidied)  # the code as it is read: upper case, no spaces
        if key not in self._touched:
            self._touched.add(key)
            self._refresh()

    def _on_date_done(self, key: str) -> None:
        widget = self._editors[key]
        if isinstance(widget, QLineEdit):
            normal = forms.normalize_date_text(
                widget.text(), short=self.form.field(key).short_date, today=self.today
            )
            if normal != widget.text():
                widget.setText(normal)
        self._on_left(key)

    def errors(self) -> dict[str, str]:
        """Every field's current message, shown or not (save-time refusals included)."""
        return {**self._check.errors, **self._outside_errors}

    def message(self, key: str) -> str:
        """The text under a field as the clerk sees it ("" when nothing is shown)."""
        label = self._messages[key]
        return label.full_text()

    def _refresh(self) -> None:
        self._check = forms.check_form(
            self.form,
            self.values(),
            profile=self.session.profile,
            today=self.today,
            unit_lookup=self._lookup,
            short_dates=True,
            record_id=self._record_id,
            towns=self._towns,
        )
        errors = self.errors()
        for spec in self.form.fields:
            key = spec.key
            label = self._messages[key]
            shown = key in self._touched or self._show_all or key in self._outside_errors
            if key in errors and shown:
                label.setStyleSheet(_ERROR_STYLE)
                label.set_full_text(errors[key])
            elif key in self._check.notes and key not in errors:
                label.setStyleSheet(_NOTE_STYLE)
                label.set_full_text(self._check.notes[key])
            else:
                label.set_full_text("")
        ok = not errors
        self.save_button.setEnabled(ok)
        self.save_new_button.setEnabled(ok)
        if ok:
            self._summary.setText("")
        else:
            names = [spec.label for spec in self.form.fields if spec.key in errors]
            listed = "、".join(names[:4]) + ("等" if len(names) > 4 else "")
            self._summary.setText(
                self.tr("尚有 {count} 项未填写或需更正（{listed}），改正后才能保存。").format(
                    count=str(len(names)), listed=listed
                )
            )
            any_shown = any(self._messages[k].full_text() for k in errors)
            self._summary.setStyleSheet(_ERROR_STYLE if any_shown else _HINT_STYLE)
        self.undo_button.setEnabled(
            self._undo_step is not None and self.session.last_save is self._undo_step
        )
        if self.form.fields[0].kind == "unit":
            found = self._check.parsed.get(forms.UNIT_PICKER.key)
            self._unit_name = self._check.notes.get(forms.UNIT_PICKER.key, "") if found else ""
            self._update_title()
        if self.add_town_button is not None:
            town = str(self.value("town")).strip()
            known = self._towns.names if self._towns is not None else ()
            self.add_town_button.setEnabled(bool(town) and town not in known)
        self._suggest_doc_no()

    def _update_title(self) -> None:
        verb = self.tr("修改") if self._record_id is not None else self.tr("新增")
        title = f"{verb}{self.form.title}"
        if self._unit_name:
            title += f" — {self._unit_name}"
        self.setWindowTitle(title)
        self._heading.set_full_text(title)  # cut to the form's width, never widening it

    def _focus_first_error(self) -> None:
        errors = self.errors()
        for spec in self.form.fields:
            if spec.key in errors:
                self._editors[spec.key].setFocus()
                return

    def focus_first_field(self) -> None:
        first = self._editors[self.form.fields[0].key]
        first.setFocus()
        if isinstance(first, QLineEdit):
            first.selectAll()

    # -- keys --------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and isinstance(watched, QWidget)
            and watched in self._key_of
        ):
            key = self._key_of[watched]
            if event.key() in _RETURN_KEYS:
                return self._on_return(key, self._editors[key], event)
            if event.key() == Qt.Key.Key_Down and key == "doc_no":
                return self._fill_doc_no()
        return super().eventFilter(watched, event)

    def _fill_doc_no(self) -> bool:
        """↓ in an empty 文书编号: the suggested next number."""
        widget = self._editors["doc_no"]
        suggestion = self.doc_no_suggestion()
        if isinstance(widget, QLineEdit) and not widget.text() and suggestion:
            widget.setText(suggestion)
            return True
        return False

    def _on_return(self, key: str, widget: QWidget, event: QKeyEvent) -> bool:
        modifiers = event.modifiers()
        if isinstance(widget, QPlainTextEdit):
            if modifiers & Qt.KeyboardModifier.ShiftModifier:
                return False
            if modifiers & Qt.KeyboardModifier.ControlModifier:
                widget.insertPlainText("\n")
                return True
        if isinstance(widget, QComboBox) and widget.view().isVisible():
            return False
        completer = widget.completer() if isinstance(widget, (QLineEdit, QComboBox)) else None
        if completer is not None and completer.popup().isVisible():
            return False
        if isinstance(widget, QLineEdit) and self.form.field(key).kind == "date":
            self._on_date_done(key)
        if key == "doc_no":
            self._on_doc_no_done()
        self._on_left(key)
        keys = list(self._editors)
        index = keys.index(key)
        if index + 1 < len(keys):
            self._touched.add(key)
            self._refresh()
            nxt = self._editors[keys[index + 1]]
            nxt.setFocus(Qt.FocusReason.TabFocusReason)
            if isinstance(nxt, QLineEdit):
                nxt.selectAll()
        else:
            self.save()
        return True

    def _shortcut_save(self) -> None:
        self.save()

    def _shortcut_save_new(self) -> None:
        self.save_and_new()

    # -- saving ------------------------------------------------------------------------
    def save(self) -> bool:
        """保存: store the record and close; on refusal show why and keep everything. A
        save that moved the unit's grade leaves its sentence and next steps in view."""
        if self._store():
            change, unit_id = self.last_grade_change, self._saved_unit_id
            if change and unit_id is not None:
                shown = NextStepsDialog(self.session, self.bus, self.parentWidget())
                shown.steps.show_change(unit_id, change, self.today)
                shown.show()  # not modal: the form closes behind it, the page stays usable
                self.next_steps_dialog = shown
            self.accept()
            return True
        return False

    def save_and_new(self) -> bool:
        """保存并新增: store, then a fresh record keeping the run's shared fields."""
        values = self.values()
        if not self._store():
            return False
        self._record_id = None
        if self.form.has("doc_no") and self.form.field("doc_no").suggest == "doc_no":
            self._last_doc_no = self.session.records.last_doc_no()
        if self.last_grade_change and self._saved_unit_id is not None:
            self.next_steps.show_change(
                self._saved_unit_id, self.last_grade_change, self.today, with_sentence=False
            )
        else:
            self.next_steps.setVisible(False)
        self._load(forms.carry_over(self.form, values))
        self._refresh()
        self._update_title()
        self.focus_first_field()
        return True

    def checked_values(self) -> dict[str, object] | None:
        """What the fields hold; None when a field is wrong (then every field's error is
        shown and the first wrong field has the focus)."""
        values = self.values()
        self._refresh()
        if self.errors():
            self._show_all = True
            self._refresh()
            self._focus_first_error()
            return None
        return values

    def _store(self) -> bool:
        values = self.checked_values()
        if values is None:
            return False
        profile = self.session.profile
        before = self.session.last_save

        def save() -> tuple[Any, int, str | None] | forms.FormErrors:
            try:
                record = forms.build_record(
                    self.form,
                    values,
                    unit_id=self._unit_id,
                    record_id=self._record_id,
                    profile=profile,
                    today=self.today,
                    unit_lookup=self._lookup,
                    short_dates=True,
                    towns=self._towns,
                )
                saved_id, change = self.session.records.save_entered_telling(
                    record, today=self.today
                )
            except forms.FormErrors as exc:  # shown beside the fields, below
                return exc
            return record, saved_id, change

        # any other refusal or failure is shown by the operation; the form keeps its values
        saved = perform(self, save, title=self.tr("无法保存"))
        if saved is None:
            return False
        if isinstance(saved, forms.FormErrors):
            self._refused(saved.errors, saved.message)
            return False
        record, saved_id, change = saved
        step = self.session.last_save
        if step is before:  # an edit that changed nothing
            self.bus.status_message.emit(self.tr("{title}没有改动。").format(title=self.form.title))
            return True
        self.saved_count += 1
        self.saved_ids.append(saved_id)
        self._saved_unit_id = getattr(record, "unit_id", None)
        self._undo_step = step
        self._last_saved = (values, self._record_id)
        who = self._unit_name or str(getattr(record, "name", ""))
        text = self.tr("已保存{title}").format(title=self.form.title)
        if who:
            text += f"（{who}）"
        if getattr(record, "needs_review", False):
            text += self.tr("，已标记为待核实")
        text += "。"
        if change:  # the unit's live grade moved: say so where the clerk is looking
            text += change + "。"
        self.bus.status_message.emit(text)
        count = self.tr("本窗口已保存 {count} 条。").format(count=self.saved_count)
        self._saved_label.setText(count + (f"\n{change}。" if change else ""))
        self._saved_label.setStyleSheet(_NOTE_STYLE if change else _HINT_STYLE)
        self.last_grade_change = change
        return True

    def _refused(self, errors: Mapping[str, str], message: str) -> None:
        """A save refused with per-field messages: show them; the rest in a box."""
        self._outside_errors = {k: v for k, v in errors.items() if k in self._editors}
        self._show_all = True
        self._refresh()
        self._focus_first_error()
        elsewhere = [v for k, v in errors.items() if k not in self._editors]
        if elsewhere:
            QMessageBox.warning(self, self.tr("无法保存"), "\n".join(elsewhere))
        elif not self._outside_errors and message:
            QMessageBox.warning(self, self.tr("无法保存"), message)

    # -- undo and cancel ---------------------------------------------------------------
    @operation(title="无法撤销")
    def _on_undo(self) -> None:
        if self._undo_step is None or self.session.last_save is not self._undo_step:
            return
        done = self.session.records.undo()
        self._undo_step = None
        self.saved_count -= 1
        if self.saved_ids:
            self.saved_ids.pop()
        publish(self)
        self.bus.status_message.emit(done + "。")
        last = self._last_saved
        self._last_saved = None
        if last is not None and not self.is_dirty():
            values, record_id = last
            self._record_id = record_id
            self._load(values)
            self._touched.update(self._editors)
            self._saved_label.setText(
                self.tr("{done}，刚才填写的内容已放回表中。").format(done=done)
            )
        else:
            self._saved_label.setText(done + "。")
        self._refresh()
        self._update_title()

    def reject(self) -> None:
        """取消 / Esc / closing the window: ask before throwing away typed input."""
        if self.is_dirty() and not confirmed(
            self,
            self.tr("放弃录入"),
            self.tr("已填写的内容尚未保存，确定要放弃吗？"),
            no_by_default=True,
        ):
            return
        super().reject()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.focus_first_field()


def open_record_form(
    parent: QWidget | None,
    session: core.Session,
    bus: DataBus,
    table: str,
    *,
    unit_id: int | None = None,
    record_id: int | None = None,
    saved_ids: list[int] | None = None,
) -> int:
    """Open the entry form of ``table`` modally; return how many records were saved
    (their ids appended to ``saved_ids`` when given)."""
    dialog = perform(
        parent,
        lambda: RecordFormDialog(
            session, bus, table, unit_id=unit_id, record_id=record_id, parent=parent
        ),
        title=QCoreApplication.translate("RecordFormDialog", "无法打开录入表"),
    )
    if dialog is None:  # the record is gone, or the form cannot be built: said
        return 0
    dialog.exec()
    count = dialog.saved_count
    if saved_ids is not None:
        saved_ids.extend(dialog.saved_ids)
    dialog.deleteLater()
    return count
