"""Which template column a header of another layout names (issue 18: the clerk's own
register, 市场监管's export, a sheet kept for years).

:func:`match_header` compares a header with a template sheet's headers and their
synonyms, in falling order of confidence:

1. ``same``: the template's own header (after :func:`.columns.fold_header`);
2. ``synonym``: a known synonym, also once bracketed remarks are dropped
   (企业名称（全称） is 企业名称);
3. ``suffix``: the header ends with a synonym — a Chinese header names its head noun
   last (注册地址 is an 地址, 法定代表人联系电话 a 电话), the longest such synonym wins;
4. ``contains``: the header contains a synonym, the longest wins.

Short words that would mislead inside a longer header (名称, 状态 …) match only whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from safecredit_desktop.core.exchange.columns import SHEET_BY_NAME, SheetSpec, fold_header

How = Literal["same", "synonym", "suffix", "contains"]
SCORE: dict[How, int] = {"same": 4, "synonym": 3, "suffix": 2, "contains": 1}

_CODE = (
    "统一社会信用代码",
    "社会信用代码",
    "信用代码",
    "统一代码",
    "社会统一信用代码",
    "企业信用代码",
    "统一社会信用代码/注册号",
)

SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "企业信息": {
        "统一社会信用代码": _CODE,
        "单位名称": (
            "企业名称",
            "单位名称",
            "名称",
            "企业单位名称",
            "生产经营单位名称",
            "市场主体名称",
            "主体名称",
            "公司名称",
            "企业全称",
            "单位全称",
            "企业名字",
        ),
        "行业类别": (
            "行业",
            "行业类别",
            "所属行业",
            "行业分类",
            "行业类型",
            "监管行业",
            "监管类别",
        ),
        "报送单位": ("报送单位", "填报单位"),
        "所在乡镇": (
            "乡镇",
            "所在乡镇",
            "街道",
            "乡镇街道",
            "所属乡镇",
            "所在街道",
            "所属街道",
            "乡镇名称",
            "所在乡镇街道",
        ),
        "地址": (
            "住所",
            "地址",
            "注册地址",
            "经营地址",
            "生产经营地址",
            "企业地址",
            "经营场所",
            "住所经营场所",
            "详细地址",
            "生产地址",
            "通讯地址",
        ),
        "法定代表人": (
            "法人",
            "法定代表人",
            "法人代表",
            "法定代表人负责人",
            "经营者",
            "投资人",
            "法定代表人姓名",
        ),
        "主要负责人": ("负责人", "主要负责人", "企业负责人", "主要负责人姓名"),
        "主要负责人身份证号": (
            "身份证号",
            "身份证号码",
            "负责人身份证号",
            "负责人身份证号码",
            "公民身份号码",
        ),
        "分管安全负责人": (
            "分管安全负责人",
            "安全负责人",
            "分管负责人",
            "安全管理负责人",
            "分管安全生产负责人",
        ),
        "联系电话": (
            "联系方式",
            "联系电话",
            "电话",
            "手机",
            "手机号",
            "手机号码",
            "联系人电话",
            "电话号码",
            "固定电话",
            "企业电话",
        ),
        "安全生产许可证号": (
            "安全生产许可证号",
            "许可证号",
            "许可证编号",
            "安全生产许可证编号",
        ),
        "许可证有效期至": ("许可证有效期", "许可证有效期至", "许可证到期日期", "许可证到期日"),
        "标准化等级": ("标准化等级", "标准化", "安全生产标准化等级", "标准化级别"),
        "标准化评定日期": ("标准化评定日期", "标准化评审日期", "标准化达标日期"),
        "标准化有效期至": ("标准化有效期", "标准化有效期至", "标准化到期日期"),
        "高危行业": ("高危行业", "是否高危", "是否高危行业"),
        "经营状态": ("经营状态", "状态", "企业状态", "营业状态", "生产经营状态"),
        "成立日期": ("成立日期", "成立时间", "注册日期", "登记日期", "设立日期", "开业日期"),
    },
    "执法检查": {
        "统一社会信用代码": _CODE,
        "检查日期": ("检查日期", "检查时间", "执法检查日期"),
        "检查方式": ("检查方式", "检查类型", "检查形式"),
        "执法人员": ("执法人员", "检查人员", "执法人", "检查人"),
        "发现隐患数": ("发现隐患数", "隐患数", "隐患数量", "发现隐患", "一般隐患数"),
        "重大隐患数": ("重大隐患数", "重大隐患", "重大隐患数量", "重大事故隐患数"),
        "整改期限": ("整改期限", "整改时限", "整改截止日期"),
        "整改完成日期": ("整改完成日期", "整改完成时间", "完成整改日期"),
        "文书编号": ("文书编号", "文书号", "检查文书编号", "执法文书编号"),
    },
    "生产安全事故": {
        "统一社会信用代码": _CODE,
        "事故日期": ("事故日期", "事故发生日期", "事故时间", "发生时间", "发生日期"),
        "事故等级": ("事故等级", "事故级别"),
        "死亡人数": ("死亡人数", "死亡"),
        "重伤人数": ("重伤人数", "重伤"),
        "直接经济损失(万元)": ("直接经济损失", "经济损失"),
        "责任事故": ("责任事故", "是否责任事故"),
    },
    "行政处罚": {
        "统一社会信用代码": _CODE,
        "决定书文号": ("决定书文号", "处罚决定书文号", "文号", "处罚文号", "行政处罚决定书文号"),
        "决定日期": ("决定日期", "处罚决定日期", "处罚日期", "作出处罚决定日期"),
        "处罚部门": ("处罚部门", "处罚机关"),
        "处罚事由": ("处罚事由", "违法事实", "处罚原因", "案由"),
        "罚款金额(元)": ("罚款金额", "罚款", "罚没金额"),
    },
}
"""Synonyms of template headers per sheet, beyond the header itself (compared normalised).
Sheets not named here match their template headers and the code's synonyms only."""

WHOLE_ONLY: frozenset[str] = frozenset(
    {"名称", "状态", "标准化", "死亡", "重伤", "罚款", "文号", "检查人", "发现隐患"}
)
"""Synonyms that match only a whole header: inside a longer one they mislead (行业名称 is
no 单位名称, 登记状态 no 经营状态)."""

_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕")
_MARKS = re.compile(r"^[*#\d.、:：\s]+|[:：*\s]+$")


def normalise(header: str) -> str:
    """A header as compared: folded (full-width, spaces, required mark), lower case, no
    numbering in front (1. / 一、) and no colon behind."""
    text = fold_header(header).lower()
    return _MARKS.sub("", text)


def without_brackets(text: str) -> str:
    """``text`` without its bracketed remarks (after :func:`normalise`: ASCII brackets)."""
    previous = None
    while previous != text:
        previous, text = text, _BRACKETS.sub("", text)
    return text


@dataclass(frozen=True)
class HeaderMatch:
    """A header's template column, how it was recognised, and the synonym that did it."""

    template: str
    how: How
    word: str

    @property
    def score(self) -> int:
        return SCORE[self.how] * 100 + len(self.word)


def _words(spec: SheetSpec) -> list[tuple[str, str]]:
    """(template header, normalised word) for every header and synonym, template order."""
    table = SYNONYMS.get(spec.name, {"统一社会信用代码": _CODE})
    out: list[tuple[str, str]] = []
    for header in spec.headers:
        out.append((header, normalise(header)))
        out.extend((header, normalise(w)) for w in table.get(header, ()))
    return out


def match_header(header: str, spec: SheetSpec) -> HeaderMatch | None:
    """The template column of ``spec`` that ``header`` names, or None (see the module)."""
    if not isinstance(header, str) or not header.strip():
        return None
    folded = fold_header(header)
    for template in spec.headers:
        if fold_header(template) == folded:
            return HeaderMatch(template, "same", folded)
    text = normalise(header)
    bare = without_brackets(text)
    words = _words(spec)
    for candidate in (text, bare):
        for template, word in words:
            if word and word == candidate:
                return HeaderMatch(template, "synonym", word)
    if not bare:
        return None
    best: HeaderMatch | None = None
    for template, word in words:
        if len(word) < 2 or word in WHOLE_ONLY:
            continue
        how: How | None = None
        if bare.endswith(word):
            how = "suffix"
        elif word in bare:
            how = "contains"
        if how is None:
            continue
        found = HeaderMatch(template, how, word)
        if best is None or found.score > best.score:
            best = found
    return best


def any_sheet_matches(header: str) -> int:
    """How well ``header`` names a column of any template sheet (0: not at all), for
    finding the header row among a sheet's first rows."""
    scores = [m.score for s in SHEET_BY_NAME.values() if (m := match_header(header, s))]
    return max(scores, default=0)
