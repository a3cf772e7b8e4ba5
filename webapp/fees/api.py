"""Fee setup API: fee items per estate (list ?project=, create with the first version), a new
version from a date, and the quote of a room for a month. Company-scoped (another company's estate
or room is a 404); bad input is a 400 with field errors and saves nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from engine.errors import FormInvalid
from webapp.common.params import object_body

from . import access, actions, quote
from .money import MoneyError, parse_decimal
from .serializers import item_data, version_data


class FeeItemViewSet(viewsets.ViewSet):
    """收费项目 of the company's estates (?project= one estate)."""

    @extend_schema(parameters=[OpenApiParameter("project", int)])
    def list(self, request: Request) -> Response:
        items = access.visible_items(request.user)
        if request.query_params.get("project"):
            items = items.filter(project=access.access_project(request.user, request.query_params["project"]))
        return Response([item_data(item) for item in items.order_by("project", "kind", "code")])

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(item_data(access.access_item(request.user, pk)))

    @extend_schema(request={"application/json": {"type": "object"}}, responses={201: dict})
    def create(self, request: Request) -> Response:
        """A fee item with its first version: {project, code, name, kind, version: {…}}."""
        body = object_body(request.data)
        if body.get("project") in (None, ""):
            raise FormInvalid({"project": [_("Choose an estate.")]})
        project = access.access_project(request.user, body.get("project"))
        item = actions.do_create_item(request.user, project, body)
        return Response(item_data(item), status=status.HTTP_201_CREATED)

    @extend_schema(request={"application/json": {"type": "object"}}, responses={201: dict})
    @action(detail=True, methods=["post"])
    def versions(self, request: Request, pk: str | None = None) -> Response:
        """A new version from its effective_from (after the latest version's)."""
        item = access.access_item(request.user, pk)
        version = actions.do_add_version(request.user, item, object_body(request.data))
        return Response(version_data(version), status=status.HTTP_201_CREATED)


def read_quote_params(params: Any) -> tuple[int, int, dict[str, Decimal]]:
    """month=YYYY-MM and the usages water= / electricity= of a quote; FormInvalid otherwise."""
    errors: dict[str, list[str]] = {}
    text = str(params.get("month", ""))
    year = month = 0
    try:
        year, month = (int(part) for part in text.split("-"))
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise ValueError(text)
    except ValueError:
        errors["month"] = [_("Enter a month such as 2026-12.")]
    usage: dict[str, Decimal] = {}
    for kind in ("water", "electricity"):
        if params.get(kind) not in (None, ""):
            try:
                usage[kind] = parse_decimal(params[kind], 2)
            except MoneyError as exc:
                errors[kind] = [str(exc)]
    if errors:
        raise FormInvalid(errors)
    return year, month, usage


class QuoteView(APIView):
    """What a room would be charged for a month by each item in force (?room=, ?month=YYYY-MM,
    optional ?water= / ?electricity= usage)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("room", int, required=True),
            OpenApiParameter("month", str, required=True),
            OpenApiParameter("water", str),
            OpenApiParameter("electricity", str),
        ],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        if request.query_params.get("room") in (None, ""):
            raise FormInvalid({"room": [_("Choose a room.")]})
        room = access.access_room(request.user, request.query_params["room"])
        year, month, usage = read_quote_params(request.query_params)
        lines = quote.quote_room(room, year, month, usage)
        days, holder = quote.occupancy(room, year, month)
        monthly = sum(
            (line.amount for line in lines if line.amount is not None and line.basis != "fixed"), Decimal("0")
        )
        return Response(
            {
                "room": room.pk,
                "room_code": room.code,
                "month": f"{year:04d}-{month:02d}",
                "charged_days": days,
                "holder": holder,
                "lines": [quote.line_data(line) for line in lines],
                "monthly_total": f"{monthly:.2f}",
            }
        )
