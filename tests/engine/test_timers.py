"""Timers are stored with their due time and fired by the worker when the engine clock passes it."""

from datetime import datetime, timedelta

import pytest

from engine import clock
from engine.models import Timer
from engine.tasks import sweep
from engine.timers import fire_one_due_timer
from tests.conftest import START
from tests.helpers import audit_actions, complete, instance, only_task, start, tasks

pytestmark = pytest.mark.usefixtures("restore_mode")


def test_a_boundary_timer_interrupts_the_task_and_escalates(api, flow):
    flow("timers")
    agent, head = api("agent"), api("head")
    started = start(agent, "timers")
    answer = only_task(agent, started["id"])
    assert datetime.fromisoformat(answer["due_at"]) == START + timedelta(hours=2)
    timer = Timer.objects.get(instance_id=started["id"], element_id="Timer_Escalate")
    assert timer.due_at == START + timedelta(hours=4) and timer.state == "pending"

    clock.advance(timedelta(hours=3))
    assert only_task(agent, started["id"])["overdue"] is True
    assert fire_one_due_timer() is False  # not due yet

    clock.advance(timedelta(hours=1, seconds=1))
    assert fire_one_due_timer() is True
    assert fire_one_due_timer() is False
    timer.refresh_from_db()
    assert timer.state == "fired"
    assert tasks(agent, mine=1, claimable=1) == []
    cancelled = tasks(agent, state="cancelled")
    assert [t["id"] for t in cancelled] == [answer["id"]]
    escalated = only_task(head, started["id"])
    assert escalated["name"] == "领导督办"
    complete(head, escalated["id"], {"answer": "已电话联系客户。"})
    assert instance(agent, started["id"])["status"] == "completed"
    assert "timer_fired" in audit_actions(agent, started["id"])


def test_completing_in_time_cancels_the_boundary_timer_and_waits_on_the_next(api, flow):
    flow("timers")
    agent = api("agent")
    started = start(agent, "timers")
    complete(agent, only_task(agent, started["id"])["id"], {"answer": "已答复", "wait": "P1D"})
    boundary = Timer.objects.get(instance_id=started["id"], element_id="Timer_Escalate")
    assert boundary.state == "cancelled"
    waiting = Timer.objects.get(instance_id=started["id"], element_id="Timer_Wait")
    assert waiting.due_at == START + timedelta(days=1)

    clock.advance(timedelta(days=1, minutes=1))
    assert sweep()["timers"] == 1
    assert instance(agent, started["id"])["status"] == "completed"


def test_two_sweeps_never_fire_one_timer_twice(api, flow):
    flow("timers")
    agent = api("agent")
    ids = [start(agent, "timers")["id"] for _ in range(3)]
    clock.advance(timedelta(hours=5))
    assert sweep()["timers"] == 3
    assert sweep()["timers"] == 0
    assert Timer.objects.filter(instance_id__in=ids, state="fired").count() == 3


@pytest.mark.django_db(transaction=True)  # four threads, four connections
def test_four_workers_sweeping_at_once_fire_each_timer_exactly_once(api, flow):
    import threading

    from django.db import connection

    from engine.models import AuditEvent

    flow("timers")
    agent = api("agent")
    ids = [start(agent, "timers")["id"] for _ in range(30)]
    clock.advance(timedelta(hours=5))
    fired: list[int] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        try:
            barrier.wait()
            count = 0
            while fire_one_due_timer():
                count += 1
            fired.append(count)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(fired) == 30
    assert AuditEvent.objects.filter(instance_id__in=ids, action="timer_fired").count() == 30
    assert Timer.objects.filter(instance_id__in=ids, state="fired").count() == 30
