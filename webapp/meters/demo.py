"""Demo readings: two months of readings for a few rooms of company sz that were handed over (the
demo history's move-in hands rooms over through the flow, whose handover step gives their meters
the start readings of the acceptance record). Idempotent: a month a meter already has is skipped.
For `anju_setup`, after the demo work."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.apps import apps

from . import periods, readings
from .models import Meter, MeterKind, ReadingKind

ROOMS = 6
# A month's usage per kind, before a small per-room variation (m³, kWh, m³).
USAGE = {
    MeterKind.WATER: Decimal("8.40"),
    MeterKind.ELECTRICITY: Decimal("126.50"),
    MeterKind.GAS: Decimal("3.20"),
}


def _months() -> list[str]:
    """The previous month and the current one."""
    current = periods.today().replace(day=1)
    return [periods.period_of(current - dt.timedelta(days=1)), periods.period_of(current)]


def load_demo_readings(users: dict[str, Any]) -> int:
    """Two months of readings (last month's and this month's) for up to ROOMS handed-over rooms of
    sz, entered by the steward 钱进; returns how many readings were written."""
    steward = users.get("steward")
    if steward is None:
        return 0
    acceptance = apps.get_model("movein", "AcceptanceRecord")  # no import: movein sits above meters
    rooms = list(
        acceptance.objects.filter(company_id=steward.company_id)
        .order_by("accepted_at", "pk")
        .values_list("batch_room__room_id", flat=True)[:ROOMS]
    )
    meters = list(
        Meter.objects.filter(room_id__in=rooms, removed_on__isnull=True).order_by("room_id", "kind")
    )
    history = readings.history(m.pk for m in meters)
    today = periods.today()
    written = 0
    for period in _months():
        entries = []
        for meter in meters:
            found = history.get(meter.pk, [])
            if (
                not found
                or found[-1].period > period
                or any(r.kind == ReadingKind.PERIOD and r.period == period for r in found)
            ):
                continue
            step = USAGE[MeterKind(meter.kind)] + Decimal(meter.room_id % 7) / 4
            day = min(periods.period_bounds(period)[1], today)
            entries.append(readings.Entry(meter, period, found[-1].value + step, day))
        if entries:
            created = readings.do_readings(steward, entries)
            written += len(created)
            history = readings.history(m.pk for m in meters)
    return written
