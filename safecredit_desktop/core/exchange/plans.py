"""What an import will do and did: the plan of each sheet's rows, and the summary."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safecredit_desktop.core.exchange.columns import SheetSpec
from safecredit_desktop.core.exchange.import_errors import CellError, WorkbookError
from safecredit_desktop.core.storage.connection import Database

DELETED = "已删除，未导入"
UNIT_DELETED = "所属企业已删除，未导入"
TARGET_DELETED = "被修复的记录已删除，未导入"
_MAX_LISTED = 100  # skipped rows listed one by one in the summary


ADD, UPDATE, UNCHANGED, SKIP = "add", "update", "unchanged", "skip"


@dataclass
class PlannedRow:
    """What one row will do. ``record`` is the record as it will be stored; for a new
    record of a unit added by the same import its ``unit_id`` is 0 until applied."""

    row: int
    action: str
    record: Any
    unit_code: str = ""
    before: Any = None
    reason: str = ""
    what: str = ""
    target: tuple[str, tuple[Any, ...]] | None = None


@dataclass
class SheetPlan:
    spec: SheetSpec
    title: str
    rows: list[PlannedRow] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


@dataclass(frozen=True)
class ConflictChange:
    """An inspector's 回避单位 to add and to remove, by 统一社会信用代码."""

    cert_no: str
    add: tuple[str, ...]
    remove: tuple[str, ...]


@dataclass(frozen=True)
class SheetSummary:
    sheet: str
    added: int
    updated: int
    unchanged: int
    skipped: int


@dataclass(frozen=True)
class SkippedRow:
    sheet: str
    row: int
    what: str
    reason: str


@dataclass(frozen=True)
class ImportSummary:
    """What an import did (or, dry run, would do), per sheet in template order."""

    path: Path
    dry_run: bool
    sheets: tuple[SheetSummary, ...]
    skipped: tuple[SkippedRow, ...]
    ignored_sheets: tuple[str, ...]
    accepted_bad_check: tuple[str, ...]
    conflicts_added: int
    conflicts_removed: int
    backup: Path | None = None
    hidden_sheets: tuple[str, ...] = ()
    """Template sheets hidden in the workbook: skipped, unless ``hidden_included``."""
    hidden_included: bool = False
    new_towns: tuple[str, ...] = ()
    """所在乡镇 not yet on any unit: taken as they are (a city holds other counties' towns)."""
    ignored_columns: tuple[str, ...] = ()
    """A workbook of another layout: its columns not mapped to the template (not read)."""

    @property
    def added(self) -> int:
        return sum(s.added for s in self.sheets)

    @property
    def updated(self) -> int:
        return sum(s.updated for s in self.sheets)

    @property
    def unchanged(self) -> int:
        return sum(s.unchanged for s in self.sheets)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.conflicts_added or self.conflicts_removed)

    def describe(self) -> str:
        """The summary as one Chinese text (``lines`` joined), as the CLI prints it."""
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        """The summary as Chinese lines, for the command line and the window."""
        verb = "检查通过（试导入，未写入数据库）" if self.dry_run else "导入完成"
        out = [f"“{self.path.name}”{verb}："]
        for s in self.sheets:
            line = f"  {s.sheet}：新增 {s.added}，更新 {s.updated}，未变 {s.unchanged}"
            if s.skipped:
                line += f"，{DELETED} {s.skipped}"
            out.append(line)
        if self.conflicts_added or self.conflicts_removed:
            out.append(f"  回避单位：新增 {self.conflicts_added}，删除 {self.conflicts_removed}")
        out.extend(
            f"  “{s.sheet}”表第{s.row}行（{s.what}）：{s.reason}"
            for s in self.skipped[:_MAX_LISTED]
        )
        if len(self.skipped) > _MAX_LISTED:
            out.append(f"  ……另有 {len(self.skipped) - _MAX_LISTED} 行未导入（已删除）")
        if self.accepted_bad_check:
            codes = "、".join(self.accepted_bad_check)
            out.append(f"  校验码不符、按“接受”保存的统一社会信用代码：{codes}")
        if self.ignored_sheets:
            names = "、".join(f"“{n}”" for n in self.ignored_sheets)
            out.append(f"  不是导入模板中的工作表，已忽略：{names}")
        if self.hidden_sheets:
            names = "、".join(f"“{n}”" for n in self.hidden_sheets)
            if self.hidden_included:
                out.append(f"  已按要求读取隐藏的工作表：{names}")
            else:
                out.append(
                    f"  隐藏的工作表，未导入：{names}（如需导入，请选择“同时导入隐藏的工作表”，"
                    "命令行 --include-hidden）"
                )
        if self.new_towns:
            out.append(f"  新出现的乡镇（按原样导入）：{'、'.join(self.new_towns)}")
        if self.ignored_columns:
            names = "、".join(f"“{n}”" for n in self.ignored_columns)
            out.append(f"  未对照的列，已忽略：{names}")
        if self.backup is not None:
            out.append(f"  导入前已备份数据库：{self.backup}")
        elif not self.dry_run and not self.changed:
            out.append("  数据库没有变化。")
        return out


@dataclass
class ImportPlan:
    path: Path
    sheets: list[SheetPlan]
    conflicts: list[ConflictChange]
    errors: list[CellError]
    ignored_sheets: list[str]
    audit_head: int
    error_total: int = 0
    """All bad cells; ``errors`` holds the first MAX_LISTED_ERRORS of them."""
    only_bad_check: bool = False
    hidden_sheets: tuple[str, ...] = ()
    hidden_included: bool = False

    @property
    def changed(self) -> bool:
        return any(r.action in (ADD, UPDATE) for s in self.sheets for r in s.rows) or any(
            c.add or c.remove for c in self.conflicts
        )

    def raise_for_errors(self) -> None:
        if self.errors or self.error_total:
            error = WorkbookError.from_cells(
                self.path,
                self.errors,
                total=max(self.error_total, len(self.errors)),
                only_bad_check=self.only_bad_check if self.error_total else None,
            )
            error.hidden_sheets = self.hidden_sheets
            raise error

    def summary(self, *, dry_run: bool, backup: Path | None = None) -> ImportSummary:
        accepted = sorted(
            r.record.uscc
            for s in self.sheets
            if s.spec.table == "units"
            for r in s.rows
            if r.action in (ADD, UPDATE)
            and r.record.check_accepted
            and (r.before is None or not r.before.check_accepted)
        )
        return ImportSummary(
            path=self.path,
            dry_run=dry_run,
            sheets=tuple(
                SheetSummary(
                    s.spec.name, s.count(ADD), s.count(UPDATE), s.count(UNCHANGED), s.count(SKIP)
                )
                for s in self.sheets
            ),
            skipped=tuple(
                SkippedRow(s.spec.name, r.row, r.what, r.reason)
                for s in self.sheets
                for r in s.rows
                if r.action == SKIP
            ),
            ignored_sheets=tuple(self.ignored_sheets),
            accepted_bad_check=tuple(accepted),
            conflicts_added=sum(len(c.add) for c in self.conflicts),
            conflicts_removed=sum(len(c.remove) for c in self.conflicts),
            backup=backup,
            hidden_sheets=self.hidden_sheets,
            hidden_included=self.hidden_included,
        )


def _key_json(parts: Sequence[Any]) -> str:
    """A natural key as the repository writes it (deleted_records, audit row_key)."""
    return json.dumps(list(parts), ensure_ascii=False, separators=(",", ":"))


def _audit_head(db: Database) -> int:
    return int(db.conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0])
