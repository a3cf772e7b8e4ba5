"""One transaction per engine step.

`run_step(instance_id, actor, action)`: lock the instance row, load its workflow (from the
per-process cache when the revision matches), apply `action`, run engine steps until the
workflow waits, then persist everything in the same transaction: state with a new revision, the
task table, timers, service calls, incidents and audit events. Side effects (adapter calls,
caching the workflow) run only after commit. Any exception inside leaves the previous state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import connection, transaction
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from . import audit, clock, projection
from .models import AuditEvent, Incident, ProcessInstance
from .models.audit import AuditAction
from .models.runtime import IncidentKind, InstanceStatus
from .spiff import (
    SPEC_CACHE,
    WORKFLOW_CACHE,
    decode_state,
    dump_state,
    encode_state,
    load_state,
    new_requests,
)
from .sqlbatch import Batch, column_field

log = logging.getLogger(__name__)


class Skip(Exception):
    """Raised by an action when there is nothing to do after all (e.g. a call already recorded)."""


class EngineStepLimit(Exception):
    """More automatic steps in one go than ANJU_MAX_ENGINE_STEPS: an endless automatic loop."""


@dataclass
class Step:
    """What one engine step works with and collects; persisted by `_persist`."""

    instance: ProcessInstance
    workflow: BpmnWorkflow
    actor: Any
    now: datetime
    ready_before: set[UUID]
    timers_before: set[UUID]
    events: list[AuditEvent] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    completed_by_actor: set[UUID] = field(default_factory=set)
    latest_data: dict[str, Any] | None = None
    retimed: dict[UUID, datetime] = field(default_factory=dict)  # timers whose due moment was (re)set
    task_rows: dict[UUID, dict[str, Any]] = field(default_factory=dict)  # task rows added by this step
    done_calls: list[dict[str, Any]] = field(default_factory=list)  # service calls run in this step
    automatic: int = 0  # automatic steps run so far (ANJU_MAX_ENGINE_STEPS)
    is_new: bool = False

    def audit(self, action: AuditAction, **kwargs: Any) -> None:
        self.events.append(audit.event(action, instance=self.instance, actor=self.actor, **kwargs))

    def guard(self, work: Callable[[], Any]) -> bool:
        """Run workflow code; a failure becomes an incident instead of an error. True when it ran."""
        try:
            work()
        except Exception as exc:
            self._incident_from(exc)
            return False
        return True

    def advance(self) -> None:
        """Run automatic work until the workflow waits; failures and stalls become incidents.

        Service calls that run inside the step (engine/calls_in_step.py) complete here, and the
        engine runs on after them."""
        while self.guard(lambda: self.workflow.do_engine_steps(did_complete_task=self._counted)):
            if not self._settle_calls():
                break
        # Automatic work left READY after this (a stall) is found by persist's scan of the tree.

    def _settle_calls(self) -> bool:
        """True when in-step calls completed service tasks (the engine has more to run)."""
        from .calls_in_step import settle

        moved = False

        def run() -> None:
            nonlocal moved
            moved = settle(self)

        return self.guard(run) and moved

    def _counted(self, _task: SpiffTask | None = None) -> None:
        self.count_automatic()

    def count_automatic(self) -> None:
        from django.conf import settings

        self.automatic += 1
        if self.automatic > settings.ANJU_MAX_ENGINE_STEPS:
            raise EngineStepLimit(
                f"more than {settings.ANJU_MAX_ENGINE_STEPS} automatic steps in one go: an endless automatic loop?"
            )

    def add_incident(
        self, kind: str, message: str, *, task: SpiffTask | None = None, call: Any = None
    ) -> None:
        spec = task.task_spec if task is not None else None
        self.incidents.append(
            Incident(
                instance=self.instance,
                company_id=self.instance.company_id,
                kind=kind,
                element_id=getattr(spec, "bpmn_id", "") or "",
                element_name=getattr(spec, "bpmn_name", "") or "",
                spiff_id=task.id if task is not None else None,
                service_call=call,
                message=message[:4000],
                created_at=self.now,
            )
        )
        self.audit(
            AuditAction.INCIDENT,
            element_id=getattr(spec, "bpmn_id", "") or "",
            details={"kind": kind, "message": message[:1000]},
        )

    def _incident_from(self, exc: Exception) -> None:
        task = getattr(exc, "task", None)
        if isinstance(exc, WorkflowTaskException):
            kind, message = IncidentKind.SCRIPT, _script_message(exc)
        elif isinstance(exc, EngineStepLimit):
            kind, message = IncidentKind.STALL, str(exc)
        elif isinstance(exc, SpiffWorkflowException):
            kind, message = IncidentKind.ENGINE, str(exc)
        else:
            log.exception("engine error in instance %s", self.instance.pk)
            kind, message = IncidentKind.ENGINE, f"{type(exc).__name__}: {exc}"
        if task is None:
            errored = self.workflow.get_tasks(state=TaskState.ERROR)
            task = errored[0] if errored else None
        self.add_incident(kind, message, task=task)


def _script_message(exc: WorkflowTaskException) -> str:
    parts = [str(exc)]
    line = getattr(exc, "line_number", 0)
    if line:
        parts.append(f"(line {line}: {getattr(exc, 'error_line', '')})")
    inner = getattr(exc, "exception", None) or exc.__context__
    if inner is not None and type(inner).__name__ not in parts[0]:
        parts.append(f"[{type(inner).__name__}: {inner}]")
    return " ".join(parts)


_LOCK_FIELDS = ("id", "version_id", "process_key", "company_id", "business_key", "title", "customer_name",
                "project", "room", "customer_ref", "room_ref", "status", "revision", "started_by_id", "started_at",
                "updated_at", "ended_at")  # fmt: skip


def lock_instance(instance_id: int, *, skip_locked: bool = False) -> ProcessInstance | None:
    """Lock and fetch an instance without its state column (call inside a transaction).

    Plain SQL: this runs once per engine step, and the ORM's query compilation cost more than
    the query itself."""
    columns = [column_field(ProcessInstance, n.removesuffix("_id")) for n in _LOCK_FIELDS]
    fields = [f for _c, f in columns]
    quote = connection.ops.quote_name
    sql = (
        # Identifiers from model metadata, the value bound:
        f"SELECT {', '.join(quote(c) for c, _f in columns)} FROM {quote(ProcessInstance._meta.db_table)} "  # noqa: S608
        f"WHERE {quote('id')} = %s"
    )
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE SKIP LOCKED" if skip_locked else " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, [instance_id])
        row = cursor.fetchone()
    if row is None:
        return None
    converted = [_from_db(f, v) for f, v in zip(fields, row, strict=True)]
    return ProcessInstance.from_db(connection.alias, [f.attname for f in fields], converted)


def _from_db(field: Any, value: Any) -> Any:
    """What the ORM would make of a raw column value (SQLite hands back datetimes as text)."""
    column = field.get_col(field.model._meta.db_table)
    for converter in connection.ops.get_db_converters(column) + field.get_db_converters(connection):
        value = converter(value, column, connection)
    return value


def load_workflow(instance: ProcessInstance) -> BpmnWorkflow:
    """The instance's workflow at its current revision (call while holding the row lock)."""
    cached = WORKFLOW_CACHE.take(instance.pk, instance.revision)
    if cached is not None:
        return cached
    state = ProcessInstance.objects.values_list("state", flat=True).get(pk=instance.pk)
    return load_state(decode_state(state), SPEC_CACHE.get(instance.version_id))


def open_step(instance: ProcessInstance, workflow: BpmnWorkflow, actor: Any, *, is_new: bool = False) -> Step:
    return Step(
        instance=instance,
        workflow=workflow,
        actor=actor,
        now=clock.now(),
        ready_before=set() if is_new else projection.ready_ids_before(workflow),
        timers_before=set() if is_new else projection.timer_ids(workflow),
        is_new=is_new,
    )


def run_step(
    instance_id: int,
    actor: Any,
    action: Callable[[Step], None],
    *,
    skip_locked: bool = False,
) -> Step | None:
    """Apply `action` to the instance in one transaction (see module docstring).

    With skip_locked, returns None when another worker holds the instance; an action raising Skip
    also returns None. Other exceptions raised by `action` (Conflict, NotAllowed ...) roll
    everything back and propagate.
    """
    try:
        with transaction.atomic():
            instance = lock_instance(instance_id, skip_locked=skip_locked)
            if instance is None:
                if skip_locked:
                    return None
                raise ProcessInstance.DoesNotExist(instance_id)
            step = open_step(instance, load_workflow(instance), actor)
            action(step)
            persist(step)
    except Skip:
        return None
    return step


def persist(step: Step) -> None:
    """Write everything the step changed, in one batch (call inside the step's transaction)."""
    instance, workflow = step.instance, step.workflow
    # Calls the step did not run in it are queued by the scan below, never run by a later step.
    new_requests(workflow)
    scan = projection.scan(workflow)  # also marks new service requests: before dump_state
    projection.apply_business_time(step)  # changes timers' due moments: before dump_state too
    projection.park_deadline_timers(step)  # timers that follow their task's deadline: likewise
    if scan.stalled and not step.incidents and not workflow.completed:
        first = scan.stalled[0]
        step.add_incident(
            IncidentKind.STALL,
            f"the engine stopped with automatic work ready at {first.task_spec.bpmn_id}",
            task=first,
        )
    elif not step.incidents and instance.status == InstanceStatus.RUNNING:
        # Checked on every step, so a stall is an incident the moment it happens (no sweep); an
        # instance that has an open incident already is not flagged again.
        stuck = projection.stuck_at(workflow, scan)
        if stuck is not None:
            where = ", ".join(dict.fromkeys(t.task_spec.bpmn_id for t in stuck)) or "an unknown element"
            step.add_incident(
                IncidentKind.STALL,
                f"stalled at {where}: it waits for nothing that can come "
                "(no ready task, timer, service call or awaited message)",
                task=stuck[0] if stuck else None,
            )
    projection.apply_instance_fields(step)
    if instance.status == InstanceStatus.CANCELLED:
        instance.ended_at = instance.ended_at or step.now
    elif step.incidents:
        instance.status = InstanceStatus.INCIDENT
    elif workflow.completed:
        instance.status = InstanceStatus.COMPLETED
        instance.ended_at = step.now
    instance.state = encode_state(dump_state(workflow))
    instance.revision += 1
    instance.updated_at = step.now
    batch = Batch()
    if instance.pk is None:
        instance.save(force_insert=True)  # the other rows need its id
    else:
        batch.update(
            ProcessInstance, {name: getattr(instance, name) for name in _SAVED_FIELDS}, {"id": instance.pk}
        )
    # Registered first so that side effects run after it (an eager adapter call takes this workflow).
    revision = instance.revision
    transaction.on_commit(lambda: WORKFLOW_CACHE.put(instance.pk, revision, workflow))
    projection.sync_tasks(step, scan, batch)
    projection.sync_timers(step, batch)
    projection.save_service_calls(step, scan, batch)
    if instance.status == InstanceStatus.COMPLETED and workflow.completed and not step.incidents:
        step.audit(AuditAction.END)
    batch.insert(Incident, [_values(i, _INCIDENT_FIELDS) for i in step.incidents])
    batch.insert(AuditEvent, [_values(e, _EVENT_FIELDS) for e in step.events])
    batch.flush()
    for callback in step.after_commit:
        transaction.on_commit(callback)


_SAVED_FIELDS = (
    "state",
    "revision",
    "status",
    "updated_at",
    "ended_at",
    "title",
    "customer_name",
    "project",
    "room",
    "customer_ref",
    "room_ref",
)
_EVENT_FIELDS = ("at", "company_id", "actor_id", "actor_name", "action", "instance_id", "task_id", "process_key",
                 "element_id", "details")  # fmt: skip
_INCIDENT_FIELDS = ("instance_id", "company_id", "kind", "element_id", "element_name", "spiff_id",
                    "service_call_id", "message", "created_at")  # fmt: skip


def _values(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """Field values of an unsaved model object by field name. A foreign key assigned as an object
    that was saved since (a new instance) is read from that object, never fetched."""
    values = {}
    for name in names:
        field = obj._meta.get_field(name)
        if field.is_relation:
            related = obj._state.fields_cache.get(field.name)
            values[field.name] = related.pk if related is not None else getattr(obj, field.attname)
        else:
            values[name] = getattr(obj, name)
    return values
