"""A block copied from Excel or WPS (tab-separated text on the clipboard) → grid rows.

Spreadsheets put a copied range on the clipboard as rows separated by line breaks and
cells by tabs; a cell holding a line break, a tab or a double quote is written in
double quotes with inner quotes doubled. The first row is a header when its cells name
columns of the kind's template sheet (workbook.md's headers, folded like the import
does, or a common synonym: 社会信用代码, 隐患数, 罚款金额 …); then columns are matched
by name, in any order, and unknown ones are left out (and named). Without a header the
columns are taken by position, in the template's order, from ``first_column`` on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from safecredit_desktop.core import forms
from safecredit_desktop.core.exchange.columns import fold_header

__all__ = ["PastedBlock", "parse_pasted", "split_cells"]

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "unit_id": (
        "社会信用代码",
        "信用代码",
        "统一代码",
        "企业代码",
        "单位代码",
        "组织机构代码",
        "企业名称",
        "单位名称",
        "企业",
        "单位",
        "名称",
        "被检查单位",
        "被处罚单位",
        "生产经营单位",
    ),
    # inspections
    "inspected_on": ("日期", "检查时间"),
    "method": ("方式", "检查类型", "检查形式"),
    "inspectors": ("检查人员", "执法人", "检查人", "执法检查人员"),
    "hazards": ("隐患数", "隐患", "一般隐患数", "隐患数量", "发现隐患"),
    "major_hazards": ("重大隐患", "重大隐患数量"),
    "rectify_deadline": ("整改期限至", "限期整改日期", "整改时限"),
    "rectified_on": ("整改日期", "完成整改日期", "整改完成时间"),
    "doc_no": ("文书号", "检查文书编号", "执法文书编号", "文号", "处罚决定书文号", "决定书编号"),
    "note": ("说明", "备注说明"),
    # accidents
    "occurred_on": ("发生日期", "发生时间", "事故发生日期", "事故时间"),
    "grade": ("等级", "事故级别"),
    "deaths": ("死亡", "死亡人数(人)"),
    "serious_injuries": ("重伤", "重伤人数(人)"),
    "loss_wan": ("直接经济损失", "经济损失(万元)", "经济损失", "损失(万元)"),
    "responsible": ("是否责任事故",),
    # penalties
    "decided_on": ("处罚日期", "处罚决定日期", "决定时间"),
    "department": ("执法部门", "处罚机关", "执法机关"),
    "reason": ("事由", "违法事实", "案由"),
    "fine_yuan": ("罚款金额", "罚款(元)", "罚款", "罚没金额"),
    "published_on": ("公示时间",),
    "legal_basis": ("依据", "法律依据"),
    "penalty_types": ("处罚种类",),
    # violations
    "kind": ("失信行为类型", "失信行为"),
    "subject": ("主体",),
    "person_name": ("责任人",),
    "basis_doc": ("认定文书编号", "认定依据"),
    # commitments, honours
    "signed_on": ("签署时间", "承诺日期"),
    "signer": ("承诺人",),
    "honoured_on": ("表彰时间",),
    "level": ("级别",),
    "title": ("表彰名称", "荣誉名称"),
}


@dataclass
class PastedBlock:
    """The rows of a pasted block as raw values by form field key.

    ``columns``: the field key of each pasted column (None: left out);
    ``notes``: sentences about columns that were left out."""

    rows: list[dict[str, str]] = field(default_factory=list)
    header: bool = False
    columns: list[str | None] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def split_cells(text: str) -> list[list[str]]:
    """Clipboard text → rows of cells (spreadsheet quoting undone); blank lines kept
    inside, one trailing line break dropped."""
    if text == "":
        return []
    body = text.replace("\r\n", "\n").replace("\r", "\n")
    if body.endswith("\n"):
        body = body[:-1]
    rows: list[list[str]] = [[]]
    position, size = 0, len(body)
    while True:
        cell, position = _cell(body, position)
        rows[-1].append(cell)
        if position >= size:
            return rows
        if body[position] == "\n":
            rows.append([])
        position += 1  # past the tab or the line break


def _cell(body: str, position: int) -> tuple[str, int]:
    """The cell starting at ``position`` and where it ends (at a tab, a line break or
    the end); a cell starting with a quote runs to its closing quote, "" inside."""
    size = len(body)
    if position < size and body[position] == '"':
        parts: list[str] = []
        at = position + 1
        while at < size:
            close = body.find('"', at)
            if close < 0:  # never closed: not a quoted cell after all
                break
            parts.append(body[at:close])
            if close + 1 < size and body[close + 1] == '"':
                parts.append('"')
                at = close + 2
                continue
            end = _cell_end(body, close + 1)
            return "".join(parts) + body[close + 1 : end], end
    end = _cell_end(body, position)
    return body[position:end], end


def _cell_end(body: str, position: int) -> int:
    ends = [i for i in (body.find("\t", position), body.find("\n", position)) if i >= 0]
    return min(ends) if ends else len(body)


def _header_keys(form: forms.FormSpec) -> dict[str, str]:
    """Folded header or synonym → field key; the template's own headers win."""
    keys: dict[str, str] = {}
    for spec in form.fields:
        for synonym in _SYNONYMS.get(spec.key, ()):
            keys.setdefault(fold_header(synonym), spec.key)
    for spec in form.fields:
        keys[fold_header(spec.label)] = spec.key
    return keys


def _match_header(form: forms.FormSpec, cells: list[str]) -> list[str | None] | None:
    """The field of each header cell, when the row is a header (at least two cells,
    or the only cell, name known columns, and no more than half are unknown)."""
    known = _header_keys(form)
    filled = [c for c in cells if c.strip()]
    if not filled:
        return None
    columns = [known.get(fold_header(c)) if c.strip() else None for c in cells]
    matched = [c for c in columns if c is not None]
    if len(matched) < min(2, len(filled)) or len(matched) * 2 < len(filled):
        return None
    return columns


def parse_pasted(text: str, form: forms.FormSpec, *, first_column: int = 0) -> PastedBlock:
    """The block ``text`` as rows of ``form`` (a batch form: the unit's code first)."""
    cells = split_cells(text)
    block = PastedBlock()
    if not cells:
        return block
    keys = form.keys
    header = _match_header(form, cells[0])
    if header is not None:
        block.header = True
        seen: set[str] = set()
        columns: list[str | None] = []
        for name, key in zip(cells[0], header, strict=True):
            if key is not None and key in seen:
                block.notes.append(f"“{name.strip()}”列重复，只取第一列")
                key = None
            elif key is None and name.strip():
                block.notes.append(f"“{name.strip()}”列不是{_title(form)}的内容，未粘贴")
            if key is not None:
                seen.add(key)
            columns.append(key)
        block.columns = columns
        body = cells[1:]
    else:
        width = max(len(row) for row in cells)
        block.columns = [
            keys[first_column + i] if first_column + i < len(keys) else None for i in range(width)
        ]
        extra = width - (len(keys) - first_column)
        if extra > 0 and any(c.strip() for row in cells for c in row[len(keys) - first_column :]):
            block.notes.append(f"最右边 {extra} 列超出了表格的列数，未粘贴")
        body = cells
    for row in body:
        if not any(c.strip() for c in row):
            continue
        values: dict[str, str] = {}
        for key, cell in zip(block.columns, row, strict=False):
            if key is not None:
                default = form.field(key).default  # a blank 检查方式 is the form's default
                blank = cell.strip() == "" and isinstance(default, str)
                values[key] = default if blank and isinstance(default, str) else cell.strip()
        block.rows.append(values)
    return block


def _title(form: forms.FormSpec) -> str:
    return form.title.removesuffix("记录")
