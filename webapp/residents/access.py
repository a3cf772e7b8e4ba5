"""Permission-checked getters of residents. A room's residents are seen by those who see rooms
(`realestate.view_room`), a person's rooms by those who see customers; registering and moving
out need `residents.manage_residents` (area "residents", webapp/common/rights.py). Another
company's rows are a 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.http import Http404

from engine.ids import id_or_404
from webapp.common import rights
from webapp.realestate import access as master

from .models import Residency, Role

MANAGE_RESIDENTS = "residents.manage_residents"
# Current first (no end date), then the most recently ended; owners, tenants, then members.
CURRENT_FIRST = (F("ended_on").desc(nulls_first=True),)
ROLE_ORDER = Case(
    When(role=Role.OWNER, then=Value(0)), When(role=Role.TENANT, then=Value(1)), default=Value(2),
    output_field=IntegerField(),
)  # fmt: skip


def may_manage(user: Any) -> bool:
    """True when the user may register residents and move them out."""
    return rights.holds(user, "residents") and master.company_id_of(user) is not None


def check_may_manage(user: Any) -> None:
    rights.require(user, "residents")
    master.require_company(user)


def _residencies(user: Any) -> QuerySet[Residency]:
    return Residency.objects.filter(company_id=master.company_id_of(user) or 0).select_related(
        "customer", "room__project", "room__floor__unit__building", "householder__customer"
    )


def room_residencies(user: Any, room_pk: Any) -> tuple[Any, QuerySet[Residency]]:
    """(room, its residencies current first then past) for a user who sees the room."""
    room = master.access_room(user, room_pk)
    found = _residencies(user).filter(room=room).order_by(*CURRENT_FIRST, ROLE_ORDER, "started_on", "pk")
    return room, found


def customer_residencies(user: Any, customer_pk: Any) -> tuple[Any, QuerySet[Residency]]:
    """(customer, the rooms they hold or held) for a user who sees the customer."""
    customer = master.access_customer(user, customer_pk)
    found = _residencies(user).filter(customer=customer).order_by(*CURRENT_FIRST, "-started_on", "pk")
    return customer, found


def access_residency(user: Any, pk: Any) -> Residency:
    """A residency to change (move out): the manage right, then the company's row or a 404."""
    check_may_manage(user)
    residency = _residencies(user).filter(pk=id_or_404(pk)).first()
    if residency is None:
        raise Http404("no such residency")
    return residency


def room_for_registering(user: Any, room_pk: Any) -> Any:
    """The room a resident is registered for ("填写业主资料前必须选中房号"): the manage right, then
    a room of the company."""
    check_may_manage(user)
    return master.access_room(user, room_pk)
