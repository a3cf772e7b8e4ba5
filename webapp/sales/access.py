"""Permission-checked getters for sales records: scoped to the user's company; another
company's rows are a 404 (as in engine.access), so their existence does not leak. Within the
company they need `sales.view_subscription` (webapp/common/rights.py): without it the ledger and
the reports are empty and a subscription is a 403, whoever asks."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from webapp.common import rights

from .models import Subscription


def company_id_of(user: Any) -> int | None:
    """The user's company id, or None for anonymous users and users without a company."""
    return getattr(user, "company_id", None) if getattr(user, "is_authenticated", False) else None


def visible_subscriptions(user: Any) -> QuerySet[Subscription]:
    company_id = company_id_of(user)
    if company_id is None or not user.has_perm(rights.VIEW_SALES):
        return Subscription.objects.none()
    return Subscription.objects.filter(company_id=company_id).select_related(
        "customer", "room__floor__unit__building", "project", "salesperson", "payment_method"
    )


def access_subscription(user: Any, pk: Any) -> Subscription:
    rights.require(user, "sales")
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise Http404("no such subscription") from None
    subscription = visible_subscriptions(user).filter(pk=number).first()
    if subscription is None:
        raise Http404("no such subscription")
    return subscription
