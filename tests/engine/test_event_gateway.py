"""A timer waiting on an event-based gateway is a Timer row and fires on time; the other event
cancels it."""

from datetime import timedelta

from engine import clock
from engine.models import Timer
from engine.tasks import sweep
from tests.helpers import complete, instance, only_task, start


def test_the_timer_of_an_event_based_gateway_fires(api, flow):
    flow("eventgate")
    started = start(api("agent"), "eventgate", {})
    assert Timer.objects.get(instance_id=started["id"]).element_id == "Gateway_Wait"
    clock.advance(timedelta(hours=1, seconds=1))
    assert sweep()["timers"] == 1
    assert "End_Reminded" in instance(api("agent"), started["id"])["completed_elements"]


def test_the_other_event_ends_the_wait(api, flow):
    flow("eventgate")
    agent = api("agent")
    started = start(agent, "eventgate", {})
    complete(agent, only_task(agent, started["id"])["id"], {})
    assert Timer.objects.get(instance_id=started["id"]).state != "pending"
    clock.advance(timedelta(hours=2))
    assert sweep()["timers"] == 0
    detail = instance(agent, started["id"])
    assert detail["status"] == "completed" and "End_Skipped" in detail["completed_elements"]
