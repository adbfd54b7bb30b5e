"""Thinning of automatic and safety backups: 7 daily, 4 weekly, 12 monthly.

Of all backups except manual ones (``-manual`` in the name, which the user made and
names), keep the newest of each of the last 7 days that have one, of each of the
last 4 ISO weeks, and of each of the last 12 months; delete the rest. A backup less
than a day old is always kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from safecredit_desktop.core.storage import anchor

DAILY, WEEKLY, MONTHLY = 7, 4, 12
_NAME = re.compile(r"^.*-(\d{8})-(\d{6})-(\d{6})-([a-z0-9-]+)$")


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken: datetime
    reason: str

    @property
    def manual(self) -> bool:
        return self.reason == "manual"


def parse_backup(path: Path) -> BackupFile | None:
    """``<stem>-YYYYmmdd-HHMMSS-ffffff-<reason>.db`` as written by backup.py."""
    match = _NAME.match(path.stem)
    if match is None or path.suffix != ".db":
        return None
    day, clock, micro, reason = match.groups()
    try:
        taken = datetime.strptime(f"{day}{clock}{micro}", "%Y%m%d%H%M%S%f")
    except ValueError:
        return None
    return BackupFile(path, taken, reason)


def list_backups(folder: Path) -> list[BackupFile]:
    """Backups in ``folder``, newest first."""
    if not folder.is_dir():
        return []
    found = [b for b in (parse_backup(p) for p in folder.glob("*.db")) if b is not None]
    return sorted(found, key=lambda b: b.taken, reverse=True)


def to_keep(backups: Iterable[BackupFile], now: datetime) -> set[Path]:
    keep: set[Path] = set()
    seen_days: set[object] = set()
    seen_weeks: set[object] = set()
    seen_months: set[object] = set()
    for backup in sorted(backups, key=lambda b: b.taken, reverse=True):
        if backup.manual or now - backup.taken < timedelta(days=1):
            keep.add(backup.path)
            continue
        day = backup.taken.date()
        week = day.isocalendar()[:2]
        month = (day.year, day.month)
        if day not in seen_days and len(seen_days) < DAILY:
            seen_days.add(day)
            keep.add(backup.path)
        if week not in seen_weeks and len(seen_weeks) < WEEKLY:
            seen_weeks.add(week)
            keep.add(backup.path)
        if month not in seen_months and len(seen_months) < MONTHLY:
            seen_months.add(month)
            keep.add(backup.path)
    return keep


def thin(folder: Path, now: datetime) -> list[Path]:
    """Delete the backups the rule does not keep; return what was deleted."""
    backups = list_backups(folder)
    keep = to_keep(backups, now)
    removed = [b.path for b in backups if b.path not in keep]
    for path in removed:
        path.unlink(missing_ok=True)
        anchor.remove_sidecar(path)
    return removed
