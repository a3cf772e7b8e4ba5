"""Running flows through the past: the engine clock moved forward event by event.

A case is a generator: it yields the moment it wants to act next, and when resumed it acts as
the people of the demo do (the same `do_*` functions the pages and the API call). The
`Simulation` runs every case in time order; before each action it moves the engine clock forward
through every due timer, SLA event and service call in between and runs the sweeps at those
moments, as the worker would have. A case whose next moment lies beyond the end stops there: its
work stays open, as unfinished work does.
"""

from __future__ import annotations

import heapq
import logging
import random
from collections.abc import Generator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Min

from engine import clock
from engine.actions import do_claim_task, do_complete_task
from engine.calendar import WorkCalendar, calendar_for
from engine.models import ServiceCall, Task, Timer
from engine.models.runtime import CallState, TaskState, TimerState
from engine.services import run_one_due_call
from engine.sla import SWEEP_BATCH, sweep_sla
from engine.timers import fire_one_due_timer

log = logging.getLogger(__name__)

ZONE = ZoneInfo("Asia/Shanghai")
Case = Generator[datetime, None, None]
TICK = timedelta(seconds=1)  # SpiffWorkflow fires a timer strictly after its due time


class Simulation:
    """The demo company's past up to `end` (aware), seeded: the same cases give the same history."""

    def __init__(self, company_id: int, users: dict[str, Any], end: datetime, seed: int) -> None:
        self.company_id = company_id
        self.users = users
        self.end = end
        self.rng = random.Random(seed)  # noqa: S311 (the pace of demo people, not secrets)
        calendar = calendar_for(company_id)
        if calendar is None:
            raise RuntimeError("the demo company has no working calendar (ensure_sla_setup first)")
        # The people's pace is counted on the calendar, guessing a year it lacks (the engine's own
        # deadlines follow the engine's rules).
        provisional = getattr(calendar, "provisional", None)
        self.calendar: WorkCalendar = provisional() if provisional is not None else calendar
        self._cases: list[tuple[datetime, int, Case]] = []
        self._count = 0
        self.sweeps = 0

    # --- time ------------------------------------------------------------------------------

    def day(self, days_before_end: int) -> date:
        """The working day on or after the date `days_before_end` days before the end."""
        day = self.end.astimezone(ZONE).date() - timedelta(days=days_before_end)
        while not self.calendar.is_workday(day):
            day += timedelta(days=1)
        return day

    def at(self, day: date, hhmm: str, jitter: int = 0) -> datetime:
        """`day` at local time hh:mm, give or take up to `jitter` minutes (seeded)."""
        hours, minutes = (int(part) for part in hhmm.split(":"))
        moment = datetime.combine(day, time(hours, minutes), ZONE)
        if jitter:
            moment += timedelta(minutes=self.rng.randint(0, jitter))
        return moment.astimezone(UTC)

    def later(self, start: datetime, business_minutes: float) -> datetime:
        """`business_minutes` of working time after `start` on the company's calendar."""
        return self.calendar.add(start, max(business_minutes, 1))

    def minutes(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    # --- cases -----------------------------------------------------------------------------

    def add(self, case: Case) -> None:
        """Schedule a case; it runs from the first moment it yields."""
        first = next(case, None)
        if first is not None:
            self._push(first, case)

    def _push(self, moment: datetime, case: Case) -> None:
        self._count += 1
        heapq.heappush(self._cases, (moment, self._count, case))

    def run(self) -> None:
        """Run every case in time order, then the sweeps up to the end; the clock is given back as
        it was."""
        if not self._cases:
            return
        with clock.frozen_clock(self._cases[0][0]):
            while self._cases:
                moment, _n, case = heapq.heappop(self._cases)
                if moment > self.end:
                    continue  # what would happen later has not happened yet
                self.advance_to(moment)
                following = next(case, None)
                if following is not None:
                    self._push(max(following, clock.now()), case)
            self.advance_to(self.end)

    def advance_to(self, target: datetime) -> None:
        """Move the clock to `target`, running the sweeps at each moment something falls due."""
        current, swept = clock.now(), None
        due = self._next_due()
        while due is not None and due < target:
            if due == swept:  # the sweep could do nothing about it: no busy loop
                log.warning("demo history: work due at %s could not be swept", due)
                break
            current = max(due + TICK, current)
            if current >= target:
                break
            clock.set_time(current)
            self.sweep()
            swept, due = due, self._next_due()
        if target > clock.now():
            clock.set_time(target)

    def _next_due(self) -> datetime | None:
        moments = [
            Timer.objects.filter(state=TimerState.PENDING, due_at__year__lt=9999).aggregate(m=Min("due_at"))[
                "m"
            ],
            Task.objects.filter(state=TaskState.READY, sla_next_at__isnull=False).aggregate(
                m=Min("sla_next_at")
            )["m"],
            ServiceCall.objects.filter(state=CallState.PENDING).aggregate(m=Min("next_attempt_at"))["m"],
        ]
        found = [m for m in moments if m is not None]
        return min(found) if found else None

    def sweep(self) -> None:
        """What the worker's sweep does (engine.tasks.sweep), at the moved time. The audit chain is
        sealed later by the running site, in the order the events were written."""
        self.sweeps += 1
        while fire_one_due_timer():
            pass
        while run_one_due_call():
            pass
        while sweep_sla()[0] >= SWEEP_BATCH:
            pass

    # --- people at work --------------------------------------------------------------------

    def task(self, instance: Any, element_id: str) -> Task:
        return Task.objects.get(instance=instance, state=TaskState.READY, element_id=element_id)

    def claim(self, who: str, instance: Any, element_id: str) -> Task:
        task = self.task(instance, element_id)
        if task.assignee_id is None:
            task = do_claim_task(self.users[who], task)
        return task

    def complete(self, who: str, instance: Any, element_id: str, data: dict[str, Any]) -> Task:
        task = self.task(instance, element_id)
        return do_complete_task(self.users[who], task, data)

    def waiting(self, instance: Any, element_id: str) -> bool:
        return Task.objects.filter(instance=instance, state=TaskState.READY, element_id=element_id).exists()
