"""统计报表: counts of graded units by grade and category, town or 报送单位.

The counting is pure (grades in, tables out); the read-only look-ups of each unit's
报送单位 the reports add to grades are here too (its last inspection is
``scheduling.due.last_inspections``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from safecredit_desktop.core.pinyin_index import search_keys
from safecredit_desktop.core.rules.profile import GRADE_LETTERS, Profile
from safecredit_desktop.core.rules.result import GradeResult
from safecredit_desktop.core.storage.connection import Database

NO_TOWN = "（未填乡镇）"
TOTAL = "合计"


def live_basis(as_of: date) -> str:
    """What a report says about its grades when they are computed live."""
    return f"评定基准日：{as_of.isoformat()}（实时）"


def assessment_basis(year: int) -> str:
    """What a report says about grades from a confirmed annual assessment."""
    return f"{year}年度评定（已确认）"


def grade_counts(
    results: Iterable[GradeResult], key: Callable[[GradeResult], str]
) -> dict[str, dict[str, int]]:
    """key value → grade letter → number of units (only the pairs that occur)."""
    counts: dict[str, dict[str, int]] = {}
    for result in results:
        row = counts.setdefault(key(result), {})
        row[result.grade] = row.get(result.grade, 0) + 1
    return counts


@dataclass(frozen=True)
class CountTable:
    """Units per grade (columns, A–D) per row value (category, town, 报送单位)."""

    title: str  # 按行业类别
    row_header: str  # 行业类别
    rows: tuple[str, ...]
    grades: tuple[str, ...]  # letters
    grade_headers: tuple[str, ...]  # A级（一级） …
    cells: tuple[tuple[int, ...], ...]  # cells[row][grade]

    def count(self, row: str, grade: str) -> int:
        return self.cells[self.rows.index(row)][self.grades.index(grade)]

    @property
    def row_totals(self) -> tuple[int, ...]:
        return tuple(sum(r) for r in self.cells)

    @property
    def grade_totals(self) -> tuple[int, ...]:
        return tuple(sum(r[i] for r in self.cells) for i in range(len(self.grades)))

    @property
    def total(self) -> int:
        return sum(self.row_totals)

    def headers(self) -> list[str]:
        return [self.row_header, *self.grade_headers, TOTAL]

    def body(self) -> list[list[object]]:
        """Rows with a total column, then a 合计 row: the table as printed."""
        lines: list[list[object]] = [
            [name, *cells, sum(cells)] for name, cells in zip(self.rows, self.cells, strict=True)
        ]
        lines.append([TOTAL, *self.grade_totals, self.total])
        return lines


def count_table(
    results: Sequence[GradeResult],
    key: Callable[[GradeResult], str],
    *,
    profile: Profile,
    title: str,
    row_header: str,
    order: Sequence[str] = (),
    last: Sequence[str] = (),
) -> CountTable:
    """``order`` values come first (even with no units), then the others by pinyin,
    then ``last`` (e.g. 未填乡镇)."""
    counts = grade_counts(results, key)
    seen = set(order) | set(last)
    others = sorted((k for k in counts if k not in seen), key=lambda k: (search_keys(k)[1], k))
    names = [*order, *others, *(k for k in last if k in counts)]
    grades = tuple(GRADE_LETTERS)
    cells = tuple(tuple(counts.get(name, {}).get(g, 0) for g in grades) for name in names)
    return CountTable(
        title=title,
        row_header=row_header,
        rows=tuple(names),
        grades=grades,
        grade_headers=tuple(profile.grade_display(g) for g in grades),
        cells=cells,
    )


def category_table(results: Sequence[GradeResult], profile: Profile) -> CountTable:
    """按行业类别: the profile's categories in its order, then any others."""
    return count_table(
        results,
        lambda r: r.category,
        profile=profile,
        title="按行业类别",
        row_header="行业类别",
        order=profile.categories,
    )


@dataclass(frozen=True)
class StatisticsTables:
    """Everything the 统计报表 page shows for one basis."""

    bureau_name: str
    basis: str
    as_of: date
    units: int
    flagged: int  # units marked 待定 / 待核实: their grade may still change
    by_category: CountTable
    by_town: CountTable
    by_reporter: CountTable | None  # only when grouped by 报送单位
    internal_notice: str | None

    @property
    def by_grade(self) -> dict[str, int]:
        return dict(zip(self.by_category.grades, self.by_category.grade_totals, strict=True))


def town_of(result: GradeResult) -> str:
    return result.town.strip() or NO_TOWN


def build_statistics(
    results: Sequence[GradeResult],
    *,
    profile: Profile,
    bureau_name: str,
    as_of: date,
    basis: str,
    reporters: Mapping[int, str] | None = None,
) -> StatisticsTables:
    """The page's tables; ``reporters`` (unit id → 报送单位, blank = this bureau) adds
    the 报送单位 table, for a city bureau rolling up its counties."""
    by_category = category_table(results, profile)
    by_town = count_table(
        results, town_of, profile=profile, title="按乡镇", row_header="乡镇", last=(NO_TOWN,)
    )
    by_reporter = None
    if reporters is not None:
        by_reporter = count_table(
            results,
            lambda r: reporter_of(reporters, r.unit_id, bureau_name),
            profile=profile,
            title="按报送单位",
            row_header="报送单位",
            order=(bureau_name,),
        )
    return StatisticsTables(
        bureau_name=bureau_name,
        basis=basis,
        as_of=as_of,
        units=len(results),
        flagged=sum(1 for r in results if r.flags),
        by_category=by_category,
        by_town=by_town,
        by_reporter=by_reporter,
        internal_notice=profile.internal_notice if profile.internal_only else None,
    )


def reporter_of(reporters: Mapping[int, str], unit_id: int, bureau_name: str) -> str:
    """The unit's 报送单位; blank means this bureau (workbook.md)."""
    return reporters.get(unit_id, "").strip() or bureau_name


# ---------------------------------------------------------------- look-ups


def unit_reporters(db: Database) -> dict[int, str]:
    """unit id → 报送单位 as stored (blank: this bureau)."""
    return {int(i): str(r) for i, r in db.conn.execute("SELECT id, reporter FROM units")}


def has_other_reporters(db: Database, bureau_name: str) -> bool:
    """Whether any unit was reported by another bureau (a city roll-up database)."""
    row = db.conn.execute(
        "SELECT 1 FROM units WHERE trim(reporter) NOT IN ('', ?) LIMIT 1", (bureau_name,)
    ).fetchone()
    return row is not None
