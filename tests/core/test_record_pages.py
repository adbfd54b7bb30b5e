"""The county-wide record pages' query (core/record_pages): filters, sort, paging, the
count and footer sums, and the filtered export that imports back unchanged. Also run on
PostgreSQL (Makefile PG_TESTS)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.record_pages import KINDS, RecordFilters, RecordSort
from safecredit_desktop.core.record_pages import query as pages_query
from safecredit_desktop.core.validate import uscc_check_character


def code(n: int) -> str:
    first17 = f"91433123{n:09d}"
    return first17 + uscc_check_character(first17)


CHEM, TEA, MINE = code(1), code(2), code(3)

UNITS = (
    model.Unit(
        uscc=CHEM,
        name="凤凰县沱江化工有限公司",
        category="危险化学品",
        town="沱江镇",
        reporter="县应急管理局",
    ),
    model.Unit(
        uscc=TEA,
        name="凤凰县阿拉营泓业茶叶加工厂",
        category="工贸八大行业",
        town="阿拉营镇",
        reporter="阿拉营镇人民政府",
    ),
    model.Unit(
        uscc=MINE,
        name="湘西华盛建材有限公司",
        category="非煤矿山",
        town="茶田镇",
        reporter="县应急管理局",
    ),
)


def _fill(session: core.Session) -> list[int]:
    ids = session.repo.insert_many([model.Unit(**vars(u)) for u in UNITS])
    chem, tea, mine = ids
    inspections = [
        model.Inspection(chem, date(2025, 1, 10), "计划", "张三、李四", 3, 1, doc_no="检1"),
        model.Inspection(chem, date(2025, 3, 5), "专项", "王五", 0, 0, doc_no="检2"),
        model.Inspection(tea, date(2025, 3, 5), "日常", "张三", 5, 0, doc_no="检3"),
        model.Inspection(tea, date(2025, 6, 1), "双随机", "李四", 2, 0, note="复查时已整改"),
        model.Inspection(mine, date(2024, 12, 31), "计划", "赵六", 7, 2, doc_no="检5"),
    ]
    session.repo.insert_many(inspections)
    session.repo.insert_many(
        [
            model.Accident(chem, date(2025, 2, 1), "一般", "是", "事1", deaths=1),
            model.Accident(mine, date(2025, 4, 1), "较大", "否", "事2", deaths=3, loss_wan=120.5),
        ]
    )
    session.repo.insert_many(
        [
            model.Penalty(
                chem, "凤应急罚〔2025〕1号", date(2025, 2, 3), "应急管理部门", fine_yuan=20000
            ),
            model.Penalty(
                tea, "凤应急罚〔2025〕2号", date(2025, 5, 3), "其他部门", fine_yuan=5000.5
            ),
            model.Penalty(
                mine, "凤应急罚〔2025〕3号", date(2025, 6, 3), "应急管理部门", fine_yuan=0
            ),
        ]
    )
    kinds = model.VIOLATION_KINDS
    session.repo.insert_many(
        [
            model.Violation(chem, kinds[0].code, date(2025, 1, 2)),
            model.Violation(tea, kinds[1].code, date(2025, 2, 2), "主要负责人", "王某"),
        ]
    )
    session.repo.insert_many(
        [
            model.Commitment(chem, "单位承诺", date(2025, 1, 1), "甲"),
            model.Commitment(chem, "主要负责人履职尽责承诺", date(2025, 1, 1), "甲"),
            model.Commitment(tea, "单位承诺", date(2025, 2, 1), "乙"),
        ]
    )
    session.repo.insert_many(
        [
            model.Honour(tea, date(2025, 5, 1), "县级", "先进单位", "2024年度先进单位"),
            model.Honour(mine, date(2025, 6, 1), "市级", "通报表扬", "通报表扬"),
        ]
    )
    return ids


@pytest.fixture
def filled(session: core.Session) -> core.Session:
    _fill(session)
    return session


def _column(session: core.Session, kind: str, key: str, **filters: object) -> list[object]:
    position = [c.key for c in KINDS[kind].columns].index(key)
    rows = session.records.page(kind, RecordFilters(**filters), RecordSort(), 0, 1000)  # type: ignore[arg-type]
    return [row.values[position] for row in rows]


def test_every_kind_newest_first_with_count(filled: core.Session) -> None:
    expected = {
        "inspections": 5,
        "accidents": 2,
        "penalties": 3,
        "violations": 2,
        "commitments": 3,
        "honours": 2,
    }
    for kind, count in expected.items():
        spec = KINDS[kind]
        rows = filled.records.page(kind, RecordFilters(), RecordSort(), 0, 100)
        assert len(rows) == count == filled.records.page_totals(kind, RecordFilters()).count
        days = [row.values[0] for row in rows]
        assert days == sorted(days, reverse=True), kind
        assert spec.columns[0].key == spec.date_key
    # same day: the later entered first
    assert _column(filled, "inspections", "doc_no")[:3] == ["", "检3", "检2"]


def test_footer_sums_over_the_whole_filtered_set(filled: core.Session) -> None:
    totals = filled.records.page_totals("inspections", RecordFilters())
    assert totals.sum_of("隐患数") == 17 and totals.sum_of("重大隐患数") == 3
    in_2025 = filled.records.page_totals("inspections", RecordFilters(date_from=date(2025, 1, 1)))
    assert (in_2025.count, in_2025.sum_of("隐患数")) == (4, 10)
    # the sums do not depend on the page: one row shown, all counted
    assert len(filled.records.page("inspections", RecordFilters(), RecordSort(), 0, 1)) == 1
    accidents = filled.records.page_totals("accidents", RecordFilters())
    assert accidents.sum_of("死亡人数") == 4 and accidents.sum_of("直接经济损失(万元)") == 120.5
    penalties = filled.records.page_totals("penalties", RecordFilters(town="阿拉营镇"))
    assert (penalties.count, penalties.sum_of("罚款金额")) == (1, 5000.5)
    none = filled.records.page_totals("penalties", RecordFilters(town="无此乡镇"))
    assert (none.count, none.sum_of("罚款金额")) == (0, 0.0)


def test_date_range_includes_both_ends(filled: core.Session) -> None:
    days = _column(
        filled, "inspections", "inspected_on", date_from=date(2025, 1, 10), date_to=date(2025, 3, 5)
    )
    assert days == ["2025-03-05", "2025-03-05", "2025-01-10"]


@pytest.mark.parametrize(
    ("search", "names"),
    [
        ("", {"凤凰县沱江化工有限公司", "凤凰县阿拉营泓业茶叶加工厂", "湘西华盛建材有限公司"}),
        ("tjhg", {"凤凰县沱江化工有限公司"}),  # pinyin initials
        ("化工", {"凤凰县沱江化工有限公司"}),  # part of the name
        (TEA, {"凤凰县阿拉营泓业茶叶加工厂"}),  # the code
        (
            "91433123",
            {"凤凰县沱江化工有限公司", "凤凰县阿拉营泓业茶叶加工厂", "湘西华盛建材有限公司"},
        ),
        ("xxhs 建材", {"湘西华盛建材有限公司"}),  # two terms, both must match
        ("不存在", set()),
    ],
)
def test_unit_filter_is_the_registry_search(
    filled: core.Session, search: str, names: set[str]
) -> None:
    assert set(_column(filled, "inspections", "unit_name", unit=search)) == names


def test_town_and_reporter(filled: core.Session) -> None:
    assert set(_column(filled, "inspections", "town", town="沱江镇")) == {"沱江镇"}
    assert len(_column(filled, "inspections", "town", town="沱江镇")) == 2
    filters = RecordFilters(reporter="县应急管理局")
    rows = filled.records.page("inspections", filters, RecordSort(), 0, 100)
    assert sorted(row.uscc for row in rows) == sorted([CHEM, CHEM, MINE])


@pytest.mark.parametrize(
    ("kind", "key", "value", "column", "expected"),
    [
        ("inspections", "method", "计划", "doc_no", ["检1", "检5"]),
        ("inspections", "inspectors", "张三", "doc_no", ["检3", "检1"]),  # contains
        ("inspections", "inspectors", "  ", "doc_no", ["", "检3", "检2", "检1", "检5"]),  # blank
        ("accidents", "grade", "较大", "accident_no", ["事2"]),
        ("penalties", "department", "其他部门", "doc_no", ["凤应急罚〔2025〕2号"]),
        ("violations", "kind", model.VIOLATION_KINDS[1].code, "subject", ["主要负责人"]),
        ("commitments", "type", "单位承诺", "signer", ["乙", "甲"]),
        ("honours", "level", "市级", "title", ["通报表扬"]),
    ],
)
def test_each_kinds_own_filters(
    filled: core.Session, kind: str, key: str, value: str, column: str, expected: list[str]
) -> None:
    assert _column(filled, kind, column, fields={key: value}) == expected


def test_violation_kind_and_flags_shown_as_words(filled: core.Session) -> None:
    assert _column(filled, "violations", "kind") == [
        model.VIOLATION_KINDS[1].name,
        model.VIOLATION_KINDS[0].name,
    ]
    assert _column(filled, "accidents", "needs_review") == ["否", "否"]


def _sorted_by(session: core.Session, kind: str, key: str, descending: bool) -> list[object]:
    position = [c.key for c in KINDS[kind].columns].index(key)
    rows = session.records.page(kind, RecordFilters(), RecordSort(key, descending), 0, 100)
    return [row.values[position] for row in rows]


@pytest.mark.parametrize("descending", [False, True])
def test_sort_by_any_shown_column(filled: core.Session, descending: bool) -> None:
    for kind, spec in KINDS.items():
        for column in spec.columns:
            values = _sorted_by(filled, kind, column.key, descending)
            if column.key == "unit_name" or column.kind == "violation_kind":
                continue  # pinyin order / code order: checked below
            comparable = [(v is not None, v if v is not None else "") for v in values]
            if column.kind in ("count", "amount"):
                comparable = [(True, float(v)) for v in values]  # type: ignore[arg-type]
            expected = sorted(comparable, reverse=descending)
            # SQL puts NULL first ascending, last descending: as (False, "") < (True, …)
            assert comparable == expected, (kind, column.key)
    names = _sorted_by(filled, "inspections", "unit_name", False)
    # pinyin order: 凤凰县阿拉营… (fhx a…) before 凤凰县沱江… (fhx t…) before 湘西…
    assert names == [UNITS[1].name] * 2 + [UNITS[0].name] * 2 + [UNITS[2].name]
    hazards = _sorted_by(filled, "inspections", "hazards", True)
    assert hazards == [7, 5, 3, 2, 0]


def test_unknown_sort_or_filter_refused_in_chinese(filled: core.Session) -> None:
    with pytest.raises(SafeCreditError, match="不能按"):
        filled.records.page("inspections", RecordFilters(), RecordSort("id; DROP"), 0, 10)
    with pytest.raises(SafeCreditError, match="筛选条件"):
        filled.records.page_totals("inspections", RecordFilters(fields={"grade": "一般"}))
    with pytest.raises(SafeCreditError, match="没有"):
        filled.records.page("units", RecordFilters(), RecordSort(), 0, 10)


def test_filter_values_are_parameters_not_sql(filled: core.Session) -> None:
    hostile = RecordFilters(
        town="' OR 1=1 --", unit="%' OR '1'='1", fields={"inspectors": "') OR 1=1 --"}
    )
    assert filled.records.page_totals("inspections", hostile).count == 0


@pytest.mark.parametrize("share", [1, 10_000])
def test_units_first_and_records_first_agree(
    filled: core.Session, monkeypatch: pytest.MonkeyPatch, share: int
) -> None:
    """Both plans of a unit-side filter (few units: units first) give the same rows."""
    monkeypatch.setattr(pages_query, "_NARROW_SHARE", share)
    filters = RecordFilters(unit="fhx", date_to=date(2025, 12, 31))
    rows = filled.records.page("inspections", filters, RecordSort(), 0, 100)
    assert [r.values[-2] for r in rows] == ["", "检3", "检2", "检1"]
    assert filled.records.page_totals("inspections", filters).count == 4
    by_hazards = filled.records.page("inspections", filters, RecordSort("hazards", False), 0, 100)
    hazards = [c.key for c in KINDS["inspections"].columns].index("hazards")
    assert [r.values[hazards] for r in by_hazards] == [0, 2, 3, 5]


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offset=st.integers(0, 7), limit=st.integers(0, 7))
@example(offset=0, limit=0)
@example(offset=4, limit=1)
@example(offset=5, limit=3)
def test_pages_are_slices_of_the_whole_list(filled: core.Session, offset: int, limit: int) -> None:
    for key in (None, "hazards", "unit_name", "method"):
        sort = RecordSort(key, descending=False)
        whole = filled.records.page("inspections", RecordFilters(), sort, 0, 100)
        part = filled.records.page("inspections", RecordFilters(), sort, offset, limit)
        assert part == whole[offset : offset + limit]


@pytest.mark.parametrize("descending", [True, False])
def test_next_page_after_a_row_is_the_same_as_by_offset(
    filled: core.Session, descending: bool
) -> None:
    """Keyset paging in the date order (same-day records included) equals OFFSET paging."""
    sort = RecordSort(None, descending)
    whole = filled.records.page("inspections", RecordFilters(), sort, 0, 100)
    shown = filled.records.page("inspections", RecordFilters(), sort, 0, 2)
    while len(shown) < len(whole):
        more = filled.records.page("inspections", RecordFilters(), sort, 99, 2, after=shown[-1])
        assert more
        shown += more
    assert shown == whole


def engine_under_test() -> str:
    return os.environ.get("SAFECREDIT_TEST_ENGINE", "sqlite")  # as tests/conftest.py


def _import(session: core.Session, path: Path) -> object:
    return session.exchange.import_workbook(path, dry_run=False, accept_bad_check=False)


def test_export_filtered_imports_back_unchanged(
    filled: core.Session, tmp_path: Path, new_db: Callable[[str], object]
) -> None:
    filters = RecordFilters(date_from=date(2025, 1, 1), unit="fhx")
    out = filled.records.export_filtered("inspections", filters, tmp_path / "检查.xlsx")
    # into its own database: every row found unchanged
    summary = filled.exchange.import_workbook(out, dry_run=True, accept_bad_check=False)
    sheet = {s.sheet: s for s in summary.sheets}["执法检查"]
    assert (sheet.added, sheet.updated, sheet.unchanged) == (0, 0, 4)
    # into a new database holding the same units: the same rows
    other = core.init_database(
        new_db("other.db"), profile="fenghuang", bureau_name="测试县应急管理局", user="测试员"
    )
    try:
        other.repo.insert_many([model.Unit(**vars(u)) for u in UNITS])
        _import(other, out)
        mine = filled.records.page("inspections", filters, RecordSort(), 0, 100)
        theirs = other.records.page("inspections", RecordFilters(), RecordSort(), 0, 100)
        assert sorted(map(repr, (r.values for r in theirs))) == sorted(
            map(repr, (r.values for r in mine))
        )
    finally:
        other.close()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_export_of_every_kind_round_trips(filled: core.Session, tmp_path: Path, kind: str) -> None:
    out = filled.records.export_filtered(kind, RecordFilters(), tmp_path / f"{kind}.xlsx")
    summary = filled.exchange.import_workbook(out, dry_run=True, accept_bad_check=False)
    assert not summary.changed
    assert summary.unchanged == filled.records.page_totals(kind, RecordFilters()).count


def _both_ways(session: core.Session, **filters: object) -> tuple[object, object]:
    """The footer from the stored per-unit totals, and counted from the records."""
    stored = session.records.page_totals("inspections", RecordFilters(**filters))  # type: ignore[arg-type]
    counted = session.records.page_totals(
        "inspections",
        RecordFilters(date_from=date(1900, 1, 1), **filters),  # type: ignore[arg-type]
    )
    return stored, counted


def test_stored_unit_totals_follow_every_write(filled: core.Session, tmp_path: Path) -> None:
    chem, tea, mine = (filled.units.find_by_code(c)[0] for c in (CHEM, TEA, MINE))  # type: ignore[index]
    views = [{}, {"town": "沱江镇"}, {"town": "阿拉营镇"}, {"unit": "xxhs"}]

    def agree() -> None:
        for view in views:
            stored, counted = _both_ways(filled, **view)
            assert stored == counted, view

    agree()
    new = model.Inspection(chem, date(2025, 7, 1), "专项", "王五", 4, 1)
    filled.records.save(new)
    agree()
    moved = filled.records.get("inspections", new.id or 0)
    moved.unit_id, moved.hazards = tea, 9  # corrected: another unit, other figures
    filled.records.save(moved)
    agree()
    assert _both_ways(filled, town="阿拉营镇")[0].sum_of("隐患数") == 16  # type: ignore[attr-defined]
    filled.records.undo()
    agree()
    filled.records.delete("inspections", new.id or 0)
    agree()
    filled.records.undo()  # the deletion taken back
    agree()
    out = filled.records.export_filtered("inspections", RecordFilters(), tmp_path / "all.xlsx")
    with filled.db.transaction() as conn:
        conn.execute("DELETE FROM inspections WHERE unit_id = ?", (mine,))
    agree()
    filled.exchange.import_workbook(out, dry_run=False, accept_bad_check=False)
    agree()
    assert _both_ways(filled)[0].count == 6  # type: ignore[attr-defined]
