"""grading.md Revision 2 (2026-12), item by item, driven the way a user drives it:
``init --profile X --unit …``, ``import FILE.xlsx`` (workbooks built here in the template
format), ``grade --format json [--as-of D]``, ``list propose``, ``list show --format
json``, ``repair …``, ``bad-records``, ``print``. Each test fails on the program as it
was before the revision.

Grading is checked at fixed as-of dates. The list workflow acts on today's date (the
review of an entry has no date option), so the records behind a listing are dated
relative to today."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from safecredit_desktop.cli import main
from safecredit_desktop.core import app as core
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.scheduling.due import add_months
from safecredit_desktop.core.validate import uscc_check_character

PASSWORD = "secret-pw"
TODAY = date.today()


def code(n: int, prefix: str = "91433123") -> str:
    first = f"{prefix}{n:09d}"
    return first + uscc_check_character(first)


def book(path: Path, sheets: dict[str, list[dict[str, Any]]]) -> Path:
    """A template workbook: each sheet's headers are the keys of its rows, in order."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        headers = list(dict.fromkeys(k for row in rows for k in row))
        ws.append(headers)
        for row in rows:
            ws.append([row.get(h) for h in headers])
    wb.save(path)
    return path


def unit(n: int, *, prefix: str = "91433123", **fields: Any) -> dict[str, Any]:
    row = {
        "统一社会信用代码": code(n, prefix),
        "单位名称": f"测试{n}有限公司",
        "行业类别": "非煤矿山",
        "主要负责人": "张三",
        "标准化等级": "二级",
        "标准化有效期至": "2030-12-31",
    }
    row.update(fields)
    return row


def commitment(n: int, *, prefix: str = "91433123", signed: str = "2020-01-01") -> dict[str, Any]:
    return {"统一社会信用代码": code(n, prefix), "承诺类型": "单位承诺", "签署日期": signed}


@dataclass
class County:
    db: Path
    tmp: Path
    capsys: pytest.CaptureFixture[str]

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
        return out

    def refused(self, *args: str, user: str | None = None) -> str:
        rc, out, err = self.run(*args, user=user)
        assert rc == 1, out
        assert err.startswith("错误：") and "Traceback" not in err
        return err

    def load(self, sheets: dict[str, list[dict[str, Any]]], *, user: str | None = None) -> None:
        path = book(self.tmp / f"book{len(list(self.tmp.glob('book*.xlsx')))}.xlsx", sheets)
        self.ok("import", str(path), user=user)

    def grades(self, as_of: date | str) -> dict[str, dict[str, Any]]:
        out = self.ok("grade", "--format", "json", "--as-of", str(as_of))
        return {item["uscc"]: item for item in json.loads(out)}

    def listed(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = json.loads(self.ok("list", "show", "--format", "json"))
        return result

    def one(self, sql: str, *args: object) -> Any:
        conn = sqlite3.connect(self.db)
        try:
            return conn.execute(sql, args).fetchone()
        finally:
            conn.close()


def make_county(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    profile: str,
) -> County:
    monkeypatch.setenv("SAFECREDIT_PASSWORD", PASSWORD)
    db = tmp_path / f"{profile}.db"
    argv = ["--db", str(db), "init", "--profile", profile, "--unit", "测试县应急管理局"]
    assert main([*argv, "--admin", "管理员"]) == 0
    admin = core.sign_in(db, "管理员", PASSWORD)
    try:
        for name in ("审核员甲", "审核员乙"):
            admin.accounts.create_user(name, PASSWORD, Role.REVIEWER)
    finally:
        admin.close()
    capsys.readouterr()
    return County(db, tmp_path, capsys)


@pytest.fixture
def fenghuang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> County:
    return make_county(tmp_path, capsys, monkeypatch, "fenghuang")


@pytest.fixture
def suizhou(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> County:
    return make_county(tmp_path, capsys, monkeypatch, "suizhou")


@pytest.fixture
def kundulun(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> County:
    return make_county(tmp_path, capsys, monkeypatch, "kundulun")


def codes(item: dict[str, Any]) -> list[str]:
    return [r["code"] for r in item["reasons"]]


SZ = "91421300"  # suizhou codes
AS_OF = date(2026, 11, 21)


# -- 1. accidents are never repaired ----------------------------------------------------------


def test_1_an_accident_is_never_repaired(fenghuang: County) -> None:
    c = fenghuang
    accident = {
        "统一社会信用代码": code(1),
        "事故日期": "2025-06-01",
        "死亡人数": 1,
        "责任事故": "是",
    }
    c.load({"企业信息": [unit(1)], "承诺书": [commitment(1)], "生产安全事故": [accident]})
    assert c.grades(AS_OF)[code(1)]["grade"] == "B"  # a fatal accident within 36 months
    (accident_id,) = c.one("SELECT id FROM accidents")

    # an application naming the accident is refused with the sentence
    err = c.refused("repair", "apply", "--table", "accidents", "--id", str(accident_id))
    assert "生产安全事故不能信用修复" in err
    assert c.one("SELECT count(*) FROM repair_applications") == (0,)

    # an imported 信用修复 row naming it is a bad cell: nothing of the workbook is imported
    repair = {
        "统一社会信用代码": code(1),
        "修复对象类型": "生产安全事故",
        "发生日期": "2025-06-01",
        "批准日期": "2026-07-01",
    }
    path = book(c.tmp / "repair.xlsx", {"企业信息": [unit(2)], "信用修复": [repair]})
    err = c.refused("import", str(path), user="管理员")
    assert "“信用修复”表第2行“修复对象类型”列" in err and "生产安全事故不能信用修复" in err
    assert c.one("SELECT count(*) FROM repairs") == (0,)
    assert c.one("SELECT count(*) FROM units") == (1,)

    # the accident keeps counting in the accident criteria for their whole windows
    assert c.grades("2028-05-31")[code(1)]["grade"] == "B"
    assert c.grades("2028-06-01")[code(1)]["grade"] == "A"


# -- 2. the suizhou list and grade D ----------------------------------------------------------


def _listed_and_published(c: County, *, accident_days_ago: int = 200) -> tuple[int, int]:
    """A suizhou unit with a 重大 accident and a penalty, proposed, reviewed (列入 today)
    and published today; (entry number, unit entry's person count)."""
    day = (TODAY - timedelta(days=accident_days_ago)).isoformat()
    c.load(
        {
            "企业信息": [unit(1, prefix=SZ, 主要负责人="张三")],
            "生产安全事故": [
                {"统一社会信用代码": code(1, SZ), "事故日期": day, "死亡人数": 10, "责任事故": "是"}
            ],
            "行政处罚": [
                {
                    "统一社会信用代码": code(1, SZ),
                    "决定书文号": "随应急罚〔2026〕1号",
                    "决定日期": day,
                    "处罚部门": "应急管理部门",
                }
            ],
        }
    )
    c.ok("list", "propose", user="审核员甲")
    entries = c.listed()
    (main,) = [e for e in entries if e["name"] == "测试1有限公司"]
    for e in entries:
        served = (TODAY - timedelta(days=60)).isoformat()
        c.ok("list", "notify", str(e["number"]), "--served", served)
        c.ok("list", "review", str(e["number"]), "--approve", user="审核员乙")
        c.ok("list", "publish", str(e["number"]), user="审核员乙")
    return int(main["number"]), len(main["persons"])


def test_2_a_published_suizhou_entry_is_grade_d_until_removed(suizhou: County) -> None:
    c = suizhou
    entry, persons = _listed_and_published(c)
    assert persons == 1
    published = c.one("SELECT published_on, ends_on FROM list_entries WHERE id = ?", entry)
    # the management period runs from 公布, 36 months
    assert published == (TODAY.isoformat(), add_months(TODAY, 36).isoformat())
    # before publication D comes from the records; once published: D.listed as well
    before = c.grades(TODAY - timedelta(days=1))[code(1, SZ)]
    assert before["grade"] == "D" and "D.listed" not in codes(before)
    now = c.grades(TODAY)[code(1, SZ)]
    assert now["grade"] == "D" and codes(now)[0] == "D.listed"
    # the accident leaves the 36 months before the period ends: still D, by the listing alone
    accident_out = add_months(TODAY - timedelta(days=200), 36) + timedelta(days=1)
    later = c.grades(accident_out)[code(1, SZ)]
    assert (later["grade"], codes(later)) == ("D", ["D.listed"])

    # early removal: from 12 months after 列入 (the review, today), not before
    out = c.ok("repair", "apply", "--table", "list_entries", "--id", str(entry))
    number = out.split("\t")[0]
    too_early = (add_months(TODAY, 12) - timedelta(days=1)).isoformat()
    err = c.refused("repair", "approve", number, "--on", too_early, user="审核员乙")
    assert "不能批准提前移出" in err
    removed_on = add_months(TODAY, 12)
    c.ok("repair", "approve", number, "--on", removed_on.isoformat(), user="审核员乙")
    assert c.one("SELECT stage, removed_on FROM list_entries WHERE id = ?", entry) == (
        "移出",
        removed_on.isoformat(),
    )
    # from then on the D criteria ignore the records that listed the unit; they still count
    # elsewhere: the penalty gives C (36 months), nothing is repaired
    after = c.grades(removed_on)[code(1, SZ)]
    assert (after["grade"], codes(after)) == ("C", ["C.penalty_36m"])
    assert c.one("SELECT count(*) FROM repairs") == (0,)
    # the day before the removal it is still listed
    assert codes(c.grades(removed_on - timedelta(days=1))[code(1, SZ)])[0] == "D.listed"
    # and the rules do not list it again for those records
    assert "按规则采集 0 条" in c.ok("list", "propose", "--as-of", removed_on.isoformat())


# -- 3. suizhou D counts what happened --------------------------------------------------------


def test_3_suizhou_d_counts_accidents_whatever_the_responsibility(suizhou: County) -> None:
    c = suizhou

    def accident(n: int, day: str, responsible: str, deaths: int) -> dict[str, Any]:
        return {
            "统一社会信用代码": code(n, SZ),
            "事故日期": day,
            "死亡人数": deaths,
            "责任事故": responsible,
        }

    c.load(
        {
            "企业信息": [unit(n, prefix=SZ) for n in (1, 2, 3, 4)],
            "生产安全事故": [
                accident(1, "2025-03-02", "否", 10),  # 重大, not responsible
                accident(2, "2025-03-02", "待定", 10),  # 重大, under investigation
                accident(3, "2025-01-10", "否", 3),  # two 较大 within 12 months
                accident(3, "2025-11-10", "待定", 3),
                accident(4, "2025-03-02", "否", 3),  # one 较大: not D
            ],
        }
    )
    graded = c.grades(AS_OF)
    assert codes(graded[code(1, SZ)]) == ["D.major_accident_36m"]
    assert codes(graded[code(2, SZ)]) == ["D.major_accident_36m"]
    assert codes(graded[code(3, SZ)]) == ["D.two_larger_accidents_36m"]
    assert graded[code(4, SZ)]["grade"] == "B"
    assert "责任待定" in graded[code(2, SZ)]["reasons"][0]["records"][0]
    # a 待定 accident raises the 待定 flag: the grade is provisional
    table = c.ok("grade", "--as-of", AS_OF.isoformat())
    line = next(row for row in table.splitlines() if row.startswith(code(2, SZ)))
    assert "D（严重失信主体名单）［待定］" in line
    line = next(row for row in table.splitlines() if row.startswith(code(1, SZ)))
    assert "［" not in line


# -- 4. 加重罚款 ------------------------------------------------------------------------------


def test_4_an_aggravated_fine_penalty_is_suizhou_d(suizhou: County) -> None:
    c = suizhou

    def penalty(n: int, doc: str, aggravated: str | None) -> dict[str, Any]:
        row = {
            "统一社会信用代码": code(n, SZ),
            "决定书文号": doc,
            "决定日期": "2024-03-02",
            "处罚部门": "应急管理部门",
            "处罚类别": "罚款",
        }
        if aggravated is not None:
            row["加重罚款"] = aggravated
        return row

    c.load(
        {
            "企业信息": [unit(n, prefix=SZ) for n in (1, 2)],
            "行政处罚": [
                penalty(1, "随应急罚〔2024〕1号", "是"),
                penalty(2, "随应急罚〔2024〕2号", "否"),
            ],
        }
    )
    graded = c.grades(AS_OF)
    assert codes(graded[code(1, SZ)]) == ["D.aggravated_fine_penalty"]
    assert graded[code(1, SZ)]["reasons"][0]["records"] == [
        "处罚 随应急罚〔2024〕1号 2024-03-02 加重罚款"
    ]
    assert codes(graded[code(2, SZ)]) == ["C.penalty_36m"]
    # within 36 months only (C's window is 36 months as well)
    assert codes(c.grades("2027-03-01")[code(1, SZ)]) == ["D.aggravated_fine_penalty"]
    assert c.grades("2027-03-02")[code(1, SZ)]["grade"] == "B"


# -- 5. persons on the suizhou list -----------------------------------------------------------


def test_5_the_list_names_the_main_person_at_the_records_date(suizhou: County) -> None:
    c = suizhou
    before = (TODAY - timedelta(days=100)).isoformat()
    c.load(
        {
            "企业信息": [unit(n, prefix=SZ, 主要负责人="张三") for n in (1, 2, 3)],
            "生产安全事故": [
                {
                    "统一社会信用代码": code(1, SZ),
                    "事故日期": before,
                    "死亡人数": 10,
                    "责任事故": "是",
                }
            ],
            "失信行为": [
                # 其他违法类1 (及其主要负责人): the safety person who did it, and the main person
                {
                    "统一社会信用代码": code(2, SZ),
                    "行为类型": "no_permit",
                    "发生日期": before,
                    "责任主体": "分管安全负责人",
                    "责任人姓名": "王五",
                },
                # 瞒报 (及其有关责任人员): the unit's own violation names no person
                {
                    "统一社会信用代码": code(3, SZ),
                    "行为类型": "accident_concealed",
                    "发生日期": before,
                },
            ],
        }
    )
    # the units' 主要负责人 changes today (audited): the records are older, so 张三 is listed
    c.load({"企业信息": [unit(n, prefix=SZ, 主要负责人="李四") for n in (1, 2, 3)]})
    c.ok("list", "propose")
    shown = c.listed()
    assert all(set(e) == {"number", "list", "stage", "uscc", "name", "persons"} for e in shown)
    assert {e["list"] for e in shown} == {"严重失信主体名单"}
    persons = {e["uscc"]: e["persons"] for e in shown if e["name"].startswith("测试")}
    assert persons[code(1, SZ)] == [{"name": "张三", "role": "主要负责人"}]
    assert sorted(persons[code(2, SZ)], key=str) == sorted(
        [{"name": "王五", "role": "分管安全负责人"}, {"name": "张三", "role": "主要负责人"}],
        key=str,
    )
    assert persons[code(3, SZ)] == []
    # each person is an entry of its own, beside the unit
    beside = sorted(e["name"] for e in shown if not e["name"].startswith("测试"))
    assert beside == [
        "张三（主要负责人，测试1有限公司）",
        "张三（主要负责人，测试2有限公司）",
        "王五（分管安全负责人，测试2有限公司）",
    ]


# -- 6. major hazards -------------------------------------------------------------------------


def test_6_major_hazards_are_bad_records_and_never_change_grades(fenghuang: County) -> None:
    c = fenghuang
    inspections = [
        # no deadline: never overdue, flagged on the unit's page
        {"统一社会信用代码": code(1), "检查日期": "2026-03-02", "发现隐患数": 2, "重大隐患数": 1},
        # deadline passed, not rectified: overdue at T
        {
            "统一社会信用代码": code(2),
            "检查日期": "2026-03-02",
            "发现隐患数": 1,
            "重大隐患数": 1,
            "整改期限": "2026-04-01",
        },
        # rectified late
        {
            "统一社会信用代码": code(3),
            "检查日期": "2026-03-02",
            "发现隐患数": 1,
            "重大隐患数": 1,
            "整改期限": "2026-04-01",
            "整改完成日期": "2026-05-10",
        },
    ]
    units = [unit(n) for n in (1, 2, 3)]
    c.load({"企业信息": units, "承诺书": [commitment(n) for n in (1, 2, 3)]})
    grades_before = {k: v["grade"] for k, v in c.grades(AS_OF).items()}
    c.load({"执法检查": inspections})
    assert (
        {k: v["grade"] for k, v in c.grades(AS_OF).items()}
        == grades_before
        == dict.fromkeys((code(1), code(2), code(3)), "A")
    )

    out = c.ok("bad-records", "--uscc", code(1), "--as-of", AS_OF.isoformat())
    assert "执法检查发现存在重大安全生产隐患、重大职业病危害隐患" in out
    assert "第5项" not in out  # a blank deadline never makes it overdue
    for n in (2, 3):
        out = c.ok("bad-records", "--uscc", code(n), "--as-of", AS_OF.isoformat())
        assert "第3项" in out and "第5项" in out

    session = core.open_session(c.db, user="测试")
    try:
        found = {u: session.units.find_by_code(code(u)) for u in (1, 2, 3)}
        ids = {u: f[0] for u, f in found.items() if f is not None}
        overdue = session.repairs.bad_records(unit_id=ids[2], as_of=AS_OF)
        assert {b.trigger: b.day for b in overdue} == {5: AS_OF, 3: date(2026, 3, 2)}
        late = session.repairs.bad_records(unit_id=ids[3], as_of=AS_OF)
        assert {b.trigger: b.day for b in late} == {5: date(2026, 5, 10), 3: date(2026, 3, 2)}
        (line,) = [e for e in session.units.timeline(ids[1]) if e.table == "inspections"]
        assert "重大隐患未定整改期限" in line.flags
    finally:
        session.close()


# -- 7. lists are profile data ----------------------------------------------------------------


def test_7_fenghuang_lists_follow_seed_002(fenghuang: County) -> None:
    c = fenghuang
    recent = (TODAY - timedelta(days=60)).isoformat()
    units = [unit(n) for n in range(1, 7)]
    c.load(
        {
            "企业信息": units,
            "承诺书": [commitment(n) for n in range(1, 7)],
            "失信行为": [
                # D, but not one of 002's six grounds: no longer on the 黑名单
                {
                    "统一社会信用代码": code(1),
                    "行为类型": "operate_while_suspended",
                    "发生日期": recent,
                },
                # C, and 002 ground 2 (未按时完成行政执法指令): on the 黑名单
                {"统一社会信用代码": code(2), "行为类型": "refuse_directive", "发生日期": recent},
            ],
            "执法检查": [
                # an A unit with a major hazard overdue: 黑名单 (ground 1), not 红名单
                {
                    "统一社会信用代码": code(3),
                    "检查日期": recent,
                    "发现隐患数": 1,
                    "重大隐患数": 1,
                    "整改期限": (TODAY - timedelta(days=30)).isoformat(),
                },
                # an A unit with a major hazard rectified on time: a 不良信用记录, no 红名单
                {
                    "统一社会信用代码": code(4),
                    "检查日期": recent,
                    "发现隐患数": 1,
                    "重大隐患数": 1,
                    "整改期限": (TODAY - timedelta(days=30)).isoformat(),
                    "整改完成日期": (TODAY - timedelta(days=40)).isoformat(),
                },
            ],
            "生产安全事故": [
                # 重大 responsible accident: 黑名单 for 24 months
                {"统一社会信用代码": code(5), "事故日期": recent, "死亡人数": 10, "责任事故": "是"}
            ],
        }
    )
    graded = c.grades(TODAY)
    assert [graded[code(n)]["grade"] for n in range(1, 7)] == ["D", "C", "A", "A", "D", "A"]
    c.ok("list", "propose")
    shown = {(e["uscc"], e["list"]) for e in c.listed()}
    assert shown == {
        (code(2), "黑名单"),
        (code(3), "黑名单"),
        (code(5), "黑名单"),
        (code(6), "红名单"),
    }
    periods = dict(
        sqlite3.connect(c.db).execute(
            "SELECT u.uscc, e.period_months FROM list_entries e JOIN units u ON u.id = e.unit_id"
        )
    )
    assert (periods[code(2)], periods[code(3)], periods[code(5)]) == (12, 12, 24)


def test_7_kundulun_lists_are_internal(kundulun: County) -> None:
    c = kundulun
    recent = (TODAY - timedelta(days=60)).isoformat()
    c.load(
        {
            "企业信息": [unit(1, 行业类别="煤矿")],
            "承诺书": [commitment(1)],
            "生产安全事故": [
                {"统一社会信用代码": code(1), "事故日期": recent, "死亡人数": 3, "责任事故": "是"}
            ],
        }
    )
    c.ok("list", "propose")
    ((entry, kind),) = [(e["number"], e["list"]) for e in c.listed()]
    assert kind == "黑名单"
    c.ok("list", "notify", str(entry), "--served", (TODAY - timedelta(days=60)).isoformat())
    c.ok("list", "review", str(entry), "--approve", user="审核员乙")
    err = c.refused("list", "publish", str(entry), user="审核员乙")
    assert "只作内部管理使用，不对外公布" in err and "不能公布" in err
    assert c.one("SELECT stage FROM list_entries") == ("内部管理",)
    out = c.tmp / "黑名单.xlsx"
    c.ok("list", "export", "--list", "黑名单", "--out", str(out))
    cells = [
        str(v)
        for row in openpyxl.load_workbook(out).active.iter_rows(values_only=True)
        for v in row
        if v is not None
    ]
    assert "只作内部管理使用，不对外公布" in "".join(cells) and code(1) in cells


def test_7_suizhou_red_list_is_grade_a(suizhou: County) -> None:
    c = suizhou
    honours = [
        {"统一社会信用代码": code(1, SZ), "表彰日期": day, "表彰级别": "市级", "表彰类型": kind}
        for day, kind in (
            ("2025-03-01", "先进单位"),
            ("2026-03-01", "先进单位"),
            ("2026-05-01", "通报表扬"),
        )
    ]
    c.load({"企业信息": [unit(1, prefix=SZ), unit(2, prefix=SZ)], "表彰": honours})
    assert c.grades(TODAY)[code(1, SZ)]["grade"] == "A"
    c.ok("list", "propose")
    assert {(e["uscc"], e["list"]) for e in c.listed()} == {(code(1, SZ), "红名单")}


# -- 8. what keeps the top grade --------------------------------------------------------------


def test_8_the_top_grade_is_told_what_keeps_it(suizhou: County, tmp_path: Path) -> None:
    c = suizhou
    honours = [
        {"统一社会信用代码": code(1, SZ), "表彰日期": day, "表彰级别": "市级", "表彰类型": kind}
        for day, kind in (
            ("2025-03-01", "先进单位"),
            ("2026-03-01", "先进单位"),
            ("2026-05-01", "通报表扬"),
        )
    ]
    c.load(
        {
            "企业信息": [unit(1, prefix=SZ), unit(2, prefix=SZ)],
            "表彰": honours,
            "行政处罚": [
                {
                    "统一社会信用代码": code(2, SZ),
                    "决定书文号": "随应急罚〔2026〕2号",
                    "决定日期": "2026-03-02",
                    "处罚部门": "应急管理部门",
                }
            ],
        }
    )
    graded = c.grades(AS_OF)
    top = graded[code(1, SZ)]
    assert top["grade"] == "A"
    assert "2027年需再次获得市级及以上先进单位表彰，方可继续评为A级（红名单）" in top["keep"]
    assert (
        "2028-05-01前需再次获得市级及以上部门通报表扬或典型宣传，方可继续评为A级（红名单）"
        in top["keep"]
    )
    assert any(k.startswith("其余条件需继续保持：") for k in top["keep"])
    assert top["next_change"] == {"date": "2028-01-01", "grade": "B"}  # unchanged
    assert graded[code(2, SZ)]["keep"] == []
    # the grade notice prints 信用保持提示 and no lower grade to come as a promise
    out = tmp_path / "notice.pdf"
    c.ok(
        "print",
        "grade-notice",
        "--uscc",
        code(1, SZ),
        "--as-of",
        AS_OF.isoformat(),
        "--out",
        str(out),
    )
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = "".join(text.split())
    assert "信用保持提示" in flat and "信用提升提示" not in flat
    assert "将调整为" not in flat and "2027年需再次获得市级及以上先进单位表彰" in flat


def test_8_improve_never_asks_to_obtain_what_the_unit_holds(fenghuang: County) -> None:
    c = fenghuang
    c.load(
        {
            # 二级 that expired: the unit holds it, it is renewed, not obtained
            "企业信息": [unit(1, 标准化等级="二级", 标准化有效期至="2026-06-30")],
            "承诺书": [commitment(1)],
        }
    )
    item = c.grades(AS_OF)[code(1)]
    assert item["grade"] == "C"
    assert item["improve"] == ["复评保持安全生产标准化二级（有效期至2026-06-30）后可评为一级"]
    assert not any("取得三级" in s or "取得二级" in s for s in item["improve"])


# -- 9. a unit exists from its 成立日期 -------------------------------------------------------


def test_9_a_unit_has_no_grade_before_its_founding(fenghuang: County) -> None:
    c = fenghuang
    c.load(
        {
            "企业信息": [unit(1, 成立日期="2026-05-01"), unit(2)],
            "承诺书": [commitment(1), commitment(2)],
        }
    )
    assert set(c.grades("2026-04-30")) == {code(2)}
    assert set(c.grades("2026-05-01")) == {code(1), code(2)}
    err = c.refused("grade", "--uscc", code(1), "--as-of", "2026-04-30")
    assert "成立日期为2026-05-01" in err
    # lists, statistics and assessments leave it out before its founding
    c.ok("list", "propose", "--as-of", "2026-04-30")
    assert {e["uscc"] for e in c.listed()} == {code(2)}
    out = c.ok("assess", "--year", "2026")  # T = 2025-12-31
    assert "共 1 家" in out and "A级（一级）：1 家" in out
    stats = c.tmp / "stats.xlsx"
    c.ok("export", "stats", str(stats), "--as-of", "2026-04-30")
    cells = [
        v for row in openpyxl.load_workbook(stats).active.iter_rows(values_only=True) for v in row
    ]
    assert code(2) in cells and code(1) not in cells
    # its grade history starts at its founding
    session = core.open_session(c.db, user="测试")
    try:
        found = session.units.find_by_code(code(1))
        assert found is not None
        history = session.grading.history(found[0])
        assert all(p.day >= date(2026, 5, 1) for p in history)
    finally:
        session.close()


# -- the CLI of the lists ---------------------------------------------------------------------


def test_list_show_json_and_repair_show_json(fenghuang: County) -> None:
    c = fenghuang
    recent = (TODAY - timedelta(days=60)).isoformat()
    c.load(
        {
            "企业信息": [unit(1)],
            "承诺书": [commitment(1)],
            "失信行为": [
                {
                    "统一社会信用代码": code(1),
                    "行为类型": "refuse_directive",
                    "发生日期": "2024-01-05",
                },
                {"统一社会信用代码": code(1), "行为类型": "evade_supervision", "发生日期": recent},
            ],
        }
    )
    c.ok("list", "propose")
    (entry,) = c.listed()
    assert entry == {
        "number": entry["number"],
        "list": "黑名单",
        "stage": "采集",
        "uscc": code(1),
        "name": "测试1有限公司",
        "persons": [],
    }
    assert json.loads(c.ok("list", "show", "--stage", "公布", "--format", "json")) == []
    (violation,) = c.one("SELECT id FROM violations WHERE kind = 'refuse_directive'")
    c.ok("repair", "apply", "--table", "violations", "--id", str(violation))
    (application,) = json.loads(c.ok("repair", "show", "--format", "json"))
    assert set(application) == {"number", "uscc", "name", "status", "target"}
    assert (application["uscc"], application["status"]) == (code(1), "待审核")
