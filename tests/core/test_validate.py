"""Tests for safecredit_desktop.core.validate (codes, ID numbers, dates, vocabularies)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from safecredit_desktop.core.errors import BadCheckCharacterError, ValidationError
from safecredit_desktop.core.model import VIOLATION_KINDS, AccidentGrade, HonourLevel
from safecredit_desktop.core.validate import (
    USCC_ALPHABET,
    accident_grade_from_figures,
    check_not_future,
    control_character_problem,
    join_line_breaks,
    mask_id_number,
    optional_text,
    parse_amount,
    parse_choice,
    parse_count,
    parse_date,
    parse_honour_level,
    parse_optional_date,
    parse_optional_yes_no,
    parse_violation_kind,
    parse_yes_no,
    required_text,
    resolve_accident_grade,
    uscc_check_character,
    validate_id_number,
    validate_uscc,
)

FAST = settings(max_examples=200, deadline=None)
TODAY = date(2025, 6, 1)
CJK = re.compile(r"[\u4e00-\u9fff]")

VALID_USCC = ("91433123111820220L", "9143312312825400X3", "914331236931741090")
VALID_ID = "433123198001011238"


def refused(
    func: Callable[[], object],
    field: str,
    *fragments: str,
    kind: type[ValidationError] = ValidationError,
) -> ValidationError:
    """Call ``func``, expect a ValidationError on ``field`` whose message is Chinese."""
    with pytest.raises(kind) as info:
        func()
    err = info.value
    assert err.field == field
    assert CJK.search(err.reason), err.reason
    assert str(err).startswith(f"{field}：")
    for fragment in fragments:
        assert fragment in err.reason, (fragment, err.reason)
    return err


# ---------------------------------------------------------------------------
# Independent reference implementations used to generate test data
# ---------------------------------------------------------------------------

_USCC_W = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ID_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def make_uscc(prefix17: str) -> str:
    """A valid code from any 17-character prefix (GB 32100-2015, computed here)."""
    assert len(prefix17) == 17
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(alphabet.index(c) * w for c, w in zip(prefix17, _USCC_W, strict=True))
    return prefix17 + alphabet[(31 - total % 31) % 31]


def make_id(area: str, birth: date, seq: int) -> str:
    """A valid 18-digit 身份证号 (GB 11643 check digit computed here)."""
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    total = sum(int(c) * w for c, w in zip(first17, _ID_W, strict=True))
    return first17 + "10X98765432"[total % 11]


uscc_prefixes = st.builds(
    lambda head, rest: head + rest,
    st.sampled_from("123456789ANY"),
    st.text(alphabet=USCC_ALPHABET, min_size=16, max_size=16),
)
valid_usccs = uscc_prefixes.map(make_uscc)


# ---------------------------------------------------------------------------
# 统一社会信用代码
# ---------------------------------------------------------------------------


def test_alphabet_has_31_characters_without_i_o_s_v_z() -> None:
    assert len(USCC_ALPHABET) == 31
    assert not set("IOSVZ") & set(USCC_ALPHABET)


@pytest.mark.parametrize("code", VALID_USCC)
def test_known_valid_codes(code: str) -> None:
    assert validate_uscc(code) == (code, True)
    assert uscc_check_character(code[:17]) == code[17]


def test_codes_starting_with_letters_are_valid() -> None:
    for head in "ANY":
        code = make_uscc(head + "1433123MA4L12345")
        assert validate_uscc(code) == (code, True)


def test_check_character_31_maps_to_zero() -> None:
    # A check character of 0 only arises from 31 - 0 = 31, so this code exercises that case.
    assert uscc_check_character("91433123693174109") == "0"


def test_check_character_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        uscc_check_character("9143312311182022")
    with pytest.raises(ValueError):
        uscc_check_character("9143312311182022I")


def test_bad_check_character() -> None:
    err = refused(
        lambda: validate_uscc("91433123111820220X"),
        "统一社会信用代码",
        "校验码错误",
        "应为 L",
        kind=BadCheckCharacterError,
    )
    assert err.value == "91433123111820220X"


def test_bad_check_character_accepted_on_request() -> None:
    assert validate_uscc("91433123111820220X", accept_bad_check=True) == (
        "91433123111820220X",
        False,
    )


def test_accept_bad_check_does_not_accept_other_faults() -> None:
    refused(lambda: validate_uscc("9143312311182022", accept_bad_check=True), "统一社会信用代码")
    with pytest.raises(ValidationError) as info:
        validate_uscc("91433123111820220l", accept_bad_check=True)
    assert not isinstance(info.value, BadCheckCharacterError)


def test_custom_field_name() -> None:
    refused(lambda: validate_uscc("123", field="回避单位"), "回避单位", "应为18位")


def test_uscc_wrong_length() -> None:
    refused(lambda: validate_uscc("91433123111820220"), "统一社会信用代码", "应为18位，现为17位")
    refused(lambda: validate_uscc("91433123111820220LL"), "统一社会信用代码", "现为19位")


@pytest.mark.parametrize("value", [None, "", "   "])
def test_uscc_empty(value: object) -> None:
    refused(lambda: validate_uscc(value), "统一社会信用代码", "不能为空")


@pytest.mark.parametrize("value", [914331236931741090, 9.14331236931741e17, True])
def test_uscc_not_text(value: object) -> None:
    refused(lambda: validate_uscc(value), "统一社会信用代码", "文本")


@pytest.mark.parametrize(
    "value",
    [" 91433123111820220L", "91433123111820220L ", "914331231118 20220L", "\t91433123111820220L"],
)
def test_spaces_are_not_fixed(value: str) -> None:
    refused(lambda: validate_uscc(value), "统一社会信用代码", "空格")


def test_ideographic_space_is_a_space() -> None:
    refused(lambda: validate_uscc("91433123111820220L\u3000"), "统一社会信用代码", "空格")


def test_lowercase_is_not_fixed() -> None:
    refused(lambda: validate_uscc("91433123111820220l"), "统一社会信用代码", "含小写字母", "第18位")


def test_full_width_is_not_fixed() -> None:
    refused(lambda: validate_uscc("９1433123111820220L"), "统一社会信用代码", "全角", "第1位")
    refused(lambda: validate_uscc("91433123111820220Ｌ"), "统一社会信用代码", "全角")


@pytest.mark.parametrize("bad", "IOSVZ")
def test_excluded_letters(bad: str) -> None:
    value = "9143312311182" + bad + "220L"
    refused(lambda: validate_uscc(value), "统一社会信用代码", f"「{bad}」", "第14位")


@pytest.mark.parametrize("bad", ["-", "中", "#"])
def test_other_bad_characters(bad: str) -> None:
    value = "91433" + bad + "23111820220L"
    refused(lambda: validate_uscc(value), "统一社会信用代码", f"「{bad}」", "第6位")


def test_invisible_character_is_named() -> None:
    refused(lambda: validate_uscc("91433\u200b23111820220L"), "统一社会信用代码", "U+200B", "第6位")


@pytest.mark.parametrize("head", ["0", "B", "C", "M", "X"])
def test_bad_registration_authority(head: str) -> None:
    code = make_uscc(head + "1433123MA4L12345")
    refused(lambda: validate_uscc(code), "统一社会信用代码", "登记管理部门", "第1位")


@FAST
@given(valid_usccs)
def test_generated_codes_pass(code: str) -> None:
    assert validate_uscc(code) == (code, True)
    assert uscc_check_character(code[:17]) == code[17]


@FAST
@given(
    valid_usccs,
    st.integers(min_value=0, max_value=17),
    st.sampled_from(USCC_ALPHABET + "IOSVZabcxyz -#中Ａ０\u3000"),
)
def test_any_single_change_fails(code: str, position: int, replacement: str) -> None:
    if code[position] == replacement:
        replacement = "I"
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(ValidationError) as info:
        validate_uscc(changed)
    assert info.value.field == "统一社会信用代码"
    assert CJK.search(info.value.reason)


@FAST
@given(valid_usccs, st.integers(min_value=0, max_value=16), st.sampled_from(USCC_ALPHABET))
def test_single_change_within_alphabet_is_only_a_check_fault(
    code: str, position: int, replacement: str
) -> None:
    if code[position] == replacement or (position == 0 and replacement not in "123456789ANY"):
        return
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(BadCheckCharacterError):
        validate_uscc(changed)
    assert validate_uscc(changed, accept_bad_check=True) == (changed, False)


# ---------------------------------------------------------------------------
# 身份证号
# ---------------------------------------------------------------------------

ID_FIELD = "主要负责人身份证号"


def test_known_valid_id() -> None:
    assert validate_id_number(VALID_ID) == VALID_ID
    assert validate_id_number(VALID_ID, today=TODAY) == VALID_ID


@pytest.mark.parametrize("area", ["150203", "421300", "433123", "110101"])
def test_area_codes_are_not_checked(area: str) -> None:
    number = make_id(area, date(1980, 3, 15), 123)
    assert validate_id_number(number, today=TODAY) == number


def test_x_check_digit() -> None:
    candidates = (make_id("150203", date(1980, 1, 1) + timedelta(days=i), 1) for i in range(400))
    number = next(n for n in candidates if n.endswith("X"))
    assert validate_id_number(number, today=TODAY) == number
    lower = number[:-1] + "x"
    refused(lambda: validate_id_number(lower, today=TODAY), ID_FIELD, "末位X应大写")


def test_wrong_check_digit() -> None:
    refused(
        lambda: validate_id_number("433123198001011239", today=TODAY),
        ID_FIELD,
        "校验码错误",
        "应为 8",
    )


def test_fifteen_digit_old_number() -> None:
    refused(lambda: validate_id_number("433123800101123", today=TODAY), ID_FIELD, "18位", "15位")


def test_id_wrong_length() -> None:
    refused(lambda: validate_id_number("43312319800101123", today=TODAY), ID_FIELD, "现为17位")


@pytest.mark.parametrize("value", [None, "", "  "])
def test_id_empty(value: object) -> None:
    refused(lambda: validate_id_number(value, today=TODAY), ID_FIELD, "不能为空")


def test_id_as_number() -> None:
    refused(lambda: validate_id_number(433123198001011238, today=TODAY), ID_FIELD, "文本")


def test_id_spaces_and_full_width() -> None:
    refused(lambda: validate_id_number(VALID_ID + " ", today=TODAY), ID_FIELD, "空格")
    refused(lambda: validate_id_number("433123 98001011238", today=TODAY), ID_FIELD, "空格")
    refused(lambda: validate_id_number("４33123198001011238", today=TODAY), ID_FIELD, "全角")


def test_id_non_digit() -> None:
    refused(
        lambda: validate_id_number("43312319800A011238", today=TODAY), ID_FIELD, "第12位", "数字"
    )
    refused(lambda: validate_id_number("43312319800101123Y", today=TODAY), ID_FIELD, "末位")


def test_id_leading_zero() -> None:
    number = make_id("033123", date(1980, 1, 1), 123)
    refused(lambda: validate_id_number(number, today=TODAY), ID_FIELD, "第1位")


def make_id_from17(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_W, strict=True))
    return first17 + "10X98765432"[total % 11]


def test_id_impossible_birth_date() -> None:
    bad = make_id_from17("433123" + "19800230" + "123")
    refused(lambda: validate_id_number(bad, today=TODAY), ID_FIELD, "出生日期", "19800230")


def test_id_birth_before_1900() -> None:
    number = make_id("433123", date(1899, 12, 31), 1)
    refused(lambda: validate_id_number(number, today=TODAY), ID_FIELD, "1900")
    assert validate_id_number(make_id("433123", date(1900, 1, 1), 1), today=TODAY)


def test_id_birth_after_today() -> None:
    number = make_id("433123", TODAY + timedelta(days=1), 1)
    refused(lambda: validate_id_number(number, today=TODAY), ID_FIELD, "晚于今天")
    assert validate_id_number(make_id("433123", TODAY, 1), today=TODAY)


def test_id_custom_field() -> None:
    refused(lambda: validate_id_number("1", field="身份证号"), "身份证号")


@FAST
@given(
    st.integers(min_value=100000, max_value=999999),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.integers(min_value=0, max_value=999),
)
def test_generated_ids_pass(area: int, birth: date, seq: int) -> None:
    number = make_id(str(area), birth, seq)
    assert validate_id_number(number, today=TODAY) == number


@FAST
@given(
    st.sampled_from(["150203", "421300"]),
    st.dates(min_value=date(1980, 1, 1), max_value=date(1980, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
def test_generated_1980_ids_with_renumbered_areas_pass(area: str, birth: date, seq: int) -> None:
    number = make_id(area, birth, seq)
    assert validate_id_number(number, today=TODAY) == number


@FAST
@given(
    st.integers(min_value=100000, max_value=999999),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.integers(min_value=0, max_value=999),
    st.sampled_from("0123456789X"),
)
def test_wrong_check_digit_always_fails(area: int, birth: date, seq: int, last: str) -> None:
    number = make_id(str(area), birth, seq)
    if number[-1] == last:
        return
    refused(lambda: validate_id_number(number[:-1] + last, today=TODAY), ID_FIELD, "校验码错误")


def test_mask() -> None:
    assert mask_id_number(VALID_ID) == "433123********1238"
    assert mask_id_number("") == ""
    assert mask_id_number("43312319800101123X") == "433123********123X"


def test_mask_short_value_is_fully_hidden() -> None:
    assert mask_id_number("1234567890") == "**********"
    assert mask_id_number("12345678901") == "123456*8901"


@FAST
@given(st.text(min_size=11, max_size=30))
def test_mask_keeps_six_and_four(value: str) -> None:
    masked = mask_id_number(value)
    assert len(masked) == len(value)
    assert masked[:6] == value[:6]
    assert masked[-4:] == value[-4:]
    assert masked[6:-4] == "*" * (len(value) - 10)


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2025-03-07",
        "2025/3/7",
        "2025/03/07",
        "2025年3月7日",
        "2025年03月07日",
        " 2025-03-07 ",
        "2025-3-7",
        date(2025, 3, 7),
        datetime(2025, 3, 7, 0, 0),
        datetime(2025, 3, 7, 15, 30),
    ],
)
def test_parse_date_formats(value: object) -> None:
    assert parse_date(value, field="检查日期") == date(2025, 3, 7)


def test_parse_date_returns_plain_date_for_datetime() -> None:
    result = parse_date(datetime(2025, 3, 7, 15, 30), field="检查日期")
    assert type(result) is date


@FAST
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_date_formats_roundtrip(d: date) -> None:
    texts = [
        d.isoformat(),
        f"{d.year}/{d.month}/{d.day}",
        f"{d:%Y/%m/%d}",
        f"{d.year}年{d.month}月{d.day}日",
        f"{d:%Y}年{d:%m}月{d:%d}日",
    ]
    for text in texts:
        assert parse_date(text, field="事故日期") == d
    assert parse_date(datetime(d.year, d.month, d.day, 12), field="事故日期") == d


@pytest.mark.parametrize("value", ["2025-02-30", "2025/13/1", "2025年4月31日", "2023-02-29"])
def test_impossible_dates(value: str) -> None:
    err = refused(lambda: parse_date(value, field="检查日期"), "检查日期", value, "日期")
    assert err.value == value


@pytest.mark.parametrize(
    "value",
    ["3-7", "0307", "25-3-7", "2025-03-07 10:00", "2025-03", "三月七日", "2025—03—07", "2025307"],
)
def test_malformed_dates(value: str) -> None:
    refused(lambda: parse_date(value, field="检查日期"), "检查日期", value, "20261103")


@pytest.mark.parametrize("value", [45723, 45723.0])
def test_numbers_are_not_dates(value: object) -> None:
    refused(lambda: parse_date(value, field="检查日期"), "检查日期", "20261103")


@pytest.mark.parametrize("value", [None, "", "  "])
def test_blank_date_is_refused(value: object) -> None:
    refused(lambda: parse_date(value, field="检查日期"), "检查日期", "不能为空")


def test_other_types_are_not_dates() -> None:
    refused(lambda: parse_date(True, field="检查日期"), "检查日期", "20261103")
    refused(lambda: parse_date(["2025-01-01"], field="检查日期"), "检查日期")


def test_parse_optional_date() -> None:
    assert parse_optional_date(None, field="整改期限") is None
    assert parse_optional_date("  ", field="整改期限") is None
    assert parse_optional_date("2025/1/2", field="整改期限") == date(2025, 1, 2)
    refused(lambda: parse_optional_date("2025-02-30", field="整改期限"), "整改期限")


def test_check_not_future() -> None:
    assert check_not_future(TODAY, field="检查日期", today=TODAY) == TODAY
    assert check_not_future(date(2000, 1, 1), field="检查日期", today=TODAY) == date(2000, 1, 1)
    refused(
        lambda: check_not_future(TODAY + timedelta(days=1), field="检查日期", today=TODAY),
        "检查日期",
        "晚于今天",
    )


# ---------------------------------------------------------------------------
# 是/否
# ---------------------------------------------------------------------------


def test_yes_no() -> None:
    assert parse_yes_no("是", field="高危行业") is True
    assert parse_yes_no("否", field="高危行业") is False
    assert parse_yes_no(" 是 ", field="高危行业") is True
    assert parse_yes_no(True, field="高危行业") is True
    assert parse_yes_no(False, field="高危行业") is False


@pytest.mark.parametrize("value", ["Y", "yes", "1", "对", "是的", 1, 0])
def test_yes_no_refuses_others(value: object) -> None:
    refused(lambda: parse_yes_no(value, field="高危行业"), "高危行业", "“是”或“否”")


@pytest.mark.parametrize("value", [None, "", " "])
def test_yes_no_blank(value: object) -> None:
    refused(lambda: parse_yes_no(value, field="在岗"), "在岗", "不能为空")
    assert parse_optional_yes_no(value, field="在岗") is None


def test_optional_yes_no() -> None:
    assert parse_optional_yes_no("是", field="在岗") is True
    assert parse_optional_yes_no(False, field="在岗") is False
    refused(lambda: parse_optional_yes_no("待定", field="在岗"), "在岗", "待定")


# ---------------------------------------------------------------------------
# Accident grade
# ---------------------------------------------------------------------------

G = AccidentGrade


@pytest.mark.parametrize(
    ("deaths", "injuries", "loss", "grade"),
    [
        (0, 0, 0.0, G.ORDINARY),
        (2, 0, 0.0, G.ORDINARY),
        (3, 0, 0.0, G.LARGER),
        (9, 0, 0.0, G.LARGER),
        (10, 0, 0.0, G.MAJOR),
        (29, 0, 0.0, G.MAJOR),
        (30, 0, 0.0, G.EXTRAORDINARY),
        (0, 9, 0.0, G.ORDINARY),
        (0, 10, 0.0, G.LARGER),
        (0, 49, 0.0, G.LARGER),
        (0, 50, 0.0, G.MAJOR),
        (0, 99, 0.0, G.MAJOR),
        (0, 100, 0.0, G.EXTRAORDINARY),
        (0, 0, 999.99, G.ORDINARY),
        (0, 0, 1000.0, G.LARGER),
        (0, 0, 4999.99, G.LARGER),
        (0, 0, 5000.0, G.MAJOR),
        (0, 0, 9999.99, G.MAJOR),
        (0, 0, 10000.0, G.EXTRAORDINARY),
    ],
)
def test_accident_grade_boundaries(deaths: int, injuries: int, loss: float, grade: G) -> None:
    assert accident_grade_from_figures(deaths, injuries, loss) == grade


@pytest.mark.parametrize(
    ("deaths", "injuries", "loss", "grade"),
    [
        (2, 9, 999.99, G.ORDINARY),
        (3, 0, 999.0, G.LARGER),
        (1, 50, 10.0, G.MAJOR),
        (3, 10, 5000.0, G.MAJOR),
        (10, 10, 10000.0, G.EXTRAORDINARY),
        (0, 100, 1000.0, G.EXTRAORDINARY),
        (30, 0, 0.0, G.EXTRAORDINARY),
    ],
)
def test_highest_figure_wins(deaths: int, injuries: int, loss: float, grade: G) -> None:
    assert accident_grade_from_figures(deaths, injuries, loss) == grade


@FAST
@given(
    st.integers(min_value=0, max_value=200),
    st.integers(min_value=0, max_value=300),
    st.floats(min_value=0, max_value=20000, allow_nan=False),
)
def test_grade_is_max_of_single_figures(deaths: int, injuries: int, loss: float) -> None:
    order = list(G)
    combined = accident_grade_from_figures(deaths, injuries, loss)
    singles = [
        accident_grade_from_figures(deaths, 0, 0.0),
        accident_grade_from_figures(0, injuries, 0.0),
        accident_grade_from_figures(0, 0, loss),
    ]
    assert order.index(combined) == max(order.index(g) for g in singles)


@pytest.mark.parametrize("stated", [None, "", "  "])
def test_blank_grade_is_derived(stated: str | None) -> None:
    assert resolve_accident_grade(stated, 3, 0, 0.0) == (G.LARGER, False)
    assert resolve_accident_grade(stated, 0, 0, 0.0) == (G.ORDINARY, False)


def test_stated_grade_equal_to_figures() -> None:
    assert resolve_accident_grade("较大", 3, 0, 0.0) == (G.LARGER, False)
    assert resolve_accident_grade("一般", 0, 0, 0.0) == (G.ORDINARY, False)
    assert resolve_accident_grade(" 特别重大 ", 30, 0, 0.0) == (G.EXTRAORDINARY, False)


def test_stated_grade_higher_is_kept_and_flagged() -> None:
    assert resolve_accident_grade("重大", 3, 0, 0.0) == (G.MAJOR, True)
    assert resolve_accident_grade("较大", 0, 0, 0.0) == (G.LARGER, True)


def test_stated_grade_lower_is_refused() -> None:
    err = refused(
        lambda: resolve_accident_grade("一般", 3, 0, 0.0),
        "事故等级",
        "填报为一般，但死亡3人已达较大事故",
    )
    assert err.value == "一般"
    refused(
        lambda: resolve_accident_grade("较大", 1, 2, 5000.0),
        "事故等级",
        "填报为较大",
        "直接经济损失5000万元",
        "重大事故",
    )
    refused(
        lambda: resolve_accident_grade("重大", 30, 100, 0.0),
        "事故等级",
        "死亡30人、重伤100人已达特别重大事故",
    )
    refused(
        lambda: resolve_accident_grade("一般", 0, 0, 1234.5),
        "事故等级",
        "1234.5万元",
    )


@pytest.mark.parametrize("stated", ["严重", "特大", "3", "一般事件"])
def test_unknown_stated_grade(stated: str) -> None:
    refused(
        lambda: resolve_accident_grade(stated, 0, 0, 0.0),
        "事故等级",
        stated,
        "一般、较大、重大、特别重大",
    )


def test_stated_grade_with_suffix() -> None:
    assert resolve_accident_grade("较大事故", 3, 0, 0.0) == (G.LARGER, False)


# ---------------------------------------------------------------------------
# Counts and amounts
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 0), ("", 0), (" ", 0), (0, 0), (3, 3), (3.0, 3), ("3", 3), (" 12 ", 12), ("3.0", 3)],
)
def test_parse_count(value: object, expected: int) -> None:
    result = parse_count(value, field="死亡人数")
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (2.5, "整数"),
        ("2.5", "整数"),
        (-1, "负数"),
        (-1.0, "负数"),
        ("-3", "负数"),
        ("三", "整数"),
        ("3人", "整数"),
        (True, "整数"),
        (float("nan"), "整数"),
        (float("inf"), "整数"),
        (date(2025, 1, 1), "整数"),
    ],
)
def test_parse_count_refuses(value: object, fragment: str) -> None:
    refused(lambda: parse_count(value, field="死亡人数"), "死亡人数", fragment)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, 0.0),
        ("", 0.0),
        (0, 0.0),
        (12, 12.0),
        (999.99, 999.99),
        ("1000", 1000.0),
        (" 4999.99 ", 4999.99),
        ("0.5", 0.5),
        (".5", 0.5),
    ],
)
def test_parse_amount(value: object, expected: float) -> None:
    result = parse_amount(value, field="直接经济损失(万元)")
    assert result == expected
    assert type(result) is float


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (-0.01, "负数"),
        ("-5", "负数"),
        ("五百", "数字"),
        ("1,000", "数字"),
        ("100万元", "数字"),
        (True, "数字"),
        (float("nan"), "数字"),
        (float("-inf"), "数字"),
    ],
)
def test_parse_amount_refuses(value: object, fragment: str) -> None:
    refused(lambda: parse_amount(value, field="罚款金额(元)"), "罚款金额(元)", fragment)


# ---------------------------------------------------------------------------
# Vocabularies
# ---------------------------------------------------------------------------


def test_violation_kind_by_code_and_name() -> None:
    for kind in VIOLATION_KINDS:
        assert parse_violation_kind(kind.code) == kind.code
        assert parse_violation_kind(kind.name) == kind.code
        assert parse_violation_kind(f" {kind.name} ") == kind.code


@pytest.mark.parametrize("value", ["No_Permit", "瞒报事故", "unknown", 3])
def test_violation_kind_unknown(value: object) -> None:
    refused(lambda: parse_violation_kind(value), "行为类型", "失信行为类型")


def test_violation_kind_blank_and_field() -> None:
    refused(lambda: parse_violation_kind(None), "行为类型", "不能为空")
    refused(lambda: parse_violation_kind("x", field="失信行为"), "失信行为")


def test_parse_choice() -> None:
    choices = ["计划", "双随机", "专项"]
    assert parse_choice("双随机", choices, field="检查方式") == "双随机"
    assert parse_choice(" 专项 ", iter(choices), field="检查方式") == "专项"
    refused(
        lambda: parse_choice("抽查", choices, field="检查方式"),
        "检查方式",
        "抽查",
        "计划、双随机、专项",
    )
    refused(lambda: parse_choice("", choices, field="检查方式"), "检查方式", "不能为空")
    refused(lambda: parse_choice(1, ["1"], field="检查方式"), "检查方式")


def test_parse_honour_level() -> None:
    assert parse_honour_level("县级") is HonourLevel.COUNTY
    assert parse_honour_level("国家级") is HonourLevel.NATIONAL
    assert parse_honour_level("省级") is HonourLevel.PROVINCE
    assert parse_honour_level("自治区级") is HonourLevel.PROVINCE
    refused(lambda: parse_honour_level("乡级"), "表彰级别", "乡级", "县级")
    refused(lambda: parse_honour_level(None), "表彰级别", "不能为空")
    refused(lambda: parse_honour_level("部级", field="级别"), "级别")


# ---------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------


def test_required_text() -> None:
    assert required_text(" 某某化工有限公司 ", field="单位名称") == "某某化工有限公司"
    assert required_text(12345, field="执法证号") == "12345"
    refused(lambda: required_text(None, field="单位名称"), "单位名称", "不能为空")
    refused(lambda: required_text("  ", field="单位名称"), "单位名称", "不能为空")


def test_optional_text() -> None:
    assert optional_text(None, field="备注") is None
    assert optional_text(" ", field="备注") is None
    assert optional_text(" 已整改 ", field="备注") == "已整改"
    assert optional_text(7, field="备注") == "7"


# -- control characters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "multiline", "fragment"),
    [
        ("甲\r乙", False, "第2位有回车符（U+000D），这一栏只能填一行"),
        ("甲乙\n", False, "第3位有换行符（U+000A）"),
        ("a\u2028b", False, "换行符（U+2028）"),
        ("a\u2029b", True, None),
        ("a\tb", False, "控制字符（U+0009）"),
        ("a\tb\nc", True, None),
        ("a\x00b", True, "第2位含不可见的控制字符（U+0000）"),
        ("a\x85b", True, "控制字符（U+0085）"),
        ("a\ud800b", True, "控制字符（U+D800）"),
        ("凤凰化工 😀", False, None),
    ],
)
def test_control_character_problem(text: str, multiline: bool, fragment: str | None) -> None:
    found = control_character_problem(text, multiline=multiline)
    if fragment is None:
        assert found is None
    else:
        assert found is not None and fragment in found


def _banned(ch: str, multiline: bool) -> bool:
    category = unicodedata.category(ch)
    if multiline:
        return category in ("Cc", "Cs") and ch not in "\n\t"
    return category in ("Cc", "Cs", "Zl", "Zp")


@FAST
@given(
    text=st.text(alphabet=st.characters(max_codepoint=0x3000), max_size=20), multiline=st.booleans()
)
@example(text="\r\n", multiline=True)
@example(text="\u2028", multiline=False)
@example(text="\x7f", multiline=True)
def test_control_characters_are_the_unicode_categories(text: str, multiline: bool) -> None:
    """The regular expression refuses exactly Cc and Cs (and, in a one-line field, the
    line and paragraph separators): what ``unicodedata`` says, not a hand-made list."""
    expected = any(_banned(ch, multiline) for ch in text)
    assert (control_character_problem(text, multiline=multiline) is not None) == expected


def test_join_line_breaks() -> None:
    assert join_line_breaks("a\r\nb\rc\nd") == "a\nb\nc\nd"
    assert join_line_breaks("无换行") == "无换行"
