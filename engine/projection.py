"""Projecting a workflow onto our tables: user tasks, timers, service calls, instance columns.

Called by `runner.persist` inside the step's transaction. Rows change only for what changed in
this step (the sets of ready tasks and waiting timers before and after), so the cost of a step
does not grow with the number of rows an instance has accumulated.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from .models import ServiceCall, Task, Timer
from .models.audit import AuditAction
from .models.runtime import TaskState as RowState
from .models.runtime import TimerState
from .spiff import SERVICE_REQUEST, AsyncServiceTask, ready_user_tasks

if TYPE_CHECKING:
    from .runner import Step

log = logging.getLogger(__name__)

CALL_QUEUED = "anju_call_queued"
SEARCH_FIELDS = ("customer_name", "project", "room")


def ready_ids(workflow: BpmnWorkflow) -> set[UUID]:
    return {t.id for t in ready_user_tasks(workflow)}


def _waiting_timers(workflow: BpmnWorkflow) -> dict[UUID, SpiffTask]:
    return {
        task_id: task
        for task_id, task in workflow.event_manager.tasks.items()
        if isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition)
    }


def timer_ids(workflow: BpmnWorkflow) -> set[UUID]:
    return set(_waiting_timers(workflow))


def duration_from(value: str, start: datetime) -> datetime:
    """`start` plus an ISO 8601 duration such as PT24H or P3D (months counted by calendar)."""
    parsed = TimerEventDefinition.parse_iso_duration(value)
    return start + TimerEventDefinition.get_timedelta_from_start(parsed, start)


def _due_at(task: SpiffTask, expression: str | None, now: datetime) -> datetime | None:
    if not expression:
        return None
    try:
        value = task.workflow.script_engine.evaluate(task, expression)
        return duration_from(str(value), now)
    except Exception as exc:  # a broken due time must not stop the flow; the task just has none
        log.warning("dueIn of %s could not be evaluated: %s", task.task_spec.bpmn_id, exc)
        return None


def task_row(step: Step, task: SpiffTask) -> Task:
    spec = task.task_spec
    extensions = getattr(spec, "extensions", {}) or {}
    props = extensions.get("properties", {}) or {}
    return Task(
        instance=step.instance,
        company_id=step.instance.company_id,
        process_key=step.instance.process_key,
        spiff_id=task.id,
        element_id=spec.bpmn_id or spec.name,
        name=(spec.bpmn_name or spec.bpmn_id or spec.name)[:200],
        lane=(spec.lane or "")[:100],
        form_schema=props.get("formJsonSchemaFilename", ""),
        form_ui_schema=props.get("formUiSchemaFilename", ""),
        instructions=extensions.get("instructionsForEndUser") or "",
        created_at=step.now,
        due_at=_due_at(task, props.get("dueIn"), step.now),
    )


def sync_tasks(step: Step) -> None:
    ready = {t.id: t for t in ready_user_tasks(step.workflow)}
    gone = step.ready_before - ready.keys() - step.completed_by_actor
    if gone:
        Task.objects.filter(instance=step.instance, spiff_id__in=gone, state=RowState.READY).update(
            state=RowState.CANCELLED, completed_at=step.now
        )
    new = [task_row(step, t) for task_id, t in ready.items() if task_id not in step.ready_before]
    if new:
        Task.objects.bulk_create(new)


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


def sync_timers(step: Step) -> None:
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
        rows = Timer.objects.filter(instance=step.instance, state=TimerState.PENDING)
        if fired:
            rows.filter(spiff_id__in=fired).update(state=TimerState.FIRED, fired_at=step.now)
        if cancelled:
            rows.filter(spiff_id__in=cancelled).update(state=TimerState.CANCELLED, fired_at=step.now)
    new = [
        Timer(
            instance=step.instance,
            spiff_id=task_id,
            element_id=task.task_spec.bpmn_id or task.task_spec.name,
            name=(task.task_spec.bpmn_name or "")[:200],
            due_at=_timer_due(task, step.now),
        )
        for task_id, task in waiting.items()
        if task_id not in step.timers_before
    ]
    if new:
        Timer.objects.bulk_create(new)


def _find(workflow: BpmnWorkflow, task_id: UUID) -> SpiffTask | None:
    try:
        return workflow.get_task_from_id(task_id)
    except Exception:  # removed from the tree (reset or cancelled subprocess)
        return None


def new_service_calls(step: Step) -> list[tuple[SpiffTask, dict[str, Any]]]:
    """Service tasks that reached their call in this step; marks them so they are queued once."""
    found = []
    for task in step.workflow.get_tasks(state=TaskState.STARTED):
        if isinstance(task.task_spec, AsyncServiceTask) and not task._get_internal_data(CALL_QUEUED):
            request = task._get_internal_data(SERVICE_REQUEST)
            if request:
                task._set_internal_data(**{CALL_QUEUED: True})
                found.append((task, request))
    return found


def save_service_calls(step: Step, calls: list[tuple[SpiffTask, dict[str, Any]]]) -> None:
    if not calls:
        return
    from datetime import timedelta

    lease = timedelta(seconds=settings.ANJU_SERVICE_LEASE_SECONDS)
    rows = [
        ServiceCall(
            instance=step.instance,
            company_id=step.instance.company_id,
            spiff_id=task.id,
            element_id=task.task_spec.bpmn_id or task.task_spec.name,
            name=(task.task_spec.bpmn_name or "")[:200],
            operator=request["operator"],
            params=request["params"],
            idempotency_key=f"{step.instance.pk}:{task.id}",
            next_attempt_at=step.now + lease,
            created_at=step.now,
        )
        for task, request in calls
    ]
    ServiceCall.objects.bulk_create(rows)
    for row in rows:
        step.audit(
            AuditAction.SERVICE_CALL,
            element_id=row.element_id,
            details={"operator": row.operator, "params": row.params},
        )
    keys = [row.idempotency_key for row in rows]

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
    title = data.get("title") or data.get("subject") or data.get("description")
    if isinstance(title, str) and title.strip():
        instance.title = title.strip().splitlines()[0][:200]
