"""双随机 draws and the inspector roster."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safecredit_desktop.core import model as _model
from safecredit_desktop.core.app import files
from safecredit_desktop.core.app.part import Part
from safecredit_desktop.core.app.values import (
    DRAW_AVOID_OWN_TOWN,
)
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.rules.result import GradeResult as _GradeResult
from safecredit_desktop.core.scheduling import draw as _draw
from safecredit_desktop.core.storage import assessments
from safecredit_desktop.core.storage.settings import get_setting, set_setting

if TYPE_CHECKING:
    from safecredit_desktop.core.app.session import Session


def _draw_basis(session: Session, year: int) -> tuple[list[_GradeResult], str]:
    """The grades a draw of ``year`` uses: the confirmed assessment of the year, else live."""
    if assessments.find(session.db, year) is not None:
        return session.grading.assessment_results(year), f"{year}年度信用评定结果（已确认）"
    as_of = files.assessment_date(year)
    return (
        session.grading.grade(as_of=as_of),
        f"按 {as_of.isoformat()} 的记录评定的信用等级（{year}年度评定尚未确认）",
    )


class DrawsPart(Part):
    """双随机 draws and the inspector roster."""

    def make(
        self,
        *,
        year: int,
        grades: list[str] | None = None,
        category: str | None = None,
        town: str | None = None,
        ratios: dict[str, Any] | None = None,
        seed: str | None = None,
        team_size: int = 2,
        progress: Callable[[float, str], None] | None = None,
    ) -> _draw.DrawDetail:
        """Make and record a 双随机 draw; a blank seed gets a random one (stored)."""
        session = self._session
        if progress is not None:
            progress(0.05, f"正在确定{year}年度的信用等级…")
        graded, basis = _draw_basis(session, year)
        draw_id = _draw.create_draw(
            session.db,
            session.user,
            year=year,
            graded=graded,
            basis=basis,
            filters=_draw.DrawFilters(tuple(grades) if grades else None, category, town),
            ratios=ratios,
            seed=seed,
            team_size=team_size,
            avoid_own_town=get_setting(session.db, DRAW_AVOID_OWN_TOWN) == "是",
            progress=progress,
        )
        return _draw.detail(session.db, draw_id)

    def history(self) -> list[_draw.DrawSummary]:
        session = self._session
        return _draw.list_draws(session.db)

    def detail(self, draw_id: int) -> _draw.DrawDetail:
        session = self._session
        return _draw.detail(session.db, draw_id)

    def verify(self, draw_id: int) -> bool:
        """Re-run the draw from its stored pool, ratios, seed and roster; True when identical."""
        session = self._session
        return _draw.verify(session.db, draw_id)

    def annul(self, draw_id: int, reason: str) -> None:
        """Annul a draw once with a reason (审核员 or 管理员); it is never edited or deleted."""
        session = self._session
        session.require(Role.REVIEWER, Role.ADMIN)
        _draw.annul(session.db, session.user, draw_id, reason)

    def export(self, draw_id: int, path: Path, *, today: date | None = None) -> Path:
        """双随机抽查结果 workbook (also the public notice)."""
        session = self._session
        from safecredit_desktop.core.exchange import draw_export

        found = _draw.detail(session.db, draw_id)
        written = draw_export.write_draw(path, found, bureau_name=session.bureau_name, today=today)
        session.repo.log_event(
            "export", str(written), {"导出": draw_export.DRAW_TITLE, "抽查编号": draw_id}
        )
        return written

    def inspectors(self) -> list[_draw.RosterEntry]:
        """执法人员名录 sorted by 执法证号, each with its conflicts (unit codes)."""
        session = self._session
        return _draw.list_inspectors(session.db)

    def save_inspector(self, inspector: _model.Inspector) -> int:
        session = self._session
        session.require(Role.REVIEWER, Role.ADMIN)
        return _draw.save_inspector(session.repo, inspector)

    def set_conflicts(self, inspector_id: int, unit_ids: list[int]) -> None:
        """Replace an inspector's declared conflicts (回避) with ``unit_ids`` (audited)."""
        session = self._session
        session.require(Role.REVIEWER, Role.ADMIN)
        _draw.set_conflicts(session.db, session.user, inspector_id, unit_ids)

    def set_avoid_own_town(self, on: bool) -> None:
        """The bureau's rule that inspectors stand aside from units of their own town."""
        session = self._session
        session.require(Role.ADMIN)
        set_setting(session.db, session.user, DRAW_AVOID_OWN_TOWN, "是" if on else "否")

    def avoid_own_town(self) -> bool:
        session = self._session
        return get_setting(session.db, DRAW_AVOID_OWN_TOWN) == "是"
