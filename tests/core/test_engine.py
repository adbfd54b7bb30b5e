"""The grading engine: the worked examples, every criterion of the three profiles, reasons,
next change and the way back (信用提升提示), facts from the database, determinism.

Helpers at the top (``case_facts``, ``unit``, ``grade``, the record makers) are shared
with test_engine_boundaries.py and test_engine_properties.py.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from safecredit_desktop.core import model
from safecredit_desktop.core.grade_facts import grade_all, load_facts
from safecredit_desktop.core.model import (
    VIOLATION_KIND_BY_CODE,
    VIOLATION_KIND_BY_NAME,
    CommitmentType,
    PenaltyDepartment,
    RepairTarget,
)
from safecredit_desktop.core.rules.engine import grade_many, grade_unit
from safecredit_desktop.core.rules.facts import UnitFacts, add_records, build_facts
from safecredit_desktop.core.rules.profile import Profile, load_profile
from safecredit_desktop.core.rules.result import GradeResult, NextChange
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


def grade(name: str, u: model.Unit, records: Iterable[Any] = (), as_of: date = T) -> GradeResult:
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


# ---------------------------------------------------------------- every criterion
# Each case starts from a unit at its profile's best grade (CLEAN_A) and adds what the
# criterion is about; the expected grade and the deciding reason code follow.

D1 = date(2026, 9, 1)  # within 12 months of T
Y2 = date(2025, 3, 1)  # 12-24 months before T
Y4 = date(2022, 12, 1)  # 36-48 months before T

CRITERIA: list[tuple[str, str, list[Any], dict[str, Any], str, str | None]] = [
    # (profile, id, added records, unit changes, expected grade, reason code)
    # -- fenghuang D
    (
        "fenghuang",
        "larger-accident",
        [accident(D1, deaths=3)],
        {},
        "D",
        "D.major_accident_since_last_year",
    ),
    (
        "fenghuang",
        "larger-accident-last-year",
        [accident(date(2025, 1, 1), deaths=3)],
        {},
        "D",
        "D.major_accident_since_last_year",
    ),
    ("fenghuang", "larger-accident-2y", [accident(date(2024, 12, 31), deaths=3)], {}, "B", None),
    (
        "fenghuang",
        "two-fatal",
        [accident(D1, deaths=1, rid=1), accident(date(2026, 1, 5), deaths=2, rid=2)],
        {},
        "D",
        "D.two_fatal_accidents_12m",
    ),
    ("fenghuang", "one-fatal", [accident(D1, deaths=1)], {}, "C", "B.no_fatal_accident_12m"),
    (
        "fenghuang",
        "serious-main-person",
        [violation(D1, "evade_supervision", "主要负责人")],
        {},
        "D",
        "D.serious_violation_12m",
    ),
    (
        "fenghuang",
        "serious-safety-person",
        [violation(D1, "facilities_not_accepted", "分管安全负责人")],
        {},
        "D",
        "D.serious_violation_12m",
    ),
    (
        "fenghuang",
        "serious-not-listed",
        [violation(D1, "overstep_mining")],
        {},
        "C",
        "B.no_violation_12m",
    ),
    # -- fenghuang A / B
    ("fenghuang", "no-commitment", [], {"commit": False}, "C", "B.commitment"),
    (
        "fenghuang",
        "duty-commitment-only",
        [commitment(kind=CommitmentType.MAIN_PERSON_DUTY.value)],
        {"commit": False},
        "C",
        "B.commitment",
    ),
    ("fenghuang", "violation-2y", [violation(Y2)], {}, "B", "B.no_violation_12m"),
    (
        "fenghuang",
        "violation-main-person-12m",
        [violation(D1, subject="主要负责人")],
        {},
        "C",
        "B.no_violation_12m",
    ),
    (
        "fenghuang",
        "violation-safety-person",
        [violation(D1, subject="分管安全负责人")],
        {},
        "A",
        "A.no_violation_36m",
    ),
    ("fenghuang", "fatal-2y", [accident(Y2, deaths=1)], {}, "B", "B.no_fatal_accident_12m"),
    ("fenghuang", "fatal-4y", [accident(Y4, deaths=1)], {}, "A", "A.no_fatal_accident_36m"),
    ("fenghuang", "std-3", [], {"std": "三级"}, "B", "B.standardization"),
    ("fenghuang", "std-none", [], {"std": "无"}, "C", "B.standardization"),
    ("fenghuang", "joint", [joint(date(2026, 1, 1))], {}, "C", "B.no_joint_punishment"),
    (
        "fenghuang",
        "joint-ended",
        [joint(date(2025, 1, 1), date(2026, 1, 1))],
        {},
        "A",
        "A.no_joint_punishment",
    ),
    ("fenghuang", "penalty-ignored", [penalty(D1)], {}, "A", "A.commitment"),
    # -- kundulun D
    (
        "kundulun",
        "larger-accident-12m",
        [accident(D1, injuries=10)],
        {},
        "D",
        "D.major_accident_12m",
    ),
    ("kundulun", "larger-accident-13m", [accident(date(2025, 10, 20), injuries=10)], {}, "A", None),
    (
        "kundulun",
        "two-fatal",
        [accident(D1, deaths=1, rid=1), accident(date(2026, 2, 1), deaths=1, rid=2)],
        {},
        "D",
        "D.two_fatal_accidents_12m",
    ),
    (
        "kundulun",
        "overstep",
        [violation(D1, "overstep_mining")],
        {},
        "D",
        "D.serious_violation_12m",
    ),
    (
        "kundulun",
        "false-report",
        [violation(D1, "false_report_agency", "主要负责人")],
        {},
        "D",
        "D.serious_violation_12m",
    ),
    # -- kundulun C
    (
        "kundulun",
        "violation-safety-person",
        [violation(D1, subject="分管安全负责人")],
        {},
        "C",
        "C.violation_12m",
    ),
    ("kundulun", "emergency-penalty", [penalty(D1)], {}, "C", "C.emergency_penalty_12m"),
    (
        "kundulun",
        "other-penalty",
        [penalty(D1, department="其他部门")],
        {},
        "A",
        "A.no_emergency_penalty_36m",
    ),
    ("kundulun", "fatal", [accident(D1, deaths=1)], {}, "C", "C.fatal_accident_12m"),
    ("kundulun", "no-std", [], {"std": "无"}, "C", "C.no_standardization"),
    ("kundulun", "joint", [joint(date(2026, 1, 1))], {}, "C", "C.joint_punishment"),
    # -- kundulun A / B
    ("kundulun", "penalty-2y", [penalty(Y2)], {}, "B", "B.commitment"),
    (
        "kundulun",
        "violation-2y",
        [violation(Y2, subject="分管安全负责人")],
        {},
        "B",
        "B.commitment",
    ),
    ("kundulun", "fatal-2y", [accident(Y2, deaths=1)], {}, "B", "B.commitment"),
    ("kundulun", "non-fatal-12m", [accident(D1, injuries=2)], {}, "A", "A.commitment"),
    ("kundulun", "no-commitment", [], {"commit": False}, "C", "B.commitment"),
    # -- suizhou D
    (
        "suizhou",
        "major-30m",
        [accident(date(2024, 5, 1), deaths=10)],
        {},
        "D",
        "D.major_accident_36m",
    ),
    ("suizhou", "major-37m", [accident(date(2023, 10, 1), deaths=10)], {}, "A", None),
    (
        "suizhou",
        "larger-pair",
        [accident(date(2024, 3, 1), deaths=3, rid=1), accident(date(2025, 2, 27), deaths=3, rid=2)],
        {},
        "D",
        "D.two_larger_accidents_36m",
    ),
    (
        "suizhou",
        "larger-not-pair",
        [accident(date(2024, 3, 1), deaths=3, rid=1), accident(date(2025, 3, 2), deaths=3, rid=2)],
        {},
        "B",
        None,
    ),
    (
        "suizhou",
        "aggravated-fine",
        [violation(date(2024, 1, 1), "aggravated_fine")],
        {},
        "D",
        "D.serious_violation_36m",
    ),
    (
        "suizhou",
        "refuse-execution",
        [violation(D1, "refuse_penalty_execution", "主要负责人")],
        {},
        "D",
        "D.serious_violation_36m",
    ),
    ("suizhou", "reported-late", [violation(D1, "accident_reported_late")], {}, "B", None),
    # -- suizhou C
    (
        "suizhou",
        "penalty-other-dept",
        [penalty(date(2024, 1, 1), department="其他部门")],
        {},
        "C",
        "C.penalty_36m",
    ),
    # -- suizhou A
    ("suizhou", "fatal-20m", [accident(date(2025, 4, 1), deaths=1)], {}, "B", None),
    (
        "suizhou",
        "fatal-25m",
        [accident(date(2024, 10, 1), deaths=1)],
        {},
        "A",
        "A.no_fatal_accident_24m",
    ),
    ("suizhou", "penalty-4y", [penalty(Y4)], {}, "B", None),
    ("suizhou", "std-3", [], {"std": "三级"}, "B", None),
    ("suizhou", "violation-2y", [violation(Y2, subject="分管安全负责人")], {}, "B", None),
    ("suizhou", "joint", [joint(date(2026, 1, 1))], {}, "B", None),
]


def _unit_for(name: str, changes: Mapping[str, Any], records: list[Any]) -> tuple[Any, list[Any]]:
    u, base = clean(name)
    if "std" in changes:
        u = unit(std=changes["std"], valid=GOOD_STD, category=u.category)
    if changes.get("commit") is False:
        base = [r for r in base if not isinstance(r, model.Commitment)]
    return u, base + records


@pytest.mark.parametrize(
    ("name", "records", "changes", "expected", "code"),
    [pytest.param(p, r, c, e, k, id=f"{p}-{i}") for p, i, r, c, e, k in CRITERIA],
)
def test_every_criterion(
    name: str, records: list[Any], changes: dict[str, Any], expected: str, code: str | None
) -> None:
    u, all_records = _unit_for(name, changes, records)
    result = grade(name, u, all_records)
    assert result.grade == expected, result.reasons
    if code is not None:
        assert code in codes(result)


def test_clean_units_are_at_the_best_grade() -> None:
    for name in CLEAN_A:
        u, records = clean(name)
        result = grade(name, u, records)
        assert result.grade == "A"
        assert result.improve == ()
        assert [r.code for r in result.reasons] == [c.code for c in profile(name).criteria_for("A")]


def test_suizhou_honours() -> None:
    u = unit(std="二级", valid=GOOD_STD)
    praise = honour(date(2026, 7, 1), "市级", "通报表扬")
    cases = [
        ([honour(date(2025, 6, 1)), honour(date(2026, 6, 1)), praise], "A"),
        ([honour(date(2024, 6, 1)), honour(date(2025, 6, 1)), praise], "A"),  # later = T-1
        ([honour(date(2023, 6, 1)), honour(date(2024, 6, 1)), praise], "B"),  # too old
        ([honour(date(2024, 6, 1)), honour(date(2026, 6, 1)), praise], "B"),  # not consecutive
        ([honour(date(2025, 6, 1), "县级"), honour(date(2026, 6, 1)), praise], "B"),  # county
        ([honour(date(2025, 6, 1), "国家级"), honour(date(2026, 6, 1), "省级"), praise], "A"),
        ([honour(date(2025, 6, 1)), honour(date(2026, 6, 1))], "B"),  # no commendation
        ([honour(date(2025, 6, 1)), honour(date(2026, 6, 1)), honour(date(2026, 3, 1))], "B"),
        (
            [
                honour(date(2025, 6, 1)),
                honour(date(2026, 6, 1)),
                honour(date(2024, 11, 21), "市级", "典型宣传"),
            ],
            "B",  # exactly 24 months before T: not within
        ),
        (
            [
                honour(date(2025, 6, 1)),
                honour(date(2026, 6, 1)),
                honour(date(2024, 11, 22), "市级", "典型宣传"),
            ],
            "A",
        ),
        (
            [
                honour(date(2025, 6, 1)),
                honour(date(2026, 6, 1)),
                honour(date(2026, 8, 1), "县级", "通报表扬"),
            ],
            "B",  # county level
        ),
        (
            [
                model.Honour(1, date(2025, 6, 1), "自治区级", "先进单位"),
                honour(date(2026, 6, 1)),
                praise,
            ],
            "A",  # 自治区级 is 省级
        ),
    ]
    for records, expected in cases:
        assert letter("suizhou", u, records) == expected, records


def test_suizhou_person_is_named_beside_the_unit() -> None:
    v = model.Violation(
        1, "accident_concealed", date(2026, 5, 1), "主要负责人", "李四", "随应急罚〔2026〕9号"
    )
    result = grade("suizhou", unit(std="三级", valid=GOOD_STD), [v])
    assert result.grade == "D"
    assert result.reasons[0].records == (
        "失信 2026-05-01 瞒报、谎报生产安全事故（主要负责人 李四） 随应急罚〔2026〕9号",
    )


def test_tiers_and_labels() -> None:
    u, records = clean("kundulun")
    a = grade("kundulun", u, records)
    assert (a.grade, a.label, a.tier) == ("A", "优", "县级(旗县)")
    c = grade("kundulun", u, [])
    assert (c.grade, c.label, c.tier) == ("C", "中", "市级")
    f = grade("fenghuang", *clean("fenghuang"))
    assert (f.label, f.tier) == ("一级", None)
    s = grade("suizhou", unit(std="三级", valid=GOOD_STD))
    assert (s.grade, s.label) == ("B", "普通")


# ---------------------------------------------------------------- reasons


def test_d_lists_every_criterion_that_holds_with_its_records() -> None:
    records = [
        commitment(),
        accident(date(2026, 3, 2), deaths=3, rid=1),
        accident(date(2026, 5, 1), deaths=1, rid=2, number="凤事故〔2026〕2号"),
        accident(date(2026, 6, 1), deaths=1, rid=3),
        violation(date(2026, 9, 20), "operate_while_suspended"),
    ]
    result = grade("fenghuang", unit(std="三级", valid=GOOD_STD), records)
    assert result.grade == "D"
    assert [(r.code, r.records) for r in result.reasons] == [
        ("D.major_accident_since_last_year", ("事故 2026-03-02 较大 死亡3人",)),
        (
            "D.two_fatal_accidents_12m",
            ("事故 2026-05-01 凤事故〔2026〕2号 死亡1人", "事故 2026-06-01 死亡1人"),
        ),
        (
            "D.serious_violation_12m",
            ("失信 2026-09-20 被责令停产停业整顿仍从事生产经营（单位）",),
        ),
    ]
    assert result.reasons[0].text == "上年度以来发生较大及以上生产安全责任事故"


def test_fallback_reasons_are_the_failed_criteria_with_their_records() -> None:
    records = [
        commitment(date(2024, 3, 1), withdrawn=date(2025, 6, 1)),
        violation(date(2026, 8, 15)),
        joint(date(2026, 1, 1)),
    ]
    u = unit(std="三级", valid=date(2025, 12, 31))
    result = grade("fenghuang", u, records)
    assert result.grade == "C"
    assert [(r.code, r.text, r.records) for r in result.reasons] == [
        (
            "B.commitment",
            "未签订安全生产承诺书或承诺已撤回",
            ("承诺 2024-03-01 已于2025-06-01撤回",),
        ),
        (
            "B.no_violation_12m",
            "生产经营单位及其主要负责人1年内有安全生产失信行为",
            ("失信 2026-08-15 隐患排查不如实记录、上报或期限内未完成整改（单位）",),
        ),
        (
            "B.standardization",
            "安全生产标准化建设未达到三级以上水平",
            ("标准化 三级 有效期至2025-12-31（已过期）",),
        ),
        (
            "B.no_joint_punishment",
            "被其他行业领域认定为失信联合惩戒对象",
            ("联合惩戒 县市场监管局 2026-01-01起（未结束）",),
        ),
    ]


def test_penalty_and_standardization_descriptions() -> None:
    u, base = clean("kundulun")
    result = grade("kundulun", u, [*base, penalty(date(2026, 5, 1), "昆应急罚〔2026〕3号")])
    assert result.reasons[0].records == ("处罚 昆应急罚〔2026〕3号 2026-05-01",)
    late = unit(std="二级", valid=GOOD_STD, awarded=date(2027, 1, 1), category="煤矿")
    result = grade("kundulun", late, base)
    assert result.reasons[0].records == (
        "标准化 二级 有效期至2030-12-31（评定日期2027-01-01晚于评定基准日）",
    )


# ---------------------------------------------------------------- next change and the way back


def test_fatal_accident_example_of_cli_md() -> None:
    u = unit(std="三级", valid=GOOD_STD)
    result = grade("fenghuang", u, [commitment(), accident(date(2026, 3, 2), deaths=1)])
    assert result.grade == "C"
    assert [(r.code, r.records) for r in result.reasons] == [
        ("B.no_fatal_accident_12m", ("事故 2026-03-02 死亡1人",))
    ]
    assert result.next_change is not None
    assert result.as_json()["next_change"] == {"date": "2027-03-02", "grade": "B"}
    assert result.improve[0] == "2027-03-02 起该事故不再计入1年内，届时可评为二级"
    # once out of 3 years only the level keeps it from 一级
    assert result.improve[1:] == (
        "2029-03-02 起该事故不再计入3年内，届时取得二级及以上安全生产标准化后可评为一级",
    )


def test_improve_names_the_steps_the_unit_can_take() -> None:
    fh = unit(std="无")
    assert grade("fenghuang", fh, [commitment()]).improve == (
        "取得三级及以上安全生产标准化后可评为二级",
        "取得二级及以上安全生产标准化后可评为一级",
    )
    assert grade("fenghuang", unit(std="二级", valid=GOOD_STD)).improve == (
        "签署安全生产承诺书（单位承诺）后可评为一级",
    )
    assert grade("fenghuang", fh).improve == (
        "签署安全生产承诺书（单位承诺）并取得三级及以上安全生产标准化后可评为二级",
        "签署安全生产承诺书（单位承诺）并取得二级及以上安全生产标准化后可评为一级",
    )
    kd = unit(std="无", category="煤矿")
    assert grade("kundulun", kd, [commitment()]).improve == (
        "取得三级及以上安全生产标准化后可评为优",
    )
    # a step that does not help while a record still counts is offered for its date
    result = grade("fenghuang", unit(std="三级", valid=GOOD_STD), [violation(date(2026, 8, 15))])
    assert result.improve[0] == (
        "2027-08-15 起该失信行为不再计入1年内，届时签署安全生产承诺书（单位承诺）后可评为二级"
    )


def test_improve_for_several_records_names_each() -> None:
    u, base = clean("fenghuang")
    records = [
        *base,
        violation(date(2026, 2, 1), rid=1),
        violation(date(2026, 6, 1), "refuse_directive", rid=2),
    ]
    result = grade("fenghuang", u, records)
    assert result.grade == "C"
    assert result.next_change == NextChange(date(2027, 6, 1), "B")
    assert result.improve[:2] == (
        "2027-02-01 起该失信行为（2026-02-01）不再计入1年内",
        "2027-06-01 起该失信行为（2026-06-01）不再计入1年内，届时可评为二级",
    )


def test_next_change_for_expiring_states() -> None:
    u = unit(std="二级", valid=date(2027, 6, 30))
    result = grade("fenghuang", u, [commitment()])
    assert result.grade == "A"
    assert result.next_change == NextChange(date(2027, 7, 1), "C")
    assert result.improve == ()
    withdrawn = grade(
        "fenghuang", unit(std="二级", valid=GOOD_STD), [commitment(withdrawn=date(2027, 1, 5))]
    )
    assert withdrawn.grade == "A"  # the withdrawal has not happened at T
    assert withdrawn.next_change == NextChange(date(2027, 1, 5), "C")
    ending = grade(
        "fenghuang",
        unit(std="二级", valid=GOOD_STD),
        [commitment(), joint(date(2026, 1, 1), date(2027, 4, 30))],
    )
    assert ending.grade == "C"
    assert ending.next_change == NextChange(date(2027, 5, 1), "A")
    assert ending.improve == ("2027-05-01 起联合惩戒（县市场监管局）期满，届时可评为一级",)
    assert grade("fenghuang", *clean("fenghuang")).next_change == NextChange(date(2031, 1, 1), "C")
    forever = grade("fenghuang", unit(std="一级"), [commitment()])
    assert (forever.grade, forever.next_change) == ("A", None)


def test_repair_after_t_is_a_change_date() -> None:
    u, base = clean("kundulun")
    p = penalty(date(2026, 1, 10), "昆应急罚〔2026〕1号", rid=7)
    result = grade("kundulun", u, [*base, p, repair(p, date(2026, 12, 20))])
    assert result.grade == "C"
    assert result.next_change == NextChange(date(2026, 12, 20), "A")
    assert result.improve == ("2026-12-20 起该处罚经信用修复不再计入，届时可评为优",)
    late = grade("kundulun", u, [*base, p, repair(p, date(2027, 1, 20))])
    assert late.next_change == NextChange(date(2027, 1, 10), "B")
    assert late.improve == (
        "2027-01-10 起该处罚不再计入1年内，届时可评为良",
        "2027-01-20 起该处罚经信用修复不再计入，届时可评为优",
    )


def test_flags() -> None:
    u, base = clean("fenghuang")
    pending = grade("fenghuang", u, [*base, accident(D1, deaths=5, responsible="待定")])
    assert pending.grade == "A"  # 待定 never counts
    assert pending.flags == ("待定",)
    old = grade("fenghuang", u, [*base, accident(date(2023, 1, 1), deaths=5, responsible="待定")])
    assert old.flags == ()
    review = grade("fenghuang", u, [*base, accident(D1, grade="较大", review=True)])
    assert review.grade == "D"
    assert review.flags == ("待核实",)
    assert review.reasons[0].records == ("事故 2026-09-01 较大 待核实",)


# ---------------------------------------------------------------- determinism and purity


def test_same_input_same_output_whatever_the_record_order() -> None:
    u, base = clean("fenghuang")
    records = [
        *base,
        violation(date(2026, 2, 1), rid=1),
        violation(date(2026, 2, 1), "refuse_directive", rid=2),
        accident(date(2026, 2, 1), deaths=1, rid=3, number="2"),
        accident(date(2026, 2, 1), deaths=1, rid=4, number="1"),
        joint(date(2026, 1, 1)),
    ]
    first = grade("fenghuang", u, records)
    assert dataclasses.replace(first) == first  # a GradeResult like any other
    assert hash(first) == hash(dataclasses.replace(first))
    assert grade("fenghuang", u, records) == first
    assert grade("fenghuang", u, list(reversed(records))) == first
    assert first.as_json() == json.loads(json.dumps(first.as_json()))


def test_grade_many_shares_results_but_keeps_identity() -> None:
    u, base = clean("fenghuang")
    one = build_facts(u, base)
    two = build_facts(unit(std="二级", valid=GOOD_STD, uscc="91433123MA4L000002"), base, unit_id=2)
    a, b = grade_many(profile("fenghuang"), [one, two], T)
    assert (a.uscc, a.unit_id, b.uscc, b.unit_id) == (one.uscc, 1, two.uscc, 2)
    assert a.reasons == b.reasons and a.grade == b.grade == "A"
    assert b == grade_unit(profile("fenghuang"), two, T)


def test_what_if_adds_records_and_repairs() -> None:
    u, base = clean("kundulun")
    p = penalty(date(2026, 5, 1), "昆应急罚〔2026〕5号", rid=5)
    facts = build_facts(u, [*base, p])
    assert add_records(build_facts(u, base), [p]) == facts
    kundulun = profile("kundulun")
    assert grade_unit(kundulun, facts, T).grade == "C"
    repaired = add_records(facts, [repair(p, date(2026, 11, 1))])
    assert repaired.penalties[0].repaired_on == date(2026, 11, 1)
    assert grade_unit(kundulun, repaired, T).grade == "A"
    worse = add_records(facts, [violation(date(2026, 6, 1), "no_permit")])
    assert grade_unit(kundulun, worse, T).grade == "D"
    assert facts.violations == ()  # facts are values: nothing changed in place


# ---------------------------------------------------------------- from the database


def _store(db_path: Path, name: str, cases: Iterable[Mapping[str, Any]]) -> Any:
    from safecredit_desktop.core import app as core

    session = core.init_database(
        db_path, profile=name, bureau_name="测试县应急管理局", user="测试员"
    )
    repo = session.repo
    with session.db.transaction():
        for case in cases:
            u, records = case_records(case)
            u.id = None
            uid = repo.insert(u)
            ids: dict[int, int] = {}
            for r in records:
                old = getattr(r, "id", None)
                r.unit_id = uid
                if hasattr(r, "id"):
                    r.id = None
                if isinstance(r, model.Repair):
                    continue
                new = repo.insert(r)
                if old is not None:
                    ids[old] = new
    return session


@pytest.mark.parametrize("name", ["fenghuang", "kundulun", "suizhou"])
def test_worked_examples_through_the_database(tmp_path: Path, name: str) -> None:
    cases = [c for c in CASES if c["profile"] == name]
    session = _store(tmp_path / f"{name}.db", name, cases)
    try:
        results = grade_all(session.db, session.profile, _req_day(cases[0]["as_of"]))
        expected = {c["unit"]["统一社会信用代码"]: c["expected"] for c in cases}
        assert {r.uscc: r.grade for r in results} == expected
        assert [r.uscc for r in results] == sorted(expected)
        for case in cases:
            direct = grade_unit(profile(name), case_facts(case), _req_day(case["as_of"]))
            stored = next(r for r in results if r.uscc == direct.uscc)
            assert (stored.reasons, stored.next_change, stored.improve) == (
                direct.reasons,
                direct.next_change,
                direct.improve,
            )
        one = grade_all(session.db, session.profile, T, uscc=cases[0]["unit"]["统一社会信用代码"])
        assert len(one) == 1 and one[0].grade == cases[0]["expected"]
        assert grade_all(session.db, session.profile, T, uscc="91433123MA4L99999X") == []
    finally:
        session.close()


def test_database_facts_match_records_and_repairs(tmp_path: Path, new_db: Any) -> None:
    from safecredit_desktop.core import app as core

    session = core.init_database(
        new_db("r.db"), profile="kundulun", bureau_name="测试县应急管理局", user="测试员"
    )
    try:
        repo = session.repo
        with session.db.transaction():
            uid = repo.insert(unit(std="三级", valid=GOOD_STD, category="煤矿"))
            repo.insert(model.Commitment(uid, "单位承诺", date(2020, 1, 1)))
            pid = repo.insert(
                model.Penalty(uid, "昆应急罚〔2025〕8号", date(2025, 12, 1), "应急管理部门")
            )
            vid = repo.insert(model.Violation(uid, "hazard_unreported", date(2025, 12, 5)))
            aid = repo.insert(
                model.Accident(uid, date(2025, 12, 9), "一般", "是", deaths=1, loss_wan=12.5)
            )
            repo.insert(model.Repair(uid, "行政处罚", date(2027, 1, 2), penalty_id=pid))
            repo.insert(model.Repair(uid, "失信行为", date(2027, 1, 6), violation_id=vid))
            repo.insert(model.Repair(uid, "生产安全事故", date(2027, 1, 10), accident_id=aid))
        (facts,) = load_facts(session.db, unit_ids=[uid, 999])
        assert facts.penalties[0].repaired_on == date(2027, 1, 2)
        assert facts.violations[0].repaired_on == date(2027, 1, 6)
        # grading.md Revision 2 item 1: accidents are never repaired; a repair row naming
        # one (made before the revision) is not read
        assert facts.accidents[0].repaired_on is None
        assert facts.accidents[0].loss_wan == 12.5
        assert facts.commitments[0].signed_on == date(2020, 1, 1)
        p = session.profile
        assert grade_unit(p, facts, T).grade == "C"  # all three within 1 year
        # out of 1 year, within 3 years: no 优 until the last of them is repaired
        assert grade_unit(p, facts, date(2026, 12, 20)).grade == "B"
        assert grade_unit(p, facts, date(2027, 1, 9)).grade == "B"
        # the accident is not repaired (Revision 2 item 1): it counts for its 3 years
        assert grade_unit(p, facts, date(2027, 1, 10)).grade == "B"
        assert grade_unit(p, facts, date(2028, 12, 9)).grade == "A"
        result = grade_unit(p, facts, date(2026, 12, 20))
        assert result.next_change == NextChange(date(2028, 12, 9), "A")
        assert result.improve[-1] == "2028-12-09 起该事故（2025-12-09）不再计入3年内，届时可评为优"
    finally:
        session.close()


def test_demo_county_grades_like_records_built_in_memory(tmp_path: Path, new_db: Any) -> None:
    """Every unit of a small demo county: load_facts (one query per table) and build_facts
    (records read one by one) give the same results."""
    from safecredit_desktop.core import app as core
    from safecredit_desktop.core.storage.tables import SPEC_BY_NAME, from_row

    session = core.init_database(
        new_db("demo.db"), profile="suizhou", bureau_name="测试县应急管理局", user="测试员"
    )
    try:
        core.fill_demo(session, enterprises=400, seed=7, today=date(2025, 6, 30))
        conn = session.db.conn
        conn.row_factory = None
        by_unit: dict[int, list[Any]] = {}
        for table in (
            "accidents",
            "penalties",
            "violations",
            "commitments",
            "honours",
            "joint_punishments",
            "repairs",
        ):
            cursor = conn.execute(f"SELECT * FROM {table}")
            names = [d[0] for d in cursor.description]
            for row in cursor:
                record = from_row(SPEC_BY_NAME[table].record, dict(zip(names, row, strict=True)))
                by_unit.setdefault(record.unit_id, []).append(record)
        cursor = conn.execute("SELECT * FROM units")
        names = [d[0] for d in cursor.description]
        units = [from_row(model.Unit, dict(zip(names, row, strict=True))) for row in cursor]
        for as_of in (date(2025, 6, 30), date(2024, 12, 31)):
            stored = grade_all(session.db, session.profile, as_of)
            built = sorted(
                (
                    grade_unit(session.profile, build_facts(u, by_unit.get(u.id, [])), as_of)
                    for u in units
                ),
                key=lambda r: r.uscc,
            )
            assert stored == built
        assert {r.grade for r in stored} >= {"B", "C"}
    finally:
        session.close()
