"""A workbook of another layout as template columns (issue 18; workbook.md "Another
layout"): which source column is which template column, proposed from the headers
(:mod:`.header_synonyms`) and from the values, confirmed by the clerk, then the mapped
rows planned by the template import itself.

- :func:`propose` proposes a mapping for one source sheet and one template sheet (the
  kind of rows it holds): every column by its header; a column whose header says nothing
  known by its values (valid 统一社会信用代码, 身份证号, phone numbers, dates); each
  template column taken once, by the best-named source column.
- :func:`pairs_from_text` / :func:`resolve_pairs` read ``HEADER=TEMPLATE_HEADER,…``
  (cli.md's ``--map``) into a :data:`Mapping`.
- :func:`mapped_workbook` turns the source sheet into the :class:`ParsedWorkbook` the
  planner takes: mapped columns under their template headers, unmapped ones ignored,
  row numbers as in the file.
- :func:`source_errors` names every bad cell by the source column's own header and
  letters (:class:`SourceCellError`), not by the template header.
- :func:`layout_signature`: the header row's fingerprint a confirmed mapping is
  remembered by (:mod:`.mapping_memory`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from safecredit_desktop.core.errors import SafeCreditError, ValidationError
from safecredit_desktop.core.exchange.columns import (
    SHEET_BY_NAME,
    SHEETS,
    SheetSpec,
    fold_header,
)
from safecredit_desktop.core.exchange.header_synonyms import SCORE, match_header
from safecredit_desktop.core.exchange.import_errors import CellError, CellErrors, show_value
from safecredit_desktop.core.exchange.reading import ParsedWorkbook, _read_sheet
from safecredit_desktop.core.exchange.source_sheet import (
    SourceColumn,
    SourceSheet,
    column_letters,
)
from safecredit_desktop.core.validate import (
    USCC_ALPHABET,
    id_check_character,
    parse_date,
    uscc_check_character,
)

UNITS_SHEET = "企业信息"
ColumnMap = Mapping[int, str]
"""Source column number (1 = A) → template header of the chosen template sheet."""

VALUE_SHARE = 0.8
"""A column is recognised by its values when this share of its first values fit."""
VALUE_SAMPLE = 50
PREVIEW_ROWS = 5

_PHONE = re.compile(r"^(?:\+?86[- ]?)?(?:1[3-9]\d{9}|0\d{2,3}[- ]?\d{7,8}(?:[-转]\d{1,6})?)$")


def mappable_sheets() -> tuple[str, ...]:
    """The template sheets a sheet of another layout may hold (信用修复 and 执法人员 need
    the template itself: they change grades and draws)."""
    return tuple(s.name for s in SHEETS if s.table not in ("repairs", "inspectors"))


def sheet_spec(kind: str) -> SheetSpec:
    """The template sheet called ``kind``; refused with the list of names."""
    spec = SHEET_BY_NAME.get(kind.strip())
    if spec is None or spec.name not in mappable_sheets():
        names = "、".join(mappable_sheets())
        raise SafeCreditError(f"“{kind}”不是可以按对照导入的表。可选：{names}。")
    return spec


@dataclass(frozen=True)
class ColumnProposal:
    """One source column: the template header proposed for it (None: ignored) and why."""

    column: SourceColumn
    template: str | None
    why: str = ""


@dataclass(frozen=True)
class MappingProposal:
    """What the program proposes for a sheet of another layout.

    ``remembered``: the columns come from the mapping confirmed last time for a header
    row like this one (its ``signature``). ``preview``: the first rows' values as shown,
    one tuple a row in ``columns`` order, with their Excel row numbers."""

    sheet: str
    titles: tuple[str, ...]
    kind: str
    header_row: int
    columns: tuple[ColumnProposal, ...]
    signature: str
    remembered: bool
    preview: tuple[tuple[int, tuple[str, ...]], ...]
    row_count: int

    @property
    def mapping(self) -> dict[int, str]:
        return {p.column.index: p.template for p in self.columns if p.template}

    @property
    def missing_required(self) -> tuple[str, ...]:
        """Required template headers no column is mapped to."""
        taken = set(self.mapping.values())
        return tuple(c.header for c in sheet_spec(self.kind).required if c.header not in taken)

    def map_argument(self) -> str:
        """The mapping as ``--map`` takes it (HEADER=TEMPLATE_HEADER, by letters where a
        header is blank or repeated)."""
        return map_text(self.columns_and_templates())

    def columns_and_templates(self) -> list[tuple[SourceColumn, str]]:
        return [(p.column, p.template) for p in self.columns if p.template]


def map_text(pairs: Iterable[tuple[SourceColumn, str]]) -> str:
    chosen = list(pairs)
    headers = [c.header for c, _t in chosen]
    out = []
    for column, template in chosen:
        name = column.header
        if not name or headers.count(name) > 1 or any(ch in name for ch in ",，="):
            name = column.letter
        out.append(f"{name}={template}")
    return ",".join(out)


def layout_signature(headers: Iterable[str]) -> str:
    """The fingerprint of a header row (folded headers in order; blanks count)."""
    text = "\x1f".join(fold_header(h) for h in headers)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


# -- values ------------------------------------------------------------------------------


def _is_uscc(value: object) -> bool:
    if not isinstance(value, str):
        return False
    code = value.strip().upper()
    if len(code) != 18 or any(ch not in USCC_ALPHABET for ch in code):
        return False
    try:
        return uscc_check_character(code[:17]) == code[17]
    except ValueError:
        return False


def _is_id_number(value: object) -> bool:
    if not isinstance(value, str):
        return False
    text = value.strip().upper()
    if len(text) != 18 or not text[:17].isdigit():
        return False
    return id_check_character(text[:17]) == text[17]


def _is_phone(value: object) -> bool:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    elif isinstance(value, float) and value.is_integer():
        value = str(int(value))
    return isinstance(value, str) and bool(_PHONE.match(value.strip()))


def _is_date(value: object) -> bool:
    if isinstance(value, datetime | date):
        return True
    if not isinstance(value, str) or not any(ch.isdigit() for ch in value):
        return False
    try:
        parse_date(value, field="日期")
    except ValidationError:
        return False
    return True


_VALUE_TESTS = (
    ("uscc", _is_uscc, "按内容：都是有效的统一社会信用代码"),
    ("id_number", _is_id_number, "按内容：都是有效的身份证号"),
    ("phone", _is_phone, "按内容：都是电话号码"),
    ("date", _is_date, "按内容：都是日期"),
)


def _value_kind(values: list[object]) -> tuple[str, str] | None:
    """What a column's first values are (uscc, id_number, phone, date) and why, or None."""
    sample = values[:VALUE_SAMPLE]
    if not sample:
        return None
    for kind, test, why in _VALUE_TESTS:
        if sum(1 for v in sample if test(v)) >= VALUE_SHARE * len(sample):
            return kind, why
    return None


def _value_targets(spec: SheetSpec) -> dict[str, str]:
    """Value kind → the template header a column of such values fills in ``spec``."""
    targets: dict[str, str] = {}
    for column in spec.columns:
        if column.kind in ("uscc", "unit"):
            targets.setdefault("uscc", column.header)
        elif column.kind == "id_number":
            targets.setdefault("id_number", column.header)
        elif column.attr == "phone":
            targets.setdefault("phone", column.header)
    dates = [c for c in spec.columns if c.kind == "date"]
    preferred = [c for c in dates if c.required or c.attr == "founded_on"]
    if preferred or dates:
        # a column of dates is the sheet's own date (检查日期 …; a unit's 成立日期)
        targets["date"] = (preferred or dates)[0].header
    return targets


# -- proposing ---------------------------------------------------------------------------


def propose(
    source: SourceSheet, kind: str = UNITS_SHEET, remembered: ColumnMap | None = None
) -> MappingProposal:
    """The proposed mapping of ``source`` onto the template sheet ``kind`` (see the
    module); a ``remembered`` mapping of this layout is proposed as it was confirmed."""
    spec = sheet_spec(kind)
    signature = layout_signature(source.headers)
    if remembered is not None:
        known = set(spec.headers)
        chosen = {i: t for i, t in remembered.items() if t in known}
        columns = tuple(
            ColumnProposal(c, chosen.get(c.index), "上次确认" if c.index in chosen else "")
            for c in source.columns
        )
        return _proposal(source, kind, columns, signature, remembered=True)
    by_header: dict[int, tuple[str, int, str]] = {}
    for column in source.columns:
        match = match_header(column.header, spec)
        if match is not None:
            why = "表头相同" if match.how == "same" else f"表头近义（{match.word}）"
            by_header[column.index] = (match.template, match.score, why)
    taken: dict[str, tuple[int, int]] = {}  # template → (score, column)
    for index, (template, score, _why) in by_header.items():
        best = taken.get(template)
        if best is None or score > best[0]:  # equal scores: the first column keeps it
            taken[template] = (score, index)
    chosen_columns = {index: template for template, (_s, index) in taken.items()}
    whys = {index: by_header[index][2] for index in chosen_columns}
    targets = _value_targets(spec)
    for column in source.columns:
        if column.index in chosen_columns or column.index in by_header:
            continue
        found = _value_kind(source.values(column.index, VALUE_SAMPLE))
        if found is None:
            continue
        value_kind, why = found
        target = targets.get(value_kind)
        if target is None or target in taken:
            continue
        taken[target] = (SCORE["contains"] - 1, column.index)
        chosen_columns[column.index] = target
        whys[column.index] = why
    columns = tuple(
        ColumnProposal(c, chosen_columns.get(c.index), whys.get(c.index, ""))
        for c in source.columns
    )
    return _proposal(source, kind, columns, signature, remembered=False)


def _proposal(
    source: SourceSheet,
    kind: str,
    columns: tuple[ColumnProposal, ...],
    signature: str,
    *,
    remembered: bool,
) -> MappingProposal:
    preview = tuple(
        (number, tuple(show_value(cells.get(c.column.index)) for c in columns))
        for number, cells in source.rows[:PREVIEW_ROWS]
    )
    return MappingProposal(
        source.title,
        source.titles,
        kind,
        source.header_row,
        columns,
        signature,
        remembered,
        preview,
        len(source.rows),
    )


# -- the clerk's mapping -----------------------------------------------------------------

_PAIR_SEPARATORS = re.compile(r"[,，;；\n]+")


def pairs_from_text(text: str) -> list[tuple[str, str]]:
    """``HEADER=TEMPLATE_HEADER,…`` (cli.md) as pairs; refused with a sentence."""
    pairs: list[tuple[str, str]] = []
    for part in _PAIR_SEPARATORS.split(text):
        if not part.strip():
            continue
        left, sep, right = part.replace("＝", "=").partition("=")
        if not sep or not left.strip() or not right.strip():
            raise SafeCreditError(
                f"--map 中的“{part.strip()}”应写成“原表列标题=模板列标题”，"
                "多对用逗号分隔（如 --map 企业名称=单位名称,社会信用代码=统一社会信用代码）。"
            )
        pairs.append((left.strip(), right.strip()))
    if not pairs:
        raise SafeCreditError("--map 没有给出任何列对照（如 --map 企业名称=单位名称）。")
    return pairs


def resolve_pairs(
    source: SourceSheet, kind: str, pairs: Iterable[tuple[str, str]]
) -> dict[int, str]:
    """The mapping named by (source header or column letters, template header) pairs:
    every name checked, each template column taken once; refused with one sentence
    listing every fault."""
    by_folded: dict[str, list[SourceColumn]] = {}
    for column in source.columns:
        by_folded.setdefault(fold_header(column.header), []).append(column)
    letters = {c.letter: c for c in source.columns}
    chosen: list[tuple[SourceColumn | None, str]] = []
    faults: list[str] = []
    for name, target in pairs:
        found = by_folded.get(fold_header(name), [])
        if len(found) > 1:
            faults.append(
                f"原表有{len(found)}列都叫“{name}”（"
                + "、".join(f"{c.letter}列" for c in found)
                + f"），请用列字母指明，如 {found[0].letter}={target}"
            )
            continue
        picked = found[0] if found else letters.get(name.strip().upper())
        if picked is None:
            shown = "、".join(c.label for c in source.columns)
            faults.append(f"原表“{source.title}”中没有“{name}”列（其列标题：{shown}）")
        chosen.append((picked, target))
    return _checked(source, kind, chosen, faults)


def check_mapping(source: SourceSheet, kind: str, mapping: ColumnMap) -> dict[int, str]:
    """A mapping by column number (the window's, the memory's) checked like ``--map``."""
    faults: list[str] = []
    chosen: list[tuple[SourceColumn | None, str]] = []
    known = {c.index: c for c in source.columns}
    for index, target in mapping.items():
        if not target:
            continue
        if index not in known:
            faults.append(f"原表“{source.title}”的{column_letters(index)}列没有内容")
            continue
        chosen.append((known[index], target))
    return _checked(source, kind, chosen, faults)


def _checked(
    source: SourceSheet,
    kind: str,
    chosen: list[tuple[SourceColumn | None, str]],
    faults: list[str],
) -> dict[int, str]:
    """(source column, template header) pairs as a mapping: every template header a
    column of ``kind``, each source and template column once; else one sentence."""
    spec = sheet_spec(kind)
    mapping: dict[int, str] = {}
    for column, target in chosen:
        template = spec.column_for(target)
        if template is None:
            faults.append(f"“{target}”不是“{spec.name}”表的列（可用：{'、'.join(spec.headers)}）")
            continue
        if column is None:
            continue
        if column.index in mapping:
            faults.append(f"“{column.label}”列对照了两次")
        elif template.header in mapping.values():
            faults.append(f"模板列“{template.header}”对照了两列")
        else:
            mapping[column.index] = template.header
    if faults:
        raise SafeCreditError("列对照有误：" + "；".join(faults) + "。没有导入任何数据。")
    return mapping


def ignored_columns(source: SourceSheet, mapping: ColumnMap) -> tuple[str, ...]:
    """The source columns not mapped (named in the summary)."""
    return tuple(c.label for c in source.columns if not mapping.get(c.index))


# -- into the template import ------------------------------------------------------------


def mapped_workbook(source: SourceSheet, kind: str, mapping: ColumnMap) -> ParsedWorkbook:
    """The source sheet as the template reader would have read it: mapped columns under
    their template headers (row numbers as in the file), the others left out."""
    spec = sheet_spec(kind)
    if not mapping:
        raise SafeCreditError("没有指定任何列对照，没有可导入的内容。")
    header = {index: template for index, template in mapping.items()}
    first: list[tuple[int, dict[int, object]]] = [(1, dict(header))]
    rows = iter(
        first
        + [
            (number, {i: v for i, v in cells.items() if i in header})
            for number, cells in source.rows
        ]
    )
    errors = CellErrors()
    sheet = _read_sheet(spec, source.title, rows, errors)
    parsed = ParsedWorkbook(source.path, {}, errors, [])
    if sheet is not None:
        parsed.sheets[spec.name] = sheet
    if not errors and parsed.row_count == 0:
        raise SafeCreditError(
            f"“{source.path.name}”的“{source.title}”表中对照的列没有数据，没有可导入的内容。"
        )
    return parsed


@dataclass(frozen=True)
class SourceCellError(CellError):
    """A bad cell named by the source column's own header (``column``) and ``letter``."""

    letter: str = ""

    def sentence(self) -> str:
        where = f"“{self.sheet}”表第{self.row}行"
        if self.letter:
            where += f"{self.letter}列"
        if self.column:
            where += f"“{self.column}”"
        shown = f"（{self.value}）" if self.value else "（空）"
        if self.row == 1 or not self.column:
            shown = ""
        return f"{where}{shown}：{self.reason}"


def source_errors(
    errors: Iterable[CellError], source: SourceSheet, mapping: ColumnMap
) -> list[CellError]:
    """The planner's bad cells named by the source's columns and header row (a template
    column no source column is mapped to keeps its template header)."""
    by_template = {t: source.column(i) for i, t in mapping.items()}
    out: list[CellError] = []
    for error in errors:
        if error.sheet != source.title:
            out.append(error)
            continue
        column = by_template.get(error.column)
        row = source.header_row if error.row == 1 else error.row
        if column is None:
            reason = error.reason.replace(
                "请按导入模板添加这一列", f"请在列对照中指定哪一列是“{error.column}”"
            )
            out.append(replace(error, row=row, reason=reason))
            continue
        out.append(
            SourceCellError(
                error.sheet,
                row,
                column.label,
                error.value,
                error.reason,
                error.bad_check,
                letter=column.letter,
            )
        )
    return out
