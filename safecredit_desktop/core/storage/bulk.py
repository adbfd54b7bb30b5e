"""Room for a bulk write: a larger page cache while one transaction writes many rows.

SQLite's default cache (2 MB) is far smaller than the indexes an import of a county's
50,000 records updates in a city's database (the audit log's row index, the record
pages' indexes): pages are evicted and read again many times, and dirty ones spill to
the WAL mid-transaction. 128 MB for the write's duration took a tenth off the writing of
the tenth county of a roll-up (bench/bench_rollup.py); the cache is given back after.

The commit of such a write need not wait for the WAL to be copied into the database
file either (a tenth of a county's import in a city's database): the automatic
checkpoint is off within the block, and the copy is made after it by a thread of its own
(``Database.checkpoint_in_background``; SQLite runs it without holding the interpreter,
and closing the database waits for it). A server register keeps its own cache and log
(nothing to do).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from safecredit_desktop.core.storage import dialect
from safecredit_desktop.core.storage.connection import Database

BULK_CACHE_KIB = 128 * 1024


@contextmanager
def larger_cache(db: Database, kib: int = BULK_CACHE_KIB) -> Iterator[None]:
    """``db``'s page cache at least ``kib`` KiB within the block, as it was after it."""
    if db.engine != dialect.SQLITE:
        yield
        return
    before = int(db.conn.execute("PRAGMA cache_size").fetchone()[0])
    # a negative size is KiB, a positive one pages
    page_kib = int(db.conn.execute("PRAGMA page_size").fetchone()[0]) / 1024
    if (-before if before < 0 else before * page_kib) >= kib:
        yield
        return
    db.conn.execute(f"PRAGMA cache_size = -{int(kib)}")
    pages = int(db.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
    db.conn.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield
    finally:
        db.conn.execute(f"PRAGMA cache_size = {before}")
        db.conn.execute(f"PRAGMA wal_autocheckpoint = {pages}")
        db.checkpoint_in_background()
