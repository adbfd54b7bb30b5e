"""Credit lists (issue 8): every entry walks 采集 → 告知 → 审核 → 公布 → 移出 for each
built-in profile (fenghuang and kundulun 黑名单, suizhou 严重失信主体名单 with the
persons named beside the unit), the red list skips 告知, the proposer never reviews,
the statement period is the 15th working day after service, periods follow the
accident grade, and a published entry leaves the list by itself when its period ends."""

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
from safecredit_desktop.core.workflows.lists import SYSTEM_USER

BUREAU = "测试县应急管理局"
PROPOSED = date(2026, 6, 1)  # a Monday
# 15 working days after 2026-06-01: 6-2…6-5, 6-8…6-12, 6-15…6-18, (6-19 端午节), 6-22, 6-23.
STATEMENT_DUE = date(2026, 6, 23)
REVIEWED = date(2026, 6, 24)
PUBLISHED = date(2026, 6, 25)


def code(n: int) -> str:
    first = f"91433123{n:09d}"
    return first + uscc_check_character(first)


@dataclass
class County:
    """One database; a session per acting user (they share the connection)."""

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


def make_county(tmp_path: Path | Callable[[str], Path], profile: str) -> County:
    path = tmp_path(f"{profile}.db") if callable(tmp_path) else tmp_path / f"{profile}.db"
    admin = core.init_database(
        path, profile=profile, bureau_name=BUREAU, user="管理员", admin=("管理员", "admin-pw")
    )
    for name, role in (("审核员甲", Role.REVIEWER), ("审核员乙", Role.REVIEWER)):
        admin.accounts.create_user(name, "secret-pw", role)
    admin.accounts.create_user("录入员丙", "secret-pw", Role.CLERK)
    return County(admin, path)


@pytest.fixture
def fenghuang(new_db: Callable[[str], Path]) -> Iterator[County]:
    county = make_county(new_db, "fenghuang")
    yield county
    county.admin.close()


def add_unit(
    session: core.Session,
    n: int,
    name: str,
    *,
    category: str = "非煤矿山",
    std_level: str = "无",
    commitment: date | None = None,
) -> int:
    unit = session.records.save(
        model.Unit(code(n), name, category, main_person="张三", std_level=std_level),
    )
    if commitment is not None:
        session.records.save(model.Commitment(unit, "单位承诺", commitment))
    return unit


def d_unit(session: core.Session, profile: str, n: int = 1, *, deaths: int = 3) -> int:
    """A unit each profile grades D (and so proposes for its list of the dishonest)."""
    unit = add_unit(session, n, f"丁{n}矿业有限公司", std_level="三级", commitment=date(2025, 1, 5))
    if profile == "suizhou":
        # suizhou: a serious violation of the main person lists the unit and the person
        session.records.save(
            model.Violation(
                unit, "no_permit", date(2026, 3, 2), subject="主要负责人", person_name="张三"
            ),
        )
    else:
        grade = {3: "较大", 10: "重大", 30: "特别重大"}[deaths]
        session.records.save(model.Accident(unit, date(2026, 3, 2), grade, "是", deaths=deaths))
    return unit


def a_unit(session: core.Session, n: int = 2) -> int:
    return add_unit(session, n, f"甲{n}化工有限公司", std_level="一级", commitment=date(2025, 1, 5))


def audit_users(session: core.Session, entry_id: int) -> list[tuple[str, str]]:
    return [
        (str(a), str(u))
        for a, u in session.db.conn.execute(
            "SELECT action, user FROM audit_log WHERE table_name = 'list_entries'"
            " AND row_key = ? ORDER BY id",
            (f"list_entries#{entry_id}",),
        )
    ]


def pdf_text(pdf: bytes, tmp: Path) -> str:
    path = tmp / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    )
    return "".join(out.stdout.split())


# -- the whole lifecycle, per profile ------------------------------------------------------------

LIFECYCLE = [
    # profile, list, period, document prefix (kundulun's lists are internal and are never
    # published: test_kundulun_lists_are_internal)
    ("fenghuang", "黑名单", 12, "凤应急移决"),
    ("suizhou", "严重失信主体名单", 36, "随应急移决"),
]


@pytest.mark.parametrize(("profile", "list_name", "months", "prefix"), LIFECYCLE)
def test_blacklist_lifecycle(
    tmp_path: Path, profile: str, list_name: str, months: int, prefix: str
) -> None:
    county = make_county(tmp_path, profile)
    try:
        unit = d_unit(county.clerk, profile)
        assert county.admin.grading.grade_one(unit, as_of=PROPOSED).grade == "D"
        assert county.admin.lists.kinds() == ("红名单", list_name)

        # 采集 from the rules, by a reviewer (who will then not be allowed to review)
        created = county.proposer.lists.propose(today=PROPOSED)
        assert {e.unit_id for e in created} == {unit}
        assert all(e.list_kind == list_name and e.stage == "采集" for e in created)
        assert all(e.source == "规则" and e.proposed_by == "审核员甲" for e in created)
        assert all(e.period_months == months for e in created)
        (main,) = [e for e in created if not e.person_name]
        assert "2026-03-02" in main.facts
        # grading.md Revision 2 item 7: fenghuang lists on seed 002's grounds, suizhou on D
        ground = "一年内发生死亡的生产安全责任事故" if profile == "fenghuang" else "D级"
        assert ground in main.basis
        persons = [e for e in created if e.person_name]
        if profile == "suizhou":
            (person,) = persons
            assert (person.person_name, person.person_role) == ("张三", "主要负责人")
            assert person.subject == "张三（主要负责人，丁1矿业有限公司）"
        else:
            assert persons == []
        # nothing more while the entries are in progress
        assert county.proposer.lists.propose(today=PROPOSED) == []

        for entry in created:
            # 告知: the statement period ends on the 15th working day after service
            notified = county.clerk.lists.notify(entry.id, served_on=PROPOSED)
            assert notified.stage == "告知" and notified.notified_on == PROPOSED
            assert notified.statement_due == STATEMENT_DUE
            calendar = county.admin.schedule.calendar()
            assert calendar.add_working_days(PROPOSED, 15).day == STATEMENT_DUE

            # the proposer may not review, even after the period
            with pytest.raises(SafeCreditError, match="审核人不能是提出列入的人"):
                county.proposer.lists.review(entry.id, approve=True, today=REVIEWED)
            # another reviewer, but inside the period without a statement
            with pytest.raises(SafeCreditError, match="陈述申辩期至2026-06-23止"):
                county.reviewer.lists.review(entry.id, approve=True, today=STATEMENT_DUE)
            # a clerk may not review or publish
            with pytest.raises(SafeCreditError, match="需要审核员或管理员权限"):
                county.clerk.lists.review(entry.id, approve=True, today=REVIEWED)
            assert county.admin.lists.entry(entry.id).stage == "告知"

            reviewed = county.reviewer.lists.review(
                entry.id, approve=True, note="事实清楚", today=REVIEWED
            )
            assert reviewed.stage == "待公布"
            assert (reviewed.reviewed_by, reviewed.reviewed_on) == ("审核员乙", REVIEWED)
            with pytest.raises(SafeCreditError, match="需要审核员或管理员权限"):
                county.clerk.lists.publish(entry.id, published_on=PUBLISHED)
            with pytest.raises(SafeCreditError, match="不能早于审核日期"):
                county.reviewer.lists.publish(entry.id, published_on=STATEMENT_DUE)

            published = county.reviewer.lists.publish(entry.id, published_on=PUBLISHED)
            ends = date(2026 + months // 12, 6, 25)
            assert published.stage == "公布"
            assert (published.published_on, published.ends_on) == (PUBLISHED, ends)

        assert county.admin.lists.units_in_force() == {unit: [list_name]}
        # a removal decision is only for a removed entry
        removal = core.DocumentRequest("removal-decision", listing_id=main.id)
        with pytest.raises(SafeCreditError, match="尚未移出"):
            county.admin.documents.preview(removal, today=PUBLISHED)

        # the day before the end the entries are in force; on the end day they leave by
        # themselves (期满), attributed to the system
        last_day = date(ends.year, 6, 24)
        assert county.admin.lists.entries(stage="公布", today=last_day) != []
        assert county.admin.lists.expire(today=last_day) == []
        after = county.admin.lists.entries(today=ends)
        assert {e.id for e in after} == {e.id for e in created}
        for entry in after:
            assert entry.stage == "移出" and not entry.active
            assert (entry.removed_on, entry.removal_reason, entry.removed_by) == (
                ends,
                "期满",
                SYSTEM_USER,
            )
            assert audit_users(county.admin, entry.id) == [
                ("insert", "审核员甲"),
                ("update", "录入员丙"),  # 告知
                ("update", "审核员乙"),  # 审核
                ("update", "审核员乙"),  # 公布
                ("update", SYSTEM_USER),  # 期满
            ]
        assert county.admin.lists.units_in_force() == {}

        # the removal decision issues, numbered with the profile's prefix
        issued = county.reviewer.documents.issue(removal, today=ends)
        (doc,) = issued.issued
        assert doc.doc_no == f"{prefix}〔{ends.year}〕1号" and doc.unit_id == unit
        text = pdf_text(issued.pdf, tmp_path)
        assert f"移出{list_name}决定书" in text and "列入期限届满" in text

        assert core.check_database(county.path).problems == []
    finally:
        county.admin.close()


def test_listing_notice_issues_for_an_entry(fenghuang: County, tmp_path: Path) -> None:
    unit = d_unit(fenghuang.clerk, "fenghuang")
    (entry,) = fenghuang.clerk.lists.propose(today=PROPOSED)
    issued = fenghuang.clerk.documents.issue(
        core.DocumentRequest("listing-notice", listing_id=entry.id),
        today=PROPOSED,
    )
    (doc,) = issued.issued
    assert doc.doc_no == "凤应急列告〔2026〕1号" and doc.unit_id == unit
    text = pdf_text(issued.pdf, tmp_path)
    assert "黑名单" in text and "你单位于2026年3月2日发生较大生产安全事故，造成3人死亡" in text
    assert "15个工作日内" in text and "列入期限为12个月" in text


def test_a_statement_lets_the_review_come_before_the_period_ends(fenghuang: County) -> None:
    d_unit(fenghuang.clerk, "fenghuang")
    (entry,) = fenghuang.clerk.lists.propose(today=PROPOSED)
    with pytest.raises(SafeCreditError, match="只能在“告知”阶段"):
        fenghuang.clerk.lists.record_statement(entry.id, "事故责任尚有争议")
    fenghuang.clerk.lists.notify(entry.id, served_on=PROPOSED)
    with pytest.raises(SafeCreditError, match="请填写陈述申辩的内容"):
        fenghuang.clerk.lists.record_statement(entry.id, "  ")
    stated = fenghuang.clerk.lists.record_statement(entry.id, "事故责任尚有争议")
    assert stated.statement == "事故责任尚有争议"
    reviewed = fenghuang.reviewer.lists.review(
        entry.id, approve=True, note="申辩理由不成立", today=date(2026, 6, 5)
    )
    assert reviewed.stage == "待公布" and reviewed.review_note == "申辩理由不成立"


def test_refusing_a_listing_needs_a_reason(fenghuang: County) -> None:
    d_unit(fenghuang.clerk, "fenghuang")
    (entry,) = fenghuang.clerk.lists.propose(today=PROPOSED)
    # refusing is possible inside the statement period (only approving must wait)
    fenghuang.clerk.lists.notify(entry.id, served_on=PROPOSED)
    with pytest.raises(SafeCreditError, match="不予列入时请填写理由"):
        fenghuang.reviewer.lists.review(entry.id, approve=False, today=PROPOSED)
    refused = fenghuang.reviewer.lists.review(
        entry.id, approve=False, note="事故责任认定已撤销", today=PROPOSED
    )
    assert refused.stage == "不予列入" and not refused.active
    assert refused.review_note == "事故责任认定已撤销"
    with pytest.raises(SafeCreditError, match="只能在“待公布”阶段"):
        fenghuang.reviewer.lists.publish(entry.id, published_on=REVIEWED)
    assert fenghuang.admin.lists.entries(active_only=True, today=PROPOSED) == []


def test_red_list_needs_no_notice(fenghuang: County) -> None:
    unit = a_unit(fenghuang.clerk)
    assert fenghuang.admin.grading.grade_one(unit, as_of=PROPOSED).grade == "A"
    (entry,) = fenghuang.proposer.lists.propose(today=PROPOSED)
    assert (entry.unit_id, entry.list_kind, entry.period_months) == (unit, "红名单", 12)
    assert "A级" in entry.basis

    with pytest.raises(SafeCreditError, match="红名单是守信激励，不需要告知"):
        fenghuang.clerk.lists.notify(entry.id, served_on=PROPOSED)
    with pytest.raises(SafeCreditError, match="审核人不能是提出列入的人"):
        fenghuang.proposer.lists.review(entry.id, approve=True, today=PROPOSED)
    with pytest.raises(SafeCreditError, match="需要审核员或管理员权限"):
        fenghuang.clerk.lists.review(entry.id, approve=True, today=PROPOSED)

    # reviewed on the day it was proposed: there is no statement period
    reviewed = fenghuang.reviewer.lists.review(entry.id, approve=True, today=PROPOSED)
    assert reviewed.stage == "待公布" and reviewed.notified_on is None
    published = fenghuang.reviewer.lists.publish(entry.id, published_on=PROPOSED)
    assert (published.stage, published.ends_on) == ("公布", date(2027, 6, 1))
    assert fenghuang.admin.lists.units_in_force() == {unit: ["红名单"]}
    incentives = fenghuang.admin.lists.incentives(unit, as_of=PROPOSED)
    assert incentives[0].startswith("列入红名单")


def test_a_clerk_cannot_remove_and_a_reviewer_removes_with_a_reason(fenghuang: County) -> None:
    unit = a_unit(fenghuang.clerk)
    (entry,) = fenghuang.clerk.lists.propose(today=PROPOSED)
    with pytest.raises(SafeCreditError, match="只能在“公布”阶段"):
        fenghuang.reviewer.lists.remove(entry.id, reason="发生事故", on=REVIEWED)
    fenghuang.reviewer.lists.review(entry.id, approve=True, today=PROPOSED)
    fenghuang.reviewer.lists.publish(entry.id, published_on=PROPOSED)
    with pytest.raises(SafeCreditError, match="需要审核员或管理员权限"):
        fenghuang.clerk.lists.remove(entry.id, reason="发生事故", on=REVIEWED)
    with pytest.raises(SafeCreditError, match="请填写移出原因"):
        fenghuang.reviewer.lists.remove(entry.id, reason=" ", on=REVIEWED)
    removed = fenghuang.reviewer.lists.remove(entry.id, reason="发生一般生产安全事故", on=REVIEWED)
    assert (removed.stage, removed.removed_on, removed.removed_by) == ("移出", REVIEWED, "审核员乙")
    assert removed.removal_reason == "发生一般生产安全事故"
    assert fenghuang.admin.lists.units_in_force() == {}
    # a new proposal is possible once the entry has left the list
    (again,) = fenghuang.clerk.lists.propose(today=REVIEWED)
    assert again.unit_id == unit and again.id != entry.id


# -- periods -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deaths", "grade", "months"), [(3, "较大", 12), (10, "重大", 24), (30, "特别重大", 36)]
)
def test_fenghuang_blacklist_period_follows_the_accident_grade(
    fenghuang: County, deaths: int, grade: str, months: int
) -> None:
    d_unit(fenghuang.clerk, "fenghuang", deaths=deaths)
    (entry,) = fenghuang.clerk.lists.propose(today=PROPOSED)
    assert f"事故 2026-03-02 {grade} 死亡{deaths}人" in entry.facts
    assert entry.period_months == months
    fenghuang.clerk.lists.notify(entry.id, served_on=PROPOSED)
    fenghuang.reviewer.lists.review(entry.id, approve=True, today=REVIEWED)
    published = fenghuang.reviewer.lists.publish(entry.id, published_on=PUBLISHED)
    assert published.ends_on == date(2026 + months // 12, 6, 25)


def test_suizhou_management_period_is_36_months_whatever_the_accident(tmp_path: Path) -> None:
    county = make_county(tmp_path, "suizhou")
    try:
        unit = add_unit(county.clerk, 1, "随州丁矿业", std_level="三级")
        # two responsible 较大 accidents within 12 months of each other: D in suizhou
        for day in (date(2025, 11, 2), date(2026, 3, 2)):
            county.clerk.records.save(model.Accident(unit, day, "较大", "是", deaths=3))
        assert county.admin.grading.grade_one(unit, as_of=PROPOSED).grade == "D"
        entry, person = county.clerk.lists.propose(today=PROPOSED)
        assert (entry.list_kind, entry.period_months) == ("严重失信主体名单", 36)
        # Revision 2 item 5: 事故类2 names the unit's 主要负责人 at the accidents' dates
        assert (person.person_name, person.person_role, person.period_months) == (
            "张三",
            "主要负责人",
            36,
        )
    finally:
        county.admin.close()


# -- by hand -------------------------------------------------------------------------------------


def test_entry_by_hand(fenghuang: County) -> None:
    unit = add_unit(fenghuang.clerk, 5, "戊贸易有限公司", category="工贸八大行业")
    with pytest.raises(SafeCreditError, match="没有“严重失信主体名单”"):
        fenghuang.clerk.lists.add(
            unit_id=unit,
            list_kind="严重失信主体名单",
            facts="拒不执行监管指令",
            basis="凤凰县信用管理办法",
            today=PROPOSED,
        )
    with pytest.raises(SafeCreditError, match="请填写列入的事实和依据"):
        fenghuang.clerk.lists.add(
            unit_id=unit, list_kind="黑名单", facts=" ", basis="x", today=PROPOSED
        )
    with pytest.raises(SafeCreditError, match="列入期限应为正整数"):
        fenghuang.clerk.lists.add(
            unit_id=unit,
            list_kind="黑名单",
            facts="拒不执行监管指令",
            basis="凤凰县信用管理办法",
            period_months=0,
            today=PROPOSED,
        )
    entry = fenghuang.clerk.lists.add(
        unit_id=unit,
        list_kind="黑名单",
        facts="拒不执行监管指令",
        basis="凤凰县信用管理办法",
        today=PROPOSED,
    )
    assert (entry.source, entry.stage, entry.period_months) == ("人工", "采集", 12)
    assert entry.proposed_by == "录入员丙"
    found = fenghuang.admin.lists.entries(search="戊贸易", today=PROPOSED)
    assert [e.id for e in found] == [entry.id]
    assert fenghuang.admin.lists.entries(list_kind="红名单", today=PROPOSED) == []


def test_proposals_on_a_demo_county_cover_exactly_the_d_and_a_units(tmp_path: Path) -> None:
    """kundulun: 黑名单 = grade D, 红名单 = grade A (as before Revision 2)."""
    county = make_county(tmp_path, "kundulun")
    try:
        core.fill_demo(county.admin, enterprises=200, seed=1, today=PROPOSED)
        grades = {r.unit_id: r.grade for r in county.admin.grading.grade(as_of=PROPOSED)}
        created = county.clerk.lists.propose(today=PROPOSED)
        expected = {(u, "黑名单") for u, g in grades.items() if g == "D"} | {
            (u, "红名单") for u, g in grades.items() if g == "A"
        }
        assert {kind for _, kind in expected} == {"黑名单", "红名单"}
        assert {(e.unit_id, e.list_kind) for e in created} == expected
        assert county.clerk.lists.propose(today=PROPOSED) == []
    finally:
        county.admin.close()


def test_fenghuang_proposals_on_a_demo_county_follow_seed_002(tmp_path: Path) -> None:
    """Revision 2 item 7: fenghuang's 黑名单 on seed 002's six grounds within 12 months (not
    grade D); its 红名单 the A units without a 不良信用记录 within 12 months or a major
    hazard overdue at T."""
    county = make_county(tmp_path, "fenghuang")
    try:
        core.fill_demo(county.admin, enterprises=40, seed=1, today=PROPOSED)
        conn = county.admin.db.conn
        year_ago = date(2025, 6, 1).isoformat()
        day = PROPOSED.isoformat()
        grounds = {
            int(u)
            for (u,) in conn.execute(
                "SELECT unit_id FROM violations v WHERE occurred_on > ? AND occurred_on <= ?"
                " AND kind IN ('refuse_directive', 'evade_supervision', 'accident_concealed',"
                " 'accident_reported_late', 'obstruct_investigation', 'no_permit',"
                " 'overstep_mining', 'illegal_production', 'other_serious')"
                " AND id NOT IN (SELECT violation_id FROM repairs WHERE violation_id IS NOT NULL"
                " AND approved_on <= ?)"
                " UNION SELECT unit_id FROM accidents WHERE responsible = '是' AND deaths > 0"
                " AND occurred_on > ? AND occurred_on <= ?"
                " UNION SELECT unit_id FROM inspections WHERE major_hazards > 0"
                " AND rectify_deadline < ? AND (rectified_on IS NULL OR rectified_on > ?"
                " OR (rectified_on > rectify_deadline AND rectified_on > ?))",
                (year_ago, day, day, year_ago, day, day, day, year_ago),
            )
        }
        grades = {r.unit_id: r.grade for r in county.admin.grading.grade(as_of=PROPOSED)}
        bad = {b.unit_id for b in county.admin.repairs.bad_records(as_of=PROPOSED)}
        recent_bad = {
            b.unit_id
            for b in county.admin.repairs.bad_records(as_of=PROPOSED)
            if b.day > date(2025, 6, 1)
        }
        assert bad  # the demo has bad records
        created = county.clerk.lists.propose(today=PROPOSED)
        black = {e.unit_id for e in created if e.list_kind == "黑名单"}
        red = {e.unit_id for e in created if e.list_kind == "红名单"}
        assert black == grounds
        assert red == {u for u, g in grades.items() if g == "A" and u not in recent_bad}
        assert red and black
    finally:
        county.admin.close()


def test_kundulun_lists_are_internal(tmp_path: Path) -> None:
    """Revision 2 item 7 (001 第十四条): 公布 is refused with a sentence."""
    county = make_county(tmp_path, "kundulun")
    try:
        unit = d_unit(county.clerk, "kundulun")
        (entry,) = county.proposer.lists.propose(today=PROPOSED)
        assert (entry.unit_id, entry.list_kind) == (unit, "黑名单")
        county.clerk.lists.notify(entry.id, served_on=PROPOSED)
        county.reviewer.lists.review(entry.id, approve=True, today=REVIEWED)
        with pytest.raises(SafeCreditError, match=r"只作内部管理使用，不对外公布.*不能公布"):
            county.reviewer.lists.publish(entry.id, published_on=PUBLISHED)
        assert county.admin.lists.entry(entry.id).stage == "内部管理"
        assert county.admin.lists.publication_refused() is not None
        # reviewed into the internal list, it leaves it by hand like a published one
        removed = county.reviewer.lists.remove(entry.id, reason="整改到位", on=date(2026, 7, 1))
        assert (removed.stage, removed.removal_reason) == ("移出", "整改到位")
    finally:
        county.admin.close()


def test_suizhou_names_only_the_persons_whose_violation_lists_the_unit(tmp_path: Path) -> None:
    county = make_county(tmp_path, "suizhou")
    try:
        unit = add_unit(county.clerk, 1, "随州丁矿业")
        for violation in (
            model.Violation(unit, "accident_concealed", date(2026, 3, 2)),  # the unit: D
            # an old minor violation of another person: no ground for listing them
            model.Violation(
                unit, "other", date(2020, 1, 6), subject="分管安全负责人", person_name="李四"
            ),
        ):
            county.clerk.records.save(violation)
        assert county.admin.grading.grade_one(unit, as_of=PROPOSED).grade == "D"
        created = county.clerk.lists.propose(today=PROPOSED)
        assert [e.person_name for e in created] == [""]
    finally:
        county.admin.close()
