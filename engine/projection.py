"""Projecting a workflow onto our tables: user tasks, timers, service calls, instance columns.

Called by `runner.persist` inside the step's transaction. Rows change only for what changed in
this step (the sets of ready tasks and waiting timers before and after), so the cost of a step
does not grow with the number of rows an instance has accumulated.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db import transaction
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions import (
    CancelEventDefinition,
    ErrorEventDefinition,
    EscalationEventDefinition,
    SignalEventDefinition,
)
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from forms.masks import mask_text

from .deadline_timers import follows_attached_task, park
from .deadline_timers import row_fields as deadline_row_fields
from .ids import parse_id
from .models import ServiceCall, Task, Timer
from .models.audit import AuditAction
from .models.runtime import CallState, TimerState
from .models.runtime import TaskState as RowState
from .spiff import SERVICE_REQUEST, AsyncServiceTask, ready_user_tasks
from .sqlbatch import Batch

if TYPE_CHECKING:
    from .runner import Step

log = logging.getLogger(__name__)

CALL_QUEUED = "anju_call_queued"
SEARCH_FIELDS = ("customer_name", "project", "room")
REF_FIELDS = {"customer_id": "customer_ref", "room_id": "room_ref"}  # data key -> instance column


READY_ATTRIBUTE = "anju_ready_ids"  # set on a workflow by `scan`, kept while it is cached


@dataclass
class Scan:
    """One walk of the task tree after a step: what the tables must show."""

    ready: dict[UUID, SpiffTask] = field(default_factory=dict)
    stalled: list[SpiffTask] = field(default_factory=list)
    requests: list[tuple[SpiffTask, dict[str, Any]]] = field(default_factory=list)
    working: list[SpiffTask] = field(default_factory=list)  # started and finished from outside (a call)


def scan(workflow: BpmnWorkflow) -> Scan:
    """Ready user tasks, automatic work left ready (a stall), started work that waits for a result
    from outside (a service call), and service tasks that have just asked for a call (marked, so
    each is queued once: call before serializing the state)."""
    found = Scan()
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.STARTED):
        if task.state == TaskState.READY:
            if task.task_spec.manual:
                found.ready[task.id] = task
            else:
                found.stalled.append(task)
        elif not isinstance(task.task_spec, _CONTAINERS):
            found.working.append(task)
            if isinstance(task.task_spec, AsyncServiceTask) and not task._get_internal_data(CALL_QUEUED):
                request = task._get_internal_data(SERVICE_REQUEST)
                if request:
                    task._set_internal_data(**{CALL_QUEUED: True})
                    found.requests.append((task, request))
    setattr(workflow, READY_ATTRIBUTE, set(found.ready))
    return found


# Started tasks that only wait for what runs inside them: (embedded or called) subprocesses and loops.
_CONTAINERS = (SubWorkflowTask, LoopTask)
# Events only the instance itself throws: nothing of ours delivers them from outside (messages.py
# delivers messages only), so a workflow that waits for nothing but these never moves again.
_THROWN_INSIDE = (
    SignalEventDefinition,
    ErrorEventDefinition,
    EscalationEventDefinition,
    CancelEventDefinition,
)


def _can_arrive(definition: Any) -> bool:
    """The event can come from outside the workflow: a timer, a message, a condition on the data
    (a correction may make it true), or an event-based gateway's choice of any of these."""
    if isinstance(definition, MultipleEventDefinition):
        return any(_can_arrive(d) for d in definition.event_definitions)
    return not isinstance(definition, _THROWN_INSIDE)


def stuck_at(workflow: BpmnWorkflow, found: Scan) -> list[SpiffTask] | None:
    """Where an unfinished workflow waits when nothing can ever move it on: no ready task (user or
    automatic), no started work awaiting a result (a service call, pending or running), no waiting
    timer, message or condition, no failed task (that is an incident already). The waiting tasks
    named (a signal nobody throws, a join whose other branch was never taken); an empty list when
    none has an element id. None when the workflow can still move (the usual case, decided
    without walking the tree again)."""
    if workflow.completed or found.ready or found.stalled or found.working:
        return None
    if any(_can_arrive(t.task_spec.event_definition) for t in workflow.event_manager.tasks.values()):
        return None
    if workflow.get_tasks(state=TaskState.ERROR):
        return None
    return [
        t
        for t in workflow.get_tasks(state=TaskState.WAITING)
        if getattr(t.task_spec, "bpmn_id", None) and not isinstance(t.task_spec, _CONTAINERS)
    ]


def ready_ids_before(workflow: BpmnWorkflow) -> set[UUID]:
    """The ready user tasks at the start of a step: remembered by the last scan of a cached
    workflow, else found by walking the tree."""
    remembered = getattr(workflow, READY_ATTRIBUTE, None)
    if remembered is not None:
        return set(remembered)
    return {t.id for t in ready_user_tasks(workflow)}


def _waits_for_a_timer(task: SpiffTask) -> bool:
    """A timer event, or an event-based gateway (MultipleEventDefinition) one of whose events is a
    timer: SpiffWorkflow keeps the gateway's due time in the gateway task's event_value."""
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        return any(isinstance(d, TimerEventDefinition) for d in definition.event_definitions)
    return isinstance(definition, TimerEventDefinition)


def _waiting_timers(workflow: BpmnWorkflow) -> dict[UUID, SpiffTask]:
    return {
        task_id: task for task_id, task in workflow.event_manager.tasks.items() if _waits_for_a_timer(task)
    }


def timer_ids(workflow: BpmnWorkflow) -> set[UUID]:
    return set(_waiting_timers(workflow))


def duration_from(value: str, start: datetime) -> datetime:
    """`start` plus an ISO 8601 duration such as PT24H or P3D (months counted by calendar)."""
    parsed = TimerEventDefinition.parse_iso_duration(value)
    return start + TimerEventDefinition.get_timedelta_from_start(parsed, start)


BUSINESS_TIME = "businessTime"
NEVER = datetime(9999, 12, 31, tzinfo=UTC)
BUSINESS_DUE = "anju_business_due"


def _is_business(spec: Any) -> bool:
    props = (getattr(spec, "extensions", None) or {}).get("properties") or {}
    return str(props.get(BUSINESS_TIME, "")).lower() in ("true", "1", "yes")


def _flow_deadline(task: SpiffTask, expression: str | None, now: datetime, company_id: int) -> dict[str, Any]:
    """Task-row fields for the deadline the flow gives a user task (dueIn: calendar time, or business
    time with businessTime="true", provisional while the calendar lacks a year it needs)."""
    if not expression:
        return {}
    try:
        value = str(task.workflow.script_engine.evaluate(task, expression))
        if not _is_business(task.task_spec):
            return {"due_at": duration_from(value, now)}
        from . import sla

        planned = sla.flow_deadline(company_id, value, now)
        if planned.missing is not None:
            sla.report_calendar_missing(company_id, planned.missing)
            return {**planned.fields, "flags": [sla.CALENDAR_FLAG]}
        return planned.fields
    except Exception as exc:  # a broken due time must not stop the flow; the task just has none
        log.warning("dueIn of %s could not be evaluated: %s", task.task_spec.bpmn_id, exc)
        return {}


def candidate_group(task: SpiffTask, expression: str | None) -> str:
    """The work group a `candidateGroup` expression names (e.g. the contractor a defect was dispatched
    to); "" when there is none or it cannot be evaluated (the lane applies then)."""
    if not expression:
        return ""
    try:
        value = task.workflow.script_engine.evaluate(task, expression)
    except Exception as exc:  # the task stays with its lane rather than stopping the flow
        log.warning("candidateGroup of %s could not be evaluated: %s", task.task_spec.bpmn_id, exc)
        return ""
    return value.strip()[:100] if isinstance(value, str) else ""


def task_row(step: Step, task: SpiffTask) -> dict[str, Any]:
    from . import sla

    spec = task.task_spec
    extensions = getattr(spec, "extensions", {}) or {}
    props = extensions.get("properties", {}) or {}
    element_id = spec.bpmn_id or spec.name
    lane = candidate_group(task, props.get("candidateGroup")) or (spec.lane or "")[:100]
    planned = sla.plan(step.instance.company_id, step.instance.process_key, element_id, task.data, step.now)
    row = {
        "instance": step.instance.pk,
        "company": step.instance.company_id,
        "process_key": step.instance.process_key,
        "spiff_id": task.id,
        "element_id": element_id,
        "name": (spec.bpmn_name or spec.bpmn_id or spec.name)[:200],
        "lane": lane,
        "form_schema": props.get("formJsonSchemaFilename", ""),
        "form_ui_schema": props.get("formUiSchemaFilename", ""),
        "instructions": extensions.get("instructionsForEndUser") or "",
        "state": RowState.READY,
        "flags": [],
        "created_at": step.now,
        "due_at": None,
        "due_provisional": False,
        "due_in": "",
        "sla_policy": None,
        "response_due_at": None,
        "sla_next_at": None,
        "sla_events": [],
        "sla_level": 0,
        "paused_minutes": 0.0,
        "paused_wall_minutes": 0.0,
        "pause_reason": "",
        "category": "",
    }
    row.update(_flow_deadline(task, props.get("dueIn"), step.now, step.instance.company_id))
    row.update(planned)  # an SLA policy's resolution deadline replaces dueIn
    return row


def sync_tasks(step: Step, found: Scan, batch: Batch) -> None:
    gone = step.ready_before - found.ready.keys() - step.completed_by_actor
    if gone:
        batch.update(
            Task,
            {"state": RowState.CANCELLED, "completed_at": step.now},
            {"instance": step.instance.pk, "spiff_id": gone, "state": RowState.READY},
        )
    rows = [task_row(step, t) for task_id, t in found.ready.items() if task_id not in step.ready_before]
    step.task_rows.update((row["spiff_id"], row) for row in rows)  # deadline timers follow these
    batch.insert(Task, rows)


def _timer_due(task: SpiffTask, now: datetime) -> datetime:
    value = task._get_internal_data("event_value")
    try:
        if isinstance(task.task_spec.event_definition, CycleTimerEventDefinition) and isinstance(value, dict):
            return datetime.fromisoformat(value["next"])
        if isinstance(value, str):
            return TimerEventDefinition.get_datetime(value)
    except (ValueError, KeyError, TypeError):
        log.warning("timer %s has an unreadable due time %r", task.task_spec.bpmn_id, value)
    return now


def apply_business_time(step: Step) -> None:
    """Timers marked businessTime="true" count their duration in the company's business time: the
    due moment SpiffWorkflow computed in calendar time is replaced (once, before the state is
    saved). A year without calendar data becomes an incident, never a guess."""
    from .calendar import CalendarMissing, business_due
    from .models.runtime import IncidentKind

    for task in _waiting_timers(step.workflow).values():
        spec = task.task_spec
        if not _is_business(spec) or task._get_internal_data(BUSINESS_DUE) or follows_attached_task(spec):
            continue
        definition = spec.event_definition
        try:
            value = task.workflow.script_engine.evaluate(task, definition.expression)
            due = business_due(step.now, str(value), step.instance.company_id)
        except (CalendarMissing, ValueError) as exc:
            # Hold the timer (it must not fire at a calendar-time guess) until the calendar is
            # fixed and the incident retried, which computes it again.
            task._set_internal_data(event_value=NEVER.isoformat())
            step.retimed[task.id] = NEVER
            step.add_incident(IncidentKind.ENGINE, f"business-time timer: {exc}", task=task)
            continue
        task._set_internal_data(event_value=due.isoformat(), **{BUSINESS_DUE: True})
        step.retimed[task.id] = due


def park_deadline_timers(step: Step) -> None:
    """Timers marked deadline="attachedTask" wait for their task's deadline, not for a duration of
    their own (engine.deadline_timers; before the state is saved)."""
    park(step, _waiting_timers(step.workflow))


def sync_timers(step: Step, batch: Batch) -> None:
    waiting = _waiting_timers(step.workflow)
    gone = step.timers_before - waiting.keys()
    if gone:
        fired, cancelled = [], []
        for task_id in gone:
            task = _find(step.workflow, task_id)
            if task is None or task.state != TaskState.COMPLETED:
                cancelled.append(task_id)
            else:
                fired.append(task_id)
                step.audit(
                    AuditAction.TIMER_FIRED,
                    element_id=task.task_spec.bpmn_id or "",
                    details={"name": task.task_spec.bpmn_name or ""},
                )
        for ids, state in ((fired, TimerState.FIRED), (cancelled, TimerState.CANCELLED)):
            if ids:
                batch.update(
                    Timer,
                    {"state": state, "fired_at": step.now},
                    {"instance": step.instance.pk, "spiff_id": ids, "state": TimerState.PENDING},
                )
    for task_id, due in step.retimed.items():
        if task_id in step.timers_before:  # an existing row whose due moment was recomputed
            batch.update(
                Timer,
                {"due_at": due},
                {"instance": step.instance.pk, "spiff_id": task_id, "state": TimerState.PENDING},
            )
    new = [
        {
            "instance": step.instance.pk,
            "spiff_id": task_id,
            "element_id": task.task_spec.bpmn_id or task.task_spec.name,
            "name": (task.task_spec.bpmn_name or "")[:200],
            **deadline_row_fields(step, task, _timer_due(task, step.now)),
            "state": TimerState.PENDING,
        }
        for task_id, task in waiting.items()
        if task_id not in step.timers_before
    ]
    batch.insert(Timer, new)


def _find(workflow: BpmnWorkflow, task_id: UUID) -> SpiffTask | None:
    try:
        return workflow.get_task_from_id(task_id)
    except Exception:  # removed from the tree (reset or cancelled subprocess)
        return None


def save_service_calls(step: Step, found: Scan, batch: Batch) -> None:
    """Rows for the calls asked for in this step (pending: run after commit) and for those that ran
    inside it (done: engine/calls_in_step.py)."""
    batch.insert(ServiceCall, step.done_calls)
    if not found.requests:
        return
    from .services import lease

    # Until a worker takes it (and renews its lease), the call is the dispatch message's to run;
    # if the message is lost the sweep runs it once this short lease ends.
    due = step.now + lease()
    rows = [
        {
            "instance": step.instance.pk,
            "company": step.instance.company_id,
            "spiff_id": task.id,
            "element_id": task.task_spec.bpmn_id or task.task_spec.name,
            "name": (task.task_spec.bpmn_name or "")[:200],
            "operator": request["operator"],
            "params": request["params"],
            "idempotency_key": f"{step.instance.pk}:{task.id}",
            "state": CallState.PENDING,
            "attempts": 0,
            "next_attempt_at": due,
            "last_error": "",
            "created_at": step.now,
            "result": None,
            "completed_at": None,
        }
        for task, request in found.requests
    ]
    batch.insert(ServiceCall, rows)
    for row in rows:
        step.audit(
            AuditAction.SERVICE_CALL,
            element_id=row["element_id"],
            details={"operator": row["operator"], "params": row["params"]},
        )
    keys = [row["idempotency_key"] for row in rows]

    def dispatch() -> None:
        from .services import dispatch_calls

        dispatch_calls(keys)

    transaction.on_commit(dispatch)


def apply_instance_fields(step: Step) -> None:
    """Copy the searchable business fields (customer, project, room, title) from the latest data."""
    data = step.latest_data
    if not data:
        return
    instance = step.instance
    for name in SEARCH_FIELDS:
        value = data.get(name)
        if isinstance(value, str) and value:
            setattr(instance, name, value[:100])
    for key, column in REF_FIELDS.items():
        if key in data:  # a picked id, or None when the pick was cleared
            ref = parse_id(data[key])
            setattr(instance, column, ref if ref is not None else None)
    title = data.get("title") or data.get("subject") or data.get("description")
    if isinstance(title, str) and title.strip():
        # The title labels the case in every list (inbox, SLA, alerts, API): a phone number or ID
        # typed into the description is masked in it; the data keeps it (revealed on request).
        instance.title = mask_text(title.strip().splitlines()[0])[:200]
