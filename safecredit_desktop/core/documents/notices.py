"""Notices to a unit: grade notice, listing notice, repair decision, objection reply."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from safecredit_desktop.core.documents.content import (
    Block,
    Document,
    Para,
    Signature,
    chinese_date,
)
from safecredit_desktop.core.documents.kinds import basis_title, kind_name
from safecredit_desktop.core.documents.wording import (
    chinese_dates,
    facts_sentences,
    record_sentence,
)
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.rules.profile import Profile
from safecredit_desktop.core.rules.result import GradeResult, Reason

CHINESE_ORDINALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class UnitInfo:
    id: int
    uscc: str
    name: str
    legal_rep: str
    main_person: str
    address: str
    town: str
    category: str

    @property
    def addressee(self) -> str:
        return f"{self.name}（统一社会信用代码：{self.uscc}）："


# How each kind of notice closes, above the bureau's signature.
CLOSINGS = {
    "grade-notice": "特此告知。",
    "listing-notice": "特此告知。",
    "removal-decision": "特此决定。",
    "objection-reply": "特此答复。",
}


def unit_document(
    kind: str,
    unit: UnitInfo,
    blocks: list[Block],
    *,
    bureau: str,
    day: date,
    title: str | None = None,
    **params: object,
) -> Document:
    """A document addressed to ``unit`` (its name and code as the addressee), closed as
    its kind closes and signed by ``bureau`` on ``day``; titled as its kind unless
    ``title`` names it otherwise; ``params`` say what it was made from."""
    return Document(
        kind=kind,
        title=title or kind_name(kind),
        issuer=bureau,
        addressee=unit.addressee,
        blocks=(*blocks, Para(CLOSINGS[kind]), Signature(bureau, day)),
        unit_id=unit.id,
        subject=unit.name,
        params=params,
    )


@dataclass(frozen=True)
class RepairFacts:
    """An approved credit repair (信用修复) application and the record it repaired."""

    application_id: int  # the number ``repair show`` prints
    target_kind: str  # 行政处罚 / 失信行为 / 生产安全事故
    record: str  # the record as quoted on notices
    applied_on: date
    approved_on: date
    grade_after: GradeResult | None


@dataclass(frozen=True)
class ObjectionFacts:
    """An answered objection (异议), as the objection workflow records it."""

    objection_id: int
    filed_on: date
    record: str  # the disputed record as quoted on notices
    content: str
    findings: str
    outcome: str  # 更正 / 删除 / 保留
    investigator: str  # the investigators' names as the bureau writes them (not logins)


@dataclass(frozen=True)
class ListingFacts:
    """A list entry as the listing notice and the removal decision quote it."""

    entry_id: int
    list_kind: str
    subject: str  # the unit, or a person beside it
    facts: str
    basis: str
    period_months: int
    published_on: date | None = None
    removed_on: date | None = None
    removal_reason: str | None = None


def heading(index: int, text: str) -> Para:
    return Para(f"{CHINESE_ORDINALS[index]}、{text}", level=1)


def _sentence(text: str) -> str:
    text = text.rstrip("。；;，, ")
    return text + "。"


def reason_paragraphs(
    result: GradeResult, *, open_objections: frozenset[str] = frozenset()
) -> list[Para]:
    """One numbered paragraph per reason, quoting the records behind it."""
    paras = []
    for number, reason in enumerate(result.reasons, start=1):
        text = f"（{number}）{reason.text.rstrip('。')}"
        if reason.records:
            quoted = []
            for record in reason.records:
                disputed = any(record.startswith(prefix) for prefix in open_objections)
                quoted.append(record + ("（异议中）" if disputed else ""))
            text += "。依据记录：" + "；".join(quoted)
        paras.append(Para(_sentence(text)))
    if not paras:
        paras.append(Para("（1）未发现影响信用等级的记录。"))
    return paras


def supervision_text(result: GradeResult, profile: Profile, high_risk: bool) -> list[Para]:
    months = profile.interval_for(result.grade, high_risk)
    grade_def = profile.grades[result.grade]
    sentence = f"按照上述规定，我局对{result.grade}级（{result.label}）企业"
    if result.tier:
        sentence += f"实行{result.tier}监管，"
    sentence += f"每{months}个月至少执法检查一次"
    if high_risk and months < profile.interval_months[result.grade]:
        sentence += "（你单位属高危行业，按高危行业频次检查）"
    paras = [Para(_sentence(sentence))]
    if grade_def.measures:
        paras.append(Para(_sentence(f"同时采取以下措施：{grade_def.measures}")))
    return paras


def way_back_title(result: GradeResult) -> str:
    """信用保持提示 for the top grade (what keeps it), else 信用提升提示."""
    return "信用保持提示" if result.grade == "A" else "信用提升提示"


def way_back(result: GradeResult, profile: Profile) -> list[Para]:
    """信用提升提示: which records stop counting when, and what the unit can do; for the top
    grade 信用保持提示: what keeps it (grading.md Revision 2 item 8) — a lower grade to
    come is never announced as a promise."""
    if result.grade == "A":
        keep = [Para(_sentence(item)) for item in result.keep]
        return keep or [Para("请继续保持良好的安全生产信用，严格落实安全生产主体责任。")]
    paras = []
    change = result.next_change
    if change is not None and "ABCD".index(change.grade) < "ABCD".index(result.grade):
        paras.append(
            Para(
                f"如不再发生新的失信行为，自{chinese_date(change.day)}起，你单位信用等级将调整为"
                f"{change.grade}级（{profile.label(change.grade)}）。"
            )
        )
    for item in result.improve:
        paras.append(Para(_sentence(item)))
    if not paras:
        if result.grade == profile.evaluation_order[0] or result.grade == "A":
            paras.append(Para("请继续保持良好的安全生产信用，严格落实安全生产主体责任。"))
        else:
            paras.append(
                Para(
                    "目前没有到期即不再计入的记录。请依法整改、履行处罚，满足条件后可申请信用修复。"
                )
            )
    return paras


def objection_paragraph(profile: Profile) -> Para:
    d = profile.deadlines
    return Para(
        f"你单位如对评定结果有异议，可自收到本告知书之日起{d.objection_raise_working_days}"
        f"个工作日内向我局书面提出异议申请，并提供相关证据材料。我局自受理之日起"
        f"{d.objection_answer_working_days}个工作日内作出核查答复。异议核查期间，不影响信用等级的执行。"
    )


def grade_notice(
    unit: UnitInfo,
    result: GradeResult,
    profile: Profile,
    *,
    bureau: str,
    day: date,
    high_risk: bool,
    assessment_year: int | None,
    open_objections: frozenset[str] = frozenset(),
) -> Document:
    as_of = result.as_of or day
    if assessment_year is not None:
        opening = (
            f"根据{basis_title(profile)}，我局组织开展了{assessment_year}年度安全生产信用评定"
            f"（评定基准日{chinese_date(as_of)}）。经评定，你单位安全生产信用等级为"
        )
    else:
        opening = (
            f"根据{basis_title(profile)}，我局依据截至{chinese_date(as_of)}的安全生产信用记录，"
            f"对你单位安全生产信用状况进行了评定。经评定，你单位安全生产信用等级为"
        )
    opening += f"{result.grade}级（{result.label}）。"
    if result.flags:
        opening += "其中" + "、".join(result.flags) + "的记录，待核实后重新评定。"
    blocks: list[Block] = [Para(opening), heading(0, "评定依据")]
    blocks += reason_paragraphs(result, open_objections=open_objections)
    blocks.append(heading(1, "监管措施"))
    blocks += supervision_text(result, profile, high_risk)
    blocks.append(heading(2, way_back_title(result)))
    blocks += way_back(result, profile)
    blocks.append(heading(3, "异议申请"))
    blocks.append(objection_paragraph(profile))
    if profile.internal_only and profile.internal_notice:
        blocks.append(Para(_sentence(f"本告知书所载信用等级{profile.internal_notice}")))
    return unit_document(
        "grade-notice",
        unit,
        blocks,
        bureau=bureau,
        day=day,
        as_of=as_of.isoformat(),
        assessment=assessment_year,
    )


def fact_paragraphs(result: GradeResult) -> list[Para]:
    """The records behind the reasons, each once, as sentences to the unit; the reasons
    themselves where no record stands behind them."""
    return ground_paragraphs(result.reasons)


def ground_paragraphs(reasons: Sequence[Reason]) -> list[Para]:
    """The records behind ``reasons`` (a grade's, or a list's grounds), each once, as
    sentences to the unit; the reasons themselves where no record stands behind them."""
    records = list(dict.fromkeys(rec for reason in reasons for rec in reason.records))
    if records:
        return [Para(record_sentence(r)) for r in records]
    return [Para(_sentence(r.text)) for r in reasons] or [Para("符合列入条件。")]


def listing_period_text(profile: Profile, months: int | None = None) -> str:
    """The period a listing notice states: the managed list's terms (suizhou), the
    entry's own period where known, else the 1/2/3-year rule of seed 002. Under a
    profile whose lists are never published the period runs from 列入 (the review's
    approval), not from 公布."""
    if profile.management is not None:
        m = profile.management
        return (
            f"管理期限为{m.period_months}个月，自公布之日起计算；"
            f"列入满{m.early_removal_months}个月后，已完成整改、履行处罚并作出信用承诺的，"
            f"可以申请提前移出。"
        )
    start = "列入" if profile.internal_only else "公布"
    if months is not None:
        return (
            f"列入期限为{months}个月，自{start}之日起计算。"
            "期满后经复核不再符合列入条件的，予以移出。"
        )
    return (
        f"列入期限为1年，自{start}之日起计算；因发生较大、重大、特别重大生产安全责任事故列入的，"
        "期限分别为1年、2年、3年。期满后经复核不再符合列入条件的，予以移出。"
    )


def listing_notice(
    unit: UnitInfo,
    grounds: Sequence[Reason],
    period_months: int,
    profile: Profile,
    *,
    as_of: date,
    bureau: str,
    day: date,
) -> Document:
    """Notice of the intention to list a unit (告知, before 审核 and 公布), on the grounds
    the profile's list criteria found at ``as_of`` (grading.md Revision 2 item 7)."""
    title = kind_name("listing-notice", profile)
    blocks: list[Block] = [
        Para(
            f"经查，截至{chinese_date(as_of)}，你单位存在下列情形，根据{basis_title(profile)}，"
            f"我局拟将你单位列入安全生产{profile.list_name}。"
        ),
        heading(0, "事实"),
    ]
    blocks += ground_paragraphs(grounds)
    blocks.append(heading(1, "依据"))
    basis = "；".join(g.text.rstrip("。") for g in grounds) or "见上述事实"
    blocks.append(
        Para(
            _sentence(
                f"你单位符合{basis_title(profile)}规定的列入{profile.list_name}的情形：{basis}"
            )
        )
    )
    blocks.append(heading(2, "列入期限"))
    blocks.append(Para(listing_period_text(profile, period_months)))
    blocks.append(heading(3, "陈述申辩"))
    raise_days = profile.deadlines.objection_raise_working_days
    blocks.append(
        Para(
            f"依法你单位享有陈述、申辩的权利。你单位可自收到本告知书之日起{raise_days}个工作日内，"
            f"向我局提出书面陈述、申辩意见，并提供相关证据材料；逾期未提出的，视为放弃陈述、申辩的权利。"
        )
    )
    return unit_document(
        "listing-notice", unit, blocks, bureau=bureau, day=day, title=title, as_of=as_of.isoformat()
    )


def removal_decision(
    unit: UnitInfo, facts: RepairFacts, profile: Profile, *, bureau: str, day: date
) -> Document:
    blocks: list[Block] = [
        Para(
            f"你单位于{chinese_date(facts.applied_on)}向我局提出信用修复申请（第{facts.application_id}号），"
            f"申请修复的{facts.target_kind}记录为：{record_sentence(facts.record)}"
        ),
        Para(
            f"经审核，你单位已按要求完成整改、履行相关义务并作出信用承诺，符合{basis_title(profile)}"
            f"规定的信用修复条件。我局决定：自{chinese_date(facts.approved_on)}起，上述记录不再作为评定"
            "你单位安全生产信用等级的依据。"
        ),
    ]
    if facts.grade_after is not None:
        g = facts.grade_after
        blocks.append(
            Para(
                f"按修复后的记录，截至{chinese_date(g.as_of or day)}，你单位安全生产信用等级为"
                f"{g.grade}级（{g.label}）。"
            )
        )
    blocks.append(
        Para(
            "信用修复后，你单位如再次发生同类失信行为，或者经查实以虚假材料取得信用修复的，我局将撤销本决定，恢复上述记录。"
        )
    )
    return unit_document(
        "removal-decision", unit, blocks, bureau=bureau, day=day, repair=facts.application_id
    )


OUTCOME_SENTENCES = {
    "更正": "我局决定对该记录予以更正，并按更正后的记录重新评定你单位信用等级。",
    "删除": "我局决定删除该记录，并按删除后的记录重新评定你单位信用等级。",
    "保留": "该记录事实清楚、依据充分，我局决定予以保留。",
}


def _findings(text: str) -> str:
    """The investigator's findings as one sentence opening with 经核查 (once)."""
    text = text.strip().rstrip("。")
    for opening in ("经核查，", "经核查,", "经核查：", "经核查"):
        text = text.removeprefix(opening)
    return f"经核查，{chinese_dates(text)}。" if text else ""


def objection_reply(
    unit: UnitInfo, facts: ObjectionFacts, profile: Profile, *, bureau: str, day: date
) -> Document:
    content = chinese_dates(facts.content.strip().rstrip("。"))
    blocks: list[Block] = [
        Para(
            f"你单位于{chinese_date(facts.filed_on)}对我局记录的下列信息提出异议："
            f"{record_sentence(facts.record)}异议的理由是：{content}。"
        ),
        Para(f"我局受理后，由{facts.investigator}进行了核查。{_findings(facts.findings)}"),
        Para(OUTCOME_SENTENCES.get(facts.outcome, f"我局的处理结果为：{facts.outcome}。")),
    ]
    return unit_document(
        "objection-reply", unit, blocks, bureau=bureau, day=day, objection=facts.objection_id
    )


def listing_notice_for_entry(
    unit: UnitInfo, entry: ListingFacts, profile: Profile, *, bureau: str, day: date
) -> Document:
    """告知 of a list entry (采集 stage): facts, basis, period, 陈述申辩."""
    raise_days = profile.deadlines.objection_raise_working_days
    who = "你单位" if entry.subject == unit.name else f"{entry.subject}"
    blocks: list[Block] = [
        Para(
            f"根据{basis_title(profile)}，我局拟将{who}列入安全生产{entry.list_kind}。"
            "现将有关事项告知如下："
        ),
        heading(0, "事实"),
        *(Para(text) for text in facts_sentences(entry.facts)),
        heading(1, "依据"),
        Para(_sentence(chinese_dates(entry.basis))),
        heading(2, "列入期限"),
        Para(listing_period_text(profile, entry.period_months)),
        heading(3, "陈述申辩"),
        Para(
            f"依法你单位享有陈述、申辩的权利。你单位可自收到本告知书之日起{raise_days}个工作日内，"
            "向我局提出书面陈述、申辩意见，并提供相关证据材料；逾期未提出的，视为放弃陈述、申辩的权利。"
        ),
    ]
    title = f"列入{entry.list_kind}告知书"
    return unit_document(
        "listing-notice", unit, blocks, bureau=bureau, day=day, title=title, listing=entry.entry_id
    )


def listing_removal_decision(
    unit: UnitInfo, entry: ListingFacts, profile: Profile, *, bureau: str, day: date
) -> Document:
    """移出决定书 of a list entry that has been removed."""
    if entry.removed_on is None or entry.published_on is None:
        raise SafeCreditError("该名单记录尚未移出，不能出具移出决定书。")
    reason = entry.removal_reason or "期满"
    why = {
        "期满": "列入期限届满，经复核不再符合列入条件",
        "提前移出": (
            "你单位列入满规定期限，已完成整改、履行相关义务并作出信用承诺，"
            "经申请和审核，符合提前移出条件"
        ),
    }.get(reason, reason)
    blocks: list[Block] = [
        Para(
            f"{entry.subject}于{chinese_date(entry.published_on)}被列入安全生产{entry.list_kind}。"
            "列入时认定的事实：" + "".join(facts_sentences(entry.facts))
        ),
        Para(
            f"因{why}，根据{basis_title(profile)}，我局决定自{chinese_date(entry.removed_on)}起"
            f"将其移出安全生产{entry.list_kind}，并停止公示。"
        ),
        Para("移出后如再次发生失信行为，将依法依规重新列入。"),
    ]
    title = f"移出{entry.list_kind}决定书"
    return unit_document(
        "removal-decision",
        unit,
        blocks,
        bureau=bureau,
        day=day,
        title=title,
        listing=entry.entry_id,
    )
