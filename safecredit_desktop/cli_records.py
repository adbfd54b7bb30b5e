"""``safecredit add|records|find``: a clerk's day on the command line (cli.md).

- ``add KIND --uscc CODE FIELD=VALUE …`` enters one record through the window's form
  checks (core/forms.py, dates also as ``11-3``), prints it and, when the unit's live
  grade moved, the sentence ``等级由…变为…：…``;
- ``records KIND …`` lists the records of a kind across the county, newest first, as a
  table, JSON or that sheet of the import template;
- ``find TEXT`` lists the units the registry's search finds, best match first.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from safecredit_desktop.core import app as core
from safecredit_desktop.core import forms, model
from safecredit_desktop.core.errors import SafeCreditError, ValidationError
from safecredit_desktop.core.exchange.columns import SHEET_BY_TABLE, fold_header
from safecredit_desktop.core.registry import UnitQuery
from safecredit_desktop.core.validate import parse_date, validate_uscc

EXIT_OK = 0

KINDS: dict[str, str] = model.RECORD_KIND_TABLES
"""The KIND of cli.md → the record table."""

OpenSession = Callable[[argparse.Namespace], core.Session]


# -- add ---------------------------------------------------------------------------------------


def _field_keys(table: str) -> dict[str, str]:
    """Folded template header → form field key, for the sheet of ``table``."""
    sheet = SHEET_BY_TABLE[table]
    return {
        fold_header(column.header): column.form_field.key
        for column in sheet.columns
        if column.form_field is not None
    }


def parse_assignments(table: str, assignments: Sequence[str]) -> dict[str, str]:
    """``检查日期=2026.11.3`` … → {form key: typed text}; unknown headers are refused
    with a sentence listing the sheet's headers."""
    sheet = SHEET_BY_TABLE[table]
    keys = _field_keys(table)
    known = "、".join(c.header for c in sheet.columns if c.form_field is not None)
    values: dict[str, str] = {}
    for item in assignments:
        header, equals, value = item.partition("=")
        if not equals or not header.strip():
            raise SafeCreditError(f"「{item}」应写成 列名=值，如 检查日期=2026.11.3。")
        folded = fold_header(header)
        if folded == fold_header("统一社会信用代码"):
            raise SafeCreditError("企业用 --uscc 指定，不写成 统一社会信用代码=…。")
        key = keys.get(folded)
        if key is None:
            raise SafeCreditError(
                f"“{sheet.name}”表没有“{header.strip()}”列；可填写的列：{known}。"
            )
        if key in values:
            raise SafeCreditError(f"“{header.strip()}”写了两次，请只写一次。")
        values[key] = value
    return values


def _unit(session: core.Session, code: str) -> tuple[int, str, str]:
    try:
        uscc, _ = validate_uscc(code.strip(), field="--uscc", accept_bad_check=True)
    except ValidationError as exc:
        raise SafeCreditError(exc.message) from None
    found = session.units.find_by_code(uscc)
    if found is None:
        raise SafeCreditError(f"没有统一社会信用代码为 {uscc} 的企业，请先录入或导入企业信息。")
    return found[0], uscc, found[1]


def _shown(form: forms.FormSpec, record: Any) -> list[tuple[str, str]]:
    """The saved record's fields as the clerk reads them (blank ones left out)."""
    values = forms.values_of(record, form)
    lines: list[tuple[str, str]] = []
    for spec in form.fields:
        text = str(values.get(spec.key, ""))
        if spec.kind == "violation_kind":
            kind = model.VIOLATION_KIND_BY_CODE.get(text)
            text = kind.name if kind else text
        if spec.key == "grade" and isinstance(record, model.Accident):
            text = record.grade + ("（待核实）" if record.needs_review else "")
        if text != "":
            lines.append((spec.label, text))
    return lines


def cmd_add(args: argparse.Namespace, open_session: OpenSession) -> int:
    table = KINDS[args.kind]
    form = forms.form_for(table)
    typed = parse_assignments(table, args.fields)
    session = open_session(args)
    try:
        unit_id, uscc, name = _unit(session, args.uscc)
        today = date.today()
        values: dict[str, object] = {**forms.default_values(form), **typed}
        record = forms.build_record(
            form,
            values,
            unit_id=unit_id,
            record_id=None,
            profile=session.profile,
            today=today,
            short_dates=True,
        )
        record_id, change = session.records.save_entered_telling(record, today=today)
    finally:
        session.close()
    print(f"已保存{form.title}（编号 {record_id}）：{name}（{uscc}）")
    for label, text in _shown(form, record):
        print(f"  {label}：{text}")
    if change:
        print(change)
    return EXIT_OK


# -- records -----------------------------------------------------------------------------------


def _day(value: str | None, flag: str) -> date | None:
    if not value:
        return None
    try:
        return parse_date(value, field=flag)
    except ValidationError as exc:
        raise SafeCreditError(exc.message) from None


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).replace("\n", " ").replace("\t", " ")


def cmd_records(args: argparse.Namespace, open_session: OpenSession) -> int:
    table = KINDS[args.kind]
    date_from, date_to = _day(args.date_from, "--from"), _day(args.date_to, "--to")
    if date_from and date_to and date_from > date_to:
        raise SafeCreditError("--from 晚于 --to，请核对日期范围。")
    if args.format == "xlsx" and not args.out:
        raise SafeCreditError("--format xlsx 需要 --out 文件名（.xlsx）。")
    uscc = None
    if args.uscc:
        try:
            uscc, _ = validate_uscc(args.uscc.strip(), field="--uscc", accept_bad_check=True)
        except ValidationError as exc:
            raise SafeCreditError(exc.message) from None
    session = open_session(args)
    try:
        listing = session.records.of_kind(
            table, date_from=date_from, date_to=date_to, town=args.town, uscc=uscc
        )
        if args.format == "xlsx":
            path = session.records.export(listing, Path(args.out))
            print(f"已导出 {len(listing.records)} 条{listing.sheet.name}记录：{path}")
            return EXIT_OK
    finally:
        session.close()
    if args.format == "json":
        text = json.dumps(listing.as_json(), ensure_ascii=False, indent=1) + "\n"
    else:
        lines = ["\t".join(("id", *listing.headers, "单位名称"))]
        for record in listing.records:
            cells = (str(record.id), *(_cell_text(c) for c in record.cells), record.unit_name)
            lines.append("\t".join(cells))
        lines.append(f"共 {len(listing.records)} 条")
        text = "\n".join(lines) + "\n"
    _emit(text, args.out)
    return EXIT_OK


def _emit(text: str, out: str | None) -> None:
    if not out:
        sys.stdout.write(text)
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as error:
        raise SafeCreditError(f"无法写入文件 {out}：{error.strerror or error}") from error
    print(f"已写入：{out}")


# -- find --------------------------------------------------------------------------------------


def cmd_find(args: argparse.Namespace, open_session: OpenSession) -> int:
    text = args.text.strip()
    if not text:
        raise SafeCreditError("请给出要查找的企业名称、统一社会信用代码或拼音。")
    session = open_session(args)
    try:
        query = UnitQuery(search=text)
        total = session.units.count_matching(query)
        rows = session.units.query(query, 0, total)
    finally:
        session.close()
    if args.format == "json":
        found = [{"uscc": r.uscc, "name": r.name} for r in rows]
        sys.stdout.write(json.dumps(found, ensure_ascii=False, indent=1) + "\n")
        return EXIT_OK
    for row in rows:
        print(f"{row.uscc}\t{row.name}")
    print(f"共 {len(rows)} 家")
    return EXIT_OK


# -- the parsers ---------------------------------------------------------------------------


class _IntermixedMixin:
    """``add KIND --uscc CODE FIELD=VALUE …``: positionals on both sides of an option.

    argparse assigns all positionals at the first run of them (KIND), leaving the
    FIELD=VALUE list empty; intermixed parsing reads the options first."""

    _intermixing = False

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        if self._intermixing:
            return super().parse_known_args(args, namespace)  # type: ignore[misc]
        self._intermixing = True
        try:
            return self.parse_known_intermixed_args(args, namespace)  # type: ignore[attr-defined]
        finally:
            self._intermixing = False


def _intermixed(parser: argparse.ArgumentParser) -> None:
    # parse_known_intermixed_args cuts len("usage: ") off a usage it makes itself, which
    # is wrong once the prefix is translated: give it the usage without the prefix.
    usage = parser.format_usage().strip()
    prefix = argparse._("usage: ").strip()  # type: ignore[attr-defined]
    parser.usage = usage[len(prefix) :].strip() if usage.startswith(prefix) else usage
    base = type(parser)
    parser.__class__ = type(f"Intermixed{base.__name__}", (_IntermixedMixin, base), {})


def add_commands(sub: Any, open_session: OpenSession) -> None:
    """Add ``add``, ``records`` and ``find`` to ``safecredit``'s subparsers."""

    def handler(
        fn: Callable[[argparse.Namespace, OpenSession], int],
    ) -> Callable[[argparse.Namespace], int]:
        return lambda args: fn(args, open_session)

    kinds = "、".join(KINDS)
    p = sub.add_parser("add", help="录入一条记录（与窗口录入表相同的检查）")
    p.add_argument("kind", metavar="KIND", choices=list(KINDS), help=kinds)
    p.add_argument("--uscc", required=True, help="企业的统一社会信用代码")
    p.add_argument(
        "fields",
        metavar="FIELD=VALUE",
        nargs="*",
        help="导入模板该表的列名=值，如 检查日期=2026.11.3 检查方式=日常 发现隐患数=2",
    )
    p.set_defaults(handler=handler(cmd_add))
    _intermixed(p)

    p = sub.add_parser("records", help="列出全县某类记录（最新的在前）")
    p.add_argument("kind", metavar="KIND", choices=list(KINDS), help=kinds)
    p.add_argument("--from", dest="date_from", metavar="DATE", help="起始日期（含）")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="截止日期（含）")
    p.add_argument("--town", metavar="T", help="所在乡镇")
    p.add_argument("--uscc", metavar="CODE", help="只列这一家企业")
    p.add_argument("--format", choices=["table", "json", "xlsx"], default="table")
    p.add_argument("--out", metavar="FILE", help="写入文件（xlsx 时必填）")
    p.set_defaults(handler=handler(cmd_records))

    p = sub.add_parser("find", help="查找企业（名称、统一社会信用代码或拼音，最相符的在前）")
    p.add_argument("text", metavar="TEXT", help="如 fhhg、zdq、凤凰、9143")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(handler=handler(cmd_find))
