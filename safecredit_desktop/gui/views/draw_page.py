"""双随机抽查: make a draw (pool by filters, ratio per grade, seed, team size), show its
units and inspector teams, list past draws (annulled ones marked), annul with a reason,
export the result (公示) and verify a draw by re-running it from its stored inputs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import services
from safecredit_desktop.core.errors import Cancelled, SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.scheduling.draw import DEFAULT_RATIOS, DrawDetail, DrawSummary
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.pages import Page
from safecredit_desktop.gui.widgets import readonly_table
from safecredit_desktop.gui.workers import run_with_progress

GRADES = ("A", "B", "C", "D")
ALL = "（全部）"
_WATCHED = {"*", "draws", "units", "inspectors", "inspector_conflicts"}


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.setItem(r, c, QTableWidgetItem(value))


class DrawPage(Page):
    """双随机抽查. ``DrawPage(session, bus, parent=None)``."""

    def __init__(
        self, session: services.Session, bus: DataBus, parent: QWidget | None = None
    ) -> None:
        super().__init__(session, bus, parent)
        self._last_dir = Path.home()
        self._shown: DrawDetail | None = None
        self._summaries: list[DrawSummary] = []
        self.last_export: Path | None = None

        heading = QLabel(self.tr("双随机抽查"), self)
        heading.setStyleSheet("font-size: 18px; font-weight: bold;")

        box = QGroupBox(self.tr("抽取条件"), self)
        form = QFormLayout(box)
        self.year = QSpinBox(box)
        self.year.setRange(2000, 2100)
        self.year.setValue(date.today().year)
        form.addRow(self.tr("年度"), self.year)

        grade_row = QHBoxLayout()
        self.grade_checks: dict[str, QCheckBox] = {}
        self.ratio_spins: dict[str, QDoubleSpinBox] = {}
        for grade in GRADES:
            check = QCheckBox(self.tr("{grade}级").format(grade=grade), box)
            check.setChecked(True)
            spin = QDoubleSpinBox(box)
            spin.setRange(0.0, 100.0)
            spin.setDecimals(2)
            spin.setSuffix("%")
            spin.setValue(float(DEFAULT_RATIOS[grade]) * 100)
            spin.setToolTip(self.tr("抽查比例，按企业数向上取整"))
            check.toggled.connect(spin.setEnabled)
            self.grade_checks[grade] = check
            self.ratio_spins[grade] = spin
            grade_row.addWidget(check)
            grade_row.addWidget(spin)
        grade_row.addStretch(1)
        form.addRow(self.tr("等级与抽查比例"), grade_row)

        self.category = QComboBox(box)
        self.town = QComboBox(box)
        form.addRow(self.tr("行业类别"), self.category)
        form.addRow(self.tr("所在乡镇"), self.town)
        self.seed = QLineEdit(box)
        self.seed.setPlaceholderText(self.tr("留空则随机生成；填写后任何人可复核"))
        form.addRow(self.tr("随机种子"), self.seed)
        self.team_size = QSpinBox(box)
        self.team_size.setRange(2, 10)
        self.team_size.setValue(2)
        form.addRow(self.tr("每组执法人员"), self.team_size)
        self.draw_button = QPushButton(self.tr("抽取"), box)
        self.draw_button.clicked.connect(self.make_draw)
        form.addRow("", self.draw_button)

        self.draws = readonly_table(
            self,
            [
                self.tr("编号"),
                self.tr("年度"),
                self.tr("抽取时间"),
                self.tr("抽取人"),
                self.tr("范围"),
                self.tr("对象库"),
                self.tr("抽中"),
                self.tr("状态"),
            ],
        )
        self.draws.itemSelectionChanged.connect(self._on_draw_selected)
        self.annul_button = QPushButton(self.tr("作废…"), self)
        self.export_button = QPushButton(self.tr("导出结果…"), self)
        self.verify_button = QPushButton(self.tr("验证"), self)
        self.annul_button.clicked.connect(self.annul_selected)
        self.export_button.clicked.connect(self.export_selected)
        self.verify_button.clicked.connect(self.verify_selected)
        buttons = QHBoxLayout()
        for button in (self.annul_button, self.export_button, self.verify_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        past = QWidget(self)
        past_layout = QVBoxLayout(past)
        past_layout.setContentsMargins(0, 0, 0, 0)
        past_layout.addWidget(QLabel(self.tr("历次抽查"), past))
        past_layout.addWidget(self.draws, 1)
        past_layout.addLayout(buttons)

        shown = QWidget(self)
        shown_layout = QVBoxLayout(shown)
        shown_layout.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel(self.tr("尚未选择抽查记录。"), shown)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result = readonly_table(
            shown,
            [
                self.tr("序号"),
                self.tr("统一社会信用代码"),
                self.tr("单位名称"),
                self.tr("信用等级"),
                self.tr("检查人员"),
            ],
        )
        shown_layout.addWidget(self.summary)
        shown_layout.addWidget(self.result, 1)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(past)
        splitter.addWidget(shown)
        splitter.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(box)
        layout.addWidget(splitter, 1)

        bus.data_changed.connect(self._on_data_changed)
        self._fill_choices()
        self.refresh()

    # -- reading ------------------------------------------------------------------------
    def _fill_choices(self) -> None:
        categories, towns, _statuses = services.registry_filter_choices(self.session)
        for combo, values in ((self.category, categories), (self.town, towns)):
            current = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems([ALL, *values])
            index = combo.findText(current)
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)

    def _on_data_changed(self, table: str) -> None:
        if table in _WATCHED:
            if table in ("*", "units"):
                self._fill_choices()
            self.refresh()

    def refresh(self) -> None:
        selected = self.selected_draw_id()
        self._summaries = services.list_draws(self.session)
        _fill(self.draws, [self._draw_row(s) for s in self._summaries])
        for row, s in enumerate(self._summaries):
            if s.annulled:
                for col in range(self.draws.columnCount()):
                    item = self.draws.item(row, col)
                    if item is None:
                        continue
                    item.setForeground(Qt.GlobalColor.gray)
                    item.setToolTip(
                        self.tr("已作废：{annul_reason}").format(annul_reason=s.annul_reason or "")
                    )
        if selected is not None:
            self.select_draw(selected)
        self._update_buttons()

    def _draw_row(self, s: DrawSummary) -> list[str]:
        state = self.tr("已作废") if s.annulled else self.tr("有效")
        return [
            str(s.id),
            str(s.year),
            s.drawn_at.replace("T", " "),
            s.drawn_by,
            s.filters_text,
            str(s.pool_size),
            str(s.selected),
            state,
        ]

    def selected_draw_id(self) -> int | None:
        rows = self.draws.selectionModel().selectedRows() if self.draws.selectionModel() else []
        if not rows:
            return None
        item = self.draws.item(rows[0].row(), 0)
        return int(item.text()) if item is not None else None

    def select_draw(self, draw_id: int) -> None:
        for row in range(self.draws.rowCount()):
            item = self.draws.item(row, 0)
            if item is not None and item.text() == str(draw_id):
                self.draws.selectRow(row)
                self.show_draw(draw_id)
                return

    def _on_draw_selected(self) -> None:
        draw_id = self.selected_draw_id()
        if draw_id is not None:
            self.show_draw(draw_id)
        self._update_buttons()

    def show_draw(self, draw_id: int) -> None:
        found = services.draw_detail(self.session, draw_id)
        self._shown = found
        s = found.summary
        quotas = "；".join(
            f"{q.grade}级 {q.drawn}/{q.pool_count}（{float(q.ratio) * 100:g}%）"
            for q in found.quotas
            if q.ratio
        )
        text = self.tr(
            "第 {id} 号抽查（{year} 年度）：{quotas}。随机种子 {seed}，每组 {team_size} 名。{basis}"
        ).format(
            id=str(s.id),
            year=str(s.year),
            quotas=quotas,
            seed=s.seed,
            team_size=str(s.team_size),
            basis=found.basis,
        )
        if s.annulled:
            text += self.tr("\n已于 %1 由 %2 作废，理由：%3")
            text = (
                text.replace("%1", s.annulled_at or "")
                .replace("%2", s.annulled_by or "")
                .replace("%3", s.annul_reason or "")
            )
        self.summary.setText(text)
        _fill(
            self.result,
            [[str(x.position), x.uscc, x.name, x.grade, x.team_text] for x in found.selections],
        )

    def _update_buttons(self) -> None:
        chosen = self.selected_draw_id()
        summary = next((s for s in self._summaries if s.id == chosen), None)
        may_annul = self.session.role in (Role.REVIEWER, Role.ADMIN)
        self.annul_button.setEnabled(summary is not None and not summary.annulled and may_annul)
        self.export_button.setEnabled(summary is not None)
        self.verify_button.setEnabled(summary is not None)

    # -- acting -------------------------------------------------------------------------
    def _refuse(self, exc: SafeCreditError) -> None:
        if isinstance(exc, Cancelled):
            self.bus.status_message.emit(exc.message)
            return
        QMessageBox.warning(self, self.tr("双随机抽查"), exc.message)

    def make_draw(self) -> None:
        grades = [g for g, check in self.grade_checks.items() if check.isChecked()]
        if not grades:
            QMessageBox.warning(self, self.tr("双随机抽查"), self.tr("请至少选择一个信用等级。"))
            return
        ratios = {g: f"{self.ratio_spins[g].value():g}%" for g in grades}
        category = self.category.currentText()
        town = self.town.currentText()
        session = self.session
        year, seed, size = self.year.value(), self.seed.text(), self.team_size.value()
        if not self.confirm_draw(year, ratios, category, town, seed, size):
            return
        try:
            found = run_with_progress(
                self,
                self.tr("正在抽取…"),
                lambda report: services.make_draw(
                    session,
                    year=year,
                    grades=None if len(grades) == len(GRADES) else grades,
                    category=None if category == ALL else category,
                    town=None if town == ALL else town,
                    ratios=ratios,
                    seed=seed,
                    team_size=size,
                    progress=report,
                ),
                cancellable=False,
            )
        except SafeCreditError as exc:
            self._refuse(exc)
            return
        self.bus.data_changed.emit("draws")
        self.refresh()
        self.select_draw(found.summary.id)
        self.bus.status_message.emit(
            self.tr("已完成第 {summary_id} 号抽查：抽中 {count} 家企业，随机种子 {seed}。").format(
                summary_id=str(found.summary.id),
                count=str(len(found.selections)),
                seed=found.summary.seed,
            )
        )

    def confirm_draw(
        self, year: int, ratios: dict[str, str], category: str, town: str, seed: str, size: int
    ) -> bool:
        """A draw is recorded for good (only annulled later): ask before making it."""
        text = self.tr(
            "将按以下条件抽取并记录在案（记录不能修改或删除，只能作废）：\n\n"
            "年度：{year}\n等级与抽查比例：{value}\n行业类别：{category}\n所在乡镇：{town}\n"
            "随机种子：{seed}\n每组执法人员：{size} 名\n\n确定抽取吗？"
        ).format(
            year=str(year),
            value="，".join(f"{g}级 {r}" for g, r in ratios.items()),
            category=category,
            town=town,
            seed=seed.strip() or self.tr("（随机生成）"),
            size=str(size),
        )
        answer = QMessageBox.question(
            self,
            self.tr("确认抽取"),
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def annul_selected(self) -> None:
        draw_id = self.selected_draw_id()
        if draw_id is None:
            return
        reason, ok = QInputDialog.getText(
            self,
            self.tr("作废抽查结果"),
            self.tr("第 {draw_id} 号抽查作废后不能恢复，记录仍保留。请填写作废理由：").format(
                draw_id=str(draw_id)
            ),
        )
        if not ok:
            return
        try:
            services.annul_draw(self.session, draw_id, reason)
        except SafeCreditError as exc:
            self._refuse(exc)
            return
        self.bus.data_changed.emit("draws")
        self.refresh()

    def export_selected(self) -> None:
        draw_id = self.selected_draw_id()
        if draw_id is None:
            return
        suggested = self._last_dir / f"双随机抽查结果-第{draw_id}号.xlsx"
        chosen, _filter = QFileDialog.getSaveFileName(
            self, self.tr("导出双随机抽查结果"), str(suggested), self.tr("Excel 工作簿 (*.xlsx)")
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        self._last_dir = path.parent
        try:
            self.last_export = services.export_draw(self.session, draw_id, path)
        except SafeCreditError as exc:
            self._refuse(exc)
            return
        self.bus.status_message.emit(self.tr("已导出：{path}").format(path=str(path)))

    def verify_selected(self) -> bool | None:
        draw_id = self.selected_draw_id()
        if draw_id is None:
            return None
        try:
            same = services.verify_draw(self.session, draw_id)
        except SafeCreditError as exc:
            self._refuse(exc)
            return None
        if same:
            QMessageBox.information(
                self,
                self.tr("验证"),
                self.tr(
                    "按保存的抽查对象库、比例、随机种子和人员名录重新抽取，结果与第 {draw_id} 号"
                    "抽查完全一致。"
                ).format(draw_id=str(draw_id)),
            )
        else:
            QMessageBox.warning(
                self,
                self.tr("验证"),
                self.tr(
                    "重新抽取的结果与第 {draw_id} 号抽查的记录不一致，请检查数据库是否被改动。"
                ).format(draw_id=str(draw_id)),
            )
        return same
