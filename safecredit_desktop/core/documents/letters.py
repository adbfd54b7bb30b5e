"""Commitment letters the bureau prints pre-filled for a unit to sign and seal."""

from __future__ import annotations

from datetime import date

from safecredit_desktop.core.documents.content import Block, Document, Para, SignLines, chinese_date
from safecredit_desktop.core.documents.kinds import kind_name
from safecredit_desktop.core.documents.notices import UnitInfo

BLANK = "＿" * 8
BLANK_DATE = "　　　　年　　月　　日"

# Seed 002 (一)'s five points of the unit's commitment.
UNIT_COMMITMENTS = (
    "严格执行安全生产各项法律法规、标准规范，绝不非法违法组织生产。",
    "建立健全并严格落实全员安全生产责任制度，主要负责人对本单位安全生产工作全面负责。",
    "确保职工生命安全，不违章指挥，不强令冒险作业，杜绝生产安全责任事故。",
    "加强安全生产风险分级管控和隐患排查治理双重预防机制建设，如实记录、及时消除事故隐患。",
    "自觉接受安全监管监察和相关部门依法检查，严格执行执法指令，按期完成整改。",
)

# Seed 003 (一): the main responsible person's duties.
DUTY_COMMITMENTS = (
    (
        "组织机构保障",
        "依法设置安全生产管理机构，配备专职安全生产管理人员，建立健全安全生产责任体系。",
    ),
    ("规章制度保障", "组织制定并实施本单位安全生产规章制度和操作规程，信守安全生产法律法规。"),
    ("物质资金保障", "保证安全生产投入的有效实施，按规定提取和使用安全生产费用。"),
    ("教育培训保障", "组织制定并实施安全生产教育和培训计划，从业人员未经培训合格不上岗作业。"),
    (
        "安全管理保障",
        "督促、检查安全生产工作，及时消除生产安全事故隐患，不违章指挥、不强令冒险作业。",
    ),
    (
        "事故报告和应急救援",
        "组织制定并实施生产安全事故应急救援预案，发生事故时立即组织抢救，依法如实报告，不迟报、漏报、谎报、瞒报。",
    ),
)


def _filing_note(bureau: str, day: date) -> Para:
    return Para(
        f"（本承诺书由{bureau}于{chinese_date(day)}制发。签署盖章后一份交{bureau}存档，"
        "一份本单位留存并公开。）"
    )


def _numbered(items: tuple[str, ...]) -> list[Block]:
    ordinals = "一二三四五六七八九十"
    return [Para(f"{ordinals[i]}、{text}") for i, text in enumerate(items)]


def commitment(unit: UnitInfo, *, bureau: str, day: date) -> Document:
    blocks: list[Block] = [
        Para(
            f"为全面落实安全生产主体责任，我单位{unit.name}（统一社会信用代码：{unit.uscc}）"
            f"向{bureau}、本单位全体职工和社会公开承诺："
        ),
        *_numbered(UNIT_COMMITMENTS),
        Para(
            "我单位自愿接受社会和全体职工监督。如违反上述承诺，愿意承担相应的法律责任，并接受依法依规实施的失信惩戒。"
        ),
        SignLines(
            (
                f"承诺单位（盖章）：{unit.name}",
                f"法定代表人（签字）：{BLANK}",
                f"主要负责人（签字）：{BLANK}",
                f"日期：{BLANK_DATE}",
            )
        ),
        _filing_note(bureau, day),
    ]
    return Document(
        kind="commitment",
        title=kind_name("commitment"),
        issuer=bureau,
        addressee=f"致{bureau}：",
        blocks=tuple(blocks),
        unit_id=unit.id,
        subject=unit.name,
        params={"day": day.isoformat()},
    )


def duty_commitment(unit: UnitInfo, *, bureau: str, day: date) -> Document:
    person = unit.main_person or unit.legal_rep or BLANK
    blocks: list[Block] = [
        Para(
            f"本人{person}，系{unit.name}（统一社会信用代码：{unit.uscc}）主要负责人，"
            f"对本单位安全生产工作全面负责。本人郑重承诺，遵守国家法律法规规章及规范性文件的规定，"
            f"严格落实生产经营单位安全生产主体责任，切实做到："
        ),
        *[
            Para(f"{'一二三四五六七八九十'[i]}、{title}：{text}")
            for i, (title, text) in enumerate(DUTY_COMMITMENTS)
        ],
        Para(
            "本承诺书在本单位适当场所公开，接受社会各界、新闻媒体和本单位职工监督。如违反上述承诺，本人愿意承担相应的法律责任。"
        ),
        SignLines(
            (
                f"单位名称（盖章）：{unit.name}",
                f"主要负责人（签字）：{BLANK}",
                f"日期：{BLANK_DATE}",
            )
        ),
        _filing_note(bureau, day),
    ]
    return Document(
        kind="duty-commitment",
        title=kind_name("duty-commitment"),
        issuer=bureau,
        addressee=f"致{bureau}：",
        blocks=tuple(blocks),
        unit_id=unit.id,
        subject=unit.name,
        params={"day": day.isoformat()},
    )
