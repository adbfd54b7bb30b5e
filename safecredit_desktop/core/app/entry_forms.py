"""The entry forms as the window sees them: each form as data, the field and cross-field
checks, a record built from the values. ``core.forms`` also looks things up in the
database (a unit by its code, a conflicting record); the window reaches those only
through the Session (``session.units.find_by_code`` as the forms' ``unit_lookup``,
``session.records.save_entered``), so this module hands over only the pure part (an
import contract in pyproject.toml keeps ``gui/`` from ``core.forms``)."""

from safecredit_desktop.core.forms import (
    DATE_HINT,
    UNIT_PICKER,
    FieldSpec,
    FormCheck,
    FormErrors,
    FormSpec,
    build_record,
    carry_over,
    check_form,
    default_values,
    form_for,
    normalize_date_text,
    values_of,
)

__all__ = [
    "DATE_HINT",
    "UNIT_PICKER",
    "FieldSpec",
    "FormCheck",
    "FormErrors",
    "FormSpec",
    "build_record",
    "carry_over",
    "check_form",
    "default_values",
    "form_for",
    "normalize_date_text",
    "values_of",
]
