"""Credit lists and their lifecycle (seed 002's 信息采集—告知—交换—公布—移出).

Lists are the profile's ``[[lists]]`` (grading.md Revision 2 item 7): the 红名单
(守信激励) and the list of the seriously dishonest (黑名单, 严重失信主体名单), each with
criteria the rules evaluate (``core.rules.listing``); a rule proposal links the records
behind it to the entry (``list_entry_records``), so that after the entry's removal the
grade released by that list no longer counts them. Under a profile whose grades are
internal (kundulun) nothing is published: 公布 is refused with a sentence, and an
approved entry is 内部管理 instead. Stages:

    采集 (proposed by the rules or entered by hand, with facts and basis)
    → 告知 (the listing notice served; the 陈述申辩 period runs; not for the red list)
    → 审核 (a 审核员 other than the proposer: 待公布, or 不予列入; under an internal
      profile 内部管理 — listed, in force inside the bureau, never published, the period
      running from 列入, the review's approval)
    → 公布 (publication date; the period runs from it)
    → 移出 (期满 automatically, 提前移出 on an approved application after the minimum
      months, 信用修复, or by hand with a reason)

Every step is dated, attributed and audited (store.py).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.grade_facts import iter_facts
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.rules import bad_records as bad
from safecredit_desktop.core.rules import listing
from safecredit_desktop.core.rules.engine import Grader
from safecredit_desktop.core.rules.profile import ListDef, Profile
from safecredit_desktop.core.rules.result import GradeResult
from safecredit_desktop.core.scheduling.calendar import Calendar
from safecredit_desktop.core.scheduling.due import add_months
from safecredit_desktop.core.storage import audit
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.workflows import store
from safecredit_desktop.core.workflows.permissions import EVERY_ROLE, reviews

RED_LIST = "红名单"


class ListStage(StrEnum):
    """The stages of a list entry, in order (不予列入 ends a refused review)."""

    COLLECTED = "采集"
    NOTIFIED = "告知"
    TO_PUBLISH = "待公布"
    PUBLISHED = "公布"
    REMOVED = "移出"
    NOT_LISTED = "不予列入"
    INTERNAL = "内部管理"  # listed under a profile whose lists are never published


class ListAction(StrEnum):
    """What can be done to a list entry (the window's buttons, the CLI's commands)."""

    PRINT_NOTICE = "打印告知书"
    NOTIFY = "送达告知书"
    RECORD_STATEMENT = "记录陈述申辩"
    APPROVE = "审核同意列入"
    REFUSE = "不予列入"
    PUBLISH = "公布"
    REMOVE = "移出"
    APPLY_EARLY_REMOVAL = "申请提前移出"


STAGES = tuple(ListStage)
ACTIVE_STAGES = (
    ListStage.COLLECTED,
    ListStage.NOTIFIED,
    ListStage.TO_PUBLISH,
    ListStage.PUBLISHED,
    ListStage.INTERNAL,
)
IN_FORCE_STAGES = (ListStage.PUBLISHED, ListStage.INTERNAL)
INTERNAL = ListStage.INTERNAL
RED_LIST_MONTHS = 12
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
    stage: ListStage
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


def allowed_actions(
    entry: ListEntry, roles: Collection[Role], *, publication_refused: bool = False
) -> set[ListAction]:
    """What a user with ``roles`` may do to ``entry`` in its stage. The red list (守信激励)
    has no notice and statement: it is reviewed from 采集. Review, publication and removal
    are a reviewer's; under a profile whose lists are internal nothing is published: an
    approved entry is 内部管理, in the list, and can be removed like a published one."""
    stage = entry.stage
    red = entry.list_kind == RED_LIST
    reviewer = reviews(roles)
    found: set[ListAction] = set()
    if not red and stage in (ListStage.COLLECTED, ListStage.NOTIFIED):
        found.add(ListAction.PRINT_NOTICE)
    if not red and stage == ListStage.COLLECTED:
        found.add(ListAction.NOTIFY)
    if stage == ListStage.NOTIFIED:
        found.add(ListAction.RECORD_STATEMENT)
    review_stage = ListStage.COLLECTED if red else ListStage.NOTIFIED
    if reviewer and stage == review_stage:
        found |= {ListAction.APPROVE, ListAction.REFUSE}
    if reviewer and stage == ListStage.TO_PUBLISH and not publication_refused:
        found.add(ListAction.PUBLISH)
    in_list = stage in IN_FORCE_STAGES or (publication_refused and stage == ListStage.TO_PUBLISH)
    if reviewer and in_list:
        found.add(ListAction.REMOVE)
    if stage in IN_FORCE_STAGES:
        found.add(ListAction.APPLY_EARLY_REMOVAL)
    return found


def refusal(entry: ListEntry, action: ListAction, *, publication_refused: str | None) -> str:
    """Why ``action`` cannot be done to ``entry`` whatever the user's roles (the sentence
    the steps below also give)."""
    if entry.list_kind == RED_LIST and action in (
        ListAction.PRINT_NOTICE,
        ListAction.NOTIFY,
        ListAction.RECORD_STATEMENT,
    ):
        return f"{entry.list_kind}是守信激励，不需要告知和陈述申辩，请直接审核。"
    if action == ListAction.PUBLISH and publication_refused is not None:
        return publication_refused
    refused = publication_refused is not None
    wanted = [
        stage
        for stage in ListStage
        if action
        in allowed_actions(replace(entry, stage=stage), EVERY_ROLE, publication_refused=refused)
    ]
    return f"该名单记录处于“{entry.stage}”阶段，此操作只能在“{'、'.join(wanted)}”阶段进行。"


_ENTRIES = store.Entries(
    ListEntry, "list_entries", "e", "person_name", "名单中没有编号为 {} 的记录。"
)


def get(db: Database, entry_id: int) -> ListEntry:
    return _ENTRIES.get(db.conn, entry_id)


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
    equal = {"list_kind": list_kind, "stage": stage, "unit_id": unit_id}
    return _ENTRIES.search(db.conn, equal=equal, search=search, extra=extra)


def list_kinds(profile: Profile) -> tuple[str, ...]:
    """The profile's lists by name (the red list first)."""
    return tuple(d.name for d in sorted(profile.lists, key=lambda d: not d.incentive))


def _list_def(profile: Profile, list_kind: str) -> ListDef:
    found = profile.list_def(list_kind)
    if found is None:
        names = "、".join(list_kinds(profile))
        raise SafeCreditError(f"本局的信用规则没有“{list_kind}”，可用的名单：{names}。")
    return found


def _check_kind(profile: Profile, list_kind: str) -> None:
    _list_def(profile, list_kind)


def is_incentive(profile: Profile, list_kind: str) -> bool:
    """守信激励 (the red list): no listing notice and no statement period."""
    found = profile.list_def(list_kind)
    return found.incentive if found is not None else list_kind == RED_LIST


def period_for(profile: Profile, list_kind: str) -> int:
    """Months a listing by hand lasts: the list's period (a rule proposal's period also
    follows the accidents behind it, ``listing.Proposal.period_months``)."""
    found = profile.list_def(list_kind)
    return found.period_months if found is not None else RED_LIST_MONTHS


def early_removal_months(profile: Profile) -> int:
    """Months after 列入 (the review's approval) before early removal (提前移出)."""
    return profile.early_removal_months


def publication_refused(profile: Profile) -> str | None:
    """The sentence refusing 公布 under a profile whose grades and lists are internal
    (kundulun: 只作内部管理使用，不对外公布); None when lists may be published."""
    if not profile.internal_only:
        return None
    notice = profile.internal_notice or "只作内部管理使用，不对外公布"
    return (
        f"本局的信用规则规定信用等级和名单{notice}，名单不能公布；审核同意列入后即在本局内部管理。"
    )


def person_at(db: Database, unit_id: int, role: str, day: date) -> str:
    """The unit's 主要负责人 (or 分管安全负责人) at ``day``: from the audited history of the
    field — the value before the first change made after ``day`` — else the field now."""
    column = {"主要负责人": "main_person", "分管安全负责人": "safety_person"}.get(role)
    if column is None:
        return ""
    row = db.conn.execute(f"SELECT uscc, {column} FROM units WHERE id = ?", (unit_id,)).fetchone()
    if row is None:
        return ""
    uscc, current = str(row[0]), str(row[1] or "")
    key = json.dumps([uscc], ensure_ascii=False, separators=(",", ":"))
    for at, before, after in db.conn.execute(
        "SELECT at, before, after FROM audit_log WHERE table_name = 'units' AND action = 'update'"
        " AND row_key = ? ORDER BY id",
        (key,),
    ):
        old = json.loads(before or "{}").get(column)
        new = json.loads(after or "{}").get(column)
        if old != new and date.fromisoformat(str(at)[:10]) > day:
            return str(old or "")
    return current


def _link(
    conn: sqlite3.Connection, user: str, entry_id: int, refs: Iterable[tuple[str, int]]
) -> None:
    """Link the records behind a listing to its entry (audited)."""
    links = [
        {"entry_id": entry_id, "record_table": table, "record_id": record_id}
        for table, record_id in refs
    ]
    if not links:
        return
    conn.executemany(
        "INSERT INTO list_entry_records (entry_id, record_table, record_id)"
        " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        [(link["entry_id"], link["record_table"], link["record_id"]) for link in links],
    )
    audit.append(
        conn,
        user,
        [
            audit.AuditEntry("insert", "list_entry_records", f"list_entries#{entry_id}", None, link)
            for link in links
        ],
    )


def proposals(
    db: Database, profile: Profile, results: Iterable[GradeResult], as_of: date
) -> dict[int, list[listing.Proposal]]:
    """What the rules propose at ``as_of`` for the units graded in ``results`` (units not
    yet founded are not among them): unit id → proposals, one per list."""
    by_id = {r.unit_id: r for r in results}
    if not by_id:
        return {}
    grader = Grader(profile, as_of)
    found: dict[int, list[listing.Proposal]] = {}
    for facts in iter_facts(db, unit_ids=sorted(by_id), inspections=True):
        made = listing.evaluate(
            profile, grader, facts, by_id[facts.unit_id], bad.of_unit(facts, as_of)
        )
        if made:
            found[facts.unit_id] = made
    return found


def propose_from_rules(
    db: Database,
    user: str,
    profile: Profile,
    results: Iterable[GradeResult],
    today: date,
    *,
    as_of: date | None = None,
) -> list[int]:
    """采集: entries for the units the profile's lists take at ``as_of`` (the results'
    date) that have no entry of that list in progress or in force, with the persons the
    list names beside the unit. Ids of the new entries."""
    graded = list(results)
    day = as_of or next((r.as_of for r in graded if r.as_of is not None), today)
    found = proposals(db, profile, graded, day)
    active = {
        (int(u), str(k))
        for u, k in db.conn.execute(
            f"SELECT unit_id, list_kind FROM list_entries WHERE stage IN"
            f" ({', '.join('?' for _ in ACTIVE_STAGES)}) AND person_name = ''",
            ACTIVE_STAGES,
        )
    }
    created = []
    with db.transaction() as conn:
        for unit_id in sorted(found):
            for proposal in found[unit_id]:
                kind = proposal.list_def.name
                if (unit_id, kind) in active:
                    continue
                values = {
                    "list_kind": kind,
                    "unit_id": unit_id,
                    "source": "规则",
                    "facts": proposal.facts,
                    "basis": proposal.basis,
                    "period_months": proposal.period_months,
                    "stage": "采集",
                    "proposed_by": user,
                    "proposed_on": today,
                }
                entry_id = store.insert(conn, user, "list_entries", values)
                created.append(entry_id)
                _link(conn, user, entry_id, proposal.refs)
                for name, role in _persons(db, unit_id, proposal):
                    person = {**values, "person_name": name, "person_role": role}
                    created.append(store.insert(conn, user, "list_entries", person))
    return created


def _persons(db: Database, unit_id: int, proposal: listing.Proposal) -> list[tuple[str, str]]:
    """(name, role) of the persons listed beside the unit, each once."""
    found: dict[str, str] = {}
    for person in proposal.persons:
        name = person.name.strip() or person_at(db, unit_id, person.role, person.day)
        if name:
            found.setdefault(name, person.role)
    return list(found.items())


def link_if_unlinked(db: Database, user: str, profile: Profile, entry_id: int, day: date) -> None:
    """An entry of the list of the dishonest with no records linked (by hand, or made
    before links were kept): link those behind the rules' proposal for its unit at
    ``day`` (the 列入), so that its removal releases them."""
    entry = get(db, entry_id)
    if entry.person_name or is_incentive(profile, entry.list_kind):
        return
    if db.conn.execute(
        "SELECT 1 FROM list_entry_records WHERE entry_id = ?", (entry_id,)
    ).fetchone():
        return
    from safecredit_desktop.core.grade_facts import grade_all

    results = grade_all(db, profile, day, uscc=entry.uscc)
    for proposal in proposals(db, profile, results, day).get(entry.unit_id, []):
        if proposal.list_def.name == entry.list_kind:
            with db.transaction() as conn:
                _link(conn, user, entry_id, proposal.refs)


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
    list_def = _list_def(profile, list_kind)
    if not facts.strip() or not basis.strip():
        raise SafeCreditError("请填写列入的事实和依据。")
    if period_months is not None and period_months < 1:
        raise SafeCreditError("列入期限应为正整数（月）。")
    return store.add(
        db,
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
            "period_months": period_months or list_def.period_months,
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
    if is_incentive(profile, entry.list_kind):
        raise SafeCreditError(f"{entry.list_kind}是守信激励，不需要告知和陈述申辩，请直接审核。")
    due = calendar.add_working_days(served_on, profile.deadlines.objection_raise_working_days)
    changes = {"stage": "告知", "notified_on": served_on, "statement_due": due.day}
    store.step(db, user, "list_entries", entry_id, changes)
    return get(db, entry_id)


def record_statement(db: Database, user: str, entry_id: int, text: str) -> ListEntry:
    entry = get(db, entry_id)
    _require_stage(entry, "告知")
    if not text.strip():
        raise SafeCreditError("请填写陈述申辩的内容。")
    store.step(db, user, "list_entries", entry_id, {"statement": text.strip()})
    return get(db, entry_id)


def review(
    db: Database,
    user: str,
    entry_id: int,
    *,
    approve: bool,
    note: str,
    today: date,
    profile: Profile | None = None,
) -> ListEntry:
    """审核 by a 审核员 other than the proposer (roles are checked by the Session). An
    approval is the 列入: the records behind an unlinked entry are linked to it then."""
    entry = get(db, entry_id)
    incentive = is_incentive(profile, entry.list_kind) if profile else entry.list_kind == RED_LIST
    if incentive:
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
    internal = profile is not None and publication_refused(profile) is not None
    changes: dict[str, Any] = {
        "stage": (INTERNAL if internal else "待公布") if approve else "不予列入",
        "reviewed_by": user,
        "reviewed_on": today,
        "review_note": note.strip(),
    }
    if approve and internal:  # never published: the period runs from 列入
        changes["ends_on"] = add_months(today, entry.period_months)
    store.step(db, user, "list_entries", entry_id, changes)
    if approve and profile is not None:
        link_if_unlinked(db, user, profile, entry_id, today)
    return get(db, entry_id)


def publish(
    db: Database, user: str, entry_id: int, published_on: date, profile: Profile | None = None
) -> ListEntry:
    """公布 on ``published_on``; the period runs from it (refused where lists are internal)."""
    refused = None if profile is None else publication_refused(profile)
    if refused is not None:
        raise SafeCreditError(refused)
    entry = get(db, entry_id)
    _require_stage(entry, "待公布")
    if entry.reviewed_on and published_on < entry.reviewed_on:
        raise SafeCreditError("公布日期不能早于审核日期。")
    ends = add_months(published_on, entry.period_months)
    changes = {"stage": "公布", "published_on": published_on, "ends_on": ends}
    store.step(db, user, "list_entries", entry_id, changes)
    return get(db, entry_id)


def remove(
    db: Database,
    user: str,
    entry_id: int,
    *,
    on: date,
    reason: str,
    conn: sqlite3.Connection | None = None,
    profile: Profile | None = None,
) -> None:
    """移出 of an entry in force: published, or 内部管理 where lists are internal."""
    entry = get(db, entry_id)
    if profile is None:
        _require_stage(entry, *IN_FORCE_STAGES)
    else:
        _require_stage(entry, INTERNAL if publication_refused(profile) else "公布")
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
    else:
        store.step(db, user, "list_entries", entry_id, changes)


def restore(conn: sqlite3.Connection, user: str, entry_id: int) -> None:
    """Undo an early removal whose approval is revoked: the listing is in force again
    (公布, or 内部管理 for an entry that was never published)."""
    published = conn.execute(
        "SELECT published_on FROM list_entries WHERE id = ?", (entry_id,)
    ).fetchone()
    stage = "公布" if published is not None and published[0] is not None else INTERNAL
    store.update(
        conn,
        user,
        "list_entries",
        entry_id,
        {"stage": stage, "removed_on": None, "removal_reason": None, "removed_by": None},
    )


def expire(db: Database, today: date) -> list[int]:
    """Move every entry in force (published, or 内部管理) whose period has ended to 移出
    (期满). Ids moved."""
    due = [
        int(i)
        for (i,) in db.conn.execute(
            "SELECT id FROM list_entries WHERE stage IN (?, ?) AND ends_on <= ?",
            (*IN_FORCE_STAGES, today.isoformat()),
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
    """Lists each unit is on now (published, or 内部管理): unit id → list kinds."""
    found: dict[int, list[str]] = {}
    for unit_id, kind in db.conn.execute(
        "SELECT unit_id, list_kind FROM list_entries WHERE stage IN (?, ?) AND person_name = ''",
        IN_FORCE_STAGES,
    ):
        if unit_ids is None or int(unit_id) in unit_ids:
            found.setdefault(int(unit_id), []).append(str(kind))
    return found
