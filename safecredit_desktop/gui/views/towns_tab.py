"""设置 → 乡镇: the county's towns the unit form's 所在乡镇 is chosen from (管理员)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.gui.blocks.page_parts import button_row
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.operations import publish


class TownsTab(QWidget):
    """The list, kept by an administrator: add one, remove the chosen ones, or take the
    towns the registry already names. Every change is stored at once and audited."""

    def __init__(self, session: core.Session, bus: DataBus, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.bus = bus
        admin = session.has_role(Role.ADMIN)
        note = QLabel(
            self.tr(
                "录入企业时，“所在乡镇”从本名单中选择；名单外的乡镇只能由管理员加入"
                "（在此处或企业信息表中）。名单为空时不作限制。导入表格不受名单限制。"
            )
            if admin
            else self.tr("本县乡镇名单由管理员维护；录入企业时“所在乡镇”从名单中选择。"),
            self,
        )
        note.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.new_town = QLineEdit(self)
        self.new_town.setPlaceholderText(self.tr("新乡镇名称，如 沱江镇"))
        self.add_button = QPushButton(self.tr("添加"), self)
        self.remove_button = QPushButton(self.tr("删除所选"), self)
        self.from_registry_button = QPushButton(self.tr("加入台账中已有的乡镇"), self)
        self.count_label = QLabel(self)
        self.count_label.setStyleSheet("color: #555;")
        adding = QHBoxLayout()
        adding.addWidget(self.new_town, 1)
        adding.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(adding)
        layout.addWidget(self.list, 1)
        layout.addLayout(
            button_row([self.remove_button, self.from_registry_button], [self.count_label])
        )
        for widget in (self.new_town, self.add_button, self.remove_button):
            widget.setEnabled(admin)
        self.from_registry_button.setEnabled(admin)
        self.add_button.clicked.connect(self.add)
        self.new_town.returnPressed.connect(self.add)
        self.remove_button.clicked.connect(self.remove_selected)
        self.from_registry_button.clicked.connect(self.take_from_registry)

    def towns(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def refresh(self) -> None:
        self.list.clear()
        self.list.addItems(self.session.settings.towns())
        self.count_label.setText(self.tr("共 {count} 个乡镇").format(count=self.list.count()))

    def _store(self, towns: list[str], done: str) -> bool:
        try:
            self.session.settings.set_towns(towns)
        except SafeCreditError as exc:
            QMessageBox.warning(self, self.tr("无法保存乡镇名单"), exc.message)
            return False
        publish(self)
        self.refresh()
        self.bus.status_message.emit(done)
        return True

    def add(self) -> None:
        town = self.new_town.text().strip()
        if not town:
            return
        if town in self.towns():
            self.bus.status_message.emit(self.tr("“{town}”已在名单中。").format(town=town))
            return
        if self._store([*self.towns(), town], self.tr("已添加乡镇“{town}”。").format(town=town)):
            self.new_town.clear()

    def remove_selected(self) -> None:
        chosen = {item.text() for item in self.list.selectedItems()}
        if not chosen:
            return
        kept = [t for t in self.towns() if t not in chosen]
        self._store(
            kept, self.tr("已从名单中删除：{towns}。").format(towns="、".join(sorted(chosen)))
        )

    def take_from_registry(self) -> None:
        current = self.towns()
        found = [t for t in self.session.settings.towns_in_registry() if t not in current]
        if not found:
            self.bus.status_message.emit(self.tr("台账中的乡镇都已在名单中。"))
            return
        self._store(
            [*current, *found],
            self.tr("已加入台账中的 {count} 个乡镇。").format(count=len(found)),
        )
