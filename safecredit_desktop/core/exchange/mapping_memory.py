"""Confirmed column mappings remembered per layout (issue 18): the next workbook whose
header row is the same gets the clerk's own mapping proposed first.

A mapping is a setting ``column_mapping.<signature>`` (the header row's fingerprint,
:func:`.column_mapping.layout_signature`) holding JSON: the template sheet and, per
mapped column, its letters, its header and the template header. It is written through
:func:`~safecredit_desktop.core.storage.settings.set_setting`, so it is audited and
travels with the database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from safecredit_desktop.core.exchange.source_sheet import SourceSheet
from safecredit_desktop.core.storage.connection import Database
from safecredit_desktop.core.storage.settings import get_setting, set_setting

KEY_PREFIX = "column_mapping."


@dataclass(frozen=True)
class RememberedMapping:
    """A confirmed mapping: the template sheet, source column number → template header."""

    kind: str
    mapping: dict[int, str]


def setting_key(signature: str) -> str:
    return KEY_PREFIX + signature


def recall(db: Database, signature: str) -> RememberedMapping | None:
    """The mapping confirmed for this layout, or None (also for an unreadable value)."""
    text = get_setting(db, setting_key(signature))
    if not text:
        return None
    try:
        data = json.loads(text)
        mapping = {int(c["column"]): str(c["template"]) for c in data["columns"]}
        return RememberedMapping(str(data["sheet"]), mapping)
    except (ValueError, KeyError, TypeError):
        return None


def remember(
    db: Database,
    user: str,
    source: SourceSheet,
    signature: str,
    kind: str,
    mapping: Mapping[int, str],
) -> None:
    """Store (audited) the mapping confirmed for this layout; unchanged, nothing is written."""
    columns = [
        {
            "column": index,
            "letter": source.column(index).letter,
            "header": source.column(index).header,
            "template": template,
        }
        for index, template in sorted(mapping.items())
    ]
    text = json.dumps({"sheet": kind, "columns": columns}, ensure_ascii=False, sort_keys=True)
    set_setting(db, user, setting_key(signature), text)
