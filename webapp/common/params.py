"""Request parameters read safely: text cleaned and bounded (forms.text.clean_text), yes/no flags,
an API body that must be an object, and where a POST may send the browser back to."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from engine.errors import FormInvalid
from forms.text import clean_text

MAX_PARAM = 100
TRUE = frozenset({"1", "true", "yes", "on"})


def param(params: Any, name: str, limit: int | None = MAX_PARAM, default: str = "") -> str:
    """A query-string (or form) value as clean text: no NUL, stripped, at most `limit` characters."""
    return clean_text(params.get(name, default) or "", limit)


def flag(params: Any, name: str) -> bool:
    """Whether a yes/no parameter says yes (1, true, yes, on)."""
    return str(params.get(name, "")).lower() in TRUE


def object_body(data: Any) -> dict[str, Any]:
    """An API request's body (DRF `request.data`) as a dict; a list, number or string is a 400
    (FormInvalid), never an AttributeError."""
    if not isinstance(data, dict):
        raise FormInvalid({"non_field_errors": [_("Send a JSON object.")]})
    return data


def back(request: HttpRequest, default: str = "") -> str:
    """Where a POST returns to: the posted `next` if it is a path on this site, else `default`."""
    target = str(request.POST.get("next", ""))
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
