"""``safecredit``: the command line over the same services as the window (cli.md)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from safecredit_desktop import __version__
from safecredit_desktop.core import services
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.paths import default_database_path

PASSWORD_ENV = "SAFECREDIT_PASSWORD"
EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2

Handler = Callable[[argparse.Namespace], int]


class Parser(argparse.ArgumentParser):
    """argparse with Chinese usage errors (exit 2, as for any wrong usage)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"用法错误：{message}\n")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def acting_user(args: argparse.Namespace) -> str:
    return args.user or f"命令行:{_os_user()}"


def _password(prompt: str) -> str:
    value = os.environ.get(PASSWORD_ENV)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise SafeCreditError(f"需要密码：请在终端输入，或设置环境变量 {PASSWORD_ENV}。")
    return getpass.getpass(prompt)


def _db_path(args: argparse.Namespace) -> Path:
    return Path(args.db) if args.db else default_database_path()


def _signed_in(args: argparse.Namespace, *roles: Role) -> services.Session:
    """A session of ``--user`` with its password, holding one of ``roles``."""
    if not args.user:
        names = "或".join(r.value for r in roles)
        raise SafeCreditError(f"此操作需要{names}：请用 --user 指定用户并输入密码。")
    session = services.sign_in(_db_path(args), args.user, _password(f"{args.user} 的密码："))
    try:
        services.require_role(session, *roles)
    except BaseException:
        session.close()
        raise
    return session


# -- commands ----------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    admin = None
    if args.admin:
        admin = (args.admin, _password(f"管理员 {args.admin} 的密码："))
    session = services.init_database(
        _db_path(args),
        profile=args.profile,
        bureau_name=args.unit,
        user=acting_user(args),
        admin=admin,
        upper_email=args.email or "",
    )
    profile = session.profile
    session.close()
    print(f"已新建数据库：{_db_path(args)}")
    print(f"单位：{args.unit.strip()}；信用规则：{profile.name}（{profile.title}）")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    report = services.check_database(_db_path(args))
    print(f"数据库：{_db_path(args)}（数据结构版本 {report.schema_version}）")
    for label, count in report.counts.items():
        print(f"  {label}：{count} 条")
    print(f"  审计日志：{report.audit_entries} 条")
    if report.ok:
        print("检查通过：完整性、外键和审计日志链均正常。")
        return EXIT_OK
    print("检查发现问题：", file=sys.stderr)
    for problem in report.problems:
        print(f"  - {problem}", file=sys.stderr)
    return EXIT_REFUSED


def cmd_backup(args: argparse.Namespace) -> int:
    copy = services.backup_now(
        _db_path(args), to=Path(args.to) if args.to else None, user=acting_user(args)
    )
    print(f"已备份到：{copy}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    path, candidate = _db_path(args), Path(args.path)
    services.check_restore_candidate(candidate)
    user = acting_user(args)
    if services.database_has_admin(path):
        session = _signed_in(args, Role.ADMIN)
        user = session.user
        session.close()
    safety = services.restore_from(path, candidate, user=user)
    print(f"已从 {candidate} 恢复。恢复前的数据库已备份到：{safety}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    session = services.open_session(_db_path(args), user=acting_user(args))
    try:
        result = services.fill_demo(session, enterprises=args.enterprises, seed=args.seed)
    finally:
        session.close()
    print("已生成演示数据：")
    for label, count in result.counts.items():
        print(f"  {label}：{count} 条")
    return EXIT_OK


def cmd_users(args: argparse.Namespace) -> int:
    path = _db_path(args)
    if args.users_command == "list":
        for user in services.users_of(path):
            state = "在用" if user.active else "停用"
            print(f"{user.username}\t{user.role.value}\t{user.display_name}\t{state}")
        return EXIT_OK
    password = _password(f"{args.name} 的新密码：")
    if args.users_command == "add":
        services.add_user(
            path, acting_user(args), args.name, password, Role(args.role), args.display_name or ""
        )
        print(f"已添加用户 {args.name}（{args.role}）。")
    else:
        services.reset_user_password(path, acting_user(args), args.name, password)
        print(f"已重设用户 {args.name} 的密码。")
    return EXIT_OK


# -- parser ------------------------------------------------------------------------------


def build_parser() -> Parser:
    parser = Parser(prog="safecredit", description="安全生产信用分级分类监管系统（命令行）")
    parser.add_argument("--version", action="version", version=f"safecredit {__version__}")
    parser.add_argument("--db", help="数据库文件（默认：$SAFECREDIT_DB 或用户数据目录）")
    parser.add_argument("--user", help="操作用户（默认：命令行:<系统用户名>）")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True

    p = sub.add_parser("init", help="新建数据库")
    p.add_argument("--profile", required=True, help="fenghuang、kundulun、suizhou 或规则文件路径")
    p.add_argument("--unit", required=True, help="单位名称，如 凤凰县应急管理局")
    p.add_argument("--admin", help="同时创建的管理员用户名（密码在终端输入）")
    p.add_argument("--email", help="上级单位电子邮箱")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("check", help="完整性与审计日志检查")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("backup", help="在线备份数据库")
    p.add_argument("--to", help="备份文件路径（默认：数据库旁的 .backups 目录）")
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("restore", help="从备份恢复（先检查备份，并备份当前数据库）")
    p.add_argument("path", help="备份文件")
    p.set_defaults(handler=cmd_restore)

    p = sub.add_parser("demo", help="生成演示数据")
    p.add_argument("--enterprises", type=int, required=True, help="企业数量")
    p.add_argument("--seed", type=int, default=1, help="随机种子（相同种子生成相同数据）")
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("users", help="用户管理")
    users_sub = p.add_subparsers(dest="users_command", metavar="add|list|reset-password")
    users_sub.required = True
    u = users_sub.add_parser("add", help="添加用户")
    u.add_argument("name")
    u.add_argument("--role", required=True, choices=[r.value for r in Role])
    u.add_argument("--display-name")
    users_sub.add_parser("list", help="列出用户")
    u = users_sub.add_parser("reset-password", help="重设密码（持有数据库文件者可用）")
    u.add_argument("name")
    p.set_defaults(handler=cmd_users)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except SafeCreditError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
