"""The roll-up's fast paths (issue 20) give the verdicts of the paths they replace.

- a form's field checks are made once per form and profile: another profile (another
  list of 行业类别) gets its own;
- the plain-sheet test searches folded bytes: the same verdict as each token searched;
- the audit's JSON comes from encoders made once: the same text as ``json.dumps``;
- the import's write runs with a larger page cache, given back afterwards;
- a sheet's common cells are mapped by a tight loop, any other row the long way: the
  same rows and the same bad cells either way.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from safecredit_desktop.core import forms
from safecredit_desktop.core.exchange import limits, reading
from safecredit_desktop.core.exchange.columns import SHEETS
from safecredit_desktop.core.exchange.import_errors import CellErrors
from safecredit_desktop.core.exchange.xlsx_rows import _ExcelErrorValue, _FormulaWithoutValue
from safecredit_desktop.core.rules.profile import load_profile
from safecredit_desktop.core.storage import audit, bulk
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.validate import uscc_check_character

TODAY = date(2025, 6, 30)
FIRST17 = "91433123111820220"
CODE = FIRST17 + uscc_check_character(FIRST17)


def _unit_values(category: str) -> dict[str, object]:
    return {"uscc": CODE, "name": "凤凰县沱江化工有限公司", "category": category}


def test_each_profile_checks_with_its_own_choices() -> None:
    fenghuang = load_profile("fenghuang")
    other = replace(fenghuang, categories=(*fenghuang.categories, "测试行业"))
    form = forms.FORMS["units"]
    first = forms.check_form(form, _unit_values("测试行业"), profile=fenghuang, today=TODAY)
    assert "category" in first.errors
    second = forms.check_form(form, _unit_values("测试行业"), profile=other, today=TODAY)
    assert "category" not in second.errors
    again = forms.check_form(form, _unit_values("测试行业"), profile=fenghuang, today=TODAY)
    assert again.errors["category"] == first.errors["category"]


def test_typed_and_workbook_checks_differ_as_before() -> None:
    """A typed code is tidied (upper case, spaces dropped, with a note); a workbook's is
    taken as written — the two are made and kept apart."""
    profile = load_profile("fenghuang")
    form = forms.FORMS["units"]
    values = _unit_values("危险化学品") | {"uscc": CODE.lower()[:9] + " " + CODE[9:]}
    typed = forms.check_form(form, values, profile=profile, today=TODAY, typed=True)
    assert "uscc" not in typed.errors and typed.parsed["uscc"] == CODE
    assert typed.tidied["uscc"] == CODE
    workbook = forms.check_form(form, values, profile=profile, today=TODAY, typed=False)
    assert "uscc" in workbook.errors and not workbook.tidied


def _reference_plain(window: bytes) -> bool:
    return not any(token in window for token in limits._NOT_PLAIN)


_PIECES = st.sampled_from(
    [
        *(b"<", b":", b"f", b">", b" ", b"/", b"\t", b"\n", b"\r", b"=", b"t", b'"', b"'"),
        *(b"e", b"d", b"x", b"<c r=", b"<v>1</v>", b"\xe4\xb8\xad"),
    ]
)


@given(st.lists(_PIECES, max_size=40).map(b"".join))
@example(b'<c r="A1" t="e"><v>#N/A</v></c>')
@example(b"<c r='A1' t='d'>")
@example(b"<x:f>SUM(A1)</x:f>")
@example(b"<f\t>")  # a tab after <f is none of the tokens
@example(b'<c r="A1" s="1" t="s"><v>3</v></c>')
@example(b"a =b")
@example(b"a=\rb")
def test_plain_folded_is_each_token_searched(window: bytes) -> None:
    assert limits._plain(window) == _reference_plain(window)


@given(
    st.dictionaries(
        st.text(max_size=5),
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        max_size=6,
    )
)
@example({"名称": "凤凰县", "b": None, "a": 1.5})
def test_audit_json_is_json_dumps(value: dict[str, object]) -> None:
    assert audit.to_json(value) == json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    parts = list(value.values())
    assert audit.key_json(parts) == json.dumps(parts, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.sqlite_only
def test_larger_cache_is_given_back(tmp_path: Path) -> None:
    with Database.create(tmp_path / "w.db") as db:
        before = db.conn.execute("PRAGMA cache_size").fetchone()[0]
        with bulk.larger_cache(db):
            inside = db.conn.execute("PRAGMA cache_size").fetchone()[0]
        assert inside == -bulk.BULK_CACHE_KIB
        assert db.conn.execute("PRAGMA cache_size").fetchone()[0] == before
        db.conn.execute("PRAGMA cache_size = -500000")  # already larger: left as it is
        with bulk.larger_cache(db):
            assert db.conn.execute("PRAGMA cache_size").fetchone()[0] == -500000


_UNITS = next(s for s in SHEETS if s.table == "units")


def _read(rows: list[tuple[int, dict[int, object]]]) -> tuple[object, list[object]]:
    errors = CellErrors()
    sheet = reading._read_sheet(_UNITS, "企业信息", iter(rows), errors)
    assert sheet is not None
    return [(r.number, r.cells, set(r.reported)) for r in sheet.rows], errors.first()


def test_odd_cells_are_read_the_long_way() -> None:
    headers = {1: _UNITS.columns[0].header, 2: _UNITS.columns[1].header}
    stamp = datetime(2025, 3, 1)
    rows = [
        (1, headers),
        (2, {1: CODE, 2: "凤凰县沱江化工有限公司"}),  # common cells: the tight loop
        (3, {1: "   ", 2: 12, 3: "没有列标题"}),  # a blank, a cell under no header
        (4, {1: _ExcelErrorValue("#N/A"), 2: stamp}),  # an error value
        (5, {1: _FormulaWithoutValue(), 2: True}),  # a formula without its result
        (6, {1: "  \t"}),  # only blank cells: no row
    ]
    read_rows, errors = _read(rows)
    first, second = _UNITS.columns[0].attr, _UNITS.columns[1].attr
    assert [(n, c) for n, c, _ in read_rows] == [
        (2, {first: CODE, second: "凤凰县沱江化工有限公司"}),
        (3, {second: 12}),
        (4, {first: "#N/A", second: stamp}),
        (5, {first: rows[4][1][1], second: True}),
    ]
    assert [r for _, _, r in read_rows] == [set(), set(), {first}, {first}]
    assert [(e.row, e.reason[:8]) for e in errors] == [
        (3, "这一列没有列标题"),
        (4, "单元格是公式错误"),
        (5, "单元格是公式，但"),
    ]


def test_collector_paused_within_steps_and_enabled_after() -> None:
    import gc

    from safecredit_desktop.core.collector import paused_collector

    seen: list[bool] = []

    @paused_collector
    def inner() -> None:
        seen.append(gc.isenabled())

    @paused_collector
    def outer(fail: bool) -> None:
        inner()
        seen.append(gc.isenabled())  # still paused after the nested step
        if fail:
            raise ValueError("bad")

    assert gc.isenabled()
    outer(False)
    with pytest.raises(ValueError):
        outer(True)
    assert seen == [False, False, False, False]
    assert gc.isenabled()
    gc.disable()  # a collector paused by someone else stays paused
    try:
        outer(False)
        assert not gc.isenabled()
    finally:
        gc.enable()


@settings(deadline=None)  # the first example loads pypinyin's phrase table
@example("凤凰县沱江化工有限公司")
@example("长沙银行股份有限公司")
@given(st.text(alphabet="凤凰县沱江镇化工有限公司银行长重庆乐行中国人民", min_size=1, max_size=12))
def test_name_segments_are_pypinyins(run: str) -> None:
    from pypinyin.seg.simpleseg import seg

    from safecredit_desktop.core import pinyin_index

    assert pinyin_index._segments(run) == seg(run)
