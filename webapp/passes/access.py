"""Permission-checked getters of passes for staff. Everything is scoped to the user's company
first (another company's pass is a 404). The gate needs area `passes.gate` (right passes.admit),
the decoration approvals area `passes.decoration` (right passes.approve_decoration); the route
table checks them before a view runs, the getters again for callers that are not routes."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from engine.ids import id_or_404
from webapp.common import rights
from webapp.realestate import access as master

from .models import Pass, PassEntry, PassKind, PassStatus


def company_id_of(user: Any) -> int:
    """The user's company id; 0 (no company has it) for the anonymous and people of none."""
    return master.company_id_of(user) or 0


def check_may_admit(user: Any) -> None:
    rights.require(user, "passes.gate")
    master.require_company(user)


def check_may_decide(user: Any) -> None:
    rights.require(user, "passes.decoration")
    master.require_company(user)


def recent_entries(user: Any, limit: int = 20) -> list[PassEntry]:
    """The last entries the gate recorded in the user's company (the guard's page)."""
    check_may_admit(user)
    return list(
        PassEntry.objects.filter(company_id=company_id_of(user))
        .select_related("gate_pass", "gate_pass__project", "recorded_by")
        .order_by("-at", "-pk")[:limit]
    )


def decorations_of_company(user: Any) -> QuerySet[Pass]:
    check_may_decide(user)
    return Pass.objects.filter(company_id=company_id_of(user), kind=PassKind.DECORATION).select_related(
        "project", "room", "issued_by_customer"
    )


def pending_decorations(user: Any) -> QuerySet[Pass]:
    return decorations_of_company(user).filter(status=PassStatus.PENDING).order_by("created_at", "pk")


def access_decoration(user: Any, pk: Any) -> Pass:
    """A decoration pass of the user's company (the approval right first), else a 404."""
    found = decorations_of_company(user).filter(pk=id_or_404(pk)).first()
    if found is None:
        raise Http404("no such decoration pass")
    return found
