"""JSON-Schema forms for BPMN user tasks: lint, coerce, validate and render.

A user task names a JSON Schema (draft 2020-12) and optionally an rjsf-style UI schema. The
usual round trip in a view:

    data = coerce_post(schema, request.POST, ui_schema=ui)   # + stored read-only values
    errors = validate_submission(schema, data)
    html = render_form(schema, ui, data, errors)             # when errors, show again
    parts = render_form_parts(schema, ui, data, errors)      # inputs + read-only context rows

check_schema() is for deploy time. Domain formats (cn-resident-id, cn-mobile, cn-phone) and the
"x-resident-id-matches" keyword are described in forms.formats and forms.validation.
"""

from forms.coercion import coerce_post
from forms.lint import check_schema
from forms.rendering import FormParts, render_form, render_form_parts
from forms.validation import NON_FIELD_ERRORS, validate_submission

__all__ = [
    "NON_FIELD_ERRORS",
    "FormParts",
    "check_schema",
    "coerce_post",
    "render_form",
    "render_form_parts",
    "validate_submission",
]
