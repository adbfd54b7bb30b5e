"""A filter's drop-down list filled again when what it may choose from changes."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QComboBox


def refill(
    combo: QComboBox, everything: str, everything_data: object, values: Iterable[str]
) -> None:
    """``combo`` emptied and filled again: ``everything`` (the no-filter entry, whose data
    is ``everything_data``) first, then each value as its own data. The caller blocks the
    combo's signals around it and chooses what is shown."""
    combo.clear()
    combo.addItem(everything, everything_data)
    for value in values:
        combo.addItem(value, value)
