"""Report workbooks sent upward, and the e-mail draft that carries them.

- ``write_stats_form``: 安全生产信用分级分类统计表, the form attached to seed 004 — title,
  报送单位, 序号 / 统一社会信用代码 / 生产经营单位名称 / 安全生产信用等级 / 备注, footer
  统计人员 and 时间 — with a second sheet of counts by grade and category.
- ``write_grade_list``: 信用等级名单 — per unit its code, name, category, town, grade,
  the reasons with their records, last inspection and next inspection due.
- ``write_eml_draft``: an unsent ``.eml`` with the workbook attached, which Outlook and
  Foxmail open as an editable draft (the computer itself may be offline).

Every sheet of a workbook written under a profile marked internal-only (kundulun)
carries the profile's notice as a row above the table and in every page's header.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date
from email.utils import formatdate
from pathlib import Path

from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.exchange import eml, sheet_writing
from safecredit_desktop.core.exchange.sheets import XLSX_MIME, Column, Kind, Line, chinese_date
from safecredit_desktop.core.rules.profile import GRADE_LETTERS, Profile
from safecredit_desktop.core.rules.result import GradeResult, Reason
from safecredit_desktop.core.statistics import (
    CountTable,
    category_table,
    grade_counts,
    reporter_of,
)

__all__ = [
    "GRADE_LIST_TITLE",
    "NEXT_DUE_PENDING",
    "STATS_FORM_TITLE",
    "grade_counts",
    "reasons_text",
    "remarks",
    "sorted_for_report",
    "write_eml_draft",
    "write_grade_list",
    "write_stats_form",
]

STATS_FORM_TITLE = "安全生产信用分级分类统计表"
GRADE_LIST_TITLE = "安全生产信用等级名单"
STATS_COLUMNS = ("序号", "统一社会信用代码", "生产经营单位名称", "安全生产信用等级", "备注")
NEXT_DUE_PENDING = (
    "“下次检查到期”一栏暂为空：检查周期与到期日随“按等级检查”（执法检查计划）功能提供，"
    "该功能完成后导出的名单会填写此栏。"
)
FLAG_NOTE = (
    "备注中“待定”表示有事故的责任尚在调查认定，认定后等级可能变化；"
    "“待核实”表示事故等级与伤亡、损失数字不符，待复核。"
)

_GRADE_RANK = {letter: index for index, letter in enumerate(GRADE_LETTERS)}
HANDWRITTEN = "\u3000" * 8  # room to write the 统计人员 by hand when no name is known


def sorted_for_report(results: Sequence[GradeResult]) -> list[GradeResult]:
    """By grade (A first), then by 统一社会信用代码."""
    return sorted(results, key=lambda r: (_GRADE_RANK.get(r.grade, 99), r.uscc))


def remarks(
    result: GradeResult,
    *,
    reporters: Mapping[int, str] | None = None,
    bureau_name: str = "",
) -> str:
    """备注: the unit's flags (待定, 待核实), its supervising tier where the profile has
    one, and — in a city roll-up — the unit's 报送单位."""
    parts = list(result.flags)
    if result.tier:
        parts.append(f"监管层级：{result.tier}")
    if reporters is not None:
        parts.append(f"报送单位：{reporter_of(reporters, result.unit_id, bureau_name)}")
    return "；".join(parts)


def reasons_text(reasons: Sequence[Reason]) -> str:
    """One line per deciding criterion, with the records behind it."""
    lines = []
    for number, reason in enumerate(reasons, start=1):
        line = f"{number}. {reason.text}" if len(reasons) > 1 else reason.text
        if reason.records:
            line += f"（{'；'.join(reason.records)}）"
        lines.append(line)
    return "\n".join(lines)


def _counts_line(results: Sequence[GradeResult], profile: Profile) -> str:
    counts = {letter: 0 for letter in GRADE_LETTERS}
    for result in results:
        counts[result.grade] = counts.get(result.grade, 0) + 1
    parts = [f"{profile.grade_display(g)}{counts[g]}家" for g in GRADE_LETTERS]
    return f"共{len(results)}家：" + "，".join(parts)


def write_stats_form(
    path: Path,
    results: Sequence[GradeResult],
    *,
    profile: Profile,
    bureau_name: str,
    reporter_name: str,
    basis: str,
    today: date,
    reporters: Mapping[int, str] | None = None,
) -> Path:
    """安全生产信用分级分类统计表 (seed 004's form) and a 分级汇总 sheet.

    Rows are sorted by grade, then code. ``basis`` says which grades (e.g.
    ``评定基准日：2026-11-21（实时）`` or ``2026年度评定（已确认）``) and stands under the
    title; ``reporter_name`` is the 统计人员 (blank: room to sign by hand), ``today`` the
    时间. ``reporters`` (unit id → 报送单位) puts each unit's 报送单位 into 备注, for a
    city roll-up.
    """
    title = f"{bureau_name}{STATS_FORM_TITLE}"
    rows = sheet_writing.numbered(
        (
            r.uscc,
            r.name,
            profile.grade_display(r.grade),
            remarks(r, reporters=reporters, bureau_name=bureau_name),
        )
        for r in sorted_for_report(results)
    )
    columns = sheet_writing.unit_columns(
        Column(STATS_COLUMNS[3], Kind.CENTER, 18, 30),
        Column(STATS_COLUMNS[4], Kind.WRAP, 16, 40),
        name=Column(STATS_COLUMNS[2], Kind.TEXT, 24, 50),
    )
    book = sheet_writing.ReportBook(
        title, subject=basis, creator=bureau_name, notice=sheet_writing.report_notice(profile)
    )
    book.table(
        "统计表",
        columns=columns,
        rows=rows,
        title=title,
        lines=(Line(basis, centered=True), Line(f"报送单位：{bureau_name}")),
        footer=(
            (2, f"统计人员：{reporter_name or HANDWRITTEN}"),
            (4, f"时间：{chinese_date(today)}"),
        ),
    )

    table = category_table(results, profile)
    book.table(
        "分级汇总",
        columns=(
            Column(table.row_header, Kind.TEXT, 14, 30),
            *(Column(h, Kind.NUMBER, 12, 20) for h in table.grade_headers),
            Column("合计", Kind.NUMBER, 8, 12),
        ),
        rows=table.body(),
        title=f"{bureau_name}安全生产信用等级分类汇总",
        lines=(Line(basis, centered=True), Line(_counts_line(results, profile))),
        bold_last_row=True,
    )
    return book.save(path)


def write_grade_list(
    path: Path,
    results: Sequence[GradeResult],
    *,
    profile: Profile,
    bureau_name: str,
    basis: str,
    last_inspection: Mapping[int, date] | None = None,
    next_due: Mapping[int, date] | None = None,
    reporters: Mapping[int, str] | None = None,
    today: date | None = None,
) -> Path:
    """信用等级名单 and its 说明 sheet.

    ``last_inspection`` and ``next_due`` map unit id → date. The due dates come with
    the scheduling feature: without ``next_due`` the column stays blank and the 说明
    sheet says why.
    """
    title = f"{bureau_name}{GRADE_LIST_TITLE}"
    with_tier = any(r.tier for r in results)
    last = last_inspection or {}
    due = next_due or {}
    rows: list[list[object]] = []
    for r in sorted_for_report(results):
        row: list[object] = [
            r.uscc,
            r.name,
            r.category,
            r.town,
            profile.grade_display(r.grade),
        ]
        if with_tier:
            row.append(r.tier or "")
        flags = "；".join(r.flags)
        if reporters is not None:
            reporter = f"报送单位：{reporter_of(reporters, r.unit_id, bureau_name)}"
            flags = f"{flags}；{reporter}" if flags else reporter
        row.extend((reasons_text(r.reasons), last.get(r.unit_id), due.get(r.unit_id), flags))
        rows.append(row)
    columns = [
        *sheet_writing.unit_columns(
            sheet_writing.CATEGORY, sheet_writing.TOWN, sheet_writing.GRADE_SHOWN
        )
    ]
    if with_tier:
        columns.append(Column("监管层级", Kind.CENTER, 10, 14))
    columns.extend(
        (
            Column("评定理由及依据记录", Kind.WRAP, 30, 60),
            sheet_writing.date_column("最近检查日期"),
            sheet_writing.date_column("下次检查到期"),
            Column("备注", Kind.WRAP, 8, 30),
        )
    )
    book = sheet_writing.ReportBook(
        title, subject=basis, creator=bureau_name, notice=sheet_writing.report_notice(profile)
    )
    book.table(
        "信用等级名单",
        columns=columns,
        rows=sheet_writing.numbered(rows),
        title=title,
        lines=(Line(basis, centered=True), Line(f"编制单位：{bureau_name}")),
        auto_filter=True,
    )
    notes: list[tuple[str, str]] = [
        ("编制单位", bureau_name),
        ("评定依据", basis),
        ("信用规则", profile.title),
        ("等级分布", _counts_line(results, profile)),
        ("最近检查日期", "评定基准日及以前最近一次执法检查的日期；空白表示没有检查记录。"),
        (
            "下次检查到期",
            "按等级和高危行业确定的下次检查到期日。" if next_due is not None else NEXT_DUE_PENDING,
        ),
        ("备注", FLAG_NOTE),
    ]
    book.notes(notes, today=today or date.today())
    return book.save(path)


# ---------------------------------------------------------------- e-mail draft


def write_eml_draft(
    path: Path,
    *,
    to: str,
    subject: str,
    body: str,
    attachment: Path,
    sender_name: str,
) -> Path:
    """An unsent e-mail (``X-Unsent: 1``) with ``attachment``, for the office's mail program.

    There is no From: the mail program fills in its own account; ``sender_name`` (the
    bureau) goes into the Organization header. The attachment's Chinese file name is
    given both as RFC 2231 ``filename*`` and as an RFC 2047 ``name`` (``eml.py``); the
    file is written with CRLF line ends.
    """
    attachment = Path(attachment)
    try:
        data = attachment.read_bytes()
    except OSError as exc:
        raise SafeCreditError(f"无法读取附件 {attachment}（{exc.strerror or exc}）。") from None
    content_type = XLSX_MIME if attachment.suffix.lower() == ".xlsx" else "application/octet-stream"
    payload = eml.build_draft(
        to=to,
        subject=subject,
        date=formatdate(localtime=True),
        organization=sender_name,
        body=body,
        attachment=data,
        filename=attachment.name,
        content_type=content_type,
    )

    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise SafeCreditError(f"保存位置不存在：{folder}")
    handle, temp = tempfile.mkstemp(prefix=".~safecredit-", suffix=".eml", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise SafeCreditError(f"无法写入邮件草稿 {path}（{exc.strerror or exc}）。") from None
    return path


def draft_text(
    *, bureau_name: str, report_title: str, basis: str, attachment_name: str, today: date
) -> tuple[str, str]:
    """(subject, body) of the e-mail that sends a report upward; ``basis`` may be blank."""
    period = f"（{basis}）" if basis else ""
    subject = f"{bureau_name}报送{report_title}{period}"
    body = (
        "您好：\n\n"
        f"现报送{bureau_name}{report_title}{period}，详见附件《{attachment_name}》。\n\n"
        "请查收。\n\n"
        f"{bureau_name}\n{chinese_date(today)}\n"
    )
    return subject, body


def read_report_properties(workbook: Path) -> tuple[str, str]:
    """(title, basis) as written into a report's document properties; blank if absent."""
    import zipfile
    from xml.etree import ElementTree

    ns = {"dc": "http://purl.org/dc/elements/1.1/"}
    try:
        with zipfile.ZipFile(workbook) as archive:
            root = ElementTree.fromstring(archive.read("docProps/core.xml"))
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return "", ""
    title = root.findtext("dc:title", default="", namespaces=ns)
    subject = root.findtext("dc:subject", default="", namespaces=ns)
    return title, subject


def write_count_table(
    path: Path,
    table: CountTable,
    *,
    profile: Profile,
    bureau_name: str,
    basis: str,
) -> Path:
    """One of the statistics page's count tables (grade × category / town / 报送单位)."""
    columns = [
        Column(table.row_header, Kind.TEXT, min_width=10.0),
        *(Column(h, Kind.NUMBER, min_width=8.0) for h in table.grade_headers),
        Column("合计", Kind.NUMBER, min_width=8.0),
    ]
    book = sheet_writing.ReportBook(
        table.title,
        subject=basis,
        creator=bureau_name,
        notice=sheet_writing.report_notice(profile),
    )
    book.table(
        table.title[:31],
        columns=columns,
        rows=[list(r) for r in table.body()],
        title=f"{bureau_name}安全生产信用等级统计（{table.title}）",
        lines=[Line(basis)],
        bold_last_row=True,
    )
    return book.save(path)
