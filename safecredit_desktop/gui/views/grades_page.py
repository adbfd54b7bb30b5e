"""信用等级: every unit's grade with its reasons; a what-if date; the annual assessment."""

from __future__ import annotations

from collections import Counter
from datetime import date
from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.vocabulary import GRADE_INPUTS, Changes, Table
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.validate import parse_date
from safecredit_desktop.gui.blocks import ColumnFitter
from safecredit_desktop.gui.blocks.page_parts import push_button, refill_texts
from safecredit_desktop.gui.bus import DataBus
from safecredit_desktop.gui.models.grade_table_model import GradeTableModel
from safecredit_desktop.gui.operations import operation
from safecredit_desktop.gui.pages import Page
from safecredit_desktop.gui.workers import run_with_progress

ALL = "全部"
NAME_WIDEST = 320  # pixels before 单位名称 is cut (the detail below has it whole)
NEXT_WIDEST = 300  # pixels before 下次变化 is cut


def explain_html(result: Any) -> str:
    """The reasons, records and the way back of one result, as simple HTML."""
    tier = f"，监管层级：{escape(result.tier)}" if result.tier else ""
    parts = [
        f"<h3>{escape(result.name)}</h3>",
        f"<p><b>信用等级：{result.grade}（{escape(result.label)}）</b>{tier}"
        f"　评定基准日：{result.as_of.isoformat() if result.as_of else ''}</p>",
    ]
    if result.flags:
        parts.append(f"<p style='color:#c62828'>标记：{escape('、'.join(result.flags))}</p>")
    parts.append("<p><b>评定理由</b></p><ul>")
    for reason in result.reasons:
        records = "；".join(escape(r) for r in reason.records)
        extra = f"<br/><span style='color:#555'>{records}</span>" if records else ""
        parts.append(f"<li>{escape(reason.text)}{extra}</li>")
    parts.append("</ul>")
    if result.next_change is not None:
        parts.append(
            f"<p><b>若无新记录：</b>{result.next_change.day.isoformat()} 起等级变为 "
            f"{result.next_change.grade}</p>"
        )
    if result.improve:
        parts.append("<p><b>信用提升提示</b></p><ul>")
        parts.extend(f"<li>{escape(line)}</li>" for line in result.improve)
        parts.append("</ul>")
    return "".join(parts)


class GradesPage(Page):
    watched = GRADE_INPUTS | {Table.ASSESSMENTS}

    def __init__(self, session: core.Session, bus: DataBus, parent: QWidget | None = None):
        super().__init__(session, bus, parent)
        self.page_title = self.tr("信用等级")
        self._results: list[Any] = []
        self._before: dict[int, str] = {}
        self._before_year: int | None = None
        self._stale = True
        self._assessment_year: int | None = None

        self.as_of = QLineEdit(date.today().isoformat(), self)
        self.as_of.setMaximumWidth(120)
        self.as_of.setToolTip(self.tr("可以填写过去或将来的日期，查看“如果在那天评定”的结果"))
        self.regrade_button = push_button(self, self.tr("按此日评定"), self._on_regrade)
        self.category = QComboBox(self)
        self.town = QComboBox(self)
        self.grade = QComboBox(self)
        self.changed_only = QCheckBox(self.tr("只看与上次年度评定相比有变化的"), self)
        self.counts = QLabel(self)
        self.basis = QLabel(self)
        self.basis.setStyleSheet("color: #555;")

        self.model = GradeTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        # columns as wide as their texts, 评定理由 taking the rest (下次变化 stays in view)
        self.fitter = ColumnFitter(
            self.table,
            GradeTableModel.COL_REASONS,
            widest={GradeTableModel.COL_NAME: NAME_WIDEST, GradeTableModel.COL_NEXT: NEXT_WIDEST},
        )
        self.fitter.fit()  # nothing graded yet: the titles whole
        self.detail = QTextBrowser(self)

        self.year = QSpinBox(self)
        self.year.setRange(2000, 2100)
        self.year.setValue(date.today().year)
        self.compute_year_button = push_button(self, self.tr("计算年度评定"), self._on_compute_year)
        self.confirm_button = push_button(self, self.tr("确认年度评定…"), self._on_confirm)
        self.assessment_note = QLabel(self)
        self.assessment_note.setWordWrap(True)
        self._may_confirm = session.has_role(Role.REVIEWER)
        if not self._may_confirm:
            # said before anything is asked: the button is off and says who may confirm
            self.confirm_button.setEnabled(False)
            self.confirm_button.setToolTip(self._needs_reviewer())
            self.assessment_note.setText(self._needs_reviewer())
        self.annotation = QLineEdit(self)
        self.annotation.setPlaceholderText(self.tr("审核批注（对所选企业，随年度评定保存）"))
        self.annotate_button = push_button(self, self.tr("记下批注"), self._on_annotate)
        self._notes: dict[int, str] = {}

        filters = QHBoxLayout()
        for label, widget in (
            (self.tr("评定基准日"), self.as_of),
            (None, self.regrade_button),
            (self.tr("行业类别"), self.category),
            (self.tr("所在乡镇"), self.town),
            (self.tr("信用等级"), self.grade),
        ):
            if label:
                filters.addWidget(QLabel(label, self))
            filters.addWidget(widget)
        filters.addWidget(self.changed_only)
        filters.addStretch(1)
        assessment = QGroupBox(
            self.tr("年度评定（评定基准日为上一年12月31日，由审核员确认）"), self
        )
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("年度"), assessment))
        row.addWidget(self.year)
        row.addWidget(self.compute_year_button)
        row.addWidget(self.annotation, 1)
        row.addWidget(self.annotate_button)
        row.addWidget(self.confirm_button)
        outer = QVBoxLayout()
        outer.addLayout(row)
        outer.addWidget(self.assessment_note)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setSizes([480, 200])
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.basis)
        layout.addWidget(self.counts)
        layout.addWidget(splitter, 1)
        assessment.setLayout(outer)
        layout.addWidget(assessment)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.as_of.returnPressed.connect(self._on_regrade)
        for combo in (self.category, self.town, self.grade):
            combo.currentIndexChanged.connect(self._apply_filters)
        self.changed_only.toggled.connect(self._apply_filters)
        self.table.selectionModel().currentRowChanged.connect(self._on_row_changed)

    # -- loading ------------------------------------------------------------------------
    def refresh(self) -> None:
        if self._stale:
            self._grade(self._what_if_date(), year=None)

    def on_changes(self, changes: Changes) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    def _what_if_date(self) -> date:
        try:
            return parse_date(self.as_of.text(), field=self.tr("评定基准日"))
        except SafeCreditError as exc:  # said, and today's grades shown instead
            QMessageBox.warning(self, self.tr("日期有误"), exc.message)
            return date.today()

    @operation(title="无法评定")
    def _grade(self, as_of: date, *, year: int | None) -> None:
        results = run_with_progress(
            self,
            self.tr("正在评定信用等级…"),
            lambda own, _report: own.grading.grade(as_of=as_of),
            session=self.session,
        )
        self._before_year, self._before = self.session.grading.last_confirmed()
        self._results = results
        self._stale = False
        self._assessment_year = year
        if year is None:
            self.basis.setText(
                self.tr("评定基准日：{as_of}（实时评定）").format(as_of=as_of.isoformat())
            )
        else:
            self.basis.setText(
                self.tr("{year}年度评定（评定基准日 {as_of}）").format(
                    year=str(year), as_of=as_of.isoformat()
                )
            )
        self._fill_filter_choices()
        self._apply_filters()

    def _fill_filter_choices(self) -> None:
        for combo, values in (
            (self.category, sorted({r.category for r in self._results})),
            (self.town, sorted({r.town for r in self._results if r.town})),
            (self.grade, ["A", "B", "C", "D"]),
        ):
            refill_texts(combo, [ALL, *values])

    def _apply_filters(self) -> None:
        category, town, grade = (c.currentText() for c in (self.category, self.town, self.grade))
        rows = [
            r
            for r in self._results
            if (category == ALL or r.category == category)
            and (town == ALL or r.town == town)
            and (grade == ALL or r.grade == grade)
            and (not self.changed_only.isChecked() or self._before.get(r.unit_id) != r.grade)
        ]
        self.model.set_rows(rows, self._before)
        self.fitter.fit()
        counts = Counter(r.grade for r in rows)
        profile = self.session.profile
        text = "　".join(
            f"{letter}（{profile.label(letter)}）{counts[letter]:,} 家" for letter in "ABCD"
        )
        since = (
            self.tr("；上次年度评定：{before_year}年").format(before_year=str(self._before_year))
            if self._before_year
            else self.tr("；尚无已确认的年度评定")
        )
        self.counts.setText(
            self.tr("共 {count} 家：").format(count=f"{len(rows):,}") + text + since
        )
        self.detail.clear()
        if rows:
            self.table.selectRow(0)

    def _on_row_changed(self, current: Any, _previous: Any) -> None:
        if current.isValid():
            result = self.model.result_at(current.row())
            self.detail.setHtml(explain_html(result))
            self.annotation.setText(self._notes.get(result.unit_id, ""))

    def _on_regrade(self) -> None:
        self._grade(self._what_if_date(), year=None)

    # -- annual assessment --------------------------------------------------------------
    def _on_compute_year(self) -> None:
        year = self.year.value()
        self._grade(core.assessment_date(year), year=year)
        confirmed = year in self.session.grading.confirmed_years()
        if confirmed:
            self.assessment_note.setText(self.tr("{year}年度评定已确认。").format(year=str(year)))
        elif self._may_confirm:
            self.assessment_note.setText(
                self.tr("请审核上表（可勾选“只看有变化的”），无误后由审核员确认。")
            )
        else:
            self.assessment_note.setText(self._needs_reviewer())

    def _needs_reviewer(self) -> str:
        return self.tr(
            "确认年度评定需要“审核员”角色；当前用户“{user}”（{roles}）没有该角色。"
            "请由审核员登录后确认，或由管理员在“设置 → 用户”中为其加上审核员角色。"
        ).format(
            user=self.session.user,
            roles="、".join(sorted(r.value for r in self.session.roles)),
        )

    def _on_annotate(self) -> None:
        """Keep the reviewer's note for the selected unit until the year is confirmed."""
        index = self.table.currentIndex()
        if not index.isValid():
            return
        result = self.model.result_at(index.row())
        text = self.annotation.text().strip()
        if text:
            self._notes[result.unit_id] = text
        else:
            self._notes.pop(result.unit_id, None)
        self.assessment_note.setText(
            self.tr("已记下 {count} 条批注，确认年度评定时一并保存。").format(
                count=str(len(self._notes))
            )
        )

    @operation(title="无法确认")
    def _on_confirm(self) -> None:
        if not self._may_confirm:
            return
        year = self.year.value()
        answer = QMessageBox.question(
            self,
            self.tr("确认年度评定"),
            self.tr(
                "确认并保存 {year} 年度评定吗？确认后不能修改，统计表和告知书将使用该结果。"
            ).format(year=str(year)),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        stored = self.session.grading.confirm_assessment(year, notes=dict(self._notes))
        self.assessment_note.setText(
            self.tr("{year}年度评定已由 {confirmed_by} 确认。").format(
                year=str(year), confirmed_by=stored.confirmed_by
            )
        )
        self._notes.clear()
