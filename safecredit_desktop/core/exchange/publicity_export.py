"""行政处罚双公示 (workbook.md "Exports"): the bureau's penalties decided in a period, in
the national publicity columns, for upload to the credit website.

Sheets: 行政处罚双公示 (the headers of ``PUBLICITY_COLUMNS`` on row 1, one row per
penalty, as the provincial platforms import it), 缺项 (every required cell the records
leave blank: row, column, what is missing — never guessed) and 说明.

Where the national practice decides and the records do not say:

- 公示截止期: three years after the decision (the longest publicity of a penalty, NDRC
  Order No. 58 of 2023; 安全生产 penalties at least one year, earlier only by 信用修复);
  the approval date of a recorded 信用修复 of the penalty, if earlier.
- 处罚有效期: the decision's own end. 警告, 通报批评, 罚款 and 没收 end with it and
  take the 公示截止期 (without a repair); 吊销许可证件, 责令关闭 and 降低资质等级 are
  lasting: 2099-12-31, which the national standard reads as 长期; a penalty with a term
  of its own (暂扣, 停产停业, 限制…, 其他) takes the term the decision states, which the
  records do not hold: left blank and listed in 缺项.
- 行政相对人类别: 个体工商户 for a code whose first two characters are 92 (registration
  authority 9, type 2), 法人及非法人组织 otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from dateutil.relativedelta import relativedelta

from safecredit_desktop.core import model
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.exchange.sheet_writing import SERIAL, ReportBook, numbered
from safecredit_desktop.core.exchange.sheets import Column, Kind, Line, code_column
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.tables import from_row

TITLE = "行政处罚双公示"
SHEET = "行政处罚双公示"
GAPS_SHEET = "缺项"
NOTES_SHEET = "说明"
PUBLICITY_DATE_FORMAT = "yyyy/mm/dd"  # the national standard writes dates YYYY/MM/DD
LONG_TERM = date(2099, 12, 31)  # the national standard's 长期
PUBLICITY_YEARS = 3
LEGAL_PERSON = "法人及非法人组织"
SOLE_TRADER = "个体工商户"

# Narrow, wrapping columns: nineteen of them must print one A4 page across.
PUBLICITY_COLUMNS: tuple[Column, ...] = (
    Column("行政相对人名称", Kind.WRAP, 16, 20),
    Column("行政相对人类别", Kind.WRAP, 10, 10),
    code_column("行政相对人代码_1(统一社会信用代码)"),
    Column("法定代表人", Kind.WRAP, 8, 10),
    Column("行政处罚决定书文号", Kind.WRAP, 14, 16),
    Column("违法行为类型", Kind.WRAP, 12, 16),
    Column("违法事实", Kind.WRAP, 16, 24),
    Column("处罚依据", Kind.WRAP, 16, 24),
    Column("处罚类别", Kind.WRAP, 8, 10),
    Column("处罚内容", Kind.WRAP, 16, 20),
    Column("罚款金额（万元）", Kind.NUMBER, 9, 10),
    Column("处罚决定日期", Kind.DATE, 11, 11, PUBLICITY_DATE_FORMAT),
    Column("处罚有效期", Kind.DATE, 11, 11, PUBLICITY_DATE_FORMAT),
    Column("公示截止期", Kind.DATE, 11, 11, PUBLICITY_DATE_FORMAT),
    Column("处罚机关", Kind.WRAP, 10, 12),
    code_column("处罚机关统一社会信用代码"),
    Column("数据来源单位", Kind.WRAP, 10, 12),
    code_column("数据来源单位统一社会信用代码"),
    Column("备注", Kind.WRAP, 12, 16),
)
HEADERS = tuple(c.header for c in PUBLICITY_COLUMNS)
# columns the national standard requires (罚款金额 only for a 罚款)
REQUIRED = frozenset(HEADERS) - {"罚款金额（万元）", "公示截止期", "备注"}

ENDS_WITH_DECISION = frozenset({"警告", "通报批评", "罚款", "没收违法所得", "没收非法财物"})
LASTING = frozenset({"吊销许可证件", "责令关闭", "降低资质等级"})
FINE = "罚款"

# what the record lacks, by column (the record's own field, as the form names it)
_FROM_RECORD = {
    "违法行为类型": "处罚记录未填写“违法行为类型”",
    "违法事实": "处罚记录未填写“处罚事由”（违法事实）",
    "处罚依据": "处罚记录未填写“处罚依据”",
    "处罚类别": "处罚记录未填写“处罚类别”",
    "处罚内容": "处罚记录未填写“处罚内容”",
    "法定代表人": "企业信息未填写“法定代表人”",
}
BUREAU_CODE_MISSING = (
    "未设置本局统一社会信用代码（管理员在 设置 → 单位信息 中填写，"
    "或 safecredit settings set 单位统一社会信用代码 代码）"
)


@dataclass(frozen=True)
class Gap:
    """A required cell left blank: ``row`` as Excel shows it on the first sheet."""

    row: int | None  # None: every row (the bureau's own code)
    column: str
    doc_no: str
    unit_name: str
    what: str


@dataclass(frozen=True)
class PenaltyPublicity:
    rows: list[tuple[object, ...]]
    gaps: list[Gap]
    start: date
    end: date
    path: Path | None = None


def subject_kind(uscc: str) -> str:
    """行政相对人类别 from the code: 92… is a 个体工商户 (GB 32100 authority 9, type 2)."""
    return SOLE_TRADER if uscc.startswith("92") else LEGAL_PERSON


def publicity_ends(decided_on: date, repaired_on: date | None) -> date:
    """公示截止期: three years from the decision, or the repair's approval if earlier."""
    ends: date = decided_on + relativedelta(years=PUBLICITY_YEARS) - timedelta(days=1)
    return min(ends, repaired_on) if repaired_on is not None else ends


def penalty_types(text: str) -> list[str]:
    return [t.strip() for t in text.split(model.PENALTY_TYPE_SEPARATOR) if t.strip()]


def decision_ends(types: Sequence[str], decided_on: date) -> tuple[date | None, str]:
    """(处罚有效期, why it is blank) for a penalty of ``types``."""
    if not types:
        return None, "处罚类别未填写，无法确定处罚有效期"
    termed = [t for t in types if t not in ENDS_WITH_DECISION and t not in LASTING]
    if termed:
        kinds = "、".join(termed)
        return None, f"处罚类别含“{kinds}”，处罚有效期按处罚决定书所定期限填写"
    if any(t in LASTING for t in types):
        return LONG_TERM, ""
    return publicity_ends(decided_on, None), ""


def fine_wan(fine_yuan: float) -> float:
    """元 → 万元, exact to the fen."""
    return round(fine_yuan / 10_000, 6)


def _remarks(penalty: model.Penalty, repair: tuple[date, str] | None) -> str:
    parts = []
    if penalty.aggravated_fine:
        parts.append("加重罚款（安全生产法第一百一十四条，二至五倍）")
    if repair is not None:
        approved_on, number = repair
        by = f"，批准文号{number}" if number else ""
        parts.append(f"已于{approved_on.isoformat()}信用修复{by}，公示截止")
    return "；".join(parts)


def collect(
    db: Database, *, start: date, end: date, bureau_name: str, bureau_uscc: str
) -> PenaltyPublicity:
    """The rows and the gaps of the penalties the bureau (应急管理部门) decided between
    ``start`` and ``end`` inclusive, by decision date and 文号."""
    if start > end:
        raise SafeCreditError(
            f"开始日期 {start.isoformat()} 晚于结束日期 {end.isoformat()}，请重新选择期间。"
        )
    db_rows = db.conn.execute(
        "SELECT p.*, u.uscc AS _uscc, u.name AS _name, u.legal_rep AS _legal_rep,"
        " r.approved_on AS _repaired_on, r.approval_no AS _approval_no"
        " FROM penalties p JOIN units u ON u.id = p.unit_id"
        " LEFT JOIN repairs r ON r.penalty_id = p.id"
        " WHERE p.department = ? AND p.decided_on BETWEEN ? AND ?"
        " ORDER BY p.decided_on, p.doc_no",
        (model.PenaltyDepartment.EMERGENCY.value, start.isoformat(), end.isoformat()),
    )
    names = [d[0] for d in db_rows.description]
    bureau_code = bureau_uscc.strip()
    rows: list[tuple[object, ...]] = []
    gaps: list[Gap] = []
    for excel_row, raw in enumerate(db_rows, start=2):
        row = dict(zip(names, raw, strict=True))
        penalty: model.Penalty = from_row(model.Penalty, row)
        uscc, unit_name = str(row["_uscc"]), str(row["_name"])
        repaired = row["_repaired_on"]
        repair = (
            (date.fromisoformat(str(repaired)), str(row["_approval_no"] or ""))
            if repaired
            else None
        )
        types = penalty_types(penalty.penalty_types)
        valid_until, why_blank = decision_ends(types, penalty.decided_on)
        fine = fine_wan(penalty.fine_yuan) if penalty.fine_yuan > 0 else None
        values: dict[str, object] = {
            "行政相对人名称": unit_name,
            "行政相对人类别": subject_kind(uscc),
            "行政相对人代码_1(统一社会信用代码)": uscc,
            "法定代表人": str(row["_legal_rep"] or "").strip(),
            "行政处罚决定书文号": penalty.doc_no,
            "违法行为类型": penalty.violation_type.strip(),
            "违法事实": penalty.reason.strip(),
            "处罚依据": penalty.legal_basis.strip(),
            "处罚类别": model.PENALTY_TYPE_SEPARATOR.join(types),
            "处罚内容": penalty.penalty_content.strip(),
            "罚款金额（万元）": fine,
            "处罚决定日期": penalty.decided_on,
            "处罚有效期": valid_until,
            "公示截止期": publicity_ends(penalty.decided_on, repair[0] if repair else None),
            "处罚机关": bureau_name,
            "处罚机关统一社会信用代码": bureau_code,
            "数据来源单位": bureau_name,
            "数据来源单位统一社会信用代码": bureau_code,
            "备注": _remarks(penalty, repair),
        }
        rows.append(tuple(values[h] for h in HEADERS))

        blanks = [(column, what) for column, what in _FROM_RECORD.items() if not values[column]]
        if FINE in types and fine is None:
            blanks.append(("罚款金额（万元）", "处罚类别含罚款，处罚记录未填写罚款金额"))
        if valid_until is None:
            blanks.append(("处罚有效期", why_blank))
        blanks.sort(key=lambda blank: HEADERS.index(blank[0]))
        gaps.extend(Gap(excel_row, c, penalty.doc_no, unit_name, w) for c, w in blanks)
    if rows and not bureau_code:
        for column in ("处罚机关统一社会信用代码", "数据来源单位统一社会信用代码"):
            gaps.append(Gap(None, column, "", "", BUREAU_CODE_MISSING))
    return PenaltyPublicity(rows, gaps, start, end)


def _period(start: date, end: date) -> str:
    return f"{start.isoformat()} 至 {end.isoformat()}"


def write_penalty_publicity(
    path: Path,
    found: PenaltyPublicity,
    *,
    bureau_name: str,
    today: date,
) -> Path:
    """The workbook: the national columns on row 1, then 缺项 and 说明."""
    period = _period(found.start, found.end)
    title = f"{bureau_name}{TITLE}"
    book = ReportBook(title, subject=f"处罚决定日期 {period}", creator=bureau_name)
    book.table(SHEET, columns=PUBLICITY_COLUMNS, rows=found.rows, auto_filter=True)
    last = len(found.rows) + 1
    gap_rows = numbered(
        (
            f"第{g.row}行" if g.row is not None else f"第2–{last}行（全部）",
            g.column,
            g.doc_no,
            g.unit_name,
            g.what,
        )
        for g in found.gaps
    )
    summary = (
        f"共{len(found.gaps)}处必填项空白，补全记录后重新导出（不要在表中猜填）。"
        if found.gaps
        else "没有缺项：每行的必填项都已填写。"
    )
    book.table(
        GAPS_SHEET,
        columns=(
            SERIAL,
            Column("行", Kind.CENTER, 8, 18),
            Column("列", Kind.TEXT, 12, 30),
            Column("行政处罚决定书文号", Kind.TEXT, 18, 28),
            Column("行政相对人名称", Kind.TEXT, 20, 36),
            Column("缺少的内容", Kind.WRAP, 30, 60),
        ),
        rows=gap_rows,
        title=f"{title}缺项",
        lines=(Line(f"处罚决定日期：{period}", centered=True), Line(summary)),
    )
    book.notes(
        [
            ("处罚机关", bureau_name),
            ("期间", f"处罚决定日期 {period}（含首尾两日）"),
            ("范围", "本局（应急管理部门）作出的行政处罚，每条一行；其他部门的处罚由其自行公示。"),
            ("条数", f"{len(found.rows)}条；缺项{len(found.gaps)}处（见“缺项”表）"),
            (
                "格式",
                "第1行为国家双公示行政处罚信息的列名，依次排列，可直接上传信用网站；"
                "日期为日期格式（YYYY/MM/DD），代码为文本，罚款金额以万元为单位的数字。",
            ),
            (
                "必填项",
                "除罚款金额（处罚类别含罚款时必填）、公示截止期和备注外各列均为必填；"
                "记录中没有的内容列入“缺项”表，不推测填写。",
            ),
            (
                "公示截止期",
                "处罚决定之日起三年（行政处罚信息最长公示期；安全生产领域最短公示期一年）；"
                "已信用修复的，为修复批准日期。",
            ),
            (
                "处罚有效期",
                "警告、通报批评、罚款、没收违法所得、没收非法财物随决定执行完毕，填公示截止期；"
                "吊销许可证件、责令关闭、降低资质等级填2099/12/31（长期）；暂扣许可证件、"
                "责令停产停业、限制开展生产经营活动、限制从业等有期限的处罚，按处罚决定书所定"
                "期限填写，列入缺项。",
            ),
            (
                "行政相对人类别",
                "统一社会信用代码以92开头的为个体工商户，其余为法人及非法人组织。",
            ),
        ],
        today=today,
        sheet_name=NOTES_SHEET,
    )
    return book.save(path)
