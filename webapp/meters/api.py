"""Meters API: a room's meters (list, add by hand), a meter's readings (list, enter one), the entry
of many readings at once, a room's consumption for a month (for the billing runs). Thin views over
webapp.meters.readings and the getters of .access; errors keep the {"detail", "field_errors"}
shape; another company's rows are 404."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from engine.errors import FormInvalid
from engine.ids import parse_id
from webapp.api.views import ERROR
from webapp.common.params import object_body

from . import access, periods, readings
from . import serializers as s
from .models import Reading

PERIOD = OpenApiParameter("period", str, description="the month, YYYY-MM (default: the current month)")


def _last_readings(meter_ids: list[int]) -> dict[int, Reading]:
    return {pk: found[-1] for pk, found in readings.history(meter_ids).items() if found}


@extend_schema(methods=["GET"], responses={200: s.MeterSerializer(many=True), 404: ERROR})
@extend_schema(
    methods=["POST"],
    request=s.MeterInputSerializer,
    responses={201: s.MeterSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    description="Add a meter by hand with its start reading; a room has one active meter of a kind.",
)
@api_view(["GET", "POST"])
def room_meters(request: Request, room_pk: int) -> Response:
    """The room's meters (active and replaced), each with its last reading; POST adds one."""
    if request.method == "POST":
        room = access.room_for_meters(request.user, room_pk, for_write=True)
        meter = readings.do_add_meter(request.user, room, dict(object_body(request.data)))
        context = {"last": _last_readings([meter.pk])}
        return Response(s.MeterSerializer(meter, context=context).data, status=status.HTTP_201_CREATED)
    room = access.room_for_meters(request.user, room_pk)
    meters = list(room.meters.order_by("kind", "installed_on", "pk"))
    context = {"last": _last_readings([m.pk for m in meters])}
    return Response(s.MeterSerializer(meters, many=True, context=context).data)


@extend_schema(methods=["GET"], responses={200: s.ReadingSerializer(many=True), 404: ERROR})
@extend_schema(
    methods=["POST"],
    request=s.ReadingInputSerializer,
    responses={201: s.ReadingSerializer(many=True), 400: ERROR, 403: ERROR, 404: ERROR},
    description="Enter the month's reading; lower than the last only as a meter change (换表).",
)
@api_view(["GET", "POST"])
def meter_readings(request: Request, pk: int) -> Response:
    """The meter's readings in order; POST enters one (the readings written, with a change three)."""
    if request.method == "POST":
        meter = access.access_meter(request.user, pk, for_write=True)
        entry, errors = readings.entry_from(meter, dict(object_body(request.data)))
        if entry is None:
            raise FormInvalid(errors)
        created = readings.do_readings(request.user, [entry])
        return Response(s.ReadingSerializer(created, many=True).data, status=status.HTTP_201_CREATED)
    meter = access.access_meter(request.user, pk)
    return Response(s.ReadingSerializer(readings.history([meter.pk]).get(meter.pk, []), many=True).data)


@extend_schema(
    request=s.EntryInputSerializer,
    responses={201: s.ReadingSerializer(many=True), 400: ERROR, 403: ERROR},
    description=(
        "Enter many readings at once (the entry page's rows): all or nothing; the field errors are "
        "named per row, e.g. readings.3.value."
    ),
)
@api_view(["POST"])
def entry(request: Request) -> Response:
    access.check_may_enter(request.user)
    rows = object_body(request.data).get("readings")
    if not isinstance(rows, list) or not rows:
        raise FormInvalid({"readings": [_("Send at least one reading.")]})
    wanted = {parse_id(r.get("meter")) for r in rows if isinstance(r, dict)} - {None}
    meters = {m.pk: m for m in access.meters_of_company(request.user).filter(pk__in=wanted)}
    entries, prefixes, errors = _entries(rows, meters)
    if errors:
        raise FormInvalid(errors)
    created = readings.do_readings(request.user, entries, prefixes=prefixes)
    return Response(s.ReadingSerializer(created, many=True).data, status=status.HTTP_201_CREATED)


def _entries(rows: list[Any], meters: dict[int, Any]) -> tuple[list[Any], list[str], dict[str, list[str]]]:
    entries: list[Any] = []
    prefixes: list[str] = []
    errors: dict[str, list[str]] = {}
    for n, row in enumerate(rows):
        prefix = f"readings.{n}."
        if not isinstance(row, dict):
            errors[f"readings.{n}"] = [_("Send each reading as an object.")]
            continue
        meter = meters.get(parse_id(row.get("meter")) or 0)
        if meter is None:
            errors[f"{prefix}meter"] = [_("No meter of your company has this id.")]
            continue
        found, problems = readings.entry_from(meter, row, prefix=prefix)
        errors.update(problems)
        if found is not None:
            entries.append(found)
            prefixes.append(prefix)
    return entries, prefixes, errors


@extend_schema(parameters=[PERIOD], responses={200: s.ConsumptionSerializer, 400: ERROR, 404: ERROR})
@api_view(["GET"])
def room_consumption(request: Request, room_pk: int) -> Response:
    """The room's consumption per kind of meter for a month (this reading − the previous one)."""
    room = access.room_for_meters(request.user, room_pk)
    errors: dict[str, list[str]] = {}
    asked = request.query_params.get("period") or periods.period_of(periods.today())
    period = periods.check_period(asked, errors)
    if period is None:
        raise FormInvalid(errors)
    kinds = readings.room_consumption(room, period)
    return Response(s.ConsumptionSerializer({"room": room.pk, "period": period, "kinds": kinds}).data)
