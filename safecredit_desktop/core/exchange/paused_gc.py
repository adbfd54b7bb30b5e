"""The cyclic garbage collector paused while a workbook is read, planned or written.

An import makes half a million small objects (cells, rows, records, audit entries) that
live until it ends and hold no reference cycles; the collector, started by the count of
new objects, walks them all again and again for nothing — 6–7 % of an import's CPU time
(bench/bench_rollup.py). Reference counting still frees everything as usual; the
collector runs again once the outermost paused step ends.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class _Pauses:
    """How many paused steps are running, and whether the collector ran before them."""

    lock = threading.Lock()
    depth = 0
    was_enabled = True


def paused_collector(step: Callable[P, R]) -> Callable[P, R]:
    """``step`` run with the collector paused (nested and threaded steps count: the
    collector is enabled again when the last one ends, if it was enabled before)."""

    @functools.wraps(step)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with _Pauses.lock:
            if _Pauses.depth == 0:
                _Pauses.was_enabled = gc.isenabled()
                gc.disable()
            _Pauses.depth += 1
        try:
            return step(*args, **kwargs)
        finally:
            with _Pauses.lock:
                _Pauses.depth -= 1
                if _Pauses.depth == 0 and _Pauses.was_enabled:
                    gc.enable()

    return run
