"""Credit repair (信用修复) and early removal from a list (提前移出).

An application names one penalty or violation (repair: the record stops counting from
the approval date) or one published list entry (early removal, at least the list's
months after 列入 — the date the entry's review approved it). Accidents are never
repaired (grading.md Revision 2): an application naming one is refused with a sentence.
An early removal removes the entry; from then on the grade the list releases (suizhou D)
no longer counts the records that listed the unit — they still count everywhere else,
and nothing is repaired. The program checks what it can — the minimum months passed,
rectifications closed, a unit commitment on file, the penalty published — and shows the
rest to the reviewer. A 审核员 approves or refuses; an approval obtained by false
statements can be revoked, which restores the record (or the listing).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Repair, Role
from safecredit_desktop.core.rules.profile import Profile
from safecredit_desktop.core.scheduling.due import add_months
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.repository import Repository
from safecredit_desktop.core.storage.tables import SPEC_BY_NAME
from safecredit_desktop.core.workflows import lists, store
from safecredit_desktop.core.workflows.objections import describe
from safecredit_desktop.core.workflows.permissions import ActionRules

TARGETS = {
    **{table: SPEC_BY_NAME[table].label for table in ("penalties", "violations")},
    "list_entries": "名单",
}
# Older applications (before the revision) may name an accident: shown, never made.
TARGET_NAMES = {**TARGETS, "accidents": SPEC_BY_NAME["accidents"].label}
ACCIDENT_REFUSED = (
    "生产安全事故不能信用修复：信用修复只适用于行政处罚和失信行为，"
    "事故在各项事故条件的期限内始终计入（信用分级规则修订2）。"
)
_DATE_COLUMN = {"penalties": "decided_on", "violations": "occurred_on", "accidents": "occurred_on"}
_REPAIR_COLUMN = {
    "penalties": "penalty_id",
    "violations": "violation_id",
    "accidents": "accident_id",
}


class ApplicationStatus(StrEnum):
    PENDING = "待审核"
    APPROVED = "批准"
    REJECTED = "驳回"
    REVOKED = "撤销"


class RepairAction(StrEnum):
    CHECK = "核对条件"
    APPROVE = "批准"
    REJECT = "驳回"
    REVOKE = "撤销"
    PRINT_DECISION = "打印决定书"


@dataclass(frozen=True)
class Application(store.NamingRow):
    applied_on: date
    applied_by: str
    statement: str
    status: ApplicationStatus
    decided_by: str | None
    decided_on: date | None
    decision_note: str
    repair_id: int | None
    revoked_by: str | None
    revoked_on: date | None
    revoke_reason: str

    @property
    def early_removal(self) -> bool:
        return self.target_table == "list_entries"

    @property
    def kind_text(self) -> str:
        return "提前移出" if self.early_removal else "信用修复"


def allowed_actions(application: Application, roles: Collection[Role]) -> set[RepairAction]:
    """What a user with ``roles`` may do to ``application`` in its status: the decision and
    its revocation are a reviewer's; a decision is printed once approved."""
    return _RULES.allowed_actions(application.status, roles)


_RULES: ActionRules[ApplicationStatus, RepairAction] = ActionRules(
    allowed={
        ApplicationStatus.PENDING: (
            (RepairAction.CHECK,),
            (RepairAction.APPROVE, RepairAction.REJECT),
        ),
        ApplicationStatus.APPROVED: ((RepairAction.PRINT_DECISION,), (RepairAction.REVOKE,)),
    },
    refusals={
        RepairAction.REVOKE: "只能撤销已批准的申请。",
        RepairAction.PRINT_DECISION: "申请第{id}号未获批准，没有决定书可打印。",
    },
    otherwise="该申请已{status}。",
)


def refusal(application: Application, action: RepairAction) -> str:
    """Why ``action`` cannot be done to ``application`` whatever the user's roles."""
    return _RULES.refusal(action, entry_id=application.id, status=application.status)


@dataclass(frozen=True)
class Check:
    """One condition: ``ok`` True/False when the program can tell, None for the reviewer."""

    text: str
    ok: bool | None


_APPLICATIONS = store.Entries(
    Application, "repair_applications", "a", "target_text", "没有编号为 {} 的信用修复申请。"
)


def get(db: Database, application_id: int) -> Application:
    return _APPLICATIONS.get(db.conn, application_id)


def applications(
    db: Database, *, unit_id: int | None = None, status: str | None = None, search: str = ""
) -> list[Application]:
    equal = {"unit_id": unit_id, "status": status}
    return _APPLICATIONS.search(db.conn, equal=equal, search=search)


def _target(db: Database, table: str, target_id: int) -> tuple[int, str]:
    if table == "list_entries":
        entry = lists.get(db, target_id)
        if entry.stage not in lists.IN_FORCE_STAGES:
            raise SafeCreditError(
                "只能对已公布、尚在期内的名单记录申请提前移出（不对外公布的名单：已列入、尚在期内的）。"
            )
        if entry.published_on is None:  # an internal list's entry: never published
            return entry.unit_id, f"{entry.list_kind}：{entry.subject}（{entry.reviewed_on}列入）"
        return entry.unit_id, f"{entry.list_kind}：{entry.subject}（{entry.published_on}公布）"
    if table == "accidents":
        raise SafeCreditError(ACCIDENT_REFUSED)
    if table not in TARGETS:
        raise SafeCreditError("信用修复的对象应为行政处罚、失信行为或名单记录（提前移出）。")
    column = _REPAIR_COLUMN[table]
    if db.conn.execute(
        f"SELECT 1 FROM repairs WHERE {column} = ? AND void_reason IS NULL", (target_id,)
    ).fetchone():
        raise SafeCreditError("这条记录已经修复。")
    return describe(db, table, target_id)


def apply(
    db: Database, user: str, *, table: str, target_id: int, applied_on: date, statement: str
) -> int:
    unit_id, text = _target(db, table, target_id)
    pending = store.naming_row(
        db.conn, "repair_applications", table, target_id, (ApplicationStatus.PENDING,)
    )
    if pending is not None:
        raise SafeCreditError(f"这条记录已有待审核的申请（第 {pending} 号）。")
    values = {
        **store.naming(unit_id, table, target_id, text),
        "applied_on": applied_on,
        "applied_by": user,
        "statement": statement.strip(),
        "status": "待审核",
    }
    return store.add(db, user, "repair_applications", values)


def _since(db: Database, found: Application) -> date:
    """The date the minimum period runs from: the record's date, or for an early removal
    the 列入 — the day the entry's review approved it (seed 004: 自列入之日起满12个月)."""
    if found.early_removal:
        entry = lists.get(db, found.target_id)
        listed = entry.reviewed_on or entry.published_on
        assert listed is not None
        return listed
    column = _DATE_COLUMN[found.target_table]
    value = db.conn.execute(
        f"SELECT {column} FROM {found.target_table} WHERE id = ?", (found.target_id,)
    ).fetchone()
    if value is None:
        raise SafeCreditError(
            f"申请修复的记录（{found.target_text}）已被删除（如异议核查后删除），"
            "无需修复，请驳回该申请。"
        )
    return date.fromisoformat(str(value[0]))


def minimum_months(profile: Profile, found: Application) -> int:
    if found.early_removal:
        return lists.early_removal_months(profile)
    return profile.deadlines.repair_min_months


def checks(db: Database, profile: Profile, application_id: int, on: date) -> list[Check]:
    found = get(db, application_id)
    since = _since(db, found)
    months = minimum_months(profile, found)
    earliest = add_months(since, months)
    what = "列入" if found.early_removal else "记录"
    result = [
        Check(
            f"自{what}日期 {since.isoformat()} 起满{months}个月（{earliest.isoformat()} 起可批准）",
            on >= earliest,
        )
    ]
    open_rectifications = db.conn.execute(
        "SELECT count(*) FROM inspections WHERE unit_id = ? AND rectify_deadline IS NOT NULL"
        " AND rectified_on IS NULL",
        (found.unit_id,),
    ).fetchone()[0]
    result.append(
        Check(f"整改已全部完成（未完成 {open_rectifications} 项）", open_rectifications == 0)
    )
    commitment = db.conn.execute(
        "SELECT max(signed_on) FROM commitments WHERE unit_id = ? AND type = '单位承诺'"
        " AND withdrawn_on IS NULL AND signed_on <= ?",
        (found.unit_id, on.isoformat()),
    ).fetchone()[0]
    result.append(
        Check(
            f"已签署信用承诺书（{commitment}）" if commitment else "已签署信用承诺书（未找到）",
            commitment is not None,
        )
    )
    if found.target_table == "penalties":
        result.append(Check("行政处罚已履行完毕（罚款缴纳、停产整顿结束等，请审核人核实）", None))
    result.append(Check("申请材料真实、整改到位（请审核人核实）", None))
    return result


def decide(
    db: Database,
    user: str,
    profile: Profile,
    application_id: int,
    *,
    approve: bool,
    note: str,
    on: date,
) -> Application:
    """批准 or 驳回; an approval takes effect from ``on`` in grades and lists."""
    found = get(db, application_id)
    if found.status != "待审核":
        raise SafeCreditError(f"该申请已{found.status}。")
    if not approve and not note.strip():
        raise SafeCreditError("驳回时请填写理由。")
    if approve and found.target_table == "accidents":
        raise SafeCreditError(ACCIDENT_REFUSED)
    if approve:
        since = _since(db, found)
        months = minimum_months(profile, found)
        earliest = add_months(since, months)
        if on < earliest:
            raise SafeCreditError(
                f"自{since.isoformat()}起未满{months}个月，{earliest.isoformat()}前不能批准{found.kind_text}。"
            )
    changes: dict[str, Any] = {
        "status": "批准" if approve else "驳回",
        "decided_by": user,
        "decided_on": on,
        "decision_note": note.strip(),
    }
    if approve and found.early_removal:
        entry = lists.get(db, found.target_id)
        # an entry listed before its records were linked: link them now (its 列入)
        lists.link_if_unlinked(db, user, profile, entry.id, entry.reviewed_on or on)
    with db.transaction() as conn:
        if approve and found.early_removal:
            # grading.md Revision 2: the removal releases the records that listed the unit
            # from the list's grade; nothing is repaired.
            lists.remove(db, user, found.target_id, on=on, reason="提前移出", conn=conn)
        elif approve:
            repair = Repair(
                unit_id=found.unit_id,
                target_kind=TARGETS[found.target_table],
                approved_on=on,
                approval_no=f"信用修复申请第{found.id}号",
            )
            if found.target_table == "penalties":
                repair.penalty_id = found.target_id
            else:
                repair.violation_id = found.target_id
            changes["repair_id"] = Repository(db, user).insert(repair)
        store.update(conn, user, "repair_applications", application_id, changes)
    return get(db, application_id)


def _early_removal_no(application_id: int) -> str:
    """The approval number of the repairs an early removal made before the revision."""
    return f"提前移出申请第{application_id}号"


def revoke(db: Database, user: str, application_id: int, *, reason: str, on: date) -> Application:
    """Revoke an approval obtained by false statements: the record counts again (or the
    unit is listed again)."""
    found = get(db, application_id)
    if found.status != "批准":
        raise SafeCreditError("只能撤销已批准的申请。")
    if not reason.strip():
        raise SafeCreditError("请填写撤销理由（如以虚假材料取得信用修复）。")
    with db.transaction() as conn:
        store.update(
            conn,
            user,
            "repair_applications",
            application_id,
            {
                "status": "撤销",
                "revoked_by": user,
                "revoked_on": on,
                "revoke_reason": reason.strip(),
                "repair_id": None,
            },
        )
        if found.early_removal:
            lists.restore(conn, user, found.target_id)
            repo = Repository(db, user)
            for (repair_id,) in conn.execute(
                "SELECT id FROM repairs WHERE approval_no = ?", (_early_removal_no(found.id),)
            ).fetchall():
                repo.delete(Repair, int(repair_id))
        elif found.repair_id is not None:
            Repository(db, user).delete(Repair, found.repair_id)
    return get(db, application_id)
