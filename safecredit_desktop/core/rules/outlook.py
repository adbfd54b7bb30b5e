"""The last stage of grading: the outlook of one evaluated state (issue 17's split of
``rules/`` by stage: compile (``compile.py``) → evaluate (``engine.py``) → outlook).

- 信用保持提示 (``keep``): for a unit at the top grade, the conditions that lapse on a
  known date, each with what must happen by then, then those that must keep holding.
- The way back (``improve``): for a lower grade, each record (or punishment, or list
  entry) whose leaving may raise the grade, with the date it leaves and the grade then,
  and the steps the unit can take itself (a commitment, a standardization level).

Every function reads an evaluation (``engine._Evaluation``) and its grader's caches; the
sentences come from ``explain.py``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from safecredit_desktop.core.rules import explain
from safecredit_desktop.core.rules.compile import (
    _ACC,
    _COM,
    _DAY,
    _HON,
    _JP,
    _LS,
    _NOUN,
    _PEN,
    _RANK,
    _STD,
    _Fix,
    _std_rank,
)
from safecredit_desktop.core.rules.facts import JointPunishmentFact, ListingFact

if TYPE_CHECKING:
    from safecredit_desktop.core.rules.engine import _Evaluation

# ---------------------------------------------------------------- what keeps the top grade


def keep(ev: _Evaluation, letter: str) -> tuple[str, ...]:
    """信用保持提示: the conditions of ``letter`` (the top grade, held at T) that lapse
    on a known date — by date, each with what must happen by then — and then those
    that must keep holding. Never a lower grade to come."""
    found = next(((every, idxs) for g, every, idxs in ev.comp.order if g == letter), None)
    if found is None:
        return ()  # the top grade is the fallback: nothing of its own to keep
    every, idxs = found
    as_of = ev.as_of
    held = ev.verdicts(as_of)
    target = f"{letter}级（{ev.g._labels[letter]}）"
    lapsing: list[tuple[date, str]] = []
    steady: list[str] = []
    for i in idxs:
        if not held[i]:
            continue
        lapse = next((d for d in ev.end_days if not ev.verdicts(d)[i]), None)
        c = ev.comp.crits[i].c
        if lapse is None:
            steady.append(c.text.rstrip("。"))
        else:
            lapsing.append((lapse, f"{_renewal(ev, i, lapse)}，方可继续评为{target}"))
        if not every:
            break  # one holding criterion of an "any" grade is what keeps it
    result = [text for _day, text in sorted(lapsing)]
    if steady:
        head = "其余条件需继续保持" if lapsing else f"需继续保持以下条件，方可继续评为{target}"
        result.append(f"{head}：{'；'.join(steady)}")
    return tuple(result)


def _renewal(ev: _Evaluation, i: int, lapse: date) -> str:
    """What must happen before ``lapse`` for criterion i to keep holding."""
    cr = ev.comp.crits[i]
    c = cr.c
    if cr.kind == _HON:
        what = explain.honour_wanted(c.honour_levels, c.honour_types)
        if c.consecutive_years is not None:
            return f"{lapse.year - c.latest_year_offset_max}年需再次获得{what}"
        return f"{lapse.isoformat()}前需再次获得{what}"
    if cr.kind == _STD and ev.st.std is not None:
        level, valid, _raw = ev.st.std
        lowest = max(cr.levels, key=_std_rank) if cr.levels else level
        return (
            f"安全生产标准化{level}有效期至{valid.isoformat() if valid else '—'}，"
            f"需在期满前复评并保持{explain.level_or_better(lowest)}"
        )
    if cr.kind == _COM:
        return f"安全生产承诺书{lapse.isoformat()}起撤回，需重新{explain.COMMITMENT_FIX}"
    return f"{lapse.isoformat()}起不再满足“{c.text.rstrip('。')}”，需在此前重新满足"


# ---------------------------------------------------------------- the way back


def obstacles(ev: _Evaluation, letter: str, deciding: list[int]) -> list[tuple[int, Any, bool]]:
    """(criterion, record, behind a reason) pairs whose leaving may raise the grade."""
    as_of = ev.as_of
    crits = ev.comp.crits
    pairs: list[tuple[int, Any, bool]] = []
    for i in deciding:
        kind = crits[i].kind
        if kind <= _HON:
            live = ev.live(i, as_of)
            blocking = ev.counted(i, live) if crits[i].some else live
            pairs += [(i, r, True) for r in blocking]
        elif kind == _JP:
            pairs += [(i, j, True) for j in ev.st.jp]
        elif kind == _LS:
            pairs += [(i, entry, True) for entry in ev.listed(i, as_of)]
    verdicts = ev.verdicts(as_of)
    for i, kind in ev.comp.blockers[letter]:
        if verdicts[i] or i in deciding:
            continue
        if kind <= _HON:
            pairs += [(i, r, False) for r in ev.live(i, as_of)]
        elif kind == _JP:
            pairs += [(i, j, False) for j in ev.st.jp]
    return pairs


def improve(ev: _Evaluation, letter: str, deciding: list[int]) -> tuple[str, ...]:
    items: dict[tuple[date, Any], tuple[int, bool]] = {}
    for i, record, behind in obstacles(ev, letter, deciding):
        if isinstance(record, JointPunishmentFact):
            if record.ends_on is None:
                continue
            day = record.ends_on + _DAY
        elif isinstance(record, ListingFact):
            if record.end is None:
                continue
            day = record.end
        else:
            day = ev.leaves(i, record)
        key = (day, record)
        if key not in items or (behind and not items[key][1]):
            items[key] = (i, behind)
    single = len({record for _day, record in items}) == 1
    result: list[str] = []
    ordered = sorted(items.items(), key=_item_order) if len(items) > 1 else items.items()
    tails = ev.g._tails
    for (day, record), (i, behind) in ordered:
        # the tail depends on the grades at day and the day before and on the steps
        # open at day: on the plan, the verdicts there, the commitment and the level
        here = ev.stretch(day)
        seen = (
            ev._plan_id,
            letter,
            ev.verdicts(here),
            ev.verdicts(ev.stretch(day - _DAY)),
            ev.committed(here),
            ev.level_at(here),
            ev.held_level(here),
        )
        tail = tails.get(seen)
        if tail is None:
            tail = tails[seen] = _tail(ev, letter, day)
        if tail or behind:
            what = _leaving(ev, i, record, day, single=single)
            result.append(f"{day.isoformat()} 起{what}{tail}")
    as_of = ev.as_of
    now = (
        ev._plan_id,
        letter,
        ev.verdicts(as_of),
        ev.committed(as_of),
        ev.level_at(as_of),
        ev.held_level(as_of),
    )
    steps = ev.g._steps.get(now)
    if steps is None:
        steps = ev.g._steps[now] = _steps(ev, letter)
    if steps:
        result += steps
    return tuple(dict.fromkeys(result))


def _tail(ev: _Evaluation, letter: str, day: date) -> str:
    """``，届时可评为…`` or ``，届时<step>后可评为…`` for something leaving on ``day``."""
    labels = ev.g._labels
    then = ev.grade_at(day)
    if _better(then, letter) and _better(then, ev.grade_at(day - _DAY)):
        return f"，届时可评为{labels[then]}"
    best: tuple[_Fix, str] | None = None
    floor = then if _better(then, letter) else letter
    for fix in ev.fixes(day):
        fixed = ev.grade_at(day, fix)
        if _better(fixed, floor) and (best is None or _better(fixed, best[1])):
            best = (fix, fixed)
    if best is not None:
        return f"，届时{best[0].describe(ev.held_level(day))}后可评为{labels[best[1]]}"
    return ""


def _steps(ev: _Evaluation, letter: str) -> tuple[str, ...]:
    """The steps the unit can take now, each with the better grade it gives."""
    labels = ev.g._labels
    as_of = ev.as_of
    result = []
    reached = letter
    for fix in ev.fixes(as_of):
        fixed = ev.grade_at(as_of, fix)
        if _better(fixed, reached):
            result.append(f"{fix.describe(ev.held_level(as_of))}后可评为{labels[fixed]}")
            reached = fixed
    return tuple(result)


def _leaving(ev: _Evaluation, i: int, record: Any, day: date, *, single: bool) -> str:
    cr = ev.comp.crits[i]
    if isinstance(record, JointPunishmentFact):
        return f"联合惩戒（{record.department}）期满"
    if isinstance(record, ListingFact):
        if record.removed_on is not None and record.removed_on == record.end:
            return f"移出{record.list_kind}"
        return f"{record.list_kind}管理期满"
    noun = _NOUN[cr.kind]
    which = "" if single else f"（{_identify(cr.kind, record)}）"
    repaired = getattr(record, "repaired_on", None)
    if repaired is not None and repaired <= day:
        if (i, record.id) in ev.released:
            return f"该{noun}{which}随名单移出不再计入{cr.c.grade}级条件"
        return f"该{noun}{which}经信用修复不再计入"
    return f"该{noun}{which}不再计入{cr.span}"


def _item_order(item: tuple[tuple[date, Any], tuple[int, bool]]) -> tuple[date, int, str]:
    (day, record), (i, _behind) = item
    return (day, i, repr(record))


def _identify(kind: int, record: Any) -> str:
    if kind == _PEN:
        return str(record.doc_no)
    if kind == _ACC and record.accident_no:
        return f"{record.day.isoformat()} {record.accident_no}"
    return str(record.day.isoformat())


def _better(a: str, b: str) -> bool:
    return _RANK[a] < _RANK[b]
