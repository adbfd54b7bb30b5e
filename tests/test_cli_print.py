"""`safecredit print KIND … --out FILE.pdf` (cli.md, documents.md), driven the way a
user drives it: a database made with init, demo and import, then print."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from safecredit_desktop.cli import main
from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.documents import fonts as doc_fonts
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.storage import safety

EXAMPLES = Path(__file__).resolve().parent / "fixtures" / "examples"
AS_OF = "2026-11-21"
YEAR = date.today().year  # the CLI issues today
D_CODE = "914331236931741090"  # EX-F3: 1年内被责令停产停业整顿仍从事生产经营
C_CODE = "9143312312825400X3"  # EX-F2: 1年内有失信行为


def flat(text: str) -> str:
    return "".join(text.split())


def pdf_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if first is not None:
        args += ["-f", str(first), "-l", str(last or first)]
    out = subprocess.run([*args, str(path), "-"], capture_output=True, text=True, check=True)
    return flat(out.stdout)


def pdf_pages(path: Path) -> list[str]:
    """Each page's size, e.g. '595.276 x 841.89'."""
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "9999", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return [
        line.split("size:")[1].split("pts")[0].strip()
        for line in info.splitlines()
        if line.startswith("Page") and " size:" in line
    ]


def embedded_flags(path: Path) -> list[str]:
    lines = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    header, rule = lines[0], lines[1]
    start = header.index("emb")
    end = start + len(rule[start:].split(" ")[0])
    return [row[start:end].strip() for row in lines[2:]]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Setup:
    db: Path
    tmp: Path
    repair: int
    draw: int
    listing: int

    def run(self, *args: str) -> int:
        return main(["--db", str(self.db), *args])


@pytest.fixture
def county(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Setup:
    db = tmp_path / "凤凰.db"
    assert (
        main(["--db", str(db), "init", "--profile", "fenghuang", "--unit", "凤凰县应急管理局"]) == 0
    )
    assert main(["--db", str(db), "demo", "--enterprises", "20", "--seed", "1"]) == 0
    assert main(["--db", str(db), "import", str(EXAMPLES / "fenghuang.xlsx")]) == 0
    session = core.open_session(db, user="测试员")
    try:
        # A repaired record of another unit, so that D_CODE and C_CODE keep their grades.
        other = session.units.find_by_code("91433123111820220L")  # EX-F1, A
        assert other is not None
        repair = approved_repair(session, db, other[0], date(2024, 3, 5))
        draw = session.draws.make(year=2026, seed="命令行").summary.id
        # grading.md Revision 2: fenghuang's 黑名单 has grounds of its own (not grade D), so
        # its listing notice is issued for an entry of the list
        d_unit = session.units.find_by_code(D_CODE)
        assert d_unit is not None
        listing = session.lists.add(
            unit_id=d_unit[0],
            list_kind="黑名单",
            facts="2026年被责令停产停业整顿仍从事生产经营",
            basis="拒不执行安全监管监察指令",
        ).id
    finally:
        session.close()
    capsys.readouterr()
    return Setup(db, tmp_path, repair, draw, listing)


def approved_repair(session: core.Session, db: Path, unit_id: int, day: date) -> int:
    """A violation of the unit on ``day``, applied for and approved (2026-11-01): the
    application's number, as ``repair show`` prints it."""
    violation = session.records.save(model.Violation(unit_id, "accident_reported_late", day))
    applied = session.repairs.apply(
        table="violations", target_id=violation, applied_on=date(2026, 10, 8)
    )
    reviewer = core.open_session(db, user="审核员", role=Role.REVIEWER)
    try:
        reviewer.repairs.decide(applied.id, approve=True, on=date(2026, 11, 1))
    finally:
        reviewer.close()
    return applied.id


def register(db: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT d.kind, d.seq, d.doc_no, coalesce(u.uscc, ''), d.first_page, d.page_count,"
            " d.file_id FROM documents d LEFT JOIN units u ON u.id = d.unit_id ORDER BY d.id"
        ).fetchall()
    finally:
        conn.close()


CASES = [
    ("grade-notice", ["--uscc", D_CODE, "--as-of", AS_OF], ["D级（四级）", "被责令停产停业整顿"]),
    (
        "grade-notice",
        ["--uscc", C_CODE, "--as-of", AS_OF],
        ["C级（三级）", "1年内有安全生产失信行为"],
    ),
    ("commitment", ["--uscc", D_CODE], ["安全生产承诺书", "测试EX-F3有限公司"]),
    ("duty-commitment", ["--uscc", D_CODE], ["主要负责人安全生产履职尽责承诺书", "本人张三"]),
    ("listing-notice", ["--listing", "LISTING"], ["列入黑名单告知书", "陈述、申辩"]),
    (
        "removal-decision",
        ["--repair", "REPAIR"],
        ["信用修复决定书", "测试EX-F1有限公司", "迟报生产安全事故", "自2026年11月1日起"],
    ),
    ("inspection-plan", ["--year", "2027"], ["凤凰县应急管理局2027年度执法检查计划"]),
    ("draw-notice", ["--draw", "DRAW"], ["双随机抽查结果公示", "命令行"]),
]
PREFIX = {
    "grade-notice": "凤应急信告",
    "commitment": "凤应急信诺",
    "duty-commitment": "凤应急责诺",
    "listing-notice": "凤应急列告",
    "removal-decision": "凤应急移决",
    "inspection-plan": "凤应急检计",
    "draw-notice": "凤应急抽公",
}


@pytest.mark.parametrize(("kind", "target", "expected"), CASES)
def test_print_each_kind(
    county: Setup,
    capsys: pytest.CaptureFixture[str],
    kind: str,
    target: list[str],
    expected: list[str],
) -> None:
    ids = {"REPAIR": county.repair, "DRAW": county.draw, "LISTING": county.listing}
    target = [str(ids[t]) if t in ids else t for t in target]
    out = county.tmp / f"{kind}.pdf"
    assert county.run("print", kind, *target, "--out", str(out)) == 0
    printed = capsys.readouterr().out
    number = f"{PREFIX[kind]}〔{YEAR}〕1号"
    assert "已出具 1 份" in printed and number in printed and f"已保存：{out}" in printed
    assert out.read_bytes().startswith(b"%PDF")
    flags = embedded_flags(out)
    assert flags and set(flags) == {"yes"}
    sizes = pdf_pages(out)
    assert set(sizes) == {"841.89 x 595.276" if kind == "inspection-plan" else "595.276 x 841.89"}
    text = pdf_text(out)
    assert number in text and "凤凰县应急管理局" in text
    for phrase in expected:
        assert flat(phrase) in text, phrase
    if "--uscc" in target:
        assert target[target.index("--uscc") + 1] in text
    ((row_kind, seq, doc_no, _, first, count, _),) = register(county.db)
    assert (row_kind, seq, doc_no, first, count) == (kind, 1, number, 1, len(sizes))
    assert not list(county.tmp.glob("*.part"))


def test_removal_decision_is_for_the_unit_of_the_application_repair_show_prints(
    county: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--repair N` is the number `repair show` prints, and the decision names that
    application's unit — not the unit of whatever repair record has the id N."""
    codes = ["91433123111820220L", C_CODE, D_CODE]
    session = core.open_session(county.db, user="测试员")
    try:
        units = {code: session.units.find_by_code(code) for code in codes}
        # An imported repair of a fourth unit first: repair record ids no longer match
        # application numbers.
        fourth = next(
            r for r in session.grading.grade(as_of=date(2026, 11, 21)) if r.uscc not in codes
        )
        late = session.records.save(
            model.Violation(fourth.unit_id, "refuse_directive", date(2024, 1, 9))
        )
        session.records.save(
            model.Repair(
                fourth.unit_id, model.RepairTarget.VIOLATION, date(2026, 3, 1), violation_id=late
            ),
        )
        for code in codes[1:]:
            found = units[code]
            assert found is not None
            approved_repair(session, county.db, found[0], date(2025, 2, 3))
    finally:
        session.close()
    names = {code: found[1] for code, found in units.items() if found is not None}
    capsys.readouterr()
    assert county.run("repair", "show") == 0
    shown = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    by_code = {row[3]: int(row[0]) for row in shown}
    assert sorted(by_code) == sorted(codes)
    for code, number in by_code.items():
        out = county.tmp / f"决定{number}.pdf"
        assert (
            county.run("print", "removal-decision", "--repair", str(number), "--out", str(out)) == 0
        )
        assert f"\t{code}\t" in capsys.readouterr().out
        text = pdf_text(out)
        assert flat(names[code]) + "（统一社会信用代码：" + code in text
        assert f"（第{number}号）" in text
        assert not any(flat(n) in text for c, n in names.items() if c != code)


def test_removal_decision_needs_an_approved_application(
    county: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    session = core.open_session(county.db, user="测试员")
    try:
        unit = session.units.find_by_code(C_CODE)
        assert unit is not None
        violation = session.records.save(
            model.Violation(unit[0], "refuse_directive", date(2025, 1, 9))
        )
        pending = session.repairs.apply(table="violations", target_id=violation)
    finally:
        session.close()
    out = county.tmp / "待审核.pdf"
    assert (
        county.run("print", "removal-decision", "--repair", str(pending.id), "--out", str(out)) == 1
    )
    err = capsys.readouterr().err
    assert f"第 {pending.id} 号信用修复申请尚未审核" in err
    assert not out.exists() and register(county.db) == []


def test_unwritable_output_takes_no_number(
    county: Setup, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PDF is written before the number is committed: when the file cannot be
    written, nothing is issued and the next document still gets 1号."""
    out = county.tmp / "x.pdf"

    def refuse(path: Path, data: bytes) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(safety, "write_private_file", refuse)
    assert county.run("print", "commitment", "--uscc", D_CODE, "--out", str(out)) == 1
    assert "无法写入文件" in capsys.readouterr().err
    assert register(county.db) == [] and not out.exists()
    monkeypatch.undo()
    assert county.run("print", "commitment", "--uscc", D_CODE, "--out", str(out)) == 0
    assert f"凤应急信诺〔{YEAR}〕1号" in capsys.readouterr().out


def test_batch_all_grade_c(county: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    session = core.open_session(county.db, user="测试员")
    try:
        c_ids = session.units.of_grade("C", date(2026, 11, 21))
    finally:
        session.close()
    assert len(c_ids) >= 5
    out = county.tmp / "C级.pdf"
    assert (
        county.run("print", "grade-notice", "--all-grade", "c", "--as-of", AS_OF, "--out", str(out))
        == 0
    )
    printed = capsys.readouterr().out
    assert f"已出具 {len(c_ids)} 份" in printed
    rows = register(county.db)
    assert len(rows) == len(c_ids)
    assert [r[1] for r in rows] == list(range(1, len(c_ids) + 1))
    assert len({r[2] for r in rows}) == len(rows) and len({r[6] for r in rows}) == 1
    total = len(pdf_pages(out))
    assert set(embedded_flags(out)) == {"yes"}
    next_page = 1
    for _, _, doc_no, uscc, first, count, _ in sorted(rows, key=lambda r: r[4]):
        assert first == next_page
        next_page += count
        head = pdf_text(out, first)
        assert head.startswith("安全生产信用等级告知书")
        assert doc_no in head and uscc in head and "C级（三级）" in head
        assert f"{doc_no}\t{uscc}" in printed
        whole = pdf_text(out, first, first + count - 1)
        assert whole.count(f"凤应急信告〔{YEAR}〕") == 1
    assert next_page == total + 1


def test_reprint_through_the_cli_is_byte_identical(
    county: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = county.tmp / "一.pdf", county.tmp / "二.pdf"
    args = ["print", "grade-notice", "--uscc", C_CODE, "--as-of", AS_OF]
    assert county.run(*args, "--out", str(first)) == 0
    capsys.readouterr()
    assert county.run(*args, "--out", str(second)) == 0
    printed = capsys.readouterr().out
    assert "按原文号重印 1 份" in printed and f"凤应急信告〔{YEAR}〕1号" in printed
    assert "已出具 1 份" not in printed
    assert digest(first) == digest(second)
    assert len(register(county.db)) == 1


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (["objection-reply", "--objection", "1"], "没有编号为 1 的异议"),
        (["objection-reply", "--uscc", D_CODE], "请指定异议的编号"),
        (["removal-decision", "--listing", "999"], "名单中没有编号为 999 的记录"),
    ],
)
def test_objections_and_listings_must_exist(
    county: Setup, capsys: pytest.CaptureFixture[str], target: list[str], message: str
) -> None:
    out = county.tmp / "x.pdf"
    assert county.run("print", *target, "--out", str(out)) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("错误：") and message in captured.err
    assert "Traceback" not in captured.err and captured.out == ""
    assert not out.exists() and register(county.db) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["grade-notice", "--uscc", "91433123MA00000000"], "没有统一社会信用代码为"),
        (["listing-notice", "--uscc", C_CODE, "--as-of", AS_OF], "不符合列入黑名单的条件"),
        (["grade-notice", "--all-grade", "E"], "--all-grade 应为"),
        (["grade-notice", "--year", "2027"], "请选择要出具"),
        (["inspection-plan", "--uscc", D_CODE], "请指定检查计划的年度"),
        (["removal-decision", "--repair", "999"], "没有编号为 999 的信用修复申请"),
        (["grade-notice", "--uscc", D_CODE, "--assessment", "2026"], "尚未确认"),
        (["grade-notice", "--uscc", D_CODE, "--as-of", "2026-02-30"], "--as-of"),
    ],
)
def test_refusals_are_sentences(
    county: Setup, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    out = county.tmp / "x.pdf"
    assert county.run("print", *args, "--out", str(out)) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：") and message in err and "Traceback" not in err
    assert not out.exists() and register(county.db) == []


def test_missing_output_folder_is_refused(
    county: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    out = county.tmp / "没有" / "x.pdf"
    assert county.run("print", "commitment", "--uscc", D_CODE, "--out", str(out)) == 1
    assert "输出文件夹不存在" in capsys.readouterr().err
    assert register(county.db) == []


@pytest.mark.parametrize(
    "args",
    [
        ["grade-notice", "--uscc", D_CODE],  # no --out
        ["grade-notice", "--uscc", D_CODE, "--year", "2027", "--out", "x.pdf"],
        ["grade-notice", "--out", "x.pdf"],  # no target
        ["no-such-kind", "--uscc", D_CODE, "--out", "x.pdf"],
        ["grade-notice", "--uscc", D_CODE, "--as-of", AS_OF, "--assessment", "2026", "--out", "x"],
    ],
)
def test_usage_errors_exit_2(county: Setup, args: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        county.run("print", *args)
    assert exc.value.code == 2


def test_assessment_year_is_named(county: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    reviewer = core.open_session(county.db, user="审核员", role=Role.REVIEWER)
    try:
        reviewer.grading.confirm_assessment(2026)
        c_2026 = [r for r in reviewer.grading.assessment_results(2026) if r.grade == "C"]
    finally:
        reviewer.close()
    assert c_2026
    out = county.tmp / "评定.pdf"
    args = ["print", "grade-notice", "--all-grade", "C", "--assessment", "2026", "--out", str(out)]
    assert county.run(*args) == 0
    assert f"已出具 {len(c_2026)} 份" in capsys.readouterr().out
    text = pdf_text(out)
    assert "2026年度安全生产信用评定" in text and "评定基准日2025年12月31日" in text


def test_official_font_notes_are_printed(
    county: Setup, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("WINDIR", "SYSTEMROOT", "LOCALAPPDATA"):
        monkeypatch.delenv(name, raising=False)
    folder = county.tmp / "字体"
    folder.mkdir()
    shutil.copy(doc_fonts.shipped_fonts_dir() / doc_fonts.SHIPPED_BODY[0], folder / "simfang.ttf")
    admin = core.open_session(county.db, user="管理员", role=Role.ADMIN)
    try:
        admin.documents.set_fonts(use_official=True, folder=str(folder))
    finally:
        admin.close()
    out = county.tmp / "承诺.pdf"
    assert county.run("print", "commitment", "--uscc", D_CODE, "--out", str(out)) == 0
    printed = capsys.readouterr().out
    assert "注意：未找到方正小标宋字体" in printed
    assert set(embedded_flags(out)) == {"yes"}
    assert "测试EX-F3有限公司" in pdf_text(out)
