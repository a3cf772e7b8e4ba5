"""Permission-checked getters for move-in records.

Scoped to the user's company first (another company's rows are a 404). Within the company the
rights of webapp/common/rights.py decide: holders of `movein.view_handoverbatch` see every batch
and room (their pages carry the owners' names and phones), holders of `movein.view_defect` every
defect. Everyone else sees only what their work holds: the batches and rooms of flows they take
part in (engine.access.visible_instances: the engineer's mock inspections, the steward's
handovers) and the defects dispatched to one of their work groups or of flows they take part in.
So a contractor's people (who hold neither right) see just the defects dispatched to them, with
their photos. Creating a batch needs `movein.add_handoverbatch` (the customer-service center
head). Recording a defect or a rectification photo is tied to the engine task it belongs to (see
`check_may_record`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from engine.access import may_work, visible_instances
from engine.errors import Conflict, NotAllowed
from engine.models import Task
from engine.models.runtime import TaskState
from webapp import privacy
from webapp.common import rights

from .models import BatchRoom, Contractor, Defect, DefectPhoto, DefectStage, HandoverBatch, RoomStage

CREATE_BATCH = "movein.add_handoverbatch"
MOCK_TASK = "Task_MockInspection"
OWNER_TASK = "Task_OwnerInspection"
RECTIFY_TASK = "Task_Rectify"


def company_id_of(user: Any) -> int | None:
    return getattr(user, "company_id", None) if getattr(user, "is_authenticated", False) else None


def contractor_groups(company_id: int) -> set[str]:
    return set(Contractor.objects.filter(company_id=company_id).values_list("work_group__name", flat=True))


def _their_instances(user: Any) -> QuerySet[Any]:
    """Ids of the flows the user takes part in (or sees all of): what their work holds."""
    return visible_instances(user).values("pk")


def _number(pk: Any, what: str) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404(f"no such {what}") from None


def visible_batches(user: Any) -> QuerySet[HandoverBatch]:
    company_id = company_id_of(user)
    if company_id is None:
        return HandoverBatch.objects.none()
    batches = HandoverBatch.objects.filter(company_id=company_id)
    if not user.has_perm(rights.VIEW_MOVEIN):
        batches = batches.filter(instance_id__in=_their_instances(user))
    return batches.select_related("project", "instance")


def access_batch(user: Any, pk: Any) -> HandoverBatch:
    batch = visible_batches(user).filter(pk=_number(pk, "batch")).first()
    if batch is None:
        raise Http404("no such batch")
    return batch


def visible_batch_rooms(user: Any) -> QuerySet[BatchRoom]:
    company_id = company_id_of(user)
    if company_id is None:
        return BatchRoom.objects.none()
    rooms = BatchRoom.objects.filter(batch__company_id=company_id)
    if not user.has_perm(rights.VIEW_MOVEIN):
        rooms = rooms.filter(instance_id__in=_their_instances(user))
    return rooms.select_related(
        "batch", "batch__project", "batch__company", "room__floor__unit__building", "slot", "instance"
    )


def access_batch_room(user: Any, pk: Any) -> BatchRoom:
    room = visible_batch_rooms(user).filter(pk=_number(pk, "room")).first()
    if room is None:
        raise Http404("no such room")
    return room


def visible_defects(user: Any) -> QuerySet[Defect]:
    company_id = company_id_of(user)
    if company_id is None:
        return Defect.objects.none()
    defects = Defect.objects.filter(company_id=company_id)
    if not user.has_perm(rights.VIEW_DEFECTS):
        groups = user.group_names()
        defects = defects.filter(
            Q(contractor__work_group__name__in=groups)
            | Q(department__in=groups)
            | Q(instance_id__in=_their_instances(user))
        )
    return defects.select_related(
        "item__category",
        "contractor",
        "batch_room__room__floor__unit__building",
        "batch_room__batch",
        "instance",
    )


def access_defect(user: Any, pk: Any) -> Defect:
    defect = visible_defects(user).filter(pk=_number(pk, "defect")).first()
    if defect is None:
        raise Http404("no such defect")
    return defect


def visible_contractors(user: Any) -> QuerySet[Contractor]:
    """The company's contractors; without `movein.view_defect` only the user's own (a contractor
    sees itself, not its competitors)."""
    company_id = company_id_of(user)
    if company_id is None:
        return Contractor.objects.none()
    rows = Contractor.objects.filter(company_id=company_id).select_related("work_group")
    if not user.has_perm(rights.VIEW_DEFECTS):
        rows = rows.filter(work_group__name__in=user.group_names())
    return rows


def access_photo(user: Any, pk: Any) -> DefectPhoto:
    photo = (
        DefectPhoto.objects.filter(pk=_number(pk, "photo"), defect__in=visible_defects(user))
        .defer("content", "thumbnail")
        .first()
    )
    if photo is None:
        raise Http404("no such photo")
    return photo


def open_task(instance_id: int | None, element_id: str) -> Task | None:
    if instance_id is None:
        return None
    return Task.objects.filter(instance_id=instance_id, element_id=element_id, state=TaskState.READY).first()


def check_may_record(user: Any, batch_room: BatchRoom) -> tuple[str, Task]:
    """The stage a new defect of this room belongs to and the inspection task it is recorded
    under: 模拟验房 while the room's mock inspection is open, 业主验房 while the owner inspects.
    Only someone who may work that task records defects (NotAllowed); at any other moment
    there is nothing to record against (Conflict)."""
    for stage, element_id, room_stage in (
        (DefectStage.MOCK, MOCK_TASK, RoomStage.MOCK),
        (DefectStage.FORMAL, OWNER_TASK, RoomStage.HANDOVER),
    ):
        task = open_task(batch_room.instance_id, element_id) if batch_room.stage == room_stage else None
        if task is not None:
            if not may_work(user, task) or task.assignee_id not in (None, user.pk):
                raise NotAllowed(
                    _("Defects of this room are recorded by whoever works its “%(task)s” task.")
                    % {"task": task.name}
                )
            return stage, task
    raise Conflict(
        _(
            "Defects are recorded during the mock inspection or the owner's inspection; this room is at “%(stage)s”."
        )
        % {"stage": batch_room.get_stage_display()}
    )


def check_may_add_rectified_photos(user: Any, defect: Defect) -> Task:
    """Rectification photos come from whoever works the defect's open 整改 task."""
    task = open_task(defect.instance_id, RECTIFY_TASK)
    if task is None:
        raise Conflict(_("Rectification photos are added while the defect is being rectified."))
    if not may_work(user, task) or task.assignee_id not in (None, user.pk):
        raise NotAllowed(_("Only the rectification group of this defect adds its photos."))
    return task


def check_may_create_batch(user: Any) -> None:
    if company_id_of(user) is None or not user.has_perm(CREATE_BATCH):
        raise NotAllowed(_("Creating a move-in batch needs the move-in management permission."))


def reveal_batch_room(user: Any, pk: Any, field: str) -> privacy.Revealed:
    """A move-in room's owner mobile in full (privacy.do_reveal, kind "batch_room")."""
    if field != "owner_mobile":
        raise Http404("not a personal field of a move-in room")
    room = access_batch_room(user, pk)
    return privacy.Revealed(
        privacy.as_text(room.owner_mobile), f"{room.batch.name} · {room.room.code}", room.instance
    )
