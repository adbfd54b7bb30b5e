"""不良信用记录 from the database: seed 002 (二)'s eight triggers, flagged where the data
show them (the rules are ``core.rules.bad_records``, from a unit's facts)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from safecredit_desktop.core.grade_facts import iter_facts
from safecredit_desktop.core.rules.bad_records import (
    TRIGGERS,
    VIOLATION_TRIGGER,
    BadRecord,
    of_unit,
)
from safecredit_desktop.core.rules.engine import exists_at
from safecredit_desktop.core.storage.connection import Database

__all__ = ["TRIGGERS", "VIOLATION_TRIGGER", "BadRecord", "bad_records"]


def bad_records(db: Database, as_of: date, unit_id: int | None = None) -> list[BadRecord]:
    """Every flag as of ``as_of`` (for one unit or all), newest first; a unit not yet
    founded at ``as_of`` has none."""
    ids = None if unit_id is None else [unit_id]
    found: list[BadRecord] = []
    for facts in iter_facts(db, unit_ids=ids, inspections=True):
        if exists_at(facts.founded_on, as_of):
            found += [replace(b, uscc=facts.uscc) for b in of_unit(facts, as_of)]
    found.sort(key=lambda b: (b.day, b.trigger), reverse=True)
    return found
