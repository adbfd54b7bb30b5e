"""Objections (异议, issue 8): filed → accepted (answer due in the profile's working days)
or refused with a reason → answered by an investigator who did not record the disputed
record (001 第十二条, found from the audit log); the outcome is applied to the record
(删除, 更正, 保留) and the next grade follows it. An open objection marks its record
“（异议中）” on the grade notice; the reply document needs the answer."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.errors import SafeCreditError, StorageError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.validate import uscc_check_character

BUREAU = "测试县应急管理局"
T = date(2026, 6, 1)  # filed, accepted and graded on this Monday
ANSWERED = date(2026, 6, 10)


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
    def recorder(self) -> core.Session:
        """Records the disputed records; a 审核员, so only the recorder rule stops them."""
        return self.as_user("审核员甲", Role.REVIEWER)

    @property
    def investigator(self) -> core.Session:
        return self.as_user("审核员乙", Role.REVIEWER)

    @property
    def clerk(self) -> core.Session:
        return self.as_user("录入员丙", Role.CLERK)


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


def good_unit(session: core.Session, n: int = 1) -> int:
    """A fenghuang unit that is A unless a record says otherwise."""
    unit = session.records.save(
        model.Unit(code(n), f"丙{n}化工有限公司", "危险化学品", std_level="二级")
    )
    session.records.save(model.Commitment(unit, "单位承诺", date(2025, 1, 5)))
    return unit


def grade(county: County, unit: int, day: date = T) -> str:
    return str(county.admin.grading.grade_one(unit, as_of=day).grade)


def pdf_text(pdf: bytes, tmp: Path) -> str:
    path = tmp / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    )
    return "".join(out.stdout.split())


def notice_text(county: County, unit: int, tmp: Path) -> str:
    request = core.DocumentRequest("grade-notice", unit_ids=(unit,), as_of=T)
    return pdf_text(county.admin.documents.preview(request, today=T), tmp)


# -- the whole path with 删除 ---------------------------------------------------------------------


def test_objection_upheld_by_deletion_changes_the_grade(county: County, tmp_path: Path) -> None:
    unit = good_unit(county.recorder)
    violation = county.recorder.records.save(
        model.Violation(unit, "operate_while_suspended", date(2026, 3, 1))
    )
    assert grade(county, unit) == "D"

    filed = county.clerk.objections.file(
        table="violations",
        record_id=violation,
        content="当日已停产，系误记",
        evidence="停产记录",
        filed_on=T,
    )
    assert (filed.status, filed.unit_id, filed.filed_by) == ("待受理", unit, "录入员丙")
    assert filed.target_text == "失信 2026-03-01 被责令停产停业整顿仍从事生产经营（单位）"
    assert filed.target_kind == "失信行为" and filed.open
    with pytest.raises(SafeCreditError, match=f"已有未办结的异议（第 {filed.id} 号）"):
        county.clerk.objections.file(
            table="violations", record_id=violation, content="再次异议", filed_on=T
        )
    assert county.admin.objections.open_targets(unit) == {
        ("violations", violation): filed.target_text
    }

    # the grade notice marks the disputed record
    text = notice_text(county, unit, tmp_path)
    assert "被责令停产停业整顿仍从事生产经营（单位）（异议中）" in text

    # the reply waits for the answer
    reply = core.DocumentRequest("objection-reply", objection_id=filed.id)
    with pytest.raises(SafeCreditError, match="尚未答复"):
        county.admin.documents.preview(reply, today=T)
    with pytest.raises(SafeCreditError, match="只能答复已受理的异议"):
        county.investigator.objections.answer(filed.id, findings="核实", outcome="删除", on=T)
    with pytest.raises(SafeCreditError, match="需要审核员或管理员权限"):
        county.clerk.objections.accept(filed.id, on=T)

    accepted = county.investigator.objections.accept(filed.id, on=T)
    # 20 working days after 2026-06-01, 端午节 (06-19) left out
    assert (accepted.status, accepted.accepted_on, accepted.due_on) == (
        "已受理",
        T,
        date(2026, 6, 30),
    )
    with pytest.raises(SafeCreditError, match="该异议已已受理"):
        county.investigator.objections.accept(filed.id, on=T)

    # the recorder may not investigate, whatever their role
    with pytest.raises(SafeCreditError, match="审核员甲录入或修改过被异议的记录，不能担任核查人"):
        county.recorder.objections.answer(
            filed.id, findings="核实无误", outcome="保留", on=ANSWERED
        )
    with pytest.raises(SafeCreditError, match="需要审核员或管理员权限"):
        county.clerk.objections.answer(filed.id, findings="核实", outcome="删除", on=ANSWERED)
    with pytest.raises(SafeCreditError, match="请填写核查情况"):
        county.investigator.objections.answer(filed.id, findings=" ", outcome="删除", on=ANSWERED)
    with pytest.raises(SafeCreditError, match="核查结论应为"):
        county.investigator.objections.answer(
            filed.id, findings="核实", outcome="撤销", on=ANSWERED
        )
    assert county.admin.objections.get(filed.id).status == "已受理"
    assert grade(county, unit) == "D"

    answered = county.investigator.objections.answer(
        filed.id, findings="经核查系误录", outcome="删除", on=ANSWERED
    )
    assert (answered.status, answered.outcome, answered.investigator) == (
        "已答复",
        "删除",
        "审核员乙",
    )
    assert answered.answered_on == ANSWERED and not answered.open
    with pytest.raises(StorageError):
        county.admin.records.get("violations", violation)
    remembered = county.admin.db.conn.execute(
        "SELECT deleted_by FROM deleted_records WHERE table_name = 'violations'"
    ).fetchall()
    assert remembered == [("审核员乙",)]
    # the next grade no longer sees the record
    assert grade(county, unit) == "A"
    assert county.admin.objections.open_targets() == {}
    assert "异议中" not in notice_text(county, unit, tmp_path)

    issued = county.investigator.documents.issue(reply, today=ANSWERED)
    (doc,) = issued.issued
    assert doc.doc_no == "凤应急异复〔2026〕1号" and doc.unit_id == unit
    text = pdf_text(issued.pdf, tmp_path)
    assert "经核查，系误录。" in text and "被责令停产停业整顿仍从事生产经营" in text
    assert core.check_database(county.path).problems == []


# -- the other outcomes --------------------------------------------------------------------------


def accepted_objection(county: County, table: str, record_id: int) -> int:
    filed = county.clerk.objections.file(
        table=table, record_id=record_id, content="记录有误", filed_on=T
    )
    county.investigator.objections.accept(filed.id, on=T)
    return filed.id


def test_correction_updates_the_record(county: County) -> None:
    unit = good_unit(county.recorder)
    accident = county.recorder.records.save(
        model.Accident(unit, date(2026, 2, 10), "较大", "是", deaths=3)
    )
    assert grade(county, unit) == "D"
    objection = accepted_objection(county, "accidents", accident)
    assert county.admin.objections.get(objection).target_text == "事故 2026-02-10 较大 死亡3人"
    with pytest.raises(SafeCreditError, match="请提供更正后的记录"):
        county.investigator.objections.answer(
            objection, findings="责任未定", outcome="更正", on=ANSWERED
        )
    stored = county.admin.records.get("accidents", accident)
    with pytest.raises(SafeCreditError, match="与原记录相同"):
        county.investigator.objections.answer(
            objection,
            findings="责任未定",
            outcome="更正",
            corrected=stored,
            on=ANSWERED,
        )
    corrected = replace(stored, responsible="否", note="调查认定非责任事故")
    answered = county.investigator.objections.answer(
        objection,
        findings="事故调查报告认定为非责任事故",
        outcome="更正",
        corrected=corrected,
        on=ANSWERED,
    )
    assert answered.outcome == "更正"
    assert county.admin.records.get("accidents", accident).responsible == "否"
    assert grade(county, unit) == "A"
    # the correction is audited under the investigator
    who = county.admin.db.conn.execute(
        "SELECT user FROM audit_log WHERE table_name = 'accidents' AND action = 'update'"
    ).fetchall()
    assert who == [("审核员乙",)]


def test_keeping_the_record_leaves_it(county: County) -> None:
    unit = good_unit(county.recorder)
    violation = county.recorder.records.save(
        model.Violation(unit, "accident_reported_late", date(2026, 4, 2))
    )
    objection = accepted_objection(county, "violations", violation)
    answered = county.investigator.objections.answer(
        objection, findings="迟报属实", outcome="保留", on=ANSWERED
    )
    assert answered.outcome == "保留" and answered.status == "已答复"
    assert county.admin.records.get("violations", violation).kind == ("accident_reported_late")
    assert grade(county, unit) == "D"
    # answered: a new objection on the record may be filed
    again = county.clerk.objections.file(
        table="violations", record_id=violation, content="补充证据", filed_on=ANSWERED
    )
    assert again.status == "待受理"


def test_refusal_needs_a_reason(county: County) -> None:
    unit = good_unit(county.recorder)
    penalty = county.recorder.records.save(
        model.Penalty(unit, "凤应急罚〔2026〕7号", date(2026, 3, 3), "应急管理部门"),
    )
    filed = county.clerk.objections.file(
        table="penalties", record_id=penalty, content="罚款已缴", filed_on=T
    )
    assert filed.target_text == "处罚 凤应急罚〔2026〕7号 2026-03-03"
    with pytest.raises(SafeCreditError, match="不予受理时请填写理由"):
        county.investigator.objections.refuse(filed.id, reason=" ", on=T)
    with pytest.raises(SafeCreditError, match="需要审核员或管理员权限"):
        county.clerk.objections.refuse(filed.id, reason="超过期限", on=T)
    refused = county.investigator.objections.refuse(filed.id, reason="超过提出异议的期限", on=T)
    assert (refused.status, refused.refused_reason) == ("不予受理", "超过提出异议的期限")
    assert not refused.open
    with pytest.raises(SafeCreditError, match="该异议已不予受理"):
        county.investigator.objections.accept(filed.id, on=T)
    assert county.admin.objections.all(open_only=True) == []
    assert [o.id for o in county.admin.objections.all(search="凤应急罚")] == [filed.id]


def test_filing_is_checked(county: County) -> None:
    unit = good_unit(county.recorder)
    commitment = county.admin.db.conn.execute("SELECT id FROM commitments").fetchone()[0]
    with pytest.raises(SafeCreditError, match="不能对“commitments”提出异议"):
        county.clerk.objections.file(
            table="commitments", record_id=commitment, content="x", filed_on=T
        )
    violation = county.recorder.records.save(model.Violation(unit, "other", date(2026, 4, 2)))
    with pytest.raises(SafeCreditError, match="请填写异议内容"):
        county.clerk.objections.file(
            table="violations", record_id=violation, content="  ", filed_on=T
        )
    with pytest.raises(SafeCreditError, match="记录不存在"):
        county.clerk.objections.file(table="violations", record_id=999, content="x", filed_on=T)


def test_anyone_who_changed_the_record_may_not_investigate(county: County) -> None:
    unit = good_unit(county.recorder)
    inspection = county.recorder.records.save(
        model.Inspection(unit, date(2026, 4, 2), hazards=3, major_hazards=1)
    )
    # another reviewer edits the record (same natural key)
    editor = county.as_user("审核员丁", Role.REVIEWER)
    stored = county.admin.records.get("inspections", inspection)
    editor.records.save(replace(stored, hazards=2))
    objection = accepted_objection(county, "inspections", inspection)
    for who in (county.recorder, editor):
        with pytest.raises(SafeCreditError, match="不能担任核查人"):
            who.objections.answer(objection, findings="核实", outcome="保留", on=ANSWERED)
    answered = county.investigator.objections.answer(
        objection, findings="核实", outcome="保留", on=ANSWERED
    )
    assert answered.investigator == "审核员乙"


def test_the_recorder_stays_the_recorder_after_the_date_is_corrected(county: County) -> None:
    unit = good_unit(county.recorder)
    violation = county.recorder.records.save(model.Violation(unit, "other", date(2026, 4, 2)))
    editor = county.as_user("录入员戊", Role.CLERK)
    stored = county.admin.records.get("violations", violation)
    editor.records.save(replace(stored, occurred_on=date(2026, 4, 3)))
    objection = accepted_objection(county, "violations", violation)
    with pytest.raises(SafeCreditError, match="不能担任核查人"):
        county.recorder.objections.answer(objection, findings="核实", outcome="保留", on=ANSWERED)


# -- deadlines by profile ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "due"),
    [
        ("fenghuang", date(2026, 6, 30)),  # 20 working days
        ("kundulun", date(2026, 6, 30)),  # 20 working days
        ("suizhou", date(2026, 6, 15)),  # 10 working days
    ],
)
def test_answer_due_by_profile(tmp_path: Path, profile: str, due: date) -> None:
    made = make_county(tmp_path, profile)
    try:
        unit = made.recorder.records.save(model.Unit(code(1), "某公司", "非煤矿山"))
        penalty = made.recorder.records.save(
            model.Penalty(unit, "罚〔2026〕1号", date(2026, 3, 3), "应急管理部门")
        )
        objection = accepted_objection(made, "penalties", penalty)
        found = made.admin.objections.get(objection)
        assert found.due_on == due
        days = made.admin.profile.deadlines.objection_answer_working_days
        assert made.admin.schedule.calendar().add_working_days(T, days).day == due
    finally:
        made.admin.close()


def test_a_correction_clashing_with_another_record_is_a_sentence(
    tmp_path: Path, new_db: Any
) -> None:
    """更正 onto another record's natural key (same unit, same day) is refused in words."""
    Inspection = model.Inspection
    path = new_db("clash.db")
    admin = core.init_database(
        path,
        profile="fenghuang",
        bureau_name="测试局",
        user="录入员甲",
        admin=("管理员", "pw123456"),
    )
    try:
        core.fill_demo(admin, enterprises=5, seed=2, today=date(2026, 11, 21))
        unit_id = admin.db.conn.execute("SELECT id FROM units LIMIT 1").fetchone()[0]
        first = admin.records.save(Inspection(unit_id=unit_id, inspected_on=date(2026, 3, 1)))
        admin.records.save(Inspection(unit_id=unit_id, inspected_on=date(2026, 3, 2)))
        filed = admin.objections.file(table="inspections", record_id=first, content="日期错误")
        reviewer = core.open_session(path, user="审核员乙", role=Role.REVIEWER)
        try:
            reviewer.objections.accept(filed.id)
            record = reviewer.records.get("inspections", first)
            clash = replace(record, inspected_on=date(2026, 3, 2))
            with pytest.raises(SafeCreditError, match="重复"):
                reviewer.objections.answer(
                    filed.id, findings="核实日期", outcome="更正", corrected=clash
                )
            assert reviewer.objections.get(filed.id).status == "已受理"
        finally:
            reviewer.close()
    finally:
        admin.close()
