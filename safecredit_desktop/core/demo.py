"""Synthetic data for a Chinese county: for trying the program and for benchmarks.

``generate_demo`` fills an empty database with units, inspections, accidents,
penalties, violations, commitments, honours, joint punishments, repairs and an
inspector roster that look like a county bureau's real books. Everything goes
through :class:`Repository`, so every row is audited like a real entry.

The output is a pure function of ``(enterprises, seed, today, profile)``: one
``random.Random(seed)`` stream is consumed in a fixed order, nothing depends on
set or dict iteration order, and no clock is read for the data (``perf_counter``
only times the run for :attr:`DemoSummary.seconds`). Changing ``_BATCH_UNITS``
changes the order of draws and hence the data. Everything is written in one
transaction: a failure leaves the database empty.

Choices made here, where the brief leaves room:

- The county comes from the profile's name (fenghuang: 凤凰县 433123, kundulun:
  包头市昆都仑区 150203, suizhou: 随州市曾都区 421303); any other profile uses the
  凤凰县 county data with that profile's categories.
- History starts on 1 January five years before ``today`` (so 5-6 years); about half
  the units exist from the start, the others appear later. A closed unit's records
  stop at its closing date.
- Every event date is on or before ``today``. Validity ends (许可证有效期至,
  标准化有效期至) and rectification deadlines (整改期限) of recent inspections are
  naturally in the future; joint punishments still running have no end date.
- Units of a high-risk category are stored with 高危行业 = 是, and about 4% of the
  other units too (hazardous chemicals used in production, confined spaces).
- Every accident's stated grade is the grade its figures reach (not 待核实).
- Repairs are of penalties only, approved 12-18 months after the decision.
- Inspectors' town (乡镇) organisation is the town's name exactly as in 所在乡镇.
  inspector_conflicts rows (no record class) are written with plain SQL and get
  audit entries keyed [执法证号, 统一社会信用代码], like the repository's.
"""

from __future__ import annotations

import bisect
import json
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from random import Random
from typing import TYPE_CHECKING, Any, TypeVar

from dateutil.relativedelta import relativedelta

from safecredit_desktop.core import model
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import (
    AccidentGrade,
    CommitmentType,
    HonourLevel,
    HonourType,
    InspectionMethod,
    PenaltyDepartment,
    RepairTarget,
    Responsibility,
    StandardizationLevel,
    UnitStatus,
    ViolationSubject,
)
from safecredit_desktop.core.paths import resources_dir
from safecredit_desktop.core.storage import audit, bulk
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.repository import Repository
from safecredit_desktop.core.storage.tables import TABLES
from safecredit_desktop.core.validate import (
    accident_grade_from_figures,
    id_check_character,
    uscc_check_character,
)

if TYPE_CHECKING:
    from safecredit_desktop.core.rules.profile import Profile

__all__ = ["TABLE_ORDER", "DemoSummary", "generate_demo"]

T = TypeVar("T")

# Units generated, inserted and given their records per round: bounds memory.
_BATCH_UNITS = 20_000
_HISTORY_YEARS = 5

TABLE_ORDER: tuple[str, ...] = (*(spec.name for spec in TABLES), "inspector_conflicts")


@dataclass(frozen=True)
class DemoSummary:
    """Rows written per table (in :data:`TABLE_ORDER`), and where the time went."""

    counts: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _County:
    province: str  # 湖南省
    province_short: str  # 湖南 (in company names)
    province_abbr: str  # 湘 (in permit numbers)
    city: str  # 湘西 (in company names)
    county: str  # 凤凰县 (in addresses)
    county_short: str  # 凤凰 (in petrol-station names)
    area_code: str
    doc_abbr: str  # 凤 (in document numbers)
    bureau: str
    name_prefixes: tuple[tuple[str, int], ...]  # prefix of company names, weight
    towns: tuple[str, ...]
    places: tuple[str, ...]  # more place words used as 字号
    roads: tuple[str, ...]
    villages: tuple[str, ...]
    local_surnames: str
    full_names: tuple[str, ...] = ()  # names without a Han surname (Mongolian)


_SURNAMES_COMMON = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_SURNAMES_MORE = (
    "郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石"
    "廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_SURNAMES_COMPOUND = ("欧阳", "上官", "司马", "诸葛")
_GIVEN_FIRST = "建志国永海小晓俊文德春金玉红丽秀明世光新家子思雨宏立长学云兴卫振庆"
_GIVEN_SECOND = (
    "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林峰国东亮成兵松江彬晨阳"
    "芳娜敏静丽艳娟霞燕玲婷雪琳慧莉萍红梅兰洁倩颖佳欣怡蓉英华"
)
_RARE_CHARS = "骉镕珺玥喆垚赟堃翀犇昇"

_ZIHAO_FIRST = (
    "鑫宏恒华金瑞兴福永顺天龙众博凯昌汇广盛荣嘉润正新德鸿佳祥东长安"
    "万亿联奥骏鼎银泰和合丰富吉青湘南腾卓锦聚诚伟泓大民利明建立远志"
)
_ZIHAO_SECOND = (
    "源达丰盛鹏祥旺安通成诚远隆世华禾泽泰宇运美瑞方发马鼎河和兴顺力民山岭峰飞越程图信业辉晟昊鑫"
)

_MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "156",
    "157",
    "158",
    "159",
    "173",
    "177",
    "180",
    "181",
    "182",
    "183",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)

# Category kinds: which words, name forms and risks a category gets.
_TRADE, _METAL, _CHEM, _FIREWORKS, _MINE, _COAL, _AGENCY, _OTHER = range(8)

_TRADE_WORDS = (
    "建材",
    "水泥制品",
    "新型建材",
    "机械制造",
    "机械加工",
    "农机",
    "木业",
    "家具",
    "竹木制品",
    "食品",
    "酒业",
    "茶业",
    "粮油",
    "米业",
    "纺织",
    "服饰",
    "印务",
    "包装",
    "铝业",
    "铸造",
    "电器",
    "塑料制品",
    "石材加工",
    "混凝土",
    "商贸",
    "物流",
    "农产品开发",
    "酿造",
    "饲料",
    "陶瓷",
)
_TRADE_WORKS = ("页岩砖", "木材加工", "碾米", "酒", "茶叶加工", "石材加工", "预制件", "服装", "纸")
_METAL_WORDS = (
    "钢铁",
    "特钢",
    "冶金",
    "铸造",
    "稀土新材料",
    "铝业",
    "金属制品",
    "钢结构",
    "耐火材料",
    "炉料",
    "重型机械",
    "锻造",
    "铁合金",
)
_CHEM_WORDS = (
    "精细化工",
    "化工",
    "化学",
    "工业气体",
    "燃气",
    "石油化工",
    "化工贸易",
    "涂料",
    "液化气",
    "化学试剂",
    "新能源",
)
_MINE_WORDS = ("矿业", "砂石", "石材开采", "建材矿业", "采矿", "石业")
_MINE_SITES = ("采石场", "石灰石矿", "砂石场", "页岩矿", "铅锌矿", "石英砂矿")
_AGENCY_FORMS = (
    "安全技术服务有限公司",
    "安全评价有限公司",
    "检测检验有限公司",
    "职业卫生技术服务有限公司",
    "安全生产技术咨询有限公司",
    "消防技术服务有限公司",
)

_CN_DIGITS = "零一二三四五六七八九十"
_PLACE_SUFFIXES = (
    "加油站",
    "烟花爆竹零售点",
    "采石场",
    "砂石场",
    "煤矿",
    "矿",
    "厂",
    "坊",
)


def _one_of(rng: Random, items: Sequence[T]) -> T:
    """One of ``items``, from a single draw (``rng.choice`` draws otherwise: a seed would
    no longer make the county it made before)."""
    return items[int(rng.random() * len(items))]


def _cn_number(n: int) -> str:
    """2 -> 二, 12 -> 十二, 35 -> 三十五; beyond 99 the Arabic figure."""
    if n < 11:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + _CN_DIGITS[n - 10]
    if n < 100:
        tens, units = divmod(n, 10)
        return _CN_DIGITS[tens] + "十" + (_CN_DIGITS[units] if units else "")
    return str(n)


def _category_kind(category: str) -> int:
    if "煤矿" in category and "非煤" not in category:
        return _COAL
    if "矿" in category:
        return _MINE
    if "化" in category:
        return _CHEM
    if "烟花" in category or "爆竹" in category:
        return _FIREWORKS
    if "中介" in category or "服务" in category:
        return _AGENCY
    if "冶金" in category or "钢" in category:
        return _METAL
    if "工贸" in category:
        return _TRADE
    return _OTHER


def _category_weight(kind: int, all_kinds: Sequence[int]) -> int:
    if kind == _METAL:
        return 12 if _TRADE in all_kinds else 30
    return {
        _TRADE: 50,
        _CHEM: 16,
        _FIREWORKS: 10,
        _MINE: 7,
        _COAL: 2,
        _AGENCY: 2,
        _OTHER: 12,
    }[kind]


class _Picker:
    """Weighted choice with precomputed cumulative weights (bisect on one random())."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, pairs: Sequence[tuple[Any, float]]) -> None:
        self.items = [p[0] for p in pairs]
        cum: list[float] = []
        running = 0.0
        for _, weight in pairs:
            running += weight
            cum.append(running)
        self.cum = cum
        self.total = running

    def __call__(self, rng: Random) -> Any:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


_METHODS = _Picker(
    [
        (InspectionMethod.PLANNED.value, 58),
        (InspectionMethod.RANDOM.value, 20),
        (InspectionMethod.SPECIAL.value, 11),
        (InspectionMethod.COMPLAINT.value, 3),
        (InspectionMethod.FOLLOW_UP.value, 8),
    ]
)
_SPECIAL = InspectionMethod.SPECIAL.value
_COMPLAINT = InspectionMethod.COMPLAINT.value
_SPECIAL_NOTES = (
    "安全生产大检查",
    "有限空间作业专项检查",
    "粉尘涉爆专项检查",
    "危险化学品安全专项整治",
    "汛期安全专项检查",
    "节前安全检查",
    "烟花爆竹打非治违专项行动",
    "消防安全专项检查",
)
_PENALTY_REASONS = (
    "未按规定对事故隐患进行排查治理",
    "重大事故隐患未按期整改",
    "特种作业人员未持证上岗",
    "未如实记录安全生产教育和培训情况",
    "未建立安全风险分级管控制度",
    "安全设备的安装、使用、检测、维修不符合国家标准或者行业标准",
    "未按规定设置安全警示标志",
    "未对从业人员进行安全生产教育和培训",
    "危险物品的储存不符合规定",
    "未制定生产安全事故应急救援预案",
    "有限空间作业未执行审批制度",
    "未按规定配备专职安全生产管理人员",
)
_ACCIDENT_REASON = "对生产安全事故发生负有责任"
_OTHER_DEPARTMENTS = _Picker([("市监罚", 4), ("消行罚决字", 3), ("住建罚", 2), ("交执罚", 1)])
_FINES = _Picker(
    [
        (5_000, 14),
        (8_000, 6),
        (10_000, 20),
        (20_000, 16),
        (30_000, 12),
        (50_000, 12),
        (80_000, 5),
        (100_000, 8),
        (150_000, 3),
        (200_000, 4),
    ]
)
_ACCIDENT_TYPES: dict[int, tuple[str, ...]] = {
    _TRADE: ("机械伤害", "物体打击", "高处坠落", "触电", "起重伤害", "火灾", "车辆伤害"),
    _METAL: ("灼烫", "机械伤害", "起重伤害", "煤气中毒", "高处坠落", "物体打击"),
    _CHEM: ("中毒和窒息", "火灾", "容器爆炸", "其他爆炸", "灼烫", "泄漏"),
    _FIREWORKS: ("火药爆炸", "火灾", "物体打击"),
    _MINE: ("坍塌", "放炮", "物体打击", "车辆伤害", "高处坠落", "透水"),
    _COAL: ("冒顶片帮", "瓦斯爆炸", "透水", "运输", "机电"),
    _AGENCY: ("车辆伤害", "其他伤害"),
    _OTHER: ("机械伤害", "物体打击", "高处坠落", "触电", "火灾"),
}
_VIOLATION_ORDINARY = _Picker(
    [
        ("hazard_unreported", 30),
        ("dual_prevention_missing", 25),
        ("refuse_directive", 9),
        ("commitment_breach", 8),
        ("illegal_production", 6),
        ("accident_not_reported", 2),
        ("other", 12),
    ]
)
_VIOLATION_SERIOUS_GENERAL = _Picker(
    [
        ("major_hazard_unrectified", 30),
        ("evade_supervision", 12),
        ("operate_while_suspended", 8),
        ("no_permit", 10),
        ("facilities_not_accepted", 4),
        ("refuse_penalty_execution", 8),
        ("other_serious", 6),
    ]
)
_SUBJECTS = _Picker(
    [
        (ViolationSubject.UNIT.value, 80),
        (ViolationSubject.MAIN_PERSON.value, 15),
        (ViolationSubject.SAFETY_PERSON.value, 5),
    ]
)
_JOINT_DEPARTMENTS = (
    "市场监督管理局",
    "税务局",
    "生态环境局",
    "人民法院",
    "人力资源和社会保障局",
    "住房和城乡建设局",
    "自然资源局",
)
_HONOUR_LEVELS = _Picker(
    [
        (HonourLevel.COUNTY.value, 55),
        (HonourLevel.CITY.value, 33),
        (HonourLevel.PROVINCE.value, 10),
        (HonourLevel.NATIONAL.value, 2),
    ]
)
_STD_LEVELS = _Picker(
    [
        (StandardizationLevel.FIRST.value, 1),
        (StandardizationLevel.SECOND.value, 8),
        (StandardizationLevel.THIRD.value, 40),
        (StandardizationLevel.NONE.value, 51),
    ]
)


# ---------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------


@dataclass
class _Life:
    """What the generator knows about a unit beyond its record."""

    kind: int
    first: int  # ordinal of its first record
    last: int  # ordinal of its last possible record (closing date or today)
    high_risk: bool
    suspended: bool


@dataclass
class _Batch:
    inspections: list[model.Inspection] = field(default_factory=list)
    accidents: list[model.Accident] = field(default_factory=list)
    penalties: list[model.Penalty] = field(default_factory=list)
    violations: list[model.Violation] = field(default_factory=list)
    commitments: list[model.Commitment] = field(default_factory=list)
    honours: list[model.Honour] = field(default_factory=list)
    joint_punishments: list[model.JointPunishment] = field(default_factory=list)


@dataclass
class _UnitContext:
    """One unit while its records are made: keys already used, fatal accidents."""

    unit: model.Unit
    uid: int
    life: _Life
    batch: _Batch
    inspection_days: set[int] = field(default_factory=set)
    violation_keys: set[tuple[str, int, str]] = field(default_factory=set)
    fatal_responsible: list[int] = field(default_factory=list)


class _Generator:
    def __init__(self, rng: Random, county: _County, profile: Profile, today: date) -> None:
        self.rng = rng
        self.c = county
        self.today = today
        self.today_ord = today.toordinal()
        self.start_ord = date(today.year - _HISTORY_YEARS, 1, 1).toordinal()
        kinds = [_category_kind(cat) for cat in profile.categories]
        self.categories = _Picker(
            [
                (i, _category_weight(kind, kinds))
                for i, (cat, kind) in enumerate(zip(profile.categories, kinds, strict=True))
            ]
        )
        self.category_names = profile.categories
        self.category_kinds = kinds
        self.category_high_risk = [
            cat in profile.high_risk_categories for cat in profile.categories
        ]
        self.name_prefixes = _Picker(list(county.name_prefixes))
        self.town_stems = [_strip_town(t) for t in county.towns]
        self.place_words = [*self.town_stems, *county.places]
        surnames: list[tuple[str, float]] = [(s, 4.0) for s in _SURNAMES_COMMON]
        surnames += [(s, 1.5) for s in _SURNAMES_MORE]
        surnames += [(s, 5.0) for s in county.local_surnames]
        surnames += [(s, 0.05) for s in _SURNAMES_COMPOUND]
        self.surnames = _Picker(surnames)
        self.used_names: dict[str, int] = {}
        self.used_codes: set[str] = set()
        self.doc_seq: dict[tuple[str, int], int] = {}
        self.inspector_names: list[str] = []
        self.inspectors: list[model.Inspector] = []

    # -- small pieces -------------------------------------------------------------
    def distinct_offsets(self, k: int, span: int) -> list[int]:
        """``k`` distinct numbers in [0, span), ascending (``k`` is small)."""
        rng = self.rng
        if k == 1:
            return [int(rng.random() * span)]
        if 2 * k > span:
            return sorted(rng.sample(range(span), k))
        chosen: list[int] = []
        while len(chosen) < k:
            offset = int(rng.random() * span)
            if offset not in chosen:
                chosen.append(offset)
        chosen.sort()
        return chosen

    def between(self, lo: int, hi: int) -> int:
        """A uniform ordinal in [lo, hi] (lo when the range is empty)."""
        return lo if hi <= lo else lo + int(self.rng.random() * (hi - lo + 1))

    def next_doc(self, prefix: str, year: int) -> str:
        key = (prefix, year)
        seq = self.doc_seq.get(key, 0) + 1
        self.doc_seq[key] = seq
        return f"{prefix}〔{year}〕{seq}号"

    def person(self) -> str:
        rng = self.rng
        if self.c.full_names and rng.random() < 0.08:
            return _one_of(rng, self.c.full_names)
        surname: str = self.surnames(rng)
        r = rng.random()
        if r < 0.28:
            given = _one_of(rng, _GIVEN_SECOND)
        else:
            given = _one_of(rng, _GIVEN_FIRST) + _one_of(rng, _GIVEN_SECOND)
        if rng.random() < 0.015:
            given = given[:-1] + _one_of(rng, _RARE_CHARS)
        return surname + given

    def zihao(self, *, places: bool = True) -> str:
        rng = self.rng
        if places and rng.random() < 0.2:
            return _one_of(rng, self.place_words)
        first = _one_of(rng, _ZIHAO_FIRST)
        second = _one_of(rng, _ZIHAO_SECOND)
        if first == second:
            second = "源"
        return first + second

    def place(self) -> str:
        return _one_of(self.rng, self.place_words)

    def id_number(self) -> str:
        rng = self.rng
        born = date(1960, 1, 1).toordinal() + int(rng.random() * 13149)  # to 1995-12-31
        body = f"{self.c.area_code}{date.fromordinal(born):%Y%m%d}{int(rng.random() * 1000):03d}"
        return body + id_check_character(body)

    def phone(self) -> str:
        rng = self.rng
        prefix = _one_of(rng, _MOBILE_PREFIXES)
        return f"{prefix}{int(rng.random() * 100_000_000):08d}"

    def uscc(self, authority: str) -> str:
        """A fresh valid code: authority+type, area, organisation code (GB 11714), check."""
        rng = self.rng
        while True:
            if rng.random() < 0.55:
                # Registered since 2015: "MA" + 6 characters of the code alphabet.
                body = "MA" + "".join(_one_of(rng, _ORG_ALPHABET) for _ in range(6))
            else:
                body = f"{int(rng.random() * 100_000_000):08d}"
            org = body + _org_check(body)
            first17 = authority + self.c.area_code + org
            code = first17 + uscc_check_character(first17)
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    def unique_name(self, base: str, town_stem: str) -> str:
        count = self.used_names.get(base, 0)
        if count == 0:
            self.used_names[base] = 1
            return base
        # A second unit with the same name: a branch (分公司) or a numbered works.
        while True:
            count += 1
            self.used_names[base] = count
            if base.endswith("公司"):
                candidate = (
                    f"{base}{town_stem}分公司"
                    if count == 2
                    else f"{base}第{_cn_number(count)}分公司"
                )
            else:
                # 凤凰县沱江加油站 -> 凤凰县沱江第二加油站
                word = next((w for w in _PLACE_SUFFIXES if base.endswith(w)), base[-1:])
                candidate = f"{base[: -len(word)]}第{_cn_number(count)}{word}"
            if candidate not in self.used_names:
                self.used_names[candidate] = 1
                return candidate

    def unit_name(self, kind: int, category: str, town: str) -> tuple[str, str, str]:
        """(name, uscc authority+type, owner) for a unit of this kind in this town.

        ``owner`` is the person a 个体工商户 is named after ("" for a company).
        """
        rng = self.rng
        c = self.c
        r = rng.random()
        prefix: str = self.name_prefixes(rng)
        company = "有限公司" if r < 0.78 else ("有限责任公司" if r < 0.95 else "股份有限公司")
        stem = _strip_town(town)
        for _attempt in range(4):
            authority = "91"
            owner = ""
            r = rng.random()
            if kind in (_TRADE, _OTHER):
                word = _one_of(rng, _TRADE_WORDS)
                if kind == _OTHER and rng.random() < 0.5:
                    # A category of the bureau's own: its name says the trade (建筑施工).
                    trade = category.replace("行业", "").replace("领域", "")
                    if len(trade) >= 2 and not trade.startswith(("其他", "其它")):
                        word = trade
                if r < 0.80:
                    name = f"{prefix}{self.zihao()}{word}{company}"
                elif r < 0.95:
                    works = _one_of(rng, _TRADE_WORKS)
                    name = f"{c.county}{stem}{self.zihao(places=False)}{works}厂"
                else:
                    works = _one_of(rng, _TRADE_WORKS)
                    owner = self.person()
                    name = f"{c.county}{town}{owner}{works}坊"
                    authority = "92"
            elif kind == _METAL:
                name = self.trading_name(prefix, _METAL_WORDS, company)
            elif kind == _CHEM:
                if r < 0.12:
                    name = (
                        f"中国石化销售股份有限公司{c.province_short}{c.city}"
                        f"{c.county_short}{self.place()}加油站"
                    )
                elif r < 0.22:
                    name = (
                        f"中国石油天然气股份有限公司{c.province_short}{c.city}销售分公司"
                        f"{c.county_short}{self.place()}加油站"
                    )
                elif r < 0.35:
                    name = f"{prefix}{self.zihao()}石油有限公司{self.place()}加油站"
                else:
                    name = self.trading_name(prefix, _CHEM_WORDS, company)
            elif kind == _FIREWORKS:
                if r < 0.25:
                    name = f"{c.city}{self.place()}烟花爆竹{company}"
                elif r < 0.45:
                    name = f"{prefix}{self.zihao()}烟花爆竹{company}"
                else:
                    owner = self.person()
                    name = f"{c.county}{town}{owner}烟花爆竹零售点"
                    authority = "92"
            elif kind == _MINE:
                if r < 0.45:
                    site = _one_of(rng, _MINE_SITES)
                    name = f"{c.county}{stem}{self.zihao(places=False)}{site}"
                else:
                    name = self.trading_name(prefix, _MINE_WORDS, company)
            elif kind == _COAL:
                if r < 0.5:
                    name = f"{c.city}{self.zihao()}煤业有限责任公司"
                else:
                    name = f"{c.city}{self.zihao()}能源有限公司{self.place()}煤矿"
            else:  # _AGENCY
                form = _one_of(rng, _AGENCY_FORMS)
                where = c.province_short if r < 0.3 else c.city
                name = f"{where}{self.zihao()}{form}"
            if name not in self.used_names:
                break
        return self.unique_name(name, stem), authority, owner

    def trading_name(self, prefix: str, words: Sequence[str], company: str) -> str:
        """Prefix, 字号, a word of the trade and the company form (the word drawn first)."""
        word = _one_of(self.rng, words)
        return f"{prefix}{self.zihao()}{word}{company}"

    # -- inspectors ---------------------------------------------------------------
    def make_inspectors(self, enterprises: int) -> list[model.Inspector]:
        rng = self.rng
        count = min(80, max(10, enterprises // 200))
        result: list[model.Inspector] = []
        seq_by_year: dict[int, int] = {}
        seen: set[str] = set()
        for _ in range(count):
            name = self.person()
            while name in seen:
                name = self.person()
            seen.add(name)
            year = self.today.year - 1 - int(rng.random() * 12)
            seq = seq_by_year.get(year, 0) + 1 + int(rng.random() * 3)
            seq_by_year[year] = seq
            cert_no = f"{self.c.area_code}{year}{seq:04d}"
            org = self.c.bureau if rng.random() < 0.6 else _one_of(rng, self.c.towns)
            result.append(
                model.Inspector(name=name, cert_no=cert_no, org=org, active=rng.random() < 0.9)
            )
        self.inspectors = result
        self.inspector_names = [i.name for i in result]
        return result

    def inspector_pair(self) -> str:
        names = self.inspector_names
        n = len(names)
        i = int(self.rng.random() * n)
        j = int(self.rng.random() * (n - 1))
        if j >= i:
            j += 1
        return f"{names[i]}、{names[j]}"

    # -- units --------------------------------------------------------------------
    def make_units(self, count: int) -> tuple[list[model.Unit], list[_Life]]:
        rng = self.rng
        c = self.c
        today_ord = self.today_ord
        units: list[model.Unit] = []
        lives: list[_Life] = []
        for _ in range(count):
            cat_index: int = self.categories(rng)
            category = self.category_names[cat_index]
            kind = self.category_kinds[cat_index]
            town_index = int(rng.random() * len(c.towns))
            town = c.towns[town_index]
            name, authority, owner = self.unit_name(kind, category, town)
            uscc = self.uscc(authority)
            # First record: about half the units are there from the start of history.
            if rng.random() < 0.5:
                first = self.start_ord + int(rng.random() * 120)
            else:
                first = self.between(self.start_ord, today_ord - 30)
            status = UnitStatus.NORMAL.value
            last = today_ord
            r = rng.random()
            if r < 0.01 and today_ord - first > 400:
                status = UnitStatus.CLOSED.value
                last = self.between(first + 365, today_ord - 20)
            elif r < 0.03:
                status = UnitStatus.SUSPENDED.value
            high_category = self.category_high_risk[cat_index]
            high_risk = high_category or (kind in (_TRADE, _METAL, _OTHER) and rng.random() < 0.04)
            legal_rep = owner or self.person()
            main_person = legal_rep if owner or rng.random() < 0.6 else self.person()
            safety_person = self.person()
            address = self.address(town)
            permit_no = ""
            permit_valid_until: date | None = None
            if high_category or kind == _COAL:
                permit_no, permit_valid_until = self.permit(kind, status, retail=authority == "92")
            std_level: str = _STD_LEVELS(rng)
            if authority == "92" or status == UnitStatus.CLOSED.value:
                std_level = StandardizationLevel.NONE.value
            elif (
                std_level == StandardizationLevel.NONE.value
                and high_category
                and rng.random() < 0.6
            ):
                # Most high-risk units have at least a city-level (三级) standardization.
                std_level = StandardizationLevel.THIRD.value
            awarded: date | None = None
            valid_until: date | None = None
            if std_level != StandardizationLevel.NONE.value:
                # Awarded up to 3.8 years ago (a fifth have lapsed), near the unit's start.
                lo = max(first - 720, today_ord - 1400)
                awarded_ord = self.between(lo, today_ord - 10)
                awarded = date.fromordinal(awarded_ord)
                valid_until = _add_years(awarded, 3) - timedelta(days=1)
            units.append(
                model.Unit(
                    uscc=uscc,
                    name=name,
                    category=category,
                    town=town,
                    address=address,
                    legal_rep=legal_rep,
                    main_person=main_person,
                    main_person_id=self.id_number(),
                    safety_person=safety_person,
                    phone=self.phone(),
                    permit_no=permit_no,
                    permit_valid_until=permit_valid_until,
                    std_level=std_level,
                    std_awarded_on=awarded,
                    std_valid_until=valid_until,
                    high_risk=high_risk,
                    status=status,
                )
            )
            lives.append(
                _Life(
                    kind=kind,
                    first=first,
                    last=last,
                    high_risk=high_risk,
                    suspended=status == UnitStatus.SUSPENDED.value,
                )
            )
        return units, lives

    def address(self, town: str) -> str:
        rng = self.rng
        c = self.c
        number = 1 + int(rng.random() * 298)
        if town.endswith(("街道", "新区", "开发区")) or rng.random() < 0.5:
            road = _one_of(rng, c.roads)
            return f"{c.county}{town}{road}{number}号"
        village = _one_of(rng, c.villages)
        return f"{c.county}{town}{village}村{1 + number % 12}组"

    def permit(self, kind: int, status: str, *, retail: bool) -> tuple[str, date]:
        rng = self.rng
        # Valid three years; a few current units let theirs lapse.
        issued_ord = self.between(self.today_ord - 1160, self.today_ord - 5)
        issued = date.fromordinal(issued_ord)
        if status == UnitStatus.CLOSED.value:
            issued = date.fromordinal(issued_ord - 1100)
        code = {
            _CHEM: "WH安许证字",
            _FIREWORKS: "YH零" if retail else "YH批",
            _MINE: "FM安许证字",
            _COAL: "MK安许证字",
        }.get(kind, "安许证字")
        serial = 1 + int(rng.random() * 999)
        if kind == _FIREWORKS:
            number = f"（{self.c.province_abbr}）{code}〔{issued.year}〕{serial:06d}"
        else:
            number = f"（{self.c.province_abbr}）{code}〔{issued.year}〕{serial:04d}"
        return number, _add_years(issued, 3) - timedelta(days=1)

    # -- the records of a batch of units -------------------------------------------
    def make_records(
        self, units: Sequence[model.Unit], lives: Sequence[_Life], special: dict[int, str]
    ) -> _Batch:
        """Every record of these units (``special``: batch position -> graver accident)."""
        batch = _Batch()
        for index, (unit, life) in enumerate(zip(units, lives, strict=True)):
            assert unit.id is not None
            ctx = _UnitContext(unit=unit, uid=unit.id, life=life, batch=batch)
            self.unit_records(ctx, special.get(index))
        return batch

    def add_violation(
        self, ctx: _UnitContext, kind: str, day: int, basis: str, subject: str | None = None
    ) -> None:
        if day > ctx.life.last:
            return
        subj: str = subject or _SUBJECTS(self.rng)
        key = (kind, day, subj)
        if key in ctx.violation_keys:
            return
        ctx.violation_keys.add(key)
        person = ""
        if subj == ViolationSubject.MAIN_PERSON.value:
            person = ctx.unit.main_person
        elif subj == ViolationSubject.SAFETY_PERSON.value:
            person = ctx.unit.safety_person
        when = date.fromordinal(day)
        if not basis:
            basis = self.next_doc(f"{self.c.doc_abbr}应急失信认定", when.year)
        ctx.batch.violations.append(
            model.Violation(
                unit_id=ctx.uid,
                kind=kind,
                occurred_on=when,
                subject=subj,
                person_name=person,
                basis_doc=basis,
            )
        )

    def add_penalty(
        self, ctx: _UnitContext, day: int, reason: str, *, emergency: bool = True
    ) -> str:
        rng = self.rng
        when = date.fromordinal(day)
        if emergency:
            department = PenaltyDepartment.EMERGENCY.value
            doc = self.next_doc(f"{self.c.doc_abbr}应急罚", when.year)
        else:
            department = PenaltyDepartment.OTHER.value
            prefix: str = _OTHER_DEPARTMENTS(rng)
            doc = self.next_doc(f"{self.c.doc_abbr}{prefix}", when.year)
        fine: int = _FINES(rng)
        if rng.random() < 0.3:
            fine = min(200_000, fine + 1_000 * int(rng.random() * 10))
        published: date | None = None
        if rng.random() < 0.92:
            pub = day + 1 + int(rng.random() * 10)
            if pub <= self.today_ord:
                published = date.fromordinal(pub)
        ctx.batch.penalties.append(
            model.Penalty(
                unit_id=ctx.uid,
                doc_no=doc,
                decided_on=when,
                department=department,
                reason=reason,
                fine_yuan=float(fine),
                published_on=published,
            )
        )
        return doc

    def unit_records(self, ctx: _UnitContext, special: str | None) -> None:
        rng = self.rng
        unit, life, b = ctx.unit, ctx.life, ctx.batch
        first, last = life.first, life.last
        today_ord = self.today_ord

        # Inspections: 1-2 a year (2-4 for high-risk units), fewer in partial years.
        high = life.high_risk
        for year in range(date.fromordinal(first).year, date.fromordinal(last).year + 1):
            y0 = max(first, date(year, 1, 1).toordinal())
            y1 = min(last, date(year, 12, 31).toordinal())
            span = y1 - y0 + 1
            if span <= 0:
                continue
            r = rng.random()
            if high:
                per_year = 2 if r < 0.6 else (3 if r < 0.9 else 4)
            else:
                per_year = 1 if r < 0.85 else (2 if r < 0.98 else 3)
            expected = per_year * span / 365.25
            k = int(expected)
            if rng.random() < expected - k:
                k += 1
            if k == 0:
                continue
            for offset in self.distinct_offsets(min(k, span), span):
                ctx.inspection_days.add(y0 + offset)
                self.inspection(ctx, y0 + offset)

        if life.suspended:
            # A recent special inspection found a major hazard: 责令停产整顿.
            day = self.between(max(first, today_ord - 200), today_ord - 1)
            if day not in ctx.inspection_days:
                ctx.inspection_days.add(day)
                when = date.fromordinal(day)
                b.inspections.append(
                    model.Inspection(
                        unit_id=ctx.uid,
                        inspected_on=when,
                        method=InspectionMethod.SPECIAL.value,
                        inspectors=self.inspector_pair(),
                        hazards=2 + int(rng.random() * 5),
                        major_hazards=1,
                        rectify_deadline=when + timedelta(days=30),
                        doc_no=self.next_doc(f"{self.c.doc_abbr}应急检", when.year),
                        note="存在重大事故隐患，责令停产整顿",
                    )
                )
                if day + 3 <= today_ord:
                    self.add_penalty(ctx, day + 3, "存在重大事故隐患，责令停产停业整顿并处罚款")

        # Accidents: rare; 一般 ones at random, the graver ones chosen for the county.
        years = (last - first + 1) / 365.25
        expected = (0.0045 if high else 0.002) * years
        n_acc = 1 if rng.random() < expected else 0
        if n_acc and rng.random() < 0.05:
            n_acc = 2
        grades = [AccidentGrade.ORDINARY.value] * n_acc
        if special is not None:
            grades.append(special)
        accident_days: list[int] = []
        for grade in grades:
            day = self.between(first, last)
            if day in accident_days:
                day = min(last, day + 1)
            if day in accident_days:
                continue
            accident_days.append(day)
            self.accident(ctx, day, grade)
        if n_acc and rng.random() < 0.02:
            # Two accidents on one day, told apart by their numbers.
            self.same_day_pair(ctx, accident_days[0])

        # Violations not tied to an inspection: about one per hundred units a year.
        expected = years * (0.012 if high else 0.007)
        while rng.random() < expected:
            expected -= 1.0
            day = self.between(first, last)
            if rng.random() < 0.18:
                kind: str = _VIOLATION_SERIOUS_GENERAL(rng)
                if kind == "no_permit" and not unit.permit_no:
                    kind = "other_serious"
            else:
                kind = _VIOLATION_ORDINARY(rng)
            if life.kind == _MINE and rng.random() < 0.15:
                kind = "overstep_mining"
            elif life.kind == _AGENCY and rng.random() < 0.3:
                kind = "false_report_agency"
            self.add_violation(ctx, kind, day, "")

        # Penalties by other departments (fire, market supervision): occasional.
        if rng.random() < 0.02 * years:
            day = self.between(first, last)
            self.add_penalty(ctx, day, "违反消防、市场监管等法律法规", emergency=False)

        # Commitments: most units sign a 单位承诺; some re-sign, a few withdraw.
        self.commitments(ctx)

        # Honours and joint punishments: rare.
        r = rng.random()
        good_level = unit.std_level in (
            StandardizationLevel.FIRST.value,
            StandardizationLevel.SECOND.value,
        )
        if r < (0.22 if good_level else 0.015) and not ctx.fatal_responsible:
            self.honours(ctx, consecutive=good_level and rng.random() < 0.5)
        if rng.random() < 0.004 * years:
            start = self.between(first, last)
            ends: date | None = None
            if rng.random() < 0.5:
                end = start + 180 + int(rng.random() * 900)
                if end <= today_ord:
                    ends = date.fromordinal(end)
            department = _one_of(rng, _JOINT_DEPARTMENTS)
            b.joint_punishments.append(
                model.JointPunishment(
                    unit_id=ctx.uid,
                    department=f"{self.c.county}{department}",
                    starts_on=date.fromordinal(start),
                    ends_on=ends,
                )
            )

    def inspection(self, ctx: _UnitContext, day: int) -> None:
        rng = self.rng
        when = date.fromordinal(day)
        method: str = _METHODS(rng)
        r = rng.random()
        if r < 0.45:
            hazards = 0
        elif r < 0.75:
            hazards = 1 + int(rng.random() * 3)
        else:
            hazards = 2 + int(rng.random() * 9)
        major = 0
        if rng.random() < (0.025 if ctx.life.high_risk else 0.01):
            major = 1 if rng.random() < 0.85 else 2
            hazards = max(hazards, major)
        deadline: date | None = None
        rectified: date | None = None
        late_or_open = False
        today_ord = self.today_ord
        if hazards:
            deadline = when + timedelta(days=30)
            r = rng.random()
            if r < 0.82:
                done = day + 2 + int(rng.random() * 29)
            elif r < 0.94 or today_ord - day > 240:
                done = day + 31 + int(rng.random() * 60)
                late_or_open = True
            else:
                done = today_ord + 1  # still open
                late_or_open = True
            if done <= today_ord:
                rectified = date.fromordinal(done)
        note = ""
        if method == _SPECIAL:
            note = _one_of(rng, _SPECIAL_NOTES)
        elif method == _COMPLAINT:
            note = "群众举报核查"
        ctx.batch.inspections.append(
            model.Inspection(
                unit_id=ctx.uid,
                inspected_on=when,
                method=method,
                inspectors=self.inspector_pair(),
                hazards=hazards,
                major_hazards=major,
                rectify_deadline=deadline,
                rectified_on=rectified,
                doc_no=self.next_doc(f"{self.c.doc_abbr}应急检", when.year),
                note=note,
            )
        )
        if not hazards:
            return
        if rng.random() < (0.55 if major else 0.035):
            pday = day + 7 + int(rng.random() * 40)
            if pday <= today_ord:
                reason = "重大事故隐患未按期整改" if major else _one_of(rng, _PENALTY_REASONS)
                doc = self.add_penalty(ctx, pday, reason)
                if rng.random() < 0.3:
                    kind: str = _VIOLATION_ORDINARY(rng)
                    if major and rng.random() < 0.4:
                        kind = "major_hazard_unrectified"
                    self.add_violation(ctx, kind, day, doc)
        elif late_or_open and rng.random() < 0.06 and day + 31 <= today_ord:
            self.add_violation(ctx, "hazard_unreported", day + 31, "")

    def accident(
        self,
        ctx: _UnitContext,
        day: int,
        grade: str,
        *,
        accident_no: str = "",
        follow_up: bool = True,
    ) -> None:
        rng = self.rng
        deaths, injuries, loss = _figures(rng, grade)
        derived = accident_grade_from_figures(deaths, injuries, loss).value
        if derived != grade:  # pragma: no cover - _figures keeps within the grade
            raise AssertionError(f"figures {deaths}/{injuries}/{loss} give {derived}, not {grade}")
        r = rng.random()
        if self.today_ord - day < 180 and r < 0.35:
            responsible = Responsibility.PENDING.value
        elif grade != AccidentGrade.ORDINARY.value:
            responsible = Responsibility.YES.value if r < 0.95 else Responsibility.NO.value
        else:
            responsible = Responsibility.YES.value if r < 0.78 else Responsibility.NO.value
        types = _ACCIDENT_TYPES[ctx.life.kind]
        kind_text = _one_of(rng, types)
        ctx.batch.accidents.append(
            model.Accident(
                unit_id=ctx.uid,
                occurred_on=date.fromordinal(day),
                grade=grade,
                responsible=responsible,
                accident_no=accident_no,
                deaths=deaths,
                serious_injuries=injuries,
                loss_wan=loss,
                note=f"{kind_text}事故",
            )
        )
        if responsible != Responsibility.YES.value or not follow_up:
            return
        if deaths:
            ctx.fatal_responsible.append(day)
        if rng.random() < (0.95 if deaths or grade != AccidentGrade.ORDINARY.value else 0.5):
            pday = day + 30 + int(rng.random() * 120)
            if pday <= self.today_ord:
                doc = self.add_penalty(ctx, pday, _ACCIDENT_REASON)
                r = rng.random()
                if r < 0.05:
                    self.add_violation(ctx, "accident_reported_late", day + 1, doc)
                elif r < 0.08:
                    self.add_violation(ctx, "accident_concealed", day + 2, doc)
                elif r < 0.09:
                    self.add_violation(ctx, "obstruct_investigation", day, doc)
                elif r < 0.12 and grade != AccidentGrade.ORDINARY.value:
                    self.add_violation(ctx, "aggravated_fine", pday, doc)

    def same_day_pair(self, ctx: _UnitContext, day: int) -> None:
        """Number the unit's accident on ``day`` and add a second one that day."""
        when = date.fromordinal(day)
        number = f"{self.c.doc_abbr}事故〔{when.year}〕{ctx.uid % 97 + 1}"
        for acc in reversed(ctx.batch.accidents):
            if acc.unit_id != ctx.uid:
                break
            if acc.occurred_on == when:
                acc.accident_no = f"{number}-1"
                self.accident(
                    ctx,
                    day,
                    AccidentGrade.ORDINARY.value,
                    accident_no=f"{number}-2",
                    follow_up=False,
                )
                return

    def commitments(self, ctx: _UnitContext) -> None:
        rng = self.rng
        unit, uid, life, b = ctx.unit, ctx.uid, ctx.life, ctx.batch
        today_ord = self.today_ord
        if rng.random() < 0.88:
            signed = min(life.first + int(rng.random() * 60), today_ord)
            days = {signed}
            withdrawn_at: int | None = None
            if rng.random() < 0.035:
                withdrawn_at = self.between(signed + 30, today_ord)
                if withdrawn_at > today_ord:
                    withdrawn_at = None
            first_year = date.fromordinal(signed).year
            for year in range(first_year + 1, date.fromordinal(life.last).year + 1):
                if rng.random() < 0.12:
                    day = date(year, 1, 5).toordinal() + int(rng.random() * 80)
                    if day <= min(today_ord, life.last) and (
                        withdrawn_at is None or day > withdrawn_at
                    ):
                        days.add(day)
            for day in sorted(days):
                b.commitments.append(
                    model.Commitment(
                        unit_id=uid,
                        type=CommitmentType.UNIT.value,
                        signed_on=date.fromordinal(day),
                        signer=unit.main_person,
                        withdrawn_on=(
                            date.fromordinal(withdrawn_at)
                            if withdrawn_at is not None and day == signed
                            else None
                        ),
                    )
                )
        if rng.random() < 0.35:
            day = min(life.first + int(rng.random() * 120), today_ord, life.last)
            b.commitments.append(
                model.Commitment(
                    unit_id=uid,
                    type=CommitmentType.MAIN_PERSON_DUTY.value,
                    signed_on=date.fromordinal(day),
                    signer=unit.main_person,
                )
            )

    def honours(self, ctx: _UnitContext, *, consecutive: bool) -> None:
        rng = self.rng
        uid, life, b = ctx.uid, ctx.life, ctx.batch
        today = self.today
        seen: set[tuple[int, str]] = set()

        def add(day: int, level: str, kind: str, title: str) -> None:
            day = min(day, self.today_ord, life.last)
            if day < life.first or (day, kind) in seen:
                return
            seen.add((day, kind))
            b.honours.append(
                model.Honour(
                    unit_id=uid,
                    honoured_on=date.fromordinal(day),
                    level=level,
                    type=kind,
                    title=title,
                )
            )

        if consecutive:
            later = today.year - 1 if rng.random() < 0.5 or today.month < 4 else today.year
            for year in (later - 1, later):
                day = date(year, 1, 15).toordinal() + int(rng.random() * 75)
                level = HonourLevel.CITY.value if rng.random() < 0.8 else HonourLevel.PROVINCE.value
                add(day, level, HonourType.ADVANCED_UNIT.value, f"{year - 1}年度安全生产先进单位")
            if rng.random() < 0.7:
                day = self.between(self.today_ord - 700, self.today_ord - 1)
                year = date.fromordinal(day).year
                kind = (
                    HonourType.COMMENDATION.value
                    if rng.random() < 0.6
                    else HonourType.TYPICAL_PUBLICITY.value
                )
                title = (
                    f"关于{year}年安全生产标准化建设成效突出企业的通报表扬"
                    if kind == HonourType.COMMENDATION.value
                    else f"{year}年“安全生产月”典型宣传"
                )
                add(day, HonourLevel.CITY.value, kind, title)
            return
        for _ in range(2 if rng.random() < 0.3 else 1):
            day = self.between(life.first, life.last)
            year = date.fromordinal(day).year
            r = rng.random()
            if r < 0.6:
                kind = HonourType.ADVANCED_UNIT.value
                title = f"{year - 1}年度安全生产工作先进单位"
            elif r < 0.85:
                kind = HonourType.COMMENDATION.value
                title = f"{year}年安全生产工作通报表扬"
            else:
                kind = HonourType.TYPICAL_PUBLICITY.value
                title = f"{year}年安全生产典型经验宣传"
            add(day, _HONOUR_LEVELS(rng), kind, title)

    def repairs(self, penalties: Sequence[model.Penalty]) -> list[model.Repair]:
        """Approved repairs of about 2% of the penalties at least 12 months old."""
        rng = self.rng
        result: list[model.Repair] = []
        for penalty in penalties:
            earliest = penalty.decided_on + relativedelta(months=12)
            if earliest > self.today or rng.random() >= 0.02:
                continue
            approved_ord = self.between(
                earliest.toordinal(), min(earliest.toordinal() + 180, self.today_ord)
            )
            approved = date.fromordinal(approved_ord)
            assert penalty.id is not None
            result.append(
                model.Repair(
                    unit_id=penalty.unit_id,
                    target_kind=RepairTarget.PENALTY.value,
                    approved_on=approved,
                    penalty_id=penalty.id,
                    approval_no=self.next_doc(f"{self.c.doc_abbr}应急信修", approved.year),
                )
            )
        return result


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

_ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_check(body: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    total = 0
    for ch, weight in zip(body, _ORG_WEIGHTS, strict=True):
        value = int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10
        total += value * weight
    check = 11 - total % 11
    return "X" if check == 10 else ("0" if check == 11 else str(check))


def _strip_town(town: str) -> str:
    for suffix in ("经济开发区", "街道", "新区", "镇", "乡"):
        if town.endswith(suffix) and len(town) > len(suffix) + 1:
            return town[: -len(suffix)]
    return town


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _figures(rng: Random, grade: str) -> tuple[int, int, float]:
    """Deaths, serious injuries and direct loss (万元) that reach exactly ``grade``."""
    if grade == AccidentGrade.ORDINARY.value:
        r = rng.random()
        deaths = 0 if r < 0.62 else (1 if r < 0.94 else 2)
        r = rng.random()
        injuries = (
            0
            if r < 0.55
            else (1 + int(rng.random() * 3) if r < 0.95 else 4 + int(rng.random() * 6))
        )
        if deaths == 0 and injuries == 0 and rng.random() < 0.5:
            injuries = 1
        loss = round(3 + rng.random() * 150 if rng.random() < 0.9 else 150 + rng.random() * 849, 2)
        return deaths, injuries, loss
    if grade == AccidentGrade.LARGER.value:
        deaths = 3 + int(rng.random() * 5)
        injuries = int(rng.random() * 15)
        loss = round(300 + rng.random() * 1800, 2)
        return deaths, injuries, loss
    if grade == AccidentGrade.MAJOR.value:
        deaths = 10 + int(rng.random() * 8)
        injuries = 5 + int(rng.random() * 40)
        loss = round(1500 + rng.random() * 3400, 2)
        return deaths, injuries, loss
    deaths = 30 + int(rng.random() * 15)
    injuries = 40 + int(rng.random() * 80)
    loss = round(10000 + rng.random() * 9000, 2)
    return deaths, injuries, loss


def _special_accidents(rng: Random, enterprises: int) -> dict[int, str]:
    """Which units (by position) have a 较大 or graver accident: a handful per 10,000."""

    def how_many(expected: float) -> int:
        whole = int(expected)
        return whole + (1 if rng.random() < expected - whole else 0)

    larger = how_many(enterprises * 5 / 10_000)
    major = how_many(enterprises / 50_000)
    extraordinary = 1 if enterprises >= 50_000 else 0
    chosen = rng.sample(range(enterprises), min(enterprises, larger + major + extraordinary))
    grades = (
        [AccidentGrade.EXTRAORDINARY.value] * extraordinary
        + [AccidentGrade.MAJOR.value] * major
        + [AccidentGrade.LARGER.value] * larger
    )
    return dict(zip(chosen, grades, strict=False))


@cache
def _county_for(profile_name: str) -> _County:
    """The profile's county of resources/demo/counties.toml (凤凰县 for one it lacks)."""
    path = resources_dir() / "demo" / "counties.toml"
    counties = tomllib.loads(path.read_text(encoding="utf-8"))
    found = counties.get(profile_name, counties["fenghuang"])
    return _County(**{name: _frozen(value) for name, value in found.items()})


def _frozen(value: Any) -> Any:
    """TOML's arrays as tuples (``name_prefixes``: pairs), the rest as read."""
    return tuple(_frozen(v) for v in value) if isinstance(value, list) else value


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def generate_demo(
    db: Database,
    repo: Repository,
    profile: Profile,
    *,
    enterprises: int,
    seed: int,
    today: date,
    progress: Callable[[float, str], None] | None = None,
) -> DemoSummary:
    """Fill an empty database with ``enterprises`` units and their records.

    All or nothing: everything is written in one transaction. Refuses a database
    that already has units. ``progress(fraction, sentence)`` is called between steps;
    it may raise (e.g. ``Cancelled``) to stop, which rolls everything back.
    """
    report = progress or (lambda fraction, text: None)
    if enterprises < 1:
        raise SafeCreditError("演示企业数量必须是正整数。")
    if not profile.categories:
        raise SafeCreditError(f"信用分级配置“{profile.name}”没有行业类别，无法生成演示数据。")
    rng = Random(seed)
    gen = _Generator(rng, _county_for(profile.name), profile, today)
    counts = dict.fromkeys(TABLE_ORDER, 0)
    t_generate = 0.0
    t_insert = 0.0

    def insert(table: str, records: Sequence[Any]) -> None:
        nonlocal t_insert
        if not records:
            return
        started = time.perf_counter()
        repo.insert_many(records)
        t_insert += time.perf_counter() - started
        counts[table] += len(records)

    started_all = time.perf_counter()
    # a million rows in one transaction: a page cache that holds what it touches (the
    # default one spilled the same pages to the WAL over and over), and the WAL copied
    # into the file after the commit (storage/bulk.py)
    with bulk.larger_cache(db), db.transaction() as conn:
        existing = int(conn.execute("SELECT count(*) FROM units").fetchone()[0])
        if existing:
            raise SafeCreditError(
                f"数据库中已有 {existing} 家企业。演示数据只能生成到空数据库中，"
                "请新建一个数据库后再生成。"
            )
        t0 = time.perf_counter()
        inspectors = gen.make_inspectors(enterprises)
        special = _special_accidents(rng, enterprises)
        t_generate += time.perf_counter() - t0
        insert("inspectors", inspectors)
        all_unit_ids: list[int] = []
        for start in range(0, enterprises, _BATCH_UNITS):
            size = min(_BATCH_UNITS, enterprises - start)
            t0 = time.perf_counter()
            units, lives = gen.make_units(size)
            t_generate += time.perf_counter() - t0
            insert("units", units)
            report(
                (start + size * 0.3) / enterprises,
                f"正在生成第 {start + 1}–{start + size} 家企业的记录…",
            )
            t0 = time.perf_counter()
            batch_special = {
                i - start: special[i] for i in range(start, start + size) if i in special
            }
            records = gen.make_records(units, lives, batch_special)
            t_generate += time.perf_counter() - t0
            insert("inspections", records.inspections)
            insert("accidents", records.accidents)
            insert("penalties", records.penalties)
            insert("violations", records.violations)
            insert("commitments", records.commitments)
            insert("honours", records.honours)
            insert("joint_punishments", records.joint_punishments)
            t0 = time.perf_counter()
            repairs = gen.repairs(records.penalties)
            t_generate += time.perf_counter() - t0
            insert("repairs", repairs)
            all_unit_ids.extend(u.id for u in units if u.id is not None)
            report((start + size) / enterprises, f"已生成 {start + size} 家企业")
        t0 = time.perf_counter()
        conflicts = _conflicts(rng, inspectors, all_unit_ids)
        t_generate += time.perf_counter() - t0
        t0 = time.perf_counter()
        _insert_conflicts(conn, repo, inspectors, conflicts)
        t_insert += time.perf_counter() - t0
        counts["inspector_conflicts"] = len(conflicts)
        t0 = time.perf_counter()
    t_commit = time.perf_counter() - t0
    return DemoSummary(
        counts=counts,
        seconds={
            "generate": t_generate,
            "insert": t_insert,
            "commit": t_commit,
            "total": time.perf_counter() - started_all,
        },
    )


def _conflicts(
    rng: Random, inspectors: Sequence[model.Inspector], unit_ids: Sequence[int]
) -> list[tuple[int, int]]:
    """A few declared conflicts (回避): an inspector and a unit they must not inspect."""
    wanted = min(len(unit_ids), max(3, len(inspectors) // 4))
    pairs: list[tuple[int, int]] = []
    seen: set[tuple[int, int]] = set()
    while len(pairs) < wanted:
        inspector = _one_of(rng, inspectors)
        unit_id = _one_of(rng, unit_ids)
        assert inspector.id is not None
        pair = (inspector.id, unit_id)
        if pair not in seen:
            seen.add(pair)
            pairs.append(pair)
    return pairs


def _insert_conflicts(
    conn: Any,
    repo: Repository,
    inspectors: Sequence[model.Inspector],
    pairs: Sequence[tuple[int, int]],
) -> None:
    """Plain SQL (the table has no record class), audited like the repository does."""
    cert_by_id = {i.id: i.cert_no for i in inspectors}
    uscc_by_id = dict(
        conn.execute(
            f"SELECT id, uscc FROM units WHERE id IN ({', '.join('?' for _ in pairs)})",
            [unit_id for _, unit_id in pairs],
        ).fetchall()
    )
    conn.executemany(
        "INSERT INTO inspector_conflicts (inspector_id, unit_id) VALUES (?, ?)", list(pairs)
    )
    audit.append(
        conn,
        repo.user,
        [
            audit.AuditEntry(
                "insert",
                "inspector_conflicts",
                json.dumps(
                    [cert_by_id[inspector_id], uscc_by_id[unit_id]],
                    ensure_ascii=False,
                    separators=(",", ":"),
                ),
                None,
                {"inspector_id": inspector_id, "unit_id": unit_id},
            )
            for inspector_id, unit_id in pairs
        ],
    )
