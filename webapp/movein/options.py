"""x-options providers of the move-in flows (engine.options): choices for display only; the
hooks check again inside the step."""

from __future__ import annotations

from typing import Any

from engine import options

from .access import company_id_of, contractor_groups
from .models import Contractor


@options.register(
    "movein.contractors", "承建商 Active contractors of the company (those of the defect's trade first)"
)
def contractors(user: Any, data: dict[str, Any]) -> list[dict[str, Any]]:
    company_id = company_id_of(user)
    if company_id is None:
        return []
    trade = data.get("trade")
    rows = list(Contractor.objects.filter(company_id=company_id, active=True).order_by("name", "pk"))
    rows.sort(key=lambda c: trade not in c.trades)  # stable: the trade's contractors first
    return [
        {"value": c.pk, "title": f"{c.name} · {c.trade_names()} · {c.contact_name} {c.contact_phone}"}
        for c in rows
    ]


@options.register("movein.departments", "本公司部门 The company's work groups (not contractors' groups)")
def departments(user: Any, data: dict[str, Any]) -> list[dict[str, Any]]:
    from webapp.accounts.models import WorkGroup

    company_id = company_id_of(user)
    if company_id is None:
        return []
    outside = contractor_groups(company_id)
    names = WorkGroup.objects.filter(company_id=company_id).order_by("name").values_list("name", flat=True)
    return [{"value": name, "title": name} for name in names if name not in outside]
