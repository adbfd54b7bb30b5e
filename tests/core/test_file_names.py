"""Suggested file names built from data stay one name inside the chosen folder."""

from __future__ import annotations

from pathlib import Path, PureWindowsPath

from hypothesis import example, given
from hypothesis import strategies as st

from safecredit_desktop.core.file_names import MAX_STEM, safe_file_name


@given(st.text(max_size=300))
@example("../../etc/passwd")
@example("..\\..\\Windows\\system32")
@example("C:\\x")
@example("CON")
@example("nul.txt")
@example("凤凰县应急管理局\r\n")
@example("...")
@example("")
@example(" .hidden. ")
def test_one_name_inside_the_folder(name: str) -> None:
    folder = Path("/data/exports")
    made = safe_file_name(name, suffix=".xlsx")
    assert made.endswith(".xlsx")
    assert (folder / made).parent == folder
    assert PureWindowsPath(made).name == made and Path(made).name == made
    assert not made.startswith(".") and ".." not in made.removesuffix(".xlsx")[:2]
    assert all(c.isprintable() for c in made)
    assert not any(c in '<>:"/\\|?*' for c in made)
    assert made.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL"}
    assert len(made) <= MAX_STEM + len(".xlsx")


def test_ordinary_names_are_kept() -> None:
    assert (
        safe_file_name("凤凰县应急管理局2027年年度执法检查计划.xlsx", suffix=".xlsx")
        == "凤凰县应急管理局2027年年度执法检查计划.xlsx"
    )
    assert safe_file_name("凤应急评告〔2026〕1号 告知书", suffix=".pdf") == (
        "凤应急评告〔2026〕1号 告知书.pdf"
    )
    assert safe_file_name("../../etc/凤凰县全部数据", suffix=".xlsx") == "etc_凤凰县全部数据.xlsx"
    assert safe_file_name("", suffix=".pdf", fallback="文书") == "文书.pdf"
