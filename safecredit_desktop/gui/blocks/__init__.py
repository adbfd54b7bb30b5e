"""Building blocks of the window's pages: a row model described by its columns, a
list-and-detail pane, column fitting, a page heading, and the small form pieces the
workflow pages share."""

from safecredit_desktop.gui.blocks.columns import ColumnFitter, fit_columns
from safecredit_desktop.gui.blocks.heading import PageHeading
from safecredit_desktop.gui.blocks.list_pane import ListPane, action_box
from safecredit_desktop.gui.blocks.row_model import ID_ROLE, Column, RowModel
from safecredit_desktop.gui.blocks.row_table import RowTable

__all__ = [
    "ID_ROLE",
    "Column",
    "ColumnFitter",
    "ListPane",
    "PageHeading",
    "RowModel",
    "RowTable",
    "action_box",
    "fit_columns",
]
