"""The residents panels of the room page and the customer page (webapp/realestate templates load
them with {% load residents %}): current and past residents of a room, rooms held by a person."""

from __future__ import annotations

from typing import Any

from django import template

from webapp.common import rights
from webapp.realestate import access as master

from .. import access
from ..models import Residency

register = template.Library()


def _rows(found: Any) -> tuple[list[Residency], list[Residency]]:
    rows = list(found)
    return [r for r in rows if r.is_current()], [r for r in rows if not r.is_current()]


@register.inclusion_tag("residents/_room_residents.html", takes_context=True)
def room_residents(context: Any, room: Any) -> dict[str, Any]:
    user = context["request"].user
    _room, found = access.room_residencies(user, room.pk)
    current, past = _rows(found)
    return {
        "request": context["request"],
        "room": room,
        "current": current,
        "past": past,
        "may_manage": access.may_manage(user),
        "may_import": access.may_manage(user) and "residents" in master.importable_kinds(user),
        "link_people": rights.holds(user, "customers"),
    }


@register.inclusion_tag("residents/_customer_rooms.html", takes_context=True)
def customer_rooms(context: Any, customer: Any) -> dict[str, Any]:
    user = context["request"].user
    _customer, found = access.customer_residencies(user, customer.pk)
    current, past = _rows(found)
    return {
        "request": context["request"],
        "current": current,
        "past": past,
        "link_rooms": rights.holds(user, "rooms"),
    }
