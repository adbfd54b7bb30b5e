"""执法人员名录 (a tab of 设置): inspectors (姓名, 执法证号, 所属单位, 在岗), add, edit,
停用/启用, and each inspector's conflicts (回避: unit codes they must not inspect)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.app.vocabulary import Changes, Table
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.scheduling.draw import RosterEntry
from safecredit_desktop.gui.blocks import Column, RowTable
from safecredit_desktop.gui.blocks.dialog_parts import push_button, row_of
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.operations import attempt, operation


class InspectorDialog(QDialog):
    """One inspector's fields."""

    def __init__(self, inspector: model.Inspector | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("修改执法人员") if inspector else self.tr("新增执法人员"))
        self._id = inspector.id if inspector else None
        self.name = QLineEdit(inspector.name if inspector else "", self)
        self.cert_no = QLineEdit(inspector.cert_no if inspector else "", self)
        self.org = QLineEdit(inspector.org if inspector else "", self)
        self.active = QCheckBox(self.tr("在岗"), self)
        self.active.setChecked(inspector.active if inspector else True)
        form = QFormLayout(self)
        form.addRow(self.tr("姓名"), self.name)
        form.addRow(self.tr("执法证号"), self.cert_no)
        form.addRow(self.tr("所属单位"), self.org)
        form.addRow("", self.active)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def inspector(self) -> model.Inspector:
        return model.Inspector(
            name=self.name.text(),
            cert_no=self.cert_no.text(),
            org=self.org.text(),
            active=self.active.isChecked(),
            id=self._id,
        )


class RosterTab(QWidget):
    """``RosterTab(session, bus, parent=None)``: the roster, its editing and the 回避."""

    watched = frozenset({Table.INSPECTORS, Table.INSPECTOR_CONFLICTS, Table.UNITS})

    def __init__(self, session: core.Session, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.bus = bus
        self.page_title = self.tr("执法人员名录")
        self.table: RowTable[RosterEntry] = RowTable(
            self,
            [
                Column(self.tr("姓名"), lambda e: e.inspector.name),
                Column(self.tr("执法证号"), lambda e: e.inspector.cert_no),
                Column(self.tr("所属单位"), lambda e: e.inspector.org),
                Column(
                    self.tr("在岗"),
                    lambda e: self.tr("是") if e.inspector.active else self.tr("否"),
                    colour=lambda e: None if e.inspector.active else "#808080",
                ),
                Column(self.tr("回避企业"), lambda e: "、".join(e.conflicts), stretch=True),
            ],
            lambda e: e.inspector.id,
        )

        self.add_button = push_button(self, self.tr("新增…"), self.add_inspector)
        self.edit_button = push_button(self, self.tr("修改…"), self.edit_selected)
        self.toggle_button = push_button(self, self.tr("停用"), self.toggle_selected)
        self.conflicts_button = push_button(self, self.tr("回避企业…"), self.edit_conflicts)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        buttons = row_of(
            self.add_button, self.edit_button, self.toggle_button, self.conflicts_button
        )

        self.avoid_own_town = QCheckBox(
            self.tr("双随机抽查时，执法人员回避其所属乡镇的企业（所属单位与企业所在乡镇相同）"),
            self,
        )
        self.avoid_own_town.setChecked(session.draws.avoid_own_town())
        self.avoid_own_town.toggled.connect(self._on_avoid_own_town)

        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.avoid_own_town)
        bus.changed.connect(self._on_changes)
        self.refresh()

    def _on_avoid_own_town(self, on: bool) -> None:
        if not attempt(self, lambda: self.session.draws.set_avoid_own_town(on)):
            self.avoid_own_town.blockSignals(True)  # not saved: show what holds
            self.avoid_own_town.setChecked(not on)
            self.avoid_own_town.blockSignals(False)

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(self.watched):
            self.refresh()

    def refresh(self) -> None:
        self.table.set_rows(self.session.draws.inspectors())
        self._update_buttons()

    def selected(self) -> RosterEntry | None:
        return self.table.selected()

    def _update_buttons(self) -> None:
        may = self.session.role in (Role.REVIEWER, Role.ADMIN)
        chosen = self.selected()
        self.add_button.setEnabled(may)
        for button in (self.edit_button, self.toggle_button, self.conflicts_button):
            button.setEnabled(may and chosen is not None)
        if chosen is not None:
            self.toggle_button.setText(
                self.tr("停用") if chosen.inspector.active else self.tr("启用")
            )

    # -- editing ------------------------------------------------------------------------
    def ask_inspector(self, inspector: model.Inspector | None) -> model.Inspector | None:
        """The dialog; tests replace this."""
        dialog = InspectorDialog(inspector, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.inspector()

    def _save(self, inspector: model.Inspector) -> bool:
        """Save; on a refusal the dialog opens again with what was typed."""
        return attempt(self, lambda: self.session.draws.save_inspector(inspector))

    def _edit(self, inspector: model.Inspector | None) -> None:
        """Ask until what was typed is saved or the dialog is cancelled."""
        inspector = self.ask_inspector(inspector)
        while inspector is not None and not self._save(inspector):
            inspector = self.ask_inspector(inspector)

    def add_inspector(self) -> None:
        self._edit(None)

    def edit_selected(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self._edit(chosen.inspector)

    def toggle_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        i = chosen.inspector
        self._save(model.Inspector(i.name, i.cert_no, i.org, not i.active, i.id))

    @operation
    def edit_conflicts(self) -> None:
        chosen = self.selected()
        if chosen is None or chosen.inspector.id is None:
            return
        text, ok = QInputDialog.getMultiLineText(
            self,
            self.tr("回避企业"),
            self.tr(
                "{name} 须回避的企业（统一社会信用代码，用“、”或“,”分隔；清空表示无回避）："
            ).format(name=chosen.inspector.name),
            "、".join(chosen.conflicts),
        )
        if not ok:
            return
        ids = self.session.units.ids_for_codes(text)
        self.session.draws.set_conflicts(chosen.inspector.id, ids)
