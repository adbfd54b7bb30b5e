"""Confirmed annual assessments: stored grades, reasons, profile version, who and when.

A confirmation writes one row per unit and one audit event carrying the SHA-256 of
everything stored, so a changed stored grade is detectable against the audit chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.storage import audit
from safecredit_desktop.core.storage.changes import Table, note_written
from safecredit_desktop.core.storage.clock import now_iso
from safecredit_desktop.core.storage.connection import Database


class _Reason(Protocol):
    def as_json(self) -> dict[str, Any]: ...


class AssessedGrade(Protocol):
    """What a confirmation stores of one unit's grade (the rules' GradeResult has it;
    storage does not import the rules: the import contracts in pyproject.toml)."""

    @property
    def unit_id(self) -> int: ...
    @property
    def grade(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def tier(self) -> str | None: ...
    @property
    def reasons(self) -> Sequence[_Reason]: ...


@dataclass(frozen=True)
class StoredAssessment:
    id: int
    year: int
    as_of: date
    profile_name: str
    confirmed_at: str
    confirmed_by: str
    grades_sha256: str


@dataclass(frozen=True)
class StoredGrade:
    unit_id: int
    grade: str
    label: str
    tier: str | None
    reasons: list[dict[str, Any]]
    annotation: str


def _rows(results: Sequence[AssessedGrade], notes: Mapping[int, str]) -> list[tuple[object, ...]]:
    return [
        (
            r.unit_id,
            r.grade,
            r.label,
            r.tier,
            json.dumps([x.as_json() for x in r.reasons], ensure_ascii=False, sort_keys=True),
            notes.get(r.unit_id, ""),
        )
        for r in sorted(results, key=lambda r: r.unit_id)
    ]


def digest_rows(rows: Sequence[tuple[object, ...]]) -> str:
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def find(db: Database, year: int) -> StoredAssessment | None:
    row = db.conn.execute(
        "SELECT id, year, as_of, profile_name, confirmed_at, confirmed_by, grades_sha256"
        " FROM assessments WHERE year = ?",
        (year,),
    ).fetchone()
    if row is None:
        return None
    return StoredAssessment(
        int(row[0]),
        int(row[1]),
        date.fromisoformat(row[2]),
        str(row[3]),
        str(row[4]),
        str(row[5]),
        str(row[6]),
    )


def confirmed_years(db: Database) -> list[int]:
    return [int(r[0]) for r in db.conn.execute("SELECT year FROM assessments ORDER BY year DESC")]


def confirm(
    db: Database,
    user: str,
    *,
    year: int,
    as_of: date,
    profile_name: str,
    profile_text: str,
    results: Sequence[AssessedGrade],
    notes: Mapping[int, str] | None = None,
) -> StoredAssessment:
    """Store the assessment for ``year`` in one transaction; a year is confirmed once."""
    rows = _rows(results, notes or {})
    digest = digest_rows(rows)
    profile_sha = hashlib.sha256(profile_text.encode("utf-8")).hexdigest()
    with db.transaction() as conn:
        if find(db, year) is not None:
            raise SafeCreditError(f"{year}年度评定已经确认过，不能重复确认。")
        cursor = conn.execute(
            "INSERT INTO assessments (year, as_of, profile_name, profile_sha256, profile_text,"
            " confirmed_at, confirmed_by, grades_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " RETURNING id",
            (
                year,
                as_of.isoformat(),
                profile_name,
                profile_sha,
                profile_text,
                now_iso(),
                user,
                digest,
            ),
        )
        assessment_id = int(cursor.fetchone()[0])
        note_written(conn, Table.ASSESSMENT_GRADES)
        conn.executemany(
            "INSERT INTO assessment_grades (assessment_id, unit_id, grade, label, tier, reasons,"
            " annotation) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(assessment_id, *row) for row in rows],
        )
        detail = {
            "年度": year,
            "评定基准日": as_of.isoformat(),
            "企业数": len(rows),
            "信用规则": profile_name,
            "评定结果SHA256": digest,
        }
        audit.append(
            conn, user, [audit.AuditEntry("insert", "assessments", str(year), None, detail)]
        )
    stored = find(db, year)
    assert stored is not None
    return stored


def stored_grades(db: Database, year: int) -> dict[int, StoredGrade]:
    found = find(db, year)
    if found is None:
        raise SafeCreditError(f"{year}年度评定尚未确认。")
    grades: dict[int, StoredGrade] = {}
    for unit_id, grade, label, tier, reasons, annotation in db.conn.execute(
        "SELECT unit_id, grade, label, tier, reasons, annotation FROM assessment_grades"
        " WHERE assessment_id = ?",
        (found.id,),
    ):
        grades[int(unit_id)] = StoredGrade(
            int(unit_id), str(grade), str(label), tier, json.loads(reasons), str(annotation)
        )
    return grades


def verify(db: Database, year: int) -> bool:
    """True when the stored grades still hash to what the confirmation recorded."""
    found = find(db, year)
    if found is None:
        return False
    rows = [
        (int(u), g, lab, t, r, a)
        for u, g, lab, t, r, a in db.conn.execute(
            "SELECT unit_id, grade, label, tier, reasons, annotation FROM assessment_grades"
            " WHERE assessment_id = ? ORDER BY unit_id",
            (found.id,),
        )
    ]
    return digest_rows(rows) == found.grades_sha256
