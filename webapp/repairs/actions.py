"""The dispatcher's actions on a repair outside the flow's steps: 取消 (with a reason; the flow is
cancelled with it) and 改派 within the team (the open team task goes to another technician)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from engine import audit, clock
from engine.actions import do_cancel_instance
from engine.errors import Conflict, FormInvalid, NotAllowed, checked_text
from engine.models import Task
from engine.models.audit import AuditAction
from engine.models.runtime import TaskState

from . import routing
from .models import Repair, Status
from .records import TEAM_TASKS, actor_name, log, positive_int

CANCELLABLE = (Status.REPORTED, Status.DISPATCHED, Status.IN_PROGRESS)


def do_cancel_repair(user: Any, repair: Repair, reason: Any) -> Repair:
    """取消 with a reason (a duplicate, the resident fixed it) until the repair is done: the flow is
    cancelled with its open tasks, in one transaction with the repair."""
    from webapp.common import rights

    if not user.has_perm(rights.DISPATCH_REPAIRS):
        raise NotAllowed(_("Cancelling a repair is for the dispatcher and customer-service heads."))
    text = checked_text(reason, "reason", 1000)
    if not text:
        raise FormInvalid({"reason": [_("Give a reason.")]})
    with transaction.atomic():
        locked = Repair.objects.select_for_update().get(pk=repair.pk)
        if locked.status not in CANCELLABLE:  # once done, the work (and a bill) exists: not undone here
            raise Conflict(_("This repair is %(status)s now.") % {"status": locked.get_status_display()})
        if locked.instance_id is not None:
            do_cancel_instance(user, locked.instance, text)
        now = clock.now()
        Repair.objects.filter(pk=locked.pk).update(
            status=Status.CANCELLED, cancelled_at=now, cancel_reason=text
        )
        log(locked, "取消", user, text, now)
    repair.refresh_from_db()
    return repair


def do_reassign_technician(user: Any, repair: Repair, technician_id: Any) -> Repair:
    """改派 within the team while the repair is with it: its open task goes to another technician."""
    from webapp.accounts.models import User
    from webapp.common import rights

    if not user.has_perm(rights.DISPATCH_REPAIRS):
        raise NotAllowed(_("Reassigning a repair is for the dispatcher."))
    with transaction.atomic():
        locked = Repair.objects.select_for_update(of=("self",)).select_related("team").get(pk=repair.pk)
        if locked.status not in (Status.DISPATCHED, Status.IN_PROGRESS) or locked.team is None:
            raise Conflict(_("This repair is %(status)s now.") % {"status": locked.get_status_display()})
        technician = None
        if positive_int(technician_id):
            technician = User.objects.filter(
                pk=technician_id, company_id=locked.company_id, is_active=True
            ).first()
        if technician is None or not routing.is_member(technician, locked.team):
            raise FormInvalid({"technician_id": [_("Choose a technician of the repair's team.")]})
        now = clock.now()
        open_tasks = Task.objects.filter(
            instance_id=locked.instance_id, element_id__in=TEAM_TASKS, state=TaskState.READY
        )
        for task in open_tasks.select_related("assignee", "instance"):  # audited like the SLA's reassignment
            audit.event(
                AuditAction.CLAIM, instance=task.instance, actor=user, task_id=task.pk, element_id=task.element_id,
                details={"reassigned_by_dispatcher": True, "to": audit.actor_name(technician),
                         "previous": audit.actor_name(task.assignee) if task.assignee_id else ""},
            ).save()  # fmt: skip
        open_tasks.update(assignee=technician)
        Repair.objects.filter(pk=locked.pk).update(
            technician=technician, reassign_count=locked.reassign_count + 1
        )
        log(locked, "改派", user, f"改派给{actor_name(technician)}", now)
    repair.refresh_from_db()
    return repair
