"""`safecredit add`, `records`, `find` (cli.md) and argparse in Chinese, driven as a user does:
in a subprocess, reading exactly what is printed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.validate import uscc_check_character

CLI = [sys.executable, "-m", "safecredit_desktop.cli"]
TODAY = date.today()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, env={**os.environ, "COLUMNS": "100"}
    )


def code(n: int) -> str:
    first17 = f"91433123{n:09d}"
    return first17 + uscc_check_character(first17)


CHEM, TEA, OTHER = code(1), code(2), code(3)


@pytest.fixture
def db(tmp_path: Path, new_db: Any) -> Path:
    path = new_db("x.db")
    session = core.init_database(
        path, profile="fenghuang", bureau_name="凤凰县应急管理局", user="测试"
    )
    try:
        year_ago = TODAY - timedelta(days=400)
        ids = session.repo.insert_many(
            [
                model.Unit(
                    uscc=CHEM,
                    name="凤凰县沱江化工有限公司",
                    category="危险化学品",
                    town="沱江镇",
                    std_level="三级",
                    std_awarded_on=year_ago,
                    std_valid_until=TODAY + timedelta(days=400),
                ),
                model.Unit(
                    uscc=TEA,
                    name="凤凰县阿拉营泓业茶叶加工厂",
                    category="工贸八大行业",
                    town="阿拉营镇",
                ),
                model.Unit(
                    uscc=OTHER, name="湘西华盛建材有限公司", category="非煤矿山", town="茶田镇"
                ),
            ]
        )
        for kind in model.CommitmentType:
            session.records.save(model.Commitment(ids[0], kind.value, TODAY - timedelta(days=30)))
    finally:
        session.close()
    return path


def test_add_prints_the_record_and_the_grade_change(db: Path) -> None:
    day = TODAY - timedelta(days=10)
    result = run(
        "--db", str(db), "add", "accident", "--uscc", CHEM,
        f"事故日期={day.year}.{day.month}.{day.day}", "死亡人数=1", "责任事故=是",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"已保存生产安全事故记录（编号 1）：凤凰县沱江化工有限公司（{CHEM}）\n"
        f"  事故日期：{day.isoformat()}\n"
        "  事故等级：一般\n"
        "  死亡人数：1\n"
        "  重伤人数：0\n"
        "  直接经济损失(万元)：0\n"
        "  责任事故：是\n"
        "等级由B（二级）变为C（三级）：1年内发生造成人员死亡的生产安全责任事故\n"
    )


def test_add_takes_short_dates_and_daily_inspections(db: Path) -> None:
    result = run(
        "--db", str(db), "add", "inspection", "--uscc", TEA,
        f"检查日期={TODAY.month}-{TODAY.day}", "检查方式=日常", "发现隐患数=2",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"已保存执法检查记录（编号 1）：凤凰县阿拉营泓业茶叶加工厂（{TEA}）\n"
        f"  检查日期：{TODAY.isoformat()}\n"
        "  检查方式：日常\n"
        "  发现隐患数：2\n"
        "  重大隐患数：0\n"
    )


def test_add_refuses_with_the_forms_sentences(db: Path) -> None:
    ahead = TODAY + timedelta(days=3)
    result = run(
        "--db", str(db), "add", "inspection", "--uscc", TEA,
        f"检查日期={ahead:%Y%m%d}", "检查方式=巡查",
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "错误：有 2 处需要更正：\n"
        f"检查日期：日期{ahead.year}年{ahead.month}月{ahead.day}日晚于今天"
        f"（{TODAY.year}年{TODAY.month}月{TODAY.day}日），请核对\n"
        "检查方式：「巡查」不是有效值，应为日常、计划、双随机、专项、举报核查、复查\n"
    )
    unknown = run("--db", str(db), "add", "inspection", "--uscc", TEA, "日期=11.3")
    assert unknown.returncode == 1 and "“执法检查”表没有“日期”列" in unknown.stderr
    missing = run("--db", str(db), "add", "honour", "--uscc", code(9), "表彰日期=2020-1-1")
    assert missing.returncode == 1 and "没有统一社会信用代码为" in missing.stderr
    bad_date = run("--db", str(db), "add", "commitment", "--uscc", TEA, "签署日期=11/3",
                   "承诺类型=单位承诺")  # fmt: skip
    assert bad_date.returncode == 1
    assert "2026.11.3" in bad_date.stderr and "11-3" in bad_date.stderr
    assert "Traceback" not in unknown.stderr + missing.stderr + bad_date.stderr


def _add_inspections(db: Path) -> None:
    for uscc, day, hazards in (
        (CHEM, "2024-03-01", "1"),
        (TEA, "2024-05-02", "0"),
        (OTHER, "2023-12-31", "3"),
        (CHEM, "2024-05-02", "2"),
    ):
        fields = (f"检查日期={day}", f"发现隐患数={hazards}", "执法人员=张三、李四")
        result = run(
            "--db", str(db), "add", "inspection", "--uscc", uscc, *fields, "整改期限=2024.6.30"
        )
        assert result.returncode == 0, result.stderr


def test_records_json_newest_first(db: Path) -> None:
    _add_inspections(db)
    result = run("--db", str(db), "records", "inspection", "--from", "2024-1-1", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["id"], r["检查日期"]) for r in rows] == [
        (4, "2024-05-02"),
        (2, "2024-05-02"),
        (1, "2024-03-01"),
    ]
    assert rows[0] == {
        "统一社会信用代码": CHEM,
        "检查日期": "2024-05-02",
        "检查方式": "计划",
        "执法人员": "张三、李四",
        "发现隐患数": 2,
        "重大隐患数": 0,
        "整改期限": "2024-06-30",
        "整改完成日期": None,
        "文书编号": "",
        "备注": "",
        "单位名称": "凤凰县沱江化工有限公司",
        "id": 4,
    }
    town = run("--db", str(db), "records", "inspection", "--town", "茶田镇", "--format", "json")
    assert [r["统一社会信用代码"] for r in json.loads(town.stdout)] == [OTHER]
    one = run("--db", str(db), "records", "inspection", "--uscc", CHEM, "--to", "2024.3.31")
    assert one.returncode == 0
    lines = one.stdout.splitlines()
    assert lines[0].split("\t") == [
        "id", "统一社会信用代码", "检查日期", "检查方式", "执法人员", "发现隐患数", "重大隐患数",
        "整改期限", "整改完成日期", "文书编号", "备注", "单位名称",
    ]  # fmt: skip
    assert lines[1:] == [
        f"1\t{CHEM}\t2024-03-01\t计划\t张三、李四\t1\t0\t2024-06-30\t\t\t\t凤凰县沱江化工有限公司",
        "共 1 条",
    ]


def test_records_xlsx_reimports_to_the_same_rows(db: Path, tmp_path: Path, new_db: Any) -> None:
    _add_inspections(db)
    out = tmp_path / "检查.xlsx"
    result = run("--db", str(db), "records", "inspection", "--format", "xlsx", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"已导出 4 条执法检查记录：{out}\n"
    before = json.loads(run("--db", str(db), "records", "inspection", "--format", "json").stdout)
    # a new database holding the same units takes the file back as the same rows
    other = new_db("y.db")
    session = core.init_database(
        other, profile="fenghuang", bureau_name="凤凰县应急管理局", user="测试"
    )
    source = core.open_session(db, user="测试")
    try:
        units = [source.records.get("units", i) for i in (1, 2, 3)]
        for unit in units:
            unit.id = None
        session.repo.insert_many(units)
    finally:
        source.close()
        session.close()
    imported = run("--db", str(other), "import", str(out))
    assert imported.returncode == 0, imported.stderr
    after = json.loads(run("--db", str(other), "records", "inspection", "--format", "json").stdout)

    def rows(listing: list[dict[str, object]]) -> list[str]:
        return sorted(json.dumps({k: v for k, v in r.items() if k != "id"}) for r in listing)

    assert rows(after) == rows(before) and len(after) == 4
    again = run("--db", str(db), "import", str(out))  # into its own database: nothing changes
    assert again.returncode == 0, again.stderr
    assert "执法检查：新增 0，更新 0，未变 4" in again.stdout, again.stdout


def test_find_best_match_first(db: Path) -> None:
    result = run("--db", str(db), "find", "fhhg", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {"uscc": CHEM, "name": "凤凰县沱江化工有限公司"},
        {"uscc": TEA, "name": "凤凰县阿拉营泓业茶叶加工厂"},
    ]
    table = run("--db", str(db), "find", "泓业")
    assert table.stdout == f"{TEA}\t凤凰县阿拉营泓业茶叶加工厂\n共 1 家\n"
    assert (
        run("--db", str(db), "find", CHEM[-6:]).stdout
        == f"{CHEM}\t凤凰县沱江化工有限公司\n共 1 家\n"
    )


# -- argparse in Chinese ---------------------------------------------------------------------

ARGPARSE_WORDS = re.compile(
    r"usage|positional arguments|options:|show this help|the following arguments|required"
    r"|unrecognized|invalid choice|expected|error:|argument"
)


def test_help_and_usage_errors_are_chinese(tmp_path: Path, new_db: Any) -> None:
    helped = run("--help")
    assert helped.returncode == 0
    assert helped.stdout.startswith("用法：safecredit ")
    assert "位置参数" in helped.stdout and "选项" in helped.stdout
    assert "显示本帮助并退出" in helped.stdout and "显示程序版本并退出" in helped.stdout
    assert not ARGPARSE_WORDS.search(helped.stdout), helped.stdout
    for args, says in (
        (("--db", str(new_db("x.db")), "add", "inspection"), "缺少必需的参数：--uscc"),
        ((), "缺少必需的参数：COMMAND"),
        (("find",), "缺少必需的参数：TEXT"),
        (("records", "nothing"), "参数 KIND：无效的选择 'nothing'（可选：'inspection'"),
        (("draw", "--year", "abc"), "参数 --year：'abc' 不是有效的整数"),
        (("grade", "--bogus"), "无法识别的参数：--bogus"),
    ):
        result = run(*args)
        assert result.returncode == 2, args
        assert result.stderr.startswith("用法：safecredit"), result.stderr
        assert f"用法错误：{says}" in result.stderr, result.stderr
        assert not ARGPARSE_WORDS.search(result.stderr), result.stderr
    sub = run("add", "--help")
    assert sub.stdout.startswith("用法：safecredit add [-h] --uscc USCC KIND [FIELD=VALUE ...]")
    assert not ARGPARSE_WORDS.search(sub.stdout)


def test_demo_counts_by_chinese_table_names(tmp_path: Path, new_db: Any) -> None:
    db = new_db("d.db")
    assert (
        run(
            "--db", str(db), "init", "--profile", "suizhou", "--unit", "随州市曾都区应急管理局"
        ).returncode
        == 0
    )
    result = run("--db", str(db), "demo", "--enterprises", "30")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "已生成演示数据："
    assert lines[1] == "  企业信息：30 条"
    assert all(re.fullmatch(r"  [\u4e00-\u9fff]+：\d+ 条", line) for line in lines[1:]), lines
