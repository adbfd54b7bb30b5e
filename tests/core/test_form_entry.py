"""The unit and inspection forms as a clerk types them (issue 18): codes tidied with a
note, a code another unit holds named while typing, 单位名称 ≤ 100 characters, 联系电话
checked, 高危行业 ticked for a high-risk category, 所在乡镇 from the county's list, and
the 文书编号 of an inspection bracketed and continued."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from safecredit_desktop.core import app as core
from safecredit_desktop.core import forms, model
from safecredit_desktop.core.errors import SafeCreditError, ValidationError
from safecredit_desktop.core.form_entry import (
    TownList,
    bracket_doc_no,
    check_phone,
    next_doc_no,
    split_doc_no,
    tidy_code,
)
from safecredit_desktop.core.rules.profile import load_profile
from safecredit_desktop.core.validate import uscc_check_character

TODAY = date(2026, 12, 5)
PROFILE = load_profile("fenghuang")
UNITS = forms.FORMS["units"]


def code(n: int) -> str:
    first17 = f"91433123{n:09d}"
    return first17 + uscc_check_character(first17)


CODE = code(1820220)
LETTERED = "91433123MA4L0D0W1X"[:17]
LETTERED_CODE = LETTERED + uscc_check_character(LETTERED)


def unit_values(**over: object) -> dict[str, object]:
    values: dict[str, object] = {
        **forms.default_values(UNITS),
        "uscc": CODE,
        "name": "凤凰县沱江建材有限公司",
        "category": "工贸",
    }
    values.update(over)
    return values


def typed_check(values: dict[str, object], **kwargs: object) -> forms.FormCheck:
    return forms.check_form(
        UNITS,
        values,
        profile=PROFILE,
        today=TODAY,
        short_dates=True,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def session(tmp_path: Path) -> Iterator[core.Session]:
    opened = core.init_database(
        tmp_path / "x.db", profile="fenghuang", bureau_name="凤凰县应急管理局", user="测试员"
    )
    opened.role = model.Role.ADMIN
    yield opened
    opened.close()


# -- codes typed in lower case or with spaces ---------------------------------------------------


def test_a_lower_case_code_with_spaces_is_read_upper_case_with_a_note() -> None:
    typed = " " + LETTERED_CODE[:6].lower() + " " + LETTERED_CODE[6:].lower() + "\u3000"
    found = typed_check(unit_values(uscc=typed))
    assert "uscc" not in found.errors
    assert found.parsed["uscc"] == LETTERED_CODE
    assert found.tidied["uscc"] == LETTERED_CODE
    assert "字母改为大写" in found.notes["uscc"] and LETTERED_CODE in found.notes["uscc"]


def test_a_workbook_keeps_refusing_a_lower_case_code() -> None:
    found = forms.check_form(
        UNITS, unit_values(uscc=LETTERED_CODE.lower()), profile=PROFILE, today=TODAY
    )
    assert "小写字母" in found.errors["uscc"]


@given(st.text(alphabet=" \u3000", max_size=3), st.booleans())
@example(" ", True)
def test_tidy_code_drops_every_space_and_upper_cases(spaces: str, lower: bool) -> None:
    raw = spaces + (LETTERED_CODE.lower() if lower else LETTERED_CODE) + spaces
    tidied, changed = tidy_code(raw)
    assert tidied == LETTERED_CODE
    assert changed == (raw != LETTERED_CODE)


# -- a code another unit holds ------------------------------------------------------------------


def test_a_code_another_unit_holds_is_named_while_typing() -> None:
    stored = {CODE: (7, "凤凰县沱江化工有限公司")}
    found = typed_check(unit_values(), unit_lookup=stored.get)
    assert "凤凰县沱江化工有限公司" in found.errors["uscc"]
    assert "已登记" in found.errors["uscc"]
    # the unit's own form (editing unit 7) is not a duplicate of itself
    assert "uscc" not in typed_check(unit_values(), unit_lookup=stored.get, record_id=7).errors


def test_build_record_refuses_the_duplicate_too(session: core.Session) -> None:
    session.records.save(model.Unit(uscc=CODE, name="甲公司", category="工贸"))
    with pytest.raises(forms.FormErrors) as refused:
        forms.build_record(
            UNITS,
            unit_values(uscc=CODE.lower()),
            unit_id=None,
            record_id=None,
            profile=PROFILE,
            today=TODAY,
            unit_lookup=session.units.find_by_code,
            short_dates=True,
        )
    assert "甲公司" in refused.value.errors["uscc"]


# -- 单位名称 ----------------------------------------------------------------------------------


def test_a_name_of_more_than_100_characters_is_refused_with_its_length() -> None:
    assert "name" not in typed_check(unit_values(name="凤" * 100)).errors
    message = typed_check(unit_values(name="凤" * 101)).errors["name"]
    assert "最多100个字" in message and "101" in message


# -- 联系电话 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13807431234", "13807431234"),
        ("138 0743 1234", "13807431234"),
        ("0743-3221234", "0743-3221234"),
        ("07433221234", "07433221234"),
        ("(0743)3221234", "(0743)3221234"),
        ("0743-3221234-801", "0743-3221234-801"),
        ("0743-3221234转801", "0743-3221234转801"),
        ("010-62345678", "010-62345678"),
        ("400-123-4567", "400-123-4567"),
        ("13807431234、0743-3221234", "13807431234、0743-3221234"),
        ("13807431234，0743-3221234", "13807431234、0743-3221234"),
    ],
)
def test_phone_numbers_a_bureau_writes_are_taken(typed: str, stored: str) -> None:
    assert check_phone(typed) == stored
    found = typed_check(unit_values(phone=typed))
    assert "phone" not in found.errors and found.parsed["phone"] == stored


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("3221234", "缺少区号"),
        ("1380743123", "应为11位"),
        ("12807431234", "不像电话号码"),
        ("电话待补", "不像电话号码"),
        ("0743-12345", "不像电话号码"),
    ],
)
def test_a_bad_phone_number_gets_a_chinese_sentence(typed: str, said: str) -> None:
    with pytest.raises(ValidationError) as refused:
        check_phone(typed)
    assert said in refused.value.reason
    assert said in typed_check(unit_values(phone=typed)).errors["phone"]


def test_a_workbook_phone_is_not_checked() -> None:
    found = forms.check_form(UNITS, unit_values(phone="电话待补"), profile=PROFILE, today=TODAY)
    assert "phone" not in found.errors


# -- 高危行业 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("category", sorted(PROFILE.high_risk_categories))
def test_high_risk_is_ticked_for_the_profiles_high_risk_categories(category: str) -> None:
    found = typed_check(unit_values(category=category, high_risk=False))
    assert found.parsed["high_risk"] is True
    assert "已勾选" in found.notes["high_risk"]
    record = forms.build_record(
        UNITS,
        unit_values(category=category, high_risk=False),
        unit_id=None,
        record_id=None,
        profile=PROFILE,
        today=TODAY,
        short_dates=True,
    )
    assert record.high_risk is True


def test_high_risk_is_left_as_chosen_for_other_categories() -> None:
    assert "危险化学品" in PROFILE.high_risk_categories
    assert typed_check(unit_values(category="工贸", high_risk=False)).parsed["high_risk"] is False


# -- 所在乡镇 ----------------------------------------------------------------------------------


def test_a_town_outside_the_list_is_refused_for_a_clerk_offered_to_an_administrator() -> None:
    towns = ("沱江镇", "阿拉营镇")
    assert "town" not in typed_check(unit_values(town="沱江镇"), towns=TownList(towns)).errors
    clerk = typed_check(unit_values(town="新场镇"), towns=TownList(towns)).errors["town"]
    assert "不在本县乡镇名单中" in clerk and "管理员" in clerk
    admin = typed_check(unit_values(town="新场镇"), towns=TownList(towns, may_add=True))
    assert "加入乡镇名单" in admin.errors["town"]
    # the unit's stored town stays (a city's register holds other counties' towns)
    kept = typed_check(unit_values(town="新场镇"), towns=TownList(towns, kept="新场镇"))
    assert "town" not in kept.errors
    # no list kept yet: any town
    assert "town" not in typed_check(unit_values(town="新场镇"), towns=TownList(())).errors


def test_the_county_towns_are_kept_by_an_administrator_and_audited(session: core.Session) -> None:
    assert session.settings.towns() == []
    assert session.settings.set_towns(["沱江镇", "阿拉营镇", "沱江镇"]) == ["沱江镇", "阿拉营镇"]
    assert session.settings.add_town(" 新场镇 ") == ["沱江镇", "阿拉营镇", "新场镇"]
    logged = session.db.conn.execute(
        "SELECT COUNT(*) FROM audit_log WHERE table_name = 'settings' AND row_key = ?",
        ("county_towns",),
    ).fetchone()[0]
    assert logged == 2
    session.role = model.Role.CLERK
    with pytest.raises(SafeCreditError, match="管理员"):
        session.settings.add_town("木江坪镇")
    assert session.settings.towns() == ["沱江镇", "阿拉营镇", "新场镇"]


# -- 文书编号 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "凤应急检2026 3203",
        "凤应急检2026-3203",
        "凤应急检 2026 3203号",
        "凤应急检[2026]3203",
        "凤应急检（2026）3203号",
        "凤应急检〔2026〕3203",
        "凤应急检〔2026〕3203号",
        "凤应急检2026第3203号",
    ],
)
def test_a_doc_number_gets_its_brackets(typed: str) -> None:
    assert bracket_doc_no(typed) == "凤应急检〔2026〕3203号"


@pytest.mark.parametrize("typed", ["", "检查记录", "凤应急检20263203", "2026 3203"])
def test_other_doc_numbers_stay_as_typed(typed: str) -> None:
    assert bracket_doc_no(typed) == typed


def test_the_next_doc_number_keeps_the_last_prefix() -> None:
    last = "凤应急检〔2026〕3203号"
    assert split_doc_no(last) == ("凤应急检", 2026, 3203)
    assert next_doc_no(last, year=2026) == "凤应急检〔2026〕3204号"
    assert next_doc_no(last, year=2027) == "凤应急检〔2027〕1号"
    assert next_doc_no(last, year=2026, typed="3210") == "凤应急检〔2026〕3210号"
    assert next_doc_no(last, year=2026, typed="凤应急查2026 5") == "凤应急查〔2026〕5号"
    assert next_doc_no(None, year=2026, typed="12") == "12"


def test_the_last_doc_number_is_the_highest_of_the_newest_prefix(session: core.Session) -> None:
    assert forms.last_doc_no(session.db) is None
    unit = session.records.save(model.Unit(uscc=CODE, name="甲公司", category="工贸"))
    for day, number in ((1, "凤应急检〔2026〕3205号"), (2, "凤应急检〔2026〕3203号"), (3, "")):
        session.records.save(
            model.Inspection(
                unit_id=unit,
                inspected_on=date(2026, 11, day),
                method=model.InspectionMethod.DAILY.value,
                doc_no=number,
            )
        )
    assert forms.last_doc_no(session.db) == "凤应急检〔2026〕3205号"


def test_a_typed_doc_number_is_bracketed_by_the_form() -> None:
    form = forms.FORMS["inspections"]
    values = {
        **forms.default_values(form),
        "inspected_on": "2026-11-03",
        "doc_no": "凤应急检2026 3203",
    }
    found = forms.check_form(form, values, profile=PROFILE, today=TODAY, short_dates=True)
    assert found.parsed["doc_no"] == "凤应急检〔2026〕3203号"
    assert "日常" in form.field("method").choice_values(PROFILE)


def test_a_bracketed_number_keeps_its_digits_as_typed() -> None:
    from safecredit_desktop.core.form_entry import bracket_doc_no

    assert bracket_doc_no("凤应急检〔2026〕0101号") == "凤应急检〔2026〕0101号"
    assert bracket_doc_no("凤应急检2026 0102") == "凤应急检〔2026〕0102号"
