"""What each audited table's entries say about its rows, and how to read the rows.

Every table the program writes leaves audit entries (``insert``/``update``/``delete``)
whose ``after`` (or, for a delete, ``before``) names the row. A :class:`Table` turns
an entry into the row's *identity* and the *fields it states*, and reads the stored
rows in the same terms, so ``reconcile.py`` can compare the two without knowing any
table. Entries state fields in the table's own column names, except where a table
records something else (draws record the pool's hash, documents their file's hash,
assessments a summary, users a fingerprint of the password hash).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

from safecredit_desktop.core.model import DOCUMENT_KIND_BY_NAME
from safecredit_desktop.core.storage import dialect
from safecredit_desktop.core.storage.tables import TABLES, TableSpec, columns


class Entry(NamedTuple):
    """An audit entry as the reconciliation reads it (JSON still as text)."""

    eid: int
    at: str
    user: str
    action: str
    table: str
    row_key: str
    before: str | None
    after: str | None

    def after_json(self) -> dict[str, Any]:
        value = json.loads(self.after) if self.after else {}
        return value if isinstance(value, dict) else {}

    def before_json(self) -> dict[str, Any]:
        value = json.loads(self.before) if self.before else {}
        return value if isinstance(value, dict) else {}

    def row_json(self) -> dict[str, Any]:
        """The row the entry names: as it was for a delete, as it became otherwise."""
        return self.before_json() if self.action == "delete" else self.after_json()


UNKNOWN = object()
"""A stated field whose value the entry changed without saying to what (it is then
not compared until an entry states it again)."""


def sha256_text(value: object) -> str | None:
    if value is None:
        return None
    data = value if isinstance(value, bytes) else str(value).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _default(text: str | None) -> object:
    """A column's DEFAULT as a value ('' → '', 0 → 0, NULL or none → None)."""
    if text is None or text.upper() == "NULL":
        return None
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("''", "'")
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


@dataclass
class Table:
    """A table whose entries carry its columns by name, keyed by ``key_column``."""

    name: str
    label: str
    key_column: str = "id"
    unaudited: frozenset[str] = frozenset()
    field_labels: Mapping[str, str] | None = None
    # A row's identity as a message names it ({} the identity).
    named_as: ClassVar[str] = "{}"

    # -- what an entry says -----------------------------------------------------------
    def identity(self, entry: Entry) -> Hashable:
        return entry.row_key

    def stated(self, entry: Entry, cols: frozenset[str]) -> dict[str, Any]:
        after = entry.after_json()
        return {k: v for k, v in after.items() if k in cols and k not in self.unaudited}

    def defaults(self, conn: sqlite3.Connection) -> dict[str, Any]:
        """What an insert leaves in the columns its entry does not name."""
        found: dict[str, Any] = {}
        for name, notnull, default in dialect.table_info(conn, self.name):
            if name in self.unaudited or name == self.key_column:
                continue
            if default is not None or not notnull:
                found[name] = _default(default)
        return found

    # -- the stored rows ----------------------------------------------------------------
    def columns(self, conn: sqlite3.Connection) -> list[str]:
        return dialect.column_names(conn, self.name)

    def rows(
        self, conn: sqlite3.Connection, idents: Iterable[Hashable] | None = None
    ) -> dict[Hashable, dict[str, Any]]:
        """Stored rows by identity, as the entries state them (all, or these)."""
        sql = f"SELECT * FROM {self.name}"
        if idents is None:
            return self._read(conn, sql, ())
        found: dict[Hashable, dict[str, Any]] = {}
        wanted = list(idents)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            where = f" WHERE {self.key_column} IN ({marks})"
            found.update(self._read(conn, sql + where, chunk))
        return found

    def _read(
        self, conn: sqlite3.Connection, sql: str, args: Iterable[Any]
    ) -> dict[Hashable, dict[str, Any]]:
        cursor = conn.execute(sql, list(args))
        names = [d[0] for d in cursor.description]
        found: dict[Hashable, dict[str, Any]] = {}
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            found[self.row_identity(row)] = self.comparable(conn, row)
        return found

    def row_identity(self, row: Mapping[str, Any]) -> Hashable:
        ident: Hashable = row[self.key_column]
        return ident

    def comparable(self, conn: sqlite3.Connection, row: dict[str, Any]) -> dict[str, Any]:
        """A stored row in the terms its entries use."""
        return row

    def count(self, conn: sqlite3.Connection) -> int:
        return int(conn.execute(f"SELECT count(*) FROM {self.name}").fetchone()[0])

    # -- words ---------------------------------------------------------------------------
    def describe(self, ident: Hashable, row_key: str | None, row: Mapping[str, Any] | None) -> str:
        """The row's natural key for a message."""
        return self.named_as.format(ident)

    def field_label(self, name: str) -> str:
        labels = self.field_labels or {}
        return labels.get(name, name)


# -- record tables (written by the repository) -------------------------------------------------

_RECORD_FIELD_EXTRA = {
    "id": "编号",
    "unit_id": "所属企业",
    "name_initials": "名称拼音首字母",
    "name_pinyin": "名称拼音",
}


@dataclass
class RecordTable(Table):
    """Repository tables: every entry holds the whole row, ``id`` included."""

    spec: TableSpec | None = None

    def identity(self, entry: Entry) -> Hashable:
        return entry.row_json().get("id")

    def written_columns(self) -> list[str]:
        """The columns the repository writes (the record's fields and search keys)."""
        assert self.spec is not None
        found = columns(self.spec.record)
        if self.name == "units":
            found += ["name_initials", "name_pinyin"]
        return found

    def describe(self, ident: Hashable, row_key: str | None, row: Mapping[str, Any] | None) -> str:
        if row_key:
            try:
                parts = json.loads(row_key)
            except ValueError:
                return row_key
            if isinstance(parts, list):
                return "、".join("（空）" if p is None else str(p) for p in parts)
        return f"编号 {ident}"

    def field_label(self, name: str) -> str:
        labels = self.field_labels or {}
        return labels.get(name) or _RECORD_FIELD_EXTRA.get(name, name)


def _only(
    found: dict[Hashable, dict[str, Any]], idents: Iterable[Hashable] | None
) -> dict[Hashable, dict[str, Any]]:
    """Rows read whole (a small table), all of them or those of ``idents``."""
    if idents is None:
        return found
    return {k: found[k] for k in idents if k in found}


def natural_key_of(conn: sqlite3.Connection, spec: TableSpec, row: Mapping[str, Any]) -> str:
    """A stored row's natural key as the repository writes it (unit as its code)."""
    parts: list[Any] = []
    for column in spec.key:
        value = row.get(column)
        if column == "unit_id" and value is not None:
            found = conn.execute("SELECT uscc FROM units WHERE id = ?", (value,)).fetchone()
            value = found[0] if found else value
        parts.append(value)
    return json.dumps(parts, ensure_ascii=False, separators=(",", ":"))


# -- the program's other tables ----------------------------------------------------------------


@dataclass
class WorkflowTable(Table):
    """Lists, objections, repair applications, permits: ``row_key`` is ``table#id``;
    an insert's entry names the values given, the rest are the columns' defaults."""

    named_as = "第 {} 号"

    def identity(self, entry: Entry) -> Hashable:
        _, _, number = entry.row_key.rpartition("#")
        return int(number) if number.isdigit() else entry.row_key


_SETTING_NAMES = {
    "bureau_name": "单位名称",
    "profile_name": "信用规则",
    "profile_text": "信用规则全文",
    "upper_email": "上级单位邮箱",
    "created_at": "建库时间",
    "bureau_uscc": "单位统一社会信用代码",
    "statistics_reporter": "统计人员",
}


@dataclass
class SettingsTable(Table):
    def describe(self, ident: Hashable, row_key: str | None, row: Mapping[str, Any] | None) -> str:
        name = _SETTING_NAMES.get(str(ident))
        return f"{name}，{ident}" if name else str(ident)


_ACTIVE = {"在用": 1, "启用": 1, "停用": 0}  # how entries name an account's state


@dataclass
class UsersTable(Table):
    """Accounts: name, role, active and a fingerprint of the password hash are audited;
    the failure count and lock time change at every log-in and are not."""

    def stated(self, entry: Entry, cols: frozenset[str]) -> dict[str, Any]:
        after = entry.after_json()
        found = {k: v for k, v in after.items() if k in cols and k not in self.unaudited}
        if "role" in after and "role" not in cols and "roles" in cols:
            found["roles"] = after["role"]  # a single role, written before roles were sets
        if after.get("状态") in _ACTIVE:
            found["active"] = _ACTIVE[after["状态"]]
        if "password_sha256" in after:
            found["password_sha256"] = after["password_sha256"]
        elif any("password" in k or "密码" in k for k in after):
            found["password_sha256"] = UNKNOWN  # changed, without saying to what
        return found

    def defaults(self, conn: sqlite3.Connection) -> dict[str, Any]:
        return {"display_name": "", "active": 1, "county": ""}

    def comparable(self, conn: sqlite3.Connection, row: dict[str, Any]) -> dict[str, Any]:
        shown = {k: v for k, v in row.items() if k not in self.unaudited}
        shown["password_sha256"] = sha256_text(row.get("password_hash"))
        return shown


@dataclass
class KeyOnlyTable(Table):
    """A table whose rows are nothing but their key: an entry names the ``key_of``
    columns, and states nothing else."""

    key_of: ClassVar[tuple[str, ...]] = ()

    def identity(self, entry: Entry) -> Hashable:
        source = entry.row_json()
        return tuple(source.get(column) for column in self.key_of)

    def stated(self, entry: Entry, cols: frozenset[str]) -> dict[str, Any]:
        return {}

    def rows(
        self, conn: sqlite3.Connection, idents: Iterable[Hashable] | None = None
    ) -> dict[Hashable, dict[str, Any]]:
        return _only(self.every_row(conn), idents)

    def every_row(self, conn: sqlite3.Connection) -> dict[Hashable, dict[str, Any]]:
        raise NotImplementedError


@dataclass
class ConflictsTable(KeyOnlyTable):
    """回避 pairs: an entry names the pair; there is nothing else to a row."""

    key_of = ("inspector_id", "unit_id")

    def defaults(self, conn: sqlite3.Connection) -> dict[str, Any]:
        return {}

    def every_row(self, conn: sqlite3.Connection) -> dict[Hashable, dict[str, Any]]:
        return {
            (int(i), int(u)): {"inspector_id": int(i), "unit_id": int(u), "cert_no": c, "uscc": x}
            for i, u, c, x in conn.execute(
                "SELECT k.inspector_id, k.unit_id, i.cert_no, u.uscc FROM inspector_conflicts k"
                " LEFT JOIN inspectors i ON i.id = k.inspector_id"
                " LEFT JOIN units u ON u.id = k.unit_id"
            )
        }

    def describe(self, ident: Hashable, row_key: str | None, row: Mapping[str, Any] | None) -> str:
        if row_key:
            try:
                cert, uscc = json.loads(row_key)
                return f"执法证号 {cert} 回避 {uscc}"
            except (ValueError, TypeError):
                return row_key
        if row is not None and row.get("cert_no") and row.get("uscc"):
            return f"执法证号 {row['cert_no']} 回避 {row['uscc']}"
        return str(ident)


@dataclass
class ListingRecordsTable(KeyOnlyTable):
    """The records that listed a unit (an entry of a list): an entry names the triple;
    there is nothing else to a row."""

    key_of = ("entry_id", "record_table", "record_id")

    def defaults(self, conn: sqlite3.Connection) -> dict[str, Any]:
        return {}

    def every_row(self, conn: sqlite3.Connection) -> dict[Hashable, dict[str, Any]]:
        return {
            (int(e), str(t), int(r)): {"entry_id": int(e), "record_table": t, "record_id": int(r)}
            for e, t, r in conn.execute(
                "SELECT entry_id, record_table, record_id FROM list_entry_records"
            )
        }

    def describe(self, ident: Hashable, row_key: str | None, row: Mapping[str, Any] | None) -> str:
        if isinstance(ident, tuple) and len(ident) == 3:
            entry_id, table, record_id = ident
            return f"名单第{entry_id}号所依据的记录（{table} 编号 {record_id}）"
        return str(ident)


@dataclass
class DrawsTable(Table):
    """双随机 draws: the entry holds the inputs, the pool's hash and the selections."""

    named_as = "第 {} 号抽查"

    def identity(self, entry: Entry) -> Hashable:
        try:
            return int(json.loads(entry.row_key)[0])
        except (ValueError, TypeError, IndexError):
            return entry.row_key

    def stated(self, entry: Entry, cols: frozenset[str]) -> dict[str, Any]:
        after = entry.after_json()
        extra = {"pool_sha256", "pool_size", "selections"}
        return {k: v for k, v in after.items() if (k in cols and k != "pool") or k in extra}

    def defaults(self, conn: sqlite3.Connection) -> dict[str, Any]:
        return {"annulled_at": None, "annulled_by": None, "annul_reason": None}

    def comparable(self, conn: sqlite3.Connection, row: dict[str, Any]) -> dict[str, Any]:
        shown = {k: v for k, v in row.items() if k not in ("filters", "ratios", "pool")}
        for name in ("filters", "ratios"):
            try:
                shown[name] = json.loads(row[name])
            except (TypeError, ValueError):
                shown[name] = row[name]
        shown["pool_sha256"] = sha256_text(row["pool"])
        try:
            shown["pool_size"] = len(json.loads(row["pool"]).get("units", []))
        except (TypeError, ValueError, AttributeError):
            shown["pool_size"] = None
        selections = []
        for uscc, team in conn.execute(
            "SELECT u.uscc, s.team FROM draw_selections s LEFT JOIN units u ON u.id = s.unit_id"
            " WHERE s.draw_id = ? ORDER BY s.position",
            (row["id"],),
        ):
            try:
                certs = [member[0] for member in json.loads(team)]
            except (TypeError, ValueError, IndexError):
                certs = [team]
            selections.append([uscc, certs])
        shown["selections"] = selections
        return shown


_ASSESSMENT_FIELDS = {
    "年度": "year",
    "评定基准日": "as_of",
    "信用规则": "profile_name",
    "评定结果SHA256": "grades_sha256",
    "企业数": "graded_units",
}


@dataclass
class SummaryTable(Table):
    """A table whose entry holds a summary, not the row: ``summary`` names the columns
    its keys state, and the entry's user is the row's ``by_column``; rows are numbered."""

    summary: ClassVar[Mapping[str, str]] = {}
    by_column: ClassVar[str] = ""

    def identity(self, entry: Entry) -> Hashable:
        return int(entry.row_key) if entry.row_key.isdigit() else entry.row_key

    def stated(self, entry: Entry, cols: frozenset[str]) -> dict[str, Any]:
        after = entry.after_json()
        found = {self.summary[k]: v for k, v in after.items() if k in self.summary}
        found[self.by_column] = entry.user
        return found


@dataclass
class AssessmentsTable(SummaryTable):
    """Confirmed annual assessments: the entry holds a summary and the grades' hash
    (the grades themselves are checked against that hash by ``assessments.verify``)."""

    summary = _ASSESSMENT_FIELDS
    by_column = "confirmed_by"
    named_as = "{}年度"

    def defaults(self, conn: sqlite3.Connection) -> dict[str, Any]:
        return {}

    def row_identity(self, row: Mapping[str, Any]) -> Hashable:
        ident: Hashable = row["year"]
        return ident

    def rows(
        self, conn: sqlite3.Connection, idents: Iterable[Hashable] | None = None
    ) -> dict[Hashable, dict[str, Any]]:
        return _only(self._read(conn, "SELECT * FROM assessments", ()), idents)

    def comparable(self, conn: sqlite3.Connection, row: dict[str, Any]) -> dict[str, Any]:
        graded = conn.execute(
            "SELECT count(*) FROM assessment_grades WHERE assessment_id = ?", (row["id"],)
        ).fetchone()[0]
        return {**row, "graded_units": int(graded)}


_ADOPTION_FIELDS = {
    "年度": "year",
    "每月检查能力": "capacity",
    "等级依据": "basis",
    "计划检查": "items_count",
    "计划SHA256": "items_sha256",
}


@dataclass
class PlanAdoptionsTable(SummaryTable):
    """Adopted annual plans: the entry holds the adoption's number, a summary and the
    items' hash (the items themselves are checked against it by ``plans.problems``)."""

    summary = _ADOPTION_FIELDS
    by_column = "adopted_by"

    def defaults(self, conn: sqlite3.Connection) -> dict[str, Any]:
        return {}

    def describe(self, ident: Hashable, row_key: str | None, row: Mapping[str, Any] | None) -> str:
        year = f"{row['year']}年度" if row else ""
        return f"{year}检查计划（第{ident}次采用）"


_DOCUMENT_FIELDS = {
    "文号": "doc_no",
    "文书": "kind_name",
    "对象": "subject",
    "SHA-256": "file_sha256",
}


@dataclass
class DocumentsTable(SummaryTable):
    """The register of issued documents: the entry names the number, kind, subject and
    the SHA-256 of the file it was issued in; who issued it is the entry's user."""

    summary = _DOCUMENT_FIELDS
    by_column = "issued_by"

    def identity(self, entry: Entry) -> Hashable:
        return entry.row_key  # the document's number as written, never a count

    def defaults(self, conn: sqlite3.Connection) -> dict[str, Any]:
        return {}

    def rows(
        self, conn: sqlite3.Connection, idents: Iterable[Hashable] | None = None
    ) -> dict[Hashable, dict[str, Any]]:
        sql = (
            "SELECT d.doc_no, d.kind, d.subject, d.issued_by, f.sha256 AS file_sha256"
            " FROM documents d LEFT JOIN document_files f ON f.id = d.file_id"
        )
        if idents is None:
            return self._read(conn, sql, ())
        found: dict[Hashable, dict[str, Any]] = {}
        for ident in idents:
            found.update(self._read(conn, sql + " WHERE d.doc_no = ?", (ident,)))
        return found

    def row_identity(self, row: Mapping[str, Any]) -> Hashable:
        ident: Hashable = row["doc_no"]
        return ident

    def comparable(self, conn: sqlite3.Connection, row: dict[str, Any]) -> dict[str, Any]:
        kind = DOCUMENT_KIND_BY_NAME.get(str(row["kind"]))
        return {**row, "kind_name": kind.name if kind else row["kind"]}


_WORKFLOW_LABELS = {
    "list_entries": "名单",
    "objections": "异议",
    "repair_applications": "信用修复申请",
    "permits": "行政许可",
    "account_recoveries": "账户恢复记录",  # a later schema's; skipped where absent
}

_COMMON_LABELS = {
    "unit_id": "所属企业",
    "stage": "阶段",
    "status": "状态",
    "list_kind": "名单类别",
    "period_months": "期限（月）",
    "published_on": "公布日期",
    "ends_on": "期满日期",
    "removed_on": "移出日期",
    "outcome": "处理结果",
    "permit_no": "许可证号",
    "decided_on": "决定日期",
    "value": "值",
    "key": "名称",
    "kind": "类型",
    "name": "名称",
    "username": "用户名",
    "display_name": "显示名",
    "role": "角色",
    "roles": "角色",
    "active": "启用",
    "password_sha256": "密码",
    "doc_no": "文号",
    "kind_name": "文书类别",
    "subject": "对象",
    "file_sha256": "文件的 SHA-256",
    "issued_by": "出具人",
    "year": "年度",
    "as_of": "评定基准日",
    "profile_name": "信用规则",
    "grades_sha256": "评定结果的 SHA-256",
    "graded_units": "评定企业数",
    "confirmed_by": "确认人",
    "capacity": "每月检查能力",
    "basis": "等级依据",
    "items_count": "计划检查数",
    "items_sha256": "计划的 SHA-256",
    "adopted_by": "采用人",
    "drawn_at": "抽取时间",
    "drawn_by": "抽取人",
    "seed": "随机种子",
    "filters": "抽取范围",
    "ratios": "抽查比例",
    "pool_sha256": "备选库的 SHA-256",
    "pool_size": "备选库企业数",
    "selections": "抽中企业和检查组",
    "team_size": "每组人数",
    "annulled_at": "作废时间",
    "annulled_by": "作废人",
    "annul_reason": "作废理由",
}


def _tables() -> tuple[Table, ...]:
    records: list[Table] = [RecordTable(spec.name, spec.label, spec=spec) for spec in TABLES]
    others: list[Table] = [
        SettingsTable("settings", "设置", key_column="key", field_labels=_COMMON_LABELS),
        UsersTable(
            "users",
            "用户",
            key_column="username",
            unaudited=frozenset(
                {
                    "id",
                    "password_hash",
                    "failed_attempts",
                    "locked_until",
                    "created_at",
                    "recovery_hash",
                }
            ),
            field_labels=_COMMON_LABELS,
        ),
        Table("holidays", "节假日表", key_column="day", field_labels=_COMMON_LABELS),
        ConflictsTable("inspector_conflicts", "执法人员回避"),
        DrawsTable("draws", "双随机抽查", field_labels=_COMMON_LABELS),
        AssessmentsTable("assessments", "年度评定", field_labels=_COMMON_LABELS),
        DocumentsTable("documents", "文书登记", key_column="doc_no", field_labels=_COMMON_LABELS),
        PlanAdoptionsTable("plan_adoptions", "检查计划采用", field_labels=_COMMON_LABELS),
        ListingRecordsTable("list_entry_records", "列入名单的依据记录"),
    ]
    workflows: list[Table] = [
        WorkflowTable(name, label, field_labels=_COMMON_LABELS)
        for name, label in _WORKFLOW_LABELS.items()
    ]
    return (*records, *others, *workflows)


AUDITED: tuple[Table, ...] = _tables()
BY_NAME: dict[str, Table] = {t.name: t for t in AUDITED}
RECORD_TABLES: dict[str, RecordTable] = {t.name: t for t in AUDITED if isinstance(t, RecordTable)}


def name_record_fields(labels: Mapping[str, Iterable[tuple[str, str]]]) -> None:
    """Hand in the record tables' field names as people read them: ``table → (attribute,
    label)`` pairs, the first label of an attribute kept. They are the workbook's column
    headers (exchange/columns.py, above storage), so the layer that opens registers
    (core/app/files.py) hands them down; until then a field is named by its column."""
    for name, table in RECORD_TABLES.items():
        named: dict[str, str] = {}
        for attr, label in labels.get(name, ()):
            named.setdefault(attr, label)
        table.field_labels = named


DERIVED: dict[str, str] = {
    "deleted_records": "repository deletes (reconcile.py: tombstones)",
    "draw_selections": "the draw's entry (selections)",
    "document_files": "documents' entries (file SHA-256) and a re-hash of every file",
    "assessment_grades": "the assessment's grades SHA-256 (assessments.verify)",
    "plan_items": "the adoption's items SHA-256 (plans.problems)",
    "audit_log": "the hash chain and the anchor",
    "audit_checkpoint": "compared with the chain",
    "unit_grades": "derived: recomputed from the records by check (grade_cache.problems)",
    "unit_grades_stale": "derived: the units a write touched, regraded before it commits",
    "unit_grades_state": "derived: what the stored grades are good for (rules, day)",
    "inspection_unit_totals": "derived: each unit's inspections summed, kept by triggers",
}
"""Tables not reconciled entry by entry, and what accounts for their rows."""
