"""How ids of the sales objects show in flow data (webapp.common.links): a subscription or a
contract by its number, linking to the subscription, through the permission-checked getters."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse

from webapp.common import links

from .access import access_subscription, visible_subscriptions
from .options import subscription_title


def subscription(user: Any, pk: Any) -> links.Link:
    found = access_subscription(user, pk)
    return links.Link(subscription_title(found), reverse("sales:subscription_detail", args=[found.pk]))


def contract(user: Any, pk: Any) -> links.Link:
    found = visible_subscriptions(user).filter(contract__pk=int(pk)).select_related("contract").first()
    if found is None:
        raise Http404("no such contract")
    return links.Link(found.contract.contract_no, reverse("sales:subscription_detail", args=[found.pk]))


links.register("subscription", subscription, options=["sales.subscriptions"])
links.register("contract", contract)
