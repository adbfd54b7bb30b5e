"""The 全部数据 export at scale: streamed rows, shared strings, the same cells as before;
a city's roll-up of counties that re-imports as it should.

(The round trip into an empty database, the sheets, notices and print setup are in
test_data_export.py and test_print_layout.py; times are in bench/, not here.)
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from test_data_export import new_session, snapshot

from safecredit_desktop.core import app as core
from safecredit_desktop.core import demo
from safecredit_desktop.core.exchange import data_export
from safecredit_desktop.core.exchange.columns import SHEETS
from safecredit_desktop.core.storage.connection import Database, connect_raw

TODAY = date(2026, 11, 21)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("county") / "county.db"
    session = new_session(path, "凤凰县应急管理局")
    core.fill_demo(session, enterprises=150, seed=9, today=TODAY)
    session.close()
    return path


@pytest.mark.parametrize("table", sorted(data_export._DIRECT))
def test_direct_rows_are_the_record_cells(county: Path, table: str) -> None:
    """The big tables read straight into cells give what ``record_cells`` gives."""
    db = Database(county, connect_raw(county, read_only=True))
    try:
        direct = list(data_export.direct_rows(db, table))
        by_record = [
            data_export.record_cells(table, code, record)
            for code, record in data_export._per_unit(db, table, data_export.RECORD_ORDER[table])
        ]
    finally:
        db.close()
    assert direct == by_record and len(direct) > 0


def test_text_is_in_the_shared_strings(county: Path, tmp_path: Path) -> None:
    """No data row holds inline text (the header rows may); every text cell is an index
    into one table. A 执法检查 row takes well under the 540 bytes inline text took."""
    book = tmp_path / "all.xlsx"
    session = core.open_session(county, user="导出员")
    try:
        result = session.exchange.export_all_data(book, include_id=False, today=TODAY)
    finally:
        session.close()
    with zipfile.ZipFile(book) as archive:
        names = archive.namelist()
        assert "xl/sharedStrings.xml" in names
        sheets = sorted(
            (n for n in names if n.startswith("xl/worksheets/sheet")),
            key=lambda n: int(n.removeprefix("xl/worksheets/sheet").removesuffix(".xml")),
        )
        texts = [archive.read(n) for n in sheets]
    for text in texts[1:-1]:  # the data sheets, between 说明 and the hidden 选项
        assert b"inlineStr" not in text.split(b"</row>", 1)[-1]
    order = [spec.name for spec in SHEETS]
    inspections = texts[1 + order.index("执法检查")]  # the 说明 sheet comes first
    rows = result.counts["执法检查"]
    assert rows > 100 and len(inspections) / rows < 420


def _county(index: int, tmp: Path) -> Path:
    """One demo county of a city: its own area code (so its own codes) and abbreviation."""
    base = demo._county_for("fenghuang")
    county = replace(base, area_code=f"4331{40 + index}", doc_abbr="凤吉"[index])
    original = demo._county_for
    demo._county_for = lambda _name: county  # type: ignore[assignment]
    try:
        session = new_session(tmp / f"county{index}.db", f"第{index + 1}县应急管理局")
        core.fill_demo(session, enterprises=40, seed=20 + index, today=TODAY)
        book = tmp / f"county{index}.xlsx"
        session.exchange.export_all_data(book, include_id=True, today=TODAY)
        session.close()
    finally:
        demo._county_for = original  # type: ignore[assignment]
    return book


def test_a_city_roll_up_reimports_each_county_unchanged(tmp_path: Path) -> None:
    """Two counties into one city: the second county's import reads only its own stored
    records, so importing the first again (with the second's records stored) finds every
    row unchanged, and the city holds both counties' records."""
    first, second = _county(0, tmp_path), _county(1, tmp_path)
    city = new_session(tmp_path / "city.db", "湘西州应急管理局")
    try:
        added = [
            city.exchange.import_workbook(book, dry_run=False, accept_bad_check=False).added
            for book in (first, second)
        ]
        again = city.exchange.import_workbook(first, dry_run=False, accept_bad_check=False)
        assert not again.changed and again.unchanged == added[0]
    finally:
        city.close()
    stored = snapshot(tmp_path / "city.db")
    separate = [snapshot(tmp_path / f"county{i}.db") for i in (0, 1)]
    for table in ("inspections", "commitments", "penalties", "accidents"):
        assert len(stored[table]) == len(separate[0][table]) + len(separate[1][table]), table


def test_a_failed_export_leaves_nothing_behind(
    county: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error halfway through the rows leaves no workbook, no half file and no row
    files of XlsxWriter's, and says nothing was written."""
    original = data_export.direct_rows

    def failing(db: Database, table: str) -> Iterator[list[object]]:
        for n, row in enumerate(original(db, table)):
            if table == "commitments" and n == 50:
                raise OSError(28, "No space left on device")
            yield row

    monkeypatch.setattr(data_export, "direct_rows", failing)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    out = tmp_path / "out"
    out.mkdir()
    session = core.open_session(county, user="导出员")
    try:
        with pytest.raises(OSError):
            session.exchange.export_all_data(out / "all.xlsx", include_id=False, today=TODAY)
    finally:
        session.close()
    assert list(out.iterdir()) == []
    assert list((tmp_path / "temp").iterdir()) == []
