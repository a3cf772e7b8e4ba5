"""One transaction per engine step: a crash half-way leaves the previous state, and the flow
carries on from it afterwards; the in-process loop of embedded mode fires timers by itself."""

import time
from datetime import timedelta

import pytest

from engine import clock, sqlbatch
from engine.models import AuditEvent, ProcessInstance, Task
from engine.worker import InProcessLoop
from tests.helpers import complete, instance, only_task, start


def test_a_crash_while_writing_a_step_leaves_the_previous_state(api, flow, monkeypatch, restore_mode):
    flow("loop")
    agent = api("agent")
    started = start(agent, "loop", {"rounds": 0})
    task = only_task(agent, started["id"])
    before = ProcessInstance.objects.get(pk=started["id"])
    events = AuditEvent.objects.count()

    def crash(self: sqlbatch.Batch) -> None:
        raise RuntimeError("the database went away half-way through the step")

    monkeypatch.setattr(sqlbatch.Batch, "flush", crash)
    with pytest.raises(RuntimeError):
        agent.post(f"/api/tasks/{task['id']}/complete/", {"data": {"again": True}}, format="json")
    monkeypatch.undo()

    after = ProcessInstance.objects.get(pk=started["id"])
    assert (after.revision, bytes(after.state)) == (before.revision, bytes(before.state))
    assert Task.objects.get(pk=task["id"]).state == "ready"
    assert AuditEvent.objects.count() == events
    complete(agent, task["id"], {"again": False})
    assert instance(agent, started["id"])["status"] == "completed"


@pytest.mark.django_db(transaction=True)  # the loop is a thread: it sees committed rows only
def test_the_in_process_loop_fires_due_timers(api, flow):
    flow("timers")
    agent = api("agent")
    started = start(agent, "timers")
    loop = InProcessLoop(interval=0.05)
    loop.start()
    try:
        clock.advance(timedelta(hours=5))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not only_task_names(agent, started["id"]):
            time.sleep(0.05)
    finally:
        loop.stop()
        loop.join(5)
    assert only_task_names(agent, started["id"]) == ["领导督办"]


def only_task_names(client, instance_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    tasks = client.get("/api/tasks/", {"state": "ready"}).json()["results"]
    return [t["name"] for t in tasks if t["instance"]["id"] == instance_id and t["name"] == "领导督办"]
