"""BPMN timers and due times in business time (property businessTime="true")."""

from datetime import datetime

import pytest

from engine import clock
from engine.models import Timer
from engine.sla_defaults import ensure_sla_setup
from engine.tasks import sweep
from tests.helpers import complete, instance, only_task, start
from tests.times import at


@pytest.fixture
def bizwait(cast, flow):  # type: ignore[no-untyped-def]
    ensure_sla_setup(cast["agent"].company)
    flow("bizwait")


def test_a_due_time_in_business_hours_skips_the_weekend(api, bizwait):
    clock.set_time(at("2026-11-20 17:00"))
    started = start(api("agent"), "bizwait")
    due = datetime.fromisoformat(only_task(api("agent"), started["id"])["due_at"])
    assert due == at("2026-11-23 17:30")


def test_a_three_business_day_timer_waits_until_the_make_up_saturday(api, bizwait):
    clock.set_time(at("2026-09-30 16:00"))
    agent = api("agent")
    started = start(agent, "bizwait")
    complete(agent, only_task(agent, started["id"])["id"], {"reply": "已答复"})
    timer = Timer.objects.get(instance_id=started["id"])
    assert timer.due_at == at("2026-10-10 16:00")
    clock.set_time(at("2026-10-09 18:00"))
    assert sweep()["timers"] == 0
    clock.set_time(at("2026-10-10 16:01"))
    assert sweep()["timers"] == 1
    assert instance(agent, started["id"])["status"] == "completed"


def test_a_business_timer_running_into_an_unknown_year_is_an_incident(api, bizwait):
    clock.set_time(at("2026-12-30 10:00"))
    agent = api("agent")
    started = start(agent, "bizwait")
    complete(agent, only_task(agent, started["id"])["id"], {"reply": "已答复"})
    detail = instance(agent, started["id"])
    assert detail["status"] == "incident"
    assert "2027" in detail["incidents"][0]["message"]


def test_once_the_year_is_added_a_retry_computes_the_timer(api, bizwait):
    from engine.calendar import forget
    from engine.models import BusinessCalendar, CalendarYear

    clock.set_time(at("2026-12-30 10:00"))
    agent = api("agent")
    started = start(agent, "bizwait")
    complete(agent, only_task(agent, started["id"])["id"], {"reply": "已答复"})
    timer = Timer.objects.get(instance_id=started["id"])
    assert timer.due_at.year == 9999  # held, not guessed
    calendar = BusinessCalendar.objects.get()
    CalendarYear.objects.create(calendar=calendar, year=2027, source="人工维护")
    forget()
    incident = instance(agent, started["id"])["incidents"][0]
    assert (
        api("cs_head").post(f"/api/incidents/{incident['id']}/retry/", {}, format="json").status_code == 200
    )
    timer.refresh_from_db()
    # Wed 12-30 10:00 + 3 business days (no 2027 holidays entered: Jan 1 counts as a weekday)
    assert timer.due_at == at("2027-01-04 10:00")
    assert instance(agent, started["id"])["status"] == "running"
