"""The demo's history (webapp/demo_history): `anju_setup` runs weeks of work through the engine with
the clock moved, and the pages the cast opens on the first day show it: 周敏's SLA dashboard and
bell, 孙审's compliance report, 刘洋's heatmap. A second run adds nothing.

Marked slow (the history takes half a minute here): `make test` runs it once, in the PostgreSQL run.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from engine import clock
from engine.auditchain import SEAL_LAG, seal_pending, verify
from engine.models import Alert, AuditEvent, OutboxMessage, ProcessInstance, Task
from webapp.accounts.models import Company
from webapp.realestate.models import Room, RoomStatus

pytestmark = pytest.mark.slow


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (ProcessInstance, Task, Alert, AuditEvent, OutboxMessage))


def test_setup_loads_weeks_of_history_that_every_page_shows_once(web, cast):
    # The shared flows were deployed by 刘洋 (events of the company): sealed long before, as the
    # history needs (it only follows sealed events of its company).
    seal_pending(clock.now() + SEAL_LAG + timedelta(seconds=1))
    out = StringIO()
    call_command("anju_setup", stdout=out)
    assert "demo history:" in out.getvalue()
    company = Company.objects.get(code="sz")
    now = clock.now()

    # every flow ran: finished and open cases, all started in the past weeks
    instances = ProcessInstance.objects.filter(company=company)
    by_flow = {(i.process_key, i.status) for i in instances}
    for key in ("complaint", "sales", "sales_change", "movein_batch", "movein_defect"):
        assert (key, "completed") in by_flow, key
    # a room's flow runs on for three years of callbacks after its delivery
    assert ("movein_room", "running") in by_flow
    assert Room.objects.filter(company=company, status=RoomStatus.DELIVERED).count() == 3
    assert ("complaint", "running") in by_flow and ("sales", "running") in by_flow
    assert ("sales", "cancelled") in by_flow  # a subscription cancelled by a sales change
    assert instances.filter(started_at__lt=now - timedelta(days=28)).count() > 5

    # 周敏's SLA dashboard: breaches in the weeks shown, overdue open work
    dashboard = web("cs_head").get("/sla/")
    assert dashboard.status_code == 200
    figures = dashboard.context["figures"]
    assert sum(breaches for _lane, _warnings, breaches in figures.lane_table) > 5
    assert sum(warnings for _lane, warnings, _breaches in figures.lane_table) > 5
    buckets = {b["key"]: b["count"] for b in figures.buckets}
    assert buckets["breached"] > 0 and buckets["paused"] == 1  # one handler waits for the customer
    assert "工程部" in {name for name, _w, _b in figures.lane_table}

    # her bell: escalations to the customer-service center head, raised at the moved times
    bell = web("cs_head").get("/alerts/")
    rows = [delivery for delivery, _badge in bell.context["rows"]]
    assert bell.context["unread_total"] > 0 and rows
    kinds = set(Alert.objects.filter(deliveries__user=cast["cs_head"]).values_list("kind", flat=True))
    assert "escalation" in kinds
    assert all(d.alert.created_at < now for d in rows)
    assert len({d.alert.created_at.date() for d in rows}) > 1  # over several days, not all at once
    # the company head heard of the group complaint at once
    assert Alert.objects.filter(kind="immediate", deliveries__user=cast["head"]).exists()

    # 孙审's compliance report (the last 30 days): callbacks on time, late and overdue; a late entry
    report = web("auditor").get("/audit/reports/")
    assert report.status_code == 200
    callbacks = {row["process"]: row for row in report.context["callbacks"]}
    assert callbacks["complaint"]["on_time"] > 0 and callbacks["complaint"]["late"] > 0
    assert sum(row["overdue"] for row in callbacks.values()) > 0
    assert callbacks["movein_room"]["total"] > 0 and callbacks["sales"]["total"] > 0
    assert report.context["entry"]["late"]  # a subscription entered 5 days after its agreement
    assert report.context["no_callback"]  # a duplicate complaint, cancelled by 周敏

    # 刘洋's heatmap of the complaint flow: work waiting and work done, per element
    heatmap = web("analyst").get("/designer/flows/complaint/waits/")
    assert heatmap.status_code == 200
    elements = {row["element_id"]: row for row in heatmap.context["elements"]}
    assert sum(row["waiting"] for row in elements.values()) >= 4
    assert elements["Task_Callback"]["done"] > 5 and elements["Task_HandleEngineering"]["done"] > 3

    # the customers' satisfaction is mixed, and some were sent back or reopened
    said = {
        (event.details.get("data") or {}).get("satisfaction")
        for event in AuditEvent.objects.filter(company=company, action="complete", element_id="Task_Callback")
    }
    assert {"satisfied", "basically_satisfied", "unsatisfied"} <= said
    assert AuditEvent.objects.filter(
        company=company, action="complete", details__data__supervision_result="send_back"
    ).exists()

    # the audit trail is real: in time order, and the chain seals and verifies
    events = AuditEvent.objects.filter(company=company).exclude(action="deploy").order_by("id")
    moments = list(events.values_list("at", flat=True))
    assert moments == sorted(moments) and moments[0] < now - timedelta(days=28)
    seal_pending(now + SEAL_LAG + timedelta(seconds=1))
    verdict = verify(company.pk)
    assert verdict.intact and verdict.unsealed == 0 and verdict.sealed > len(moments)

    # a second run adds nothing (and today's demo is there as without the history)
    before = counts()
    call_command("anju_setup", stdout=StringIO())
    assert counts() == before
    assert Task.objects.filter(state="ready", process_key="sales", created_at__gte=now).count() == 3
    assert (
        Task.objects.filter(state="ready", element_id="Task_MockInspection", created_at__gte=now).count() == 3
    )
