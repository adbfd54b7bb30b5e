"""Timestamps as stored: local time, ISO 8601 to the second."""

from __future__ import annotations

from datetime import datetime


def now_iso() -> str:
    return datetime.now().isoformat(timespec="seconds")
