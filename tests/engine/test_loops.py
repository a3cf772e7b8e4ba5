"""Long rework loops keep running (SpiffWorkflow alone stalls after ~333 rounds of a 3-node loop)."""

import pytest

from engine.models import ProcessInstance
from tests.helpers import complete, instance, only_task, start


@pytest.mark.slow
def test_a_loop_of_350_rounds_runs_to_the_end(api, flow, restore_mode):
    flow("loop")
    agent = api("agent")
    started = start(agent, "loop", {"rounds": 0})
    for round_number in range(350):
        task = only_task(agent, started["id"])
        complete(agent, task["id"], {"again": round_number < 349})
    detail = instance(agent, started["id"])
    assert detail["status"] == "completed"
    assert detail["data"]["rounds"] == 350
    assert ProcessInstance.objects.get(pk=started["id"]).incidents.count() == 0


def test_each_round_creates_a_new_task_row(api, flow, restore_mode):
    flow("loop")
    agent = api("agent")
    started = start(agent, "loop", {"rounds": 0})
    first = only_task(agent, started["id"])
    complete(agent, first["id"], {"again": True, "note": "再看看"})
    second = only_task(agent, started["id"])
    assert second["id"] != first["id"]
    assert second["element_id"] == first["element_id"] == "Task_Work"


def test_an_endless_automatic_loop_becomes_an_incident_instead_of_hanging(api, flow, settings):
    settings.ANJU_MAX_ENGINE_STEPS = 300
    flow("autoloop")
    agent = api("agent")
    started = start(agent, "autoloop", {"n": 0, "limit": 10**9})
    assert started["status"] == "incident"
    incident = instance(agent, started["id"])["incidents"][0]
    assert incident["kind"] == "stall" and "300" in incident["message"]


def test_a_long_automatic_loop_within_the_limit_finishes(api, flow):
    flow("autoloop")
    agent = api("agent")
    started = start(agent, "autoloop", {"n": 0, "limit": 500})
    assert started["status"] == "completed"
    assert instance(agent, started["id"])["data"]["n"] == 500
