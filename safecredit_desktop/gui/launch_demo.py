"""``make run``: create a demo database in the user data folder if there is none, then open."""

from __future__ import annotations

import sys

from safecredit_desktop.core import app as core
from safecredit_desktop.core.paths import default_database_path
from safecredit_desktop.gui.app import main

DEMO_ENTERPRISES = 2000
DEMO_ADMIN, DEMO_PASSWORD = "管理员", "demo1234"


def ensure_demo_database() -> None:
    path = default_database_path()
    if path.exists():
        return
    print(f"首次运行：在 {path} 新建演示数据库（{DEMO_ENTERPRISES} 家企业）…", flush=True)
    session = core.init_database(
        path,
        profile="fenghuang",
        bureau_name="凤凰县应急管理局（演示）",
        user=DEMO_ADMIN,
        admin=(DEMO_ADMIN, DEMO_PASSWORD),
    )
    try:
        core.fill_demo(session, enterprises=DEMO_ENTERPRISES, seed=1)
    finally:
        session.close()
    # init_database makes the first administrator a 审核员 too: the demo's only user can
    # confirm the annual assessment (a small office)
    print(f"演示数据库的管理员（兼审核员）：{DEMO_ADMIN}，密码：{DEMO_PASSWORD}", flush=True)


if __name__ == "__main__":
    ensure_demo_database()
    print(f"登录演示数据库：用户名 {DEMO_ADMIN}，密码 {DEMO_PASSWORD}", flush=True)
    sys.exit(main([sys.argv[0], str(default_database_path())]))
