"""Credit lists and their lifecycle (seed 002's 信息采集—告知—交换—公布—移出).

Lists: 红名单 (守信激励: units graded A), the profile's list of the seriously
dishonest (黑名单 for fenghuang and kundulun, 严重失信主体名单 for suizhou: the
profile's listed grades). Stages:

    采集 (proposed by the rules or entered by hand, with facts and basis)
    → 告知 (the listing notice served; the 陈述申辩 period runs; not for the red list)
    → 审核 (a 审核员 other than the proposer: 待公布, or 不予列入)
    → 公布 (publication date; the period runs from it)
    → 移出 (期满 automatically, 提前移出 on an approved application after the minimum
      months, 信用修复, or by hand with a reason)

Every step is dated, attributed and audited (store.py).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.rules.profile import Profile
from safecredit_desktop.core.rules.result import GradeResult
from safecredit_desktop.core.scheduling.calendar import Calendar
from safecredit_desktop.core.scheduling.due import add_months
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.workflows import store

RED_LIST = "红名单"
STAGES = ("采集", "告知", "待公布", "公布", "移出", "不予列入")
ACTIVE_STAGES = ("采集", "告知", "待公布", "公布")
RED_LIST_MONTHS = 12
BLACKLIST_MONTHS_BY_ACCIDENT = {"较大": 12, "重大": 24, "特别重大": 36}
BLACKLIST_MONTHS = 12
EARLY_REMOVAL_MONTHS = 12  # seed 004; the profile's management period may say otherwise
SYSTEM_USER = "系统（期满自动移出）"


@dataclass(frozen=True)
class ListEntry:
    id: int
    list_kind: str
    unit_id: int
    uscc: str
    unit_name: str
    person_name: str
    person_role: str
    source: str
    facts: str
    basis: str
    period_months: int
    stage: str
    proposed_by: str
    proposed_on: date
    notified_on: date | None
    statement_due: date | None
    statement: str
    reviewed_by: str | None
    reviewed_on: date | None
    review_note: str
    published_on: date | None
    ends_on: date | None
    removed_on: date | None
    removal_reason: str | None
    removed_by: str | None

    @property
    def subject(self) -> str:
        """Who is listed: the unit, or a person beside it."""
        if self.person_name:
            return f"{self.person_name}（{self.person_role or '责任人'}，{self.unit_name}）"
        return self.unit_name

    @property
    def active(self) -> bool:
        return self.stage in ACTIVE_STAGES


_day = store.day


def _entry(r: dict[str, Any]) -> ListEntry:
    return ListEntry(
        id=int(r["id"]),
        list_kind=str(r["list_kind"]),
        unit_id=int(r["unit_id"]),
        uscc=str(r["uscc"]),
        unit_name=str(r["unit_name"]),
        person_name=str(r["person_name"]),
        person_role=str(r["person_role"]),
        source=str(r["source"]),
        facts=str(r["facts"]),
        basis=str(r["basis"]),
        period_months=int(r["period_months"]),
        stage=str(r["stage"]),
        proposed_by=str(r["proposed_by"]),
        proposed_on=date.fromisoformat(str(r["proposed_on"])),
        notified_on=_day(r["notified_on"]),
        statement_due=_day(r["statement_due"]),
        statement=str(r["statement"]),
        reviewed_by=r["reviewed_by"],
        reviewed_on=_day(r["reviewed_on"]),
        review_note=str(r["review_note"]),
        published_on=_day(r["published_on"]),
        ends_on=_day(r["ends_on"]),
        removed_on=_day(r["removed_on"]),
        removal_reason=r["removal_reason"],
        removed_by=r["removed_by"],
    )


_SELECT = store.with_unit("list_entries", "e")


def get(db: Database, entry_id: int) -> ListEntry:
    found = store.rows(db.conn, _SELECT + " WHERE e.id = ?", (entry_id,))
    if not found:
        raise SafeCreditError(f"名单中没有编号为 {entry_id} 的记录。")
    return _entry(found[0])


def entries(
    db: Database,
    *,
    list_kind: str | None = None,
    stage: str | None = None,
    unit_id: int | None = None,
    search: str = "",
    active_only: bool = False,
) -> list[ListEntry]:
    extra = (
        [(f"e.stage IN ({', '.join('?' for _ in ACTIVE_STAGES)})", ACTIVE_STAGES)]
        if active_only
        else []
    )
    found = store.search_rows(
        db.conn,
        "list_entries",
        "e",
        equal={"list_kind": list_kind, "stage": stage, "unit_id": unit_id},
        search=search,
        search_column="person_name",
        extra=extra,
    )
    return [_entry(r) for r in found]


def list_kinds(profile: Profile) -> tuple[str, ...]:
    return (RED_LIST, profile.list_name)


def _check_kind(profile: Profile, list_kind: str) -> None:
    if list_kind not in list_kinds(profile):
        names = "、".join(list_kinds(profile))
        raise SafeCreditError(f"本局的信用规则没有“{list_kind}”，可用的名单：{names}。")


def period_for(profile: Profile, list_kind: str, result: GradeResult | None) -> int:
    """Months a listing lasts: the profile's management period, else seed 002's
    blacklist periods (1 year; 1/2/3 years for 较大/重大/特别重大 accidents)."""
    if list_kind == RED_LIST:
        return RED_LIST_MONTHS
    if profile.management is not None:
        return profile.management.period_months
    months = BLACKLIST_MONTHS
    if result is not None:
        for reason in result.reasons:
            for record in reason.records:
                if record.startswith("事故"):
                    for grade, m in BLACKLIST_MONTHS_BY_ACCIDENT.items():
                        if f" {grade}" in record:
                            months = max(months, m)
    return months


def early_removal_months(profile: Profile) -> int:
    if profile.management is not None:
        return profile.management.early_removal_months
    return EARLY_REMOVAL_MONTHS


def _facts_of(result: GradeResult) -> tuple[str, str]:
    """Facts: the records behind the reasons; basis: the criteria they meet."""
    records = [rec for r in result.reasons for rec in r.records]
    facts = "；".join(records) if records else "；".join(r.text for r in result.reasons)
    basis = f"信用等级评定为{result.grade}级（{result.label}），符合以下情形：" + "；".join(
        r.text.rstrip("。") for r in result.reasons
    )
    return facts or "符合列入条件", basis


_PERSON_IN_RECORD = re.compile(r"^失信 .*（(主要负责人|分管安全负责人) ([^）]+)）")


def _person_entries(profile: Profile, result: GradeResult) -> list[tuple[str, str]]:
    """Persons the list names beside the unit (suizhou): the responsible person of a
    violation among the records that list it, as of the grading date."""
    if not profile.list_names_persons:
        return []
    found: dict[str, str] = {}
    for reason in result.reasons:
        for record in reason.records:
            match = _PERSON_IN_RECORD.match(record)
            if match:
                found.setdefault(match.group(2).split(" ")[0], match.group(1))
    return list(found.items())


def propose_from_rules(
    db: Database, user: str, profile: Profile, results: Iterable[GradeResult], today: date
) -> list[int]:
    """采集: entries for units the rules list (listed grades; A for the red list) that
    have no entry of that list in progress or in force. Ids of the new entries."""
    active = {
        (int(u), str(k))
        for u, k in db.conn.execute(
            f"SELECT unit_id, list_kind FROM list_entries WHERE stage IN"
            f" ({', '.join('?' for _ in ACTIVE_STAGES)})",
            ACTIVE_STAGES,
        )
    }
    created = []
    with db.transaction() as conn:
        for result in results:
            if result.grade in profile.listed_grades:
                kind = profile.list_name
            elif result.grade == "A":
                kind = RED_LIST
            else:
                continue
            if (result.unit_id, kind) in active:
                continue
            facts, basis = _facts_of(result)
            values = {
                "list_kind": kind,
                "unit_id": result.unit_id,
                "source": "规则",
                "facts": facts,
                "basis": basis,
                "period_months": period_for(profile, kind, result),
                "stage": "采集",
                "proposed_by": user,
                "proposed_on": today,
            }
            created.append(store.insert(conn, user, "list_entries", values))
            if kind != RED_LIST:
                for name, role in _person_entries(profile, result):
                    person = {**values, "person_name": name, "person_role": role}
                    created.append(store.insert(conn, user, "list_entries", person))
    return created


def add_by_hand(
    db: Database,
    user: str,
    profile: Profile,
    *,
    unit_id: int,
    list_kind: str,
    facts: str,
    basis: str,
    today: date,
    period_months: int | None = None,
    person_name: str = "",
    person_role: str = "",
) -> int:
    _check_kind(profile, list_kind)
    if not facts.strip() or not basis.strip():
        raise SafeCreditError("请填写列入的事实和依据。")
    if period_months is not None and period_months < 1:
        raise SafeCreditError("列入期限应为正整数（月）。")
    with db.transaction() as conn:
        return store.insert(
            conn,
            user,
            "list_entries",
            {
                "list_kind": list_kind,
                "unit_id": unit_id,
                "person_name": person_name.strip(),
                "person_role": person_role.strip(),
                "source": "人工",
                "facts": facts.strip(),
                "basis": basis.strip(),
                "period_months": period_months or period_for(profile, list_kind, None),
                "stage": "采集",
                "proposed_by": user,
                "proposed_on": today,
            },
        )


def _require_stage(entry: ListEntry, *stages: str) -> None:
    if entry.stage not in stages:
        wanted = "或".join(stages)
        raise SafeCreditError(
            f"该名单记录处于“{entry.stage}”阶段，此操作只能在“{wanted}”阶段进行。"
        )


def notify(
    db: Database, user: str, profile: Profile, calendar: Calendar, entry_id: int, served_on: date
) -> ListEntry:
    """告知: the listing notice served on ``served_on``; 陈述申辩 runs for the profile's days."""
    entry = get(db, entry_id)
    _require_stage(entry, "采集")
    if entry.list_kind == RED_LIST:
        raise SafeCreditError("红名单是守信激励，不需要告知和陈述申辩，请直接审核。")
    due = calendar.add_working_days(served_on, profile.deadlines.objection_raise_working_days)
    with db.transaction() as conn:
        store.update(
            conn,
            user,
            "list_entries",
            entry_id,
            {"stage": "告知", "notified_on": served_on, "statement_due": due.day},
        )
    return get(db, entry_id)


def record_statement(db: Database, user: str, entry_id: int, text: str) -> ListEntry:
    entry = get(db, entry_id)
    _require_stage(entry, "告知")
    if not text.strip():
        raise SafeCreditError("请填写陈述申辩的内容。")
    with db.transaction() as conn:
        store.update(conn, user, "list_entries", entry_id, {"statement": text.strip()})
    return get(db, entry_id)


def review(
    db: Database, user: str, entry_id: int, *, approve: bool, note: str, today: date
) -> ListEntry:
    """审核 by a 审核员 other than the proposer (roles are checked by the services)."""
    entry = get(db, entry_id)
    if entry.list_kind == RED_LIST:
        _require_stage(entry, "采集")
    else:
        _require_stage(entry, "告知")
        if approve and entry.statement_due and today <= entry.statement_due and not entry.statement:
            raise SafeCreditError(
                f"陈述申辩期至{entry.statement_due.isoformat()}止，期满或收到陈述申辩后才能审核列入。"
            )
    if user == entry.proposed_by:
        raise SafeCreditError("审核人不能是提出列入的人，请由另一位审核员审核。")
    if not approve and not note.strip():
        raise SafeCreditError("不予列入时请填写理由。")
    changes: dict[str, Any] = {
        "stage": "待公布" if approve else "不予列入",
        "reviewed_by": user,
        "reviewed_on": today,
        "review_note": note.strip(),
    }
    with db.transaction() as conn:
        store.update(conn, user, "list_entries", entry_id, changes)
    return get(db, entry_id)


def publish(db: Database, user: str, entry_id: int, published_on: date) -> ListEntry:
    entry = get(db, entry_id)
    _require_stage(entry, "待公布")
    if entry.reviewed_on and published_on < entry.reviewed_on:
        raise SafeCreditError("公布日期不能早于审核日期。")
    ends = add_months(published_on, entry.period_months)
    with db.transaction() as conn:
        store.update(
            conn,
            user,
            "list_entries",
            entry_id,
            {"stage": "公布", "published_on": published_on, "ends_on": ends},
        )
    return get(db, entry_id)


def remove(
    db: Database,
    user: str,
    entry_id: int,
    *,
    on: date,
    reason: str,
    conn: sqlite3.Connection | None = None,
) -> None:
    entry = get(db, entry_id)
    _require_stage(entry, "公布")
    if not reason.strip():
        raise SafeCreditError("请填写移出原因。")
    changes = {
        "stage": "移出",
        "removed_on": on,
        "removal_reason": reason.strip(),
        "removed_by": user,
    }
    if conn is not None:
        store.update(conn, user, "list_entries", entry_id, changes)
        return
    with db.transaction() as own:
        store.update(own, user, "list_entries", entry_id, changes)


def restore(conn: sqlite3.Connection, user: str, entry_id: int) -> None:
    """Undo an early removal whose approval is revoked: the listing is in force again."""
    store.update(
        conn,
        user,
        "list_entries",
        entry_id,
        {"stage": "公布", "removed_on": None, "removal_reason": None, "removed_by": None},
    )


def expire(db: Database, today: date) -> list[int]:
    """Move every published entry whose period has ended to 移出 (期满). Ids moved."""
    due = [
        int(i)
        for (i,) in db.conn.execute(
            "SELECT id FROM list_entries WHERE stage = '公布' AND ends_on <= ?",
            (today.isoformat(),),
        )
    ]
    if not due:
        return []
    with db.transaction() as conn:
        for entry_id in due:
            ends = conn.execute(
                "SELECT ends_on FROM list_entries WHERE id = ?", (entry_id,)
            ).fetchone()[0]
            store.update(
                conn,
                SYSTEM_USER,
                "list_entries",
                entry_id,
                {
                    "stage": "移出",
                    "removed_on": ends,
                    "removal_reason": "期满",
                    "removed_by": SYSTEM_USER,
                },
            )
    return due


def in_force(db: Database, unit_ids: Sequence[int] | None = None) -> dict[int, list[str]]:
    """Lists each unit is published on now: unit id → list kinds."""
    found: dict[int, list[str]] = {}
    for unit_id, kind in db.conn.execute(
        "SELECT unit_id, list_kind FROM list_entries WHERE stage = '公布' AND person_name = ''"
    ):
        if unit_ids is None or int(unit_id) in unit_ids:
            found.setdefault(int(unit_id), []).append(str(kind))
    return found
