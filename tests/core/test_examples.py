"""The worked examples through the user's path: init, import the workbook, grade --format json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from safecredit_desktop.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "examples"
CASES = json.loads((EXAMPLES / "cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("profile", ["fenghuang", "kundulun", "suizhou"])
def test_examples_grade_as_expected(
    profile: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / f"{profile}.db")
    assert main(["--db", db, "init", "--profile", profile, "--unit", "测试县应急管理局"]) == 0
    assert main(["--db", db, "import", str(EXAMPLES / f"{profile}.xlsx")]) == 0
    capsys.readouterr()
    assert main(["--db", db, "grade", "--as-of", "2026-11-21", "--format", "json"]) == 0
    graded = {item["uscc"]: item for item in json.loads(capsys.readouterr().out)}
    cases = [c for c in CASES if c["profile"] == profile]
    assert len(graded) == len(cases)
    for case in cases:
        item = graded[case["unit"]["统一社会信用代码"]]
        assert item["grade"] == case["expected"], (case["id"], case["why"], item["reasons"])
        assert item["reasons"], case["id"]  # every grade is explained


def test_import_twice_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "twice.db")
    assert main(["--db", db, "init", "--profile", "suizhou", "--unit", "测试县应急管理局"]) == 0
    assert main(["--db", db, "import", str(EXAMPLES / "suizhou.xlsx")]) == 0
    capsys.readouterr()
    assert main(["--db", db, "import", str(EXAMPLES / "suizhou.xlsx")]) == 0
    out = capsys.readouterr().out
    assert "数据库没有变化" in out and "新增 0" in out
