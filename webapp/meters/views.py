"""Meter pages: the reading entry of one building and month (抄表录入: the rooms with their meter of
a kind, the last reading and an input; only the typed rows are saved, all or nothing, errors shown
per row) and the import template. Thin views over readings.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from engine.errors import FormInvalid
from engine.ids import parse_id
from webapp.common import spreadsheet
from webapp.common.errors import engine_errors
from webapp.common.params import param
from webapp.realestate import imports as importer
from webapp.realestate.models import Building, ImportKind, Room

from . import access, periods, readings
from .models import Meter, MeterKind


def _choices(user: Any) -> list[Building]:
    company_id = user.company_id
    return list(
        Building.objects.filter(phase__project__company_id=company_id)
        .select_related("phase__project")
        .order_by("phase__project__name", "phase__code", "code")
    )


def _rows(building: Building, kind: str) -> list[dict[str, Any]]:
    rooms = list(
        Room.objects.filter(floor__unit__building=building)
        .select_related("floor__unit__building")
        .order_by("floor__unit__code", "floor__number", "name")
    )
    meters = {m.room_id: m for m in Meter.objects.filter(room__in=rooms, kind=kind, removed_on__isnull=True)}
    history = readings.history(m.pk for m in meters.values())
    rows = []
    for room in rooms:
        meter = meters.get(room.pk)
        found = history.get(meter.pk, []) if meter else []
        rows.append({"room": room, "meter": meter, "last": found[-1] if found else None, "readings": found})
    return rows


@require_http_methods(["GET", "POST"])
@login_required
@engine_errors
def entry(request: HttpRequest) -> HttpResponse:
    access.check_may_enter(request.user)
    source = request.POST if request.method == "POST" else request.GET
    buildings = _choices(request.user)
    building_id = parse_id(param(source, "building"))
    building = next((b for b in buildings if b.pk == building_id), buildings[0] if buildings else None)
    kind = param(source, "kind") or MeterKind.WATER
    if kind not in MeterKind.values:
        kind = MeterKind.WATER
    period = periods.parse_period(param(source, "period")) or periods.period_of(periods.today())
    rows = _rows(building, kind) if building else []
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST" and building is not None:
        errors = _save(request, rows, period)
        if not errors:
            return redirect(f"{request.path}?building={building.pk}&kind={kind}&period={period}")
        status = 400
    for row in rows:
        meter = row["meter"]
        key = f"m{meter.pk}." if meter else ""
        row["errors"] = {k.removeprefix(key): v for k, v in errors.items() if meter and k.startswith(key)}
        row["this_month"] = next(
            (r for r in row["readings"] if r.period == period and r.kind == "period"), None
        )
        row["posted"] = {
            name: request.POST.get(f"{name}_{meter.pk}", "") for name in ("value", "change", "final", "start", "number")
        } if meter and request.method == "POST" else {}  # fmt: skip
    context = {
        "buildings": buildings, "building": building, "kind": kind, "kinds": MeterKind.choices, "period": period,
        "rows": rows, "errors": errors, "read_on": param(source, "read_on") or periods.today().isoformat(),
    }  # fmt: skip
    return render(request, "meters/entry.html", context, status=status)


def _save(request: HttpRequest, rows: list[dict[str, Any]], period: str) -> dict[str, list[str]]:
    """Save the typed rows (all or nothing); the errors by "m<meter id>.<field>" otherwise."""
    entries: list[readings.Entry] = []
    prefixes: list[str] = []
    errors: dict[str, list[str]] = {}
    read_on = request.POST.get("read_on", "")
    for row in rows:
        meter = row["meter"]
        if meter is None:
            continue
        value = request.POST.get(f"value_{meter.pk}", "").strip()
        if not value:
            continue
        body: dict[str, Any] = {"period": period, "value": value, "read_on": read_on}
        if request.POST.get(f"change_{meter.pk}"):
            body["change"] = {
                "final_value": request.POST.get(f"final_{meter.pk}", ""),
                "start_value": request.POST.get(f"start_{meter.pk}", ""),
                "number": request.POST.get(f"number_{meter.pk}", ""),
            }
        prefix = f"m{meter.pk}."
        found, problems = readings.entry_from(meter, body, prefix=prefix)
        errors.update(problems)
        if found is not None:
            entries.append(found)
            prefixes.append(prefix)
    if not errors and not entries:
        return {"non_field_errors": [_("Type at least one reading.")]}
    if errors:
        return errors
    try:
        readings.do_readings(request.user, entries, prefixes=prefixes)
    except FormInvalid as exc:
        return exc.field_errors
    messages.success(request, _("%(count)s readings saved.") % {"count": len(entries)})
    return {}


@require_GET
@login_required
@engine_errors
def import_template(request: HttpRequest) -> HttpResponse:
    access.check_may_enter(request.user)
    content = importer.template_workbook(ImportKind.READINGS)
    return spreadsheet.attachment(content, spreadsheet.XLSX_CONTENT_TYPE, "readings-template.xlsx")
