"""Permission-checked getters of 云通行: scoped to the user's company first (another company's rows
are a 404), then the area's right (webapp/common/rights.py, area "visits": the sales right); the
public booking page finds its pass by the signed token only (anything else a 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from engine.ids import parse_id
from webapp.common import rights
from webapp.passes.models import Pass, PassKind

from .models import Booking, VisitSlot
from .tokens import code_of_booking_token

AREA = "visits"


def company_id_of(user: Any) -> int | None:
    """The user's company id, or None for anonymous users and users without a company."""
    return getattr(user, "company_id", None) if getattr(user, "is_authenticated", False) else None


def _company(user: Any) -> int:
    rights.require(user, AREA)
    company_id = company_id_of(user)
    if company_id is None:
        raise Http404("no company")
    return company_id


def visible_passes(user: Any) -> QuerySet[Pass]:
    return Pass.objects.filter(company_id=_company(user), kind=PassKind.SALES_VISIT).select_related(
        "project", "customer", "issued_by_user"
    )


def visible_slots(user: Any) -> QuerySet[VisitSlot]:
    return VisitSlot.objects.filter(company_id=_company(user)).select_related("project")


def visible_bookings(user: Any) -> QuerySet[Booking]:
    return Booking.objects.filter(company_id=_company(user)).select_related(
        "slot", "customer", "project", "visit_pass", "visit_recorded_by"
    )


def _number(pk: Any, what: str) -> int:
    number = parse_id(pk)
    if number is None:
        raise Http404(what)
    return number


def access_pass(user: Any, pk: Any) -> Pass:
    found = visible_passes(user).filter(pk=_number(pk, "no such pass")).first()
    if found is None:
        raise Http404("no such pass")
    return found


def access_booking(user: Any, pk: Any) -> Booking:
    found = visible_bookings(user).filter(pk=_number(pk, "no such booking")).first()
    if found is None:
        raise Http404("no such booking")
    return found


def pass_of_token(token: Any) -> Pass:
    """The 看房通行证 a booking link names; 404 for a tampered or unknown token."""
    code = code_of_booking_token(token)
    if code is None:
        raise Http404("no such pass")
    found = (
        Pass.objects.filter(code=code, kind=PassKind.SALES_VISIT, customer__isnull=False)
        .select_related("project", "customer", "company")
        .first()
    )
    if found is None:
        raise Http404("no such pass")
    return found
