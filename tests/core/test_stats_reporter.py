"""统计人员 on the 统计表: typed, else the configured reporter, else the signed-in user's
display name, else room to sign by hand — never an actor string such as 命令行:root."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl

from safecredit_desktop.cli import main
from safecredit_desktop.core import app as core
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.storage import settings as keys

TODAY = date(2026, 11, 21)


def signed_by(path: Path) -> str:
    ws = openpyxl.load_workbook(path)["统计表"]
    for row in ws.iter_rows(values_only=True):
        for value in row:
            if isinstance(value, str) and value.startswith("统计人员："):
                return value.removeprefix("统计人员：")
    raise AssertionError("no 统计人员 line")


def test_reporter_chosen_in_order(tmp_path: Path, new_db: Any) -> None:
    db = new_db("r.db")
    admin = core.init_database(
        db, profile="fenghuang", bureau_name="凤凰县应急管理局", user="命令行:root"
    )
    try:
        core.fill_demo(admin, enterprises=5, seed=3, today=TODAY)
        admin.accounts.create_user("wang", "password-123", Role.CLERK, "王五")
        admin.accounts.create_user("zhao", "password-123", Role.CLERK, "")

        def export(user: str, typed: str = "") -> str:
            session = core.Session(admin.db, user, Role.CLERK)
            out = tmp_path / f"{user.replace(':', '_')}-{typed}.xlsx"
            session.reports.export_stats(out, as_of=TODAY, reporter_name=typed, today=TODAY)
            return signed_by(out)

        # a command-line actor with nothing configured: blank, to be signed by hand
        blank = export("命令行:root")
        assert blank.strip() == "" and "命令行" not in blank and len(blank) >= 4
        assert export("zhao").strip() == ""  # an account without a display name
        assert export("wang") == "王五"  # the signed-in user's display name
        assert export("命令行:root", "张三") == "张三"  # typed wins
        keys.set_setting(admin.db, "管理员", keys.REPORTER, "李四")
        assert admin.reports.reporter() == "李四"
        assert export("命令行:root") == "李四"  # the configured reporter
        assert export("wang") == "李四"
        assert export("wang", "张三") == "张三"
    finally:
        admin.close()


def test_cli_export_stats_is_not_signed_by_the_actor(tmp_path: Path, new_db: Any) -> None:
    db = str(new_db("c.db"))
    assert main(["--db", db, "init", "--profile", "fenghuang", "--unit", "凤凰县应急管理局"]) == 0
    assert main(["--db", db, "demo", "--enterprises", "5", "--seed", "2"]) == 0
    out = tmp_path / "stats.xlsx"
    assert main(["--db", db, "export", "stats", str(out)]) == 0
    assert "命令行" not in signed_by(out)
    assert main(["--db", db, "export", "stats", str(out), "--reporter", "张三"]) == 0
    assert signed_by(out) == "张三"
