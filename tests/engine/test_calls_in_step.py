"""SMS inside the engine step that reaches it (engine/calls_in_step.py): the outbox row commits
with the completed service task, the flow moves on in the same step, and the response of the
request says which tasks it made ready."""

from typing import Any

import pytest

from engine import actions, projection
from engine.models import OutboxMessage, ProcessInstance, ServiceCall
from tests.conftest import celery_through
from tests.helpers import audit_actions, complete, instance, start

pytestmark = pytest.mark.usefixtures("restore_mode")

CUSTOMER = {"customer_name": "李四", "customer_mobile": "139 0013 9000", "room": "5-1203"}


def test_the_sms_is_sent_in_the_step_that_reaches_it_and_the_next_task_is_named(api, flow):
    flow("service")
    agent = api("agent")
    started = start(agent, "service", CUSTOMER)
    assert started["revision"] == 1  # one engine step: the start, the SMS and the next task
    assert [t["name"] for t in started["next_tasks"]] == ["核对赔付"] and started["waiting_for"] == []
    sms = OutboxMessage.objects.get(instance_id=started["id"])
    call = ServiceCall.objects.get(instance_id=started["id"])
    assert (call.state, call.attempts, call.idempotency_key) == ("done", 1, sms.idempotency_key)
    assert call.result == {"message_id": sms.pk, "status": "recorded", "recipient": "+8613900139000"}
    assert instance(agent, started["id"])["data"]["sms_result"]["message_id"] == sms.pk
    assert audit_actions(agent, started["id"])[:3] == ["start", "service_call", "service_result"]


def test_a_completion_names_no_task_when_the_flow_ends_and_waits_for_nothing(api, flow):
    flow("service")
    agent = api("agent")
    started = start(agent, "service", CUSTOMER)
    # Embedded mode: the bill is an asynchronous call that ran before the response.
    done = complete(agent, started["next_tasks"][0]["id"], {"amount": 88.8})
    assert done["state"] == "completed" and done["next_tasks"] == [] and done["waiting_for"] == []
    assert instance(agent, started["id"])["status"] == "completed"


def test_a_call_still_running_in_the_background_is_named(api, flow):
    flow("service")
    agent = api("agent")
    started = start(agent, "service", CUSTOMER)
    with celery_through("memory://"):  # a broker no worker consumes: the bill stays pending
        done = complete(agent, started["next_tasks"][0]["id"], {"amount": 88.8})
    assert done["next_tasks"] == [] and done["waiting_for"] == ["记账"]


def test_a_step_that_fails_after_the_sms_leaves_no_message(api, flow, cast, monkeypatch):
    flow("service")

    def broken(*args: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(projection, "sync_tasks", broken)
    with pytest.raises(RuntimeError):
        actions.do_start_instance(cast["agent"], "service", CUSTOMER)
    assert not OutboxMessage.objects.exists() and not ProcessInstance.objects.filter(process_key="service")


def test_with_the_setting_off_the_sms_goes_the_asynchronous_way(api, flow, settings):
    settings.ANJU_NOTIFY_IN_STEP = False
    flow("service")
    agent = api("agent")
    with celery_through("memory://"):
        started = start(agent, "service", CUSTOMER)
    assert started["next_tasks"] == [] and started["waiting_for"] == ["受理短信"]
    assert not OutboxMessage.objects.exists()
