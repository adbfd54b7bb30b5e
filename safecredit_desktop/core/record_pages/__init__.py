"""County-wide record pages (issue 18): every record of a kind across all units, filtered,
sorted and paged in the database, with the count and footer sums (``query.py``), each
kind's columns, filters and sums as data (``kinds.py``)."""

from safecredit_desktop.core.record_pages.kinds import (
    KINDS,
    PageColumn,
    PageFilter,
    PageSum,
    RecordKind,
    kind_of,
)
from safecredit_desktop.core.record_pages.query import (
    PageRow,
    PageTotals,
    RecordFilters,
    RecordSort,
)

__all__ = [
    "KINDS",
    "PageColumn",
    "PageFilter",
    "PageRow",
    "PageSum",
    "PageTotals",
    "RecordFilters",
    "RecordKind",
    "RecordSort",
    "kind_of",
]
