"""The menu asks here what the user may open: `{% if user|may:"customers" %}` is true when the
user holds the right of that area of webapp/common/rights.py (the routes check the same), and
`{% if user|may_start:"complaint" %}` when they may start that flow by hand."""

from __future__ import annotations

from typing import Any

from django import template

from webapp.common import rights

register = template.Library()


@register.filter
def may(user: Any, area_keys: str) -> bool:
    """True when the user holds the right of any of the areas (keys separated by spaces)."""
    return any(rights.holds(user, key) for key in area_keys.split())


@register.filter
def may_start(user: Any, process_key: str) -> bool:
    from engine.access import may_start as engine_may_start

    return bool(getattr(user, "is_authenticated", False)) and engine_may_start(user, process_key)
