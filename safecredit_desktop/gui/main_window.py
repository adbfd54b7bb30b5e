"""The main window: navigation pane, page stack, menus, status bar, remembered state."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.vocabulary import ROLE_ORDER, Changes, Table
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.file_names import safe_file_name
from safecredit_desktop.core.record_pages import KINDS as RECORD_PAGE_KINDS
from safecredit_desktop.gui import errors, workers
from safecredit_desktop.gui.actions import backup_now
from safecredit_desktop.gui.batch_entry import open_batch_entry
from safecredit_desktop.gui.blocks.dialog_parts import confirmed
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.operations import operation, perform
from safecredit_desktop.gui.pages import Page
from safecredit_desktop.gui.recovery_banner import RecoveryBanner, with_banner
from safecredit_desktop.gui.views.commitments_page import CommitmentsPage
from safecredit_desktop.gui.views.documents_page import DocumentsPage
from safecredit_desktop.gui.views.draw_page import DrawPage
from safecredit_desktop.gui.views.grades_page import GradesPage
from safecredit_desktop.gui.views.home_page import HomePage
from safecredit_desktop.gui.views.lists_page import ListsPage
from safecredit_desktop.gui.views.objections_page import ObjectionsPage
from safecredit_desktop.gui.views.plan_page import PlanPage
from safecredit_desktop.gui.views.publicity_page import PublicityPage
from safecredit_desktop.gui.views.record_page import RecordPage, TabbedPage
from safecredit_desktop.gui.views.registry_page import RegistryPage
from safecredit_desktop.gui.views.settings_page import SettingsPage
from safecredit_desktop.gui.views.unit_detail_page import UnitDetailPage
from safecredit_desktop.gui.workers import run_with_progress

SETTINGS_ORG, SETTINGS_APP = "SafeCredit", "SafeCreditDesktop"
RECENT_KEY, RECENT_MAX = "files/recent", 8


def app_settings() -> QSettings:
    return QSettings(SETTINGS_ORG, SETTINGS_APP)


def recent_files(settings: QSettings | None = None) -> list[str]:
    """The remembered database paths, newest first. QSettings gives back a one-element
    list as a plain string (ini and registry backends) and nothing as None, so the
    value is normalised here rather than iterated (a string would be split into
    characters)."""
    value = (settings or app_settings()).value(RECENT_KEY)
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    return [str(item) for item in items if isinstance(item, str) and item]


def remember_recent(path: Path) -> list[str]:
    settings = app_settings()
    recent = [p for p in recent_files(settings) if p != str(path)]
    recent = [str(path), *recent][:RECENT_MAX]
    settings.setValue(RECENT_KEY, recent)
    return recent


def forget_recent(path: str) -> None:
    settings = app_settings()
    settings.setValue(RECENT_KEY, [p for p in recent_files(settings) if p != path])


class MainWindow(QMainWindow):
    # The controller (gui/app.py) opens another database: (path, create_new)
    switch_requested = Signal(object, bool)
    sign_out_requested = Signal()

    def __init__(self, session: core.Session) -> None:
        super().__init__()
        self.session = session
        self.bus = DataBus(self)
        session.take_changes()  # opening (the log-in, the audit check) is no change
        self._backup_on_close = True
        self.setWindowTitle(
            self.tr("安全生产信用分级分类监管系统 — {bureau_name}").format(
                bureau_name=session.bureau_name
            )
        )
        self.resize(1280, 800)

        self.nav = QListWidget(self)
        self.nav.setMinimumWidth(130)
        self.nav.setMaximumWidth(220)
        self.nav.setStyleSheet(
            "QListWidget { font-size: 14px; } QListWidget::item { padding: 7px; }"
        )
        self.stack = QStackedWidget(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.recovery_banner = RecoveryBanner(session, self.bus, self)
        self.setCentralWidget(with_banner(self.recovery_banner, self.splitter, self))

        self.pages: dict[str, Page] = {}
        self.home = HomePage(session, self.bus, self)
        self._add_page(self.tr("首页"), self.home)
        self.registry = self._add_page(self.tr("企业台账"), RegistryPage(session, self.bus, self))
        self.record_pages: dict[str, RecordPage] = {
            kind: RecordPage(session, self.bus, kind, self) for kind in RECORD_PAGE_KINDS
        }
        for kind, page in self.record_pages.items():
            batch = QPushButton(self.tr("连续录入…"), page)
            batch.setToolTip(self.tr("一行一条，连续录入或从 Excel/WPS 粘贴多条记录"))
            batch.clicked.connect(partial(open_batch_entry, self, session, self.bus, kind))
            page.add_entry_button(batch)
        self._add_page(self.tr("执法检查"), self.record_pages["inspections"])
        self._add_page(self.tr("生产安全事故"), self.record_pages["accidents"])
        self.publicity = PublicityPage(session, self.bus, self)
        self.penalties_page = self._add_tabs(
            self.tr("行政处罚"),
            (self.tr("处罚决定"), self.record_pages["penalties"]),
            (self.tr("双公示"), self.publicity),
        )
        self._add_page(self.tr("失信行为"), self.record_pages["violations"])
        self.commitments = CommitmentsPage(session, self.bus, self)
        self.commitments_page = self._add_tabs(
            self.tr("承诺与表彰"),
            (self.tr("承诺书"), self.record_pages["commitments"]),
            (self.tr("表彰"), self.record_pages["honours"]),
            (self.tr("缺少承诺书的企业"), self.commitments),
        )
        self.grades = self._add_page(self.tr("信用等级"), GradesPage(session, self.bus, self))
        self.lists = self._add_page(self.tr("名单管理"), ListsPage(session, self.bus, self))
        self.objections = self._add_page(
            self.tr("异议与修复"), ObjectionsPage(session, self.bus, self)
        )
        self.plan = PlanPage(session, self.bus, self)
        self._add_page(self.tr("检查计划"), self.plan)
        self.draws = self._add_page(self.tr("双随机抽查"), DrawPage(session, self.bus, self))
        self.documents = DocumentsPage(session, self.bus, self)
        self._add_page(self.tr("文书"), self.documents)
        self.statistics = self._add_page(self.tr("统计报表"), self._statistics_page())
        self.settings_page = self._add_page(self.tr("设置"), SettingsPage(session, self.bus, self))
        self.detail = UnitDetailPage(session, self.bus, self)
        self.stack.addWidget(self.detail)

        self._person = self.session.accounts.person_name()  # 姓名, else the login
        self._status = QLabel(self)
        self.statusBar().addPermanentWidget(self._status, 1)
        self._build_menus()
        self._connect_signals()
        self._restore_state()
        self._refresh_status()
        # the once-a-day backup runs after the window is up, without blocking it
        self._daily_backup_timer = QTimer(self)
        self._daily_backup_timer.setSingleShot(True)
        self._daily_backup_timer.timeout.connect(self._on_daily_backup)
        self._daily_backup_timer.start(3000)

    # -- building -----------------------------------------------------------------------
    def _statistics_page(self) -> Page:
        from safecredit_desktop.gui.views.statistics_page import StatisticsPage

        return StatisticsPage(self.session, self.bus, self)

    def _add_page(self, title: str, page: Page) -> Page:  # type: ignore[override]
        self.nav.addItem(title)
        self.stack.addWidget(page)
        self.pages[title] = page
        return page

    def _add_tabs(self, title: str, *tabs: tuple[str, Page]) -> TabbedPage:
        """A page of the navigation holding other pages as its tabs."""
        page = TabbedPage(self.session, self.bus, list(tabs), self)
        self._add_page(title, page)
        return page

    def _action(
        self,
        menu_title: str,
        text: str,
        slot: Callable[[], None],
        shortcut: QKeySequence | None = None,
    ) -> QAction:
        menu = self._menus[menu_title]
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self._menus = {
            "file": bar.addMenu(self.tr("文件(&F)")),
            "edit": bar.addMenu(self.tr("编辑(&E)")),
            "help": bar.addMenu(self.tr("帮助(&H)")),
        }
        self._action(
            "file", self.tr("新建数据库…"), self._on_new_database, QKeySequence.StandardKey.New
        )
        self._action(
            "file", self.tr("打开数据库…"), self._on_open_database, QKeySequence.StandardKey.Open
        )
        self._action("file", self.tr("打开服务器上的数据库…"), self._on_open_server)
        self.recent_menu = self._menus["file"].addMenu(self.tr("最近打开"))
        self._fill_recent_menu()
        self._menus["file"].addSeparator()
        self._action("file", self.tr("导入工作簿…"), self._on_import)
        self._action("file", self.tr("导出导入模板…"), self._on_export_template)
        self._action("file", self.tr("导出全部数据…"), self._on_export_data)
        self._menus["file"].addSeparator()
        self._action("file", self.tr("立即备份"), self._on_backup_now)
        self._action("file", self.tr("生成演示数据…"), self._on_demo)
        self._menus["file"].addSeparator()
        self._action("file", self.tr("注销"), self._on_sign_out)
        self._action("file", self.tr("退出"), self.close, QKeySequence.StandardKey.Quit)
        self.undo_action = self._action(
            "edit", self.tr("撤销上次保存"), self._on_undo, QKeySequence.StandardKey.Undo
        )
        self._action(
            "help", self.tr("使用说明"), self._on_help, QKeySequence.StandardKey.HelpContents
        )
        self._action("help", self.tr("关于"), self._on_about)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for entry in remember_recent(self.session.db.path) if not self.session.db.is_server else []:
            action = self.recent_menu.addAction(entry)
            action.triggered.connect(lambda _=False, p=entry: self._open_recent(p))

    def _connect_signals(self) -> None:
        self.nav.currentRowChanged.connect(self._on_nav_changed)
        for opens_units in (
            self.registry,
            self.home.due_panel,
            self.home.deadlines_panel,
            self.plan,
            self.publicity,
            self.commitments,
        ):
            opens_units.unit_activated.connect(self._on_unit_activated)
        self.detail.back_requested.connect(self._on_back_to_registry)
        self.bus.status_message.connect(self._on_status_message)
        self.bus.changed.connect(self._on_changes)
        self.settings_page.database_replaced.connect(self._on_database_replaced)

    # -- state --------------------------------------------------------------------------
    def _restore_state(self) -> None:
        settings = app_settings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = settings.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        else:
            self.splitter.setSizes([150, 1130])
        last = int(settings.value("window/page", 1))
        self.nav.setCurrentRow(last if 0 <= last < self.nav.count() else 1)

    def _save_state(self) -> None:
        settings = app_settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/splitter", self.splitter.saveState())
        settings.setValue("window/page", self.nav.currentRow())

    def _refresh_status(self) -> None:
        last = core.latest_backup_time(self.session.db.path) or self.tr("无")
        parts = [
            self.tr("数据库：{path}").format(path=str(self.session.db.location)),
            self.tr("用户：{user}（{roles}）").format(
                user=self._person,
                roles="、".join(r.value for r in ROLE_ORDER if self.session.has_role(r)),
            ),
            self.tr("信用规则：{title}").format(title=self.session.profile.title),
            self.tr("上次备份：{last}").format(last=last),
        ]
        if self.session.db.read_only:
            parts.insert(1, self.tr("只读（网络共享文件夹）"))
        self._status.setText("    ".join(parts))

    # -- slots --------------------------------------------------------------------------
    def _on_nav_changed(self, row: int) -> None:
        page = self.stack.widget(row)
        self.stack.setCurrentIndex(row)
        if isinstance(page, Page):
            page.refresh()

    def _on_unit_activated(self, unit_id: int) -> None:
        self.detail.show_unit(unit_id)
        self.stack.setCurrentWidget(self.detail)

    def _on_back_to_registry(self) -> None:
        self.stack.setCurrentWidget(self.registry)

    def _on_status_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _on_changes(self, changes: Changes) -> None:
        self.undo_action.setEnabled(self.session.last_save is not None)
        if Table.USERS in changes:  # the person's 姓名 may have changed
            self._person = self.session.accounts.person_name()
            self._refresh_status()
        if Table.SETTINGS in changes:  # 单位名称 may have changed in 设置 → 单位信息
            self.setWindowTitle(
                self.tr("安全生产信用分级分类监管系统 — {bureau_name}").format(
                    bureau_name=self.session.bureau_name
                )
            )

    @operation(title="撤销")
    def _on_undo(self) -> None:
        done = self.session.records.undo()
        self.bus.status_message.emit(self.tr("已{done}").format(done=done))

    def _on_backup_now(self) -> None:
        if backup_now(self, self.session, self.bus):
            self._refresh_status()

    def _on_daily_backup(self) -> None:
        """The once-a-day backup; a failure is a line in the status bar (and the error
        log), not a box in the way of the morning's work."""
        if self.session.db.county:  # a county's seat on a city server: the city backs up
            return
        workers.wait_for_jobs()
        try:
            copy = core.automatic_backup(self.session.db.location)
        except Exception as exc:  # said in the status bar; anything unexpected also logged
            if isinstance(exc, SafeCreditError):
                message = exc.message
            else:
                errors.log_error(exc, "自动备份")
                message = core.failure_message(exc) or self.tr("请查看错误日志。")
            self.bus.status_message.emit(self.tr("自动备份失败：{message}").format(message=message))
            return
        if copy is not None:
            self.bus.status_message.emit(self.tr("已完成今天的自动备份"))
            self._refresh_status()

    @operation(title="生成演示数据")
    def _on_demo(self) -> None:
        if self.session.units.count():
            QMessageBox.information(
                self,
                self.tr("生成演示数据"),
                self.tr("演示数据只能生成到空数据库中，请先新建一个数据库。"),
            )
            return
        run_with_progress(
            self,
            self.tr("正在生成演示数据…"),
            lambda own, report: core.fill_demo(own, enterprises=2000, seed=1, progress=report),
            session=self.session,
        )

    def _save_path(self, title: str, suggested: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(
            self,
            title,
            str(Path.home() / safe_file_name(suggested, suffix=".xlsx")),
            self.tr("Excel 工作簿 (*.xlsx)"),
        )
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() == ".xlsx" else path.with_name(path.name + ".xlsx")

    def _on_import(self) -> None:
        from safecredit_desktop.gui.dialogs.import_dialog import ImportDialog

        chosen, _ = QFileDialog.getOpenFileName(
            self, self.tr("导入工作簿"), str(Path.home()), self.tr("Excel 工作簿 (*.xlsx)")
        )
        if not chosen:
            return
        dialog = ImportDialog(self.session, self.bus, Path(chosen), self)
        dialog.check()
        dialog.exec()

    @operation(title="导出失败")
    def _on_export_template(self) -> None:
        path = self._save_path(self.tr("导出导入模板"), self.tr("安全生产信用导入模板.xlsx"))
        if path is None:
            return
        self.session.exchange.export_template(path)
        self.bus.status_message.emit(self.tr("已导出导入模板：{path}").format(path=path))

    @operation(title="导出失败")
    def _on_export_data(self) -> None:
        path = self._save_path(
            self.tr("导出全部数据"), self.session.bureau_name + self.tr("全部数据.xlsx")
        )
        if path is None:
            return
        include_id = confirmed(
            self,
            self.tr("身份证号"),
            self.tr(
                "是否导出完整的主要负责人身份证号？\n选“是”会记入审计日志；"
                "选“否”则身份证号一栏留空（迁移到新电脑请用备份与恢复）。"
            ),
            no_by_default=True,
        )
        run_with_progress(
            self,
            self.tr("正在导出全部数据…"),
            lambda own, report: own.exchange.export_all_data(
                path, include_id=include_id, progress=report
            ),
            session=self.session,
        )
        self.bus.status_message.emit(self.tr("已导出全部数据：{path}").format(path=path))

    def _on_new_database(self) -> None:
        folder = self.session.db.path.parent
        self._choose_database(
            QFileDialog.getSaveFileName, self.tr("新建数据库"), folder / "新数据库.db", create=True
        )

    def _on_open_database(self) -> None:
        folder = self.session.db.path.parent
        self._choose_database(
            QFileDialog.getOpenFileName, self.tr("打开数据库"), folder, create=False
        )

    def _choose_database(
        self, ask: Callable[..., tuple[str, str]], title: str, suggested: Path, *, create: bool
    ) -> None:
        """``ask`` (the save or the open file dialog) for a database file, then switch to it."""
        chosen, _ = ask(self, title, str(suggested), self.tr("数据库文件 (*.db)"))
        if chosen:
            self._switch_to(Path(chosen), create)

    def _on_open_server(self) -> None:
        """A PostgreSQL register by its address (the password is asked when opening)."""
        from PySide6.QtWidgets import QInputDialog

        from safecredit_desktop.core.app.vocabulary import parse_server

        text, ok = QInputDialog.getText(
            self,
            self.tr("打开服务器上的数据库"),
            self.tr(
                "数据库地址（不含密码）：\npostgresql://用户名@服务器[:端口]/数据库名[?sslmode=require]"
            ),
            text="postgresql://",
        )
        if not ok or not text.strip():
            return
        try:
            location = parse_server(text)
        except SafeCreditError as exc:
            QMessageBox.warning(self, self.tr("打开服务器上的数据库"), exc.message)
            return
        self._switch_to(location, False)

    def _open_recent(self, entry: str) -> None:
        path = Path(entry)
        if not path.is_file():
            forget_recent(entry)
            self._fill_recent_menu()
            QMessageBox.warning(
                self,
                self.tr("最近打开"),
                self.tr(
                    "找不到数据库文件 {entry}（可能已移动或删除），已从“最近打开”中移除。"
                ).format(entry=entry),
            )
            return
        self._switch_to(path, False)

    def _switch_to(self, path: object, create: bool) -> None:
        self.switch_requested.emit(path, create)

    def _on_sign_out(self) -> None:
        self.sign_out_requested.emit()

    def _on_database_replaced(self) -> None:
        self._backup_on_close = False  # the restore made its own safety copy
        self.sign_out_requested.emit()

    def _on_help(self) -> None:
        from safecredit_desktop.gui.dialogs.help_dialog import HelpDialog

        if getattr(self, "help_dialog", None) is None:
            self.help_dialog = HelpDialog(self)
        self.help_dialog.show()
        self.help_dialog.raise_()

    def _on_about(self) -> None:
        from safecredit_desktop import __version__

        QMessageBox.about(
            self,
            self.tr("关于"),
            self.tr("安全生产信用分级分类监管系统（单机版）\n版本 {version}").format(
                version=__version__
            ),
        )

    # -- closing ------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        self._save_state()
        # a failure is said; the window closes all the same (a county's seat on a city
        # server makes no copy of the whole register: the city backs up)
        if self._backup_on_close and not self.session.db.county:
            perform(
                self,
                lambda: run_with_progress(
                    self,
                    self.tr("关闭前自动备份…"),
                    lambda own, _report: core.automatic_backup(own.db.location, force=True),
                    session=self.session,
                    cancellable=False,
                ),
                title=self.tr("自动备份失败"),
            )
        self.session.close()
        event.accept()
