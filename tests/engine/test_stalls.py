"""An instance that waits for nothing that can ever come is an incident "stalled at <element>"
the moment it stops (runner.persist, every step); waiting for a person, a timer, a service call
or a message is not a stall. Scripts that can only fail are refused at deploy (engine/lint.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine import clock
from engine.messages import do_deliver_message
from engine.models import Incident, ServiceCall
from engine.tasks import sweep
from tests.helpers import complete, instance, only_task, start

pytestmark = pytest.mark.usefixtures("restore_mode")

CUSTOMER = {"customer_name": "李四", "customer_mobile": "139 0013 9000", "room": "5-1203"}


def stall_incidents(detail: dict) -> list[dict]:
    return [i for i in detail["incidents"] if i["kind"] == "stall" and i["resolved_at"] is None]


@pytest.mark.parametrize(
    ("kind", "element"), [("signal", "Catch_Never"), ("join", "Join_Both")], ids=["signal", "join"]
)
def test_an_instance_waiting_for_nothing_is_a_stall_incident_naming_the_element(api, flow, kind, element):
    flow("stall")
    agent = api("agent")
    started = start(agent, "stall", {"kind": kind})
    detail = instance(agent, started["id"])
    assert detail["status"] == "incident"
    (incident,) = stall_incidents(detail)
    assert incident["element_id"] == element
    assert incident["message"].startswith(f"stalled at {element}")


def test_retrying_a_stall_that_still_cannot_move_raises_it_again(api, flow):
    flow("stall")
    started = start(api("agent"), "stall", {"kind": "signal"})
    first = Incident.objects.get(instance_id=started["id"])
    response = api("cs_head").post(f"/api/incidents/{first.pk}/retry/", {}, format="json")
    assert response.status_code == 200, response.content
    detail = instance(api("agent"), started["id"])
    assert detail["status"] == "incident"
    assert [i["element_id"] for i in stall_incidents(detail)] == ["Catch_Never"]


def test_waiting_for_a_timer_or_a_message_is_not_a_stall(api, flow):
    flow("stall")
    agent = api("agent")
    timed = start(agent, "stall", {"kind": "timer"})
    waiting = start(agent, "stall", {"kind": "message"})
    for started in (timed, waiting):
        detail = instance(agent, started["id"])
        assert detail["status"] == "running" and not detail["incidents"], detail
    clock.advance(timedelta(hours=1, seconds=1))
    assert sweep()["timers"] == 1
    assert instance(agent, timed["id"])["status"] == "completed"
    assert do_deliver_message(waiting["id"], "comes_later", {})
    assert instance(agent, waiting["id"])["status"] == "completed"


def test_a_pending_service_call_and_a_user_task_are_not_stalls(api, flow, monkeypatch, settings):
    """Production mode: the call waits for a worker (here: its dispatch message is lost)."""
    settings.ANJU_NOTIFY_IN_STEP = False  # the SMS stands in for an adapter that calls out
    flow("service")
    agent = api("agent")
    with monkeypatch.context() as patched:
        patched.setattr("engine.services.dispatch_calls", lambda keys: None)
        started = start(agent, "service", CUSTOMER)
    assert ServiceCall.objects.get(instance_id=started["id"]).state == "pending"
    detail = instance(agent, started["id"])
    assert detail["status"] == "running" and not detail["incidents"]
    clock.advance(timedelta(minutes=5))
    sweep()  # the sweeper runs the call whose lease ran out; the flow reaches a user task
    detail = instance(agent, started["id"])
    assert detail["status"] == "running" and not detail["incidents"]
    assert only_task(agent, started["id"])["name"] == "核对赔付"
    complete(agent, only_task(agent, started["id"])["id"], {"amount": 10})
    assert not Incident.objects.filter(instance_id=started["id"], kind="stall").exists()
