"""Firing due timers. `fire_one_due_timer()` fires at most one and says whether it did; the worker
loop (Celery beat → `engine.tasks.sweep`, or the in-process loop) calls it until it returns False.

Lock order: every change to an instance's timer rows happens under that instance's row lock, so
the instance row is the one lock taken here, with SKIP LOCKED: several workers never fire one
timer twice and never wait on each other (a timer row lock first would deadlock against a step
that holds the instance and cancels the timer). A timer that follows its task's deadline
(engine.deadline_timers) fires when its row's due moment has passed, read again under the lock.
"""

from __future__ import annotations

from . import clock
from .deadline_timers import release
from .models import Timer
from .models.runtime import TimerState
from .projection import timer_ids
from .runner import Skip, Step, run_step


def fire_one_due_timer() -> bool:
    now = clock.now()
    due = (
        Timer.objects.filter(state=TimerState.PENDING, due_at__lt=now)
        .order_by("due_at")
        .values_list("pk", "instance_id")[:20]
    )
    for timer_pk, instance_id in due:

        def action(step: Step, timer_pk: int = timer_pk) -> None:
            timer = Timer.objects.filter(pk=timer_pk, state=TimerState.PENDING).first()
            if timer is None:
                raise Skip  # fired or cancelled by another step meanwhile
            # A deadline timer: its row is the truth (the task may have been paused or its deadline
            # moved since the row was read); the library's own due moment is parked.
            if timer.follows_task is not None and (
                timer.due_at >= step.now or not release(step.workflow, timer)
            ):
                raise Skip
            if step.guard(step.workflow.refresh_timers):
                step.advance()
            if timer.spiff_id in timer_ids(step.workflow):
                raise Skip  # not due by the workflow's reading of the clock yet

        if run_step(instance_id, None, action, skip_locked=True) is not None:
            return True
    return False
