"""The empty import template (导入模板): every sheet of workbook.md with its headers.

Each data sheet has its headers on row 1 (frozen; required ones in red, each with a
comment explaining the column), column widths that fit Chinese, identifier columns
formatted as text ('@') and date columns as dates, and drop-down lists for the
columns with a fixed vocabulary (the profile's categories, 是/否, grades, the
violation kinds …). A 说明 sheet explains every column; the long lists live on a
hidden 选项 sheet. Both are skipped by the import.

Under a profile that is for internal use only (``Profile.internal_only``), the notice
is on the 说明 sheet, in every data sheet's print header, and in the comment on A1 —
never in a row of its own, because row 1 must stay the header row.

The helpers here (:func:`add_validations`, :func:`sheet_columns`, :func:`notice_of`)
are shared with the full-data export, which writes the same sheets with rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from safecredit_desktop.core.exchange import sheets
from safecredit_desktop.core.exchange.columns import (
    NOTES_SHEET,
    OPTIONS_SHEET,
    SHEETS,
    Column,
    SheetSpec,
)
from safecredit_desktop.core.rules.profile import Profile

__all__ = [
    "TEMPLATE_TITLE",
    "add_validations",
    "column_notes",
    "list_formulas",
    "notice_of",
    "sheet_columns",
    "write_options",
    "write_template",
]

TEMPLATE_TITLE = "安全生产信用信息导入模板"
LAST_ROW = 1_048_576
_INLINE_LIST_LIMIT = 255  # characters Excel allows in a list written into the rule
_AUTHOR = "安全生产信用分级分类监管系统"

REQUIRED_HEADER = sheets.CellStyle(
    font=Font(name=sheets.BODY_FONT, size=11, bold=True, color="FFC00000"),
    alignment=sheets.HEADER.alignment,
    border=sheets.HEADER.border,
    fill=sheets.HEADER.fill,
)

_KIND: dict[str, sheets.Kind] = {
    "uscc": sheets.Kind.CODE,
    "unit": sheets.Kind.CODE,
    "id_number": sheets.Kind.CODE,
    "uscc_list": sheets.Kind.CODE,
    "date": sheets.Kind.DATE,
    "count": sheets.Kind.NUMBER,
    "amount": sheets.Kind.NUMBER,
    "bool": sheets.Kind.CENTER,
    "accept": sheets.Kind.CENTER,
    "review": sheets.Kind.CENTER,
}


def notice_of(profile: Profile) -> str | None:
    """The internal-use notice every sheet must carry under this profile, or None."""
    if not profile.internal_only:
        return None
    return profile.internal_notice or "只作内部管理使用，不对外公布"


def sheet_columns(spec: SheetSpec) -> list[sheets.Column]:
    """The template's columns as the shared table writer sees them (kind and widths)."""
    out: list[sheets.Column] = []
    for column in spec.columns:
        kind = sheets.Kind.CODE if column.code else _KIND.get(column.kind, sheets.Kind.TEXT)
        header_width = sheets.text_width(column.header) + 3
        minimum = max(header_width, float(column.width or 10))
        out.append(sheets.Column(column.header, kind, minimum, max(minimum, 44.0)))
    return out


def column_notes(profile: Profile) -> list[tuple[str, str]]:
    """(项目, 内容) rows explaining the template: the rules, then every sheet and column."""
    rows: list[tuple[str, str]] = [
        (
            "填写规则",
            "每张表第1行为列标题，不要改动列标题，也不要在其上方插入标题行；"
            "列的顺序可以调整，用不到的列可以删除（必填列除外），用不到的表可以删除。",
        ),
        (
            "必填",
            "列标题为红色的列必须填写；其余列可以留空。已有记录的空单元格不会清除已保存的内容。",
        ),
        (
            "日期",
            "Excel 日期，或文本 YYYY-MM-DD、YYYY/M/D、YYYY.M.D、YYYY年M月D日，或八位数字"
            " YYYYMMDD（文本或数字）；不能是不存在的日期。",
        ),
        (
            "代码与编号",
            "统一社会信用代码、身份证号、文号、证号等必须以文本填写（本模板中这些列已设为文本格式），"
            "前后不能有空格；被当成数字的代码会被拒绝，不会自动更正。",
        ),
        (
            "全部或不导入",
            "工作簿中只要有一处错误，就不导入任何内容，并列出每一处错误（表、行号、列、内容、原因）。"
            "再次导入同一工作簿不会产生重复记录；在系统中删除过的记录不会被导入恢复。",
        ),
        (
            "行业类别",
            "本局信用规则（" + profile.title + "）的行业类别：" + "、".join(profile.categories),
        ),
    ]
    notice = notice_of(profile)
    if notice:
        rows.insert(0, ("注意", notice))
    for spec in SHEETS:
        rows.append((f"【{spec.name}】", spec.note))
        for column in spec.columns:
            rows.append((f"{spec.name} · {column.header}", column.note))
    return rows


def _options(profile: Profile) -> list[tuple[Column, tuple[str, ...]]]:
    """Every distinct (column, values) list used by a drop-down, in sheet order."""
    found: list[tuple[Column, tuple[str, ...]]] = []
    for spec in SHEETS:
        for column in spec.columns:
            values = column.choice_values(profile)
            if values:
                found.append((column, values))
    return found


def list_formulas(profile: Profile) -> tuple[dict[tuple[str, ...], str], list[list[str]]]:
    """The validation formula of every list, and the 选项 sheet's columns for long lists."""
    formulas: dict[tuple[str, ...], str] = {}
    long_lists: list[list[str]] = []
    for _, values in _options(profile):
        if values in formulas:
            continue
        inline = ",".join(values)
        if len(inline) + 2 <= _INLINE_LIST_LIMIT and not any("," in v for v in values):
            formulas[values] = f'"{inline}"'
            continue
        letter = get_column_letter(len(long_lists) + 1)
        long_lists.append(list(values))
        sheet = quote_sheetname(OPTIONS_SHEET)
        formulas[values] = f"{sheet}!${letter}$1:${letter}${len(values)}"
    return formulas, long_lists


def add_validations(
    ws: Any, spec: SheetSpec, profile: Profile, formulas: dict[tuple[str, ...], str]
) -> None:
    """Drop-down lists under the header for the sheet's columns with a fixed vocabulary."""
    for index, column in enumerate(spec.columns, start=1):
        values = column.choice_values(profile)
        if not values:
            continue
        # a code is also accepted for a violation kind, 自治区级 for 省级: warn, don't stop
        strict = column.kind not in ("violation_kind",) and column.attr != "level"
        rule = DataValidation(
            type="list",
            formula1=formulas[values],
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop" if strict else "warning",
            errorTitle=column.header,
            error="请从下拉列表中选择" + ("" if strict else "（也可填写说明中所列的其他写法）"),
        )
        letter = get_column_letter(index)
        rule.add(f"{letter}2:{letter}{LAST_ROW}")
        ws.data_validations.append(rule)


def write_options(wb: Any, long_lists: Sequence[list[str]], notice: str | None) -> None:
    """The hidden 选项 sheet: one column per list too long to write into its rule."""
    ws = wb.create_sheet(OPTIONS_SHEET)
    ws.sheet_state = "hidden"
    if notice:
        sheets.set_header_footer(ws, notice=notice)
    depth = max((len(v) for v in long_lists), default=0)
    for row in range(depth):
        ws.append([values[row] if row < len(values) else None for values in long_lists])


def write_template(path: Path, profile: Profile) -> Path:
    """Write the empty template for ``profile`` to ``path`` (.xlsx); returns the path."""
    wb = sheets.new_workbook()
    sheets.set_properties(wb, title=TEMPLATE_TITLE, subject=profile.title)
    notice = notice_of(profile)
    sheets.write_notes(
        wb, NOTES_SHEET, title=TEMPLATE_TITLE, items=column_notes(profile), notice=notice
    )
    formulas, long_lists = list_formulas(profile)
    for spec in SHEETS:
        ws = wb.create_sheet(spec.name)
        table = sheet_columns(spec)
        sheets.set_column_widths(ws, [c.min_width for c in table])
        for index, shown in enumerate(table, start=1):
            style = sheets.body_style(shown.kind)
            if style.number_format:
                ws.column_dimensions[get_column_letter(index)].number_format = style.number_format
        sheets.freeze_below(ws, 1)
        sheets.setup_print(ws, title_rows=(1, 1), notice=notice)  # before the first row
        styler = sheets.Styler(ws)
        cells = []
        for index, column in enumerate(spec.columns):
            cell = styler.cell(column.header, REQUIRED_HEADER if column.required else sheets.HEADER)
            text = column.note
            if index == 0 and notice:
                text = f"{notice}\n{text}"
            comment = Comment(text, _AUTHOR)
            comment.width, comment.height = 320, 110
            cell.comment = comment
            cells.append(cell)
        ws.append(cells)
        add_validations(ws, spec, profile, formulas)
    if long_lists:
        write_options(wb, long_lists, notice)
    return sheets.save_workbook(wb, path)
