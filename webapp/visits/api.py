"""云通行 API: visit passes (list, issue), slots (list, open for a day range), recording a visit, and
the statistics per project. Thin views over .actions, .stats and the getters of .access; errors keep
the {"detail", "field_errors"} shape; another company's rows are a 404."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from engine import clock
from engine.errors import FormInvalid
from engine.ids import parse_id
from webapp.api.views import ERROR
from webapp.common.params import object_body

from . import access, actions, stats
from .models import Booking, VisitSlot, VisitSource
from .views import site_url

OBJECT = {"application/json": {"type": "object"}}
MAX_ROWS = 500


def _by_project(rows: Any, value: Any) -> Any:
    """Rows of one project (`?project=<id>`); a value that names no project is a 400."""
    if value in (None, ""):
        return rows
    project = parse_id(value)
    if project is None:
        raise FormInvalid({"project": [_("Choose a project of your company.")]})
    return rows.filter(project_id=project)


def pass_data(visit_pass: Any) -> dict[str, Any]:
    from webapp.passes.tokens import display_code

    return {
        "id": visit_pass.pk,
        "project": visit_pass.project_id,
        "customer": visit_pass.customer_id,
        "holder_name": visit_pass.holder_name,
        "code": display_code(visit_pass.code),
        "status": visit_pass.status,
        "state": visit_pass.state_on(actions.today()),
        "valid_from": f"{visit_pass.valid_from:%Y-%m-%d}",
        "valid_until": f"{visit_pass.valid_until:%Y-%m-%d}",
        "max_entries": visit_pass.max_entries,
        "entries_used": visit_pass.entries_used,
        "issued_by": visit_pass.issued_by_user_id,
        "created_at": visit_pass.created_at.isoformat(),
    }


def slot_data(slot: VisitSlot) -> dict[str, Any]:
    return {
        "id": slot.pk,
        "project": slot.project_id,
        "starts_at": slot.starts_at.isoformat(),
        "ends_at": slot.ends_at.isoformat(),
        "capacity": slot.capacity,
        "booked": slot.booked,
    }


def booking_data(found: Booking) -> dict[str, Any]:
    return {
        "id": found.pk,
        "pass": found.visit_pass_id,
        "customer": found.customer_id,
        "slot": found.slot_id,
        "status": found.state_at(clock.now()),
        "visited_at": found.visited_at.isoformat() if found.visited_at else None,
        "visit_source": found.visit_source,
    }


@extend_schema(
    methods=["POST"],
    request=OBJECT,
    responses={201: dict, 400: ERROR, 403: ERROR},
    description=(
        "Issue a 看房通行证: {project, customer_id | customer: {name, mobile, id_type, id_number, address, "
        "gender?, birth_date?}, valid_from, valid_until, max_entries}; the buyer gets the booking link by SMS."
    ),
)
@extend_schema(methods=["GET"], parameters=[OpenApiParameter("project", int)], responses={200: dict})
@api_view(["GET", "POST"])
def pass_list(request: Request) -> Response:
    if request.method == "POST":
        access.visible_passes(request.user)  # the area's right and a company, before the body is read
        issued = actions.do_issue_visit_pass(
            request.user, object_body(request.data), site_url=site_url(request)
        )
        return Response(pass_data(issued), status=status.HTTP_201_CREATED)
    rows = access.visible_passes(request.user)
    rows = _by_project(rows, request.query_params.get("project"))
    return Response([pass_data(p) for p in rows.order_by("-created_at", "-pk")[:MAX_ROWS]])


@extend_schema(
    methods=["POST"],
    request=OBJECT,
    responses={201: dict, 400: ERROR, 403: ERROR},
    description=(
        "Open slots: {project, date_from, date_to, start_time, end_time, minutes (default 60), capacity}; "
        "periods that have a slot already are left alone."
    ),
)
@extend_schema(methods=["GET"], parameters=[OpenApiParameter("project", int)], responses={200: dict})
@api_view(["GET", "POST"])
def slot_list(request: Request) -> Response:
    if request.method == "POST":
        access.visible_slots(request.user)
        created = actions.do_create_slots(request.user, object_body(request.data))
        return Response({"created": [slot_data(s) for s in created]}, status=status.HTTP_201_CREATED)
    rows = access.visible_slots(request.user).filter(ends_at__gt=clock.now())
    rows = _by_project(rows, request.query_params.get("project"))
    return Response([slot_data(s) for s in rows.order_by("starts_at", "pk")[:MAX_ROWS]])


@extend_schema(request=None, responses={200: dict, 400: ERROR, 403: ERROR, 404: ERROR})
@api_view(["POST"])
def booking_visited(request: Request, pk: int) -> Response:
    """已到访: record the visit of a booking (sales staff at the sales office)."""
    found = access.access_booking(request.user, pk)
    return Response(booking_data(actions.do_record_visit(found, source=VisitSource.STAFF, user=request.user)))


@extend_schema(
    parameters=[
        OpenApiParameter("date_from", str, description="YYYY-MM-DD (default: 29 days before date_to)"),
        OpenApiParameter("date_to", str, description="YYYY-MM-DD (default: today)"),
        OpenApiParameter("project", int),
    ],
    responses={200: dict, 400: ERROR, 403: ERROR},
)
@api_view(["GET"])
def stats_view(request: Request) -> Response:
    """Per project: passes issued, bookings, visits, no-shows, buyers, converted, conversion (%)."""
    access.visible_passes(request.user)
    period = stats.parse_period(request.user, request.query_params)
    rows = stats.project_stats(access.company_id_of(request.user) or 0, period)
    return Response(
        {
            "date_from": f"{period.first:%Y-%m-%d}",
            "date_to": f"{period.last:%Y-%m-%d}",
            "projects": [row.as_dict() for row in rows],
            "total": stats.totals(rows).as_dict(),
        }
    )
