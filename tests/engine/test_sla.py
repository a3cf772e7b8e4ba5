"""SLA on the complaint flow with the shipped policies and China's 2026 calendar: deadlines in
business time, warnings, breaches and escalation levels raised once each, pausing, group
complaints escalated at once, a missing calendar year reported loudly."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from engine import clock
from engine.calendar import forget
from engine.models import Alert, AuditEvent, CalendarYear, OutboxMessage, SlaPolicy, Task
from engine.sla import sweep_sla
from engine.sla_defaults import ensure_sla_setup
from engine.tasks import sweep
from tests.complaint_data import INTAKE, TRIAGE
from tests.helpers import complete, only_task, start
from tests.times import at, shanghai


@pytest.fixture
def sla(cast, flow):  # type: ignore[no-untyped-def]
    for company in {u.company for u in cast.values()}:
        ensure_sla_setup(company)
    flow("complaint")


def handling(api, priority: str = "high") -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    """A complaint dispatched to 工程部 with the given priority; returns (instance, handling task)."""
    agent = api("agent")
    started = start(agent, "complaint", INTAKE)
    complete(agent, only_task(agent, started["id"])["id"], {**TRIAGE, "priority": priority})
    return started, only_task(api("engineer"), started["id"])


def test_triage_gets_response_and_resolution_deadlines(api, sla):
    started = start(api("agent"), "complaint", INTAKE)  # Friday 2026-11-27 09:00
    task = only_task(api("agent"), started["id"])
    assert shanghai(task["response_due_at"]) == at("2026-11-27 09:30")
    assert shanghai(task["due_at"]) == at("2026-11-27 11:00")
    assert Task.objects.get(pk=task["id"]).sla_policy.name == "派单"


def test_eight_business_hours_from_friday_17_00_end_monday_17_30(api, sla):
    clock.set_time(at("2026-11-20 17:00"))
    _started, task = handling(api, "high")
    assert shanghai(task["due_at"]) == at("2026-11-23 17:30")
    assert task["category"] == "construction_quality"


def test_three_business_days_before_national_day_end_on_the_make_up_saturday(api, sla):
    clock.set_time(at("2026-09-30 16:00"))
    _started, task = handling(api, "normal")
    assert shanghai(task["due_at"]) == at("2026-10-10 16:00")
    clock.set_time(at("2026-10-10 16:01"))
    assert only_task(api("engineer"), task["instance"]["id"])["overdue"] is True


def test_warning_breach_and_escalation_levels_each_fire_once(api, sla):
    started, task = handling(api, "high")  # 8h from Friday 09:00 → Monday 09:30 (weekend skipped)
    assert shanghai(task["due_at"]) == at("2026-11-30 09:30")
    kinds = lambda: list(Alert.objects.filter(task_id=task["id"]).order_by("id").values_list("kind", "level"))  # noqa: E731

    clock.set_time(at("2026-11-27 10:37"))  # 80 % of the 2h response target
    sweep()
    assert kinds() == [("response_warning", 0)]
    sweep()
    assert kinds() == [("response_warning", 0)]  # once
    assert api("engineer").post(f"/api/tasks/{task['id']}/claim/").status_code == 200

    clock.set_time(at("2026-11-30 08:00"))  # 80 % of 8h is Friday 17:00 + ... → past by Monday
    sweep()
    assert [k for k, _ in kinds()] == ["response_warning", "warning"]
    clock.set_time(at("2026-11-30 09:31"))
    sweep()
    breach = Alert.objects.get(task_id=task["id"], kind="breach")
    assert breach.level == 1 and [u.username for u in breach.recipients.all()] == ["eng_head"]
    clock.set_time(at("2026-11-30 15:01"))  # + 50 % of 8h = 4h business after the breach
    sweep()
    level2 = Alert.objects.get(task_id=task["id"], kind="escalation", level=2)
    assert [u.username for u in level2.recipients.all()] == ["cs_head"]
    clock.set_time(at("2026-12-01 10:01"))  # + another 4h
    sweep()
    level3 = Alert.objects.get(task_id=task["id"], kind="escalation", level=3)
    assert [u.username for u in level3.recipients.all()] == ["head"]
    assert Task.objects.get(pk=task["id"]).sla_next_at is None
    assert len(kinds()) == 5
    eng_head = breach.recipients.get()
    assert OutboxMessage.objects.filter(idempotency_key=f"sla:{breach.pk}:{eng_head.pk}").count() == 1
    events = AuditEvent.objects.filter(instance_id=started["id"], action="sla")
    assert [e.details["event"] for e in events.order_by("id")] == [
        "response_warning", "warning", "breach", "escalation_2", "escalation_3",
    ]  # fmt: skip


def test_a_claimed_task_skips_the_response_events(api, sla):
    _started, task = handling(api, "high")
    api("engineer").post(f"/api/tasks/{task['id']}/claim/")
    clock.set_time(at("2026-11-27 11:30"))
    sweep()
    assert not Alert.objects.filter(task_id=task["id"]).exists()


@pytest.mark.django_db(transaction=True)  # two threads, two connections
def test_two_workers_sweeping_at_once_raise_each_event_once(api, sla):
    tasks = [handling(api, "high")[1]["id"] for _ in range(6)]
    clock.set_time(at("2026-11-27 10:37"))
    barrier = threading.Barrier(2)

    def worker() -> None:
        try:
            barrier.wait()
            while sweep_sla(limit=2)[0]:
                pass
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Alert.objects.filter(task_id__in=tasks, kind="response_warning").count() == 6
    # unclaimed: both members of 工程部 (王强, 赵刚) hear of each warning, by SMS once each
    assert OutboxMessage.objects.filter(template_id="SLA_ALERT").count() == 12


def test_pausing_stops_the_clock_and_resuming_extends_the_deadline(api, sla):
    engineer = api("engineer")
    started, task = handling(api, "high")
    engineer.post(f"/api/tasks/{task['id']}/claim/")
    assert (
        api("agent").post(f"/api/tasks/{task['id']}/pause/", {"reason": "x"}, format="json").status_code
        == 403
    )
    assert engineer.post(f"/api/tasks/{task['id']}/pause/", {"reason": ""}, format="json").status_code == 400
    paused = engineer.post(
        f"/api/tasks/{task['id']}/pause/", {"reason": "客户出差，下周一再约上门"}, format="json"
    )
    assert paused.status_code == 200 and paused.json()["paused_at"]
    assert (
        engineer.post(f"/api/tasks/{task['id']}/pause/", {"reason": "again"}, format="json").status_code
        == 409
    )

    clock.set_time(at("2026-11-30 10:00"))  # past the original deadline: no alert while paused
    sweep()
    assert not Alert.objects.filter(task_id=task["id"], kind="breach").exists()
    assert only_task(engineer, started["id"])["overdue"] is False
    resumed = engineer.post(f"/api/tasks/{task['id']}/resume/").json()
    # Paused Friday 09:00 → Monday 10:00 = 7.5h + 1h of business time; 8h target → Monday 18:00 + ...
    assert resumed["paused_minutes"] == 510
    assert shanghai(resumed["due_at"]) == at("2026-12-01 10:30")
    actions = list(AuditEvent.objects.filter(instance_id=started["id"]).values_list("action", flat=True))
    assert "pause" in actions and "resume" in actions


def test_a_group_complaint_reaches_the_company_head_at_once(api, sla):
    started = start(api("agent"), "complaint", {**INTAKE, "group_complaint": True, "group_households": 20})
    task = only_task(api("head"), started["id"])
    sweep()
    alert = Alert.objects.get(task_id=task["id"], kind="immediate")
    assert alert.level == 3 and [u.username for u in alert.recipients.all()] == ["head"]


def test_reassignment_on_breach_gives_the_task_to_the_department_head(api, sla):
    SlaPolicy.objects.filter(name="高优先级处理").update(reassign_on_breach=True)
    _started, task = handling(api, "high")
    api("engineer").post(f"/api/tasks/{task['id']}/claim/")
    clock.set_time(at("2026-11-30 09:31"))
    sweep()
    assert Task.objects.get(pk=task["id"]).assignee.username == "eng_head"


def test_a_deadline_in_a_year_without_calendar_data_is_reported_and_provisional(api, cast, sla):
    CalendarYear.objects.filter(year=2027).delete()  # unknown, whichever chinesecalendar is installed
    forget()
    clock.set_time(at("2026-12-31 17:00"))
    started = start(api("agent"), "complaint", INTAKE)  # triage 2h → into 2027: no holiday data yet
    row = Task.objects.get(instance_id=started["id"])
    # The response deadline lies in 2026 and is certain; the resolution deadline counts only the
    # weekend and 元旦 off in 2027 (1h on 12-31, then Monday 01-04) and is marked provisional.
    assert row.response_due_at == at("2026-12-31 17:30")
    assert row.due_at == at("2027-01-04 10:00") and row.due_provisional
    assert row.sla_next_at == at("2026-12-31 17:24") and "sla_calendar_missing" in row.flags
    alert = Alert.objects.get(kind="calendar")
    assert "2027" in alert.message and [u.username for u in alert.recipients.all()] == ["admin"]
    start(api("agent"), "complaint", INTAKE)
    assert Alert.objects.filter(kind="calendar").count() == 1  # reported once per year


def test_alerts_api_counts_lists_and_marks_read(api, sla):
    _started, task = handling(api, "high")
    clock.set_time(at("2026-11-27 10:37"))
    sweep()
    engineer = api("engineer")
    assert engineer.get("/api/alerts/unread-count/").json() == {"unread": 1}
    alerts = engineer.get("/api/alerts/", {"unread": 1}).json()["results"]
    assert alerts[0]["kind"] == "response_warning" and alerts[0]["task_id"] == task["id"]
    assert engineer.post(f"/api/alerts/{alerts[0]['id']}/read/").status_code == 204
    assert engineer.get("/api/alerts/unread-count/").json() == {"unread": 0}
    assert api("agent").post(f"/api/alerts/{alerts[0]['id']}/read/").status_code == 404
    assert api("outsider").get("/api/alerts/").json()["count"] == 0


def test_the_dashboard_summary_is_for_supervisors(api, sla):
    handling(api, "high")
    clock.set_time(at("2026-11-30 09:31"))
    sweep()
    assert api("engineer").get("/api/sla/summary/").status_code == 403
    summary = api("cs_head").get("/api/sla/summary/").json()
    assert {"bucket": "breached", "count": 1} in summary["remaining"]
    assert summary["weekly"] and summary["weekly"][0]["lane"] == "工程部"


def test_deadline_arithmetic_is_available_to_clients(api, sla):
    response = api("agent").get(
        "/api/calendar/deadline/", {"start": "2026-09-30T16:00:00+08:00", "target": "3d"}
    )
    assert response.json()["due"] == "2026-10-10T08:00:00+00:00"
    missing = api("agent").get(
        "/api/calendar/deadline/", {"start": "2026-12-31T17:00:00+08:00", "target": "2h"}
    )
    assert missing.status_code == 400 and "2027" in str(missing.json())
    assert api("agent").get("/api/calendar/deadline/", {"start": "x", "target": "2h"}).status_code == 400


def test_the_response_target_may_run_in_calendar_time(api, sla):
    SlaPolicy.objects.filter(name="派单").update(response_mode="calendar", response_target="14h")
    clock.set_time(at("2026-11-27 17:00"))
    task = only_task(api("agent"), start(api("agent"), "complaint", INTAKE)["id"])
    assert shanghai(task["response_due_at"]) == at("2026-11-28 07:00")  # calendar time: Saturday morning
    assert shanghai(task["due_at"]) == at("2026-11-30 10:00")  # business time: 1h Friday + 1h Monday
