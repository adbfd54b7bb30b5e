"""The credit workflows on the command line (issue 8): ``safecredit list``, ``objection``,
``repair``, ``bad-records``, ``commitments``, ``publicity`` and ``permit``, driven the
way a user drives them. Role actions need ``--user`` and the password (here from
SAFECREDIT_PASSWORD); every refusal is “错误：…” on stderr, exit 1, no traceback.

The commands act on today's date (review, publication), so the records are dated
relative to today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from safecredit_desktop.cli import main
from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.scheduling.due import add_months
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.validate import uscc_check_character

PASSWORD = "secret-pw"
TODAY = date.today()


def code(n: int) -> str:
    first = f"91433123{n:09d}"
    return first + uscc_check_character(first)


D_CODE, OBJECTION_CODE, REPAIR_CODE, BARE_CODE = code(1), code(2), code(3), code(4)


@dataclass
class Setup:
    db: Path
    tmp: Path
    capsys: pytest.CaptureFixture[str]
    units: dict[str, int]
    violation: int  # recorded by 审核员甲, disputed
    penalty: int  # recorded by 录入员丙, corrected
    old_violation: int  # old enough to be repaired

    def run(self, *args: str, user: str | None = None) -> tuple[int, str, str]:
        argv = ["--db", str(self.db)]
        if user is not None:
            argv += ["--user", user]
        self.capsys.readouterr()
        rc = main([*argv, *args])
        out, err = self.capsys.readouterr()
        return rc, out, err

    def ok(self, *args: str, user: str | None = None) -> str:
        rc, out, err = self.run(*args, user=user)
        assert rc == 0, err
        assert err == ""
        return out

    def refused(self, *args: str, user: str | None = None) -> str:
        rc, out, err = self.run(*args, user=user)
        assert rc == 1, out
        assert err.startswith("错误：") and "Traceback" not in err
        return err

    def session(self) -> core.Session:
        return core.open_session(self.db, user="测试")

    def grade(self, uscc: str) -> str:
        session = self.session()
        try:
            (result,) = session.grading.grade(as_of=TODAY, uscc=uscc)
            return str(result.grade)
        finally:
            session.close()

    def one(self, sql: str, *args: object) -> object:
        with Database.open(self.db, upgrade=False) as opened:
            return opened.conn.execute(sql, args).fetchone()


@pytest.fixture
def county(
    tmp_path: Path,
    new_db: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Setup:
    monkeypatch.setenv("SAFECREDIT_PASSWORD", PASSWORD)
    db = new_db("凤凰.db")
    argv = ["--db", str(db), "init", "--profile", "fenghuang", "--unit", "凤凰县应急管理局"]
    assert main([*argv, "--admin", "管理员"]) == 0
    admin = core.sign_in(db, "管理员", PASSWORD)
    try:
        for name, role in (
            ("审核员甲", Role.REVIEWER),
            ("审核员乙", Role.REVIEWER),
            ("录入员丙", Role.CLERK),
        ):
            admin.accounts.create_user(name, PASSWORD, role)
    finally:
        admin.close()

    clerk = core.open_session(db, user="录入员丙")
    recorder = core.open_session(db, user="审核员甲", role=Role.REVIEWER)
    try:
        units = {}
        for uscc, name in (
            (D_CODE, "丁矿业有限公司"),
            (OBJECTION_CODE, "丙化工有限公司"),
            (REPAIR_CODE, "乙烟花有限公司"),
            (BARE_CODE, "戊贸易有限公司"),
        ):
            units[uscc] = clerk.records.save(
                model.Unit(uscc, name, "非煤矿山", main_person="张三", std_level="二级")
            )
        for uscc in (D_CODE, OBJECTION_CODE, REPAIR_CODE):
            clerk.records.save(
                model.Commitment(units[uscc], "单位承诺", TODAY - timedelta(days=800))
            )
        clerk.records.save(
            model.Accident(units[D_CODE], TODAY - timedelta(days=30), "较大", "是", deaths=3),
        )
        violation = recorder.records.save(
            model.Violation(units[OBJECTION_CODE], "other", TODAY - timedelta(days=20))
        )
        penalty = clerk.records.save(
            model.Penalty(
                units[OBJECTION_CODE],
                "凤应急罚〔2020〕1号",
                TODAY - timedelta(days=10),
                "应急管理部门",
                reason="未整改",
            ),
        )
        old_violation = clerk.records.save(
            model.Violation(units[REPAIR_CODE], "refuse_directive", TODAY - timedelta(days=400)),
        )
    finally:
        clerk.close()
        recorder.close()
    capsys.readouterr()
    return Setup(db, tmp_path, capsys, units, violation, penalty, old_violation)


# -- lists ---------------------------------------------------------------------------------------


def test_list_lifecycle(county: Setup) -> None:
    out = county.ok("list", "propose", user="审核员甲")
    assert "按规则采集 1 条" in out and D_CODE in out and "黑名单" in out
    (entry_id,) = county.one("SELECT id FROM list_entries")
    entry = str(entry_id)
    assert "按规则采集 0 条" in county.ok("list", "propose", user="审核员甲")

    out = county.ok("list", "notify", entry)
    due = county.one("SELECT statement_due FROM list_entries")[0]
    assert "告知" in out and f"申辩期限 {due}" in out

    # review: role, statement period, proposer
    err = county.refused("list", "review", entry, "--approve")
    assert "请用 --user 指定用户" in err
    assert "需要审核员或管理员权限" in county.refused(
        "list", "review", entry, "--approve", user="录入员丙"
    )
    assert f"陈述申辩期至{due}止" in county.refused(
        "list", "review", entry, "--approve", user="审核员乙"
    )
    county.ok("list", "statement", entry, "--text", "事故责任有异议")
    assert "审核人不能是提出列入的人" in county.refused(
        "list", "review", entry, "--approve", user="审核员甲"
    )
    assert "不予列入时请填写理由" in county.refused(
        "list", "review", entry, "--refuse", user="审核员乙"
    )
    out = county.ok("list", "review", entry, "--approve", "--note", "事实清楚", user="审核员乙")
    assert "待公布" in out and "审核 审核员乙" in out

    assert "需要审核员或管理员权限" in county.refused("list", "publish", entry, user="录入员丙")
    out = county.ok("list", "publish", entry, user="审核员乙")
    ends = add_months(TODAY, 12)
    assert f"公布 {TODAY}" in out and f"期满 {ends}" in out

    shown = county.ok("list", "show", "--stage", "公布")
    assert shown.startswith(f"{entry}\t黑名单\t公布\t{D_CODE}")
    assert county.ok("list", "show", "--list", "红名单") == ""

    out_file = county.tmp / "黑名单.xlsx"
    assert "已导出" in county.ok("list", "export", "--list", "黑名单", "--out", str(out_file))
    ws = openpyxl.load_workbook(out_file).worksheets[0]
    assert D_CODE in [c for row in ws.iter_rows(values_only=True) for c in row]
    assert "没有“严重失信主体名单”" in county.refused(
        "list", "export", "--list", "严重失信主体名单", "--out", str(county.tmp / "x.xlsx")
    )

    assert "请填写移出原因" in county.refused(
        "list", "remove", entry, "--reason", " ", user="审核员乙"
    )
    out = county.ok("list", "remove", entry, "--reason", "整改到位", user="审核员乙")
    assert "移出" in out and "整改到位" in out
    pdf = county.tmp / "移出.pdf"
    county.ok("print", "removal-decision", "--listing", entry, "--out", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")


def test_wrong_password_and_unknown_entry(county: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "名单中没有编号为 99 的记录" in county.refused("list", "notify", "99")
    monkeypatch.setenv("SAFECREDIT_PASSWORD", "not-the-password")
    assert "用户名或密码不正确" in county.refused("list", "publish", "1", user="审核员乙")
    assert "没有“白名单”" in county.refused(
        "list", "add", "--uscc", BARE_CODE, "--list", "白名单", "--facts", "f", "--basis", "b"
    )


# -- objections ----------------------------------------------------------------------------------


def test_objection_file_accept_answer(county: Setup) -> None:
    assert county.grade(OBJECTION_CODE) == "C"
    out = county.ok(
        "objection", "file", "--table", "violations", "--id", str(county.violation),
        "--content", "系误记",
    )  # fmt: skip
    assert "待受理" in out and OBJECTION_CODE in out
    (objection_id,) = county.one("SELECT id FROM objections")
    oid = str(objection_id)
    assert "已有未办结的异议" in county.refused(
        "objection", "file", "--table", "violations", "--id", str(county.violation),
        "--content", "再次",
    )  # fmt: skip
    assert "尚未答复" in county.refused(
        "print", "objection-reply", "--objection", oid, "--out", str(county.tmp / "r.pdf")
    )
    assert "需要审核员或管理员权限" in county.refused("objection", "accept", oid, user="录入员丙")
    out = county.ok("objection", "accept", oid, user="审核员乙")
    assert "已受理" in out
    (due,) = county.one("SELECT due_on FROM objections")
    assert f"答复期限 {due}" in out

    err = county.refused(
        "objection", "answer", oid, "--findings", "核实", "--outcome", "删除", user="审核员甲"
    )
    assert "审核员甲录入或修改过被异议的记录，不能担任核查人" in err
    out = county.ok(
        "objection", "answer", oid, "--findings", "经核查系误录", "--outcome", "删除",
        user="审核员乙",
    )  # fmt: skip
    assert "已答复" in out and "核查人 审核员乙" in out and "结论 删除" in out
    assert county.one("SELECT count(*) FROM violations")[0] == 1  # only the other unit's
    assert county.grade(OBJECTION_CODE) == "A"
    assert county.ok("objection", "show", "--open") == ""
    reply = county.tmp / "答复.pdf"
    county.ok("print", "objection-reply", "--objection", oid, "--out", str(reply))
    assert reply.read_bytes().startswith(b"%PDF")


def test_objection_corrected_with_set_and_refused(county: Setup) -> None:
    county.ok(
        "objection", "file", "--table", "penalties", "--id", str(county.penalty),
        "--content", "事由不符",
    )  # fmt: skip
    county.ok("objection", "accept", "1", user="审核员乙")
    assert "更正应写成 字段=值" in county.refused(
        "objection", "answer", "1", "--findings", "核实", "--outcome", "更正",
        "--set", "no_such=1", user="审核员乙",
    )  # fmt: skip
    # the window's sentence for the field (core/forms.py), not a conversion error
    assert "罚款金额(元)：应填写不小于0的数字，现为「很多」" in county.refused(
        "objection", "answer", "1", "--findings", "核实", "--outcome", "更正",
        "--set", "fine_yuan=很多", user="审核员乙",
    )  # fmt: skip
    out = county.ok(
        "objection", "answer", "1", "--findings", "事由录入有误", "--outcome", "更正",
        "--set", "reason=未按期整改隐患", "--set", "fine_yuan=20000", user="审核员乙",
    )  # fmt: skip
    assert "结论 更正" in out
    assert county.one("SELECT reason, fine_yuan FROM penalties WHERE id = ?", county.penalty) == (
        "未按期整改隐患",
        20000.0,
    )

    county.ok(
        "objection", "file", "--table", "penalties", "--id", str(county.penalty),
        "--content", "再议",
    )  # fmt: skip
    assert "不予受理时请填写理由" in county.refused(
        "objection", "refuse", "2", "--reason", " ", user="审核员乙"
    )
    out = county.ok("objection", "refuse", "2", "--reason", "已答复过", user="审核员乙")
    assert "不予受理：已答复过" in out


def test_objection_correction_runs_the_windows_checks(county: Setup) -> None:
    """The CLI's 更正 goes through the entry form's field and cross-field checks (issue 17):
    a future date and an accident grade its figures contradict are refused with the
    sentences the window shows beside those fields, and nothing is stored."""
    from safecredit_desktop.core import forms

    clerk = county.session()
    try:
        accident = model.Accident(
            county.units[OBJECTION_CODE], TODAY - timedelta(days=40), "一般", "是",
            accident_no="事故-1", deaths=1,
        )  # fmt: skip
        accident_id = clerk.records.save(accident)
        stored = clerk.records.get("accidents", accident_id)
        profile = clerk.profile
    finally:
        clerk.close()
    county.ok(
        "objection", "file", "--table", "accidents", "--id", str(accident_id),
        "--content", "伤亡人数不符",
    )  # fmt: skip
    county.ok("objection", "accept", "1", user="审核员乙")

    def window_says(**changed: str) -> dict[str, str]:
        form = forms.form_for("accidents")
        values = {**forms.values_of(stored, form), **changed}
        return forms.check_form(form, values, profile=profile, today=TODAY).errors

    future = (TODAY + timedelta(days=3)).isoformat()
    (date_sentence,) = window_says(occurred_on=future).values()
    err = county.refused(
        "objection", "answer", "1", "--findings", "核实", "--outcome", "更正",
        "--set", f"occurred_on={future}", user="审核员乙",
    )  # fmt: skip
    labels = forms.form_for("accidents").labels
    assert date_sentence and f"{labels['occurred_on']}：{date_sentence}" in err

    grade_sentence = window_says(deaths="3", grade="一般")["grade"]
    assert "较大" in grade_sentence
    err = county.refused(
        "objection", "answer", "1", "--findings", "核实", "--outcome", "更正",
        "--set", f"{labels['deaths']}=3", "--set", "grade=一般", user="审核员乙",
    )  # fmt: skip
    assert f"{labels['grade']}：{grade_sentence}" in err

    assert county.one(
        "SELECT occurred_on, deaths, grade FROM accidents WHERE id = ?", accident_id
    ) == (
        stored.occurred_on.isoformat(),
        1,
        "一般",
    )
    assert county.one("SELECT status FROM objections") == ("已受理",)
    out = county.ok(
        "objection", "answer", "1", "--findings", "死亡3人", "--outcome", "更正",
        "--set", "deaths=3", "--set", f"{labels['grade']}=较大", user="审核员乙",
    )  # fmt: skip
    assert "结论 更正" in out
    assert county.one("SELECT deaths, grade FROM accidents WHERE id = ?", accident_id) == (
        3,
        "较大",
    )


# -- repairs -------------------------------------------------------------------------------------


def test_repair_apply_check_approve(county: Setup) -> None:
    assert county.grade(REPAIR_CODE) == "B"
    out = county.ok("repair", "apply", "--table", "violations", "--id", str(county.old_violation))
    assert "信用修复\t待审核" in out and REPAIR_CODE in out
    recorded = TODAY - timedelta(days=400)
    earliest = add_months(recorded, 12)
    eleven = add_months(recorded, 11)

    out = county.ok("repair", "check", "1", "--on", eleven.isoformat())
    assert out.splitlines()[0].startswith("✘") and "待核实" in out
    assert county.ok("repair", "check", "1").splitlines()[0].startswith("✔")

    assert "需要审核员或管理员权限" in county.refused("repair", "approve", "1", user="录入员丙")
    err = county.refused("repair", "approve", "1", "--on", eleven.isoformat(), user="审核员乙")
    assert f"{earliest.isoformat()}前不能批准信用修复" in err
    out = county.ok("repair", "approve", "1", "--note", "材料齐全", user="审核员乙")
    assert "批准" in out and "审核员乙" in out
    assert (
        county.one("SELECT count(*) FROM repairs WHERE violation_id = ?", county.old_violation)[0]
        == 1
    )
    assert county.grade(REPAIR_CODE) == "A"
    assert "信用修复\t批准" in county.ok("repair", "show")

    assert "需要审核员或管理员权限" in county.refused(
        "repair", "revoke", "1", "--reason", "虚假材料", user="录入员丙"
    )
    out = county.ok("repair", "revoke", "1", "--reason", "以虚假材料取得", user="审核员乙")
    assert "撤销" in out
    assert county.one("SELECT count(*) FROM repairs")[0] == 0
    assert county.grade(REPAIR_CODE) == "B"
    assert "只能撤销已批准的申请" in county.refused(
        "repair", "revoke", "1", "--reason", "再次", user="审核员乙"
    )


# -- bad records, commitments, 双公示 ------------------------------------------------------------


def test_bad_records(county: Setup) -> None:
    out = county.ok("bad-records", "--uscc", D_CODE)
    assert out.startswith("不良信用记录 1 条")
    assert f"{D_CODE}\t第1项\t一年内发生生产安全死亡责任事故\t事故 " in out
    everything = county.ok("bad-records")
    assert f"{REPAIR_CODE}\t第6项" in everything and f"{OBJECTION_CODE}\t第8项" in everything
    assert "没有统一社会信用代码为" in county.refused("bad-records", "--uscc", code(99))
    assert "日期" in county.refused("bad-records", "--as-of", "明天")


def test_commitments(county: Setup) -> None:
    out = county.ok("commitments")
    assert out.startswith("缺少承诺书的企业 4 家")
    assert f"{BARE_CODE}\t戊贸易有限公司\t张三\t缺：单位承诺、履职尽责承诺" in out
    county.ok("commitments", "--signed", BARE_CODE, "--signer", "张三")
    county.ok("commitments", "--signed", BARE_CODE, "--duty")
    out = county.ok("commitments")
    assert out.startswith("缺少承诺书的企业 3 家") and BARE_CODE not in out
    assert "没有统一社会信用代码为" in county.refused("commitments", "--signed", code(99))


def test_publicity_and_permits(county: Setup) -> None:
    out = county.ok("publicity", "--pending")
    assert "行政处罚" in out and "凤应急罚〔2020〕1号" in out
    county.ok(
        "permit", "--uscc", BARE_CODE, "--no", "（湘）FM安许证字〔2026〕001",
        "--kind", "安全生产许可", "--date", "2026-09-28",
    )  # fmt: skip
    assert "已登记" in county.refused(
        "permit", "--uscc", BARE_CODE, "--no", "（湘）FM安许证字〔2026〕001",
        "--kind", "安全生产许可",
    )  # fmt: skip
    assert "公示日期不能早于许可决定日期" in county.refused(
        "publicity", "--kind", "行政许可", "--mark", "1", "--on", "2026-09-01"
    )
    county.ok("publicity", "--kind", "行政许可", "--mark", "1", "--on", "2026-10-09")
    out = county.ok("publicity")
    assert "行政许可\t1\t（湘）FM安许证字〔2026〕001" in out and "应公示 2026-10-13" in out
    assert "公示 2026-10-09\t已公示" in out
    assert "（湘）FM安许证字" not in county.ok("publicity", "--pending")

    target = county.tmp / "双公示.xlsx"
    assert f"已导出：{target}" in county.ok("publicity", "--out", str(target))
    values = [
        c
        for row in openpyxl.load_workbook(target).worksheets[0].iter_rows(values_only=True)
        for c in row
    ]
    assert "（湘）FM安许证字〔2026〕001" in values and "凤应急罚〔2020〕1号" in values


def test_repair_of_a_deleted_record_is_refused_without_traceback(county: Setup) -> None:
    county.ok("repair", "apply", "--table", "violations", "--id", str(county.violation))
    county.ok(
        "objection", "file", "--table", "violations", "--id", str(county.violation),
        "--content", "系误记",
    )  # fmt: skip
    county.ok("objection", "accept", "1", user="审核员乙")
    county.ok(
        "objection", "answer", "1", "--findings", "误录", "--outcome", "删除", user="审核员乙"
    )
    county.refused("repair", "check", "1")
