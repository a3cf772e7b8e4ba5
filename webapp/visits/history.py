"""The visits of a customer for their history (客户历史): each booking or visit of their 看房通行证,
newest first, for the customer page next to the cases of webapp.realestate.history. Only for
people of the area "visits" (the sales right); anyone else gets an empty list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from engine import clock
from webapp.common import rights

from .models import Booking, BookingStatus

MAX_ENTRIES = 50


@dataclass(frozen=True)
class VisitEntry:
    booking: Booking
    status: BookingStatus
    url: str  # the pass's page


def customer_visits(user: Any, customer_id: int) -> list[VisitEntry]:
    if not rights.holds(user, "visits") or getattr(user, "company_id", None) is None:
        return []
    now = clock.now()
    rows = (
        Booking.objects.filter(company_id=user.company_id, customer_id=customer_id)
        .select_related("slot", "project", "visit_pass")
        .order_by("-booked_at", "-pk")[:MAX_ENTRIES]
    )
    return [
        VisitEntry(row, BookingStatus(row.state_at(now)), reverse("visits:pass", args=[row.visit_pass_id]))
        for row in rows
    ]


def customer_section(user: Any, customer_id: int) -> str:
    """The customer page's 云通行 section (webapp.realestate.history registry): "" when the viewer
    may not see visits or the customer has none."""
    from django.template.loader import render_to_string

    entries = customer_visits(user, customer_id)
    if not entries:
        return ""
    return render_to_string("visits/_customer_visits.html", {"entries": entries})
