"""``grade --format json`` is written by a fast writer; its text is ``json.dump``'s.

cli.md's JSON contract is exact: the writer (``result.write_json_array``) must give the
very characters ``json.dump([r.as_json() …], ensure_ascii=False, indent=1)`` gives —
compared here on demo counties under each built-in profile at several dates (reasons
with records, next changes, improve and keep lists, tiers), through the command line,
and on generated results with awkward text.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from safecredit_desktop.cli import main
from safecredit_desktop.core import app as core
from safecredit_desktop.core.rules.result import GradeResult, NextChange, Reason, write_json_array

TODAY = date(2026, 11, 21)


def reference(results: list[GradeResult]) -> str:
    out = io.StringIO()
    json.dump([r.as_json() for r in results], out, ensure_ascii=False, indent=1)
    return out.getvalue()


def fast(results: list[GradeResult]) -> str:
    out = io.StringIO()
    write_json_array(results, out)
    return out.getvalue()


@pytest.fixture(scope="module", params=["fenghuang", "kundulun", "suizhou"])
def county(request: pytest.FixtureRequest, module_new_db: Any) -> Any:
    path = module_new_db(f"{request.param}.db")
    session = core.init_database(
        path, profile=request.param, bureau_name="测试应急管理局", user="测试员"
    )
    try:
        core.fill_demo(session, enterprises=400, seed=11, today=TODAY)
    finally:
        session.close()
    return path


@pytest.mark.parametrize("as_of", [date(2024, 12, 31), date(2025, 6, 30), TODAY])
def test_demo_counties_give_json_dumps_text(county: Path, as_of: date) -> None:
    session = core.open_session(county, user="测试员")
    try:
        results = session.grading.grade(as_of=as_of)
    finally:
        session.close()
    assert any(r.reasons for r in results) and any(r.next_change for r in results)
    assert any(r.improve for r in results)
    assert fast(results) == reference(results)


def test_the_command_prints_the_same_bytes(
    county: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(county), "grade", "--as-of", "2026-11-21", "--format", "json"]) == 0
    printed = capsys.readouterr().out
    session = core.open_session(county, user="测试员")
    try:
        results = session.grading.grade(as_of=TODAY)
    finally:
        session.close()
    assert printed == reference(results) + "\n"
    assert len(json.loads(printed)) == len(results)


def test_one_unit_and_none() -> None:
    one = GradeResult(1, "91433123MA4L00001X", "甲", "危险化学品", "沱江镇", "A", "一级", None, ())
    assert fast([one]) == reference([one])
    assert fast([]) == reference([]) == "[]"


TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]) | st.sampled_from('"\\\n\t\x00\x1f\u2028'),
    max_size=12,
)
WORDS = st.lists(TEXT, max_size=3).map(tuple)


@st.composite
def results(draw: st.DrawFn) -> GradeResult:
    change = draw(st.none() | st.builds(NextChange, st.dates(), st.sampled_from("ABCD")))
    return GradeResult(
        unit_id=1,
        uscc=draw(TEXT),
        name=draw(TEXT),
        category=draw(TEXT),
        town=draw(TEXT),
        grade=draw(st.sampled_from("ABCD")),
        label=draw(TEXT),
        tier=draw(st.none() | TEXT),
        reasons=tuple(draw(st.lists(st.builds(Reason, TEXT, TEXT, WORDS), max_size=3))),
        next_change=change,
        improve=draw(WORDS),
        keep=draw(WORDS),
    )


@settings(max_examples=200)
@given(st.lists(results(), max_size=4))
@example([])
@example(
    [
        GradeResult(
            1,
            '"\\',
            "\u2028\x00",
            "",
            "",
            "D",
            "",
            "",
            (Reason("", "", ("", '"')), Reason("c", "t")),
            NextChange(date(2027, 3, 2), "B"),
            ("a",),
            ("",),
        )
    ]
)
def test_any_results_give_json_dumps_text(items: list[GradeResult]) -> None:
    assert fast(items) == reference(items)
