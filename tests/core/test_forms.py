"""core.forms: the entry forms as data, their checks, and saving with sentences."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safecredit_desktop.core import app as core
from safecredit_desktop.core import forms, model
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.rules.profile import Profile, load_profile
from safecredit_desktop.core.storage.tables import SPEC_BY_RECORD
from safecredit_desktop.core.validate import id_check_character, uscc_check_character

TODAY = date(2025, 6, 30)
CODE = "91433123111820220L"
BAD_CHECK = "91433123111820220M"
ID_NUMBER = "43312319800101001" + id_check_character("43312319800101001")
PROFILE = load_profile("fenghuang")


def code(n: int) -> str:
    first17 = f"91433123{n:09d}"
    return first17 + uscc_check_character(first17)


@pytest.fixture
def session(tmp_path: Path, new_db: Any) -> Iterator[core.Session]:
    opened = core.init_database(
        new_db("x.db"), profile="fenghuang", bureau_name="测试县应急管理局", user="测试员"
    )
    yield opened
    opened.close()


@pytest.fixture
def unit_id(session: core.Session) -> int:
    unit = model.Unit(uscc=CODE, name="凤凰县沱江化工有限公司", category="危险化学品")
    return session.records.save(unit)


def check(table: str, values: dict[str, object], profile: Profile = PROFILE) -> forms.FormCheck:
    return forms.check_form(forms.FORMS[table], values, profile=profile, today=TODAY)


def field_error(table: str, key: str, raw: object, **others: object) -> str | None:
    return forms.validate_field(
        forms.FORMS[table], key, raw, profile=PROFILE, today=TODAY, values=others
    )


def build(table: str, values: dict[str, object], **kwargs: Any) -> Any:
    kwargs.setdefault("unit_id", None if table == "units" else 1)
    kwargs.setdefault("record_id", None)
    return forms.build_record(forms.FORMS[table], values, profile=PROFILE, today=TODAY, **kwargs)


# -- the descriptions -------------------------------------------------------------------------


def test_every_record_kind_has_a_form_in_paper_order() -> None:
    assert list(forms.FORMS) == [
        "units",
        "inspections",
        "accidents",
        "penalties",
        "violations",
        "commitments",
        "honours",
        "joint_punishments",
    ]
    assert [f.label for f in forms.FORMS["units"].fields] == [
        "统一社会信用代码",
        "单位名称",
        "行业类别",
        "所在乡镇",
        "地址",
        "法定代表人",
        "主要负责人",
        "主要负责人身份证号",
        "分管安全负责人",
        "联系电话",
        "安全生产许可证号",
        "许可证有效期至",
        "标准化等级",
        "标准化评定日期",
        "标准化有效期至",
        "高危行业",
        "经营状态",
        "成立日期",
        "报送单位",
        "代码校验",
    ]
    assert [f.label for f in forms.FORMS["accidents"].fields] == [
        "事故日期",
        "事故编号",
        "事故等级",
        "死亡人数",
        "重伤人数",
        "直接经济损失(万元)",
        "责任事故",
        "备注",
    ]
    assert [f.label for f in forms.FORMS["penalties"].fields] == [
        "决定书文号",
        "决定日期",
        "处罚部门",
        "处罚事由",
        "罚款金额(元)",
        "公示日期",
        "违法行为类型",
        "处罚依据",
        "处罚类别",
        "处罚内容",
        "加重罚款",
    ]


def test_every_field_is_an_attribute_of_its_record() -> None:
    for form in forms.FORMS.values():
        names = set(form.record.__dataclass_fields__)
        assert set(form.keys) <= names, form.table
        assert len(set(form.keys)) == len(form.keys)


def test_choices_come_from_the_profile_and_violation_kinds_show_chinese() -> None:
    category = forms.FORMS["units"].field("category")
    assert category.choice_values(PROFILE) == PROFILE.categories
    assert category.choice_items(PROFILE)[0] == ("（请选择）", "")
    kundulun = load_profile("kundulun")
    assert "煤矿" in category.choice_values(kundulun)
    kind = forms.FORMS["violations"].field("kind")
    items = kind.choice_items(PROFILE)
    assert ("瞒报、谎报生产安全事故", "accident_concealed") in items
    assert len([i for i in items if i[1]]) == len(model.VIOLATION_KINDS)


def test_picker_form_adds_the_units_code_first() -> None:
    form = forms.form_for("inspections", pick_unit=True)
    assert form.fields[0] is forms.UNIT_PICKER
    assert forms.form_for("units", pick_unit=True) is forms.FORMS["units"]
    with pytest.raises(SafeCreditError):
        forms.form_for("nonsense")


# -- single fields ------------------------------------------------------------------------------


def test_bad_codes_and_id_numbers_have_chinese_messages() -> None:
    assert field_error("units", "uscc", CODE) is None
    assert "校验码错误，应为 L" in (field_error("units", "uscc", BAD_CHECK) or "")
    assert "代码校验" in (field_error("units", "uscc", BAD_CHECK) or "")
    assert field_error("units", "uscc", BAD_CHECK, check_accepted=True) is None
    assert "应为18位" in (field_error("units", "uscc", CODE[:-1]) or "")
    assert "不能为空" in (field_error("units", "uscc", "") or "")
    assert field_error("units", "main_person_id", "") is None
    assert field_error("units", "main_person_id", ID_NUMBER) is None
    assert "15位" in (field_error("units", "main_person_id", "433123800101001") or "")
    wrong = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
    assert "校验码错误" in (field_error("units", "main_person_id", wrong) or "")


def test_dates_typed_three_ways_and_the_future() -> None:
    for typed in ("2025-3-1", "2025/3/1", "2025年3月1日", "2025-03-01"):
        assert field_error("inspections", "inspected_on", typed) is None
    assert "晚于今天" in (field_error("inspections", "inspected_on", "2025-7-1") or "")
    assert "不是真实存在的日期" in (field_error("inspections", "inspected_on", "2025-2-30") or "")
    assert field_error("inspections", "inspected_on", "2025.3.1") is None
    assert field_error("inspections", "inspected_on", "20250301") is None
    # a short date is the window's and `add`'s, never a workbook's (the importer's forms)
    assert "不是有效的日期" in (field_error("inspections", "inspected_on", "3-1") or "")
    # deadlines and validity dates may lie ahead
    assert field_error("inspections", "rectify_deadline", "2026-1-1") is None
    assert field_error("units", "permit_valid_until", "2030-1-1") is None
    assert field_error("units", "std_valid_until", "2030-1-1") is None
    assert "晚于今天" in (field_error("units", "std_awarded_on", "2030-1-1") or "")
    assert forms.normalize_date_text("2025年3月1日") == "2025-03-01"
    assert forms.normalize_date_text("2025-13-1") == "2025-13-1"


def test_counts_amounts_choices_and_kinds() -> None:
    assert field_error("accidents", "deaths", "2.5") is not None
    assert "负数" in (field_error("accidents", "deaths", "-1") or "")
    assert "过大" in (field_error("accidents", "deaths", "9" * 5000) or "")
    assert field_error("accidents", "loss_wan", "12.5") is None
    assert field_error("penalties", "fine_yuan", "1,000") is not None
    assert "不是有效值" in (field_error("units", "category", "煤矿") or "")
    assert field_error("violations", "kind", "no_permit") is None
    assert field_error("violations", "kind", "迟报生产安全事故") is None
    assert "不是规定的失信行为类型" in (field_error("violations", "kind", "乱停车") or "")
    assert "控制字符" in (field_error("units", "name", "凤凰\x00公司") or "")


# -- cross-field checks -----------------------------------------------------------------------


def test_accident_grade_against_its_figures() -> None:
    base = {"occurred_on": "2025-3-1", "responsible": "是", "deaths": "3"}
    low = check("accidents", {**base, "grade": "一般"})
    assert "死亡3人已达较大事故" in low.errors["grade"]
    high = check("accidents", {**base, "grade": "重大"})
    assert high.ok and "待核实" in high.notes["grade"]
    accident = build("accidents", {**base, "grade": "重大"})
    assert (accident.grade, accident.needs_review) == ("重大", True)
    derived = build("accidents", {**base, "grade": ""})
    assert (derived.grade, derived.needs_review) == ("较大", False)
    assert "较大" in check("accidents", base).notes["grade"]
    same = build("accidents", {**base, "grade": "较大"})
    assert (same.grade, same.needs_review) == ("较大", False)


def test_dates_that_must_follow_others() -> None:
    inspection = check(
        "inspections",
        {"inspected_on": "2025-5-10", "rectified_on": "2025-5-1", "rectify_deadline": "2025-5-9"},
    )
    assert "早于检查日期" in inspection.errors["rectified_on"]
    assert "早于检查日期" in inspection.errors["rectify_deadline"]
    same_day = check("inspections", {"inspected_on": "2025-5-10", "rectified_on": "2025-5-10"})
    assert same_day.ok
    commitment = check(
        "commitments", {"type": "单位承诺", "signed_on": "2025-3-1", "withdrawn_on": "2025-2-1"}
    )
    assert "早于签署日期" in commitment.errors["withdrawn_on"]
    joint = check(
        "joint_punishments",
        {"department": "县市场监管局", "starts_on": "2025-3-1", "ends_on": "2025-2-28"},
    )
    assert "早于开始日期" in joint.errors["ends_on"]
    unit = check(
        "units",
        {
            "uscc": CODE,
            "name": "甲",
            "category": "危险化学品",
            "std_level": "三级",
            "std_awarded_on": "2025-3-1",
            "std_valid_until": "2025-3-1",
        },
    )
    assert "应晚于标准化评定日期" in unit.errors["std_valid_until"]
    penalty = check(
        "penalties",
        {
            "doc_no": "1",
            "decided_on": "2025-3-1",
            "department": "其他部门",
            "published_on": "2025-2-1",
        },
    )
    assert "早于决定日期" in penalty.errors["published_on"]
    hazards = check(
        "inspections", {"inspected_on": "2025-5-10", "hazards": "1", "major_hazards": "2"}
    )
    assert "不能多于发现隐患数" in hazards.errors["major_hazards"]


def test_build_record_lists_every_bad_field() -> None:
    with pytest.raises(forms.FormErrors) as caught:
        build("units", {"uscc": "abc", "name": " ", "category": "", "main_person_id": "1"})
    errors = caught.value.errors
    assert set(errors) == {"uscc", "name", "category", "main_person_id"}
    assert caught.value.message.startswith("有 4 处需要更正")
    assert "单位名称：不能为空" in caught.value.message
    assert isinstance(caught.value, SafeCreditError)


def test_build_record_makes_the_dataclass() -> None:
    unit = build(
        "units",
        {
            "uscc": CODE,
            "name": " 凤凰县沱江化工有限公司 ",
            "category": "危险化学品",
            "main_person_id": ID_NUMBER,
            "std_level": "二级",
            "std_awarded_on": "2024年1月1日",
            "high_risk": True,
        },
    )
    assert unit == model.Unit(
        uscc=CODE,
        name="凤凰县沱江化工有限公司",
        category="危险化学品",
        main_person_id=ID_NUMBER,
        std_level="二级",
        std_awarded_on=date(2024, 1, 1),
        high_risk=True,
    )
    accepted = build(
        "units", {"uscc": BAD_CHECK, "name": "甲", "category": "烟花爆竹", "check_accepted": True}
    )
    assert accepted.check_accepted is True
    needless = build(
        "units", {"uscc": CODE, "name": "甲", "category": "烟花爆竹", "check_accepted": True}
    )
    assert needless.check_accepted is False
    violation = build("violations", {"kind": "迟报生产安全事故", "occurred_on": "2025-1-1"})
    assert violation == model.Violation(
        unit_id=1, kind="accident_reported_late", occurred_on=date(2025, 1, 1), subject="单位"
    )
    inspection = build("inspections", {"inspected_on": "2025-1-1"}, unit_id=7, record_id=3)
    assert (inspection.unit_id, inspection.id, inspection.method) == (7, 3, "计划")


def test_a_record_form_without_its_unit_refuses() -> None:
    form = forms.form_for("honours", pick_unit=True)
    values = {"unit_id": CODE, "honoured_on": "2025-1-1", "level": "县级", "type": "通报表扬"}
    lookup = {CODE: (5, "甲公司")}.get
    record = forms.build_record(
        form, values, unit_id=None, record_id=None, profile=PROFILE, today=TODAY, unit_lookup=lookup
    )
    assert record.unit_id == 5
    result = forms.check_form(form, values, profile=PROFILE, today=TODAY, unit_lookup=lookup)
    assert result.notes["unit_id"] == "甲公司"
    with pytest.raises(forms.FormErrors) as caught:
        forms.build_record(
            form,
            {**values, "unit_id": code(9)},
            unit_id=None,
            record_id=None,
            profile=PROFILE,
            today=TODAY,
            unit_lookup=lookup,
        )
    assert "没有统一社会信用代码为" in caught.value.errors["unit_id"]


def test_values_of_round_trips_every_form() -> None:
    records: list[Any] = [
        model.Unit(
            uscc=CODE,
            name="甲",
            category="非煤矿山",
            main_person_id=ID_NUMBER,
            permit_valid_until=date(2027, 1, 1),
            high_risk=True,
        ),
        model.Inspection(unit_id=1, inspected_on=date(2025, 1, 2), hazards=3, major_hazards=1),
        model.Accident(
            unit_id=1,
            occurred_on=date(2025, 1, 2),
            grade="重大",
            responsible="是",
            deaths=1,
            loss_wan=12.5,
            needs_review=True,
        ),
        model.Accident(
            unit_id=1, occurred_on=date(2025, 1, 2), grade="较大", responsible="否", deaths=3
        ),
        model.Penalty(
            unit_id=1,
            doc_no="凤应急罚〔2025〕1号",
            decided_on=date(2025, 2, 1),
            department="应急管理部门",
            fine_yuan=30000.0,
        ),
        model.Violation(unit_id=1, kind="no_permit", occurred_on=date(2025, 1, 1)),
        model.Commitment(unit_id=1, type="单位承诺", signed_on=date(2025, 1, 1)),
        model.Honour(unit_id=1, honoured_on=date(2024, 5, 1), level="市级", type="先进单位"),
        model.JointPunishment(unit_id=1, department="税务", starts_on=date(2025, 1, 1)),
    ]
    for record in records:
        record.id = 4
        table = SPEC_BY_RECORD[type(record)].name
        values = forms.values_of(record)
        again = build(table, values, record_id=4, unit_id=1)
        assert again == record, table
    derived = forms.values_of(records[3])
    assert derived["grade"] == ""  # derived from the figures: re-derived on edit
    assert forms.values_of(records[0])["main_person_id"] == ID_NUMBER


def test_carry_over_keeps_the_runs_fields() -> None:
    form = forms.FORMS["inspections"]
    kept = forms.carry_over(
        form,
        {"inspected_on": "2025-1-1", "method": "双随机", "inspectors": "张三", "hazards": "2"},
    )
    assert kept["inspectors"] == "张三"
    assert kept["method"] == "双随机"
    assert kept["inspected_on"] == ""
    assert kept["hazards"] == ""


# -- stored data --------------------------------------------------------------------------------


def test_conflicts_are_sentences(session: core.Session, unit_id: int) -> None:
    db = session.db
    twin = model.Unit(uscc=CODE, name="乙", category="烟花爆竹")
    message = forms.find_conflict(db, twin)
    assert message is not None and "已登记为“凤凰县沱江化工有限公司”" in message
    stored = session.records.get("units", unit_id)
    assert forms.find_conflict(db, stored) is None  # itself, when edited

    first = model.Inspection(unit_id=unit_id, inspected_on=date(2025, 5, 1))
    session.records.save(first)
    same_day = model.Inspection(unit_id=unit_id, inspected_on=date(2025, 5, 1), hazards=2)
    assert "2025年5月1日已有一条执法检查记录" in (forms.find_conflict(db, same_day) or "")
    assert forms.find_conflict(db, first) is None

    accident = model.Accident(
        unit_id=unit_id, occurred_on=date(2025, 5, 1), grade="一般", responsible="是"
    )
    session.records.save(accident)
    another = model.Accident(
        unit_id=unit_id, occurred_on=date(2025, 5, 1), grade="一般", responsible="否"
    )
    assert "请填写不同的事故编号" in (forms.find_conflict(db, another) or "")
    another.accident_no = "2"
    assert forms.find_conflict(db, another) is None

    penalty = model.Penalty(
        unit_id=unit_id,
        doc_no="凤应急罚〔2025〕1号",
        decided_on=date(2025, 3, 3),
        department="其他部门",
    )
    session.records.save(penalty)
    other_unit = session.records.save(model.Unit(uscc=code(1), name="丙", category="非煤矿山"))
    copy = model.Penalty(
        unit_id=other_unit,
        doc_no="凤应急罚〔2025〕1号",
        decided_on=date(2025, 3, 4),
        department="其他部门",
    )
    assert "决定书文号“凤应急罚〔2025〕1号”已经登记" in (forms.find_conflict(db, copy) or "")

    violation = model.Violation(unit_id=unit_id, kind="no_permit", occurred_on=date(2025, 1, 1))
    session.records.save(violation)
    twice = model.Violation(unit_id=unit_id, kind="no_permit", occurred_on=date(2025, 1, 1))
    assert "已登记过“未依法取得" in (forms.find_conflict(db, twice) or "")


def test_save_entered_record_refuses_with_the_field(session: core.Session, unit_id: int) -> None:
    twin = model.Unit(uscc=CODE, name="乙", category="烟花爆竹")
    with pytest.raises(forms.FormErrors) as caught:
        session.records.save_entered(twin)
    assert list(caught.value.errors) == ["uscc"]
    assert session.units.count() == 1
    ok = model.Commitment(unit_id=unit_id, type="单位承诺", signed_on=date(2025, 1, 1))
    new_id = session.records.save_entered(ok)
    assert session.records.get("commitments", new_id).signed_on == date(2025, 1, 1)
    assert "撤销新增" in session.records.undo()
    users = {r[0] for r in session.db.conn.execute("SELECT user FROM audit_log")}
    assert users == {"测试员"}
    assert session.units.find_by_code(CODE) == (unit_id, "凤凰县沱江化工有限公司")
    assert session.units.find_by_code(code(3)) is None


def test_save_entered_record_turns_sqlite_refusals_into_sentences(
    session: core.Session,
) -> None:
    orphan = model.Honour(unit_id=999, honoured_on=date(2025, 1, 1), level="县级", type="通报表扬")
    with pytest.raises(SafeCreditError) as caught:
        session.records.save_entered(orphan)
    assert "企业" in caught.value.message


# -- random input ---------------------------------------------------------------------------------

_RAW = st.one_of(
    st.text(max_size=25),
    st.sampled_from(["", " ", "2025-2-29", "2024-2-29", "9" * 30, "-1", "1e400", "是", "否"]),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
)


def _valid(spec: forms.FieldSpec) -> object:
    """A value the field accepts, so that random input also reaches the success path."""
    by_kind: dict[str, object] = {
        "uscc": CODE,
        "id_number": ID_NUMBER,
        "date": "2025-1-1",
        "count": "1",
        "amount": "1.5",
        "bool": False,
        "violation_kind": "other",
    }
    if spec.kind == "choice":
        return spec.choice_values(PROFILE)[0]
    return by_kind.get(spec.kind, "甲")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=st.sampled_from(sorted(forms.FORMS)), data=st.data())
def test_build_record_raises_only_form_errors(table: str, data: st.DataObject) -> None:
    form = forms.FORMS[table]
    values = {
        spec.key: data.draw(st.one_of(st.just(_valid(spec)), _RAW), label=spec.key)
        for spec in form.fields
    }
    try:
        record = build(table, values)
    except forms.FormErrors as exc:
        assert exc.errors
        assert set(exc.errors) <= set(form.keys)
        assert all(isinstance(m, str) and m for m in exc.errors.values())
    else:
        assert isinstance(record, form.record)


def test_short_dates_in_the_window_and_add() -> None:
    """The window and `safecredit add` take 11-3 / 11.3 / 1103: an event's date is never
    in the future, a deadline is the next such day (workbook.md)."""
    form = forms.FORMS["inspections"]
    ahead = TODAY + timedelta(days=1)
    behind = TODAY - timedelta(days=1)
    check = forms.check_form(
        form,
        {
            "inspected_on": f"{ahead.month}-{ahead.day}",
            "method": "日常",
            "rectify_deadline": f"{behind:%m%d}",
        },
        profile=PROFILE,
        today=TODAY,
        short_dates=True,
    )
    assert check.ok, check.errors
    assert check.parsed["inspected_on"] == ahead.replace(year=TODAY.year - 1)
    assert check.parsed["rectify_deadline"] == behind.replace(year=TODAY.year + 1)
    assert forms.FORMS["inspections"].field("rectify_deadline").short_date == "next"
    assert forms.FORMS["units"].field("permit_valid_until").short_date == "next"
    assert forms.FORMS["penalties"].field("decided_on").short_date == "past"
    assert forms.normalize_date_text("3.1", short="past", today=date(2026, 11, 3)) == "2026-03-01"
