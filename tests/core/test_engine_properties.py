"""Properties of grading over generated units (hypothesis), for all three profiles:

- adding a violation, an accident or a penalty never improves a grade;
- moving T forward past every window returns a unit to its clean grade;
- the grade holds until ``next_change`` and is its grade on that day; following the next
  changes one after another ends at the clean grade;
- every "届时可评为X" of ``improve`` is the grade on its date, every step it offers gives
  the grade it names;
- records dated after T change nothing; the order records are given in changes nothing.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_engine import profile

from safecredit_desktop.core import model
from safecredit_desktop.core.model import VIOLATION_KINDS, CommitmentType
from safecredit_desktop.core.rules.engine import Grader, first_counted_day, leaves_window_on
from safecredit_desktop.core.rules.facts import build_facts
from safecredit_desktop.core.rules.profile import GRADE_LETTERS, Window, WindowKind
from safecredit_desktop.core.rules.result import GradeResult

PROFILES = ("fenghuang", "kundulun", "suizhou")
RANK = {letter: i for i, letter in enumerate(GRADE_LETTERS)}
START, END = date(2019, 1, 1), date(2027, 12, 31)
LONGEST_MONTHS = 60  # the longest window of the built-in profiles (suizhou 5年以内)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

days = st.dates(min_value=START, max_value=END)
subjects = st.sampled_from(["单位", "主要负责人", "分管安全负责人"])
kinds = st.sampled_from([k.code for k in VIOLATION_KINDS])
levels = st.sampled_from(["一级", "二级", "三级", "无"])


@st.composite
def violations(draw: st.DrawFn, rid: int = 0) -> model.Violation:
    return model.Violation(
        unit_id=1,
        kind=draw(kinds),
        occurred_on=draw(days),
        subject=draw(subjects),
        id=rid or draw(st.integers(1000, 9999)),
    )


@st.composite
def accidents(draw: st.DrawFn, rid: int = 0) -> model.Accident:
    return model.Accident(
        unit_id=1,
        occurred_on=draw(days),
        grade="",
        responsible=draw(st.sampled_from(["是", "是", "否", "待定"])),
        deaths=draw(st.sampled_from([0, 0, 1, 2, 3, 10, 30])),
        serious_injuries=draw(st.sampled_from([0, 1, 10, 50])),
        loss_wan=draw(st.sampled_from([0.0, 10.0, 1000.0, 5000.0])),
        id=rid or draw(st.integers(1000, 9999)),
    )


@st.composite
def penalties(draw: st.DrawFn, rid: int = 0) -> model.Penalty:
    number = rid or draw(st.integers(1000, 9999))
    return model.Penalty(
        unit_id=1,
        doc_no=f"测应急罚〔2025〕{number}号",
        decided_on=draw(days),
        department=draw(st.sampled_from(["应急管理部门", "其他部门"])),
        id=number,
    )


@st.composite
def honours(draw: st.DrawFn) -> model.Honour:
    return model.Honour(
        unit_id=1,
        honoured_on=draw(days),
        level=draw(st.sampled_from(["县级", "市级", "省级", "国家级"])),
        type=draw(st.sampled_from(["先进单位", "通报表扬", "典型宣传"])),
    )


@st.composite
def units(draw: st.DrawFn) -> tuple[model.Unit, list[Any]]:
    """A unit with a standardization level, commitments, honours, joint punishments and
    a few violations, accidents and penalties (ids unique)."""
    level = draw(levels)
    u = model.Unit(
        uscc="91433123MA4L000001",
        name="测试有限公司",
        category="危险化学品",
        std_level=level,
        std_awarded_on=draw(st.none() | days),
        std_valid_until=draw(st.none() | days),
        id=1,
    )
    records: list[Any] = []
    for _ in range(draw(st.integers(0, 2))):
        records.append(
            model.Commitment(
                unit_id=1,
                type=draw(st.sampled_from([t.value for t in CommitmentType])),
                signed_on=draw(days),
                withdrawn_on=draw(st.none() | days),
            )
        )
    records += draw(st.lists(honours(), max_size=3, unique_by=lambda h: (h.honoured_on, h.type)))
    for _ in range(draw(st.integers(0, 1))):
        start = draw(days)
        records.append(
            model.JointPunishment(1, "县市场监管局", start, draw(st.none() | st.dates(start, END)))
        )
    rid = 1
    for make, most in ((violations, 3), (accidents, 2), (penalties, 2)):
        for _ in range(draw(st.integers(0, most))):
            records.append(draw(make(rid)))
            rid += 1
    repairable = [
        r for r in records if isinstance(r, model.Violation | model.Accident | model.Penalty)
    ]
    if repairable and draw(st.booleans()):
        target = draw(st.sampled_from(repairable))
        day = target.occurred_on if hasattr(target, "occurred_on") else target.decided_on
        approved = draw(st.dates(day + timedelta(days=365), END + timedelta(days=400)))
        kind = {"Violation": "失信行为", "Accident": "生产安全事故", "Penalty": "行政处罚"}
        field = {"Violation": "violation_id", "Accident": "accident_id", "Penalty": "penalty_id"}
        name = type(target).__name__
        records.append(model.Repair(1, kind[name], approved, **{field[name]: target.id}))
    return u, records


def grade_of(name: str, u: model.Unit, records: list[Any], as_of: date) -> GradeResult:
    return Grader(profile(name), as_of).grade(build_facts(u, records))


# ---------------------------------------------------------------- monotone in bad records


@FAST
@given(
    name=st.sampled_from(PROFILES),
    base=units(),
    extra=st.one_of(violations(rid=90), accidents(rid=91), penalties(rid=92)),
    as_of=st.dates(date(2022, 1, 1), END),
)
def test_adding_a_violation_accident_or_penalty_never_improves_a_grade(
    name: str, base: tuple[model.Unit, list[Any]], extra: Any, as_of: date
) -> None:
    u, records = base
    before = grade_of(name, u, records, as_of).grade
    after = grade_of(name, u, [*records, extra], as_of).grade
    assert RANK[after] >= RANK[before]


# ---------------------------------------------------------------- time heals


@FAST
@given(name=st.sampled_from(PROFILES), base=units(), as_of=st.dates(date(2022, 1, 1), END))
def test_past_every_window_a_unit_returns_to_its_clean_grade(
    name: str, base: tuple[model.Unit, list[Any]], as_of: date
) -> None:
    u, records = base
    # no lapses of its own: a standardization level and commitments that last
    u.std_valid_until = None
    u.std_awarded_on = None
    kept = [r for r in records if not isinstance(r, model.Honour | model.JointPunishment)]
    for r in kept:
        if isinstance(r, model.Commitment):
            r.withdrawn_on = None
    kept = [r for r in kept if _dated(r) <= as_of]  # what T sees
    bad = (model.Violation, model.Accident, model.Penalty, model.Repair)
    clean = [r for r in kept if not isinstance(r, bad)]
    later = as_of + timedelta(days=31 * (LONGEST_MONTHS + 1))
    clean_grade = grade_of(name, u, clean, later).grade
    assert grade_of(name, u, kept, later).grade == clean_grade
    # following next_change from T arrives there, each step as announced
    day = as_of
    result = grade_of(name, u, kept, day)
    for _ in range(30):
        if result.next_change is None:
            break
        step = result.next_change
        assert step.day > day
        assert grade_of(name, u, kept, step.day - timedelta(days=1)).grade == result.grade
        result = grade_of(name, u, kept, step.day)
        assert result.grade == step.grade
        day = step.day
    assert result.next_change is None
    assert result.grade == clean_grade


@FAST
@given(
    name=st.sampled_from(PROFILES),
    base=units(),
    as_of=st.dates(date(2022, 1, 1), END),
    probe=st.integers(1, 4000),
)
def test_the_grade_holds_until_next_change(
    name: str, base: tuple[model.Unit, list[Any]], as_of: date, probe: int
) -> None:
    u, records = base
    result = grade_of(name, u, records, as_of)
    day = as_of + timedelta(days=probe)
    # records dated after T are not seen from T: leave them out of the later grading
    seen = [r for r in records if _dated(r) <= as_of]
    u = _seen_unit(u, as_of)
    if result.next_change is None or day < result.next_change.day:
        assert grade_of(name, u, seen, day).grade == result.grade
    else:
        assert grade_of(name, u, seen, result.next_change.day).grade == result.next_change.grade


_THEN = re.compile(r"^(\d{4}-\d{2}-\d{2}) 起.*，届时可评为(.+)$")


@FAST
@given(name=st.sampled_from(PROFILES), base=units(), as_of=st.dates(date(2022, 1, 1), END))
def test_improve_tells_the_truth(
    name: str, base: tuple[model.Unit, list[Any]], as_of: date
) -> None:
    u, records = base
    result = grade_of(name, u, records, as_of)
    labels = {profile(name).label(g): g for g in GRADE_LETTERS}
    if result.grade == "A":
        assert result.improve == ()
    seen = [r for r in records if _dated(r) <= as_of]
    u = _seen_unit(u, as_of)
    for sentence in result.improve:
        found = _THEN.match(sentence)
        if found:
            then = grade_of(name, u, seen, date.fromisoformat(found[1]))
            assert then.grade == labels[found[2]], sentence
            assert RANK[then.grade] < RANK[result.grade]
        elif sentence.startswith(("签署", "取得", "复评保持")) and "届时" not in sentence:
            target = labels[sentence.rsplit("后可评为", 1)[1]]
            assert RANK[target] < RANK[result.grade]
            fixed = list(seen)
            if "签署" in sentence:
                fixed.append(model.Commitment(1, "单位承诺", as_of))
            # obtaining a level, or renewing the (expired) level the unit holds (Revision 2)
            level = re.search(r"(?:取得|复评保持安全生产标准化)(一级|二级|三级)", sentence)
            v = u
            if level:
                v = model.Unit(u.uscc, u.name, u.category, std_level=level[1], id=1)
            assert grade_of(name, v, fixed, as_of).grade == target, sentence


# ---------------------------------------------------------------- purity


def _seen_unit(u: model.Unit, as_of: date) -> model.Unit:
    """The unit as T sees it: a level awarded after T is not there yet."""
    if u.std_awarded_on is not None and u.std_awarded_on > as_of:
        return model.Unit(u.uscc, u.name, u.category, std_level="无", id=u.id)
    return u


def _dated(record: Any) -> date:
    for field in ("occurred_on", "decided_on", "signed_on", "honoured_on", "starts_on"):
        if hasattr(record, field):
            value: date = getattr(record, field)
            return value
    return date.min  # a repair belongs to its record


@FAST
@given(
    name=st.sampled_from(PROFILES),
    base=units(),
    extra=st.one_of(violations(rid=90), accidents(rid=91), penalties(rid=92), honours()),
    as_of=st.dates(date(2022, 1, 1), date(2027, 6, 30)),
    after=st.integers(1, 1000),
    seed=st.randoms(use_true_random=False),
)
def test_records_after_t_and_record_order_change_nothing(
    name: str,
    base: tuple[model.Unit, list[Any]],
    extra: Any,
    as_of: date,
    after: int,
    seed: Any,
) -> None:
    u, records = base
    result = grade_of(name, u, records, as_of)
    later = as_of + timedelta(days=after)
    for field in ("occurred_on", "decided_on", "honoured_on"):
        if hasattr(extra, field):
            setattr(extra, field, later)
    assert grade_of(name, u, [*records, extra], as_of) == result
    shuffled = list(records)
    seed.shuffle(shuffled)
    assert grade_of(name, u, shuffled, as_of) == result


@settings(max_examples=300, deadline=None)
@given(
    day=st.dates(date(2000, 1, 1), date(2040, 12, 31)),
    months=st.sampled_from([1, 6, 11, 12, 24, 36, 60]),
    last_year=st.booleans(),
)
def test_a_record_leaves_its_window_on_the_first_day_it_is_not_within(
    day: date, months: int, last_year: bool
) -> None:
    window = (
        Window(WindowKind.LAST_YEAR_OR_SINCE) if last_year else Window(WindowKind.MONTHS, months)
    )
    leaves = leaves_window_on(day, window)
    assert window.contains(day, leaves - timedelta(days=1))
    assert not window.contains(day, leaves)
    assert first_counted_day(leaves - timedelta(days=1), window) <= day
    assert first_counted_day(leaves, window) > day
