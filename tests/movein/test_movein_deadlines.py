"""The rectification deadline the dispatcher gives (dueIn in working days, no SLA policy) is
provisional while the working calendar lacks a year it reaches into, and settled when the year is
entered: the same rule as a policy's deadline (engine.sla.replan_missing). Runs twice (workflow
cache, and every step restored from the database)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from engine import clock
from engine.calendar import forget
from engine.models import Alert, AuditEvent, BusinessCalendar, CalendarDay, CalendarYear, Task
from engine.sla import replan_missing
from tests.movein.conftest import create_batch, prepare, record_defect
from tests.movein.test_movein_flow import defect_task
from tests.times import at
from webapp.movein.models import BatchRoom


def test_a_rectification_deadline_past_the_calendar_is_provisional_until_the_year_is_entered(
    api, movein, building, restore_mode
):
    CalendarDay.objects.filter(date__year=2027).delete()
    CalendarYear.objects.filter(year=2027).delete()
    forget()
    batch = create_batch(api, building[0], movein["project"])
    prepare(api, batch)
    room = BatchRoom.objects.filter(batch_id=batch["id"]).order_by("room__code").first()
    clock.set_time(at("2026-12-30 10:00"))  # Wednesday: 3 working days reach into 2027
    window = record_defect(
        api, "engineer", room.pk, movein["items"]["windows.sealing"], location="客厅"
    ).json()
    assert window["status"] == "dispatched"  # by trade, to 华南门窗, 3 working days

    rectify = defect_task(api, "contractor2", window["id"], "Task_Rectify")
    # Provisionally 元旦 and the weekend are off: Thu 12-31, Mon 01-04, Tue 01-05 → Tue 10:00.
    assert datetime.fromisoformat(rectify["due_at"]) == at("2027-01-05 10:00")
    assert rectify["due_provisional"] is True and "sla_calendar_missing" in rectify["flags"]
    company_id = Task.objects.get(pk=rectify["id"]).company_id
    assert Alert.objects.filter(company_id=company_id, kind="calendar").exists()  # the admins are told

    calendar = BusinessCalendar.objects.get(company_id=company_id)
    with transaction.atomic():  # the admin enters 2027 with a 调休 day off on Monday 01-04
        CalendarYear.objects.create(calendar=calendar, year=2027, source="人工维护")
        CalendarDay.objects.create(
            calendar=calendar, date=at("2027-01-01 00:00").date(), kind="holiday", name="元旦"
        )
        CalendarDay.objects.create(
            calendar=calendar, date=at("2027-01-04 00:00").date(), kind="holiday", name="调休"
        )

    settled = defect_task(api, "contractor2", window["id"], "Task_Rectify")
    assert datetime.fromisoformat(settled["due_at"]) == at("2027-01-06 10:00")
    assert settled["due_provisional"] is False and "sla_calendar_missing" not in settled["flags"]
    moved = AuditEvent.objects.get(task_id=rectify["id"], action="sla", details__event="deadline_recomputed")
    assert datetime.fromisoformat(moved.details["due_at"]["to"]) == at("2027-01-06 10:00")
    assert replan_missing(company_id) == 0  # idempotent
