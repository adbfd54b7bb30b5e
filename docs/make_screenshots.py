"""Screenshots of the window: README's scenes, then every page of the navigation (and the
unit page) at 1366×768, named by the page's title in pinyin (企业台账 → qi-ye-tai-zhang.png);
those the user guide shows are also written, smaller, to resources/help/images.

Usage: xvfb-run -s '-screen 0 1366x768x24' python docs/make_screenshots.py DB OUT_DIR
       (or QT_QPA_PLATFORM=offscreen: the window draws itself into the picture)
DB must hold demo data and the administrator 管理员 / demo1234 (as `make run` makes).
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

from pypinyin import lazy_pinyin
from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMessageBox, QTabWidget, QWidget

from safecredit_desktop.core import app as core
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.registry import UnitQuery
from safecredit_desktop.gui.app import install_translations
from safecredit_desktop.gui.dialogs.record_form import RecordFormDialog
from safecredit_desktop.gui.fonts import install_app_font
from safecredit_desktop.gui.main_window import MainWindow
from safecredit_desktop.gui.views.objections_page import AnswerDialog


def settle(app: QApplication, ms: int = 600) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


PAGE_SIZE = (1366, 768)  # the smallest screen a bureau's PC has
HELP_IMAGES = Path(__file__).resolve().parent.parent / "resources" / "help" / "images"
HELP_WIDTH = 960  # pixels of the guide's copies (shown 720 wide)
DETAIL_NAME = "qi-ye-xiang-qing"  # the unit page, not in the navigation


def shoot(app: QApplication, widget: QWidget, path: Path) -> None:
    settle(app)
    if app.platformName() == "offscreen":  # no screen to read: the widgets draw themselves
        widget.grab().save(str(path))
    else:
        geometry = widget.frameGeometry()
        screen = app.primaryScreen().grabWindow(0)
        screen.copy(geometry).save(str(path))
    print(path)


def file_name(title: str) -> str:
    """A page's title in pinyin: 双随机抽查 → shuang-sui-ji-chou-cha."""
    return "-".join(lazy_pinyin(title))


def prepare_draw(window: MainWindow) -> None:
    """One 双随机 draw, so that its page shows a result (its questions answered 是)."""
    page = window.draws
    page.seed.setText("2026年第四季度公开抽取")
    asked, told = QMessageBox.question, QMessageBox.information
    QMessageBox.question = lambda *_a, **_k: QMessageBox.StandardButton.Yes  # type: ignore[method-assign]
    QMessageBox.information = lambda *_a, **_k: QMessageBox.StandardButton.Ok  # type: ignore[method-assign]
    try:
        page.draw_button.click()
    finally:
        QMessageBox.question, QMessageBox.information = asked, told  # type: ignore[method-assign]


def show_tab(page: QWidget, title: str) -> None:
    for tabs in page.findChildren(QTabWidget):
        for index in range(tabs.count()):
            if tabs.tabText(index) == title:
                tabs.setCurrentIndex(index)


def shoot_every_page(app: QApplication, window: MainWindow, out: Path, unit_id: int) -> None:
    """Every page of the navigation, then the unit page, at 1366×768; copies for the guide."""
    prepare_draw(window)
    show_tab(window.settings_page, "备份与恢复")  # what the guide's 备份与恢复 shows
    window.resize(*PAGE_SIZE)
    window.move(0, 0)
    settle(app, 800)
    names = []
    for row in range(window.nav.count()):
        window.nav.setCurrentRow(row)
        names.append(file_name(window.nav.item(row).text()))
        shoot(app, window, out / f"{names[-1]}.png")
    show_page(window, "企业台账")  # the unit is opened from the registry
    window.registry.unit_activated.emit(unit_id)
    names.append(DETAIL_NAME)
    shoot(app, window, out / f"{DETAIL_NAME}.png")
    HELP_IMAGES.mkdir(parents=True, exist_ok=True)
    guide = (HELP_IMAGES.parent / "index.html").read_text(encoding="utf-8")
    for name in names:
        if f'src="images/{name}.png"' not in guide:  # only those the guide shows
            continue
        image = QImage(str(out / f"{name}.png"))
        small = image.scaledToWidth(HELP_WIDTH, Qt.TransformationMode.SmoothTransformation)
        small.save(str(HELP_IMAGES / f"{name}.png"))


def show_page(window: MainWindow, title: str) -> None:
    rows = [window.nav.item(i).text() for i in range(window.nav.count())]
    window.nav.setCurrentRow(rows.index(title))


def prepare_lists(session: core.Session, reviewer: core.Session) -> int:
    """Entries at every stage, the newest (shown first) most varied; the id of a
    published blacklist entry entered by hand, to select."""
    today = date.today()
    proposed = session.lists.propose()  # red list and blacklist, 采集
    newest = sorted(proposed, key=lambda e: e.id, reverse=True)
    red = [e for e in newest if e.list_kind == "红名单"]
    for e in red[:3]:
        reviewer.lists.review(e.id, approve=True)
        reviewer.lists.publish(e.id, published_on=today)
    reviewer.lists.remove(red[1].id, reason="企业已注销", on=today)
    reviewer.lists.review(red[3].id, approve=True)
    reviewer.lists.review(red[4].id, approve=False, note="本年度有未整改的隐患")
    listed = {e.unit_id for e in proposed}
    units = [u for u in session.units.search("", 400) if u[0] not in listed]
    by_hand = []
    for (unit_id, _uscc, _name), facts in zip(
        units,
        (
            "2026年5月12日发生较大生产安全事故，死亡3人，对事故负有责任",
            "拒不执行停产停业整顿决定，继续组织生产",
            "瞒报生产安全事故（2026年3月8日，死亡1人）",
        ),
        strict=False,
    ):
        by_hand.append(
            session.lists.add(
                unit_id=unit_id,
                list_kind=session.lists.kinds()[-1],
                facts=facts,
                basis="《安全生产严重失信主体名单管理办法》第五条",
                period_months=24,
                today=today - timedelta(days=45),
            )
        )
    published, refused, pending = by_hand
    session.lists.notify(published.id, served_on=today - timedelta(days=40))
    session.lists.record_statement(published.id, "对事故责任认定无异议，请求从轻")
    reviewer.lists.review(published.id, approve=True, note="事实清楚，依据充分")
    reviewer.lists.publish(published.id, published_on=today)
    session.lists.notify(refused.id, served_on=today - timedelta(days=35))
    reviewer.lists.review(refused.id, approve=False, note="停产整顿决定已撤销，不予列入")
    session.lists.notify(pending.id, served_on=today - timedelta(days=6))
    return published.id


def prepare_objections(session: core.Session, reviewer: core.Session) -> int:
    """Objections open, near their due date and overdue, and answered; the near one's id."""
    calendar = session.schedule.calendar()
    days = session.profile.deadlines.objection_answer_working_days
    today = date.today()
    records = [
        (t.table, t.record_id)
        for unit_id, _uscc, _name in session.units.search("", 60)
        for t in session.units.timeline(unit_id)
        if t.table in core.OBJECTION_TARGETS and t.day < today - timedelta(days=60)
    ]
    filed = []
    for (table, record_id), back in zip(records[::7][:5], (40, 32, 12, 5, 2), strict=False):
        filed.append(
            session.objections.file(
                table=table,
                record_id=record_id,
                content="企业认为记录的隐患数量与现场检查情况不符，已当场整改。",
                evidence="整改照片4张、整改报告1份",
                filed_on=today - timedelta(days=back),
            )
        )
    overdue = calendar.add_working_days(today, -days - 2).day
    near = calendar.add_working_days(today, -days + 3).day
    reviewer.objections.accept(filed[0].id, on=overdue)
    reviewer.objections.accept(filed[1].id, on=near)
    reviewer.objections.accept(filed[2].id, on=today - timedelta(days=3))
    reviewer.objections.answer(filed[2].id, findings="经核查记录无误", outcome="保留", on=today)
    return filed[1].id


def main() -> int:
    database, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    install_app_font(app)
    install_translations(app)
    session = core.sign_in(database, "管理员", "demo1234")
    window = MainWindow(session)
    window._backup_on_close = False
    window.resize(1260, 760)
    window.move(0, 0)
    window.show()
    window.nav.setCurrentRow(1)
    shoot(app, window, out / "main-window.png")

    # a unit with a good timeline: the one with the most records
    busiest = max(
        (session.units.query(UnitQuery(), 0, 400)),
        key=lambda row: len(session.units.timeline(row.id)),
    )
    window.registry.unit_activated.emit(busiest.id)
    shoot(app, window, out / "unit-detail.png")

    dialog = RecordFormDialog(session, window.bus, "accidents", unit_id=busiest.id, parent=window)
    dialog.show()
    dialog.move(140, 40)
    for key, value in (
        ("occurred_on", "2026-05-12"),
        ("deaths", "3"),
        ("serious_injuries", "1"),
        ("loss_wan", "120"),
        ("grade", "一般"),
        ("responsible", "是"),
    ):
        dialog.set_value(key, value)
    shoot(app, dialog, out / "accident-form.png")
    dialog.hide()  # reject() would ask before discarding what was typed

    show_page(window, "信用等级")
    settle(app, 1500)
    shoot(app, window, out / "grades.png")
    window.nav.setCurrentRow(0)  # 首页
    settle(app, 1500)
    shoot(app, window, out / "home.png")
    show_page(window, "检查计划")
    window.plan.year.setValue(2027)
    window.plan.capacity.setValue(40)
    window.plan.compute()
    settle(app, 1500)
    shoot(app, window, out / "plan.png")
    show_page(window, "统计报表")
    settle(app, 1500)
    shoot(app, window, out / "statistics.png")
    show_page(window, "文书")  # a grade notice of the busiest unit, previewed
    documents = window.documents
    documents.kind.setCurrentIndex(documents.kind.findData("grade-notice"))
    documents.units.search.setText(busiest.uscc)
    documents.units.run_search()
    documents.units.add([busiest.id])
    documents.preview()
    settle(app, 1500)
    shoot(app, window, out / "documents.png")

    reviewer = core.open_session(database, user="审核员", role=Role.REVIEWER)
    try:
        entry_id = prepare_lists(session, reviewer)
        show_page(window, "名单管理")
        window.lists.select_entry(entry_id)
        settle(app, 1000)
        shoot(app, window, out / "lists.png")

        objection_id = prepare_objections(session, reviewer)
        show_page(window, "异议与修复")
        page = window.objections
        page.refresh()
        page.select_objection(objection_id)
        dialog = AnswerDialog(page, session.objections.get(objection_id), page.exec_dialog)
        dialog.findings.setPlainText(
            "调取现场检查记录和执法记录仪视频核实：检查时该处隐患已当场整改，检查记录漏记整改情况。"
        )
        dialog.set_outcome("更正")
        dialog.resize(600, 430)
        dialog.show()
        geometry = window.frameGeometry()
        dialog.move(
            geometry.right() - dialog.width() - 14, geometry.bottom() - dialog.height() - 40
        )
        settle(app, 1000)
        shoot(app, window, out / "objection.png")
        dialog.hide()
    finally:
        reviewer.close()
    shoot_every_page(app, window, out, busiest.id)
    session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
