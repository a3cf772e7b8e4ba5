"""Personal data on pages (webapp/privacy.py): `{% personal value "phone" "customer" pk "mobile" %}`
shows the value masked and, for users who may see it in full, a "显示" button: a small POST form to
/privacy/reveal/ that static/anju/privacy.js turns into a call of /api/privacy/reveal/ replacing
the mask in place (`{% reveal_form … %}` is that button alone, after a text masked already).
`{% reveal_input "customer" pk "mobile" "id_mobile" %}` is the button for an input that shows the
mask as its placeholder or value (JavaScript fills the input). Both show only for holders of the
permission, unless the view has checked a grant (the task's holder) and says `granted=True`."""

from __future__ import annotations

from typing import Any

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from webapp import privacy

register = template.Library()


@register.filter
def masked(value: Any, kind: str) -> str:
    """{{ customer.mobile|masked:"phone" }}"""
    return privacy.mask(kind, value) if kind in privacy.KINDS else privacy.mask_text(str(value or ""))


@register.simple_tag(takes_context=True)
def personal(
    context: Any, value: Any, kind: str, obj_kind: str = "", obj_id: Any = "", field: str = ""
) -> str:
    shown = privacy.mask(kind, value)
    if not shown:
        return format_html('<span class="text-body-secondary">—</span>')
    text = format_html('<span class="anju-personal" data-personal>{}</span>', shown)
    if not (obj_kind and field):
        return text
    return format_html("{}{}", text, reveal_form(context, obj_kind, obj_id, field))


@register.simple_tag(takes_context=True)
def reveal_form(context: Any, obj_kind: str, obj_id: Any, field: str, granted: bool = False) -> str:
    """The "显示" button for the masked value in the element just before it (marked data-personal);
    nothing for users who may not see personal data in full (unless `granted`). Not for use inside
    another form."""
    request = context.get("request")
    if not granted and not privacy.may_see(getattr(request, "user", None)):
        return SafeString("")
    return format_html(
        '<form method="post" action="{}" class="d-inline ms-1 anju-reveal" data-reveal data-api="{}">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}"><input type="hidden" name="kind" value="{}">'
        '<input type="hidden" name="id" value="{}"><input type="hidden" name="field" value="{}">'
        '<input type="hidden" name="next" value="{}">'
        '<button type="submit" class="btn btn-link btn-sm p-0 align-baseline" title="{}">{}</button></form>',
        reverse("privacy_reveal"),
        reverse("privacy-reveal"),
        get_token(request),
        obj_kind,
        obj_id,
        field,
        request.get_full_path(),
        _("Show in full (recorded in the audit trail)"),
        _("Show"),
    )


@register.simple_tag(takes_context=True)
def reveal_input(
    context: Any, obj_kind: str, obj_id: Any, field: str, input_id: str, granted: bool = False
) -> str:
    """The "显示" button beside an input holding a masked value; nothing for users who may not see
    (unless `granted`)."""
    request = context.get("request")
    if not granted and not privacy.may_see(getattr(request, "user", None)):
        return SafeString("")
    return format_html(
        '<button type="button" class="btn btn-link btn-sm p-0 anju-reveal" data-reveal-input="{}" '
        'data-kind="{}" data-id="{}" data-field="{}" data-api="{}" title="{}">{}</button>',
        input_id,
        obj_kind,
        obj_id,
        field,
        reverse("privacy-reveal"),
        _("Show in full (recorded in the audit trail)"),
        _("Show"),
    )
