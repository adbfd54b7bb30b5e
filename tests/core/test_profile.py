"""Profiles are data: the three built-ins load as grading.md says, and bad copies are refused."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import (
    VIOLATION_KIND_BY_CODE,
    AccidentGrade,
    HonourLevel,
    HonourType,
    PenaltyDepartment,
    StandardizationLevel,
    ViolationSubject,
)
from safecredit_desktop.core.rules.profile import (
    BUILTIN_PROFILES,
    DOC_KINDS,
    Criterion,
    Expect,
    FactKind,
    Mode,
    Profile,
    ProfileError,
    Tier,
    Window,
    WindowKind,
    load_profile,
    parse_profile,
    profiles_dir,
)

FENGHUANG_D_KINDS = {
    "no_permit",
    "major_hazard_unrectified",
    "evade_supervision",
    "operate_while_suspended",
    "accident_concealed",
    "accident_reported_late",
    "facilities_not_accepted",
    "obstruct_investigation",
}


@pytest.fixture(scope="module")
def profiles() -> dict[str, Profile]:
    return {name: load_profile(name) for name in BUILTIN_PROFILES}


def criterion(profile: Profile, code: str) -> Criterion:
    found = [c for c in profile.criteria_for(code[0]) if c.code == code]
    assert len(found) == 1, code
    return found[0]


# ---------------------------------------------------------------- built-ins


def test_builtins_load_and_round_trip(profiles: dict[str, Profile]) -> None:
    assert set(BUILTIN_PROFILES) == {p.stem for p in profiles_dir().glob("*.toml")}
    for name, profile in profiles.items():
        assert profile.name == name
        assert profile.title and profile.rules_of
        assert profile.text == (profiles_dir() / f"{name}.toml").read_text(encoding="utf-8")
        assert parse_profile(profile.text, source="数据库") == profile
        assert set(profile.doc_prefixes) == set(DOC_KINDS)
        assert profile.deadlines.objection_raise_working_days == 15
        assert profile.deadlines.repair_min_months == 12
        assert profile.high_risk_interval_months == 12
        assert dict(profile.interval_months) == {"A": 24, "B": 12, "C": 6, "D": 3}
        # grading.md Revision 2 item 7: fenghuang's 黑名单 has seed 002's grounds, not grade D
        assert profile.listed_grades == (() if name == "fenghuang" else ("D",))
    assert [profiles[n].source_seed for n in BUILTIN_PROFILES] == ["000", "001", "004"]
    assert profiles["fenghuang"].title.startswith("凤凰县（湖南）— 依据《凤凰县")
    assert profiles["fenghuang"].doc_prefixes["grade-notice"] == "凤应急信告"


def test_labels_and_display(profiles: dict[str, Profile]) -> None:
    def labels(name: str) -> list[str]:
        return [profiles[name].label(x) for x in "ABCD"]

    assert labels("fenghuang") == ["一级", "二级", "三级", "四级"]
    assert labels("kundulun") == ["优", "良", "中", "差"]
    assert labels("suizhou") == ["红名单", "普通", "被行政处理", "严重失信主体名单"]
    assert profiles["suizhou"].grade_display("A") == "A级（红名单）"
    assert profiles["fenghuang"].grade_display("C") == "C级（三级）"
    with pytest.raises(ProfileError):
        profiles["fenghuang"].label("E")


def test_categories_and_high_risk(profiles: dict[str, Profile]) -> None:
    fh, kd, sz = (profiles[n] for n in BUILTIN_PROFILES)
    assert fh.categories == ("非煤矿山", "危险化学品", "烟花爆竹", "工贸八大行业")
    assert fh.high_risk_categories == {"非煤矿山", "危险化学品", "烟花爆竹"}
    assert kd.categories == (
        "煤矿",
        "非煤矿山",
        "危险化学品",
        "烟花爆竹",
        "冶金工贸",
        "安全生产中介服务机构",
    )
    assert kd.high_risk_categories == {"煤矿", "非煤矿山", "危险化学品", "烟花爆竹"}
    assert sz.categories == (
        "非煤矿山",
        "危险化学品",
        "烟花爆竹",
        "冶金工贸",
        "安全生产技术服务机构",
        "其他工贸",
    )
    assert sz.high_risk_categories == {"非煤矿山", "危险化学品", "烟花爆竹"}
    assert fh.is_high_risk("烟花爆竹", marked=False)
    assert not fh.is_high_risk("工贸八大行业", marked=False)
    assert fh.is_high_risk("工贸八大行业", marked=True)
    assert fh.interval_for("A", high_risk=True) == 12
    assert fh.interval_for("A", high_risk=False) == 24
    assert fh.interval_for("D", high_risk=True) == 3


def test_order_fallback_tiers_and_publication(profiles: dict[str, Profile]) -> None:
    fh, kd, sz = (profiles[n] for n in BUILTIN_PROFILES)
    assert (fh.evaluation_order, fh.fallback, fh.fallback_reasons_from) == (
        ("D", "A", "B"),
        "C",
        "B",
    )
    assert (kd.evaluation_order, kd.fallback, kd.fallback_reasons_from) == (
        ("D", "C", "A", "B"),
        "C",
        "B",
    )
    assert (sz.evaluation_order, sz.fallback, sz.fallback_reasons_from) == (
        ("D", "C", "A"),
        "B",
        None,
    )
    assert sz.fallback_text
    assert {x: kd.grades[x].tier for x in "ABCD"} == {
        "A": Tier("县级(旗县)", False),
        "B": Tier("县级(旗县)", False),
        "C": Tier("市级", True),
        "D": Tier("自治区级", True),
    }
    assert all(p.grades[x].tier is None for p in (fh, sz) for x in "ABCD")
    assert kd.internal_only and kd.internal_notice == "只作内部管理使用，不对外公布"
    assert not fh.internal_only and fh.internal_notice is None and not sz.internal_only
    assert [p.deadlines.objection_answer_working_days for p in (fh, kd, sz)] == [20, 20, 10]
    assert [p.list_name for p in (fh, kd, sz)] == ["黑名单", "黑名单", "严重失信主体名单"]
    assert sz.list_names_persons and not fh.list_names_persons
    assert sz.management is not None and fh.management is None and kd.management is None
    assert (sz.management.grades, sz.management.period_months) == (("C", "D"), 36)
    assert sz.management.early_removal_months == 12


def test_fenghuang_criteria(profiles: dict[str, Profile]) -> None:
    fh = profiles["fenghuang"]
    assert [fh.grades[x].mode for x in "DAB"] == [Mode.ANY, Mode.ALL, Mode.ALL]
    assert fh.criteria_for("C") == ()
    major = criterion(fh, "D.major_accident_since_last_year")
    assert major.window == Window(WindowKind.LAST_YEAR_OR_SINCE)
    assert major.accident_grades == (
        AccidentGrade.LARGER,
        AccidentGrade.MAJOR,
        AccidentGrade.EXTRAORDINARY,
    )
    assert major.responsible
    pair = criterion(fh, "D.two_fatal_accidents_12m")
    assert (pair.fatal, pair.count_at_least, pair.accident_grades) == (
        True,
        2,
        (AccidentGrade.ORDINARY,),
    )
    assert set(criterion(fh, "D.serious_violation_12m").kinds or ()) == FENGHUANG_D_KINDS
    no_violation = criterion(fh, "A.no_violation_36m")
    assert no_violation.expect is Expect.NONE
    assert no_violation.subjects == (ViolationSubject.UNIT, ViolationSubject.MAIN_PERSON)
    assert no_violation.window == Window(WindowKind.MONTHS, 36)
    assert criterion(fh, "A.standardization").levels == (
        StandardizationLevel.FIRST,
        StandardizationLevel.SECOND,
    )
    assert len(criterion(fh, "B.standardization").levels or ()) == 3
    assert all(c.failed_text for c in fh.criteria_for("B"))
    assert [c.fact for c in fh.criteria_for("B")] == [
        FactKind.COMMITMENT,
        FactKind.VIOLATION,
        FactKind.ACCIDENT,
        FactKind.STANDARDIZATION,
        FactKind.JOINT_PUNISHMENT,
    ]


def test_kundulun_criteria(profiles: dict[str, Profile]) -> None:
    kd = profiles["kundulun"]
    kinds = set(criterion(kd, "D.serious_violation_12m").kinds or ())
    assert kinds == FENGHUANG_D_KINDS | {"overstep_mining", "false_report_agency"}
    assert criterion(kd, "D.major_accident_12m").window == Window(WindowKind.MONTHS, 12)
    assert kd.grades["C"].mode is Mode.ANY
    assert criterion(kd, "C.emergency_penalty_12m").department is PenaltyDepartment.EMERGENCY
    assert criterion(kd, "C.no_standardization").levels == (StandardizationLevel.NONE,)
    assert criterion(kd, "C.joint_punishment").expect is Expect.SOME
    assert len(criterion(kd, "A.no_violation_36m").subjects or ()) == 3
    assert [c.fact for c in kd.criteria_for("B")] == [FactKind.COMMITMENT]


def test_suizhou_criteria(profiles: dict[str, Profile]) -> None:
    sz = profiles["suizhou"]
    kinds = set(criterion(sz, "D.serious_violation_36m").kinds or ())
    assert kinds == {
        "aggravated_fine",
        "accident_concealed",
        "obstruct_investigation",
        "no_permit",
        "false_report_agency",
        "refuse_penalty_execution",
        "other_serious",
    }
    assert criterion(sz, "D.serious_violation_36m").subjects is None
    pair = criterion(sz, "D.two_larger_accidents_36m")
    assert (pair.window, pair.count_at_least, pair.pair_within_months) == (
        Window(WindowKind.MONTHS, 36),
        2,
        12,
    )
    assert criterion(sz, "C.penalty_36m").department is None
    honour = criterion(sz, "A.advanced_unit_2y")
    assert honour.window is None
    assert (honour.consecutive_years, honour.latest_year_offset_max) == (2, 1)
    assert honour.honour_types == (HonourType.ADVANCED_UNIT,)
    assert honour.honour_levels == (HonourLevel.CITY, HonourLevel.PROVINCE, HonourLevel.NATIONAL)
    praise = criterion(sz, "A.commendation_24m")
    assert set(praise.honour_types or ()) == {HonourType.COMMENDATION, HonourType.TYPICAL_PUBLICITY}
    assert criterion(sz, "A.no_penalty_60m").window == Window(WindowKind.MONTHS, 60)
    assert sz.criteria_for("B") == ()


def test_every_builtin_kind_is_known_and_codes_unique(profiles: dict[str, Profile]) -> None:
    for profile in profiles.values():
        codes = [c.code for x in "ABCD" for c in profile.criteria_for(x)]
        assert len(codes) == len(set(codes))
        for x in "ABCD":
            for c in profile.criteria_for(x):
                assert c.grade == x and c.code.startswith(f"{x}.")
                assert all(k in VIOLATION_KIND_BY_CODE for k in c.kinds or ())


def test_window_contains_follows_calendar_months() -> None:
    twelve = Window(WindowKind.MONTHS, 12)
    assert twelve.contains(date(2024, 2, 29), date(2025, 2, 28))
    assert not twelve.contains(date(2024, 2, 28), date(2025, 2, 28))
    assert twelve.contains(date(2025, 2, 28), date(2025, 2, 28))
    assert not twelve.contains(date(2025, 3, 1), date(2025, 2, 28))
    assert not twelve.contains(date(2023, 2, 28), date(2024, 2, 29))
    since = Window(WindowKind.LAST_YEAR_OR_SINCE)
    assert since.contains(date(2024, 1, 1), date(2025, 6, 30))
    assert not since.contains(date(2023, 12, 31), date(2025, 6, 30))
    assert since.describe() == "上年度以来" and twelve.describe() == "12个月内"


# ---------------------------------------------------------------- loading


def test_load_by_path_and_unknown_names(tmp_path: Path) -> None:
    text = load_profile("fenghuang").text.replace('name = "fenghuang"', 'name = "my-county"')
    path = tmp_path / "my-county.toml"
    path.write_text(text, encoding="utf-8")
    assert load_profile(str(path)).name == "my-county"
    with pytest.raises(ProfileError, match="nosuch"):
        load_profile("nosuch")
    with pytest.raises(ProfileError, match="文件不存在"):
        load_profile(str(tmp_path / "missing.toml"))


def test_profiles_dir_in_bundle(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert profiles_dir() == tmp_path / "resources" / "profiles"


# ---------------------------------------------------------------- refusals


def refuse(old: str, new: str, *, name: str = "fenghuang") -> tuple[ProfileError, int]:
    """Edit one place of a built-in; return the error and the edited place's line number."""
    text = load_profile(name).text
    assert text.count(old) == 1, old
    line = text[: text.index(old)].count("\n") + 1
    with pytest.raises(ProfileError) as caught:
        parse_profile(text.replace(old, new), source="copy.toml")
    assert isinstance(caught.value, SafeCreditError)
    assert "copy.toml" in str(caught.value)
    return caught.value, line


def test_mistyped_key_is_refused_with_its_line() -> None:
    error, line = refuse('label = "二级"', 'lable = "二级"')
    assert error.key == "grades.B.lable" and error.line == line
    assert f"第{line}行" in str(error) and "lable" in str(error)


def test_mistyped_criterion_key_is_refused() -> None:
    old = 'min_grade = "较大"\nwindow = "last_year_or_since"'
    error, line = refuse(old, 'min_grade = "较大"\nwindo = "last_year_or_since"')
    assert error.key == "grades.D.criteria[0].windo"
    assert error.line == line + 1


def test_key_of_another_fact_is_refused() -> None:
    error, _ = refuse(
        'fact = "commitment"\n\n[[grades.A.criteria]]',
        'fact = "commitment"\nwindow = { months = 12 }\n\n[[grades.A.criteria]]',
    )
    assert error.key == "grades.A.criteria[0].window" and error.line is not None
    assert "commitment" in str(error)


def test_bad_grade_letter_is_refused() -> None:
    error, line = refuse('order = ["D", "A", "B"]', 'order = ["D", "E", "B"]')
    assert error.key == "evaluation.order[1]" and error.line == line
    assert "“E”" in str(error)
    error, line = refuse("[grades.C]", "[grades.E]")
    assert error.key == "grades.E" and error.line == line


def test_unknown_violation_kind_is_refused() -> None:
    error, line = refuse('"evade_supervision",', '"evade_supervison",')
    assert error.key == "grades.D.criteria[2].kinds[2]"
    assert "evade_supervison" in str(error) and error.line is not None and error.line < line


def test_broken_toml_line_is_refused() -> None:
    error, line = refuse('name = "黑名单"', 'name = "黑名单')
    assert error.line == line and f"第{line}行" in str(error)
    error, line = refuse("[deadlines]", "[deadlines]\nrepair_min_months = 6")
    assert error.line is not None and error.line > line + 1 and "重复" in str(error)
    text = load_profile("fenghuang").text
    with pytest.raises(ProfileError, match="重复") as caught:
        parse_profile(text + 'label = "x"', source="copy.toml")
    assert caught.value.line == text.count("\n") + 1


SEMANTIC_ERRORS = [
    ('"四级"', '"一级"', "grades.D.label"),
    ("A = 24,", "A = 0,", "inspection.interval_months.A"),
    ("A = 24,", 'A = "24",', "inspection.interval_months.A"),
    ('high_risk = ["非煤矿山",', 'high_risk = ["煤矿",', "categories.high_risk[0]"),
    ('fallback = "C"', 'fallback = "F"', "evaluation.fallback"),
    ('fallback_reasons_from = "B"\n', "", "evaluation"),
    ('code = "A.no_joint_punishment"', 'code = "A.commitment"', "grades.A.criteria[4].code"),
    ('code = "A.no_joint_punishment"', 'code = "B.no_joint"', "grades.A.criteria[4].code"),
    (
        'failed_text = "未签订安全生产承诺书或承诺已撤回"\n',
        "",
        "grades.B.criteria[0].failed_text",
    ),
    (
        '"主要负责人"]\nwindow = { months = 36 }',
        '"主要负责人"]\nwindow = { month = 36 }',
        "grades.A.criteria[1].window.month",
    ),
    ('window = "last_year_or_since"', 'window = "last_year"', "grades.D.criteria[0].window"),
    (
        'subjects = ["单位", "主要负责人"]\nwindow = { months = 36 }',
        'subjects = ["单位", "法人"]\nwindow = { months = 36 }',
        "grades.A.criteria[1].subjects[1]",
    ),
    ('min_grade = "较大"', 'min_grade = "大"', "grades.D.criteria[0].min_grade"),
    (
        'levels = ["一级", "二级"]\n',
        'levels = ["一级", "四级"]\n',
        "grades.A.criteria[3].levels[1]",
    ),
    ("count_at_least = 2", "count_at_least = 0", "grades.D.criteria[1].count_at_least"),
    (
        'expect = "none"\n\n[[grades.A.criteria]]\ncode = "A.standardization"',
        'expect = "no"\n\n[[grades.A.criteria]]\ncode = "A.standardization"',
        "grades.A.criteria[2].expect",
    ),
    ('draw-notice = "凤应急抽公"\n', "", "doc_prefixes.draw-notice"),
    ("internal_only = false", "internal_only = true", "publication.notice"),
    ("format = 2", "format = 3", "format"),
]


@pytest.mark.parametrize(("old", "new", "key"), SEMANTIC_ERRORS)
def test_semantic_errors_name_the_key(old: str, new: str, key: str) -> None:
    error, _ = refuse(old, new)
    assert error.key == key, str(error)
    assert error.line is not None, str(error)


def test_missing_grade_and_unreachable_grade() -> None:
    text = load_profile("suizhou").text
    cut = text.index("[grades.B]")
    with pytest.raises(ProfileError, match=r"grades\.B"):
        parse_profile(text[:cut], source="copy.toml")
    error, _ = refuse('order = ["D", "C", "A"]', 'order = ["D", "A"]', name="suizhou")
    assert error.key == "grades.C.criteria"
