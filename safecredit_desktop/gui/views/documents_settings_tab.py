"""设置 → 文书: the 文号 prefix of each kind of document, and the fonts documents are
drawn with (the shipped open fonts, or the bureau's installed official fonts).
Administrators edit; others see the settings read-only."""

from __future__ import annotations

from datetime import date
from functools import partial

from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.model import Role
from safecredit_desktop.gui.blocks.page_parts import button_row
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.operations import attempt, perform


class DocumentsSettingsTab(QWidget):
    """``DocumentsSettingsTab(session, bus, parent=None)``. Its own saves are all that
    change these settings, so it reads them once and keeps what was typed."""

    def __init__(self, session: core.Session, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.bus = bus
        self._saved: dict[str, str] = {}
        self.may_edit = session.role is Role.ADMIN

        # -- 文号前缀 --
        prefix_box = QGroupBox(self.tr("文号前缀"), self)
        prefix_form = QFormLayout(prefix_box)
        self.prefix_edits: dict[str, QLineEdit] = {}
        self.prefix_examples: dict[str, QLabel] = {}
        for kind in session.documents.kinds():
            edit = QLineEdit(prefix_box)
            edit.setMaxLength(20)
            example = QLabel(prefix_box)
            example.setStyleSheet("color: #555;")
            example.setMinimumWidth(200)
            edit.setMaximumWidth(260)
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(example, 1)
            prefix_form.addRow(kind.name, row)
            self.prefix_edits[kind.kind] = edit
            self.prefix_examples[kind.kind] = example
            edit.textChanged.connect(lambda text, k=kind.kind: self._show_example(k, text))
        self.save_prefixes_button = QPushButton(self.tr("保存文号前缀"), prefix_box)
        self.save_prefixes_button.clicked.connect(self.save_prefixes)
        prefix_note = QLabel(
            self.tr(
                "文号由前缀、年份和序号组成，如“凤应急信告〔2026〕12号”；"
                "序号按文书种类和年份顺序编排，不重复、不跳号。修改前缀只影响此后出具的文书。"
            ),
            prefix_box,
        )
        prefix_note.setWordWrap(True)
        prefix_form.addRow(prefix_note)
        prefix_form.addRow(button_row([self.save_prefixes_button]))

        # -- 字体 --
        font_box = QGroupBox(self.tr("文书字体"), self)
        self.shipped_radio = QRadioButton(self.tr("随程序提供的开放字体"), font_box)
        self.official_radio = QRadioButton(
            self.tr("本局安装的公文字体（仿宋_GB2312、方正小标宋）"), font_box
        )
        self.font_group = QButtonGroup(self)
        self.font_group.addButton(self.shipped_radio)
        self.font_group.addButton(self.official_radio)
        self.folder = QLineEdit(font_box)
        self.folder.setPlaceholderText(self.tr("留空则在系统字体文件夹中查找"))
        self.browse_button = QPushButton(self.tr("选择文件夹…"), font_box)
        self.browse_button.clicked.connect(self._browse)
        self.save_fonts_button = QPushButton(self.tr("保存字体设置"), font_box)
        self.save_fonts_button.clicked.connect(self.save_fonts)
        self.font_description = QLabel(font_box)
        self.font_description.setWordWrap(True)
        self.font_notes = QLabel(font_box)
        self.font_notes.setWordWrap(True)
        self.font_notes.setStyleSheet("color: #8a5a00;")
        folder_row = QHBoxLayout()
        folder_row.addWidget(QLabel(self.tr("字体文件夹"), font_box))
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.browse_button)
        font_note = QLabel(
            self.tr(
                "无论用哪种字体，字体都嵌入生成的PDF，在任何电脑上打印效果相同。"
                "公文字体须由本局合法取得并安装；找不到时仍用开放字体，并在下方说明原因。"
            ),
            font_box,
        )
        font_note.setWordWrap(True)
        font_layout = QVBoxLayout(font_box)
        font_layout.addWidget(self.shipped_radio)
        font_layout.addWidget(self.official_radio)
        font_layout.addLayout(folder_row)
        font_layout.addWidget(font_note)
        font_layout.addLayout(button_row([self.save_fonts_button]))
        font_layout.addWidget(self.font_description)
        font_layout.addWidget(self.font_notes)
        self.official_radio.toggled.connect(self._update_folder_enabled)

        self.role_note = QLabel(self)
        self.role_note.setWordWrap(True)
        if not self.may_edit:
            self.role_note.setText(self.tr("只有管理员可以修改文书设置。"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.role_note)
        layout.addWidget(prefix_box)
        layout.addWidget(font_box)
        layout.addStretch(1)

        self.refresh()

    # -- showing ------------------------------------------------------------------------
    def refresh(self) -> None:
        self._saved = self.session.documents.prefixes()
        for kind, edit in self.prefix_edits.items():
            edit.setText(self._saved.get(kind, ""))
        self._show_fonts(self.session.documents.font_settings(), reset_inputs=True)
        self._apply_role()

    def _show_example(self, kind: str, text: str) -> None:
        prefix = text.strip()
        self.prefix_examples[kind].setText(
            self.tr("例：{prefix}〔{year}〕1号").format(prefix=prefix, year=str(date.today().year))
            if prefix
            else ""
        )

    def _show_fonts(self, found: core.FontSettings, *, reset_inputs: bool) -> None:
        if reset_inputs:
            (self.official_radio if found.use_official else self.shipped_radio).setChecked(True)
            self.folder.setText(found.folder)
        self.font_description.setText(
            self.tr("当前文书字体：{description}").format(description=found.description)
        )
        self.font_notes.setText("\n".join(found.notes))
        self.font_notes.setVisible(bool(found.notes))

    def _update_folder_enabled(self) -> None:
        on = self.may_edit and self.official_radio.isChecked()
        self.folder.setEnabled(on)
        self.browse_button.setEnabled(on)

    def _apply_role(self) -> None:
        for edit in self.prefix_edits.values():
            edit.setReadOnly(not self.may_edit)
        for widget in (
            self.save_prefixes_button,
            self.shipped_radio,
            self.official_radio,
            self.save_fonts_button,
        ):
            widget.setEnabled(self.may_edit)
        self._update_folder_enabled()

    # -- saving -------------------------------------------------------------------------
    def save_prefixes(self) -> bool:
        """Save every changed prefix; on a refusal say why and keep what was typed."""
        changed = 0
        for kind, edit in self.prefix_edits.items():
            typed = edit.text().strip()
            if typed == self._saved.get(kind, ""):
                continue
            saved = attempt(
                self,
                partial(self.session.documents.set_prefix, kind, typed),
                title=self.tr("文号前缀"),
            )
            if not saved:  # the sentence was shown; the field keeps what was typed
                edit.setFocus()
                edit.selectAll()
                return False
            self._saved[kind] = typed
            changed += 1
        if changed:
            self.bus.status_message.emit(self.tr("已保存文号前缀。"))
        return True

    def _store_fonts(self) -> core.FontSettings:
        self.session.documents.set_fonts(
            use_official=self.official_radio.isChecked(),
            folder=self.folder.text().strip(),
        )
        return self.session.documents.font_settings()

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, self.tr("选择公文字体所在的文件夹"), self.folder.text()
        )
        if chosen:
            self.folder.setText(chosen)

    def save_fonts(self) -> bool:
        found = perform(self, self._store_fonts, title=self.tr("文书字体"))
        if found is None:
            return False
        self._show_fonts(found, reset_inputs=False)
        self.bus.status_message.emit(self.tr("已保存文书字体设置。"))
        return True
