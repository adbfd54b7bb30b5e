"""Backup thinning: 7 daily, 4 weekly, 12 monthly; manual backups never removed."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from safecredit_desktop.core.storage import rotation


def name(taken: datetime, reason: str = "auto") -> str:
    return f"safecredit-{taken:%Y%m%d-%H%M%S-%f}-{reason}.db"


def test_parse_round_trip(tmp_path: Path) -> None:
    taken = datetime(2026, 3, 4, 5, 6, 7, 890)
    parsed = rotation.parse_backup(tmp_path / name(taken, "before-restore"))
    assert parsed is not None
    assert parsed.taken == taken and parsed.reason == "before-restore"
    assert rotation.parse_backup(tmp_path / "other.db") is None


def test_two_years_of_daily_backups_thin_to_at_most_23(tmp_path: Path) -> None:
    now = datetime(2026, 11, 21, 18, 0)
    for days in range(730):
        (tmp_path / name(now - timedelta(days=days, hours=1))).write_bytes(b"x")
    manual = tmp_path / name(now - timedelta(days=400), "manual")
    manual.write_bytes(b"x")
    removed = rotation.thin(tmp_path, now)
    left = rotation.list_backups(tmp_path)
    assert manual.exists()
    assert len(removed) + len(left) == 731
    autos = [b for b in left if not b.manual]
    assert 12 <= len(autos) <= 7 + 4 + 12
    days = {b.taken.date() for b in autos}
    for back in range(7):  # the last 7 days are all there
        assert (now - timedelta(days=back, hours=1)).date() in days
    months = {(b.taken.year, b.taken.month) for b in autos}
    assert len(months) == 12
    # thinning again removes nothing more
    assert rotation.thin(tmp_path, now) == []


def test_recent_backups_always_kept(tmp_path: Path) -> None:
    now = datetime(2026, 11, 21, 18, 0)
    for minutes in range(10):
        (tmp_path / name(now - timedelta(minutes=minutes))).write_bytes(b"x")
    assert rotation.thin(tmp_path, now) == []
