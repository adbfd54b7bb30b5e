"""Each workflow says which actions a role may take on an entry in its state (issue 17):
``allowed_actions(entry, roles)``; the window enables its buttons from it and the CLI
refuses from it (``require_action``) with the workflow's own sentences."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from safecredit_desktop.core.model import Role
from safecredit_desktop.core.workflows import lists, objections, publicity, repairs
from safecredit_desktop.core.workflows.lists import ListAction as LA
from safecredit_desktop.core.workflows.lists import ListStage
from safecredit_desktop.core.workflows.objections import ObjectionAction as OA
from safecredit_desktop.core.workflows.objections import ObjectionStatus
from safecredit_desktop.core.workflows.repairs import ApplicationStatus
from safecredit_desktop.core.workflows.repairs import RepairAction as RA

CLERK = frozenset({Role.CLERK})
REVIEWER = frozenset({Role.REVIEWER})
ADMIN = frozenset({Role.ADMIN})
CLERK_AND_REVIEWER = frozenset({Role.CLERK, Role.REVIEWER})
DAY = date(2026, 6, 1)


def _make(cls: type[Any], **given: Any) -> Any:
    """A dataclass with every field not given filled with a plain value of its kind."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        kind = str(f.type)
        if f.name in given:
            values[f.name] = given[f.name]
        elif "None" in kind:
            values[f.name] = None
        elif kind == "int":
            values[f.name] = 1
        elif kind == "date":
            values[f.name] = DAY
        else:
            values[f.name] = ""
    return cls(**values)


def entry(stage: ListStage, kind: str = "黑名单") -> lists.ListEntry:
    return _make(lists.ListEntry, id=7, stage=stage, list_kind=kind)


LIST_CASES = [
    # (list, stage, roles, publication refused, allowed)
    ("黑名单", ListStage.COLLECTED, CLERK, False, {LA.PRINT_NOTICE, LA.NOTIFY}),
    ("黑名单", ListStage.COLLECTED, REVIEWER, False, {LA.PRINT_NOTICE, LA.NOTIFY}),
    ("黑名单", ListStage.NOTIFIED, CLERK, False, {LA.PRINT_NOTICE, LA.RECORD_STATEMENT}),
    (
        "黑名单",
        ListStage.NOTIFIED,
        CLERK_AND_REVIEWER,
        False,
        {LA.PRINT_NOTICE, LA.RECORD_STATEMENT, LA.APPROVE, LA.REFUSE},
    ),
    ("红名单", ListStage.COLLECTED, CLERK, False, set()),
    ("红名单", ListStage.COLLECTED, ADMIN, False, {LA.APPROVE, LA.REFUSE}),
    ("黑名单", ListStage.TO_PUBLISH, CLERK, False, set()),
    ("黑名单", ListStage.TO_PUBLISH, REVIEWER, False, {LA.PUBLISH}),
    ("黑名单", ListStage.INTERNAL, REVIEWER, True, {LA.REMOVE, LA.APPLY_EARLY_REMOVAL}),  # kundulun
    ("黑名单", ListStage.INTERNAL, CLERK, True, {LA.APPLY_EARLY_REMOVAL}),
    ("黑名单", ListStage.PUBLISHED, CLERK, False, {LA.APPLY_EARLY_REMOVAL}),
    ("黑名单", ListStage.PUBLISHED, REVIEWER, False, {LA.REMOVE, LA.APPLY_EARLY_REMOVAL}),
    ("黑名单", ListStage.REMOVED, ADMIN, False, set()),
    ("黑名单", ListStage.NOT_LISTED, ADMIN, False, set()),
]


@pytest.mark.parametrize(("kind", "stage", "roles", "internal", "allowed"), LIST_CASES)
def test_list_entry_actions_by_stage_and_role(
    kind: str, stage: ListStage, roles: frozenset[Role], internal: bool, allowed: set[LA]
) -> None:
    found = lists.allowed_actions(entry(stage, kind), roles, publication_refused=internal)
    assert found == allowed


def test_a_clerk_never_reviews_publishes_or_removes() -> None:
    reviewer_only = {LA.APPROVE, LA.REFUSE, LA.PUBLISH, LA.REMOVE}
    for stage in ListStage:
        for kind in ("红名单", "黑名单"):
            for internal in (False, True):
                found = lists.allowed_actions(
                    entry(stage, kind), CLERK, publication_refused=internal
                )
                assert not found & reviewer_only, (stage, kind, internal)


def test_list_refusals_name_the_stage_where_the_action_belongs() -> None:
    assert lists.refusal(entry(ListStage.PUBLISHED), LA.NOTIFY, publication_refused=None) == (
        "该名单记录处于“公布”阶段，此操作只能在“采集”阶段进行。"
    )
    assert lists.refusal(
        entry(ListStage.COLLECTED), LA.PRINT_NOTICE, publication_refused=None
    ).endswith("此操作只能在“采集、告知”阶段进行。")
    red = lists.refusal(entry(ListStage.COLLECTED, "红名单"), LA.NOTIFY, publication_refused=None)
    assert red == "红名单是守信激励，不需要告知和陈述申辩，请直接审核。"
    internal = "本局的信用规则规定……名单不能公布"
    assert (
        lists.refusal(entry(ListStage.TO_PUBLISH), LA.PUBLISH, publication_refused=internal)
        == internal
    )


def test_stages_and_statuses_are_enums_equal_to_the_stored_words() -> None:
    assert lists.STAGES == ("采集", "告知", "待公布", "公布", "移出", "不予列入", "内部管理")
    assert objections.OUTCOMES == ("更正", "删除", "保留")
    assert [str(s) for s in ApplicationStatus] == ["待审核", "批准", "驳回", "撤销"]
    assert f"{ObjectionStatus.ACCEPTED}" == "已受理"


@pytest.mark.parametrize(
    ("status", "roles", "allowed"),
    [
        (ObjectionStatus.FILED, CLERK, set()),
        (ObjectionStatus.FILED, REVIEWER, {OA.ACCEPT, OA.REFUSE}),
        (ObjectionStatus.ACCEPTED, CLERK, set()),
        (ObjectionStatus.ACCEPTED, ADMIN, {OA.ANSWER}),
        (ObjectionStatus.ANSWERED, CLERK, {OA.PRINT_REPLY}),
        (ObjectionStatus.REFUSED, REVIEWER, {OA.PRINT_REPLY}),
    ],
)
def test_objection_actions(
    status: ObjectionStatus, roles: frozenset[Role], allowed: set[OA]
) -> None:
    found = _make(objections.Objection, status=status)
    assert objections.allowed_actions(found, roles) == allowed


@pytest.mark.parametrize(
    ("status", "roles", "allowed"),
    [
        (ApplicationStatus.PENDING, CLERK, {RA.CHECK}),
        (ApplicationStatus.PENDING, REVIEWER, {RA.CHECK, RA.APPROVE, RA.REJECT}),
        (ApplicationStatus.APPROVED, CLERK, {RA.PRINT_DECISION}),
        (ApplicationStatus.APPROVED, ADMIN, {RA.PRINT_DECISION, RA.REVOKE}),
        (ApplicationStatus.REJECTED, ADMIN, set()),
        (ApplicationStatus.REVOKED, ADMIN, set()),
    ],
)
def test_repair_actions(
    status: ApplicationStatus, roles: frozenset[Role], allowed: set[RA]
) -> None:
    found = _make(repairs.Application, status=status)
    assert repairs.allowed_actions(found, roles) == allowed


def test_publicity_items_are_marked_published_once() -> None:
    due = _make(publicity.PublicityItem, kind="行政处罚")
    assert publicity.allowed_actions(due, CLERK) == {publicity.PublicityAction.MARK_PUBLISHED}
    done = dataclasses.replace(due, published_on=DAY)
    assert publicity.allowed_actions(done, ADMIN) == set()
