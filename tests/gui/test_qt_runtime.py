"""The Qt binding must not corrupt Python's reference counts.

PySide6 6.12.0 released None once too often on every call of a void method, so a
day's work in the window (or a long test run) ended in "Fatal Python error:
none_dealloc". This test fails at once on such a build instead.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QWidget


def test_void_calls_keep_none_and_bools_alive(qapp) -> None:  # type: ignore[no-untyped-def]
    widget = QWidget()
    widget.setEnabled(True)
    before = sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(2000):
        widget.setEnabled(True)
        widget.blockSignals(False)
        widget.hide()
    after = sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)
    assert all(a - b > -50 for a, b in zip(after, before, strict=True)), (before, after)
