"""The stored live grades (core/grade_cache.py) equal a fresh grade of every unit after
any sequence of writes and turns of the day (hypothesis, derandomized, pinned examples),
and only the units a write touches are graded again."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import checkpoint_wal, copy_location
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from safecredit_desktop.core import app as core
from safecredit_desktop.core import grade_cache, model
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.grade_facts import grade_all
from safecredit_desktop.core.rules import engine
from safecredit_desktop.core.storage import dialect
from safecredit_desktop.core.storage.migrations import latest_version

D0 = date(2026, 3, 15)  # the day the base database is filled and settled for
PROFILES = ("fenghuang", "suizhou", "kundulun")


def stored_rows(session: core.Session) -> dict[int, tuple[Any, ...]]:
    return {
        int(r[0]): tuple(r[1:])
        for r in session.db.conn.execute(
            "SELECT unit_id, grade, label, tier, reasons, as_of, next_change, next_grade,"
            " recheck_on FROM unit_grades"
        )
    }


def settled_day(session: core.Session) -> date:
    row = session.db.conn.execute("SELECT settled_on FROM unit_grades_state").fetchone()
    return date.fromisoformat(row[0])


def assert_cache_is_fresh(session: core.Session) -> None:
    """Every unit's row is what grading it now (as of the settled day) gives, no unit is
    left stale, and no row is due for a look on that day."""
    day = settled_day(session)
    conn = session.db.conn
    assert conn.execute("SELECT count(*) FROM unit_grades_stale").fetchone()[0] == 0
    fresh = {
        r.unit_id: (
            r.grade,
            r.label,
            r.tier,
            ",".join(reason.code for reason in r.reasons),
            None if r.next_change is None else r.next_change.day.isoformat(),
            None if r.next_change is None else r.next_change.grade,
        )
        for r in grade_all(session.db, session.profile, day)
    }
    stored = stored_rows(session)
    assert {u: (*row[:4], *row[5:7]) for u, row in stored.items()} == fresh
    for row in stored.values():
        as_of, recheck = date.fromisoformat(row[4]), row[7]
        assert as_of <= day
        assert recheck is None or date.fromisoformat(recheck) > day


def _base(module_new_db: Any, profile: str) -> Any:
    path = module_new_db(f"base-{profile}.db")
    session = core.init_database(path, profile=profile, bureau_name="测试县应急管理局", user="测试")
    try:
        core.fill_demo(session, enterprises=14, seed=7, today=D0)
        session.grading.settle_live(today=D0)
    finally:
        session.close()
    checkpoint_wal(path)
    return path


@pytest.fixture(scope="module")
def bases(module_new_db: Any) -> dict[str, Any]:
    return {profile: _base(module_new_db, profile) for profile in PROFILES}


@pytest.fixture
def fresh_copy(
    tmp_path: Path, bases: dict[str, Any], request: pytest.FixtureRequest
) -> Iterator[Any]:
    made: list[core.Session] = []
    counter = iter(range(1_000_000))

    def open_copy(profile: str) -> core.Session:
        target = copy_location(request, bases[profile], tmp_path, f"copy-{next(counter)}.db")
        session = core.open_session(target, user="测试")
        made.append(session)
        return session

    yield open_copy
    for session in made:
        session.close()


# -- the writes ----------------------------------------------------------------------------

KINDS = ("accidents", "violations", "penalties", "commitments", "honours", "joint_punishments")
VIOLATION_CODES = tuple(k.code for k in model.VIOLATION_KINDS[:6])

add_op = st.tuples(
    st.just("add"),
    st.sampled_from(KINDS),
    st.integers(0, 40),  # unit (by position, modulo the count)
    st.integers(-1100, 40),  # days from the settled day (a few in the future)
    st.integers(0, 5),  # variant
)
edit_op = st.tuples(st.just("edit"), st.integers(0, 40), st.integers(0, 5), st.integers(-900, 30))
delete_op = st.tuples(st.just("delete"), st.sampled_from(KINDS), st.integers(0, 10_000))
repair_op = st.tuples(st.just("repair"), st.integers(0, 10_000), st.integers(0, 60))
revoke_op = st.tuples(st.just("revoke"), st.integers(0, 10_000))
day_op = st.tuples(st.just("day"), st.sampled_from((1, 2, 30, 92, 200, 366, 400)))
unit_op = st.tuples(st.just("unit"), st.integers(0, 1))
OPS = st.lists(
    st.one_of(
        add_op, edit_op, delete_op, repair_op, revoke_op, day_op, unit_op, st.just(("undo",))
    ),
    min_size=1,
    max_size=14,
)


class Writer:
    """Applies one generated operation through the program's own services."""

    def __init__(self, session: core.Session) -> None:
        self.s = session
        self.serial = 0

    def _unit(self, position: int) -> int:
        ids = [int(r[0]) for r in self.s.db.conn.execute("SELECT id FROM units ORDER BY id")]
        return ids[position % len(ids)]

    def _ids(self, table: str) -> list[int]:
        return [int(r[0]) for r in self.s.db.conn.execute(f"SELECT id FROM {table} ORDER BY id")]

    def apply(self, op: tuple[Any, ...]) -> None:
        day = settled_day(self.s)
        # a refusal (a duplicate, a record still referred to) writes nothing
        with contextlib.suppress(SafeCreditError, sqlite3.IntegrityError):
            getattr(self, f"do_{op[0]}")(day, *op[1:])

    def do_add(self, day: date, kind: str, position: int, offset: int, variant: int) -> None:
        unit_id = self._unit(position)
        when = day + timedelta(days=offset)
        self.serial += 1
        record: Any
        if kind == "accidents":
            record = model.Accident(
                unit_id=unit_id,
                occurred_on=when,
                grade=("一般", "较大")[variant % 2],
                responsible=("是", "否", "待定")[variant % 3],
                deaths=variant % 2,
                accident_no=f"测试{self.serial}",
            )
        elif kind == "violations":
            record = model.Violation(
                unit_id=unit_id, kind=VIOLATION_CODES[variant], occurred_on=when
            )
        elif kind == "penalties":
            record = model.Penalty(
                unit_id=unit_id,
                doc_no=f"测应急罚〔2026〕{self.serial}号",
                decided_on=when,
                department=("应急管理部门", "其他部门")[variant % 2],
            )
        elif kind == "commitments":
            withdrawn = when + timedelta(days=100 * variant) if variant >= 3 else None
            record = model.Commitment(
                unit_id=unit_id, type="单位承诺", signed_on=when, withdrawn_on=withdrawn
            )
        elif kind == "honours":
            record = model.Honour(
                unit_id=unit_id,
                honoured_on=when,
                level=("县级", "市级", "省级")[variant % 3],
                type=("先进单位", "通报表扬")[variant % 2],
            )
        else:
            ends = when + timedelta(days=60 * variant) if variant else None
            record = model.JointPunishment(
                unit_id=unit_id, department="市场监管部门", starts_on=when, ends_on=ends
            )
        self.s.records.save(record)

    def do_edit(self, day: date, position: int, field: int, offset: int) -> None:
        unit = self.s.records.get("units", self._unit(position))
        when = day + timedelta(days=offset)
        if field == 0:
            changed = replace(unit, std_level="二级", std_awarded_on=when, std_valid_until=None)
        elif field == 1:
            changed = replace(unit, std_valid_until=when)
        elif field == 2:
            changed = replace(unit, std_level="无", std_awarded_on=None, std_valid_until=None)
        elif field == 3:
            changed = replace(unit, status=("停产整顿", "正常")[offset % 2])
        elif field == 4:
            changed = replace(unit, category="危险化学品", high_risk=not unit.high_risk)
        else:
            changed = replace(unit, name=unit.name + "分公司")
        self.s.records.save(changed)

    def do_delete(self, _day: date, table: str, pick: int) -> None:
        ids = self._ids(table)
        if ids:
            self.s.records.delete(table, ids[pick % len(ids)])

    def do_repair(self, day: date, pick: int, after: int) -> None:
        free = [
            (int(p), int(u))
            for p, u in self.s.db.conn.execute(
                "SELECT id, unit_id FROM penalties WHERE id NOT IN"
                " (SELECT penalty_id FROM repairs WHERE penalty_id IS NOT NULL) ORDER BY id"
            )
        ]
        if free:
            penalty_id, unit_id = free[pick % len(free)]
            approved = day - timedelta(days=after) if after < 30 else day + timedelta(days=after)
            self.s.records.save(
                model.Repair(
                    unit_id=unit_id,
                    target_kind="行政处罚",
                    approved_on=approved,
                    penalty_id=penalty_id,
                ),
            )

    def do_revoke(self, day: date, pick: int) -> None:
        self.do_delete(day, "repairs", pick)

    def do_day(self, day: date, step: int) -> None:
        self.s.grading.settle_live(today=day + timedelta(days=step))

    def do_unit(self, _day: date, which: int) -> None:
        if which == 0:
            self.serial += 1
            code = f"91433123MA{self.serial:07d}"
            from safecredit_desktop.core.validate import uscc_check_character

            code = code[:17] + uscc_check_character(code[:17])
            self.s.records.save(
                model.Unit(uscc=code, name=f"测试新企业{self.serial}", category="危险化学品"),
            )
        else:  # a unit without records can go
            bare = [
                int(r[0])
                for r in self.s.db.conn.execute(
                    "SELECT id FROM units u WHERE NOT EXISTS (SELECT 1 FROM accidents a"
                    " WHERE a.unit_id = u.id) AND NOT EXISTS (SELECT 1 FROM violations v"
                    " WHERE v.unit_id = u.id) AND NOT EXISTS (SELECT 1 FROM penalties p"
                    " WHERE p.unit_id = u.id) AND NOT EXISTS (SELECT 1 FROM inspections i"
                    " WHERE i.unit_id = u.id) AND NOT EXISTS (SELECT 1 FROM commitments c"
                    " WHERE c.unit_id = u.id) AND NOT EXISTS (SELECT 1 FROM honours h"
                    " WHERE h.unit_id = u.id) AND NOT EXISTS (SELECT 1 FROM joint_punishments j"
                    " WHERE j.unit_id = u.id)"
                )
            ]
            if bare:
                self.s.records.delete("units", bare[0])

    def do_undo(self, _day: date) -> None:
        if self.s.last_save is not None:
            self.s.records.undo()


@settings(
    derandomize=True,
    max_examples=35,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(profile=st.sampled_from(PROFILES), ops=OPS)
@example(profile="fenghuang", ops=[("add", "accidents", 0, -3, 0), ("day", 366), ("undo",)])
@example(
    profile="fenghuang",
    ops=[("add", "violations", 1, 20, 0), ("day", 30), ("repair", 0, 5), ("day", 366)],
)
@example(
    profile="suizhou",
    ops=[("add", "penalties", 2, -300, 0), ("repair", 0, 45), ("day", 92), ("revoke", 0)],
)
@example(
    profile="kundulun",
    ops=[("edit", 3, 0, 10), ("day", 30), ("edit", 3, 1, 40), ("day", 92), ("day", 366)],
)
@example(profile="fenghuang", ops=[("unit", 0), ("add", "honours", 14, -1, 0), ("day", 400)])
@example(profile="suizhou", ops=[("add", "commitments", 5, -5, 4), ("day", 400), ("unit", 1)])
@example(profile="fenghuang", ops=[("add", "joint_punishments", 6, -10, 1), ("day", 92)])
def test_stored_grades_equal_a_fresh_grade_after_any_writes(
    fresh_copy: Any, profile: str, ops: list[tuple[Any, ...]]
) -> None:
    session = fresh_copy(profile)
    assert_cache_is_fresh(session)
    writer = Writer(session)
    for op in ops:
        writer.apply(op)
        assert_cache_is_fresh(session)


# -- what is graded, and when ------------------------------------------------------------


class GradedUnits:
    """Counts the units the engine grades (through the public Grader)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.batches: list[int] = []
        original = engine.Grader.grade_register

        def counting(grader: engine.Grader, register: Any) -> Any:
            results = original(grader, register)
            self.batches.append(len(results))
            return results

        monkeypatch.setattr(engine.Grader, "grade_register", counting)


def test_a_save_grades_only_its_unit_in_its_transaction(
    fresh_copy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = fresh_copy("fenghuang")
    unit_id = int(session.db.conn.execute("SELECT min(id) FROM units").fetchone()[0])
    graded = GradedUnits(monkeypatch)
    session.records.save(
        model.Accident(unit_id=unit_id, occurred_on=D0, grade="较大", responsible="是", deaths=3),
    )
    assert graded.batches == [1]
    assert stored_rows(session)[unit_id][0] == "D"
    assert_cache_is_fresh(session)


def test_a_failed_transaction_leaves_the_rows_as_they_were(fresh_copy: Any) -> None:
    session = fresh_copy("fenghuang")
    before = stored_rows(session)
    unit_id = min(before)
    with pytest.raises(RuntimeError), session.db.transaction():
        session.repo.insert(
            model.Accident(
                unit_id=unit_id, occurred_on=D0, grade="较大", responsible="是", deaths=3
            )
        )
        raise RuntimeError("interrupted")
    assert stored_rows(session) == before
    assert_cache_is_fresh(session)


def test_the_turn_of_a_day_regrades_only_the_units_due(
    fresh_copy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = fresh_copy("fenghuang")
    rows = stored_rows(session)
    soonest = min(date.fromisoformat(r[7]) for r in rows.values() if r[7])
    due = [u for u, r in rows.items() if r[7] and date.fromisoformat(r[7]) <= soonest]
    work = session.grading.live_work(today=soonest)
    assert work == grade_cache.Work(False, len(due))
    graded = GradedUnits(monkeypatch)
    assert session.grading.settle_live(today=soonest) == len(due)
    assert graded.batches == [len(due)]
    assert settled_day(session) == soonest
    assert_cache_is_fresh(session)
    assert session.grading.settle_live(today=soonest, quiet=True) == 0


def test_a_write_before_the_day_is_settled_keeps_the_settled_day(fresh_copy: Any) -> None:
    """A save made after midnight, before the registry looked: its unit is graded as of
    the day every other row holds for; the next settle brings all to the new day."""
    session = fresh_copy("fenghuang")
    unit_id = min(stored_rows(session))
    session.records.save(model.Violation(unit_id=unit_id, kind=VIOLATION_CODES[0], occurred_on=D0))
    assert stored_rows(session)[unit_id][4] == D0.isoformat()
    assert_cache_is_fresh(session)
    session.grading.settle_live(today=D0 + timedelta(days=1))
    assert_cache_is_fresh(session)


def test_other_rules_or_a_clock_gone_back_regrade_every_unit(fresh_copy: Any) -> None:
    session = fresh_copy("fenghuang")
    count = session.units.count()
    assert session.grading.live_work(today=D0 - timedelta(days=1)) == grade_cache.Work(True, count)
    session.db.conn.execute("UPDATE unit_grades_state SET fingerprint = 'older program'")
    assert session.grading.live_work(today=D0) == grade_cache.Work(True, count)
    # a save meanwhile leaves its unit for the whole fill
    unit_id = min(stored_rows(session))
    session.records.save(model.Violation(unit_id=unit_id, kind=VIOLATION_CODES[0], occurred_on=D0))
    assert session.db.conn.execute("SELECT count(*) FROM unit_grades_stale").fetchone()[0] == 1
    assert session.grading.settle_live(today=D0) == count
    assert_cache_is_fresh(session)


def test_an_upgraded_database_is_filled_at_first_opening(tmp_path: Path) -> None:
    from safecredit_desktop.core.paths import install_root

    sample = install_root() / "db" / "samples" / f"v{latest_version() - 1}.db"
    copy = tmp_path / "old.db"
    shutil.copyfile(sample, copy)
    session = core.open_session(copy, user="测试")
    try:
        work = session.grading.live_work()
        assert work.whole and work.units == 40
        assert stored_rows(session) == {}
        session.grading.settle_live()
        assert len(stored_rows(session)) == 40
        assert_cache_is_fresh(session)
    finally:
        session.close()


def test_every_table_grading_reads_marks_its_units_stale(fresh_copy: Any) -> None:
    """The engine's queries (grade_facts.register_queries) name the tables grading reads: each
    must have the triggers that mark a touched unit (a table added to grading without
    them would leave its units' rows stale)."""
    import re

    from safecredit_desktop.core.grade_facts import register_queries

    session = fresh_copy("fenghuang")
    scope = engine.Grader(session.profile, D0).scope()
    everything = scope._replace(  # every kind of record, whatever the profile reads
        **{
            name: True if isinstance(value, bool) else date.min
            for name, value in scope._asdict().items()
            if name != "until"
        }
    )
    read = {m for sql in register_queries(everything) for m in re.findall(r"FROM (\w+)", sql)}
    conn = session.db.conn
    if dialect.is_postgres(conn):
        triggers = {(found[0], name) for name, found in dialect.pg_triggers(conn).items()}
    else:
        triggers = {
            (str(table), str(name))
            for name, table in conn.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'"
            )
        }
    for table in read:
        for event in ("insert", "update", "delete"):
            assert (table, f"{table}_grade_stale_{event}") in triggers, (table, event)


def test_a_list_entry_written_by_a_workflow_step_regrades_its_unit(fresh_copy: Any) -> None:
    """Workflow tables count too (suizhou's D.listed reads published list entries): a
    step that writes one marks its unit, and the unit is graded before the commit."""
    session = fresh_copy("suizhou")
    unit_id = min(stored_rows(session))
    with session.db.transaction() as conn:
        conn.execute("UPDATE list_entries SET statement = statement WHERE unit_id = ?", (unit_id,))
        grade_cache.mark_changed(conn, [unit_id])
        assert conn.execute("SELECT count(*) FROM unit_grades_stale").fetchone()[0] == 1
    assert_cache_is_fresh(session)


def test_an_import_grades_the_units_it_touched_in_one_batch(
    fresh_copy: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two new units and an accident of a stored one: those three are graded, together,
    before the import's transaction commits (the progress says so)."""
    import openpyxl

    from safecredit_desktop.core.validate import uscc_check_character

    session = fresh_copy("fenghuang")
    stored = session.db.conn.execute("SELECT id, uscc FROM units ORDER BY id").fetchone()
    new_codes = [f"91433123MA4L{n:05d}" for n in (1, 2)]
    new_codes = [c + uscc_check_character(c) for c in new_codes]
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    units = wb.create_sheet("企业信息")
    units.append(["统一社会信用代码", "单位名称", "行业类别"])
    for number, code in enumerate(new_codes):
        units.append([code, f"导入测试{number}有限公司", "危险化学品"])
    accidents = wb.create_sheet("生产安全事故")
    accidents.append(["统一社会信用代码", "事故日期", "事故编号", "死亡人数", "责任事故"])
    accidents.append([stored[1], D0.isoformat(), "导入1", 1, "是"])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    before = stored_rows(session)
    graded = GradedUnits(monkeypatch)
    said: list[str] = []
    session.exchange.import_workbook(
        path,
        dry_run=False,
        accept_bad_check=False,
        today=D0,
        progress=lambda _f, text: said.append(text),
    )
    assert graded.batches == [3]
    assert any("信用等级" in text for text in said)
    after = stored_rows(session)
    assert len(after) == len(before) + 2
    assert after[int(stored[0])] != before[int(stored[0])]
    assert {u: r for u, r in after.items() if u in before and u != stored[0]} == {
        u: r for u, r in before.items() if u != stored[0]
    }
    assert_cache_is_fresh(session)


def test_a_whole_register_import_reads_each_table_once(
    bases: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, new_db: Any
) -> None:
    """Every unit of a fresh database imported at once: one batch over the whole register."""
    source = core.open_session(bases["fenghuang"], user="测试")
    book = source.exchange.export_all_data(tmp_path / "all.xlsx", include_id=True, today=D0)
    source.close()
    target = core.init_database(
        new_db("t.db"), profile="fenghuang", bureau_name="测试县应急管理局", user="测试"
    )
    try:
        target.role = model.Role.REVIEWER
        target.grading.settle_live(today=D0)
        graded = GradedUnits(monkeypatch)
        target.exchange.import_workbook(book.path, dry_run=False, accept_bad_check=True, today=D0)
        assert graded.batches == [target.units.count()]
        assert_cache_is_fresh(target)
    finally:
        target.close()
