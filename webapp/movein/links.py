"""How ids of the move-in objects show in flow data (webapp.common.links): batches, rooms of a
batch, defects and contractors by name, through the permission-checked getters (a contractor
sees only the defects dispatched to it)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse

from webapp.common import links

from .access import access_batch, access_batch_room, access_defect, company_id_of
from .models import Contractor


def batch(user: Any, pk: Any) -> links.Link:
    found = access_batch(user, pk)
    return links.Link(found.name, reverse("movein:batch", args=[found.pk]))


def batch_room(user: Any, pk: Any) -> links.Link:
    found = access_batch_room(user, pk)
    return links.Link(
        f"{found.batch.project.name} {found.room.label()}", reverse("movein:room", args=[found.pk])
    )


def defect(user: Any, pk: Any) -> links.Link:
    found = access_defect(user, pk)
    return links.Link(found.title(), reverse("movein:defect", args=[found.pk]))


def contractor(user: Any, pk: Any) -> links.Link:
    company_id = company_id_of(user)
    found = Contractor.objects.filter(pk=int(pk), company_id=company_id).first() if company_id else None
    if found is None:
        raise Http404("no such contractor")
    return links.Link(found.name)


links.register("batch", batch)
links.register("batch_room", batch_room)
links.register("defect", defect)
links.register("contractor", contractor, options=["movein.contractors"])
