"""Administering SLA: the admin refuses calendars and policies the arithmetic cannot use (a form
error, never a server error), and a calendar year added by hand gives the tasks that waited for
it their deadlines."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from engine import clock
from engine.calendar import forget
from engine.models import Alert, BusinessCalendar, CalendarDay, CalendarYear, SlaPolicy, Task
from engine.sla_defaults import ensure_sla_setup
from engine.tasks import sweep
from tests.complaint_data import INTAKE
from tests.helpers import only_task, start
from tests.times import SH, at


@pytest.fixture
def sla(cast, flow):  # type: ignore[no-untyped-def]
    for company in {u.company for u in cast.values()}:
        ensure_sla_setup(company)
    # 2027 is unknown here whatever chinesecalendar release is installed.
    CalendarDay.objects.filter(date__year=2027).delete()
    CalendarYear.objects.filter(year=2027).delete()
    forget()
    flow("complaint")


@pytest.fixture
def admin_client(client, cast):  # type: ignore[no-untyped-def]
    from webapp.accounts.models import User

    client.force_login(User.objects.get(username="admin"))
    client.cookies["django_language"] = "en"  # the messages below in English (the pages default to Chinese)
    return client


def calendar_form(calendar: BusinessCalendar, **changes: Any) -> dict[str, Any]:
    """The admin change form of a calendar as the page posts it, with its inline rows."""
    data: dict[str, Any] = {
        "company": calendar.company_id,
        "name": calendar.name,
        "time_zone": calendar.time_zone,
        "periods": '[["09:00", "12:00"], ["13:30", "18:00"]]',
        "weekdays": "[]",
    }
    years = list(calendar.years.all())
    days = list(calendar.days.all())
    new_years = changes.pop("new_years", [])
    new_days = changes.pop("new_days", [])
    for prefix, rows, extra in (("years", years, new_years), ("days", days, new_days)):
        data[f"{prefix}-TOTAL_FORMS"] = len(rows) + len(extra)
        data[f"{prefix}-INITIAL_FORMS"] = len(rows)
        data[f"{prefix}-MIN_NUM_FORMS"] = 0
        data[f"{prefix}-MAX_NUM_FORMS"] = 1000
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-id"] = row.pk
            data[f"{prefix}-{i}-calendar"] = calendar.pk
            if prefix == "years":
                data[f"{prefix}-{i}-year"], data[f"{prefix}-{i}-source"] = row.year, row.source
            else:
                data[f"{prefix}-{i}-date"], data[f"{prefix}-{i}-kind"] = row.date.isoformat(), row.kind
                data[f"{prefix}-{i}-name"] = row.name
        for j, values in enumerate(extra, start=len(rows)):
            data[f"{prefix}-{j}-calendar"] = calendar.pk
            data.update({f"{prefix}-{j}-{k}": v for k, v in values.items()})
    data.update(changes)
    return data


def errors_of(response: Any) -> str:
    text = response.content.decode()
    return " ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', text, re.S))


@pytest.mark.parametrize(
    ("periods", "message"),
    [
        ('[["18:00", "09:00"]]', "must end after it starts"),
        ('[["09:00", "12:00"], ["11:00", "18:00"]]', "must not overlap"),
        ('[["9点", "12:00"]]', "not a time of day"),
        ('[["09:00", "24:00"]]', "not a time of day"),
        ("[]", "This field is required"),
        ('{"from": "09:00"}', "working periods as a list"),
        ('[["09:00"]]', "a pair of times"),
    ],
)
def test_the_admin_refuses_working_periods_the_arithmetic_cannot_use(
    admin_client, sla, cast, periods, message
):
    calendar = BusinessCalendar.objects.get(company=cast["agent"].company)
    url = f"/admin/engine/businesscalendar/{calendar.pk}/change/"
    response = admin_client.post(url, calendar_form(calendar, periods=periods))
    assert response.status_code == 200
    assert message in errors_of(response)
    calendar.refresh_from_db()
    assert calendar.periods == [["09:00", "12:00"], ["13:30", "18:00"]]  # nothing changed


def test_the_admin_refuses_bad_weekdays_and_time_zones(admin_client, sla, cast):
    calendar = BusinessCalendar.objects.get(company=cast["agent"].company)
    url = f"/admin/engine/businesscalendar/{calendar.pk}/change/"
    response = admin_client.post(url, calendar_form(calendar, weekdays="[0, 8]", time_zone="Mars/Olympus"))
    assert response.status_code == 200
    found = errors_of(response)
    assert "1 (Monday) to 7 (Sunday)" in found and "time zone" in found


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"resolution_target": "3 days"}, "a number with m, h or d"),
        ({"resolution_target": "0h"}, "longer than zero"),
        ({"resolution_target": "", "response_target": ""}, "Give a response or resolution target"),
        ({"conditions": '["priority"]'}, "Conditions are an object"),
        ({"conditions": '{"priority": {"in": ["high"]}}'}, "a value or a list of values"),
        ({"warn_percent": "120"}, "less than or equal to 99"),
    ],
)
def test_the_admin_refuses_policies_that_cannot_be_computed(admin_client, sla, cast, changes, message):
    form = {
        "company": cast["agent"].company_id, "order": 70, "name": "新策略", "process_key": "complaint",
        "element_id": "Task_Triage", "conditions": "{}", "response_target": "30m", "resolution_target": "2h",
        "mode": "business", "response_mode": "", "warn_percent": 80, "escalate_every_percent": 50, "active": "on",
    }  # fmt: skip
    before = SlaPolicy.objects.count()
    response = admin_client.post("/admin/engine/slapolicy/add/", {**form, **changes})
    assert response.status_code == 200
    assert message in errors_of(response)
    assert SlaPolicy.objects.count() == before
    assert admin_client.post("/admin/engine/slapolicy/add/", form).status_code == 302  # the good one saves


def test_a_year_added_by_hand_gives_waiting_tasks_their_deadlines(admin_client, api, sla, cast):
    clock.set_time(at("2026-12-31 17:00"))
    started = start(api("agent"), "complaint", INTAKE)  # triage: 2h from 17:00 runs into 2027
    row = Task.objects.get(instance_id=started["id"])
    assert row.sla_policy.name == "派单" and "sla_calendar_missing" in row.flags
    assert row.due_provisional and row.due_at == at("2027-01-04 10:00")  # weekends and 元旦 only
    alert = Alert.objects.get(kind="calendar")
    assert "2027" in alert.message

    calendar = BusinessCalendar.objects.get(company=cast["agent"].company)
    url = f"/admin/engine/businesscalendar/{calendar.pk}/change/"
    response = admin_client.post(
        url,
        calendar_form(
            calendar,
            new_years=[{"year": 2027, "source": "人工维护"}],
            new_days=[{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}],
        ),
        follow=True,
    )
    assert response.status_code == 200 and not errors_of(response)
    assert "1 open tasks that waited for this calendar got their deadlines" in response.content.decode()
    task = only_task(api("agent"), started["id"])
    # 17:00–18:00 on 12-31, 2027-01-01 is 元旦, Saturday and Sunday rest: Monday 01-04 10:00
    assert datetime.fromisoformat(task["due_at"]).astimezone(SH) == at("2027-01-04 10:00")
    assert "sla_calendar_missing" not in task["flags"] and task["due_provisional"] is False
    clock.set_time(at("2027-01-04 10:01"))
    sweep()
    assert {a.kind for a in Alert.objects.filter(task_id=task["id"])} == {
        "response_warning",
        "response_breach",
        "warning",
        "breach",
    }


def test_pausing_extends_a_calendar_time_response_by_wall_time_and_resolution_by_business_time(api, sla):
    SlaPolicy.objects.filter(name="派单").update(
        response_mode="calendar", response_target="3d", resolution_target="8h"
    )
    agent = api("agent")
    clock.set_time(at("2026-11-27 17:00"))  # Friday
    started = start(agent, "complaint", INTAKE)
    task = only_task(agent, started["id"])
    assert agent.post(f"/api/tasks/{task['id']}/claim/").status_code == 200
    assert (
        agent.post(f"/api/tasks/{task['id']}/pause/", {"reason": "客户周末不在家"}, format="json").status_code
        == 200
    )
    clock.set_time(at("2026-11-30 10:00"))  # Monday: 65 h of wall time, 2 h of business time
    resumed = agent.post(f"/api/tasks/{task['id']}/resume/").json()
    assert resumed["paused_wall_minutes"] == 65 * 60 and resumed["paused_minutes"] == 120
    # response: Friday 17:00 + 72 h + 65 h of wall time; resolution: 8 + 2 business hours (Friday 1 h,
    # Monday 7.5 h, Tuesday 1.5 h)
    assert datetime.fromisoformat(resumed["response_due_at"]).astimezone(SH) == at("2026-12-03 10:00")
    assert datetime.fromisoformat(resumed["due_at"]).astimezone(SH) == at("2026-12-01 10:30")


def test_admins_hear_in_time_that_next_years_holidays_are_missing(sla, cast):
    from engine.sla import check_next_year
    from engine.tasks import hourly

    clock.set_time(at("2026-11-10 09:00"))  # more than 45 days before the new year: quiet
    assert check_next_year() == 0 and not Alert.objects.filter(kind="calendar").exists()
    clock.set_time(at("2026-11-27 09:00"))
    assert hourly()["calendars_lacking_next_year"] == 2  # both companies lack 2027
    alerts = Alert.objects.filter(kind="calendar")
    assert alerts.count() == 2 and all("2027" in a.message for a in alerts)
    mine = alerts.get(company=cast["agent"].company)
    assert [u.username for u in mine.recipients.all()] == ["admin"]
    hourly()
    assert Alert.objects.filter(kind="calendar").count() == 2  # once per company and year
