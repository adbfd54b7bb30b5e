"""The settings an administrator keeps (设置 → 单位信息, ``safecredit settings``): checked,
all or nothing, audited, administrators only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from safecredit_desktop.cli import main
from safecredit_desktop.core import app as core
from safecredit_desktop.core.errors import SafeCreditError, ValidationError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.scheduling import due
from safecredit_desktop.core.storage import settings as keys
from safecredit_desktop.core.validate import uscc_check_character

BUREAU_CODE = "11433123MB1234567" + uscc_check_character("11433123MB1234567")


@pytest.fixture
def admin_db(tmp_path: Path) -> Path:
    path = tmp_path / "x.db"
    core.init_database(
        path,
        profile="fenghuang",
        bureau_name="凤凰县应急管理局",
        user="管理员",
        admin=("管理员", "secret-1"),
    ).close()
    return path


@pytest.mark.parametrize(
    "value",
    ["tjk@xxzz.gov.cn", "a.b-c+d@mail.hunan.gov.cn", "", "  x@y.cn  "],
)
def test_email_accepted(value: str) -> None:
    assert keys.check_email(value) == value.strip()


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("tjk@xxzz.gov.cn\r\nBcc: all@example.com", "换行"),
        ("tjk@xxzz.gov.cn\n", "换行"),
        ("a@b.cn, c@d.cn", "不是有效的电子邮箱"),
        ("统计科", "不是有效的电子邮箱"),
        ("a@localhost", "不是有效的电子邮箱"),
        ("a b@c.cn", "不是有效的电子邮箱"),
        ("<a@b.cn>", "不是有效的电子邮箱"),
    ],
)
def test_email_refused(value: str, why: str) -> None:
    with pytest.raises(ValidationError, match=why) as raised:
        keys.check_email(value)
    assert raised.value.field == "上级单位邮箱"


def test_other_checks() -> None:
    assert keys.check_bureau_uscc(BUREAU_CODE.lower()) == BUREAU_CODE
    assert keys.check_bureau_uscc("") == ""
    with pytest.raises(ValidationError, match="校验码"):
        keys.check_bureau_uscc(BUREAU_CODE[:-1] + ("0" if BUREAU_CODE[-1] != "0" else "1"))
    with pytest.raises(ValidationError, match="不能为空"):
        keys.check_bureau_name("  ")
    with pytest.raises(ValidationError, match="换行"):
        keys.check_reporter("张三\n李四")
    assert keys.check_towns("沱江镇, 山江镇、沱江镇；禾库镇") == "沱江镇、山江镇、禾库镇"
    assert keys.check_yes_no("是") == "是" and keys.check_yes_no("") == "否"
    with pytest.raises(ValidationError, match="是"):
        keys.check_yes_no("也许")
    # the same keys as the code that reads them
    assert keys.ENTRUSTED_TOWNS == due.ENTRUSTED_TOWNS
    assert keys.DRAW_AVOID_OWN_TOWN == core.DRAW_AVOID_OWN_TOWN
    names = [s.name for s in keys.BUREAU_SETTINGS]
    assert names[:4] == ["单位名称", "单位统一社会信用代码", "上级单位邮箱", "统计人员"]


def test_set_all_or_nothing_audited(admin_db: Path) -> None:
    admin = core.sign_in(admin_db, "管理员", "secret-1")
    try:
        with pytest.raises(SafeCreditError, match="上级单位邮箱"):
            admin.settings.set_bureau(
                {"统计人员": "张三", "上级单位邮箱": "tjk@xxzz.gov.cn\r\nBcc: x@y.cn"}
            )
        assert dict((s.name, v) for s, v in admin.settings.bureau())["统计人员"] == ""
        changed = admin.settings.set_bureau(
            {
                "统计人员": "张三",
                "上级单位邮箱": "tjk@xxzz.gov.cn",
                "单位统一社会信用代码": BUREAU_CODE,
                "单位名称": "凤凰县应急管理局",  # unchanged: not stored, not logged
                "受委托乡镇": "沱江镇 山江镇",
            },
        )
        assert changed == ["统计人员", "上级单位邮箱", "单位统一社会信用代码", "受委托乡镇"]
        assert admin.settings.upper_email() == "tjk@xxzz.gov.cn"
        assert keys.get_setting(admin.db, keys.REPORTER) == "张三"
        assert keys.get_setting(admin.db, keys.BUREAU_USCC) == BUREAU_CODE
        assert due.entrusted_towns(admin.db) == frozenset({"沱江镇", "山江镇"})
        rows = admin.db.conn.execute(
            "SELECT user, row_key, before, after FROM audit_log WHERE table_name = 'settings'"
            " AND row_key = 'upper_email' ORDER BY id"
        ).fetchall()
        assert rows[-1][0] == "管理员"
        assert json.loads(rows[-1][2])["value"] == ""
        assert json.loads(rows[-1][3])["value"] == "tjk@xxzz.gov.cn"
        assert admin.settings.set_bureau({"统计人员": " 张三 "}) == []
    finally:
        admin.close()
    clerk = core.open_session(admin_db, user="录入员", role=Role.CLERK)
    try:
        with pytest.raises(SafeCreditError, match="管理员"):
            clerk.settings.set_bureau({"统计人员": "李四"})
        with pytest.raises(SafeCreditError, match="可设置的项目：单位名称、"):
            keys.bureau_setting("邮箱")
    finally:
        clerk.close()


def test_init_refuses_a_bad_email(tmp_path: Path) -> None:
    with pytest.raises(SafeCreditError, match="上级单位邮箱"):
        core.init_database(
            tmp_path / "y.db",
            profile="fenghuang",
            bureau_name="凤凰县应急管理局",
            user="x",
            upper_email="a@b.cn\nBcc: c@d.cn",
        )
    assert not (tmp_path / "y.db").exists()


def test_cli_settings(
    admin_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = ["--db", str(admin_db)]
    assert main([*db, "settings", "get"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0] == "单位名称\t凤凰县应急管理局"
    assert [line.split("\t")[0] for line in listed] == [s.name for s in keys.BUREAU_SETTINGS]

    assert main([*db, "settings", "set", "上级单位邮箱", "tjk@xxzz.gov.cn"]) == 1
    assert "需要管理员" in capsys.readouterr().err
    monkeypatch.setenv("SAFECREDIT_PASSWORD", "secret-1")
    assert (
        main([*db, "--user", "管理员", "settings", "set", "上级单位邮箱", "tjk@xxzz.gov.cn"]) == 0
    )
    assert "tjk@xxzz.gov.cn" in capsys.readouterr().out
    assert main([*db, "settings", "get", "上级单位邮箱"]) == 0
    assert capsys.readouterr().out == "tjk@xxzz.gov.cn\n"

    bad = "x@y.cn\r\nBcc: z@w.cn"
    assert main([*db, "--user", "管理员", "settings", "set", "上级单位邮箱", bad]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：上级单位邮箱：不能包含换行") and "Traceback" not in err
    assert main([*db, "settings", "get", "邮箱"]) == 1
    assert "可设置的项目" in capsys.readouterr().err

    admin = core.sign_in(admin_db, "管理员", "secret-1")
    admin.accounts.create_user("审核", "review-1", Role.REVIEWER)
    admin.close()
    monkeypatch.setenv("SAFECREDIT_PASSWORD", "review-1")
    assert main([*db, "--user", "审核", "settings", "set", "统计人员", "李四"]) == 1
    assert "管理员" in capsys.readouterr().err
