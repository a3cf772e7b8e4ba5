"""Residents API: a room's residents (list, register), moving out, a person's rooms. Thin views
over webapp.residents.residency and the getters of .access; errors keep the {"detail",
"field_errors"} shape; another company's rows are 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from webapp import privacy
from webapp.api.views import ERROR, REVEAL
from webapp.common.params import object_body

from . import access, residency
from . import serializers as s
from .models import Residency

CURRENT = OpenApiParameter("current", bool, description="only current residents (not moved out)")


def _body(request: Request) -> dict[str, Any]:
    return dict(object_body(request.data))


def _listed(request: Request, rows: QuerySet[Residency]) -> Response:
    if str(request.query_params.get("current", "")).lower() in privacy.TRUE:
        rows = rows.filter(ended_on__isnull=True)
    reveal = privacy.wants_reveal(request)
    found = list(rows)
    if reveal:
        privacy.record_api_reveal(
            request, "customer", [r.customer_id for r in found], ("id_number", "mobile")
        )
    return Response(s.ResidencySerializer(found, many=True, context={"reveal": reveal}).data)


@extend_schema(
    methods=["GET"],
    parameters=[CURRENT, REVEAL],
    responses={200: s.ResidencySerializer(many=True), 404: ERROR},
)
@extend_schema(
    methods=["POST"],
    request=s.ResidencyInputSerializer,
    responses={201: s.ResidencySerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    description="Register an owner, tenant or household member of the room (a new person is created with it).",
)
@api_view(["GET", "POST"])
def room_residents(request: Request, room_pk: int) -> Response:
    """The room's residents, current first then past; POST registers one."""
    if request.method == "POST":
        room = access.room_for_registering(request.user, room_pk)
        body = _body(request)
        created = residency.do_add_residency(request.user, room, body)
        sent = {"id_number", "mobile"} if isinstance(body.get("customer"), dict) else set()
        return Response(
            s.ResidencySerializer(created, context={"sent": sent}).data, status=status.HTTP_201_CREATED
        )
    _room, rows = access.room_residencies(request.user, room_pk)
    return _listed(request, rows)


@extend_schema(
    request=s.MoveOutInputSerializer,
    responses={200: s.ResidencySerializer(many=True), 400: ERROR, 403: ERROR, 404: ERROR},
    description="Move out (退租 / 迁出): ends the residency, and a householder's current members with it.",
)
@api_view(["POST"])
def move_out(request: Request, pk: int) -> Response:
    ended = residency.do_move_out(request.user, access.access_residency(request.user, pk), _body(request))
    return Response(s.ResidencySerializer(ended, many=True).data)


@extend_schema(parameters=[CURRENT, REVEAL], responses={200: s.ResidencySerializer(many=True), 404: ERROR})
@api_view(["GET"])
def customer_rooms(request: Request, customer_pk: int) -> Response:
    """The rooms a person holds or lives in (current first) and held before."""
    _customer, rows = access.customer_residencies(request.user, customer_pk)
    return _listed(request, rows)
