"""x-options providers of the repair flow (engine.options): choices for display only; the
hooks check again inside the step."""

from __future__ import annotations

from typing import Any

from engine import options

from .models import RepairTeam


def _company_id(user: Any) -> int | None:
    return getattr(user, "company_id", None) if getattr(user, "is_authenticated", False) else None


@options.register("repairs.teams", "维修班组 Active repair teams of the company")
def teams(user: Any, data: dict[str, Any]) -> list[dict[str, Any]]:
    company_id = _company_id(user)
    if company_id is None:
        return []
    rows = RepairTeam.objects.filter(company_id=company_id, active=True).order_by("name", "pk")
    return [{"value": t.pk, "title": t.name} for t in rows]


@options.register("repairs.technicians", "维修技工 Members of the company's repair teams")
def technicians(user: Any, data: dict[str, Any]) -> list[dict[str, Any]]:
    from webapp.accounts.models import User

    company_id = _company_id(user)
    if company_id is None:
        return []
    teams = RepairTeam.objects.filter(company_id=company_id, active=True)
    if isinstance(data.get("team_id"), int):
        teams = teams.filter(pk=data["team_id"])
    people = (
        User.objects.filter(company_id=company_id, is_active=True, work_groups__in=teams.values("work_group"))
        .distinct()
        .order_by("display_name", "pk")
    )
    return [{"value": u.pk, "title": f"{u.display_name or u.username} {u.mobile}".strip()} for u in people]
