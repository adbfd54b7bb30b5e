"""The register of units (企业台账): search, filters, one unit's page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from safecredit_desktop.core import forms, registry
from safecredit_desktop.core import timeline as _timeline
from safecredit_desktop.core.app.part import Part
from safecredit_desktop.core.scheduling import draw as _draw


class UnitsPart(Part):
    """The register of units (企业台账): search, filters, one unit's page."""

    def count(self) -> int:
        session = self._session
        return int(session.db.conn.execute("SELECT count(*) FROM units").fetchone()[0])

    def timeline(self, unit_id: int) -> list[_timeline.TimelineEntry]:
        """Every record of a unit, newest first, one line each (date, kind, summary, flags)."""
        session = self._session
        return _timeline.unit_timeline(session.db, unit_id)

    def summary(self, unit_id: int) -> _timeline.UnitSummary:
        """Every field of a unit for display, the ID number masked, and its records per kind."""
        session = self._session
        return _timeline.unit_summary(
            session.db, unit_id, high_risk_categories=session.profile.high_risk_categories
        )

    def query(
        self, query: registry.UnitQuery, offset: int, limit: int
    ) -> list[registry.RegistryRow]:
        """One page of the registry for ``query`` (search, filters, sort); live grades as of
        today (brought up to date first when the day turned or the rules changed)."""
        session = self._session
        if offset == 0:
            session.grading.settle_live(quiet=True)
        return registry.fetch_units(
            session.db, query, offset, limit, session.profile.high_risk_categories
        )

    def count_matching(self, query: registry.UnitQuery) -> int:
        session = self._session
        return registry.count_units(session.db, query, session.profile.high_risk_categories)

    def export_registry(
        self, query: registry.UnitQuery, path: Path, *, today: date | None = None
    ) -> Path:
        """The registry's units matching ``query``, in its order, as a workbook."""
        session = self._session
        from safecredit_desktop.core.exchange.registry_export import write_registry

        session.grading.settle_live(today=today, quiet=True)
        return write_registry(
            session.db,
            Path(path),
            query,
            session.profile,
            bureau_name=session.bureau_name,
            today=today or date.today(),
        )

    def filter_choices(self) -> tuple[list[str], list[str], list[str]]:
        """(categories, towns, statuses) present in the registry, for the filter lists."""
        session = self._session
        return registry.filter_choices(session.db)

    def find_by_code(self, uscc: str) -> tuple[int, str] | None:
        """A stored unit by its 统一社会信用代码: (id, name), or None."""
        session = self._session
        return forms.find_unit(session.db, uscc)

    def ids_for_codes(self, text: str) -> list[int]:
        """Unit codes separated by 、 , ， ; or spaces → unit ids (an unknown code is refused)."""
        session = self._session
        return _draw.unit_ids_for_codes(session.db, text)

    def search(self, text: str, limit: int = 200) -> list[tuple[int, str, str]]:
        """(id, code, name) of units matching ``text`` as the registry's search does."""
        session = self._session
        rows = session.units.query(registry.UnitQuery(search=text), 0, limit)
        return [(r.id, r.uscc, r.name) for r in rows]

    def of_grade(self, grade: str, as_of: date, *, assessment: int | None = None) -> list[int]:
        """Ids of the units graded ``grade`` as of ``as_of``, or in the confirmed assessment
        of year ``assessment`` (for batch printing)."""
        session = self._session
        from safecredit_desktop.core.grade_facts import grade_all

        if assessment is not None:
            results = session.grading.assessment_results(assessment)
        else:
            results = list(grade_all(session.db, session.profile, as_of))
        return [r.unit_id for r in results if r.grade == grade]
