"""A repair from the hotline to closing, through the HTTP API: an emergency leak goes straight to the
technician on duty with an SMS, is accepted, reached, finished with photos and a paid part (the bill
is recorded and confirmed), evaluated, called back and closed; an unsatisfied callback reopens it to
the team; a normal repair of an estate without a rule is dispatched by hand, sent back and
reassigned; a repair is cancelled with a reason. Each runs straight and with every step restored
from the database."""

from __future__ import annotations

from decimal import Decimal

from engine.models import Bill, OutboxMessage, ProcessInstance, Task
from tests.helpers import complete, tasks
from tests.helpers import instance as instance_detail
from tests.repairs.conftest import record, repair_of, task_of, work

PAID_DONE = {
    "result": "更换厨房冷水管及角阀，试水无渗漏", "materials": "PPR 管 2 米，角阀 1 个", "labour_charge": 80,
    "material_charge": 45.5, "charge_confirmed": True, "confirm_method": "at_door",
}  # fmt: skip


def test_an_emergency_leak_goes_from_the_hotline_to_closed(api, repairs, restore_mode):
    # the agent finds the owner by typing the name and the room by typing its number (the form's x-lookups)
    agent = api("agent")
    owners = agent.get("/api/lookups/customer/", {"q": "陈业主"}).json()["results"]
    assert repairs["owner"].pk in [o["id"] for o in owners]
    rooms = agent.get("/api/lookups/room/", {"q": "0101", "project": repairs["binhai"].pk}).json()["results"]
    assert repairs["room"].pk in [r["id"] for r in rooms]
    started = record(api, repairs)
    repair = repair_of(started)
    assert repair.status == "dispatched" and repair.urgency == "emergency" and repair.auto_dispatched
    assert repair.technician.username == "technician" and repair.team.name == "维修一班"
    assert repair.room_id == repairs["room"].pk and repair.customer_id == repairs["owner"].pk
    sms = OutboxMessage.objects.get(template_id="REPAIR_EMERGENCY")
    assert (
        sms.recipient.endswith("13800138031") and "紧急报修" in sms.content and "7栋1单元0101" in sms.content
    )

    # the accept task is the technician's own (我的待办), not the dispatcher's
    accept = task_of(api, "technician", started, "Task_Accept")
    assert Task.objects.get(pk=accept["id"]).assignee_id == repair.technician_id
    assert not [
        t for t in tasks(api("dispatcher"), mine=1, claimable=1) if t["instance"]["id"] == started["id"]
    ]
    work(api, started, {**PAID_DONE, "satisfaction": 5, "evaluation_comment": "师傅来得很快"})
    repair.refresh_from_db()
    assert repair.status == "done" and repair.arrived_at and repair.response_seconds is not None
    assert repair.labour_charge == Decimal("80.00") and repair.material_charge == Decimal("45.50")
    assert repair.satisfaction == 5 and repair.photos.filter(kind="after").count() == 1
    bill = Bill.objects.get(instance_id=started["id"])
    assert bill.amount == Decimal("125.50") and bill.direction == "receivable" and bill.item == "维修费"

    callback = task_of(api, "agent", started, "Task_Callback")
    complete(
        api("agent"),
        callback["id"],
        {"customer_reached": True, "callback_result": "satisfied", "callback_note": "已解决"},
    )
    repair.refresh_from_db()
    assert repair.status == "called_back" and repair.bill_id == bill.pk
    close = task_of(api, "dispatcher", started, "Task_Close")
    complete(api("dispatcher"), close["id"], {"close_note": "资料齐全"})
    repair.refresh_from_db()
    assert (
        repair.status == "closed"
        and repair.closed_at
        and repair.reopen_count == 0
        and repair.first_time_fix()
    )
    assert ProcessInstance.objects.get(pk=started["id"]).status == "completed"
    detail = api("dispatcher").get(f"/api/repairs/{repair.pk}/").json()
    assert detail["bill"]["amount"] == "125.50" and detail["reporter_phone"] == "139****5678"
    assert [e["action"] for e in detail["events"]] == [
        "受理",
        "派工",
        "接单",
        "到场",
        "照片",
        "完工",
        "评价",
        "回访",
        "结案",
    ]
    # the room's and the owner's history show it
    assert instance_detail(api("dispatcher"), started["id"])["id"] == started["id"]
    assert (
        ProcessInstance.objects.filter(room_ref=repairs["room"].pk, customer_ref=repairs["owner"].pk).count()
        == 1
    )


def test_an_unsatisfied_callback_reopens_the_repair_to_the_team(api, repairs, restore_mode):
    started = record(api, repairs, urgency="normal", paid=False)
    repair = repair_of(started)
    assert repair.status == "dispatched" and repair.technician is None  # by rule, to the team
    assert not OutboxMessage.objects.filter(template_id="REPAIR_EMERGENCY").exists()
    work(api, started, {"result": "调整门铰链"})
    callback = task_of(api, "agent", started, "Task_Callback")
    refused = api("agent").post(f"/api/tasks/{callback['id']}/complete/", {"data": {
        "customer_reached": True, "callback_result": "satisfied"}}, format="json")  # fmt: skip
    assert refused.status_code == 400 and "satisfaction" in refused.json()["field_errors"]
    complete(api("agent"), callback["id"], {"customer_reached": True, "satisfaction": 2, "callback_result": "unsatisfied",
                                            "callback_note": "门仍然关不严"})  # fmt: skip
    repair.refresh_from_db()
    assert repair.status == "dispatched" and repair.reopen_count == 1 and repair.satisfaction == 2
    # the same technician gets it back; a second round needs a new photo
    complete(
        api("technician"),
        task_of(api, "technician", started, "Task_Accept")["id"],
        {"accept_decision": "accept"},
    )
    complete(api("technician"), task_of(api, "technician", started, "Task_Arrive")["id"], {})
    done = task_of(api, "technician", started, "Task_Done")
    refused = api("technician").post(
        f"/api/tasks/{done['id']}/complete/", {"data": {"result": "更换门锁"}}, format="json"
    )
    assert refused.status_code == 400 and "result" in refused.json()["field_errors"]
    from tests.repairs.conftest import add_photos

    assert add_photos(api, "technician", repair.pk).status_code == 201
    complete(api("technician"), done["id"], {"result": "更换门锁", "satisfaction": 5})
    complete(api("agent"), task_of(api, "agent", started, "Task_Callback")["id"],
             {"customer_reached": True, "callback_result": "satisfied"})  # fmt: skip
    complete(api("dispatcher"), task_of(api, "dispatcher", started, "Task_Close")["id"], {})
    repair.refresh_from_db()
    assert repair.status == "closed" and repair.reopen_count == 1 and not repair.first_time_fix()
    assert repair.satisfaction == 5 and repair.bill_id is None


def test_without_a_rule_the_dispatcher_dispatches_and_reassigns_a_send_back(api, repairs, cast, restore_mode):
    started = record(api, repairs, project=repairs["shanyu"].name, project_id=repairs["shanyu"].pk, area="public",
                     room="", room_id=None, public_location="2号楼电梯厅", category="elevator", urgency="normal",
                     paid=False, customer_name="路过的访客", customer_id=None)  # fmt: skip
    repair = repair_of(started)
    assert (
        repair.status == "reported" and repair.room is None and repair.location == "安居·山语城 2号楼电梯厅"
    )
    dispatch = task_of(api, "dispatcher", started, "Task_Dispatch")
    refused = api("dispatcher").post(f"/api/tasks/{dispatch['id']}/complete/", {"data": {
        "team_id": repairs["team"].pk, "technician_id": cast["agent"].pk}}, format="json")  # fmt: skip
    assert refused.status_code == 400 and list(refused.json()["field_errors"]) == ["technician_id"]
    complete(
        api("dispatcher"),
        dispatch["id"],
        {"team_id": repairs["team"].pk, "technician_id": cast["technician"].pk},
    )
    accept = task_of(api, "technician", started, "Task_Accept")
    complete(
        api("technician"), accept["id"], {"accept_decision": "return", "return_reason": "电梯归维保单位"}
    )
    repair.refresh_from_db()
    assert repair.status == "reported" and repair.technician is None
    dispatch = task_of(api, "dispatcher", started, "Task_Dispatch")
    complete(
        api("dispatcher"), dispatch["id"], {"team_id": repairs["team"].pk, "dispatch_note": "先到场查看"}
    )
    repair.refresh_from_db()
    assert repair.status == "dispatched" and repair.reassign_count == 1
    assert repair.technician is None  # the one who sent it back is not given it again
    accept = Task.objects.get(instance_id=started["id"], element_id="Task_Accept", state="ready")
    assert accept.assignee_id is None and accept.lane == "维修班"
    assert [e.action for e in repair.events.all()] == ["受理", "派工", "退单", "改派"]


def test_a_repair_is_cancelled_with_a_reason(api, repairs, restore_mode):
    started = record(api, repairs, urgency="normal")
    repair = repair_of(started)
    refused = api("dispatcher").post(f"/api/repairs/{repair.pk}/cancel/", {"reason": ""}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()["field_errors"]
    assert (
        api("technician")
        .post(f"/api/repairs/{repair.pk}/cancel/", {"reason": "重复"}, format="json")
        .status_code
        == 403
    )
    response = api("dispatcher").post(
        f"/api/repairs/{repair.pk}/cancel/", {"reason": "业主来电，重复报修"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    repair.refresh_from_db()
    assert repair.cancel_reason == "业主来电，重复报修" and repair.cancelled_at
    assert ProcessInstance.objects.get(pk=started["id"]).status == "cancelled"
    again = api("dispatcher").post(f"/api/repairs/{repair.pk}/cancel/", {"reason": "再取消"}, format="json")
    assert again.status_code == 409


def test_a_reopened_paid_repair_is_charged_only_for_what_the_rework_adds(api, repairs, restore_mode):
    from tests.repairs.conftest import add_photos

    started = record(api, repairs, urgency="normal")
    work(api, started, PAID_DONE)
    complete(api("agent"), task_of(api, "agent", started, "Task_Callback")["id"], {
        "customer_reached": True, "satisfaction": 2, "callback_result": "unsatisfied", "callback_note": "角阀仍滴水"})  # fmt: skip
    complete(
        api("technician"),
        task_of(api, "technician", started, "Task_Accept")["id"],
        {"accept_decision": "accept"},
    )
    complete(api("technician"), task_of(api, "technician", started, "Task_Arrive")["id"], {})
    repair = repair_of(started)
    assert add_photos(api, "technician", repair.pk).status_code == 201
    done = task_of(api, "technician", started, "Task_Done")
    # the rework costs nothing more: no charges, no confirmation, no second bill
    complete(api("technician"), done["id"], {"result": "重新缠生料带，不再滴水", "materials": "生料带"})
    repair.refresh_from_db()
    assert repair.labour_charge == Decimal("80.00") and repair.material_charge == Decimal("45.50")
    assert repair.materials == "PPR 管 2 米，角阀 1 个；生料带" and repair.reopen_count == 1
    assert Bill.objects.filter(instance_id=started["id"]).count() == 1
