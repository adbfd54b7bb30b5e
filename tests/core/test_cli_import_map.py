"""`safecredit import FILE --map HEADER=TEMPLATE_HEADER,… [--sheet SHEET]` (cli.md): a
workbook of another layout, as the clerk's terminal shows it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from safecredit_desktop.cli import main
from tests.core.test_column_mapping import code, register_rows, write_register

pytestmark = pytest.mark.sqlite_only  # counts units in the file

MAP = (
    "企业名称=单位名称,社会信用代码=统一社会信用代码,行业=行业类别,所在乡镇=所在乡镇,"
    "负责人=主要负责人"
)


def units(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT uscc, name, main_person FROM units ORDER BY uscc").fetchall()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "x.db"
    assert (
        main(["--db", str(path), "init", "--profile", "fenghuang", "--unit", "凤凰县应急管理局"])
        == 0
    )
    return path


def test_without_map_the_proposal_is_printed_and_nothing_imported(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_register(tmp_path / "名录 2026.xlsx", register_rows(2))
    assert main(["--db", str(db), "import", str(path)]) == 1
    out, err = capsys.readouterr()
    assert "“市场主体名录”表不是导入模板的格式：第3行是列标题，共 2 行数据" in out
    assert "  B列 企业名称 → 单位名称  [表头近义（企业名称）]" in out
    assert "  J列 登记状态 → （不导入）" in out
    assert (
        f"safecredit import '{path}' --map '企业名称=单位名称,社会信用代码=统一社会信用代码," in out
    )
    assert err.startswith("错误：这个工作簿不是导入模板，没有导入任何数据")
    assert units(db) == []


def test_with_map_imported_and_ignored_columns_listed(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_register(tmp_path / "名录.xlsx", register_rows(2))
    assert main(["--db", str(db), "import", str(path), "--map", MAP, "--dry-run"]) == 0
    assert units(db) == []
    assert main(["--db", str(db), "import", str(path), "--map", MAP]) == 0
    out = capsys.readouterr().out
    assert "企业信息：新增 2，更新 0，未变 0" in out
    assert "未对照的列，已忽略：“序号”、“法人”、“住所”、“联系方式”、“成立日期”、“登记状态”" in out
    assert units(db) == [
        (code(1), "凤凰1号化工有限公司", "李四"),
        (code(2), "凤凰2号化工有限公司", "李四"),
    ]
    # the confirmed mapping is proposed next time
    assert main(["--db", str(db), "import", str(path)]) == 1
    assert "上次确认的列对照" in capsys.readouterr().out


def test_bad_cells_and_bad_map_refused_in_chinese(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = register_rows(2)
    rows[1][5] = "化工"
    path = write_register(tmp_path / "名录.xlsx", rows)
    assert main(["--db", str(db), "import", str(path), "--map", MAP]) == 1
    err = capsys.readouterr().err
    assert "“市场主体名录”表第5行F列“行业”（化工）" in err
    assert units(db) == []
    assert main(["--db", str(db), "import", str(path), "--map", "企业名=单位名称"]) == 1
    assert "原表“市场主体名录”中没有“企业名”列" in capsys.readouterr().err


def test_sheet_names_the_kind_of_records(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register = write_register(tmp_path / "名录.xlsx", register_rows(1))
    assert main(["--db", str(db), "import", str(register), "--map", MAP]) == 0
    head = ("信用代码", "检查时间", "隐患数量")
    path = write_register(
        tmp_path / "检查.xlsx", [[code(1), "2026.11.3", 2]], head=head, title="台账"
    )
    assert main(["--db", str(db), "import", str(path), "--sheet", "执法检查"]) == 1
    assert "按“执法检查”导入" in capsys.readouterr().out
    mapping = "信用代码=统一社会信用代码,检查时间=检查日期,隐患数量=发现隐患数"
    assert (
        main(["--db", str(db), "import", str(path), "--sheet", "执法检查", "--map", mapping]) == 0
    )
    assert "执法检查：新增 1" in capsys.readouterr().out


def test_no_traceback_from_the_command(db: Path, tmp_path: Path) -> None:
    path = write_register(tmp_path / "名录.xlsx", register_rows(1))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "safecredit_desktop.cli",
            "--db",
            str(db),
            "import",
            str(path),
            "--map",
            "企业名称",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("错误：--map 中的“企业名称”应写成“原表列标题=模板列标题”")
    assert "Traceback" not in done.stderr
