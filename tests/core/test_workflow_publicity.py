"""不良信用记录 (seed 002's eight triggers), 双公示 (penalties and permits within 7
working days), the permits register and its workbook, commitments on file, 守信激励,
and the publication workbook of a list (issue 8)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.validate import uscc_check_character

BUREAU = "测试县应急管理局"
T = date(2026, 6, 1)
DIGITS_ONLY = 6  # code(6) is 914331230000000062: all digits, a number to a careless writer
ID_NUMBER = "433123198001011238"


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
    def reviewer(self) -> core.Session:
        return self.as_user("审核员乙", Role.REVIEWER)


def make_county(tmp_path: Path, profile: str = "fenghuang") -> County:
    path = tmp_path / f"{profile}.db"
    admin = core.init_database(
        path, profile=profile, bureau_name=BUREAU, user="管理员", admin=("管理员", "admin-pw")
    )
    return County(admin, path)


@pytest.fixture
def county(tmp_path: Path) -> Iterator[County]:
    made = make_county(tmp_path)
    yield made
    made.admin.close()


def unit(
    session: core.Session,
    n: int,
    *,
    category: str = "非煤矿山",
    std_level: str = "无",
    main_person_id: str = "",
    status: str = "正常",
) -> int:
    return session.records.save(
        model.Unit(
            code(n),
            f"第{n}有限公司",
            category,
            main_person="张三",
            main_person_id=main_person_id,
            std_level=std_level,
            status=status,
        ),
    )


def save(session: core.Session, *records: object) -> list[int]:
    return [session.records.save(r) for r in records]


def sheet_rows(path: Path) -> tuple[list[str], list[list[object]], list[object]]:
    """(headers, data rows, every cell value) of the workbook's first sheet."""
    ws = openpyxl.load_workbook(path).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] == "序号")
    headers = [str(c) for c in rows[start] if c is not None]
    data = [r for r in rows[start + 1 :] if isinstance(r[0], int)]
    cells = [c for r in rows for c in r if c is not None]
    return headers, data, cells


# -- 不良信用记录 ---------------------------------------------------------------------------------


def test_each_of_the_eight_triggers_is_flagged_from_its_data(county: County) -> None:
    s = county.clerk
    accidents, inspections, violations, clean = (unit(s, n) for n in (1, 2, 3, 4))
    save(
        s,
        # 1: a responsible fatal accident within a year; not older, not without deaths,
        # not when someone else is responsible
        model.Accident(accidents, date(2026, 2, 1), "一般", "是", deaths=1),
        model.Accident(accidents, date(2025, 5, 31), "一般", "是", deaths=1),
        model.Accident(accidents, date(2026, 3, 1), "一般", "否", deaths=1),
        model.Accident(accidents, date(2026, 4, 1), "一般", "是", serious_injuries=2),
        # 3: major hazards found; 5: rectification unfinished or late (in time is fine)
        model.Inspection(inspections, date(2026, 4, 1), hazards=3, major_hazards=2),
        model.Inspection(
            inspections, date(2026, 1, 10), hazards=1, rectify_deadline=date(2026, 2, 10)
        ),
        model.Inspection(
            inspections,
            date(2026, 3, 1),
            hazards=1,
            rectify_deadline=date(2026, 3, 20),
            rectified_on=date(2026, 3, 25),
        ),
        model.Inspection(
            inspections,
            date(2026, 4, 10),
            hazards=1,
            rectify_deadline=date(2026, 4, 20),
            rectified_on=date(2026, 4, 15),
        ),
        model.Inspection(
            inspections, date(2026, 5, 20), hazards=1, rectify_deadline=date(2026, 6, 20)
        ),
        model.Inspection(clean, date(2026, 5, 2), hazards=0),
    )
    kinds = {
        "illegal_production": 2,
        "no_permit": 2,
        "major_hazard_unrectified": 3,
        "dual_prevention_missing": 4,
        "hazard_unreported": 5,
        "refuse_directive": 6,
        "refuse_penalty_execution": 6,
        "accident_not_reported": 7,
        "accident_reported_late": 7,
        "commitment_breach": 8,
        "other": 8,
        "false_report_agency": 8,
    }
    for month, kind in enumerate(kinds, start=1):
        save(s, model.Violation(violations, kind, date(2025, month, 15)))
    save(s, model.Violation(violations, "other", date(2026, 7, 1)))  # after as_of: not yet

    found = county.admin.repairs.bad_records(as_of=T)
    assert {b.trigger for b in found} == set(range(1, 9))
    assert clean not in {b.unit_id for b in found}
    assert [b.day for b in found] == sorted((b.day for b in found), reverse=True)

    by_unit = {
        u: {(b.trigger, b.record) for b in s.repairs.bad_records(unit_id=u, as_of=T)}
        for u in (accidents, inspections)
    }
    assert by_unit[accidents] == {(1, "事故 2026-02-01 一般 死亡1人")}
    assert by_unit[inspections] == {
        (3, "检查 2026-04-01 重大隐患2处"),
        (5, "检查 2026-01-10 整改期限2026-02-10，未完成整改"),
        (5, "检查 2026-03-01 整改期限2026-03-20，2026-03-25才完成"),
    }
    flagged = s.repairs.bad_records(unit_id=violations, as_of=T)
    assert sorted((b.day.month, b.trigger) for b in flagged) == [
        (month, trigger) for month, trigger in enumerate(kinds.values(), start=1)
    ]
    (refused,) = [b for b in flagged if b.day == date(2025, 6, 15)]
    assert refused.record == "失信 2025-06-15 拒不执行安全监管监察指令或逾期不履行处罚（单位）"
    assert refused.trigger_text == "拒不执行安全监管监察指令，或逾期不履行处罚"
    # the fatal accident leaves the list a year later
    assert s.repairs.bad_records(unit_id=accidents, as_of=date(2027, 2, 1)) == []


def test_a_repaired_record_is_no_longer_flagged(county: County) -> None:
    s = county.clerk
    u = unit(s, 1)
    violation, accident = save(
        s,
        model.Violation(u, "refuse_directive", date(2025, 3, 1)),
        model.Accident(u, date(2026, 1, 10), "一般", "是", deaths=1),
    )

    def triggers(day: date) -> set[int]:
        return {b.trigger for b in s.repairs.bad_records(unit_id=u, as_of=day)}

    assert triggers(T) == {1, 6}
    save(s, model.Repair(u, "失信行为", date(2026, 3, 1), violation_id=violation))
    # grading.md Revision 2 item 1: an accident is never repaired
    with pytest.raises(SafeCreditError, match="生产安全事故不能信用修复"):
        save(s, model.Repair(u, "生产安全事故", date(2026, 5, 1), accident_id=accident))
    # the repair counts from its approval date; the accident stays a bad record for a year
    assert triggers(date(2026, 2, 28)) == {1, 6}
    assert triggers(date(2026, 3, 1)) == {1}
    assert triggers(date(2026, 5, 1)) == {1}
    assert triggers(date(2027, 1, 9)) == {1}
    assert triggers(date(2027, 1, 10)) == set()
    assert county.admin.repairs.bad_records(as_of=date(2027, 1, 10)) == []


# -- 双公示 ---------------------------------------------------------------------------------------

DECIDED = date(2026, 9, 28)  # Monday before the National Day holiday
# 7 working days after: 9-29, 9-30, (10-1…10-7 国庆), 10-8, 10-9, 10-10 (调休 Saturday), 10-12,
# 10-13.
DUE = date(2026, 10, 13)


def test_penalties_are_due_on_the_seventh_working_day(county: County) -> None:
    s = county.clerk
    u = unit(s, DIGITS_ONLY)
    on_time, late, unpublished, _ = save(
        s,
        model.Penalty(u, "凤应急罚〔2026〕11号", DECIDED, "应急管理部门", reason="未整改"),
        model.Penalty(u, "凤应急罚〔2026〕12号", DECIDED, "应急管理部门", reason="未培训"),
        model.Penalty(u, "凤应急罚〔2026〕13号", DECIDED, "应急管理部门", reason="未备案"),
        model.Penalty(u, "凤市监罚〔2026〕1号", DECIDED, "其他部门"),  # not ours to publish
    )
    items = {i.id: i for i in county.admin.publicity.items()}
    assert set(items) == {on_time, late, unpublished}
    assert all(i.kind == "行政处罚" and i.due_on == DUE for i in items.values())
    calendar = county.admin.schedule.calendar()
    assert calendar.add_working_days(DECIDED, 7).day == DUE
    item = items[unpublished]
    assert (item.status(DUE), item.status(date(2026, 10, 14))) == ("待公示", "逾期未公示")

    with pytest.raises(SafeCreditError, match="公示日期不能早于处罚决定日期"):
        s.publicity.mark_published("行政处罚", on_time, on=date(2026, 9, 27))
    with pytest.raises(SafeCreditError, match="类别应为行政处罚或行政许可"):
        s.publicity.mark_published("行政强制", on_time, on=DUE)
    s.publicity.mark_published("行政处罚", on_time, on=DUE)
    s.publicity.mark_published("行政处罚", late, on=date(2026, 10, 14))
    items = {i.id: i for i in county.admin.publicity.items()}
    as_of = date(2026, 10, 20)
    assert items[on_time].status(as_of) == "已公示"
    assert items[late].status(as_of) == "逾期公示"
    assert items[unpublished].status(as_of) == "逾期未公示"
    assert county.admin.records.get("penalties", on_time).published_on == DUE


def test_permits_register_and_the_publicity_workbook(county: County, tmp_path: Path) -> None:
    s = county.clerk
    u = unit(s, DIGITS_ONLY)
    (penalty,) = save(s, model.Penalty(u, "凤应急罚〔2026〕11号", DECIDED, "应急管理部门"))
    permit = s.publicity.add_permit(
        unit_id=u,
        permit_no="（湘）FM安许证字〔2026〕001",
        kind="安全生产许可",
        decided_on=DECIDED,
    )
    with pytest.raises(SafeCreditError, match="已登记"):
        s.publicity.add_permit(
            unit_id=u, permit_no=" （湘）FM安许证字〔2026〕001 ", kind="其他", decided_on=DECIDED
        )
    with pytest.raises(SafeCreditError, match="请填写许可证号和许可类别"):
        s.publicity.add_permit(unit_id=u, permit_no=" ", kind="安全生产许可", decided_on=DECIDED)
    (registered,) = county.admin.publicity.permits()
    assert (registered.id, registered.uscc, registered.published_on) == (permit, code(6), None)

    with pytest.raises(SafeCreditError, match="不能早于许可决定日期"):
        s.publicity.mark_published("行政许可", permit, on=date(2026, 9, 1))
    s.publicity.mark_published("行政许可", permit, on=date(2026, 10, 9))
    assert county.admin.publicity.permits()[0].published_on == date(2026, 10, 9)
    logged = county.admin.db.conn.execute(
        "SELECT action, user FROM audit_log WHERE table_name = 'permits' ORDER BY id"
    ).fetchall()
    assert logged == [("insert", "录入员丙"), ("update", "录入员丙")]

    kinds = {(i.kind, i.id): i for i in county.admin.publicity.items()}
    assert set(kinds) == {("行政处罚", penalty), ("行政许可", permit)}
    assert kinds[("行政许可", permit)].due_on == DUE

    out = county.admin.publicity.export(tmp_path / "双公示.xlsx", today=date(2026, 10, 20))
    headers, data, _ = sheet_rows(out)
    assert headers == [
        "序号",
        "类别",
        "决定书文号或许可证号",
        "统一社会信用代码",
        "单位名称",
        "事由或许可类别",
        "决定日期",
        "应公示日期",
        "公示日期",
        "状态",
    ]
    assert len(data) == 2
    by_kind = {r[1]: r for r in data}
    assert by_kind["行政许可"][2:] == [
        "（湘）FM安许证字〔2026〕001",
        code(6),
        "第6有限公司",
        "安全生产许可",
        "2026-09-28",
        "2026-10-13",
        "2026-10-09",
        "已公示",
    ]
    assert by_kind["行政处罚"][-1] == "逾期未公示"
    # the code column holds text, never a number
    ws = openpyxl.load_workbook(out).worksheets[0]
    codes = [c for row in ws.iter_rows() for c in row if c.value == code(6)]
    assert len(codes) == 2 and all(c.data_type == "s" for c in codes)
    assert all(isinstance(r[3], str) for r in data)


# -- commitments ----------------------------------------------------------------------------------


def test_commitment_gaps_close_when_the_letters_come_back(county: County) -> None:
    s = county.clerk
    lacking, withdrawn = unit(s, 1), unit(s, 2)
    unit(s, 3, status="关闭")  # closed units are not asked
    save(
        s,
        model.Commitment(withdrawn, "单位承诺", date(2025, 1, 5), withdrawn_on=date(2026, 5, 15)),
        model.Commitment(withdrawn, "主要负责人履职尽责承诺", date(2025, 1, 5)),
    )
    gaps = {g.unit_id: g for g in county.admin.publicity.commitment_gaps(as_of=T)}
    assert set(gaps) == {lacking, withdrawn}
    assert (gaps[lacking].lacks_unit, gaps[lacking].lacks_duty) == (True, True)
    assert (gaps[withdrawn].lacks_unit, gaps[withdrawn].lacks_duty) == (True, False)
    assert gaps[lacking].main_person == "张三" and gaps[lacking].uscc == code(1)
    # before the withdrawal it counted
    earlier = county.admin.publicity.commitment_gaps(as_of=date(2026, 5, 10))
    assert [g.unit_id for g in earlier] == [lacking]

    s.publicity.record_commitment_signed(
        unit_id=lacking, kind="单位承诺", signed_on=date(2026, 5, 20), signer="张三"
    )
    (gap,) = [g for g in county.admin.publicity.commitment_gaps(as_of=T) if g.unit_id == lacking]
    assert (gap.lacks_unit, gap.lacks_duty) == (False, True)
    s.publicity.record_commitment_signed(
        unit_id=lacking, kind="主要负责人履职尽责承诺", signed_on=date(2026, 5, 20)
    )
    assert [g.unit_id for g in county.admin.publicity.commitment_gaps(as_of=T)] == [withdrawn]
    # a letter signed after the date does not count yet
    assert lacking in {
        g.unit_id for g in county.admin.publicity.commitment_gaps(as_of=date(2026, 5, 19))
    }


def test_breached_commitment_is_the_newest_before_the_breach(county: County) -> None:
    s = county.clerk
    u, bare = unit(s, 1), unit(s, 2)
    breach, other, bare_breach = save(
        s,
        model.Violation(u, "commitment_breach", date(2026, 5, 1)),
        model.Violation(u, "other", date(2026, 5, 1)),
        model.Violation(bare, "commitment_breach", date(2026, 5, 1)),
        model.Commitment(u, "单位承诺", date(2024, 1, 5), signer="王五"),
        model.Commitment(u, "单位承诺", date(2025, 1, 5), signer="李四"),
        model.Commitment(u, "单位承诺", date(2026, 5, 10), signer="赵六"),  # after the breach
        model.Commitment(u, "主要负责人履职尽责承诺", date(2026, 4, 1)),
    )[:3]
    assert county.admin.publicity.breached_commitment(breach) == "单位承诺 2025-01-05（李四签署）"
    assert county.admin.publicity.breached_commitment(other) is None
    assert county.admin.publicity.breached_commitment(bare_breach) is None


# -- 守信激励 -------------------------------------------------------------------------------------


def test_incentives_for_an_a_unit_only(county: County) -> None:
    s = county.clerk
    good, plain = unit(s, 1, std_level="一级"), unit(s, 2)
    save(s, model.Commitment(good, "单位承诺", date(2025, 1, 5)))
    assert county.admin.grading.grade_one(good, as_of=T).grade == "A"
    assert county.admin.grading.grade_one(plain, as_of=T).grade == "C"
    incentives = county.admin.lists.incentives(good, as_of=T)
    assert incentives and incentives[0].startswith("信用等级为A级")
    assert any("减少检查频次" in line for line in incentives)
    assert county.admin.lists.incentives(plain, as_of=T) == []


# -- the publication workbook of a list ---------------------------------------------------------


def publish(county: County, entry_id: int, *, day: date = date(2026, 6, 25)) -> None:
    entry = county.admin.lists.entry(entry_id)
    if entry.list_kind != "红名单":
        county.clerk.lists.notify(entry_id, served_on=T)
    county.reviewer.lists.review(entry_id, approve=True, today=date(2026, 6, 24))
    county.reviewer.lists.publish(entry_id, published_on=day)


def test_publication_leaves_out_what_is_not_public(tmp_path: Path) -> None:
    county = make_county(tmp_path, "suizhou")
    try:
        s = county.clerk
        listed = unit(s, 1, main_person_id=ID_NUMBER)
        pending, refused, removed = unit(s, 2), unit(s, 3), unit(s, 4)
        save(
            s,
            model.Violation(
                listed, "no_permit", date(2026, 3, 2), subject="主要负责人", person_name="张三"
            ),
        )
        created = s.lists.propose(today=T)
        assert len(created) == 2
        s.lists.notify(created[0].id, served_on=T)
        s.lists.record_statement(created[0].id, "申辩：无证系历史遗留")
        county.reviewer.lists.review(created[0].id, approve=True, note="内部意见甲", today=T)
        county.reviewer.lists.publish(created[0].id, published_on=T)
        publish(county, created[1].id)

        def by_hand(u: int) -> int:
            return s.lists.add(
                unit_id=u,
                list_kind="严重失信主体名单",
                facts="拒不执行",
                basis="方案",
                today=T,
            ).id

        by_hand(pending)  # 采集 only
        s.lists.notify(by_hand(refused), served_on=T)
        gone = by_hand(removed)
        publish(county, gone)
        county.reviewer.lists.remove(gone, reason="撤销处罚", on=date(2026, 7, 1))

        out = county.admin.lists.export_publication(
            tmp_path / "名单.xlsx",
            list_kind="严重失信主体名单",
            today=date(2026, 7, 2),
        )
        headers, data, cells = sheet_rows(out)
        assert headers == [
            "序号",
            "统一社会信用代码",
            "单位名称",
            "列入对象",
            "列入事实",
            "公布日期",
            "期满日期",
        ]
        assert sorted(str(r[3]) for r in data) == ["单位", "张三（主要负责人）"]
        assert {r[1] for r in data} == {code(1)}
        assert {r[6] for r in data} == {"2029-06-01", "2029-06-25"}
        text = "\n".join(str(c) for c in cells)
        for secret in (ID_NUMBER, "内部意见甲", "申辩", "审核员乙", "录入员丙"):
            assert secret not in text
        for other in (pending, refused, removed):
            assert f"第{other}有限公司" not in text
        assert "只作内部管理使用" not in text

        with pytest.raises(SafeCreditError, match="没有“黑名单”"):
            county.admin.lists.export_publication(tmp_path / "x.xlsx", list_kind="黑名单")
        red = county.admin.lists.export_publication(
            tmp_path / "红.xlsx", list_kind="红名单", today=T
        )
        assert sheet_rows(red)[1] == []
    finally:
        county.admin.close()


def test_kundulun_publication_says_it_is_internal(tmp_path: Path) -> None:
    county = make_county(tmp_path, "kundulun")
    try:
        s = county.clerk
        u = unit(s, 1, main_person_id=ID_NUMBER)
        save(s, model.Accident(u, date(2026, 3, 2), "较大", "是", deaths=3))
        (entry,) = s.lists.propose(today=T)
        # grading.md Revision 2 item 7: kundulun's lists are internal, never published; the
        # list export holds the entries reviewed into the list
        with pytest.raises(SafeCreditError, match="只作内部管理使用，不对外公布"):
            publish(county, entry.id)
        assert county.admin.lists.entry(entry.id).stage == "内部管理"
        out = county.admin.lists.export_publication(
            tmp_path / "黑名单.xlsx", list_kind="黑名单", today=date(2026, 7, 1)
        )
        _, data, cells = sheet_rows(out)
        assert [r[2] for r in data] == ["第1有限公司"]
        assert "只作内部管理使用，不对外公布" in cells
        assert ID_NUMBER not in "\n".join(str(c) for c in cells)
        ws = openpyxl.load_workbook(out).worksheets[0]
        assert "只作内部管理使用" in (ws.oddHeader.center.text or "")
    finally:
        county.admin.close()


def test_edits_of_a_published_penalty_keep_its_publication(county: County) -> None:
    s = county.clerk
    u = unit(s, 1)
    (penalty,) = save(s, model.Penalty(u, "凤应急罚〔2026〕11号", DECIDED, "应急管理部门"))
    s.publicity.mark_published("行政处罚", penalty, on=DUE)
    stored = county.admin.records.get("penalties", penalty)
    s.records.save(replace(stored, reason="补录事由"))
    (item,) = county.admin.publicity.items()
    assert (item.published_on, item.title, item.status(DUE)) == (DUE, "补录事由", "已公示")
