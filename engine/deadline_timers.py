"""Boundary timers that fire at the deadline of the task they are attached to.

An "overdue" timer drawn on a user task (the complaint flow's 处理超时) must fire when the task is
overdue, and the task's deadline is the SLA's: business time on the company's calendar, extended
by the time the task waited for the customer, provisional while the calendar lacks a year. So such
a timer does not count a duration of its own; it carries the marker

    <spiffworkflow:property name="deadline" value="attachedTask" />

(checked at deploy by engine.lint: only on a timer boundary event attached to a user task, and
never with businessTime), and follows the task's deadline (`Task.due_at`):

- When the step that reaches the task persists, SpiffWorkflow's own due moment for the timer is
  parked far in the future (`park`): the library never fires it by itself. The timer's row
  (`Timer.due_at`) gets the task's deadline, or, when the task has none (no SLA policy matches
  and it has no dueIn), the timer's own duration.
- Pausing the task (waiting for the customer) holds the timer (`due_at` = NEVER); resuming, or a
  missing calendar year being entered, moves it to the task's new deadline (`follow`).
- The worker fires a timer row when its `due_at` has passed (engine.timers): it first sets the
  parked due moment to the row's, so the library fires it then and only then.

Timer rows of an instance are otherwise changed under the instance's row lock (engine.timers);
`follow` is called under the *task* row's lock instead (pause, resume, replanning), where taking
the instance's lock would invert the lock order of an engine step. Its UPDATE only touches rows
still pending, and the worker re-reads the row's due moment under the instance lock before firing,
so a timer moved at the moment it fires either fires (at the old deadline) or moves, never both.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.task import Task as SpiffTask

from .models import Task, Timer
from .models.runtime import TaskState, TimerState

if TYPE_CHECKING:
    from SpiffWorkflow.bpmn import BpmnWorkflow

    from .runner import Step

PROPERTY = "deadline"
ATTACHED_TASK = "attachedTask"
NEVER = datetime(9999, 12, 31, tzinfo=UTC)
FOLLOWS = "anju_follows_task"  # internal data of the timer task: the attached task's id
OWN_DUE = "anju_own_due"  # the due moment the timer's own duration gave (ISO), the fallback


def follows_attached_task(spec: Any) -> bool:
    """The timer carries the marker deadline="attachedTask"."""
    props = (getattr(spec, "extensions", None) or {}).get("properties") or {}
    return str(props.get(PROPERTY, "")).strip() == ATTACHED_TASK


def attached_task(timer: SpiffTask) -> SpiffTask | None:
    """The task a boundary event is attached to: its sibling under the boundary split."""
    parent = timer.parent
    if parent is None:
        return None
    for sibling in parent.children:
        if sibling is not timer and not isinstance(sibling.task_spec, BoundaryEvent):
            return sibling
    return None


def park(step: Step, waiting: dict[UUID, SpiffTask]) -> None:
    """Park the library's due moment of every new deadline timer (call before the state is saved)."""
    for task in waiting.values():
        if not follows_attached_task(task.task_spec) or task._get_internal_data(FOLLOWS):
            continue
        owner = attached_task(task)
        own = task._get_internal_data("event_value")
        task._set_internal_data(
            event_value=NEVER.isoformat(),
            **{
                FOLLOWS: str(owner.id) if owner is not None else "",
                OWN_DUE: own if isinstance(own, str) else "",
            },
        )


def row_fields(step: Step, task: SpiffTask, default_due: datetime) -> dict[str, Any]:
    """Timer-row fields of a new waiting timer: where a deadline timer takes its due moment from."""
    owner = task._get_internal_data(FOLLOWS)
    if not owner:
        return {"due_at": default_due, "follows_task": None, "due_provisional": False}
    spiff_id = UUID(owner)
    row: dict[str, Any] = step.task_rows.get(spiff_id) or {}
    if not row:  # the task was there before this step
        found = (
            Task.objects.filter(instance_id=step.instance.pk, spiff_id=spiff_id, state=TaskState.READY)
            .values("due_at", "due_provisional", "paused_at")
            .first()
        )
        row = dict(found) if found else {}
    due, provisional = due_of(row.get("due_at"), bool(row.get("due_provisional")), row.get("paused_at"))
    if due is None:
        due = _own_due(task, default_due)
    return {"due_at": due, "follows_task": spiff_id, "due_provisional": provisional}


def due_of(
    due_at: datetime | None, provisional: bool, paused_at: datetime | None
) -> tuple[datetime | None, bool]:
    """A deadline timer's due moment for its task's deadline: held while the task is paused; None
    when the task has no deadline (the timer's own duration applies then)."""
    if due_at is None:
        return None, False
    if paused_at is not None:
        return NEVER, False
    return due_at, provisional


def _own_due(task: SpiffTask, default_due: datetime) -> datetime:
    own = task._get_internal_data(OWN_DUE)
    try:
        return TimerEventDefinition.get_datetime(own) if own else default_due
    except ValueError:
        return default_due


def follow(task: Task, due_at: datetime | None, provisional: bool, paused_at: datetime | None) -> int:
    """Move the pending deadline timers of a task to its deadline (held while paused); returns how
    many rows moved. Call in the transaction that changes the task's deadline or pause."""
    due, provisional = due_of(due_at, provisional, paused_at)
    if due is None:
        return 0  # the task has no deadline: its timers keep their own duration
    return Timer.objects.filter(
        instance_id=task.instance_id, follows_task=task.spiff_id, state=TimerState.PENDING
    ).update(due_at=due, due_provisional=provisional)


def release(workflow: BpmnWorkflow, timer: Timer) -> bool:
    """Let the library fire a deadline timer whose row is due: its parked due moment becomes the
    row's. False when the timer is no longer waiting in the workflow."""
    try:
        task = workflow.get_task_from_id(timer.spiff_id)
    except Exception:  # removed from the tree meanwhile
        return False
    task._set_internal_data(event_value=timer.due_at.isoformat())
    return True
