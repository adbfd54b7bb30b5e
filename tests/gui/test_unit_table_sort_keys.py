"""The registry table sorts each column by the core's key of that column: the model takes
the core's sort keys in their order, so the two orders must stay the same."""

from safecredit_desktop.gui.models.unit_table_model import UnitTableModel


def test_each_column_sorts_by_its_own_key() -> None:
    m = UnitTableModel
    expected = {
        m.COL_NAME: "name",
        m.COL_USCC: "uscc",
        m.COL_CATEGORY: "category",
        m.COL_TOWN: "town",
        m.COL_MAIN_PERSON: "main_person",
        m.COL_HIGH_RISK: "high_risk",
        m.COL_STD_LEVEL: "std_level",
        m.COL_STATUS: "status",
        m.COL_GRADE: "grade",
        m.COL_CONFIRMED: "confirmed_grade",
    }
    assert {column: m.SORT_KEYS[column] for column in expected} == expected
    assert len(m.SORT_KEYS) == len(expected)
