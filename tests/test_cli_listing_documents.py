"""``print listing-notice --uscc CODE`` follows the lists' own grounds (grading.md Revision 2
item 7) under every profile, driven through ``init`` + ``import`` + ``print``."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from test_cli_revision2 import SZ, TODAY, County, code, commitment, make_county, unit


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


def flat(text: str) -> str:
    return "".join(text.split())


def printed(c: County, uscc: str) -> str:
    out = c.tmp / f"notice-{uscc}.pdf"
    c.ok("print", "listing-notice", "--uscc", uscc, "--out", str(out))
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True, text=True, check=True
    )
    return flat(done.stdout)


def test_fenghuang_listing_notice_follows_the_black_list_grounds(fenghuang: County) -> None:
    c = fenghuang
    recent = (TODAY - timedelta(days=60)).isoformat()
    c.load(
        {
            "企业信息": [unit(n) for n in range(1, 4)],
            "承诺书": [commitment(n) for n in range(1, 4)],
            "失信行为": [
                # D, but none of seed 002's grounds: not on the 黑名单
                {
                    "统一社会信用代码": code(1),
                    "行为类型": "operate_while_suspended",
                    "发生日期": recent,
                },
                # C, and 002 ground 2: the rules propose the 黑名单
                {"统一社会信用代码": code(2), "行为类型": "refuse_directive", "发生日期": recent},
            ],
            "生产安全事故": [
                # a 重大 responsible accident: 黑名单 for 24 months
                {"统一社会信用代码": code(3), "事故日期": recent, "死亡人数": 10, "责任事故": "是"}
            ],
        }
    )
    grades = c.grades(TODAY)
    assert [grades[code(n)]["grade"] for n in (1, 2, 3)] == ["D", "C", "D"]

    text = printed(c, code(2))
    assert "列入黑名单告知书" in text and "测试2有限公司" in text
    assert "发生暴力抗法的行为，或未按时完成行政执法指令" in text  # the ground, as 002 words it
    assert "列入期限为12个月，自公布之日起计算" in text
    assert "陈述、申辩" in text

    assert "列入期限为24个月" in printed(c, code(3))

    err = c.refused("print", "listing-notice", "--uscc", code(1), "--out", str(c.tmp / "x.pdf"))
    assert "不符合列入黑名单的条件" in err
    assert not (c.tmp / "x.pdf").exists()
    assert c.one("SELECT count(*) FROM documents") == (2,)


def test_suizhou_listing_notice_for_grade_d(suizhou: County) -> None:
    c = suizhou
    recent = (TODAY - timedelta(days=60)).isoformat()
    c.load(
        {
            "企业信息": [unit(n, prefix=SZ) for n in (1, 2)],
            "承诺书": [commitment(n, prefix=SZ) for n in (1, 2)],
            "生产安全事故": [
                {
                    "统一社会信用代码": code(1, SZ),
                    "事故日期": recent,
                    "死亡人数": 10,
                    "责任事故": "是",
                }
            ],
        }
    )
    text = printed(c, code(1, SZ))
    assert "严重失信主体名单" in text and "D级" in text
    assert "管理期限为36个月，自公布之日起计算" in text
    err = c.refused("print", "listing-notice", "--uscc", code(2, SZ), "--out", str(c.tmp / "y.pdf"))
    assert "不符合列入严重失信主体名单的条件" in err


def test_kundulun_listing_notice_counts_from_listing_not_publication(kundulun: County) -> None:
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
    text = printed(c, code(1))
    assert "列入黑名单告知书" in text
    # kundulun's lists are never published (seed 001 第十四条): the period runs from 列入
    assert "自列入之日起计算" in text and "自公布之日起" not in text
