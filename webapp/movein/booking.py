"""Booking the handover appointment (预约时段) of a batch room: the owner books or changes it.

The batch creation assigns every room a slot; afterwards a room may move to another slot of its
batch while the batch is being prepared or handed over and the owner has not been received yet
(stages 待开始, 模拟验房, 待业主收房). Only slots that have not started are offered, and a slot takes at
most `capacity` rooms.

Capacity holds under concurrency twice over: the slot row is locked (`SELECT … FOR UPDATE`,
PostgreSQL) before its rooms are counted, and the room's move is one conditional UPDATE that
counts again (SQLite, where the lock is a no-op, runs one write statement at a time).

When the room's flow runs, the change is one engine step on its instance (locked first, as the
room hooks lock it before the room row): the slot text shown by its waiting tasks (模拟验房,
入伙接待) is updated with it and the step's audit event (修改数据) records the old and the new slot
and who changed it. Before the flow starts there is no instance: the change is one transaction
with an audit event of its own (company-wide, no instance); the flow, when it starts, reads the
new slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from SpiffWorkflow.util.task import TaskState as SpiffState

from engine import audit, clock
from engine.errors import FormInvalid
from engine.ids import parse_id
from engine.models.audit import AuditAction
from engine.runner import Skip, Step, run_step

from .models import AppointmentSlot, BatchRoom, BatchStatus, RoomStage

BOOKABLE_BATCH = (BatchStatus.PREPARING, BatchStatus.IN_PROGRESS)
BOOKABLE_STAGE = (RoomStage.PENDING, RoomStage.MOCK, RoomStage.AWAITING_OWNER)


@dataclass
class SlotChoice:
    slot: AppointmentSlot
    taken: int  # rooms booked in it, this one included when it is its slot

    @property
    def free(self) -> int:
        return max(self.slot.capacity - self.taken, 0)


def closed_reason(room: BatchRoom) -> str:
    """Why the room's appointment cannot be booked or changed now ("" when it can)."""
    if room.stage == RoomStage.DELIVERED or room.batch.status not in BOOKABLE_BATCH:
        return _("The home has been handed over; the appointment can no longer be changed.")
    if room.stage not in BOOKABLE_STAGE:
        return _("You have been received for the handover; the appointment can no longer be changed.")
    return ""


def slot_choices(room: BatchRoom, now: datetime | None = None) -> list[SlotChoice]:
    """The batch's slots that have not started, with the rooms booked in each."""
    now = now or clock.now()
    slots = (
        AppointmentSlot.objects.filter(batch_id=room.batch_id, starts_at__gt=now)
        .annotate(taken=Count("rooms"))
        .order_by("starts_at", "pk")
    )
    return [SlotChoice(slot, slot.taken) for slot in slots]


def _slot_label(slot: AppointmentSlot | None) -> str:
    return str(slot) if slot is not None else ""


def _move(room_id: int, slot_id: Any, now: datetime) -> tuple[BatchRoom, AppointmentSlot | None]:
    """Inside a transaction: lock the room and the slot, check and move; FormInvalid when refused.
    Returns the room as it was (its old slot) and the new slot (None when it is already booked)."""
    room = BatchRoom.objects.select_for_update(of=("self",)).select_related("batch", "slot").get(pk=room_id)
    if reason := closed_reason(room):
        raise FormInvalid({"slot": [reason]})
    pk = parse_id(slot_id)
    slot = (
        AppointmentSlot.objects.select_for_update().filter(pk=pk, batch_id=room.batch_id).first()
        if pk is not None
        else None
    )
    if slot is None:
        raise FormInvalid({"slot": [_("Choose one of the batch's appointment slots.")]})
    if slot.pk == room.slot_id:
        return room, None
    if slot.starts_at <= now:
        raise FormInvalid({"slot": [_("This slot has already begun; choose a later one.")]})
    booked = Coalesce(
        Subquery(
            BatchRoom.objects.filter(slot_id=slot.pk)
            .order_by()
            .values("slot_id")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
    )
    moved = (
        BatchRoom.objects.filter(pk=room.pk)
        .annotate(booked=booked)
        .filter(booked__lt=slot.capacity)
        .update(slot=slot)
    )
    if not moved:
        raise FormInvalid(
            {"slot": [_("The slot %(slot)s is fully booked; choose another one.") % {"slot": slot}]}
        )
    return room, slot


def _details(room: BatchRoom, slot: AppointmentSlot, by: str) -> dict[str, Any]:
    return {
        "appointment": {
            "batch_room": room.pk,
            "room": room.room_id,
            "from": _slot_label(room.slot),
            "to": _slot_label(slot),
            "by": by,
        }
    }


def do_book_slot(room: BatchRoom, slot_id: Any, actor_name: str) -> BatchRoom:
    """Book `slot_id` of the room's batch for the room (or move it there), audited with
    `actor_name` (e.g. "业主 138****8000"); FormInvalid(slot) when the booking is closed, the slot
    is not one of the batch's, has begun or is full. Booking the slot it has changes nothing."""
    if room.instance_id is not None:
        _book_in_step(room, slot_id, actor_name)
    else:
        with transaction.atomic():
            locked = BatchRoom.objects.select_for_update(of=("self",)).only("instance").get(pk=room.pk)
            if locked.instance_id is None:  # else its flow started meanwhile: done in its step below
                before, slot = _move(room.pk, slot_id, clock.now())
                if slot is not None:
                    event = audit.event(
                        AuditAction.UPDATE_DATA, instance=None, company_id=before.batch.company_id,
                        details=_details(before, slot, actor_name),
                    )  # fmt: skip
                    event.actor_name = actor_name[:100]
                    event.save()
        if locked.instance_id is not None:
            room.instance_id = locked.instance_id
            _book_in_step(room, slot_id, actor_name)
    room.refresh_from_db()
    return room


def _book_in_step(room: BatchRoom, slot_id: Any, actor_name: str) -> None:
    def action(step: Step) -> None:
        before, slot = _move(room.pk, slot_id, step.now)
        if slot is None:  # already its slot: no new revision of the flow
            raise Skip
        waiting = step.workflow.get_tasks(state=SpiffState.READY | SpiffState.WAITING | SpiffState.STARTED)
        for task in waiting:
            task.data["slot_text"] = _slot_label(slot)
        if waiting:
            step.latest_data = waiting[0].data
        event = audit.event(
            AuditAction.UPDATE_DATA, instance=step.instance, details=_details(before, slot, actor_name)
        )
        event.actor_name = actor_name[:100]
        step.events.append(event)

    assert room.instance_id is not None
    run_step(room.instance_id, None, action)
