"""Handover batches: creating one (rooms, owners, appointment slots, its flow; refused while the
property register lacks data of its rooms), the batch flow's
hooks (验房准备, 入伙总结) and the batch summary (defects by category and contractor, pass rates).

`do_create_batch` is one transaction: the batch, its slots and rooms, and the start of its
`movein_batch` instance are written together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from engine import clock
from engine.actions import do_start_instance
from engine.errors import Conflict, FormInvalid, checked_text
from engine.hooks import HookContext, HookResult
from engine.ids import parse_id

from .access import check_may_create_batch, company_id_of
from .models import (
    OPEN_DEFECT,
    AppointmentSlot,
    BatchRoom,
    BatchStatus,
    Defect,
    DefectStatus,
    HandoverBatch,
    RoomStage,
)

BATCH_FLOW = "movein_batch"
DOCUMENTS = {
    "doc_completion_filing": "竣工验收备案证明",
    "doc_quality_guarantee": "住宅质量保证书",
    "doc_user_manual": "住宅使用说明书",
    "doc_survey_report": "房屋面积测绘报告",
    "doc_movein_notice": "入伙通知书",
    "doc_property_agreement": "前期物业服务协议",
    "doc_fee_standard": "物业收费标准公示",
}
MAX_SLOTS = 2000
MAX_LISTED_ROOMS = 200  # rooms lacking register data named in a refusal (the readiness report has all)
# What a batch takes when the form or API body leaves these out.
BATCH_DEFAULTS = {
    "fee_months": 3,
    "day_start": "09:00",
    "day_end": "17:00",
    "slot_minutes": 60,
    "slot_capacity": 10,
}


@dataclass
class BatchInput:
    project: Any
    buildings: list[Any]
    name: str
    mock_from: date
    mock_to: date
    handover_from: date
    handover_to: date
    fee_rate: Decimal
    fee_months: int
    day_start: time
    day_end: time
    slot_minutes: int
    slot_capacity: int


def _ids(value: Any) -> list[int]:
    items = value if isinstance(value, list | tuple) else [value] if value not in (None, "") else []
    out = []
    for item in items:
        number = parse_id(item)  # not "²", nor beyond 64 bits (SQLite cannot even compare that)
        if number is None:
            raise ValueError(item)
        out.append(number)
    return out


def _time_of_day(value: Any) -> time:
    """A wall-clock time such as 09:00; one with a UTC offset is refused (it cannot be compared)."""
    parsed = time.fromisoformat(str(value))
    if parsed.tzinfo is not None:
        raise ValueError(value)
    return parsed


def check_batch_input(user: Any, raw: dict[str, Any]) -> BatchInput:
    """The batch a form or API body asks for, checked field by field (FormInvalid)."""
    from webapp.accounts.models import Project
    from webapp.realestate.models import Building

    check_may_create_batch(user)
    raw = {**BATCH_DEFAULTS, **{k: v for k, v in raw.items() if v not in (None, "")}}
    errors: dict[str, list[str]] = {}
    company_id = company_id_of(user)

    def need(name: str, parse: Any, message: str) -> Any:
        text = raw.get(name)
        if text in (None, ""):
            errors[name] = [_("This field is required.")]
            return None
        try:
            return parse(text)
        except (TypeError, ValueError, InvalidOperation):
            errors[name] = [message]
            return None

    name = checked_text(raw.get("name", ""), "name", 100)
    if not name:
        errors["name"] = [_("This field is required.")]
    elif HandoverBatch.objects.filter(company_id=company_id, name=name).exists():
        errors["name"] = [_("A batch of this name exists already.")]
    project = None
    project_id = need("project", int, _("Choose a project."))
    if project_id is not None:
        project = Project.objects.filter(company_id=company_id, pk=project_id).first()
        if project is None:
            errors["project"] = [_("Choose a project of your company.")]
    buildings: list[Any] = []
    try:
        building_ids = _ids(raw.get("buildings"))
    except ValueError:
        building_ids, errors["buildings"] = [], [_("Choose buildings from the list.")]
    if not building_ids and "buildings" not in errors:
        errors["buildings"] = [_("Choose at least one building.")]
    elif project is not None and building_ids:
        buildings = list(Building.objects.filter(phase__project=project, pk__in=building_ids))
        if len(buildings) != len(set(building_ids)):
            errors["buildings"] = [_("Choose buildings of the project.")]
    dates = {
        key: need(key, lambda v: v if isinstance(v, date) else date.fromisoformat(str(v)), _("A date such as 2026-12-05."))
        for key in ("mock_from", "mock_to", "handover_from", "handover_to")
    }  # fmt: skip
    if dates["mock_from"] and dates["mock_to"] and dates["mock_to"] < dates["mock_from"]:
        errors["mock_to"] = [_("The mock inspection must end on or after its first day.")]
    if dates["handover_from"] and dates["handover_to"] and dates["handover_to"] < dates["handover_from"]:
        errors["handover_to"] = [_("The handover must end on or after its first day.")]
    if dates["mock_to"] and dates["handover_from"] and dates["handover_from"] < dates["mock_to"]:
        errors["handover_from"] = [_("The handover starts after the mock inspection.")]
    fee_rate = need("fee_rate", lambda v: Decimal(str(v)), _("An amount in yuan such as 3.50."))
    if fee_rate is not None and (
        not Decimal("0") < fee_rate < Decimal("1000") or fee_rate != fee_rate.quantize(Decimal("0.01"))
    ):
        errors["fee_rate"] = [_("An amount in yuan above 0 with at most two decimals, such as 3.50.")]
    fee_months = need("fee_months", int, _("A whole number of months."))
    if fee_months is not None and not 1 <= fee_months <= 24:
        errors["fee_months"] = [_("From 1 to 24 months.")]
    day_start = need("day_start", _time_of_day, _("A time such as 09:00."))
    day_end = need("day_end", _time_of_day, _("A time such as 17:00."))
    if day_start and day_end and day_end <= day_start:
        errors["day_end"] = [_("The last slot ends after the first starts.")]
    slot_minutes = need("slot_minutes", int, _("A whole number of minutes."))
    if slot_minutes is not None and not 15 <= slot_minutes <= 480:
        errors["slot_minutes"] = [_("From 15 to 480 minutes.")]
    slot_capacity = need("slot_capacity", int, _("A whole number of rooms."))
    if slot_capacity is not None and not 1 <= slot_capacity <= 500:
        errors["slot_capacity"] = [_("From 1 to 500 rooms per slot.")]
    if errors:
        raise FormInvalid(errors)
    return BatchInput(
        project=project, buildings=buildings, name=name, mock_from=dates["mock_from"], mock_to=dates["mock_to"],
        handover_from=dates["handover_from"], handover_to=dates["handover_to"], fee_rate=fee_rate,
        fee_months=fee_months, day_start=day_start, day_end=day_end, slot_minutes=slot_minutes,
        slot_capacity=slot_capacity,
    )  # fmt: skip


def slot_times(data: BatchInput) -> list[tuple[datetime, datetime]]:
    """The appointment slots: every handover day from day_start to day_end, slot_minutes each."""
    zone = timezone.get_default_timezone()
    slots = []
    day = data.handover_from
    while day <= data.handover_to and len(slots) <= MAX_SLOTS:
        start = datetime.combine(day, data.day_start, zone)
        last = datetime.combine(day, data.day_end, zone)
        while start + timedelta(minutes=data.slot_minutes) <= last and len(slots) <= MAX_SLOTS:
            slots.append((start, start + timedelta(minutes=data.slot_minutes)))
            start += timedelta(minutes=data.slot_minutes)
        day += timedelta(days=1)
    return slots


def rooms_to_hand_over(buildings: list[Any]) -> list[Any]:
    """Contracted rooms of the buildings that are in no batch yet, by code."""
    from webapp.realestate.models import Room, RoomStatus

    return list(
        Room.objects.filter(floor__unit__building__in=buildings, status=RoomStatus.CONTRACTED, handover__isnull=True)
        .select_related("floor__unit__building")
        .order_by("code")
    )  # fmt: skip


def check_register_ready(rooms: list[Any]) -> None:
    """ "新建小区入伙前一个月" the property register must be complete: FormInvalid listing every room
    that lacks required register data (房间代码, 房间名称, 建筑面积, 收费面积, 户型, 朝向) and what it lacks."""
    from webapp.realestate.register import incomplete_message, missing_fields

    lacking = [room for room in rooms if missing_fields(room)]
    if not lacking:
        return
    shown = lacking[:MAX_LISTED_ROOMS]
    lines = incomplete_message(shown)
    if len(lacking) > len(shown):
        lines.append(
            _("… and %(count)s more rooms (see the readiness report).") % {"count": len(lacking) - len(shown)}
        )
    summary = _(
        "%(count)s rooms lack required register data; complete the property register before the batch:"
    ) % {"count": len(lacking)}
    raise FormInvalid({"buildings": [summary, *lines]})


def owners_of(rooms: list[Any]) -> dict[int, Any]:
    """room id → the customer of its contracted subscription."""
    from webapp.sales.models import Subscription, SubscriptionStatus

    rows = Subscription.objects.filter(room__in=rooms, status=SubscriptionStatus.CONTRACTED).select_related(
        "customer"
    )
    return {s.room_id: s.customer for s in rows}


def do_create_batch(user: Any, raw: dict[str, Any]) -> HandoverBatch:
    """Create a batch with its rooms and slots and start its flow; FormInvalid on bad input."""
    data = check_batch_input(user, raw)
    rooms = rooms_to_hand_over(data.buildings)
    if not rooms:
        raise FormInvalid(
            {"buildings": [_("These buildings have no contracted rooms that are not in a batch yet.")]}
        )
    check_register_ready(rooms)
    times = slot_times(data)
    if len(times) > MAX_SLOTS:
        raise FormInvalid(
            {
                "slot_minutes": [
                    _("That makes more than %(max)s slots; use longer slots.") % {"max": MAX_SLOTS}
                ]
            }
        )
    if len(times) * data.slot_capacity < len(rooms):
        raise FormInvalid(
            {"slot_capacity": [_("%(rooms)s rooms need more places than %(places)s (slots × rooms per slot).")
                               % {"rooms": len(rooms), "places": len(times) * data.slot_capacity}]}
        )  # fmt: skip
    owners = owners_of(rooms)
    try:
        return _create(user, data, rooms, times, owners)
    except IntegrityError as exc:  # another batch took one of these rooms, or the name, meanwhile
        raise Conflict(
            _("Another batch was created with some of these rooms or this name meanwhile; try again.")
        ) from exc


def _create(
    user: Any, data: BatchInput, rooms: list[Any], times: list[Any], owners: dict[int, Any]
) -> HandoverBatch:
    with transaction.atomic():
        batch = HandoverBatch.objects.create(
            company_id=user.company_id, project=data.project, name=data.name, mock_from=data.mock_from,
            mock_to=data.mock_to, handover_from=data.handover_from, handover_to=data.handover_to,
            fee_rate=data.fee_rate, fee_months=data.fee_months, created_by=user, created_at=clock.now(),
        )  # fmt: skip
        batch.buildings.set(data.buildings)
        slots = AppointmentSlot.objects.bulk_create(
            AppointmentSlot(batch=batch, starts_at=a, ends_at=b, capacity=data.slot_capacity)
            for a, b in times
        )
        if any(s.pk is None for s in slots):  # backends that do not return ids
            slots = list(batch.slots.order_by("starts_at"))
        BatchRoom.objects.bulk_create(
            BatchRoom(
                batch=batch, room=room, owner=owners.get(room.pk),
                owner_name=getattr(owners.get(room.pk), "name", ""), owner_mobile=getattr(owners.get(room.pk), "mobile", ""),
                slot=slots[i // data.slot_capacity],
            )
            for i, room in enumerate(rooms)
        )  # fmt: skip
        instance = do_start_instance(user, BATCH_FLOW, {"batch_id": batch.pk})
        batch.instance = instance
    return batch


# --- hooks of the batch flow -----------------------------------------------------------------


def _batch_of(context: HookContext, *, lock: bool = False) -> HandoverBatch:
    batch_id = context.data.get("batch_id")
    rows = HandoverBatch.objects.select_related("project")
    if lock:
        rows = rows.select_for_update(of=("self",))
    batch = (
        rows.filter(pk=batch_id, company_id=context.instance.company_id).first()
        if isinstance(batch_id, int)
        else None
    )
    if batch is None:
        raise FormInvalid({"batch_id": [_("This flow starts from a move-in batch (入伙管理 › 新建批次).")]})
    return batch


def batch_start(context: HookContext) -> HookResult:
    batch = _batch_of(context, lock=True)
    if batch.instance_id not in (None, context.instance.pk):
        raise Conflict(_("This batch has its flow already."))
    HandoverBatch.objects.filter(pk=batch.pk).update(instance=context.instance)
    return HookResult(data={
        "title": batch.name, "batch_name": batch.name, "project": batch.project.name,
        "rooms_count": batch.rooms.count(), "slots_count": batch.slots.count(),
    })  # fmt: skip


def prepare(context: HookContext) -> HookResult:
    """验房准备: every document ready, the contact data checked; the batch goes in progress."""
    batch = _batch_of(context, lock=True)
    missing = {key: [_("Have “%(name)s” ready before the handover starts.") % {"name": name}]
               for key, name in DOCUMENTS.items() if context.data.get(key) is not True}  # fmt: skip
    if context.data.get("notice_checked") is not True:
        missing["notice_checked"] = [_("Check the rooms, slots and owners' phones on the batch page first.")]
    if missing:
        raise FormInvalid(missing)
    if batch.status != BatchStatus.PREPARING:
        raise Conflict(_("This batch was prepared already."))
    HandoverBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.IN_PROGRESS, prepared_by=context.actor, prepared_at=context.now,
        documents=[{"key": key, "name": name, "ready": True} for key, name in DOCUMENTS.items()],
    )  # fmt: skip
    return HookResult()


def close_batch(context: HookContext) -> HookResult:
    """入伙总结: the figures are kept with the note; the batch is closed."""
    batch = _batch_of(context, lock=True)
    if batch.status != BatchStatus.DELIVERED:
        raise Conflict(_("The batch can be summed up once all its rooms are delivered."))
    figures = summary(batch)
    figures["note"] = str(context.data.get("summary_note", ""))[:4000]
    HandoverBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.CLOSED, closed_at=context.now, summary=figures
    )
    return HookResult(data={"rooms_delivered": figures["rooms"]["delivered"]})


# --- the summary ----------------------------------------------------------------------------


def _percent(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def summary(batch: HandoverBatch) -> dict[str, Any]:
    """验房总结: rooms by stage; defects open and closed by category and by contractor; the share
    of defects closed at the first re-inspection and of rooms without any defect."""
    rooms = dict(batch.rooms.values_list("stage").annotate(n=Count("id")))
    total_rooms = sum(rooms.values())
    defects = Defect.objects.filter(batch_room__batch=batch)
    is_open = Q(status__in=OPEN_DEFECT)
    closed = Q(status=DefectStatus.CLOSED)

    def grouped(*keys: str) -> list[dict[str, Any]]:
        rows = defects.values(*keys).annotate(
            total=Count("id"), open=Count("id", filter=is_open), closed=Count("id", filter=closed),
            reworked=Count("id", filter=Q(rework_count__gt=0)),
        ).order_by("-total", *keys)  # fmt: skip
        return list(rows)

    by_stage = {row["stage"]: row for row in grouped("stage")}
    totals = defects.aggregate(
        total=Count("id"), open=Count("id", filter=is_open), closed=Count("id", filter=closed),
        first_pass=Count("id", filter=closed & Q(rework_count=0)),
    )  # fmt: skip
    rooms_with_defects = defects.values("batch_room").distinct().count()
    return {
        "rooms": {"total": total_rooms, "delivered": rooms.get(RoomStage.DELIVERED, 0),
                  "by_stage": {stage: rooms.get(stage, 0) for stage in RoomStage.values}},
        "defects": {**totals, "by_stage": {k: {"total": v["total"], "open": v["open"]} for k, v in by_stage.items()}},
        "by_category": [
            {"category": r["item__category__name"], "total": r["total"], "open": r["open"], "closed": r["closed"],
             "reworked": r["reworked"]}
            for r in grouped("item__category__name")
        ],
        "by_contractor": [
            {"contractor": r["contractor__name"] or r["department"] or _("Not dispatched yet"), "total": r["total"],
             "open": r["open"], "closed": r["closed"], "reworked": r["reworked"]}
            for r in grouped("contractor__name", "department")
        ],
        "first_pass_rate": _percent(totals["first_pass"], totals["closed"]),
        "closed_rate": _percent(totals["closed"], totals["total"]),
        "rooms_without_defects_rate": _percent(total_rooms - rooms_with_defects, total_rooms),
    }  # fmt: skip
