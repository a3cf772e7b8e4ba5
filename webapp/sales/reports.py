"""逾期录入报表: subscriptions entered after their agreement date (site rule: the same day) or more
than 3 days after it (group audit). One query builder for the API and the page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy

from engine.ids import parse_id
from webapp.common.params import param

from .access import visible_subscriptions
from .models import GROUP_MAX_DELAY_DAYS, SITE_MAX_DELAY_DAYS, Subscription, SubscriptionStatus

LEVELS = {"site": SITE_MAX_DELAY_DAYS, "group": GROUP_MAX_DELAY_DAYS}
LEVEL_LABELS = {
    "site": gettext_lazy("Not on the day (site rule)"),
    "group": gettext_lazy("After 3 days (group audit)"),
}


@dataclass
class LateFilter:
    """The report's filters, parsed leniently from query parameters (bad values are ignored and
    reported in `problems`)."""

    level: str = "site"
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    salesperson: int | None = None
    project: str = ""
    status: str = ""
    problems: dict[str, str] | None = None

    @classmethod
    def parse(cls, params: Any) -> LateFilter:
        def text(name: str) -> str:
            return param(params, name)

        found = cls(problems={})
        level = text("level") or "site"
        if level in LEVELS:
            found.level = level
        else:
            found.problems["level"] = "site or group"
        for name in ("date_from", "date_to"):
            value = text(name)
            if value:
                try:
                    setattr(found, name, dt.date.fromisoformat(value))
                except ValueError:
                    found.problems[name] = "a date such as 2026-11-27"
        salesperson = text("salesperson")
        if salesperson:
            if parse_id(salesperson) is not None:
                found.salesperson = parse_id(salesperson)
            else:
                found.problems["salesperson"] = "a user id"
        found.project = text("project")
        status = text("status")
        if status in SubscriptionStatus.values:
            found.status = status
        elif status:
            found.problems["status"] = ", ".join(SubscriptionStatus.values)
        return found


def late_subscriptions(user: Any, filters: LateFilter) -> QuerySet[Subscription]:
    """The user's company's late subscriptions, latest agreement first."""
    rows = visible_subscriptions(user).filter(entry_delay_days__gt=LEVELS[filters.level])
    if filters.date_from:
        rows = rows.filter(agreement_date__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(agreement_date__lte=filters.date_to)
    if filters.salesperson:
        rows = rows.filter(salesperson_id=filters.salesperson)
    if filters.project:
        condition = Q(project__code=filters.project)
        if parse_id(filters.project) is not None:
            condition |= Q(project_id=parse_id(filters.project))
        rows = rows.filter(condition)
    if filters.status:
        rows = rows.filter(status=filters.status)
    return rows.order_by("-agreement_date", "-entered_at", "-pk")


def late_counts(user: Any) -> dict[str, int]:
    """How many subscriptions of the company break each rule (all time)."""
    counts = visible_subscriptions(user).aggregate(
        site=Count("pk", filter=Q(entry_delay_days__gt=SITE_MAX_DELAY_DAYS)),
        group=Count("pk", filter=Q(entry_delay_days__gt=GROUP_MAX_DELAY_DAYS)),
    )
    return {"site": counts["site"] or 0, "group": counts["group"] or 0}
