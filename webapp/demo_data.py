"""Demo work for `make run`: a few customer issues in different steps of the complaint flow, so
that every demo login finds something in the inbox. Loaded once: every step first looks for what
an earlier run made. `anju_setup` loads it inside `engine.services.calls_in_process()`, so that in
production mode (asynchronous service calls) each flow's next task exists when the loader looks.
The demo's past weeks (`webapp.demo_history`) are loaded first; the guards below tell today's work
from theirs by the customers' names."""

from __future__ import annotations

from typing import Any

from engine.actions import do_claim_task, do_complete_task, do_start_instance
from engine.models import ProcessInstance, ProcessVersion, Task
from webapp.demo_history import HISTORY_BUYERS, HISTORY_CALLERS, load_demo_history

__all__ = ["ISSUES", "load_demo_history", "load_demo_sales", "load_demo_work"]

BASE = {"channel": "hotline", "issue_type": "complaint", "group_complaint": False, "answered_on_spot": False}
ISSUES: list[dict[str, Any]] = [
    {
        **BASE, "customer_name": "张伟", "customer_mobile": "13800138100", "project": "安居·滨海花园",
        "room": "3栋2单元1502", "issue_class": "construction_quality",
        "description": "主卧飘窗下墙面雨后渗水，墙纸起鼓发霉。",
    },
    {
        **BASE, "customer_name": "王芳", "customer_mobile": "13900139200", "project": "安居·山语城",
        "room": "8栋1单元0603", "issue_class": "property", "channel": "visit",
        "description": "地下车库照明长期不亮，夜间出入不安全。",
    },
    {
        **BASE, "customer_name": "刘洋（业主代表）", "customer_mobile": "13700137300", "project": "安居·滨海花园",
        "room": "5栋", "issue_class": "planning_design", "group_complaint": True, "group_households": 15,
        "description": "5栋多户业主反映小区规划的幼儿园改为商业用途，要求说明。",
    },
    {
        **BASE, "customer_name": "陈静", "customer_mobile": "13600136400", "project": "安居·山语城",
        "room": "2栋3单元1101", "issue_type": "consultation", "issue_class": "sales", "channel": "web",
        "description": "咨询办理房产证需要准备哪些材料。", "answered_on_spot": True,
        "on_spot_answer": "已告知所需材料清单，并短信发送办理指南。",
    },
]  # fmt: skip


def load_demo_sales(users: dict[str, Any]) -> int:
    """Three sales in different steps (once): one received, one subscribed awaiting its discount
    request, one contracted awaiting mortgage service. Dates are today's (Shanghai)."""
    from datetime import timedelta

    from django.utils import timezone

    from engine import clock
    from webapp.realestate.models import Customer, Room, RoomStatus

    if not ProcessVersion.objects.filter(key="sales").exists():
        return 0
    sales, sales2 = users["sales"], users["sales2"]
    sold = ProcessInstance.objects.filter(company=sales.company, process_key="sales")
    if sold.exclude(customer_name__in=HISTORY_BUYERS).exists():  # the history's sales came before
        return 0
    rooms = list(
        Room.objects.filter(company=sales.company, status=RoomStatus.AVAILABLE).order_by(
            "-floor__number", "code"
        )[:2]
    )
    customers = list(Customer.objects.filter(company=sales.company).exclude(mobile="").order_by("id")[:3])
    if len(rooms) < 2 or len(customers) < 3:
        return 0
    today = timezone.localdate(clock.now())
    reception = {
        "project_id": rooms[0].project_id, "visit_kind": "first_visit", "q_source": "owner_referral",
        "q_purpose": "upgrade", "q_budget": "2m_4m", "q_layout": "three_rooms", "q_concerns": ["schools"],
        "visit_note": "看了三房样板间", "wants_to_subscribe": True,
    }  # fmt: skip

    def subscribe(user: Any, customer: Any, room: Any, number: int) -> ProcessInstance:
        instance = do_start_instance(user, "sales", {**reception, "customer_id": customer.pk})
        task = Task.objects.get(instance=instance, state="ready")
        loan = int(room.list_price * 6 / 10 // 10000) * 10000  # a 60 % commercial loan in whole 10,000s
        do_complete_task(user, task, {
            "customer_id": customer.pk, "room_id": room.pk, "agreement_no": f"RG-DEMO-{number:04d}",
            "agreement_date": today.isoformat(), "payment_method": "commercial_mortgage",
            "deposit_due": 50000, "deposit_received": 50000, "commercial_loan": loan,
            "planned_signing_date": (today + timedelta(days=7)).isoformat(),
        })  # fmt: skip
        return instance

    subscribe(sales, customers[0], rooms[0], 1)
    contracted = subscribe(sales2, customers[1], rooms[1], 2)
    ready = Task.objects.filter(instance=contracted, state="ready")
    do_complete_task(sales2, ready.get(element_id="Task_RequestDiscount"), {"discount_percent": 0})
    do_complete_task(sales2, ready.get(element_id="Task_Contract"), {
        "contract_no": "HT-DEMO-0002", "contract_date": today.isoformat(),
        "agreed_delivery_date": (today + timedelta(days=540)).isoformat(),
        "filing_date": (today + timedelta(days=5)).isoformat(), "mortgage_bank": "中国建设银行深圳分行", "mortgage_years": 25,
    })  # fmt: skip
    do_start_instance(sales, "sales", {**reception, "customer_id": customers[2].pk})
    return 3


def load_demo_work(users: dict[str, Any]) -> int:
    """Record the demo issues that are not recorded yet and move the first one on to the
    engineering department (if it still waits for its triage); returns how many were recorded."""
    if not ProcessVersion.objects.filter(key="complaint").exists():
        return 0
    agent = users["agent"]
    complaints = ProcessInstance.objects.filter(company=agent.company, process_key="complaint").exclude(
        customer_name__in=HISTORY_CALLERS  # the history's issues came before
    )
    if complaints.exists() and not complaints.filter(customer_name=ISSUES[0]["customer_name"]).exists():
        return 0  # a company with complaints of its own: no demo issues among them
    recorded = 0
    first = None
    for data in ISSUES:
        instance = complaints.filter(customer_name=data["customer_name"]).order_by("pk").first()
        if instance is None:
            instance = do_start_instance(agent, "complaint", data)
            recorded += 1
        first = first or instance
    assert first is not None
    triage = Task.objects.filter(instance=first, state="ready", element_id="Task_Triage").first()
    if triage is not None:
        if triage.assignee_id is None:
            triage = do_claim_task(agent, triage)
        do_complete_task(agent, triage, {"department": "engineering", "priority": "high",
                                         "dispatch_note": "请工程部24小时内上门查看渗水原因。"})  # fmt: skip
    return recorded
