"""How ids of this app's objects show in flow data (webapp.common.links): customers, rooms,
projects and payment methods by name, looked up through the permission-checked getters."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse

from webapp.common import links

from .access import access_customer, access_room, company_id_of, visible_payment_methods


def customer(user: Any, pk: Any) -> links.Link:
    found = access_customer(user, pk)
    return links.Link(found.name, reverse("customer", args=[found.pk]))  # the record and its cases


def room(user: Any, pk: Any) -> links.Link:
    found = access_room(user, pk)
    return links.Link(f"{found.project.name} {found.label()}", reverse("room", args=[found.pk]))


def project(user: Any, pk: Any) -> links.Link:
    from webapp.accounts.models import Project

    company_id = company_id_of(user)
    found = Project.objects.filter(pk=int(pk), company_id=company_id).first() if company_id else None
    if found is None:
        raise Http404("no such project")
    return links.Link(found.name, f"{reverse('rooms')}?project={found.pk}")


def payment_method(user: Any, code: Any) -> links.Link:
    found = visible_payment_methods(user).filter(code=str(code)).first()
    if found is None:
        raise Http404("no such payment method")
    return links.Link(found.name)


links.register("customer", customer, options=["customers"])
links.register("room", room, options=["rooms.available"])
links.register("project", project, options=["sales.projects"])
links.register("payment_method", payment_method, options=["payment_methods"])
