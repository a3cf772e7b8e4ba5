"""Service tasks: adapters run after commit, at least once, deduplicated by idempotency key;
transient failures retry with backoff, then become incidents an operator retries."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from engine import clock
from engine.adapters import Adapter, CallContext, Operation, Param, register
from engine.adapters.registry import _ADAPTERS
from engine.models import Bill, Incident, NotificationTemplate, OutboxMessage, ServiceCall
from engine.services import lease_seconds, record_result, renew_lease, run_call, take_call
from engine.tasks import sweep
from tests.helpers import audit_actions, complete, instance, only_task, start

pytestmark = pytest.mark.usefixtures("restore_mode")

CUSTOMER = {"customer_name": "李四", "customer_mobile": "139 0013 9000", "room": "5-1203"}


class FlakyAdapter(Adapter):
    """Fails the first `fail_times` calls for each idempotency key, like a gateway timing out."""

    prefix = "test"
    operations = (Operation("flaky", "fails a number of times", (Param("fail_times", "how many"),)),)

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def call(self, operation: str, params: dict[str, Any], context: CallContext) -> dict[str, Any]:
        self.calls[context.idempotency_key] += 1
        if self.calls[context.idempotency_key] <= params["fail_times"]:
            raise ConnectionError("gateway timed out")
        return {"ok": True, "attempt": self.calls[context.idempotency_key]}


@pytest.fixture
def async_notify(settings):  # type: ignore[no-untyped-def]
    """SMS through the asynchronous call path (a worker, a lease), as for any adapter that calls out:
    the SMS is the flow fixture's only call, so it stands in for those here."""
    settings.ANJU_NOTIFY_IN_STEP = False


@pytest.fixture
def flaky(cast):  # type: ignore[no-untyped-def]
    adapter = FlakyAdapter()
    register(adapter)
    yield adapter
    _ADAPTERS.pop("test", None)


def test_sms_and_bill_are_recorded_once_each(api, flow):
    flow("service")
    agent = api("agent")
    started = start(agent, "service", CUSTOMER)
    sms = OutboxMessage.objects.get(instance_id=started["id"])
    assert sms.template_id == "COMPLAINT_ACCEPTED" and sms.recipient == "+8613900139000"
    assert "李四" in sms.content and started["business_key"] in sms.content

    complete(agent, only_task(agent, started["id"])["id"], {"amount": 88.8})
    bill = Bill.objects.get(instance_id=started["id"])
    assert bill.amount == Decimal("88.80") and bill.direction == "payable"
    detail = instance(agent, started["id"])
    assert detail["status"] == "completed"
    assert detail["data"]["bill"]["amount"] == "88.80"
    assert [c["state"] for c in detail["service_calls"]] == ["done", "done"]


@pytest.mark.usefixtures("async_notify")
def test_running_a_call_again_sends_nothing_twice(api, flow):
    flow("service")
    started = start(api("agent"), "service", CUSTOMER)
    call = ServiceCall.objects.get(instance_id=started["id"])
    run_call(call.idempotency_key)  # already done: nothing happens
    call.state = "pending"  # as if a second worker had picked it up before the first recorded it
    call.save()
    run_call(call.idempotency_key, call.next_attempt_at)  # its message: the adapter runs again
    assert ServiceCall.objects.get(pk=call.pk).state == "done"  # and its result was recorded
    record_result(call, {"message_id": 0})
    assert OutboxMessage.objects.filter(instance_id=started["id"]).count() == 1


def test_a_transient_failure_is_retried_with_backoff(api, flow, flaky):
    flow("flaky")
    agent = api("agent")
    started = start(agent, "flaky", {"fail_times": 1})
    call = ServiceCall.objects.get(instance_id=started["id"])
    assert (call.state, call.attempts) == ("pending", 1)
    assert call.next_attempt_at == clock.now() + timedelta(seconds=10)
    assert sweep()["calls"] == 0
    clock.advance(timedelta(seconds=11))
    assert sweep()["calls"] == 1
    assert instance(agent, started["id"])["status"] == "completed"
    actions = audit_actions(agent, started["id"])
    assert actions.index("service_failed") < actions.index("service_result")


def test_after_the_last_attempt_an_incident_is_opened_and_an_operator_retries_it(api, flow, flaky):
    flow("flaky")
    agent, cs_head = api("agent"), api("cs_head")
    started = start(agent, "flaky", {"fail_times": 3})
    for _ in range(3):
        clock.advance(timedelta(minutes=5))
        sweep()
    detail = instance(agent, started["id"])
    assert detail["status"] == "incident"
    incident = detail["incidents"][0]
    assert incident["kind"] == "service" and "gateway timed out" in incident["message"]
    assert detail["service_calls"][0]["state"] == "failed"

    response = cs_head.post(f"/api/incidents/{incident['id']}/retry/", {}, format="json")
    assert response.status_code == 200, response.content
    detail = instance(agent, started["id"])
    assert detail["status"] == "completed"
    assert detail["data"]["flaky_result"] == {"ok": True, "attempt": 4}


def test_a_permanent_error_opens_an_incident_at_once(api, flow):
    NotificationTemplate.objects.filter(template_id="COMPLAINT_ACCEPTED").delete()
    flow("service")
    agent, cs_head = api("agent"), api("cs_head")
    started = start(agent, "service", CUSTOMER)
    assert started["status"] == "incident"
    incident = Incident.objects.get(instance_id=started["id"])
    assert "COMPLAINT_ACCEPTED" in incident.message and incident.element_id == "Service_Sms"
    assert ServiceCall.objects.get(instance_id=started["id"]).attempts == 1

    from engine.adapters.default_templates import ensure_default_templates

    ensure_default_templates()
    assert cs_head.post(f"/api/incidents/{incident.pk}/retry/", {}, format="json").status_code == 200
    assert only_task(agent, started["id"])["name"] == "核对赔付"
    assert instance(agent, started["id"])["status"] == "running"


def _lost_dispatch(api: Any, flow: Any) -> ServiceCall:
    """A complaint whose SMS call went to a broker no worker consumes."""
    from tests.conftest import celery_through

    flow("service")
    with celery_through("memory://"):
        started = start(api("agent"), "service", CUSTOMER)
    call = ServiceCall.objects.get(instance_id=started["id"])
    assert call.state == "pending" and not OutboxMessage.objects.exists()
    return call


@pytest.mark.usefixtures("async_notify")
def test_a_lost_dispatch_runs_within_one_short_lease(api, flow):
    call = _lost_dispatch(api, flow)
    assert call.next_attempt_at <= clock.now() + timedelta(seconds=lease_seconds())
    assert sweep()["calls"] == 0
    clock.advance(timedelta(seconds=lease_seconds() + 1))
    assert sweep()["calls"] == 1
    assert OutboxMessage.objects.filter(instance_id=call.instance_id).count() == 1


@pytest.mark.usefixtures("async_notify")
def test_a_call_taken_by_a_worker_that_died_runs_again_within_30_seconds(api, flow):
    call = _lost_dispatch(api, flow)
    assert take_call(call.idempotency_key, call.next_attempt_at) is not None  # then the worker dies
    clock.advance(timedelta(seconds=10))
    assert sweep()["calls"] == 0
    clock.advance(timedelta(seconds=lease_seconds() - 10 + 1))
    assert sweep()["calls"] == 1
    call.refresh_from_db()
    assert call.state == "done" and OutboxMessage.objects.filter(instance_id=call.instance_id).count() == 1
    assert lease_seconds() + 1 <= 30


@pytest.mark.usefixtures("async_notify")
def test_a_call_whose_worker_is_alive_is_not_taken_twice(api, flow):
    call = _lost_dispatch(api, flow)
    dispatched = call.next_attempt_at
    held = take_call(call.idempotency_key, dispatched)
    assert held is not None
    for _ in range(4):  # the adapter runs for a minute; its heartbeat renews the lease
        clock.advance(timedelta(seconds=lease_seconds() * 2 / 3))
        held = renew_lease(call.pk, held)
        assert held is not None
        assert sweep()["calls"] == 0
        run_call(call.idempotency_key, dispatched.isoformat())  # a late or redelivered message
        assert take_call(call.idempotency_key) is None
    assert not OutboxMessage.objects.exists()
    call.refresh_from_db()
    assert call.state == "pending" and call.next_attempt_at == held


def test_the_heartbeat_renews_the_lease_until_the_adapter_returns(settings, monkeypatch):
    import time

    from engine import services

    settings.ANJU_SERVICE_LEASE_SECONDS = 0.06  # a beat every 20 ms
    renewals: list[int] = []

    def renew(pk: int, held: Any) -> Any:
        renewals.append(pk)
        return held + timedelta(seconds=1)

    monkeypatch.setattr(services, "renew_lease", renew)
    start_at = clock.now()
    beat = services._Heartbeat(7, start_at)
    beat.start()
    time.sleep(0.2)  # the adapter at work
    beat.stop()
    count = len(renewals)
    assert count >= 3 and set(renewals) == {7} and beat.held == start_at + timedelta(seconds=count)
    time.sleep(0.05)
    assert len(renewals) == count  # stopped with the adapter
