"""The unit detail data: fields (ID number masked), counts and the timeline."""

from __future__ import annotations

from datetime import date

import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model, timeline
from safecredit_desktop.core.errors import SafeCreditError, StorageError
from safecredit_desktop.core.validate import uscc_check_character

ID_NUMBER = "433123198001011234"


def make_code(n: int) -> str:
    first17 = f"91433123{n:09d}"
    return first17 + uscc_check_character(first17)


def _unit(session: core.Session, n: int = 1, **fields: object) -> int:
    unit = model.Unit(
        uscc=make_code(n),
        name=f"凤凰县第{n}化工有限公司",
        category=str(fields.pop("category", "危险化学品")),
        **fields,  # type: ignore[arg-type]
    )
    return session.records.save(unit)


def _fill(session: core.Session, unit_id: int) -> dict[str, int]:
    """One record of every kind, on distinct dates; returns table → id."""
    ids: dict[str, int] = {}
    ids["inspections"] = session.records.save(
        model.Inspection(
            unit_id=unit_id,
            inspected_on=date(2025, 3, 1),
            method=model.InspectionMethod.PLANNED,
            hazards=3,
            major_hazards=1,
            rectify_deadline=date(2025, 4, 1),
        ),
    )
    ids["accidents"] = session.records.save(
        model.Accident(
            unit_id=unit_id,
            occurred_on=date(2024, 6, 5),
            grade=model.AccidentGrade.ORDINARY,
            responsible=model.Responsibility.YES,
            deaths=1,
            loss_wan=12.5,
            needs_review=True,
        ),
    )
    ids["penalties"] = session.records.save(
        model.Penalty(
            unit_id=unit_id,
            doc_no="凤应急罚〔2024〕12号",
            decided_on=date(2024, 2, 10),
            department=model.PenaltyDepartment.EMERGENCY,
            fine_yuan=20000,
        ),
    )
    ids["violations"] = session.records.save(
        model.Violation(
            unit_id=unit_id,
            kind="accident_reported_late",
            occurred_on=date(2024, 6, 6),
            subject=model.ViolationSubject.MAIN_PERSON,
            person_name="张三",
        ),
    )
    ids["commitments"] = session.records.save(
        model.Commitment(
            unit_id=unit_id,
            type=model.CommitmentType.UNIT,
            signed_on=date(2024, 1, 2),
            signer="李四",
            withdrawn_on=date(2024, 12, 31),
        ),
    )
    ids["honours"] = session.records.save(
        model.Honour(
            unit_id=unit_id,
            honoured_on=date(2023, 12, 20),
            level=model.HonourLevel.CITY,
            type=model.HonourType.ADVANCED_UNIT,
            title="安全生产先进单位",
        ),
    )
    ids["joint_punishments"] = session.records.save(
        model.JointPunishment(unit_id=unit_id, department="县税务局", starts_on=date(2023, 5, 1)),
    )
    ids["repairs"] = session.records.save(
        model.Repair(
            unit_id=unit_id,
            target_kind=model.RepairTarget.PENALTY,
            approved_on=date(2025, 2, 11),
            penalty_id=ids["penalties"],
            approval_no="凤应急修〔2025〕1号",
        ),
    )
    return ids


def test_timeline_newest_first_with_a_summary_for_every_kind(session: core.Session) -> None:
    unit_id = _unit(session)
    ids = _fill(session, unit_id)
    entries = session.units.timeline(unit_id)
    assert [e.day for e in entries] == sorted((e.day for e in entries), reverse=True)
    assert [e.table for e in entries] == [
        "inspections",
        "repairs",
        "violations",
        "accidents",
        "penalties",
        "commitments",
        "honours",
        "joint_punishments",
    ]
    by_table = {e.table: e for e in entries}
    assert {t: e.record_id for t, e in by_table.items()} == ids
    assert {e.kind_label for e in entries} == {
        "执法检查",
        "生产安全事故",
        "行政处罚",
        "失信行为",
        "承诺书",
        "表彰",
        "联合惩戒",
        "信用修复",
    }

    inspection = by_table["inspections"]
    assert inspection.summary == "检查（计划），发现隐患3处，其中重大隐患1处，整改期限2025-04-01"
    assert inspection.flags == ("未整改",)

    accident = by_table["accidents"]
    assert accident.summary.startswith(
        "事故（一般，责任事故），死亡1人，重伤0人，直接经济损失12.5万元；待核实"
    )
    assert accident.flags == ("待核实",)

    penalty = by_table["penalties"]
    assert penalty.summary == "处罚 凤应急罚〔2024〕12号，应急管理部门，罚款20,000元"
    assert penalty.flags == ("已修复",)

    violation = by_table["violations"]
    assert "迟报生产安全事故" in violation.summary
    assert "主要负责人 张三" in violation.summary
    assert violation.flags == ("严重失信",)

    commitment = by_table["commitments"]
    assert commitment.summary == "签署单位承诺书，签署人李四，2024-12-31撤回"
    assert commitment.flags == ("已撤回",)

    honour = by_table["honours"]
    assert honour.summary == "表彰（市级，先进单位）：安全生产先进单位"

    joint = by_table["joint_punishments"]
    assert joint.summary == "联合惩戒（认定部门：县税务局），自2023-05-01起，未定结束日期"

    repair = by_table["repairs"]
    assert "行政处罚 凤应急罚〔2024〕12号" in repair.summary
    assert "凤应急修〔2025〕1号" in repair.summary


def test_repair_of_violation_named_and_flagged_accident_repair_voided(
    session: core.Session,
) -> None:
    unit_id = _unit(session)
    ids = _fill(session, unit_id)
    session.records.save(
        model.Repair(
            unit_id=unit_id,
            target_kind=model.RepairTarget.VIOLATION,
            approved_on=date(2025, 7, 1),
            violation_id=ids["violations"],
        ),
    )
    # grading.md Revision 2: an accident is never repaired; one stored before the revision
    # is kept, voided (按修订失效), and its accident is no longer shown as repaired
    accident_repair = model.Repair(
        unit_id=unit_id,
        target_kind=model.RepairTarget.ACCIDENT,
        approved_on=date(2025, 7, 2),
        accident_id=ids["accidents"],
    )
    with pytest.raises(SafeCreditError, match="生产安全事故不能信用修复"):
        session.records.save(accident_repair)
    accident_repair.void_reason = "按修订失效"
    session.repo.insert(accident_repair)
    entries = session.units.timeline(unit_id)
    assert entries[0].summary.startswith("信用修复：生产安全事故（2024-06-05，一般）；按修订失效")
    assert entries[0].flags == ("按修订失效",)
    assert entries[1].summary == "信用修复：失信行为 迟报生产安全事故（主要负责人，2024-06-06）"
    flagged = {e.table for e in entries if "已修复" in e.flags}
    assert flagged == {"penalties", "violations"}


def test_ties_by_table_order_then_newest_id(session: core.Session) -> None:
    unit_id = _unit(session)
    day = date(2025, 1, 15)
    first = session.records.save(
        model.Honour(unit_id=unit_id, honoured_on=day, level="县级", type="通报表扬")
    )
    second = session.records.save(
        model.Honour(unit_id=unit_id, honoured_on=day, level="县级", type="典型宣传")
    )
    inspection = session.records.save(model.Inspection(unit_id=unit_id, inspected_on=day))
    entries = session.units.timeline(unit_id)
    assert [(e.table, e.record_id) for e in entries] == [
        ("inspections", inspection),
        ("honours", second),
        ("honours", first),
    ]
    assert entries[0].summary == "检查（计划），未发现隐患"
    assert entries[0].flags == ()


def test_accident_pending_responsibility_and_other_formats(session: core.Session) -> None:
    unit_id = _unit(session)
    session.records.save(
        model.Accident(
            unit_id=unit_id,
            occurred_on=date(2025, 1, 1),
            grade="较大",
            responsible="待定",
            accident_no="2025-01",
            deaths=3,
            serious_injuries=2,
            loss_wan=1000.0,
        ),
    )
    session.records.save(
        model.Penalty(
            unit_id=unit_id,
            doc_no="凤应急罚〔2024〕13号",
            decided_on=date(2024, 1, 1),
            department="其他部门",
            fine_yuan=1234.5,
            reason="未按规定\n开展培训",
            published_on=date(2024, 1, 10),
        ),
    )
    session.records.save(
        model.JointPunishment(
            unit_id=unit_id,
            department="县市场监管局",
            starts_on=date(2023, 1, 1),
            ends_on=date(2023, 12, 31),
        ),
    )
    accident, penalty, joint = session.units.timeline(unit_id)
    assert accident.summary == (
        "事故（较大，责任待定），编号2025-01，死亡3人，重伤2人，直接经济损失1000万元"
    )
    assert accident.flags == ("待定",)
    assert penalty.summary == (
        "处罚 凤应急罚〔2024〕13号，其他部门，罚款1,234.50元，事由：未按规定 开展培训，"
        "2024-01-10公示"
    )
    assert joint.summary == "联合惩戒（认定部门：县市场监管局），2023-01-01至2023-12-31"


def test_timeline_is_of_one_unit_only(session: core.Session) -> None:
    mine = _unit(session, 1)
    other = _unit(session, 2)
    _fill(session, other)
    assert session.units.timeline(mine) == []
    assert len(session.units.timeline(other)) == 8


def test_timeline_one_query_per_table(session: core.Session) -> None:
    unit_id = _unit(session)
    for day in range(1, 29):
        session.records.save(model.Inspection(unit_id=unit_id, inspected_on=date(2025, 2, day)))
    statements: list[str] = []
    session.db.conn.set_trace_callback(statements.append)
    try:
        entries = session.units.timeline(unit_id)
    finally:
        session.db.conn.set_trace_callback(None)
    assert len(entries) == 28
    # the unit itself, then one per record table
    assert len(statements) == 1 + len(timeline.TIMELINE_TABLES)


def test_summary_masks_id_number_and_counts(session: core.Session) -> None:
    unit_id = _unit(
        session,
        main_person="王五",
        main_person_id=ID_NUMBER,
        town="沱江镇",
        std_level="二级",
        std_valid_until=date(2026, 6, 30),
        check_accepted=True,
    )
    _fill(session, unit_id)
    summary = session.units.summary(unit_id)
    assert summary.main_person_id_masked == "433123********1234"
    shown = dict(summary.display_fields())
    assert shown["主要负责人身份证号"] == "433123********1234"
    assert ID_NUMBER not in repr(summary)
    assert all(ID_NUMBER not in value for value in shown.values())
    assert shown["所在乡镇"] == "沱江镇"
    assert shown["标准化有效期至"] == "2026-06-30"
    assert shown["许可证有效期至"] == "—"
    assert shown["报送单位"] == "本局"
    assert shown["代码校验"] == "校验位不符，已确认接受"
    assert shown["高危行业"] == "是（危险化学品属高危行业）"
    assert len(shown) == 20  # the 企业信息 sheet's 20 columns (成立日期 in schema v7)
    assert summary.high_risk
    assert summary.counts == {
        "执法检查": 1,
        "生产安全事故": 1,
        "行政处罚": 1,
        "失信行为": 1,
        "承诺书": 1,
        "表彰": 1,
        "联合惩戒": 1,
        "信用修复": 1,
    }
    assert summary.total_records == 8


def test_summary_high_risk_by_mark_or_not(session: core.Session) -> None:
    marked = _unit(session, 1, category="工贸八大行业", high_risk=True)
    plain = _unit(session, 2, category="工贸八大行业")
    assert dict(session.units.summary(marked).display_fields())["高危行业"] == ("是（单独标记）")
    summary = session.units.summary(plain)
    assert dict(summary.display_fields())["高危行业"] == "否"
    assert not summary.high_risk
    assert summary.main_person_id_masked == ""
    assert summary.total_records == 0


def test_missing_unit_is_a_sentence(session: core.Session) -> None:
    with pytest.raises(StorageError, match="找不到编号为 99 的企业"):
        session.units.timeline(99)
    with pytest.raises(StorageError, match="找不到编号为 99 的企业"):
        session.units.summary(99)
