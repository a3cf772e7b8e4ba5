"""Permission-checked getters for repairs.

Scoped to the user's company first (another company's rows are a 404). Holders of
`repairs.view_repair` (customer service, the dispatcher) see every repair of the company; everyone
else sees what their work holds: repairs dispatched to their team (its work group), given to them,
or of flows they take part in (engine.access.visible_instances: the agent who recorded it).
Photos are added by whoever may work the repair's open team task (报修照片 also by the one who
recorded it while it is open)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from engine.access import may_work, visible_instances
from engine.errors import Conflict, NotAllowed
from engine.models import Task
from engine.models.runtime import TaskState
from webapp.common import rights

from .models import PhotoKind, Repair, RepairPhoto

TEAM_TASKS = ("Task_Accept", "Task_Arrive", "Task_Done")


def company_id_of(user: Any) -> int | None:
    return getattr(user, "company_id", None) if getattr(user, "is_authenticated", False) else None


def _number(pk: Any, what: str) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404(f"no such {what}") from None


def visible_repairs(user: Any) -> QuerySet[Repair]:
    company_id = company_id_of(user)
    if company_id is None:
        return Repair.objects.none()
    repairs = Repair.objects.filter(company_id=company_id)
    if not user.has_perm(rights.VIEW_REPAIRS):
        repairs = repairs.filter(
            Q(team__work_group__name__in=user.group_names())
            | Q(technician=user)
            | Q(instance_id__in=visible_instances(user).values("pk"))
        )
    return repairs.select_related("project", "room", "customer", "team", "technician", "instance", "bill")


def access_repair(user: Any, pk: Any) -> Repair:
    repair = visible_repairs(user).filter(pk=_number(pk, "repair")).first()
    if repair is None:
        raise Http404("no such repair")
    return repair


def access_photo(user: Any, pk: Any) -> RepairPhoto:
    photo = (
        RepairPhoto.objects.filter(pk=_number(pk, "photo"), repair__in=visible_repairs(user))
        .defer("content", "thumbnail")
        .first()
    )
    if photo is None:
        raise Http404("no such photo")
    return photo


def check_may_add_photos(user: Any, repair: Repair, kind: str) -> None:
    """完工照片 come from whoever works the repair's open team task; 报修照片 also from the one who
    recorded the repair (or the dispatcher) until it is done."""
    if not repair.is_open():
        raise Conflict(
            _("This repair is %(status)s: no more photos.") % {"status": repair.get_status_display()}
        )
    task = Task.objects.filter(
        instance_id=repair.instance_id, element_id__in=TEAM_TASKS, state=TaskState.READY
    ).first()
    works_it = task is not None and may_work(user, task) and task.assignee_id in (None, user.pk)
    if kind == PhotoKind.AFTER:
        if task is None:
            raise Conflict(_("Photos of the finished repair are added while it is being repaired."))
        if not works_it:
            raise NotAllowed(_("Only the technician working this repair adds its photos."))
        return
    if works_it or repair.reported_by_id == user.pk or user.has_perm(rights.DISPATCH_REPAIRS):
        return
    raise NotAllowed(_("Photos of a repair are added by the one who recorded it or the technician."))
