"""Writing records: every insert, update and delete leaves an audit entry.

The repository is the only place that writes record tables. It runs inside the
caller's transaction when there is one, otherwise in its own. The units a write touches
are marked by the schema's triggers and regraded before the outermost transaction
commits (core/grade_cache.py's hook, put in place by the layer that opens registers:
core/app/files.py).
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, TypeVar

from safecredit_desktop.core import model
from safecredit_desktop.core.errors import StorageError
from safecredit_desktop.core.pinyin_index import name_keys
from safecredit_desktop.core.storage import audit, county
from safecredit_desktop.core.storage.changes import Table, note_written
from safecredit_desktop.core.storage.clock import now_iso
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.tables import (
    SPEC_BY_NAME,
    SPEC_BY_RECORD,
    TableSpec,
    columns,
    from_row,
    to_row,
)

R = TypeVar("R")


class ConcurrentEditError(StorageError):
    """Another seat changed the record since it was opened for editing."""


_CHUNK = 5_000


class PreparedOutOfStep(StorageError):
    """Prepared rows whose ids are not the next ones of their table."""


@dataclass(frozen=True)
class PreparedInserts:
    """Rows of one table ready to insert: the columns, each row's values (its id first),
    natural key and audit entry text (``Repository.prepare_inserts``)."""

    table: str
    names: tuple[str, ...]
    values: list[tuple[Any, ...]]
    keys: list[str | None]  # None: the unit was not found when prepared
    after: list[audit.Encoded] | list[dict[str, Any]] | None
    """Each row's audit value: its text (made by the import's worker), the row itself
    (encoded when appended), or None: made from the values when written."""


def _with_search_keys(spec: TableSpec, prepared: PreparedInserts) -> PreparedInserts:
    """Units' rows with their pinyin search columns, made here when not prepared."""
    if spec.record is not model.Unit or "name_keys" in prepared.names or not prepared.values:
        return prepared
    at = prepared.names.index("name")
    extra_names: tuple[str, ...] = ()
    values = []
    for row in prepared.values:
        extra = _derived_columns(spec, {"name": row[at]})
        extra_names = tuple(extra)
        values.append((*row, *extra.values()))
    return dataclasses.replace(prepared, names=(*prepared.names, *extra_names), values=values)


def _keep_to_county(units: Sequence[Any], county_name: str) -> None:
    """A county user's units are its county's: a blank 报送单位 becomes the county, another
    county's is refused (the server's policy would refuse it too, less clearly)."""
    for unit in units:
        if not unit.reporter:
            unit.reporter = county_name
        elif unit.reporter != county_name:
            raise StorageError(
                f"企业“{unit.name}”的报送单位是“{unit.reporter}”，县级用户只能登记和修改"
                f"本县（{county_name}）的企业。"
            )


def _derived_columns(spec: TableSpec, row: dict[str, Any]) -> dict[str, Any]:
    """Columns kept for search that are not part of the record itself."""
    if spec.record is model.Unit:
        return name_keys(str(row["name"])).columns()
    return {}


class Repository:
    def __init__(self, db: Database, user: str) -> None:
        self.db = db
        self.user = user
        self._uscc_cache: dict[int, str] = {}

    # -- keys -------------------------------------------------------------------
    def _uscc(self, unit_id: int) -> str:
        cached = self._uscc_cache.get(unit_id)
        if cached is None:
            found = self.db.conn.execute("SELECT uscc FROM units WHERE id = ?", (unit_id,))
            row = found.fetchone()
            if row is None:
                raise StorageError(f"找不到编号为 {unit_id} 的企业。")
            cached = self._uscc_cache[unit_id] = str(row[0])
        return cached

    def natural_key(self, spec: TableSpec, row: dict[str, Any]) -> str:
        parts = [self._uscc(row[c]) if c == "unit_id" else row[c] for c in spec.key]
        return audit.key_json(parts)

    # -- reads ------------------------------------------------------------------
    def get(self, record: type[R], record_id: int) -> R:
        spec = SPEC_BY_RECORD[record]
        cursor = self.db.conn.execute(f"SELECT * FROM {spec.name} WHERE id = ?", (record_id,))
        row = cursor.fetchone()
        if row is None:
            raise StorageError(f"{spec.label}记录 {record_id} 不存在，可能已被删除。")
        names = [d[0] for d in cursor.description]
        result: R = from_row(record, dict(zip(names, row, strict=True)))
        return result

    def version(self, record: type[Any], record_id: int) -> int:
        """The newest audit entry of a stored record: what an edit started from (0 when
        the log has none, e.g. a row older than the log)."""
        spec = SPEC_BY_RECORD[record]
        key = self.natural_key(spec, to_row(self.get(record, record_id)))
        return self._newest_entry(spec, key)[0]

    def _newest_entry(self, spec: TableSpec, key: str) -> tuple[int, str, str]:
        found = self.db.conn.execute(
            "SELECT id, user, at FROM audit_log WHERE table_name = ? AND row_key = ?"
            " ORDER BY id DESC LIMIT 1",
            (spec.name, key),
        ).fetchone()
        return (0, "", "") if found is None else (int(found[0]), str(found[1]), str(found[2]))

    def is_deleted(self, spec: TableSpec, natural_key: str) -> bool:
        found = self.db.conn.execute(
            "SELECT 1 FROM deleted_records WHERE table_name = ? AND natural_key = ?",
            (spec.name, natural_key),
        )
        return found.fetchone() is not None

    # -- writes -----------------------------------------------------------------
    def insert(self, record: Any) -> int:
        return self.insert_many([record])[0]

    def insert_many(self, records: Sequence[Any]) -> list[int]:
        """Insert records of one kind; ids are assigned here so one executemany serves."""
        if not records:
            return []
        spec = SPEC_BY_RECORD[type(records[0])]
        ids: list[int] = []
        with self.db.transaction() as conn:
            next_id = county.max_id(conn, spec.name, confined=bool(self.db.county))
            for prepared in self.prepare_inserts(records, next_id + 1):
                ids.extend(self.write_prepared(prepared))
        for record, new_id in zip(records, ids, strict=True):
            record.id = new_id
        return ids

    def prepare_inserts(
        self,
        records: Sequence[Any],
        first_id: int,
        *,
        audit_text: bool = False,
        search_keys: bool = True,
    ) -> Iterator[PreparedInserts]:
        """Records of one kind made ready to insert from ``first_id`` on: rows (ids
        given), natural keys and audit texts, a piece of a few thousand at a time (each
        written before the next is made: a big insert is not held whole). Made by the
        writing connection, or by the import's planning worker on its own (the ids are
        checked when written). ``audit_text``: each row's audit text made here (for another
        process to write; else the rows are kept to be encoded as appended). Without
        ``search_keys`` (a unit's pinyin columns), those and the units' audit texts are
        made when the rows are written."""
        if not records:
            return
        spec = SPEC_BY_RECORD[type(records[0])]
        names = [c for c in columns(spec.record) if c != "id"]
        if spec.record is model.Unit and self.db.county:
            _keep_to_county(records, self.db.county)
        if spec.record is not model.Unit:
            self._prime_uscc(r.unit_id for r in records if hasattr(r, "unit_id"))
        derived = search_keys and spec.record is model.Unit  # only units have search columns
        # a unit's audit text holds its search columns: without them, it is made when written
        audit_later = not search_keys and spec.record is model.Unit
        next_id = first_id
        for start in range(0, len(records), _CHUNK):
            rows: list[dict[str, Any]] = []
            for record in records[start : start + _CHUNK]:
                if type(record) is not spec.record:
                    raise TypeError("insert_many takes records of one kind")
                row = to_row(record)
                row["id"] = next_id
                next_id += 1
                if derived:
                    row.update(_derived_columns(spec, row))
                rows.append(row)
            if spec.record is model.Unit:
                self._uscc_cache.update((r["id"], r["uscc"]) for r in rows)
            all_names = ["id", *names, *(k for k in rows[0] if k not in names and k != "id")]
            values_of = itemgetter(*all_names)
            yield PreparedInserts(
                spec.name,
                tuple(all_names),
                [values_of(r) for r in rows],
                [self._natural_key_if_known(spec, r) for r in rows],
                None
                if audit_later
                else [audit.Encoded(audit.to_json(r) or "") for r in rows]
                if audit_text
                else rows,
            )

    def write_prepared(self, prepared: PreparedInserts) -> list[int]:
        """Insert prepared rows, each audited as this user (in the caller's transaction,
        or its own). Refused when their ids are not the next ones (prepared elsewhere
        from a database that has changed since)."""
        spec = SPEC_BY_NAME[prepared.table]
        prepared = _with_search_keys(spec, prepared)
        ids = [int(v[0]) for v in prepared.values]
        with self.db.transaction() as conn:
            if ids:
                last = county.max_id(conn, spec.name, confined=bool(self.db.county))
                if ids[0] != last + 1:
                    raise PreparedOutOfStep(
                        f"准备写入的{spec.label}记录编号从 {ids[0]} 起，数据库中已到 {last}。"
                    )
            placeholders = ", ".join("?" for _ in prepared.names)
            conn.executemany(
                f"INSERT INTO {spec.name} ({', '.join(prepared.names)}) VALUES ({placeholders})",
                prepared.values,
            )
            keys = [
                self.natural_key(spec, dict(zip(prepared.names, v, strict=True)))
                if key is None
                else key
                for key, v in zip(prepared.keys, prepared.values, strict=True)
            ]
            if spec.record is model.Unit:
                at = prepared.names.index("uscc")
                self._uscc_cache.update((int(v[0]), str(v[at])) for v in prepared.values)
            audit.append(
                conn,
                self.user,
                (
                    audit.AuditEntry("insert", spec.name, key, None, after)
                    for key, after in zip(keys, self._audit_texts(prepared), strict=True)
                ),
            )
            if self._has_tombstones(spec):
                note_written(conn, Table.DELETED_RECORDS)
                conn.executemany(
                    "DELETE FROM deleted_records WHERE table_name = ? AND natural_key = ?",
                    [(spec.name, k) for k in keys],
                )
        return ids

    @staticmethod
    def _audit_texts(prepared: PreparedInserts) -> Iterable[object]:
        """Each row's audit entry value: its text when prepared, else the row itself."""
        if prepared.after is not None:
            return prepared.after
        names = prepared.names
        return (dict(zip(names, values, strict=True)) for values in prepared.values)

    def _natural_key_if_known(self, spec: TableSpec, row: dict[str, Any]) -> str | None:
        """The row's natural key, or None while its unit is not to be found (the insert
        then says why, or the key is looked up again when written)."""
        try:
            return self.natural_key(spec, row)
        except StorageError:
            return None

    def update(self, record: Any, *, seen: int | None = None) -> bool:
        """Store a changed record; return False (and write nothing) when nothing changed.

        ``seen``: the record's ``version`` when it was opened for editing; if another
        seat has changed it since, the edit is refused (ConcurrentEditError) and nothing
        is overwritten. Checked inside the write transaction, so it cannot race."""
        spec = SPEC_BY_RECORD[type(record)]
        if record.id is None:
            raise StorageError(f"{spec.label}记录尚未保存，不能修改。")
        with self.db.transaction() as conn:
            before = to_row(self.get(spec.record, record.id))
            if seen is not None:
                newest = self._newest_entry(spec, self.natural_key(spec, before))
                if newest[0] > seen:
                    raise ConcurrentEditError(self._changed_by(newest[1], newest[2]))
            if spec.record is model.Unit and self.db.county:
                _keep_to_county([record], self.db.county)
            after = to_row(record)
            after.update(_derived_columns(spec, after))
            before.update(_derived_columns(spec, before))
            changed = {k: v for k, v in after.items() if before.get(k) != v}
            if not changed:
                return False
            assignments = ", ".join(f"{k} = ?" for k in changed)
            conn.execute(
                f"UPDATE {spec.name} SET {assignments} WHERE id = ?", [*changed.values(), record.id]
            )
            audit.append(
                conn,
                self.user,
                [
                    audit.AuditEntry(
                        "update", spec.name, self.natural_key(spec, after), before, after
                    )
                ],
            )
        return True

    def delete(self, record: type[Any], record_id: int, *, remember: bool = True) -> None:
        """Delete a record; remember its natural key so an import won't bring it back.

        ``remember=False`` is for undoing an insert: the record never really existed.
        A record that others still refer to (a unit with records, a repaired penalty)
        is refused with a sentence.
        """
        spec = SPEC_BY_RECORD[record]
        with self.db.transaction() as conn:
            before = to_row(self.get(record, record_id))
            key = self.natural_key(spec, before)
            try:
                conn.execute(f"DELETE FROM {spec.name} WHERE id = ?", (record_id,))
            except sqlite3.IntegrityError as exc:
                raise StorageError(
                    f"这条{spec.label}记录还被其他记录引用（如企业下的检查、处罚，或信用修复），"
                    "请先删除引用它的记录。"
                ) from exc
            if remember:
                note_written(conn, Table.DELETED_RECORDS)
                conn.execute(
                    "INSERT INTO deleted_records (table_name, natural_key, deleted_at,"
                    " deleted_by) VALUES (?, ?, ?, ?) ON CONFLICT (table_name, natural_key)"
                    " DO UPDATE SET deleted_at = excluded.deleted_at,"
                    " deleted_by = excluded.deleted_by",
                    (spec.name, key, now_iso(), self.user),
                )
            after = None if remember else {"撤销": "撤销新增"}
            entry = audit.AuditEntry("delete", spec.name, key, before, after)
            audit.append(conn, self.user, [entry])

    def restore(self, record: Any) -> int:
        """Store a deleted record again (undoing its deletion): inserted, and its natural
        key no longer remembered as deleted, in one transaction."""
        spec = SPEC_BY_RECORD[type(record)]
        with self.db.transaction() as conn:
            record_id = self.insert(record)
            key = self.natural_key(spec, to_row(self.get(spec.record, record_id)))
            note_written(conn, Table.DELETED_RECORDS)
            conn.execute(
                "DELETE FROM deleted_records WHERE table_name = ? AND natural_key = ?",
                (spec.name, key),
            )
        return record_id

    def log_event(self, table_name: str, key: str, detail: dict[str, Any]) -> None:
        """An audited action that is not a row change (a backup, a restore, a log-in)."""
        with self.db.transaction() as conn:
            audit.append(
                conn, self.user, [audit.AuditEntry("event", table_name, key, None, detail)]
            )

    # -- helpers ----------------------------------------------------------------
    def _changed_by(self, user: str, at: str) -> str:
        """该记录已被张丽于 10:42 修改，请重新打开后再改 (a display name when known)."""
        shown = user
        found = self.db.conn.execute(
            "SELECT display_name FROM users WHERE username = ?", (user,)
        ).fetchone()
        if found is not None and str(found[0]).strip():
            shown = str(found[0]).strip()
        moment = at.replace("T", " ")
        when = moment[11:16] if moment[:10] == now_iso()[:10] else moment[:16]
        return f"该记录已被{shown}于 {when} 修改，请重新打开后再改。"

    def _prime_uscc(self, unit_ids: Iterable[int]) -> None:
        missing = sorted(set(unit_ids) - self._uscc_cache.keys())
        for start in range(0, len(missing), 900):
            chunk = missing[start : start + 900]
            found = self.db.conn.execute(
                f"SELECT id, uscc FROM units WHERE id IN ({', '.join('?' for _ in chunk)})", chunk
            )
            self._uscc_cache.update((int(i), str(u)) for i, u in found)

    def _has_tombstones(self, spec: TableSpec) -> bool:
        found = self.db.conn.execute(
            "SELECT 1 FROM deleted_records WHERE table_name = ? LIMIT 1", (spec.name,)
        )
        return found.fetchone() is not None
