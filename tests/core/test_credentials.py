"""Who acts (cli.md): ``--user`` needs its password, reserved actions need their role,
user management needs an administrator once there is one, recovery codes; and the
credential holes of issue 16 (malformed hashes, scrypt cost, read-only lock-out).

The command line is driven as a user drives it: a subprocess, stdin not a terminal,
the password from $SAFECREDIT_PASSWORD (or none).
"""

from __future__ import annotations

import getpass
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core import auth
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.storage import safety
from safecredit_desktop.core.storage import users as user_store
from safecredit_desktop.core.storage.connection import Database

CLI = [sys.executable, "-m", "safecredit_desktop.cli"]
PASSWORDS = {"boss": "boss-pass-1", "rita": "rita-pass-1", "carl": "carl-pass-1"}
ROLES = {"boss": Role.ADMIN, "rita": Role.REVIEWER, "carl": Role.CLERK}
OS_USER = f"命令行:{getpass.getuser()}"


def run(
    db: Path, *args: str, password: str | None = None, new_password: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``safecredit --db DB ARGS`` with no terminal; the passwords only from variables."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SAFECREDIT_PASSWORD", "SAFECREDIT_NEW_PASSWORD")
    }
    if password is not None:
        env["SAFECREDIT_PASSWORD"] = password
    if new_password is not None:
        env["SAFECREDIT_NEW_PASSWORD"] = new_password
    done = subprocess.run(
        [*CLI, "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def refused(done: subprocess.CompletedProcess[str], *words: str) -> str:
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert done.stderr.splitlines()[-1].startswith("错误："), done.stderr  # after any 警告
    for word in words:
        assert word in done.stderr, done.stderr
    return done.stderr


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def audit_users(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [str(r[0]) for r in conn.execute("SELECT user FROM audit_log ORDER BY id")]
    finally:
        conn.close()


def user_row(db: Path, name: str) -> tuple[object, ...]:
    conn = sqlite3.connect(db)
    try:
        row = conn.execute(
            "SELECT roles, active, failed_attempts, locked_until, password_hash, recovery_hash"
            " FROM users WHERE username = ?",
            (name,),
        ).fetchone()
    finally:
        conn.close()
    return tuple(row)


@pytest.fixture
def county(tmp_path: Path) -> Path:
    """Five demo units, an administrator, a reviewer and a clerk."""
    db = tmp_path / "county.db"
    session = core.init_database(
        db,
        profile="fenghuang",
        bureau_name="凤凰县应急管理局",
        user="测试",
        admin=("boss", PASSWORDS["boss"]),
    )
    try:
        session.role = Role.ADMIN
        core.fill_demo(session, enterprises=5, seed=2)
        for name in ("rita", "carl"):
            session.accounts.create_user(name, PASSWORDS[name], ROLES[name])
    finally:
        session.close()
    return db


# -- who acts ----------------------------------------------------------------------------------


def test_without_user_a_command_acts_as_the_system_user(county: Path) -> None:
    ok(run(county, "backup", "--to", str(county.parent / "b.db")))
    assert audit_users(county)[-1] == OS_USER


def test_user_needs_its_password_even_for_an_open_command(county: Path) -> None:
    """Before: ``--user rita`` was taken on trust, so anyone could act in her name."""
    before = audit_users(county)
    refused(run(county, "--user", "rita", "due", password="not-hers-1"), "用户名或密码不正确")
    refused(run(county, "--user", "nobody", "due", password="whatever-1"), "用户名或密码不正确")
    assert audit_users(county) == before
    ok(
        run(
            county,
            "--user",
            "rita",
            "backup",
            "--to",
            str(county.parent / "b.db"),
            password=PASSWORDS["rita"],
        )
    )
    assert audit_users(county)[-1] == "rita"


def test_no_terminal_and_no_variable_is_refused(county: Path) -> None:
    text = refused(run(county, "--user", "rita", "due"), "需要密码", "SAFECREDIT_PASSWORD")
    assert "终端" in text


def test_wrong_passwords_lock_the_account_as_in_the_window(county: Path) -> None:
    for _ in range(auth.MAX_FAILURES):
        refused(run(county, "--user", "carl", "due", password="wrong-pass"), "不正确")
    refused(run(county, "--user", "carl", "due", password=PASSWORDS["carl"]), "锁定")
    with pytest.raises(SafeCreditError, match="锁定"):  # the window sees the same lock
        core.sign_in(county, "carl", PASSWORDS["carl"])


def test_reserved_actions_need_the_role_with_its_password(county: Path) -> None:
    refused(run(county, "assess", "--year", "2026", "--confirm"), "--user")
    refused(
        run(
            county,
            "--user",
            "carl",
            "assess",
            "--year",
            "2026",
            "--confirm",
            password=PASSWORDS["carl"],
        ),
        "审核员",
    )
    refused(
        run(
            county, "--user", "rita", "assess", "--year", "2026", "--confirm", password="wrong-pass"
        ),
        "不正确",
    )
    ok(
        run(
            county,
            "--user",
            "rita",
            "assess",
            "--year",
            "2026",
            "--confirm",
            password=PASSWORDS["rita"],
        )
    )


def test_the_measured_hole_is_closed(county: Path) -> None:
    """``SAFECREDIT_PASSWORD=x safecredit users add mallory --role 审核员`` made a reviewer
    without any credential, who could then confirm and restore."""
    copy = county.parent / "copy.db"
    ok(run(county, "backup", "--to", str(copy)))
    refused(
        run(county, "users", "add", "mallory", "--role", "审核员", password="mallory-1"),
        "管理员",
        "--user",
    )
    refused(
        run(
            county,
            "--user",
            "carl",
            "users",
            "add",
            "mallory",
            "--role",
            "审核员",
            password=PASSWORDS["carl"],
            new_password="mallory-1",
        ),
        "管理员",
    )
    refused(
        run(
            county,
            "--user",
            "mallory",
            "assess",
            "--year",
            "2026",
            "--confirm",
            password="mallory-1",
        ),
        "不正确",
    )
    refused(run(county, "restore", str(copy)), "管理员")
    refused(
        run(county, "--user", "rita", "restore", str(copy), password=PASSWORDS["rita"]), "管理员"
    )
    assert [u.username for u in core.users_of(county)] == ["boss", "carl", "rita"]
    ok(
        run(
            county,
            "--user",
            "boss",
            "users",
            "add",
            "mallory",
            "--role",
            "审核员",
            password=PASSWORDS["boss"],
            new_password="mallory-1",
        )
    )
    assert audit_users(county)[-1] == "boss"


def test_new_password_does_not_reuse_the_administrators(county: Path) -> None:
    """$SAFECREDIT_PASSWORD holds the acting administrator's password; the new user's
    must come from $SAFECREDIT_NEW_PASSWORD or the terminal."""
    text = refused(
        run(
            county,
            "--user",
            "boss",
            "users",
            "add",
            "dan",
            "--role",
            "录入员",
            password=PASSWORDS["boss"],
        ),
        "SAFECREDIT_NEW_PASSWORD",
    )
    assert "dan" in text
    assert "dan" not in [u.username for u in core.users_of(county)]


def test_reset_password_needs_an_administrator_and_clears_the_lock(county: Path) -> None:
    refused(run(county, "users", "reset-password", "boss", password="takeover-1"), "管理员")
    for _ in range(auth.MAX_FAILURES):
        refused(run(county, "--user", "carl", "due", password="wrong-pass"), "不正确")
    assert user_row(county, "carl")[3] is not None  # locked
    ok(
        run(
            county,
            "--user",
            "boss",
            "users",
            "reset-password",
            "carl",
            password=PASSWORDS["boss"],
            new_password="carl-pass-2",
        )
    )
    assert user_row(county, "carl")[3] is None
    ok(run(county, "--user", "carl", "due", password="carl-pass-2"))


def test_without_an_administrator_users_add_needs_no_credential(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    ok(run(db, "init", "--profile", "fenghuang", "--unit", "凤凰县应急管理局"))
    out = ok(run(db, "users", "add", "first", "--role", "管理员", password="first-pass"))
    assert "恢复码" in out and "只显示这一次" in out
    refused(run(db, "users", "add", "second", "--role", "管理员", password="second-pass"), "管理员")
    # the new administrator signs in with the password given
    ok(
        run(
            db,
            "--user",
            "first",
            "users",
            "add",
            "second",
            "--role",
            "录入员",
            password="first-pass",
            new_password="second-pass",
        )
    )


def test_init_with_admin_prints_the_recovery_code_once(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    out = ok(
        run(
            db,
            "init",
            "--profile",
            "fenghuang",
            "--unit",
            "凤凰县应急管理局",
            "--admin",
            "boss",
            password="boss-pass-1",
        )
    )
    code = next(line.split("：", 1)[1] for line in out.splitlines() if "恢复码：" in line)
    roles, _active, _f, _l, _hash, stored = user_row(db, "boss")
    assert roles == "管理员,审核员"  # the first administrator also reviews (a small office)
    assert code not in str(stored) and auth.verify_recovery_code(code, str(stored))
    refused(
        run(
            db,
            "--user",
            "boss",
            "init",
            "--profile",
            "fenghuang",
            "--unit",
            "x",
            password="boss-pass-1",
        ),
        "--user",
    )


def test_roles_are_a_set(county: Path) -> None:
    ok(
        run(
            county,
            "--user",
            "boss",
            "users",
            "set-role",
            "rita",
            "管理员,审核员",
            password=PASSWORDS["boss"],
        )
    )
    listed = ok(run(county, "users", "list"))
    assert "rita\t管理员,审核员" in listed
    # reviewer work and administrator work, with one password
    ok(
        run(
            county,
            "--user",
            "rita",
            "assess",
            "--year",
            "2026",
            "--confirm",
            password=PASSWORDS["rita"],
        )
    )
    ok(run(county, "--user", "rita", "users", "deactivate", "carl", password=PASSWORDS["rita"]))
    session = core.sign_in(county, "rita", PASSWORDS["rita"])
    try:
        assert session.roles == {Role.ADMIN, Role.REVIEWER}
        assert session.has_role(Role.REVIEWER) and session.role is Role.ADMIN
    finally:
        session.close()
    refused(
        run(
            county,
            "--user",
            "boss",
            "users",
            "set-role",
            "carl",
            "主任",
            password=PASSWORDS["boss"],
        ),
        "主任",
    )


def test_last_active_administrator_stays(county: Path) -> None:
    boss = ("--user", "boss")
    pw = PASSWORDS["boss"]
    refused(run(county, *boss, "users", "deactivate", "boss", password=pw), "唯一", "管理员")
    refused(run(county, *boss, "users", "set-role", "boss", "审核员", password=pw), "唯一")
    ok(run(county, *boss, "users", "set-role", "rita", "管理员", password=pw))
    ok(run(county, *boss, "users", "set-role", "boss", "审核员", password=pw))  # rita remains
    assert user_row(county, "boss")[0] == "审核员"


def test_a_deactivated_user_cannot_sign_in(county: Path) -> None:
    ok(run(county, "--user", "boss", "users", "deactivate", "carl", password=PASSWORDS["boss"]))
    refused(run(county, "--user", "carl", "due", password=PASSWORDS["carl"]), "已停用")
    with pytest.raises(SafeCreditError, match="已停用"):
        core.sign_in(county, "carl", PASSWORDS["carl"])
    assert "carl\t录入员\t\t停用" in ok(run(county, "users", "list"))
    ok(run(county, "--user", "boss", "users", "activate", "carl", password=PASSWORDS["boss"]))
    core.sign_in(county, "carl", PASSWORDS["carl"]).close()


# -- recovery codes ----------------------------------------------------------------------------


def recovery_code_of(output: str) -> str:
    return next(line.split("：", 1)[1] for line in output.splitlines() if "的恢复码：" in line)


def test_recovery_resets_a_forgotten_password_and_is_announced(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    first = recovery_code_of(
        ok(
            run(
                db,
                "init",
                "--profile",
                "fenghuang",
                "--unit",
                "凤凰县应急管理局",
                "--admin",
                "boss",
                password="boss-pass-1",
            )
        )
    )
    second = recovery_code_of(
        ok(
            run(
                db,
                "--user",
                "boss",
                "users",
                "add",
                "anna",
                "--role",
                "管理员",
                password="boss-pass-1",
                new_password="anna-pass-1",
            )
        )
    )
    refused(
        run(db, "users", "recover", "--code", second, "boss", new_password="boss-new-1"),
        "恢复码不正确",
    )  # anna's code is not boss's
    refused(run(db, "users", "recover", "--code", first, "boss", new_password="short"), "8")
    out = ok(
        run(
            db,
            "users",
            "recover",
            "--code",
            first.lower().replace("-", " "),
            "boss",
            new_password="boss-new-1",
        )
    )
    assert "已用恢复码重设" in out
    fresh = recovery_code_of(out)
    assert fresh != first
    refused(
        run(db, "users", "recover", "--code", first, "boss", new_password="boss-new-2"),
        "恢复码不正确",
    )  # a used code no longer works
    # announced on every opening, by anyone, until an administrator acknowledges it
    for _ in range(2):
        warned = run(db, "due")
        assert warned.returncode == 0
        assert "警告：管理员“boss”的密码已于" in warned.stderr, warned.stderr
        assert "users recover --acknowledge" in warned.stderr
    refused(
        run(db, "--user", "boss", "users", "recover", "--acknowledge", password="boss-new-1"),
        "另一位管理员",
        "anna",
    )
    ok(run(db, "--user", "anna", "users", "recover", "--acknowledge", password="anna-pass-1"))
    assert "警告" not in run(db, "due").stderr
    ok(run(db, "--user", "boss", "due", password="boss-new-1"))
    conn = sqlite3.connect(db)
    actions = conn.execute(
        "SELECT user, action, table_name FROM audit_log WHERE table_name = 'account_recoveries'"
    ).fetchall()
    conn.close()
    assert actions == [
        (OS_USER, "insert", "account_recoveries"),
        ("anna", "update", "account_recoveries"),
    ]
    assert core.check_database(db).ok


def test_recovery_only_for_administrators_with_a_code(county: Path) -> None:
    refused(
        run(
            county,
            "users",
            "recover",
            "--code",
            "AAAAA-AAAAA-AAAAA-AAAAA",
            "carl",
            new_password="carl-new-1",
        ),
        "恢复码不正确",
    )
    refused(run(county, "users", "recover", "carl"), "--code")
    refused(run(county, "users", "recover", "--acknowledge"), "--user")


def test_sole_administrator_acknowledges_their_own_recovery(tmp_path: Path) -> None:
    db = tmp_path / "one.db"
    session = core.init_database(
        db, profile="fenghuang", bureau_name="局", user="测试", admin=("boss", "boss-pass-1")
    )
    code = session.recovery_code
    session.close()
    assert code
    core.recover_admin(db, "boss", code, "boss-pass-2", actor="测试")
    signed = core.sign_in(db, "boss", "boss-pass-2")
    try:
        assert any("用恢复码重设" in w for w in signed.warnings)
        assert signed.accounts.acknowledge_recoveries() == 1
        assert signed.accounts.pending_recoveries() == []
    finally:
        signed.close()


def test_wrong_recovery_codes_count_towards_the_lock(county: Path) -> None:
    conn = sqlite3.connect(county)
    (stored,) = conn.execute("SELECT recovery_hash FROM users WHERE username = 'boss'").fetchone()
    conn.close()
    assert stored
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(SafeCreditError, match="恢复码不正确"):
            core.recover_admin(county, "boss", "WRONG-CODE", "boss-new-11", actor="x")
    with pytest.raises(SafeCreditError, match="锁定"):
        core.sign_in(county, "boss", PASSWORDS["boss"])


# -- restore -----------------------------------------------------------------------------------


def test_restore_of_a_damaged_database_asks_the_backups_administrator(county: Path) -> None:
    copy = county.parent / "good.db"
    ok(run(county, "backup", "--to", str(copy)))
    county.write_bytes(b"this is not a database any more" * 100)
    for side in ("-wal", "-shm"):
        Path(f"{county}{side}").unlink(missing_ok=True)
    refused(run(county, "restore", str(copy)), "管理员")
    refused(
        run(county, "--user", "rita", "restore", str(copy), password=PASSWORDS["rita"]),
        "不是管理员",
    )
    refused(run(county, "--user", "boss", "restore", str(copy), password="wrong-pass"), "不正确")
    assert not copy.with_name("good.db-wal").exists()  # the backup was only read
    ok(run(county, "--user", "boss", "restore", str(copy), password=PASSWORDS["boss"]))
    assert core.check_database(county).ok
    assert audit_users(county)[-1] == "boss"


def test_restore_of_a_damaged_database_without_administrator(tmp_path: Path) -> None:
    db = tmp_path / "plain.db"
    core.init_database(db, profile="fenghuang", bureau_name="局", user="测试").close()
    copy = tmp_path / "copy.db"
    ok(run(db, "backup", "--to", str(copy)))
    db.write_bytes(b"garbage" * 1000)
    ok(run(db, "restore", str(copy)))


def test_read_only_backup_check_counts_failures_in_memory(county: Path) -> None:
    copy = county.parent / "good.db"
    core.backup_now(county, to=copy, user="测试")
    damaged = county.parent / "damaged.db"
    damaged.write_bytes(b"x" * 4096)
    digest = copy.read_bytes()
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(SafeCreditError, match="不正确"):
            core.verify_restore_user(damaged, copy, "boss", "wrong-pass")
    with pytest.raises(SafeCreditError, match="锁定"):
        core.verify_restore_user(damaged, copy, "boss", PASSWORDS["boss"])
    assert copy.read_bytes() == digest
    user_store.forget_in_memory_failures()
    assert core.verify_restore_user(damaged, copy, "boss", PASSWORDS["boss"]) == "boss"


# -- importing 信用修复 and 执法人员 ------------------------------------------------------------


def repair_book(db: Path, folder: Path) -> Path:
    """A penalty of two years ago, and a workbook with one 信用修复 row erasing it (a
    made-up 批准文号)."""
    from safecredit_desktop.core.model import Penalty, PenaltyDepartment

    decided = datetime.now().date() - timedelta(days=730)
    session = core.open_session(db, user="测试")
    try:
        unit_id, uscc = session.db.conn.execute(
            "SELECT id, uscc FROM units ORDER BY uscc LIMIT 1"
        ).fetchone()
        doc_no = "凤应急罚〔2024〕77号"
        session.records.save(
            Penalty(unit_id, doc_no, decided, PenaltyDepartment.EMERGENCY, "未整改")
        )
    finally:
        session.close()
    approved = datetime.now().date() - timedelta(days=1)
    book = folder / "repair.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "信用修复"
    ws.append(["统一社会信用代码", "修复对象类型", "决定书文号", "批准日期", "批准文号"])
    ws.append([uscc, "行政处罚", doc_no, approved.isoformat(), "凤应急修〔2026〕99号"])
    wb.save(book)
    return book


def test_importing_a_repair_needs_a_reviewer(county: Path) -> None:
    """Before: anyone could erase a penalty by importing a repair row."""
    book = repair_book(county, county.parent)
    ok(run(county, "import", str(book), "--dry-run"))  # checking it is open to all
    refused(run(county, "import", str(book)), "信用修复", "审核员或管理员", "没有导入任何数据")
    refused(
        run(county, "--user", "carl", "import", str(book), password=PASSWORDS["carl"]),
        "审核员或管理员",
    )
    conn = sqlite3.connect(county)
    assert conn.execute("SELECT count(*) FROM repairs").fetchone() == (0,)
    conn.close()
    assert not list((county.parent / "county.db.backups").glob("*before-import*"))
    out = ok(run(county, "--user", "rita", "import", str(book), password=PASSWORDS["rita"]))
    assert "信用修复" in out
    conn = sqlite3.connect(county)
    assert conn.execute("SELECT count(*) FROM repairs").fetchone() == (1,)
    conn.close()
    # importing the same row again changes nothing, so anyone may
    ok(run(county, "import", str(book)))


def test_importing_inspectors_needs_a_reviewer(session: core.Session, tmp_path: Path) -> None:
    book = tmp_path / "roster.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "执法人员"
    ws.append(["执法证号", "姓名", "所属单位"])
    ws.append(["43312320259999", "张执法", "凤凰县应急管理局"])
    wb.save(book)
    assert session.role is Role.CLERK
    with pytest.raises(SafeCreditError, match=r"执法人员.*审核员或管理员"):
        session.exchange.import_workbook(book, dry_run=False, accept_bad_check=False)
    assert session.db.conn.execute("SELECT count(*) FROM inspectors").fetchone() == (0,)
    session.role = Role.REVIEWER
    session.exchange.import_workbook(book, dry_run=False, accept_bad_check=False)
    assert session.db.conn.execute("SELECT count(*) FROM inspectors").fetchone() == (1,)


# -- the small holes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stored",
    [
        "not-a-hash",
        "scrypt$abc$8$1$00$00",
        "scrypt$16384$8$1$zz$00",
        "scrypt$1000$8$1$0011$" + "00" * 32,  # N not a power of two
        "scrypt$1073741824$8$1$0011$" + "00" * 32,  # 128 GiB: refused, not tried
        "bcrypt$2b$12$abcdefghijklmnopqrstuv",
    ],
)
def test_malformed_hash_is_a_refused_sign_in(county: Path, stored: str) -> None:
    conn = sqlite3.connect(county)
    conn.execute("UPDATE users SET password_hash = ? WHERE username = 'carl'", (stored,))
    conn.commit()
    conn.close()
    with pytest.raises(SafeCreditError, match="密码记录已损坏") as refusal:
        core.sign_in(county, "carl", PASSWORDS["carl"])
    assert "重设密码" in refusal.value.message
    refused(run(county, "--user", "carl", "due", password=PASSWORDS["carl"]), "密码记录已损坏")
    # an administrator can repair it
    admin = core.sign_in(county, "boss", PASSWORDS["boss"])
    try:
        admin.accounts.set_password("carl", "carl-pass-9")
    finally:
        admin.close()
    core.sign_in(county, "carl", "carl-pass-9").close()


def test_new_passwords_need_eight_characters(county: Path) -> None:
    admin = core.sign_in(county, "boss", PASSWORDS["boss"])
    try:
        with pytest.raises(SafeCreditError, match="至少需要 8 个字符"):
            admin.accounts.create_user("dan", "1234567", Role.CLERK)
        with pytest.raises(SafeCreditError, match="至少需要 8 个字符"):
            admin.accounts.set_password("carl", "abc-12")
        admin.accounts.create_user("dan", "12345678", Role.CLERK)
    finally:
        admin.close()


PRODUCT_COST = """
import os, sys
os.environ.pop("SAFECREDIT_TEST_ONLY_SCRYPT_LOG2N", None)
from pathlib import Path
from safecredit_desktop.core import auth
from safecredit_desktop.core import app as core
assert auth.current_cost() == auth.Cost(2**17, 8, 1)
core.sign_in(Path(sys.argv[1]), "old", "secret")  .close()
"""


def test_product_cost_is_2_17_and_old_hashes_are_upgraded(tmp_path: Path) -> None:
    """An old 6-character password hashed at N=2^14 still signs in; the hash is then
    replaced by one at the product's N=2^17 (which needs maxmem raised to 128 MiB)."""
    db = tmp_path / "old.db"
    core.init_database(db, profile="fenghuang", bureau_name="局", user="测试").close()
    old_hash = auth.hash_password("secret", auth.Cost(2**14, 8, 1))
    conn = sqlite3.connect(db)
    conn.execute(
        "INSERT INTO users (username, roles, password_hash, created_at)"
        " VALUES ('old', '录入员', ?, '2025-01-01T00:00:00')",
        (old_hash,),
    )
    conn.commit()
    conn.close()
    env = {k: v for k, v in os.environ.items() if k != auth.TEST_COST_VARIABLE}
    done = subprocess.run(
        [sys.executable, "-c", PRODUCT_COST, str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    stored = str(user_row(db, "old")[4])
    assert stored.startswith("scrypt$131072$8$1$")
    assert auth.verify_password("secret", stored)
    assert not auth.needs_rehash(stored)
    conn = sqlite3.connect(db)
    (detail,) = conn.execute(
        "SELECT after FROM audit_log WHERE table_name = 'users' AND after LIKE '%密码存储%'"
    ).fetchone()
    conn.close()
    assert "重新计算" in detail


def test_tests_run_at_a_lower_cost_only_through_the_variable() -> None:
    assert os.environ[auth.TEST_COST_VARIABLE] == "10"
    assert auth.current_cost().n == 2**10
    assert auth.DEFAULT_LOG2_N == 17 and auth.MIN_PASSWORD_LENGTH == 8


def test_read_only_sign_in_counts_failures_in_memory(
    county: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(safety, "network_location", lambda path: "nfs 网络文件系统")
    before = county.read_bytes()
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(SafeCreditError, match="不正确"):
            core.sign_in(county, "carl", "wrong-pass")
    with pytest.raises(SafeCreditError, match="锁定"):
        core.sign_in(county, "carl", PASSWORDS["carl"])
    core.sign_in(county, "rita", PASSWORDS["rita"]).close()  # others are not locked
    assert county.read_bytes() == before
    user_store.forget_in_memory_failures()
    core.sign_in(county, "carl", PASSWORDS["carl"]).close()


def test_lock_expires_after_five_minutes(county: Path) -> None:
    db = Database.open(county)
    try:
        start = datetime(2026, 11, 21, 9, 0)
        for _ in range(auth.MAX_FAILURES):
            with pytest.raises(SafeCreditError, match="不正确"):
                user_store.authenticate(db, "carl", "wrong-pass", now=start)
        with pytest.raises(SafeCreditError, match="09:05"):
            user_store.authenticate(db, "carl", PASSWORDS["carl"], now=start)
        later = start + timedelta(seconds=auth.LOCKOUT_SECONDS + 1)
        assert user_store.authenticate(db, "carl", PASSWORDS["carl"], now=later).username == "carl"
    finally:
        db.close()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("--unit", "凤凰县应急管理局\r\nBcc: x@example.com"),
        ("--unit", "凤凰县\t应急管理局"),
        ("--email", "city@example.com\nBcc: x@example.com"),
        ("--admin", "bo\nss"),
        ("--admin", "bo\u202ess"),
    ],
)
def test_init_refuses_control_characters(tmp_path: Path, field: str, value: str) -> None:
    db = tmp_path / "cr.db"
    args = {"--unit": "凤凰县应急管理局", "--email": "city@example.com", "--admin": "boss"}
    args[field] = value
    flat = [part for pair in args.items() for part in pair]
    text = refused(
        run(db, "init", "--profile", "fenghuang", *flat, password="boss-pass-1"), "控制字符"
    )
    assert "Traceback" not in text
    assert not db.exists()


# -- the database and what the program writes stay private ------------------------------------


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_an_existing_0644_database_becomes_private_on_opening(county: Path) -> None:
    for path in (county, Path(f"{county}-wal"), Path(f"{county}-shm")):
        if path.exists():
            os.chmod(path, 0o644)
    session = core.open_session(county, user="测试")
    try:
        assert mode(county) == 0o600
        assert mode(Path(f"{county}-wal")) == 0o600
        assert mode(Path(f"{county}-shm")) == 0o600
    finally:
        session.close()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_an_upgraded_0644_database_and_its_backup_are_private(tmp_path: Path) -> None:
    from safecredit_desktop.core.paths import install_root

    db = tmp_path / "v6.db"
    shutil.copyfile(install_root() / "db" / "samples" / "v6.db", db)
    os.chmod(db, 0o644)
    old = os.umask(0)
    try:
        core.sign_in(db, "管理员", "sample-pw").close()
    finally:
        os.umask(old)
    assert mode(db) == 0o600
    (upgrade,) = (tmp_path / "v6.db.backups").glob("*upgrade-v6*")
    assert mode(upgrade) == 0o600 and mode(upgrade.parent) == 0o700


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_pdfs_workbooks_and_drafts_are_private_under_umask_0(county: Path, tmp_path: Path) -> None:
    from safecredit_desktop.cli import main

    conn = sqlite3.connect(county)
    (uscc,) = conn.execute("SELECT uscc FROM units ORDER BY uscc LIMIT 1").fetchone()
    conn.close()
    pdf = tmp_path / "notice.pdf"
    old = os.umask(0)
    hooks = list(core.OPEN_WARNING_HOOKS)
    try:
        code = main(
            ["--db", str(county), "print", "grade-notice", "--uscc", uscc, "--out", str(pdf)]
        )
        assert code == 0
        session = core.open_session(county, user="测试")
        try:
            book = session.exchange.export_all_data(tmp_path / "all.xlsx", include_id=False)
            stats = session.reports.export_stats(
                tmp_path / "stats.xlsx",
                as_of=datetime(2026, 11, 21).date(),
                reporter_name="张三",
            )
            draft = session.reports.write_mail_draft(stats, tmp_path / "stats.eml")
        finally:
            session.close()
        written = core.write_private_file(tmp_path / "other.pdf", b"%PDF-1.4\n%%EOF\n")
    finally:
        os.umask(old)
        core.OPEN_WARNING_HOOKS[:] = hooks
    assert pdf.read_bytes().startswith(b"%PDF")
    for path in (pdf, tmp_path / "all.xlsx", stats, draft, written):
        assert mode(path) == 0o600, (path.name, oct(mode(path)))
    del book
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
