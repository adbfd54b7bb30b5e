"""Pausing Python's cyclic garbage collector around a run that makes millions of small,
acyclic objects (grading a register, drawing a batch of PDFs, reading, planning and
writing a workbook): each collection would walk every object alive — half the run time
of grading at 100,000 units, 6–7 % of an import's CPU (bench/bench_rollup.py) — and
could free nothing. Reference counting still frees everything as usual; the collector
runs again once the outermost paused run ends.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class _Pauses:
    """How many paused runs are going on, and whether the collector ran before them."""

    lock = threading.Lock()
    depth = 0
    was_enabled = True


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the ``with`` block (nested and threaded blocks count: it is
    enabled again when the last one ends, if it was enabled before the first)."""
    with _Pauses.lock:
        if _Pauses.depth == 0:
            _Pauses.was_enabled = gc.isenabled()
            gc.disable()
        _Pauses.depth += 1
    try:
        yield
    finally:
        with _Pauses.lock:
            _Pauses.depth -= 1
            if _Pauses.depth == 0 and _Pauses.was_enabled:
                gc.enable()


def paused_collector(step: Callable[P, R]) -> Callable[P, R]:
    """``step`` run with the collector paused (see ``paused``)."""

    @functools.wraps(step)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with paused():
            return step(*args, **kwargs)

    return run
