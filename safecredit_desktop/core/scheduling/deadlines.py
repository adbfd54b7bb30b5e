"""Deadlines the program tracks for the home page (scheduling.md "Other deadlines").

One query per table, read once; working days from the :class:`Calendar` (a result
touching a year the calendar does not know is ``estimated``).

- **双公示** — a penalty of the bureau's own (处罚部门 = 应急管理部门; other departments
  publish their own decisions) is due for publication on the 7th working day after its
  decision. Listed: decisions of the last :data:`PENALTY_LOOKBACK_DAYS` days not yet
  published whose due date is past or within the horizon (双公示未公示), and those
  published after their due date within the last :data:`LATE_LOOKBACK_DAYS` days
  (双公示逾期公示).
- **整改期限** — inspections with a 整改期限 and no 整改完成日期: past (整改逾期未完成) or
  within the horizon (整改期限将到).
- **安全生产许可证** — units not 关闭 whose permit expires within
  :data:`PERMIT_WARNING_DAYS` days (许可证将到期), and 正常 units whose permit has
  expired (许可证已过期).
- **管理期** — only with a profile that has ``[listing]`` management periods: units
  graded in ``management.grades`` at ``as_of`` whose ``next_change`` (the first day their
  grade changes as the deciding records age out, counted from the record dates as
  grading.md does) falls within the horizon (管理期届满).
- **名单** (the workflows' list entries, with their real dates) — a published entry
  whose period ends within the horizon (名单期满), one that may apply for early
  removal (可申请提前移出: published at least the minimum months ago, from the day it
  becomes eligible until 30 days after), and a served listing notice whose 陈述申辩
  period ends within the horizon (陈述申辩期满).
- **异议** — accepted objections by their answer due date (异议答复期限), overdue
  ones first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from safecredit_desktop.core.rules.profile import Profile
from safecredit_desktop.core.scheduling.calendar import Calendar, WorkingDays
from safecredit_desktop.core.storage.connection import Database

PUBLISH_WORKING_DAYS = 7
PENALTY_LOOKBACK_DAYS = 60
LATE_LOOKBACK_DAYS = 90
PERMIT_WARNING_DAYS = 90

UNPUBLISHED = "双公示未公示"
PUBLISHED_LATE = "双公示逾期公示"
RECTIFY_OVERDUE = "整改逾期未完成"
RECTIFY_DUE = "整改期限将到"
PERMIT_EXPIRING = "许可证将到期"
PERMIT_EXPIRED = "许可证已过期"
MANAGEMENT_ENDS = "管理期届满"
EARLY_REMOVAL = "可申请提前移出"
LISTING_ENDS = "名单期满"
STATEMENT_ENDS = "陈述申辩期满"
OBJECTION_DUE = "异议答复期限"
EARLY_REMOVAL_WINDOW_DAYS = 30

KINDS = (
    UNPUBLISHED,
    PUBLISHED_LATE,
    RECTIFY_OVERDUE,
    RECTIFY_DUE,
    PERMIT_EXPIRED,
    PERMIT_EXPIRING,
    MANAGEMENT_ENDS,
    EARLY_REMOVAL,
    LISTING_ENDS,
    STATEMENT_ENDS,
    OBJECTION_DUE,
)


@dataclass(frozen=True)
class Deadline:
    """One tracked deadline of one unit."""

    kind: str
    unit_id: int
    uscc: str
    name: str
    due_on: date
    days_left: int  # negative when overdue
    detail: str
    estimated: bool = False
    warning: str = ""  # the calendar's sentence when ``estimated``


def _day(value: object) -> date:
    return date.fromisoformat(str(value))


def _add_months(day: date, months: int) -> date:
    from safecredit_desktop.core.scheduling.due import add_months

    return add_months(day, months)


class _Register(NamedTuple):
    """What every kind's function reads: the register, the rules, the days it looks at,
    each unit's 统一社会信用代码 and name."""

    db: Database
    profile: Profile
    calendar: Calendar
    as_of: date
    horizon: date
    units: dict[int, tuple[str, str]]

    def deadline(
        self, kind: str, unit_id: int, due: date, detail: str, wd: WorkingDays | None = None
    ) -> Deadline:
        uscc, name = self.units[unit_id]
        return Deadline(
            kind,
            unit_id,
            uscc,
            name,
            due,
            (due - self.as_of).days,
            detail,
            False if wd is None else wd.estimated,
            "" if wd is None else wd.warning,
        )


def tracked_deadlines(
    db: Database,
    profile: Profile,
    calendar: Calendar,
    *,
    as_of: date,
    horizon_days: int = 30,
) -> list[Deadline]:
    """Every tracked deadline, by due date (then kind, then 统一社会信用代码)."""
    units = {
        int(uid): (str(uscc), str(name))
        for uid, uscc, name in db.conn.execute("SELECT id, uscc, name FROM units")
    }
    register = _Register(db, profile, calendar, as_of, as_of + timedelta(days=horizon_days), units)
    found: list[Deadline] = []
    for kind_of_deadline in (
        permit_deadlines,
        publicity_deadlines,
        rectification_deadlines,
        management_period_deadlines,
        list_entry_deadlines,
        objection_deadlines,
    ):
        found.extend(kind_of_deadline(register))
    order = {kind: i for i, kind in enumerate(KINDS)}
    found.sort(key=lambda d: (d.due_on, order.get(d.kind, len(order)), d.uscc))
    return found


def permit_deadlines(r: _Register) -> list[Deadline]:
    """安全生产许可证: expiring within PERMIT_WARNING_DAYS (units not 关闭), or expired while
    the unit is still 正常."""
    permit_limit = (r.as_of + timedelta(days=PERMIT_WARNING_DAYS)).isoformat()
    found: list[Deadline] = []
    for uid, permit_no, valid_text, status in r.db.conn.execute(
        "SELECT id, permit_no, permit_valid_until, status FROM units"
        " WHERE permit_valid_until IS NOT NULL AND status <> '关闭' AND permit_valid_until <= ?",
        (permit_limit,),
    ):
        valid = _day(valid_text)
        label = f"安全生产许可证 {permit_no}" if permit_no else "安全生产许可证"
        if valid >= r.as_of:
            found.append(
                r.deadline(
                    PERMIT_EXPIRING, int(uid), valid, f"{label} 有效期至 {valid.isoformat()}"
                )
            )
        elif status == "正常":
            detail = f"{label} 已于 {valid.isoformat()} 到期，单位状态仍为正常"
            found.append(r.deadline(PERMIT_EXPIRED, int(uid), valid, detail))
    return found


def publicity_deadlines(r: _Register) -> list[Deadline]:
    """双公示: the bureau's own penalties due on the 7th working day after the decision,
    not yet published, or published late."""
    due_cache: dict[date, WorkingDays] = {}

    def publish_due(decided: date) -> WorkingDays:
        wd = due_cache.get(decided)
        if wd is None:
            wd = due_cache[decided] = r.calendar.add_working_days(decided, PUBLISH_WORKING_DAYS)
        return wd

    as_of = r.as_of
    since_decided = (as_of - timedelta(days=PENALTY_LOOKBACK_DAYS)).isoformat()
    since_published = (as_of - timedelta(days=LATE_LOOKBACK_DAYS)).isoformat()
    found: list[Deadline] = []
    for uid, doc_no, decided_text, published_text in r.db.conn.execute(
        "SELECT unit_id, doc_no, decided_on, published_on FROM penalties"
        " WHERE department = '应急管理部门' AND decided_on <= ?"
        " AND ((published_on IS NULL AND decided_on >= ?)"
        " OR (published_on IS NOT NULL AND published_on >= ? AND published_on <= ?))",
        (as_of.isoformat(), since_decided, since_published, as_of.isoformat()),
    ):
        decided = _day(decided_text)
        wd = publish_due(decided)
        head = f"处罚 {doc_no} {decided.isoformat()} 决定"
        if published_text is None:
            if wd.day <= r.horizon:
                detail = f"{head}，应于 {wd.day.isoformat()} 前公示，尚未公示"
                found.append(r.deadline(UNPUBLISHED, int(uid), wd.day, detail, wd))
        else:
            published = _day(published_text)
            if published > wd.day:
                late = r.calendar.working_days_between(wd.day, published).count
                detail = (
                    f"{head}，应于 {wd.day.isoformat()} 前公示，"
                    f"{published.isoformat()} 才公示（迟 {late} 个工作日）"
                )
                found.append(r.deadline(PUBLISHED_LATE, int(uid), wd.day, detail, wd))
    return found


def rectification_deadlines(r: _Register) -> list[Deadline]:
    """整改期限: inspections with a deadline and no 整改完成日期, past or within the horizon."""
    found: list[Deadline] = []
    for uid, inspected, deadline_text, hazards, doc_no in r.db.conn.execute(
        "SELECT unit_id, inspected_on, rectify_deadline, hazards, doc_no FROM inspections"
        " WHERE rectify_deadline IS NOT NULL AND rectified_on IS NULL"
        " AND rectify_deadline <= ?",
        (r.horizon.isoformat(),),
    ):
        deadline = _day(deadline_text)
        doc = f"（{doc_no}）" if doc_no else ""
        detail = (
            f"检查 {inspected}{doc} 发现隐患 {hazards} 项，"
            f"整改期限 {deadline.isoformat()}，尚未整改完成"
        )
        kind = RECTIFY_OVERDUE if deadline < r.as_of else RECTIFY_DUE
        found.append(r.deadline(kind, int(uid), deadline, detail))
    return found


def management_period_deadlines(r: _Register) -> list[Deadline]:
    """管理期届满: with a profile that has management periods, units graded in its grades
    whose grade changes (next_change) within the horizon."""
    management = r.profile.management
    if management is None:
        return []
    from safecredit_desktop.core.grade_facts import grade_all

    found: list[Deadline] = []
    for result in grade_all(r.db, r.profile, r.as_of):
        change = result.next_change
        if result.grade not in management.grades or change is None:
            continue
        if change.day > r.horizon or result.unit_id not in r.units:
            continue
        detail = (
            f"现为{result.label}（{result.grade}类），按记录日期起算，"
            f"{change.day.isoformat()} 起评为 {change.grade} 类"
        )
        found.append(r.deadline(MANAGEMENT_ENDS, result.unit_id, change.day, detail))
    return found


def list_entry_deadlines(r: _Register) -> list[Deadline]:
    """名单期满, 可申请提前移出 and 陈述申辩期满 of the workflows' list entries."""
    early_months = r.profile.early_removal_months
    found: list[Deadline] = []
    for (
        entry_id,
        uid,
        kind,
        subject,
        published,
        ends,
        notified,
        statement_due,
        listed,
    ) in r.db.conn.execute(
        "SELECT id, unit_id, list_kind, person_name, published_on, ends_on, notified_on,"
        " statement_due, reviewed_on FROM list_entries"
        " WHERE stage IN ('公布', '告知', '内部管理')"
    ):
        who = f"（{subject}）" if subject else ""
        if ends is not None:  # in force: published, or 内部管理 (an internal list's entry)
            end_day = _day(ends)
            if end_day <= r.horizon:
                detail = f"{kind}第{entry_id}号{who}于 {ends} 期满"
                found.append(r.deadline(LISTING_ENDS, int(uid), end_day, detail))
            # early removal counts from 列入, the review's approval (grading.md Revision 2)
            since = listed or published
            eligible = _add_months(_day(since), early_months)
            if (
                kind != "红名单"
                and eligible <= r.horizon
                and r.as_of <= eligible + timedelta(days=EARLY_REMOVAL_WINDOW_DAYS)
            ):
                detail = f"{kind}第{entry_id}号{who} {since} 列入，满{early_months}个月可申请"
                found.append(r.deadline(EARLY_REMOVAL, int(uid), eligible, detail))
        elif statement_due is not None and _day(statement_due) <= r.horizon:
            detail = (
                f"{kind}第{entry_id}号{who}告知书 {notified} 送达，陈述申辩期至 {statement_due}"
            )
            found.append(r.deadline(STATEMENT_ENDS, int(uid), _day(statement_due), detail))
    return found


def objection_deadlines(r: _Register) -> list[Deadline]:
    """异议答复期限: accepted objections by their answer due date."""
    found: list[Deadline] = []
    for objection_id, uid, target, due in r.db.conn.execute(
        "SELECT id, unit_id, target_text, due_on FROM objections WHERE status = '已受理'"
    ):
        if due is not None and _day(due) <= r.horizon:
            detail = f"异议第{objection_id}号（{target}）应于 {due} 前答复"
            found.append(r.deadline(OBJECTION_DUE, int(uid), _day(due), detail))
    return found
