"""车位预订 (flow parking_booking) through the HTTP API: the front desk records a booking for a
resident, 物业 approves it (the contract is written in the step, the resident gets an SMS) or refuses
it with a reason (an SMS too); a booking of a taken space, or of any space when none is free, is
refused at once; an approval that lost the space to a contract in the meantime is a 400. Each runs
straight and with every step restored from the database."""

from __future__ import annotations

from typing import Any

import pytest

from engine.models import OutboxMessage, ProcessInstance
from tests.helpers import complete, only_task, start
from tests.parking.conftest import contract_body, create_contract
from webapp.parking.models import ParkingContract


@pytest.fixture
def booking_flow(flow: Any, garage: dict[str, Any]) -> dict[str, Any]:
    flow("parking_booking")
    return garage


def request(garage: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {
        "project": garage["binhai"].name, "project_id": garage["binhai"].pk,
        "customer_name": garage["tenant"].name, "customer_id": garage["tenant"].pk, "customer_mobile": "13712345678",
        "space": "BH-P-002", "space_id": garage["spaces"][1].pk,
        "kind": "rented", "start_on": "2026-12-01", "end_on": "2027-11-30", "note": "电动车，需要充电桩",
    }  # fmt: skip
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def test_an_approved_booking_becomes_a_contract_and_an_sms(api, booking_flow, restore_mode):
    garage = booking_flow
    started = start(api("agent"), "parking_booking", request(garage))  # the front desk, for the resident
    task = only_task(api("steward"), started["id"], element_id="Task_Approve")
    assert not ParkingContract.objects.exists()
    complete(api("steward"), task["id"], {"decision": "approve"})
    contract = ParkingContract.objects.get()
    assert contract.space == garage["spaces"][1] and contract.customer == garage["tenant"]
    assert contract.kind == "rented" and str(contract.end_on) == "2027-11-30"
    assert contract.booking_instance_id == started["id"] and contract.created_by.username == "steward"
    sms = OutboxMessage.objects.get(template_id="PARKING_BOOKING_APPROVED")
    assert sms.recipient.endswith("13712345678")
    assert "林租户" in sms.content and "BH-P-002" in sms.content and "至2027-11-30" in sms.content
    assert ProcessInstance.objects.get(pk=started["id"]).status == "completed"
    rows = api("steward").get("/api/parking/spaces/", {"state": "rented"}).json()["results"]
    assert rows == []  # from 1 December: still free today (27 November)
    assert (
        api("steward").get(f"/api/parking/contracts/{contract.pk}/").json()["booking_instance"]
        == started["id"]
    )


def test_any_free_space_and_a_refusal(api, booking_flow, restore_mode):
    garage = booking_flow
    create_contract(api("steward"), contract_body(garage, 0, start_on="2026-01-01", end_on="2027-12-31"))
    steward = api("steward")
    made = steward.post("/api/parking/bookings/", request(garage, space="", space_id=None, kind="sold", end_on=None),
                        format="json")  # fmt: skip
    assert made.status_code == 201, made.content
    task = only_task(steward, made.json()["id"], element_id="Task_Approve")
    complete(steward, task["id"], {"decision": "approve"})
    contract = ParkingContract.objects.get(booking_instance_id=made.json()["id"])
    assert contract.space == garage["spaces"][1] and contract.kind == "sold" and contract.end_on is None
    assert "长期有效" in OutboxMessage.objects.get(template_id="PARKING_BOOKING_APPROVED").content

    refused = start(
        api("agent"), "parking_booking", request(garage, space="BH-P-003", space_id=garage["spaces"][2].pk)
    )
    task = only_task(steward, refused["id"], element_id="Task_Approve")
    no_reason = steward.post(
        f"/api/tasks/{task['id']}/complete/", {"data": {"decision": "refuse"}}, format="json"
    )
    assert no_reason.status_code == 400 and "refuse_reason" in no_reason.json()["field_errors"]
    complete(steward, task["id"], {"decision": "refuse", "refuse_reason": "该车位已预留给物业用车"})
    assert not ParkingContract.objects.filter(booking_instance_id=refused["id"]).exists()
    sms = OutboxMessage.objects.get(template_id="PARKING_BOOKING_REFUSED")
    assert sms.recipient.endswith("13712345678") and "该车位已预留给物业用车" in sms.content
    assert ProcessInstance.objects.get(pk=refused["id"]).status == "completed"


def test_bookings_that_cannot_be_given_are_refused(api, booking_flow):
    garage = booking_flow
    steward = api("steward")
    create_contract(steward, contract_body(garage, 1, start_on="2026-01-01", end_on="2027-12-31"))
    taken = steward.post("/api/parking/bookings/", request(garage), format="json")
    assert taken.status_code == 400 and "林租户" in taken.json()["field_errors"]["space"][0]
    bad = steward.post("/api/parking/bookings/", request(garage, kind="lease", start_on="soon", customer_mobile="1"),
                       format="json")  # fmt: skip
    assert bad.status_code == 400 and {"kind", "start_on", "customer_mobile"} <= set(
        bad.json()["field_errors"]
    )
    for n in (0, 2, 3):
        create_contract(steward, contract_body(garage, n, start_on="2026-01-01", end_on="2027-12-31"))
    none_free = steward.post(
        "/api/parking/bookings/", request(garage, space="", space_id=None), format="json"
    )
    assert none_free.status_code == 400 and "space" in none_free.json()["field_errors"]
    # another company's space or customer cannot be picked
    far = steward.post("/api/parking/bookings/", request(garage, space="", space_id=garage["far_space"].pk,
                                                         customer_id=garage["far_customer"].pk), format="json")  # fmt: skip
    assert far.status_code == 400 and {"space", "customer_name"} <= set(far.json()["field_errors"])
    assert api("outsider").post("/api/parking/bookings/", request(garage), format="json").status_code == 400
    assert api("engineer").post("/api/parking/bookings/", request(garage), format="json").status_code == 403


def test_an_approval_that_lost_the_space_is_400(api, booking_flow):
    garage = booking_flow
    started = start(api("steward"), "parking_booking", request(garage))
    task = only_task(api("steward"), started["id"], element_id="Task_Approve")
    create_contract(
        api("steward"), contract_body(garage, 1, customer=garage["owner"].pk, start_on="2027-01-01")
    )
    lost = api("steward").post(
        f"/api/tasks/{task['id']}/complete/", {"data": {"decision": "approve"}}, format="json"
    )
    assert lost.status_code == 400 and "陈业主" in lost.json()["field_errors"]["space"][0]
    # the approver picks another space instead
    complete(
        api("steward"),
        task["id"],
        {"decision": "approve", "space": "BH-P-004", "space_id": garage["spaces"][3].pk},
    )
    assert ParkingContract.objects.get(booking_instance_id=started["id"]).space == garage["spaces"][3]
    assert "BH-P-004" in OutboxMessage.objects.get(template_id="PARKING_BOOKING_APPROVED").content


def test_the_start_page_and_the_space_lookup(api, web, booking_flow):
    garage = booking_flow
    assert web("steward").get("/start/parking_booking/").status_code == 200
    found = (
        api("agent").get("/api/lookups/parking_space/", {"q": "P-00", "project": garage["binhai"].pk}).json()
    )
    assert [item["name"] for item in found["results"]] == ["BH-P-001", "BH-P-002", "BH-P-003", "BH-P-004"]
    assert api("outsider").get("/api/lookups/parking_space/", {"q": "BH-P"}).json()["results"] == []
    assert api("engineer").get("/api/lookups/parking_space/", {"q": "BH-P"}).json()["results"] == []
    # 工程 may not start it (the start rule anju_setup writes: 物业部 and 客服中心)
    from engine.start_rules import ensure_start_rules

    ensure_start_rules()
    body = {"process_key": "parking_booking", "data": request(garage)}
    refused = api("engineer").post("/api/process-instances/", body, format="json")
    assert refused.status_code == 403, refused.content
