"""报事报修 of the owner's channel: a resident reports a repair of one of their rooms, which starts
the `repair` flow (processes/repair/, channel 业主端), follows it and evaluates it when it is done.

Nothing here keeps a second record: the report is the flow's intake (`engine.actions.do_start_instance`,
the `repairs.intake` hook writes the `Repair`), the photos are stored by `webapp.repairs.photos`, and
the evaluation completes the flow's own 维修回访 task (`do_complete_task`), whose hook records the
satisfaction, or reopens the repair (返修) when the resident says it is not fixed. The engine acts
through the company's 业主端 account under the resident's name (owner_actor.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from engine import clock
from engine.actions import do_complete_task, do_start_instance
from engine.errors import Conflict, FormInvalid, checked_text
from engine.ids import id_or_404
from engine.models import Task
from engine.models.runtime import TaskState
from webapp.common.images import check_photos
from webapp.realestate.models import Customer
from webapp.repairs import photos as repair_photos
from webapp.repairs.models import Category, Channel, PhotoKind, Repair, RepairEvent, RepairPhoto, Status
from webapp.residents.models import Residency

from . import access
from .owner_actor import acting_for, is_channel_account
from .session import Resident

FLOW = "repair"
CALLBACK_TASK = "Task_Callback"
MAX_AHEAD_DAYS = 60  # a preferred time at most this far ahead
# The categories a resident reports for a room (公共区域 has no room: the hotline takes those).
CATEGORIES = [(value, label) for value, label in Category.choices if value != Category.PUBLIC_AREA]
SATISFACTION = [
    (5, gettext_lazy("Very satisfied")),
    (4, gettext_lazy("Satisfied")),
    (3, gettext_lazy("Neither good nor bad")),
    (2, gettext_lazy("Unsatisfied")),
    (1, gettext_lazy("Very unsatisfied")),
]
# Timeline lines the customer sees (RepairEvent.action → what it says), without the staff's notes;
# 退单 (a technician sending it back) and 照片 are the office's business.
CUSTOMER_EVENTS = {
    "受理": gettext_lazy("Report received"),
    "派工": gettext_lazy("Assigned to the repair team"),
    "改派": gettext_lazy("Assigned to the repair team"),
    "接单": gettext_lazy("Technician took the job"),
    "到场": gettext_lazy("Technician arrived"),
    "完工": gettext_lazy("Repair finished"),
    "评价": gettext_lazy("Evaluated"),
    "回访": gettext_lazy("Called back"),
    "返修": gettext_lazy("Reopened for rework"),
    "结案": gettext_lazy("Case closed"),
    "取消": gettext_lazy("Cancelled"),
}
TECHNICIAN_EVENTS = ("接单", "到场", "完工")  # lines that name who did it (the technician)


# --- what is mine -------------------------------------------------------------------------------


def my_repairs(resident: Resident) -> QuerySet[Repair]:
    """The repairs of the resident's customer rows (whoever recorded them), newest first."""
    return (
        Repair.objects.filter(customer_id__in=resident.customer_ids)
        .select_related("project", "room", "technician", "customer")
        .order_by("-reported_at", "-pk")
    )


def access_my_repair(resident: Resident, pk: object) -> Repair:
    repair = my_repairs(resident).filter(pk=id_or_404(pk)).first()
    if repair is None:
        raise Http404("no such repair")
    return repair


def access_my_photo(resident: Resident, pk: object) -> RepairPhoto:
    """A photo of one of the resident's repairs (报修 and 完工 photos); Http404 otherwise."""
    photo = (
        RepairPhoto.objects.filter(pk=id_or_404(pk), repair__in=my_repairs(resident).values("pk"))
        .defer("content", "thumbnail")
        .first()
    )
    if photo is None:
        raise Http404("no such photo")
    return photo


# --- 报修 ---------------------------------------------------------------------------------------


@dataclass
class Report:
    room: Any
    customer: Customer
    category: str
    description: str
    urgent: bool
    appointment_at: dt.datetime | None
    uploads: list[Any] = field(default_factory=list)


def my_customer_in(resident: Resident, room: Any) -> Customer:
    """The resident's customer row living in the room (the one of the room's company)."""
    residency = (
        Residency.objects.filter(customer_id__in=resident.customer_ids, room=room, ended_on__isnull=True)
        .select_related("customer")
        .order_by("role", "pk")
        .first()
    )
    if residency is None:  # access_room said it is mine: only a move-out in between gets here
        raise Http404("no such room")
    return residency.customer


def parse_local_time(text: str) -> dt.datetime | None:
    """A `datetime-local` field (2026-12-09T10:00) in the site's time zone, as an aware datetime."""
    try:
        parsed = parse_datetime(text.replace(" ", "T", 1))
    except ValueError:
        return None
    if parsed is None:
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def check_report(resident: Resident, post: Any, files: Any) -> Report:
    """The report form read and checked: every field error at once (FormInvalid)."""
    errors: dict[str, list[str]] = {}
    room = None
    room_id = str(post.get("room", "")).strip()
    if not room_id:
        errors["room"] = [_("Choose one of your rooms.")]
    else:
        try:
            room = access.access_room(resident, room_id).room
        except Http404:
            errors["room"] = [_("Choose one of your rooms.")]
    category = str(post.get("category", ""))
    if category not in dict(CATEGORIES):
        errors["category"] = [_("Choose what needs repairing.")]
    description = ""
    try:
        description = checked_text(post.get("description"), "description", 2000)
    except FormInvalid as exc:
        errors.update(exc.field_errors)
    if "description" not in errors and len(description) < 2:
        errors["description"] = [_("Describe the problem: where, what, since when.")]
    appointment_at = None
    wanted = str(post.get("appointment_at", "")).strip()
    if wanted:
        appointment_at = parse_local_time(wanted[:32])
        now = clock.now()
        if appointment_at is None:
            errors["appointment_at"] = [_("Enter a date and time, e.g. 2026-12-09 10:00.")]
        elif not now < appointment_at <= now + dt.timedelta(days=MAX_AHEAD_DAYS):
            errors["appointment_at"] = [
                _("Choose a time in the next %(days)s days.") % {"days": MAX_AHEAD_DAYS}
            ]
    uploads = files.getlist("photos") if files is not None else []
    try:
        check_photos(uploads, "photos")
    except FormInvalid as exc:
        errors.update(exc.field_errors)
    if errors:
        raise FormInvalid(errors)
    assert room is not None
    return Report(
        room=room, customer=my_customer_in(resident, room), category=category, description=description,
        urgent=post.get("urgent") in ("1", "on", "true"), appointment_at=appointment_at, uploads=uploads,
    )  # fmt: skip


def intake_data(resident: Resident, report: Report) -> dict[str, Any]:
    """The repair flow's intake form, as the hotline fills it, from the resident's report."""
    room = report.room
    return {
        "project": room.project.name, "project_id": room.project_id, "area": "room", "room": room.label(),
        "room_id": room.pk, "customer_name": report.customer.name, "customer_id": report.customer.pk,
        "customer_mobile": resident.mobile, "channel": Channel.OWNER_APP, "category": report.category,
        "description": report.description, "urgency": "emergency" if report.urgent else "normal",
        "paid": False,
        **({"appointment_at": report.appointment_at.isoformat()} if report.appointment_at else {}),
    }  # fmt: skip


def do_report(resident: Resident, report: Report) -> Repair:
    """Start the repair flow for the report and store its photos, in one transaction."""
    actor = acting_for(report.customer)
    with transaction.atomic():
        instance = do_start_instance(actor, FLOW, intake_data(resident, report))
        repair = Repair.objects.get(instance_id=instance.pk)
        if report.uploads:
            for upload in report.uploads:
                upload.seek(0)  # read once by check_report
            repair_photos.do_add_photos(actor, repair, PhotoKind.BEFORE, report.uploads)
    return repair


# --- 评价 (the flow's 维修回访 step) -------------------------------------------------------------


@dataclass
class Evaluation:
    satisfaction: int
    resolved: bool
    comment: str


def check_evaluation(post: Any) -> Evaluation:
    errors: dict[str, list[str]] = {}
    satisfaction = str(post.get("satisfaction", ""))
    if satisfaction not in {str(value) for value, _label in SATISFACTION}:
        errors["satisfaction"] = [_("Choose how satisfied you are.")]
    resolved = str(post.get("resolved", ""))
    if resolved not in ("yes", "no"):
        errors["resolved"] = [_("Say whether the problem is fixed.")]
    comment = ""
    try:
        comment = checked_text(post.get("comment"), "comment", 1000)
    except FormInvalid as exc:
        errors.update(exc.field_errors)
    if resolved == "no" and not comment and "comment" not in errors:
        errors["comment"] = [_("Say what is still wrong: the technician comes back for it.")]
    if errors:
        raise FormInvalid(errors)
    return Evaluation(int(satisfaction), resolved == "yes", comment)


def callback_task(repair: Repair) -> Task | None:
    """The repair's open 维修回访 task (the step the evaluation completes), if there is one."""
    if repair.instance_id is None:
        return None
    return (
        Task.objects.select_related("instance")
        .filter(instance_id=repair.instance_id, element_id=CALLBACK_TASK, state=TaskState.READY)
        .first()
    )


def evaluation_refusal(repair: Repair, task: Task | None) -> str | None:
    """Why the resident cannot evaluate the repair now; None when they can."""
    if repair.status == Status.DONE and task is not None:
        if task.assignee_id is not None and not is_channel_account(task.assignee_id, repair.company_id):
            return _("Our service centre is calling you back about this repair right now.")
        return None
    if repair.status in (Status.CALLED_BACK, Status.CLOSED):
        last = (
            Task.objects.filter(
                instance_id=repair.instance_id, element_id=CALLBACK_TASK, state=TaskState.COMPLETED
            )
            .order_by("-completed_at", "-pk")
            .first()
        )
        if last is not None and is_channel_account(last.completed_by_id, repair.company_id):
            return _("You have already evaluated this repair.")
        return _("Our service centre has already recorded your opinion of this repair.")
    if repair.status == Status.CANCELLED:
        return _("This repair was cancelled.")
    return _("You can evaluate the repair once the technician has finished it.")


def do_evaluate(resident: Resident, repair: Repair, evaluation: Evaluation) -> Repair:
    """Complete the repair's 维修回访 task with the resident's evaluation (the engine's own path:
    its form, the callback hook, the audit)."""
    task = callback_task(repair)
    refusal = evaluation_refusal(repair, task)
    if refusal is not None or task is None:
        raise Conflict(refusal or _("You have already evaluated this repair."))
    customer = repair.customer
    assert customer is not None and customer.pk in resident.customer_ids
    data = {
        "customer_reached": True, "satisfaction": evaluation.satisfaction,
        "callback_result": "satisfied" if evaluation.resolved else "unsatisfied",
        "callback_note": evaluation.comment,
    }  # fmt: skip
    try:
        do_complete_task(acting_for(customer), task, data)
    except Conflict:
        raise Conflict(_("You have already evaluated this repair.")) from None
    except FormInvalid as exc:  # the flow's form names callback fields: say them as the page does
        names = {"satisfaction": "satisfaction", "callback_result": "resolved", "callback_note": "comment"}
        raise FormInvalid({names.get(k, "comment"): v for k, v in exc.field_errors.items()}) from None
    repair.refresh_from_db()
    return repair


# --- what the customer sees ---------------------------------------------------------------------


@dataclass
class Line:
    what: str
    at: dt.datetime
    who: str = ""


def timeline(repair: Repair) -> list[Line]:
    """The repair's timeline as the customer may see it: what happened and when, the technician's
    name on the technician's lines; never a staff note."""
    lines = []
    for event in RepairEvent.objects.filter(repair=repair).order_by("at", "pk"):
        label = CUSTOMER_EVENTS.get(event.action)
        if label is None:
            continue
        who = event.actor_name if event.action in TECHNICIAN_EVENTS else ""
        lines.append(Line(str(label), event.at, who))
    return lines


def technician_name(repair: Repair) -> str:
    technician = repair.technician
    if technician is None:
        return ""
    return str(getattr(technician, "display_name", "") or technician.get_username())
