"""How ids of repairs and repair teams show in flow data (webapp.common.links): a repair by its
location and category, through the permission-checked getter; a team by its name."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse

from webapp.common import links

from .access import access_repair, company_id_of
from .models import RepairTeam


def repair(user: Any, pk: Any) -> links.Link:
    found = access_repair(user, pk)
    return links.Link(
        f"{found.get_category_display()} · {found.location}", reverse("repairs:detail", args=[found.pk])
    )


def team(user: Any, pk: Any) -> links.Link:
    company_id = company_id_of(user)
    found = RepairTeam.objects.filter(pk=int(pk), company_id=company_id).first() if company_id else None
    if found is None:
        raise Http404("no such team")
    return links.Link(found.name)


links.register("repair", repair)
links.register("team", team, options=["repairs.teams"])
