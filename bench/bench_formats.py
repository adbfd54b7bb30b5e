"""Benchmark: the writers and readers the workbooks were chosen by.

    python bench/bench_formats.py [--rows 100000]

Writing (the first ``rows`` 执法检查 rows of the 100,000-unit demo database, the cells of
the 全部数据 sheet, styled as it styles them: 宋体, grid, codes '@', dates yyyy-mm-dd):

- openpyxl's write-only mode, one styled ``WriteOnlyCell`` per cell (how the export
  wrote before), text inline;
- XlsxWriter's constant-memory mode through its ``write``, text inline;
- the same XlsxWriter sheet with the rows written straight into its row file, text in
  the shared strings (``xlsx_writer.StreamingSheet.append_rows``, what the export uses).

Reading (a county's 全部数据 workbook of bench_rollup.py, ``importer.read_workbook``:
limits' pass, header mapping, every non-blank cell): our XML reader alone, and with
plain sheets read by python-calamine (what the import uses).

Each figure is the best CPU time of ``repeat`` runs (process time: this machine is
shared), with the sheet's XML bytes per row for the writers.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
for folder in (ROOT, BENCH):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from bench_registry import demo_database  # noqa: E402
from bench_rollup import workbooks  # noqa: E402

from safecredit_desktop.core.exchange import data_export, reading, sheets  # noqa: E402
from safecredit_desktop.core.exchange.columns import SHEET_BY_TABLE  # noqa: E402
from safecredit_desktop.core.exchange.template_export import sheet_columns  # noqa: E402
from safecredit_desktop.core.exchange.xlsx_writer import StreamingBook  # noqa: E402
from safecredit_desktop.core.storage.connection import Database, connect_raw  # noqa: E402

Rows = Sequence[Sequence[object]]


def _openpyxl(path: Path, rows: Rows, columns: list[sheets.Column]) -> None:
    wb = sheets.new_workbook()
    sheets.write_table(wb, "执法检查", columns=columns, rows=rows)
    wb.save(path)


def _xlsxwriter(path: Path, rows: Rows, columns: list[sheets.Column]) -> None:
    book = StreamingBook(path)
    sheet = book.add_sheet("执法检查")
    header = book.start_table(sheet, columns)
    formats = [book.body(c) for c in columns]
    for offset, values in enumerate(rows, start=1):
        for index, value in enumerate(values):
            if value is None or value == "":
                sheet.write_blank(header + offset, index, None, formats[index])
            elif isinstance(value, date):
                sheet.write_datetime(header + offset, index, value, formats[index])
            else:
                sheet.write(header + offset, index, value, formats[index])
    book.close()


def _streamed(path: Path, rows: Rows, columns: list[sheets.Column]) -> None:
    book = StreamingBook(path)
    sheet = book.add_sheet("执法检查")
    header = book.start_table(sheet, columns)
    meter = sheets.WidthMeter(columns)
    sheet.append_rows(header, rows, [book.body(c) for c in columns], meter)
    book.finish_table(sheet, meter.widths())
    book.close()


def _best(job: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.process_time()
        job()
        times.append(time.process_time() - started)
    return min(times)


def run(rows: int = 100_000, repeat: int = 2) -> dict[str, float]:
    path, _ = demo_database(100_000)
    db = Database(path, connect_raw(path, read_only=True))
    try:
        data = list(itertools.islice(data_export.direct_rows(db, "inspections"), rows))
    finally:
        db.close()
    columns = sheet_columns(SHEET_BY_TABLE["inspections"])
    result: dict[str, float] = {"rows": float(len(data))}
    with tempfile.TemporaryDirectory(prefix="safecredit-bench-") as tmp:
        for name, writer in (
            ("openpyxl", _openpyxl),
            ("xlsxwriter", _xlsxwriter),
            ("streamed", _streamed),
        ):
            out = Path(tmp) / f"{name}.xlsx"

            def job(out: Path = out, writer: Callable[..., None] = writer) -> None:
                out.unlink(missing_ok=True)
                writer(out, data, columns)

            result[f"write_{name}"] = _best(job, repeat)
            with zipfile.ZipFile(out) as archive:
                xml = archive.getinfo("xl/worksheets/sheet1.xml").file_size
            result[f"bytes_per_row_{name}"] = xml / len(data)
    county = workbooks(10, 5_000)[0]
    for name, flag in (("xml", False), ("calamine", True)):
        reading.USE_CALAMINE = flag
        result[f"read_{name}"] = _best(lambda: reading.read_workbook(county), repeat)
    reading.USE_CALAMINE = True
    result["read_ratio"] = result["read_xml"] / result["read_calamine"]
    result["write_ratio"] = result["write_openpyxl"] / result["write_xlsxwriter"]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    print(json.dumps(run(args.rows, args.repeat), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
