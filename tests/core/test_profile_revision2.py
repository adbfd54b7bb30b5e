"""Profile format 2 (grading.md Revision 2): lists as data, the new criterion keys, and
format-1 texts (stored in databases made before the revision) read as the lists they
meant."""

from __future__ import annotations

import pytest

from safecredit_desktop.core.rules.profile import (
    FactKind,
    HazardState,
    Mode,
    ProfileError,
    load_profile,
    parse_profile,
)


def format1(name: str, listing: str) -> str:
    """The built-in text as format 1: [listing] instead of [[lists]] and [management]."""
    text = load_profile(name).text.replace("format = 2", "format = 1")
    start = text.index("# ---------------------------------------------------------------- 名单")
    end = text.index("[publication]")
    text = text[:start] + listing + "\n" + text[end:]
    # grading by a list came with the revision: a format-1 text has none
    text = text.replace('released_by_list = "serious"\n', "")
    listed = text.find('[[grades.D.criteria]]\ncode = "D.listed"')
    if listed >= 0:
        text = text[:listed] + text[text.index("[[grades.D.criteria]]", listed + 10) :]
    return text


def test_format_1_is_read_as_the_lists_it_meant() -> None:
    old = parse_profile(
        format1(
            "suizhou",
            '[listing]\nlist_name = "严重失信主体名单"\nlisted_grades = ["D"]\n'
            'names_persons = true\nmanaged_grades = ["C", "D"]\n'
            "management_period_months = 36\nearly_removal_months = 12\n",
        ),
        source="数据库",
    )
    assert old.format == 1
    assert [(d.name, d.incentive, d.mode) for d in old.lists] == [
        ("红名单", True, Mode.ALL),
        ("严重失信主体名单", False, Mode.ANY),
    ]
    assert old.listed_grades == ("D",) and old.list_names_persons
    assert (old.dishonest_list.period_months, old.dishonest_list.early_removal_months) == (36, 12)
    assert old.management is not None and old.management.period_months == 36
    fh = parse_profile(
        format1("fenghuang", '[listing]\nlist_name = "黑名单"\nlisted_grades = ["D"]\n'),
        source="数据库",
    )
    black = fh.dishonest_list
    assert black is not None and black.period_for({"重大"}) == 24 and black.period_for(()) == 12
    # format 2 does not take [listing]
    with pytest.raises(ProfileError, match="listing"):
        parse_profile(
            load_profile("fenghuang").text + '\n[listing]\nlist_name = "黑名单"\n', source="x"
        )


def test_built_in_lists_and_new_keys() -> None:
    fh, kd, sz = (load_profile(n) for n in ("fenghuang", "kundulun", "suizhou"))
    black = fh.list_def("黑名单")
    assert black is not None and len(black.criteria) == 6 and fh.listed_grades == ()
    hazard = black.criteria[0]
    assert (hazard.fact, hazard.hazard_state) == (
        FactKind.MAJOR_HAZARD,
        HazardState.OVERDUE_OR_LATE,
    )
    red = fh.list_def("红名单")
    assert red is not None and [c.fact for c in red.criteria] == [
        FactKind.GRADE,
        FactKind.BAD_RECORD,
        FactKind.MAJOR_HAZARD,
    ]
    assert kd.internal_only and kd.listed_grades == ("D",)
    d = {c.code: c for c in sz.criteria_for("D")}
    assert d["D.listed"].list_key == "serious" and sz.grades["D"].released_by_list == "serious"
    assert d["D.major_accident_36m"].responsibilities == ("是", "否", "待定")
    assert d["D.aggravated_fine_penalty"].aggravated_fine is True
    assert d["D.serious_violation_36m"].main_person_kinds == (
        "aggravated_fine",
        "no_permit",
        "refuse_penalty_execution",
    )


BAD = [
    ('fact = "listing"\nlist = "serious"', 'fact = "listing"\nlist = "x"', "没有代码为“x”的名单"),
    ('released_by_list = "serious"', 'released_by_list = "x"', "没有代码为“x”的名单"),
    ('responsible = "any"\nmin_grade', 'responsible = "all"\nmin_grade', "responsible"),
    ('code = "serious.grade_d"', 'code = "red.grade_d"', "serious."),
    (
        'name = "严重失信主体名单"\nmode',
        'name = "灰名单"\nmode',
        "红名单、黑名单、严重失信主体名单",
    ),
    ("aggravated_fine = true", 'aggravated_fine = "是"', "true 或 false"),
    (
        'lists_main_person = ["aggravated_fine"',
        'lists_main_person = ["accident_reported_late"',
        "不是本条件的失信行为类型",
    ),
]


@pytest.mark.parametrize(("old", "new", "message"), BAD)
def test_mistakes_in_the_new_keys_are_refused(old: str, new: str, message: str) -> None:
    text = load_profile("suizhou").text
    assert text.count(old) == 1, old
    with pytest.raises(ProfileError) as caught:
        parse_profile(text.replace(old, new), source="copy.toml")
    assert message in str(caught.value) and caught.value.line is not None


def test_list_only_facts_stay_in_lists() -> None:
    text = load_profile("fenghuang").text.replace(
        'fact = "joint_punishment"\nexpect = "none"\n\n# ----',
        'fact = "bad_record"\nwindow = { months = 12 }\nexpect = "none"\n\n# ----',
        1,
    )
    with pytest.raises(ProfileError, match="只用于名单的条件"):
        parse_profile(text, source="copy.toml")
