"""The words of the layers below that the window and the CLI use with the Session: what a
write changed (``Changes``, ``Table``), the roles of an account, where a register lives,
the one setting the draw page names, the workflows' stages, statuses and actions. The
window imports these from here, never from ``core.storage`` (an import contract in
pyproject.toml)."""

from safecredit_desktop.core.storage.changes import GRADE_INPUTS, Changes, Table
from safecredit_desktop.core.storage.connection import PasswordNeededError
from safecredit_desktop.core.storage.location import Location, ServerLocation, parse_server
from safecredit_desktop.core.storage.settings import COUNTY_TOWNS, DRAW_AVOID_OWN_TOWN
from safecredit_desktop.core.storage.users import ROLE_ORDER, User
from safecredit_desktop.core.workflows.lists import ListAction, ListStage
from safecredit_desktop.core.workflows.objections import ObjectionAction, ObjectionStatus, Outcome
from safecredit_desktop.core.workflows.publicity import PublicityAction, PublicityStatus
from safecredit_desktop.core.workflows.repairs import ApplicationStatus, RepairAction

__all__ = [
    "COUNTY_TOWNS",
    "DRAW_AVOID_OWN_TOWN",
    "GRADE_INPUTS",
    "ROLE_ORDER",
    "ApplicationStatus",
    "Changes",
    "ListAction",
    "ListStage",
    "Location",
    "ObjectionAction",
    "ObjectionStatus",
    "Outcome",
    "PasswordNeededError",
    "PublicityAction",
    "PublicityStatus",
    "RepairAction",
    "ServerLocation",
    "Table",
    "User",
    "parse_server",
]
