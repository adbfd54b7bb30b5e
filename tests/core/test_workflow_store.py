"""The workflows' shared row reader (core/workflows/store.py): a row with its unit
becomes the workflow's dataclass by the field types, the way each workflow read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import pytest

from safecredit_desktop.core.workflows import store
from safecredit_desktop.core.workflows.objections import Objection, ObjectionStatus


class Colour(StrEnum):
    RED = "红"


@dataclass(frozen=True)
class Sample:
    id: int
    name: str
    colour: Colour
    on: date
    until: date | None
    note: str | None
    parent: int | None


def test_each_column_is_read_as_its_field_type_says() -> None:
    row = {
        "id": "7",
        "name": 12,
        "colour": "红",
        "on": "2026-03-01",
        "until": "",
        "note": None,
        "parent": "3",
    }
    assert store.entry(Sample, row) == Sample(7, "12", Colour.RED, date(2026, 3, 1), None, None, 3)
    later = {**row, "until": date(2026, 4, 1), "note": "x", "parent": None}
    found = store.entry(Sample, later)
    assert (found.until, found.note, found.parent) == (date(2026, 4, 1), "x", None)


def test_an_objection_row_reads_as_before() -> None:
    row = {
        "id": 1,
        "unit_id": 4,
        "uscc": "91433123MAGR5QWQ5H",
        "unit_name": "某公司",
        "target_table": "penalties",
        "target_id": 2,
        "target_text": "处罚 X 2022-06-01",
        "filed_on": "2026-11-02",
        "filed_by": "甲",
        "content": "不服",
        "evidence": "",
        "status": "已受理",
        "accepted_on": "2026-11-03",
        "due_on": "2026-12-01",
        "refused_reason": "",
        "investigator": None,
        "findings": "",
        "outcome": None,
        "answered_on": None,
    }
    found = store.entry(Objection, row)
    assert found.status is ObjectionStatus.ACCEPTED
    assert (found.filed_on, found.accepted_on, found.answered_on) == (
        date(2026, 11, 2),
        date(2026, 11, 3),
        None,
    )
    assert (found.investigator, found.outcome, found.target_kind) == (None, None, "行政处罚")


def test_a_field_type_without_a_reader_is_refused() -> None:
    @dataclass(frozen=True)
    class Odd:
        flag: bool

    with pytest.raises(TypeError):
        store.entry(Odd, {"flag": 1})
