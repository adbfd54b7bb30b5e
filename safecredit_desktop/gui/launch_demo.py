"""``make run``: create a demo database in the user data folder if there is none, then open."""

from __future__ import annotations

import sys

from safecredit_desktop.core import services
from safecredit_desktop.core.paths import default_database_path
from safecredit_desktop.gui.app import main, window_user

DEMO_ENTERPRISES = 2000


def ensure_demo_database() -> None:
    path = default_database_path()
    if path.exists():
        return
    print(f"首次运行：在 {path} 新建演示数据库（{DEMO_ENTERPRISES} 家企业）…", flush=True)
    session = services.init_database(
        path, profile="fenghuang", bureau_name="凤凰县应急管理局（演示）", user=window_user()
    )
    try:
        services.fill_demo(session, enterprises=DEMO_ENTERPRISES, seed=1)
    finally:
        session.close()


if __name__ == "__main__":
    ensure_demo_database()
    sys.exit(main([sys.argv[0], str(default_database_path())]))
