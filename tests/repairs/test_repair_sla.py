"""Repair deadlines: an emergency at 02:00 on a public holiday (国庆, 2026-10-02) reaches the
technician on that night's duty roster and counts in calendar time (accept in 10 minutes, arrive
in 30), with warnings and escalation raised by the SLA sweep; an ordinary repair recorded at the
same moment waits for the business calendar (the first working day after the holiday)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from engine import clock
from engine.models import Alert, OutboxMessage, Task
from engine.sla import sweep_sla
from tests.helpers import complete
from tests.repairs.conftest import record, repair_of, task_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
NIGHT = datetime(2026, 10, 2, 2, 0, tzinfo=SHANGHAI)  # 国庆 holiday, 02:00


def _task(instance: dict, element_id: str) -> Task:
    return Task.objects.get(instance_id=instance["id"], element_id=element_id, state="ready")


def _alerts(task: Task) -> dict[str, list[str]]:
    return {
        a.kind if a.kind != "escalation" else f"escalation_{a.level}": sorted(
            r.username for r in a.recipients.all()
        )
        for a in Alert.objects.filter(task=task)
    }


def test_an_emergency_at_two_in_the_night_of_a_holiday_counts_in_calendar_time(
    api, repairs, cast, restore_mode
):
    from webapp.repairs.models import DutyShift

    DutyShift.objects.all().delete()
    DutyShift.objects.create(
        team=repairs["team"], technician=cast["technician"], starts_at=datetime(2026, 10, 1, 18, 0, tzinfo=SHANGHAI),
        ends_at=datetime(2026, 10, 2, 8, 0, tzinfo=SHANGHAI),
    )  # fmt: skip
    clock.set_time(NIGHT.astimezone(UTC))
    emergency = record(api, repairs)
    ordinary = record(api, repairs, urgency="normal", description="卧室门把手松动")
    assert repair_of(emergency).technician_id == cast["technician"].pk
    assert OutboxMessage.objects.filter(template_id="REPAIR_EMERGENCY").count() == 1

    accept = _task(emergency, "Task_Accept")
    assert accept.sla_policy.name == "紧急报修接单" and accept.assignee_id == cast["technician"].pk
    assert accept.response_due_at == NIGHT + timedelta(minutes=5)
    assert accept.due_at == NIGHT + timedelta(minutes=10)
    normal = _task(ordinary, "Task_Accept")
    assert normal.sla_policy.name == "报修接单"
    assert normal.due_at.astimezone(SHANGHAI) == datetime(
        2026, 10, 8, 11, 0, tzinfo=SHANGHAI
    )  # 2 working hours

    # nobody reacts: warned at 80 %, breached, then escalated to the customer-service head and the company head
    clock.advance(timedelta(minutes=4, seconds=30))
    sweep_sla()
    assert _alerts(accept) == {"response_warning": ["technician"]}
    clock.advance(timedelta(minutes=16))  # 02:20:30
    sweep_sla()
    alerts = _alerts(accept)
    assert alerts["breach"] == ["technician"] and alerts["response_breach"] == ["technician"]
    assert "cs_head" in alerts["escalation_2"] and "head" in alerts["escalation_3"]
    assert not Alert.objects.filter(task=normal).exists()

    # accepted at 02:21, the arrival is due by 02:51 in calendar time
    complete(
        api("technician"),
        task_of(api, "technician", emergency, "Task_Accept")["id"],
        {"accept_decision": "accept"},
    )
    arrive = _task(emergency, "Task_Arrive")
    assert arrive.sla_policy.name == "紧急报修到场" and arrive.due_at == clock.now() + timedelta(minutes=30)
    clock.advance(timedelta(minutes=12))
    complete(api("technician"), task_of(api, "technician", emergency, "Task_Arrive")["id"], {})
    repair = repair_of(emergency)
    assert repair.response_seconds == 32 * 60 + 30 and repair.arrived_at == clock.now()


def test_an_emergency_with_nobody_on_duty_goes_to_the_whole_team(api, repairs, cast, restore_mode):
    from webapp.repairs.models import DutyShift

    DutyShift.objects.all().delete()
    clock.set_time(NIGHT.astimezone(UTC))
    started = record(api, repairs)
    repair = repair_of(started)
    assert (
        repair.technician is None
        and not OutboxMessage.objects.filter(template_id="REPAIR_EMERGENCY").exists()
    )
    # the estate has a rule: the team gets it at once (no dispatch task), in calendar time
    assert not Task.objects.filter(instance_id=started["id"], element_id="Task_Dispatch").exists()
    accept = _task(started, "Task_Accept")
    assert accept.sla_policy.name == "紧急报修接单" and accept.lane == "维修班" and accept.assignee_id is None
    assert accept.due_at == NIGHT + timedelta(minutes=10)
