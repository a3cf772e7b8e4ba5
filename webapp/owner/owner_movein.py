"""入伙 for the resident: my handover rooms, their appointment, checklist and defects.

A batch room is the resident's when its owner (the buyer of the room's contract, copied onto the
batch room when the batch was made: `BatchRoom.owner`) is one of the resident's customer rows.
Tenants and household members see no handover. Any other batch room, defect or photo — of
another owner, another company, or none — is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from engine.ids import id_or_404
from engine.models import Task
from engine.models.runtime import TaskState
from webapp.movein import booking
from webapp.movein.models import BatchRoom, Defect, DefectPhoto, PhotoKind

from .session import Resident

RECTIFY_TASK = "Task_Rectify"  # the defect flow's 整改 task: its due time is the promised date


def actor_label(resident: Resident) -> str:
    """How a resident's change is named in the audit trail: 业主 + the masked mobile."""
    return f"业主 {resident.masked_mobile()}"


def my_batch_rooms(resident: Resident) -> QuerySet[BatchRoom]:
    return (
        BatchRoom.objects.filter(owner_id__in=resident.customer_ids)
        .select_related("batch", "batch__project", "slot", "room__floor__unit__building")
        .order_by("batch__handover_from", "room__code", "pk")
    )


def access_batch_room(resident: Resident, pk: object) -> BatchRoom:
    """The resident's batch room `pk`; Http404 for any other."""
    room = my_batch_rooms(resident).filter(pk=id_or_404(pk)).first()
    if room is None:
        raise Http404("no such handover")
    return room


def my_defects(resident: Resident) -> QuerySet[Defect]:
    photos = DefectPhoto.objects.defer("content", "thumbnail").order_by("uploaded_at", "pk")
    return (
        Defect.objects.filter(batch_room__owner_id__in=resident.customer_ids)
        .select_related("item__category", "contractor", "batch_room__room")
        .prefetch_related(Prefetch("photos", queryset=photos))
        .order_by("recorded_at", "pk")
    )


def access_defect(resident: Resident, pk: object) -> Defect:
    """A defect of one of the resident's handover rooms; Http404 for any other."""
    defect = my_defects(resident).filter(pk=id_or_404(pk)).first()
    if defect is None:
        raise Http404("no such defect")
    return defect


def access_photo(resident: Resident, pk: object) -> DefectPhoto:
    """A photo of a defect of the resident's rooms (without its bytes); Http404 for any other."""
    photo = (
        DefectPhoto.objects.filter(pk=id_or_404(pk), defect__batch_room__owner_id__in=resident.customer_ids)
        .defer("content", "thumbnail")
        .first()
    )
    if photo is None:
        raise Http404("no such photo")
    return photo


def promised_dates(defects: list[Defect]) -> dict[int, datetime]:
    """defect id → when its rectification is due (the open 整改 task's due time)."""
    by_instance = {d.instance_id: d.pk for d in defects if d.instance_id is not None}
    rows = Task.objects.filter(
        instance_id__in=list(by_instance),
        element_id=RECTIFY_TASK,
        state=TaskState.READY,
        due_at__isnull=False,
    ).values_list("instance_id", "due_at")
    return {by_instance[instance_id]: due for instance_id, due in rows if due is not None}


def photos_of(defect: Defect) -> tuple[list[DefectPhoto], list[DefectPhoto]]:
    """The defect's photos: (before = 问题照片, after = 整改照片)."""
    photos = list(defect.photos.all())
    return (
        [p for p in photos if p.kind == PhotoKind.DEFECT],
        [p for p in photos if p.kind == PhotoKind.RECTIFIED],
    )


@dataclass
class DefectRow:
    defect: Defect
    promised: datetime | None  # the rectification's due time while it is being rectified
    thumb: DefectPhoto | None  # its first photo (a 问题照片 first)


@dataclass
class MyHandover:
    room: BatchRoom
    closed_reason: str  # "" while the appointment may be booked or changed
    choices: list[booking.SlotChoice]
    defects: list[DefectRow] = field(default_factory=list)
    error: str = ""  # the refusal of the last booking attempt, shown at this room
    just_booked: bool = False  # the booking just made, confirmed at this room

    def checklist(self) -> dict[str, Any]:
        data = self.room.batch.owner_checklist
        return data if isinstance(data, dict) else {}


def _row(defect: Defect, promised: dict[int, datetime]) -> DefectRow:
    before, after = photos_of(defect)
    first = before or after
    return DefectRow(defect, promised.get(defect.pk), first[0] if first else None)


def my_handovers(resident: Resident) -> list[MyHandover]:
    """Each of the resident's handover rooms with what the overview shows."""
    rooms = list(my_batch_rooms(resident))
    defects = list(my_defects(resident).filter(batch_room__in=rooms))
    promised = promised_dates(defects)
    out = []
    for room in rooms:
        reason = booking.closed_reason(room)
        out.append(
            MyHandover(
                room=room,
                closed_reason=reason,
                choices=[] if reason else booking.slot_choices(room),
                defects=[_row(d, promised) for d in defects if d.batch_room_id == room.pk],
            )
        )
    return out


def do_book_my_slot(resident: Resident, room: BatchRoom, slot_id: Any) -> BatchRoom:
    """The resident books or changes the room's appointment (FormInvalid when refused)."""
    return booking.do_book_slot(room, slot_id, actor_label(resident))
