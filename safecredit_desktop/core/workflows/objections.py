"""Objections (异议) against a recorded inspection, accident, penalty or violation.

Filed (待受理) → accepted (已受理, due in the profile's working days) or refused
(不予受理, with a reason) → answered (已答复) by an investigator who is not anyone who
recorded or changed the disputed record (001 第十二条; enforced from the audit log).
The outcome is applied to the record in the same transaction: 更正 stores the
corrected record, 删除 deletes it (remembered, so an import does not bring it back),
保留 leaves it. The next grading sees the change.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from safecredit_desktop.core import forms
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import VIOLATION_KIND_BY_CODE, Role
from safecredit_desktop.core.rules.profile import Profile
from safecredit_desktop.core.scheduling.calendar import Calendar
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.repository import Repository
from safecredit_desktop.core.storage.tables import SPEC_BY_NAME
from safecredit_desktop.core.workflows import store
from safecredit_desktop.core.workflows.permissions import ActionRules

# the records an objection may dispute → their kind as the window names it
TARGET_TABLES = {
    table: SPEC_BY_NAME[table].label
    for table in ("inspections", "accidents", "penalties", "violations")
}


class ObjectionStatus(StrEnum):
    FILED = "待受理"
    ACCEPTED = "已受理"
    REFUSED = "不予受理"
    ANSWERED = "已答复"


class Outcome(StrEnum):
    CORRECTED = "更正"
    DELETED = "删除"
    KEPT = "保留"


class ObjectionAction(StrEnum):
    ACCEPT = "受理"
    REFUSE = "不予受理"
    ANSWER = "答复"
    PRINT_REPLY = "打印答复书"


OPEN = (ObjectionStatus.FILED, ObjectionStatus.ACCEPTED)
OUTCOMES = tuple(Outcome)


@dataclass(frozen=True)
class Objection(store.NamingRow):
    filed_on: date
    filed_by: str
    content: str
    evidence: str
    status: ObjectionStatus
    accepted_on: date | None
    due_on: date | None
    refused_reason: str
    investigator: str | None
    findings: str
    outcome: str | None
    answered_on: date | None

    @property
    def open(self) -> bool:
        return self.status in OPEN

    @property
    def target_kind(self) -> str:
        return TARGET_TABLES[self.target_table]


def allowed_actions(objection: Objection, roles: Collection[Role]) -> set[ObjectionAction]:
    """What a user with ``roles`` may do to ``objection`` in its status: acceptance and
    the answer are a reviewer's (and the answer not the recorder's: checked on answer);
    a reply is printed once it is answered or refused."""
    return _RULES.allowed_actions(objection.status, roles)


_RULES: ActionRules[ObjectionStatus, ObjectionAction] = ActionRules(
    allowed={
        ObjectionStatus.FILED: ((), (ObjectionAction.ACCEPT, ObjectionAction.REFUSE)),
        ObjectionStatus.ACCEPTED: ((), (ObjectionAction.ANSWER,)),
        ObjectionStatus.ANSWERED: ((ObjectionAction.PRINT_REPLY,), ()),
        ObjectionStatus.REFUSED: ((ObjectionAction.PRINT_REPLY,), ()),
    },
    refusals={
        ObjectionAction.ANSWER: "只能答复已受理的异议。",
        ObjectionAction.PRINT_REPLY: "异议第{id}号尚未答复，没有答复书可打印。",
    },
    otherwise="该异议已{status}。",
)


def refusal(objection: Objection, action: ObjectionAction) -> str:
    """Why ``action`` cannot be done to ``objection`` whatever the user's roles."""
    return _RULES.refusal(action, entry_id=objection.id, status=objection.status)


_OBJECTIONS = store.Entries(Objection, "objections", "o", "target_text", "没有编号为 {} 的异议。")


def get(db: Database, objection_id: int) -> Objection:
    return _OBJECTIONS.get(db.conn, objection_id)


def objections(
    db: Database, *, unit_id: int | None = None, open_only: bool = False, search: str = ""
) -> list[Objection]:
    extra = [("o.status IN ('待受理', '已受理')", ())] if open_only else []
    return _OBJECTIONS.search(db.conn, equal={"unit_id": unit_id}, search=search, extra=extra)


def describe(db: Database, table: str, record_id: int) -> tuple[int, str]:
    """(unit id, the record as notices quote it) of a disputed record."""
    if table not in TARGET_TABLES:
        raise SafeCreditError(
            f"不能对“{table}”提出异议；可以是：{'、'.join(TARGET_TABLES.values())}。"
        )
    r = store.row(db.conn, table, record_id)
    if table == "penalties":
        text = f"处罚 {r['doc_no']} {r['decided_on']}"
    elif table == "violations":
        kind = VIOLATION_KIND_BY_CODE.get(str(r["kind"]))
        name = kind.name if kind is not None else str(r["kind"])
        who = f"{r['subject']} {r['person_name']}" if r["person_name"] else str(r["subject"])
        text = f"失信 {r['occurred_on']} {name}（{who}）"
    elif table == "accidents":
        text = f"事故 {r['occurred_on']} {r['grade']}" + (
            f" 死亡{r['deaths']}人" if r["deaths"] else ""
        )
    else:
        text = f"检查 {r['inspected_on']} 隐患{r['hazards']}处 重大隐患{r['major_hazards']}处"
    return int(r["unit_id"]), text


def quoted_prefix(target_text: str) -> str:
    """The start of a reason's record string that names the same record (for 异议中)."""
    parts = target_text.split(" ")
    return " ".join(parts[:3]) if parts[0] == "失信" else " ".join(parts[:2])


def recorders(db: Database, table: str, record_id: int) -> set[str]:
    """Users who recorded or changed the record (from the audit log), following the
    record back through edits of its natural key (a corrected date is the same record)."""
    spec = SPEC_BY_NAME[table]
    repo = Repository(db, "")
    pending = [repo.natural_key(spec, store.row(db.conn, table, record_id))]
    keys: set[str] = set()
    users: set[str] = set()
    while pending:
        key = pending.pop()
        if key in keys:
            continue
        keys.add(key)
        for user, action, before in db.conn.execute(
            "SELECT user, action, before FROM audit_log WHERE table_name = ? AND row_key = ?"
            " AND action IN ('insert', 'update')",
            (table, key),
        ):
            users.add(str(user))
            if action == "update" and before:
                earlier = json.loads(before)
                if isinstance(earlier, dict):
                    with contextlib.suppress(KeyError, TypeError):
                        pending.append(repo.natural_key(spec, earlier))
    return users


def file(
    db: Database,
    user: str,
    *,
    table: str,
    record_id: int,
    filed_on: date,
    content: str,
    evidence: str = "",
) -> int:
    unit_id, text = describe(db, table, record_id)
    if not content.strip():
        raise SafeCreditError("请填写异议内容。")
    already = store.naming_row(db.conn, "objections", table, record_id, OPEN)
    if already is not None:
        raise SafeCreditError(f"这条记录已有未办结的异议（第 {already} 号）。")
    values = {
        **store.naming(unit_id, table, record_id, text),
        "filed_on": filed_on,
        "filed_by": user,
        "content": content.strip(),
        "evidence": evidence.strip(),
        "status": "待受理",
    }
    return store.add(db, user, "objections", values)


def accept(
    db: Database, user: str, profile: Profile, calendar: Calendar, objection_id: int, on: date
) -> Objection:
    found = get(db, objection_id)
    if found.status != "待受理":
        raise SafeCreditError(f"该异议已{found.status}。")
    due = calendar.add_working_days(on, profile.deadlines.objection_answer_working_days)
    changes = {"status": "已受理", "accepted_on": on, "due_on": due.day}
    store.step(db, user, "objections", objection_id, changes)
    return get(db, objection_id)


def refuse(db: Database, user: str, objection_id: int, reason: str, on: date) -> Objection:
    found = get(db, objection_id)
    if found.status != "待受理":
        raise SafeCreditError(f"该异议已{found.status}。")
    if not reason.strip():
        raise SafeCreditError("不予受理时请填写理由。")
    changes = {"status": "不予受理", "refused_reason": reason.strip(), "answered_on": on}
    store.step(db, user, "objections", objection_id, changes)
    return get(db, objection_id)


def corrected_record(
    db: Database,
    objection_id: int,
    changes: Sequence[tuple[str, str]],
    *,
    profile: Profile,
    today: date,
) -> Any:
    """The objected record with ``changes`` (field, typed value) applied, through the same
    entry form, field and cross-field checks as the window's 更正 (``core/forms.py``): a
    future date or an accident grade its figures contradict is refused with the form's
    sentence (:class:`forms.FormErrors`). A field is named by its key or its column name."""
    found = get(db, objection_id)
    spec = SPEC_BY_NAME[found.target_table]
    form = forms.form_for(found.target_table)
    record = Repository(db, "").get(spec.record, found.target_id)
    values = forms.values_of(record, form)
    by_name = {f.key: f.key for f in form.fields if f.kind != "unit"}
    by_name.update({f.label: f.key for f in form.fields if f.kind != "unit"})
    for name, value in changes:
        key = by_name.get(name.strip())
        if key is None:
            fields = "、".join(f"{f.key}（{f.label}）" for f in form.fields if f.kind != "unit")
            raise SafeCreditError(f"更正应写成 字段=值，字段可以是：{fields}。")
        values[key] = value.strip()
    return forms.build_record(
        form,
        values,
        unit_id=record.unit_id,
        record_id=found.target_id,
        profile=profile,
        today=today,
        unit_lookup=lambda code: forms.find_unit(db, code),
    )


def answer(
    db: Database,
    user: str,
    objection_id: int,
    *,
    findings: str,
    outcome: str,
    on: date,
    corrected: Any | None = None,
) -> Objection:
    """The investigator's answer, applied to the record in the same transaction."""
    found = get(db, objection_id)
    if found.status != "已受理":
        raise SafeCreditError("只能答复已受理的异议。")
    if outcome not in OUTCOMES:
        raise SafeCreditError(f"核查结论应为{'、'.join(OUTCOMES)}之一。")
    if not findings.strip():
        raise SafeCreditError("请填写核查情况。")
    if user in recorders(db, found.target_table, found.target_id):
        raise SafeCreditError(
            f"{user}录入或修改过被异议的记录，不能担任核查人（异议须由记录录入人以外的人员核查）。"
        )
    repo = Repository(db, user)
    spec = SPEC_BY_NAME[found.target_table]
    with db.transaction() as conn:
        if outcome == "删除":
            repo.delete(spec.record, found.target_id)
        elif outcome == "更正":
            if corrected is None or getattr(corrected, "id", None) != found.target_id:
                raise SafeCreditError("结论为更正时，请提供更正后的记录。")
            try:
                changed = repo.update(corrected)
            except sqlite3.IntegrityError as exc:
                raise SafeCreditError(
                    "更正后的记录与本单位已有的另一条记录重复（如同一天的同类记录），"
                    "请核对更正内容。"
                ) from exc
            if not changed:
                raise SafeCreditError("更正后的记录与原记录相同；若无需更正，结论应为保留。")
        store.update(
            conn,
            user,
            "objections",
            objection_id,
            {
                "status": "已答复",
                "investigator": user,
                "findings": findings.strip(),
                "outcome": outcome,
                "answered_on": on,
            },
        )
    return get(db, objection_id)


def open_targets(db: Database, unit_id: int | None = None) -> dict[tuple[str, int], str]:
    """Records under an open objection: (table, id) → the record as quoted."""
    sql = (
        "SELECT target_table, target_id, target_text FROM objections"
        " WHERE status IN ('待受理', '已受理')"
    )
    args: list[Any] = []
    if unit_id is not None:
        sql += " AND unit_id = ?"
        args.append(unit_id)
    return {(str(t), int(i)): str(x) for t, i, x in db.conn.execute(sql, args)}
