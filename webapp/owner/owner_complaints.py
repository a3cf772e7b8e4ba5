"""投诉建议 of the owner's channel: a resident's complaint or suggestion starts the `complaint` flow
(processes/complaint/) with the flow's own intake form, channel 业主端, linked to their customer row
and room (the instance's `customer_ref` / `room_ref`); they follow it as the customer may see it.

What the customer sees is a whitelist: the stage (from the flow's open task), the dates of its
milestones, the department it went to, the handling result once the service centre has accepted it
(before that a supervisor may still send it back), a consultation's on-the-spot answer and their own
callback answer. Never the dispatch note, the measures and attachments, supervision, compensation
or the leaders' instructions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from engine import formstore, inspect
from engine.actions import do_start_instance, latest_version
from engine.errors import FormInvalid, checked_text
from engine.ids import id_or_404
from engine.models import ProcessInstance, Task
from engine.models.runtime import InstanceStatus, TaskState
from webapp.realestate.models import Customer

from . import access
from .owner_actor import acting_for
from .owner_repairs import my_customer_in
from .session import Resident

FLOW = "complaint"
CHANNEL = "owner_app"
ISSUE_TYPES = ("complaint", "suggestion")  # 咨询 is answered by phone or at the desk
HANDLE_TASKS = ("Task_HandleEngineering", "Task_HandleDesign", "Task_HandleMarketing", "Task_HandleProperty")
RECEIVED = gettext_lazy("Complaint received")
HANDLING = gettext_lazy("Being handled")
AWAITING_CALLBACK = gettext_lazy("Handled, we will call you back")
CLOSED = gettext_lazy("Case closed")
CANCELLED = gettext_lazy("Withdrawn")
STAGE_OF_TASK = {
    "Task_GroupComplaint": RECEIVED,
    "Task_Triage": RECEIVED,
    **dict.fromkeys(HANDLE_TASKS, HANDLING),
    "Task_Supervise": HANDLING,  # the customer sees it still being handled, never the supervision
    "Task_Compensation": HANDLING,
    "Task_Callback": AWAITING_CALLBACK,
}
SATISFACTION = {
    "satisfied": gettext_lazy("Satisfied"),
    "basically_satisfied": gettext_lazy("Basically satisfied"),
    "unsatisfied": gettext_lazy("Unsatisfied"),
}


# --- what is mine -------------------------------------------------------------------------------


def my_complaints(resident: Resident) -> QuerySet[ProcessInstance]:
    """The complaint cases of the resident's customer rows (whoever recorded them), newest first."""
    return ProcessInstance.objects.filter(
        process_key=FLOW, customer_ref__in=resident.customer_ids or [0]
    ).order_by("-started_at", "-pk")


def access_my_complaint(resident: Resident, pk: object) -> ProcessInstance:
    instance = my_complaints(resident).filter(pk=id_or_404(pk)).first()
    if instance is None:
        raise Http404("no such complaint")
    return instance


# --- the form (the flow's intake schema gives the choices) --------------------------------------


def _options(schema: dict[str, Any], name: str) -> list[tuple[str, str]]:
    prop = (schema.get("properties") or {}).get(name) or {}
    return [(str(o["const"]), str(o.get("title", o["const"]))) for o in prop.get("oneOf", []) if "const" in o]


def intake_schema() -> dict[str, Any]:
    version = latest_version(FLOW)
    return formstore.form(version.pk, version.start_form) or {}


def form_choices() -> dict[str, list[tuple[str, str]]]:
    schema = intake_schema()
    return {
        "issue_types": [(v, t) for v, t in _options(schema, "issue_type") if v in ISSUE_TYPES],
        "issue_classes": _options(schema, "issue_class"),
    }


@dataclass
class Submission:
    room: Any
    customer: Customer
    issue_type: str
    issue_class: str
    description: str


def check_submission(resident: Resident, post: Any) -> Submission:
    errors: dict[str, list[str]] = {}
    room = None
    room_id = str(post.get("room", "")).strip()
    try:
        room = access.access_room(resident, room_id).room if room_id else None
    except Http404:
        room = None
    if room is None:
        errors["room"] = [_("Choose one of your rooms.")]
    choices = form_choices()
    issue_type = str(post.get("issue_type", ""))
    if issue_type not in dict(choices["issue_types"]):
        errors["issue_type"] = [_("Say whether it is a complaint or a suggestion.")]
    issue_class = str(post.get("issue_class", ""))
    if issue_class not in dict(choices["issue_classes"]):
        errors["issue_class"] = [_("Choose what it is about.")]
    description = ""
    try:
        description = checked_text(post.get("description"), "description", 2000)
    except FormInvalid as exc:
        errors.update(exc.field_errors)
    if "description" not in errors and len(description) < 5:
        errors["description"] = [_("Describe it in a few words (at least 5 characters).")]
    if errors:
        raise FormInvalid(errors)
    assert room is not None
    return Submission(room, my_customer_in(resident, room), issue_type, issue_class, description)


def intake_data(resident: Resident, submission: Submission) -> dict[str, Any]:
    """The complaint flow's intake form, as the service centre fills it, from the submission."""
    room = submission.room
    return {
        "customer_name": submission.customer.name, "customer_id": submission.customer.pk,
        "customer_mobile": resident.mobile, "project": room.project.name, "project_id": room.project_id,
        "room": room.label(), "room_id": room.pk, "channel": CHANNEL, "issue_type": submission.issue_type,
        "issue_class": submission.issue_class, "description": submission.description,
        "group_complaint": False, "answered_on_spot": False,
    }  # fmt: skip


def do_submit(resident: Resident, submission: Submission) -> ProcessInstance:
    """Start the complaint flow (its intake step: the SMS of acceptance, then 派单)."""
    return do_start_instance(acting_for(submission.customer), FLOW, intake_data(resident, submission))


# --- what the customer sees ---------------------------------------------------------------------


@dataclass
class Milestone:
    what: str
    at: dt.datetime | None
    detail: str = ""


@dataclass
class CustomerView:
    stage: str
    description: str = ""
    issue_type: str = ""
    issue_class: str = ""
    department: str = ""
    reply: str = ""  # the handling result (accepted by the service centre) or the on-the-spot answer
    satisfaction: str = ""
    my_comments: str = ""
    milestones: list[Milestone] = field(default_factory=list)


def stage_of(instance: ProcessInstance, open_elements: list[str]) -> str:
    if instance.status == InstanceStatus.COMPLETED:
        return str(CLOSED)
    if instance.status == InstanceStatus.CANCELLED:
        return str(CANCELLED)
    stages = [STAGE_OF_TASK[e] for e in open_elements if e in STAGE_OF_TASK]
    return str(stages[0]) if stages else str(RECEIVED)


def stages(instances: list[ProcessInstance]) -> dict[int, str]:
    """instance id → its stage, for a list (one query)."""
    open_tasks: dict[int, list[str]] = {}
    rows = Task.objects.filter(instance__in=instances, state=TaskState.READY).values_list(
        "instance_id", "element_id"
    )
    for instance_id, element_id in rows:
        open_tasks.setdefault(instance_id, []).append(element_id)
    return {i.pk: stage_of(i, open_tasks.get(i.pk, [])) for i in instances}


def _title(schema: dict[str, Any], name: str, value: Any) -> str:
    return dict(_options(schema, name)).get(str(value), "") if value not in (None, "") else ""


def customer_view(instance: ProcessInstance) -> CustomerView:
    """The complaint as its customer may see it (see the module docstring)."""
    tasks = list(Task.objects.filter(instance=instance).order_by("created_at", "pk"))
    open_elements = [t.element_id for t in tasks if t.state == TaskState.READY]
    done = [t for t in tasks if t.state == TaskState.COMPLETED]
    stage = stage_of(instance, open_elements)
    data = inspect.snapshot(instance).data
    version_id = instance.version_id
    intake = formstore.form(version_id, "intake.schema.json") or {}
    triage = formstore.form(version_id, "triage.schema.json") or {}
    callback = formstore.form(version_id, "callback.schema.json") or {}
    view = CustomerView(
        stage=stage, description=str(data.get("description", "")),
        issue_type=_title(intake, "issue_type", data.get("issue_type")),
        issue_class=_title(intake, "issue_class", data.get("issue_class")),
        department=_title(triage, "department", data.get("department")),
    )  # fmt: skip
    view.milestones.append(Milestone(_("Submitted"), instance.started_at))

    def last(*elements: str) -> Task | None:
        found = [t for t in done if t.element_id in elements]
        return found[-1] if found else None

    triaged = last("Task_Triage")
    if triaged is not None:
        view.milestones.append(
            Milestone(_("Assigned to a department"), triaged.completed_at, view.department)
        )
    handled_and_accepted = stage in (str(AWAITING_CALLBACK), str(CLOSED))
    handled = last(*HANDLE_TASKS)
    if handled is not None and handled_and_accepted:
        view.milestones.append(Milestone(_("Handled"), handled.completed_at))
        view.reply = str(data.get("handling_result", ""))
    if data.get("answered_on_spot") and data.get("on_spot_answer"):
        view.reply = str(data.get("on_spot_answer", ""))
    called = last("Task_Callback")
    if called is not None:
        view.milestones.append(Milestone(_("Called back"), called.completed_at))
        if data.get("customer_reached"):
            satisfaction = data.get("satisfaction")
            view.satisfaction = str(SATISFACTION.get(str(satisfaction), "")) or _title(
                callback, "satisfaction", satisfaction
            )
            view.my_comments = str(data.get("customer_comments", "") or "")
    if instance.status == InstanceStatus.COMPLETED:
        view.milestones.append(Milestone(_("Case closed"), instance.ended_at))
    return view
