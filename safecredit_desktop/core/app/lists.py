"""红名单 and the profile's list: proposal, 告知, 审核, 公布, 移出."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

from safecredit_desktop.core.app import files
from safecredit_desktop.core.app.part import Part
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.workflows import lists as _lists


class ListsPart(Part):
    """红名单 and the profile's list: proposal, 告知, 审核, 公布, 移出."""

    def allowed_actions(self, entry: _lists.ListEntry) -> set[_lists.ListAction]:
        """What this user may do to ``entry`` now (the window's buttons)."""
        session = self._session
        refused = _lists.publication_refused(session.profile) is not None
        return _lists.allowed_actions(entry, session.roles, publication_refused=refused)

    def require_action(self, entry_id: int, action: _lists.ListAction) -> None:
        """Refuse ``action`` on the entry unless allowed_actions has it (the CLI)."""
        session = self._session
        refused = _lists.publication_refused(session.profile)
        self._require_action(
            _lists.get(session.db, entry_id),
            action,
            partial(_lists.allowed_actions, publication_refused=refused is not None),
            partial(_lists.refusal, publication_refused=refused),
        )

    def kinds(self) -> tuple[str, ...]:
        """红名单 and this profile's list of the seriously dishonest (黑名单 / 严重失信主体名单)."""
        session = self._session
        return _lists.list_kinds(session.profile)

    def expire(self, *, today: date | None = None) -> list[int]:
        """Move published entries whose period has ended to 移出 (期满); runs whenever lists
        are read, so nothing stays listed past its end."""
        session = self._session
        return _lists.expire(session.db, files._today(today))

    def entries(
        self,
        *,
        list_kind: str | None = None,
        stage: str | None = None,
        unit_id: int | None = None,
        search: str = "",
        active_only: bool = False,
        today: date | None = None,
    ) -> list[_lists.ListEntry]:
        session = self._session
        session.lists.expire(today=today)
        return _lists.entries(
            session.db,
            list_kind=list_kind,
            stage=stage,
            unit_id=unit_id,
            search=search,
            active_only=active_only,
        )

    def entry(self, entry_id: int) -> _lists.ListEntry:
        session = self._session
        return _lists.get(session.db, entry_id)

    def propose(
        self,
        *,
        as_of: date | None = None,
        today: date | None = None,
        progress: Callable[[float, str], None] | None = None,
    ) -> list[_lists.ListEntry]:
        """采集 from the rules: units graded in the profile's listed grades (and A for the
        red list) with no entry of that list in progress or in force."""
        session = self._session
        from safecredit_desktop.core.grade_facts import grade_all

        day = files._today(today)
        if progress is not None:
            progress(0.1, "正在评定信用等级…")
        results = grade_all(session.db, session.profile, as_of or day)
        created = _lists.propose_from_rules(
            session.db, session.user, session.profile, results, day, as_of=as_of or day
        )
        return [_lists.get(session.db, i) for i in created]

    def add(
        self,
        *,
        unit_id: int,
        list_kind: str,
        facts: str,
        basis: str,
        period_months: int | None = None,
        person_name: str = "",
        person_role: str = "",
        today: date | None = None,
    ) -> _lists.ListEntry:
        """采集 by hand, with the facts and the basis."""
        session = self._session
        entry_id = _lists.add_by_hand(
            session.db,
            session.user,
            session.profile,
            unit_id=unit_id,
            list_kind=list_kind,
            facts=facts,
            basis=basis,
            today=files._today(today),
            period_months=period_months,
            person_name=person_name,
            person_role=person_role,
        )
        return _lists.get(session.db, entry_id)

    def notify(self, entry_id: int, *, served_on: date) -> _lists.ListEntry:
        """告知: the listing notice was served on ``served_on``; the statement period runs."""
        session = self._session
        return _lists.notify(
            session.db,
            session.user,
            session.profile,
            session.schedule.calendar(),
            entry_id,
            served_on,
        )

    def record_statement(self, entry_id: int, text: str) -> _lists.ListEntry:
        """The unit's 陈述申辩, recorded for the reviewer."""
        session = self._session
        return _lists.record_statement(session.db, session.user, entry_id, text)

    def review(
        self, entry_id: int, *, approve: bool, note: str = "", today: date | None = None
    ) -> _lists.ListEntry:
        """审核 (审核员 or 管理员, never the proposer): 待公布 (内部管理 where lists are
        internal), or 不予列入 with a reason."""
        session = self._as_reviewer()
        return _lists.review(
            session.db,
            session.user,
            entry_id,
            approve=approve,
            note=note,
            today=files._today(today),
            profile=session.profile,
        )

    def publish(self, entry_id: int, *, published_on: date) -> _lists.ListEntry:
        """公布 on ``published_on``; the period runs from it. Refused with a sentence where
        the profile's grades and lists are internal (kundulun)."""
        session = self._as_reviewer()
        return _lists.publish(session.db, session.user, entry_id, published_on, session.profile)

    def publication_refused(self) -> str | None:
        """Why 公布 is not possible under this profile (None: it is), for the window."""
        session = self._session
        return _lists.publication_refused(session.profile)

    def remove(self, entry_id: int, *, reason: str, on: date | None = None) -> _lists.ListEntry:
        """移出 by hand with a reason (审核员 or 管理员); early removal goes through an
        application (``repairs.apply`` with the entry)."""
        session = self._as_reviewer()
        _lists.remove(
            session.db,
            session.user,
            entry_id,
            on=files._today(on),
            reason=reason,
            profile=session.profile,
        )
        return _lists.get(session.db, entry_id)

    def export_publication(self, path: Path, *, list_kind: str, today: date | None = None) -> Path:
        """The published entries of a list, for publication (nothing that must not be public)."""
        session = self._session
        from safecredit_desktop.core.exchange import workflow_export

        if list_kind not in session.lists.kinds():
            raise SafeCreditError(f"本局的信用规则没有“{list_kind}”。")
        profile = session.profile
        # internal lists are never published: the entries in force inside the bureau
        stage = _lists.INTERNAL if _lists.publication_refused(profile) else "公布"
        entries = session.lists.entries(list_kind=list_kind, stage=stage, today=today)
        notice = profile.internal_notice if profile.internal_only else None
        written = workflow_export.write_publication(
            path,
            entries,
            list_kind=list_kind,
            bureau_name=session.bureau_name,
            notice=notice,
            today=files._today(today),
            stages=(stage,),
        )
        return self._audit_export(written, {"导出": f"{list_kind}公布名单", "条数": len(entries)})

    def units_in_force(self) -> dict[int, list[str]]:
        """Published lists each unit is on now."""
        session = self._session
        return _lists.in_force(session.db)

    def incentives(self, unit_id: int, *, as_of: date | None = None) -> list[str]:
        """守信激励: for a unit on the red list or graded A, the measures that follow."""
        session = self._session
        day = files._today(as_of)
        on_red = _lists.RED_LIST in _lists.in_force(session.db, [unit_id]).get(unit_id, [])
        try:
            result = session.grading.grade_one(unit_id, as_of=day)
        except SafeCreditError:
            return []  # not yet founded: no grade, no measures
        if not on_red and result.grade != "A":
            return []
        profile = session.profile
        months = profile.interval_for("A", False)
        measures = [f"检查频次：每{months}个月至少检查一次，以“双随机”抽查为主"]
        grade_measures = profile.grades["A"].measures
        if grade_measures:  # the bureau's own words for what follows grade A
            measures += [m for m in grade_measures.rstrip("。").split("；") if m]
        else:
            measures += [
                "在政府采购、招标投标、评先评优、资金扶持等方面优先考虑",
                "行政审批开通绿色通道，可适用告知承诺制",
            ]
        why = "列入红名单" if on_red else f"信用等级为A级（{profile.label('A')}）"
        return [f"{why}，适用以下守信激励措施：", *measures]

    def proposed_for(self, unit_id: int, *, today: date | None = None) -> list[str]:
        """The lists the rules now propose for one unit (after a save moved its grade)
        that it has no entry of in progress or in force: the names of those lists."""
        session = self._session
        day = files._today(today)
        result = session.grading.grade_one(unit_id, as_of=day)
        found = _lists.proposals(session.db, session.profile, [result], day).get(unit_id, [])
        held = {
            e.list_kind
            for e in self.entries(unit_id=unit_id, active_only=True, today=day)
            if not e.person_name
        }
        return [p.list_def.name for p in found if p.list_def.name not in held]

    def propose_unit(self, unit_id: int, *, today: date | None = None) -> list[_lists.ListEntry]:
        """采集 one unit into the lists the rules now propose for it (the new entries)."""
        session = self._session
        day = files._today(today)
        result = session.grading.grade_one(unit_id, as_of=day)
        created = _lists.propose_from_rules(
            session.db, session.user, session.profile, [result], day, as_of=day
        )
        return [_lists.get(session.db, i) for i in created]
