"""One unit's credit standing: the lists it is on, 守信激励, 不良信用记录, records under
an open objection (异议中) and, for a 违反安全生产承诺 violation, the commitment it breaks.

``UnitCreditPanel(session, bus, parent=None)``; ``show_unit(unit_id)``. Everything comes
from the Session; the panel refreshes itself (once, deferred) when the data change.
"""

from __future__ import annotations

from datetime import date
from html import escape

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.vocabulary import GRADE_INPUTS, Changes, Table
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import VIOLATION_KIND_BY_CODE
from safecredit_desktop.gui.bus import DataBus

OBJECTION_MARK = "异议中"
GREEN = "#2e7d32"
RED = "#c62828"
ORANGE = "#e65100"
GREY = "#555"
# what the panel shows: lists, incentives, bad records, objections, breached commitments
WATCHED = GRADE_INPUTS | {Table.OBJECTIONS}
# the violation kind whose records name the commitment they break
_BREACH_NAME = VIOLATION_KIND_BY_CODE["commitment_breach"].name


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else "—"


def _section(parent: QWidget, title: str) -> tuple[QGroupBox, QLabel]:
    box = QGroupBox(title, parent)
    label = QLabel(box)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(8, 4, 8, 6)
    layout.addWidget(label)
    return box, label


def _items(lines: list[str]) -> str:
    """Bulleted lines with a hanging indent (wrapped text stays clear of the bullet)."""
    rows = "".join(f"<tr><td valign='top'>•&nbsp;</td><td>{line}</td></tr>" for line in lines)
    return f"<table cellspacing='0' cellpadding='1'>{rows}</table>"


class UnitCreditPanel(QWidget):
    """The credit standing of one unit (see the module's note)."""

    def __init__(self, session: core.Session, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.bus = bus
        self._unit_id: int | None = None
        self.lists: list[core.ListEntry] = []
        self.incentives: list[str] = []
        self.bad_records: list[core.BadRecord] = []
        self.objected: dict[tuple[str, int], str] = {}
        self.breaches: list[tuple[str, str | None]] = []  # (violation, commitment or None)

        content = QWidget(self)
        self.lists_box, self.lists_label = _section(content, self.tr("所在名单"))
        self.incentives_box, self.incentives_label = _section(content, self.tr("守信激励"))
        self.incentives_label.setStyleSheet(f"color: {GREEN};")
        self.bad_box, self.bad_label = _section(content, self.tr("不良信用记录"))
        self.objections_box, self.objections_label = _section(content, self.tr("异议中的记录"))
        self.breaches_box, self.breaches_label = _section(content, self.tr("违反承诺"))
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        for box in (
            self.lists_box,
            self.incentives_box,
            self.bad_box,
            self.objections_box,
            self.breaches_box,
        ):
            column.addWidget(box)
        column.addStretch(1)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

        # a change re-reads once, after every slot of the signal has run
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        bus.changed.connect(self._on_changes)
        self._show_nothing()

    # -- public -------------------------------------------------------------------------
    @property
    def unit_id(self) -> int | None:
        return self._unit_id

    def show_unit(self, unit_id: int) -> None:
        self._unit_id = unit_id
        self.refresh()

    def clear(self, message: str = "") -> None:
        """Show no unit (``message`` in its place)."""
        self._unit_id = None
        self._timer.stop()
        self._show_nothing(message)

    def refresh(self) -> None:
        self._timer.stop()
        if self._unit_id is None:
            self._show_nothing()
            return
        unit_id = self._unit_id
        try:
            self.lists = self.session.lists.entries(unit_id=unit_id, active_only=True)
            self.incentives = self.session.lists.incentives(unit_id)
            self.bad_records = self.session.repairs.bad_records(unit_id=unit_id)
            self.objected = self.session.objections.open_targets(unit_id)
            timeline = self.session.units.timeline(unit_id)
            self.breaches = [
                (
                    f"{e.day.isoformat()} {e.summary}",
                    self.session.publicity.breached_commitment(e.record_id),
                )
                for e in timeline
                if e.table == "violations" and _BREACH_NAME in e.summary
            ]
        except SafeCreditError as exc:  # said in the panel's place
            self._show_nothing(exc.message)
            return
        self._fill()

    def summary_text(self) -> str:
        """A short count for a tab title: 名单 1 · 不良记录 3 · 异议中 1."""
        parts = []
        if self.lists:
            parts.append(self.tr("名单 {count}").format(count=str(len(self.lists))))
        if self.bad_records:
            parts.append(self.tr("不良记录 {count}").format(count=str(len(self.bad_records))))
        if self.objected:
            parts.append(self.tr("异议中 {count}").format(count=str(len(self.objected))))
        return " · ".join(parts)

    # -- filling ------------------------------------------------------------------------
    def _show_nothing(self, message: str = "") -> None:
        self.lists, self.incentives, self.bad_records = [], [], []
        self.objected, self.breaches = {}, []
        self.lists_label.setText(escape(message))
        for box in (self.incentives_box, self.bad_box, self.objections_box, self.breaches_box):
            box.setVisible(False)

    def _fill(self) -> None:
        self.lists_label.setText(self._lists_html())
        self.incentives_box.setVisible(bool(self.incentives))
        if self.incentives:
            head, *measures = self.incentives
            self.incentives_label.setText(
                f"<span style='color:{GREEN}'>{escape(head)}"
                + _items([escape(m) for m in measures])
                + "</span>"
            )
        self.bad_box.setVisible(True)
        self.bad_box.setTitle(
            self.tr("不良信用记录（{count} 条）").format(count=str(len(self.bad_records)))
        )
        self.bad_label.setText(self._bad_html())
        self.objections_box.setVisible(bool(self.objected))
        self.objections_label.setText(
            _items(
                [
                    f"<b style='color:{ORANGE}'>【{OBJECTION_MARK}】</b>{escape(text)}"
                    for text in self.objected.values()
                ]
            )
            + f"<span style='color:{GREY}'>"
            + self.tr("异议办结前，这些记录在时间线中标注“（异议中）”。")
            + "</span>"
        )
        self.breaches_box.setVisible(bool(self.breaches))
        self.breaches_label.setText(self._breaches_html())

    def _lists_html(self) -> str:
        if not self.lists:
            return f"<span style='color:{GREY}'>" + self.tr("未列入任何名单。") + "</span>"
        lines = []
        for e in self.lists:
            color = GREEN if e.list_kind == "红名单" else RED
            dates = [self.tr("{day} 采集").format(day=_day(e.proposed_on))]
            if e.notified_on is not None:
                dates.append(self.tr("{day} 告知").format(day=_day(e.notified_on)))
            if e.published_on is not None:
                dates.append(self.tr("{day} 公布").format(day=_day(e.published_on)))
            if e.ends_on is not None:
                dates.append(self.tr("至 {day}").format(day=_day(e.ends_on)))
            who = f"（{escape(e.subject)}）" if e.person_name else ""
            lines.append(
                f"<b style='color:{color}'>{escape(e.list_kind)}</b>{who}　"
                + self.tr("阶段：{stage}（{dates}）").format(
                    stage=escape(e.stage), dates=escape("，".join(dates))
                )
            )
        return _items(lines)

    def _bad_html(self) -> str:
        if not self.bad_records:
            return f"<span style='color:{GREY}'>" + self.tr("没有不良信用记录。") + "</span>"
        lines = [
            f"<span style='color:{GREY}'>{b.day.isoformat()}</span>　"
            f"<b>（{b.trigger}）{escape(b.trigger_text)}</b>：{escape(b.record)}"
            for b in self.bad_records
        ]
        return _items(lines)

    def _breaches_html(self) -> str:
        lines = []
        for violation, commitment in self.breaches:
            broken = (
                self.tr("违反的承诺：{commitment}").format(commitment=escape(commitment))
                if commitment
                else self.tr("未找到此前签署的单位承诺书")
            )
            lines.append(f"{escape(violation)}<br><span style='color:{RED}'>{broken}</span>")
        return _items(lines)

    # -- slots --------------------------------------------------------------------------
    def _on_changes(self, changes: Changes) -> None:
        if self._unit_id is not None and changes.touches(WATCHED):
            self._timer.start()
