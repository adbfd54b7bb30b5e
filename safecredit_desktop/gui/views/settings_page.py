"""设置: the bureau's details, users (administrator), backups and restore (administrator)."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.vocabulary import COUNTY_TOWNS, DRAW_AVOID_OWN_TOWN, Changes, Table
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.gui.actions import backup_now
from safecredit_desktop.gui.blocks.dialog_parts import (
    confirmed,
    push_button,
    row_of,
    vbox,
    wrapping_label,
)
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.operations import operation, publish
from safecredit_desktop.gui.pages import Page
from safecredit_desktop.gui.views.documents_settings_tab import DocumentsSettingsTab
from safecredit_desktop.gui.views.holidays_tab import HolidaysTab
from safecredit_desktop.gui.views.roster_tab import RosterTab
from safecredit_desktop.gui.views.towns_tab import TownsTab
from safecredit_desktop.gui.views.users_tab import UsersTab
from safecredit_desktop.gui.widgets import readonly_table

REASONS = {
    "auto": "自动备份",
    "manual": "手动备份",
    "before-restore": "恢复前备份",
}


class SettingsPage(Page):
    database_replaced = Signal()  # after a restore: the window must sign in again
    watched = frozenset({Table.SETTINGS})

    def __init__(self, session: core.Session, bus: DataBus, parent: QWidget | None = None):
        super().__init__(session, bus, parent)
        self.page_title = self.tr("设置")
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._bureau_tab(), self.tr("单位信息"))
        self.towns_tab = TownsTab(session, bus, self)
        self.tabs.addTab(self.towns_tab, self.tr("乡镇"))
        self.tabs.addTab(self._rules_tab(), self.tr("信用规则"))
        self.tabs.addTab(self._users_tab(), self.tr("用户与权限"))
        self.tabs.addTab(self._backups_tab(), self.tr("备份与恢复"))
        self.roster_tab = RosterTab(session, bus, self)
        self.tabs.addTab(self.roster_tab, self.tr("执法人员名录"))
        self.holidays_tab = HolidaysTab(session, bus, self)
        self.tabs.addTab(self.holidays_tab, self.tr("节假日"))
        self.documents_tab = DocumentsSettingsTab(session, bus, self)
        self.tabs.addTab(self.documents_tab, self.tr("文书"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)

    # -- building -----------------------------------------------------------------------
    def _bureau_tab(self) -> QWidget:
        """单位信息: the settings an administrator keeps, editable by an administrator."""
        tab = QWidget(self)
        admin = self.session.role is Role.ADMIN
        self.bureau_fields: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for setting, value in self.session.settings.bureau():
            if setting.key in (DRAW_AVOID_OWN_TOWN, COUNTY_TOWNS):
                continue  # kept on their own tabs (执法人员名录, 乡镇)
            edit = QLineEdit(value, tab)
            edit.setPlaceholderText(setting.note)
            edit.setToolTip(setting.note)
            edit.setReadOnly(not admin)
            self.bureau_fields[setting.name] = edit
            form.addRow(self.tr("{name}：").format(name=setting.name), edit)
        profile = self.session.profile
        form.addRow(self.tr("信用规则："), QLabel(profile.title, tab))
        form.addRow("", wrapping_label(tab, profile.rules_of))
        form.addRow(self.tr("数据库文件："), QLabel(str(self.session.db.location), tab))
        self.bureau_error = wrapping_label(tab, style="color: #b00020;")
        self.bureau_save_button = push_button(tab, self.tr("保存单位信息"), self.save_bureau)
        self.bureau_revert_button = push_button(tab, self.tr("还原"), lambda: self.show_bureau())
        self.bureau_save_button.setEnabled(admin)
        self.bureau_revert_button.setEnabled(admin)
        who = QLabel(
            self.tr("修改后点“保存单位信息”；每次修改都记入审计日志。")
            if admin
            else self.tr("只有管理员可以修改单位信息。"),
            tab,
        )
        who.setStyleSheet("color: #555;")
        buttons = QHBoxLayout()
        buttons.addWidget(self.bureau_save_button)
        buttons.addWidget(self.bureau_revert_button)
        buttons.addWidget(who, 1)
        layout = QVBoxLayout(tab)
        layout.addLayout(form)
        layout.addWidget(self.bureau_error)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return tab

    def _rules_tab(self) -> QWidget:
        self.rules_view = QTextBrowser(self)
        parts: list[str] = []
        for line in self.session.grading.rules_text():
            if line.startswith("# "):
                parts.append(f"<h3>{escape(line[2:])}</h3>")
            elif line:
                parts.append(f"<p style='margin:2px'>{escape(line)}</p>")
        note = self.tr(
            "如需按本地文件调整规则：复制 resources/profiles 中的规则文件，修改后用"
            " safecredit init --profile 文件路径 新建数据库（说明见 docs/profile-format.md）。"
        )
        parts.append(f"<p style='color:#555'>{escape(note)}</p>")
        self.rules_view.setHtml("".join(parts))
        return self.rules_view

    def _users_tab(self) -> QWidget:
        self.users_tab = UsersTab(self.session, self.bus, self)
        return self.users_tab

    def _backups_tab(self) -> QWidget:
        tab = QWidget(self)  # from the top: a note, the backups, the buttons
        note = wrapping_label(
            tab,
            self.tr(
                "程序在关闭时和每天首次打开时自动备份，并在导入、升级和恢复前备份；"
                "自动备份保留最近7天每天一份、最近4周每周一份、最近12个月每月一份。"
                "恢复只限管理员，恢复前会先备份当前数据。"
            ),
        )
        self.backups_table = readonly_table(
            tab, [self.tr("备份时间"), self.tr("类型"), self.tr("大小"), self.tr("文件")]
        )
        self.backup_button = push_button(tab, self.tr("立即备份"), self._on_backup_now)
        self.restore_button = push_button(tab, self.tr("从所选备份恢复…"), self._on_restore)
        vbox(tab, note, self.backups_table, row_of(self.backup_button, self.restore_button))
        return tab

    # -- showing ------------------------------------------------------------------------
    def refresh(self) -> None:
        self.users_tab.refresh()
        self.towns_tab.refresh()
        copies = core.backups_of(self.session.db.path)
        self.backups_table.setRowCount(len(copies))
        for row, copy in enumerate(copies):
            size = copy.path.stat().st_size / 1_048_576 if copy.path.exists() else 0.0
            reason = REASONS.get(
                copy.reason,
                self.tr("升级前备份") if copy.reason.startswith("upgrade") else copy.reason,
            )
            values = (
                copy.taken.strftime("%Y-%m-%d %H:%M:%S"),
                reason,
                f"{size:,.1f} MB",
                copy.path.name,
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, str(copy.path))
                self.backups_table.setItem(row, column, item)

    # -- 单位信息 ---------------------------------------------------------------------------
    def on_changes(self, changes: Changes) -> None:
        self.show_bureau(keep_edits=True)
        self.towns_tab.refresh()

    def show_bureau(self, *, keep_edits: bool = False) -> None:
        """The stored values again (after a save, or 还原 of unsaved edits); with
        ``keep_edits`` a field the user has typed in is left as it is."""
        for setting, value in self.session.settings.bureau():
            edit = self.bureau_fields.get(setting.name)
            if edit is not None and not (keep_edits and edit.isModified()):
                edit.setText(value)
                edit.setModified(False)
                edit.setStyleSheet("")
        self.bureau_error.setText("")

    def save_bureau(self) -> list[str] | None:
        """Store the edited 单位信息; a refused value is named beside the form and nothing
        typed is lost. Returns the names changed (None when refused)."""
        values = {name: edit.text() for name, edit in self.bureau_fields.items()}
        for edit in self.bureau_fields.values():
            edit.setStyleSheet("")
        try:
            changed = self.session.settings.set_bureau(values)
        except SafeCreditError as exc:  # said beside the form, the field marked
            self.bureau_error.setText(exc.message)
            field = self.bureau_fields.get(getattr(exc, "field", ""))
            if field is not None:
                field.setStyleSheet("border: 1px solid #b00020;")
                field.setFocus()
            return None
        self.show_bureau()
        publish(self)
        if changed:
            self.bus.status_message.emit(
                self.tr("已保存单位信息：{changed}").format(changed="、".join(changed))
            )
        else:
            self.bus.status_message.emit(self.tr("单位信息没有改动"))
        return changed

    # -- backups ------------------------------------------------------------------------
    def _on_backup_now(self) -> None:
        if backup_now(self, self.session, self.bus):
            self.refresh()

    @operation(title="恢复")
    def _on_restore(self) -> None:
        row = self.backups_table.currentRow()
        if row < 0:
            QMessageBox.information(self, self.tr("恢复"), self.tr("请先在列表中选择一份备份。"))
            return
        candidate = Path(str(self.backups_table.item(row, 0).data(Qt.ItemDataRole.UserRole)))
        self.session.require(Role.ADMIN)
        if not confirmed(
            self,
            self.tr("确认恢复"),
            self.tr("确定用 {item} 的备份替换当前数据吗？\n当前数据会先另存一份备份。").format(
                item=self.backups_table.item(row, 0).text()
            ),
        ):
            return
        core.restore_backup(self.session, candidate)
        QMessageBox.information(self, self.tr("恢复完成"), self.tr("数据已恢复，请重新登录。"))
        self.database_replaced.emit()
