"""Printed documents as the bureau prints them (documents.md): every kind for a unit of
every profile, A4, every font embedded, the facts findable in the text layer, rare name
characters drawn from a fallback font, and the bureau's own fonts when usable."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.documents import fonts as doc_fonts
from safecredit_desktop.core.documents.content import (
    Document,
    Para,
    Signature,
    chinese_date,
    doc_number,
)
from safecredit_desktop.core.documents.kinds import kind_name
from safecredit_desktop.core.documents.notices import ObjectionFacts, UnitInfo, objection_reply
from safecredit_desktop.core.documents.render import render_pdf
from safecredit_desktop.core.documents.wording import record_sentence
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.rules.profile import load_profile
from safecredit_desktop.core.rules.result import GradeResult
from safecredit_desktop.core.validate import uscc_check_character

PROFILES = ("fenghuang", "kundulun", "suizhou")
TODAY = date(2026, 11, 21)
BUREAU = "测试县应急管理局"
RARE = "骉镕珺玥喆垚赟"
D_NAME = f"凤凰县{RARE}化工有限公司"
A4_PORTRAIT = "595.276 x 841.89"
A4_LANDSCAPE = "841.89 x 595.276"
SHIPPED_FANG = doc_fonts.shipped_fonts_dir() / doc_fonts.SHIPPED_BODY[0]


def code(n: int) -> str:
    first17 = f"9143312399{n:07d}"
    return first17 + uscc_check_character(first17)


# -- poppler ---------------------------------------------------------------------------------


def _write(tmp: Path, pdf: bytes, name: str = "doc.pdf") -> Path:
    path = tmp / name
    path.write_bytes(pdf)
    return path


def pdf_text(path: Path, *, layout: bool = False, first: int | None = None) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if layout:
        args.append("-layout")
    if first is not None:
        args += ["-f", str(first), "-l", str(first)]
    done = subprocess.run([*args, str(path), "-"], capture_output=True, text=True, check=True)
    return done.stdout


def flat(text: str) -> str:
    """Text without any whitespace: a phrase wrapped over lines is found whole."""
    return "".join(text.split())


def font_rows(path: Path) -> list[dict[str, str]]:
    """pdffonts' table, cut by the columns of its dashed rule."""
    lines = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    header, rule, *rows = lines
    spans = []
    start = 0
    for part in rule.split(" "):
        spans.append((start, start + len(part)))
        start += len(part) + 1
    names = [header[a:b].strip() for a, b in spans]
    return [{n: row[a:b].strip() for n, (a, b) in zip(names, spans, strict=True)} for row in rows]


def assert_all_embedded(path: Path) -> None:
    rows = font_rows(path)
    assert rows, "a document without fonts"
    assert all(r["emb"] == "yes" for r in rows), rows
    assert all(r["type"] in ("TrueType", "CID TrueType") for r in rows), rows
    assert not any("Helvetica" in r["name"] or "Times" in r["name"] for r in rows), rows


def right_edges(path: Path) -> list[tuple[float, float, str]]:
    """(page width, the rightmost word's right edge, that word) of each page, in points
    (pdftotext -bbox)."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    found = []
    for page in re.findall(r"<page width=\"([\d.]+)\"[^>]*>(.*?)</page>", out, re.S):
        boxes = re.findall(r'xMax="([\d.]+)"[^>]*>([^<]*)<', page[1])
        x_max, word = max(((float(x), w) for x, w in boxes), default=(0.0, ""))
        found.append((float(page[0]), x_max, word))
    return found


def assert_within_block(path: Path) -> None:
    """No word runs past the text block's right edge (156 mm portrait, 225 mm landscape)."""
    mm = 72 / 25.4
    for width, x_max, word in right_edges(path):
        right = (28 + 156) * mm if width < 700 else (37 + 225) * mm
        assert x_max <= right + 0.01 * mm, f"{word}: {(x_max - right) / mm:.3f} mm past the block"


def page_sizes(path: Path) -> list[str]:
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return [
        line.split("size:")[1].split("pts")[0].strip()
        for line in info.splitlines()
        if line.startswith("Page") and " size:" in line
    ]


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(next(x for x in info.stdout.splitlines() if x.startswith("Pages:")).split()[1])


def rasterise(path: Path, tmp: Path, dpi: int = 100) -> list[Image.Image]:
    prefix = tmp / f"{path.stem}-page"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(path), str(prefix)], check=True)
    return [Image.open(p).convert("L") for p in sorted(tmp.glob(f"{path.stem}-page-*.pgm"))]


def ink(image: Image.Image) -> int:
    """Dark pixels."""
    return sum(image.point(lambda v: 255 if v < 128 else 0).histogram()[255:])


# -- a small county with a D unit, per profile --------------------------------------------------


@dataclass
class County:
    session: core.Session
    profile: str
    d_unit: int
    d_uscc: str
    repair: int
    tmp: Path


def make_county(tmp: Path, profile: str, where: Any = None) -> County:
    """A demo county; ``where``: its database (default: a file in ``tmp``)."""
    session = core.init_database(
        tmp / f"{profile}.db" if where is None else where,
        profile=profile,
        bureau_name=BUREAU,
        user="管理员",
        admin=("管理员", "admin-pw"),
    )
    core.fill_demo(session, enterprises=20, seed=1, today=TODAY)
    unit = model.Unit(
        code(1),
        D_NAME,
        "危险化学品",
        town="沱江镇",
        legal_rep="王喆",
        main_person="李垚",
        address="沱江镇骉镕路1号",
    )
    d_unit = session.records.save(unit)
    session.records.save(model.Violation(d_unit, "operate_while_suspended", date(2026, 9, 20)))
    session.records.save(model.Accident(d_unit, date(2026, 1, 10), "较大", "是", deaths=3))
    session.records.save(model.Accident(d_unit, date(2026, 6, 10), "较大", "是", deaths=4))
    late = session.records.save(
        model.Violation(d_unit, "accident_reported_late", date(2025, 6, 10))
    )
    application = session.repairs.apply(
        table="violations", target_id=late, applied_on=date(2026, 10, 8)
    )
    session.repairs.decide(application.id, approve=True, on=date(2026, 11, 1))
    return County(session, profile, d_unit, code(1), application.id, tmp)


@pytest.fixture(params=PROFILES)
def county(request: pytest.FixtureRequest, tmp_path: Path, new_db: Any) -> Iterator[County]:
    made = make_county(tmp_path, request.param, new_db(f"{request.param}.db"))
    yield made
    made.session.close()


def issue(county: County, request: core.DocumentRequest) -> tuple[Path, core.IssueResult]:
    result = county.session.documents.issue(request, today=TODAY)
    assert len(result.issued) == 1 and not result.reprinted
    return _write(county.tmp, result.pdf, f"{request.kind}.pdf"), result


def check_common(path: Path, result: core.IssueResult, county: County, kind: str) -> str:
    assert_all_embedded(path)
    landscape = kind == "inspection-plan"
    sizes = page_sizes(path)
    assert sizes and set(sizes) == {A4_LANDSCAPE if landscape else A4_PORTRAIT}
    (issued,) = result.issued
    prefix = county.session.documents.prefixes()[kind]
    assert issued.doc_no == doc_number(prefix, 2026, 1) == f"{prefix}〔2026〕1号"
    assert issued.page_count == page_count(path) and issued.first_page == 1
    text = flat(pdf_text(path))
    assert issued.doc_no in text
    assert BUREAU in text
    assert chinese_date(TODAY) in text
    assert "—1—" in text  # page numbers 4号 at the foot
    assert_within_block(path)
    return text


def d_result(county: County) -> GradeResult:
    (found,) = county.session.grading.grade(as_of=TODAY, uscc=county.d_uscc)
    return found


# -- every kind, every profile --------------------------------------------------------------------


def test_grade_notice(county: County) -> None:
    request = core.DocumentRequest("grade-notice", unit_ids=(county.d_unit,), as_of=TODAY)
    path, result = issue(county, request)
    text = check_common(path, result, county, "grade-notice")
    profile = county.session.profile
    graded = d_result(county)
    assert graded.grade == "D"
    assert "安全生产信用等级告知书" in text
    assert flat(D_NAME) in text and county.d_uscc in text
    assert f"D级（{profile.label('D')}）" in text
    for reason in graded.reasons:
        assert flat(reason.text.rstrip("。")) in text
        for record in reason.records:
            assert flat(record) in text
    days = profile.deadlines.objection_raise_working_days
    assert f"{days}个工作日内" in text
    if profile.internal_only and profile.internal_notice:
        assert flat(profile.internal_notice) in text


def test_grade_notice_of_a_c_unit_names_c(county: County) -> None:
    graded = county.session.grading.grade(as_of=TODAY)
    c_unit = next(r for r in graded if r.grade == "C")
    request = core.DocumentRequest("grade-notice", unit_ids=(c_unit.unit_id,), as_of=TODAY)
    path, result = issue(county, request)
    text = check_common(path, result, county, "grade-notice")
    assert f"C级（{c_unit.label}）" in text
    assert flat(c_unit.name) in text and c_unit.uscc in text
    for reason in c_unit.reasons:
        assert flat(reason.text.rstrip("。")) in text


def test_commitment(county: County) -> None:
    path, result = issue(county, core.DocumentRequest("commitment", unit_ids=(county.d_unit,)))
    text = check_common(path, result, county, "commitment")
    assert "安全生产承诺书" in text
    assert flat(D_NAME) in text and county.d_uscc in text
    assert "承诺单位（盖章）" in text and "法定代表人（签字）" in text
    assert "双重预防" in text and "不违章指挥" in text
    # documents.md's kinds table (seed 002): every point of the commitment
    for point in (
        "遵守安全生产法律法规标准",
        "不非法违法组织生产",
        "落实全员安全生产责任制",
        "确保职工生命安全",
        "不冒险作业",
        "杜绝生产安全责任事故",
        "隐患排查治理双重预防",
        "自觉接受安全监管监察",
        "严格执行执法指令",
    ):
        assert point in text, point
    assert page_count(path) == 1  # signed on one sheet


def test_duty_commitment(county: County) -> None:
    request = core.DocumentRequest("duty-commitment", unit_ids=(county.d_unit,))
    path, result = issue(county, request)
    text = check_common(path, result, county, "duty-commitment")
    assert "主要负责人安全生产履职尽责承诺书" in text
    assert flat(D_NAME) in text and county.d_uscc in text
    assert "本人李垚" in text
    for duty in ("组织机构保障", "物质资金保障", "教育培训保障", "事故报告和应急救援"):
        assert duty in text
    # the 盖章/签字/date block on the page with the letter, not alone on a second page
    assert page_count(path) == 1
    assert "主要负责人（签字）" in flat(pdf_text(path, first=1))


def test_listing_notice(county: County) -> None:
    profile = county.session.profile
    if not profile.listed_grades:
        # grading.md Revision 2 item 7: fenghuang's 黑名单 has grounds of its own (seed
        # 002), grade D alone no longer lists a unit; its listing notice follows those
        # grounds (tests/test_cli_listing_documents.py) or an entry
        # (test_workflow_lists.test_listing_notice_issues_for_an_entry).
        assert profile.name == "fenghuang"
        return
    assert "D" in profile.listed_grades
    request = core.DocumentRequest("listing-notice", unit_ids=(county.d_unit,), as_of=TODAY)
    path, result = issue(county, request)
    text = check_common(path, result, county, "listing-notice")
    assert flat(kind_name("listing-notice", profile)) in text
    assert profile.list_name in text
    assert flat(D_NAME) in text and county.d_uscc in text
    assert f"D级（{profile.label('D')}）" in text
    for reason in d_result(county).reasons:
        assert flat(reason.text.rstrip("。")) in text
    assert "陈述、申辩" in text
    # 事实 told as sentences to the unit, not quoted as records
    records = [r for reason in d_result(county).reasons for r in reason.records]
    assert records
    for record in records:
        assert flat(record) not in text, record
        assert flat(record_sentence(record)) in text
    assert "你单位于2026年" in text and "（单位）" not in text


def test_listing_notice_of_an_entry_tells_the_facts_as_sentences(county: County) -> None:
    entries = county.session.lists.propose(as_of=TODAY, today=TODAY)
    (entry,) = [
        e
        for e in entries
        if e.unit_id == county.d_unit
        and e.list_kind == county.session.profile.list_name
        and not e.person_name
    ]
    records = entry.facts.split("；")  # the entry keeps the records as quoted
    assert records and all(re.match(r"(失信|事故|处罚) \d{4}-\d{2}-\d{2}", r) for r in records)
    request = core.DocumentRequest("listing-notice", listing_id=entry.id)
    path, result = issue(county, request)
    text = check_common(path, result, county, "listing-notice")
    for record in records:
        assert flat(record) not in text, record
    sentences = {
        "失信 2026-09-20 被责令停产停业整顿仍从事生产经营（单位）": (
            "你单位于2026年9月20日有“被责令停产停业整顿仍从事生产经营”的失信行为。"
        ),
        "事故 2026-01-10 较大 死亡3人": "你单位于2026年1月10日发生较大生产安全事故，造成3人死亡。",
    }
    assert any(quoted in records for quoted in sentences)
    for quoted, sentence in sentences.items():
        if quoted in records:
            assert sentence in text
    assert "（单位）" not in text


def test_listing_notice_refused_for_a_unit_not_listed(county: County) -> None:
    graded = county.session.grading.grade(as_of=TODAY)
    other = next(r for r in graded if r.grade not in county.session.profile.listed_grades)
    request = core.DocumentRequest("listing-notice", unit_ids=(other.unit_id,), as_of=TODAY)
    with pytest.raises(SafeCreditError, match="不符合列入"):
        county.session.documents.issue(request, today=TODAY)
    assert county.session.documents.register() == []


def test_removal_decision(county: County) -> None:
    (listed,) = [
        d for i, d in county.session.documents.repairs_for_documents() if i == county.repair
    ]
    path, result = issue(county, core.DocumentRequest("removal-decision", repair_id=county.repair))
    text = check_common(path, result, county, "removal-decision")
    assert "信用修复决定书" in text
    assert flat(D_NAME) in text and county.d_uscc in text
    assert f"第{county.repair}号" in listed and "2025-06-10" in listed
    assert f"2026年10月8日向我局提出信用修复申请（第{county.repair}号）" in text
    assert "你单位于2025年6月10日有“迟报生产安全事故”的失信行为" in text
    assert "失信2025-06-10" not in text  # told as a sentence, not quoted as a record
    assert "自2026年11月1日起" in text
    after = d_result(county)
    assert f"{after.grade}级（{after.label}）" in text


def test_inspection_plan_is_landscape(county: County) -> None:
    path, result = issue(county, core.DocumentRequest("inspection-plan", year=2027))
    text = check_common(path, result, county, "inspection-plan")
    plan = county.session.schedule.plan(year=2027)
    assert f"{BUREAU}2027年度执法检查计划" in text
    assert f"共计划检查{len(plan.items)}次" in text
    assert "统一社会信用代码" in text and "检查时段" in text
    layout = pdf_text(path, layout=True)
    assert county.d_uscc in layout
    d_items = [i for i in plan.items if i.unit_id == county.d_unit]
    assert d_items and all(i.grade == "D" for i in d_items)
    # Every page the table runs onto repeats its header.
    codes = {i.uscc for i in plan.items}
    table_pages = 0
    for page in range(1, page_count(path) + 1):
        if any(c in pdf_text(path, layout=True, first=page) for c in codes):
            table_pages += 1
            assert "统一社会信用代码" in flat(pdf_text(path, first=page))
    assert table_pages >= 2


def test_draw_notice(county: County, tmp_path: Path) -> None:
    found = county.session.draws.make(year=2026, seed="文书测试种子")
    assert found.selections
    path, result = issue(county, core.DocumentRequest("draw-notice", draw_id=found.summary.id))
    text = check_common(path, result, county, "draw-notice")
    assert "双随机抽查结果公示" in text
    assert "文书测试种子" in text
    assert f"共{found.summary.pool_size}家" in text
    for selected in found.selections:
        for cert, name in selected.team:
            assert name in text and cert in text
    profile = county.session.profile
    stored = county.session.draws.detail(found.summary.id)
    assert {q.grade for q in stored.quotas} and all(s.grade for s in stored.selections)
    per_grade = [f"{q.grade}级{q.pool_count}家" for q in stored.quotas]
    if profile.internal_only:
        # grading.md Revision 2 item 10: grades stay internal in the public notice...
        assert "信用等级" not in text and not re.search(r"[ABCD]级", text), text
        assert not any(p in text for p in per_grade) and "抽取比例0" not in text
        assert f"随机抽取{len(found.selections)}家" in text
        # ...and stay in the stored draw and its internal export.
        from openpyxl import load_workbook

        book = load_workbook(county.session.draws.export(found.summary.id, tmp_path / "d.xlsx"))
        cells = {str(c.value) for sheet in book for row in sheet.iter_rows() for c in row}
        assert {q.grade for q in stored.quotas} <= cells
    else:
        assert all(p in text for p in per_grade)
        assert "信用等级" in text


def test_draw_notice_fits_many_units_a_page(tmp_path: Path, new_db: Any) -> None:
    """A full page of the table holds at least 18 units (it held 8): one inspector a
    line, headers broken only between words, codes and towns never broken."""
    session = core.init_database(
        new_db("draw.db"), profile="fenghuang", bureau_name=BUREAU, user="管理员"
    )
    try:
        core.fill_demo(session, enterprises=80, seed=2, today=TODAY)
        found = session.draws.make(year=2026, seed="满页", ratios={g: "1" for g in "ABCD"})
        request = core.DocumentRequest("draw-notice", draw_id=found.summary.id)
        pdf = session.documents.issue(request, today=TODAY).pdf
    finally:
        session.close()
    path = _write(tmp_path, pdf)
    assert_within_block(path)
    per_page = []
    for page in range(1, page_count(path) + 1):
        layout = pdf_text(path, layout=True, first=page)
        per_page.append(sum(1 for s in found.selections if s.uscc in layout))
    assert sum(per_page) == len(found.selections) >= 60
    full = per_page[1:-1]  # the pages wholly of table
    assert full and min(full) >= 18, per_page
    text = flat(pdf_text(path))
    assert "信用等/级" not in pdf_text(path) and "乡镇（街/道）" not in pdf_text(path)
    assert "（" not in [line.strip() for line in pdf_text(path, layout=False).splitlines()]
    assert "检查组" in text


@pytest.mark.parametrize("profile_name", PROFILES)
def test_objection_reply_renders(profile_name: str, tmp_path: Path) -> None:
    profile = load_profile(profile_name)
    unit = UnitInfo(7, code(7), D_NAME, "王喆", "李垚", "沱江镇", "沱江镇", "危险化学品")
    facts = ObjectionFacts(
        3,
        date(2026, 10, 8),
        "失信 2026-09-20 被责令停产停业整顿仍从事生产经营（单位）",
        "该日已取得复产批复，不属于停产整顿期间生产",
        "复产批复的日期为2026年9月25日，晚于该行为发生之日",
        "保留",
        "张三、李四",
    )
    document = objection_reply(unit, facts, profile, bureau=BUREAU, day=TODAY)
    number = doc_number(profile.doc_prefixes["objection-reply"], 2026, 1)
    pdf, pages = render_pdf(doc_fonts.load_fonts(), [document], [number])
    path = _write(tmp_path, pdf)
    assert pages == [(1, page_count(path))]
    assert_all_embedded(path)
    assert set(page_sizes(path)) == {A4_PORTRAIT}
    text = flat(pdf_text(path))
    for expected in (
        "异议申请答复书",
        number,
        D_NAME,
        unit.uscc,
        "你单位于2026年10月8日对我局记录的下列信息提出异议",
        "你单位于2026年9月20日有“被责令停产停业整顿仍从事生产经营”的失信行为。",
        f"异议的理由是：{facts.content}。",
        "由张三、李四进行了核查。",
        f"经核查，{facts.findings}。",
        "该记录事实清楚、依据充分，我局决定予以保留。",
        "特此答复",
        BUREAU,
        chinese_date(TODAY),
    ):
        assert expected in text, expected
    assert text.count("经核查") == 1 and "核查人" not in text


def test_objection_reply_names_the_investigator_by_display_name(
    tmp_path: Path, new_db: Any
) -> None:
    """The reply says who investigated as the bureau writes the name (用户管理's display
    name), not the login, and does not repeat 经核查 when the findings begin with it."""
    county = make_county(tmp_path, "suizhou", new_db("suizhou.db"))
    session = county.session
    try:
        session.accounts.create_user("shenhe", "审核员密码123", Role.REVIEWER, "沈和")
        record = session.records.save(
            model.Violation(county.d_unit, "refuse_directive", date(2026, 8, 3))
        )
        filed = session.objections.file(
            table="violations",
            record_id=record,
            content="该指令已于当日执行完毕",
            filed_on=date(2026, 10, 8),
        )
        reviewer = core.open_session(session.db.location, user="shenhe", role=Role.REVIEWER)
        try:
            reviewer.objections.accept(filed.id, on=date(2026, 10, 9))
            reviewer.objections.answer(
                filed.id,
                findings="经核查，执行记录显示该指令于2026-08-10方执行",
                outcome="保留",
                on=date(2026, 10, 20),
            )
        finally:
            reviewer.close()
        request = core.DocumentRequest("objection-reply", objection_id=filed.id)
        path, _ = issue(county, request)
        text = flat(pdf_text(path))
        assert "由沈和进行了核查" in text
        assert "shenhe" not in text
        assert text.count("经核查") == 1
        assert "经核查，执行记录显示该指令于2026年8月10日方执行。" in text
    finally:
        session.close()


# -- layout on the grid ---------------------------------------------------------------------


def test_a_line_holds_28_characters_of_3hao(tmp_path: Path) -> None:
    document = Document(
        "grade-notice",
        "版心测试",
        BUREAU,
        "",
        (Para("甲" * 28 + "乙" * 28 + "丙" * 5, indent=False), Signature(BUREAU, TODAY)),
    )
    pdf, _ = render_pdf(doc_fonts.load_fonts(), [document], ["测〔2026〕1号"])
    path = _write(tmp_path, pdf)
    lines = [line.strip() for line in pdf_text(path).splitlines()]
    assert "甲" * 28 in lines and "乙" * 28 in lines and "丙" * 5 in lines


def test_long_document_flows_over_pages_with_numbers(tmp_path: Path) -> None:
    body = tuple(Para(f"第{n}段" + "字" * 60) for n in range(1, 31))
    document = Document("grade-notice", "分页测试", BUREAU, "某单位：", body)
    pdf, pages = render_pdf(doc_fonts.load_fonts(), [document, document], ["一", "二"])
    path = _write(tmp_path, pdf)
    total = page_count(path)
    (first, count), (second, count2) = pages
    assert first == 1 and second == count + 1 and count == count2 and count + count2 == total
    assert count >= 4  # 30 paragraphs of three lines on 22-line pages
    for page in range(1, count + 1):
        assert f"—{page}—" in flat(pdf_text(path, first=page))
        assert f"—{page}—" in flat(pdf_text(path, first=count + page))  # numbered anew


# -- rare characters --------------------------------------------------------------------------


def test_rare_characters_come_from_a_fallback_font() -> None:
    loaded = doc_fonts.load_fonts()
    for chain in (loaded.body, loaded.title):
        assert chain.missing(RARE) == ""
        assert chain.missing(D_NAME + "統一社會信用代碼，。（）") == ""
    fang_name, fang_has = doc_fonts.register(doc_fonts.shipped_choice().body)
    assert loaded.body.primary == fang_name
    lacking = [c for c in RARE if ord(c) not in fang_has]
    assert lacking, "Fandol 仿宋 has all the rare characters: the test proves nothing"
    for char in lacking:
        assert loaded.body.font_for(char) != loaded.body.primary
    for char in "凤凰县化工有限公司":
        assert loaded.body.font_for(char) == loaded.body.primary
    runs = list(loaded.body.runs(D_NAME))
    assert "".join(text for _, text in runs) == D_NAME
    assert len(runs) >= 3  # 凤凰县 | rare | 化工有限公司


def _glyph_pages(fonts: doc_fonts.DocumentFonts, tmp: Path, name: str) -> list[Image.Image]:
    """One page per rare character (written large by repetition), then the full name,
    the name with the rare characters left out, and an empty page."""
    texts = [c * 14 for c in RARE]
    texts += [D_NAME, D_NAME.replace(RARE, "　" * len(RARE)), "　"]
    documents = [
        Document("commitment", "字形", BUREAU, "", (Para(t, indent=False),)) for t in texts
    ]
    pdf, pages = render_pdf(fonts, documents, [""] * len(documents))
    assert [count for _, count in pages] == [1] * len(documents)
    return rasterise(_write(tmp, pdf, f"{name}.pdf"), tmp)


def test_rare_characters_are_drawn(tmp_path: Path) -> None:
    pages = _glyph_pages(doc_fonts.load_fonts(), tmp_path, "fallback")
    *glyphs, name, name_blanked, empty = pages
    blank_ink = ink(empty)
    for char, page in zip(RARE, glyphs, strict=True):
        assert ink(page) > blank_ink + 200, f"{char} drew nothing"
    # Seven different glyphs, not one box seven times.
    for i in range(len(glyphs)):
        for j in range(i + 1, len(glyphs)):
            assert ImageChops.difference(glyphs[i], glyphs[j]).getbbox() is not None
    assert ink(name) > ink(name_blanked) + 200

    # Drawn with Fandol 仿宋 alone, the same characters come out identical
    # (its missing-glyph box or nothing): what the fallback chain prevents.
    fang = doc_fonts.register(doc_fonts.shipped_choice().body)
    only = doc_fonts.FontChain([fang[0]], [fang[1]])
    bare = doc_fonts.DocumentFonts(only, only, doc_fonts.shipped_choice())
    bare_pages = _glyph_pages(bare, tmp_path, "fandol-only")
    lacking = [i for i, c in enumerate(RARE) if ord(c) not in fang[1]]
    assert len(lacking) >= 2
    first = bare_pages[lacking[0]]
    for i in lacking[1:]:
        assert ImageChops.difference(first, bare_pages[i]).getbbox() is None


def test_rare_name_in_issued_notice_text_and_ink(tmp_path: Path, new_db: Any) -> None:
    county = make_county(tmp_path, "fenghuang", new_db("fenghuang.db"))
    try:
        request = core.DocumentRequest("grade-notice", unit_ids=(county.d_unit,), as_of=TODAY)
        path, _ = issue(county, request)
        assert D_NAME in flat(pdf_text(path))
        assert RARE in pdf_text(path)
        fonts_used = {r["name"].split("+")[-1] for r in font_rows(path)}
        assert any("UMing" in f or "MicroHei" in f for f in fonts_used), fonts_used
        (page,) = rasterise(path, tmp_path)[:1]
        assert ink(page) > 5000
    finally:
        county.session.close()


EXT_B_NAME = "𠀀𪚥𠮷企业有限公司"  # U+20000, U+2A6A5, U+20BB7: CJK Extension B


def _rename(county: County, name: str) -> None:
    unit = county.session.records.get("units", county.d_unit)
    county.session.records.save(dataclasses.replace(unit, name=name))


def test_extension_b_characters_are_drawn_and_read_back(tmp_path: Path, new_db: Any) -> None:
    county = make_county(tmp_path, "fenghuang", new_db("fenghuang.db"))
    try:
        _rename(county, EXT_B_NAME)
        request = core.DocumentRequest("grade-notice", unit_ids=(county.d_unit,), as_of=TODAY)
        path, result = issue(county, request)
        assert result.issued[0].doc_no == "凤应急信告〔2026〕1号"
        text = pdf_text(path)
        assert EXT_B_NAME + "（统一社会信用代码" in flat(text)  # not 「企业 有限公司」
        assert "HanaMinB" in {r["name"].split("+")[-1] for r in font_rows(path)}
        assert_all_embedded(path)  # subset and embedded, TrueType outlines
    finally:
        county.session.close()
    # drawn, each a glyph of its own (not a blank, not one box three times)
    loaded = doc_fonts.load_fonts()
    assert loaded.missing(["𠀀𪚥𠮷"]) == ""
    documents = [
        Document("commitment", "字形", BUREAU, "", (Para(c * 14, indent=False),))
        for c in ("𠀀", "𪚥", "𠮷", "　")
    ]
    pdf, _ = render_pdf(loaded, documents, [""] * 4)
    *glyphs, blank = rasterise(_write(tmp_path, pdf, "ext-b.pdf"), tmp_path)
    for page in glyphs:
        assert ink(page) > ink(blank) + 200
    assert ImageChops.difference(glyphs[0], glyphs[1]).getbbox() is not None
    assert ImageChops.difference(glyphs[1], glyphs[2]).getbbox() is not None


def test_a_character_no_font_has_is_refused_before_numbering(tmp_path: Path, new_db: Any) -> None:
    county = make_county(tmp_path, "fenghuang", new_db("fenghuang.db"))
    session = county.session
    try:
        _rename(county, "𠀀𪚥𠮷企业😀有限公司")
        request = core.DocumentRequest("grade-notice", unit_ids=(county.d_unit,), as_of=TODAY)
        for attempt in (session.documents.issue, session.documents.preview):
            with pytest.raises(SafeCreditError) as refused:
                attempt(request, today=TODAY)
            message = refused.value.message
            assert "“😀”（U+1F600）" in message and "未取文号" in message
            assert "𠀀𪚥𠮷企业😀有限公司" in message
        assert session.documents.register() == []  # nothing registered
        _rename(county, EXT_B_NAME)
        issued = session.documents.issue(request, today=TODAY)
        assert [d.doc_no for d in issued.issued] == ["凤应急信告〔2026〕1号"]  # no number used
    finally:
        session.close()


# -- fonts: shipped or the bureau's own ---------------------------------------------------------


@pytest.fixture
def no_windows_fonts(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WINDIR", "SYSTEMROOT", "LOCALAPPDATA"):
        monkeypatch.delenv(name, raising=False)


def test_shipped_fonts_have_licences() -> None:
    folder = doc_fonts.shipped_fonts_dir()
    choice = doc_fonts.shipped_choice()
    for font in (choice.title, choice.body, *choice.fallbacks):
        assert font.path.is_file(), font
    assert any((folder / "licenses").iterdir())
    assert "Hanazono" in (folder / "licenses" / "hanazono-copyright.txt").read_text("utf-8")
    # every file shipped is used by a chain (no face carried for nothing)
    used = {f.path.name for f in (choice.title, choice.body, *choice.fallbacks)}
    shipped = {p.name for p in folder.iterdir() if p.suffix in (".ttf", ".ttc", ".otf")}
    assert shipped == used


def test_official_choice_without_fonts_falls_back(tmp_path: Path, no_windows_fonts: None) -> None:
    (tmp_path / "readme.txt").write_text("没有字体", encoding="utf-8")
    choice = doc_fonts.official_choice(tmp_path)
    shipped = doc_fonts.shipped_choice()
    assert (choice.title, choice.body, choice.fallbacks) == (
        shipped.title,
        shipped.body,
        shipped.fallbacks,
    )
    assert len(choice.notes) == 2
    assert any("仿宋_GB2312" in n for n in choice.notes)
    assert any("方正小标宋" in n for n in choice.notes)
    assert doc_fonts.official_choice(None).notes == choice.notes


def test_official_truetype_body_is_used(tmp_path: Path, no_windows_fonts: None) -> None:
    shutil.copy(SHIPPED_FANG, tmp_path / "simfang.ttf")
    choice = doc_fonts.official_choice(tmp_path)
    assert choice.body.path == tmp_path / "simfang.ttf"
    assert choice.title == doc_fonts.shipped_choice().title
    assert len(choice.notes) == 1 and "方正小标宋" in choice.notes[0]
    assert "simfang" in choice.describe()
    loaded = doc_fonts.load_fonts(choice)
    assert "simfang" in loaded.body.primary
    assert loaded.body.missing(RARE) == ""

    document = Document("commitment", "字体测试", BUREAU, "", (Para("仿宋正文" + RARE),))
    pdf, _ = render_pdf(loaded, [document], ["测〔2026〕1号"])
    path = _write(tmp_path, pdf)
    assert_all_embedded(path)
    assert "仿宋正文" + RARE in flat(pdf_text(path))


def test_official_postscript_font_is_refused(tmp_path: Path, no_windows_fonts: None) -> None:
    pytest.importorskip("fontTools")
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.t2CharStringPen import T2CharStringPen

    builder = FontBuilder(1000, isTTF=False)
    glyphs = [".notdef", "uni4EFF"]
    builder.setupGlyphOrder(glyphs)
    builder.setupCharacterMap({0x4EFF: "uni4EFF"})
    strings = {}
    for glyph in glyphs:
        pen = T2CharStringPen(1000, None)
        pen.moveTo((100, 0))
        pen.lineTo((100, 800))
        pen.lineTo((900, 800))
        pen.lineTo((900, 0))
        pen.closePath()
        strings[glyph] = pen.getCharString()
    builder.setupCFF("TestFang", {"FullName": "TestFang"}, strings, {})
    builder.setupHorizontalMetrics({g: (1000, 100) for g in glyphs})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": "TestFang", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    builder.save(str(tmp_path / "simfang.ttf"))  # an .otf under the Windows name

    choice = doc_fonts.official_choice(tmp_path)
    assert choice.body == doc_fonts.shipped_choice().body
    assert any("simfang.ttf" in n and "CFF" in n for n in choice.notes), choice.notes


def test_font_settings_through_services(
    tmp_path: Path, new_db: Any, no_windows_fonts: None
) -> None:
    county = make_county(tmp_path, "fenghuang", new_db("fenghuang.db"))
    session = county.session
    folder = tmp_path / "fonts"
    folder.mkdir()
    shutil.copy(SHIPPED_FANG, folder / "SIMFANG.TTF")
    try:
        before = session.documents.font_settings()
        assert not before.use_official and before.notes == []
        with pytest.raises(SafeCreditError, match="不存在"):
            session.documents.set_fonts(use_official=True, folder=str(tmp_path / "none"))
        clerk = core.open_session(session.db.location, user="录入员", role=Role.CLERK)
        try:
            with pytest.raises(SafeCreditError, match="管理员"):
                clerk.documents.set_fonts(use_official=True, folder=str(folder))
        finally:
            clerk.close()
        session.documents.set_fonts(use_official=True, folder=str(folder))
        after = session.documents.font_settings()
        assert after.use_official and after.folder == str(folder)
        assert "SIMFANG" in after.description
        assert len(after.notes) == 1 and "方正小标宋" in after.notes[0]
        request = core.DocumentRequest("commitment", unit_ids=(county.d_unit,))
        path, result = issue(county, request)
        assert result.notes == after.notes
        assert_all_embedded(path)
        assert flat(D_NAME) in flat(pdf_text(path))
    finally:
        session.close()


# -- known defects ------------------------------------------------------------------------------


def test_codes_in_the_plan_table_stay_on_one_line(tmp_path: Path, new_db: Any) -> None:
    county = make_county(tmp_path, "fenghuang", new_db("fenghuang.db"))
    try:
        path, _ = issue(county, core.DocumentRequest("inspection-plan", year=2027))
        plan = county.session.schedule.plan(year=2027)
        assert any("MA" in i.uscc for i in plan.items)  # new-style codes, the widest
        layout = pdf_text(path, layout=True)
        assert sorted({i.uscc for i in plan.items if i.uscc not in layout}) == []
    finally:
        county.session.close()


def test_codes_in_the_draw_table_stay_on_one_line(tmp_path: Path, new_db: Any) -> None:
    county = make_county(tmp_path, "fenghuang", new_db("fenghuang.db"))
    try:
        found = county.session.draws.make(year=2026, seed="s", ratios={g: "1" for g in "ABCD"})
        assert any("MA" in s.uscc for s in found.selections)
        path, _ = issue(county, core.DocumentRequest("draw-notice", draw_id=found.summary.id))
        layout = pdf_text(path, layout=True)
        assert sorted({s.uscc for s in found.selections if s.uscc not in layout}) == []
    finally:
        county.session.close()


def test_signature_never_stands_alone_on_a_page(tmp_path: Path) -> None:
    # Title, number and a blank line take 3 of the 22 lines; 17 one-line paragraphs
    # leave 2, too few for the signature block.
    body = tuple(Para("正" * 28, indent=False) for _ in range(17))
    document = Document("grade-notice", "落款测试", BUREAU, "", (*body, Signature(BUREAU, TODAY)))
    pdf, _ = render_pdf(doc_fonts.load_fonts(), [document], ["测〔2026〕1号"])
    path = _write(tmp_path, pdf)
    last = flat(pdf_text(path, first=page_count(path)))
    assert chinese_date(TODAY) in last
    assert "正" in last
