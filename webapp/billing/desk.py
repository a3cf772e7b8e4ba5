"""What the front desk pages read (前台收费): rooms found by code or householder name, a room's open
bills brought up to date (late fees accrued first, so the cashier sees what the payment will
take), its paid deposits, and the lines of a receipt. The writes are payments.py's and orders.py's."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from webapp.fees.models import BASIS_OF_KIND, Basis, FeeItem
from webapp.meters import periods
from webapp.realestate.models import Room
from webapp.residents.models import HOUSEHOLDER_ROLES, Residency

from . import late_fees
from .models import Charge, ChargeKind, ChargeStatus, Payment

MAX_FOUND = 30


def find_rooms(project: Any, text: str) -> list[Room]:
    """Rooms of the estate whose code or name holds `text`, or whose current owner or tenant is
    called so (at most MAX_FOUND)."""
    text = text.strip()
    if not text:
        return []
    today = periods.today()
    by_holder = Residency.objects.filter(
        room__project=project,
        role__in=HOUSEHOLDER_ROLES,
        customer__name__icontains=text,
        started_on__lte=today,
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
    return list(
        Room.objects.filter(project=project)
        .filter(Q(code__icontains=text) | Q(name__icontains=text) | Q(pk__in=by_holder.values("room_id")))
        .select_related("floor__unit__building")
        .order_by("code")[:MAX_FOUND]
    )


def householders(room: Room) -> list[Residency]:
    """The room's owners and tenants today."""
    today = periods.today()
    return list(
        Residency.objects.filter(room=room, role__in=HOUSEHOLDER_ROLES, started_on__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .select_related("customer")
        .order_by("role", "started_on", "pk")
    )


def open_bills(room: Room) -> list[Charge]:
    """The room's open bills, oldest first, their late fees accrued to today (one short transaction)."""
    ids = list(
        Charge.objects.filter(room=room, status=ChargeStatus.OPEN, kind=ChargeKind.REGULAR).values_list(
            "pk", flat=True
        )
    )
    if ids:
        with transaction.atomic():
            late_fees.accrue_for(ids)
    return list(
        Charge.objects.filter(room=room, status=ChargeStatus.OPEN)
        .select_related("item")
        .order_by("due_on", "issued_on", "pk")
    )


def paid_deposits(room: Room) -> QuerySet[Charge]:
    return Charge.objects.filter(room=room, kind=ChargeKind.DEPOSIT, status=ChargeStatus.PAID).select_related(
        "item"
    )


def one_off_items(project: Any) -> QuerySet[FeeItem]:
    """The estate's deposit and one-off fee items (charged at the desk, never by a run)."""
    kinds = [kind for kind, basis in BASIS_OF_KIND.items() if basis == Basis.FIXED]
    return FeeItem.objects.filter(project=project, kind__in=kinds).order_by("code")


@dataclass
class ReceiptLine:
    room: str
    item: str
    period: str
    amount: Decimal


def receipt_lines(payment: Payment) -> list[ReceiptLine]:
    return [
        ReceiptLine(a.charge.room.code, a.charge.item.name, a.charge.period, a.amount)
        for a in payment.allocations.select_related("charge__room", "charge__item").order_by("pk")
    ]
