"""One deadline for a task and its overdue timer: the complaint flow's 处理超时 boundary timers carry
deadline="attachedTask" and fire at the handling task's SLA deadline (business time), are held
while the task waits for the customer and move when it resumes; a deadline computed while the
calendar lacks a year is provisional (weekends and 元旦 only) and recomputed when the year is entered.

Every test runs twice (restore_mode): with the workflow cache and restoring every step from the
database. The clock is moved, never slept on.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from engine import clock
from engine.calendar import forget
from engine.models import AuditEvent, BusinessCalendar, CalendarDay, CalendarYear, OutboxMessage, Task, Timer
from engine.models.runtime import TimerState
from engine.sla import replan_missing
from engine.sla_defaults import ensure_sla_setup
from engine.tasks import sweep
from tests.complaint_data import INTAKE, TRIAGE
from tests.helpers import complete, instance, only_task, start
from tests.times import at, shanghai

pytestmark = pytest.mark.usefixtures("restore_mode")


@pytest.fixture
def sla(cast, flow):  # type: ignore[no-untyped-def]
    for company in {u.company for u in cast.values()}:
        ensure_sla_setup(company)
    flow("complaint")


@pytest.fixture
def without_2027(sla):  # type: ignore[no-untyped-def]
    """2027 unknown to the calendar, whichever chinesecalendar release is installed."""
    CalendarDay.objects.filter(date__year=2027).delete()
    CalendarYear.objects.filter(year=2027).delete()
    forget()


def dispatched(api, priority: str) -> tuple[dict[str, Any], dict[str, Any]]:  # type: ignore[no-untyped-def]
    """A complaint dispatched to 工程部 now; returns (instance, handling task as the engineer sees it)."""
    agent = api("agent")
    started = start(agent, "complaint", INTAKE)
    complete(agent, only_task(agent, started["id"])["id"], {**TRIAGE, "priority": priority})
    return started, only_task(api("engineer"), started["id"])


def overdue_timer(instance_id: int) -> Timer:
    return Timer.objects.get(instance_id=instance_id, element_id="Timer_EngineeringOverdue")


def reminders(instance_id: int) -> int:
    return OutboxMessage.objects.filter(instance_id=instance_id, template_id="COMPLAINT_OVERDUE").count()


def test_the_overdue_timer_fires_at_the_business_time_deadline_not_after_24_hours(api, sla):
    clock.set_time(at("2026-12-07 19:05"))  # Monday evening, after working hours
    started, task = dispatched(api, "high")  # 8 working hours: Tuesday 7.5 h + Wednesday 0.5 h
    assert shanghai(task["due_at"]) == at("2026-12-09 09:30")
    timer = overdue_timer(started["id"])
    assert timer.due_at == at("2026-12-09 09:30") and str(timer.follows_task) == str(
        Task.objects.get(pk=task["id"]).spiff_id
    )
    shown = instance(api("agent"), started["id"])["timers"]
    assert [shanghai(t["due_at"]) for t in shown if t["state"] == "pending"] == [at("2026-12-09 09:30")]

    clock.set_time(at("2026-12-08 19:06"))  # 24 wall-clock hours later: not overdue yet
    assert sweep()["timers"] == 0 and reminders(started["id"]) == 0
    clock.set_time(at("2026-12-09 09:29"))
    assert sweep()["timers"] == 0
    clock.set_time(at("2026-12-09 09:31"))
    assert sweep()["timers"] == 1 and reminders(started["id"]) == 1
    assert only_task(api("engineer"), started["id"])["overdue"] is True  # the task goes on
    assert overdue_timer(started["id"]).state == TimerState.FIRED


def test_pausing_holds_the_overdue_timer_and_resuming_moves_it_with_the_deadline(api, sla):
    started, task = dispatched(api, "high")  # Friday 09:00 + 8 working hours → Monday 11-30 09:30
    assert shanghai(task["due_at"]) == at("2026-11-30 09:30")
    engineer = api("engineer")
    assert engineer.post(f"/api/tasks/{task['id']}/claim/").status_code == 200
    clock.set_time(at("2026-11-27 10:00"))
    paused = engineer.post(f"/api/tasks/{task['id']}/pause/", {"reason": "客户出差，约下周一"}, format="json")
    assert paused.status_code == 200, paused.content
    assert overdue_timer(started["id"]).is_held()

    clock.set_time(at("2026-11-30 09:31"))  # the original deadline passes while waiting
    assert sweep()["timers"] == 0 and reminders(started["id"]) == 0

    clock.set_time(at("2026-11-30 10:00"))  # paused 7.5 working hours: Friday 10:00–18:00 + Monday 1 h
    resumed = engineer.post(f"/api/tasks/{task['id']}/resume/")
    assert resumed.status_code == 200, resumed.content
    due = shanghai(resumed.json()["due_at"])
    assert due == at("2026-12-01 09:30")
    timer = overdue_timer(started["id"])
    assert timer.due_at == due and not timer.is_held()

    clock.set_time(at("2026-12-01 09:29"))
    assert sweep()["timers"] == 0
    clock.set_time(at("2026-12-01 09:31"))
    assert sweep()["timers"] == 1 and reminders(started["id"]) == 1


def test_a_deadline_past_the_calendars_last_year_is_provisional_and_settled_when_the_year_is_entered(
    api, without_2027
):
    clock.set_time(at("2026-12-31 10:00"))  # Thursday: 6.5 working hours left in 2026
    started, task = dispatched(api, "high")
    # 1.5 h into 2027 on the provisional calendar: 元旦 and the weekend off → Monday 01-04 10:30.
    assert shanghai(task["due_at"]) == at("2027-01-04 10:30") and task["due_provisional"] is True
    timer = overdue_timer(started["id"])
    assert timer.due_at == at("2027-01-04 10:30") and timer.due_provisional

    calendar = BusinessCalendar.objects.get(company_id=Task.objects.get(pk=task["id"]).company_id)
    with transaction.atomic():  # as the admin saves a year and its holidays: replanned on commit
        CalendarYear.objects.create(calendar=calendar, year=2027, source="人工维护")
        CalendarDay.objects.create(
            calendar=calendar, date=at("2027-01-01 00:00").date(), kind="holiday", name="元旦"
        )
        CalendarDay.objects.create(
            calendar=calendar, date=at("2027-01-04 00:00").date(), kind="holiday", name="调休"
        )

    settled = only_task(api("engineer"), started["id"])
    assert shanghai(settled["due_at"]) == at("2027-01-05 10:30") and settled["due_provisional"] is False
    assert "sla_calendar_missing" not in settled["flags"]
    timer.refresh_from_db()
    assert timer.due_at == at("2027-01-05 10:30") and not timer.due_provisional
    recomputed = AuditEvent.objects.filter(
        task_id=task["id"], action="sla", details__event="deadline_recomputed"
    )
    assert recomputed.count() == 1
    moved = recomputed.get().details["due_at"]
    assert [shanghai(moved["from"]), shanghai(moved["to"])] == [
        at("2027-01-04 10:30"),
        at("2027-01-05 10:30"),
    ]

    assert replan_missing(calendar.company_id) == 0  # idempotent: nothing provisional is left
    assert recomputed.count() == 1

    clock.set_time(at("2027-01-04 10:31"))  # the provisional moment: no longer the deadline
    assert sweep()["timers"] == 0
    clock.set_time(at("2027-01-05 10:31"))
    assert sweep()["timers"] == 1 and reminders(started["id"]) == 1


def test_the_api_marks_a_provisional_deadline_and_only_that(api, without_2027):
    agent = api("agent")
    clock.set_time(at("2026-12-30 09:00"))
    certain = only_task(agent, start(agent, "complaint", INTAKE)["id"])
    assert certain["due_provisional"] is False and shanghai(certain["due_at"]) == at("2026-12-30 11:00")

    clock.set_time(at("2026-12-31 17:00"))
    started = start(agent, "complaint", INTAKE)  # triage: 30 min response in 2026, 2 h resolution into 2027
    task = only_task(agent, started["id"])
    assert task["due_provisional"] is True and shanghai(task["due_at"]) == at("2027-01-04 10:00")
    assert shanghai(task["response_due_at"]) == at("2026-12-31 17:30")
    assert agent.get(f"/api/tasks/{task['id']}/").json()["due_provisional"] is True
