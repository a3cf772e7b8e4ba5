"""Permission-checked getters of parking: spaces (车位: parking rooms of the register), contracts,
vehicles and the company's estates and customers for them. Everything is scoped to the user's
company first (another company's rows are a 404). Seeing needs area `parking` (the rights
`parking.view_parkingcontract` or `parking.manage_parking`), writing area `parking.manage`
(webapp/common/rights.py); the route table checks them before a view runs, the getters again for
callers that are not routes (flow hooks)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from engine.ids import id_or_404
from webapp.accounts.models import Project
from webapp.common import rights
from webapp.realestate import access as master
from webapp.realestate.models import Customer, Room, RoomKind

from .models import ParkingContract, Vehicle


def company_id_of(user: Any) -> int:
    """The user's company id; 0 (no company has it) for the anonymous and people of none."""
    return master.company_id_of(user) or 0


def may_manage(user: Any) -> bool:
    return rights.holds(user, "parking.manage") and master.company_id_of(user) is not None


def check_may_view(user: Any) -> None:
    rights.require(user, "parking")
    master.require_company(user)


def check_may_manage(user: Any) -> None:
    rights.require(user, "parking.manage")
    master.require_company(user)


def visible_projects(user: Any) -> QuerySet[Project]:
    return Project.objects.filter(company_id=company_id_of(user)).order_by("code")


def access_project(user: Any, pk: Any) -> Project:
    project = visible_projects(user).filter(pk=id_or_404(pk)).first()
    if project is None:
        raise Http404("no such estate")
    return project


def spaces_of_company(user: Any) -> QuerySet[Room]:
    """The company's parking spaces (rooms of the kind 车位)."""
    return Room.objects.filter(company_id=company_id_of(user), kind=RoomKind.PARKING)


def access_space(user: Any, pk: Any, *, for_write: bool = False) -> Room:
    """A parking space of the user's company (to write: the manage right first), else a 404."""
    check_may_manage(user) if for_write else check_may_view(user)
    space = (
        spaces_of_company(user)
        .select_related("project", "floor__unit__building")
        .filter(pk=id_or_404(pk))
        .first()
    )
    if space is None:
        raise Http404("no such parking space")
    return space


def contracts_of_company(user: Any) -> QuerySet[ParkingContract]:
    return ParkingContract.objects.filter(company_id=company_id_of(user))


def access_contract(user: Any, pk: Any, *, for_write: bool = False) -> ParkingContract:
    check_may_manage(user) if for_write else check_may_view(user)
    contract = (
        contracts_of_company(user)
        .select_related("space", "customer", "project")
        .filter(pk=id_or_404(pk))
        .first()
    )
    if contract is None:
        raise Http404("no such parking contract")
    return contract


def access_vehicle(user: Any, pk: Any, *, for_write: bool = False) -> Vehicle:
    check_may_manage(user) if for_write else check_may_view(user)
    vehicle = (
        Vehicle.objects.filter(company_id=company_id_of(user), pk=id_or_404(pk))
        .select_related("space", "contract")
        .first()
    )
    if vehicle is None:
        raise Http404("no such vehicle")
    return vehicle


def customers_of_company(user_or_company_id: Any) -> QuerySet[Customer]:
    company_id = (
        user_or_company_id if isinstance(user_or_company_id, int) else company_id_of(user_or_company_id)
    )
    return Customer.objects.filter(company_id=company_id)
