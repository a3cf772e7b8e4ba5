"""催缴 (flow dunning) through the API: the hourly job starts one instance per overdue payer and
estate (idempotent), which sends a reminder SMS, waits three business days, sends a second notice,
waits again and asks 物业部 for a steward's visit; a payer who pays at the desk meanwhile gets no
further SMS and the instance ends at the next check. Straight and restored from the database.

November's bills of 滨海花园 (posted on Friday 11-27) are all 陈业主's: 1502 254.70, 0101 342.00 and
0802 190.00 = 786.70 元, due Saturday 12-12; the job runs on Monday 12-14.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine import clock
from engine.models import OutboxMessage, ProcessInstance, Timer
from engine.models.runtime import TimerState
from engine.tasks import hourly, sweep
from tests.helpers import complete, tasks
from tests.helpers import instance as instance_detail
from tests.times import at
from webapp.billing.dunning import start_dunning

from .conftest import bills, pay, run_and_post


@pytest.fixture
def overdue(api: Any, billed: dict[str, Any], cast: dict, flow: Any) -> dict[str, Any]:
    from engine.sla_defaults import ensure_sla_setup

    ensure_sla_setup(cast["steward"].company)
    flow("dunning")
    run_and_post(api("steward"), billed, "2026-11")
    clock.set_time(at("2026-12-14 09:00"))
    return billed


def dunning_of(place: dict[str, Any]) -> ProcessInstance:
    return ProcessInstance.objects.get(process_key="dunning", business_key__startswith="DUN-BINHAI-")


def sms(template: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(template_id=template).order_by("pk"))


def visit_task(client: Any, instance_id: int) -> list[dict[str, Any]]:
    return [t for t in tasks(client, claimable=1, mine=1) if t["instance"]["id"] == instance_id]


def test_an_overdue_payer_is_reminded_twice_then_visited(api, overdue, restore_mode):
    owner = overdue["owner"]
    started = hourly()
    assert started["billing.dunning"] == 1
    dunning = dunning_of(overdue)
    assert dunning.business_key == f"DUN-BINHAI-{owner.pk}-202612" and dunning.status == "running"
    assert dunning.title == "催缴 · 陈业主 · 安居·滨海花园"
    [reminder] = sms("BILL_REMINDER")
    assert reminder.recipient.endswith("13912345678") and reminder.instance_id == dunning.pk
    assert (
        "786.70元" in reminder.content and "2026-12-12" in reminder.content and "陈业主" in reminder.content
    )
    # the hour after: nothing twice
    assert start_dunning() == 0 and ProcessInstance.objects.filter(process_key="dunning").count() == 1
    timer = Timer.objects.get(instance=dunning, state=TimerState.PENDING)
    assert timer.due_at == at("2026-12-16 18:00")  # three business days: Monday to Wednesday's end

    clock.set_time(at("2026-12-16 17:59"))
    assert sweep()["timers"] == 0 and sms("BILL_SECOND_NOTICE") == []
    clock.set_time(at("2026-12-17 09:01"))
    assert sweep()["timers"] == 1
    [second] = sms("BILL_SECOND_NOTICE")
    assert second.recipient.endswith("13912345678") and "786.70元" in second.content
    timer = Timer.objects.get(instance=dunning, state=TimerState.PENDING)
    assert timer.due_at == at("2026-12-22 09:01")  # Thursday + 3 business days: over the weekend
    assert visit_task(api("steward"), dunning.pk) == []

    clock.set_time(at("2026-12-22 09:30"))
    assert sweep()["timers"] == 1
    [visit] = visit_task(api("steward"), dunning.pk)
    assert visit["element_id"] == "Task_Visit" and visit["lane"] == "物业部"
    assert visit_task(api("engineer"), dunning.pk) == []  # 工程部 has no part in it
    assert api("outsider").get(f"/api/tasks/{visit['id']}/").status_code == 404
    steward = api("steward")
    refused = complete(steward, visit["id"], {"visit_outcome": "promised"}, status=400)
    assert "promised_on" in refused["field_errors"]
    past = complete(
        steward, visit["id"], {"visit_outcome": "promised", "promised_on": "2026-12-01"}, status=400
    )
    assert "promised_on" in past["field_errors"]
    silent = complete(steward, visit["id"], {"visit_outcome": "refused"}, status=400)
    assert "visit_note" in silent["field_errors"]
    complete(steward, visit["id"], {"visit_outcome": "promised", "promised_on": "2026-12-28", "visit_note": "业主月底前到前台缴清"})  # fmt: skip
    detail = instance_detail(steward, dunning.pk)
    assert detail["status"] == "completed"
    dunning.refresh_from_db()
    assert len(sms("BILL_REMINDER")) == 1 and len(sms("BILL_SECOND_NOTICE")) == 1
    # this month's dunning is done: the job does not start it again; next month it may
    assert start_dunning() == 0


def test_paying_at_the_desk_stops_the_reminders(api, overdue, restore_mode):
    assert start_dunning() == 1
    dunning = dunning_of(overdue)
    assert len(sms("BILL_REMINDER")) == 1
    cashier = api("cashier")
    owed = [b["id"] for b in bills(cashier, overdue, status="open")]
    clock.set_time(at("2026-12-15 10:00"))  # before the first late day (12-16): no late fee yet
    pay(cashier, overdue, owed, "786.70")
    assert bills(cashier, overdue, status="open") == []
    clock.set_time(at("2026-12-17 09:01"))
    assert sweep()["timers"] == 1
    dunning.refresh_from_db()
    assert dunning.status == "completed"
    assert sms("BILL_SECOND_NOTICE") == []
    assert not Timer.objects.filter(instance=dunning, state=TimerState.PENDING).exists()
    assert instance_detail(api("steward"), dunning.pk)["status"] == "completed"
    assert start_dunning() == 0  # nothing overdue any more


def test_a_payer_without_a_mobile_gets_no_sms_but_is_still_visited(api, overdue):
    overdue["owner"].mobile = ""
    overdue["owner"].save(update_fields=["mobile"])
    assert start_dunning() == 1
    dunning = dunning_of(overdue)
    assert sms("BILL_REMINDER") == [] and dunning.status == "running"
    clock.set_time(at("2026-12-17 09:01"))
    sweep()
    clock.set_time(at("2026-12-22 09:30"))
    sweep()
    assert sms("BILL_SECOND_NOTICE") == []
    [visit] = visit_task(api("steward"), dunning.pk)
    complete(api("steward"), visit["id"], {"visit_outcome": "not_home", "visit_note": "两次上门无人"})
    dunning.refresh_from_db()
    assert dunning.status == "completed"


def test_nothing_is_started_before_the_due_date_or_for_another_company(api, overdue):
    clock.set_time(at("2026-12-12 20:00"))  # due today: not overdue yet
    assert start_dunning() == 0
    clock.set_time(at("2026-12-14 09:00"))
    assert start_dunning() == 1
    dunning = dunning_of(overdue)
    assert api("outsider").get(f"/api/process-instances/{dunning.pk}/").status_code == 404
