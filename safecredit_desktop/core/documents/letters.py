"""Commitment letters the bureau prints pre-filled for a unit to sign and seal."""

from __future__ import annotations

from datetime import date

from safecredit_desktop.core.documents.content import Block, Document, Para, SignLines, chinese_date
from safecredit_desktop.core.documents.kinds import kind_name
from safecredit_desktop.core.documents.notices import UnitInfo

BLANK = "＿" * 8
BLANK_DATE = "　　　　年　　月　　日"  # filled in by hand when signed

# Seed 002 (一)'s five points of the unit's commitment (documents.md's kinds table),
# short enough that the letter and its signature fit on one page.
UNIT_COMMITMENTS = (
    "遵守安全生产法律法规标准，不非法违法组织生产。",
    "建立健全并严格落实全员安全生产责任制。",
    "确保职工生命安全，不违章指挥、不冒险作业，杜绝生产安全责任事故。",
    "落实风险分级管控和隐患排查治理双重预防机制。",
    "自觉接受安全监管监察，严格执行执法指令。",
)

# Seed 003 (一): the main responsible person's six guarantees, one line each.
DUTY_COMMITMENTS = (
    ("组织机构保障", "设置安全机构，配齐安全管理人员。"),
    ("规章制度保障", "制定并落实安全规章制度和操作规程。"),
    ("物质资金保障", "保证安全投入，足额提取安全费用。"),
    ("教育培训保障", "开展安全培训，未经培训不得上岗。"),
    ("安全管理保障", "及时消除隐患，不违章指挥冒险作业。"),
    ("事故报告和应急救援", "如实报告事故，全力组织救援。"),
)


def _filing_note(bureau: str, day: date) -> Para:
    """Who made the form and where the signed copies go (two lines, not indented)."""
    return Para(
        f"（{bureau}{chinese_date(day)}制发。签署盖章后一份交该局存档，一份本单位留存并公开。）",
        indent=False,
    )


def _numbered(items: tuple[str, ...]) -> list[Block]:
    ordinals = "一二三四五六七八九十"
    return [Para(f"{ordinals[i]}、{text}") for i, text in enumerate(items)]


def _letter(kind: str, unit: UnitInfo, blocks: list[Block], *, bureau: str, day: date) -> Document:
    """A letter ``unit`` signs, addressed to ``bureau``, closed by the filing note."""
    return Document(
        kind=kind,
        title=kind_name(kind),
        issuer=bureau,
        addressee=f"致{bureau}：",
        blocks=(*blocks, _filing_note(bureau, day)),
        unit_id=unit.id,
        subject=unit.name,
        params={"day": day.isoformat()},
    )


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
            ("承诺单位（盖章）：", "法定代表人（签字）：", "主要负责人（签字）：", BLANK_DATE)
        ),
    ]
    return _letter("commitment", unit, blocks, bureau=bureau, day=day)


def duty_commitment(unit: UnitInfo, *, bureau: str, day: date) -> Document:
    person = unit.main_person or unit.legal_rep or BLANK
    blocks: list[Block] = [
        Para(
            f"本人{person}，系{unit.name}（统一社会信用代码：{unit.uscc}）主要负责人，"
            f"郑重承诺严格落实安全生产主体责任，切实做到："
        ),
        *[
            Para(f"{'一二三四五六七八九十'[i]}、{title}：{text}")
            for i, (title, text) in enumerate(DUTY_COMMITMENTS)
        ],
        Para(
            "本承诺书在本单位公开，接受社会各界、新闻媒体和本单位职工监督。"
            "如违反上述承诺，本人愿意承担相应的法律责任。"
        ),
        SignLines(("单位（盖章）：", "主要负责人（签字）：", BLANK_DATE)),
    ]
    return _letter("duty-commitment", unit, blocks, bureau=bureau, day=day)
