"""Every window action that reads or writes runs through here (Anki's CollectionOp).

``@operation`` on a slot (or ``perform``/``attempt`` around a call) does three things
the slots used to do each in their own way:

* it waits for a running worker job first (its progress dialog stays live), so an
  action never writes while a job holds the database;
* a refusal (``SafeCreditError``) is shown as the sentence it carries, a cancelled job
  as a status line, and anything unexpected goes to the one handler (``gui/errors.py``);
  the dialog a slot runs from stays open with what was typed;
* afterwards the tables the storage layer saw written are taken from the session
  (``session.take_changes()``) and announced once on the bus — pages never say by hand
  what they changed. (Writes made outside any operation are announced before the next
  one starts, so an operation's announcement is its own.)

The session and the bus are those of the acting widget or of the nearest parent that
has them (a dialog opened by a page uses the page's).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar, cast, overload

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from safecredit_desktop.core import app as core
from safecredit_desktop.core.app.vocabulary import Changes
from safecredit_desktop.core.errors import Cancelled, SafeCreditError
from safecredit_desktop.gui import errors, workers
from safecredit_desktop.gui.bus import DataBus

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def context(owner: QObject | None) -> tuple[core.Session, DataBus] | None:
    """The session and bus of ``owner`` or of its nearest parent that has both."""
    found: QObject | None = owner
    while found is not None:
        session, bus = getattr(found, "session", None), getattr(found, "bus", None)
        if isinstance(session, core.Session) and isinstance(bus, DataBus):
            return session, bus
        found = found.parent()
    return None


def publish(owner: QObject | None) -> Changes:
    """Announce what the owner's session wrote since last asked (pages refresh now)."""
    found = context(owner)
    if found is None:
        return Changes()
    session, bus = found
    changes = session.take_changes()
    if changes:
        bus.changed.emit(changes)
    return changes


def _title(owner: QWidget | None, title: str) -> str:
    if title and owner is not None:  # as the owner's own self.tr(title) would
        return QCoreApplication.translate(type(owner).__name__, title)
    if title or owner is None:
        return title
    named = getattr(owner, "page_title", "")
    if isinstance(named, str) and named:
        return named
    return owner.windowTitle() or owner.window().windowTitle()


def run(owner: QWidget | None, call: Callable[[], T], *, title: str = "") -> tuple[bool, T | None]:
    """``call()`` as one operation: (True, its result), or (False, None) after the
    refusal or the failure was shown."""
    workers.wait_for_jobs()
    publish(owner)  # what was written before (outside any operation) is told first
    try:
        return True, call()
    except Cancelled as exc:
        found = context(owner)
        if found is not None:
            found[1].status_message.emit(exc.message)
    except SafeCreditError as exc:
        QMessageBox.warning(owner, _title(owner, title), exc.message)
    except Exception as exc:  # the unexpected: one handler shows and logs it
        errors.show_unexpected(owner, exc, _title(owner, title))
    finally:
        publish(owner)
    return False, None


def perform(owner: QWidget | None, call: Callable[[], T], *, title: str = "") -> T | None:
    """``call()`` as one operation; its result, or None when it was refused or failed."""
    return run(owner, call, title=title)[1]


def attempt(owner: QWidget | None, call: Callable[[], object], *, title: str = "") -> bool:
    """``call()`` as one operation; True when it went through (a dialog may close)."""
    return run(owner, call, title=title)[0]


def _positional_count(fn: Callable[..., Any]) -> int | None:
    """How many positional arguments ``fn`` takes after ``self`` (None: any number).
    Qt passes a signal's arguments (``clicked(checked)``) only if the slot takes them."""
    params = list(inspect.signature(fn).parameters.values())[1:]
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return None
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)


@overload
def operation(fn: F) -> F: ...


@overload
def operation(*, title: str = "") -> Callable[[F], F]: ...


def operation(fn: F | None = None, *, title: str = "") -> Any:
    """Decorate a method of a widget (a page, a tab, a dialog) as an operation; it
    returns the method's result, or None when refused or failed (the declared return
    type does not say so: a caller that needs to know uses ``attempt``). ``title`` is
    the message boxes' title (default: the page's title or the window's)."""

    def wrap(method: F) -> F:
        takes = _positional_count(method)

        @functools.wraps(method)
        def slot(self: QWidget, *args: Any, **kwargs: Any) -> Any:
            if takes is not None:
                args = args[:takes]
            return perform(self, lambda: method(self, *args, **kwargs), title=title)

        return cast(F, slot)

    return wrap(fn) if fn is not None else wrap
