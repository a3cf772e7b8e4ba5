"""业主身份认证: a person whose mobile no room is linked to signs in (every valid number gets its
code), asks to be linked to a room, and the steward's task (flow owner_verification) links them —
an existing customer with that ID keeps their row and gets the verified mobile, a new person is
created — or rejects with a reason. Either way an SMS; the request's state on /my/verify/. Each
flow test also runs with every step restored from the database."""

from __future__ import annotations

from typing import Any

import pytest

from engine.models import OutboxMessage, ProcessInstance
from tests.helpers import complete, only_task
from webapp.owner.models import IdentityClaim
from webapp.realestate.demo import demo_resident_id
from webapp.realestate.models import Customer
from webapp.residents.models import Residency

from .conftest import MEMBER_MOBILE, UNKNOWN_MOBILE, UNLINKED_MOBILE, sent_codes, signed_in_client

NEW_ID = demo_resident_id("19900315", False, 41)


@pytest.fixture
def verification_flow(flow: Any, residents: dict[str, Any]) -> dict[str, Any]:
    flow("owner_verification")
    return residents


def claim(target: Any, **changes: Any) -> dict[str, Any]:
    body = {"project": target.project_id, "room": target.code, "role": "owner", "name": "冯新业",
            "id_type": "resident_id", "id_number": NEW_ID}  # fmt: skip
    body.update(changes)
    return body


def submit(client: Any, body: dict[str, Any]) -> Any:
    return client.post("/my/verify/", body)


def steward_task(api: Any, row: IdentityClaim) -> dict[str, Any]:
    assert row.instance_id is not None
    return only_task(api("steward"), row.instance_id, element_id="Task_Approve")


def test_a_number_not_on_file_signs_in_and_the_steward_links_it(api, verification_flow, restore_mode):
    room = verification_flow["other_room"]
    person = signed_in_client(UNKNOWN_MOBILE)  # the code went out although the number is on no file
    assert len(sent_codes(UNKNOWN_MOBILE)) == 1
    home = person.get("/my/").content.decode()
    assert 'id="not-verified"' in home and "/my/verify/" in home
    response = submit(person, claim(room))
    assert response.status_code == 302, response.content.decode()[:400]
    row = IdentityClaim.objects.get(mobile=UNKNOWN_MOBILE)
    assert (row.status, row.room, row.name) == ("pending", room, "冯新业")
    page = person.get("/my/verify/").content.decode()
    assert f'data-claim="{row.pk}"' in page and "待核实" in page
    instance = ProcessInstance.objects.get(pk=row.instance_id)
    assert instance.process_key == "owner_verification" and instance.started_by.username.startswith(
        "owner-app-"
    )

    task = steward_task(api, row)
    assert task["name"] == "核实业主身份"
    complete(api("steward"), task["id"], {"decision": "approve"})
    row.refresh_from_db()
    customer = Customer.objects.get(id_number=NEW_ID, company=room.company)
    assert (row.status, row.customer) == ("approved", customer) and customer.mobile == UNKNOWN_MOBILE
    held = Residency.objects.get(customer=customer)
    assert (held.room, held.role, held.source, held.ended_on) == (room, "owner", "verified", None)
    sms = OutboxMessage.objects.get(template_id="OWNER_VERIFIED")
    assert sms.recipient.endswith(UNKNOWN_MOBILE) and room.code in sms.content
    home = person.get("/my/").content.decode()  # the same session: the home page looks again
    assert f'data-room="{room.pk}"' in home and person.get(f"/my/rooms/{room.pk}/").status_code == 200


def test_a_customer_on_file_keeps_their_row_and_gets_the_mobile(api, verification_flow, restore_mode):
    residents = verification_flow
    room, unlinked = residents["other_room"], residents["unlinked"]
    person = signed_in_client(UNLINKED_MOBILE)
    # the owner named with the ID on file but a new mobile: the existing row is linked
    other = signed_in_client("13712345555")
    assert submit(other, claim(room, name=unlinked.name, id_number=unlinked.id_number)).status_code == 302
    row = IdentityClaim.objects.get(mobile="13712345555")
    complete(api("steward"), steward_task(api, row)["id"], {"decision": "approve"})
    unlinked.refresh_from_db()
    assert (
        unlinked.mobile == "13712345555"
        and Customer.objects.filter(id_number=unlinked.id_number).count() == 1
    )
    assert Residency.objects.filter(customer=unlinked, room=room, role="owner", ended_on=None).exists()
    # the number the customer had before no longer sees the room
    assert f'data-room="{room.pk}"' not in person.get("/my/").content.decode()
    assert f'data-room="{room.pk}"' in other.get("/my/").content.decode()


def test_a_rejection_keeps_its_reason_and_the_person_may_ask_again(api, verification_flow, restore_mode):
    room = verification_flow["other_room"]
    person = signed_in_client(UNKNOWN_MOBILE)
    submit(person, claim(room, role="tenant"))
    row = IdentityClaim.objects.get()
    steward = api("steward")
    task = steward_task(api, row)
    no_reason = steward.post(
        f"/api/tasks/{task['id']}/complete/", {"data": {"decision": "reject"}}, format="json"
    )
    assert no_reason.status_code == 400 and "reject_reason" in no_reason.json()["field_errors"]
    complete(steward, task["id"], {"decision": "reject", "reject_reason": "与租赁合同姓名不符"})
    row.refresh_from_db()
    assert (row.status, row.reason) == ("rejected", "与租赁合同姓名不符")
    assert not Residency.objects.filter(room=room, customer__mobile=UNKNOWN_MOBILE).exists()
    assert "与租赁合同姓名不符" in OutboxMessage.objects.get(template_id="OWNER_VERIFY_REJECTED").content
    page = person.get("/my/verify/").content.decode()
    assert "未通过" in page and "与租赁合同姓名不符" in page
    assert submit(person, claim(room, role="tenant")).status_code == 302  # asked again


def test_bad_requests_are_field_errors(verification_flow):
    residents = verification_flow
    room = residents["other_room"]
    person = signed_in_client(UNKNOWN_MOBILE)
    cases = [
        (claim(room, project=""), "project"),
        (claim(room, project="99999999999999999999"), "project"),
        (claim(room, room=""), "room"),
        (claim(room, room="NO-SUCH-9"), "room"),
        (claim(room, role="landlord"), "role"),
        (claim(room, name=""), "name"),
        (claim(room, id_number="110101199003150000"), "id_number"),
        (claim(room, id_type="spaceship"), "id_type"),
        (claim(room, name="x\x00y"), "name"),
    ]
    for body, field in cases:
        response = submit(person, body)
        page = response.content.decode()
        assert response.status_code == 400 and "invalid-feedback d-block" in page, (field, page[:300])
        assert f'id="{field}" ' in page or f'name="{field}"' in page
    assert not IdentityClaim.objects.exists()
    # a room one is linked to already, a second request for the same room, too many at once
    member = signed_in_client(MEMBER_MOBILE)
    assert submit(member, claim(residents["member_room"])).status_code == 400
    assert submit(person, claim(room)).status_code == 302
    again = submit(person, claim(room))
    assert again.status_code == 400 and "已在管家处办理中" in again.content.decode()
    rooms = [residents["ended_room"], residents["owner_rooms"][0]]
    for other in rooms:
        assert submit(person, claim(other)).status_code == 302
    fourth = submit(person, claim(residents["member_room"]))
    assert fourth.status_code == 400 and "等待管家核实" in fourth.content.decode()


def test_a_request_is_seen_by_its_mobile_only(verification_flow):
    room = verification_flow["other_room"]
    person = signed_in_client(UNKNOWN_MOBILE)
    submit(person, claim(room))
    row = IdentityClaim.objects.get()
    assert f'data-claim="{row.pk}"' not in signed_in_client(MEMBER_MOBILE).get("/my/verify/").content.decode()
    from django.test import Client

    anonymous = Client().get("/my/verify/")
    assert anonymous.status_code == 302 and anonymous["Location"] == "/my/login/"
