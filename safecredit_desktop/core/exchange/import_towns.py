"""The towns an import brings that no stored unit has yet (issue 18): an import takes any
所在乡镇 as written — a city bureau holds other counties' towns — and its summary names
the new ones, so that a misspelt town is seen the day it comes in. Known are the towns of
stored units and the county's own list (设置 → 乡镇, 本县乡镇)."""

from __future__ import annotations

from collections.abc import Iterable

from safecredit_desktop.core.exchange.plans import ADD, UPDATE, ImportPlan, PlannedRow
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.settings import COUNTY_TOWNS, get_setting


def new_towns(db: Database, plan: ImportPlan) -> tuple[str, ...]:
    """所在乡镇 of the units the plan adds or updates that no stored unit has, sorted."""
    towns = planned_towns(r for s in plan.sheets if s.spec.table == "units" for r in s.rows)
    if not towns:
        return ()
    return tuple(sorted(towns - known_towns(db)))


def planned_towns(unit_rows: Iterable[PlannedRow]) -> set[str]:
    """所在乡镇 of the planned 企业信息 rows that add or update a unit."""
    return {r.record.town for r in unit_rows if r.action in (ADD, UPDATE) and r.record.town}


def known_towns(db: Database) -> set[str]:
    """The towns of stored units and the county's own list."""
    known = {str(row[0]) for row in db.conn.execute("SELECT DISTINCT town FROM units")}
    known.update(t for t in get_setting(db, COUNTY_TOWNS).split("、") if t)
    return known
