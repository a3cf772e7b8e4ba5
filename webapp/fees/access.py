"""Permission-checked getters for fee setup: scoped to the user's company (another company's
estates, items and rooms are a 404). The right to see or manage fee setup is checked by the route
table (webapp/common/rights.py, areas `fees` and `fees.manage`)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from webapp.accounts.models import Project
from webapp.realestate.models import Room

from .models import FeeItem


def company_id_of(user: Any) -> int:
    """The user's company id; 0 (no company has it) for the anonymous and people of none."""
    company_id = getattr(user, "company_id", None) if getattr(user, "is_authenticated", False) else None
    return company_id or 0


def _number(pk: Any, what: str) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404(f"no such {what}") from None


def visible_projects(user: Any) -> QuerySet[Project]:
    return Project.objects.filter(company_id=company_id_of(user)).order_by("code")


def access_project(user: Any, pk: Any) -> Project:
    project = visible_projects(user).filter(pk=_number(pk, "estate")).first()
    if project is None:
        raise Http404("no such estate")
    return project


def visible_items(user: Any) -> QuerySet[FeeItem]:
    return FeeItem.objects.filter(company_id=company_id_of(user)).select_related("project")


def access_item(user: Any, pk: Any) -> FeeItem:
    item = visible_items(user).filter(pk=_number(pk, "fee item")).first()
    if item is None:
        raise Http404("no such fee item")
    return item


def access_room(user: Any, pk: Any) -> Room:
    room = (
        Room.objects.filter(pk=_number(pk, "room"), company_id=company_id_of(user))
        .select_related("project", "floor__unit__building")
        .first()
    )
    if room is None:
        raise Http404("no such room")
    return room
