"""The resident session: separate from staff sign-in.

Residents are never Django users. A verified mobile puts {"mobile", "customers"} under SESSION_KEY
(the ids of every realestate.Customer carrying that mobile, in any company); Django auth still sees
an anonymous visitor, so every staff page and API route refuses them as it refuses anyone not
signed in. Signing in and out rotates the session key (no fixation); signing out leaves a staff
sign-in of the same browser alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from forms.masks import mask_phone
from webapp.realestate.models import Customer

from .codes import customers_with_mobile, normalize

SESSION_KEY = "owner:resident"
PENDING_KEY = "owner:pending_mobile"  # the number a code was requested for (the verify step)


@dataclass(frozen=True)
class Resident:
    mobile: str
    customer_ids: tuple[int, ...]

    def masked_mobile(self) -> str:
        return mask_phone(self.mobile)


def sign_in(request: HttpRequest, mobile: str, customer_ids: list[int]) -> None:
    request.session.cycle_key()
    request.session.pop(PENDING_KEY, None)
    request.session[SESSION_KEY] = {"mobile": mobile, "customers": sorted(customer_ids)}


def sign_out(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.pop(PENDING_KEY, None)
    request.session.cycle_key()


def resident_of(request: HttpRequest) -> Resident | None:
    """The signed-in resident, or None. Customers whose mobile changed since sign-in drop out."""
    data = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if not isinstance(data, dict):
        return None
    mobile, ids = data.get("mobile"), data.get("customers")
    if not isinstance(mobile, str) or not isinstance(ids, list):
        return None
    ids = [i for i in ids if isinstance(i, int)]
    still = [
        c.pk
        for c in Customer.objects.filter(pk__in=ids).only("pk", "mobile")
        if normalize(c.mobile) == mobile
    ]
    return Resident(mobile, tuple(sorted(still)))


def refresh(request: HttpRequest, resident: Resident) -> Resident:
    """The resident with every customer row that now carries their mobile (one lookup: a steward
    may have linked them since sign-in, 业主身份认证). Called by the home page."""

    ids = sorted(c.pk for c in customers_with_mobile(resident.mobile))
    if list(resident.customer_ids) != ids:
        request.session[SESSION_KEY] = {"mobile": resident.mobile, "customers": ids}
    return Resident(resident.mobile, tuple(ids))


def resident_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view gets `request.resident`; without a resident session: to /my/login/."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        resident = resident_of(request)
        if resident is None:
            return redirect("owner:login")
        request.resident = resident  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper
