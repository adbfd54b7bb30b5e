"""Window tests: a dialog nobody will close never opens. An unexpected error, a message
box or a file, input or print dialog a test did not answer itself fails the test with
what it would have said, instead of waiting for a click."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

_UNANSWERED = {
    QMessageBox: ("critical", "warning", "information", "question", "about"),
    QFileDialog: ("getSaveFileName", "getOpenFileName", "getExistingDirectory"),
    QInputDialog: ("getText", "getItem", "getMultiLineText", "getInt"),
}


@pytest.fixture(autouse=True)
def _no_unanswered_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that expects one of these patches it itself (after this fixture)."""

    def refuse(owner: str, name: str) -> Any:
        def fail(*args: object, **_kwargs: object) -> Any:
            said = " / ".join(str(a) for a in args[1:3] if isinstance(a, str))
            cause = sys.exc_info()[1]  # what the window's error handler was showing
            raise AssertionError(f"{owner}.{name} would wait for the user: {said}") from cause

        return fail

    for cls, names in _UNANSWERED.items():
        for name in names:
            monkeypatch.setattr(cls, name, refuse(cls.__name__, name))
    monkeypatch.setattr(QPrintDialog, "exec", refuse("QPrintDialog", "exec"))
