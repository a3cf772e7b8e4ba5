"""Parking API: the space directory (list with filters, one space with its contracts and cars),
contracts (list, create, end early), cars (add to a space, remove) and the start of a space booking
(车位预订, flow `parking_booking`; its approval is a task worked through /api/tasks/). Thin views over
.actions and the getters of .access; errors keep the {"detail", "field_errors"} shape; another
company's rows are a 404."""

from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, Paginator
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from engine import access as engine_access
from engine import actions as engine_actions
from engine.errors import FormInvalid
from engine.ids import parse_id
from webapp.api.views import ERROR
from webapp.common.params import object_body

from . import access, actions, spaces
from .flow import FLOW
from .serializers import contract_data, row_data, vehicle_data

OBJECT = {"application/json": {"type": "object"}}
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def _page_numbers(params: Any) -> tuple[int, int]:
    errors: dict[str, list[str]] = {}
    number = parse_id(params.get("page") or 1)
    size = parse_id(params.get("page_size") or PAGE_SIZE)
    if number is None:
        errors["page"] = [_("Ask for a page number from 1.")]
    if size is None or size > MAX_PAGE_SIZE:
        errors["page_size"] = [_("Ask for 1 to 500 spaces per page.")]
    if errors:
        raise FormInvalid(errors)
    assert number is not None and size is not None
    return number, size


@extend_schema(
    parameters=[
        OpenApiParameter("project", int, description="one estate (default: all of the company's)"),
        OpenApiParameter("state", str, enum=["free", "sold", "rented"]),
        OpenApiParameter("q", str, description="space code, holder's name or plate"),
        OpenApiParameter("page", int),
        OpenApiParameter("page_size", int),
    ],
    responses={200: dict, 400: ERROR},
)
@api_view(["GET"])
def space_list(request: Request) -> Response:
    """车位目录: the spaces with their state today, holder and current cars."""
    access.check_may_view(request.user)
    base = access.spaces_of_company(request.user)
    if request.query_params.get("project"):
        base = base.filter(project=access.access_project(request.user, request.query_params["project"]))
    filters, errors = spaces.read_filters(request.query_params)
    if errors:
        raise FormInvalid(errors)
    number, size = _page_numbers(request.query_params)
    paginator = Paginator(spaces.spaces(base, filters, actions.today()), size)
    try:
        page = paginator.page(number)
    except EmptyPage:
        raise FormInvalid({"page": [_("There is no such page.")]}) from None
    return Response(
        {
            "count": paginator.count,
            "page": number,
            "pages": paginator.num_pages,
            "results": [row_data(row) for row in spaces.rows_of(list(page.object_list))],
        }
    )


@extend_schema(responses={200: dict, 404: ERROR})
@api_view(["GET"])
def space_detail(request: Request, pk: int) -> Response:
    """One space: its state today, all its contracts and cars (removed ones too)."""
    space = access.access_space(request.user, pk)
    row = spaces.rows_of(list(spaces.spaces(access.spaces_of_company(request.user).filter(pk=space.pk),
                                            spaces.Filters(), actions.today())))[0]  # fmt: skip
    contracts = space.parking_contracts.select_related("customer", "space").order_by("-start_on", "-pk")
    return Response(
        {
            **row_data(row),
            "contracts": [contract_data(c) for c in contracts],
            "all_vehicles": [vehicle_data(v) for v in space.vehicles.order_by("-added_at", "-pk")],
        }
    )


@extend_schema(
    request=OBJECT,
    responses={201: dict, 400: ERROR, 403: ERROR, 404: ERROR},
    description="Register a car: {plate, brand?, colour?, contract?} (default: the space's holder today).",
)
@api_view(["POST"])
def space_vehicles(request: Request, pk: int) -> Response:
    space = access.access_space(request.user, pk, for_write=True)
    vehicle = actions.do_add_vehicle(request.user, space, object_body(request.data))
    return Response(vehicle_data(vehicle), status=status.HTTP_201_CREATED)


@extend_schema(
    methods=["GET"],
    parameters=[OpenApiParameter("space", int), OpenApiParameter("project", int)],
    responses={200: dict},
)
@extend_schema(
    methods=["POST"],
    request=OBJECT,
    responses={201: dict, 400: ERROR, 403: ERROR, 404: ERROR},
    description="A contract: {project, space, customer, kind: sold|rented, start_on, end_on (rented)}.",
)
@api_view(["GET", "POST"])
def contract_list(request: Request) -> Response:
    if request.method == "POST":
        access.check_may_manage(request.user)
        body = object_body(request.data)
        if body.get("project") in (None, ""):
            raise FormInvalid({"project": [_("Choose an estate.")]})
        project = access.access_project(request.user, body["project"])
        contract = actions.do_create_contract(request.user, project, body)
        return Response(contract_data(contract), status=status.HTTP_201_CREATED)
    access.check_may_view(request.user)
    rows = access.contracts_of_company(request.user).select_related("space", "customer")
    if request.query_params.get("space"):
        rows = rows.filter(space=access.access_space(request.user, request.query_params["space"]))
    if request.query_params.get("project"):
        rows = rows.filter(project=access.access_project(request.user, request.query_params["project"]))
    return Response([contract_data(c) for c in rows.order_by("-start_on", "-pk")[:MAX_PAGE_SIZE]])


@extend_schema(responses={200: dict, 404: ERROR})
@api_view(["GET"])
def contract_detail(request: Request, pk: int) -> Response:
    return Response(contract_data(access.access_contract(request.user, pk)))


@extend_schema(
    request=OBJECT,
    responses={200: dict, 400: ERROR, 403: ERROR, 404: ERROR},
    description="End early (提前终止): {ended_on (the last day held), reason}; its cars are removed.",
)
@api_view(["POST"])
def contract_end(request: Request, pk: int) -> Response:
    contract = access.access_contract(request.user, pk, for_write=True)
    ended = actions.do_end_contract(request.user, contract, object_body(request.data))
    return Response(contract_data(ended))


@extend_schema(request=None, responses={200: dict, 400: ERROR, 403: ERROR, 404: ERROR})
@api_view(["POST"])
def vehicle_remove(request: Request, pk: int) -> Response:
    vehicle = access.access_vehicle(request.user, pk, for_write=True)
    return Response(vehicle_data(actions.do_remove_vehicle(request.user, vehicle)))


@extend_schema(
    request=OBJECT,
    responses={201: dict, 400: ERROR, 403: ERROR},
    description=(
        "Record a space booking for a resident (the start form of flow parking_booking): project, "
        "customer, customer_mobile, space (optional: any free space), kind, start_on, end_on."
    ),
)
@api_view(["POST"])
def booking_start(request: Request) -> Response:
    access.check_may_manage(request.user)
    engine_access.check_may_start(request.user, FLOW)
    instance = engine_actions.do_start_instance(request.user, FLOW, object_body(request.data))
    return Response(
        {"id": instance.pk, "business_key": instance.business_key, "status": instance.status},
        status=status.HTTP_201_CREATED,
    )
