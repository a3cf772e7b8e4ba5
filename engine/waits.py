"""Where work waits in one version of a flow: per element, how many of the company's running
instances wait there now and for how long on average, and how long finished work spent there.

Read from the tables the engine keeps (tasks, timers, service calls, incidents) with one grouped
query each; only instances waiting at something else (a message, a signal) are found by loading
their state, at most EVENT_SCAN of them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Min, Q
from SpiffWorkflow.util.task import TaskState as SpiffState

from .models import Incident, ProcessInstance, ProcessVersion, ServiceCall, Task, Timer
from .models.runtime import CallState, InstanceStatus, TaskState, TimerState
from .spiff import SPEC_CACHE, decode_state, load_state

EVENT_SCAN = 2000


@dataclass
class ElementWait:
    element_id: str
    kind: str  # task, timer, service, incident, event
    waiting: int = 0
    avg_wait_minutes: float | None = None  # of those waiting now
    done: int = 0
    avg_done_minutes: float | None = None  # of finished user tasks there
    next_due: str | None = None  # the earliest due timer

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _minutes(value: timedelta | float | None) -> float | None:
    if value is None:
        return None
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value) / 1_000_000
    return round(seconds / 60, 1)


def waits(company_id: int, version: ProcessVersion, now: datetime) -> dict[str, ElementWait]:
    found: dict[str, ElementWait] = {}

    def slot(element_id: str, kind: str) -> ElementWait:
        return found.setdefault(element_id, ElementWait(element_id, kind))

    tasks = Task.objects.filter(company_id=company_id, instance__version=version)
    age = ExpressionWrapper(now - F("created_at"), output_field=DurationField())
    spent = ExpressionWrapper(F("completed_at") - F("created_at"), output_field=DurationField())
    for row in tasks.filter(state=TaskState.READY).values("element_id").annotate(n=Count("id"), avg=Avg(age)):
        item = slot(row["element_id"], "task")
        item.waiting, item.avg_wait_minutes = row["n"], _minutes(row["avg"])
    done = tasks.filter(state=TaskState.COMPLETED, completed_at__isnull=False)
    for row in done.values("element_id").annotate(n=Count("id"), avg=Avg(spent)):
        item = slot(row["element_id"], "task")
        item.done, item.avg_done_minutes = row["n"], _minutes(row["avg"])
    timers = Timer.objects.filter(
        instance__company_id=company_id, instance__version=version, state=TimerState.PENDING
    )
    for due in timers.values("element_id").annotate(n=Count("id"), first=Min("due_at")):
        item = slot(due["element_id"], "timer")
        item.waiting, item.next_due = due["n"], due["first"].isoformat()
    calls = ServiceCall.objects.filter(
        company_id=company_id, instance__version=version, state=CallState.PENDING
    )
    call_age = ExpressionWrapper(now - F("created_at"), output_field=DurationField())
    for row in calls.values("element_id").annotate(n=Count("id"), avg=Avg(call_age)):
        item = slot(row["element_id"], "service")
        item.waiting, item.avg_wait_minutes = row["n"], _minutes(row["avg"])
    incidents = Incident.objects.filter(
        company_id=company_id, instance__version=version, resolved_at__isnull=True
    )
    for stuck in (
        incidents.exclude(element_id="").values("element_id").annotate(n=Count("instance", distinct=True))
    ):
        slot(stuck["element_id"], "incident").waiting = stuck["n"]
    for element_id, count in _event_waits(company_id, version).items():
        slot(element_id, "event").waiting = count
    return found


def _event_waits(company_id: int, version: ProcessVersion) -> dict[str, int]:
    """Running instances with no open task, timer or call wait at an event: load their state."""
    quiet = (
        ProcessInstance.objects.filter(company_id=company_id, version=version, status=InstanceStatus.RUNNING)
        .exclude(tasks__state=TaskState.READY)
        .exclude(timers__state=TimerState.PENDING)
        .exclude(service_calls__state=CallState.PENDING)
        .values_list("state", flat=True)[:EVENT_SCAN]
    )
    specs = SPEC_CACHE.get(version.pk)
    counts: dict[str, int] = {}
    for state in quiet:
        workflow = load_state(decode_state(state), specs)
        for task in workflow.get_tasks(state=SpiffState.WAITING):
            element_id = getattr(task.task_spec, "bpmn_id", None)
            if element_id:
                counts[element_id] = counts.get(element_id, 0) + 1
    return counts


def instances_at(company_id: int, version: ProcessVersion, element_id: str) -> Any:
    """The company's unfinished instances of the version waiting at the element (by the tables)."""
    return (
        ProcessInstance.objects.filter(company_id=company_id, version=version)
        .exclude(status__in=[InstanceStatus.COMPLETED, InstanceStatus.CANCELLED])
        .filter(
            Q(tasks__element_id=element_id, tasks__state=TaskState.READY)
            | Q(timers__element_id=element_id, timers__state=TimerState.PENDING)
            | Q(
                service_calls__element_id=element_id,
                service_calls__state=CallState.PENDING,
            )
            | Q(incidents__element_id=element_id, incidents__resolved_at__isnull=True)
        )
        .distinct()
        .defer("state")
        .order_by("started_at", "pk")
    )
