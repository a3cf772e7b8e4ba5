"""The complaint flow (投诉 → 派单 → 处理 → 督办 → 回访) end to end through the HTTP API.

Every test runs twice (restore_mode): once with the per-process workflow cache and once with
every step restored from the database.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from engine import clock
from engine.models import Bill, Incident, OutboxMessage, ProcessInstance
from engine.tasks import sweep
from tests.complaint_data import ACCEPT, HANDLE, INTAKE, SATISFIED, TRIAGE
from tests.conftest import START
from tests.helpers import audit_actions, complete, instance, only_task, start, tasks

pytestmark = pytest.mark.usefixtures("restore_mode")


@pytest.fixture
def complaint(flow):  # type: ignore[no-untyped-def]
    return flow("complaint")


def work(client, instance_id: int, data: dict[str, Any], name: str | None = None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Claim the instance's one open task visible to this client and complete it."""
    task = only_task(client, instance_id)
    if name is not None:
        assert task["name"] == name
    assert client.post(f"/api/tasks/{task['id']}/claim/").status_code == 200
    return complete(client, task["id"], data)


def test_a_complaint_goes_from_intake_to_closed(api, complaint):
    agent, engineer = api("agent"), api("engineer")
    started = start(agent, "complaint", INTAKE)
    assert started["status"] == "running"
    assert started["customer_name"] == "张三" and started["room"] == "3栋2单元1502"

    accepted = OutboxMessage.objects.get(instance_id=started["id"], template_id="COMPLAINT_ACCEPTED")
    assert accepted.recipient == "+8613800138000"
    assert started["business_key"] in accepted.content and accepted.content.startswith("【安居】")

    assert tasks(engineer) == []  # triage belongs to 客服中心
    work(agent, started["id"], TRIAGE, "派单")
    handling = only_task(engineer, started["id"])
    assert handling["name"] == "工程部处理" and handling["lane"] == "工程部"
    assert datetime.fromisoformat(handling["due_at"]) == START + timedelta(hours=72)  # priority normal
    work(engineer, started["id"], HANDLE)
    work(agent, started["id"], ACCEPT, "督办")
    work(agent, started["id"], SATISFIED, "回访")

    detail = instance(agent, started["id"])
    assert detail["status"] == "completed"
    assert "End_Closed" in detail["completed_elements"]
    assert detail["data"]["satisfaction"] == "satisfied"
    closing = OutboxMessage.objects.filter(instance_id=started["id"]).order_by("id")
    assert [m.template_id for m in closing] == ["COMPLAINT_ACCEPTED", "COMPLAINT_CLOSED"]
    actions = audit_actions(agent, started["id"])
    assert actions[0] == "start" and actions[-1] == "end"
    assert actions.count("complete") == 4 and actions.count("claim") == 4
    assert actions.count("service_call") == actions.count("service_result") == 2


def test_a_consultation_answered_on_the_spot_closes_at_once(api, complaint):
    agent = api("sales")  # 全员参与: a salesperson with no work group records it
    data = {
        **INTAKE,
        "issue_type": "consultation",
        "answered_on_spot": True,
        "on_spot_answer": "交房时间为明年三月。",
    }
    started = start(agent, "complaint", data)
    assert started["status"] == "completed"
    assert not OutboxMessage.objects.filter(instance_id=started["id"]).exists()
    assert tasks(api("agent"), claimable=1) == []


def test_a_group_complaint_goes_to_the_company_head_first(api, complaint):
    agent, head = api("agent"), api("head")
    started = start(agent, "complaint", {**INTAKE, "group_complaint": True, "group_households": 12})
    assert tasks(agent, claimable=1) == []
    work(
        head,
        started["id"],
        {"leader_instructions": "本周内组织业主座谈。", "leader_personally": True},
        "群诉处置",
    )
    assert only_task(agent, started["id"])["name"] == "派单"


def test_supervision_sends_the_work_back_to_the_same_department(api, complaint):
    agent, steward = api("agent"), api("steward")
    started = start(agent, "complaint", {**INTAKE, "issue_class": "property"})
    work(agent, started["id"], {**TRIAGE, "department": "property"})
    work(steward, started["id"], HANDLE, "物业部处理")
    work(agent, started["id"], {"supervision_result": "send_back", "send_back_reason": "未附整改照片。"})
    again = only_task(steward, started["id"])
    assert again["name"] == "物业部处理"
    work(steward, started["id"], HANDLE)
    work(agent, started["id"], ACCEPT)
    work(agent, started["id"], SATISFIED)
    assert instance(agent, started["id"])["status"] == "completed"


def test_an_unsatisfied_callback_reopens_the_complaint(api, complaint):
    agent, designer = api("agent"), api("designer")
    started = start(agent, "complaint", {**INTAKE, "issue_class": "planning_design"})
    work(agent, started["id"], {**TRIAGE, "department": "design"})
    work(designer, started["id"], HANDLE)
    work(agent, started["id"], ACCEPT)
    work(
        agent,
        started["id"],
        {"customer_reached": True, "satisfaction": "unsatisfied", "customer_comments": "仍渗水"},
    )
    assert only_task(designer, started["id"])["name"] == "设计部处理"
    assert instance(agent, started["id"])["data"]["reopen_count"] == 1
    work(designer, started["id"], HANDLE)
    work(agent, started["id"], ACCEPT)
    work(agent, started["id"], {"customer_reached": True, "satisfaction": "basically_satisfied"})
    assert instance(agent, started["id"])["status"] == "completed"


def test_compensation_is_recorded_as_a_payable_to_the_fen(api, complaint):
    agent, engineer = api("agent"), api("engineer")
    started = start(agent, "complaint", INTAKE)
    work(agent, started["id"], TRIAGE)
    work(
        engineer,
        started["id"],
        {**HANDLE, "compensation_needed": True, "proposed_compensation_amount": 1200.5},
    )
    work(agent, started["id"], ACCEPT)
    compensation = {
        "compensation_amount": 1200.5,
        "compensation_payee": "张三",
        "compensation_method": "fee_offset",
        "compensation_reason": "墙纸损坏赔偿，抵扣物业费。",
    }
    work(agent, started["id"], compensation, "赔付登记")
    bill = Bill.objects.get(instance_id=started["id"])
    assert bill.amount == Decimal("1200.50") and bill.direction == "payable" and bill.customer == "张三"
    work(agent, started["id"], SATISFIED, "回访")
    assert instance(agent, started["id"])["status"] == "completed"


def test_overdue_handling_sends_one_reminder_and_keeps_the_task(api, complaint):
    agent, engineer = api("agent"), api("engineer")
    started = start(agent, "complaint", INTAKE)
    work(agent, started["id"], {**TRIAGE, "priority": "high"})
    clock.advance(timedelta(hours=23))
    assert sweep()["timers"] == 0
    clock.advance(timedelta(hours=1, minutes=1))
    assert sweep()["timers"] == 1
    reminders = OutboxMessage.objects.filter(instance_id=started["id"], template_id="COMPLAINT_OVERDUE")
    assert reminders.count() == 1
    assert "gongcheng@sz.anju.example" in reminders.get().recipient
    handling = only_task(engineer, started["id"])
    assert handling["overdue"] is True
    clock.advance(timedelta(days=10))
    sweep()
    assert reminders.count() == 1
    assert "timer_fired" in audit_actions(agent, started["id"])


def test_an_invalid_intake_is_refused_with_field_errors_and_nothing_is_saved(api, complaint):
    agent = api("agent")
    response = agent.post(
        "/api/process-instances/",
        {
            "process_key": "complaint",
            "data": {**INTAKE, "customer_mobile": "12345", "issue_class": "weather"},
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["field_errors"]
    assert set(errors) >= {"customer_mobile", "issue_class"}
    assert ProcessInstance.objects.count() == 0


def test_a_department_cannot_work_customer_service_tasks(api, complaint):
    agent, engineer = api("agent"), api("engineer")
    started = start(agent, "complaint", INTAKE)
    triage = only_task(agent, started["id"])
    assert engineer.post(f"/api/tasks/{triage['id']}/claim/").status_code == 404
    assert complete(engineer, triage["id"], TRIAGE, status=404)
    assert not Incident.objects.exists()
