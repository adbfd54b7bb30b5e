"""双随机 draws (双随机、一公开) and the inspector roster (执法人员名录).

A draw stores its inputs — the pool, the ratios, the seed, the team size and a
snapshot of the roster and its conflicts — so that anyone can re-run it, by hand
or in other software, with nothing but a SHA-256 tool. The procedure (stored as
``method`` = ``sha256-rank-1`` in the pool):

1. 抽查对象库 (the pool): the units not 关闭 whose grade (from the confirmed annual
   assessment of the draw's year, otherwise computed as of 31 December of the year
   before) and 行业类别 / 所在乡镇 match the filters, listed as (统一社会信用代码, grade)
   and sorted by code.
2. For each grade G with n units in the pool and ratio r, written as a decimal
   (``0.05``): k = ⌈r × n⌉, computed exactly (0.1 × 30 is 3, not 4); r = 1 takes all.
   For each code c of grade G compute the SHA-256 of the UTF-8 text
   ``{seed}|unit|{G}|{c}`` as 64 lowercase hexadecimal digits; sort the codes by that
   text (ties, never seen in practice, by code) and take the first k.
3. The selected units of all grades together, sorted by code, are numbered 1, 2, 3 …
4. For each selected unit u: the candidates are the roster snapshot (the 执法证号 of
   every inspector 在岗 at the time of the draw) less those with a declared conflict
   (回避) with u. For each candidate e compute the SHA-256 of ``{seed}|team|{u}|{e}``,
   sort the candidates by it (ties by 执法证号) and take the first ``team_size``; the
   team is listed in that order. When a unit has fewer candidates than the team size,
   the whole draw is refused.

The seed is any text (the program proposes 16 random hexadecimal digits). A draw is
stored with its selections in one transaction with an audit entry; the database's
triggers refuse any change to it but a single annulment with a reason.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from safecredit_desktop.core import model
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.rules.profile import GRADE_LETTERS
from safecredit_desktop.core.rules.result import GradeResult
from safecredit_desktop.core.storage import audit
from safecredit_desktop.core.storage.changes import Table, note_written
from safecredit_desktop.core.storage.clock import now_iso
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.repository import Repository

METHOD = "sha256-rank-1"
DEFAULT_RATIOS: dict[str, str] = {"A": "0.05", "B": "0.1", "C": "0.3", "D": "1"}
DEFAULT_TEAM_SIZE = 2
MAX_TEAM_SIZE = 10
Progress = Callable[[float, str], None]


class DrawError(SafeCreditError):
    """A draw that cannot be made, or a change a draw does not allow."""


# -- the procedure (pure: no database) -----------------------------------------------------


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalize_ratio(grade: str, value: object) -> str:
    """A ratio as the shortest decimal text (``"0.05"``), checked to lie in 0 … 1."""
    try:
        number = Decimal(str(value).strip().rstrip("%")) / (
            100 if str(value).strip().endswith("%") else 1
        )
    except InvalidOperation:
        raise DrawError(f"{grade}级的抽查比例“{value}”不是数字。") from None
    if not number.is_finite() or number < 0 or number > 1:
        raise DrawError(f"{grade}级的抽查比例应在 0 到 1 之间（如 0.05 表示 5%），现为“{value}”。")
    text = format(number.normalize(), "f")
    return "0" if number == 0 else text


def normalize_ratios(ratios: Mapping[str, object] | None) -> dict[str, str]:
    """The defaults (A 5%, B 10%, C 30%, D 100%) with ``ratios`` laid over them."""
    result = dict(DEFAULT_RATIOS)
    for grade, value in (ratios or {}).items():
        letter = grade.strip().upper()
        if letter not in GRADE_LETTERS:
            raise DrawError(f"没有“{grade}”这个信用等级（应为 A、B、C、D）。")
        result[letter] = normalize_ratio(letter, value)
    return {g: result[g] for g in GRADE_LETTERS}


def parse_ratios(text: str) -> dict[str, str]:
    """``A=0.05,B=0.1`` (also ，、；) → normalized ratios over the defaults."""
    given: dict[str, str] = {}
    for part in text.replace("，", ",").replace("、", ",").replace(";", ",").split(","):
        if not part.strip():
            continue
        grade, sep, value = part.partition("=")
        if not sep:
            raise DrawError(f"抽查比例“{part.strip()}”应写成 等级=比例，如 A=0.05。")
        given[grade.strip()] = value.strip()
    return normalize_ratios(given)


def quota(ratio: str, count: int) -> int:
    """k = ⌈ratio × count⌉, exactly."""
    exact = Fraction(Decimal(ratio)) * count
    return -(-exact.numerator // exact.denominator)


@dataclass(frozen=True)
class Pick:
    """One selected unit and its team (执法证号, in drawn order)."""

    uscc: str
    grade: str
    team: tuple[str, ...]


def select_units(
    pool: Sequence[tuple[str, str]], ratios: Mapping[str, str], seed: str
) -> list[tuple[str, str]]:
    """Steps 2–3: the selected (code, grade) pairs, sorted by code."""
    chosen: list[tuple[str, str]] = []
    for grade in sorted({g for _, g in pool}):
        if grade not in ratios:
            raise DrawError(f"没有为{grade}级设置抽查比例。")
        codes = sorted(c for c, g in pool if g == grade)
        k = quota(ratios[grade], len(codes))
        ranked = sorted(codes, key=lambda c: (_digest(f"{seed}|unit|{grade}|{c}"), c))
        chosen.extend((c, grade) for c in ranked[:k])
    return sorted(chosen)


def draw_team(
    uscc: str,
    seed: str,
    roster: Sequence[str],
    conflicts: Iterable[tuple[str, str]],
    team_size: int,
    name: str = "",
) -> tuple[str, ...]:
    """Step 4 for one unit: ``team_size`` 执法证号 not in conflict with ``uscc``."""
    standing_aside = {cert for cert, code in conflicts if code == uscc}
    candidates = sorted(set(roster) - standing_aside)
    if len(candidates) < team_size:
        who = f"{name}（{uscc}）" if name else uscc
        raise DrawError(
            f"可派往{who}的在岗执法人员只有 {len(candidates)} 名（已除去回避人员），"
            f"不足每组 {team_size} 名，本次抽取未进行。"
            "请在“设置—执法人员名录”中补充人员或减少每组人数。"
        )
    ranked = sorted(candidates, key=lambda e: (_digest(f"{seed}|team|{uscc}|{e}"), e))
    return tuple(ranked[:team_size])


def compute(
    pool: Sequence[tuple[str, str]],
    ratios: Mapping[str, str],
    seed: str,
    *,
    roster: Sequence[str],
    conflicts: Iterable[tuple[str, str]],
    team_size: int,
    names: Mapping[str, str] | None = None,
) -> list[Pick]:
    """The whole procedure over stored inputs: the same inputs give the same picks."""
    conflict_list = list(conflicts)
    return [
        Pick(
            code,
            grade,
            draw_team(code, seed, roster, conflict_list, team_size, (names or {}).get(code, "")),
        )
        for code, grade in select_units(pool, ratios, seed)
    ]


def replay(pool_json: str, ratios_json: str, seed: str, team_size: int) -> list[Pick]:
    """Re-run a draw from its stored columns alone (no other table is read)."""
    pool = json.loads(pool_json)
    if pool.get("method") != METHOD:
        raise DrawError(f"无法识别的抽取方法“{pool.get('method')}”。")
    return compute(
        [(str(c), str(g)) for c, g in pool["units"]],
        {str(k): str(v) for k, v in json.loads(ratios_json).items()},
        seed,
        roster=[str(c) for c, _name in pool["inspectors"]],
        conflicts=[(str(e), str(u)) for e, u in pool["conflicts"]],
        team_size=team_size,
    )


def new_seed() -> str:
    return secrets.token_hex(8)


# -- making, reading and annulling draws ---------------------------------------------------


@dataclass(frozen=True)
class DrawFilters:
    grades: tuple[str, ...] | None = None  # None: every grade
    category: str | None = None
    town: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "grades": list(self.grades) if self.grades is not None else None,
            "category": self.category,
            "town": self.town,
        }


def filters_text(filters: Mapping[str, Any]) -> str:
    parts = []
    if filters.get("grades"):
        parts.append("等级 " + "、".join(filters["grades"]))
    if filters.get("category"):
        parts.append(f"行业类别 {filters['category']}")
    if filters.get("town"):
        parts.append(f"乡镇 {filters['town']}")
    return "；".join(parts) or "全部企业"


def _to_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def create_draw(
    db: Database,
    user: str,
    *,
    year: int,
    graded: Iterable[GradeResult],
    basis: str,
    filters: DrawFilters = DrawFilters(),
    ratios: Mapping[str, object] | None = None,
    seed: str | None = None,
    team_size: int = DEFAULT_TEAM_SIZE,
    avoid_own_town: bool = False,
    progress: Progress | None = None,
) -> int:
    """Make and store a draw; return its id. Refuses (stores nothing) when it cannot.

    ``avoid_own_town``: an inspector whose 所属单位 is the unit's 所在乡镇 stands aside
    too (the bureau's setting); such pairs join the stored conflict snapshot, so a
    re-run needs nothing else.
    """
    if not 2 <= team_size <= MAX_TEAM_SIZE:
        raise DrawError(f"每组执法人员应为 2 到 {MAX_TEAM_SIZE} 名。")
    norm_ratios = normalize_ratios(ratios)
    seed = (seed or "").strip() or new_seed()
    if len(seed) > 200:
        raise DrawError("随机种子过长（不超过 200 个字符）。")
    grades = None
    if filters.grades is not None:
        grades = tuple(sorted({g.strip().upper() for g in filters.grades}))
        bad = [g for g in grades if g not in GRADE_LETTERS]
        if bad or not grades:
            raise DrawError("抽查等级应为 A、B、C、D 中的一个或几个。")
    filters = DrawFilters(grades, filters.category or None, filters.town or None)
    closed = {
        int(r[0])
        for r in db.conn.execute(
            "SELECT id FROM units WHERE status = ?", (model.UnitStatus.CLOSED.value,)
        )
    }
    chosen = sorted(
        (
            g
            for g in graded
            if g.unit_id not in closed
            and (grades is None or g.grade in grades)
            and (filters.category is None or g.category == filters.category)
            and (filters.town is None or g.town == filters.town)
        ),
        key=lambda g: g.uscc,
    )
    if not chosen:
        raise DrawError(f"没有符合条件（{filters_text(filters.as_json())}）的企业，无法抽取。")
    by_code = {g.uscc: g for g in chosen}
    pool = [(g.uscc, g.grade) for g in chosen]
    roster = [
        (str(c), str(n))
        for c, n in db.conn.execute(
            "SELECT cert_no, name FROM inspectors WHERE active = 1 ORDER BY cert_no"
        )
    ]
    active = {c for c, _ in roster}
    conflicts = sorted(
        (str(c), str(u))
        for c, u in db.conn.execute(
            "SELECT i.cert_no, u.uscc FROM inspector_conflicts x"
            " JOIN inspectors i ON i.id = x.inspector_id JOIN units u ON u.id = x.unit_id"
        )
        if str(c) in active and str(u) in by_code
    )
    if avoid_own_town:
        orgs = dict(
            (str(c), str(o))
            for c, o in db.conn.execute("SELECT cert_no, org FROM inspectors WHERE active = 1")
        )
        own_town = {
            (cert, g.uscc) for g in chosen if g.town for cert, org in orgs.items() if org == g.town
        }
        conflicts = sorted(set(conflicts) | own_town)
    if progress is not None:
        progress(0.7, f"正在从 {len(pool):,} 家企业中抽取…")
    picks = compute(
        pool,
        norm_ratios,
        seed,
        roster=[c for c, _ in roster],
        conflicts=conflicts,
        team_size=team_size,
        names={g.uscc: g.name for g in chosen},
    )
    if not picks:
        raise DrawError("按所设抽查比例没有抽中任何企业，本次抽取未进行。")
    names = dict(roster)
    pool_json = {
        "method": METHOD,
        "basis": basis,
        "units": [list(p) for p in pool],
        "inspectors": [list(r) for r in roster],
        "conflicts": [list(c) for c in conflicts],
        "avoid_own_town": avoid_own_town,
    }
    pool_text = _to_json(pool_json)
    row: dict[str, object] = {
        "drawn_at": now_iso(),
        "drawn_by": user,
        "year": year,
        "filters": _to_json(filters.as_json()),
        "ratios": _to_json(norm_ratios),
        "seed": seed,
        "pool": pool_text,
        "team_size": team_size,
    }
    with db.transaction() as conn:
        cursor = conn.execute(
            f"INSERT INTO draws ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})"
            " RETURNING id",
            list(row.values()),
        )
        draw_id = int(cursor.fetchone()[0])
        note_written(conn, Table.DRAW_SELECTIONS)
        conn.executemany(
            "INSERT INTO draw_selections (draw_id, position, unit_id, team) VALUES (?, ?, ?, ?)",
            [
                (
                    draw_id,
                    position,
                    by_code[p.uscc].unit_id,
                    _to_json([[c, names[c]] for c in p.team]),
                )
                for position, p in enumerate(picks, start=1)
            ],
        )
        after = {
            **{k: v for k, v in row.items() if k not in ("filters", "ratios", "pool")},
            "filters": filters.as_json(),
            "ratios": norm_ratios,
            "pool_sha256": _digest(pool_text),
            "pool_size": len(pool),
            "selections": [[p.uscc, list(p.team)] for p in picks],
        }
        audit.append(
            conn, user, [audit.AuditEntry("insert", "draws", _to_json([draw_id]), None, after)]
        )
    return draw_id


@dataclass(frozen=True)
class GradeQuota:
    grade: str
    pool_count: int
    ratio: str
    drawn: int


@dataclass(frozen=True)
class Selected:
    position: int
    unit_id: int
    uscc: str
    name: str
    category: str
    town: str
    grade: str
    team: tuple[tuple[str, str], ...]  # (执法证号, 姓名)

    @property
    def team_text(self) -> str:
        return "、".join(f"{name}（{cert}）" for cert, name in self.team)


@dataclass(frozen=True)
class DrawSummary:
    id: int
    year: int
    drawn_at: str
    drawn_by: str
    seed: str
    team_size: int
    filters: dict[str, Any]
    ratios: dict[str, str]
    pool_size: int
    selected: int
    annulled_at: str | None
    annulled_by: str | None
    annul_reason: str | None

    @property
    def annulled(self) -> bool:
        return self.annulled_at is not None

    @property
    def filters_text(self) -> str:
        return filters_text(self.filters)


@dataclass(frozen=True)
class DrawDetail:
    summary: DrawSummary
    basis: str
    method: str
    quotas: list[GradeQuota]
    selections: list[Selected]
    pool: list[tuple[str, str]] = field(default_factory=list)
    roster: list[tuple[str, str]] = field(default_factory=list)
    conflicts: list[tuple[str, str]] = field(default_factory=list)


_DRAW_COLUMNS = (
    "id, year, drawn_at, drawn_by, seed, team_size, filters, ratios, pool,"
    " annulled_at, annulled_by, annul_reason,"
    " (SELECT count(*) FROM draw_selections s WHERE s.draw_id = draws.id)"
)


def _summary(row: Sequence[Any]) -> tuple[DrawSummary, dict[str, Any]]:
    pool = json.loads(row[8])
    summary = DrawSummary(
        id=int(row[0]),
        year=int(row[1]),
        drawn_at=str(row[2]),
        drawn_by=str(row[3]),
        seed=str(row[4]),
        team_size=int(row[5]),
        filters=json.loads(row[6]),
        ratios=json.loads(row[7]),
        pool_size=len(pool.get("units", [])),
        selected=int(row[12]),
        annulled_at=row[9],
        annulled_by=row[10],
        annul_reason=row[11],
    )
    return summary, pool


def list_draws(db: Database) -> list[DrawSummary]:
    """Every draw, newest first (annulled ones too: they are never deleted)."""
    rows = db.conn.execute(f"SELECT {_DRAW_COLUMNS} FROM draws ORDER BY id DESC").fetchall()
    return [_summary(r)[0] for r in rows]


def _raw(db: Database, draw_id: int) -> Sequence[Any]:
    row = db.conn.execute(f"SELECT {_DRAW_COLUMNS} FROM draws WHERE id = ?", (draw_id,)).fetchone()
    if row is None:
        raise DrawError(f"没有编号为 {draw_id} 的双随机抽查记录。")
    return tuple(row)


def detail(db: Database, draw_id: int) -> DrawDetail:
    summary, pool = _summary(_raw(db, draw_id))
    units = [(str(c), str(g)) for c, g in pool.get("units", [])]
    selections = [
        Selected(
            int(pos),
            int(uid),
            str(uscc),
            str(name),
            str(cat),
            str(town),
            "",
            tuple((str(c), str(n)) for c, n in json.loads(team)),
        )
        for pos, uid, uscc, name, cat, town, team in db.conn.execute(
            "SELECT s.position, s.unit_id, u.uscc, u.name, u.category, u.town, s.team"
            " FROM draw_selections s JOIN units u ON u.id = s.unit_id"
            " WHERE s.draw_id = ? ORDER BY s.position",
            (draw_id,),
        )
    ]
    grade_of = dict(units)
    selections = [
        Selected(
            s.position,
            s.unit_id,
            s.uscc,
            s.name,
            s.category,
            s.town,
            grade_of.get(s.uscc, ""),
            s.team,
        )
        for s in selections
    ]
    quotas = []
    for grade in GRADE_LETTERS:
        count = sum(1 for _, g in units if g == grade)
        if count or grade in (summary.filters.get("grades") or GRADE_LETTERS):
            drawn = sum(1 for s in selections if s.grade == grade)
            quotas.append(GradeQuota(grade, count, summary.ratios.get(grade, ""), drawn))
    return DrawDetail(
        summary=summary,
        basis=str(pool.get("basis", "")),
        method=str(pool.get("method", "")),
        quotas=quotas,
        selections=selections,
        pool=units,
        roster=[(str(c), str(n)) for c, n in pool.get("inspectors", [])],
        conflicts=[(str(e), str(u)) for e, u in pool.get("conflicts", [])],
    )


def stored_picks(db: Database, draw_id: int) -> list[Pick]:
    found = detail(db, draw_id)
    return [Pick(s.uscc, s.grade, tuple(c for c, _ in s.team)) for s in found.selections]


def rerun(db: Database, draw_id: int) -> list[Pick]:
    """Re-run a stored draw from its stored pool, ratios, seed and roster snapshot."""
    row = db.conn.execute(
        "SELECT pool, ratios, seed, team_size FROM draws WHERE id = ?", (draw_id,)
    ).fetchone()
    if row is None:
        raise DrawError(f"没有编号为 {draw_id} 的双随机抽查记录。")
    return replay(str(row[0]), str(row[1]), str(row[2]), int(row[3]))


def verify(db: Database, draw_id: int) -> bool:
    """True when re-running the draw gives exactly the stored units and teams."""
    return rerun(db, draw_id) == stored_picks(db, draw_id)


def annul(db: Database, user: str, draw_id: int, reason: str) -> None:
    """Annul a draw once, with a reason; the draw and its result stay on record."""
    reason = reason.strip()
    if not reason:
        raise DrawError("作废双随机抽查结果必须填写理由。")
    with db.transaction() as conn:
        summary, _pool = _summary(_raw(db, draw_id))
        if summary.annulled:
            raise DrawError(
                f"第 {draw_id} 号抽查已于 {summary.annulled_at} 由 {summary.annulled_by} 作废，"
                "不能再次作废。"
            )
        at = now_iso()
        conn.execute(
            "UPDATE draws SET annulled_at = ?, annulled_by = ?, annul_reason = ? WHERE id = ?",
            (at, user, reason, draw_id),
        )
        audit.append(
            conn,
            user,
            [
                audit.AuditEntry(
                    "update",
                    "draws",
                    _to_json([draw_id]),
                    {"annulled_at": None, "annulled_by": None, "annul_reason": None},
                    {"annulled_at": at, "annulled_by": user, "annul_reason": reason},
                )
            ],
        )


# -- the roster (执法人员名录) -----------------------------------------------------------------


@dataclass(frozen=True)
class RosterEntry:
    inspector: model.Inspector
    conflicts: tuple[str, ...]  # the codes of the units this inspector stands aside from


def list_inspectors(db: Database) -> list[RosterEntry]:
    """The roster sorted by 执法证号, each with the unit codes of its conflicts."""
    conflicts: dict[int, list[str]] = {}
    for inspector_id, uscc in db.conn.execute(
        "SELECT x.inspector_id, u.uscc FROM inspector_conflicts x"
        " JOIN units u ON u.id = x.unit_id ORDER BY u.uscc"
    ):
        conflicts.setdefault(int(inspector_id), []).append(str(uscc))
    return [
        RosterEntry(
            model.Inspector(name=str(n), cert_no=str(c), org=str(o), active=bool(a), id=int(i)),
            tuple(conflicts.get(int(i), [])),
        )
        for i, n, c, o, a in db.conn.execute(
            "SELECT id, name, cert_no, org, active FROM inspectors ORDER BY cert_no"
        )
    ]


def save_inspector(repo: Repository, inspector: model.Inspector) -> int:
    """Add or change an inspector (audited by the repository); return the id."""
    inspector.name = inspector.name.strip()
    inspector.cert_no = inspector.cert_no.strip()
    inspector.org = inspector.org.strip()
    if not inspector.name:
        raise DrawError("请填写执法人员姓名。")
    if not inspector.cert_no:
        raise DrawError("请填写执法证号。")
    clash = repo.db.conn.execute(
        "SELECT name FROM inspectors WHERE cert_no = ? AND id IS NOT ?",
        (inspector.cert_no, inspector.id),
    ).fetchone()
    if clash is not None:
        raise DrawError(f"执法证号 {inspector.cert_no} 已登记给 {clash[0]}。")
    if inspector.id is None:
        return repo.insert(inspector)
    repo.update(inspector)
    return inspector.id


def unit_ids_for_codes(db: Database, text: str) -> list[int]:
    """Unit codes separated by 、，, ; or spaces → unit ids; an unknown code is refused."""
    for sep in "、，,;；\n\t":
        text = text.replace(sep, " ")
    ids: list[int] = []
    for code in text.split():
        code = code.upper()
        row = db.conn.execute("SELECT id FROM units WHERE uscc = ?", (code,)).fetchone()
        if row is None:
            raise DrawError(f"没有统一社会信用代码为 {code} 的企业。")
        if int(row[0]) not in ids:
            ids.append(int(row[0]))
    return ids


def set_conflicts(db: Database, user: str, inspector_id: int, unit_ids: Iterable[int]) -> None:
    """Replace an inspector's conflicts (回避) with ``unit_ids``; audited per pair."""
    wanted = set(unit_ids)
    with db.transaction() as conn:
        row = conn.execute(
            "SELECT cert_no FROM inspectors WHERE id = ?", (inspector_id,)
        ).fetchone()
        if row is None:
            raise DrawError(f"没有编号为 {inspector_id} 的执法人员。")
        cert = str(row[0])
        have = {
            int(r[0])
            for r in conn.execute(
                "SELECT unit_id FROM inspector_conflicts WHERE inspector_id = ?", (inspector_id,)
            )
        }
        added, removed = sorted(wanted - have), sorted(have - wanted)
        codes: dict[int, str] = {}
        for unit_id in added + removed:
            found = conn.execute("SELECT uscc FROM units WHERE id = ?", (unit_id,)).fetchone()
            if found is None:
                raise DrawError(f"找不到编号为 {unit_id} 的企业。")
            codes[unit_id] = str(found[0])
        conn.executemany(
            "DELETE FROM inspector_conflicts WHERE inspector_id = ? AND unit_id = ?",
            [(inspector_id, u) for u in removed],
        )
        conn.executemany(
            "INSERT INTO inspector_conflicts (inspector_id, unit_id) VALUES (?, ?)",
            [(inspector_id, u) for u in added],
        )

        def pair(unit_id: int) -> dict[str, int]:
            return {"inspector_id": inspector_id, "unit_id": unit_id}

        entries = [
            audit.AuditEntry("delete", "inspector_conflicts", _key(cert, codes[u]), pair(u), None)
            for u in removed
        ] + [
            audit.AuditEntry("insert", "inspector_conflicts", _key(cert, codes[u]), None, pair(u))
            for u in added
        ]
        if entries:
            audit.append(conn, user, entries)


def _key(cert: str, uscc: str) -> str:
    return json.dumps([cert, uscc], ensure_ascii=False, separators=(",", ":"))
