"""Importing template workbooks (workbook.md): examples, idempotence, updates, deletions,
inspectors with their 回避单位, repairs, audit and the backup before writing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core import model
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.exchange.columns import SHEETS, fold_header, sheet_for_title
from safecredit_desktop.core.exchange.importer import WorkbookError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.paths import backups_dir_for
from safecredit_desktop.core.storage.tables import SPEC_BY_NAME
from safecredit_desktop.core.validate import uscc_check_character

TODAY = date(2026, 11, 21)
ID = "433123198001011238"


def examples_dir() -> Path:
    local = Path(__file__).resolve().parents[1] / "fixtures" / "examples"
    return local if local.is_dir() else Path("/work/shared/spec/examples")


def code(n: int, prefix: str = "91433123MA4L") -> str:
    first = f"{prefix}{n:05d}"
    return first + uscc_check_character(first)


def write_book(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    wb.save(path)
    return path


UNIT_HEAD = ("统一社会信用代码", "单位名称", "行业类别", "主要负责人", "主要负责人身份证号")


def unit_rows(*numbers: int) -> list[tuple[object, ...]]:
    return [UNIT_HEAD, *((code(n), f"测试{n}有限公司", "危险化学品", "张三", ID) for n in numbers)]


@pytest.fixture
def session(new_db: Callable[[str], Path]) -> Iterator[core.Session]:
    opened = core.init_database(
        new_db("x.db"), profile="fenghuang", bureau_name="测试县应急管理局", user="测试员"
    )
    opened.role = Role.REVIEWER  # 信用修复 and 执法人员 rows are imported by a 审核员
    yield opened
    opened.close()


def do_import(
    session: core.Session, path: Path, *, dry_run: bool = False, accept: bool = False
) -> core.ImportSummary:
    return session.exchange.import_workbook(
        path, dry_run=dry_run, accept_bad_check=accept, today=TODAY
    )


def counts(summary: core.ImportSummary) -> dict[str, tuple[int, int, int, int]]:
    return {s.sheet: (s.added, s.updated, s.unchanged, s.skipped) for s in summary.sheets}


def table(session: core.Session, sql: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in session.db.conn.execute(sql)]


# -- the template as data -----------------------------------------------------------------


def test_header_folding() -> None:
    assert fold_header("直接经济损失（万元）") == fold_header("直接经济损失(万元)")
    assert fold_header(" 统一社会 信用代码* ") == "统一社会信用代码"
    assert fold_header("直接经济损失　(万元)") == "直接经济损失(万元)"  # ideographic space
    assert sheet_for_title(" 企业信息 ") is SHEETS[0]
    assert sheet_for_title("企业") is None


def test_natural_keys_match_the_tables() -> None:
    """The sheets' keys are the storage natural keys (deleted_records reads the same)."""
    for spec in SHEETS:
        if spec.table == "repairs":
            continue
        stored = SPEC_BY_NAME[spec.table].key
        assert tuple("unit" if k == "unit_id" else k for k in stored) == spec.key


# -- the worked examples ---------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["fenghuang", "kundulun", "suizhou"])
def test_examples_import_cleanly_and_twice_changes_nothing(tmp_path: Path, profile: str) -> None:
    book = examples_dir() / f"{profile}.xlsx"
    cases = json.loads((examples_dir() / "cases.json").read_text(encoding="utf-8"))
    mine = [c for c in cases if c["profile"] == profile]
    session = core.init_database(
        tmp_path / "x.db", profile=profile, bureau_name="测试县应急管理局", user="测试员"
    )
    try:
        first = do_import(session, book)
        assert first.added == sum(1 + sum(len(v) for v in c["sheets"].values()) for c in mine)
        assert first.updated == first.unchanged == 0
        assert first.backup is not None and first.backup.exists()
        codes = {r[0] for r in table(session, "SELECT uscc FROM units")}
        assert codes == {c["unit"]["统一社会信用代码"] for c in mine}
        events = table(session, "SELECT user, row_key FROM audit_log WHERE action = 'event'")
        assert events == [("测试员", book.name)]
        head = table(session, "SELECT count(*) FROM audit_log")
        second = do_import(session, book)
        assert second.added == second.updated == 0
        assert second.unchanged == first.added
        assert second.backup is None and not second.changed
        assert table(session, "SELECT count(*) FROM audit_log") == head
        assert any("没有变化" in line for line in second.lines())
    finally:
        session.close()


def test_every_row_is_audited_as_the_importing_user(session: core.Session) -> None:
    do_import(session, examples_dir() / "fenghuang.xlsx")
    rows = table(session, "SELECT DISTINCT user, action FROM audit_log WHERE table_name = 'units'")
    assert rows == [("测试员", "insert")]
    inserts = table(
        session,
        "SELECT count(*) FROM audit_log WHERE action = 'insert' AND table_name != 'settings'",
    )
    assert inserts == [(4 + 4 + 2 + 1,)]


def test_dry_run_writes_nothing(session: core.Session) -> None:
    summary = do_import(session, examples_dir() / "fenghuang.xlsx", dry_run=True)
    assert summary.dry_run and summary.added == 11
    assert "试导入" in summary.lines()[0]
    assert table(session, "SELECT count(*) FROM units") == [(0,)]
    assert not backups_dir_for(session.db.path).exists()


def test_backup_is_taken_before_writing(session: core.Session) -> None:
    summary = do_import(
        session, write_book(session.db.path.with_name("u.xlsx"), {"企业信息": unit_rows(1)})
    )
    assert summary.backup is not None
    assert summary.backup.parent == backups_dir_for(session.db.path)
    assert "before-import" in summary.backup.name
    import sqlite3

    copy = sqlite3.connect(summary.backup)
    try:
        assert copy.execute("SELECT count(*) FROM units").fetchone() == (0,)
    finally:
        copy.close()


# -- updates, blanks, deletions ----------------------------------------------------------------


def test_blank_never_clears_and_a_changed_cell_updates(
    session: core.Session, tmp_path: Path
) -> None:
    head = (
        "统一社会信用代码",
        "单位名称",
        "行业类别",
        "所在乡镇",
        "联系电话",
        "主要负责人身份证号",
    )
    first = [head, (code(1), "甲公司", "危险化学品", "沱江镇", "0743-1234567", ID)]
    do_import(session, write_book(tmp_path / "a.xlsx", {"企业信息": first}))
    # 所在乡镇 and 身份证号 blank, 联系电话 absent, 单位名称 changed
    again = [head[:4], (code(1), "甲公司（更名）", "危险化学品", None)]
    summary = do_import(session, write_book(tmp_path / "b.xlsx", {"企业信息": again}))
    assert counts(summary)["企业信息"] == (0, 1, 0, 0)
    row = table(session, "SELECT name, town, phone, main_person_id FROM units")
    assert row == [("甲公司（更名）", "沱江镇", "0743-1234567", ID)]
    audit_row = table(
        session,
        "SELECT user, before, after FROM audit_log"
        " WHERE action = 'update' AND table_name = 'units'",
    )
    assert len(audit_row) == 1 and audit_row[0][0] == "测试员"
    assert "甲公司（更名）" in str(audit_row[0][2]) and "甲公司" in str(audit_row[0][1])


def test_revised_accident_figures_update_the_record(session: core.Session, tmp_path: Path) -> None:
    head = ("统一社会信用代码", "事故日期", "死亡人数", "直接经济损失(万元)", "责任事故")
    do_import(
        session,
        write_book(
            tmp_path / "a.xlsx",
            {
                "企业信息": unit_rows(1),
                "生产安全事故": [head, (code(1), "2025-03-10", 1, 10, "是")],
            },
        ),
    )
    # full-width brackets in the header, the figures revised
    revised = [
        ("统一社会信用代码", "事故日期", "死亡人数", "直接经济损失（万元）"),
        (code(1), date(2025, 3, 10), 3, 12.5),
    ]
    summary = do_import(session, write_book(tmp_path / "b.xlsx", {"生产安全事故": revised}))
    assert counts(summary)["生产安全事故"] == (0, 1, 0, 0)
    assert table(session, "SELECT deaths, loss_wan, grade, responsible FROM accidents") == [
        (3, 12.5, "较大", "是")
    ]


def test_stated_grade_above_figures_is_flagged(session: core.Session, tmp_path: Path) -> None:
    head = ("统一社会信用代码", "事故日期", "事故等级", "死亡人数", "责任事故")
    rows = [head, (code(1), "2025/3/10", "较大", 1, "待定")]
    do_import(
        session, write_book(tmp_path / "a.xlsx", {"企业信息": unit_rows(1), "生产安全事故": rows})
    )
    assert table(session, "SELECT grade, needs_review FROM accidents") == [("较大", 1)]


def test_deleted_record_is_reported_not_brought_back(session: core.Session, tmp_path: Path) -> None:
    head = ("统一社会信用代码", "决定书文号", "决定日期", "处罚部门")
    penalties = [head, (code(1), "凤应急罚〔2025〕1号", "2025年3月3日", "应急管理部门")]
    book = write_book(tmp_path / "a.xlsx", {"企业信息": unit_rows(1), "行政处罚": penalties})
    do_import(session, book)
    penalty_id = table(session, "SELECT id FROM penalties")[0][0]
    session.records.delete("penalties", int(str(penalty_id)))
    summary = do_import(session, book)
    assert counts(summary)["行政处罚"] == (0, 0, 0, 1)
    assert summary.skipped[0].reason == "已删除，未导入"
    assert summary.skipped[0].row == 2
    assert any("已删除，未导入" in line for line in summary.lines())
    assert table(session, "SELECT count(*) FROM penalties") == [(0,)]


def test_deleted_unit_skips_its_records_too(session: core.Session, tmp_path: Path) -> None:
    book = write_book(
        tmp_path / "a.xlsx",
        {
            "企业信息": unit_rows(1),
            "执法检查": [("统一社会信用代码", "检查日期"), (code(1), "2025-05-01")],
        },
    )
    do_import(session, write_book(tmp_path / "u.xlsx", {"企业信息": unit_rows(1)}))
    unit_id = table(session, "SELECT id FROM units")[0][0]
    session.records.delete("units", int(str(unit_id)))
    summary = do_import(session, book)
    assert counts(summary) == {"企业信息": (0, 0, 0, 1), "执法检查": (0, 0, 0, 1)}
    assert "所属企业已删除" in summary.skipped[1].reason
    assert table(session, "SELECT count(*) FROM units") == [(0,)]


# -- check characters, reporters, codes ------------------------------------------------------


def bad_check(n: int) -> str:
    good = code(n)
    return good[:17] + ("0" if good[17] != "0" else "1")


def test_bad_check_character_is_refused_then_accepted(
    session: core.Session, tmp_path: Path
) -> None:
    rows = [UNIT_HEAD[:3], (bad_check(1), "旧代码公司", "危险化学品")]
    book = write_book(tmp_path / "a.xlsx", {"企业信息": rows})
    with pytest.raises(WorkbookError) as refused:
        do_import(session, book)
    assert refused.value.only_bad_check
    assert "--accept-bad-check" in refused.value.message
    summary = do_import(session, book, accept=True)
    assert summary.accepted_bad_check == (bad_check(1),)
    assert table(session, "SELECT uscc, check_accepted FROM units") == [(bad_check(1), 1)]
    # once accepted, the code imports again without the option
    assert do_import(session, book).unchanged == 1


def test_accept_column_accepts_one_code(session: core.Session, tmp_path: Path) -> None:
    rows = [(*UNIT_HEAD[:3], "代码校验"), (bad_check(2), "旧代码公司", "危险化学品", "接受")]
    do_import(session, write_book(tmp_path / "a.xlsx", {"企业信息": rows}))
    assert table(session, "SELECT check_accepted FROM units") == [(1,)]


def test_reporter_of_this_bureau_is_stored_blank(session: core.Session, tmp_path: Path) -> None:
    rows = [
        (*UNIT_HEAD[:3], "报送单位"),
        (code(1), "本局企业", "危险化学品", "测试县应急管理局"),
        (code(2), "外县企业", "危险化学品", "外县应急管理局"),
        (code(3), "未填企业", "危险化学品", None),
    ]
    do_import(session, write_book(tmp_path / "a.xlsx", {"企业信息": rows}))
    assert table(session, "SELECT name, reporter FROM units ORDER BY uscc") == [
        ("本局企业", ""),
        ("外县企业", "外县应急管理局"),
        ("未填企业", ""),
    ]


def test_other_sheets_may_refer_to_stored_units(session: core.Session, tmp_path: Path) -> None:
    do_import(session, write_book(tmp_path / "u.xlsx", {"企业信息": unit_rows(1)}))
    rows = [
        ("统一社会信用代码", "承诺类型", "签署日期", "撤回日期"),
        (code(1), "单位承诺", datetime(2024, 3, 1), None),
    ]
    summary = do_import(session, write_book(tmp_path / "c.xlsx", {"承诺书": rows}))
    assert counts(summary) == {"承诺书": (1, 0, 0, 0)}


def test_unknown_sheets_are_named_in_the_summary(session: core.Session, tmp_path: Path) -> None:
    book = write_book(
        tmp_path / "a.xlsx", {"说明": [("说明",)], "企业信息": unit_rows(1), "统计": [("x",)]}
    )
    summary = do_import(session, book)
    assert summary.ignored_sheets == ("统计",)
    assert any("统计" in line for line in summary.lines())


# -- every sheet, inspectors, repairs -----------------------------------------------------------


REPAIR_HEAD = (
    *("统一社会信用代码", "修复对象类型", "决定书文号", "行为类型", "责任主体", "发生日期"),
    *("事故编号", "批准日期", "批准文号"),
)


INSPECTION_HEAD = (
    *("统一社会信用代码", "检查日期", "检查方式"),
    *("发现隐患数", "重大隐患数", "文书编号"),
)


def full_book(path: Path) -> Path:
    c1, c2 = code(1), code(2)
    later = ("2024-02-01", None, "2025-03-01", None)
    return write_book(
        path,
        {
            "企业信息": unit_rows(1, 2),
            "执法检查": [
                INSPECTION_HEAD,
                (c1, "2025-05-01", "双随机", 3, 1, "凤应急检〔2025〕1号"),
            ],
            "生产安全事故": [
                ("统一社会信用代码", "事故日期", "事故编号", "死亡人数", "责任事故"),
                (c1, "2024-06-01", "A", 1, "是"),
                (c1, "2024-06-01", "B", 0, "否"),
            ],
            "行政处罚": [
                ("统一社会信用代码", "决定书文号", "决定日期", "处罚部门", "罚款金额(元)"),
                (c2, "凤应急罚〔2024〕9号", "2024-01-15", "应急管理部门", 20000),
            ],
            "失信行为": [
                ("统一社会信用代码", "行为类型", "发生日期", "责任主体", "责任人姓名"),
                (c2, "迟报生产安全事故", "2024-02-01", "主要负责人", "张三"),
            ],
            "承诺书": [
                ("统一社会信用代码", "承诺类型", "签署日期"),
                (c1, "单位承诺", "2024-01-01"),
            ],
            "表彰": [
                ("统一社会信用代码", "表彰日期", "表彰级别", "表彰类型", "名称"),
                (c1, "2025-01-10", "自治区级", "先进单位", "安全生产先进单位"),
            ],
            "联合惩戒": [
                ("统一社会信用代码", "认定部门", "开始日期", "结束日期"),
                (c2, "市场监管局", "2024-03-01", "2025-03-01"),
            ],
            "执法人员": [
                ("姓名", "执法证号", "所属单位", "在岗", "回避单位"),
                ("王五", "43312320190001", "执法大队", "是", f"{c1}、{c2}"),
                ("赵六", "43312320190002", None, "否", None),
            ],
            "信用修复": [
                REPAIR_HEAD,
                (c2, "行政处罚", "凤应急罚〔2024〕9号", *[None] * 4, "2025-02-01", "凤应急复1号"),
                (c2, "失信行为", None, "accident_reported_late", "主要负责人", *later),
                # no accident: accidents are never repaired (grading.md Revision 2 item 1;
                # tests/test_cli_revision2.py refuses such a row)
            ],
        },
    )  # fmt: skip


def test_every_sheet_imports(session: core.Session, tmp_path: Path) -> None:
    summary = do_import(session, full_book(tmp_path / "full.xlsx"))
    assert counts(summary) == {
        "企业信息": (2, 0, 0, 0),
        "执法检查": (1, 0, 0, 0),
        "生产安全事故": (2, 0, 0, 0),
        "行政处罚": (1, 0, 0, 0),
        "失信行为": (1, 0, 0, 0),
        "承诺书": (1, 0, 0, 0),
        "表彰": (1, 0, 0, 0),
        "联合惩戒": (1, 0, 0, 0),
        "执法人员": (2, 0, 0, 0),
        "信用修复": (2, 0, 0, 0),
    }
    assert summary.conflicts_added == 2
    assert table(session, "SELECT level FROM honours") == [("省级",)]
    assert table(session, "SELECT kind, subject FROM violations") == [
        ("accident_reported_late", "主要负责人")
    ]
    assert table(session, "SELECT name, org, active FROM inspectors ORDER BY cert_no") == [
        ("王五", "执法大队", 1),
        ("赵六", "", 0),
    ]
    repairs = table(
        session,
        "SELECT r.target_kind, p.doc_no, v.kind, a.accident_no FROM repairs r"
        " LEFT JOIN penalties p ON p.id = r.penalty_id"
        " LEFT JOIN violations v ON v.id = r.violation_id"
        " LEFT JOIN accidents a ON a.id = r.accident_id ORDER BY r.target_kind",
    )
    assert sorted(repairs, key=str) == sorted(
        [
            ("行政处罚", "凤应急罚〔2024〕9号", None, None),
            ("失信行为", None, "accident_reported_late", None),
        ],
        key=str,
    )
    conflicts = table(
        session,
        "SELECT row_key FROM audit_log WHERE table_name = 'inspector_conflicts' ORDER BY id",
    )
    assert conflicts == [
        (json.dumps(["43312320190001", code(n)], separators=(",", ":")),) for n in (1, 2)
    ]
    check = core.check_database(session.db.location)
    assert check.ok, check.problems
    again = do_import(session, full_book(tmp_path / "full2.xlsx"))
    assert again.added == again.updated == 0 and not again.changed


def test_conflicts_cell_replaces_the_list(session: core.Session, tmp_path: Path) -> None:
    do_import(session, full_book(tmp_path / "full.xlsx"))
    rows = [("姓名", "执法证号", "回避单位"), ("王五", "43312320190001", code(2))]
    summary = do_import(session, write_book(tmp_path / "i.xlsx", {"执法人员": rows}))
    assert (summary.conflicts_added, summary.conflicts_removed) == (0, 1)
    remaining = table(
        session,
        "SELECT u.uscc FROM inspector_conflicts c JOIN units u ON u.id = c.unit_id",
    )
    assert remaining == [(code(2),)]
    actions = table(
        session, "SELECT action FROM audit_log WHERE table_name = 'inspector_conflicts' ORDER BY id"
    )
    assert actions == [("insert",), ("insert",), ("delete",)]


def test_repair_too_early_is_refused(session: core.Session, tmp_path: Path) -> None:
    book = write_book(
        tmp_path / "r.xlsx",
        {
            "企业信息": unit_rows(1),
            "行政处罚": [
                ("统一社会信用代码", "决定书文号", "决定日期", "处罚部门"),
                (code(1), "凤应急罚〔2026〕1号", "2026-01-15", "应急管理部门"),
            ],
            "信用修复": [
                ("统一社会信用代码", "修复对象类型", "决定书文号", "批准日期"),
                (code(1), "行政处罚", "凤应急罚〔2026〕1号", "2026-06-01"),
            ],
        },
    )
    with pytest.raises(WorkbookError) as refused:
        do_import(session, book)
    [error] = refused.value.errors
    assert (error.sheet, error.row, error.column) == ("信用修复", 2, "批准日期")
    assert "须满12个月" in error.reason and "2027年1月15日" in error.reason


def test_progress_is_reported(session: core.Session) -> None:
    seen: list[float] = []
    session.exchange.import_workbook(
        examples_dir() / "fenghuang.xlsx",
        dry_run=False,
        accept_bad_check=False,
        today=TODAY,
        progress=lambda fraction, text: seen.append(fraction),
    )
    assert seen and seen == sorted(seen) and seen[-1] <= 1.0


def test_summary_types_for_the_window() -> None:
    assert issubclass(WorkbookError, SafeCreditError)
    assert model.Unit  # the records the plan holds are the model's dataclasses


def test_apply_refuses_a_plan_made_before_another_write(
    session: core.Session, tmp_path: Path
) -> None:
    from safecredit_desktop.core.exchange import importer

    book = write_book(tmp_path / "a.xlsx", {"企业信息": unit_rows(1, 2)})
    parsed = importer.read_workbook(book)
    plan = importer.plan_import(
        session.db, parsed, profile=session.profile, accept_bad_check=False, today=TODAY
    )
    assert plan.changed and not plan.errors
    session.repo.log_event("users", "someone", {"登录": "x"})  # another writer meanwhile
    with pytest.raises(SafeCreditError, match="重新导入"):
        importer.apply_import(session.db, session.repo, plan)
    assert table(session, "SELECT count(*) FROM units") == [(0,)]
