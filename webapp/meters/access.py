"""Permission-checked getters of meters. A room's meters, readings and consumption are seen by those
who see rooms (`realestate.view_room`); adding meters and entering or importing readings need
`meters.enter_readings` (area "meters", webapp/common/rights.py). Another company's rows are a 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from engine.ids import id_or_404
from webapp.common import rights
from webapp.realestate import access as master

from .models import Meter

ENTER_READINGS = "meters.enter_readings"


def may_enter(user: Any) -> bool:
    """True when the user may add meters and enter readings."""
    return rights.holds(user, "meters") and master.company_id_of(user) is not None


def check_may_enter(user: Any) -> None:
    rights.require(user, "meters")
    master.require_company(user)


def meters_of_company(user: Any) -> QuerySet[Meter]:
    return Meter.objects.filter(company_id=master.company_id_of(user) or 0)


def access_meter(user: Any, pk: Any, *, for_write: bool = False) -> Meter:
    """A meter of a room the user sees (to enter readings: the right first), else a 404."""
    if for_write:
        check_may_enter(user)
    else:
        rights.require(user, "rooms")
    meter = meters_of_company(user).select_related("room").filter(pk=id_or_404(pk)).first()
    if meter is None:
        raise Http404("no such meter")
    return meter


def room_for_meters(user: Any, room_pk: Any, *, for_write: bool = False) -> Any:
    """A room of the company whose meters the user sees (or adds: the right first)."""
    if for_write:
        check_may_enter(user)
    return master.access_room(user, room_pk)
