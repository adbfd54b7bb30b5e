"""From a request (kind, units, dates) to the ``Document`` contents to draw."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from safecredit_desktop.core.documents import data, letters, notices, tabular
from safecredit_desktop.core.documents.content import Document
from safecredit_desktop.core.documents.kinds import KIND_BY_NAME
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.rules.listing import Proposal
from safecredit_desktop.core.rules.profile import Profile
from safecredit_desktop.core.rules.result import GradeResult
from safecredit_desktop.core.scheduling.draw import DrawDetail
from safecredit_desktop.core.scheduling.plan import Plan
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.workflows import lists as list_rules


@dataclass(frozen=True)
class DocumentRequest:
    """What to print: ``kind`` and, by what the kind needs, units, a year, a draw…"""

    kind: str
    unit_ids: tuple[int, ...] = ()
    as_of: date | None = None
    assessment: int | None = None
    year: int | None = None
    draw_id: int | None = None
    repair_id: int | None = None
    objection_id: int | None = None
    listing_id: int | None = None


@dataclass(frozen=True)
class Sources:
    """How the builders get computed results (the Session's documents part supplies these)."""

    grades: Callable[[Sequence[int], date, int | None], dict[int, GradeResult]]
    plan: Callable[[int], Plan]
    draw: Callable[[int], DrawDetail]
    listing: Callable[[int], tuple[int, notices.ListingFacts]]  # unit id and the entry
    objection: Callable[[int], tuple[int, notices.ObjectionFacts]]
    disputed: Callable[[int], frozenset[str]]  # records under an open objection, quoted


def check_request(request: DocumentRequest) -> None:
    kind = KIND_BY_NAME.get(request.kind)
    if kind is None:
        names = "、".join(KIND_BY_NAME)
        raise SafeCreditError(f"没有“{request.kind}”这种文书。可用的文书：{names}。")
    if kind.needs == "units" and not request.unit_ids and request.listing_id is None:
        raise SafeCreditError(f"请选择要出具“{kind.name}”的企业。")
    if kind.needs == "year" and request.year is None:
        raise SafeCreditError("请指定检查计划的年度（--year）。")
    if kind.needs == "draw" and request.draw_id is None:
        raise SafeCreditError("请指定双随机抽查的编号（--draw）。")
    if kind.needs == "repair" and request.repair_id is None and request.listing_id is None:
        raise SafeCreditError(
            "请指定信用修复申请的编号（--repair，见 repair show）或名单记录的编号（--listing）。"
        )
    if kind.needs == "objection" and request.objection_id is None:
        raise SafeCreditError("请指定异议的编号（--objection）。")
    if request.listing_id is not None and request.kind not in (
        "listing-notice",
        "removal-decision",
    ):
        raise SafeCreditError(
            "--listing 只用于列入告知书（listing-notice）和移出决定书（removal-decision）。"
        )


def build(
    db: Database,
    profile: Profile,
    request: DocumentRequest,
    *,
    bureau: str,
    day: date,
    sources: Sources,
    progress: Callable[[float, str], None] | None = None,
) -> list[Document]:
    """The documents of ``request``, one per unit (in code order) or one in all."""
    check_request(request)
    kind = request.kind
    if kind == "inspection-plan":
        assert request.year is not None
        return [tabular.inspection_plan(sources.plan(request.year), bureau=bureau, day=day)]
    if kind == "draw-notice":
        assert request.draw_id is not None
        found = sources.draw(request.draw_id)
        internal = profile.internal_only
        return [tabular.draw_notice(found, bureau=bureau, day=day, internal=internal)]
    if request.listing_id is not None:
        unit_id, entry = sources.listing(request.listing_id)
        unit, _ = data.units(db, [unit_id])[0]
        make_listing = (
            notices.listing_notice_for_entry
            if kind == "listing-notice"
            else notices.listing_removal_decision
        )
        return [make_listing(unit, entry, profile, bureau=bureau, day=day)]
    if kind == "objection-reply":
        assert request.objection_id is not None
        unit_id, answered = sources.objection(request.objection_id)
        unit, _ = data.units(db, [unit_id])[0]
        return [notices.objection_reply(unit, answered, profile, bureau=bureau, day=day)]
    if kind == "removal-decision":
        assert request.repair_id is not None
        decided = data.repair_decision(db, request.repair_id)
        unit, _ = data.units(db, [decided.unit_id])[0]
        if decided.list_entry is not None:  # 提前移出: the decision removing the entry
            _, entry = sources.listing(decided.list_entry)
            return [notices.listing_removal_decision(unit, entry, profile, bureau=bureau, day=day)]
        after = sources.grades([unit.id], day, None).get(unit.id)
        facts = notices.RepairFacts(
            decided.application_id,
            decided.target_kind,
            decided.record,
            decided.applied_on,
            decided.approved_on,
            after,
        )
        return [notices.removal_decision(unit, facts, profile, bureau=bureau, day=day)]

    units = data.units(db, request.unit_ids)
    if kind in ("commitment", "duty-commitment"):
        make = letters.commitment if kind == "commitment" else letters.duty_commitment
        return [make(unit, bureau=bureau, day=day) for unit, _ in units]

    as_of = request.as_of or day
    if progress is not None:
        progress(0.1, f"正在评定 {len(units):,} 家企业的信用等级…")
    results = sources.grades([u.id for u, _ in units], as_of, request.assessment)
    listed = (
        _dishonest_proposals(db, profile, list(results.values()), as_of)
        if kind == "listing-notice"
        else {}
    )
    documents = []
    for unit, marked in units:
        result = results.get(unit.id)
        if result is None:
            raise SafeCreditError(
                f"{unit.name}（{unit.uscc}）没有{request.assessment}年度的确认评定结果。"
            )
        high_risk = profile.is_high_risk(unit.category, marked)
        if kind == "grade-notice":
            documents.append(
                notices.grade_notice(
                    unit,
                    result,
                    profile,
                    bureau=bureau,
                    day=day,
                    high_risk=high_risk,
                    assessment_year=request.assessment,
                    open_objections=sources.disputed(unit.id),
                )
            )
        else:  # listing-notice
            proposal = listed.get(unit.id)
            if proposal is None:
                raise SafeCreditError(
                    f"{unit.name}（{unit.uscc}）的信用等级为{result.grade}级（{result.label}），"
                    f"截至{as_of.isoformat()}不符合列入{profile.list_name}的条件。"
                )
            documents.append(
                notices.listing_notice(
                    unit,
                    proposal.grounds,
                    proposal.period_months,
                    profile,
                    as_of=result.as_of or as_of,
                    bureau=bureau,
                    day=day,
                )
            )
    return documents


def _dishonest_proposals(
    db: Database, profile: Profile, results: Sequence[GradeResult], as_of: date
) -> dict[int, Proposal]:
    """Unit id → the rules' proposal for the profile's list of the seriously dishonest at
    ``as_of``: the list's own grounds (grading.md Revision 2 item 7), not a grade alone."""
    dishonest = profile.dishonest_list
    if dishonest is None:
        raise SafeCreditError("本局的信用规则没有失信名单，不能出具列入告知书。")
    found = list_rules.proposals(db, profile, results, as_of)
    return {
        unit_id: proposal
        for unit_id, made in found.items()
        for proposal in made
        if proposal.list_def.name == dishonest.name
    }
