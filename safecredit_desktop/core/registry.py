"""The unit registry (企业台账): filter, search and sort units, a page at a time.

Read-only SQL over ``units``. Search works on keys stored with each unit (see
:mod:`pinyin_index`: the name read whole, place names from a table, other readings of
heteronyms kept), so a keystroke on 100,000 units is a single scan of short strings,
not a pinyin conversion per row.

What a search term matches (terms separated by spaces must all match):

- letters only (``fhhg``): the letters are initials of the name's characters in that
  order (凤凰县沱江化工 = f·h·x·t·j·h·g; any reading of a heteronym: 重庆 = cq or zq),
  or a full pinyin reading contains the term, or the 统一社会信用代码 starts with it;
- letters with digits (``9143``, ``91433123MA``): the code contains it, or the name;
- anything with a Chinese character (``化工``): the name contains it;
- anything else (``%``, ``A-1``): the name or the code contains it literally.

Full-width input (``ｆｈｈｇ`` from an IME) counts as the plain letters. When the list
is in its default order (name, ascending), better matches come first (:func:`rank`):

0. the term is the initials or the full pinyin of the whole name (any reading);
1. they start with the term, or the code does;
2. they contain the term unbroken (the initials of a word: ``hg`` in 凤凰县沱江化工);
3. the name's initials hold the term in two unbroken pieces (``fh``…``hg``: 凤凰…化工);
4. any other match (a scattered subsequence);

each group in pinyin order. pypinyin's phrase dictionary only holds phrases whose
reading is irregular (it lacks 凤凰 and 公司), so there are no word boundaries to rank
by; unbroken runs of initials stand in for words.

Grades: ``RegistryRow.grade`` is the unit's live grade as of today, read from the stored
live grades (``unit_grades``, kept by core/grade_cache.py), so the column and the grade
filter work on a new database and at once after every save, import or confirmation.
``RegistryRow.confirmed_grade`` is the grade of the newest confirmed annual assessment
(年度评定, :func:`latest_confirmed_year`), None before one or for a unit it did not
grade; a live grade no confirmed assessment gives the unit is shown as not confirmed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

from safecredit_desktop.core.pinyin_index import letters_pattern, search_keys
from safecredit_desktop.core.storage.connection import Database

SortKey = Literal[
    "name",
    "uscc",
    "category",
    "town",
    "main_person",
    "high_risk",
    "std_level",
    "status",
    "grade",
    "confirmed_grade",
]
SORT_KEYS: tuple[SortKey, ...] = get_args(SortKey)

# Fixed vocabularies sort in their natural order, not alphabetically.
STATUS_ORDER = ("正常", "停产整顿", "关闭")
STD_LEVEL_ORDER = ("一级", "二级", "三级", "无")


@dataclass(frozen=True)
class UnitQuery:
    """What the registry shows: a search, filters (None: any) and the order."""

    search: str = ""
    category: str | None = None
    town: str | None = None
    grade: str | None = None  # the live grade (today)
    status: str | None = None
    high_risk: bool | None = None
    confirmed_grade: str | None = None  # the newest confirmed annual assessment's grade
    sort: SortKey = "name"
    descending: bool = False

    def __post_init__(self) -> None:
        if self.sort not in SORT_KEYS:
            raise ValueError(f"unknown sort key {self.sort!r}; one of {SORT_KEYS}")

    @property
    def is_default_order(self) -> bool:
        return self.sort in ("name", "grade", "confirmed_grade") and not self.descending


@dataclass(frozen=True)
class RegistryRow:
    id: int
    uscc: str
    name: str
    category: str
    town: str
    status: str
    high_risk: bool  # marked 高危行业, or the category is high-risk in the profile
    main_person: str
    std_level: str
    grade: str | None  # the live grade as of today (None: not graded, e.g. not founded yet)
    confirmed_grade: str | None = None  # the newest confirmed assessment's; None: none

    @property
    def confirmed(self) -> bool:
        """Whether the newest confirmed annual assessment gives the unit its live grade."""
        return self.grade is not None and self.grade == self.confirmed_grade


def latest_assessment_id(db: Database) -> int | None:
    """The newest confirmed annual assessment, whose grades the confirmed column shows."""
    row = db.conn.execute("SELECT id FROM assessments ORDER BY year DESC LIMIT 1").fetchone()
    return None if row is None else int(row[0])


def latest_confirmed_year(db: Database) -> int | None:
    """The year of the newest confirmed annual assessment (None before one)."""
    row = db.conn.execute("SELECT max(year) FROM assessments").fetchone()
    return None if row is None or row[0] is None else int(row[0])


@dataclass(frozen=True)
class ConfirmedGrade:
    """A unit's grade in the newest confirmed annual assessment."""

    year: int
    as_of: date  # 评定基准日: 31 December of the year before
    grade: str
    label: str


def confirmed_grade(db: Database, unit_id: int) -> ConfirmedGrade | None:
    """The unit's grade in the newest confirmed assessment (None: none, or not in it)."""
    row = db.conn.execute(
        "SELECT a.year, a.as_of, g.grade, g.label FROM assessments AS a"
        " JOIN assessment_grades AS g ON g.assessment_id = a.id AND g.unit_id = ?"
        " WHERE a.year = (SELECT max(year) FROM assessments)",
        (unit_id,),
    ).fetchone()
    if row is None:
        return None
    return ConfirmedGrade(int(row[0]), date.fromisoformat(str(row[1])), str(row[2]), str(row[3]))


def live_grades_as_of(db: Database) -> date | None:
    """The day the stored live grades hold for (None: not filled yet)."""
    row = db.conn.execute("SELECT settled_on FROM unit_grades_state WHERE id = 1").fetchone()
    return None if row is None or not row[0] else date.fromisoformat(str(row[0]))


# -- search terms ----------------------------------------------------------------------------

_LETTERS = re.compile(r"[a-z]+")
_CODE_CHARS = re.compile(r"[0-9A-Z]+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _like_literal(text: str) -> str:
    r"""``text`` with LIKE's wildcards made literal (used with ``ESCAPE '\'``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class _Clause:
    """One term's WHERE condition and, for ranking, its rank expression (0 is best)."""

    where: str
    params: tuple[object, ...]
    rank: str = "0"
    rank_params: tuple[object, ...] = ()


BEST, PREFIX, UNBROKEN, TWO_PIECES, OTHER = range(5)
_MAX_SPLIT_TERM = 12  # longer terms are not ranked by pieces (one GLOB per split point)


def _letters_clause(term: str) -> _Clause:
    """A term of letters only: initials (any reading), full pinyin or code prefix.

    The cheap tests come first (SQLite stops an OR at the first true one); the name's
    own full pinyin is ``name_pinyin``, the other readings are in the short ``name_keys``.
    """
    upper = term.upper()
    # Letters only: no LIKE or GLOB wildcard can be in it, so no escaping is needed.
    where = (
        "(u.name_letters GLOB ? OR instr(u.name_pinyin, ?) > 0 OR instr(u.name_keys, ?) > 0"
        " OR substr(u.uscc, 1, ?) = ?)"
    )
    params: tuple[object, ...] = (letters_pattern(term), term, term, len(upper), upper)
    n = len(term)
    whens: list[tuple[str, tuple[object, ...], int]] = [
        ("instr(u.name_keys, ?) > 0 OR u.name_pinyin = ?", (f"#{term}#", term), BEST),
        (
            "instr(u.name_keys, ?) > 0 OR substr(u.name_pinyin, 1, ?) = ?"
            " OR substr(u.uscc, 1, ?) = ?",
            (f"#{term}", n, term, len(upper), upper),
            PREFIX,
        ),
        ("instr(u.name_keys, ?) > 0 OR instr(u.name_pinyin, ?) > 0", (term, term), UNBROKEN),
    ]
    if 3 <= n <= _MAX_SPLIT_TERM:
        splits = tuple(f"*{term[:i]}*{term[i:]}*" for i in range(1, n))
        whens.append((" OR ".join("u.name_initials GLOB ?" for _ in splits), splits, TWO_PIECES))
    rank = "CASE " + " ".join(f"WHEN {cond} THEN {value}" for cond, _, value in whens)
    rank += f" ELSE {OTHER} END"
    rank_params = tuple(p for _, ps, _ in whens for p in ps)
    return _Clause(where, params, rank, rank_params)


def _term_clause(term: str) -> _Clause:
    if _HAN.search(term):
        like = f"%{_like_literal(term)}%"
        prefix = f"{_like_literal(term)}%"
        return _Clause(
            "u.name LIKE ? ESCAPE '\\'",
            (like,),
            f"CASE WHEN u.name LIKE ? ESCAPE '\\' THEN {PREFIX} ELSE {UNBROKEN} END",
            (prefix,),
        )
    lower, upper = term.lower(), term.upper()
    if _LETTERS.fullmatch(lower):
        return _letters_clause(lower)
    if _CODE_CHARS.fullmatch(upper):
        return _Clause(
            "(instr(u.uscc, ?) > 0 OR u.name LIKE ? ESCAPE '\\')",
            (upper, f"%{_like_literal(term)}%"),
            f"CASE WHEN substr(u.uscc, 1, ?) = ? THEN {PREFIX} ELSE {UNBROKEN} END",
            (len(upper), upper),
        )
    return _Clause(
        "(u.name LIKE ? ESCAPE '\\' OR instr(u.uscc, ?) > 0)",
        (f"%{_like_literal(term)}%", upper),
        f"CASE WHEN u.name LIKE ? ESCAPE '\\' OR substr(u.uscc, 1, ?) = ? THEN {PREFIX}"
        f" ELSE {UNBROKEN} END",
        (f"{_like_literal(term)}%", len(upper), upper),
    )


def search_terms(text: str) -> list[str]:
    """The terms of a search box's text: full-width folded to ASCII, split on spaces."""
    return unicodedata.normalize("NFKC", text).split()


def search_condition(text: str) -> tuple[str, tuple[object, ...]] | None:
    """The registry's search as a WHERE condition on ``units AS u`` (every term must
    match) and its parameters, for other lists filtered by unit (record pages); None
    for an empty search."""
    clauses = [_term_clause(term) for term in search_terms(text)]
    if not clauses:
        return None
    where = " AND ".join(clause.where for clause in clauses)
    return where, tuple(p for clause in clauses for p in clause.params)


# -- the WHERE and ORDER BY ------------------------------------------------------------------


@dataclass(frozen=True)
class _Sql:
    where: str
    params: tuple[object, ...]
    rank: str | None  # an ORDER BY term putting better matches first, or None
    rank_params: tuple[object, ...]


# The grade filters read the joined rows (g: live grade, a: the newest confirmed
# assessment's). ``wide``: the chosen grade holds many units, so a page in the list's
# order is found quickest by walking the units in that order and looking each one's
# grade up (comparing ``grade || ''``, an expression, keeps SQLite off the grade index —
# and, unlike SQLite's unary +, reads the same on PostgreSQL); a narrow one is found
# through the index and sorted. Counting always goes through the index.
_GRADE_TERM = {False: "g.grade = ?", True: "g.grade || '' = ?"}
_CONFIRMED_TERM = {False: "a.grade = ?", True: "a.grade || '' = ?"}
_WIDE_SHARE = 8  # a grade held by at least 1/8 of the units is wide
_LIVE_JOIN = " LEFT JOIN unit_grades AS g ON g.unit_id = u.id"
_CONFIRMED_JOIN = " LEFT JOIN assessment_grades AS a ON a.unit_id = u.id AND a.assessment_id = ?"


def _joins(db: Database, query: UnitQuery) -> tuple[str, tuple[object, ...]]:
    """The grade joins the query's filters or order need, and their parameters: only
    those (SQLite walks a join for every matching row, needed or not)."""
    joins = ""
    params: tuple[object, ...] = ()
    if query.grade is not None or query.sort == "grade":
        joins += _LIVE_JOIN
    if query.confirmed_grade is not None or query.sort == "confirmed_grade":
        joins += _CONFIRMED_JOIN
        params = (latest_assessment_id(db) or 0,)
    return joins, params


def _is_wide(db: Database, query: UnitQuery) -> bool:
    """Whether the query's grade filters keep many units (see _GRADE_TERM)."""
    counts = []
    if query.grade is not None:
        counts.append(
            db.conn.execute(
                "SELECT count(*) FROM unit_grades WHERE grade = ?", (query.grade,)
            ).fetchone()[0]
        )
    if query.confirmed_grade is not None:
        counts.append(
            db.conn.execute(
                "SELECT count(*) FROM assessment_grades WHERE grade = ? AND assessment_id ="
                " (SELECT id FROM assessments ORDER BY year DESC LIMIT 1)",
                (query.confirmed_grade,),
            ).fetchone()[0]
        )
    if not counts:
        return False
    total = int(db.conn.execute("SELECT count(*) FROM unit_grades").fetchone()[0])
    return min(int(c) for c in counts) * _WIDE_SHARE >= total


def _build(query: UnitQuery, high_risk_categories: frozenset[str], *, wide: bool = False) -> _Sql:
    conditions: list[str] = []
    params: list[object] = []
    clauses = [_term_clause(term) for term in search_terms(query.search)]
    for clause in clauses:
        conditions.append(clause.where)
        params.extend(clause.params)
    for column, value in (
        ("category", query.category),
        ("town", query.town),
        ("status", query.status),
    ):
        if value is not None:
            conditions.append(f"u.{column} = ?")
            params.append(value)
    if query.grade is not None:
        conditions.append(_GRADE_TERM[wide])
        params.append(query.grade)
    if query.confirmed_grade is not None:
        conditions.append(_CONFIRMED_TERM[wide])
        params.append(query.confirmed_grade)
    if query.high_risk is not None:
        marks = ", ".join("?" * len(high_risk_categories))
        if query.high_risk:
            conditions.append(f"(u.high_risk = 1 OR u.category IN ({marks}))")
        else:
            conditions.append(f"(u.high_risk = 0 AND u.category NOT IN ({marks}))")
        params.extend(sorted(high_risk_categories))
    where = " AND ".join(conditions) if conditions else "1 = 1"
    rank: str | None = None
    rank_params: list[object] = []
    if clauses and query.is_default_order:
        rank = " + ".join(f"({clause.rank})" for clause in clauses)
        for clause in clauses:
            rank_params.extend(clause.rank_params)
    return _Sql(where, tuple(params), rank, tuple(rank_params))


def _in_order(column: str, values: Sequence[str]) -> tuple[str, tuple[object, ...]]:
    """An ORDER BY term putting ``column`` in the order of ``values`` (others last)."""
    if not values:
        return column, ()
    whens = " ".join("WHEN ? THEN " + str(i) for i in range(len(values)))
    return f"(CASE {column} {whens} ELSE {len(values)} END)", tuple(values)


def _order_by(
    db: Database, query: UnitQuery, high_risk_categories: frozenset[str]
) -> tuple[str, tuple[object, ...]]:
    """ORDER BY for the sort key; ties broken by pinyin of the name, then id."""
    direction = " DESC" if query.descending else ""
    key = query.sort
    term: str | None
    params: tuple[object, ...] = ()
    if key == "name":
        term = None
    elif key == "grade":
        term = "coalesce(g.grade, 'Z')"
    elif key == "confirmed_grade":
        term = "coalesce(a.grade, 'Z')"
    elif key == "uscc":
        term = "u.uscc"
    elif key == "main_person":
        term = "u.main_person"
    elif key in ("category", "town"):
        term, params = _in_order(f"u.{key}", _distinct_by_pinyin(db, key))
    elif key == "status":
        term, params = _in_order("u.status", STATUS_ORDER)
    elif key == "std_level":
        term, params = _in_order("u.std_level", STD_LEVEL_ORDER)
    else:  # high_risk: 否 before 是
        marks = ", ".join("?" * len(high_risk_categories))
        term = f"(u.high_risk = 1 OR u.category IN ({marks}))"
        params = tuple(sorted(high_risk_categories))
    name_order = f"u.name_pinyin{direction}, u.id{direction}"
    if term is None:
        return name_order, ()
    if key == "uscc":  # unique: no tie to break
        return f"{term}{direction}", params
    return f"{term}{direction}, u.name_pinyin, u.id", params


def _distinct_by_pinyin(db: Database, column: Literal["category", "town"]) -> list[str]:
    rows = db.conn.execute(f"SELECT DISTINCT {column} FROM units")
    return sorted((str(r[0]) for r in rows), key=_pinyin_key)


def _pinyin_key(text: str) -> tuple[str, str]:
    return search_keys(text)[1], text


# -- the queries -------------------------------------------------------------------------------


def count_units(db: Database, query: UnitQuery, high_risk_categories: frozenset[str]) -> int:
    """How many units match the query's search and filters."""
    sql = _build(query, high_risk_categories)
    joins, join_params = _joins(db, query)
    row = db.conn.execute(
        f"SELECT count(*) FROM units AS u{joins} WHERE {sql.where}", (*join_params, *sql.params)
    )
    return int(row.fetchone()[0])


def fetch_units(
    db: Database,
    query: UnitQuery,
    offset: int,
    limit: int,
    high_risk_categories: frozenset[str],
) -> list[RegistryRow]:
    """Rows ``offset`` … ``offset + limit - 1`` of the matching units, in the query's order.

    The page is chosen first (joining grades only where the filters or the order need
    them), then its units' grades are read: one lookup per shown row, not per match."""
    sql = _build(query, high_risk_categories, wide=_is_wide(db, query))
    order, order_params = _order_by(db, query, high_risk_categories)
    if sql.rank is not None:
        order = f"{sql.rank}, {order}"
    joins, join_params = _joins(db, query)
    marks = ", ".join("?" * len(high_risk_categories))
    statement = (
        "SELECT u.id, u.uscc, u.name, u.category, u.town, u.status,"
        f" (u.high_risk = 1 OR u.category IN ({marks})), u.main_person, u.std_level"
        f" FROM units AS u{joins} WHERE {sql.where} ORDER BY {order} LIMIT ? OFFSET ?"
    )
    params = (
        *sorted(high_risk_categories),
        *join_params,
        *sql.params,
        *sql.rank_params,
        *order_params,
        max(limit, 0),
        max(offset, 0),
    )
    page = db.conn.execute(statement, params).fetchall()
    live, confirmed = _page_grades(db, [int(r[0]) for r in page])
    return [
        RegistryRow(
            id=int(r[0]),
            uscc=str(r[1]),
            name=str(r[2]),
            category=str(r[3]),
            town=str(r[4]),
            status=str(r[5]),
            high_risk=bool(r[6]),
            main_person=str(r[7]),
            std_level=str(r[8]),
            grade=live.get(int(r[0])),
            confirmed_grade=confirmed.get(int(r[0])),
        )
        for r in page
    ]


def _page_grades(db: Database, ids: Sequence[int]) -> tuple[dict[int, str], dict[int, str]]:
    """The live and the newest confirmed grade of each of ``ids``."""
    live: dict[int, str] = {}
    confirmed: dict[int, str] = {}
    assessment = latest_assessment_id(db)
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        marks = ", ".join("?" * len(chunk))
        live.update(
            (int(u), str(g))
            for u, g in db.conn.execute(
                f"SELECT unit_id, grade FROM unit_grades WHERE unit_id IN ({marks})", chunk
            )
        )
        if assessment is not None:
            confirmed.update(
                (int(u), str(g))
                for u, g in db.conn.execute(
                    "SELECT unit_id, grade FROM assessment_grades WHERE assessment_id = ?"
                    f" AND unit_id IN ({marks})",
                    (assessment, *chunk),
                )
            )
    return live, confirmed


def filter_choices(db: Database) -> tuple[list[str], list[str], list[str]]:
    """(categories, towns, statuses) present in the registry, for the filter lists.

    Categories and towns in pinyin order; statuses in their natural order. Empty
    values (a unit without a town) are left out.
    """
    categories = [c for c in _distinct_by_pinyin(db, "category") if c]
    towns = [t for t in _distinct_by_pinyin(db, "town") if t]
    present = {str(r[0]) for r in db.conn.execute("SELECT DISTINCT status FROM units")}
    statuses = [s for s in STATUS_ORDER if s in present]
    statuses += sorted(present - set(STATUS_ORDER) - {""})
    return categories, towns, statuses
