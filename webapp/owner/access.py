"""What a resident may see: the rooms the register links to their verified mobile.

A room is the resident's while one of their customer rows has a current residency of it (业主,
租户 or 家庭成员, not moved out). Any other room, of any company, is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from engine.ids import id_or_404
from webapp.realestate.models import Room
from webapp.residents.models import Residency

from .session import Resident


@dataclass
class MyRoom:
    room: Room
    roles: list[str]  # display names of the resident's roles in it (业主, 租户, 家庭成员)


def my_residencies(resident: Resident):  # type: ignore[no-untyped-def]
    return (
        Residency.objects.filter(customer_id__in=resident.customer_ids, ended_on__isnull=True)
        .select_related("room", "room__project", "room__floor__unit__building")
        .order_by("room__project__name", "room__code", "role")
    )


def my_rooms(resident: Resident) -> list[MyRoom]:
    """The resident's rooms, each once, with the roles they hold in it."""
    found: dict[int, MyRoom] = {}
    for residency in my_residencies(resident):
        entry = found.setdefault(residency.room_id, MyRoom(residency.room, []))
        role = residency.get_role_display()
        if role not in entry.roles:
            entry.roles.append(role)
    return list(found.values())


def access_room(resident: Resident, room_id: object) -> MyRoom:
    """The resident's room `room_id`; Http404 for any room that is not theirs."""
    pk = id_or_404(room_id)
    for entry in my_rooms(resident):
        if entry.room.pk == pk:
            return entry
    raise Http404("no such room")
