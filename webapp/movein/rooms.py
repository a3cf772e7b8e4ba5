"""One room's way to delivery: the room flow's hooks (start, 模拟验房, 入伙接待, 业主验房, 交钥匙与验收)
and what the move-in adapter does for it (start the rooms of a batch, tell the batch a room is
delivered).

The handover hook writes the acceptance record and turns the room 签约 → 交付 in the step that
completes the task, so the record, the room's status and the flow never disagree.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from engine import audit, clock
from engine.actions import do_start_instance
from engine.errors import Conflict, FormInvalid
from engine.hooks import HookContext, HookResult

from .models import OPEN_DEFECT, AcceptanceRecord, BatchRoom, BatchStatus, Defect, HandoverBatch, RoomStage

ROOM_FLOW = "movein_room"
BATCH_DELIVERED = "movein_batch_delivered"


def _room_of(context: HookContext) -> BatchRoom:
    batch_room_id = context.data.get("batch_room_id")
    room = None
    if isinstance(batch_room_id, int) and not isinstance(batch_room_id, bool):
        room = (
            BatchRoom.objects.select_for_update(of=("self",))
            .select_related("batch__project", "batch__company", "room__floor__unit__building", "slot")
            .filter(pk=batch_room_id, batch__company_id=context.instance.company_id)
            .first()
        )
    if room is None:
        raise FormInvalid({"batch_room_id": [_("This flow starts from a move-in batch (入伙管理).")]})
    return room


def _require_stage(room: BatchRoom, stage: str) -> None:
    if room.stage != stage:
        raise Conflict(
            _("The room is at “%(stage)s”, not where this step expects it.")
            % {"stage": room.get_stage_display()}
        )


def room_data(room: BatchRoom) -> dict[str, Any]:
    """What the room flow's tasks and SMS show of the room and its owner."""
    return {
        "batch_id": room.batch_id, "batch_name": room.batch.name, "project": room.batch.project.name,
        "room": room.room.label(), "room_code": room.room.code, "customer_name": room.owner_name or "（无业主信息）",
        "owner_mobile": room.owner_mobile, "slot_text": str(room.slot) if room.slot_id else "",
        "hotline": room.batch.company.hotline or "",
        "title": f"{room.room.label()} 入伙",
        "room_id": room.room_id, "customer_id": room.owner_id,  # the room's and the owner's history
    }  # fmt: skip


def room_start(context: HookContext) -> HookResult:
    room = _room_of(context)
    if room.instance_id not in (None, context.instance.pk):
        raise Conflict(_("This room has its move-in flow already."))
    if room.batch.status != BatchStatus.IN_PROGRESS:
        raise Conflict(_("The batch's preparation is not finished."))
    BatchRoom.objects.filter(pk=room.pk).update(instance=context.instance, stage=RoomStage.MOCK)
    return HookResult(data=room_data(room))


def _defects(room: BatchRoom) -> Any:
    return Defect.objects.filter(batch_room=room).select_related("item__category")


def check_mock_done(context: HookContext) -> dict[str, list[str]]:
    if context.data.get("inspected_all") is not True:
        return {"inspected_all": [_("Finish checking every item before submitting.")]}
    return {}


def mock_done(context: HookContext) -> HookResult:
    """模拟验房 finished: every standard item checked (the one box of the form, ticked: defects
    are recorded on the room's page as they are found); the room waits for its owner."""
    room = _room_of(context)
    if problems := check_mock_done(context):
        raise FormInvalid(problems)
    _require_stage(room, RoomStage.MOCK)
    BatchRoom.objects.filter(pk=room.pk).update(stage=RoomStage.AWAITING_OWNER, mock_done_at=context.now)
    defects = _defects(room)
    return HookResult(
        data={"mock_defects": defects.count(), "mock_open": defects.filter(status__in=OPEN_DEFECT).count()}
    )


def check_reception(context: HookContext) -> dict[str, list[str]]:
    """Every box of 入伙接待 that must be ticked and is not, all at once."""
    problems = {}
    if context.data.get("id_checked") is not True:
        problems["id_checked"] = [_("Check the visitor's identity document (and power of attorney).")]
    for key in (
        "sign_movein_notice",
        "sign_property_agreement",
        "sign_owner_convention",
        "sign_decoration_rules",
    ):
        if context.data.get(key) is not True:
            problems[key] = [_("This document must be signed before the owner takes the home.")]
    return problems


def reception(context: HookContext) -> HookResult:
    """入伙接待: identity checked and the move-in documents signed; the owner inspects next."""
    room = _room_of(context)
    if problems := check_reception(context):
        raise FormInvalid(problems)
    _require_stage(room, RoomStage.AWAITING_OWNER)
    BatchRoom.objects.filter(pk=room.pk).update(stage=RoomStage.HANDOVER, received_at=context.now)
    return HookResult()


def check_owner_inspection(context: HookContext) -> dict[str, list[str]]:
    if context.data.get("owner_inspected") is not True:
        return {"owner_inspected": [_("Record the owner's inspection first.")]}
    return {}


def owner_inspection(context: HookContext) -> HookResult:
    room = _room_of(context)
    if problems := check_owner_inspection(context):
        raise FormInvalid(problems)
    _require_stage(room, RoomStage.HANDOVER)
    formal = _defects(room).filter(stage="formal")
    return HookResult(data={"owner_defects": formal.count()})


def _meter(
    context: HookContext, name: str, problems: dict[str, list[str]], *, required: bool = True
) -> Decimal | None:
    value = context.data.get(name)
    if value in (None, ""):
        if required:
            problems[name] = [_("This field is required.")]
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        problems[name] = [_("A meter reading such as 123.45.")]
        return None


def read_handover(context: HookContext, room: BatchRoom) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Keys, meters and the open defects of a 交钥匙与验收 submission, every problem at once."""
    problems: dict[str, list[str]] = {}
    keys = context.data.get("keys_count")
    if not isinstance(keys, int) or isinstance(keys, bool) or keys < 1:
        problems["keys_count"] = [_("Hand over at least one key.")]
    water = _meter(context, "water_meter", problems)
    electricity = _meter(context, "electricity_meter", problems)
    gas = _meter(context, "gas_meter", problems, required=False)
    defects = list(_defects(room).order_by("recorded_at", "pk"))
    still_open = [d for d in defects if d.is_open()]
    if still_open and context.data.get("accept_open_defects") is not True:
        listed = "; ".join(d.title() for d in still_open[:5]) + ("…" if len(still_open) > 5 else "")
        problems["accept_open_defects"] = [
            _("%(count)s defects are still open (%(list)s): close them first, or tick this box if the owner "
              "agrees to take the home with them.") % {"count": len(still_open), "list": listed}
        ]  # fmt: skip
    values = {"keys": keys, "water": water, "electricity": electricity, "gas": gas, "defects": defects,
              "still_open": still_open}  # fmt: skip
    return values, problems


def check_handover(context: HookContext) -> dict[str, list[str]]:
    return read_handover(context, _room_of(context))[1]


def first_fee(room: BatchRoom, delivered_on: date) -> tuple[Decimal, str]:
    """The first property-fee bill: chargeable area × rate × months from the month of delivery, in
    fen rounded half up (as the payment schedule rounds)."""
    batch = room.batch
    amount = (room.room.chargeable_area * batch.fee_rate * batch.fee_months).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    last = add_months(delivered_on.replace(day=1), batch.fee_months - 1)
    item = f"物业费 {delivered_on:%Y-%m} 至 {last:%Y-%m}"  # the bill's item: business data, in Chinese
    return amount, item


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (11-30 + 3 → 02-28)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# The touchpoints after delivery (DOMAIN.md: callbacks within a month, at 3 months and 1 year;
# quality checks at 3, 11, 23 and 35 months): data key → (days, months) after the delivery day.
TOUCHPOINTS = {
    "callback_1m_at": (14, 0), "callback_3m_at": (0, 3), "callback_1y_at": (0, 12),
    "quality_3m_at": (0, 3), "quality_11m_at": (0, 11), "quality_23m_at": (0, 23), "quality_35m_at": (0, 35),
}  # fmt: skip
TOUCHPOINT_HOUR = time(10, 0)


def touchpoint_moments(delivered_on: date) -> dict[str, str]:
    """The room flow's timer moments, 10:00 Shanghai time on each date (ISO with offset)."""
    zone = timezone.get_default_timezone()
    moments = {}
    for key, (days, months) in TOUCHPOINTS.items():
        day = add_months(delivered_on, months) + timedelta(days=days)
        moments[key] = datetime.combine(day, TOUCHPOINT_HOUR, zone).isoformat()
    return moments


def handover(context: HookContext) -> HookResult:
    """交钥匙与验收: the acceptance record (never changed afterwards), the room 签约 → 交付."""
    from webapp.realestate.models import Room, RoomStatus

    room = _room_of(context)
    _require_stage(room, RoomStage.HANDOVER)
    values, problems = read_handover(context, room)
    if problems:
        raise FormInvalid(problems)
    if room.room.chargeable_area is None:  # the register lost it after the batch was made
        raise Conflict(_("The room has no chargeable area in the property register; complete it first."))
    keys, water, electricity, gas = values["keys"], values["water"], values["electricity"], values["gas"]
    defects, still_open = values["defects"], values["still_open"]
    updated = Room.objects.filter(pk=room.room_id, status=RoomStatus.CONTRACTED).update(
        status=RoomStatus.DELIVERED
    )
    if not updated:
        raise Conflict(_("The room is no longer under contract; its sales status must be settled first."))
    AcceptanceRecord(
        company_id=room.batch.company_id, batch_room=room, room_code=room.room.code, room_label=room.room.label(),
        owner_name=room.owner_name, accepted_at=context.now, handled_by=context.actor,
        handled_by_name=audit.actor_name(context.actor), keys_count=keys, water_meter=water,
        electricity_meter=electricity, gas_meter=gas, defects_total=len(defects),
        open_defects=[{"defect": d.pk, "title": d.title(), "status": d.get_status_display()} for d in still_open],
        owner_remarks=str(context.data.get("owner_remarks") or "")[:2000],
    ).save(force_insert=True)  # fmt: skip
    BatchRoom.objects.filter(pk=room.pk).update(stage=RoomStage.DELIVERED, delivered_at=context.now)
    delivered_on = timezone.localdate(context.now)
    amount, item = first_fee(room, delivered_on)
    return HookResult(
        data={
            "property_fee_amount": f"{amount:.2f}",
            "fee_item": item,
            "delivered_on": delivered_on.isoformat(),
            **touchpoint_moments(delivered_on),
        }
    )


# --- what the move-in adapter does -------------------------------------------------------------


def start_rooms(batch_id: int, company_id: int) -> dict[str, int]:
    """Start the room flow of every room of the batch that has none yet, each in its own step (a
    retry after a failure starts only the rest). Started by whoever prepared the batch."""
    batch = (
        HandoverBatch.objects.select_related("prepared_by").filter(pk=batch_id, company_id=company_id).first()
    )
    if batch is None or batch.prepared_by is None:
        raise LookupError(f"no prepared batch {batch_id} in company {company_id}")
    started = 0
    for room_id in (
        batch.rooms.filter(instance__isnull=True).order_by("room__code").values_list("pk", flat=True)
    ):
        do_start_instance(batch.prepared_by, ROOM_FLOW, {"batch_room_id": room_id})
        started += 1
    return {"started": started, "total": batch.rooms.count()}


def room_delivered(batch_id: int, company_id: int) -> dict[str, Any]:
    """A room of the batch was delivered: when it was the last one, the batch is delivered and its
    flow hears of it (message movein_batch_delivered). Safe to repeat."""
    from engine.messages import do_deliver_message

    batch = HandoverBatch.objects.filter(pk=batch_id, company_id=company_id).first()
    if batch is None:
        raise LookupError(f"no batch {batch_id} in company {company_id}")
    total = batch.rooms.count()
    delivered = batch.rooms.filter(stage=RoomStage.DELIVERED).count()
    result: dict[str, Any] = {"delivered": delivered, "total": total, "all_delivered": delivered == total}
    if delivered < total:
        return result
    with transaction.atomic():
        HandoverBatch.objects.filter(pk=batch.pk, status=BatchStatus.IN_PROGRESS).update(
            status=BatchStatus.DELIVERED, delivered_at=clock.now()
        )
    if batch.instance_id is not None:
        told = do_deliver_message(batch.instance_id, BATCH_DELIVERED, {"rooms_delivered": delivered})
        if not told and not _batch_heard(batch):
            # The batch flow is not at its wait yet (its start_rooms result still being recorded):
            # retried with backoff by the service call, so the news is never lost.
            raise BatchNotWaiting(f"the flow of batch {batch.pk} is not waiting for its rooms yet")
        result["batch_told"] = told
    return result


class BatchNotWaiting(Exception):
    """Retryable: the batch flow has not reached the event that waits for its rooms."""


def _batch_heard(batch: HandoverBatch) -> bool:
    """True once the batch flow is past its wait (its summary task exists) or has ended."""
    from engine.models import ProcessInstance, Task
    from engine.models.runtime import InstanceStatus

    if Task.objects.filter(instance_id=batch.instance_id, element_id="Task_Summary").exists():
        return True
    status = ProcessInstance.objects.filter(pk=batch.instance_id).values_list("status", flat=True).first()
    return status not in (InstanceStatus.RUNNING, InstanceStatus.INCIDENT)
