"""A customer's page and a room's page: the record and its history of cases (history.py).
Thin views over the permission-checked getters of access.py; another company's rows are 404."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from webapp.common import rights

from . import access, history, plans, register
from .models import Room, RoomKind, RoomStatus
from .views import ROOM_STATUS_LABELS


@require_GET
@login_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = access.access_customer(request.user, pk)
    return render(
        request,
        "realestate/customer_detail.html",
        {
            "customer": customer,
            "history": history.customer_history(request.user, customer.pk),
            "sections": history.customer_sections(request.user, customer.pk),
        },
    )


def _register_values(room: Room) -> dict[str, Any]:
    """The room's register data as the form shows it."""
    return {name: "" if getattr(room, name) is None else getattr(room, name) for name in register.EDITABLE}


@require_GET
@login_required
def room_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return room_page(request, access.access_room(request.user, pk))


def room_page(
    request: HttpRequest,
    room: Room,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
    typed: dict[str, Any] | None = None,
) -> HttpResponse:
    """The room: its register data (what it lacks), its 户型图, its handover's 房产验收 record and
    its cases; `errors` of a refused plan upload."""
    # The move-in app (a layer above) links its records to the room: Room.handover → .acceptance.
    handover = getattr(room, "handover", None)
    acceptance = getattr(handover, "acceptance", None) if handover is not None else None
    return render(
        request,
        "realestate/room_detail.html",
        {
            "room": room,
            "status_label": ROOM_STATUS_LABELS.get(RoomStatus(room.status), room.status),
            "missing": register.missing_labels(room),
            "plans": plans.plans_of(room),
            "acceptance": acceptance,
            "may_manage": rights.holds(request.user, "register.manage"),
            "kinds": RoomKind.choices,
            "typed": {**_register_values(room), **(typed or {})},
            "errors": errors or {},
            "history": history.room_history(request.user, room.pk),
        },
        status=status,
    )
