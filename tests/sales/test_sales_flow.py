"""The sales flow (认购 → 折扣 → 签约 → 按揭/公积金) end to end through the HTTP API, with the
named sales team. Every test runs twice (restore_mode): with the workflow cache, and restoring
every step from the database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine import clock
from engine.models import Bill, OutboxMessage, ProcessInstance
from engine.tasks import sweep
from tests.helpers import audit_actions, instance, only_task, tasks
from tests.sales.conftest import CONTRACT, subscription_data
from tests.sales.helpers import days, reception, subscribed, task_data, work
from webapp.realestate.models import Room
from webapp.sales.models import Contract, LoanService, ScheduleLine, Subscription, VisitRecord

pytestmark = [pytest.mark.usefixtures("restore_mode", "sales_flows")]


def room_status(room: Room) -> str:
    room.refresh_from_db(fields=["status"])
    return room.status


def schedule(subscription: Subscription) -> list[tuple[str, str, str, str]]:
    return [
        (line.item, line.kind, line.due_date.isoformat(), f"{line.amount:.2f}")
        for line in ScheduleLine.objects.filter(subscription=subscription).order_by("seq")
    ]


def test_a_sale_goes_from_reception_to_disbursement_with_every_touchpoint(api, master, cast):
    sales, director, mortgage, agent = api("sales"), api("mkt_director"), api("mortgage"), api("agent")
    room = master["room"]

    # 客户接待: 孙丽 receives 张三; the visit and the questionnaire are recorded.
    started = reception(sales, master)
    assert started["business_key"].startswith("SALES-20261127-")
    assert started["customer_name"] == "张三" and started["project"] == "安居·滨海花园"
    visit = VisitRecord.objects.get(business_key=started["business_key"])
    assert visit.received_by == cast["sales"] and visit.customer == master["zhang"]
    assert visit.answers["q_concerns"] == ["schools", "delivery_quality"]
    assert visit.questions["q_source"] == "您是通过什么渠道了解到本项目的？"

    # 认购登记: the room becomes 认购, the schedule is generated, the deposit is a paid receivable.
    subscribe_task = only_task(sales, started["id"])
    assert subscribe_task["name"] == "认购登记" and subscribe_task["lane"] == "销售部"
    work(sales, started["id"], subscription_data(master))
    assert room_status(room) == "subscribed"
    subscription = Subscription.objects.get(instance_id=started["id"])
    assert subscription.salesperson == cast["sales"] and subscription.entry_delay_days == 0
    assert subscription.total_price == Decimal("2345678.90")
    assert schedule(subscription) == [
        ("定金", "deposit", "2026-11-27", "50000.00"),
        ("首付款", "buyer", "2026-12-11", "895678.90"),
        ("商业贷款", "commercial_loan", "2027-01-03", "1400000.00"),
    ]
    deposit = Bill.objects.get(instance_id=started["id"], item="认购定金")
    assert (deposit.amount, deposit.direction, deposit.status) == (Decimal("50000.00"), "receivable", "paid")
    assert deposit.customer == "张三" and deposit.room == "安居·滨海花园 3栋1单元1502"
    assert not task_flags(started["id"])

    # 折扣申请 1.5 % → the DMN sends it to 营销总监 (林芳), who approves.
    work(
        sales,
        started["id"],
        {"discount_percent": 1.5, "discount_sheet_no": "ZK-0001", "discount_reason": "老业主推荐"},
        "折扣申请",
    )
    approval = only_task(director, started["id"])
    assert approval["name"] == "营销总监审批折扣" and approval["lane"] == "营销总监"
    work(director, started["id"], {"discount_decision": "approve"})
    subscription.refresh_from_db()
    # 2,345,678.90 × 98.5 % = 2,310,493.7165 → 2,310,493.72 (half up, to the fen)
    assert subscription.discount_percent == Decimal("1.50")
    assert subscription.total_price == Decimal("2310493.72")
    assert schedule(subscription) == [
        ("定金", "deposit", "2026-11-27", "50000.00"),
        ("首付款", "buyer", "2026-12-11", "860493.72"),
        ("商业贷款", "commercial_loan", "2027-01-03", "1400000.00"),
    ]
    assert sum(line.amount for line in subscription.schedule_lines.all()) == subscription.total_price

    # Touchpoints before signing: 认购后三日 (11-30 10:00) and 签约前一日 (12-03 10:00).
    def sent() -> list[str]:
        return list(sms.all().values_list("template_id", flat=True))

    sms = OutboxMessage.objects.filter(instance_id=started["id"]).order_by("id")
    clock.set_time(days(3, 10))
    sweep()
    assert not sms.exists()  # SpiffWorkflow fires strictly after the due time
    clock.set_time(days(3, 10, 1))
    assert sweep()["timers"] == 1
    assert sent() == ["SALES_AFTER_SUBSCRIPTION"]
    first = sms.get()
    assert first.recipient == "+8613800138000" and "RG-BH-0001" in first.content and "孙丽" in first.content
    clock.set_time(days(6, 10, 1))
    assert sweep()["timers"] == 1
    assert sent() == ["SALES_AFTER_SUBSCRIPTION", "SALES_BEFORE_SIGNING"]
    assert "2026-12-04" in sms.all().last().content

    # 转签约 on 12-04: the room becomes 签约.
    clock.set_time(days(7, 15))
    work(sales, started["id"], CONTRACT, "转签约")
    assert room_status(room) == "contracted"
    subscription.refresh_from_db()
    assert subscription.status == "contracted"
    contract = Contract.objects.get(subscription=subscription)
    assert contract.contract_no == "HT-BH-0001" and contract.mortgage_years == 25

    # 按揭服务 by 郭敏 (按揭专员).
    service = only_task(mortgage, started["id"])
    assert service["name"] == "按揭服务" and service["lane"] == "按揭专员"
    work(
        mortgage,
        started["id"],
        {
            "commercial_bank": "中国建设银行深圳分行",
            "commercial_loan_total": 1400000,
            "commercial_actual_bank": "中国建设银行深圳南山支行",
            "commercial_years": 25,
        },
    )

    # 备案日 12-08 10:00: the filing notice.
    clock.set_time(days(11, 10, 1))
    assert sweep()["timers"] == 1
    assert sms.all().last().template_id == "SALES_CONTRACT_FILED" and "HT-BH-0001" in sms.all().last().content

    # 签约后第七日 12-11 10:00: the callback task appears in 客服中心.
    clock.set_time(days(14, 9))
    sweep()
    assert tasks(agent, claimable=1) == []
    clock.set_time(days(14, 10, 1))
    assert sweep()["timers"] == 1
    callback = only_task(agent, started["id"])
    assert callback["name"] == "签约后回访" and callback["lane"] == "客服中心"
    work(agent, started["id"], {"callback_reached": True, "callback_satisfaction": "satisfied"})

    # 放款 on 12-20: a paid receivable of 1,400,000.00 and the disbursement notice.
    clock.set_time(days(23, 11))
    work(
        mortgage,
        started["id"],
        {"commercial_disbursed_on": "2026-12-20", "commercial_disbursed_amount": 1400000},
        "按揭放款登记",
    )
    loan = Bill.objects.get(instance_id=started["id"], item="按揭放款")
    assert (loan.amount, loan.status, loan.direction) == (Decimal("1400000.00"), "paid", "receivable")
    assert sms.all().last().template_id == "SALES_LOAN_DISBURSED" and "1400000.00" in sms.all().last().content
    assert LoanService.objects.get(subscription=subscription).disbursed_amount == Decimal("1400000.00")

    detail = instance(sales, started["id"])
    assert detail["status"] == "completed"
    assert {"End_LoansDone", "End_CalledBack", "End_FilingNotified", "End_RemindersSent"} <= set(
        detail["completed_elements"]
    )
    assert "End_RemindersStopped" not in detail["completed_elements"]
    assert sent() == [
        "SALES_AFTER_SUBSCRIPTION",
        "SALES_BEFORE_SIGNING",
        "SALES_CONTRACT_FILED",
        "SALES_LOAN_DISBURSED",
    ]
    assert audit_actions(sales, started["id"]).count("timer_fired") == 4


def task_flags(instance_id: int) -> list[str]:
    from engine.models import Task

    return [
        flag
        for flags in Task.objects.filter(instance_id=instance_id).values_list("flags", flat=True)
        for flag in flags
    ]


@pytest.mark.parametrize(
    ("percent", "approver", "task_name", "lane"),
    [
        (0.5, "sales_mgr", "销售经理审批折扣", "销售经理"),
        (1, "sales_mgr", "销售经理审批折扣", "销售经理"),
        (1.01, "mkt_director", "营销总监审批折扣", "营销总监"),
        (3, "mkt_director", "营销总监审批折扣", "营销总监"),
        (3.5, "head", "公司领导审批折扣", "公司领导"),
    ],
)
def test_each_discount_level_reaches_its_approver(api, master, percent, approver, task_name, lane):
    sales = api("sales")
    started = subscribed(sales, master)
    work(
        sales,
        started["id"],
        {"discount_percent": percent, "discount_sheet_no": "ZK-1", "discount_reason": "团购"},
    )
    task = only_task(api(approver), started["id"])
    assert (task["name"], task["lane"]) == (task_name, lane)
    for other in {"sales_mgr", "mkt_director", "head"} - {approver}:
        assert [t for t in tasks(api(other), claimable=1) if t["instance"]["id"] == started["id"]] == []
    work(api(approver), started["id"], {"discount_decision": "approve"})
    subscription = Subscription.objects.get(instance_id=started["id"])
    assert subscription.discount_status == "approved"
    assert subscription.discount_percent == Decimal(str(percent))
    assert only_task(sales, started["id"])["name"] == "转签约"


def test_no_discount_skips_approval(api, master):
    sales = api("sales")
    started = subscribed(sales, master)
    work(sales, started["id"], {"discount_percent": 0}, "折扣申请")
    assert only_task(sales, started["id"])["name"] == "转签约"
    assert task_data(sales, started["id"])["approval_level"] == "none"
    subscription = Subscription.objects.get(instance_id=started["id"])
    assert subscription.discount_status == "none" and subscription.total_price == Decimal("2345678.90")


def test_a_rejected_discount_continues_at_list_price(api, master):
    sales, manager = api("sales"), api("sales_mgr")
    started = subscribed(sales, master)
    work(
        sales,
        started["id"],
        {"discount_percent": 0.8, "discount_sheet_no": "ZK-2", "discount_reason": "老客户"},
    )
    response = work(manager, started["id"], {"discount_decision": "reject"}, "销售经理审批折扣", status=400)
    assert "discount_comment" in response["field_errors"]
    work(manager, started["id"], {"discount_decision": "reject", "discount_comment": "折扣超出本月额度"})
    assert only_task(sales, started["id"])["name"] == "转签约"
    subscription = Subscription.objects.get(instance_id=started["id"])
    assert subscription.discount_status == "rejected"
    assert subscription.discount_percent == 0 and subscription.total_price == Decimal("2345678.90")
    assert ScheduleLine.objects.filter(subscription=subscription).get(seq=2).amount == Decimal("895678.90")
    data = task_data(sales, started["id"])
    assert data["discount_approved"] is False and data["total_price"] == "2345678.90"


def test_a_discount_that_no_longer_covers_deposit_and_loans_is_refused(api, master):
    sales = api("sales")
    started = subscribed(sales, master, commercial_loan=2200000)
    # 2,345,678.90 × 90 % = 2,111,111.01 < 50,000 + 2,200,000
    response = work(
        sales, started["id"], {"discount_percent": 10, "discount_sheet_no": "ZK-3", "discount_reason": "x"},
        status=400,
    )  # fmt: skip
    assert "discount_percent" in response["field_errors"]
    assert only_task(sales, started["id"])["name"] == "折扣申请"


@pytest.mark.parametrize(
    ("method", "loans", "expected_tasks"),
    [
        ("housing_fund", {"fund_loan": 1000000}, ["公积金服务"]),
        ("combined_loan", {"commercial_loan": 800000, "fund_loan": 600000}, ["按揭服务", "公积金服务"]),
        ("lump_sum", {"commercial_loan": None}, []),
    ],
)
def test_loan_services_follow_the_payment_method(api, master, method, loans, expected_tasks):
    sales, mortgage = api("sales"), api("mortgage")
    started = subscribed(sales, master, payment_method=method, **{"commercial_loan": None, **loans})
    work(sales, started["id"], {"discount_percent": 0})
    work(
        sales,
        started["id"],
        {**CONTRACT, "contract_date": "2026-11-27", "filing_date": "2026-11-30"},
        "转签约",
    )
    names = sorted(t["name"] for t in tasks(mortgage, claimable=1) if t["instance"]["id"] == started["id"])
    assert names == sorted(expected_tasks)
    if method == "combined_loan":
        fund = next(t for t in tasks(mortgage, claimable=1) if t["name"] == "公积金服务")
        assert mortgage.post(f"/api/tasks/{fund['id']}/claim/").status_code == 200
        body = {"fund_bank": "深圳市住房公积金管理中心", "fund_loan_total": 600000, "fund_actual_loan": 600000.01,
                "fund_years": 30}  # fmt: skip
        response = mortgage.post(f"/api/tasks/{fund['id']}/complete/", {"data": body}, format="json")
        assert response.status_code == 400 and "fund_actual_loan" in response.json()["field_errors"]
        body["fund_actual_loan"] = 599999.99
        assert (
            mortgage.post(f"/api/tasks/{fund['id']}/complete/", {"data": body}, format="json").status_code
            == 200
        )
        disbursed = next(t for t in tasks(mortgage, claimable=1) if t["name"] == "公积金放款登记")
        mortgage.post(f"/api/tasks/{disbursed['id']}/claim/")
        data = {"fund_disbursed_on": "2026-11-27", "fund_disbursed_amount": 599999.99}
        assert (
            mortgage.post(
                f"/api/tasks/{disbursed['id']}/complete/", {"data": data}, format="json"
            ).status_code
            == 200
        )
        bill = Bill.objects.get(instance_id=started["id"], item="公积金放款")
        assert bill.amount == Decimal("599999.99") and bill.status == "paid"
    if method == "lump_sum":
        subscription = Subscription.objects.get(instance_id=started["id"])
        assert [line.kind for line in subscription.schedule_lines.all()] == ["deposit", "buyer"]
    assert ProcessInstance.objects.get(pk=started["id"]).status == "running"
