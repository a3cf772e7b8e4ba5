"""The repair demo (`anju_setup`): a repair in each status a person sees, driven through the flow,
with the dispatcher's and the technician's work waiting in their inboxes; loaded once."""

from __future__ import annotations

from engine.models import Bill, OutboxMessage
from tests.helpers import tasks
from webapp.repairs.demo import load_demo_repairs
from webapp.repairs.models import Repair, Status


def test_the_demo_has_a_repair_in_each_status(api, cast, repairs):
    assert load_demo_repairs(cast) == 7
    assert sorted(Repair.objects.values_list("status", flat=True)) == sorted(Status.values)
    closed = Repair.objects.get(status="closed")
    assert (
        closed.response_seconds and closed.completion_seconds and closed.satisfaction == 5 and closed.bill_id
    )
    assert Bill.objects.filter(instance_id=Repair.objects.get(status="done").instance_id).exists()
    assert OutboxMessage.objects.filter(template_id="REPAIR_EMERGENCY").count() == 1
    waiting = {t["element_id"] for t in tasks(api("dispatcher"), mine=1, claimable=1)}
    assert {"Task_Dispatch", "Task_Close"} <= waiting
    assert "Task_Done" in {t["element_id"] for t in tasks(api("technician"), mine=1, claimable=1)}
    assert "Task_Callback" in {t["element_id"] for t in tasks(api("agent"), mine=1, claimable=1)}
    assert load_demo_repairs(cast) == 0  # once
