"""A drop-down list filled again when what it may choose from changes (a filter's
values, the confirmed assessment years)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QComboBox


def refill_items(combo: QComboBox, items: Iterable[tuple[str, object]]) -> None:
    """``combo`` emptied and filled again with ``(text, data)`` items. The caller blocks
    the combo's signals around it and chooses what is shown."""
    combo.clear()
    for text, data in items:
        combo.addItem(text, data)


def refill(
    combo: QComboBox, everything: str, everything_data: object, values: Iterable[str]
) -> None:
    """A filter refilled: ``everything`` (the no-filter entry, whose data is
    ``everything_data``) first, then each value as its own data."""
    refill_items(combo, [(everything, everything_data), *((value, value) for value in values)])
