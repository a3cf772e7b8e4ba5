"""销售变更 (processes/sales_change): cancel a subscription, change its room, change its buyer —
requested by a salesperson, approved by the sales manager, applied in the approval step together
with the sales flow's instance (cancelled or corrected), all audited."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.models import AuditEvent, ProcessInstance, Task, Timer
from tests.helpers import audit_actions, only_task, start, tasks
from tests.sales.conftest import CONTRACT
from tests.sales.helpers import subscribed, task_data, work
from webapp.sales.models import SalesChange, Subscription

pytestmark = [pytest.mark.usefixtures("restore_mode", "sales_flows")]

TODAY_CONTRACT = {**CONTRACT, "contract_date": "2026-11-27", "filing_date": "2026-11-30"}


def request_change(client, subscription: Subscription, **data):  # type: ignore[no-untyped-def]
    return start(
        client, "sales_change", {"subscription_id": subscription.pk, "change_reason": "客户申请", **data}
    )


def status(obj) -> str:  # type: ignore[no-untyped-def]
    obj.refresh_from_db()
    return obj.status


def test_cancelling_a_subscription_frees_the_room_and_ends_the_sales_flow(api, master, cast):
    sales, manager = api("sales"), api("sales_mgr")
    started = subscribed(sales, master)
    subscription = Subscription.objects.get(instance_id=started["id"])
    change = request_change(sales, subscription, change_type="cancel", change_reason="客户资金周转困难")
    assert change["business_key"].startswith("SALES_CHANGE-20261127-")
    approval = only_task(manager, change["id"])
    assert (approval["name"], approval["lane"]) == ("销售变更审批", "销售经理")
    assert "RG-BH-0001" in task_data(manager, change["id"])["change_summary"]
    work(manager, change["id"], {"change_decision": "approve"})

    assert status(master["room"]) == "available"
    assert status(subscription) == "cancelled" and subscription.cancel_reason == "客户资金周转困难"
    sales_instance = ProcessInstance.objects.get(pk=started["id"])
    assert sales_instance.status == "cancelled"
    assert not Timer.objects.filter(instance_id=started["id"], state="pending").exists()
    assert not Task.objects.filter(instance_id=started["id"], state="ready").exists()
    cancel = AuditEvent.objects.get(instance_id=started["id"], action="cancel")
    assert cancel.actor == cast["sales_mgr"] and change["business_key"] in cancel.details["reason"]
    assert SalesChange.objects.get().status == "applied"
    assert ProcessInstance.objects.get(pk=change["id"]).status == "completed"
    # the room can be sold again
    again = subscribed(api("sales2"), master, agreement_no="RG-BH-0009")
    assert status(master["room"]) == "subscribed" and again["id"] != started["id"]


def test_changing_the_room_moves_the_subscription_and_recomputes_price_and_schedule(api, master):
    sales, manager = api("sales"), api("sales_mgr")
    started = subscribed(sales, master)
    subscription = Subscription.objects.get(instance_id=started["id"])
    change = request_change(sales, subscription, change_type="change_room", new_room_id=master["room2"].pk)
    assert master["room2"].status == "available"  # a request reserves nothing
    work(manager, change["id"], {"change_decision": "approve", "change_comment": "同意换至1602"})

    assert status(master["room"]) == "available" and status(master["room2"]) == "subscribed"
    subscription.refresh_from_db()
    assert subscription.room == master["room2"] and subscription.list_price == Decimal("2400000.00")
    assert subscription.total_price == Decimal("2400000.00")
    assert [(line.item, f"{line.amount:.2f}") for line in subscription.schedule_lines.all()] == [
        ("定金", "50000.00"),
        ("首付款", "950000.00"),
        ("商业贷款", "1400000.00"),
    ]
    data = task_data(sales, started["id"])  # the sales flow's data was corrected
    assert data["room_id"] == master["room2"].pk and data["room"] == "3栋1单元1602"
    assert data["list_price"] == "2400000.00" and data["room_code"] == "BH-3-1-1602"
    assert ProcessInstance.objects.get(pk=started["id"]).room == "3栋1单元1602"
    assert "update_data" in audit_actions(sales, started["id"])

    # the rest of the sale follows the new room
    work(sales, started["id"], {"discount_percent": 0})
    work(sales, started["id"], TODAY_CONTRACT, "转签约")
    assert status(master["room2"]) == "contracted" and status(master["room"]) == "available"


def test_changing_to_a_room_taken_meanwhile_is_a_conflict_and_changes_nothing(api, master):
    sales, manager = api("sales"), api("sales_mgr")
    started = subscribed(sales, master)
    subscription = Subscription.objects.get(instance_id=started["id"])
    change = request_change(sales, subscription, change_type="change_room", new_room_id=master["room2"].pk)
    subscribed(api("sales2"), master, room_id=master["room2"].pk, agreement_no="RG-BH-0002")
    body = work(manager, change["id"], {"change_decision": "approve"}, status=409)
    assert body["by"] == "周杰"
    assert status(master["room"]) == "subscribed" and status(master["room2"]) == "subscribed"
    subscription.refresh_from_db()
    assert subscription.room == master["room"]
    assert "update_data" not in audit_actions(sales, started["id"])  # rolled back with the rest
    assert task_data(sales, started["id"])["room_code"] == "BH-3-1-1502"
    work(manager, change["id"], {"change_decision": "reject", "change_comment": "新房间已售出"})
    assert SalesChange.objects.get().status == "rejected"


def test_changing_the_buyer_replaces_the_customer_everywhere(api, master):
    sales, manager = api("sales"), api("sales_mgr")
    started = subscribed(sales, master)
    subscription = Subscription.objects.get(instance_id=started["id"])
    change = request_change(sales, subscription, change_type="change_buyer", new_customer_id=master["li"].pk)
    work(manager, change["id"], {"change_decision": "approve"})
    subscription.refresh_from_db()
    assert subscription.customer == master["li"]
    data = task_data(sales, started["id"], reveal=True)  # 孙丽 holds the personal-data permission
    assert (data["customer_id"], data["customer_name"], data["customer_mobile"]) == (
        master["li"].pk, "李四", "13900139000"
    )  # fmt: skip
    assert ProcessInstance.objects.get(pk=started["id"]).customer_name == "李四"


def test_a_buyer_failing_the_audit_cannot_be_requested(api, master):
    sales = api("sales")
    started = subscribed(sales, master)
    subscription = Subscription.objects.get(instance_id=started["id"])
    response = sales.post(
        "/api/process-instances/",
        {"process_key": "sales_change", "data": {"subscription_id": subscription.pk, "change_type": "change_buyer",
                                                 "new_customer_id": master["wang"].pk, "change_reason": "更名"}},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400 and "new_customer_id" in response.json()["field_errors"]
    assert not SalesChange.objects.exists()


def test_one_pending_change_per_subscription_and_no_signing_while_it_waits(api, master):
    sales, manager = api("sales"), api("sales_mgr")
    started = subscribed(sales, master)
    subscription = Subscription.objects.get(instance_id=started["id"])
    change = request_change(sales, subscription, change_type="cancel")
    response = sales.post(
        "/api/process-instances/",
        {"process_key": "sales_change", "data": {"subscription_id": subscription.pk, "change_type": "cancel",
                                                 "change_reason": "重复申请"}},
        format="json",
    )  # fmt: skip
    assert response.status_code == 409
    work(sales, started["id"], {"discount_percent": 0})
    body = work(sales, started["id"], TODAY_CONTRACT, "转签约", status=409)
    assert "销售变更" in body["detail"] or "sales change" in body["detail"]
    assert status(master["room"]) == "subscribed"
    work(manager, change["id"], {"change_decision": "reject", "change_comment": "客户撤回"})
    work(sales, started["id"], TODAY_CONTRACT, "转签约")
    assert status(master["room"]) == "contracted"


def test_a_contracted_subscription_cannot_be_changed(api, master):
    sales = api("sales")
    started = subscribed(sales, master)
    work(sales, started["id"], {"discount_percent": 0})
    work(sales, started["id"], TODAY_CONTRACT, "转签约")
    subscription = Subscription.objects.get(instance_id=started["id"])
    response = sales.post(
        "/api/process-instances/",
        {"process_key": "sales_change", "data": {"subscription_id": subscription.pk, "change_type": "cancel",
                                                 "change_reason": "退房"}},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400 and "subscription_id" in response.json()["field_errors"]
    assert [t for t in tasks(api("sales_mgr"), claimable=1) if t["process_key"] == "sales_change"] == []


def test_a_rejected_change_changes_nothing(api, master):
    sales, manager = api("sales"), api("sales_mgr")
    started = subscribed(sales, master)
    subscription = Subscription.objects.get(instance_id=started["id"])
    change = request_change(sales, subscription, change_type="change_room", new_room_id=master["room2"].pk)
    work(manager, change["id"], {"change_decision": "reject", "change_comment": "价格差额未确认"})
    assert status(master["room"]) == "subscribed" and status(master["room2"]) == "available"
    assert status(subscription) == "subscribed"
    assert ProcessInstance.objects.get(pk=change["id"]).status == "completed"
    assert (
        "End_ChangeRejected"
        in api("sales").get(f"/api/process-instances/{change['id']}/").json()["completed_elements"]
    )


def test_a_room_too_cheap_for_the_loans_cannot_be_requested(api, master):
    sales = api("sales")
    started = subscribed(sales, master)
    subscription = Subscription.objects.get(instance_id=started["id"])
    response = sales.post(
        "/api/process-instances/",
        {"process_key": "sales_change", "data": {"subscription_id": subscription.pk, "change_type": "change_room",
                                                 "new_room_id": master["room3"].pk, "change_reason": "换小户型"}},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert "1000000.00" in response.json()["field_errors"]["new_room_id"][0]
