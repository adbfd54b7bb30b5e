"""The entry form of every record kind, built from ``core.forms.FORMS``.

Clerks type from paper files in a hurry, so the form follows the paper: fields in the
paper's order, Tab and Enter move to the next field, Enter on the last field saves.
Every field is checked as it is typed (``forms.check_form``) and its message is shown
in red directly under it; 保存 stays disabled while anything is wrong, and a refused
save keeps everything typed. 保存并新增 saves and starts the next record of a run,
keeping the unit and the fields a run shares (date, inspectors …); 撤销上次保存 takes
back the last save of the run. The 身份证号 is shown in full only in the unit's own
form, which is the only form that has it.

Others call :func:`open_record_form`; tests build :class:`RecordFormDialog` directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.operations import operation, perform, publish

_ERROR_STYLE = "color: #c62828;"
_NOTE_STYLE = "color: #8a5300;"
_HINT_STYLE = "color: #666666;"
_LINE_KINDS = ("text", "uscc", "id_number", "date", "count", "amount", "unit")
_RETURN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


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

        self._editors: dict[str, QWidget] = {}
        self._messages: dict[str, QLabel] = {}
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
        self._heading = QLabel(self)
        self._heading.setStyleSheet("font-weight: bold;")
        outer.addWidget(self._heading)
        hint = QLabel(
            self.tr("带 * 的为必填项。Tab 或 Enter 到下一项，最后一项按 Enter 保存。"), self
        )
        hint.setStyleSheet(_HINT_STYLE)
        outer.addWidget(hint)

        body = QWidget(self)
        column = QVBoxLayout(body)
        layout = QFormLayout()
        column.addLayout(layout)
        column.addStretch(1)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        profile = self.session.profile
        for spec in self.form.fields:
            editor = self._make_editor(spec, profile, body)
            editor.setObjectName(spec.key)
            editor.installEventFilter(self)
            if spec.help:
                editor.setToolTip(spec.help)
            message = QLabel(body)
            message.setObjectName(f"{spec.key}_message")
            message.setWordWrap(True)
            message.setVisible(False)
            cell = QWidget(body)
            cell_layout = QVBoxLayout(cell)
            cell_layout.setContentsMargins(0, 0, 0, 0)
            cell_layout.setSpacing(1)
            cell_layout.addWidget(editor)
            cell_layout.addWidget(message)
            label = QLabel(spec.display_label, body)
            label.setBuddy(editor)
            layout.addRow(label, cell)
            self._editors[spec.key] = editor
            self._messages[spec.key] = message

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer.addWidget(scroll, 1)

        self._summary = QLabel(self)
        self._summary.setWordWrap(True)
        self._summary.setStyleSheet(_ERROR_STYLE)
        outer.addWidget(self._summary)
        self._saved_label = QLabel(self)
        self._saved_label.setStyleSheet(_HINT_STYLE)
        outer.addWidget(self._saved_label)

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
        self.resize(680, min(780, 170 + 52 * len(editors)))

    def _make_editor(self, spec: forms.FieldSpec, profile: Any, parent: QWidget) -> QWidget:
        key = spec.key
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
        if spec.kind == "date":
            line.setToolTip(forms.DATE_HINT)
            line.editingFinished.connect(lambda k=key: self._on_date_done(k))
        else:
            line.editingFinished.connect(lambda k=key: self._on_left(k))
        if spec.kind in ("count", "amount"):
            line.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        line.textChanged.connect(lambda _t, k=key: self._on_edited(k))
        return line

    # -- values ------------------------------------------------------------------------
    def editor(self, key: str) -> QWidget:
        return self._editors[key]

    def value(self, key: str) -> object:
        widget = self._editors[key]
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
        if isinstance(widget, QComboBox):
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
        finally:
            self._loading = False
        self._initial = self.values()
        self._touched.clear()
        self._outside_errors.clear()
        self._show_all = False

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
        self._refresh()

    def _on_left(self, key: str) -> None:
        if self._loading:
            return
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
        return label.text() if not label.isHidden() else ""

    def _refresh(self) -> None:
        self._check = forms.check_form(
            self.form,
            self.values(),
            profile=self.session.profile,
            today=self.today,
            unit_lookup=self._lookup,
            short_dates=True,
        )
        errors = self.errors()
        for spec in self.form.fields:
            key = spec.key
            label = self._messages[key]
            shown = key in self._touched or self._show_all or key in self._outside_errors
            if key in errors and shown:
                label.setText(errors[key])
                label.setStyleSheet(_ERROR_STYLE)
                label.setVisible(True)
            elif key in self._check.notes and key not in errors:
                label.setText(self._check.notes[key])
                label.setStyleSheet(_NOTE_STYLE)
                label.setVisible(True)
            else:
                label.setText("")
                label.setVisible(False)
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
            any_shown = any(not self._messages[k].isHidden() for k in errors)
            self._summary.setStyleSheet(_ERROR_STYLE if any_shown else _HINT_STYLE)
        self.undo_button.setEnabled(
            self._undo_step is not None and self.session.last_save is self._undo_step
        )
        if self.form.fields[0].kind == "unit":
            found = self._check.parsed.get(forms.UNIT_PICKER.key)
            self._unit_name = self._check.notes.get(forms.UNIT_PICKER.key, "") if found else ""
            self._update_title()

    def _update_title(self) -> None:
        verb = self.tr("修改") if self._record_id is not None else self.tr("新增")
        title = f"{verb}{self.form.title}"
        if self._unit_name:
            title += f" — {self._unit_name}"
        self.setWindowTitle(title)
        self._heading.setText(title)

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
            and event.key() in _RETURN_KEYS
            and isinstance(watched, QWidget)
            and self._editors.get(watched.objectName()) is watched
        ):
            return self._on_return(watched.objectName(), watched, event)
        return super().eventFilter(watched, event)

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
        if isinstance(widget, QLineEdit) and self.form.field(key).kind == "date":
            self._on_date_done(key)
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
        """保存: store the record and close; on refusal show why and keep everything."""
        if self._store():
            self.accept()
            return True
        return False

    def save_and_new(self) -> bool:
        """保存并新增: store, then a fresh record keeping the run's shared fields."""
        values = self.values()
        if not self._store():
            return False
        self._record_id = None
        self._load(forms.carry_over(self.form, values))
        self._refresh()
        self._update_title()
        self.focus_first_field()
        return True

    def _store(self) -> bool:
        values = self.values()
        self._refresh()
        if self.errors():
            self._show_all = True
            self._refresh()
            self._focus_first_error()
            return False
        profile = self.session.profile
        before = self.session.last_save

        def save() -> tuple[Any, str | None] | forms.FormErrors:
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
                )
                _, change = self.session.records.save_entered_telling(record, today=self.today)
            except forms.FormErrors as exc:  # shown beside the fields, below
                return exc
            return record, change

        # any other refusal or failure is shown by the operation; the form keeps its values
        saved = perform(self, save, title=self.tr("无法保存"))
        if saved is None:
            return False
        if isinstance(saved, forms.FormErrors):
            self._refused(saved.errors, saved.message)
            return False
        record, change = saved
        step = self.session.last_save
        if step is before:  # an edit that changed nothing
            self.bus.status_message.emit(self.tr("{title}没有改动。").format(title=self.form.title))
            return True
        self.saved_count += 1
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
        if self.is_dirty():
            answer = QMessageBox.question(
                self,
                self.tr("放弃录入"),
                self.tr("已填写的内容尚未保存，确定要放弃吗？"),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
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
) -> int:
    """Open the entry form of ``table`` modally; return how many records were saved."""
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
    dialog.deleteLater()
    return count
