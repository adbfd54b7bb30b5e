"""双随机抽查: make a draw (pool by filters, ratio per grade, seed, team size), show its
units and inspector teams, list past draws (annulled ones marked), annul with a reason,
export the result (公示) and verify a draw by re-running it from its stored inputs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.vocabulary import Changes, Table
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.scheduling.draw import (
    DEFAULT_RATIOS,
    DrawDetail,
    DrawSummary,
    Selected,
)
from safecredit_desktop.gui.blocks import Column, PageHeading, RowTable
from safecredit_desktop.gui.blocks.page_parts import (
    SaveFolder,
    button_row,
    confirm,
    push_button,
    refill_texts,
)
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.operations import operation, publish
from safecredit_desktop.gui.pages import Page
from safecredit_desktop.gui.workers import run_with_progress

GRADES = ("A", "B", "C", "D")
ALL = "（全部）"
GREY = "#808080"


class DrawPage(Page):
    """双随机抽查. ``DrawPage(session, bus, parent=None)``."""

    watched = frozenset({Table.DRAWS, Table.UNITS, Table.INSPECTORS, Table.INSPECTOR_CONFLICTS})

    def __init__(self, session: core.Session, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(session, bus, parent)
        self.save_folder = SaveFolder()
        self._shown: DrawDetail | None = None
        self.last_export: Path | None = None
        self.page_title = self.tr("双随机抽查")
        heading = PageHeading(self, self.page_title)

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
        self.draw_button = push_button(box, self.tr("抽取"), self.make_draw)
        form.addRow("", self.draw_button)

        self.draws: RowTable[DrawSummary] = RowTable(self, self._draw_columns(), lambda s: s.id)
        self.annul_button = push_button(self, self.tr("作废…"), self.annul_selected)
        self.export_button = push_button(self, self.tr("导出结果…"), self.export_selected)
        self.verify_button = push_button(self, self.tr("验证"), self.verify_selected)
        buttons = button_row([self.annul_button, self.export_button, self.verify_button])

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
        self.result: RowTable[Selected] = RowTable(
            shown,
            [
                Column(self.tr("序号"), lambda x: str(x.position), sort_key=lambda x: x.position),
                Column(self.tr("统一社会信用代码"), lambda x: x.uscc),
                Column(self.tr("单位名称"), lambda x: x.name, stretch=True),
                Column(self.tr("信用等级"), lambda x: x.grade),
                Column(self.tr("检查人员"), lambda x: x.team_text, widest=420),
            ],
            lambda x: x.position,
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

        self._connect_signals()
        self._fill_choices()
        self.refresh()

    def _draw_columns(self) -> list[Column[DrawSummary]]:
        def grey(s: DrawSummary) -> str | None:
            return GREY if s.annulled else None

        def why(s: DrawSummary) -> str:
            return (
                self.tr("已作废：{reason}").format(reason=s.annul_reason or "")
                if s.annulled
                else ""
            )

        def state(s: DrawSummary) -> str:
            return self.tr("已作废") if s.annulled else self.tr("有效")

        def column(
            title: str, text: Callable[[DrawSummary], str], **more: Any
        ) -> Column[DrawSummary]:
            return Column(title, text, colour=grey, tooltip=why, **more)

        return [
            column(self.tr("编号"), lambda s: str(s.id), sort_key=lambda s: s.id, align="right"),
            column(self.tr("年度"), lambda s: str(s.year)),
            column(self.tr("抽取时间"), lambda s: s.drawn_at.replace("T", " ")),
            column(self.tr("抽取人"), lambda s: s.drawn_by),
            column(self.tr("范围"), lambda s: s.filters_text, stretch=True),
            column(self.tr("对象库"), lambda s: str(s.pool_size), sort_key=lambda s: s.pool_size),
            column(self.tr("抽中"), lambda s: str(s.selected), sort_key=lambda s: s.selected),
            column(self.tr("状态"), state),
        ]

    def _connect_signals(self) -> None:
        self.draws.selectionModel().selectionChanged.connect(lambda *_a: self._on_draw_selected())

    # -- reading ------------------------------------------------------------------------
    def _fill_choices(self) -> None:
        categories, towns, _statuses = self.session.units.filter_choices()
        refill_texts(self.category, [ALL, *categories])
        refill_texts(self.town, [ALL, *towns])

    def on_changes(self, changes: Changes) -> None:
        if Table.UNITS in changes:
            self._fill_choices()
        self.refresh()

    @operation
    def refresh(self) -> None:
        self.draws.set_rows(self.session.draws.history())
        self._on_draw_selected()

    def selected_draw_id(self) -> int | None:
        chosen = self.draws.selected()
        return chosen.id if chosen is not None else None

    def select_draw(self, draw_id: int) -> None:
        if self.draws.select_id(draw_id):
            self.show_draw(draw_id)

    def _on_draw_selected(self) -> None:
        draw_id = self.selected_draw_id()
        if draw_id is not None:
            self.show_draw(draw_id)
        else:
            self._shown = None
            self.summary.setText(self.tr("尚未选择抽查记录。"))
            self.result.set_rows([])
        self._update_buttons()

    def show_draw(self, draw_id: int) -> None:
        found = self.session.draws.detail(draw_id)
        self._shown = found
        s = found.summary
        quotas = "；".join(
            f"{q.grade}级 {q.drawn}/{q.pool_count}（{float(q.ratio) * 100:g}%）"
            for q in found.quotas
            if q.ratio
        )
        text = self.tr(
            "第 {id} 号抽查（{year} 年度）：{quotas}。随机种子 {seed}，每组 {size} 名。{basis}"
        ).format(
            id=s.id, year=s.year, quotas=quotas, seed=s.seed, size=s.team_size, basis=found.basis
        )
        if s.annulled:
            text += self.tr("\n已于 {when} 由 {who} 作废，理由：{reason}").format(
                when=s.annulled_at or "", who=s.annulled_by or "", reason=s.annul_reason or ""
            )
        self.summary.setText(text)
        self.result.set_rows(found.selections)

    def _update_buttons(self) -> None:
        summary = self.draws.selected()
        may_annul = self.session.role in (Role.REVIEWER, Role.ADMIN)
        self.annul_button.setEnabled(summary is not None and not summary.annulled and may_annul)
        self.export_button.setEnabled(summary is not None)
        self.verify_button.setEnabled(summary is not None)

    # -- acting -------------------------------------------------------------------------
    @operation
    def make_draw(self) -> None:
        grades = [g for g, check in self.grade_checks.items() if check.isChecked()]
        if not grades:
            QMessageBox.warning(self, self.page_title, self.tr("请至少选择一个信用等级。"))
            return
        ratios = {g: f"{self.ratio_spins[g].value():g}%" for g in grades}
        category = self.category.currentText()
        town = self.town.currentText()
        year, seed, size = self.year.value(), self.seed.text(), self.team_size.value()
        if not self.confirm_draw(year, ratios, category, town, seed, size):
            return
        found = run_with_progress(
            self,
            self.tr("正在抽取…"),
            lambda own, report: own.draws.make(
                year=year,
                grades=None if len(grades) == len(GRADES) else grades,
                category=None if category == ALL else category,
                town=None if town == ALL else town,
                ratios=ratios,
                seed=seed,
                team_size=size,
                progress=report,
            ),
            session=self.session,
            cancellable=False,
        )
        publish(self)
        self.select_draw(found.summary.id)
        self.bus.status_message.emit(
            self.tr("已完成第 {id} 号抽查：抽中 {count} 家企业，随机种子 {seed}。").format(
                id=found.summary.id, count=len(found.selections), seed=found.summary.seed
            )
        )

    def confirm_draw(
        self, year: int, ratios: dict[str, str], category: str, town: str, seed: str, size: int
    ) -> bool:
        """A draw is recorded for good (only annulled later): ask before making it."""
        text = self.tr(
            "将按以下条件抽取并记录在案（记录不能修改或删除，只能作废）：\n\n"
            "年度：{year}\n等级与抽查比例：{ratios}\n行业类别：{category}\n所在乡镇：{town}\n"
            "随机种子：{seed}\n每组执法人员：{size} 名\n\n确定抽取吗？"
        ).format(
            year=year,
            ratios="，".join(f"{g}级 {r}" for g, r in ratios.items()),
            category=category,
            town=town,
            seed=seed.strip() or self.tr("（随机生成）"),
            size=size,
        )
        return confirm(self, self.tr("确认抽取"), text)

    @operation
    def annul_selected(self) -> None:
        draw_id = self.selected_draw_id()
        if draw_id is None:
            return
        reason, ok = QInputDialog.getText(
            self,
            self.tr("作废抽查结果"),
            self.tr("第 {id} 号抽查作废后不能恢复，记录仍保留。请填写作废理由：").format(
                id=draw_id
            ),
        )
        if ok:
            self.session.draws.annul(draw_id, reason)

    @operation
    def export_selected(self) -> None:
        draw_id = self.selected_draw_id()
        if draw_id is None:
            return
        name = f"双随机抽查结果-第{draw_id}号"
        path = self.save_folder.ask_workbook(self, self.tr("导出双随机抽查结果"), name)
        if path is None:
            return
        self.last_export = self.session.draws.export(draw_id, path)
        self.bus.status_message.emit(self.tr("已导出：{path}").format(path=path))

    @operation
    def verify_selected(self) -> bool | None:
        draw_id = self.selected_draw_id()
        if draw_id is None:
            return None
        same = self.session.draws.verify(draw_id)
        if same:
            QMessageBox.information(
                self,
                self.tr("验证"),
                self.tr(
                    "按保存的抽查对象库、比例、随机种子和人员名录重新抽取，结果与第 {id} 号"
                    "抽查完全一致。"
                ).format(id=draw_id),
            )
        else:
            QMessageBox.warning(
                self,
                self.tr("验证"),
                self.tr(
                    "重新抽取的结果与第 {id} 号抽查的记录不一致，请检查数据库是否被改动。"
                ).format(id=draw_id),
            )
        return same
