"""连续录入 (issue 18): a keyboard-driven grid of new records of one kind, and a block
pasted from Excel or WPS; the rules are the entry forms' (core/batch_entry.py).

``open_batch_entry(parent, session, bus, kind)`` opens it; the record pages call it
from their 连续录入 button."""

from safecredit_desktop.gui.batch_entry.dialog import BatchEntryDialog, open_batch_entry
from safecredit_desktop.gui.batch_entry.grid import BatchEntryGrid

__all__ = ["BatchEntryDialog", "BatchEntryGrid", "open_batch_entry"]
