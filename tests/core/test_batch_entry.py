"""Batch entry (issue 18): check_batch, save_batch in one transaction, undo as one step,
the clipboard's tab-separated text, and the grade change a batch causes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from safecredit_desktop.core import batch_entry, forms, model
from safecredit_desktop.core.exchange.paste import parse_pasted, split_cells
from safecredit_desktop.core.validate import uscc_check_character

TODAY = date(2026, 11, 20)
FORM = batch_entry.batch_form("inspections")


def code(n: int) -> str:
    first17 = f"91433123{n:09d}"
    return first17 + uscc_check_character(first17)


def add_units(session: Any, count: int) -> list[str]:
    codes = [code(n + 1) for n in range(count)]
    session.repo.insert_many(
        [
            model.Unit(uscc=c, name=f"凤凰县第{n + 1}化工有限公司", category="工贸八大行业")
            for n, c in enumerate(codes)
        ]
    )
    return codes


def inspection(unit: str, day: str = "2026-11-3", hazards: str = "2") -> dict[str, object]:
    return {**forms.default_values(FORM), "unit_id": unit, "inspected_on": day, "hazards": hazards}


def count(session: Any, table: str) -> int:
    return int(session.db.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_bad_cells_are_listed_and_nothing_is_saved(session: Any) -> None:
    codes = add_units(session, 5)
    rows = [inspection(c) for c in codes]
    rows[1]["inspected_on"] = "2026.13.1"
    rows[3]["hazards"] = "两个"
    rows[4]["unit_id"] = code(99)
    check = session.records.check_batch("inspections", rows, today=TODAY)
    assert [(e.row, e.column) for e in check.errors] == [
        (2, "检查日期"),
        (4, "发现隐患数"),
        (5, "统一社会信用代码"),
    ]
    assert check.errors[0].value == "2026.13.1"
    assert "不是真实存在的日期" in check.errors[0].reason
    assert "没有统一社会信用代码为" in check.errors[2].reason
    with pytest.raises(batch_entry.BatchErrors) as refused:
        session.records.save_batch("inspections", rows, today=TODAY)
    assert len(refused.value.errors) == 3
    assert count(session, "inspections") == 0


def test_the_forms_sentences_and_the_batchs_own(session: Any) -> None:
    codes = add_units(session, 2)
    one = inspection(codes[0], day="11-25")  # a short date read as the past: last year's
    same_as_form = forms.validate_field(
        forms.form_for("inspections"),
        "major_hazards",
        "3",
        profile=session.profile,
        today=TODAY,
        values={"inspected_on": "2026-11-3", "hazards": "1"},
    )
    two = {**inspection(codes[1], hazards="1"), "major_hazards": "3"}
    twin = inspection(codes[0], day="2025-11-25")
    check = session.records.check_batch("inspections", [one, two, twin], today=TODAY)
    reasons = {(e.row, e.key): e.reason for e in check.errors}
    assert reasons[(2, "major_hazards")] == same_as_form
    assert reasons[(3, "inspected_on")].startswith("与第1行重复")
    assert check.records[0].inspected_on == date(2025, 11, 25)


def test_save_batch_is_one_step_of_undo_and_audited(session: Any) -> None:
    codes = add_units(session, 50)
    saved = session.records.save_batch("inspections", [inspection(c) for c in codes], today=TODAY)
    assert len(saved.ids) == 50 and count(session, "inspections") == 50
    audited = session.db.conn.execute(
        "SELECT count(*), min(user), max(user) FROM audit_log WHERE table_name = 'inspections'"
    ).fetchone()
    assert tuple(audited) == (50, "测试员", "测试员")
    assert session.records.undo() == "撤销新增的50条执法检查记录"
    assert count(session, "inspections") == 0
    # the keys are free again: the same block saves anew
    session.records.save_batch("inspections", [inspection(c) for c in codes], today=TODAY)
    assert count(session, "inspections") == 50


def test_a_stored_record_clashes_by_its_natural_key(session: Any) -> None:
    codes = add_units(session, 1)
    session.records.save_batch("inspections", [inspection(codes[0])], today=TODAY)
    check = session.records.check_batch("inspections", [inspection(codes[0])], today=TODAY)
    assert [e.key for e in check.errors] == ["inspected_on"]
    assert "已有一条执法检查记录" in check.errors[0].reason


def test_a_unit_by_its_exact_name(session: Any) -> None:
    add_units(session, 2)
    rows = [inspection("凤凰县第2化工有限公司"), inspection("凤凰县第9化工有限公司")]
    check = session.records.check_batch("inspections", rows, today=TODAY)
    assert [(e.row, e.reason) for e in check.errors] == [
        (2, "本系统中没有名为“凤凰县第9化工有限公司”的企业，请填写已登记企业的统一社会信用代码")
    ]
    assert check.records[0].unit_id == 2


def test_an_accident_that_drops_a_unit_from_a_to_c(session: Any) -> None:
    today = date.today()
    unit = model.Unit(
        uscc=code(1),
        name="凤凰县沱江化工有限公司",
        category="工贸八大行业",
        std_level="二级",
        std_awarded_on=today - timedelta(days=300),
        std_valid_until=today + timedelta(days=700),
    )
    (unit_id,) = session.repo.insert_many([unit])
    for kind in model.CommitmentType:
        session.records.save(model.Commitment(unit_id, kind.value, today - timedelta(days=30)))
    assert session.grading.grade_one(unit_id).grade == "A"
    accident_form = batch_entry.batch_form("accidents")
    row = {
        **forms.default_values(accident_form),
        "unit_id": code(1),
        "occurred_on": (today - timedelta(days=5)).isoformat(),
        "deaths": "1",
        "responsible": "是",
    }
    saved = session.records.save_batch("accidents", [row])
    assert [c.line for c in saved.changes] == [
        "凤凰县沱江化工有限公司：等级由A（一级）变为C（三级）："
        "1年内发生造成人员死亡的生产安全责任事故"
    ]


def test_carry_down_keeps_the_stack_and_suggests_the_next_number() -> None:
    above = {
        **inspection(code(1), day="11-3"),
        "method": "专项检查",
        "inspectors": "张三、李四",
        "doc_no": "凤应急检〔2026〕0099号",
        "note": "复查",
    }
    below = batch_entry.carry_down(FORM, above)
    assert below["unit_id"] == "" and below["hazards"] == "" and below["note"] == ""
    assert below["inspected_on"] == "11-3"
    assert (below["method"], below["inspectors"]) == ("专项检查", "张三、李四")
    assert below["doc_no"] == "凤应急检〔2026〕0100号"
    assert batch_entry.next_doc_no("无编号") == "无编号"


# -- the clipboard -----------------------------------------------------------------------------


def test_a_header_row_matches_columns_by_name_and_synonym() -> None:
    text = "检查日期\t社会信用代码\t隐患数\t联系人\r\n2026.11.3\t" + code(1) + "\t2\t王五\r\n"
    block = parse_pasted(text, FORM)
    assert block.header
    assert block.rows == [{"inspected_on": "2026.11.3", "unit_id": code(1), "hazards": "2"}]
    assert block.notes == ["“联系人”列不是执法检查的内容，未粘贴"]


def test_without_a_header_columns_go_by_position_from_the_current_one() -> None:
    block = parse_pasted("20261103\t日常检查\n\n20261104\t专项检查\n", FORM, first_column=1)
    assert not block.header
    assert block.rows == [
        {"inspected_on": "20261103", "method": "日常检查"},
        {"inspected_on": "20261104", "method": "专项检查"},
    ]


def test_quoted_cells_keep_line_breaks_and_quotes() -> None:
    assert split_cells('a\t"two\nlines"\t"say ""hi"""\r\nb\t\t\r\n') == [
        ["a", "two\nlines", 'say "hi"'],
        ["b", "", ""],
    ]


_CELL = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00"),
    max_size=12,
)


@given(st.lists(st.lists(_CELL, min_size=1, max_size=6), min_size=1, max_size=8))
@example([["2026.11.3", "a\tb"], ['"x"', "line\nbreak"]])
@example([[""]])
def test_split_cells_undoes_what_a_spreadsheet_writes(table: list[list[str]]) -> None:
    """Excel's clipboard writer: a cell with a tab, a line break or a quote is quoted."""

    def quoted(cell: str) -> str:
        if any(ch in cell for ch in '\t\n"'):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    width = max(len(row) for row in table)
    padded = [row + [""] * (width - len(row)) for row in table]
    text = "".join("\t".join(quoted(c) for c in row) + "\r\n" for row in padded)
    assert split_cells(text) == padded


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=6),
            st.sampled_from(["2026-11-3", "2026.11.3", "20261103", "2026年11月3日", "2026.13.1"]),
            st.sampled_from(["0", "3", "-1", "两个", ""]),
        ),
        min_size=1,
        max_size=8,
    )
)
@example([(1, "2026.13.1", "两个")])
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
def test_check_batch_lists_exactly_the_bad_cells(session: Any, rows: list[Any]) -> None:
    """Every cell the forms refuse is listed once, with its row; the rest become records."""
    if count(session, "units") == 0:
        add_units(session, 5)
    batch = [inspection(code(n), day=day, hazards=hazards) for n, day, hazards in rows]
    check = session.records.check_batch("inspections", batch, today=TODAY)
    expected: set[tuple[int, str]] = set()
    used: set[tuple[int, date]] = set()
    for index, (n, day, hazards) in enumerate(rows):
        bad = set()
        if n == 6:
            bad.add("unit_id")
        if day == "2026.13.1":
            bad.add("inspected_on")
        if hazards in ("-1", "两个"):
            bad.add("hazards")
        if not bad:
            key = (n, date(2026, 11, 3))
            if key in used:
                bad.add("inspected_on")  # the same unit twice on one day
            used.add(key)
        expected |= {(index + 1, k) for k in bad}
    assert {(e.row, e.key) for e in check.errors} == expected
    assert set(check.records) == {
        i for i in range(len(rows)) if (i + 1) not in {r for r, _ in expected}
    }


@given(
    st.permutations(list(FORM.keys)).flatmap(
        lambda keys: st.tuples(
            st.just(keys),
            st.integers(min_value=1, max_value=len(keys)),
            st.lists(
                st.lists(
                    st.text(alphabet="0123456789-.年月日AB甲乙", min_size=1, max_size=6),
                    min_size=len(keys),
                    max_size=len(keys),
                ),
                min_size=1,
                max_size=5,
            ),
        )
    )
)
@example((list(FORM.keys), 2, [["a"] * len(FORM.keys)]))
def test_a_header_in_any_order_puts_every_cell_in_its_column(case: Any) -> None:
    keys, width, rows = case
    chosen = keys[:width]
    labels = FORM.labels
    text = "\t".join(labels[k] for k in chosen) + "\r\n"
    text += "".join("\t".join(row[:width]) + "\r\n" for row in rows)
    block = parse_pasted(text, FORM)
    assert block.header
    assert block.rows == [dict(zip(chosen, row[:width], strict=True)) for row in rows]
