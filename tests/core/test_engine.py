"""The grading engine: the worked examples, every criterion of the three profiles, reasons,
next change and the way back (信用提升提示), facts from the database, determinism.

Helpers at the top (``case_facts``, ``unit``, ``grade``, the record makers) are shared
with test_engine_boundaries.py and test_engine_properties.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from safecredit_desktop.core import model
from safecredit_desktop.core.model import (
    VIOLATION_KIND_BY_CODE,
    VIOLATION_KIND_BY_NAME,
    CommitmentType,
    PenaltyDepartment,
    RepairTarget,
)
from safecredit_desktop.core.rules.engine import grade_all, grade_many, grade_unit
from safecredit_desktop.core.rules.facts import UnitFacts, build_facts, load_facts
from safecredit_desktop.core.rules.profile import Profile, load_profile
from safecredit_desktop.core.rules.result import GradeResult
from safecredit_desktop.core.validate import resolve_accident_grade

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "examples"
CASES: list[dict[str, Any]] = json.loads((EXAMPLES / "cases.json").read_text(encoding="utf-8"))
T = date(2026, 11, 21)


@cache
def profile(name: str) -> Profile:
    return load_profile(name)


# ---------------------------------------------------------------- helpers


def _day(value: object) -> date | None:
    if value is None or value == "":
        return None
    return date.fromisoformat(str(value))


def _req_day(value: object) -> date:
    found = _day(value)
    assert found is not None
    return found


def case_records(case: Mapping[str, Any]) -> tuple[model.Unit, list[Any]]:
    """A worked example's workbook rows (cases.json) as model records."""
    u = case["unit"]
    level = u.get("标准化等级") or "无"
    unit = model.Unit(
        uscc=u["统一社会信用代码"],
        name=u["单位名称"],
        category=u["行业类别"],
        town=u.get("所在乡镇") or "",
        main_person=u.get("主要负责人") or "",
        std_level=level,
        std_awarded_on=_day(u.get("标准化评定日期")),
        std_valid_until=_day(u.get("标准化有效期至")),
        high_risk=u.get("高危行业") == "是",
        status=u.get("经营状态") or "正常",
        id=1,
    )
    records: list[Any] = []
    sheets: Mapping[str, list[Mapping[str, Any]]] = case.get("sheets", {})
    next_id = 1
    for row in sheets.get("承诺书", []):
        records.append(
            model.Commitment(
                unit_id=1,
                type=row["承诺类型"],
                signed_on=_req_day(row["签署日期"]),
                signer=row.get("签署人") or "",
                withdrawn_on=_day(row.get("撤回日期")),
            )
        )
    for row in sheets.get("失信行为", []):
        kind = row["行为类型"]
        code = kind if kind in VIOLATION_KIND_BY_CODE else VIOLATION_KIND_BY_NAME[kind].code
        records.append(
            model.Violation(
                unit_id=1,
                kind=code,
                occurred_on=_req_day(row["发生日期"]),
                subject=row.get("责任主体") or "单位",
                person_name=row.get("责任人姓名") or "",
                basis_doc=row.get("认定文书") or "",
                id=next_id,
            )
        )
        next_id += 1
    for row in sheets.get("生产安全事故", []):
        deaths = int(row.get("死亡人数") or 0)
        injuries = int(row.get("重伤人数") or 0)
        loss = float(row.get("直接经济损失(万元)") or 0)
        grade, review = resolve_accident_grade(row.get("事故等级"), deaths, injuries, loss)
        records.append(
            model.Accident(
                unit_id=1,
                occurred_on=_req_day(row["事故日期"]),
                grade=grade.value,
                responsible=row["责任事故"],
                accident_no=row.get("事故编号") or "",
                deaths=deaths,
                serious_injuries=injuries,
                loss_wan=loss,
                needs_review=review,
                id=next_id,
            )
        )
        next_id += 1
    for row in sheets.get("行政处罚", []):
        records.append(
            model.Penalty(
                unit_id=1,
                doc_no=row["决定书文号"],
                decided_on=_req_day(row["决定日期"]),
                department=row["处罚部门"],
                reason=row.get("处罚事由") or "",
                fine_yuan=float(row.get("罚款金额(元)") or 0),
                published_on=_day(row.get("公示日期")),
                id=next_id,
            )
        )
        next_id += 1
    for row in sheets.get("表彰", []):
        records.append(
            model.Honour(
                unit_id=1,
                honoured_on=_req_day(row["表彰日期"]),
                level=row["表彰级别"],
                type=row["表彰类型"],
                title=row.get("名称") or "",
            )
        )
    for row in sheets.get("联合惩戒", []):
        records.append(
            model.JointPunishment(
                unit_id=1,
                department=row["认定部门"],
                starts_on=_req_day(row["开始日期"]),
                ends_on=_day(row.get("结束日期")),
            )
        )
    return unit, records


def case_facts(case: Mapping[str, Any]) -> UnitFacts:
    unit_, records = case_records(case)
    return build_facts(unit_, records)


def unit(
    *,
    std: str = "无",
    valid: date | None = None,
    awarded: date | None = None,
    category: str = "危险化学品",
    uscc: str = "91433123MA4L000001",
) -> model.Unit:
    return model.Unit(
        uscc=uscc,
        name="测试有限公司",
        category=category,
        town="沱江镇",
        std_level=std,
        std_awarded_on=awarded,
        std_valid_until=valid,
        id=1,
    )


def commitment(
    signed: date = date(2020, 1, 1),
    withdrawn: date | None = None,
    kind: str = CommitmentType.UNIT.value,
) -> model.Commitment:
    return model.Commitment(unit_id=1, type=kind, signed_on=signed, withdrawn_on=withdrawn)


def accident(
    day: date,
    *,
    deaths: int = 0,
    injuries: int = 0,
    loss: float = 0.0,
    grade: str = "",
    responsible: str = "是",
    rid: int = 100,
    review: bool = False,
    number: str = "",
) -> model.Accident:
    return model.Accident(
        unit_id=1,
        occurred_on=day,
        grade=grade,
        responsible=responsible,
        accident_no=number,
        deaths=deaths,
        serious_injuries=injuries,
        loss_wan=loss,
        needs_review=review,
        id=rid,
    )


def violation(
    day: date, kind: str = "hazard_unreported", subject: str = "单位", *, rid: int = 200
) -> model.Violation:
    return model.Violation(unit_id=1, kind=kind, occurred_on=day, subject=subject, id=rid)


def penalty(
    day: date,
    doc_no: str = "凤应急罚〔2025〕3号",
    department: str = PenaltyDepartment.EMERGENCY.value,
    *,
    rid: int = 300,
) -> model.Penalty:
    return model.Penalty(unit_id=1, doc_no=doc_no, decided_on=day, department=department, id=rid)


def honour(day: date, level: str = "市级", kind: str = "先进单位") -> model.Honour:
    return model.Honour(unit_id=1, honoured_on=day, level=level, type=kind, title="安全生产表彰")


def joint(start: date, end: date | None = None) -> model.JointPunishment:
    return model.JointPunishment(unit_id=1, department="县市场监管局", starts_on=start, ends_on=end)


def repair(target: Any, approved: date) -> model.Repair:
    if isinstance(target, model.Penalty):
        return model.Repair(1, RepairTarget.PENALTY.value, approved, penalty_id=target.id)
    if isinstance(target, model.Violation):
        return model.Repair(1, RepairTarget.VIOLATION.value, approved, violation_id=target.id)
    return model.Repair(1, RepairTarget.ACCIDENT.value, approved, accident_id=target.id)


def grade(
    name: str, u: model.Unit, records: Iterable[Any] = (), as_of: date = T
) -> GradeResult:
    return grade_unit(profile(name), build_facts(u, list(records)), as_of)


def letter(name: str, u: model.Unit, records: Iterable[Any] = (), as_of: date = T) -> str:
    return grade(name, u, records, as_of).grade


def codes(result: GradeResult) -> list[str]:
    return [r.code for r in result.reasons]


GOOD_STD = date(2030, 12, 31)
CLEAN_A = {  # a unit at each profile's best grade with no records but the positive ones
    "fenghuang": (unit(std="二级", valid=GOOD_STD), [commitment()]),
    "kundulun": (unit(std="三级", valid=GOOD_STD, category="煤矿"), [commitment()]),
    "suizhou": (
        unit(std="二级", valid=GOOD_STD),
        [
            honour(date(2025, 6, 1)),
            honour(date(2026, 6, 1)),
            honour(date(2026, 7, 1), "省级", "典型宣传"),
        ],
    ),
}


def clean(name: str) -> tuple[model.Unit, list[Any]]:
    u, records = CLEAN_A[name]
    return u, list(records)


# ---------------------------------------------------------------- the worked examples


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_every_worked_example_gets_its_expected_grade(case: dict[str, Any]) -> None:
    result = grade_unit(profile(case["profile"]), case_facts(case), _req_day(case["as_of"]))
    assert result.grade == case["expected"], (case["why"], result.reasons)
    assert result.label == profile(case["profile"]).label(case["expected"])
    assert result.reasons, "every grade is explained"


def test_worked_examples_reasons() -> None:
    by_id = {c["id"]: c for c in CASES}

    def run(case_id: str) -> GradeResult:
        case = by_id[case_id]
        return grade_unit(profile(case["profile"]), case_facts(case), _req_day(case["as_of"]))

    f3 = run("EX-F3")
    assert [(r.code, r.records) for r in f3.reasons] == [
        (
            "D.serious_violation_12m",
            ("失信 2026-09-20 被责令停产停业整顿仍从事生产经营（单位）",),
        )
    ]
    f2 = run("EX-F2")
    assert codes(f2) == ["B.no_violation_12m"]
    assert f2.reasons[0].text == "生产经营单位及其主要负责人1年内有安全生产失信行为"
    k1 = run("EX-K1")
    assert [(r.code, r.records) for r in k1.reasons] == [("C.no_standardization", ("标准化 无",))]
    k3 = run("EX-K3")
    assert k3.reasons[0].records == ("事故 2026-05-05 较大 直接经济损失1500万元",)
    assert k3.tier == "自治区级"
    s3 = run("EX-S3")
    assert codes(s3) == ["D.two_larger_accidents_36m"]
    assert s3.reasons[0].records == ("事故 2026-01-10 较大 死亡3人", "事故 2026-06-10 较大 死亡4人")
    s4 = run("EX-S4")
    assert codes(s4) == ["B.fallback"]
    s1 = run("EX-S1")
    assert s1.improve == ()
    assert "A.advanced_unit_2y" in codes(s1)
