"""Opening a second connection keeps the first one's lock on the file.

Closing any descriptor of a file drops every POSIX lock the process holds on it. The
header check of ``Database.open`` read the file with Python, so a second connection of
the same process (``session.reopen()``, for every job of the window) dropped the first
one's SHARED lock — and the next program to close its own connection (the CLI, the
import's planning worker) found itself the last one, checkpointed and deleted the WAL
and its index under the window: "disk I/O error" on the window's next opening.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from safecredit_desktop.core import app as core

OTHER_PROGRAM = (
    "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
    " c.execute('SELECT count(*) FROM units').fetchone(); c.close()"
)


def test_a_second_connection_leaves_the_first_ones_lock(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    session = core.init_database(db, profile="fenghuang", bureau_name="测试县", user="甲")
    try:
        worker = session.reopen()
        worker.close()
        wal = Path(f"{db}-wal")
        assert wal.exists()
        # another program opens and closes the register while the session is open
        subprocess.run([sys.executable, "-c", OTHER_PROGRAM, str(db)], check=True)
        assert wal.exists()  # it was not the last connection: the log stays
        again = session.reopen()  # "disk I/O error" when the log was deleted
        try:
            assert again.units.count() == 0
        finally:
            again.close()
    finally:
        session.close()
