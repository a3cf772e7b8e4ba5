"""Template helpers for the pages: short Shanghai times, the inbox count, alert classes, the
alerts bell and SLA badges."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from engine import clock
from webapp.common.display import short_time

from .. import alerts, sla
from ..inbox import Count, open_total

register = template.Library()


register.filter("short_time", short_time)


@register.filter
def full_time(value: datetime | None) -> str:
    if not isinstance(value, datetime):
        return ""
    return date_format(timezone.localtime(value), "Y-m-d H:i:s")


@register.filter
def alert_class(tags: str) -> str:
    """Bootstrap alert colour for a django.contrib.messages level tag."""
    mapping = {
        "error": "danger",
        "warning": "warning",
        "success": "success",
        "info": "info",
        "debug": "secondary",
    }
    for tag in str(tags).split():
        if tag in mapping:
            return mapping[tag]
    return "info"


@register.simple_tag(takes_context=True)
def inbox_count(context: dict[str, Any]) -> Count:
    """Open tasks the signed-in user holds or may claim (the number beside 我的待办; "1,000+" above
    the cap of webapp/common/tasklist.py)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return Count(0)
    counts = context.get("counts")  # the inbox has counted them already
    if isinstance(counts, dict) and isinstance(counts.get("all"), Count):
        return counts["all"]
    return open_total(user)


# Task flags set by flows' hooks; unknown flags show as they are.
FLAG_LABELS = {
    "late_entry_site": gettext_lazy("Entered late (same-day rule)"),
    "late_entry_group": gettext_lazy("Entered late (3-day audit)"),
    "sla_calendar_missing": gettext_lazy("SLA times provisional: the working calendar lacks a year"),
}


@register.filter
def flag_label(flag: str) -> str:
    return str(FLAG_LABELS.get(flag, flag))


@register.simple_tag(takes_context=True)
def alert_bell(context: dict[str, Any]) -> alerts.Bell | None:
    """The header's bell for the signed-in user: unread count and the latest alerts."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return alerts.bell(user)


@register.filter
def response_overdue(task: Any) -> bool:
    """True while nobody has claimed the task after its first-response deadline."""
    return sla.response_overdue(task, clock.now())


@register.filter
def sla_level(level: int) -> str:
    """“Level 2: the customer-service center head” for an escalation level."""
    return sla.level_text(level) if level else ""


@register.filter
def alert_kind(kind: str) -> tuple[str, str]:
    """(label, Bootstrap colour) of an alert kind."""
    return sla.alert_kind(kind)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """mapping[key], or None (for per-row extras such as the inbox's thumbnails)."""
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def urlencode_dict(params: Any) -> str:
    """A dict of query parameters as a query string (for export and pagination links)."""
    from urllib.parse import urlencode

    return urlencode(params) if isinstance(params, dict) else ""
