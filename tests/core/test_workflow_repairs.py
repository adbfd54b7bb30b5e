"""Credit repair (信用修复) of a penalty, violation or accident, and early removal
(提前移出) of a published list entry (issue 8): the checks, the minimum months (approval
refused at 11 months, allowed at 12), the approval taking effect in the next grade or
on the list, and revocation restoring the record or the listing."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.validate import uscc_check_character

BUREAU = "测试县应急管理局"
RECORDED = date(2025, 3, 10)
ELEVEN_MONTHS = date(2026, 2, 10)
TWELVE_MONTHS = date(2026, 3, 10)


def code(n: int) -> str:
    first = f"91433123{n:09d}"
    return first + uscc_check_character(first)


@dataclass
class County:
    admin: core.Session
    path: Path

    def as_user(self, user: str, role: Role) -> core.Session:
        return core.Session(self.admin.db, user, role)

    @property
    def clerk(self) -> core.Session:
        return self.as_user("录入员丙", Role.CLERK)

    @property
    def proposer(self) -> core.Session:
        return self.as_user("审核员甲", Role.REVIEWER)

    @property
    def reviewer(self) -> core.Session:
        return self.as_user("审核员乙", Role.REVIEWER)


def make_county(tmp_path: Path | Callable[[str], Path], profile: str = "fenghuang") -> County:
    path = tmp_path(f"{profile}.db") if callable(tmp_path) else tmp_path / f"{profile}.db"
    admin = core.init_database(
        path, profile=profile, bureau_name=BUREAU, user="管理员", admin=("管理员", "admin-pw")
    )
    return County(admin, path)


@pytest.fixture
def county(new_db: Callable[[str], Path]) -> Iterator[County]:
    made = make_county(new_db)
    yield made
    made.admin.close()


def good_unit(session: core.Session, n: int = 1, *, commitment: bool = True) -> int:
    """A fenghuang unit that is A unless a record says otherwise."""
    unit = session.records.save(
        model.Unit(code(n), f"丙{n}化工有限公司", "危险化学品", std_level="二级")
    )
    if commitment:
        session.records.save(model.Commitment(unit, "单位承诺", date(2024, 1, 5)))
    return unit


def grade(county: County, unit: int, day: date) -> str:
    return str(county.admin.grading.grade_one(unit, as_of=day).grade)


def repairs_of(county: County, column: str, record_id: int) -> list[tuple[object, ...]]:
    return county.admin.db.conn.execute(
        f"SELECT id, approved_on FROM repairs WHERE {column} = ?", (record_id,)
    ).fetchall()


def pdf_text(pdf: bytes, tmp: Path) -> str:
    path = tmp / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    )
    return "".join(out.stdout.split())


# -- repair of a record ---------------------------------------------------------------------------


def test_repair_of_a_violation_from_application_to_revocation(county: County) -> None:
    unit = good_unit(county.clerk)
    violation = county.clerk.records.save(
        model.Violation(unit, "other", RECORDED, basis_doc="凤应急责改〔2025〕2号")
    )
    # a violation within 36 months keeps the unit from A; within 12 months from B
    assert grade(county, unit, ELEVEN_MONTHS) == "C"
    assert grade(county, unit, TWELVE_MONTHS) == "B"

    application = county.clerk.repairs.apply(
        table="violations",
        target_id=violation,
        statement="已整改并签署承诺",
        applied_on=ELEVEN_MONTHS,
    )
    assert (application.status, application.kind_text, application.unit_id) == (
        "待审核",
        "信用修复",
        unit,
    )
    assert application.target_text == "失信 2025-03-10 其他安全生产失信行为（单位）"
    assert not application.early_removal
    with pytest.raises(SafeCreditError, match=f"已有待审核的申请（第 {application.id} 号）"):
        county.clerk.repairs.apply(
            table="violations", target_id=violation, applied_on=ELEVEN_MONTHS
        )

    early = county.clerk.repairs.checks(application.id, on=ELEVEN_MONTHS)
    assert [c.ok for c in early] == [False, True, True, None]
    assert "2026-03-10 起可批准" in early[0].text
    assert "2024-01-05" in early[2].text
    later = county.clerk.repairs.checks(application.id, on=TWELVE_MONTHS)
    assert later[0].ok is True

    with pytest.raises(SafeCreditError, match="需要审核员或管理员权限"):
        county.clerk.repairs.decide(application.id, approve=True, on=TWELVE_MONTHS)
    with pytest.raises(SafeCreditError, match=r"未满12个月，2026-03-10前不能批准信用修复"):
        county.reviewer.repairs.decide(application.id, approve=True, on=ELEVEN_MONTHS)
    with pytest.raises(SafeCreditError, match=r"2026-03-10前不能批准"):
        county.reviewer.repairs.decide(application.id, approve=True, on=date(2026, 3, 9))
    assert repairs_of(county, "violation_id", violation) == []

    approved = county.reviewer.repairs.decide(
        application.id, approve=True, note="材料齐全", on=TWELVE_MONTHS
    )
    assert (approved.status, approved.decided_by, approved.decided_on) == (
        "批准",
        "审核员乙",
        TWELVE_MONTHS,
    )
    ((repair_id, approved_on),) = repairs_of(county, "violation_id", violation)
    assert approved.repair_id == repair_id and approved_on == "2026-03-10"
    repair = county.admin.records.get("repairs", repair_id)
    assert (repair.unit_id, repair.target_kind) == (unit, "失信行为")
    with pytest.raises(SafeCreditError, match="该申请已批准"):
        county.reviewer.repairs.decide(application.id, approve=True, on=TWELVE_MONTHS)
    with pytest.raises(SafeCreditError, match="这条记录已经修复"):
        county.clerk.repairs.apply(
            table="violations", target_id=violation, applied_on=TWELVE_MONTHS
        )

    # from the approval date the violation no longer counts: A instead of B
    assert grade(county, unit, TWELVE_MONTHS) == "A"
    (graded,) = county.admin.grading.grade(as_of=TWELVE_MONTHS, uscc=code(1))
    assert graded.grade == "A"
    # before it, it still does
    assert grade(county, unit, date(2026, 3, 9)) == "C"

    # revocation: the repairs row goes, the record counts again
    with pytest.raises(SafeCreditError, match="请填写撤销理由"):
        county.reviewer.repairs.revoke(application.id, reason=" ", on=TWELVE_MONTHS)
    with pytest.raises(SafeCreditError, match="需要审核员或管理员权限"):
        county.clerk.repairs.revoke(application.id, reason="虚假材料", on=TWELVE_MONTHS)
    revoked = county.reviewer.repairs.revoke(
        application.id, reason="以虚假材料取得信用修复", on=date(2026, 4, 1)
    )
    assert (revoked.status, revoked.revoked_by, revoked.revoked_on) == (
        "撤销",
        "审核员乙",
        date(2026, 4, 1),
    )
    assert revoked.repair_id is None and revoked.revoke_reason == "以虚假材料取得信用修复"
    assert repairs_of(county, "violation_id", violation) == []
    assert grade(county, unit, TWELVE_MONTHS) == "B"
    with pytest.raises(SafeCreditError, match="只能撤销已批准的申请"):
        county.reviewer.repairs.revoke(application.id, reason="再次", on=TWELVE_MONTHS)

    # a new application is possible once revoked
    again = county.clerk.repairs.apply(
        table="violations", target_id=violation, applied_on=date(2026, 5, 1)
    )
    assert again.status == "待审核"
    assert [a.id for a in county.admin.repairs.all(status="撤销")] == [application.id]
    assert core.check_database(county.path).problems == []


def test_checks_show_what_is_missing_for_a_penalty(county: County) -> None:
    unit = good_unit(county.clerk, commitment=False)
    penalty = county.clerk.records.save(
        model.Penalty(unit, "凤应急罚〔2025〕3号", RECORDED, "应急管理部门")
    )
    county.clerk.records.save(
        model.Inspection(unit, date(2025, 6, 1), hazards=2, rectify_deadline=date(2025, 7, 1)),
    )
    application = county.clerk.repairs.apply(
        table="penalties", target_id=penalty, applied_on=TWELVE_MONTHS
    )
    assert application.target_text == "处罚 凤应急罚〔2025〕3号 2025-03-10"
    checks = county.clerk.repairs.checks(application.id, on=TWELVE_MONTHS)
    assert [c.ok for c in checks] == [True, False, False, None, None]
    assert "未完成 1 项" in checks[1].text
    assert "未找到" in checks[2].text
    assert "行政处罚已履行完毕" in checks[3].text
    # the checks inform; the reviewer may still refuse, with a reason
    with pytest.raises(SafeCreditError, match="驳回时请填写理由"):
        county.reviewer.repairs.decide(application.id, approve=False, on=TWELVE_MONTHS)
    refused = county.reviewer.repairs.decide(
        application.id, approve=False, note="整改未完成", on=TWELVE_MONTHS
    )
    assert (refused.status, refused.decision_note, refused.repair_id) == (
        "驳回",
        "整改未完成",
        None,
    )
    assert repairs_of(county, "penalty_id", penalty) == []
    with pytest.raises(SafeCreditError, match="该申请已驳回"):
        county.reviewer.repairs.decide(application.id, approve=True, on=TWELVE_MONTHS)


def test_repair_of_an_accident_is_refused(county: County) -> None:
    """grading.md Revision 2 item 1: accidents are never repaired."""
    unit = good_unit(county.clerk)
    accident = county.clerk.records.save(model.Accident(unit, RECORDED, "一般", "是", deaths=1))
    assert grade(county, unit, TWELVE_MONTHS) == "B"  # a fatal accident within 36 months
    with pytest.raises(SafeCreditError, match=r"^生产安全事故不能信用修复"):
        county.clerk.repairs.apply(table="accidents", target_id=accident, applied_on=TWELVE_MONTHS)
    assert county.admin.repairs.all() == []
    assert repairs_of(county, "accident_id", accident) == []
    assert grade(county, unit, TWELVE_MONTHS) == "B"


def test_repair_targets_are_checked(county: County) -> None:
    unit = good_unit(county.clerk)
    inspection = county.clerk.records.save(model.Inspection(unit, RECORDED))
    with pytest.raises(SafeCreditError, match="信用修复的对象应为"):
        county.clerk.repairs.apply(
            table="inspections", target_id=inspection, applied_on=TWELVE_MONTHS
        )
    entry = county.clerk.lists.add(
        unit_id=unit,
        list_kind="黑名单",
        facts="拒不执行指令",
        basis="办法",
        today=RECORDED,
    )
    with pytest.raises(SafeCreditError, match="只能对已公布、尚在期内的名单记录申请提前移出"):
        county.clerk.repairs.apply(
            table="list_entries", target_id=entry.id, applied_on=TWELVE_MONTHS
        )


# -- early removal from a list --------------------------------------------------------------------

PUBLISHED = date(2026, 6, 25)


def published_entry(county: County, profile: str) -> core.ListEntry:
    """A published entry of the list of the dishonest that lasts longer than 12 months."""
    unit = county.clerk.records.save(
        model.Unit(code(7), "丁矿业有限公司", "非煤矿山", std_level="三级")
    )
    if profile == "suizhou":
        county.clerk.records.save(model.Violation(unit, "accident_concealed", date(2026, 3, 2)))
    else:  # a 重大 accident: 24 months on fenghuang's 黑名单
        county.clerk.records.save(model.Accident(unit, date(2026, 3, 2), "重大", "是", deaths=10))
    (entry,) = county.proposer.lists.propose(today=date(2026, 6, 1))
    county.clerk.lists.notify(entry.id, served_on=date(2026, 6, 1))
    county.reviewer.lists.review(entry.id, approve=True, today=date(2026, 6, 24))
    return county.reviewer.lists.publish(entry.id, published_on=PUBLISHED)


@pytest.mark.parametrize(("profile", "months"), [("fenghuang", 24), ("suizhou", 36)])
def test_early_removal_after_twelve_months_and_its_revocation(
    tmp_path: Path, profile: str, months: int
) -> None:
    county = make_county(tmp_path, profile)
    try:
        entry = published_entry(county, profile)
        assert entry.period_months == months and entry.ends_on == date(2026 + months // 12, 6, 25)
        unit = entry.unit_id
        application = county.clerk.repairs.apply(
            table="list_entries",
            target_id=entry.id,
            statement="已整改到位",
            applied_on=date(2027, 5, 20),
        )
        assert application.early_removal and application.kind_text == "提前移出"
        assert application.target_text.endswith("（2026-06-25公布）")

        # counted from 列入 (the review's approval, 2026-06-24), not from 公布 (seed 004:
        # 自列入之日起满12个月; grading.md Revision 2 item 2)
        checks = county.clerk.repairs.checks(application.id, on=date(2027, 5, 25))
        assert checks[0].ok is False and "自列入日期 2026-06-24 起满12个月" in checks[0].text
        # the home page's deadline says the same day
        (eligible,) = [
            d
            for d in county.admin.schedule.deadlines(as_of=date(2027, 6, 1))
            if d.kind == "可申请提前移出"
        ]
        assert eligible.due_on == date(2027, 6, 24) and "2026-06-24 列入" in eligible.detail

        # 11 months after 列入: refused, naming the first day it is possible
        with pytest.raises(SafeCreditError, match="2027-06-24前不能批准提前移出"):
            county.reviewer.repairs.decide(application.id, approve=True, on=date(2027, 5, 25))
        with pytest.raises(SafeCreditError, match="2027-06-24前不能批准提前移出"):
            county.reviewer.repairs.decide(application.id, approve=True, on=date(2027, 6, 23))
        assert county.admin.lists.entry(entry.id).stage == "公布"

        # 12 months: allowed; the entry leaves the list (提前移出)
        approved = county.reviewer.repairs.decide(
            application.id, approve=True, on=date(2027, 6, 24)
        )
        assert approved.status == "批准" and approved.repair_id is None
        removed = county.admin.lists.entry(entry.id)
        assert (removed.stage, removed.removal_reason, removed.removed_on) == (
            "移出",
            "提前移出",
            date(2027, 6, 24),
        )
        assert removed.removed_by == "审核员乙"
        assert county.admin.lists.units_in_force() == {}
        # Revision 2 item 2: the removal releases the records that listed the unit (linked
        # to the entry) from the list's grade; nothing is repaired
        repairs_sql = "SELECT count(*) FROM repairs"
        assert county.admin.db.conn.execute(repairs_sql).fetchone()[0] == 0
        links = "SELECT count(*) FROM list_entry_records WHERE entry_id = ?"
        assert county.admin.db.conn.execute(links, (entry.id,)).fetchone()[0] == 1

        decision = county.admin.documents.preview(
            core.DocumentRequest("removal-decision", listing_id=entry.id),
            today=date(2027, 6, 24),
        )
        text = pdf_text(decision, tmp_path)
        assert "符合提前移出条件" in text and "2027年6月24日起" in text

        # revoked: the listing is in force again, as it was
        revoked = county.reviewer.repairs.revoke(
            application.id, reason="整改材料虚假", on=date(2027, 7, 1)
        )
        assert revoked.status == "撤销"
        restored = county.admin.lists.entry(entry.id)
        assert restored.stage == "公布"
        assert (restored.removed_on, restored.removal_reason, restored.removed_by) == (
            None,
            None,
            None,
        )
        assert (restored.published_on, restored.ends_on) == (entry.published_on, entry.ends_on)
        assert county.admin.lists.units_in_force() == {unit: [entry.list_kind]}
        assert county.admin.db.conn.execute(repairs_sql).fetchone()[0] == 0
        assert core.check_database(county.path).problems == []
    finally:
        county.admin.close()


def test_suizhou_early_removal_releases_the_records_that_listed_it(
    tmp_path: Path,
) -> None:
    county = make_county(tmp_path, "suizhou")
    try:
        entry = published_entry(county, "suizhou")
        application = county.clerk.repairs.apply(
            table="list_entries", target_id=entry.id, applied_on=date(2027, 6, 25)
        )
        county.reviewer.repairs.decide(application.id, approve=True, on=date(2027, 6, 25))
        assert county.admin.lists.entry(entry.id).stage == "移出"
        assert grade(county, entry.unit_id, date(2027, 6, 26)) != "D"
        assert county.clerk.lists.propose(today=date(2027, 6, 26)) == []
    finally:
        county.admin.close()


def test_an_application_whose_record_was_deleted_is_refused_with_a_sentence(
    county: County,
) -> None:
    unit = good_unit(county.clerk)
    violation = county.clerk.records.save(model.Violation(unit, "other", RECORDED))
    application = county.clerk.repairs.apply(
        table="violations", target_id=violation, applied_on=TWELVE_MONTHS
    )
    objection = county.clerk.objections.file(
        table="violations", record_id=violation, content="误记", filed_on=RECORDED
    )
    county.reviewer.objections.accept(objection.id, on=TWELVE_MONTHS)
    county.reviewer.objections.answer(
        objection.id, findings="系误录", outcome="删除", on=TWELVE_MONTHS
    )
    with pytest.raises(SafeCreditError):
        county.clerk.repairs.checks(application.id, on=TWELVE_MONTHS)
    with pytest.raises(SafeCreditError):
        county.reviewer.repairs.decide(application.id, approve=True, on=TWELVE_MONTHS)
