"""The registry's search, filters, sort and paging (core/registry.py via the Session)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model, registry
from safecredit_desktop.core.pinyin_index import search_keys
from safecredit_desktop.core.registry import UnitQuery
from safecredit_desktop.core.validate import uscc_check_character


def make_code(n: int) -> str:
    first17 = f"91433123{n:09d}"
    return first17 + uscc_check_character(first17)


@dataclass(frozen=True)
class Spec:
    name: str
    category: str
    town: str
    status: str = "正常"
    high_risk: bool = False
    main_person: str = ""


UNITS = (
    Spec("凤凰县沱江化工有限公司", "危险化学品", "沱江镇", main_person="张三"),
    Spec("凤凰县阿拉营五金店", "工贸八大行业", "阿拉营镇"),
    Spec("湘西华盛建材有限公司", "非煤矿山", "茶田镇", status="停产整顿"),
    Spec("华山石材厂", "非煤矿山", "茶田镇"),
    Spec("凤凰县100%纯净水厂", "工贸八大行业", "沱江镇"),
    Spec("凤凰县甲_乙商贸有限公司", "工贸八大行业", "沱江镇"),
    Spec("凤凰县禾库机械加工厂", "工贸八大行业", "禾库镇", status="关闭", high_risk=True),
)
CODES = {spec.name: make_code(111_111_111 * (i + 1)) for i, spec in enumerate(UNITS)}


@pytest.fixture(scope="module")
def session(module_new_db: Callable[[str], Path]) -> Iterator[core.Session]:
    opened = core.init_database(
        module_new_db("x.db"),
        profile="fenghuang",
        bureau_name="测试县应急管理局",
        user="测试",
    )
    opened.repo.insert_many(
        [
            model.Unit(
                uscc=CODES[s.name],
                name=s.name,
                category=s.category,
                town=s.town,
                status=s.status,
                high_risk=s.high_risk,
                main_person=s.main_person,
            )
            for s in UNITS
        ]
    )
    yield opened
    opened.close()


def names(session: core.Session, query: UnitQuery) -> list[str]:
    rows = session.units.query(query, 0, 1000)
    assert session.units.count_matching(query) == len(rows)
    return [r.name for r in rows]


def found(session: core.Session, search: str) -> set[str]:
    return set(names(session, UnitQuery(search=search)))


# -- search ------------------------------------------------------------------------------------


def test_empty_search_lists_all(session: core.Session) -> None:
    assert found(session, "") == {s.name for s in UNITS}
    assert found(session, "   ") == {s.name for s in UNITS}


def test_pinyin_initials_as_a_subsequence(session: core.Session) -> None:
    assert "凤凰县沱江化工有限公司" in found(session, "fhhg")
    assert "凤凰县阿拉营五金店" not in found(session, "fhhg")
    assert found(session, "FHHG") == found(session, "fhhg")
    assert found(session, "ｆｈｈｇ") == found(session, "fhhg")  # full-width from an IME


def test_full_pinyin_contains(session: core.Session) -> None:
    assert found(session, "tuojiang") == {"凤凰县沱江化工有限公司"}
    assert found(session, "wujin") == {"凤凰县阿拉营五金店"}


def test_better_matches_first(session: core.Session) -> None:
    # 华山石材厂 (hssc) starts with the initials, 湘西华盛 (xxhsjc…) holds them together,
    # 凤凰县沱江化工有限公司 (fhxtjhgyxgs) only in order: pinyin order alone would differ.
    ranked = names(session, UnitQuery(search="hs"))
    assert ranked[:2] == ["华山石材厂", "湘西华盛建材有限公司"]
    assert "凤凰县沱江化工有限公司" in ranked[2:]
    assert ranked[2:] == sorted(ranked[2:], key=lambda n: search_keys(n)[1])
    # an explicit order wins over ranking
    by_name_desc = names(session, UnitQuery(search="hs", descending=True))
    assert by_name_desc == sorted(by_name_desc, key=lambda n: search_keys(n)[1], reverse=True)


def test_code_prefix_and_contains(session: core.Session) -> None:
    code = CODES["湘西华盛建材有限公司"]
    assert code.startswith("91433123333")
    assert found(session, code[:10]) == {"湘西华盛建材有限公司"}
    assert found(session, code) == {"湘西华盛建材有限公司"}
    assert found(session, code[9:15]) == {"湘西华盛建材有限公司"}  # inside the code
    assert found(session, code.lower()) == {"湘西华盛建材有限公司"}
    assert found(session, "91433123") == {s.name for s in UNITS}
    assert found(session, "9243") == set()


def test_chinese_substring(session: core.Session) -> None:
    assert found(session, "化工") == {"凤凰县沱江化工有限公司"}
    assert found(session, "茶田") == set()  # the town is a filter, not the name
    assert found(session, "有限公司") == {
        "凤凰县沱江化工有限公司",
        "湘西华盛建材有限公司",
        "凤凰县甲_乙商贸有限公司",
    }


def test_terms_separated_by_spaces_all_match(session: core.Session) -> None:
    assert found(session, "凤凰 化工") == {"凤凰县沱江化工有限公司"}
    assert found(session, "fhx 有限") == {"凤凰县沱江化工有限公司", "凤凰县甲_乙商贸有限公司"}


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("%", {"凤凰县100%纯净水厂"}),
        ("_", {"凤凰县甲_乙商贸有限公司"}),
        ("甲_乙", {"凤凰县甲_乙商贸有限公司"}),
        ("甲%乙", set()),
        ("0%", {"凤凰县100%纯净水厂"}),
        ("\\", set()),
        ("'", set()),
    ],
)
def test_like_wildcards_are_literal(session: core.Session, search: str, expected: set[str]) -> None:
    assert found(session, search) == expected


# -- filters -----------------------------------------------------------------------------------


def test_filters(session: core.Session) -> None:
    assert set(names(session, UnitQuery(category="非煤矿山"))) == {
        "湘西华盛建材有限公司",
        "华山石材厂",
    }
    assert set(names(session, UnitQuery(town="沱江镇"))) == {
        "凤凰县沱江化工有限公司",
        "凤凰县100%纯净水厂",
        "凤凰县甲_乙商贸有限公司",
    }
    assert names(session, UnitQuery(status="停产整顿")) == ["湘西华盛建材有限公司"]
    assert names(session, UnitQuery(status="关闭")) == ["凤凰县禾库机械加工厂"]
    assert set(names(session, UnitQuery(town="沱江镇", search="化工"))) == {
        "凤凰县沱江化工有限公司"
    }
    assert names(session, UnitQuery(category="烟花爆竹")) == []


def test_high_risk_is_marked_or_by_category(session: core.Session) -> None:
    high = set(names(session, UnitQuery(high_risk=True)))
    assert high == {
        "凤凰县沱江化工有限公司",  # 危险化学品
        "湘西华盛建材有限公司",  # 非煤矿山
        "华山石材厂",
        "凤凰县禾库机械加工厂",  # 工贸, but marked
    }
    low = set(names(session, UnitQuery(high_risk=False)))
    assert low == {s.name for s in UNITS} - high
    rows = session.units.query(UnitQuery(), 0, 100)
    assert {r.name for r in rows if r.high_risk} == high


def test_grade_filter_uses_live_grades_without_any_assessment(
    session: core.Session,
) -> None:
    """A new database with no confirmed assessment: every unit has its live grade, the
    grade filter partitions the register, and no grade is marked confirmed."""
    assert session.grading.confirmed_year() is None
    live = {r.unit_id: r.grade for r in session.grading.grade(as_of=date.today())}
    rows = session.units.query(UnitQuery(sort="grade"), 0, 100)
    assert {r.id: r.grade for r in rows} == live
    assert [r.grade for r in rows] == sorted(live.values())
    assert not any(r.confirmed or r.confirmed_grade for r in rows)
    by_letter = {letter: names(session, UnitQuery(grade=letter)) for letter in "ABCD"}
    assert sum(len(found) for found in by_letter.values()) == len(UNITS)
    for letter, found in by_letter.items():
        assert len(found) == sum(1 for g in live.values() if g == letter)
    assert session.units.count_matching(UnitQuery(confirmed_grade="C")) == 0


def test_filter_choices(session: core.Session) -> None:
    categories, towns, statuses = session.units.filter_choices()
    assert categories == ["非煤矿山", "工贸八大行业", "危险化学品"]  # pinyin order
    assert towns == ["阿拉营镇", "茶田镇", "禾库镇", "沱江镇"]
    assert statuses == ["正常", "停产整顿", "关闭"]


# -- sort and paging ---------------------------------------------------------------------------


def test_sort_by_pinyin_of_name_both_ways(session: core.Session) -> None:
    expected = sorted((s.name for s in UNITS), key=lambda n: search_keys(n)[1])
    assert names(session, UnitQuery()) == expected
    assert names(session, UnitQuery(sort="name", descending=True)) == expected[::-1]


def test_sort_by_code_both_ways(session: core.Session) -> None:
    ascending = session.units.query(UnitQuery(sort="uscc"), 0, 100)
    codes = [r.uscc for r in ascending]
    assert codes == sorted(CODES.values())
    descending = session.units.query(UnitQuery(sort="uscc", descending=True), 0, 100)
    assert [r.uscc for r in descending] == codes[::-1]


def test_sort_by_small_vocabularies(session: core.Session) -> None:
    by_town = [r.town for r in session.units.query(UnitQuery(sort="town"), 0, 100)]
    assert by_town == sorted(by_town, key=lambda t: search_keys(t)[1])
    by_status = session.units.query(UnitQuery(sort="status", descending=True), 0, 100)
    assert [r.status for r in by_status][:2] == ["关闭", "停产整顿"]
    by_risk = session.units.query(UnitQuery(sort="high_risk"), 0, 100)
    assert [r.high_risk for r in by_risk] == sorted(r.high_risk for r in by_risk)
    for key in registry.SORT_KEYS:
        for descending in (False, True):
            rows = session.units.query(UnitQuery(sort=key, descending=descending), 0, 99)
            assert len(rows) == len(UNITS)


def test_unknown_sort_key_is_refused() -> None:
    with pytest.raises(ValueError, match="sort key"):
        UnitQuery(sort="address")  # type: ignore[arg-type]


def test_pages_join_up(session: core.Session) -> None:
    for query in (UnitQuery(), UnitQuery(search="hs"), UnitQuery(sort="town", descending=True)):
        everything = session.units.query(query, 0, 100)
        pages = [session.units.query(query, offset, 3) for offset in range(0, 9, 3)]
        assert [r.id for page in pages for r in page] == [r.id for r in everything]


def test_created_through_save_record_is_found(tmp_path: Path, new_db: Any) -> None:
    fresh = core.init_database(
        new_db("x.db"), profile="fenghuang", bureau_name="测试县应急管理局", user="测试"
    )
    try:
        unit_id = fresh.records.save(
            model.Unit(uscc=make_code(42), name="凤凰县沱江化工有限公司", category="危险化学品"),
        )
        rows = fresh.units.query(UnitQuery(search="fhhg"), 0, 10)
        live = fresh.grading.grade_one(unit_id).grade
        assert [(r.id, r.name, r.high_risk, r.grade) for r in rows] == [
            (unit_id, "凤凰县沱江化工有限公司", True, live)
        ]
    finally:
        fresh.close()


# -- on demo data: every match is right, no match is missed -----------------------------------


def _is_subsequence(term: str, text: str) -> bool:
    letters = iter(text)
    return all(letter in letters for letter in term)


def test_demo_search_agrees_with_a_plain_python_filter(tmp_path: Path, new_db: Any) -> None:
    demo = core.init_database(
        new_db("x.db"), profile="fenghuang", bureau_name="测试县应急管理局", user="测试"
    )
    try:
        core.fill_demo(demo, enterprises=300, seed=1)
        units = demo.units.query(UnitQuery(), 0, 10_000)
        assert len(units) == demo.units.count_matching(UnitQuery()) >= 300
        cases = {
            "fhhg": lambda r: (
                _is_subsequence("fhhg", search_keys(r.name)[0]) or "fhhg" in search_keys(r.name)[1]
            ),
            "hua": lambda r: (
                _is_subsequence("hua", search_keys(r.name)[0]) or "hua" in search_keys(r.name)[1]
            ),
            "化工": lambda r: "化工" in r.name,
            "9143312": lambda r: "9143312" in r.uscc,
        }
        for search, wanted in cases.items():
            expected = {r.id for r in units if wanted(r)}
            got = demo.units.query(UnitQuery(search=search), 0, 10_000)
            assert {r.id for r in got} == expected, search
            assert expected, search
    finally:
        demo.close()


def test_grade_filter_pages_agree_walking_or_through_the_index(
    session: core.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wide grade is paged by walking the units in order, a narrow one through the
    grade index (registry._is_wide): both give the same pages in every order."""

    def pages(query: UnitQuery) -> list[list[int]]:
        return [[r.id for r in session.units.query(query, o, 2)] for o in range(0, 8, 2)]

    queries = [
        UnitQuery(grade=letter, sort=key, descending=descending, search=search)
        for letter in "ABCD"
        for key in ("name", "uscc", "town", "grade")
        for descending in (False, True)
        for search in ("", "fh")
    ]
    monkeypatch.setattr(registry, "_WIDE_SHARE", 0)  # never wide: through the index
    narrow = [pages(q) for q in queries]
    monkeypatch.setattr(registry, "_WIDE_SHARE", 10**9)  # always wide: walk in order
    assert [pages(q) for q in queries] == narrow
