"""Named points where a durability test can stop the program dead.

A test sets ``SAFECREDIT_PAUSE_AT=NAME@N:MARKER``: the N-th time the program passes
point NAME it creates the file MARKER and then waits, so the test, seeing MARKER, can
SIGKILL it at exactly that point — whatever the machine's load. With
``SAFECREDIT_PAUSE_TRACE=FILE`` every point passed is appended to FILE (one name a
line), so a test learns which points an operation passes and how often. Unset (as in
the product), a point costs one comparison.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from pathlib import Path

_AT = os.environ.get("SAFECREDIT_PAUSE_AT", "")
_TRACE = os.environ.get("SAFECREDIT_PAUSE_TRACE", "")
_ACTIVE = bool(_AT or _TRACE)
_passes: Counter[str] = Counter()


def _target() -> tuple[str, int, Path] | None:
    if not _AT:
        return None
    point, _, rest = _AT.partition("@")
    count, _, marker = rest.partition(":")
    return point, int(count), Path(marker)


_PAUSE = _target()


def point(name: str) -> None:
    """Pass point ``name``: record it, and stop here if a test asked for this pass."""
    if not _ACTIVE:
        return
    _passes[name] += 1
    if _TRACE:
        with open(_TRACE, "a", encoding="utf-8") as trace:
            trace.write(name + "\n")
    if _PAUSE is not None and _PAUSE[0] == name and _PAUSE[1] == _passes[name]:
        _PAUSE[2].write_text(name, encoding="utf-8")
        threading.Event().wait()  # until the test kills the process
