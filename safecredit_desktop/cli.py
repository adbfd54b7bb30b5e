"""``safecredit``: the command line over the same Session (core.app) as the window (cli.md)."""

from __future__ import annotations

import argparse
import getpass
import multiprocessing
import os
import sqlite3
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from safecredit_desktop import __version__, cli_i18n, cli_records, cli_workflows
from safecredit_desktop.core import app as core
from safecredit_desktop.core.documents.kinds import KINDS as DOCUMENT_KINDS
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.paths import DB_ENV, default_database_path
from safecredit_desktop.core.storage.connection import PasswordNeededError
from safecredit_desktop.core.storage.location import Location, ServerLocation
from safecredit_desktop.core.storage.location import parse as parse_location
from safecredit_desktop.core.storage.users import parse_roles, roles_text

PASSWORD_ENV = "SAFECREDIT_PASSWORD"
# A new password (users add, reset-password, recover) when $SAFECREDIT_PASSWORD already
# holds the password of the administrator acting.
NEW_PASSWORD_ENV = "SAFECREDIT_NEW_PASSWORD"
EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2

Handler = Callable[[argparse.Namespace], int]


class Parser(argparse.ArgumentParser):
    """argparse with Chinese usage errors (exit 2, as for any wrong usage)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        with cli_i18n.chinese_argparse():  # also when called outside main's parse
            self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"用法错误：{cli_i18n.chinese_type_names(message)}\n")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def _anonymous() -> str:
    return f"命令行:{_os_user()}"


def acting_user(args: argparse.Namespace) -> str:
    """Who acts (cli.md "Who acts"): ``--user NAME`` after its password is checked, else
    ``命令行:<system user>`` (录入员)."""
    if not args.user:
        return _anonymous()
    verified = getattr(args, "verified_user", None)
    if verified is None:
        session = _open(args)
        session.close()
        verified = session.user
    return str(verified)


def _password(prompt: str) -> str:
    """The password of ``--user``: $SAFECREDIT_PASSWORD, else asked on the terminal."""
    value = os.environ.get(PASSWORD_ENV)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise SafeCreditError(f"需要密码：请在终端输入，或设置环境变量 {PASSWORD_ENV}。")
    return getpass.getpass(prompt)


def _new_password(name: str, *, credential_used: bool) -> str:
    """A new password for ``name``: $SAFECREDIT_NEW_PASSWORD; else $SAFECREDIT_PASSWORD
    when no one signed in with it; else typed twice on the terminal."""
    value = os.environ.get(NEW_PASSWORD_ENV)
    if value is None and not credential_used:
        value = os.environ.get(PASSWORD_ENV)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        where = NEW_PASSWORD_ENV if credential_used else f"{NEW_PASSWORD_ENV}（或 {PASSWORD_ENV}）"
        raise SafeCreditError(f"需要 {name} 的新密码：请在终端输入，或设置环境变量 {where}。")
    first = getpass.getpass(f"{name} 的新密码：")
    if getpass.getpass("再输入一次：") != first:
        raise SafeCreditError("两次输入的密码不一致，未作任何改动。")
    return first


def _db_path(args: argparse.Namespace) -> Location:
    """``--db``, else ``$SAFECREDIT_DB``, else the user data folder's file: a path or a
    PostgreSQL URL (whose password is asked once, unless libpq finds one)."""
    known: Location | None = getattr(args, "db_location", None)
    if known is None:
        text = args.db or os.environ.get(DB_ENV)
        known = _with_password(parse_location(text) if text else default_database_path())
        args.db_location = known
    return known


def _with_password(location: Location) -> Location:
    """A server location with the password it needs: from $PGPASSWORD or ~/.pgpass
    (libpq), else asked on the terminal; never stored."""
    if not isinstance(location, ServerLocation):
        return location
    try:
        core.probe_location(location)
        return location
    except PasswordNeededError as exc:
        if not sys.stdin.isatty():
            raise SafeCreditError(
                f"{exc.message}没有终端可以输入密码：请设置环境变量 PGPASSWORD，"
                "或写入 ~/.pgpass 文件。"
            ) from None
    password = getpass.getpass(f"数据库用户 {location.user}（{location.host}）的密码：")
    located = location.with_password(password)
    core.probe_location(located)
    return located


def _open(args: argparse.Namespace) -> core.Session:
    """The session a command acts in: ``--user`` signed in with its password (an unknown
    name, a wrong password or no password is refused), else ``命令行:<system user>``."""
    if not args.user:
        return core.open_session(_db_path(args), user=_anonymous())
    session = core.sign_in(_db_path(args), args.user, _password(f"{args.user} 的密码："))
    args.verified_user = session.user
    return session


def _signed_in(args: argparse.Namespace, *roles: Role) -> core.Session:
    """A session of ``--user`` with its password, holding one of ``roles``."""
    if not args.user:
        names = "或".join(r.value for r in roles)
        raise SafeCreditError(f"此操作需要{names}：请用 --user 指定用户并输入密码。")
    session = _open(args)
    try:
        session.require(*roles)
    except BaseException:
        session.close()
        raise
    return session


def _print_recovery_code(name: str, code: str) -> None:
    print(f"管理员 {name} 的恢复码：{code}")
    print(
        "恢复码只显示这一次，请抄写在纸上，与电脑分开妥善保存。忘记密码时可用"
        f" safecredit users recover --code 恢复码 {name} 重设密码。"
    )


# -- commands ----------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    if args.user:
        raise SafeCreditError(
            "新建数据库时还没有可以核对密码的用户，请去掉 --user（用 --admin 同时创建管理员）。"
        )
    admin = None
    if args.admin:
        admin = (args.admin, _new_password(f"管理员 {args.admin}", credential_used=False))
    session = core.init_database(
        _db_path(args),
        profile=args.profile,
        bureau_name=args.unit,
        user=_anonymous(),
        admin=admin,
        upper_email=args.email or "",
    )
    profile, code = session.profile, session.recovery_code
    session.close()
    print(f"已新建数据库：{_db_path(args)}")
    print(f"单位：{args.unit.strip()}；信用规则：{profile.name}（{profile.title}）")
    if admin is not None and code:
        _print_recovery_code(admin[0].strip(), code)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    report = core.check_database(_db_path(args))
    print(f"数据库：{_db_path(args)}（数据结构版本 {report.schema_version}）")
    for label, count in report.counts.items():
        print(f"  {label}：{count} 条")
    print(f"  审计日志：{report.audit_entries} 条")
    for note in report.notes:
        print(f"说明：{note}")
    if report.ok:
        print("检查通过：完整性、外键、审计日志链均正常，各表记录与审计日志一致。")
        return EXIT_OK
    print("检查发现问题：", file=sys.stderr)
    for problem in report.problems:
        print(f"  - {problem}", file=sys.stderr)
    return EXIT_REFUSED


def cmd_backup(args: argparse.Namespace) -> int:
    copy = core.backup_now(
        _db_path(args), to=Path(args.to) if args.to else None, user=acting_user(args)
    )
    print(f"已备份到：{copy}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    """Restoring needs an administrator's password once the database has one; when the
    database is damaged, the backup's own users decide (cli.md "Who acts")."""
    path, candidate = _db_path(args), Path(args.path)
    core.check_restore_candidate(candidate)
    needs_admin = core.restore_needs_admin(path, candidate)
    if needs_admin and not args.user:
        raise SafeCreditError("恢复需要管理员：请用 --user 指定管理员并输入密码。")
    user = _anonymous()
    if args.user:
        password = _password(f"{args.user} 的密码：")
        user = core.verify_restore_user(path, candidate, args.user, password)
    safety = core.restore_from(path, candidate, user=user)
    print(f"已从 {candidate} 恢复。恢复前的数据库已备份到：{safety}")
    return EXIT_OK


def cmd_copy(args: argparse.Namespace) -> int:
    """A whole register between engines or files; check on both ends (cli.md)."""
    source = _with_password(parse_location(args.source))
    target = _with_password(parse_location(args.target))
    report = core.copy_register(source, target)
    total = sum(report.counts.values())
    print(f"已复制：{source} → {target}（{len(report.counts)} 张表，共 {total} 行）")
    for label, count in report.target.counts.items():
        print(f"  {label}：{count} 条")
    print(f"  审计日志：{report.target.audit_entries} 条")
    failed = False
    for name, checked in (("来源", report.source), ("目标", report.target)):
        if checked.ok:
            print(f"{name}检查通过。")
        else:
            failed = True
            print(f"{name}检查发现问题：", file=sys.stderr)
            for problem in checked.problems:
                print(f"  - {problem}", file=sys.stderr)
    return EXIT_REFUSED if failed else EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    session = _open(args)
    try:
        result = core.fill_demo(session, enterprises=args.enterprises, seed=args.seed)
    finally:
        session.close()
    print("已生成演示数据：")
    for table, count in result.counts.items():
        print(f"  {core.table_label(table)}：{count} 条")
    return EXIT_OK


def _user_manager(args: argparse.Namespace) -> core.Session:
    """Managing users: an administrator with their password once the database has one;
    before that anyone (so that the first administrator can be made)."""
    if core.database_has_admin(_db_path(args)):
        return _signed_in(args, Role.ADMIN)
    return _open(args)


def cmd_users(args: argparse.Namespace) -> int:
    path, action = _db_path(args), args.users_command
    if action == "list":
        for user in core.users_of(path):
            state = "在用" if user.active else "停用"
            print(f"{user.username}\t{user.roles_text}\t{user.display_name}\t{state}")
        return EXIT_OK
    if action == "recover":
        return _users_recover(args)
    session = _user_manager(args)
    try:
        signed = bool(args.user)
        if action == "add":
            roles = parse_roles(args.role)
            password = _new_password(args.name, credential_used=signed)
            made = session.accounts.create_user(args.name, password, roles, args.display_name or "")
            print(f"已添加用户 {made.user.username}（{made.user.roles_text}）。")
            if made.recovery_code:
                _print_recovery_code(made.user.username, made.recovery_code)
        elif action == "reset-password":
            password = _new_password(args.name, credential_used=signed)
            session.accounts.set_password(args.name, password)
            print(f"已重设用户 {args.name} 的密码。")
        elif action == "set-role":
            roles = parse_roles(args.roles)
            code = session.accounts.set_roles(args.name, roles)
            print(f"用户 {args.name} 的角色：{roles_text(roles)}。")
            if code:
                _print_recovery_code(args.name, code)
        elif action in ("deactivate", "activate"):
            active = action == "activate"
            session.accounts.set_active(args.name, active)
            print(f"已{'启用' if active else '停用'}用户 {args.name}。")
    finally:
        session.close()
    return EXIT_OK


def _users_recover(args: argparse.Namespace) -> int:
    if args.acknowledge:
        if args.code or args.name:
            raise SafeCreditError("--acknowledge 不与 --code 或用户名同用。")
        session = _signed_in(args, Role.ADMIN)
        try:
            count = session.accounts.acknowledge_recoveries()
        finally:
            session.close()
        print(f"已确认知悉 {count} 次恢复码重设密码，打开数据库时不再提示。")
        return EXIT_OK
    if not args.code or not args.name:
        raise SafeCreditError(
            "用法：safecredit users recover --code 恢复码 管理员用户名"
            "（或 safecredit --user 管理员 users recover --acknowledge）。"
        )
    password = _new_password(args.name, credential_used=False)
    code = core.recover_admin(_db_path(args), args.name, args.code, password, actor=_anonymous())
    print(f"已用恢复码重设管理员 {args.name} 的密码；原恢复码已失效。")
    print(
        "此次重设已记入审计日志，并在每次打开数据库时提示，"
        "直到管理员确认知悉（另有管理员时须由另一位确认）。"
    )
    _print_recovery_code(args.name, code)
    return EXIT_OK


def _as_of(args: argparse.Namespace) -> date:
    from safecredit_desktop.core.validate import parse_date

    return parse_date(args.as_of, field="--as-of") if args.as_of else date.today()


def cmd_grade(args: argparse.Namespace) -> int:
    session = _open(args)
    try:
        results = session.grading.grade(as_of=_as_of(args), uscc=args.uscc)
    finally:
        session.close()
    if args.format == "json":
        from safecredit_desktop.core.rules.result import write_json_array

        write_json_array(results, sys.stdout)  # json.dump's text (indent=1), written fast
        print()
    elif args.format == "csv":
        from safecredit_desktop.core.exchange.grade_csv import grade_csv

        sys.stdout.flush()
        sys.stdout.buffer.write(grade_csv(results))  # bytes: BOM, UTF-8, CRLF on every OS
        sys.stdout.buffer.flush()
    else:
        for r in results:
            tier = f"，{r.tier}" if r.tier else ""
            flags = f"［{'、'.join(r.flags)}］" if r.flags else ""
            print(f"{r.uscc}  {r.grade}（{r.label}{tier}）{flags}  {r.name}")
            for reason in r.reasons:
                records = "、".join(reason.records)
                print(f"    - {reason.text}" + (f"：{records}" if records else ""))
        counts = Counter(r.grade for r in results)
        summary = "，".join(f"{g}级 {counts[g]} 家" for g in "ABCD" if counts[g])
        print(f"共 {len(results)} 家：{summary}")
    return EXIT_OK


def cmd_assess(args: argparse.Namespace) -> int:
    session = _signed_in(args, Role.REVIEWER) if args.confirm else _open(args)
    try:
        preview = session.grading.preview_assessment(args.year)
        counts = Counter(r.grade for r in preview.results)
        print(
            f"{args.year}年度评定（评定基准日 {preview.as_of.isoformat()}）："
            f"共 {len(preview.results)} 家"
        )
        for letter in "ABCD":
            print(f"  {letter}级（{session.profile.label(letter)}）：{counts[letter]} 家")
        if preview.previous_year is None:
            print("此前没有已确认的年度评定，无法列出等级变化。")
        else:
            print(f"与 {preview.previous_year} 年度评定相比，等级变化 {len(preview.changes)} 家：")
            for change in preview.changes:
                before = change.before or "未评定"
                print(f"  {change.uscc}  {change.name}：{before} → {change.after}")
        if preview.confirmed is not None:
            done = preview.confirmed
            print(f"该年度评定已于 {done.confirmed_at} 由 {done.confirmed_by} 确认。")
        if args.confirm:
            stored = session.grading.confirm_assessment(args.year)
            print(
                f"已确认并保存 {args.year} 年度评定"
                f"（{stored.confirmed_by}，{stored.confirmed_at}）。"
            )
    finally:
        session.close()
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    session = _open(args)
    path = Path(args.file)
    try:
        if args.map is not None:
            kind, mapping, sheet = session.exchange.mapping_from_text(
                path, args.map, sheet=args.sheet
            )
            summary = session.exchange.import_mapped(
                path,
                mapping,
                kind=kind,
                sheet=sheet,
                dry_run=args.dry_run,
                accept_bad_check=args.accept_bad_check,
            )
        elif args.sheet is not None or not session.exchange.is_template(path):
            return _propose_mapping(session, path, args.sheet)
        else:
            summary = session.exchange.import_workbook(
                path,
                dry_run=args.dry_run,
                accept_bad_check=args.accept_bad_check,
                include_hidden=args.include_hidden,
            )
    finally:
        session.close()
    print(summary.describe())
    return EXIT_OK


def _propose_mapping(session: core.Session, path: Path, sheet: str | None) -> int:
    """A workbook of another layout without --map: the proposed mapping printed, and a
    sentence asking to confirm it with --map (exit 1, nothing imported)."""
    kind, source = session.exchange.sheet_and_kind(path, sheet)
    proposal = session.exchange.propose_mapping(
        path, sheet=source, kind=kind if sheet is not None else None
    )
    where = "上次确认的" if proposal.remembered else "建议的"
    print(
        f"“{path.name}”的“{proposal.sheet}”表不是导入模板的格式：第{proposal.header_row}行是"
        f"列标题，共 {proposal.row_count} 行数据，按“{proposal.kind}”导入。{where}列对照："
    )
    for item in proposal.columns:
        target = item.template or "（不导入）"
        why = f"  [{item.why}]" if item.why else ""
        print(f"  {item.column.letter}列 {item.column.label} → {target}{why}")
    if proposal.missing_required:
        print(f"  必填的模板列尚未对照：{'、'.join(proposal.missing_required)}")
    import shlex

    sheet_part = f" --sheet {shlex.quote(sheet)}" if sheet else ""
    command = f"safecredit import {shlex.quote(str(path))} --map "
    print(f"确认无误后导入：{command}{shlex.quote(proposal.map_argument())}{sheet_part}")
    raise SafeCreditError(
        "这个工作簿不是导入模板，没有导入任何数据：请核对上面的列对照，"
        "用 --map 原表列标题=模板列标题,… 确认后再导入（可先加 --dry-run 检查）。"
    )


def cmd_export(args: argparse.Namespace) -> int:
    session = _open(args)
    out = Path(args.file)
    try:
        if args.what == "publicity":
            return _export_publicity(session, args, out)
        if args.what == "template":
            session.exchange.export_template(out)
        elif args.what == "data":
            session.exchange.export_all_data(out, include_id=args.include_id)
        elif args.what in ("stats", "grades"):
            as_of, year = _as_of(args), args.assessment
            if args.what == "stats":
                session.reports.export_stats(
                    out, as_of=as_of, assessment=year, reporter_name=args.reporter or ""
                )
            else:
                session.reports.export_grade_list(out, as_of=as_of, assessment=year)
        else:
            if args.year is None:
                raise SafeCreditError("导出年度执法检查计划需要 --year 年度。")
            session.schedule.export_plan(out, year=args.year)
    finally:
        session.close()
    print(f"已导出：{out}")
    return EXIT_OK


GAPS_PRINTED = 20  # the workbook's 缺项 sheet lists them all


def _export_publicity(session: core.Session, args: argparse.Namespace, out: Path) -> int:
    """``export publicity FILE --from DATE --to DATE``: the 行政处罚双公示 sheet; every
    blank required cell is listed (also in the workbook's 缺项 sheet)."""
    from safecredit_desktop.core.validate import parse_date

    if not args.date_from or not args.date_to:
        raise SafeCreditError("导出行政处罚双公示需要期间：--from 开始日期 --to 结束日期。")
    found = session.publicity.export_penalties(
        out,
        start=parse_date(args.date_from, field="--from"),
        end=parse_date(args.date_to, field="--to"),
    )
    print(f"已导出：{out}（{len(found.rows)} 条行政处罚，缺项 {len(found.gaps)} 处）")
    for gap in found.gaps[:GAPS_PRINTED]:
        where = f"第{gap.row}行" if gap.row is not None else "全部行"
        print(f"  缺项：{where} {gap.column}：{gap.what}")
    if len(found.gaps) > GAPS_PRINTED:
        print(f"  …其余 {len(found.gaps) - GAPS_PRINTED} 处见工作簿的“缺项”表。")
    return EXIT_OK


def cmd_draw(args: argparse.Namespace) -> int:
    from safecredit_desktop.core.scheduling.draw import parse_ratios

    session = _open(args)
    try:
        grades = [g.strip().upper() for g in args.grades.split(",")] if args.grades else None
        drawn = session.draws.make(
            year=args.year,
            grades=grades,
            category=args.category,
            town=args.town,
            ratios=parse_ratios(args.ratio) if args.ratio else None,
            seed=args.seed,
            team_size=args.inspectors_per_team,
        )
        head = drawn.summary
        print(
            f"第 {head.id} 号双随机抽查（{args.year} 年度）：对象库 {head.pool_size} 家，"
            f"抽中 {len(drawn.selections)} 家，随机种子 {head.seed}"
        )
        for quota in drawn.quotas:
            share = float(quota.ratio) * 100
            print(f"  {quota.grade}级 {quota.drawn}/{quota.pool_count}（{share:g}%）")
        for picked in drawn.selections:
            print(
                f"{picked.position}\t{picked.uscc}\t{picked.name}\t{picked.grade}\t{picked.team_text}"
            )
        if args.out:
            path = session.draws.export(head.id, Path(args.out))
            print(f"已导出：{path}")
    finally:
        session.close()
    return EXIT_OK


def cmd_due(args: argparse.Namespace) -> int:
    session = _open(args)
    try:
        as_of = _as_of(args)
        listing = session.schedule.due(as_of=as_of)
    finally:
        session.close()
    print(
        f"截至 {as_of.isoformat()}：逾期 {len(listing.overdue)} 家，"
        f"{listing.within_days}天内到期 {len(listing.upcoming)} 家"
    )
    for item in listing.items:
        due_on = item.due_on.isoformat() if item.due_on else "立即"
        fields = (
            item.describe(),
            due_on,
            item.uscc,
            item.name,
            item.grade,
            item.town,
            item.body,
            item.note,
        )
        print("\t".join(fields))
    return EXIT_OK


def _plan_adoption(session: core.Session, plan: Any, adopt: bool) -> list[str]:
    """Lines saying how ``plan`` stands against the year's adopted plan (and adopting it)."""
    before = session.schedule.adopted_plan(plan.year, today=plan.today)
    changes = session.schedule.plan_changes(plan, adopted=before)
    lines: list[str] = []
    if before is not None and before.adopted is not None and changes is not None:
        lines.append(f"{plan.year}年度已采用的计划：{before.adopted.describe()}。")
        lines.append(changes.summary())
        lines.extend(changes.details())
    if adopt:
        adopted = session.schedule.adopt(plan, adopted=before).adopted
        assert adopted is not None
        if before is not None and before.adopted is not None and adopted.id == before.adopted.id:
            lines.append("与已采用的计划相同，未重复保存。")
        else:
            lines.append(f"已采用为{plan.year}年度检查计划（{adopted.describe()}）。")
    elif before is None:
        lines.append(f"{plan.year}年度尚未采用检查计划（用 --adopt 采用，需审核员或管理员）。")
    return lines


def cmd_plan(args: argparse.Namespace) -> int:
    session = _signed_in(args, Role.REVIEWER, Role.ADMIN) if args.adopt else _open(args)
    try:
        plan = session.schedule.plan(year=args.year, capacity=args.capacity)
        adoption = _plan_adoption(session, plan, args.adopt)
        if args.out:
            path = session.schedule.export_plan(
                Path(args.out), year=args.year, capacity=args.capacity, plan=plan
            )
            print(f"已导出：{path}")
    finally:
        session.close()
    for line in adoption:
        print(line)
    print(plan.basis)
    counts = plan.counts_by_grade()
    print("计划检查：" + "，".join(f"{g}级 {counts[g]} 次" for g in "ABCD"))
    loads = plan.month_loads()
    limit = f"（每月上限 {plan.capacity}）" if plan.capacity else ""
    print("各月安排" + limit + "：" + "，".join(f"{m}月 {n}" for m, n in enumerate(loads, 1)))
    for item in plan.items:
        if not item.fits:
            continue
        print(
            f"{item.suggested_month}月\t{item.window_text()}\t到期 {item.due_on.isoformat()}\t"
            f"{item.uscc}\t{item.name}\t{item.grade}\t{'高危' if item.high_risk else '—'}\t"
            f"{item.body}\t{item.status_text()}"
        )
    cannot = plan.cannot_fit
    if cannot:
        print(f"无法安排 {len(cannot)} 次（所在时段已满）：")
        for item in cannot:
            print(f"  {item.window_text()}\t{item.uscc}\t{item.name}\t{item.grade}")
    return EXIT_OK


def cmd_settings(args: argparse.Namespace) -> int:
    from safecredit_desktop.core.storage.settings import bureau_setting

    wanted = bureau_setting(args.key) if args.key is not None else None  # a typo: say so first
    if args.settings_command == "get":
        session = _open(args)
        try:
            values = session.settings.bureau()
        finally:
            session.close()
        if wanted is not None:
            print(next(value for setting, value in values if setting is wanted))
        else:
            for setting, value in values:
                print(f"{setting.name}\t{value}")
        return EXIT_OK
    session = _signed_in(args, Role.ADMIN)
    try:
        changed = session.settings.set_bureau({args.key: args.value})
        value = dict((s.name, v) for s, v in session.settings.bureau())[args.key.strip()]
    finally:
        session.close()
    if changed:
        print(f"已将“{args.key.strip()}”设为：{value}")
    else:
        print(f"“{args.key.strip()}”原来就是：{value}，未改动。")
    return EXIT_OK


def _read_text_file(path: Path) -> str:
    """A text file as saved on a Chinese office PC: UTF-8 (with or without BOM) or GB18030."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SafeCreditError(f"无法读取文件 {path}：{error.strerror or error}") from error
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SafeCreditError(f"{path} 不是文本文件（应为 UTF-8 或 GBK 编码的通知正文）。")


def holiday_line(row: Any) -> str:
    """``YYYY-MM-DD 休 <节日>`` or ``YYYY-MM-DD 班 <节日>调休`` (cli.md)."""
    from safecredit_desktop.core.scheduling.calendar import REST_DAY, festival_of

    name = festival_of(row) or "节假日"
    if row.kind == REST_DAY:
        return f"{row.day.isoformat()} 休 {name}"
    return f"{row.day.isoformat()} 班 {name}调休"


def cmd_holidays(args: argparse.Namespace) -> int:
    if args.holidays_command == "show":
        session = _open(args)
        try:
            source, rows = session.schedule.holiday_arrangement(args.year)
        finally:
            session.close()
        for row in rows:
            print(holiday_line(row))
        if not rows:
            print(f"{args.year}年：{source.value}。", file=sys.stderr)
        return EXIT_OK
    notice = core.read_holiday_notice(_read_text_file(Path(args.file)), args.year)
    if args.dry_run:
        for row in notice.days:
            print(holiday_line(row))
        print(
            f"读到{notice.year}年的安排（{'、'.join(notice.holidays())}）：放假 "
            f"{len(notice.rest_days)} 天，调休上班 {len(notice.work_days)} 天（未保存）。",
            file=sys.stderr,
        )
        return EXIT_OK
    session = _signed_in(args, Role.ADMIN)
    try:
        done = session.schedule.import_holiday_notice(notice)
    finally:
        session.close()
    for row in notice.days:
        if row.day not in done.skipped:
            print(holiday_line(row))
    print(
        f"已保存{notice.year}年节假日安排：放假 {len(notice.rest_days)} 天，调休上班 "
        f"{len(notice.work_days)} 天（新增 {done.added}，修改 {done.changed}，"
        f"删除 {done.removed}，未变 {done.unchanged}）。",
        file=sys.stderr,
    )
    if done.skipped:
        days = "、".join(d.isoformat() for d in done.skipped)
        print(f"{days} 所在年份由内置日历提供，未写入节假日表。", file=sys.stderr)
    return EXIT_OK


def _partial(path: Path) -> Path:
    return path.with_name(path.name + ".part")


def _write_partial(path: Path, data: bytes) -> None:
    """Write ``data`` beside ``path`` as ``.part``; ``_finish_output`` puts it in place."""
    temporary = _partial(path)
    try:
        core.write_private_file(temporary, data)  # owner only: documents name people
    except OSError as error:
        raise SafeCreditError(f"无法写入文件 {path}：{error.strerror or error}") from error


def _finish_output(path: Path) -> None:
    try:
        os.replace(_partial(path), path)
    except OSError as error:
        raise SafeCreditError(f"无法写入文件 {path}：{error.strerror or error}") from error


def _print_request(args: argparse.Namespace, session: core.Session) -> core.DocumentRequest:
    from safecredit_desktop.core.validate import parse_date

    as_of = parse_date(args.as_of, field="--as-of") if args.as_of else None
    unit_ids: tuple[int, ...] = ()
    if args.uscc:
        found = session.units.find_by_code(args.uscc.strip().upper())
        if found is None:
            raise SafeCreditError(f"没有统一社会信用代码为 {args.uscc} 的企业。")
        unit_ids = (found[0],)
    elif args.all_grade:
        grade = args.all_grade.strip().upper()
        if grade not in ("A", "B", "C", "D"):
            raise SafeCreditError("--all-grade 应为 A、B、C 或 D。")
        day = as_of or (core.assessment_date(args.assessment) if args.assessment else date.today())
        found_ids = session.units.of_grade(grade, day, assessment=args.assessment)
        if not found_ids:
            raise SafeCreditError(f"没有{grade}级企业，未出具文书。")
        unit_ids = tuple(found_ids)
    return core.DocumentRequest(
        kind=args.kind,
        unit_ids=unit_ids,
        as_of=as_of,
        assessment=args.assessment,
        year=args.year,
        draw_id=args.draw,
        repair_id=args.repair,
        objection_id=args.objection,
        listing_id=args.listing,
    )


def cmd_print(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if not out.parent.is_dir():
        raise SafeCreditError(f"输出文件夹不存在：{out.parent}")
    session = _open(args)
    try:
        request = _print_request(args, session)
        # The file is written (as OUT.part) before the numbers are committed, so a file
        # that cannot be written leaves nothing issued and no number used; it takes its
        # name only after the commit, so a PDF bearing numbers never exists unregistered
        # (a crash in between leaves OUT.part, and the register can reprint it).
        try:
            result = session.documents.issue(request, deliver=lambda pdf: _write_partial(out, pdf))
        except BaseException:
            _partial(out).unlink(missing_ok=True)
            raise
        _finish_output(out)
    finally:
        session.close()
    for note in result.notes:
        print(f"注意：{note}")
    if result.issued:
        print(f"已出具 {len(result.issued)} 份：")
        for doc in result.issued:
            print(f"{doc.doc_no}\t{doc.uscc}\t{doc.subject}\t第{doc.first_page}页起")
    if result.reprinted:
        print(f"内容与已出具的文书相同，按原文号重印 {len(result.reprinted)} 份：")
        for doc in result.reprinted:
            print(f"{doc.doc_no}\t{doc.uscc}\t{doc.subject}\t{doc.issued_on.isoformat()}出具")
    print(f"已保存：{out}")
    return EXIT_OK


# -- parser ------------------------------------------------------------------------------


def build_parser() -> Parser:
    parser = Parser(prog="safecredit", description="安全生产信用分级分类监管系统（命令行）")
    parser.add_argument(
        "--version",
        action="version",
        version=f"safecredit {__version__}",
        help=cli_i18n.VERSION_HELP,
    )
    parser.add_argument(
        "--db",
        help="数据库文件，或 PostgreSQL 地址 postgresql://用户@服务器[:端口]/数据库"
        "（默认：$SAFECREDIT_DB 或用户数据目录）",
    )
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

    p = sub.add_parser("grade", help="按信用规则评定等级")
    p.add_argument("--as-of", help="评定基准日 YYYY-MM-DD（默认今天）")
    p.add_argument("--uscc", help="只评定这一家企业")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.set_defaults(handler=cmd_grade)

    p = sub.add_parser("assess", help="年度评定：列出等级与变化；--confirm 确认保存（审核员）")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--confirm", action="store_true")
    p.set_defaults(handler=cmd_assess)

    p = sub.add_parser("import", help="导入模板工作簿（全部或全不）")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    p.add_argument(
        "--accept-bad-check", action="store_true", help="接受校验码不符的统一社会信用代码"
    )
    p.add_argument("--include-hidden", action="store_true", help="同时导入隐藏的工作表")
    p.add_argument(
        "--map",
        metavar="原表列标题=模板列标题,…",
        help="按列对照导入其他格式的工作簿（未列出的列不导入）",
    )
    p.add_argument(
        "--sheet",
        metavar="工作表",
        help="要读取的工作表；为“执法检查”等模板表名时按该类记录导入（与 --map 同用）",
    )
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("export", help="导出工作簿")
    p.add_argument("what", choices=["data", "stats", "grades", "plan", "template", "publicity"])
    p.add_argument("file")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--as-of", help="按此日实时评定（默认今天）")
    when.add_argument("--assessment", type=int, help="使用已确认的某年度评定")
    p.add_argument("--year", type=int, help="计划年度（年度执法检查计划）")
    p.add_argument("--reporter", help="统计人员")
    p.add_argument("--include-id", action="store_true", help="导出完整身份证号（记入审计日志）")
    p.add_argument("--from", dest="date_from", help="处罚决定日期自（行政处罚双公示）")
    p.add_argument("--to", dest="date_to", help="处罚决定日期至（行政处罚双公示）")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("draw", help="双随机抽查（记录在案，只能作废）")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--grades", help="如 A,B（默认全部等级）")
    p.add_argument("--category")
    p.add_argument("--town")
    p.add_argument("--ratio", help="如 A=0.05,B=0.1,C=0.3,D=1")
    p.add_argument("--seed", help="随机种子（默认随机生成并记录）")
    p.add_argument("--inspectors-per-team", type=int, default=2)
    p.add_argument("--out", help="导出抽查结果工作簿")
    p.set_defaults(handler=cmd_draw)

    p = sub.add_parser("due", help="检查到期与逾期的企业（最逾期的在前）")
    p.add_argument("--as-of", help="截至日期（默认今天）")
    p.set_defaults(handler=cmd_due)

    p = sub.add_parser("plan", help="年度执法检查计划")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--capacity", type=int, help="每月最多检查次数")
    p.add_argument("--adopt", action="store_true", help="采用为该年度的检查计划（审核员或管理员）")
    p.add_argument("--out", help="导出计划工作簿")
    p.set_defaults(handler=cmd_plan)

    p = sub.add_parser("print", help="出具文书（PDF）：编号、登记并保存")
    p.add_argument(
        "kind",
        metavar="KIND",
        choices=[k.kind for k in DOCUMENT_KINDS],
        help="、".join(k.kind for k in DOCUMENT_KINDS),
    )
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--uscc", help="一家企业的统一社会信用代码")
    target.add_argument("--all-grade", metavar="G", help="该等级的全部企业，每家一份，合成一个文件")
    target.add_argument("--year", type=int, help="检查计划的年度（inspection-plan）")
    target.add_argument("--draw", type=int, metavar="ID", help="双随机抽查编号（draw-notice）")
    target.add_argument("--objection", type=int, metavar="ID", help="异议编号（objection-reply）")
    target.add_argument(
        "--repair", type=int, metavar="N", help="信用修复申请编号（见 repair show）"
    )
    target.add_argument("--listing", type=int, metavar="ID", help="名单记录编号")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--as-of", help="评定基准日 YYYY-MM-DD（默认今天）")
    when.add_argument("--assessment", type=int, metavar="Y", help="使用已确认的 Y 年度评定结果")
    p.add_argument("--out", required=True, help="保存的 PDF 文件")
    p.set_defaults(handler=cmd_print)

    cli_workflows.add_commands(
        sub,
        cli_workflows._Sessions(
            _open,
            _signed_in,
        ),
    )

    cli_records.add_commands(sub, _open)
    p = sub.add_parser("settings", help="本局设置：单位名称、统一社会信用代码、上级单位邮箱等")
    settings_sub = p.add_subparsers(dest="settings_command", metavar="get|set")
    settings_sub.required = True
    g = settings_sub.add_parser("get", help="列出设置，或显示一项的值")
    g.add_argument("key", nargs="?", metavar="KEY", help="设置名称，如 上级单位邮箱")
    g = settings_sub.add_parser("set", help="修改一项设置（管理员）")
    g.add_argument("key", metavar="KEY", help="设置名称，如 上级单位邮箱")
    g.add_argument("value", metavar="VALUE", help="新的值（空字符串表示清空）")
    p.set_defaults(handler=cmd_settings)

    p = sub.add_parser("holidays", help="节假日安排：读入国务院办公厅通知，或列出某年的安排")
    holidays_sub = p.add_subparsers(dest="holidays_command", metavar="import|show")
    holidays_sub.required = True
    h = holidays_sub.add_parser("import", help="读入通知正文并保存该年安排（管理员）")
    h.add_argument("file", help="通知正文的文本文件（UTF-8 或 GBK）")
    h.add_argument("--year", type=int, help="年度（通知没有标题时必填）")
    h.add_argument("--dry-run", action="store_true", help="只列出读到的日期，不保存")
    h = holidays_sub.add_parser("show", help="列出某年的放假日和调休上班日")
    h.add_argument("--year", type=int, required=True)
    p.set_defaults(handler=cmd_holidays)

    p = sub.add_parser("backup", help="在线备份数据库")
    p.add_argument("--to", help="备份文件路径（默认：数据库旁的 .backups 目录）")
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("restore", help="从备份恢复（先检查备份，并备份当前数据库）")
    p.add_argument("path", help="备份文件")
    p.set_defaults(handler=cmd_restore)

    p = sub.add_parser("copy", help="在数据库文件与 PostgreSQL 服务器之间复制整个数据库")
    p.add_argument("--from", dest="source", required=True, help="来源：文件路径或 postgresql://…")
    p.add_argument(
        "--to", dest="target", required=True, help="目标（须为空）：文件路径或 postgresql://…"
    )
    p.set_defaults(handler=cmd_copy)

    p = sub.add_parser("demo", help="生成演示数据")
    p.add_argument("--enterprises", type=int, required=True, help="企业数量")
    p.add_argument("--seed", type=int, default=1, help="随机种子（相同种子生成相同数据）")
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("users", help="用户管理（已有管理员后，须用 --user 指定管理员并输入密码）")
    users_sub = p.add_subparsers(
        dest="users_command", metavar="add|list|reset-password|set-role|deactivate|recover"
    )
    users_sub.required = True
    u = users_sub.add_parser("add", help="添加用户（新密码在终端输入两次）")
    u.add_argument("name")
    u.add_argument("--role", required=True, help="管理员、审核员或录入员；可多个，如 管理员,审核员")
    u.add_argument("--display-name")
    users_sub.add_parser("list", help="列出用户")
    u = users_sub.add_parser("reset-password", help="重设密码（管理员）")
    u.add_argument("name")
    u = users_sub.add_parser("set-role", help="设定角色，如 管理员,审核员（管理员）")
    u.add_argument("name")
    u.add_argument("roles", metavar="ROLE[,ROLE]")
    u = users_sub.add_parser("deactivate", help="停用用户：不能再登录（管理员）")
    u.add_argument("name")
    u = users_sub.add_parser("activate", help="重新启用停用的用户（管理员）")
    u.add_argument("name")
    u = users_sub.add_parser(
        "recover", help="用恢复码重设管理员密码；--acknowledge：管理员确认知悉此类重设"
    )
    u.add_argument("name", nargs="?", help="忘记密码的管理员")
    u.add_argument("--code", help="创建该管理员时显示的恢复码")
    u.add_argument("--acknowledge", action="store_true", help="确认知悉（管理员，--user）")
    p.set_defaults(handler=cmd_users)
    return parser


def _warn(message: str) -> None:
    print(f"警告：{message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    with cli_i18n.chinese_argparse():
        args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    if _warn not in core.OPEN_WARNING_HOOKS:
        core.OPEN_WARNING_HOOKS.append(_warn)
    try:
        return handler(args)
    except SafeCreditError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return EXIT_REFUSED
    except BrokenPipeError:  # output piped into head/less that closed early
        sys.stderr.close()
        return EXIT_OK
    except (sqlite3.Error, OSError) as exc:
        message = core.failure_message(exc)
        if message is None:
            raise
        if isinstance(exc, sqlite3.DatabaseError) and "损坏" in message:
            message = core.damaged_message(_db_path(args), str(exc))
        print(f"错误：{message}", file=sys.stderr)
        return EXIT_REFUSED


if __name__ == "__main__":
    # in the bundle, the import's planning worker is this program started again
    multiprocessing.freeze_support()
    sys.exit(main())
