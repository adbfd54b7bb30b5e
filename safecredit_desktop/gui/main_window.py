"""The main window. Until the window issue lands: the unit list and a status bar."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QLabel, QMainWindow, QTableView, QVBoxLayout, QWidget

from safecredit_desktop.core import services
from safecredit_desktop.gui.unit_table_model import UnitTableModel


class MainWindow(QMainWindow):
    def __init__(self, session: services.Session) -> None:
        super().__init__()
        self._session = session
        self.setWindowTitle(
            self.tr("安全生产信用分级分类监管系统 — %1").replace("%1", session.bureau_name)
        )
        self.resize(1100, 680)

        self.model = UnitTableModel(session, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in ((0, 190), (1, 360), (2, 130), (3, 120)):
            self.table.setColumnWidth(column, width)

        title = QLabel(self.tr("企业台账（共 %1 家）").replace("%1", str(self.model.total)), self)
        title.setStyleSheet("font-size: 15px; font-weight: bold; padding: 4px;")
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addWidget(title)
        layout.addWidget(self.table)
        self.setCentralWidget(central)
        self._fill_status_bar()

    def _fill_status_bar(self) -> None:
        profile = self._session.profile
        last = services.latest_backup_time(self._session.db.path) or self.tr("无")
        parts = [
            self.tr("数据库：%1").replace("%1", str(self._session.db.path)),
            self.tr("用户：%1").replace("%1", self._session.user),
            self.tr("信用规则：%1").replace("%1", profile.title),
            self.tr("上次备份：%1").replace("%1", last),
        ]
        self.statusBar().showMessage("    ".join(parts))
