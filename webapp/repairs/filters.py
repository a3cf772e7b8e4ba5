"""The repair list's filters, one reading for the page (filter bar) and the API (400 on a bad value):
status, category, urgency, estate, team, technician (an id, or me), room, customer, the closing
days (closed_from/closed_to, days of the company's time zone, both included: the statistics' list
links) and a search box."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from engine.ids import parse_id
from webapp.common.params import param

from .models import Category, Repair, Status, Urgency

NAMES = (
    "status", "category", "urgency", "project", "team", "technician", "room", "customer", "closed_from", "closed_to",
    "mine", "q",
)  # fmt: skip
IDS = ("project", "team", "technician", "room", "customer")
DAYS = ("closed_from", "closed_to")


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def read(params: Any) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The filter values of a query string, with the errors of those that are not valid."""
    values = {name: param(params, name) for name in NAMES}
    errors: dict[str, list[str]] = {}
    for name, allowed in (
        ("status", Status.values),
        ("category", Category.values),
        ("urgency", Urgency.values),
    ):
        if values[name] and values[name] not in allowed:
            errors[name] = [_("One of: %(values)s") % {"values": ", ".join(allowed)}]
    for name in IDS:
        if values[name] and parse_id(values[name]) is None:
            errors[name] = [_("An id.")]
    for name in DAYS:
        if values[name] and _day(values[name]) is None:
            errors[name] = [_("A date as YYYY-MM-DD.")]
    if values["mine"] not in ("", "0", "1"):
        errors["mine"] = ["0 or 1"]
    return values, errors


def apply(rows: QuerySet[Repair], values: dict[str, str], user: Any) -> QuerySet[Repair]:
    """`rows` narrowed by valid `values` (read() first: invalid ones are ignored here)."""
    for name in ("status", "category", "urgency"):
        if values.get(name):
            rows = rows.filter(**{name: values[name]})
    for name in IDS:
        number = parse_id(values.get(name) or "")
        if number is not None:
            rows = rows.filter(**{f"{name}_id": number})
    first, last = _day(values.get("closed_from") or ""), _day(values.get("closed_to") or "")
    if first is not None:
        rows = rows.filter(closed_at__gte=_midnight(first))
    if last is not None:
        rows = rows.filter(closed_at__lt=_midnight(last + timedelta(days=1)))
    if values.get("mine") == "1":
        rows = rows.filter(technician=user)
    q = values.get("q")
    if q:
        rows = rows.filter(
            Q(instance__business_key__icontains=q) | Q(location__icontains=q) | Q(reporter_name__icontains=q)
            | Q(description__icontains=q) | Q(room__code__icontains=q)
        )  # fmt: skip
    return rows
