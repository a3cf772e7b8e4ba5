"""x-options providers of the sales flows (engine.options): choices for display only; the hooks
check again inside the step."""

from __future__ import annotations

from typing import Any

from engine import options

from .access import company_id_of
from .models import Subscription, SubscriptionStatus

MAX_CHOICES = 500


@options.register(
    "sales.subscriptions", "未签约的认购 Open (not yet contracted) subscriptions of the company"
)
def open_subscriptions(user: Any, data: dict[str, Any]) -> list[dict[str, Any]]:
    company_id = company_id_of(user)
    if company_id is None:
        return []
    rows = (
        Subscription.objects.filter(company_id=company_id, status=SubscriptionStatus.SUBSCRIBED)
        .select_related("customer", "room__floor__unit__building", "project")
        .order_by("-agreement_date", "-pk")[:MAX_CHOICES]
    )
    return [{"value": s.pk, "title": subscription_title(s)} for s in rows]


def subscription_title(subscription: Subscription) -> str:
    """协议号 · 客户 · 项目 房间, e.g. "RG-2026-001 · 张三 · 安居·滨海花园 3栋1单元1502"."""
    return (
        f"{subscription.agreement_no} · {subscription.customer.name} · "
        f"{subscription.project.name} {subscription.room.label()}"
    )


@options.register("sales.projects", "项目 Projects of the company")
def projects(user: Any, data: dict[str, Any]) -> list[dict[str, Any]]:
    from webapp.accounts.models import Project

    company_id = company_id_of(user)
    if company_id is None:
        return []
    return [
        {"value": p.pk, "title": p.name}
        for p in Project.objects.filter(company_id=company_id).order_by("name", "pk")
    ]
