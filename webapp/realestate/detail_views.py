"""A customer's page and a room's page: the record and its history of cases (history.py).
Thin views over the permission-checked getters of access.py; another company's rows are 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import access, history
from .models import RoomStatus
from .views import ROOM_STATUS_LABELS


@require_GET
@login_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = access.access_customer(request.user, pk)
    return render(
        request,
        "realestate/customer_detail.html",
        {"customer": customer, "history": history.customer_history(request.user, customer.pk)},
    )


@require_GET
@login_required
def room_detail(request: HttpRequest, pk: int) -> HttpResponse:
    room = access.access_room(request.user, pk)
    return render(
        request,
        "realestate/room_detail.html",
        {
            "room": room,
            "status_label": ROOM_STATUS_LABELS.get(RoomStatus(room.status), room.status),
            "history": history.room_history(request.user, room.pk),
        },
    )
