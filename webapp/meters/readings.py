"""The rules of meters and readings: `check_*` validates, `do_*` writes (one transaction, the
meters locked, everything checked again under the lock, so two readers typing the same month
cannot both get in; nothing is half-saved).

- A meter's readings never go down: a reading lower than the last one is refused unless it is a
  meter change (换表), which closes the old meter with its final reading and opens a new one with
  its start reading (and the typed reading is the new meter's).
- One PERIOD reading per meter and month; a second one is refused (400) naming the one on file.
- Consumption of a meter for a month = its last reading of the month − its last reading before the
  month (or, for a meter that started in the month, its start reading), × its multiplier.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from engine import audit, clock
from engine.errors import FormInvalid, checked_text

from . import periods
from .models import Meter, MeterKind, Reading, ReadingKind, Source

MAX_NUMBER = 40
MAX_MULTIPLIER = Decimal("999999.99")


@dataclass
class Change:
    """换表: the old meter's final reading and the new meter's number and start reading."""

    final_value: Decimal
    start_value: Decimal
    number: str
    multiplier: Decimal | None = None


@dataclass
class Entry:
    meter: Meter
    period: str
    value: Decimal
    read_on: dt.date
    change: Change | None = None


def history(meter_ids: Iterable[int]) -> dict[int, list[Reading]]:
    """Each meter's readings in order (period, START → PERIOD → FINAL): one query."""
    found: dict[int, list[Reading]] = defaultdict(list)
    for reading in Reading.objects.filter(meter_id__in=list(meter_ids)):
        found[reading.meter_id].append(reading)
    for readings in found.values():
        readings.sort(key=Reading.order_key)
    return found


def _shown(value: Decimal) -> str:
    return f"{value:.2f}"


# --- checking --------------------------------------------------------------------------------


def parse_change(raw: Any, errors: dict[str, list[str]], prefix: str = "change.") -> Change | None:
    """The 换表 part of an entry ({"final_value", "start_value", "number", "multiplier"})."""
    if not raw:
        return None
    if not isinstance(raw, dict):
        errors.setdefault(f"{prefix[:-1]}", []).append(_("Send the meter change as an object."))
        return None
    before = sum(len(v) for v in errors.values())
    final_value = periods.check_value(raw.get("final_value"), errors, f"{prefix}final_value")
    start = raw.get("start_value")
    start_value = (
        Decimal("0.00") if start in (None, "") else periods.check_value(start, errors, f"{prefix}start_value")
    )
    number = ""
    try:
        number = checked_text(raw.get("number") or "", f"{prefix}number", MAX_NUMBER)
    except FormInvalid as exc:
        for name, messages in exc.field_errors.items():
            errors.setdefault(name, []).extend(messages)
    multiplier = None
    if raw.get("multiplier") not in (None, ""):
        multiplier = check_multiplier(raw.get("multiplier"), errors, f"{prefix}multiplier")
    if sum(len(v) for v in errors.values()) > before or final_value is None or start_value is None:
        return None
    return Change(final_value, start_value, number, multiplier)


def check_multiplier(value: Any, errors: dict[str, list[str]], field: str = "multiplier") -> Decimal | None:
    number = periods.parse_value(value)
    if number is None or number <= 0 or number > MAX_MULTIPLIER:
        errors.setdefault(field, []).append(_("The multiplier is a number greater than 0."))
        return None
    return number


def check_entry(entry: Entry, readings: list[Reading], *, prefix: str = "") -> dict[str, list[str]]:
    """What is wrong with one entry against the meter's readings on file ({} when nothing)."""
    errors: dict[str, list[str]] = {}
    meter = entry.meter
    if not meter.is_active():
        errors[f"{prefix}meter"] = [
            _("This meter was replaced on %(day)s; enter the readings of the new one.")
            % {"day": meter.removed_on.isoformat()}  # type: ignore[union-attr]
        ]
        return errors
    if entry.period < periods.period_of(meter.installed_on):
        errors[f"{prefix}period"] = [
            _("The meter was installed on %(day)s, after this month.")
            % {"day": meter.installed_on.isoformat()}
        ]
        return errors
    same = [r for r in readings if r.kind == ReadingKind.PERIOD and r.period == entry.period]
    if same:
        errors[f"{prefix}period"] = [
            _("The meter already has the reading %(value)s for %(period)s.")
            % {"value": _shown(same[0].value), "period": entry.period}
        ]
        return errors
    later = [r for r in readings if r.period > entry.period]
    if later:
        errors[f"{prefix}period"] = [
            _("The meter's last reading is for %(period)s; readings are entered month by month.")
            % {"period": later[-1].period}
        ]
        return errors
    last = readings[-1] if readings else None
    if entry.change is None:
        if last is not None and entry.value < last.value:
            errors[f"{prefix}value"] = [
                _(
                    "The reading is lower than the last reading %(value)s (%(period)s); if the meter was "
                    "replaced, record a meter change (换表)."
                )
                % {"value": _shown(last.value), "period": last.period}
            ]
        return errors
    if last is not None and entry.change.final_value < last.value:
        errors[f"{prefix}change.final_value"] = [
            _("The old meter's final reading cannot be lower than its last reading %(value)s (%(period)s).")
            % {"value": _shown(last.value), "period": last.period}
        ]
    if entry.value < entry.change.start_value:
        errors[f"{prefix}value"] = [
            _("The reading cannot be lower than the new meter's start reading %(value)s.")
            % {"value": _shown(entry.change.start_value)}
        ]
    return errors


def entry_from(
    meter: Meter, raw: dict[str, Any], *, prefix: str = ""
) -> tuple[Entry | None, dict[str, list[str]]]:
    """An entry from a request body's fields (period, value, read_on, change), or its errors."""
    errors: dict[str, list[str]] = {}
    period = periods.check_period(raw.get("period"), errors, f"{prefix}period")
    value = periods.check_value(raw.get("value"), errors, f"{prefix}value")
    read_on = periods.check_day(raw.get("read_on"), errors, f"{prefix}read_on")
    change = parse_change(raw.get("change"), errors, f"{prefix}change.")
    if period is not None and read_on is not None and periods.period_of(read_on) < period:
        errors.setdefault(f"{prefix}read_on", []).append(
            _("The meter cannot be read before the month it is for.")
        )
    if errors or period is None or value is None or read_on is None:
        return None, errors
    return Entry(meter, period, value, read_on, change), {}


# --- writing ---------------------------------------------------------------------------------


def do_readings(user: Any, entries: list[Entry], *, source: str = Source.MANUAL, import_job: Any = None,
                prefixes: list[str] | None = None) -> list[Reading]:  # fmt: skip
    """Write the entries (all or nothing). Checks every entry again with the meters locked and
    raises FormInvalid with every problem (field names prefixed per entry) before writing any."""
    prefixes = prefixes or [""] * len(entries)
    with transaction.atomic():
        ids = sorted({e.meter.pk for e in entries})
        locked = {m.pk: m for m in Meter.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
        on_file = history(ids)
        errors: dict[str, list[str]] = {}
        seen: dict[int, str] = {}
        for entry, prefix in zip(entries, prefixes, strict=True):
            entry.meter = locked[entry.meter.pk]
            if entry.meter.pk in seen:
                errors[f"{prefix}meter"] = [_("The same meter is entered twice.")]
                continue
            seen[entry.meter.pk] = prefix
            errors.update(check_entry(entry, on_file.get(entry.meter.pk, []), prefix=prefix))
        if errors:
            raise FormInvalid(errors)
        now = clock.now()
        reader_name = audit.actor_name(user) if getattr(user, "is_authenticated", False) else ""
        reader = user if getattr(user, "is_authenticated", False) else None
        created: list[Reading] = []

        def reading(meter: Meter, kind: str, value: Decimal, entry: Entry) -> Reading:
            return Reading(
                company_id=meter.company_id, meter=meter, kind=kind, period=entry.period, value=value,
                read_on=entry.read_on, reader=reader, reader_name=reader_name, source=source,
                import_job=import_job, created_at=now,
            )  # fmt: skip

        for entry in entries:
            meter = entry.meter
            if entry.change is not None:
                created.append(reading(meter, ReadingKind.FINAL, entry.change.final_value, entry))
                Meter.objects.filter(pk=meter.pk).update(removed_on=entry.read_on)
                meter = Meter.objects.create(
                    company_id=meter.company_id, room_id=meter.room_id, kind=meter.kind, number=entry.change.number,
                    multiplier=entry.change.multiplier or meter.multiplier, installed_on=entry.read_on,
                    created_at=now, created_by=reader,
                )  # fmt: skip
                created.append(reading(meter, ReadingKind.START, entry.change.start_value, entry))
            created.append(reading(meter, ReadingKind.PERIOD, entry.value, entry))
        Reading.objects.bulk_create(created, batch_size=500)
    return created


def check_new_meter(room: Any, raw: dict[str, Any]) -> dict[str, Any]:
    """The fields of a meter added by hand, or FormInvalid: kind, number, multiplier, installed_on
    and the start reading; a room has one active meter of a kind."""
    errors: dict[str, list[str]] = {}
    kind = raw.get("kind")
    if kind not in MeterKind.values:
        errors["kind"] = [_("Choose 水表, 电表 or 燃气表.")]
    elif Meter.objects.filter(room=room, kind=kind, removed_on__isnull=True).exists():
        errors["kind"] = [
            _("The room already has an active meter of this kind; record a meter change (换表) instead.")
        ]
    try:
        number = checked_text(raw.get("number") or "", "number", MAX_NUMBER)
    except FormInvalid as exc:
        errors.update(exc.field_errors)
        number = ""
    multiplier = Decimal("1.00")
    if raw.get("multiplier") not in (None, ""):
        multiplier = check_multiplier(raw.get("multiplier"), errors) or multiplier
    installed_on = periods.check_day(raw.get("installed_on"), errors, "installed_on")
    start = raw.get("start_value")
    start_value = (
        Decimal("0.00") if start in (None, "") else periods.check_value(start, errors, "start_value")
    )
    if errors:
        raise FormInvalid(errors)
    return {"kind": kind, "number": number, "multiplier": multiplier, "installed_on": installed_on,
            "start_value": start_value}  # fmt: skip


def do_add_meter(user: Any, room: Any, raw: dict[str, Any]) -> Meter:
    """A meter added by hand, with its start reading (source 手工)."""
    values = check_new_meter(room, raw)
    now = clock.now()
    with transaction.atomic():
        meter = Meter.objects.create(
            company_id=room.company_id, room=room, kind=values["kind"], number=values["number"],
            multiplier=values["multiplier"], installed_on=values["installed_on"], created_at=now, created_by=user,
        )  # fmt: skip
        Reading.objects.create(
            company_id=room.company_id, meter=meter, kind=ReadingKind.START,
            period=periods.period_of(values["installed_on"]), value=values["start_value"],
            read_on=values["installed_on"], reader=user, reader_name=audit.actor_name(user), source=Source.MANUAL,
            created_at=now,
        )  # fmt: skip
    return meter


def do_initial_readings(record: Any) -> int:
    """The start readings from a handover's acceptance record (房产验收记录): per kind with a reading,
    the room's active meter (created, without a number, when it has none) starts at it. Idempotent:
    a kind already read from this record, or a meter that already has readings, gets nothing."""
    room_id = record.batch_room.room_id
    day = timezone.localdate(record.accepted_at)
    values = {MeterKind.WATER: record.water_meter, MeterKind.ELECTRICITY: record.electricity_meter,
              MeterKind.GAS: record.gas_meter}  # fmt: skip
    created = 0
    with transaction.atomic():
        for kind, value in values.items():
            if value is None or Reading.objects.filter(acceptance=record, meter__kind=kind).exists():
                continue
            meter = (
                Meter.objects.select_for_update()
                .filter(room_id=room_id, kind=kind, removed_on__isnull=True)
                .first()
            )
            if meter is None:
                meter = Meter.objects.create(
                    company_id=record.company_id, room_id=room_id, kind=kind, installed_on=day,
                    created_at=clock.now(), created_by_id=record.handled_by_id,
                )  # fmt: skip
            elif meter.readings.exists():
                continue
            Reading.objects.create(
                company_id=record.company_id, meter=meter, kind=ReadingKind.START, period=periods.period_of(day),
                value=value, read_on=day, reader_id=record.handled_by_id, reader_name=record.handled_by_name,
                source=Source.HANDOVER, acceptance=record, created_at=clock.now(),
            )  # fmt: skip
            created += 1
    return created


# --- consumption -----------------------------------------------------------------------------


@dataclass
class Usage:
    meter: Meter
    previous: Decimal | None
    current: Decimal | None
    consumption: Decimal | None  # None: the meter has no reading for the month


def meter_usage(meter: Meter, readings: list[Reading], period: str) -> Usage:
    """The meter's consumption in the month (see the module docstring)."""
    in_period = [r for r in readings if r.period == period]
    if not any(r.kind != ReadingKind.START for r in in_period):
        return Usage(meter, None, None, None)
    earlier = [r for r in readings if r.period < period]
    base = earlier[-1] if earlier else in_period[0]
    current = in_period[-1]
    used = ((current.value - base.value) * meter.multiplier).quantize(Decimal("0.01"))
    return Usage(meter, base.value, current.value, used)


def _counts(meter: Meter, readings: list[Reading], period: str) -> bool:
    """Whether the meter belongs to the month: read in it, or on the wall during it."""
    if any(r.period == period for r in readings):
        return True
    first, last = periods.period_bounds(period)
    return meter.installed_on <= last and (meter.removed_on is None or meter.removed_on >= first)


def room_consumption(room: Any, period: str) -> list[dict[str, Any]]:
    """Per kind of meter the room has: the month's consumption summed over its meters (a meter
    change counts both), `complete` False (and consumption None) when a meter lacks the reading."""
    meters = list(Meter.objects.filter(room=room).order_by("installed_on", "pk"))
    return _consumption(meters, history(m.pk for m in meters), period)


def rooms_consumption(room_ids: Iterable[int], period: str) -> dict[int, dict[str, Decimal | None]]:
    """room_consumption for many rooms in two queries, as {room id: {kind: consumption or None
    when incomplete}} (billing runs)."""
    meters_of: dict[int, list[Meter]] = defaultdict(list)
    for meter in Meter.objects.filter(room_id__in=list(room_ids)).order_by("installed_on", "pk"):
        meters_of[meter.room_id].append(meter)
    readings = history(m.pk for ms in meters_of.values() for m in ms)
    return {
        room_id: {row["kind"]: row["consumption"] for row in _consumption(meters, readings, period)}
        for room_id, meters in meters_of.items()
    }


def _consumption(
    meters: list[Meter], readings: dict[int, list[Reading]], period: str
) -> list[dict[str, Any]]:
    result = []
    for kind in MeterKind:
        usages = [meter_usage(m, readings.get(m.pk, []), period) for m in meters
                  if m.kind == kind and _counts(m, readings.get(m.pk, []), period)]  # fmt: skip
        if not usages:
            continue
        complete = all(u.consumption is not None for u in usages)
        total = sum((u.consumption for u in usages if u.consumption is not None), Decimal("0.00"))
        result.append({"kind": kind.value, "label": kind.label, "complete": complete,
                       "consumption": total if complete else None, "meters": usages})  # fmt: skip
    return result
