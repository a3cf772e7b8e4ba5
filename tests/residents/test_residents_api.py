"""Residents through the API: registering owners, tenants and members of a room, the period
rules, moving out without losing history, a person's rooms, masking, and who may do what."""

from __future__ import annotations

from typing import Any

from engine import clock
from webapp.realestate.models import Customer
from webapp.residents.models import Residency

from .conftest import person_body, register, resident_id, residents_of, wrong_check_digit


def test_owners_tenants_and_members_are_registered_from_the_room(api, rooms, people) -> None:
    steward = api("steward")
    room = rooms[0]
    owner = register(steward, room, role="owner", customer_id=people[0].pk, started_on="2026-01-10")
    co_owner = register(steward, room, role="业主", customer_id=people[1].pk, started_on="2026-01-10")
    tenant = register(steward, room, role="tenant", customer_id=people[2].pk, started_on="2026-06-01")
    member = register(
        steward, room, role="member", customer_id=people[3].pk, householder_id=tenant["id"], relation="配偶",
        started_on="2026-06-01",
    )  # fmt: skip
    assert owner["role_display"] == "业主" and owner["source"] == "manual" and owner["current"] is True
    assert co_owner["role"] == "owner"
    assert member["householder"] == {
        "id": tenant["id"], "customer_id": people[2].pk, "name": people[2].name, "role": "tenant"
    }  # fmt: skip
    listed = residents_of(steward, room)
    assert {(r["id"], r["role"], r["current"]) for r in listed} == {
        (owner["id"], "owner", True), (co_owner["id"], "owner", True), (tenant["id"], "tenant", True),
        (member["id"], "member", True),
    }  # fmt: skip
    # Personal data is masked like the customers API.
    first = next(r for r in listed if r["id"] == owner["id"])["customer"]
    assert "****" in first["mobile"] and first["mobile"] != people[0].mobile
    assert first["id_number"] != people[0].id_number
    # A holder of the personal-data right may ask for it in full.
    revealed = residents_of(api("cs_head"), room, reveal=1)
    assert next(r for r in revealed if r["id"] == owner["id"])["customer"]["mobile"] == people[0].mobile


def test_a_new_person_is_created_with_the_registration_and_bad_data_saves_nothing(api, rooms) -> None:
    steward = api("steward")
    before = (Customer.objects.count(), Residency.objects.count())
    bad = register(
        steward, rooms[1], 400, role="owner", customer=person_body(id_number=wrong_check_digit(resident_id()))
    )
    assert "customer.id_number" in bad["field_errors"]
    assert (Customer.objects.count(), Residency.objects.count()) == before
    created = register(steward, rooms[1], role="owner", customer=person_body())
    assert created["customer"]["name"] == "赵六" and created["customer"]["mobile"] == "13712345678"  # echoed
    assert Customer.objects.filter(name="赵六").count() == 1
    # The same person again (same ID) is linked, not created twice: here as the owner of another room.
    register(steward, rooms[2], role="owner", customer=person_body(name="赵六"))
    assert Customer.objects.filter(name="赵六").count() == 1


def test_the_period_rules_answer_400_with_field_errors(api, rooms, people) -> None:
    steward = api("steward")
    room, other = rooms[3], rooms[4]
    owner = register(steward, room, role="owner", customer_id=people[0].pk, started_on="2026-01-10")
    other_owner = register(steward, other, role="owner", customer_id=people[1].pk)
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({"role": "owner", "customer_id": people[0].pk}, {"customer_id"}),  # duplicate owner
        ({"role": "tenant", "customer_id": people[0].pk}, {"customer_id"}),  # an owner is no tenant
        ({"role": "member", "customer_id": people[2].pk}, {"householder_id"}),  # no householder
        ({"role": "member", "customer_id": people[2].pk, "householder_id": other_owner["id"]}, {"householder_id"}),
        ({"role": "member", "customer_id": people[2].pk, "householder_id": owner["id"], "started_on": "2026-01-01"},
         {"started_on"}),  # before the householder
        ({"role": "owner", "customer_id": people[2].pk, "householder_id": owner["id"]}, {"householder_id"}),
        ({"role": "tenant", "customer_id": people[2].pk, "started_on": "2027-01-01"}, {"started_on"}),  # future
        ({"role": "tenant", "customer_id": people[2].pk, "started_on": "yesterday"}, {"started_on"}),
        ({"role": "landlord", "customer_id": 999999}, {"role", "customer_id"}),
        ({"role": "tenant"}, {"customer_id"}),
    ]  # fmt: skip
    before = Residency.objects.count()
    for body, fields in cases:
        answer = register(steward, room, 400, **body)
        assert set(answer["field_errors"]) == fields, (body, answer)
    assert Residency.objects.count() == before
    assert steward.post(f"/api/rooms/{room.pk}/residents/", [1, 2], format="json").status_code == 400


def test_move_out_ends_the_household_and_keeps_the_history(api, rooms, people) -> None:
    steward = api("steward")
    room = rooms[5]
    tenant = register(steward, room, role="tenant", customer_id=people[0].pk, started_on="2026-03-01")
    member = register(
        steward,
        room,
        role="member",
        customer_id=people[1].pk,
        householder_id=tenant["id"],
        started_on="2026-03-01",
    )
    early = steward.post(
        f"/api/residents/{tenant['id']}/move-out/", {"ended_on": "2026-02-01"}, format="json"
    )
    assert early.status_code == 400 and set(early.json()["field_errors"]) == {"ended_on"}
    ended = steward.post(
        f"/api/residents/{tenant['id']}/move-out/",
        {"ended_on": "2026-10-31", "reason": "退租"},
        format="json",
    )
    assert ended.status_code == 200, ended.content
    assert {(r["id"], r["ended_on"], r["current"]) for r in ended.json()} == {
        (tenant["id"], "2026-10-31", False), (member["id"], "2026-10-31", False)
    }  # fmt: skip
    again = steward.post(f"/api/residents/{tenant['id']}/move-out/", {}, format="json")
    assert again.status_code == 400
    listed = residents_of(steward, room)
    assert len(listed) == 2 and not any(r["current"] for r in listed)  # nothing deleted
    assert residents_of(steward, room, current=1) == []
    # Coming back overlapping the old lease is refused; from the day after it is fine.
    overlap = register(steward, room, 400, role="tenant", customer_id=people[0].pk, started_on="2026-10-15")
    assert set(overlap["field_errors"]) == {"started_on"}
    register(steward, room, role="tenant", customer_id=people[0].pk, started_on="2026-11-01")
    # The person's page lists the rooms held now and before.
    held = api("agent").get(f"/api/customers/{people[0].pk}/rooms/").json()
    assert [(r["room"]["id"], r["current"]) for r in held] == [(room.pk, True), (room.pk, False)]
    assert held[0]["room"]["code"] == room.code


def test_move_out_today_is_the_default(api, rooms, people) -> None:
    steward = api("steward")
    owner = register(steward, rooms[6], role="owner", customer_id=people[0].pk, started_on="2026-01-01")
    ended = steward.post(f"/api/residents/{owner['id']}/move-out/", {"reason": "转让"}, format="json").json()
    assert ended[0]["ended_on"] == clock.now().date().isoformat() and ended[0]["end_reason"] == "转让"


def test_who_may_see_and_manage_residents(api, rooms, people, master) -> None:
    room = rooms[7]
    owner = register(api("agent"), room, role="owner", customer_id=people[0].pk)  # 客服 manage residents too
    # Marketing sees rooms (so the residents list) but registers nobody and moves nobody out.
    assert len(residents_of(api("mkt_director"), room)) == 1
    assert (
        api("mkt_director")
        .post(
            f"/api/rooms/{room.pk}/residents/", {"role": "owner", "customer_id": people[1].pk}, format="json"
        )
        .status_code
        == 403
    )
    assert (
        api("mkt_director").post(f"/api/residents/{owner['id']}/move-out/", {}, format="json").status_code
        == 403
    )
    # The engineer has no room right; the other company's people get a 404; the anonymous a 401/403.
    assert api("engineer").get(f"/api/rooms/{room.pk}/residents/").status_code == 403
    assert api("outsider").get(f"/api/rooms/{room.pk}/residents/").status_code == 404
    assert (
        api("outsider").post(f"/api/residents/{owner['id']}/move-out/", {}, format="json").status_code == 404
    )
    assert api("outsider").get(f"/api/customers/{people[0].pk}/rooms/").status_code == 404
    assert api(None).get(f"/api/rooms/{room.pk}/residents/").status_code in (401, 403)
    # A customer of the other company cannot be registered here.
    from webapp.realestate.customers import save_customer

    foreign = save_customer(master["sh"], None, person_body(id_number=resident_id("19700101", False, 9)))
    bad = register(api("steward"), room, 400, role="tenant", customer_id=foreign.pk)
    assert set(bad["field_errors"]) == {"customer_id"}
